"""What a page may do over the widget channel, decided in the kernel.

A Voilà page talks to its kernel through widget messages, and whoever holds the page can
send any of them: open new widgets, set any synced trait of any widget it was given
(hidden, disabled or read-only), click any button. ipywidgets accepts all of it. A person
at the page, though, only ever types into a field, ticks a box, picks from a list or
presses a button they can see. So the kernel lets through only that:

* Widgets are made by the kernel alone: a page's `comm_open` for `jupyter.widget` is
  closed at once, nothing created and nothing kept. The one comm a page legitimately opens
  is `jupyter.widget.control` (ipywidgets 8 asks for every widget's state through it when
  the page loads); it is passed on, and a page holds at most one.
* From a page, a widget takes only the traits a person changes (`PAGE_TRAITS`: a field's
  `value`, a list's `index`, a tab's `selected_index`), and only while it is enabled;
  text beyond the field's length limit, an index out of range or a value of the wrong
  kind is refused before it reaches the widget. The page is then sent the kernel's own
  state of what was refused, so it shows what the kernel holds.
* A file upload (`FileUpload`) takes its `value` as a person's browser sends it: at most
  the files the widget accepts, each a name, a type, a size, a time and its content as one
  binary buffer of that size, together at most `upload_limit` bytes (the server refuses a
  websocket message over 1 MiB anyway). Binary buffers anywhere else are refused.
* A click reaches only an enabled button.

Refusals are logged at debug level, and at most once a minute as a warning with their
count, so that a page sending thousands fills no log.

A two-step action (remove, erase, merge, publish) keeps its question in the kernel
(`Confirmation`): the second step acts only when this page took the first and has not
cancelled it since, whether or not the page shows the second step's button.

`install_widget_guards()` puts everything in place, once: every app's entry point (the
function a notebook calls) calls it before it makes a widget, and importing mentorkit
changes nothing in ipywidgets. A box never takes `children` from a page, in a kernel or
not; the rest (`install_in_kernel`) is installed only in a kernel. Outside one (unit
tests, scripts), tests install that part themselves (`install`, `uninstall`).
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TextIO, TypeGuard, TypeVar

import ipywidgets as widgets
from ipywidgets.widgets.widget_selection import _MultipleSelection, _Selection
from ipywidgets.widgets.widget_selectioncontainer import _SelectionContainer
from traitlets import TraitError

log = logging.getLogger("mentorkit.guard")

T = TypeVar("T")

#: The widget comm targets ipywidgets registers in a kernel.
WIDGET_TARGET = "jupyter.widget"
CONTROL_TARGET = "jupyter.widget.control"

#: Inputs whose `value` a person sets by typing, ticking or picking.
VALUE_INPUTS: tuple[type[widgets.Widget], ...] = (
    widgets.Text,  # also Password and Combobox
    widgets.Textarea,
    widgets.Checkbox,
    widgets.ToggleButton,
    widgets.DatePicker,
    widgets.TimePicker,
    widgets.DatetimePicker,  # also NaiveDatetimePicker
    widgets.ColorPicker,
    widgets.IntText,
    widgets.FloatText,
    widgets.BoundedIntText,
    widgets.BoundedFloatText,
    widgets.IntSlider,
    widgets.FloatSlider,
    widgets.FloatLogSlider,
    widgets.IntRangeSlider,
    widgets.FloatRangeSlider,
)

#: What a page may set, by kind of widget (the first kind that matches decides); every
#: other widget (text shown, buttons, boxes, layouts, styles) takes nothing from a page.
PAGE_TRAITS: tuple[tuple[tuple[type[widgets.Widget], ...], frozenset[str]], ...] = (
    ((widgets.FileUpload,), frozenset({"value", "error"})),
    ((_Selection, _MultipleSelection), frozenset({"index"})),
    ((_SelectionContainer,), frozenset({"selected_index"})),
    (VALUE_INPUTS, frozenset({"value"})),
)

#: The most characters a text input without a `mentorkit-max-<N>` limit takes from a page:
#: far beyond any field's own limit (see `mentorkit.models.DRAFT_LIMIT` for a document).
FREE_TEXT_LIMIT = 20_000
_MAX_CLASS = re.compile(r"mentorkit-max-(\d+)")
#: The most bytes a file upload takes from a page without a `mentorkit-upload-max-<N>`
#: class: the server's cap on one websocket message (voila.json), which the files share
#: with the message's own header.
UPLOAD_LIMIT = 1024 * 1024
_UPLOAD_MAX_CLASS = re.compile(r"mentorkit-upload-max-(\d+)")
#: The keys of one uploaded file as ipywidgets 8's front end sends it.
UPLOAD_KEYS = frozenset({"name", "type", "size", "content", "last_modified"})
#: The longest file name or media type an upload may carry.
UPLOAD_NAME_LIMIT = 255
#: The most files one upload may carry when the widget takes several (`multiple`).
UPLOAD_FILES_LIMIT = 20
#: The latest file time a page may send (ms since 1970: the end of the year 9999); later
#: ones overflow Python's datetime when ipywidgets reads them.
_LATEST_MS = 253_402_300_799_999
#: At most one warning a minute about refused messages (each one is logged at debug).
WARNING_INTERVAL_SECONDS = 60.0


def page_traits(widget: widgets.Widget) -> frozenset[str]:
    """The traits of `widget` a person at the page can change."""
    for kinds, names in PAGE_TRAITS:
        if isinstance(widget, kinds):
            return names
    return frozenset()


def text_limit(widget: widgets.Widget) -> int:
    """The most characters `widget` takes from a page: its `mentorkit-max-<N>` class (the
    `maxlength` the page script gives its input), else `FREE_TEXT_LIMIT`."""
    for name in getattr(widget, "_dom_classes", ()):
        found = _MAX_CLASS.fullmatch(name)
        if found:
            return int(found[1])
    return FREE_TEXT_LIMIT


def upload_limit(widget: widgets.Widget) -> int:
    """The most bytes `widget` (a file upload) takes from a page: its
    `mentorkit-upload-max-<N>` class, else `UPLOAD_LIMIT`."""
    for name in getattr(widget, "_dom_classes", ()):
        found = _UPLOAD_MAX_CLASS.fullmatch(name)
        if found:
            return int(found[1])
    return UPLOAD_LIMIT


def _upload_refusal(widget: widgets.FileUpload, value: object) -> str | None:
    """Why `value` (the files a page sends, buffers in place) is not what a browser sends
    for `widget`, or None."""
    if not isinstance(value, list):
        return "an upload that is not a list of files"
    most = UPLOAD_FILES_LIMIT if widget.multiple else 1
    if len(value) > most:
        return f"{len(value)} files where {most} fit"
    total = 0
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != UPLOAD_KEYS:
            return "a file without exactly name, type, size, content and last_modified"
        name, kind, size, content = entry["name"], entry["type"], entry["size"], entry["content"]
        when = entry["last_modified"]
        if not isinstance(name, str) or not isinstance(kind, str):
            return "a file name or type that is not text"
        if len(name) > UPLOAD_NAME_LIMIT or len(kind) > UPLOAD_NAME_LIMIT:
            return "a file name or type that is too long"
        if not isinstance(content, (bytes, memoryview)):
            return "file content that is not binary"
        length = memoryview(content).nbytes
        if not _is_index(size) or size != length:
            return "a file size that is not its content's"
        if isinstance(when, bool) or not isinstance(when, (int, float)):
            return "a file time that is not a number"
        if not (math.isfinite(when) and 0 <= when <= _LATEST_MS):
            return "a file time out of range"
        total += length
    limit = upload_limit(widget)
    if total > limit:
        return f"{total} bytes uploaded where {limit} fit"
    return None


def _is_index(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def refusal(widget: widgets.Widget, name: str, value: object) -> str | None:
    """Why a page may not set trait `name` of `widget` to `value` (JSON as sent), or None
    when a person could have done it. Types ipywidgets checks itself are left to it."""
    if name not in page_traits(widget):
        return f"{name} is not set from the page"
    if getattr(widget, "disabled", False):
        return "the widget is disabled"
    if isinstance(widget, widgets.FileUpload):
        if name == "value":
            return _upload_refusal(widget, value)
        if not isinstance(value, str) or len(value) > FREE_TEXT_LIMIT:
            return "an upload error that is not a short text"
        return None
    if name == "value" and isinstance(value, str):
        limit = text_limit(widget)
        current = widget.value if isinstance(widget.value, str) else ""
        # A text saved longer than the limit may still be shortened, never lengthened.
        if len(value) > limit and len(value) > len(current):
            return f"{len(value)} characters where {limit} fit"
    if name == "value" and isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if name in ("index", "selected_index"):
        return _index_refusal(widget, value)
    return None


def _index_refusal(widget: widgets.Widget, value: object) -> str | None:
    """Why `value` is no choice among `widget`'s options or sections, or None."""
    if isinstance(widget, _MultipleSelection):
        count = len(widget._options_labels)
        if not isinstance(value, list) or not all(_is_index(i) and 0 <= i < count for i in value):
            return f"indexes out of the {count} options"
        if len(set(value)) != len(value):
            return "an option chosen twice"
        return None
    if isinstance(widget, _Selection):
        count, what = len(widget._options_labels), "options"
    else:
        count, what = len(widget.children), "sections"
    if value is not None and not (_is_index(value) and 0 <= value < count):
        return f"index out of the {count} {what}"
    return None


class Refusals:
    """The log of what the guard refused: every refusal at debug level, and a warning with
    the count at most once every `interval` seconds, so that a flood fills no log."""

    def __init__(self, interval: float = WARNING_INTERVAL_SECONDS) -> None:
        self.interval = interval
        self.total = 0
        self._unreported = 0
        self._last_warning = -math.inf

    def note(self, what: str) -> None:
        """Log one refusal; `what` names it without quoting what was sent."""
        self.total += 1
        self._unreported += 1
        log.debug("mentorkit: refused from the page: %s", what)
        now = time.monotonic()
        if now - self._last_warning >= self.interval:
            log.warning(
                "mentorkit: refused %d widget message(s) from a page that a person cannot "
                "send (the last: %s)",
                self._unreported,
                what,
            )
            self._unreported = 0
            self._last_warning = now


#: This kernel's refusals.
refusals = Refusals()


def _describe(widget: widgets.Widget) -> str:
    return f"{type(widget).__name__} {getattr(widget, '_model_id', None) or '?'}"


def _resync(widget: widgets.Widget, names: list[str]) -> None:
    """Send the page the kernel's own state of `names`, which the page may have changed
    on its side (a refused change must not stay on screen as if it were taken)."""
    known = [name for name in names if name in widget.keys]
    if known and widget.comm is not None:
        widget.send_state(key=known)


def _upload_buffers_in_place(
    widget: widgets.Widget, state: dict[str, Any], paths: object, buffers: list[Any]
) -> bool:
    """Put an upload's binary buffers where its message says they belong; False (nothing
    put) unless `widget` is a file upload and each buffer is one file's content."""
    if not isinstance(widget, widgets.FileUpload) or not isinstance(paths, list):
        return False
    files = state.get("value")
    if not isinstance(files, list) or len(paths) != len(buffers):
        return False
    for path, buffer in zip(paths, buffers, strict=True):
        if not (
            isinstance(path, list)
            and len(path) == 3
            and path[0] == "value"
            and _is_index(path[1])
            and 0 <= path[1] < len(files)
            and path[2] == "content"
            and isinstance(files[path[1]], dict)
            and isinstance(buffer, (bytes, memoryview))
        ):
            return False
    for path, buffer in zip(paths, buffers, strict=True):
        files[path[1]]["content"] = buffer
    return True


def _update(widget: widgets.Widget, data: Mapping[str, Any], buffers: list[Any]) -> None:
    """An `update` from the page: the admissible traits are set, the rest refused."""
    state = data.get("state")
    if not isinstance(state, dict):
        refusals.note(f"an update without a state for {_describe(widget)}")
        return
    paths = data.get("buffer_paths")
    # Only a file's content travels as binary; no other trait a person sets does.
    if paths and not _upload_buffers_in_place(widget, state, paths, buffers):
        refusals.note(f"binary buffers for {_describe(widget)}")
        _resync(widget, list(state))
        return
    kept: dict[str, Any] = {}
    refused: list[str] = []
    for name, value in state.items():
        reason = refusal(widget, name, value)
        if reason is None:
            kept[name] = value
        else:
            refused.append(name)
            refusals.note(f"{_describe(widget)}: {reason}")
    if kept:
        try:
            widget.set_state(kept)
        except (TraitError, ValueError, TypeError, KeyError) as exc:
            # The widget's own validation: a wrong type, a date that does not exist. A
            # field's value is not sent back: a date typed part by part passes through
            # such values (year 20 becomes 202, then 2027), and the field must keep what
            # the person is typing.
            refusals.note(f"{_describe(widget)}: {type(exc).__name__} from ipywidgets")
            refused.extend(name for name in kept if name != "value")
    if refused:
        _resync(widget, refused)


def receive(widget: widgets.Widget, msg: dict[str, Any]) -> None:
    """What the kernel does with a widget message from the page (in place of
    `Widget._handle_msg`): updates a person could make, clicks on enabled buttons and
    requests for a widget's state; nothing else."""
    data = msg.get("content", {}).get("data")
    method = data.get("method") if isinstance(data, dict) else None
    if method == "update":
        buffers = msg.get("buffers")
        _update(widget, data, list(buffers) if isinstance(buffers, list) else [])
    elif method == "request_state":
        widget.send_state()
    elif method == "custom":
        content = data.get("content")
        if not isinstance(widget, widgets.Button) or content != {"event": "click"}:
            refusals.note(f"a custom message for {_describe(widget)}")
        elif widget.disabled:
            refusals.note(f"a click on the disabled {_describe(widget)}")
        else:
            _original["_handle_msg"](widget, msg)
    else:
        refusals.note(f"an unknown message for {_describe(widget)}")


def refuse_widget_from_page(comm: Any, msg: dict[str, Any]) -> None:
    """The `jupyter.widget` comm target: a page may not make widgets. The comm is closed
    (the page's copy goes too) and nothing of the message is kept."""
    refusals.note("a new widget opened by the page")
    comm.close()


class _ControlChannel:
    """The `jupyter.widget.control` comm target: passed on to ipywidgets, but a page holds
    at most one (opening another closes the one before)."""

    def __init__(self) -> None:
        self.comm: Any = None

    def __call__(self, comm: Any, msg: dict[str, Any]) -> None:
        previous, self.comm = self.comm, comm
        if previous is not None and not getattr(previous, "_closed", True):
            previous.close()
        widgets.Widget.handle_control_comm_opened(comm, msg)


_original: dict[str, Callable[..., Any]] = {}


def installed() -> bool:
    return bool(_original)


def install(comm_manager: Any = None) -> None:
    """Guard every widget made from now on, and (given the kernel's comm manager) the
    comm targets; idempotent."""
    if not installed():
        _original["_handle_msg"] = widgets.Widget._handle_msg
        widgets.Widget._handle_msg = receive
    if comm_manager is not None:
        comm_manager.register_target(WIDGET_TARGET, refuse_widget_from_page)
        comm_manager.register_target(CONTROL_TARGET, _ControlChannel())


def uninstall(comm_manager: Any = None) -> None:
    """Undo `install` (for tests): widgets made from now on handle messages as ipywidgets
    does."""
    if installed():
        widgets.Widget._handle_msg = _original.pop("_handle_msg")
    if comm_manager is not None:
        comm_manager.register_target(WIDGET_TARGET, widgets.Widget.handle_comm_opened)
        comm_manager.register_target(CONTROL_TARGET, widgets.Widget.handle_control_comm_opened)


def in_kernel() -> bool:
    """Whether this process is a running IPython kernel (a page's kernel)."""
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    return kernelapp is not None and kernelapp.IPKernelApp.initialized()


def _log_to_the_server() -> None:
    """Send the guard's log to the server's log, not to the page.

    In a kernel, `sys.stderr` and even file descriptor 2 are the page's output stream: a
    warning logged there would go to the page that caused it, not to whoever runs the
    server. ipykernel's stream gives the server's own stderr as its `fileno()`."""
    if not log.handlers:
        try:
            stream: TextIO | None = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
        except (AttributeError, OSError, ValueError):
            stream = sys.__stderr__
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
        log.addHandler(handler)
        log.propagate = False


def install_in_kernel() -> bool:
    """Install the guard when this process is a kernel, once; True when it is in place."""
    if not in_kernel():
        return False
    if not installed():
        from ipywidgets import comm as widget_comm

        install(widget_comm.get_comm_manager())
        _log_to_the_server()
        log.debug("mentorkit: the widget channel is guarded in this kernel")
    return True


_BOX_RECEIVES_CHILDREN_FROM_PAGES: list[Callable[..., Any]] = []


def _refuse_children_from_the_page() -> None:
    """Let only the kernel decide what is inside a box; idempotent.

    ipywidgets' front end never sends a box's `children`, but any client can send any
    synced trait: a box sent as its own child would make every walk of the page's tree
    endless, and a page could move widgets out of the view that owns them. What a page
    sends for `children` is dropped; everything else it sends is handled as before.
    """
    if _BOX_RECEIVES_CHILDREN_FROM_PAGES:
        return
    receive: Callable[..., Any] = widgets.Box.set_state
    _BOX_RECEIVES_CHILDREN_FROM_PAGES.append(receive)

    def set_state(self: widgets.Box, sync_data: dict[str, Any]) -> None:
        receive(self, {name: value for name, value in sync_data.items() if name != "children"})

    widgets.Box.set_state = set_state


def widget_guards_installed() -> bool:
    """Whether boxes refuse `children` from a page (`install_widget_guards` ran)."""
    return bool(_BOX_RECEIVES_CHILDREN_FROM_PAGES)


def install_widget_guards() -> None:
    """Guard the widget channel before an app makes its first widget; idempotent.

    Boxes refuse `children` from a page everywhere; in a page's kernel the whole guard is
    installed too (`install_in_kernel`). Every app's entry point calls this, so that no
    import has a side effect on ipywidgets.
    """
    _refuse_children_from_the_page()
    install_in_kernel()


# -- two-step actions ------------------------------------------------------------------


class Confirmation(Generic[T]):
    """The question the first step of a two-step action asks, kept in the kernel.

    The first step (`ask`) names what the second would act on; "Cancel"/"Keep" and
    anything else that makes the question moot `withdraw` it. The second step acts only on
    `expect()` (or `take()`), which is None, and logs the refusal, when this page did not
    take the first step or cancelled it since: whatever the page sends, a hidden "Confirm"
    button does nothing on its own. `subject` must not be None.
    """

    def __init__(self, what: str) -> None:
        """`what` names the action in the log ("remove goal 2")."""
        self.what = what
        self._subject: T | None = None

    @property
    def subject(self) -> T | None:
        """What the question is about while it is asked, else None."""
        return self._subject

    @property
    def asked(self) -> bool:
        return self._subject is not None

    def ask(self, subject: T) -> None:
        """The first step was taken, about `subject`."""
        if subject is None:
            raise ValueError("a confirmation needs something to be about")
        self._subject = subject

    def withdraw(self) -> None:
        """The question was cancelled (or answered): a second step now does nothing."""
        self._subject = None

    def expect(self) -> T | None:
        """What the second step may act on: the question's subject, or None (and a note in
        the log) when no question is asked. The question stays asked."""
        if self._subject is None:
            refusals.note(f"the second step of {self.what} without the first")
        return self._subject

    def take(self) -> T | None:
        """`expect()`, and the question is answered: a repeated second step does nothing."""
        subject = self.expect()
        self.withdraw()
        return subject
