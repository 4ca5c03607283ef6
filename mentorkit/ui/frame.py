"""The frame every app shares: its notice line, callbacks that never show a traceback, the
store opened or explained, and widgets closed when a part of the page goes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from html import escape
from typing import ParamSpec, TypeVar

import ipywidgets as widgets

from mentorkit.errors import MentorkitError
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
