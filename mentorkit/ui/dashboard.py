"""Cohort dashboard: every participant's progress, the cohort's needs, exports.

The facilitator sees progress and aggregates only: which worksheets each participant has
done and when they last saved, never what they wrote (notes, goals, check-ins stay private
unless the participant shares their plan, and even then only in the shared-plans download).
"Anonymise for projecting" replaces every name and email on the page with "Participant 1…N"
(mentors with "Mentor 1…M") and hides the downloads, the people tools and who has signed in,
so the page can go on a screen. The Mentors section counts, per mentor, whether they are
invited and signed in, the requests they received and answered (never a message or a reply),
and whether they take new mentees. The people tools (`mentorkit.people`) issue invite codes
(one participant's, or everyone's who has not signed in, as a mail-merge download), reset a
participant's resume code, merge a participant who is on the list twice, and remove one;
issuing everyone's codes again, merging and removing ask first. The roster says who has
signed in, who is invited and waiting, and who joined on the day with the join code (a
rostered person among them is on the list twice: merge them).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from mentorkit import exports, people
from mentorkit.closing import VOLUNTEER_COLUMNS, volunteer_rows
from mentorkit.cohort import (
    STEP_TITLES,
    STEPS,
    CohortSummary,
    MentorActivity,
    ParticipantProgress,
    StepState,
    cohort_requests,
    cohort_summary,
    mentor_activity,
    mentor_totals,
    progress,
)
from mentorkit.growth import cohort_area_changes, cohort_chart, cohort_sentences
from mentorkit.mentoring import (
    Answer,
    MentorRequest,
    RequestState,
    agreement_record,
    agreement_status,
)
from mentorkit.models import (
    Closing,
    Framework,
    MentoringAgreement,
    MentorProfile,
    Participant,
    SelfAssessment,
    SurveyAnswers,
    SurveyKind,
    Workshop,
)
from mentorkit.store import MatchDecision, Saved, Store, answer_of
from mentorkit.surveys import (
    RESULT_COLUMNS,
    SURVEY_TITLES,
    Respondents,
    SurveyResult,
    result_rows,
    result_sentences,
    survey_result,
    window_words,
)
from mentorkit.ui.facilitator import (
    REFUSAL_DELAY_SECONDS,
    FacilitatorApp,
    FacilitatorSession,
    facilitator_app,
)
from mentorkit.ui.frame import guarded
from mentorkit.ui.html import XLSX_MIME, download_link, html_text, table_bytes, time_html
from mentorkit.ui.people_panel import PeoplePanel

log = logging.getLogger("mentorkit")

AUTO_REFRESH_SECONDS = 30
INTRO = (
    "Follow the cohort live: who has done which worksheet, when they last saved, and what "
    "the cohort wants to grow in. You see progress and counts only; what participants write "
    "stays private unless they share their plan.\n\n"
    "Projecting this page? Tick 'Anonymise for projecting' first: names and emails disappear."
)
STEP_MARKS: Mapping[StepState, tuple[str, str, str]] = {
    StepState.DONE: ("✓", "done", "mentorkit-step-done"),
    StepState.STARTED: ("…", "started", "mentorkit-step-started"),
    StepState.NOT_STARTED: ("—", "not started", "mentorkit-step-none"),
}


def last_activity_html(moment: datetime | None) -> str:
    """When a participant last saved, as a time the page shows in the viewer's own zone
    (with the date unless it is today), or '—' for never."""
    return "—" if moment is None else time_html(moment)


def bars(title: str, counts: Sequence[tuple[str, int]], of: int, unit: str) -> str:
    """An accessible bar chart: each bar an image labelled 'Label: n of total unit'."""
    rows = []
    for label, count in counts:
        width = 0 if of <= 0 else min(100, round(count / of * 100))
        text = f"{count} of {of}"
        name = escape(f"{label}: {text} {unit}")
        rows.append(
            f'<div class="mentorkit-bar" role="img" aria-label="{name}" title="{name}">'
            f'<span class="mentorkit-bar-label" aria-hidden="true">{escape(label)}</span>'
            '<span class="mentorkit-bar-track" aria-hidden="true"><span class="mentorkit-bar-fill"'
            f' style="width:{width}%; display:block"></span></span>'
            f'<span class="mentorkit-bar-count" aria-hidden="true">{escape(text)}</span></div>'
        )
    body = "".join(rows) or '<p class="mentorkit-muted">Nothing yet.</p>'
    return f'<section class="mentorkit-chart"><h3>{escape(title)}</h3>{body}</section>'


class Aliases:
    """Names shown on the page: the real ones, or 'Participant N' / 'Mentor N' when
    anonymised (numbered in roster order, so a number stays put across refreshes)."""

    def __init__(
        self,
        participants: Sequence[Participant],
        mentors: Sequence[MentorProfile],
        *,
        anonymous: bool,
    ) -> None:
        self.anonymous = anonymous
        self._participants = {p.id: f"Participant {n}" for n, p in enumerate(participants, 1)}
        self._mentors = {m.email: f"Mentor {n}" for n, m in enumerate(mentors, 1)}
        self._mentor_names = {m.email: m.name for m in mentors}

    def participant(self, person: Participant) -> str:
        return self._participants.get(person.id, "Participant") if self.anonymous else person.name

    def email(self, person: Participant) -> str:
        return "" if self.anonymous else person.email or ""

    def mentor(self, email: str | None) -> str:
        if email is None:
            return ""
        if self.anonymous:
            return self._mentors.get(email, "a mentor")
        return self._mentor_names.get(email, email)


def roster_html(
    reports: Sequence[ParticipantProgress],
    aliases: Aliases,
    states: Mapping[str, str] | None = None,
) -> str:
    """The roster table: progress per step, percent, last activity, matched mentor; and,
    unless anonymised, email and sign-in state (`states` by participant id)."""
    show_email = not aliases.anonymous
    states = states if states is not None and show_email else {}
    head = "<th scope='col'>Participant</th>"
    if show_email:
        head += "<th scope='col'>Email</th>"
    if states:
        head += "<th scope='col'>Sign-in</th>"
    head += "".join(f"<th scope='col'>{escape(STEP_TITLES[s])}</th>" for s in STEPS)
    head += (
        "<th scope='col' class='num'>Done</th><th scope='col'>Last activity</th>"
        "<th scope='col'>Matched mentor</th>"
    )
    body = []
    for report in reports:
        cells = f"<th scope='row'>{escape(aliases.participant(report.participant))}</th>"
        if show_email:
            cells += f"<td>{escape(aliases.email(report.participant)) or '—'}</td>"
        if states:
            cells += f"<td>{escape(states.get(report.participant.id, ''))}</td>"
        for step in STEPS:
            mark, words, css = STEP_MARKS[report.steps.get(step, StepState.NOT_STARTED)]
            cells += (
                f'<td class="{css}"><span aria-hidden="true">{mark}</span> {escape(words)}</td>'
            )
        cells += (
            f"<td class='num'>{report.percent}%</td>"
            f"<td class='when'>{last_activity_html(report.last_activity)}</td>"
            f"<td>{escape(aliases.mentor(report.matched_mentor)) or '—'}</td>"
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="mentorkit-muted">The roster is empty: import participants first.</p>'
    return (
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-roster">'
        '<caption class="mentorkit-muted">'
        "✓ done · … started · — not started</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


REQUEST_WORDS: Mapping[RequestState, str] = {
    RequestState.SENT: "waiting for an answer",
    RequestState.ACCEPTED: "accepted",
    RequestState.DECLINED: "declined",
    RequestState.WITHDRAWN: "withdrawn",
}


def requests_html(
    requests: Mapping[str, Sequence[MentorRequest]],
    participants: Sequence[Participant],
    aliases: Aliases,
) -> str:
    """The requests participants sent mentors, and their answers: counts, then one row a
    request (never the message or the reply: those are between the two of them). The
    answers are changed in the Matching app, where an accepted pair is a lock and a
    declined one a forbid."""
    rows: list[str] = []
    counts: Counter[RequestState] = Counter()
    for person in participants:
        for request in requests.get(person.id, ()):
            counts[request.state] += 1
            answered = "—"
            if request.answered_at is not None and request.answered_by is not None:
                answered = f"{time_html(request.answered_at)} by the {request.answered_by.value}"
            rows.append(
                f"<tr><th scope='row'>{escape(aliases.participant(person))}</th>"
                f"<td>{escape(aliases.mentor(request.mentor_email))}</td>"
                f"<td>{escape(REQUEST_WORDS[request.state])}</td>"
                f"<td class='when'>{time_html(request.sent_at)}</td>"
                f"<td class='when'>{answered}</td></tr>"
            )
    if not rows:
        return '<p class="mentorkit-muted">No participant has sent a mentor a request yet.</p>'
    total = sum(counts.values())
    summary = ", ".join(
        f"{counts[state]} {REQUEST_WORDS[state]}" for state in REQUEST_WORDS if counts[state]
    )
    return (
        f"<p>{total} request{'s' if total != 1 else ''}: {escape(summary)}. An accepted "
        "request locks the pair in the matching, a declined one forbids it; change either "
        "in the Matching app.</p>"
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-requests">'
        "<thead><tr><th scope='col'>Participant</th><th scope='col'>Mentor</th>"
        "<th scope='col'>Request</th><th scope='col'>Sent</th><th scope='col'>Answered</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def mentors_html(activity: Sequence[MentorActivity], aliases: Aliases) -> str:
    """The mentors' activity: totals, then one row a mentor: invited, signed in (unless
    anonymised, as the roster's sign-in), requests received, accepted, declined and
    waiting, and whether they take new mentees. Counts only: never a message or a reply."""
    if not activity:
        return '<p class="mentorkit-muted">No mentor yet: import the mentor roster.</p>'
    totals = mentor_totals(activity)
    shown = not aliases.anonymous
    sentence = (
        f"{_count(totals.mentors, 'mentor')}: {totals.invited} invited, {totals.signed_in} "
        f"signed in, {totals.taking_new_mentees} taking new mentees. "
        f"{_count(totals.received, 'request')} received: {totals.answered} answered "
        f"({totals.accepted} accepted, {totals.declined} declined), {totals.waiting} waiting"
        + (f"; {totals.withdrawn} withdrawn by the participant" if totals.withdrawn else "")
        + f". {_count(totals.agreed, 'agreement')} agreed by mentor and mentee."
    )
    head = "<th scope='col'>Mentor</th>"
    if shown:
        head += "<th scope='col'>Email</th><th scope='col'>Invited</th>"
        head += "<th scope='col'>Signed in</th>"
    head += (
        "<th scope='col' class='num'>Received</th><th scope='col' class='num'>Accepted</th>"
        "<th scope='col' class='num'>Declined</th><th scope='col' class='num'>Waiting</th>"
        "<th scope='col' class='num'>Agreements agreed</th><th scope='col'>New mentees</th>"
    )
    rows = []
    for item in activity:
        email = item.mentor.email
        cells = f"<th scope='row'>{escape(aliases.mentor(email))}</th>"
        if shown:
            cells += (
                f"<td>{escape(email)}</td><td>{'yes' if item.invited else 'no'}</td>"
                f"<td class='{'mentorkit-step-done' if item.signed_in else 'mentorkit-step-none'}'>"
                f"{'yes' if item.signed_in else 'no'}</td>"
            )
        closed = item.availability
        cells += (
            f"<td class='num'>{item.received}</td><td class='num'>{item.accepted}</td>"
            f"<td class='num'>{item.declined}</td><td class='num'>{item.waiting}</td>"
            f"<td class='num'>{item.agreed}</td>"
            f"<td class='{'mentorkit-step-none' if closed else 'mentorkit-step-done'}'>"
            f"{escape(closed or 'taking new mentees')}</td>"
        )
        rows.append(f"<tr>{cells}</tr>")
    foot = "<th scope='row'>All mentors</th>"
    if shown:
        foot += f"<td></td><td>{totals.invited}</td><td>{totals.signed_in}</td>"
    foot += (
        f"<td class='num'>{totals.received}</td><td class='num'>{totals.accepted}</td>"
        f"<td class='num'>{totals.declined}</td><td class='num'>{totals.waiting}</td>"
        f"<td class='num'>{totals.agreed}</td>"
        f"<td>{totals.taking_new_mentees} taking new mentees</td>"
    )
    return (
        f"<p>{escape(sentence)}</p>"
        '<div class="mentorkit-table-wrap"><table class="mentorkit-table mentorkit-mentors">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
        f"<tfoot><tr>{foot}</tr></tfoot></table></div>"
    )


def charts_html(summary: CohortSummary, session: FacilitatorSession) -> str:
    """The cohort charts: growth areas, formats, frequencies, goals by area, capacity."""
    framework = session.workshop.framework
    names = {cid: c.name for cid, c in framework.competencies().items()}
    areas = {a.id: a.name for a in framework.areas}
    people = summary.participants
    growth = sorted(
        ((names.get(cid, cid), n) for cid, n in summary.growth_areas.items()),
        key=lambda item: -item[1],
    )
    steps_done = [
        (STEP_TITLES[step], summary.step_counts.get(step, {}).get(StepState.DONE, 0))
        for step in STEPS
    ]
    goals = [(areas.get(aid, aid), n) for aid, n in summary.goals_by_area.items()]
    parts = [
        bars("Worksheets done", steps_done, people, "participants"),
        bars("Growth areas across the cohort", [g for g in growth if g[1]], people, "participants"),
        bars(
            "Preferred meeting formats",
            [(f.capitalize(), n) for f, n in summary.formats.items()],
            people,
            "participants",
        ),
        bars(
            "Preferred meeting frequency",
            [(f.capitalize(), n) for f, n in summary.frequencies.items()],
            people,
            "participants",
        ),
        bars("SMART goals by competency area", goals, max([n for _, n in goals] or [0]), "goals"),
        bars(
            "Mentor capacity used",
            [("Places taken by published matches", summary.mentor_places_used)],
            summary.mentor_capacity,
            "places",
        ),
    ]
    return f'<div class="mentorkit-charts">{"".join(parts)}</div>'


def cohort_growth_html(saved: Sequence[Saved], framework: Framework) -> str:
    """The cohort's mean change per area between the first ratings and the end ones: never
    anyone's own (an area fewer than `MIN_GROUP` people re-rated is left out, and said to
    be), as a chart with the same figures in words."""
    assessments = [item.document for item in saved if isinstance(item.document, SelfAssessment)]
    changes = cohort_area_changes(assessments, framework)
    if not any(item.people for item in changes):
        return (
            '<p class="mentorkit-muted">Nobody has rated themselves again yet: at the end of '
            "the programme, participants do it at the bottom of their Self-assessment.</p>"
        )
    words = "".join(f"<li>{escape(line)}</li>" for line in cohort_sentences(changes))
    return (
        f"<figure>{cohort_chart(changes)}<figcaption>Mean change in rating (1–5) per area, "
        f"between the first self-assessment and the end one:<ul>{words}</ul>"
        f"</figcaption></figure>"
    )


def survey_side_html(result: SurveyResult) -> str:
    """One side's answers to one survey: who answered (a rate, never who), and the results
    and comments from `MIN_ANSWERS` answers on."""
    lines = "".join(f"<li>{escape(line)}</li>" for line in result_sentences(result)[1:])
    comments = "".join(f"<li>{html_text(text)}</li>" for text in result.comments or ())
    if comments:
        comments = f"<p><strong>Comments</strong> (in no particular order)</p><ul>{comments}</ul>"
    side = str(result.respondents)
    # Only mentors with a mentee are asked: the count says so.
    asked = "mentors with a mentee" if result.respondents is Respondents.MENTORS else side
    return (
        f'<div class="mentorkit-survey-{side}"><h4>{side.capitalize()}</h4>'
        f"<p>{result.answered} of {result.asked} {asked} answered ({result.rate}%).</p>"
        f"<ul>{lines}</ul>{comments}</div>"
    )


def surveys_html(
    workshop: Workshop,
    saved: Sequence[Saved],
    asked: int,
    mentor_answers: Mapping[SurveyKind, Mapping[str, SurveyAnswers]],
    mentors_with_a_mentee: Collection[str],
) -> str:
    """Each survey the workshop sets: when it is open, and each side's answers (the
    participants', and the mentors' by email: the mentors asked are those with a mentee,
    and any who answered and have none now); with a download."""
    if not workshop.surveys:
        return (
            '<p class="mentorkit-muted">No survey is set. Open a mid-point and an end survey '
            "on the dates you choose in Workshop setup (Details).</p>"
        )
    results: list[SurveyResult] = []
    parts: list[str] = []
    for kind in SurveyKind:
        window = workshop.surveys.get(kind)
        if window is None:
            continue
        answers = [
            item.document
            for item in saved
            if isinstance(item.document, SurveyAnswers) and item.key.name == kind.value
        ]
        by_mentor = mentor_answers.get(kind, {})
        sides = (
            survey_result(kind, answers, asked),
            survey_result(
                kind,
                by_mentor.values(),
                len({*mentors_with_a_mentee, *by_mentor}),
                respondents=Respondents.MENTORS,
            ),
        )
        results += sides
        parts.append(
            f"<h3>{escape(SURVEY_TITLES[kind])}</h3><p>Open {escape(window_words(window))}.</p>"
            + "".join(survey_side_html(result) for result in sides)
        )
    links = [
        download_link(
            f"survey-results{suffix}",
            table_bytes(result_rows(results), RESULT_COLUMNS, suffix),
            mime,
            f"Survey results ({label})",
        )
        for suffix, mime, label in ((".csv", "text/csv", "CSV"), (".xlsx", XLSX_MIME, "XLSX"))
    ]
    return "".join(parts) + f'<div class="mentorkit-downloads">{"".join(links)}</div>'


class DashboardView(widgets.VBox):
    """The dashboard; `refresh()` reads the store again and redraws everything."""

    def __init__(self, session: FacilitatorSession) -> None:
        super().__init__()
        self.session = session
        self.store: Store = session.store
        self._timer: asyncio.TimerHandle | None = None
        self.refresh_button = widgets.Button(
            description="Refresh", tooltip="Read the latest progress again"
        )
        self.auto = widgets.Checkbox(
            value=True,
            description=f"Refresh automatically every {AUTO_REFRESH_SECONDS} s",
            indent=False,
        )
        self.anonymous = widgets.Checkbox(
            value=False, description="Anonymise for projecting", indent=False
        )
        self.updated = widgets.HTML()
        self.roster = widgets.HTML()
        self.requests = widgets.HTML()
        self.mentor_activity = widgets.HTML()
        self.charts = widgets.HTML()
        self.growth = widgets.HTML().add_class("mentorkit-growth")
        self.surveys = widgets.HTML().add_class("mentorkit-surveys")
        self.downloads = widgets.HTML()
        self.people = PeoplePanel(session, on_change=self.refresh)
        self.people_heading = widgets.HTML("<h2>People</h2>")
        guard = guarded(session.notice)
        self.refresh_button.on_click(guard(lambda _button: self.refresh()))
        self.auto.observe(guard(self._auto_changed), names="value")
        self.anonymous.observe(guard(lambda _change: self.redraw()), names="value")
        self.children = [
            widgets.HBox([self.refresh_button, self.auto, self.anonymous, self.updated]).add_class(
                "mentorkit-toolbar"
            ),
            widgets.HTML("<h2>Roster</h2>"),
            self.roster,
            widgets.HTML("<h2>Requests to mentors</h2>"),
            self.requests,
            widgets.HTML("<h2>Mentors</h2>"),
            self.mentor_activity,
            widgets.HTML("<h2>The cohort at a glance</h2>"),
            self.charts,
            widgets.HTML("<h2>Growth at the end</h2>"),
            self.growth,
            widgets.HTML("<h2>Feedback surveys</h2>"),
            self.surveys,
            widgets.HTML("<h2>Downloads</h2>"),
            self.downloads,
            self.people_heading,
            self.people,
        ]
        self.participants: list[Participant] = []
        self.sign_in_states: dict[str, str] = {}
        self.mentors: list[MentorProfile] = []
        #: The mentors' answers to each survey the workshop sets, without who gave which.
        self.mentor_survey_answers: dict[SurveyKind, dict[str, SurveyAnswers]] = {}
        #: The emails of the mentors holding an invite code, and a resume code.
        self.mentors_invited: set[str] = set()
        self.mentors_signed_in: set[str] = set()
        self.saved: list[Saved] = []
        self.decisions: list[MatchDecision] = []
        #: The pairs (participant id, mentor email) whose agreement both have confirmed.
        self.agreed: set[tuple[str, str]] = set()
        self.refresh()
        if self.auto.value:
            self._schedule(quiet=True)

    # -- data -------------------------------------------------------------------------

    def _agreed_pairs(self, code: str) -> set[tuple[str, str]]:
        """The locked pairs whose agreement, as it stands, both mentor and mentee have
        confirmed (read from `saved` and the workshop's agreement records)."""
        agreements = {
            saved.key.participant: saved.document
            for saved in self.saved
            if isinstance(saved.document, MentoringAgreement)
        }
        records = self.store.agreement_records(code)
        found: set[tuple[str, str]] = set()
        for decided in self.decisions:
            agreement = agreements.get(decided.participant)
            if (
                decided.decision != "lock"
                or agreement is None
                or agreement.mentor_email != decided.mentor
            ):
                continue
            entries = records.get(decided.participant, [])
            confirmations = agreement_record(entries).confirmations
            if agreement_status(agreement, confirmations).agreed:
                found.add((decided.participant, decided.mentor))
        return found

    def refresh(self) -> None:
        """Read the roster and the documents again, then redraw."""
        code = self.session.workshop.code
        self.participants = self.store.participants(code)
        signed_in, invited = self.store.signed_in(code), self.store.invited(code)
        self.sign_in_states = {
            p.id: people.PersonSummary(p, p.id in signed_in, 0, p.id in invited).sign_in_state
            + (" · joined on the day" if p.email is None else "")
            for p in self.participants
        }
        self.mentors = self.store.mentors(code)
        self.mentors_invited = self.store.mentors_invited(code)
        self.mentors_signed_in = self.store.mentors_signed_in(code)
        self.saved = self.store.list(code)
        self.decisions = self.store.match_decisions(code)
        self.agreed = self._agreed_pairs(code)
        self.mentor_survey_answers = {
            kind: self.store.mentors_survey_answers(code, kind)
            for kind in SurveyKind
            if kind in self.session.workshop.surveys
        }
        self.redraw()
        self.updated.value = (
            '<span class="mentorkit-muted" role="status">Updated '
            f"{time_html(datetime.now(UTC), seconds=True)}</span>"
        )

    def redraw(self) -> None:
        """Draw the roster, charts and downloads from the data last read."""
        today = self.session.today
        framework = self.session.workshop.framework
        reports = progress(self.participants, self.saved, today=today, framework=framework)
        summary = cohort_summary(
            framework, self.participants, self.saved, self.mentors, today=today
        )
        aliases = Aliases(self.participants, self.mentors, anonymous=self.anonymous.value)
        self.roster.value = roster_html(reports, aliases, self.sign_in_states)
        answers: dict[str, dict[str, Answer]] = {}
        for decided in self.decisions:
            answers.setdefault(decided.participant, {})[decided.mentor] = answer_of(decided)
        requests = cohort_requests(self.saved, answers)
        self.requests.value = requests_html(requests, self.participants, aliases)
        activity = mentor_activity(
            self.mentors,
            requests,
            invited=self.mentors_invited,
            signed_in=self.mentors_signed_in,
            today=today,
            agreed=self.agreed,
        )
        self.mentor_activity.value = mentors_html(activity, aliases)
        self.charts.value = charts_html(summary, self.session)
        self.growth.value = cohort_growth_html(self.saved, framework)
        self.surveys.value = surveys_html(
            self.session.workshop,
            self.saved,
            len(self.participants),
            self.mentor_survey_answers,
            {d.mentor for d in self.decisions if d.decision == "lock"},
        )
        hidden = "none" if aliases.anonymous else "flex"
        self.people.layout.display = self.people_heading.layout.display = hidden
        self.people.show_people([] if aliases.anonymous else self.participants)
        if aliases.anonymous:
            self.people.hide_secrets()
            self.downloads.value = (
                '<p class="mentorkit-muted">Downloads are hidden while the page is anonymised.</p>'
            )
        else:
            self.downloads.value = self._downloads(reports, today)

    def _downloads(self, reports: Sequence[ParticipantProgress], today: date) -> str:
        framework = self.session.workshop.framework
        progress_rows = exports.progress_rows(reports)
        responses = exports.responses_rows(framework, self.participants, self.saved)
        responses_columns = exports.responses_columns(framework)
        links = []
        for suffix, mime, kind in ((".csv", "text/csv", "CSV"), (".xlsx", XLSX_MIME, "XLSX")):
            links.append(
                download_link(
                    f"progress{suffix}",
                    table_bytes(progress_rows, exports.PROGRESS_COLUMNS, suffix),
                    mime,
                    f"Progress ({kind})",
                )
            )
            links.append(
                download_link(
                    f"responses{suffix}",
                    table_bytes(responses, responses_columns, suffix),
                    mime,
                    f"Self-assessment responses ({kind})",
                )
            )
        plans = exports.shared_plans(
            self.session.workshop, self.participants, self.saved, self.mentors, today=today
        )
        if plans:
            with tempfile.TemporaryDirectory(prefix="mentorkit-") as folder:
                path = Path(folder) / "shared-plans.zip"
                exports.plan_bundle(path, plans)
                links.append(
                    download_link(
                        "shared-plans.zip",
                        path.read_bytes(),
                        "application/zip",
                        f"Shared plans ({len(plans)}, zip of HTML)",
                    )
                )
        volunteers = self._volunteers()
        if volunteers:
            for suffix, mime, kind in ((".csv", "text/csv", "CSV"), (".xlsx", XLSX_MIME, "XLSX")):
                links.append(
                    download_link(
                        f"volunteer-mentors{suffix}",
                        table_bytes(volunteers, VOLUNTEER_COLUMNS, suffix),
                        mime,
                        f"Offers to mentor the next cohort ({len(volunteers)}, {kind})",
                    )
                )
        note = (
            '<p class="mentorkit-muted">Responses hold ratings and choices only, never a '
            "career goal or note. Shared plans are those of participants who chose to share "
            f"theirs ({len(plans)} so far). Offers to mentor are a mentor roster: import the "
            "file into the next cohort's workshop as it is.</p>"
        )
        return f'<div class="mentorkit-downloads">{"".join(links)}</div>{note}'

    def _volunteers(self) -> list[dict[str, object]]:
        """The participants who offered to mentor, as rows of a mentor roster."""
        people = {p.id: p for p in self.participants}
        closings: dict[str, Closing] = {}
        assessments: dict[str, SelfAssessment] = {}
        for item in self.saved:
            if isinstance(item.document, Closing):
                closings[item.key.participant] = item.document
            elif isinstance(item.document, SelfAssessment):
                assessments[item.key.participant] = item.document
        offers = [
            (people[pid], closing, assessments.get(pid))
            for pid, closing in closings.items()
            if pid in people
        ]
        return volunteer_rows(offers, self.session.workshop.framework)

    # -- automatic refresh ----------------------------------------------------------------

    def _auto_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self._schedule()
        else:
            self.stop_auto_refresh()

    def _schedule(self, *, quiet: bool = False) -> None:
        self.stop_auto_refresh()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if quiet:  # built outside a kernel (a script, a test): nothing to say
                return
            log.warning("mentorkit: no event loop; automatic refresh is off")
            self.session.notice.show(
                "Automatic refresh is not available here; use the Refresh button.", kind="info"
            )
            return
        self._timer = loop.call_later(AUTO_REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        self._timer = None
        guarded(self.session.notice)(self.refresh)()
        if self.auto.value:
            self._schedule()

    def stop_auto_refresh(self) -> None:
        """Cancel the next automatic refresh, if one is waiting."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def dashboard_app(
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
    refusal_delay: float = REFUSAL_DELAY_SECONDS,
) -> FacilitatorApp:
    """The cohort dashboard (the notebook facilitator/dashboard calls this)."""
    return facilitator_app(
        "dashboard", DashboardView, INTRO, store=store, environ=environ, refusal_delay=refusal_delay
    )
