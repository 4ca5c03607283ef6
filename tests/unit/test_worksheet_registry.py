"""Each worksheet is defined once (`mentorkit.worksheets`): its notebook opens its view, and
every table that lists worksheets (store labels, backup titles, cohort steps, the page's
words, the gallery's apps, the journey) is derived from the registration, so one more
worksheet appears in all of them without editing any."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import ClassVar

import ipywidgets as widgets
import pytest

from mentorkit import worksheets
from mentorkit.apps import APPS, PARTICIPANT_APPS, App, worksheet_apps
from mentorkit.backup import WORKSHEET_TITLES
from mentorkit.catalog import load_framework, load_guidance
from mentorkit.checkins import next_check_in_name, next_goal_name, ordered_check_ins
from mentorkit.cohort import STEP_TITLES, STEPS
from mentorkit.errors import StoreError
from mentorkit.identity import sign_in
from mentorkit.jupyter import RESUME_ENVIRON
from mentorkit.models import (
    DOCUMENT_TYPES,
    CheckIn,
    Document,
    Participant,
    SmartGoal,
    Workshop,
)
from mentorkit.people import NUMBERED_KINDS
from mentorkit.plan import PlanData, plan_markdown
from mentorkit.smart import PARTS, SMART_PARTS, check_goal
from mentorkit.store import DocumentKey
from mentorkit.testing import widget_tree
from mentorkit.ui.autosave import document_words
from mentorkit.ui.journey import view_of, workshop_journey
from mentorkit.ui.my_plan import my_plan_app
from mentorkit.ui.smart_goals import smart_goals_app
from mentorkit.worksheets import (
    WORKSHEETS,
    Numbering,
    WorksheetDefinition,
    download_titles,
    kind_labels,
    natural_order,
    numbered_kinds,
    page_words,
    progress_steps,
    single_kinds,
    step_titles,
)
from mentorkit.workshops import create_workshop

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class Reflection(Document):
    """One more worksheet's document, as a contributor would add it to models.py."""

    kind: ClassVar[str] = "reflection"
    looking_back: str = ""


ANOTHER = WorksheetDefinition(
    step=8,
    title="Reflection",
    summary="Look back on the programme and name what you take with you.",
    notebook="08_reflection.ipynb",
    view="mentorkit.ui.reflection:ReflectionView",
    document=Reflection,
    label="Reflection",
)


def notebook_call(notebook: Path) -> tuple[str, str]:
    """The module a notebook imports its app from, and the function its code calls."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    tree = ast.parse(code)
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    (called,) = [
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    return imported[called] or "", called


# ---------------------------------------------------------------------------------------
# The registered worksheets and their entry points


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=lambda w: w.key)
def test_each_worksheets_notebook_opens_a_page_showing_its_registered_view(worksheet, store):
    module, function = notebook_call(NOTEBOOKS / worksheet.notebook)
    assert module == worksheet.view_module
    page = getattr(import_module(module), function)(store=store, environ={})
    assert page.app.notebook == worksheet.notebook
    assert page.app.title == worksheet.title
    assert page.build is view_of(worksheet)


def test_the_journey_shows_every_registered_view_in_step_order(store):
    journey = workshop_journey(store=store, environ={})
    assert list(journey.steps) == [w.key for w in WORKSHEETS]
    assert list(journey.steps.values()) == [view_of(w) for w in WORKSHEETS]


def test_the_registration_is_in_step_order_from_one():
    assert [w.step for w in WORKSHEETS] == list(range(1, len(WORKSHEETS) + 1))


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=lambda w: w.key)
def test_each_worksheets_document_is_a_stored_document_type(worksheet):
    assert DOCUMENT_TYPES[worksheet.kind] is worksheet.document


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=lambda w: w.key)
def test_each_worksheet_has_a_default_opening_text(worksheet):
    assert load_guidance()[worksheet.key].strip()


def test_the_gallery_lists_the_worksheets_in_step_order_then_the_other_apps():
    expected = [(w.notebook, w.title, w.summary) for w in WORKSHEETS]
    assert [(a.notebook, a.title, a.summary) for a in PARTICIPANT_APPS] == expected
    assert APPS[: len(WORKSHEETS)] == PARTICIPANT_APPS
    others = [a.audience for a in APPS[len(WORKSHEETS) :]]
    assert others == sorted(others, key=["facilitator", "mentor"].index)
    assert set(others) == {"facilitator", "mentor"}


def test_the_dashboard_counts_every_worksheet_with_something_to_do_in_step_order():
    assert tuple(w.kind for w in WORKSHEETS if w.progress) == STEPS
    assert dict(STEP_TITLES) == {w.kind: w.title for w in WORKSHEETS if w.progress}
    assert list(STEP_TITLES) == list(STEPS)


def test_a_participants_data_download_titles_every_worksheets_document():
    for worksheet in WORKSHEETS:
        assert WORKSHEET_TITLES[worksheet.kind] == (worksheet.download_title or worksheet.label)
    # The published match is the facilitator's document, and what is shared with the mentor
    # is chosen on the goals' and check-ins' pages: titled too.
    assert set(WORKSHEET_TITLES) == {
        *(w.kind for w in WORKSHEETS),
        "mentor_match",
        "progress_sharing",
    }


@pytest.mark.parametrize("worksheet", WORKSHEETS, ids=lambda w: w.key)
def test_the_store_names_each_worksheets_document_by_its_label(worksheet, store):
    code = create_workshop(store, "Labels").workshop.code
    other = next(w for w in WORKSHEETS if w.kind != worksheet.kind)
    key = DocumentKey(code, "0" * 32, other.kind)
    with pytest.raises(StoreError, match=f"Cannot save a {worksheet.label} as a {other.label}"):
        store.save(key, worksheet.document(), expected_revision=0)


def test_the_page_names_single_documents_by_their_words_and_numbered_ones_as_their_cards():
    code, who = "ABCD-EFGH", "0" * 32
    assert document_words(DocumentKey(code, who, "mentoring_agreement")) == "mentoring agreement"
    assert document_words(DocumentKey(code, who, "plan_sharing")) == "choice to share your plan"
    assert document_words(DocumentKey(code, who, "smart_goal", "goal-2")) == "Goal 2"
    assert document_words(DocumentKey(code, who, "check_in", "check-in-3")) == "Meeting 3"
    for worksheet in WORKSHEETS:
        if worksheet.numbering is None:
            words = document_words(DocumentKey(code, who, worksheet.kind))
            assert words == (worksheet.words or worksheet.label.lower())


def test_goals_and_check_ins_are_named_and_merged_by_their_worksheets_numbering():
    assert next_goal_name(["goal-1", "goal-3"]) == worksheets.GOAL_NUMBERING.name(2)
    assert next_check_in_name([]) == worksheets.CHECK_IN_NUMBERING.name(1)
    assert {
        SmartGoal.kind: worksheets.GOAL_NUMBERING,
        CheckIn.kind: worksheets.CHECK_IN_NUMBERING,
    } == NUMBERED_KINDS
    with pytest.raises(ValueError, match="up to five goals"):
        next_goal_name(worksheets.GOAL_NUMBERING.name(n) for n in range(1, 6))


# ---------------------------------------------------------------------------------------
# One more worksheet: registered, it appears in every table


def test_one_more_worksheet_appears_in_every_table_derived_from_the_registration():
    registered = (*WORKSHEETS, ANOTHER)
    assert kind_labels(registered)["reflection"] == "Reflection"
    assert download_titles(registered)["reflection"] == "Reflection"
    assert progress_steps(registered) == (*STEPS, "reflection")
    assert step_titles(registered)["reflection"] == "Reflection"
    assert page_words(registered)["reflection"] == "reflection"
    assert "reflection" in single_kinds(registered)
    assert worksheet_apps(registered) == (
        *PARTICIPANT_APPS,
        App("08_reflection.ipynb", "Reflection", ANOTHER.summary, "participant"),
    )
    assert ANOTHER.key == "08_reflection"


def test_the_tables_follow_the_step_number_not_the_order_of_registration():
    inserted = replace(ANOTHER, step=0)
    assert progress_steps((*WORKSHEETS, inserted))[0] == "reflection"
    assert worksheet_apps((*WORKSHEETS, inserted))[0].notebook == "08_reflection.ipynb"


def test_one_more_numbered_worksheet_is_named_by_its_numbering():
    numbered = replace(ANOTHER, numbering=Numbering("reflection-", "Reflection"))
    assert numbered_kinds((*WORKSHEETS, numbered))["reflection"].words("reflection-4") == (
        "Reflection 4"
    )
    assert "reflection" not in page_words((*WORKSHEETS, numbered))


@pytest.mark.parametrize("clash", ["step", "notebook", "document"])
def test_two_worksheets_with_the_same_step_notebook_or_document_are_refused(clash):
    twin = replace(ANOTHER, **{clash: getattr(WORKSHEETS[0], clash)})
    with pytest.raises(ValueError, match="Two worksheets have the same"):
        kind_labels((*WORKSHEETS, twin))


# ---------------------------------------------------------------------------------------
# Names, numbers and order


def test_numbering_makes_and_reads_back_its_names():
    goals = Numbering("goal-", "Goal", most=5)
    assert goals.name(2) == "goal-2"
    assert goals.number("goal-12") == 12
    assert goals.number("goal-") is None
    assert goals.number("goal-2-copy") is None
    assert goals.number("check-in-2") is None
    assert goals.words("goal-3") == "Goal 3"
    assert goals.words("main") is None
    assert goals.first_free(["goal-1", "goal-2", "goal-4"]) == "goal-3"


def test_natural_order_puts_goal_2_before_goal_10_and_is_total():
    names = ["goal-10", "notes", "goal-2", "check-in-1", "goal-1", "goal-01"]
    assert sorted(names, key=natural_order) == [
        "check-in-1",
        "goal-01",
        "goal-1",
        "goal-2",
        "goal-10",
        "notes",
    ]


def test_check_ins_on_the_same_day_read_in_natural_order_newest_number_first():
    same_day = CheckIn(met_on=date(2027, 1, 5))
    log = {name: same_day for name in ("check-in-2", "check-in-10", "check-in-9")}
    assert [name for name, _ in ordered_check_ins(log)] == [
        "check-in-10",
        "check-in-9",
        "check-in-2",
    ]


# ---------------------------------------------------------------------------------------
# The SMART parts, defined once


def test_feedback_names_the_smart_parts_by_their_labels_in_their_order():
    assert ("title", *(part.field for part in SMART_PARTS), "milestones") == PARTS
    fields = {part.field for part in SMART_PARTS}
    feedback = check_goal(SmartGoal(title="x"), today=date(2027, 1, 1))
    named = list(dict.fromkeys(f.message.partition(":")[0] for f in feedback if f.part in fields))
    assert named == [part.label for part in SMART_PARTS]


def test_the_plan_shows_each_smart_part_under_its_label():
    goal = SmartGoal(title="Speak up", **{part.field: f"my {part.field}" for part in SMART_PARTS})
    plan = PlanData(
        workshop=Workshop(name="Spring cohort", framework=load_framework()),
        participant=Participant(name="Amelia Hartley"),
        assessment=None,
        shortlist=None,
        mentors={},
        agreement=None,
        goals=[goal],
        check_ins=[],
        today=date(2026, 3, 1),
    )
    page = plan_markdown(plan)
    for part in SMART_PARTS:
        assert part.label in page and f"my {part.field}" in page
    assert [p.label for p in SMART_PARTS] == [
        "Specific",
        "Measurable",
        "Achievable",
        "Relevant",
        "Time-bound",
    ]


def test_the_smart_goals_worksheet_shows_each_part_with_its_label_and_hint(store):
    code = create_workshop(store, "Parts").workshop.code
    first = sign_in(store, code, "Ada Quill")
    page = smart_goals_app(store=store, environ={RESUME_ENVIRON: first.new_resume_code})
    shown = {
        (w.description, w.placeholder)
        for w in widget_tree(page.view)
        if isinstance(w, widgets.Textarea)
    }
    for part in SMART_PARTS:
        assert (f"Goal 1: {part.label}", part.hint) in shown


@pytest.mark.slow
@pytest.mark.parametrize(
    "module", ["worksheets", "apps", "cohort", "store", "backup", "checkins", "people", "smart"]
)
def test_the_registry_and_the_tables_derived_from_it_load_without_widgets(module):
    code = (
        f"import sys, mentorkit.{module}; "
        "sys.exit('ipywidgets' in sys.modules or 'mentorkit.ui' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("opened_in", ["its own notebook", "the journey"])
def test_erasing_my_data_leaves_only_the_title_and_the_erased_view_on_the_page(opened_in, store):
    code = create_workshop(store, "Erasure").workshop.code
    first = sign_in(store, code, "Ada Quill")
    environ = {RESUME_ENVIRON: first.new_resume_code}
    if opened_in == "the journey":
        page = workshop_journey(store=store, environ={**environ, "QUERY_STRING": "step=06_my_plan"})
    else:
        page = my_plan_app(store=store, environ=environ)
    view = page.view
    view.erase.remove.click()
    view.erase.confirm.click()
    assert page.session is None
    assert view in page.children
    shown = " ".join(w.value for w in widget_tree(page) if isinstance(w, widgets.HTML))
    assert "Your data is deleted" in shown
    assert "journey.ipynb" not in shown and first.new_resume_code not in shown
    assert store.participants(code) == []
