"""The Self-assessment view's summary: picks shown as picks, suggestions labelled apart."""

import pytest

from mentorkit.identity import sign_in
from mentorkit.models import SelfAssessment
from mentorkit.ui import self_assessment
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.self_assessment import SelfAssessmentView, summary_html
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop


@pytest.fixture
def session(store) -> Session:
    access = create_workshop(store, "Spring cohort")
    identity = sign_in(store, access.workshop.code, "Ada Lovelace")
    return Session(store, identity, SaveStatus(), Notice())


def picked_line(summary: str, label: str) -> str:
    start = summary.index(f"<strong>{label}:</strong>")
    return summary[start : summary.index("</p>", start)]


def test_ratings_alone_are_offered_as_suggestions_never_as_strengths(session):
    view = SelfAssessmentView(session)
    view.ratings["negotiation"].value = 5
    view.ratings["public-speaking"].value = 1
    summary = view.summary.value
    assert "Negotiation" not in picked_line(summary, "My strengths")
    assert "none chosen yet" in picked_line(summary, "My strengths")
    assert "Suggested from your ratings: Negotiation. Not chosen" in summary
    assert "Suggested from your ratings: Public speaking. Not chosen" in summary
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.strengths == [] and saved.growth_areas == []


def test_a_picked_strength_is_shown_as_chosen_and_leaves_the_suggestions(session):
    view = SelfAssessmentView(session)
    view.ratings["negotiation"].value = 5
    view.ratings["delegation"].value = 4
    view.strengths[0].value = "negotiation"
    summary = view.summary.value
    assert picked_line(summary, "My strengths").endswith("Negotiation")
    assert "Suggested from your ratings: Delegation." in summary
    assert "Suggested from your ratings: Negotiation" not in summary


def test_three_picks_leave_no_room_for_suggestions(framework):
    assessment = SelfAssessment(
        ratings={"delegation": 5},
        strengths=["negotiation", "public-speaking", "goal-setting"],
    )
    summary = summary_html(assessment, framework)
    assert "Negotiation, Public speaking, Goal setting" in picked_line(summary, "My strengths")
    assert "Delegation" not in summary.split("My growth areas")[0]


def test_the_summary_escapes_competency_names(framework):
    hostile = framework.model_copy(deep=True)
    hostile.areas[0].competencies[0].name = "<img src=x onerror=alert(1)>"
    first = hostile.areas[0].competencies[0].id
    summary = summary_html(SelfAssessment(strengths=[first]), hostile)
    assert "<img" not in summary and "&lt;img" in summary


def test_a_failing_redraw_is_logged_and_told_to_the_person_not_left_blank(
    session, monkeypatch, caplog
):
    view = SelfAssessmentView(session)

    def broken(*_args, **_kwargs):
        raise RuntimeError("chart broke")

    monkeypatch.setattr("mentorkit.ui.self_assessment.ratings_by_area", broken)
    with caplog.at_level("ERROR", logger="mentorkit"):
        view.ratings["negotiation"].value = 5
    assert "Something went wrong on our side" in session.notice.value
    assert 'role="alert"' in session.notice.value
    assert any(
        record.exc_info and "chart broke" in str(record.exc_info[1]) for record in caplog.records
    )
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.ratings == {"negotiation": 5}  # the change itself is kept


def test_a_pick_repeated_in_a_later_slot_is_named_and_shows_again_after_a_reload(session):
    view = SelfAssessmentView(session)
    for slot in view.strengths:
        slot.value = "negotiation"
    assert view.fields.problems == {
        "strengths.1": "Negotiation is already strength 1: pick another or leave this one blank",
        "strengths.2": "Negotiation is already strength 1: pick another or leave this one blank",
    }
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.strengths == ["negotiation"]
    assert saved.draft == {"strengths.1": "negotiation", "strengths.2": "negotiation"}

    again = SelfAssessmentView(session)
    assert [slot.value for slot in again.strengths] == ["negotiation"] * 3
    again.strengths[2].value = None
    again.strengths[1].value = "delegation"
    assert again.fields.problems == {}
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.strengths == ["negotiation", "delegation"] and saved.draft == {}


def test_rating_again_at_the_end_saves_and_shows_the_growth_as_a_chart_with_words(session):
    view = SelfAssessmentView(session)
    view.ratings["public-speaking"].value = 2
    view.ratings["negotiation"].value = 3
    assert view.reassessment == {} and view.growth_chart.value == ""
    view.rate_again.click()
    assert view.reassessment["public-speaking"].description == "Public speaking at the end"
    view.reassessment["public-speaking"].value = 4
    view.reassessment["negotiation"].value = 3
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.reassessment == {"public-speaking": 4, "negotiation": 3}
    assert saved.ratings == {"public-speaking": 2, "negotiation": 3}  # the first ones stay
    assert saved.reassessed_on is not None
    shown = view.growth_chart.value
    assert "<svg " in shown and 'role="img"' in shown
    assert "Public speaking: 2 (Learning) at the start, 4 (Strong) at the end (up 2)" in shown

    again = SelfAssessmentView(session)  # a saved re-assessment opens with its inputs
    assert again.reassessment["public-speaking"].value == 4
    assert again.rate_again.layout.display == "none"
    assert "up 2" in again.growth_chart.value
    again.ratings["delegation"].value = 5  # another first rating keeps the end ones
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.reassessment == {"public-speaking": 4, "negotiation": 3}


def test_the_growth_chart_is_drawn_again_only_when_the_ratings_compared_change(
    session, monkeypatch
):
    drawn: list[object] = []
    draw = self_assessment.growth_chart
    monkeypatch.setattr(
        self_assessment, "growth_chart", lambda found: drawn.append(found) or draw(found)
    )
    view = SelfAssessmentView(session)
    view.ratings["public-speaking"].value = 2
    view.rate_again.click()
    view.reassessment["public-speaking"].value = 4
    assert len(drawn) == 1 and "up 2" in view.growth_chart.value

    view.career_goal.value = "Lead a small team"
    view.values["Learning"].value = True
    view.ratings["negotiation"].value = 3  # rated at the start only: not compared
    saved = session.store.load(session.key("self_assessment")).document
    assert saved.career_goal == "Lead a small team" and saved.ratings["negotiation"] == 3
    assert len(drawn) == 1 and "up 2" in view.growth_chart.value

    view.reassessment["public-speaking"].value = 5
    assert len(drawn) == 2 and "up 3" in view.growth_chart.value
    view.ratings["public-speaking"].value = 3
    assert len(drawn) == 3 and "up 2" in view.growth_chart.value
