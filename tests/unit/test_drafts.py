"""Nothing typed is lost: a bad field is kept as typed and the rest of the worksheet saves.

Seen in a rehearsal: one invalid field (a time zone typed as 'berlin', the same competency
as strength and growth area, an over-long note) made the whole self-assessment unsaveable,
and everything typed afterwards on that page was gone on reload.
"""

from datetime import date

import pytest
from ipywidgets import Text, Textarea

from mentorkit.cohort import StepState, progress
from mentorkit.errors import InvalidInput
from mentorkit.identity import sign_in
from mentorkit.models import (
    DRAFT_LIMIT,
    CheckIn,
    MentoringAgreement,
    SelfAssessment,
    SmartGoal,
    check,
    text_limit,
    validate,
)
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.check_ins import CheckInsView
from mentorkit.ui.expectations import ExpectationsView
from mentorkit.ui.fields import ChoiceDropdown
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_shortlist import MentorShortlistView
from mentorkit.ui.self_assessment import SelfAssessmentView
from mentorkit.ui.shell import Session
from mentorkit.ui.smart_goals import SmartGoalsView
from mentorkit.workshops import create_workshop

# -- the pure check ---------------------------------------------------------------------


def test_one_bad_field_leaves_every_other_field_valid_and_names_where_it_is():
    checked = check(
        SelfAssessment,
        {
            "career_goal": "Lead a team",
            "strengths": ["negotiation"],
            "growth_areas": ["negotiation", "public-speaking"],
            "preferences": {"time_zone": "UTC+1", "languages": ["English"]},
        },
    )
    assert checked.document.career_goal == "Lead a team"
    assert checked.document.preferences.languages == ["English"]
    assert checked.document.preferences.time_zone is None
    assert checked.document.growth_areas == []
    assert set(checked.problems) == {"preferences.time_zone", "growth_areas"}
    assert "not a time zone name" in checked.problems["preferences.time_zone"]
    assert "both a strength and a growth area" in checked.problems["growth_areas"]


def test_a_bad_field_inside_a_list_item_keeps_the_item():
    checked = check(
        SmartGoal,
        {"milestones": [{"title": "Outline", "due_on": "1999-01-01"}, {"title": "t" * 201}]},
    )
    assert [m.title for m in checked.document.milestones] == ["Outline", ""]
    assert checked.document.milestones[0].due_on is None
    assert set(checked.problems) == {"milestones.0.due_on", "milestones.1.title"}


def test_dates_out_of_order_are_blamed_on_the_later_date():
    checked = check(
        MentoringAgreement,
        {"start_on": "2027-06-01", "review_on": "2027-07-01", "end_on": "2027-05-01"},
    )
    assert checked.document.review_on == date(2027, 7, 1)
    assert checked.problems == {"end_on": "the end date is before the start date"}


def test_empty_is_unfinished_not_invalid():
    assert validate(SmartGoal, {}).title == ""
    assert validate(CheckIn, {}).met_on is None


def test_a_draft_keeps_text_as_typed_but_no_control_characters():
    goal = validate(SmartGoal, {"draft": {"title": "  two  spaces\x07 "}})
    assert goal.draft == {"title": "  two  spaces "}
    assert goal.needs_attention


def test_a_draft_too_big_for_any_page_is_refused_in_plain_words():
    with pytest.raises(InvalidInput, match="Unfinished input"):
        validate(SmartGoal, {"draft": {"title": "x" * (DRAFT_LIMIT + 1)}})
    with pytest.raises(InvalidInput, match="Unfinished input"):
        validate(SmartGoal, {"draft": {"title": {"nested": "mapping"}}})


def test_text_limits_come_from_the_model():
    assert text_limit(SelfAssessment, "career_goal") == 1000
    assert text_limit(SmartGoal, "milestones.3.title") == 200
    assert text_limit(SmartGoal, "deadline") is None
    # A list typed into one box: its most entries at their longest, with separators.
    assert text_limit(SelfAssessment, "values") == 15 * (60 + 2)
    assert text_limit(MentoringAgreement, "relationship_goals") == 10 * (300 + 2)
    # A time zone is a name, not an essay (and may be left out).
    assert text_limit(SelfAssessment, "preferences.time_zone") == 64


def test_every_text_box_of_every_worksheet_has_a_limit(store, identity):
    """Seen in a rehearsal: no maxlength on the values, languages, time zone and
    relationship goals boxes, so a paste of any length went in."""
    session = visit(store, identity)
    views = [
        SelfAssessmentView(session),
        MentorShortlistView(session),
        ExpectationsView(session),
        SmartGoalsView(session),
    ]
    check_ins = CheckInsView(session)
    check_ins.log_meeting.click()
    fieldsets = [view.fields for view in views if hasattr(view, "fields")]
    fieldsets += [card.fields for card in views[3].cards] + [
        card.fields for card in check_ins.cards
    ]
    boxes = {
        f"{fields.model.__name__}.{key}": widget
        for fields in fieldsets
        for key, widget in fields.inputs.items()
        if isinstance(widget, Text | Textarea)
    }
    assert len(boxes) > 15
    unlimited = [
        name
        for name, box in boxes.items()
        if not any(c.startswith("mentorkit-max-") for c in box._dom_classes)
    ]
    assert unlimited == []


# -- the Self-assessment page -----------------------------------------------------------


@pytest.fixture
def identity(store):
    return sign_in(store, create_workshop(store, "Spring cohort").workshop.code, "Ada Lovelace")


def visit(store, identity) -> Session:
    """A fresh page visit (Voilà starts a new kernel on every load)."""
    return Session(store, identity, SaveStatus(), Notice())


def test_a_time_zone_typed_as_a_city_is_understood():
    typed = {"berlin": "Europe/Berlin", "new york": "America/New_York", "utc": "UTC"}
    for text, zone in typed.items():
        assert (
            validate(SelfAssessment, {"preferences": {"time_zone": text}}).preferences.time_zone
            == zone
        )


def test_a_time_zone_that_is_not_one_does_not_stop_the_rest_saving(store, identity):
    session = visit(store, identity)
    view = SelfAssessmentView(session)
    view.time_zone.value = "UTC+1"
    view.career_goal.value = "Lead a small team within two years"
    view.languages.value = "English, Arabic"

    saved = store.load(session.key("self_assessment")).document
    assert saved.career_goal == "Lead a small team within two years"
    assert saved.preferences.languages == ["English", "Arabic"]
    assert saved.draft == {"preferences.time_zone": "UTC+1"}
    assert session.status.state == "saved"
    assert "Check My time zone" in session.status.value
    assert "mentorkit-invalid" in view.time_zone._dom_classes
    message = view.fields.message("preferences.time_zone").value
    assert 'id="mentorkit-problem-preferences-time-zone"' in message
    assert "&#x27;UTC+1&#x27; is not a time zone name" in message

    again = SelfAssessmentView(visit(store, identity))
    assert again.time_zone.value == "UTC+1"
    assert again.career_goal.value == "Lead a small team within two years"
    again.time_zone.value = "Europe/Berlin"
    fixed = store.load(session.key("self_assessment")).document
    assert fixed.preferences.time_zone == "Europe/Berlin" and fixed.draft == {}
    assert "mentorkit-invalid" not in again.time_zone._dom_classes
    assert again.fields.message("preferences.time_zone").value == ""


def test_the_same_competency_as_strength_and_growth_area_keeps_both_choices(store, identity):
    session = visit(store, identity)
    view = SelfAssessmentView(session)
    view.strengths[0].value = "negotiation"
    view.growth_areas[0].value = "negotiation"
    view.career_goal.value = "Typed after the clash"
    saved = store.load(session.key("self_assessment")).document
    assert saved.strengths == ["negotiation"] and saved.growth_areas == []
    assert saved.career_goal == "Typed after the clash"
    again = SelfAssessmentView(visit(store, identity))
    assert again.growth_areas[0].value == "negotiation"
    assert "mentorkit-invalid" in again.growth_areas[0]._dom_classes


def test_a_worksheet_that_needs_attention_is_not_counted_done(store, identity):
    session = visit(store, identity)
    view = SelfAssessmentView(session)
    first = next(iter(view.ratings))
    view.ratings[first].value = 3
    view.growth_areas[0].value = "negotiation"
    view.time_zone.value = "UTC+1"
    participants = store.participants(identity.workshop.code)
    saved = store.list(identity.workshop.code)

    def state() -> StepState:
        found = progress(participants, store.list(identity.workshop.code), today=date.today())
        return found[0].steps["self_assessment"]

    assert saved and state() is StepState.STARTED
    view.time_zone.value = "UTC"
    assert state() is StepState.DONE


def test_a_blank_drop_down_shows_its_label_not_an_empty_box():
    dropdown = ChoiceDropdown(options=[("— choose —", None), ("Weekly", "weekly")], value=None)
    assert dropdown.index == 0 and dropdown.label == "— choose —"
    dropdown.value = "weekly"
    dropdown.value = None
    assert dropdown.index == 0
