"""The cohort seen by the facilitator: progress, counts, workshop scores and introductions."""

import math
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit.cohort import (
    NOT_STARTED,
    SHORTLIST_BONUS,
    STEP_TITLES,
    STEPS,
    StepState,
    cohort_summary,
    introduction_email,
    match_reasons,
    matching_capacity,
    matching_input,
    mentor_activity,
    mentor_totals,
    progress,
    workshop_scores,
)
from mentorkit.fit import fit, score_matrix, shares_a_format
from mentorkit.matching import assign
from mentorkit.mentoring import MentorRequest
from mentorkit.models import (
    CheckIn,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.store import DocumentKey, Saved, open_store

TODAY = date(2026, 3, 2)
CODE = "ABCD-EFGH"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

AMELIA = Participant(name="Amelia Hartley", email="amelia@example.com", department="Engineering")
JOSE = Participant(name="José Rivas", email="jose@example.com")
KIM = Participant(name="Kim Lee", email="kim@example.com")

ZOE = MentorProfile(
    name="Zoë Okonkwo-Hart",
    email="zoe@example.org",
    title="Engineering Manager",
    organization="Northwind Analytics",
    expertise=["public-speaking", "delegation"],
    capacity=3,
    formats=["video"],
    time_zone="Europe/London",
    languages=["English"],
)
MATEO = MentorProfile(
    name="Mateo Ibáñez",
    email="mateo@example.com",
    expertise=["negotiation"],
    capacity=2,
    formats=["in person"],
)
PAT = MentorProfile(
    name="Pat Smith",
    email="pat@example.org",
    expertise=["data-literacy"],
    capacity=1,
    formats=["chat"],
)


def saved(person: Participant, document, *, name: str = "main", at: datetime = T0) -> Saved:
    """A document as `Store.list` returns it."""
    key = DocumentKey(CODE, person.id, type(document).kind, name)
    return Saved(key=key, document=document, revision=1, saved_at=at)


def complete_goal(**changes) -> SmartGoal:
    values = {
        "title": "Give a talk at the team meeting",
        "specific": "Give a 10-minute talk on our release process at the monthly team meeting",
        "measurable": "3 talks given, with written feedback from 2 listeners",
        "achievable": "I have 2 hours a week for it and my manager agreed",
        "relevant": "Public speaking is one of my growth areas",
        "time_bound": "Outline by April, first talk in May",
        "deadline": TODAY + timedelta(days=90),
        "competencies": ["public-speaking"],
    }
    return SmartGoal(**(values | changes))


def only(person: Participant, *documents: Saved) -> dict[str, StepState]:
    [report] = progress([person], documents, today=TODAY)
    return dict(report.steps)


# ---------------------------------------------------------------------------------------
# Progress


def test_steps_and_titles_follow_the_journey():
    assert STEPS == (
        "self_assessment",
        "mentor_shortlist",
        "mentoring_agreement",
        "smart_goal",
        "check_in",
    )
    assert list(STEP_TITLES) == list(STEPS)
    assert STEP_TITLES["mentoring_agreement"] == "Expectations"


def test_without_documents_every_step_is_not_started():
    [report] = progress([AMELIA], [], today=TODAY)
    assert set(report.steps.values()) == {StepState.NOT_STARTED}
    assert report.last_activity is None
    assert report.percent == 0
    assert report.matched_mentor is None and report.shares_plan is False


@pytest.mark.parametrize(
    ("assessment", "state"),
    [
        (SelfAssessment(), StepState.STARTED),
        (SelfAssessment(growth_areas=["negotiation"]), StepState.STARTED),
        (SelfAssessment(ratings={"negotiation": 2}), StepState.STARTED),
        (
            SelfAssessment(ratings={"delegation": 4}, growth_areas=["negotiation"]),
            StepState.DONE,
        ),
    ],
)
def test_self_assessment_is_done_with_a_growth_area_and_a_rating(assessment, state):
    assert only(AMELIA, saved(AMELIA, assessment))["self_assessment"] is state


def test_shortlist_is_done_with_one_mentor():
    assert only(AMELIA, saved(AMELIA, MentorShortlist()))["mentor_shortlist"] is StepState.STARTED
    one = MentorShortlist(entries=[{"mentor_email": ZOE.email}])
    assert only(AMELIA, saved(AMELIA, one))["mentor_shortlist"] is StepState.DONE


@pytest.mark.parametrize(
    ("agreement", "state"),
    [
        (MentoringAgreement(), StepState.STARTED),
        (MentoringAgreement(start_on=TODAY), StepState.STARTED),
        (MentoringAgreement(frequency="monthly"), StepState.STARTED),
        (MentoringAgreement(start_on=TODAY, frequency="monthly"), StepState.DONE),
    ],
)
def test_expectations_are_done_with_a_start_date_and_a_frequency(agreement, state):
    assert only(AMELIA, saved(AMELIA, agreement))["mentoring_agreement"] is state


def test_goals_are_done_when_one_goal_is_complete_on_the_day():
    draft = SmartGoal(title="Speak up more")
    assert only(AMELIA, saved(AMELIA, draft, name="goal-1"))["smart_goal"] is StepState.STARTED
    both = [saved(AMELIA, draft, name="goal-1"), saved(AMELIA, complete_goal(), name="goal-2")]
    assert only(AMELIA, *both)["smart_goal"] is StepState.DONE
    overdue = complete_goal(deadline=TODAY - timedelta(days=1))
    assert only(AMELIA, saved(AMELIA, overdue, name="goal-1"))["smart_goal"] is StepState.STARTED


def test_a_goal_after_the_agreement_ends_is_not_complete_as_in_the_goals_app():
    agreement = MentoringAgreement(
        start_on=TODAY, frequency="monthly", end_on=TODAY + timedelta(days=30)
    )
    documents = [saved(AMELIA, agreement), saved(AMELIA, complete_goal(), name="goal-1")]
    assert only(AMELIA, *documents)["smart_goal"] is StepState.STARTED


def test_one_check_in_is_done():
    check_in = CheckIn(met_on=TODAY, learned="private notes")
    assert only(AMELIA, saved(AMELIA, check_in, name="2026-03-02"))["check_in"] is StepState.DONE


def test_percent_is_the_share_of_steps_done():
    documents = [
        saved(AMELIA, SelfAssessment(ratings={"delegation": 3}, growth_areas=["negotiation"])),
        saved(AMELIA, MentorShortlist(entries=[{"mentor_email": ZOE.email}])),
        saved(AMELIA, MentoringAgreement()),  # started only
    ]
    [report] = progress([AMELIA], documents, today=TODAY)
    assert report.percent == 40
    documents += [
        saved(AMELIA, MentoringAgreement(start_on=TODAY, frequency="monthly"), at=T0),
        saved(AMELIA, complete_goal(competencies=["negotiation"]), name="goal-1"),
        saved(AMELIA, CheckIn(met_on=TODAY), name="c1"),
    ]
    [report] = progress([AMELIA], documents, today=TODAY)
    assert report.percent == 100


def test_last_activity_is_the_latest_own_save_in_utc():
    later = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))  # 10:30 UTC
    documents = [
        saved(AMELIA, SelfAssessment(), at=T0),
        saved(AMELIA, CheckIn(met_on=TODAY), name="c1", at=later),
        # the facilitator's published match is not the participant's activity
        saved(
            AMELIA,
            MentorMatch(mentor_email=ZOE.email, published_on=TODAY),
            at=T0 + timedelta(days=3),
        ),
    ]
    [report] = progress([AMELIA], documents, today=TODAY)
    assert report.last_activity == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert report.last_activity.utcoffset() == timedelta(0)
    assert report.matched_mentor == ZOE.email


def test_reports_follow_the_participants_and_ignore_strangers():
    stranger = Participant(name="Not on the roster")
    documents = [
        saved(stranger, CheckIn(met_on=TODAY), name="c1"),
        saved(JOSE, PlanSharing(shared=True)),
    ]
    reports = progress([KIM, JOSE, AMELIA], documents, today=TODAY)
    assert [r.participant for r in reports] == [KIM, JOSE, AMELIA]
    assert [r.shares_plan for r in reports] == [False, True, False]
    assert all(r.steps["check_in"] is StepState.NOT_STARTED for r in reports)


def test_the_latest_copy_of_a_single_worksheet_counts():
    documents = [
        saved(JOSE, PlanSharing(shared=False), at=T0 + timedelta(hours=1)),
        saved(JOSE, PlanSharing(shared=True), name="old", at=T0),
    ]
    [report] = progress([JOSE], documents, today=TODAY)
    assert report.shares_plan is False


def test_progress_reads_what_a_real_store_returns(tmp_path, framework):
    store = open_store(f"sqlite:///{tmp_path / 'cohort.db'}")
    try:
        workshop = Workshop(name="W", framework=framework)
        store.create_workshop(workshop, "hash")
        store.import_roster(workshop.code, participants=[AMELIA, JOSE], mentors=[ZOE])
        key = DocumentKey(workshop.code, AMELIA.id, "self_assessment")
        store.save(
            key,
            SelfAssessment(ratings={"delegation": 2}, growth_areas=["delegation"]),
            expected_revision=0,
        )
        store.save(
            DocumentKey(workshop.code, AMELIA.id, "smart_goal", "goal-1"),
            complete_goal(competencies=["delegation"]),
            expected_revision=0,
        )
        reports = progress(
            store.participants(workshop.code),
            store.list(workshop.code),
            today=TODAY,
            framework=framework,
        )
    finally:
        store.close()
    by_name = {r.participant.name: r for r in reports}
    amelia = by_name["Amelia Hartley"]
    assert amelia.steps["self_assessment"] is StepState.DONE
    assert amelia.steps["smart_goal"] is StepState.DONE
    assert amelia.last_activity is not None and amelia.last_activity.tzinfo is not None
    assert by_name["José Rivas"].percent == 0


def test_progress_reports_no_free_text():
    secret = "my secret career plan"
    documents = [
        saved(AMELIA, SelfAssessment(career_goal=secret, values=[secret[:50]])),
        saved(AMELIA, complete_goal(title=secret, specific=secret), name="goal-1"),
        saved(AMELIA, CheckIn(met_on=TODAY, learned=secret, topics=[secret]), name="c1"),
    ]
    [report] = progress([AMELIA], documents, today=TODAY)
    shown = repr(report).replace(repr(AMELIA), "")
    assert "secret" not in shown


# ---------------------------------------------------------------------------------------
# Cohort summary


def test_cohort_summary_counts_choices_goals_places_and_steps(framework):
    documents = [
        saved(
            AMELIA,
            SelfAssessment(
                ratings={"delegation": 2},
                growth_areas=["negotiation", "delegation"],
                preferences={"formats": ["video", "phone"], "frequency": "monthly"},
            ),
        ),
        saved(
            JOSE,
            SelfAssessment(
                growth_areas=["negotiation"],
                preferences={"formats": ["video"], "frequency": "weekly"},
            ),
        ),
        # a goal tagged with two communication competencies counts once there
        saved(
            AMELIA,
            complete_goal(competencies=["negotiation", "public-speaking", "delegation"]),
            name="goal-1",
        ),
        saved(JOSE, SmartGoal(title="x", competencies=["negotiation"]), name="goal-1"),
        saved(AMELIA, MentorMatch(mentor_email=ZOE.email, published_on=TODAY)),
        saved(Participant(name="Stranger"), SelfAssessment(growth_areas=["negotiation"])),
    ]
    summary = cohort_summary(framework, [AMELIA, JOSE, KIM], documents, [ZOE, MATEO], today=TODAY)
    assert summary.participants == 3
    assert list(summary.growth_areas) == list(framework.competencies())
    assert summary.growth_areas["negotiation"] == 2
    assert summary.growth_areas["delegation"] == 1
    assert summary.growth_areas["public-speaking"] == 0
    assert summary.formats == {"in person": 0, "video": 2, "phone": 1, "chat": 0}
    assert summary.frequencies == {
        "weekly": 1,
        "every two weeks": 0,
        "monthly": 1,
        "every three months": 0,
    }
    assert list(summary.goals_by_area) == [area.id for area in framework.areas]
    assert summary.goals_by_area["communication"] == 2
    assert summary.goals_by_area["leadership"] == 1
    assert summary.goals_by_area["technical"] == 0
    assert summary.mentor_capacity == 5
    assert summary.mentor_places_used == 1
    assert summary.step_counts["self_assessment"] == {
        StepState.NOT_STARTED: 1,
        StepState.STARTED: 1,
        StepState.DONE: 1,
    }
    assert summary.step_counts["smart_goal"][StepState.DONE] == 1
    assert sum(summary.step_counts["check_in"].values()) == 3


# ---------------------------------------------------------------------------------------
# Workshop scores


def test_workshop_scores_are_participants_by_mentors_from_the_fit_model(framework):
    assessment = SelfAssessment(growth_areas=["public-speaking"])
    documents = [saved(JOSE, assessment)]
    scores = workshop_scores(framework, [KIM, JOSE], [ZOE, MATEO, PAT], documents, today=TODAY)
    assert list(scores.index) == [KIM.id, JOSE.id]
    assert list(scores.columns) == [ZOE.email, MATEO.email, PAT.email]
    plain = score_matrix(
        {KIM.id: SelfAssessment(), JOSE.id: assessment}, [ZOE, MATEO, PAT], framework, today=TODAY
    )
    assert scores.equals(plain)  # nobody shortlisted: exactly the fit scores


def test_shortlist_bonus_is_added_per_choice(framework):
    assessment = SelfAssessment(growth_areas=["public-speaking"], preferences={"formats": []})
    shortlist = MentorShortlist(
        entries=[
            {"mentor_email": MATEO.email},
            {"mentor_email": ZOE.email},
            {"mentor_email": PAT.email},
        ]
    )
    documents = [saved(AMELIA, assessment), saved(AMELIA, shortlist)]
    mentors = [ZOE, MATEO, PAT]
    plain = score_matrix({AMELIA.id: assessment}, mentors, framework, today=TODAY)
    scores = workshop_scores(framework, [AMELIA], mentors, documents, today=TODAY)
    row = scores.loc[AMELIA.id]
    assert row[MATEO.email] == pytest.approx(plain.loc[AMELIA.id, MATEO.email] + 6.0)
    assert row[ZOE.email] == pytest.approx(plain.loc[AMELIA.id, ZOE.email] + 4.0)
    assert row[PAT.email] == pytest.approx(plain.loc[AMELIA.id, PAT.email] + 2.0)
    assert SHORTLIST_BONUS == {1: 6.0, 2: 4.0, 3: 2.0}


def test_choice_one_outweighs_a_format_but_not_a_covered_growth_area():
    assert SHORTLIST_BONUS[1] > 3.0  # FitWeights.format, the largest factor after growth areas
    assert SHORTLIST_BONUS[1] < 10.0  # FitWeights.growth_area


def test_a_shortlisted_mentor_is_acceptable_even_when_fit_says_not(framework):
    # Mateo covers no growth area and meets only in person: not acceptable for a video fan
    assessment = SelfAssessment(
        growth_areas=["public-speaking"], preferences={"formats": ["video"]}
    )
    plain = score_matrix({AMELIA.id: assessment}, [ZOE, MATEO], framework, today=TODAY)
    assert math.isnan(plain.loc[AMELIA.id, MATEO.email])
    shortlist = MentorShortlist(
        entries=[{"mentor_email": ZOE.email}, {"mentor_email": MATEO.email}]
    )
    documents = [saved(AMELIA, assessment), saved(AMELIA, shortlist)]
    scores = workshop_scores(framework, [AMELIA], [ZOE, MATEO], documents, today=TODAY)
    expected = fit(assessment, MATEO, framework, places_left=1, today=TODAY).score + 4.0
    assert scores.loc[AMELIA.id, MATEO.email] == pytest.approx(expected)


def test_a_participant_without_self_assessment_is_scored_with_an_empty_one(framework):
    scores = workshop_scores(framework, [KIM], [ZOE, MATEO], [], today=TODAY)
    plain = score_matrix({KIM.id: SelfAssessment()}, [ZOE, MATEO], framework, today=TODAY)
    assert scores.equals(plain)


def test_shortlisted_mentors_not_in_the_workshop_are_ignored(framework):
    shortlist = MentorShortlist(entries=[{"mentor_email": "gone@example.org"}])
    scores = workshop_scores(framework, [KIM], [ZOE], [saved(KIM, shortlist)], today=TODAY)
    assert list(scores.columns) == [ZOE.email]


def test_a_participant_listed_twice_is_refused(framework):
    with pytest.raises(ValueError, match="more than once"):
        workshop_scores(framework, [KIM, KIM], [ZOE], [], today=TODAY)


# ---------------------------------------------------------------------------------------
# What the matching runs on


def video_only(*growth: str) -> SelfAssessment:
    return SelfAssessment(growth_areas=list(growth), preferences={"formats": ["video"]})


def test_participants_who_have_not_started_are_left_out_unless_asked_for(framework):
    # Kim saved nothing of her own: a published match and a sharing choice are not worksheets.
    documents = [
        saved(AMELIA, video_only("public-speaking")),
        saved(JOSE, complete_goal()),
        saved(KIM, MentorMatch(mentor_email=ZOE.email, published_on=TODAY)),
        saved(KIM, PlanSharing(shared=True)),
    ]
    found = matching_input(framework, [AMELIA, JOSE, KIM], [ZOE], documents, today=TODAY)
    assert list(found.scores.index) == [AMELIA.id, JOSE.id]
    assert found.left_out == {KIM.id: NOT_STARTED}
    assert NOT_STARTED == "has not started any worksheet"
    everybody = matching_input(
        framework, [AMELIA, JOSE, KIM], [ZOE], documents, today=TODAY, include_not_started=True
    )
    assert list(everybody.scores.index) == [AMELIA.id, JOSE.id, KIM.id]
    assert everybody.left_out == {}


def test_a_locked_participant_is_matched_even_before_starting(framework):
    found = matching_input(
        framework, [AMELIA, KIM], [ZOE], [], today=TODAY, locked=[(KIM.id, ZOE.email)]
    )
    assert list(found.scores.index) == [KIM.id]
    assert found.left_out == {AMELIA.id: NOT_STARTED}


def test_pairs_with_no_meeting_format_in_common_are_ruled_out_with_the_reason(framework):
    documents = [saved(AMELIA, video_only("negotiation")), saved(JOSE, SelfAssessment())]
    anyhow = MentorProfile(
        name="Any Way", email="any@example.org", expertise=["negotiation"], capacity=1
    )
    mentors = [ZOE, MATEO, PAT, anyhow]
    found = matching_input(framework, [AMELIA, JOSE], mentors, documents, today=TODAY)
    # Amelia meets by video: Mateo (in person) and Pat (chat) are out; Zoë (video) and a
    # mentor who states no format are in; José states no format, so every mentor suits him.
    assert found.no_common_format == {
        (AMELIA.id, MATEO.email): (
            "no meeting format in common: Amelia Hartley meets by video, Mateo Ibáñez in person"
        ),
        (AMELIA.id, PAT.email): (
            "no meeting format in common: Amelia Hartley meets by video, Pat Smith by chat"
        ),
    }
    off = matching_input(
        framework, [AMELIA, JOSE], mentors, documents, today=TODAY, forbid_no_common_format=False
    )
    assert off.no_common_format == {}
    assert off.scores.equals(found.scores)


def test_shares_a_format_when_either_side_states_none():
    assert shares_a_format(["video"], ["video", "phone"])
    assert not shares_a_format(["video"], ["in person"])
    assert shares_a_format([], ["in person"])
    assert shares_a_format(["video"], [])


def test_a_video_only_mentee_gets_her_first_choice_not_an_in_person_mentor(framework):
    """Mateo covers Amelia's growth area but meets only in person; Zoë, her first choice,
    meets by video. The fit alone prefers Mateo; without a common format he is ruled out."""
    documents = [
        saved(AMELIA, video_only("negotiation")),
        saved(AMELIA, MentorShortlist(entries=[{"mentor_email": ZOE.email}])),
    ]
    mentors = [ZOE, MATEO]
    found = matching_input(framework, [AMELIA], mentors, documents, today=TODAY)
    capacity = pd.Series({m.email: m.capacity for m in mentors})
    unruled = assign(found.scores, capacity)
    assert list(unruled["mentor"]) == [MATEO.email]  # what happened before the rule
    for mode in ("score", "participation"):
        pairs = assign(
            found.scores, capacity, forbidden=list(found.no_common_format), maximize=mode
        )
        assert list(pairs["mentor"]) == [ZOE.email], mode


def test_a_locked_pair_is_never_ruled_out_and_always_has_a_score(framework):
    # Mateo covers none of Amelia's growth areas and meets only in person: no fit score.
    documents = [saved(AMELIA, video_only("public-speaking"))]
    plain = matching_input(framework, [AMELIA], [ZOE, MATEO], documents, today=TODAY)
    assert math.isnan(plain.scores.loc[AMELIA.id, MATEO.email])
    assert (AMELIA.id, MATEO.email) in plain.no_common_format
    found = matching_input(
        framework, [AMELIA], [ZOE, MATEO], documents, today=TODAY, locked=[(AMELIA.id, MATEO.email)]
    )
    expected = fit(video_only("public-speaking"), MATEO, framework, places_left=1, today=TODAY)
    assert found.scores.loc[AMELIA.id, MATEO.email] == pytest.approx(expected.score)
    assert found.no_common_format == {}


# ---------------------------------------------------------------------------------------
# Reasons and introductions


def test_match_reasons_are_the_fit_summary_with_the_shortlist_choice(framework):
    assessment = SelfAssessment(
        growth_areas=["public-speaking"], preferences={"formats": ["video"]}
    )
    summary = fit(assessment, ZOE, framework, places_left=1, today=TODAY).summary
    assert match_reasons(framework, assessment, ZOE, None, today=TODAY) == summary
    with_choice = match_reasons(framework, assessment, ZOE, 1, today=TODAY)
    assert with_choice == summary + "; you shortlisted them as choice 1"
    assert "covers your growth area: public speaking" in with_choice
    assert "growth areas" in match_reasons(framework, None, ZOE, None, today=TODAY)


def test_introduction_email_introduces_both_and_proposes_a_first_meeting(framework):
    workshop = Workshop(name="Spring mentoring cohort", framework=framework)
    reasons = "covers your growth area: public speaking; meets by video; you shortlisted them"
    email = introduction_email(AMELIA, ZOE, workshop, reasons)
    lines = email.splitlines()
    assert lines[0].startswith("Subject: ") and "Amelia Hartley" in lines[0]
    assert "Zoë Okonkwo-Hart" in lines[0]
    assert "Hello Amelia and Zoë," in email
    assert "- Covers your growth area: public speaking" in email
    assert "- Meets by video" in email
    assert "30-minute" in email and "two weeks" in email
    assert ZOE.email in email and AMELIA.email in email
    assert email.rstrip().endswith("Your workshop facilitator")
    assert "<" not in email


def test_introduction_email_leaves_out_reasons_against_the_pairing(framework):
    workshop = Workshop(name="W", framework=framework)
    email = introduction_email(AMELIA, MATEO, workshop, "covers none of your growth areas")
    assert "covers none" not in email.casefold()
    assert "work well together" in email


def test_introduction_email_keeps_hostile_text_as_plain_text(framework):
    hostile = '<img src=x onerror=alert(1)> & =HYPERLINK("http://x","y")'
    person = Participant(name=hostile, email="h@example.com", department="<b>R&D</b>")
    mentor = MentorProfile(
        name="<script>alert(1)</script>",
        email="m@example.org",
        expertise=["delegation"],
        capacity=1,
    )
    workshop = Workshop(name="Cohort <i>2026</i>", framework=framework)
    email = introduction_email(person, mentor, workshop, "speaks <u>English</u>")
    assert hostile in email
    assert "<script>alert(1)</script>" in email
    assert "<b>R&D</b>" in email and "Cohort <i>2026</i>" in email
    assert "- Speaks <u>English</u>" in email
    assert "&lt;" not in email and "&amp;" not in email


# ---------------------------------------------------------------------------------------
# Robustness

PEOPLE = [AMELIA, JOSE, KIM]
COMPETENCIES = ["negotiation", "delegation", "public-speaking", "unknown-thing"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
)


def _safe(build):
    """Documents from random parts; combinations the models refuse are skipped."""

    def make(**parts):
        try:
            return build(**parts)
        except ValueError:
            return None

    return make


documents = st.one_of(
    st.builds(
        _safe(SelfAssessment),
        ratings=st.dictionaries(st.sampled_from(COMPETENCIES), st.integers(1, 5), max_size=4),
        growth_areas=st.lists(st.sampled_from(COMPETENCIES), unique=True, max_size=3),
        preferences=st.fixed_dictionaries(
            {
                "formats": st.lists(
                    st.sampled_from(["video", "phone", "chat", "in person"]),
                    unique=True,
                    max_size=4,
                ),
                "frequency": st.none() | st.sampled_from(["weekly", "monthly"]),
            }
        ),
    ),
    st.builds(
        _safe(MentorShortlist),
        entries=st.lists(
            st.fixed_dictionaries({"mentor_email": st.sampled_from([ZOE.email, MATEO.email])}),
            max_size=2,
            unique_by=lambda e: e["mentor_email"],
        ),
    ),
    st.builds(
        _safe(MentoringAgreement),
        start_on=st.none() | days,
        frequency=st.none() | st.just("monthly"),
        end_on=st.none() | days,
    ),
    st.builds(
        _safe(SmartGoal),
        title=text.filter(str.strip) | st.just("x"),
        specific=text,
        measurable=text,
        achievable=text,
        relevant=text,
        time_bound=text,
        deadline=st.none() | days,
        competencies=st.lists(st.sampled_from(COMPETENCIES), unique=True, max_size=3),
    ),
    st.builds(_safe(CheckIn), met_on=days, learned=text),
    st.builds(_safe(MentorMatch), mentor_email=st.just(ZOE.email), published_on=days),
    st.builds(_safe(PlanSharing), shared=st.booleans()),
)
saved_documents = st.builds(
    lambda person, document, name, at: (
        None if document is None else saved(person, document, name=name, at=at)
    ),
    st.sampled_from([*PEOPLE, Participant(name="Stranger")]),
    documents,
    st.sampled_from(["main", "goal-1", "goal-2"]),
    moments,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(saved_documents, max_size=25), today=days)
def test_progress_and_summary_never_fail_on_random_documents(framework, items, today):
    items = [item for item in items if item is not None]
    reports = progress(PEOPLE, items, today=today, framework=framework)
    assert len(reports) == len(PEOPLE)
    for report in reports:
        assert set(report.steps) == set(STEPS)
        assert 0 <= report.percent <= 100
    summary = cohort_summary(framework, PEOPLE, items, [ZOE, MATEO], today=today)
    assert all(sum(states.values()) == len(PEOPLE) for states in summary.step_counts.values())


# -- mentors who take no new mentees ---------------------------------------------------------


def test_a_mentor_not_taking_new_mentees_has_only_their_locked_places_in_the_matching():
    closed = ZOE.model_copy(update={"open_to_new_mentees": False})
    later = MATEO.model_copy(update={"open_from": TODAY + timedelta(days=1)})
    locked = [(AMELIA.id, ZOE.email), (JOSE.id, ZOE.email), (KIM.id, MATEO.email)]
    assert matching_capacity([closed, later], locked, today=TODAY) == {
        ZOE.email: 2,  # keeps the two locked to her, nobody new
        MATEO.email: min(MATEO.capacity, 1),
    }
    assert matching_capacity([closed, later], [], today=TODAY) == {ZOE.email: 0, MATEO.email: 0}
    # From the day they gave, and with the switch on, the whole capacity again.
    assert matching_capacity([ZOE, later], [], today=TODAY + timedelta(days=1)) == {
        ZOE.email: ZOE.capacity,
        MATEO.email: MATEO.capacity,
    }
    # More locks than places: the capacity is the most, so the matching says the lock
    # cannot hold, as it does for any full mentor.
    many = [(f"{n:032x}", ZOE.email) for n in range(ZOE.capacity + 2)]
    assert matching_capacity([closed], many, today=TODAY) == {ZOE.email: ZOE.capacity}


def request(email: str, state: str, *, message: str = "Hello") -> MentorRequest:
    answered = state in ("accepted", "declined")
    return MentorRequest(
        mentor_email=email,
        message=message,
        state=state,
        sent_at=T0,
        withdrawn_at=T0 if state == "withdrawn" else None,
        answered_at=T0 if answered else None,
        answered_by="mentor" if answered else None,
        reply="Thanks" if answered else "",
    )


def test_mentor_activity_counts_requests_answers_and_sign_in_per_mentor():
    closed = ZOE.model_copy(update={"open_to_new_mentees": False})
    requests = {
        AMELIA.id: [request(ZOE.email, "accepted"), request(MATEO.email, "withdrawn")],
        JOSE.id: [request(ZOE.email, "declined"), request(MATEO.email, "sent")],
        KIM.id: [request(ZOE.email, "sent"), request("gone@example.org", "sent")],
    }
    zoe, mateo = mentor_activity(
        [closed, MATEO],
        requests,
        invited={ZOE.email, MATEO.email},
        signed_in={ZOE.email},
        today=TODAY,
    )
    assert (zoe.received, zoe.answered, zoe.accepted, zoe.declined, zoe.waiting) == (3, 2, 1, 1, 1)
    assert zoe.invited and zoe.signed_in and not zoe.taking_new_mentees
    assert zoe.availability == "not taking new mentees"
    assert (mateo.received, mateo.waiting, mateo.withdrawn) == (1, 1, 1)
    assert mateo.invited and not mateo.signed_in and mateo.taking_new_mentees
    totals = mentor_totals([zoe, mateo])
    assert (totals.mentors, totals.invited, totals.signed_in, totals.taking_new_mentees) == (
        2,
        2,
        1,
        1,
    )
    assert (totals.received, totals.answered, totals.waiting, totals.withdrawn) == (4, 2, 2, 1)
    # Counts only: no message or reply is kept.
    assert "Hello" not in repr(zoe) and "Thanks" not in repr(totals)
