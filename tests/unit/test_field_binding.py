"""Each worksheet field is bound once (`FieldSet.field` / `group` / `computed`): from that one
binding the input shows its problems, is watched for changes and fills the document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import ipywidgets as widgets
import pytest

from mentorkit.identity import sign_in
from mentorkit.models import SelfAssessment
from mentorkit.store import Store
from mentorkit.testing import widget_tree
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.check_ins import CheckInsView
from mentorkit.ui.expectations import ExpectationsView
from mentorkit.ui.fields import FieldSet
from mentorkit.ui.frame import Notice
from mentorkit.ui.html import split_list
from mentorkit.ui.self_assessment import SelfAssessmentView
from mentorkit.ui.shell import Session
from mentorkit.ui.smart_goals import SmartGoalsView
from mentorkit.workshops import create_workshop


@pytest.fixture
def session(store: Store) -> Session:
    access = create_workshop(store, "Spring cohort")
    identity = sign_in(store, access.workshop.code, "Ada Lovelace")
    return Session(store, identity, SaveStatus(), Notice())


def test_one_binding_gives_a_field_its_input_its_watcher_and_its_place_in_the_document():
    fields = FieldSet(SelfAssessment, SaveStatus(), "self-assessment")
    goal = fields.field("career_goal", widgets.Textarea(value="Lead a team"))
    languages = fields.field(
        "preferences.languages", widgets.Text(value="English, Welsh"), read=split_list
    )
    ticks = fields.group(
        "values",
        {"Integrity": widgets.Checkbox(value=True), "Balance": widgets.Checkbox(value=False)},
        read=lambda ticked: [name for name, on in ticked.items() if on],
        keys={"Integrity": None, "Balance": None},
    )
    fields.computed("strengths", lambda: ["negotiation"])
    changes: list[object] = []
    fields.restore({"career_goal": "Lead a team of five"})  # a draft put back is no change
    fields.observe(changes.append)

    assert fields.data() == {
        "career_goal": "Lead a team of five",
        "preferences": {"languages": ["English", "Welsh"]},
        "values": ["Integrity"],
        "strengths": ["negotiation"],
    }
    assert changes == []
    goal.value, languages.value, ticks["Balance"].value = "x" * 3000, "French", True
    assert len(changes) == 3
    assert "mentorkit-field-career-goal" in goal._dom_classes
    assert set(fields.inputs) == {"career_goal", "preferences.languages"}  # ticks: no line
    document = fields.document(fields.data())
    assert "career_goal" in fields.problems and "mentorkit-invalid" in goal._dom_classes
    assert document.draft == {"career_goal": "x" * 3000}
    assert document.preferences.languages == ["French"]
    assert document.values == ["Integrity", "Balance"]


#: A drop-down with a single option (no mentor in the workshop yet): nobody can change it.
NO_CHOICE = object()


def _another_value(widget: widgets.Widget) -> Any:
    """A value a person could give `widget` that differs from the one it holds."""
    if isinstance(widget, widgets.Checkbox):
        return not widget.value
    if isinstance(widget, widgets.SelectMultiple):
        return (widget.options[0][1],) if widget.value == () else ()
    if isinstance(widget, widgets.Dropdown):
        values = [value for _label, value in widget.options if value != widget.value]
        return values[0] if values else NO_CHOICE
    if isinstance(widget, widgets.DatePicker):
        return date(2031, 3, 3)
    if isinstance(widget, widgets.TimePicker):
        return time(9, 30)
    if isinstance(widget, widgets.BoundedIntText):
        return widget.value + 5
    if isinstance(widget, widgets.Combobox):
        return "Europe/Berlin"
    if isinstance(widget, widgets.Text | widgets.Textarea):
        return widget.value + "Kindness"
    raise AssertionError(f"no other value known for {type(widget).__name__}")


#: Each worksheet, the parts of it that hold one document each, and their list rows (whose
#: inputs the rows bind themselves).
VIEWS: dict[str, tuple[Callable[[Session], Any], Callable[[Any], list[Any]], str | None]] = {
    "self-assessment": (SelfAssessmentView, lambda view: [view], None),
    "expectations": (ExpectationsView, lambda view: [view], "roles"),
    "SMART goal": (SmartGoalsView, lambda view: view.cards, "milestones"),
}
INPUTS = (
    widgets.Text,
    widgets.Textarea,
    widgets.Dropdown,
    widgets.Checkbox,
    widgets.DatePicker,
    widgets.TimePicker,
    widgets.BoundedIntText,
    widgets.SelectMultiple,
)


@pytest.mark.parametrize("worksheet", ["self-assessment", "expectations", "SMART goal"])
def test_every_input_a_worksheet_binds_is_saved_when_it_changes(session, worksheet):
    make, parts, rows = VIEWS[worksheet]
    view = make(session)
    for part in parts(view):
        watched = list(part.fields.watched)
        in_rows = [w for row in getattr(part, rows).rows for w in row.inputs()] if rows else []
        # A goal's "Share with my mentor" box fills another document (what is shared).
        sharing = [part.share.tick] if hasattr(part, "share") else []
        shown = [
            w
            for w in widget_tree(part)
            if isinstance(w, INPUTS) and w not in in_rows and w not in sharing
        ]
        assert watched and {id(w) for w in shown} == {id(w) for w in watched}
        for widget in watched:
            before = part.autosaver.saved.revision if part.autosaver.saved else 0
            value = _another_value(widget)
            if value is NO_CHOICE:
                continue
            widget.value = value
            part.autosaver.flush()
            after = part.autosaver.saved.revision if part.autosaver.saved else 0
            assert after > before, f"{widget.description or widget} was not saved"


def test_every_input_of_a_meeting_is_saved_when_it_changes(session):
    view = CheckInsView(session)
    view.log_meeting.click()
    card = view.cards[0]
    assert list(card.fields.watched) == [card.met_on, card.topics, card.agenda, card.learned]
    for widget in card.fields.watched:
        before = card.autosaver.saved.revision if card.autosaver.saved else 0
        widget.value = _another_value(widget)
        card.autosaver.flush()
        assert card.autosaver.saved.revision > before
