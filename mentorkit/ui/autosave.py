"""Autosave: a document saved about a second after the last change, and the save status.

Voilà starts a new kernel for every page visit and never reconnects, so anything not
saved is gone: views call `Autosaver.request` on every change and the document is saved
about a second after the last keystroke; `SaveStatus` tells the participant where it is.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime
from html import escape

import ipywidgets as widgets

from mentorkit import worksheets
from mentorkit.errors import ConflictError, NotFound
from mentorkit.models import Document, ProgressSharing
from mentorkit.store import DEFAULT_DOCUMENT_NAME, DocumentKey, Saved, Store
from mentorkit.ui.html import spoken_list, time_html

log = logging.getLogger("mentorkit")

SAVE_DELAY_SECONDS = 0.8
#: However fast someone keeps typing, a change waits at most this long to be saved.
SAVE_MAX_WAIT_SECONDS = 2.0
RETRY_DELAYS_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


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
_DOCUMENT_WORDS: dict[str, str] = {
    **worksheets.page_words(),
    # Chosen on the goals' and check-ins' pages, one box per goal or meeting.
    ProgressSharing.kind: "what you share with your mentor",
}
#: Documents of which a participant has several are named as their cards are.
_NUMBERINGS: dict[str, worksheets.Numbering] = worksheets.numbered_kinds()


def document_words(key: DocumentKey) -> str:
    """A document as the participant knows it: 'self-assessment', 'Goal 2', 'Meeting 3'."""
    numbering = _NUMBERINGS.get(key.kind)
    words = numbering.words(key.name) if numbering is not None else None
    if words is not None:
        return words
    if key.kind in _DOCUMENT_WORDS and key.name == DEFAULT_DOCUMENT_NAME:
        return _DOCUMENT_WORDS[key.kind]
    return f"{key.kind.replace('_', ' ')} “{key.name}”"


class SaveSchedule:
    """When a saver saves: `delay` seconds after the last change, at most `max_wait` after
    the first change not saved yet however fast someone keeps typing, and, while the store
    fails, again after each of `retry_delays` (the last one repeated).

    It owns the timer and calls `flush` when it is due; what is saved, and what a failed
    save means, stay with the saver (`Autosaver`, the mentor's `MentorSaver`), so that
    every page saves on the same beat. Without a running event loop (a plain script, a unit
    test) a change is saved at once, and a failed save waits for the next change or an
    explicit flush.
    """

    def __init__(
        self,
        flush: Callable[[], object],
        *,
        delay: float = SAVE_DELAY_SECONDS,
        max_wait: float = SAVE_MAX_WAIT_SECONDS,
        retry_delays: tuple[float, ...] = RETRY_DELAYS_SECONDS,
    ) -> None:
        self.flush = flush
        self.delay = delay
        self.max_wait = max_wait
        self.retry_delays = retry_delays
        self._timer: asyncio.TimerHandle | None = None
        #: Failed saves in a row, for the retry back-off.
        self._failures = 0
        #: When the oldest change not saved yet was made (time.monotonic()).
        self._waiting_since: float | None = None

    def after_change(self, *, at_once: bool = False) -> float:
        """A change was made: the seconds to wait before saving it (none `at_once`)."""
        moment = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = moment
        if at_once:
            return 0.0
        waited = moment - self._waiting_since
        return min(self.delay, max(0.0, self.max_wait - waited))

    def after_failure(self) -> float:
        """A save failed: the seconds to wait before trying again."""
        delay = self.retry_delays[min(self._failures, len(self.retry_delays) - 1)]
        self._failures += 1
        return delay

    def start(self, delay: float, *, retry: bool = False) -> None:
        """Call `flush` in `delay` seconds, instead of when it was due (`retry`: to try a
        failed save again, which without an event loop waits for the next change)."""
        self.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No event loop (a plain script or a unit test): save now; a failed save
            # stays pending until the next change or an explicit flush().
            if not retry:
                self.flush()
            return
        self._timer = loop.call_later(delay, self.flush)

    def flushing(self) -> None:
        """A flush begins, called by the timer or asked for at once: the timer is over
        (one still due later finds the flush done)."""
        self._timer = None

    def caught_up(self) -> None:
        """Every change so far is saved (or dropped): the next one starts a new wait."""
        self._waiting_since = None

    def reset_retries(self) -> None:
        """A save went through (or the saver starts afresh): the next failure waits the
        first retry delay again."""
        self._failures = 0

    def cancel(self) -> None:
        """Call `flush` no more until the next `start`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


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
        saved: Saved | None = None,
    ) -> None:
        """`saved`: the document as just read from `store` (listed with others of its
        kind); without it, the document is read now."""
        self.store = store
        self.key = key
        self.status = status
        #: When it saves: `delay`, with the module's `SAVE_MAX_WAIT_SECONDS` and
        #: `RETRY_DELAYS_SECONDS` as they are when the autosaver is made.
        self.timing = SaveSchedule(
            self.flush,
            delay=delay,
            max_wait=SAVE_MAX_WAIT_SECONDS,
            retry_delays=RETRY_DELAYS_SECONDS,
        )
        self.on_conflict = on_conflict
        self.saved: Saved | None = saved if saved is not None else store.load(key)
        #: Why saving is held, while another tab's newer version is unresolved.
        self.conflict: ConflictError | None = None
        self._pending: Callable[[], Document] | None = None
        self._latest_build: Callable[[], Document] | None = None
        self._closed = False

    @property
    def delay(self) -> float:
        """Seconds after the last change that the document is saved."""
        return self.timing.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        self.timing.delay = seconds

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
        self._schedule(self.timing.after_change(at_once=self.saved is None or now))

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
            self.timing.reset_retries()
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
        self.timing.cancel()
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
        self.timing.cancel()
        self._pending = None
        self.store.delete(self.key)
        self.saved = None
        self.status.saved(datetime.now().astimezone())

    def _schedule(self, delay: float, *, retry: bool = False) -> None:
        """Flush in `delay` seconds (see `SaveSchedule.start`)."""
        self.timing.start(delay, retry=retry)

    def flush(self) -> bool:
        """Save what is pending now; returns whether everything is saved.

        Held by a conflict (or closed), it saves nothing: what another tab saved is never
        overwritten without the participant choosing to.
        """
        self.timing.flushing()
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
            self._schedule(self.timing.after_failure(), retry=True)
            return False
        if self._pending is build:
            self._pending = None
            self.timing.caught_up()
        self.timing.reset_retries()
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
        self.timing.cancel()
        self.status.conflict(self.key)
        if self.on_conflict is not None:
            self.on_conflict(self)
