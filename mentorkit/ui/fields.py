"""A worksheet's inputs: how they are made (`Fields`) and bound to a document's fields
(`FieldSet`), so that every keystroke is kept, valid or not, and each problem is shown
next to its input."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from html import escape
from typing import Any, TypeVar

import ipywidgets as widgets
import traitlets
from ipywidgets.widgets.widget_description import DescriptionWidget
from pydantic_core import to_jsonable_python

from mentorkit.models import Document, check, text_limit
from mentorkit.ui.autosave import SaveStatus

log = logging.getLogger("mentorkit")

W = TypeVar("W", bound=DescriptionWidget)
D = TypeVar("D", bound=widgets.DOMWidget)


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


def _as_typed(value: Any) -> Any:
    """An input's value as the document field takes it (most inputs)."""
    return value


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


class InputProblems:
    """Inputs under keys, and the problem shown next to each: the one way a page shows
    what is wrong with a field (the worksheets' `FieldSet`, the setup page's forms).

    `show` marks each input that has a problem (class `mentorkit-invalid`) and writes the
    message under it as `<p id="mentorkit-problem-<slug>">`; the page script then links
    the two for screen readers (aria-invalid, aria-describedby). Every other mark goes.
    An input's slug is `slug` and its key, e.g. 'setup-starts-on'.
    """

    def __init__(self, slug: str = "", *, labelled: bool = True) -> None:
        self.slug = slug
        #: Whether a message starts with the input's label ('Career goal: …'), for pages
        #: where a problem may be read away from its input (the save status names it).
        self.labelled = labelled
        self.inputs: dict[str, widgets.Widget] = {}
        self.labels: dict[str, str] = {}
        self._messages: dict[str, widgets.HTML] = {}
        #: The boxes `placed` made, by key: a problem line made later goes in there.
        self._boxes: dict[str, widgets.VBox] = {}
        self.problems: dict[str, str] = {}

    def add(
        self,
        key: str,
        widget: D,
        *,
        label: str = "",
        message: widgets.HTML | None = None,
        limit: int | None = None,
    ) -> D:
        """Bind `widget` to `key`; its problem is written in `message` (by default its own
        line, see `placed`); `limit` (else the field's own, see `_limit`) caps its text."""
        if self.inputs.get(key) is widget:
            return widget
        if key in self.inputs:
            self.unbind(key)
        self.inputs[key] = widget
        self.labels[key] = label or widget.description or key
        if message is not None:
            self._messages[key] = message
        widget.add_class(f"mentorkit-field-{self._slug(key)}")
        limit = limit if limit is not None else self._limit(key)
        if limit is not None and isinstance(widget, widgets.Text | widgets.Textarea):
            widget.add_class(f"mentorkit-max-{limit}")
        return widget

    def _limit(self, key: str) -> int | None:
        """The length limit of the text bound to `key`, when `add` is given none."""
        return None

    def unbind(self, key: str) -> None:
        """Forget the input bound to `key` (its row went) and its marks."""
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

    def show(self, problems: Mapping[str, str]) -> bool:
        """Mark the inputs of `problems` (key → message) and clear every other mark;
        whether anything was to be done (the same problems again change nothing)."""
        problems = {key: text for key, text in problems.items() if key in self.inputs}
        if problems == self.problems and problems:
            return False
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
                f"{self._label_for(key)}{escape(problem)}</p>"
            )
        for message, paragraphs in lines.values():
            value = "".join(paragraphs)
            if message.value != value:
                message.value = value
        return True

    def _label_for(self, key: str) -> str:
        return f"{escape(self.labels[key])}: " if self.labelled else ""

    def _slug(self, key: str) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", f"{self.slug} {key}".lower()).strip("-")
        return words or "field"


class FieldSet(InputProblems):
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

    A view binds each document field once, where it makes the input showing the saved
    value: `field` (one input fills the field), `group` (several inputs fill it together)
    or `computed` (rows that watch themselves fill it). From those bindings `data()` reads
    the document's body and `observe` watches every input, so adding a field to a
    worksheet is one line in its view.
    """

    def __init__(
        self, model: type[Document], status: SaveStatus, document_key: object, slug: str = ""
    ) -> None:
        super().__init__(slug)
        self.model = model
        self.status = status
        self.document_key = document_key
        #: How each bound document field is read from its inputs, by its dotted path.
        self._readers: dict[str, Callable[[], Any]] = {}
        #: Every input that fills a bound field, in the order bound.
        self._watched: list[widgets.Widget] = []

    # -- binding each document field once --------------------------------------------------

    def field(self, path: str, widget: W, *, read: Callable[[Any], Any] = _as_typed) -> W:
        """`widget` fills the document field at `path` ('career_goal',
        'preferences.time_zone') with `read(widget.value)`; its problems are shown next to
        it (it is bound at `path`, see `add`) and `observe` watches it."""
        self.add(path, widget)
        self._watched.append(widget)
        self._readers[path] = lambda: read(widget.value)
        return widget

    def group(
        self,
        path: str,
        inputs: Mapping[str, W],
        read: Callable[[dict[str, Any]], Any],
        *,
        keys: Mapping[str, str | None] | None = None,
    ) -> dict[str, W]:
        """Several inputs fill the document field at `path` together: `read` makes the
        field from their values, by name. Each is bound at `keys[name]` (by default
        '<path>.<name>'; None: not bound, such as a tick box whose problem another input of
        the group shows), and `observe` watches every one."""
        named = dict(inputs)
        for name, widget in named.items():
            key = f"{path}.{name}" if keys is None or name not in keys else keys[name]
            if key is not None:
                self.add(key, widget)
            self._watched.append(widget)
        self._readers[path] = lambda: read({name: w.value for name, w in named.items()})
        return named

    def computed(self, path: str, read: Callable[[], Any]) -> None:
        """The document field at `path` is what `read` returns (rows of a `RowList`, which
        bind and watch their own inputs)."""
        self._readers[path] = read

    @property
    def watched(self) -> tuple[widgets.Widget, ...]:
        """Every input bound with `field` or `group`, in the order bound."""
        return tuple(self._watched)

    def observe(self, callback: Callable[[Any], object]) -> None:
        """Call `callback` on every change to an input bound with `field` or `group`; after
        `restore`, so that putting a draft back is not taken for a change."""
        for widget in self._watched:
            widget.observe(callback, names="value")

    def data(self) -> dict[str, Any]:
        """What the bound inputs hold, as the body of the document (not yet validated):
        the field at 'preferences.time_zone' is the 'time_zone' of the dict 'preferences'."""
        body: dict[str, Any] = {}
        for path, read in self._readers.items():
            *outer, name = path.split(".")
            place = body
            for part in outer:
                place = place.setdefault(part, {})
            place[name] = read()
        return body

    def _limit(self, key: str) -> int | None:
        return text_limit(self.model, key)

    def bind_rows(
        self, prefix: str, bindings: Mapping[str, tuple[widgets.Widget, widgets.HTML]]
    ) -> None:
        """Bind the inputs of a list's rows (keys under `prefix`, each with its row's problem
        line), unbinding rows that moved or went; unchanged bindings send nothing."""
        for key in [k for k in self.inputs if k.startswith(prefix + ".")]:
            if key not in bindings or bindings[key][0] is not self.inputs[key]:
                self.unbind(key)
        for key, (widget, message) in bindings.items():
            self.add(key, widget, message=message)

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

    def show(self, problems: Mapping[str, str]) -> bool:
        """Mark the inputs of `problems` (key → message), clear every other mark, and have
        the save status name the fields that need attention."""
        changed = super().show(problems)
        if changed:
            labels = list(dict.fromkeys(self.labels[key] for key in self.problems))
            self.status.attention(self.document_key, labels)
        return changed

    def _keys_for(self, path: str) -> list[str]:
        return [
            key
            for key in self.inputs
            if key == path or path.startswith(key + ".") or key.startswith(path + ".")
        ]


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
        made: W = kind(
            description=description,
            style=_shared_style(style_class, self.label_width),
            layout=widgets.Layout(width=width, height=height),
            **traits,
        )
        return made

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


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The time zones a person is offered as they type one: every 'Region/City' zone, in
    alphabetical order.

    The self-assessment, the mentor's profile and the agreement's meeting time all offer
    this one list, so a zone offered on one page is offered, in the same place, on every
    other. Bare aliases ('UTC', 'EST5EDT') and the 'Etc/' and 'SystemV/' zones are left
    out: they are kept for compatibility and would only crowd the list (a zone typed by
    hand is still checked against every zone, see `mentorkit.models`). It is worked out
    once and kept: the zones installed do not change while the server runs.
    """
    from zoneinfo import available_timezones

    return tuple(
        sorted(
            zone
            for zone in available_timezones()
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))
        )
    )


def choices(labels: dict[Any, str], *, blank: str = "— choose —") -> list[tuple[str, Any]]:
    """Dropdown options with a leading blank choice (None)."""
    return [(blank, None), *((text, value) for value, text in labels.items())]
