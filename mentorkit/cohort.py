"""The cohort as the facilitator sees it: progress, aggregates, mentors' activity, workshop
scores, introductions.

Pure functions over documents the caller read from the store (`Store.list`): no widgets, no
I/O. What a participant wrote stays private unless they share their plan, so `progress` and
`cohort_summary` read only whether each worksheet is done and when it was saved, plus the
structured choices that the cohort charts count (growth areas, formats, frequencies, goal
tags); no free text leaves this module except in `match_reasons` and `introduction_email`,
which the facilitator needs to introduce a matched pair. `mentor_activity` counts each
mentor's requests and answers, never their message or reply.

Workshop scores (`workshop_scores`) are the participant's own fit scores (`fit.score_matrix`,
the same model as their mentor list) plus `SHORTLIST_BONUS` for the mentors they shortlisted.
`matching_input` turns them into what the cohort matching runs on: participants who have not
started any worksheet are left out by default, pairs with no meeting format in common are
ruled out by default, and the facilitator's locks win over both. A mentor who takes no new
mentees gets none from the matching: their places are only the pairs locked to them
(`matching_capacity`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from mentorkit.fit import fit, formats_phrase, score_matrix, shares_a_format
from mentorkit.mentoring import (
    Answer,
    MentorRequest,
    RequestState,
    availability_words,
    requests_of,
    taking_new_mentees,
)
from mentorkit.models import (
    CheckIn,
    Document,
    Framework,
    Frequency,
    MeetingFormat,
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
from mentorkit.smart import is_complete
from mentorkit.worksheets import numbered_kinds, progress_steps, single_kinds, step_titles

if TYPE_CHECKING:
    import pandas as pd

    from mentorkit.store import Saved

__all__ = [
    "NOT_STARTED",
    "SHORTLIST_BONUS",
    "STEPS",
    "STEP_TITLES",
    "CohortSummary",
    "MatchingInput",
    "MentorActivity",
    "MentorTotals",
    "ParticipantProgress",
    "StepState",
    "cohort_summary",
    "introduction_email",
    "match_reasons",
    "matching_capacity",
    "matching_input",
    "mentor_activity",
    "mentor_totals",
    "progress",
    "shortlist_choices",
    "workshop_scores",
]

#: The participant's worksheets that count as steps to be done, in the order of the journey
#: (their document kinds; see `mentorkit.worksheets`).
STEPS: tuple[str, ...] = progress_steps()

#: Each step's title as the apps name it.
STEP_TITLES: Mapping[str, str] = step_titles()

#: Points added to the fit score of the mentor a participant shortlisted as choice 1, 2 or 3.
#: Choice 1 (6) outweighs any single format (3), time-zone (2) or language (2) factor, but not
#: a covered growth area (10): the matching follows the participant's wish unless another
#: mentor covers more of what they want to grow in.
SHORTLIST_BONUS: Mapping[int, float] = {1: 6.0, 2: 4.0, 3: 2.0}

#: Why `matching_input` leaves a participant out by default.
NOT_STARTED = "has not started any worksheet"

#: Kinds a participant keeps one of (the latest saved counts); goals and check-ins are many.
_SINGLE_KINDS = single_kinds() | {MentorMatch.kind}
_NUMBERED_KINDS = frozenset(numbered_kinds())


class StepState(StrEnum):
    NOT_STARTED = "not started"
    STARTED = "started"
    DONE = "done"


@dataclass(frozen=True)
class ParticipantProgress:
    """How far one participant got: a state per step, no content."""

    participant: Participant
    steps: Mapping[str, StepState]
    last_activity: datetime | None  # latest save of their own documents, aware UTC
    matched_mentor: str | None  # mentor email from a published MentorMatch
    shares_plan: bool

    @property
    def percent(self) -> int:
        """The share of `STEPS` done, 0 to 100."""
        done = sum(self.steps.get(step) is StepState.DONE for step in STEPS)
        return round(100 * done / len(STEPS))


@dataclass(frozen=True)
class CohortSummary:
    """Counts for the cohort charts; every mapping lists all its keys, zeros included."""

    participants: int
    growth_areas: Mapping[str, int]  # competency id → participants naming it
    formats: Mapping[str, int]  # MeetingFormat value → participants preferring it
    frequencies: Mapping[str, int]  # Frequency value → participants preferring it
    goals_by_area: Mapping[str, int]  # area id → SMART goals tagged with one of its competencies
    mentor_capacity: int  # sum of the mentors' capacities
    mentor_places_used: int  # published matches
    step_counts: Mapping[str, Mapping[StepState, int]]  # step → state → participants


# ---------------------------------------------------------------------------------------
# Documents grouped by participant


@dataclass
class _Documents:
    """One participant's documents: the latest of each single kind, all goals and check-ins."""

    single: dict[str, Saved] = field(default_factory=dict)
    numbered: dict[str, list[Saved]] = field(default_factory=dict)  # kind → every one saved
    last_activity: datetime | None = None

    @property
    def goals(self) -> list[Saved]:
        return self.numbered.get(SmartGoal.kind, [])

    @property
    def check_ins(self) -> list[Saved]:
        return self.numbered.get(CheckIn.kind, [])

    def of_kind(self, kind: str) -> list[Saved]:
        """Every saved document of `kind` that counts: the latest one, or all numbered ones."""
        return [self.single[kind]] if kind in self.single else self.numbered.get(kind, [])

    def get(self, kind: type[Document]) -> Document | None:
        saved = self.single.get(kind.kind)
        return saved.document if saved is not None else None


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken to be UTC already, as the store writes)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _group(participants: Sequence[Participant], saved: Iterable[Saved]) -> dict[str, _Documents]:
    """The documents of each listed participant; documents of anybody else are ignored."""
    grouped = {p.id: _Documents() for p in participants}
    for item in saved:
        docs = grouped.get(item.key.participant)
        if docs is None:
            continue
        kind = item.key.kind
        moment = _utc(item.saved_at)
        if kind in _SINGLE_KINDS:
            current = docs.single.get(kind)
            if current is None or _utc(current.saved_at) <= moment:
                docs.single[kind] = item
        elif kind in _NUMBERED_KINDS:
            docs.numbered.setdefault(kind, []).append(item)
        # A published match is written by the facilitator, not the participant.
        if kind != MentorMatch.kind and (docs.last_activity is None or moment > docs.last_activity):
            docs.last_activity = moment
    return grouped


# ---------------------------------------------------------------------------------------
# Progress


def _self_assessment_state(assessment: SelfAssessment | None) -> StepState:
    if assessment is None:
        return StepState.NOT_STARTED
    if assessment.growth_areas and assessment.ratings and not assessment.needs_attention:
        return StepState.DONE
    return StepState.STARTED


def _shortlist_state(shortlist: MentorShortlist | None) -> StepState:
    if shortlist is None:
        return StepState.NOT_STARTED
    done = shortlist.entries and not shortlist.needs_attention
    return StepState.DONE if done else StepState.STARTED


def _agreement_state(agreement: MentoringAgreement | None) -> StepState:
    if agreement is None:
        return StepState.NOT_STARTED
    if (
        agreement.start_on is not None
        and agreement.frequency is not None
        and not agreement.needs_attention
    ):
        return StepState.DONE
    return StepState.STARTED


def _goals_state(docs: _Documents, today: date, framework: Framework | None) -> StepState:
    goals = [s.document for s in docs.goals if isinstance(s.document, SmartGoal)]
    if not goals:
        return StepState.NOT_STARTED
    assessment = docs.get(SelfAssessment)
    agreement = docs.get(MentoringAgreement)
    growth = assessment.growth_areas if isinstance(assessment, SelfAssessment) else []
    end = agreement.end_on if isinstance(agreement, MentoringAgreement) else None
    for goal in goals:
        if not goal.needs_attention and is_complete(
            goal, today=today, growth_areas=growth, framework=framework, agreement_end=end
        ):
            return StepState.DONE
    return StepState.STARTED


def _saved_state(docs: _Documents, kind: str) -> StepState:
    """The state of a step without a rule of its own: started once saved, done once a
    saved document needs no fixing."""
    found = docs.of_kind(kind)
    if not found:
        return StepState.NOT_STARTED
    done = any(not saved.document.needs_attention for saved in found)
    return StepState.DONE if done else StepState.STARTED


def _step_state(kind: str, docs: _Documents, today: date, framework: Framework | None) -> StepState:
    """Where one participant stands on the step of `kind` (see `progress`)."""
    if kind == SelfAssessment.kind:
        assessment = docs.get(SelfAssessment)
        return _self_assessment_state(
            assessment if isinstance(assessment, SelfAssessment) else None
        )
    if kind == MentorShortlist.kind:
        shortlist = docs.get(MentorShortlist)
        return _shortlist_state(shortlist if isinstance(shortlist, MentorShortlist) else None)
    if kind == MentoringAgreement.kind:
        agreement = docs.get(MentoringAgreement)
        return _agreement_state(agreement if isinstance(agreement, MentoringAgreement) else None)
    if kind == SmartGoal.kind:
        return _goals_state(docs, today, framework)
    if kind == CheckIn.kind:
        return StepState.DONE if docs.check_ins else StepState.NOT_STARTED
    return _saved_state(docs, kind)


def _progress_of(
    participant: Participant, docs: _Documents, today: date, framework: Framework | None
) -> ParticipantProgress:
    match = docs.get(MentorMatch)
    sharing = docs.get(PlanSharing)
    steps = {kind: _step_state(kind, docs, today, framework) for kind in STEPS}
    return ParticipantProgress(
        participant=participant,
        steps=steps,
        last_activity=docs.last_activity,
        matched_mentor=match.mentor_email if isinstance(match, MentorMatch) else None,
        shares_plan=isinstance(sharing, PlanSharing) and sharing.shared,
    )


def progress(
    participants: Sequence[Participant],
    saved: Iterable[Saved],
    *,
    today: date,
    framework: Framework | None = None,
) -> list[ParticipantProgress]:
    """Each participant's progress through the worksheets, in `participants` order.

    A step is *started* once any document of its kind is saved, and *done* when:

    - self-assessment: at least one growth area is picked and one competency rated;
    - mentor shortlist: at least one mentor is on it;
    - expectations (mentoring agreement): a start date and a meeting frequency are set;
    - SMART goals: at least one goal is complete (`smart.is_complete` on `today`, with the
      participant's growth areas and agreement end date, as the SMART goals app checks it);
      `framework` gives competency names for that check;
    - check-ins: at least one check-in is saved;
    - any other worksheet (`mentorkit.worksheets`): a saved document needs no fixing.

    A worksheet holding input that needs fixing (`Document.needs_attention`) is never done.

    `last_activity` is the latest save of any of the participant's own documents (the
    facilitator's published match does not count). Documents of people not in
    `participants` are ignored; of a worksheet kept once per participant, the latest saved
    copy counts. Only states and timestamps come out: no note, goal or check-in text.
    """
    grouped = _group(participants, saved)
    return [_progress_of(p, grouped[p.id], today, framework) for p in participants]


def cohort_summary(
    framework: Framework,
    participants: Sequence[Participant],
    saved: Iterable[Saved],
    mentors: Sequence[MentorProfile],
    *,
    today: date,
) -> CohortSummary:
    """Counts across the cohort for the dashboard charts.

    Growth areas list every framework competency in framework order (then ids the framework
    no longer knows); formats and frequencies every choice in the order the apps show them;
    goals by area every area: a goal counts once in each area it has a tagged competency in.
    Places used are the published matches of the listed participants.
    """
    grouped = _group(participants, saved)
    competencies = framework.competencies()
    area_of = {
        cid: area.id for area in framework.areas for cid in (c.id for c in area.competencies)
    }
    growth: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    frequencies: Counter[str] = Counter()
    goals_by_area: Counter[str] = Counter()
    places_used = 0
    step_counts: dict[str, Counter[StepState]] = {step: Counter() for step in STEPS}

    for participant in participants:
        docs = grouped[participant.id]
        report = _progress_of(participant, docs, today, framework)
        for step, state in report.steps.items():
            step_counts[step][state] += 1
        if report.matched_mentor is not None:
            places_used += 1
        assessment = docs.get(SelfAssessment)
        if isinstance(assessment, SelfAssessment):
            growth.update(set(assessment.growth_areas))
            formats.update({f.value for f in assessment.preferences.formats})
            if assessment.preferences.frequency is not None:
                frequencies[assessment.preferences.frequency.value] += 1
        for saved_goal in docs.goals:
            goal = saved_goal.document
            if isinstance(goal, SmartGoal):
                goals_by_area.update({area_of[c] for c in goal.competencies if c in area_of})

    unknown = sorted(set(growth) - set(competencies))
    return CohortSummary(
        participants=len(participants),
        growth_areas={cid: growth[cid] for cid in [*competencies, *unknown]},
        formats={f.value: formats[f.value] for f in MeetingFormat},
        frequencies={f.value: frequencies[f.value] for f in Frequency},
        goals_by_area={area.id: goals_by_area[area.id] for area in framework.areas},
        mentor_capacity=sum(m.capacity for m in mentors),
        mentor_places_used=places_used,
        step_counts={
            step: {state: counts[state] for state in StepState}
            for step, counts in step_counts.items()
        },
    )


# ---------------------------------------------------------------------------------------
# Workshop scores for matching


def _latest_shortlists(saved: Iterable[Saved]) -> dict[str, MentorShortlist]:
    """Participant id → their latest saved shortlist."""
    latest: dict[str, Saved] = {}
    for item in saved:
        if item.key.kind != MentorShortlist.kind:
            continue
        current = latest.get(item.key.participant)
        if current is None or _utc(current.saved_at) <= _utc(item.saved_at):
            latest[item.key.participant] = item
    return {
        participant_id: item.document
        for participant_id, item in latest.items()
        if isinstance(item.document, MentorShortlist)
    }


def shortlist_choices(saved: Iterable[Saved]) -> dict[str, dict[str, int]]:
    """Participant id → {mentor email: choice 1, 2 or 3} from the latest saved shortlists
    (the directory's mentors only: one a participant found themselves is not matched)."""
    return {
        participant_id: {
            entry.mentor_email: number
            for number, entry in enumerate(shortlist.entries, start=1)
            if entry.mentor_email is not None
        }
        for participant_id, shortlist in _latest_shortlists(saved).items()
    }


def cohort_requests(
    saved: Iterable[Saved], answers: Mapping[str, Mapping[str, Answer]]
) -> dict[str, list[MentorRequest]]:
    """Participant id → their requests to mentors as they stand: what their latest saved
    shortlist says they sent, with the answers given (participant id → mentor email →
    answer). Participants who sent none are left out."""
    return {
        participant_id: requests_of(shortlist.requests, answers.get(participant_id, {}))
        for participant_id, shortlist in _latest_shortlists(saved).items()
        if shortlist.requests
    }


def _assessments(saved: Iterable[Saved]) -> dict[str, SelfAssessment]:
    latest: dict[str, Saved] = {}
    for item in saved:
        if item.key.kind != SelfAssessment.kind:
            continue
        current = latest.get(item.key.participant)
        if current is None or _utc(current.saved_at) <= _utc(item.saved_at):
            latest[item.key.participant] = item
    return {
        pid: item.document
        for pid, item in latest.items()
        if isinstance(item.document, SelfAssessment)
    }


def workshop_scores(
    framework: Framework,
    participants: Sequence[Participant],
    mentors: Sequence[MentorProfile],
    saved: Iterable[Saved],
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """Scores for cohort matching: participant ids (rows, in `participants` order) by
    mentor emails (columns, in `mentors` order).

    A cell is `fit.score_matrix`'s score for the participant's latest self-assessment (an
    empty one if they have none), NaN where the pair is not acceptable, plus
    `SHORTLIST_BONUS` for a mentor the participant shortlisted. A shortlisted mentor is
    always acceptable: the bonus goes on top of the plain fit score even where
    `score_matrix` says NaN. `today` fixes the date for time-zone offsets.
    """
    import pandas as pd  # imported here, not before a page's first widget

    ids = [p.id for p in participants]
    repeated = sorted(pid for pid, count in Counter(ids).items() if count > 1)
    if repeated:
        raise ValueError(f"participant {repeated[0]} is listed more than once; list each once")
    documents = list(saved)
    on = today or date.today()
    found = _assessments(documents)
    assessments = {pid: found.get(pid) or SelfAssessment() for pid in ids}
    scores = score_matrix(assessments, mentors, framework, today=on)
    columns = {email: index for index, email in enumerate(scores.columns)}
    rows = {pid: index for index, pid in enumerate(scores.index)}
    values = scores.to_numpy(copy=True)
    by_email = {m.email: m for m in mentors}
    for pid, picks in shortlist_choices(documents).items():
        row = rows.get(pid)
        if row is None:
            continue
        for email, choice in picks.items():
            col = columns.get(email)
            bonus = SHORTLIST_BONUS.get(choice)
            if col is None or bonus is None:
                continue
            base = values[row, col]
            if base != base:  # NaN: not acceptable on fit alone, but they asked for this mentor
                base = fit(
                    assessments[pid], by_email[email], framework, places_left=1, today=on
                ).score
            values[row, col] = round(base + bonus, 6)
    return pd.DataFrame(values, index=scores.index, columns=scores.columns, dtype=float)


@dataclass(frozen=True)
class MatchingInput:
    """What the cohort matching runs on, and what it leaves out and why."""

    #: Fit scores (`workshop_scores`) of the participants in the matching, by mentor.
    scores: pd.DataFrame
    #: Participant id → why they are not in the matching, in roster order.
    left_out: Mapping[str, str]
    #: (participant id, mentor email) → why the pair is ruled out: no meeting format in
    #: common. The matching treats these as forbidden pairs.
    no_common_format: Mapping[tuple[str, str], str]


def _started(docs: _Documents) -> bool:
    """Whether a participant saved anything of a worksheet (a published match is not theirs)."""
    return any(docs.of_kind(kind) for kind in STEPS)


def matching_input(
    framework: Framework,
    participants: Sequence[Participant],
    mentors: Sequence[MentorProfile],
    saved: Iterable[Saved],
    *,
    today: date | None = None,
    include_not_started: bool = False,
    forbid_no_common_format: bool = True,
    locked: Collection[tuple[str, str]] = (),
) -> MatchingInput:
    """The scores, left-out participants and ruled-out pairs of a cohort matching.

    - A participant who has not saved any worksheet yet is left out (`NOT_STARTED`) unless
      `include_not_started`: matching somebody who never came would take a mentor's place
      from somebody who did.
    - With `forbid_no_common_format`, a pair is ruled out when the participant's preferred
      meeting formats and the mentor's formats have none in common (who states no format
      can meet in any): a mentee who meets by video only is never given a mentor who meets
      in person only.
    - `locked` (participant id, mentor email) pairs are the facilitator's decision and win:
      a locked participant is always in the matching, a locked pair is never ruled out,
      and it has a score even where the fit alone would call it not acceptable.

    Scores are `workshop_scores` of the participants in the matching (roster order).
    """
    documents = list(saved)
    on = today or date.today()
    locked_mentees = {pid for pid, _email in locked}
    grouped = _group(participants, documents)
    included: list[Participant] = []
    left_out: dict[str, str] = {}
    for person in participants:
        if include_not_started or person.id in locked_mentees or _started(grouped[person.id]):
            included.append(person)
        else:
            left_out[person.id] = NOT_STARTED
    scores = workshop_scores(framework, included, mentors, documents, today=on)
    assessments = _assessments(documents)
    by_email = {m.email: m for m in mentors}
    rows = {pid: index for index, pid in enumerate(scores.index)}
    columns = {email: index for index, email in enumerate(scores.columns)}
    for pid, email in locked:
        row, col = rows.get(pid), columns.get(email)
        if row is None or col is None or _scored(scores.iat[row, col]):
            continue  # unknown, or it has a score already
        assessment = assessments.get(pid) or SelfAssessment()
        scores.iat[row, col] = fit(
            assessment, by_email[email], framework, places_left=1, today=on
        ).score
    ruled_out: dict[tuple[str, str], str] = {}
    if forbid_no_common_format:
        locked_pairs = set(locked)
        for person in included:
            own = assessments.get(person.id)
            wanted = own.preferences.formats if own is not None else []
            if not wanted:
                continue
            for mentor in mentors:
                pair = (person.id, mentor.email)
                if pair in locked_pairs or shares_a_format(wanted, mentor.formats):
                    continue
                ruled_out[pair] = (
                    f"no meeting format in common: {person.name} meets "
                    f"{formats_phrase(wanted)}, {mentor.name} {formats_phrase(mentor.formats)}"
                )
    return MatchingInput(scores=scores, left_out=left_out, no_common_format=ruled_out)


@dataclass(frozen=True)
class MentorActivity:
    """How one mentor stands: signed in or invited, the requests participants sent them and
    their answers (counts only: never a message or a reply), and whether they take new
    mentees."""

    mentor: MentorProfile
    invited: bool  # holds an invite code (used or not)
    signed_in: bool  # has a resume code
    accepted: int
    declined: int
    waiting: int  # sent, not answered yet
    withdrawn: int  # taken back by the participant before an answer
    #: Why they take no new mentees now (`mentoring.availability_words`); '' when they do.
    availability: str = ""
    #: Their mentees whose agreement both have confirmed as it stands.
    agreed: int = 0

    @property
    def received(self) -> int:
        """Requests that reached them and were not taken back: answered or waiting."""
        return self.accepted + self.declined + self.waiting

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def taking_new_mentees(self) -> bool:
        return not self.availability


@dataclass(frozen=True)
class MentorTotals:
    """The mentors' activity added up."""

    mentors: int
    invited: int
    signed_in: int
    taking_new_mentees: int
    received: int
    accepted: int
    declined: int
    waiting: int
    withdrawn: int
    agreed: int = 0

    @property
    def answered(self) -> int:
        return self.accepted + self.declined


def mentor_activity(
    mentors: Sequence[MentorProfile],
    requests: Mapping[str, Iterable[MentorRequest]],
    *,
    invited: Collection[str],
    signed_in: Collection[str],
    today: date,
    agreed: Collection[tuple[str, str]] = (),
) -> list[MentorActivity]:
    """Each mentor's activity, in `mentors` order: `requests` are the participants'
    requests as they stand (participant id → requests, as `cohort_requests` gives them);
    `invited` and `signed_in` the emails of mentors holding an invite code and a resume
    code; `agreed` the pairs (participant id, mentor email) whose agreement both confirmed.
    Requests to someone not in `mentors` are left out."""
    agreements = Counter(email for _pid, email in agreed)
    counts: dict[str, Counter[RequestState]] = {m.email: Counter() for m in mentors}
    for theirs in requests.values():
        for request in theirs:
            found = counts.get(request.mentor_email)
            if found is not None:
                found[request.state] += 1
    return [
        MentorActivity(
            mentor=mentor,
            invited=mentor.email in invited,
            signed_in=mentor.email in signed_in,
            accepted=counts[mentor.email][RequestState.ACCEPTED],
            declined=counts[mentor.email][RequestState.DECLINED],
            waiting=counts[mentor.email][RequestState.SENT],
            withdrawn=counts[mentor.email][RequestState.WITHDRAWN],
            availability=availability_words(mentor, today),
            agreed=agreements[mentor.email],
        )
        for mentor in mentors
    ]


def mentor_totals(activity: Sequence[MentorActivity]) -> MentorTotals:
    """The mentors' activity added up."""
    return MentorTotals(
        mentors=len(activity),
        invited=sum(a.invited for a in activity),
        signed_in=sum(a.signed_in for a in activity),
        taking_new_mentees=sum(a.taking_new_mentees for a in activity),
        received=sum(a.received for a in activity),
        accepted=sum(a.accepted for a in activity),
        declined=sum(a.declined for a in activity),
        waiting=sum(a.waiting for a in activity),
        withdrawn=sum(a.withdrawn for a in activity),
        agreed=sum(a.agreed for a in activity),
    )


def matching_capacity(
    mentors: Sequence[MentorProfile], locked: Collection[tuple[str, str]], *, today: date
) -> dict[str, int]:
    """Mentor email → the places the matching may fill: the mentor's capacity, or, for a
    mentor who takes no new mentees on `today` (`mentoring.taking_new_mentees`), only the
    mentees locked to them (at most their capacity): the matching keeps those pairs and
    gives them nobody new."""
    held = Counter(email for _pid, email in locked)
    return {
        mentor.email: mentor.capacity
        if taking_new_mentees(mentor, today)
        else min(mentor.capacity, held[mentor.email])
        for mentor in mentors
    }


def _scored(cell: object) -> bool:
    """A cell of the (float) score matrix holds a score, not NaN."""
    return isinstance(cell, float) and not math.isnan(cell)


def match_reasons(
    framework: Framework,
    participant_assessment: SelfAssessment | None,
    mentor: MentorProfile,
    shortlist_choice: int | None,
    *,
    today: date | None = None,
) -> str:
    """Why this mentor for this participant, in words addressed to the participant:
    the fit summary, plus "you shortlisted them as choice N" when they did."""
    assessment = participant_assessment or SelfAssessment()
    reasons = fit(assessment, mentor, framework, places_left=1, today=today).summary
    if shortlist_choice is not None:
        reasons += f"; you shortlisted them as choice {shortlist_choice}"
    return reasons


# ---------------------------------------------------------------------------------------
# Introduction email


def _first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else "there"


#: Reasons `fit` gives against a pairing; an introduction lists only the reasons for it.
_AGAINST = ("covers none", "does not", "has not", "no places", "add growth areas")


def _reason_lines(reasons: str) -> list[str]:
    """The reasons for the pairing as list items: one per ";"-separated part, on one line,
    capitalised; the parts that speak against it are left out."""
    lines = []
    for part in reasons.split(";"):
        text = " ".join(part.split())
        if text and not text.casefold().startswith(_AGAINST):
            lines.append(f"- {text[0].upper()}{text[1:]}")
    return lines


def introduction_email(
    participant: Participant, mentor: MentorProfile, workshop: Workshop, reasons: str
) -> str:
    """A short, warm, plain-text email introducing a matched mentee and mentor.

    The first line is the subject ("Subject: …"); the draft greets both, says who is who
    and why they were matched (the parts of `reasons`, from `match_reasons`, that speak for
    the pairing), proposes a first 30-minute
    meeting within two weeks and is signed "Your workshop facilitator". Names and reasons
    are inserted as typed: this is plain text, and whoever shows it as HTML escapes it.
    """
    mentee, guide = _first_name(participant.name), _first_name(mentor.name)
    role = ", ".join(part for part in (mentor.title, mentor.organization) if part)
    mentor_intro = f"{mentor.name}{f' ({role})' if role else ''}"
    mentee_intro = participant.name + (
        f" ({participant.department})" if participant.department else ""
    )
    contacts = [f"- {mentor.name}: {mentor.email}"]
    if participant.email:
        contacts.append(f"- {participant.name}: {participant.email}")
    lines = _reason_lines(reasons)
    why = (
        f"{mentee}, here is why we think {guide} is a good match for you:\n" + "\n".join(lines)
        if lines
        else "We think you will work well together."
    )
    paragraphs = [
        f"Subject: Introducing {participant.name} and {mentor.name} – {workshop.name}",
        f"Hello {mentee} and {guide},",
        f"I am delighted to introduce you to each other as mentee and mentor in "
        f"{workshop.name}. {guide}, meet {mentee_intro}. {mentee}, meet {mentor_intro}.",
        why,
        f"As a first step, please find time for a 30-minute conversation within the next "
        f"two weeks. {mentee}, could you suggest two or three times that suit you? Use the "
        "first meeting to get to know each other, talk about what you hope to work on, and "
        "agree how often you will meet.",
        "How to reach each other:\n" + "\n".join(contacts),
        "Thank you both, and enjoy the conversations ahead.",
        "Your workshop facilitator",
    ]
    return "\n\n".join(paragraphs) + "\n"
