"""The data model: constraints live here and read in plain words."""

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorkit.errors import InvalidInput
from mentorkit.models import (
    DOCUMENT_TYPES,
    DOCUMENT_UPGRADES,
    SCHEMA_VERSION,
    CheckIn,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    SelfAssessment,
    SmartGoal,
    Workshop,
    new_join_code,
    upgrade_document,
    validate,
)

MENTOR = {
    "name": "Ada Quill",
    "email": "ada@example.org",
    "expertise": ["negotiation"],
    "capacity": 2,
}


def problems_of(model, data) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        validate(model, data)
    return caught.value.problems


def test_a_valid_mentor_is_normalised():
    mentor = validate(
        MentorProfile,
        {**MENTOR, "name": "  Zoë \n Hart ", "email": " Zoe@Example.ORG", "capacity": "3"},
    )
    assert mentor.name == "Zoë Hart"
    assert mentor.email == "zoe@example.org"
    assert mentor.capacity == 3


def test_every_problem_names_its_field_in_plain_words():
    found = problems_of(
        MentorProfile,
        {"name": "", "email": "nope", "expertise": ["Public speaking"], "capacity": 21},
    )
    assert found == [
        "Name: must not be empty",
        "Email: is not a valid email address (An email address must have an @-sign)",
        "Expertise #1: must be an id of lowercase letters and digits joined by dashes, "
        "like public-speaking",
        "Capacity: must be at most 20",
    ]


def test_missing_required_fields_are_named():
    assert problems_of(Participant, {}) == ["Name: is required"]
    assert problems_of(MentorProfile, {}) == [
        "Name: is required",
        "Email: is required",
        "Capacity: is required",
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("capacity", 2.5, "Capacity: must be a whole number"),
        ("capacity", -1, "Capacity: must be at least 0"),
        ("years_experience", 99, "Years of experience: must be at most 70"),
        ("time_zone", "Mars/Olympus", "Time zone: 'Mars/Olympus' is not a time zone name"),
        ("formats", ["video", "video"], "Meeting formats: lists 'video' twice"),
        ("formats", ["zoom"], "Meeting formats #1: must be one of"),
        ("bio", "x" * 1001, "Bio: is too long (at most 1000 characters)"),
        ("name", "Ada\x07", "Name: contains an invisible control character (U+0007)"),
        ("name", "Ada\ud800", "Name: contains a character that is not valid text"),
        ("favourite_colour", "red", "favourite_colour: is not a known field"),
    ],
)
def test_mentor_constraints(field, value, expected):
    found = problems_of(MentorProfile, {**MENTOR, field: value})
    assert any(p.startswith(expected) for p in found), found


def test_nested_problems_say_which_item():
    found = problems_of(
        SmartGoal,
        {
            "title": "Speak up",
            "milestones": [{"title": "a"}, {"title": "b", "due_on": "31/12/2026"}],
        },
    )
    assert found == ["Milestones #2 › Due date: must be a date like 2026-12-31"]


def test_a_draft_goal_saves_with_only_a_title():
    goal = validate(SmartGoal, {"title": "Lead a meeting"})
    assert goal.measurable == "" and goal.deadline is None


def test_an_untitled_goal_is_a_valid_draft():
    assert validate(SmartGoal, {"title": "   ", "specific": "Give a talk"}).title == ""


def test_multi_line_text_keeps_line_breaks_and_tabs():
    goal = validate(SmartGoal, {"title": "t", "specific": "one\r\ntwo\tthree\r"})
    assert goal.specific == "one\ntwo\tthree"


def test_ratings_are_one_to_five():
    assert problems_of(SelfAssessment, {"ratings": {"public-speaking": 6}}) == [
        "Ratings › public-speaking: must be at most 5"
    ]


def test_a_competency_cannot_be_both_strength_and_growth_area():
    found = problems_of(
        SelfAssessment, {"strengths": ["negotiation"], "growth_areas": ["negotiation"]}
    )
    assert found == [
        "Growth areas: 'negotiation' is marked both a strength and a growth area; pick one"
    ]


def test_shortlist_holds_at_most_three_different_mentors():
    entry = {"mentor_email": "a@example.org"}
    assert problems_of(MentorShortlist, {"entries": [entry, entry]}) == [
        "lists 'a@example.org' twice"
    ]
    four = [{"mentor_email": f"m{i}@example.org"} for i in range(4)]
    assert problems_of(MentorShortlist, {"entries": four}) == [
        "Shortlist: has too many items (at most 3)"
    ]


def test_agreement_dates_must_be_in_order():
    found = problems_of(MentoringAgreement, {"start_on": "2026-05-01", "end_on": "2026-01-01"})
    assert found == ["End date: the end date is before the start date"]
    assert problems_of(MentoringAgreement, {"meeting_minutes": 5}) == [
        "Meeting length: must be at least 15"
    ]


def test_the_agreement_meeting_time_is_a_wall_clock_time_to_the_minute():
    agreement = MentoringAgreement(meeting_time="18:30:42", time_zone="Europe/Berlin")
    assert agreement.meeting_time == time(18, 30)
    assert agreement.model_dump(mode="json")["meeting_time"] == "18:30:00"
    assert problems_of(MentoringAgreement, {"meeting_time": "25:00"}) == [
        "Meeting time: must be a time of day like 18:30"
    ]
    assert problems_of(MentoringAgreement, {"meeting_time": "18:00+01:00"}) == [
        "Meeting time: must be a time of day like 18:30, without a time zone"
    ]
    assert problems_of(MentoringAgreement, {"time_zone": "Mars/Olympus"}) == [
        "Time zone: 'Mars/Olympus' is not a time zone name such as Europe/Berlin"
    ]
    assert MentoringAgreement().meeting_time is None


def test_workshop_dates_must_be_in_order(framework):
    found = problems_of(
        Workshop,
        {
            "name": "W",
            "framework": framework,
            "starts_on": date(2026, 3, 2),
            "ends_on": date(2026, 3, 1),
        },
    )
    assert found == ["the end date is before the start date"]


def test_implausible_years_are_refused():
    assert problems_of(CheckIn, {"met_on": "0202-01-01"}) == [
        "Meeting date: must be a date between 2000 and 2100"
    ]


def test_join_codes_are_readable_and_valid():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert not set(code) & set("01OIL")
        assert (
            validate(
                Workshop,
                {
                    "name": "W",
                    "code": code.lower(),
                    "framework": {
                        "name": "f",
                        "areas": [
                            {"id": "a", "name": "A", "competencies": [{"id": "b", "name": "B"}]}
                        ],
                    },
                },
            ).code
            == code
        )


def test_every_document_carries_the_schema_version():
    assert set(DOCUMENT_TYPES) == {
        "self_assessment",
        "mentor_shortlist",
        "mentoring_agreement",
        "smart_goal",
        "check_in",
        "mentor_match",
        "plan_sharing",
        "progress_sharing",
        "survey",
        "closing",
    }
    for kind, cls in DOCUMENT_TYPES.items():
        assert cls.kind == kind
        assert "schema_version" in cls.model_fields


def test_a_document_from_a_newer_mentorkit_is_refused():
    with pytest.raises(InvalidInput, match="newer mentorkit"):
        upgrade_document("smart_goal", {"title": "t", "schema_version": SCHEMA_VERSION + 1})


def test_an_older_document_is_upgraded_step_by_step(monkeypatch):
    monkeypatch.setattr("mentorkit.models.SCHEMA_VERSION", 2)

    def rename_name_to_title(body: dict) -> dict:
        body = dict(body)
        body["title"] = body.pop("name")
        return body

    monkeypatch.setitem(DOCUMENT_UPGRADES, "smart_goal", {1: rename_name_to_title})
    goal = upgrade_document("smart_goal", {"name": "Old field name", "schema_version": 1})
    assert goal.title == "Old field name"
    assert goal.schema_version == 2


def test_an_unknown_kind_is_refused():
    with pytest.raises(InvalidInput, match="Unknown worksheet kind 'diary'"):
        upgrade_document("diary", {})


def test_validate_assignment_rejects_bad_edits():
    goal = validate(SmartGoal, {"title": "t"})
    with pytest.raises(ValueError):
        goal.title = "x" * 201


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(MentorProfile.model_fields)),
        st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3)),
    )
)
def test_any_mentor_input_validates_or_explains(data):
    try:
        mentor = validate(MentorProfile, data)
    except InvalidInput as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    else:
        assert mentor.model_dump_json()  # whatever validates can be stored


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_in_a_note_is_refused_or_stored_losslessly(text):
    try:
        goal = validate(SmartGoal, {"title": "t", "specific": text})
    except InvalidInput as exc:
        assert exc.problems[0].startswith("Specific: ")
    else:
        assert SmartGoal.model_validate_json(goal.model_dump_json()) == goal


def test_a_fit_score_too_large_for_a_number_is_refused_not_stored_as_nothing() -> None:
    from mentorkit.models import MentorMatch, validate

    with pytest.raises(InvalidInput, match="Fit score"):
        validate(
            MentorMatch,
            {"mentor_email": "m@example.org", "published_on": "2026-03-02", "score": "9" * 5000},
        )
