"""Parts every worksheet view shares: escaped text, the save indicator, autosave, errors.

Voilà starts a new kernel for every page visit and never reconnects, so anything not
saved is gone: views call `Autosaver.request` on every change and the document is saved
about a second after the last keystroke.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from html import escape
from typing import Any, ParamSpec, TypeVar

import ipywidgets as widgets
import traitlets
from ipywidgets.widgets.widget_description import DescriptionWidget
from pydantic_core import to_jsonable_python

from mentorkit import worksheets
from mentorkit.errors import ConflictError, MentorkitError, NotFound
from mentorkit.models import Document, check, text_limit
from mentorkit.store import DEFAULT_DOCUMENT_NAME, DocumentKey, Saved, Store, open_store

log = logging.getLogger("mentorkit")

SAVE_DELAY_SECONDS = 0.8
#: However fast someone keeps typing, a change waits at most this long to be saved.
SAVE_MAX_WAIT_SECONDS = 2.0
RETRY_DELAYS_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
#: How long a pre-heated kernel keeps trying to reach the server for its visitor's request.
REQUEST_WAIT_SECONDS = 120.0

P = ParamSpec("P")
R = TypeVar("R")
W = TypeVar("W", bound=DescriptionWidget)
D = TypeVar("D", bound=Document)


def _refuse_children_from_the_page() -> None:
    """Let only the kernel decide what is inside a box.

    ipywidgets' front end never sends a box's `children`, but any client can send any
    synced trait: a box sent as its own child would make every walk of the page's tree
    endless, and a page could move widgets out of the view that owns them. What a page
    sends for `children` is dropped; everything else it sends is handled as before.
    """
    receive = widgets.Box.set_state

    def set_state(self: widgets.Box, sync_data: dict[str, Any]) -> None:
        receive(self, {name: value for name, value in sync_data.items() if name != "children"})

    widgets.Box.set_state = set_state  # type: ignore[method-assign]


_refuse_children_from_the_page()


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and every widget inside it, so a removed part leaves nothing behind
    and a browser can no longer send events to it.

    Each widget is closed once, walking without recursion: whatever reaches a box's
    `children`, a box containing itself does not make the walk endless.
    """
    waiting, seen = [widget], set()
    while waiting:
        current = waiting.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        children = getattr(current, "children", ())
        if isinstance(children, tuple | list):
            waiting.extend(child for child in children if isinstance(child, widgets.Widget))
        current.close()


def paragraphs(text: str) -> str:
    """Plain text as escaped HTML paragraphs (a blank line starts a new one)."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    return "".join(f"<p>{escape(' '.join(b.split()))}</p>" for b in blocks)


def split_list(text: str) -> list[str]:
    """Comma- or semicolon-separated entries, blanks dropped.

    Short lists (topics, values, languages) are typed into one text box; this is how
    every worksheet reads them back. An entry typed twice stays twice: where a list must
    not repeat itself the model says so next to the box, and the text stays as typed,
    rather than a word vanishing on the next visit.
    """
    entries = (" ".join(part.split()) for part in text.replace(";", ",").split(","))
    return [entry for entry in entries if entry]


def spoken_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def time_html(when: datetime, *, seconds: bool = False) -> str:
    """A moment as `<time class="mentorkit-time" datetime="…">01:24</time>` for a page.

    The kernel runs in the server's time zone, not the reader's: the page script
    (enhance.js in the Voilà template) rewrites the text into the browser's own zone, with
    the date when it is not today there. `datetime` is ISO 8601 in UTC with its offset; the
    text, shown where no script runs, is the UTC clock time (with the UTC date when that is
    not today). A naive `when` is taken as the
    server's local time. `seconds` shows the seconds too (`data-seconds`).
    """
    moment = when.astimezone(UTC)
    stamp = escape(moment.isoformat(timespec="seconds"))
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    if moment.date() != datetime.now(UTC).date():
        clock = f"{moment.day} {moment:%b %Y}, {clock}"
    clock = escape(clock)
    extra = " data-seconds" if seconds else ""
    return f'<time class="mentorkit-time" datetime="{stamp}"{extra}>{clock}</time>'


def html_text(text: str) -> str:
    """User text as escaped HTML that keeps its line breaks."""
    return escape(text).replace("\n", "<br>")


class Notice(widgets.HTML):
    """A message area read out by screen readers when it changes."""

    def __init__(self) -> None:
        super().__init__(value="")
        self.add_class("mentorkit-notice")

    def show(self, message: str, *, kind: str = "info") -> None:
        """Show `message` (plain text) styled as info, success or error."""
        role = "alert" if kind == "error" else "status"
        self.value = f'<div role="{role}" class="mentorkit-{kind}">{escape(message)}</div>'

    def clear(self) -> None:
        self.value = ""


def wait_for_request(environ: Mapping[str, str]) -> None:
    """In a kernel Voilà pre-heated, wait until a visitor's request is handed over.

    With `preheat_kernel`, Voilà runs a notebook before anyone asks for the page, so that
    the page is ready the moment someone does; the request itself (QUERY_STRING: a personal
    link's resume code, a prefilled join code) reaches the kernel only through Voilà's
    `voila/query/<kernel id>` websocket. This reads it into os.environ as
    `voila.utils.wait_for_request` does, without importing Voilà's server into every kernel
    (about 45 MB each). Anywhere else (no pre-heating, JupyterLab, a test passing its own
    environ) it returns at once.
    """
    if environ is not os.environ or os.environ.get("VOILA_PREHEAT") != "True":
        return
    import json
    import threading

    import websockets

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )
    received: list[str | bytes] = []
    # Only the kernel itself may read its request (mentorkit.jupyter.server): it proves
    # who it is with the key that signs its messages. (websockets 14 renamed the option.)
    headers = _kernel_proof_headers(env.get("VOILA_KERNEL_ID", ""))
    option = "additional_headers" if int(websockets.__version__.split(".")[0]) >= 14 else ""
    connect_options: dict[str, object] = {option or "extra_headers": headers}

    async def receive() -> None:
        # A busy server can be slow to accept: keep trying (it keeps the request for a
        # kernel that connects late) rather than render the page without its ?resume=.
        deadline = time.monotonic() + REQUEST_WAIT_SECONDS
        while True:
            try:
                async with websockets.connect(url, open_timeout=10, **connect_options) as socket:
                    received.append(await socket.recv())
                    return
            except (OSError, TimeoutError, websockets.WebSocketException):
                if time.monotonic() > deadline:
                    log.warning("mentorkit: no request details from %s", url, exc_info=True)
                    return
                await asyncio.sleep(0.5)

    # The kernel's own event loop runs in this thread: wait in another one.
    waiter = threading.Thread(target=lambda: asyncio.run(receive()), daemon=True)
    waiter.start()
    waiter.join()
    if received:
        env.update(json.loads(received[0]))


def _kernel_proof_headers(kernel_id: str) -> dict[str, str]:
    """The header proving to the server that this process is kernel `kernel_id` (see
    `mentorkit.jupyter.kernel_proof`); none outside a kernel."""
    from mentorkit.jupyter import KERNEL_PROOF_HEADER, kernel_proof

    try:
        from IPython import get_ipython

        key = get_ipython().kernel.session.key  # type: ignore[union-attr]
    except (ImportError, AttributeError):
        return {}
    return {KERNEL_PROOF_HEADER: kernel_proof(key, kernel_id)} if key else {}


def open_store_or_explain(notice: Notice, store: Store | None, advice: str = "") -> Store | None:
    """`store`, or the configured one; None, with a sentence in the page, if it cannot open."""
    if store is not None:
        return store
    try:
        return open_store()
    except MentorkitError as exc:
        log.exception("mentorkit: cannot open the store")
        notice.show(
            f"The workshop's database cannot be reached right now ({exc}).{advice}",
            kind="error",
        )
        return None


def guarded(notice: Notice) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Run a callback so that no traceback reaches the page: a friendly line instead.

    Errors the user can act on (`MentorkitError`) are shown as they are; anything else is
    logged with its traceback to the server log and shown as a generic apology.
    """

    def decorate(callback: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(callback)
        def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                return callback(*args, **kwargs)
            except MentorkitError as exc:
                notice.show(str(exc), kind="error")
            except Exception:
                log.exception("mentorkit: unexpected error in %s", callback.__qualname__)
                notice.show(
                    "Something went wrong on our side. Your saved answers are safe; "
                    "reload the page to continue.",
                    kind="error",
                )
            return None

        return run

    return decorate


class SaveStatus(widgets.HTML):
    """'Saved 13:02:11', 'Saving…' or 'Not saved — retrying', announced politely.

    One status serves every document of a page. While one of them is held back by a
    conflict with another tab, a save of another document must not hide that: the conflict
    is shown until it is resolved.
    """

    def __init__(self) -> None:
        super().__init__(value="")
        self.add_class("mentorkit-save-status")
        self.state = "idle"
        self._conflicts: set[object] = set()
        self._edits_held = False
        #: Fields that need the participant's attention, by document (saved all the same).
        self._attention: dict[object, list[str]] = {}

    def _set(self, state: str, text: str, when: datetime | None = None) -> None:
        if self._conflicts and state != "conflict":
            self._show_conflict()
            return
        self.state = state
        shown = escape(text) + (" " + time_html(when, seconds=True) if when else "")
        fields = [name for names in self._attention.values() for name in names]
        if fields and state == "saved":
            shown += (
                ' <span class="mentorkit-save-attention">· Check '
                f"{escape(spoken_list(fields[:4]))}{' and more' if len(fields) > 4 else ''}"
                ": see the message next to it.</span>"
            )
        # The moment to the millisecond, for the page script that keeps typing in the tab
        # until it is saved (the <time> shows it to the second).
        stamp = f' data-saved-at="{round(when.timestamp() * 1000)}"' if when else ""
        self.value = f'<span role="status" class="mentorkit-save-{state}"{stamp}>{shown}</span>'

    def attention(self, document: object, fields: list[str]) -> None:
        """`fields` (their labels) of `document` hold input that is saved as typed but needs
        fixing; an empty list clears it."""
        if fields:
            self._attention[document] = fields
        else:
            self._attention.pop(document, None)

    @property
    def needs_attention(self) -> list[str]:
        """The labels of every field of the page that needs fixing."""
        return [name for names in self._attention.values() for name in names]

    def saved(self, when: datetime) -> None:
        self._set("saved", "Saved", when)

    def loaded(self, when: datetime) -> None:
        """The page was rebuilt from the store: what it shows is what is saved."""
        self._set("saved", "Showing the newer version, saved", when)

    def pending(self) -> None:
        self._set("pending", "Saving…")

    def retrying(self) -> None:
        self._set("retrying", "Not saved — retrying")

    def failed(self, problem: str) -> None:
        """Saving cannot succeed by retrying (the data was erased): say why."""
        self._set("failed", f"Not saved: {problem}")

    def conflict(self, document: object = None, *, edits_held: bool = False) -> None:
        """`document` (any name for it) was changed elsewhere; `edits_held`: the participant
        has typed since, and those edits wait in the page."""
        self._conflicts.add(document)
        self._edits_held = self._edits_held or edits_held
        self._show_conflict()

    def resolved(self, document: object = None) -> None:
        """`document` is no longer held back (the caller shows what happened next)."""
        self._conflicts.discard(document)
        if not self._conflicts:
            self._edits_held = False

    def _show_conflict(self) -> None:
        choose = "choose “Load the newer version” or “Keep my version”"
        if self._edits_held:
            text = (
                "Not saved: this worksheet was changed in another tab or device. Your edits "
                f"stay in this page, unsaved, until you {choose}."
            )
        else:
            text = (
                "Not saved: this worksheet was changed in another tab or device. "
                f"To go on, {choose}."
            )
        self.state = "conflict"
        self.value = f'<span role="status" class="mentorkit-save-conflict">{escape(text)}</span>'


#: How a document is named to the participant, by kind (the page's own words).
_DOCUMENT_WORDS: dict[str, str] = worksheets.page_words()
#: Documents of which a participant has several are named as their cards are.
_NUMBERED_WORDS: dict[str, tuple[str, str]] = {
    kind: (numbering.prefix, numbering.word)
    for kind, numbering in worksheets.numbered_kinds().items()
}


def document_words(key: DocumentKey) -> str:
    """A document as the participant knows it: 'self-assessment', 'Goal 2', 'Meeting 3'."""
    if key.kind in _NUMBERED_WORDS:
        prefix, word = _NUMBERED_WORDS[key.kind]
        if key.name.startswith(prefix) and key.name[len(prefix) :].isdigit():
            return f"{word} {key.name[len(prefix) :]}"
    if key.kind in _DOCUMENT_WORDS and key.name == DEFAULT_DOCUMENT_NAME:
        return _DOCUMENT_WORDS[key.kind]
    return f"{key.kind.replace('_', ' ')} “{key.name}”"


class Autosaver:
    """Saves one document a moment after the last change, and retries when the store fails.

    `request(build)` is called on every change with a function that builds the document
    from the widgets. The document is saved whatever it holds: a field that does not
    validate is kept as typed in its draft (see `FieldSet`), never a reason not to save.

    Each save names the revision it was based on. When another tab or device saved in
    between, the save is refused (nothing is overwritten) and the autosaver holds: it keeps
    the latest edit in the page, saves nothing more, and calls `on_conflict` so that the
    page can offer the two ways out, `keep_mine()` or reloading the page from the store.
    """

    def __init__(
        self,
        store: Store,
        key: DocumentKey,
        status: SaveStatus,
        *,
        delay: float = SAVE_DELAY_SECONDS,
        on_conflict: Callable[[Autosaver], object] | None = None,
    ) -> None:
        self.store = store
        self.key = key
        self.status = status
        self.delay = delay
        self.on_conflict = on_conflict
        self.saved: Saved | None = store.load(key)
        #: Why saving is held, while another tab's newer version is unresolved.
        self.conflict: ConflictError | None = None
        self._pending: Callable[[], Document] | None = None
        self._latest_build: Callable[[], Document] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._failures = 0
        self._closed = False
        #: When the oldest change not saved yet was made (time.monotonic()).
        self._waiting_since: float | None = None

    @property
    def revision(self) -> int:
        return self.saved.revision if self.saved else 0

    @property
    def document(self) -> Document | None:
        """The last saved document (None when the participant has not started)."""
        return self.saved.document if self.saved else None

    @property
    def has_unsaved_changes(self) -> bool:
        return self._pending is not None

    @property
    def in_conflict(self) -> bool:
        return self.conflict is not None

    @property
    def removed_elsewhere(self) -> bool:
        """The conflict is that another tab or device removed the document."""
        return self.conflict is not None and self.conflict.actual == 0

    @property
    def words(self) -> str:
        """This document as the participant knows it ('Goal 2')."""
        return document_words(self.key)

    def request(self, build: Callable[[], Document], *, now: bool = False) -> None:
        """Save the document `build` returns, after `delay` seconds without further changes
        (`now`: at once, for a change a reload must find, such as a new row).

        While a conflict is unresolved the edit is only kept, to be saved by `keep_mine`.
        """
        if self._closed:
            return
        self._pending = build
        self._latest_build = build
        if self.conflict is not None:
            self.status.conflict(self.key, edits_held=True)
            return
        self.status.pending()
        # A reload ends this kernel and the next page is drawn from the store at once, so
        # a document that does not exist yet is saved now (a new goal or meeting is there
        # after a reload), and a change waits at most SAVE_MAX_WAIT_SECONDS while someone
        # keeps typing. What is still waiting when the page goes is not saved by this
        # kernel as it ends: the next page of the tab has already read the store, so that
        # save would meet it as "changed in another tab". The page script keeps those last
        # keys in the tab instead and the next page sends them again.
        moment = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = moment
        if self.saved is None or now:
            delay = 0.0
        else:
            waited = moment - self._waiting_since
            delay = min(self.delay, max(0.0, SAVE_MAX_WAIT_SECONDS - waited))
        self._schedule(delay)

    def keep_mine(self) -> bool:
        """Save this page's version over the newer one; returns whether it is saved.

        The newer version stays in the history; a tab still showing it is told in turn
        when it next saves. Another save that slipped in meanwhile is a new conflict.
        """
        if self._closed:
            return False
        if self.conflict is not None:
            shown = self.saved  # what the page was built from
            self.saved = self.store.load(self.key)  # base the save on the newer revision
            self.conflict = None
            self._failures = 0
            self.status.resolved(self.key)
            if self._pending is None:
                # Nothing typed since (the conflict came from a removal): the page's version
                # is its latest edit, or else what it was built from.
                if self._latest_build is not None:
                    self._pending = self._latest_build
                elif shown is not None:
                    self._pending = lambda: shown.document
        if self._pending is None:
            self.status.saved(datetime.now().astimezone())
            return True
        return self.flush()

    def close(self) -> None:
        """Stop for good: the page is rebuilt or gone; a waiting edit is dropped."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = None
        if self.conflict is not None:
            self.conflict = None
            self.status.resolved(self.key)

    def delete(self) -> None:
        """Erase the document and its history; an edit still waiting is dropped with it.

        A version this page has not seen (saved in another tab or device) is not erased
        unseen: the removal is refused with a `ConflictError` and the conflict is offered.
        """
        current = self.store.load(self.key)
        current_revision = current.revision if current is not None else 0
        if self.conflict is not None or current_revision not in (0, self.revision):
            if self.conflict is None:
                self._enter_conflict(
                    ConflictError(
                        "changed elsewhere", expected=self.revision, actual=current_revision
                    )
                )
            raise ConflictError(
                f"Your {self.words} was changed in another tab or device, so it was not "
                "removed. Load the newer version first, then remove it if you still want to.",
                expected=self.revision,
                actual=current_revision,
            )
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = None
        self.store.delete(self.key)
        self.saved = None
        self.status.saved(datetime.now().astimezone())

    def _schedule(self, delay: float, *, retry: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No event loop (a plain script or a unit test): save now; a failed save
            # stays pending until the next change or an explicit flush().
            if not retry:
                self.flush()
            return
        self._timer = loop.call_later(delay, self.flush)

    def flush(self) -> bool:
        """Save what is pending now; returns whether everything is saved.

        Held by a conflict (or closed), it saves nothing: what another tab saved is never
        overwritten without the participant choosing to.
        """
        self._timer = None
        build = self._pending
        if build is None:
            return True
        if self.conflict is not None or self._closed:
            return False
        document = build()
        try:
            try:
                saved = self.store.save(self.key, document, expected_revision=self.revision)
            except ConflictError:
                newer = self._newer_that_this_page_already_holds(document)
                if newer is None:
                    raise
                saved = self.store.save(self.key, document, expected_revision=newer)
        except ConflictError as exc:
            self._enter_conflict(exc)
            return False
        except NotFound as exc:
            # Their data was erased (My plan, another tab) or the workshop deleted: no retry
            # can succeed. Keep the text in the page and say why.
            self._pending = None
            self.status.failed(f"{exc}. Reload the page.")
            return False
        except Exception:
            # The store is down, read-only or full: keep the text, say so, try again.
            log.warning("mentorkit: save of %s failed; will retry", self.key, exc_info=True)
            self.status.retrying()
            delay = RETRY_DELAYS_SECONDS[min(self._failures, len(RETRY_DELAYS_SECONDS) - 1)]
            self._failures += 1
            self._schedule(delay, retry=True)
            return False
        if self._pending is build:
            self._pending = None
            self._waiting_since = None
        self._failures = 0
        self.saved = saved
        self.status.saved(saved.saved_at)
        return True

    def _newer_that_this_page_already_holds(self, mine: Document) -> int | None:
        """The revision of a newer version saved elsewhere, when saving this page's version
        over it loses nothing: every field it changed from the version this page started
        from already holds the same value here. Else None (a real conflict).

        Seen when a page is reloaded straight after typing: the old page's kernel works
        through the last keys it received and saves them after the new page has opened,
        while the new page puts back the same keys (kept in the tab) and saves them too.
        Nobody else's words are involved, and asking "which version?" would only confuse.
        """
        theirs = self.store.load(self.key)
        if theirs is None:
            return None
        base = self.saved.document if self.saved else type(mine)()
        started, newer, here = (
            d.model_dump(mode="json", exclude={"schema_version"})
            for d in (base, theirs.document, mine)
        )
        for name, value in newer.items():
            if value != started.get(name) and value != here.get(name):
                return None
        return theirs.revision

    def _enter_conflict(self, conflict: ConflictError) -> None:
        """Hold every further save and let the page offer the participant the choice."""
        log.info("mentorkit: %s was saved elsewhere (%s)", self.key, conflict)
        self.conflict = conflict
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.status.conflict(self.key)
        if self.on_conflict is not None:
            self.on_conflict(self)


class ChoiceDropdown(widgets.Dropdown):
    """A drop-down whose blank choice (value None, '— choose —') shows its label.

    ipywidgets selects nothing for the value None, so the box looked empty even though
    its options start with a label for "nothing chosen"; here None selects that option.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._select_blank()

    def _select_blank(self) -> None:
        if self.value is None and None in self._options_values:
            self.index = self._options_values.index(None)

    @traitlets.observe("value")
    def _propagate_value(self, change: dict[str, Any]) -> None:
        if change["new"] is None and None in self._options_values:
            self._select_blank()
            return
        super()._propagate_value(change)


def _jsonable(value: object) -> Any:
    """A widget's value as JSON for a draft (dates as ISO text, tuples as lists)."""
    return to_jsonable_python(value)


def _from_json(widget: widgets.Widget, raw: Any) -> Any:
    """A draft's JSON value back in the form `widget` takes."""
    if isinstance(widget, widgets.DatePicker):
        try:
            return date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None
    if isinstance(widget, widgets.TimePicker):
        try:
            return clock_time.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None
    if isinstance(widget, widgets.SelectMultiple):
        return tuple(raw) if isinstance(raw, list) else ()
    return raw


class FieldSet:
    """The inputs of one worksheet document, by the path of the field each one fills.

    It is what keeps every keystroke: `document(data)` checks the data field by field
    (`mentorkit.models.check`), so a bad field never stops the rest from saving; the text
    of each input whose field did not validate goes, as typed, into the document's draft,
    and `restore` puts it back on the next visit. Each problem is shown next to its input
    (the page script links them with aria-invalid / aria-describedby), and the save status
    names the fields that need attention.

    Keys are dotted field paths ('preferences.time_zone', 'milestones.0.title'); a problem
    at a path belongs to every input whose key is that path, inside it or around it (one
    text box of comma-separated values fills the list 'values'; the three drop-downs
    'growth_areas.0' … share the list's problem).
    """

    def __init__(
        self, model: type[Document], status: SaveStatus, document_key: object, slug: str = ""
    ) -> None:
        self.model = model
        self.status = status
        self.document_key = document_key
        self.slug = slug
        self.inputs: dict[str, widgets.Widget] = {}
        self.labels: dict[str, str] = {}
        self._messages: dict[str, widgets.HTML] = {}
        #: The boxes `placed` made, by key: a problem line made later goes in there.
        self._boxes: dict[str, widgets.VBox] = {}
        self.problems: dict[str, str] = {}

    def add(
        self,
        key: str,
        widget: W,
        *,
        label: str = "",
        message: widgets.HTML | None = None,
        limit: int | None = None,
    ) -> W:
        """Bind `widget` to the field at `key`; its problem is written in `message` (by
        default its own line, see `placed`) and its length limit comes from the model."""
        if self.inputs.get(key) is widget:
            return widget
        if key in self.inputs:
            self._unbind(key)
        self.inputs[key] = widget
        self.labels[key] = label or widget.description or key
        if message is not None:
            self._messages[key] = message
        widget.add_class(f"mentorkit-field-{self._slug(key)}")
        limit = limit if limit is not None else text_limit(self.model, key)
        if limit is not None and isinstance(widget, widgets.Text | widgets.Textarea):
            widget.add_class(f"mentorkit-max-{limit}")
        return widget

    def bind_rows(
        self, prefix: str, bindings: Mapping[str, tuple[widgets.Widget, widgets.HTML]]
    ) -> None:
        """Bind the inputs of a list's rows (keys under `prefix`, each with its row's problem
        line), unbinding rows that moved or went; unchanged bindings send nothing."""
        for key in [k for k in self.inputs if k.startswith(prefix + ".")]:
            if key not in bindings or bindings[key][0] is not self.inputs[key]:
                self._unbind(key)
        for key, (widget, message) in bindings.items():
            self.add(key, widget, message=message)

    def _unbind(self, key: str) -> None:
        widget = self.inputs.pop(key)
        widget.remove_class(f"mentorkit-field-{self._slug(key)}")
        widget.remove_class("mentorkit-invalid")
        self.problems.pop(key, None)
        message = self._messages.pop(key, None)
        if message is not None and key in message.value:
            message.value = ""

    def message(self, key: str) -> widgets.HTML:
        """Where the problem of `key` is written: place it right under its input (an input
        `placed` gets it there the first time it has a problem)."""
        if key not in self._messages:
            self._messages[key] = widgets.HTML().add_class("mentorkit-problem-line")
            box = self._boxes.get(key)
            if box is not None:
                box.children = (*box.children, self._messages[key])
        return self._messages[key]

    def placed(self, key: str) -> widgets.VBox:
        """The input bound to `key`, in a box that takes its problem line under it.

        The line is made the first time the input has a problem: most inputs never do,
        and every widget costs each page a model to send, create and draw (three for an
        empty line), which a room opening its worksheets together waits for.
        """
        box = widgets.VBox([self.inputs[key]]).add_class("mentorkit-field")
        self._boxes[key] = box
        if key in self._messages:
            box.children = (*box.children, self._messages[key])
        return box

    def restore(self, draft: Mapping[str, Any]) -> None:
        """Put back, as typed, what the draft kept of each input (before observing them)."""
        for key, raw in draft.items():
            widget = self.inputs.get(key)
            if widget is None:
                continue
            try:
                widget.value = _from_json(widget, raw)
            except traitlets.TraitError:
                log.info("mentorkit: draft value for %s no longer fits its input", key)

    def document(
        self, data: Mapping[str, Any], *, problems: Mapping[str, str] | None = None
    ) -> Document:
        """The document `data` makes, saved whatever it holds (see the class docstring).

        `problems` (key → message) adds what the view found itself, such as a note
        written for no mentor: those inputs are kept in the draft too.
        """
        checked = check(self.model, data)
        shown: dict[str, str] = dict(problems or {})
        for path, problem in checked.problems.items():
            for key in self._keys_for(path):
                shown.setdefault(key, problem)
        draft = {key: _jsonable(self.inputs[key].value) for key in shown if key in self.inputs}
        self.show(shown)
        if not draft:
            return checked.document
        # Validated like the rest: a draft a crafted message made too big is left out.
        body = {**checked.document.model_dump(), "draft": draft}
        return check(self.model, body).document

    def show(self, problems: Mapping[str, str]) -> None:
        """Mark the inputs of `problems` (key → message) and clear every other mark."""
        problems = {key: text for key, text in problems.items() if key in self.inputs}
        if problems == self.problems and problems:
            return
        self.problems = dict(problems)
        lines: dict[int, tuple[widgets.HTML, list[str]]] = {}
        for key, widget in self.inputs.items():
            problem = problems.get(key)
            if problem is None and key not in self._messages:
                widget.remove_class("mentorkit-invalid")
                continue  # never had a problem: no line to clear
            message = self.message(key)
            entry = lines.setdefault(id(message), (message, []))
            if problem is None:
                widget.remove_class("mentorkit-invalid")
                continue
            widget.add_class("mentorkit-invalid")
            entry[1].append(
                f'<p id="mentorkit-problem-{self._slug(key)}" class="mentorkit-problem">'
                f"{escape(self.labels[key])}: {escape(problem)}</p>"
            )
        for message, paragraphs in lines.values():
            value = "".join(paragraphs)
            if message.value != value:
                message.value = value
        labels = list(dict.fromkeys(self.labels[key] for key in problems))
        self.status.attention(self.document_key, labels)

    def _keys_for(self, path: str) -> list[str]:
        return [
            key
            for key in self.inputs
            if key == path or path.startswith(key + ".") or key.startswith(path + ".")
        ]

    def _slug(self, key: str) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", f"{self.slug} {key}".lower()).strip("-")
        return words or "field"


@functools.cache
def _shared_style(style_class: type[widgets.Style], label_width: str) -> widgets.Style:
    """One style model for every input of a kind whose label is `label_width` wide.

    Each widget otherwise gets a style model of its own, which a page must send, create and
    keep (forty drop-downs, forty identical models); nothing changes an input's style
    after it is made, so they can share one.
    """
    return style_class(description_width=label_width)


@dataclass(frozen=True)
class Fields:
    """Builds one page's labelled inputs, every label in a column `label_width` wide.

    A worksheet reads down one column of labels; building its inputs here keeps that
    column and the input widths in one place instead of repeating style and layout at every
    input. Descriptions stay plain text (`description_allow_html` is left off).
    """

    label_width: str

    def make(
        self,
        kind: type[W],
        description: str = "",
        *,
        width: str = "100%",
        height: str | None = None,
        **traits: Any,
    ) -> W:
        """A `kind` widget labelled `description`, `width` wide (and `height` tall)."""
        style_class = kind.class_traits()["style"].klass
        return kind(
            description=description,
            style=_shared_style(style_class, self.label_width),
            layout=widgets.Layout(width=width, height=height),
            **traits,
        )

    def dropdown(
        self, description: str, options: Any, value: Any, *, width: str = "34rem", **traits: Any
    ) -> widgets.Dropdown:
        """A drop-down list; `options` as ipywidgets takes them, (label, value) pairs, the
        blank choice (None) showing its label."""
        return self.make(
            ChoiceDropdown, description, width=width, options=options, value=value, **traits
        )

    def text(
        self, description: str, value: str, placeholder: str, *, width: str = "100%"
    ) -> widgets.Text:
        """A one-line text input whose placeholder shows what to write."""
        return self.make(
            widgets.Text, description, width=width, value=value, placeholder=placeholder
        )

    def textarea(
        self,
        description: str,
        value: str,
        placeholder: str,
        *,
        width: str = "100%",
        height: str = "6rem",
    ) -> widgets.Textarea:
        """A text box for a few lines, `height` tall."""
        return self.make(
            widgets.Textarea,
            description,
            width=width,
            height=height,
            value=value,
            placeholder=placeholder,
        )

    def date_picker(
        self, description: str, value: date | None, *, width: str = "24rem"
    ) -> widgets.DatePicker:
        """A date input (empty when `value` is None)."""
        return self.make(widgets.DatePicker, description, width=width, value=value)


def choices(labels: dict[Any, str], *, blank: str = "— choose —") -> list[tuple[str, Any]]:
    """Dropdown options with a leading blank choice (None)."""
    return [(blank, None), *((text, value) for value, text in labels.items())]


def download_link(filename: str, content: str | bytes, mime: str, label: str) -> str:
    """An HTML link that downloads `content` as `filename`, with no server round trip."""
    import base64

    data = content.encode("utf-8") if isinstance(content, str) else content
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="mentorkit-download" download="{escape(filename)}" '
        f'href="data:{escape(mime)};base64,{encoded}">{escape(label)}</a>'
    )


#: The media type of an Excel workbook (.xlsx), for download links.
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_bytes(rows: Sequence[Mapping[str, object]], columns: Sequence[str], suffix: str) -> bytes:
    """A table written as a .csv or .xlsx file (formulas neutralised), as bytes.

    It goes through `exports.write_rows`, as `mentorkit export` does, so a download and the
    command line's file hold the same cells.
    """
    import tempfile
    from pathlib import Path

    from mentorkit import exports  # imported when a table is made, not by every worksheet

    with tempfile.TemporaryDirectory(prefix="mentorkit-") as folder:
        path = Path(folder) / f"table{suffix}"
        exports.write_rows(rows, columns, path)
        return path.read_bytes()


def copy_button(text: str, label: str = "Copy to clipboard") -> str:
    """A button that copies `text` (kept in an escaped data attribute) to the clipboard."""
    return (
        f'<button type="button" class="mentorkit-copy" data-text="{escape(text, quote=True)}" '
        'onclick="navigator.clipboard.writeText(this.dataset.text)'
        ".then(() => { this.textContent = 'Copied'; })\">"
        f"{escape(label)}</button>"
    )


#: How the printable documents (plan, agreement) look when shown inside an app's page.
#: Their own print CSS styles `body`, `h1`, `table` … and would restyle the whole page, so
#: only their <body> is embedded, under these rules scoped to `.mentorkit-document`.
DOCUMENT_CSS = """
<style>
.mentorkit-document { border: 1px solid #d9e2ec; border-radius: 6px; padding: 0.2rem 1.2rem 1rem;
  background: #fff; white-space: normal; overflow-wrap: break-word; }
.mentorkit-document header p { margin: 0.15rem 0; color: #334e68; }
.mentorkit-document h3 { border-bottom: 1px solid #d9e2ec; padding-bottom: 0.2rem; }
.mentorkit-document table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
.mentorkit-document th, .mentorkit-document td { border: 1px solid #9aa5b1; padding: 0.35rem 0.5rem;
  text-align: start; vertical-align: top; }
.mentorkit-document thead th { background: #eef2f7; }
.mentorkit-document dl.terms { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.2rem 1rem; margin: 0.5rem 0; }
.mentorkit-document dl.terms dt { font-weight: 600; white-space: nowrap; }
.mentorkit-document dl.terms dd { margin: 0; }
.mentorkit-document .text { white-space: pre-wrap; }
.mentorkit-document .empty { color: #52606d; font-style: italic; }
.mentorkit-document .note { color: #52606d; font-size: 0.9rem; }
.mentorkit-document ul.dates { columns: 2; }
.mentorkit-document ul.checklist { list-style: none; padding-left: 0; }
.mentorkit-document ul.checklist li::before { content: "\\2610\\00a0"; }
.mentorkit-document ul.checklist li.done::before { content: "\\2611\\00a0"; }
.mentorkit-document li.done .item { text-decoration: line-through; }
.mentorkit-document .signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 2.5rem;
  margin-top: 2rem; }
.mentorkit-document .signature .line { border-bottom: 1px solid #1f2933; height: 2.5rem; }
</style>
"""

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h([1-5])(?=[\s>])")


def embedded_document(document: str, label: str) -> str:
    """The <body> of a standalone HTML document made by the escaping renderers, for a page.

    Every user string in `document` is already escaped by its (autoescaping) template; its
    headings move one level down so that the app's own <h1> stays the page's only one.
    """
    found = _BODY.search(document)
    body = found.group(1) if found else ""
    body = _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", body)
    return (
        f'<article class="mentorkit-document" aria-label="{escape(label)}">{body.strip()}</article>'
    )
