"""Outreach drafts: polite, short, specific to the mentor, and safe with any text."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit.catalog import SAMPLE_MENTORS
from mentorkit.models import (
    MeetingFormat,
    MentoringPreferences,
    MentorProfile,
    Participant,
    SelfAssessment,
)
from mentorkit.outreach import MAX_WORDS, MIN_WORDS, bio_clause, outreach_message
from mentorkit.rosters import read_mentors

LENA = Participant(name="Lena Fischer", email="lena@example.org")
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def sample_mentors(framework) -> list[MentorProfile]:
    return read_mentors(SAMPLE_MENTORS, framework).records


@pytest.fixture
def mateo(sample_mentors) -> MentorProfile:
    return next(m for m in sample_mentors if m.name == "Mateo Ibáñez")


def answers(growth_areas=(), formats=(), career_goal="", **fields) -> SelfAssessment:
    return SelfAssessment(
        growth_areas=list(growth_areas),
        career_goal=career_goal,
        preferences=MentoringPreferences(formats=list(formats)),
        **fields,
    )


def words(text: str) -> int:
    return len(text.split())


def test_a_draft_greets_the_mentor_names_their_work_and_asks_for_a_short_meeting(framework, mateo):
    assessment = answers(["negotiation", "delegation", "stakeholder-management"], ["phone"])
    draft = outreach_message(
        LENA,
        mateo,
        assessment,
        framework,
        goals=["Negotiate a fair salary for my next role by June"],
        workshop_name="Spring 2026 cohort",
    )
    lines = draft.splitlines()
    assert (
        lines[0] == "Subject: Mentoring request: guidance on negotiation and stakeholder management"
    )
    assert "Dear Mateo," in lines
    assert "Head of Partnerships at Copperleaf Energy" in draft
    assert '"Negotiated the first community solar agreements in three Andalusian towns"' in draft
    assert "Negotiate a fair salary for my next role by June" in draft
    assert "guidance on negotiation and stakeholder management" in draft
    assert "delegation" not in draft  # Mateo does not cover it
    assert "30-minute phone call within the next two weeks" in draft
    assert '"Spring 2026 cohort"' in draft
    assert "Thank you" in draft
    assert lines[-1] == "Lena Fischer"
    assert MIN_WORDS <= words(draft) <= MAX_WORDS


def test_several_goals_are_listed_and_at_most_three(framework, mateo):
    goals = ["Lead the Q3 pricing talk", "Ask for a raise", "Run a team retro", "Fourth goal"]
    draft = outreach_message(LENA, mateo, answers(["negotiation"]), framework, goals=goals)
    assert "- Lead the Q3 pricing talk\n- Ask for a raise\n- Run a team retro" in draft
    assert "Fourth goal" not in draft


def test_without_goals_the_career_goal_is_stated(framework, mateo):
    assessment = answers(["negotiation"], career_goal="Become a team lead within two years")
    draft = outreach_message(LENA, mateo, assessment, framework, goals=["  "])
    assert 'My career goal, in my own words: "Become a team lead within two years."' in draft


def test_without_goals_or_career_goal_the_top_growth_areas_are_stated(framework, mateo):
    assessment = answers(["public-speaking", "negotiation", "delegation", "job-search"])
    draft = outreach_message(LENA, mateo, assessment, framework)
    assert "I want to grow in public speaking, negotiation and delegation," in draft
    assert "job search" not in draft


def test_empty_fields_fall_back_to_sensible_wording(framework):
    bare = MentorProfile(name="Ada", email="ada@example.org", expertise=["delegation"], capacity=1)
    draft = outreach_message(LENA, bare, answers(), framework)
    assert draft.startswith("Subject: Mentoring request from Lena Fischer\n")
    assert "Dear Ada," in draft
    assert "Your profile caught my attention" in draft
    assert '""' not in draft and "in particular" not in draft
    assert "I am still shaping my goals" in draft
    assert "drawing on your experience in delegation" in draft
    assert "30-minute conversation within the next two weeks" in draft
    assert "career-mentoring workshop" in draft
    assert MIN_WORDS <= words(draft) <= MAX_WORDS


def test_a_mentor_who_covers_none_of_the_growth_areas_is_asked_for_perspective(framework, mateo):
    draft = outreach_message(LENA, mateo, answers(["delegation"]), framework)
    assert "Subject: Mentoring request from Lena Fischer" in draft
    assert "perspective on my next steps, drawing on your experience in negotiation and" in draft


@pytest.mark.parametrize(
    ("wanted", "offered", "meeting"),
    [
        (["in person", "video"], ["video", "in person"], "30-minute in-person chat"),
        (["chat"], ["video", "chat"], "30-minute online chat"),
        ([], ["phone", "video"], "30-minute phone call"),
        (["in person"], ["video"], "30-minute video call"),  # the mentor's own format
        (["phone"], [], "30-minute phone call"),
    ],
)
def test_the_first_meeting_uses_a_format_that_suits_both(framework, wanted, offered, meeting):
    someone = MentorProfile(
        name="Ada Quill",
        email="ada@example.org",
        expertise=["delegation"],
        capacity=1,
        formats=offered,
    )
    draft = outreach_message(LENA, someone, answers(formats=wanted), framework)
    assert f"{meeting} within the next two weeks" in draft


@pytest.mark.parametrize(
    ("bio", "clause"),
    [
        ("Leads a data team; mentors new leads.", "Leads a data team"),
        ("Runs a lab.\nHappy to help.", "Runs a lab"),
        ("Built things. Then more things.", "Built things"),
        (
            "Negotiated the first community solar agreements in three Andalusian towns, and "
            "helps mentees prepare for difficult commercial conversations.",
            "Negotiated the first community solar agreements in three Andalusian towns",
        ),
        (
            "one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen",
            "one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen…",
        ),
        ("", ""),
    ],
)
def test_the_bio_is_shortened_to_its_opening_clause(bio, clause):
    assert bio_clause(bio) == clause


def test_hostile_text_passes_through_as_plain_text(framework, mateo):
    participant = Participant(name=HOSTILE, email="x@example.org")
    odd_mentor = mateo.model_copy(update={"bio": HOSTILE, "title": HOSTILE})
    assessment = answers(["negotiation"], career_goal=HOSTILE, values=[HOSTILE])
    draft = outreach_message(
        participant, odd_mentor, assessment, framework, goals=[HOSTILE], workshop_name=HOSTILE
    )
    assert draft.count(HOSTILE) >= 4  # name (twice), goal, workshop, title
    assert draft.splitlines()[-1] == HOSTILE
    assert "&lt;" not in draft


def test_every_sample_mentor_gets_a_draft_within_the_length_bounds(framework, sample_mentors):
    assessments = [
        answers(),
        answers(["negotiation", "public-speaking", "data-literacy"], ["video"]),
        answers(["job-search"], career_goal="Move into product management. " * 20),
    ]
    goal_sets = [(), ("Give a ten-minute talk at the March all-hands meeting",) * 3]
    for m in sample_mentors:
        for assessment in assessments:
            for goals in goal_sets:
                draft = outreach_message(
                    LENA, m, assessment, framework, goals=goals, workshop_name="Spring cohort"
                )
                assert MIN_WORDS <= words(draft) <= MAX_WORDS, draft
                assert draft.startswith("Subject: ")
                assert "<" not in draft


TEXT = st.characters(blacklist_categories=("Cs", "Cc"))


def line(max_size: int, min_size: int = 0):
    return st.text(TEXT, min_size=min_size, max_size=max_size)


def wordy(max_size: int):
    """Long runs of one-letter words: the worst case for a word count."""
    return st.integers(0, max_size // 2).map(lambda n: "a " * n)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.one_of(line(120), wordy(120)).filter(str.strip),
    mentor_name=st.one_of(line(120), wordy(120)).filter(str.strip),
    title=st.one_of(line(120), wordy(120)),
    organization=st.one_of(line(120), wordy(120)),
    bio=st.one_of(line(1000), wordy(1000)),
    career_goal=st.one_of(line(1000), wordy(1000)),
    goals=st.lists(st.one_of(line(200), wordy(200)), max_size=5),
    workshop=st.one_of(line(120), wordy(120)),
    growth=st.lists(st.sampled_from(["negotiation", "delegation", "job-search"]), unique=True),
    formats=st.lists(st.sampled_from(list(MeetingFormat)), unique=True),
)
def test_any_input_gives_a_draft_within_the_length_bounds(
    framework,
    name,
    mentor_name,
    title,
    organization,
    bio,
    career_goal,
    goals,
    workshop,
    growth,
    formats,
):
    participant = Participant(name=name, email="p@example.org")
    someone = MentorProfile(
        name=mentor_name,
        email="m@example.org",
        title=title,
        organization=organization,
        bio=bio,
        expertise=["negotiation", "job-search"],
        capacity=1,
        formats=formats,
    )
    assessment = answers(growth, formats, career_goal=career_goal)
    draft = outreach_message(
        participant, someone, assessment, framework, goals=goals, workshop_name=workshop
    )
    assert MIN_WORDS <= words(draft) <= MAX_WORDS
    assert draft.startswith("Subject: ")
    assert f"Dear {mentor_name.split()[0]}," in draft
