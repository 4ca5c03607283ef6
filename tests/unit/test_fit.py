"""Mentor fit: growth areas come first, every reason reads in plain words, order is stable."""

import math
import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit.catalog import SAMPLE_MENTORS
from mentorkit.fit import (
    DEFAULT_WEIGHTS,
    FitWeights,
    MentorFit,
    fit,
    rank_mentors,
    score_matrix,
    time_zone_gap,
)
from mentorkit.models import MeetingFormat, MentoringPreferences, MentorProfile, SelfAssessment
from mentorkit.rosters import read_mentors

JANUARY = date(2026, 1, 15)
JULY = date(2026, 7, 15)


@pytest.fixture(scope="module")
def sample_mentors(framework) -> list[MentorProfile]:
    roster = read_mentors(SAMPLE_MENTORS, framework)
    assert not roster.problems
    assert len(roster.records) == 40
    return roster.records


def mentor(name="Ada Quill", email=None, **fields) -> MentorProfile:
    fields.setdefault("expertise", ["technical-depth"])
    fields.setdefault("capacity", 2)
    email = email or name.lower().replace(" ", ".") + "@example.org"
    return MentorProfile(name=name, email=email, **fields)


def assessment(growth_areas=(), formats=(), time_zone=None, languages=(), values=(), **fields):
    preferences = MentoringPreferences(
        formats=list(formats), time_zone=time_zone, languages=list(languages)
    )
    return SelfAssessment(
        growth_areas=list(growth_areas), values=list(values), preferences=preferences, **fields
    )


def reasons_of(result: MentorFit) -> str:
    return result.summary


# ---------------------------------------------------------------------------------------
# The acceptance test: mentors who cover both top growth areas come first


def covering_both(mentors, first, second):
    return {m.email for m in mentors if first in m.expertise and second in m.expertise}


# Pairs that several sample mentors cover together, and whose covering mentors match these
# logistics badly: they meet by video or chat, live far from New York, speak no Spanish.
ACCEPTANCE_PAIRS = [
    ("data-literacy", "continuous-learning"),
    ("imposter-feelings", "data-literacy"),
    ("continuous-learning", "imposter-feelings"),
]
COVERED_TOGETHER = [*ACCEPTANCE_PAIRS, ("negotiation", "stakeholder-management")]
LOGISTICS_FAVOURING_OTHERS = assessment(
    formats=[MeetingFormat.PHONE, MeetingFormat.IN_PERSON],
    time_zone="America/New_York",
    languages=["Spanish"],
    values=["sales", "rejection", "hospitals", "community"],
)


@pytest.mark.parametrize(("first", "second"), ACCEPTANCE_PAIRS)
def test_mentors_covering_both_top_growth_areas_rank_above_all_others(
    framework, sample_mentors, first, second
):
    wanted = covering_both(sample_mentors, first, second)
    assert len(wanted) >= 2
    participant = LOGISTICS_FAVOURING_OTHERS.model_copy(update={"growth_areas": [first, second]})

    ranked = rank_mentors(participant, sample_mentors, framework, today=JANUARY)

    top = ranked[: len(wanted)]
    assert {item.mentor.email for item in top} == wanted
    names = [framework.competencies()[cid].name.lower() for cid in (first, second)]
    for item in top:
        assert item.covered_growth_areas == (first, second)
        assert all(name in item.summary for name in names)
    # and some of the others really do match format, time zone and language better
    logistics_only = FitWeights(growth_area=0)
    logistics = {
        m.email: fit(participant, m, framework, today=JANUARY, weights=logistics_only).score
        for m in sample_mentors
    }
    best_covering = max(logistics[email] for email in wanted)
    assert any(logistics[item.mentor.email] > best_covering + 3 for item in ranked[len(top) :])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(COVERED_TOGETHER),
    formats=st.lists(st.sampled_from(list(MeetingFormat)), unique=True),
    time_zone=st.sampled_from([None, "America/New_York", "Europe/Madrid", "Pacific/Honolulu"]),
    languages=st.lists(st.sampled_from(["English", "Spanish", "Igbo", "Japanese"]), unique=True),
    values=st.lists(st.sampled_from(["community", "feedback", "growth", "family"]), unique=True),
)
def test_covering_both_wins_whatever_the_logistics(
    framework, sample_mentors, pair, formats, time_zone, languages, values
):
    participant = assessment(pair, formats, time_zone, languages, values)
    ranked = rank_mentors(participant, sample_mentors, framework, today=JANUARY)
    wanted = covering_both(sample_mentors, *pair)
    assert {item.mentor.email for item in ranked[: len(wanted)]} == wanted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_covering_more_growth_areas_always_scores_higher(framework, sample_mentors, data):
    ids = list(framework.competencies())
    growth = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=10, unique=True))
    participant = assessment(
        growth,
        data.draw(st.lists(st.sampled_from(list(MeetingFormat)), unique=True)),
        data.draw(st.sampled_from([None, "Europe/London", "Asia/Tokyo"])),
        data.draw(st.lists(st.sampled_from(["English", "Spanish", "French"]), unique=True)),
        data.draw(st.lists(st.sampled_from(["community", "growth", "data", "team"]), unique=True)),
    )
    fits = [fit(participant, m, framework, today=JANUARY) for m in sample_mentors]
    for a in fits:
        for b in fits:
            if len(a.covered_growth_areas) > len(b.covered_growth_areas):
                assert a.score > b.score


# ---------------------------------------------------------------------------------------
# Growth areas


def test_reasons_name_the_covered_growth_areas_in_the_participants_order(framework):
    participant = assessment(["negotiation", "delegation", "public-speaking"])
    result = fit(participant, mentor(expertise=["public-speaking", "negotiation"]), framework)
    assert result.covered_growth_areas == ("negotiation", "public-speaking")
    assert result.reasons[0] == "covers 2 of your 3 growth areas: negotiation, public speaking"


@pytest.mark.parametrize(
    ("growth", "expertise", "reason"),
    [
        (["negotiation"], ["negotiation"], "covers your growth area: negotiation"),
        (["negotiation"], ["delegation"], "covers none of your growth areas"),
        (
            ["negotiation", "self-advocacy"],
            ["self-advocacy", "negotiation"],
            "covers both your growth areas: negotiation, self-advocacy",
        ),
        (
            ["goal-setting", "job-search", "managing-up"],
            ["managing-up", "goal-setting", "job-search"],
            "covers all 3 of your growth areas: goal setting, job search, managing up",
        ),
        (
            ["goal-setting", "job-search", "managing-up"],
            ["job-search"],
            "covers 1 of your 3 growth areas: job search",
        ),
    ],
)
def test_growth_area_reason(framework, growth, expertise, reason):
    assert fit(assessment(growth), mentor(expertise=expertise), framework).reasons[0] == reason


def test_each_covered_growth_area_earns_its_weight_and_earlier_ones_a_bit_more(framework):
    participant = assessment(["negotiation", "delegation"])
    first = fit(participant, mentor(expertise=["negotiation"]), framework).score
    second = fit(participant, mentor(expertise=["delegation"]), framework).score
    both = fit(participant, mentor(expertise=["negotiation", "delegation"]), framework).score
    none = fit(participant, mentor(expertise=["job-search"]), framework).score
    assert none < second < first < both
    assert first - second < 1
    assert both - none == pytest.approx(2 * DEFAULT_WEIGHTS.growth_area + 0.5)


def test_a_growth_area_missing_from_the_framework_reads_as_words(framework):
    participant = assessment(["basket-weaving"])
    result = fit(participant, mentor(expertise=["basket-weaving"]), framework)
    assert result.reasons[0] == "covers your growth area: basket weaving"


def test_without_growth_areas_the_participant_is_told_and_the_ranking_still_works(framework):
    participant = assessment(formats=[MeetingFormat.PHONE], languages=["French"])
    by_phone = mentor("Bea Phone", formats=[MeetingFormat.PHONE], languages=["French"])
    by_chat = mentor("Abe Chat", formats=[MeetingFormat.CHAT], languages=["German"])
    ranked = rank_mentors(participant, [by_chat, by_phone], framework)
    assert [item.mentor for item in ranked] == [by_phone, by_chat]
    for item in ranked:
        assert item.reasons[0] == "add growth areas in your self-assessment for a better match"
        assert item.covered_growth_areas == ()


# ---------------------------------------------------------------------------------------
# Format, time zone, language, values


@pytest.mark.parametrize(
    ("wanted", "offered", "reason", "matched"),
    [
        (["video", "phone"], ["phone", "video", "chat"], "meets by video or phone", True),
        (["chat", "in person"], ["in person", "chat"], "meets in person or by chat", True),
        ([], ["in person", "video"], "meets in person or by video", True),
        (["chat"], ["video", "phone"], "does not meet by your preferred format (chat)", False),
        (
            ["chat", "in person"],
            ["video"],
            "does not meet by your preferred formats (chat or in person)",
            False,
        ),
        (["video"], [], "has not listed meeting formats", False),
    ],
)
def test_format_reason_and_points(framework, wanted, offered, reason, matched):
    result = fit(assessment(formats=wanted), mentor(formats=offered), framework)
    without = fit(
        assessment(formats=wanted),
        mentor(formats=offered),
        framework,
        weights=FitWeights(format=0),
    )
    assert reason in result.reasons
    assert result.score - without.score == (DEFAULT_WEIGHTS.format if matched else 0)


@pytest.mark.parametrize(
    ("theirs", "on", "reason", "points"),
    [
        ("America/New_York", JANUARY, "5 hours from your time zone", 1.0),
        ("America/New_York", JULY, "5 hours from your time zone", 1.0),
        ("Europe/London", JANUARY, "same time zone", 2.0),
        ("Europe/Paris", JANUARY, "1 hour from your time zone", 2.0),
        ("Europe/Helsinki", JANUARY, "2 hours from your time zone", 2.0),
        ("Asia/Kolkata", JANUARY, "5 hours 30 minutes from your time zone", 1.0),
        ("Asia/Kolkata", JULY, "4 hours 30 minutes from your time zone", 1.0),
        ("America/Los_Angeles", JANUARY, "8 hours from your time zone", 0.0),
        ("Asia/Tokyo", JANUARY, "9 hours from your time zone", 0.0),
    ],
)
def test_time_zone_reason_and_points_at_the_reference_date(framework, theirs, on, reason, points):
    participant = assessment(time_zone="Europe/London")
    result = fit(participant, mentor(time_zone=theirs), framework, today=on)
    unknown = fit(assessment(), mentor(time_zone=theirs), framework, today=on)
    assert reason in result.reasons
    assert result.score - unknown.score == points


def test_summer_time_is_taken_at_the_reference_date():
    # Phoenix keeps standard time all year, London does not
    assert time_zone_gap("Europe/London", "America/Phoenix", JANUARY) == 7
    assert time_zone_gap("Europe/London", "America/Phoenix", JULY) == 8


def test_time_zones_are_compared_on_a_24_hour_clock():
    # UTC+14 and UTC-11 are a day apart on the calendar but one hour apart on the clock
    assert time_zone_gap("Pacific/Kiritimati", "Pacific/Pago_Pago", JANUARY) == 1


@pytest.mark.parametrize(
    ("participant_zone", "mentor_zone"),
    [(None, "Europe/London"), ("Europe/London", None), (None, None)],
)
def test_an_unknown_time_zone_is_left_out(framework, participant_zone, mentor_zone):
    result = fit(assessment(time_zone=participant_zone), mentor(time_zone=mentor_zone), framework)
    assert not any("time zone" in reason for reason in result.reasons)
    assert result.score == fit(assessment(), mentor(), framework).score


def test_a_shared_language_is_named_case_insensitively(framework):
    participant = assessment(languages=["spanish", "English"])
    result = fit(participant, mentor(languages=["English", "Spanish"]), framework)
    assert "speaks Spanish and English" in result.reasons
    assert result.score - fit(assessment(), mentor(), framework).score == 2


def test_no_shared_language_scores_nothing_and_says_so(framework):
    result = fit(assessment(languages=["Spanish"]), mentor(languages=["German"]), framework)
    assert "does not list your preferred language (Spanish)" in result.reasons
    assert result.score == fit(assessment(), mentor(), framework).score


def test_no_language_preference_scores_nothing_and_says_nothing(framework):
    result = fit(assessment(), mentor(languages=["Spanish"]), framework)
    assert not any("speak" in reason or "language" in reason for reason in result.reasons)


def test_values_match_whole_words_in_the_bio_and_count_modestly(framework):
    bio = "Community builder. Cares about Growth, family and fairness; runs a unit."
    base = fit(assessment(), mentor(bio=bio), framework).score
    one = fit(assessment(values=["community", "uni"]), mentor(bio=bio), framework)
    many = fit(
        assessment(values=["growth", "family", "fairness", "community"]),
        mentor(bio=bio),
        framework,
    )
    assert one.score - base == 1
    assert "their bio mentions community" in one.reasons
    assert many.score - base == 2  # at most two shared values count
    assert "their bio mentions growth, family, fairness and community" in many.reasons


def test_the_summary_joins_the_reasons(framework):
    participant = assessment(
        ["negotiation", "public-speaking", "delegation"],
        formats=["video", "phone"],
        time_zone="Europe/Madrid",
        languages=["Spanish"],
    )
    someone = mentor(
        expertise=["public-speaking", "negotiation"],
        formats=["phone", "video"],
        time_zone="Europe/London",
        languages=["Spanish"],
    )
    assert fit(participant, someone, framework, today=JANUARY).summary == (
        "covers 2 of your 3 growth areas: negotiation, public speaking; meets by video or "
        "phone; 1 hour from your time zone; speaks Spanish"
    )


# ---------------------------------------------------------------------------------------
# Capacity and order


def test_a_mentor_without_places_is_listed_last_and_marked(framework):
    participant = assessment(["negotiation"])
    full = mentor("Ann Full", expertise=["negotiation"], capacity=1)
    free = mentor("Zed Free", expertise=["delegation"], capacity=1)
    ranked = rank_mentors(
        participant, [full, free], framework, places_taken={"ANN.FULL@example.org": 1}
    )
    assert [item.mentor for item in ranked] == [free, full]
    assert ranked[1].reasons[0] == "no places left"
    assert ranked[1].places_left == 0
    assert ranked[1].score == 0
    assert ranked[1].covered_growth_areas == ("negotiation",)  # still shows why it would fit
    assert "no places left" not in ranked[0].reasons


def test_places_left_defaults_to_capacity_and_never_goes_below_zero(framework):
    assert fit(assessment(), mentor(capacity=3), framework).places_left == 3
    assert fit(assessment(), mentor(capacity=0), framework).places_left == 0
    assert fit(assessment(), mentor(), framework, places_left=-2).places_left == 0
    ranked = rank_mentors(assessment(), [mentor(capacity=1)], framework, places_taken={})
    assert ranked[0].places_left == 1


def test_ties_go_to_more_places_then_name_then_email(framework):
    equal = dict(expertise=["delegation"], formats=["video"])
    mentors = [
        mentor("bea Lind", "b2@example.org", capacity=1, **equal),
        mentor("Bea Lind", "b1@example.org", capacity=1, **equal),
        mentor("Anna Berg", "a@example.org", capacity=1, **equal),
        mentor("Zoe Moor", "z@example.org", capacity=3, **equal),
        mentor("Carl Full", "c@example.org", capacity=0, **equal),
    ]
    expected = ["z@example.org", "a@example.org", "b1@example.org", "b2@example.org"]
    expected.append("c@example.org")
    for seed in range(5):
        shuffled = random.Random(seed).sample(mentors, len(mentors))
        ranked = rank_mentors(assessment(["delegation"]), shuffled, framework)
        assert [item.mentor.email for item in ranked] == expected


VALUE_WORDS = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(str.strip)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_assessments_rank_every_mentor_once_sorted(framework, sample_mentors, data):
    ids = list(framework.competencies())
    growth = data.draw(st.lists(st.sampled_from(ids), max_size=10, unique=True))
    strengths = data.draw(
        st.lists(st.sampled_from([i for i in ids if i not in growth]), max_size=10, unique=True)
    )
    participant = assessment(
        growth,
        data.draw(st.lists(st.sampled_from(list(MeetingFormat)), unique=True)),
        data.draw(st.sampled_from([None, "UTC", "Asia/Kathmandu", "America/St_Johns"])),
        data.draw(
            st.lists(st.sampled_from(["english", "Spanish", "Igbo", "Klingon"]), unique=True)
        ),
        data.draw(
            st.lists(VALUE_WORDS, max_size=4, unique_by=lambda v: " ".join(v.split()).casefold())
        ),
        strengths=strengths,
    )
    taken = data.draw(
        st.dictionaries(st.sampled_from([m.email for m in sample_mentors]), st.integers(0, 5))
    )
    ranked = rank_mentors(participant, sample_mentors, framework, places_taken=taken)

    assert sorted(item.mentor.email for item in ranked) == sorted(m.email for m in sample_mentors)
    scores = [item.score for item in ranked]
    assert all(score >= 0 for score in scores)
    assert scores == sorted(scores, reverse=True)
    available = [item.available for item in ranked]
    assert available == sorted(available, reverse=True)
    assert all(item.reasons for item in ranked)


# ---------------------------------------------------------------------------------------
# Weights


def test_weights_must_not_be_negative():
    with pytest.raises(ValueError, match="format"):
        FitWeights(format=-1)


def test_weights_change_the_score(framework):
    participant = assessment(["negotiation"], formats=["video"])
    someone = mentor(expertise=["negotiation"], formats=["video"])
    only_growth = FitWeights(format=0, time_zone=0, language=0, shared_values=0, capacity=0)
    assert fit(participant, someone, framework, weights=only_growth).score == pytest.approx(10.5)
    assert fit(participant, someone, framework).score == pytest.approx(14.5)


# ---------------------------------------------------------------------------------------
# The score matrix for cohort matching


def test_score_matrix_has_a_row_per_participant_and_a_column_per_mentor(framework, sample_mentors):
    assessments = {
        "p1": assessment(["negotiation"], formats=["video"], time_zone="Europe/Madrid"),
        "p2": assessment(["public-speaking", "data-literacy"], languages=["English"]),
        "p3": assessment(),
    }
    matrix = score_matrix(assessments, sample_mentors, framework, today=JANUARY)
    assert matrix.shape == (3, 40)
    assert list(matrix.index) == ["p1", "p2", "p3"]
    assert list(matrix.columns) == [m.email for m in sample_mentors]
    for pid, answers in assessments.items():
        for m in sample_mentors:
            value = matrix.loc[pid, m.email]
            if not math.isnan(value):
                assert value == fit(answers, m, framework, today=JANUARY).score


def test_score_matrix_marks_pairs_without_growth_area_or_format_in_common(framework):
    participant = {"p": assessment(["negotiation"], formats=["chat"])}
    neither = mentor("No Match", expertise=["delegation"], formats=["phone"])
    covers = mentor("Covers", expertise=["negotiation"], formats=["phone"])
    chats = mentor("Chats", expertise=["delegation"], formats=["chat", "phone"])
    matrix = score_matrix(participant, [neither, covers, chats], framework)
    assert math.isnan(matrix.loc["p", neither.email])
    assert matrix.loc["p", covers.email] > matrix.loc["p", chats.email] > 0


def test_score_matrix_treats_no_format_preference_as_any_format(framework):
    participant = {"p": assessment()}
    listed = mentor("Listed", formats=["phone"])
    unlisted = mentor("Unlisted", formats=[])
    matrix = score_matrix(participant, [listed, unlisted], framework)
    assert matrix.loc["p", listed.email] > 0
    assert math.isnan(matrix.loc["p", unlisted.email])


def test_score_matrix_ignores_capacity(framework):
    participant = {"p": assessment(["negotiation"])}
    full = mentor(expertise=["negotiation"], capacity=0)
    matrix = score_matrix(participant, [full], framework)
    expected = fit(participant["p"], full, framework, places_left=1).score
    assert matrix.loc["p", full.email] == expected > 0


def test_score_matrix_of_nobody_is_empty(framework, sample_mentors):
    assert score_matrix({}, sample_mentors, framework).shape == (0, 40)
    assert score_matrix({"p": assessment()}, [], framework).shape == (1, 0)


def test_score_matrix_refuses_a_mentor_listed_twice(framework):
    with pytest.raises(ValueError, match="more than once"):
        score_matrix({"p": assessment()}, [mentor(), mentor()], framework)
