"""The frame every app shares, worksheet or facilitator's (`AppFrame`): heading, guidance,
who is signed in, a notice line, the body; callbacks that never show a traceback, the store
opened or explained, and widgets closed when a part of the page goes."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import ParamSpec, TypeVar
from urllib.parse import parse_qs

import ipywidgets as widgets

from mentorkit.apps import App
from mentorkit.errors import MentorkitError
from mentorkit.jupyter.handshake import wait_for_request
from mentorkit.store import Store, open_store

log = logging.getLogger("mentorkit")

P = ParamSpec("P")
R = TypeVar("R")


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


def query(environ: Mapping[str, str]) -> dict[str, str]:
    """The page's query string, which Voilà passes to the kernel as QUERY_STRING (the last
    value of each key)."""
    parsed = parse_qs(environ.get("QUERY_STRING", ""))
    return {key: values[-1] for key, values in parsed.items() if values}


class AppFrame(widgets.VBox):
    """The page of one app, worksheet or facilitator's, around what the app shows.

    Top to bottom: the style, the heading (`_header`: the app's title and its navigation),
    the guidance, who is signed in (the identity row), parts the page script reads
    (hidden), the notice, the body (a sign-in form, then the app's view) and a footer.

    A subclass makes its own parts, lays the page out (`_lay_out`) and calls `_open`: the
    store is opened (or the page says why it cannot be), the visitor's request awaited (a
    kernel pre-heated by Voilà has run everything before it ahead of any visit), and then
    `_start` runs with the request in `environ`.
    """

    #: The workshop's database (set by `_open`; absent when it could not be opened).
    store: Store

    def __init__(self, app: App, *, style: str, environ: Mapping[str, str] | None) -> None:
        super().__init__()
        self.add_class("mentorkit-app")
        self.app = app
        #: The page's request as Voilà gives it to the kernel (read after `_open`).
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.notice = Notice()
        self.view: widgets.Widget | None = None
        self._style = widgets.HTML(style)
        self._header = widgets.HTML()
        self._guidance = widgets.HTML()
        self._identity_line = widgets.HTML()
        self._body = widgets.VBox()

    def _lay_out(
        self,
        *,
        identity: widgets.Widget | None = None,
        hidden: Sequence[widgets.Widget] = (),
        footer: Sequence[widgets.Widget] = (),
    ) -> None:
        """Put the frame's parts in order; `identity` (default: the identity line) is the
        row naming who is signed in."""
        self.children = [
            self._style,
            self._header,
            self._guidance,
            self._identity_line if identity is None else identity,
            *hidden,
            self.notice,
            self._body,
            *footer,
        ]

    def _open(self, store: Store | None, advice: str = "") -> None:
        """Open `store` (or the configured one), wait for the visitor's request, and start;
        if the store cannot be opened, the notice says so (with `advice`) and nothing more
        happens."""
        opened = open_store_or_explain(self.notice, store, advice)
        if opened is None:
            return
        self.store = opened
        # Pre-heated by Voilà, the kernel has run everything above before anyone asked for
        # the page; what follows depends on the visitor's request (?resume=, ?join=).
        wait_for_request(self.environ)
        self._start()

    def _start(self) -> None:
        """What the app does once its store is open and the request is known."""

    @property
    def query(self) -> dict[str, str]:
        """The page's query string (`?join=`, `?resume=`, `?step=` …)."""
        return query(self.environ)

    def _heading(self, navigation: str = "") -> None:
        """The app's title as the page's one <h1>, then `navigation` (HTML, escaped)."""
        self._header.value = f"<h1>{escape(self.app.title)}</h1>{navigation}"

    def _show(self, view: widgets.Widget | None) -> None:
        """Show `view` as the page's body (nothing when the view could not be built)."""
        self.view = view
        self._body.children = [view] if view is not None else []
