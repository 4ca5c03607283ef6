"""Matching: suggest mentor–mentee pairs, compare the ways of matching, adjust, publish.

The facilitator picks a mode (highest total score, most people matched, or stable), runs
the matching and sees what each mode gives up (matched, unmatched, total score, blocking
pairs). They review the suggested pairs with their reasons, lock pairs to keep or forbid
pairs to rule out, and run again; then publish: every matched participant gets a
`MentorMatch` document (their mentor, the reasons and an introduction email draft) that
their plan shows, and a participant no longer matched loses theirs.

Nothing decided is lost to a reload: locks and forbidden pairs are stored with the workshop
(`Store.decide_match`), and the page opens on the pairs published now. Publishing first
shows what changes against them (new, changed and withdrawn pairs, `matching.pair_changes`)
and asks; a published pair the facilitator locked is kept by every run and never withdrawn.

By default the matching leaves out participants who have not started any worksheet and
rules out pairs with no meeting format in common (`cohort.matching_input`); a checkbox
turns each rule off, and the page says whom and what they left out.

A mentor who takes no new mentees (their own switch, or a day to come) gets no new mentee
from the matching: their places are only the pairs locked to them, which stay
(`cohort.matching_capacity`). The list of mentors says so next to them.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, SupportsFloat, cast

import ipywidgets as widgets
import pandas as pd

from mentorkit import exports
from mentorkit.cohort import (
    NOT_STARTED,
    MatchingInput,
    introduction_email,
    match_reasons,
    matching_capacity,
    matching_input,
    shortlist_choices,
)
from mentorkit.errors import StoreError
from mentorkit.matching import (
    MatchingError,
    MatchingSummary,
    assign,
    pair_changes,
    stable,
    summarize,
    unmatched_reasons,
)
from mentorkit.mentoring import Answerer, availability_words
from mentorkit.models import MentorMatch, MentorProfile, Participant, SelfAssessment, validate
from mentorkit.store import Decision, Saved, Store
from mentorkit.ui.facilitator import (
    REFUSAL_DELAY_SECONDS,
    FacilitatorApp,
    FacilitatorSession,
    facilitator_app,
)
from mentorkit.ui.fields import ChoiceDropdown
from mentorkit.ui.frame import guarded
from mentorkit.ui.guard import Confirmation
from mentorkit.ui.html import download_link

log = logging.getLogger("mentorkit")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODES: dict[str, str] = {
    "score": "Highest total score",
    "participation": "Most people matched",
    "stable": "Stable",
}
MODE_HELP: dict[str, str] = {
    "score": "the best total fit; may leave people unmatched to get it",
    "participation": "as many people matched as possible, then the best total fit",
    "stable": "no participant and mentor would both rather be together than with their match",
}
INTRO = (
    "Run the matching, compare what each mode gives up, review the suggested pairs and "
    "their reasons, lock pairs you want to keep or forbid pairs you want to avoid, and run "
    "again. When the pairs look right, publish them: you see what changes against the "
    "published pairs and confirm; each participant then sees their mentor and an "
    "introduction email draft in their plan.\n\n"
    "Locks and forbidden pairs are saved with the workshop, and this page opens on the pairs "
    "published now."
)
LABEL_WIDTH = "9rem"

Pair = tuple[str, str]  # (participant id, mentor email)


CHANGE_LABELS: dict[str, str] = {
    "new": "New match",
    "changed": "Mentor changes",
    "withdrawn": "Match withdrawn",
}
INCLUDE_NOT_STARTED = "Include participants who have not started any worksheet"
RULE_OUT_FORMATS = "Rule out pairs with no meeting format in common"


@dataclass(frozen=True)
class Run:
    """One run of the matching: the pairs of the chosen mode and what every mode gives."""

    mode: str
    pairs: pd.DataFrame
    summaries: dict[str, MatchingSummary]  # mode → what it gives, for the modes that ran
    failures: dict[str, str]  # mode → why it could not run
    unmatched: dict[str, str]  # participant id → reason
    included: int  # participants in the matching
    left_out: dict[str, str]  # participant id → why they were not in the matching


def _score(cell: object) -> float:
    """A cell of a pairs table's score column (floats; NaN for a pair without a score)."""
    return float(cast(SupportsFloat, cell))


def _plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 match", "2 matches"."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def table_bytes(rows: Sequence[dict[str, object]], columns: Sequence[str], suffix: str) -> bytes:
    """A table written as a .csv or .xlsx file (formulas neutralised), as bytes."""
    with tempfile.TemporaryDirectory(prefix="mentorkit-") as folder:
        path = Path(folder) / f"table{suffix}"
        exports.write_rows(rows, columns, path)
        return path.read_bytes()


def _latest_assessments(saved: Sequence[Saved]) -> dict[str, SelfAssessment]:
    latest: dict[str, Saved] = {}
    for item in saved:
        if item.key.kind == SelfAssessment.kind:
            current = latest.get(item.key.participant)
            if current is None or current.saved_at <= item.saved_at:
                latest[item.key.participant] = item
    return {p: s.document for p, s in latest.items() if isinstance(s.document, SelfAssessment)}


class MatchingView(widgets.VBox):
    """The matching app for one workshop; see the module docstring."""

    def __init__(self, session: FacilitatorSession) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        self.code = session.workshop.code
        self.framework = session.workshop.framework
        self.guard = guarded(session.notice)
        #: Pairs the facilitator fixed or ruled out, as stored with the workshop.
        self.locked: list[Pair] = []
        self.forbidden: list[Pair] = []
        #: The stored locks and forbids that answer a participant's request, and who
        #: answered; a decision made here replaces the answer.
        self.answered_by: dict[Pair, Answerer] = {}
        self.run: Run | None = None
        #: The published pairs the facilitator reviewed before confirming (mentee → mentor):
        #: asked by Publish, answered by "Confirm publish", withdrawn by Cancel.
        self.publishing: Confirmation[dict[str, str]] = Confirmation("publishing the matches")

        self.include_not_started = widgets.Checkbox(
            value=False, description=INCLUDE_NOT_STARTED, indent=False
        )
        self.rule_out_formats = widgets.Checkbox(
            value=True, description=RULE_OUT_FORMATS, indent=False
        )
        for option in (self.include_not_started, self.rule_out_formats):
            option.observe(self.guard(lambda _c: self._options_changed()), names="value")
        #: The mentors with their places and whether they take new mentees.
        self.mentors_box = widgets.HTML()
        self._load()

        self.mode = widgets.Dropdown(
            description="Matching mode",
            options=[(label, key) for key, label in MODES.items()],
            value="score",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="24rem"),
        )
        self.run_button = widgets.Button(description="Run matching", button_style="primary")
        self.run_button.on_click(self.guard(lambda _b: self.run_matching()))
        self.mode_help = widgets.HTML()
        self.mode.observe(self.guard(lambda _c: self._show_mode_help()), names="value")
        self._show_mode_help()

        self.status = widgets.HTML()
        self.comparison = widgets.HTML()
        self.pairs_heading = widgets.HTML()
        self.pairs_box = widgets.VBox()
        self.unmatched_box = widgets.HTML()

        self.pick_participant = ChoiceDropdown(
            description="Participant",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="30rem"),
        )
        self.pick_mentor = ChoiceDropdown(
            description="Mentor",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="30rem"),
        )
        self.lock_pair_button = widgets.Button(description="Lock pair")
        self.forbid_pair_button = widgets.Button(description="Forbid pair")
        self.lock_pair_button.on_click(self.guard(lambda _b: self._pick("lock")))
        self.forbid_pair_button.on_click(self.guard(lambda _b: self._pick("forbid")))
        self.constraints_box = widgets.VBox()

        self.publish_button = widgets.Button(description="Publish", disabled=True)
        self.confirm_button = widgets.Button(description="Confirm publish", button_style="danger")
        self.cancel_button = widgets.Button(description="Cancel")
        self.review = widgets.HTML()
        self.confirm_box = widgets.VBox([])
        self.published = widgets.HTML()
        self.publish_button.on_click(self.guard(lambda _b: self._ask_to_publish()))
        self.confirm_button.on_click(self.guard(lambda _b: self._confirm_publish()))
        self.cancel_button.on_click(self.guard(lambda _b: self._cancel_publish()))
        self.downloads = widgets.HTML()

        self.children = [
            widgets.HBox([self.mode, self.run_button]).add_class("mentorkit-toolbar"),
            self.mode_help,
            widgets.VBox([self.include_not_started, self.rule_out_formats]),
            self.status,
            self.comparison,
            self.pairs_heading,
            self.pairs_box,
            widgets.HTML("<h2>Not matched</h2>"),
            self.unmatched_box,
            widgets.HTML("<h2>Mentors</h2>"),
            self.mentors_box,
            widgets.HTML(
                "<h2>Lock or forbid any pair</h2><p>A locked pair is kept in every run (a "
                "published pair you lock is never withdrawn); a forbidden pair is never "
                "suggested. Both are saved with the workshop and apply the next time the "
                "matching runs (a change here runs it again).</p>"
            ),
            self.pick_participant,
            self.pick_mentor,
            widgets.HBox([self.lock_pair_button, self.forbid_pair_button]).add_class(
                "mentorkit-toolbar"
            ),
            self.constraints_box,
            widgets.HTML("<h2>Publish</h2>"),
            widgets.HTML(
                "<p>Publishing shows each matched participant their mentor and an "
                "introduction email draft in their plan; a participant matched before but "
                "not now has their earlier match withdrawn. Before anything changes you see "
                "the new, changed and withdrawn pairs and confirm.</p>"
            ),
            widgets.HBox([self.publish_button]).add_class("mentorkit-toolbar"),
            self.confirm_box,
            self.published,
            widgets.HTML("<h2>Downloads</h2>"),
            self.downloads,
        ]
        self._fill_pickers()
        self._draw_constraints()
        self._draw_result()
        self._show_published_state()

    # -- data -------------------------------------------------------------------------

    def _load(self) -> None:
        """Read the roster, documents, decisions, published pairs and scores from the store."""
        self.participants: list[Participant] = self.store.participants(self.code)
        self.mentors: list[MentorProfile] = self.store.mentors(self.code)
        self.by_id = {p.id: p for p in self.participants}
        self.by_email = {m.email: m for m in self.mentors}
        self.saved: list[Saved] = self.store.list(self.code)
        self.assessments = _latest_assessments(self.saved)
        self.choices = shortlist_choices(self.saved)
        #: Why a mentor takes no new mentees ('not taking new mentees', 'taking new mentees
        #: from …'), by email; those who do are left out.
        self.closed = {
            m.email: words
            for m in self.mentors
            if (words := availability_words(m, self.session.today))
        }
        decisions = self.store.match_decisions(self.code)
        # Decisions about people no longer on a roster are left aside.
        known = [d for d in decisions if d.participant in self.by_id and d.mentor in self.by_email]
        self.locked = [(d.participant, d.mentor) for d in known if d.decision == "lock"]
        self.forbidden = [(d.participant, d.mentor) for d in known if d.decision == "forbid"]
        self.answered_by = {
            (d.participant, d.mentor): d.answered_by for d in known if d.answered_by is not None
        }
        self.published_matches = self._published_matches()
        self._prepare()

    def _prepare(self) -> None:
        """What the matching runs on, with the current options and locks."""
        self.inputs: MatchingInput = matching_input(
            self.framework,
            self.participants,
            self.mentors,
            self.saved,
            today=self.session.today,
            include_not_started=self.include_not_started.value,
            forbid_no_common_format=self.rule_out_formats.value,
            locked=self.locked,
        )
        self.scores = self.inputs.scores
        # Places the matching may fill: none new for a mentor who takes no new mentees.
        self.capacity = pd.Series(
            matching_capacity(self.mentors, self.locked, today=self.session.today),
            index=pd.Index([m.email for m in self.mentors], dtype=object),
            dtype="int64",
        )
        self._draw_mentors()

    def _published_matches(self) -> dict[str, MentorMatch]:
        """Participant id → their published match, as stored now (roster order)."""
        found = {
            s.key.participant: s.document
            for s in self.store.list(self.code, kind=MentorMatch.kind)
            if isinstance(s.document, MentorMatch)
        }
        order = {p.id: i for i, p in enumerate(self.participants)}
        return dict(sorted(found.items(), key=lambda item: order.get(item[0], len(order))))

    def published_pairs(self) -> pd.DataFrame:
        """The published pairs as a pairs frame (mentee, mentor, score)."""
        rows = [
            (pid, match.mentor_email, match.score if match.score is not None else float("nan"))
            for pid, match in self.published_matches.items()
        ]
        return pd.DataFrame(rows, columns=["mentee", "mentor", "score"]).astype(
            {"mentee": object, "mentor": object, "score": float}
        )

    def name(self, participant_id: str) -> str:
        person = self.by_id.get(participant_id)
        return person.name if person else participant_id

    def mentor_name(self, email: str) -> str:
        mentor = self.by_email.get(email)
        return mentor.name if mentor else email

    def readable(self, message: str) -> str:
        """A core message with participant ids and mentor emails put as names."""
        for pid, person in self.by_id.items():
            message = message.replace(pid, person.name)
        for email, mentor in self.by_email.items():
            message = message.replace(email, mentor.name)
        return message

    def _constraints(self) -> tuple[list[Pair], list[Pair]]:
        """The locks and forbidden pairs the matching runs with: the stored ones among the
        participants in it, and the pairs with no meeting format in common."""
        inside = set(self.scores.index)
        forbidden = [p for p in self.forbidden if p[0] in inside]
        forbidden += [p for p in self.inputs.no_common_format if p not in set(forbidden)]
        return [p for p in self.locked if p[0] in inside], forbidden

    def _solve(self, mode: str) -> pd.DataFrame:
        locked, forbidden = self._constraints()
        if mode == "stable":
            return stable(self.scores, self.capacity, forbidden=forbidden, locked=locked)
        return assign(
            self.scores,
            self.capacity,
            forbidden=forbidden,
            locked=locked,
            maximize=mode,  # type: ignore[arg-type]  # a key of MODES; assign refuses others
        )

    # -- running ----------------------------------------------------------------------

    def run_matching(self) -> None:
        """Read the latest answers and decisions, run every mode, show the chosen mode's pairs."""
        self.session.notice.clear()
        self._load()
        self._fill_pickers()
        self._draw_constraints()
        self._compute()

    def _compute(self) -> None:
        mode = self.mode.value
        if mode not in MODES:
            raise MatchingError("Choose a matching mode.")
        self._prepare()
        self._draw_constraints()
        locked, forbidden = self._constraints()
        summaries: dict[str, MatchingSummary] = {}
        failures: dict[str, str] = {}
        chosen: pd.DataFrame | None = None
        for key in MODES:
            try:
                pairs = self._solve(key)
                summaries[key] = summarize(
                    self.scores, self.capacity, pairs, key, forbidden=forbidden, locked=locked
                )
            except MatchingError as exc:
                failures[key] = self.readable(str(exc))
                continue
            if key == mode:
                chosen = pairs
        if chosen is None:
            raise MatchingError(f"The matching cannot run: {failures.get(mode, '')}.")
        reasons = unmatched_reasons(self.scores, self.capacity, chosen, forbidden=forbidden)
        self.run = Run(
            mode,
            chosen,
            summaries,
            failures,
            {str(pid): self._unmatched_reason(str(pid), text) for pid, text in reasons.items()},
            len(self.scores.index),
            dict(self.inputs.left_out),
        )
        self._cancel_publish()
        self._draw_result()

    def _unmatched_reason(self, participant_id: str, reason: str) -> str:
        """The core's reason in names, with the mentors named in it who take no new mentees
        and the mentors ruled out for want of a format."""
        text = self.readable(reason)
        closed = [self.mentor_name(email) for email in self.closed if email in reason]
        if closed:
            text += (
                f"; {', '.join(closed)} {'takes' if len(closed) == 1 else 'take'} no new mentees"
            )
        ruled_out = sum(pid == participant_id for pid, _ in self.inputs.no_common_format)
        if ruled_out:
            text += (
                f"; {_plural(ruled_out, 'mentor')} share no meeting format with them "
                "and are ruled out"
            )
        return text

    def _rerun(self) -> None:
        """Run again with the current locks and forbids, if the matching has run."""
        if self.run is not None:
            self._compute()

    def _options_changed(self) -> None:
        """An option changed who or what the matching leaves out: show it, run again."""
        self._prepare()
        self._draw_constraints()
        if self.run is not None:
            self._compute()
        else:
            self._draw_result()

    # -- drawing ----------------------------------------------------------------------

    def _show_mode_help(self) -> None:
        text = MODE_HELP.get(self.mode.value, "")
        self.mode_help.value = f'<p class="mentorkit-muted">{escape(text)}.</p>'

    def _left_out_sentence(self, left_out: dict[str, str]) -> str:
        if not left_out:
            return ""
        count = len(left_out)
        verb = "has" if count == 1 else "have"
        return (
            f" {_plural(count, 'participant')} {verb} not started any worksheet and "
            f"{'is' if count == 1 else 'are'} left out of the matching (tick "
            f"<em>{escape(INCLUDE_NOT_STARTED)}</em> to match them too)."
        )

    def _draw_result(self) -> None:
        run = self.run
        if run is None:
            self._draw_published()
            return
        matched = len(run.pairs)
        self.status.value = (
            f'<p role="status"><strong>{escape(MODES[run.mode])}:</strong> {matched} of the '
            f"{_plural(run.included, 'participant')} in the matching get a mentor."
            f"{self._left_out_sentence(run.left_out)}</p>"
        )
        self.comparison.value = self._comparison_html(run)
        self.pairs_heading.value = "<h2>Suggested pairs</h2>"
        self.pairs_box.children = self._pair_rows(run.pairs, published=False)
        self.unmatched_box.value = self._unmatched_html(run)
        self.downloads.value = self._downloads(run.pairs)
        self.publish_button.disabled = matched == 0

    def _draw_published(self) -> None:
        """Before any run: the pairs published now, which the page opens on."""
        count = len(self.published_matches)
        places = _plural(int(self.capacity.sum()), "place")
        closed = (
            f"; {_plural(len(self.closed), 'mentor')} not taking new mentees" if self.closed else ""
        )
        roster = (
            f"{_plural(len(self.participants), 'participant')} and "
            f"{_plural(len(self.mentors), 'mentor')} ({places}{closed})."
        )
        left_out = self._left_out_sentence(dict(self.inputs.left_out))
        if count:
            self.status.value = (
                f'<p role="status">{_plural(count, "pair is", "pairs are")} published now, '
                f"shown below. {roster}{left_out} Press <strong>Run matching</strong> to "
                "suggest changes; nothing changes for participants until you publish.</p>"
            )
        else:
            self.status.value = (
                f'<p role="status">Nothing is published yet. {roster}{left_out} Press '
                "<strong>Run matching</strong> to see suggested pairs.</p>"
            )
        self.comparison.value = ""
        self.pairs_heading.value = "<h2>Published pairs</h2>"
        pairs = self.published_pairs()
        if pairs.empty:
            self.pairs_box.children = [
                widgets.HTML('<p class="mentorkit-muted">No pairs are published yet.</p>')
            ]
            self.downloads.value = (
                '<p class="mentorkit-muted">The pairs and introduction drafts can be '
                "downloaded once the matching has run.</p>"
            )
        else:
            self.pairs_box.children = self._pair_rows(pairs, published=True)
            self.downloads.value = self._downloads(pairs)
        self.unmatched_box.value = (
            '<p class="mentorkit-muted">Run the matching to see who would have no mentor, '
            "and why.</p>"
        )
        self.publish_button.disabled = True

    def _comparison_html(self, run: Run) -> str:
        rows = []
        for key, label in MODES.items():
            found = run.summaries.get(key)
            shown = " (shown below)" if key == run.mode else ""
            head = f"<th scope='row'>{escape(label)}{shown}</th>"
            if found is not None:
                rows.append(
                    f"<tr>{head}<td class='num'>{found.matched}</td>"
                    f"<td class='num'>{found.unmatched}</td>"
                    f"<td class='num'>{found.total_score:.1f}</td>"
                    f"<td class='num'>{found.blocking_pairs}</td></tr>"
                )
            else:
                failure = run.failures.get(key, "")
                rows.append(f"<tr>{head}<td colspan='4'>{escape(failure)}</td></tr>")
        return (
            "<h2>What each mode gives</h2>"
            '<table class="mentorkit-table mentorkit-comparison"><thead><tr>'
            "<th scope='col'>Mode</th><th scope='col' class='num'>Matched</th>"
            "<th scope='col' class='num'>Unmatched</th><th scope='col' class='num'>Total score"
            "</th><th scope='col' class='num'>Blocking pairs</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            '<p class="mentorkit-muted">Blocking pairs: a participant and a mentor who would '
            "both rather be together than with the match they got.</p>"
        )

    def _reasons(self, participant_id: str, email: str) -> str:
        mentor = self.by_email[email]
        return match_reasons(
            self.framework,
            self.assessments.get(participant_id),
            mentor,
            self.choices.get(participant_id, {}).get(email),
            today=self.session.today,
        )

    def _pair_rows(self, pairs: pd.DataFrame, *, published: bool) -> list[widgets.Widget]:
        if pairs.empty:
            return [widgets.HTML('<p class="mentorkit-muted">Nobody could be matched.</p>')]
        rows: list[widgets.Widget] = []
        ordered = sorted(
            pairs.itertuples(index=False),
            key=lambda r: self.name(str(r.mentee)).casefold(),
        )
        for row in ordered:
            pid, email, score = str(row.mentee), str(row.mentor), _score(row.score)
            person, mentor = self.name(pid), self.mentor_name(email)
            locked = (pid, email) in self.locked
            shown_score = "" if score != score else f" · score {score:.1f}"
            badge = ' <span class="mentorkit-locked">(locked)</span>' if locked else ""
            if published:
                match = self.published_matches.get(pid)
                reasons = match.reasons if match is not None else ""
            else:
                reasons = self._reasons(pid, email)
            about = widgets.HTML(
                f"<p><strong>{escape(person)}</strong> with <strong>{escape(mentor)}</strong>"
                f"{shown_score}{badge}</p>"
                f'<p class="mentorkit-muted">{escape(reasons)}</p>',
                layout=widgets.Layout(flex="1 1 24rem"),
            )
            controls: list[widgets.Widget] = []
            if pid in self.by_id and email in self.by_email:
                lock = widgets.Checkbox(
                    value=locked, description=f"Lock {person} with {mentor}", indent=False
                )
                lock.observe(self.guard(self._lock_toggled(pid, email)), names="value")
                forbid = widgets.Button(description=f"Forbid {person} with {mentor}")
                forbid.on_click(self.guard(lambda _b, pair=(pid, email): self.forbid(pair)))
                controls = [lock, forbid]
            box = widgets.VBox(controls, layout=widgets.Layout(align_items="flex-start"))
            rows.append(widgets.HBox([about, box]).add_class("mentorkit-pair"))
        return rows

    def _unmatched_html(self, run: Run) -> str:
        parts: list[str] = []
        if run.unmatched:
            items = "".join(
                f"<li><strong>{escape(self.name(pid))}</strong>: {escape(reason)}</li>"
                for pid, reason in sorted(run.unmatched.items(), key=lambda i: self.name(i[0]))
            )
            parts.append(f'<ul class="mentorkit-unmatched">{items}</ul>')
        elif not run.left_out:
            parts.append("<p>Everybody has a mentor.</p>")
        elif run.included:
            who = (
                "The one participant in the matching has"
                if run.included == 1
                else f"All {run.included} participants in the matching have"
            )
            gone = len(run.left_out)
            parts.append(
                f"<p>{who} a mentor; {_plural(gone, 'participant')} "
                f"{'was' if gone == 1 else 'were'} left out.</p>"
            )
        else:
            parts.append("<p>Nobody is in the matching: every participant was left out.</p>")
        if run.left_out:
            count = len(run.left_out)
            items = "".join(
                f"<li><strong>{escape(self.name(pid))}</strong>: {escape(reason)}</li>"
                for pid, reason in sorted(run.left_out.items(), key=lambda i: self.name(i[0]))
            )
            why = (
                "they have not started any worksheet"
                if set(run.left_out.values()) == {NOT_STARTED}
                else "see each reason"
            )
            parts.append(
                f"<p>Left out of the matching ({count}): {why}. Tick "
                f"<em>{escape(INCLUDE_NOT_STARTED)}</em> above to match them too.</p>"
                f'<ul class="mentorkit-left-out">{items}</ul>'
            )
        return "".join(parts)

    def _downloads(self, pairs: pd.DataFrame) -> str:
        rows = exports.pairs_rows(pairs, self.by_id, self.by_email)
        introductions = exports.introduction_rows(
            pairs,
            self.by_id,
            self.by_email,
            self.session.workshop,
            self.framework,
            self.saved,
            today=self.session.today,
        )
        links = [
            download_link(
                "pairs.csv",
                table_bytes(rows, exports.PAIRS_COLUMNS, ".csv"),
                "text/csv",
                "Pairs (CSV)",
            ),
            download_link(
                "pairs.xlsx",
                table_bytes(rows, exports.PAIRS_COLUMNS, ".xlsx"),
                XLSX_MIME,
                "Pairs (XLSX)",
            ),
            download_link(
                "introductions.csv",
                table_bytes(introductions, exports.INTRODUCTION_COLUMNS, ".csv"),
                "text/csv",
                "Introduction email drafts (CSV)",
            ),
        ]
        return f'<div class="mentorkit-downloads">{"".join(links)}</div>'

    # -- locks and forbids ------------------------------------------------------------

    def _lock_toggled(self, pid: str, email: str) -> Callable[[dict[str, Any]], None]:
        def toggled(change: dict[str, Any]) -> None:
            if change["new"]:
                self.lock((pid, email), rerun=False)
            else:
                self.unlock((pid, email))

        return toggled

    def _decide(self, pair: Pair, decision: Decision | None) -> None:
        """Save the facilitator's `decision` about `pair` with the workshop (None takes
        back what was decided). It is theirs, not an answer to the participant's request,
        so the pair no longer says who answered."""
        self.store.decide_match(self.code, pair[0], pair[1], decision)
        self.answered_by.pop(pair, None)

    def lock(self, pair: Pair, *, rerun: bool = True) -> None:
        """Keep `pair` in every run (replacing the participant's other lock, and a forbid of
        the same pair) and save that with the workshop; with `rerun`, run the matching with
        it first, and keep nothing if the lock cannot hold."""
        before = (list(self.locked), list(self.forbidden))
        self.locked = [p for p in self.locked if p[0] != pair[0]] + [pair]
        self.forbidden = [p for p in self.forbidden if p != pair]
        try:
            if rerun:
                self._compute()
        except MatchingError:
            self.locked, self.forbidden = before
            self._prepare()
            self._draw_constraints()
            raise
        self._decide(pair, "lock")
        self._prepare()
        self._draw_constraints()

    def unlock(self, pair: Pair) -> None:
        """Stop keeping `pair` (saved with the workshop); the next run may change it."""
        self.locked = [p for p in self.locked if p != pair]
        self._decide(pair, None)
        self._prepare()
        self._draw_constraints()

    def forbid(self, pair: Pair) -> None:
        """Never suggest `pair` again (dropping a lock on it), saved with the workshop; runs
        again if the matching has run."""
        self._decide(pair, "forbid")
        if pair not in self.forbidden:
            self.forbidden.append(pair)
        self.locked = [p for p in self.locked if p != pair]
        self._prepare()
        self._draw_constraints()
        self._rerun()

    def allow(self, pair: Pair) -> None:
        """Take `pair` off the forbidden list (saved with the workshop) and run again."""
        self._decide(pair, None)
        self.forbidden = [p for p in self.forbidden if p != pair]
        self._draw_constraints()
        self._rerun()

    def _pick(self, what: str) -> None:
        pid, email = self.pick_participant.value, self.pick_mentor.value
        if pid not in self.by_id or email not in self.by_email:
            raise MatchingError("Choose a participant and a mentor first.")
        if what == "lock":
            self.lock((pid, email))
        else:
            self.forbid((pid, email))

    def _fill_pickers(self) -> None:
        people = sorted(self.participants, key=lambda p: p.name.casefold())
        self.pick_participant.options = [("— choose —", None)] + [
            (f"{p.name} ({p.email})" if p.email else p.name, p.id) for p in people
        ]
        self.pick_mentor.options = [("— choose —", None)] + [
            (self._mentor_label(m), m.email) for m in self.mentors
        ]

    def _mentor_label(self, mentor: MentorProfile) -> str:
        """'Ada Mensah (ada@example.org)', with ' — not taking new mentees' when so."""
        label = f"{mentor.name} ({mentor.email})"
        closed = self.closed.get(mentor.email)
        return f"{label} — {closed}" if closed else label

    def _draw_mentors(self) -> None:
        """The mentors, their places, the pairs locked to them and whether they take new
        mentees: one who does not gets nobody new from the matching."""
        if not self.mentors:
            self.mentors_box.value = (
                '<p class="mentorkit-muted">No mentor yet: import the mentor roster.</p>'
            )
            return
        locked = {email: sum(m == email for _p, m in self.locked) for email in self.by_email}
        rows = []
        for mentor in self.mentors:
            closed = self.closed.get(mentor.email, "")
            css = "mentorkit-step-none" if closed else "mentorkit-step-done"
            rows.append(
                f"<tr><th scope='row'>{escape(mentor.name)}</th>"
                f"<td class='num'>{mentor.capacity}</td>"
                f"<td class='num'>{locked[mentor.email]}</td>"
                f"<td class='num'>{int(self.capacity.get(mentor.email, 0))}</td>"
                f"<td class='{css}'>{escape(closed or 'taking new mentees')}</td></tr>"
            )
        note = (
            '<p class="mentorkit-muted">A mentor not taking new mentees keeps the pairs locked '
            "to them and gets nobody new from the matching; they change that in their own "
            "profile.</p>"
            if self.closed
            else ""
        )
        self.mentors_box.value = (
            '<div class="mentorkit-table-wrap"><table class="mentorkit-table '
            "mentorkit-matching-mentors\"><thead><tr><th scope='col'>Mentor</th>"
            "<th scope='col' class='num'>Capacity</th><th scope='col' class='num'>Locked</th>"
            "<th scope='col' class='num'>Places in the matching</th>"
            "<th scope='col'>New mentees</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
        )

    def _why(self, pair: Pair) -> str:
        """Why a pair is locked or forbidden, when it answers the participant's request."""
        by = self.answered_by.get(pair)
        if by is None:
            return ""
        verb = "accepted" if pair in self.locked else "declined"
        return f" ({verb} by the {by.value})"

    def _draw_constraints(self) -> None:
        items: list[widgets.Widget] = []
        for pid, email in self.locked:
            remove = widgets.Button(
                description=f"Remove lock: {self.name(pid)} with {self.mentor_name(email)}"
            )
            remove.on_click(self.guard(lambda _b, pair=(pid, email): self._remove_lock(pair)))
            items.append(remove)
        for pid, email in self.forbidden:
            remove = widgets.Button(
                description=f"Remove forbid: {self.name(pid)} with {self.mentor_name(email)}"
            )
            remove.on_click(self.guard(lambda _b, pair=(pid, email): self.allow(pair)))
            items.append(remove)
        locks = "".join(
            f"<li>Locked{self._why((p, m))}: {escape(self.name(p))} with "
            f"{escape(self.mentor_name(m))}</li>"
            for p, m in self.locked
        )
        forbids = "".join(
            f"<li>Forbidden{self._why((p, m))}: {escape(self.name(p))} with "
            f"{escape(self.mentor_name(m))}</li>"
            for p, m in self.forbidden
        )
        listing = (
            f"<h3>Current locks and forbidden pairs</h3><ul>{locks}{forbids}</ul>"
            if locks or forbids
            else '<p class="mentorkit-muted">No locked or forbidden pairs.</p>'
        )
        self.constraints_box.children = [
            widgets.HTML(listing + self._ruled_out_html()),
            widgets.VBox(items, layout=widgets.Layout(align_items="flex-start")),
        ]

    def _ruled_out_html(self) -> str:
        """The pairs ruled out for want of a common meeting format, with the reason."""
        ruled_out = self.inputs.no_common_format
        if not ruled_out:
            return ""
        items = "".join(
            f"<li>{escape(self.name(pid))} with {escape(self.mentor_name(email))}: "
            f"{escape(reason)}</li>"
            for (pid, email), reason in sorted(
                ruled_out.items(),
                key=lambda i: (self.name(i[0][0]).casefold(), self.mentor_name(i[0][1])),
            )
        )
        return (
            f'<details class="mentorkit-ruled-out"><summary>Ruled out: '
            f"{_plural(len(ruled_out), 'pair')} with no meeting format in common</summary>"
            f'<ul>{items}</ul><p class="mentorkit-muted">Lock a pair to match it anyway, or '
            f"untick <em>{escape(RULE_OUT_FORMATS)}</em>.</p></details>"
        )

    def _remove_lock(self, pair: Pair) -> None:
        self.unlock(pair)
        self._rerun()

    # -- publishing -------------------------------------------------------------------

    def _ask_to_publish(self) -> None:
        """Show what publishing the suggested pairs changes, and ask to confirm."""
        if self.run is None or self.run.pairs.empty:
            raise MatchingError("Run the matching first: there are no pairs to publish.")
        self.published_matches = self._published_matches()
        published = self.published_pairs()
        self.publishing.ask(dict(zip(published["mentee"], published["mentor"], strict=True)))
        changes = pair_changes(published, self.run.pairs)
        self.review.value = self._changes_html(changes, len(self.run.pairs))
        count = len(self.run.pairs)
        self.confirm_button.description = f"Confirm publish {_plural(count, 'match', 'matches')}"
        self.confirm_box.children = [
            self.review,
            widgets.HBox([self.confirm_button, self.cancel_button]).add_class("mentorkit-toolbar"),
        ]

    def _changes_html(self, changes: pd.DataFrame, proposed: int) -> str:
        """The table of new, changed and withdrawn pairs, with names, and a summary line."""
        counts = {kind: int((changes["change"] == kind).sum()) for kind in CHANGE_LABELS}
        kept = proposed - counts["new"] - counts["changed"]
        if changes.empty:
            return (
                '<h3>What publishing changes</h3><p role="status">Nothing changes: every '
                "suggested pair is published already. Publishing again refreshes their reasons "
                "and introduction drafts.</p>"
            )
        parts = [
            _plural(counts["new"], "new match", "new matches"),
            _plural(counts["changed"], "changed mentor"),
            f"{_plural(counts['withdrawn'], 'match', 'matches')} withdrawn",
            f"{_plural(kept, 'match', 'matches')} kept as published",
        ]
        summary = [part for part in parts if not part.startswith("0 ")]
        rows = []
        for row in changes.itertuples(index=False):
            pid = str(row.mentee)
            before = self.mentor_name(str(row.published)) if row.published is not None else "—"
            after = self.mentor_name(str(row.proposed)) if row.proposed is not None else "—"
            note = self._change_reason(pid, row.published)
            rows.append(
                f"<tr><th scope='row'>{escape(self.name(pid))}</th>"
                f"<td>{escape(CHANGE_LABELS[str(row.change)])}</td>"
                f"<td>{escape(before)}</td><td>{escape(after)}</td><td>{escape(note)}</td></tr>"
            )
        return (
            "<h3>What publishing changes</h3>"
            f'<p role="status">Publishing these pairs: {escape(", ".join(summary))}. Check '
            "the changes below, then confirm.</p>"
            '<table class="mentorkit-table mentorkit-changes"><thead><tr>'
            "<th scope='col'>Participant</th><th scope='col'>Change</th>"
            "<th scope='col'>Published mentor</th><th scope='col'>Suggested mentor</th>"
            "<th scope='col'>Why</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _change_reason(self, participant_id: str, published: object) -> str:
        """Why a published match would change or go, when the page knows: a forbid, a
        format rule, or the reason the participant is left out or unmatched."""
        if published is None or self.run is None:
            return ""
        pair = (participant_id, str(published))
        if pair in self.forbidden:
            return "you forbade the published pair"
        if pair in self.inputs.no_common_format:
            return self.inputs.no_common_format[pair]
        return self.run.left_out.get(participant_id) or self.run.unmatched.get(participant_id, "")

    def _cancel_publish(self) -> None:
        self.confirm_box.children = []
        self.publishing.withdraw()

    def _confirm_publish(self) -> None:
        """The second step: publish, only when this page pressed Publish (and not Cancel)
        since; a click sent without it does nothing."""
        if self.publishing.expect() is None:
            self._cancel_publish()
            return
        self.publish()

    def publish(self) -> int:
        """Write each pair's MentorMatch and withdraw matches no longer made, as reviewed,
        all or nothing (`Store.publish_matches`); returns the number of matches published.

        Refused when the published matches changed since the facilitator reviewed the
        changes (`_ask_to_publish`; another page published): they review again. A published
        pair that is locked is never withdrawn.
        """
        if self.run is None:
            raise MatchingError("Run the matching first: there are no pairs to publish.")
        reviewed = self.publishing.subject
        self._cancel_publish()
        self.published_matches = self._published_matches()
        now = {pid: match.mentor_email for pid, match in self.published_matches.items()}
        if reviewed is not None and reviewed != now:
            raise MatchingError(
                "The published matches changed since you reviewed them (they were published "
                "from another page). Press Publish again to see what changes now."
            )
        today = self.session.today
        workshop = self.session.workshop
        documents: dict[str, MentorMatch] = {}
        for row in self.run.pairs.itertuples(index=False):
            pid, email = str(row.mentee), str(row.mentor)
            person, mentor = self.by_id[pid], self.by_email[email]
            reasons = self._reasons(pid, email)
            earlier = self.published_matches.get(pid)
            kept = earlier is not None and earlier.mentor_email == email
            documents[pid] = validate(
                MentorMatch,
                {
                    "mentor_email": email,
                    "score": round(_score(row.score), 2),
                    "reasons": reasons,
                    "introduction": introduction_email(person, mentor, workshop, reasons),
                    # A pair kept as it was keeps the day it was first published.
                    "published_on": earlier.published_on if kept and earlier else today,
                },
            )
        locked = set(self.locked)
        withdrawing = [
            pid for pid, email in now.items() if pid not in documents and (pid, email) not in locked
        ]
        try:
            # One transaction: every match is published and every stale one withdrawn, or
            # nothing changes for anybody.
            self.store.publish_matches(self.code, documents, withdrawing)
        except StoreError as exc:
            log.exception("mentorkit: publishing the matches failed")
            self.published.value = ""  # no earlier "Published …" line stays up
            self._show_published_state()
            reason = str(exc).rstrip(".")
            raise MatchingError(
                f"Nothing was published and no match was withdrawn ({reason}). The published "
                "matches are as they were: press Publish again to try once more."
            ) from exc
        withdrawn = len(withdrawing)
        count = len(documents)
        message = f"Published {_plural(count, 'match', 'matches')}."
        if withdrawn:
            message += f" Withdrew {withdrawn} earlier match{'' if withdrawn == 1 else 'es'}."
        self.published.value = f'<p role="status" class="mentorkit-success">{escape(message)}</p>'
        self.saved = self.store.list(self.code)
        self.published_matches = self._published_matches()
        return count

    def _show_published_state(self) -> None:
        count = len(self.published_matches)
        if count:
            self.published.value = (
                f'<p class="mentorkit-muted">{_plural(count, "match is", "matches are")} '
                "published now. Publishing again shows what changes and asks first.</p>"
            )


def matching_app(
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
    refusal_delay: float = REFUSAL_DELAY_SECONDS,
) -> FacilitatorApp:
    """The matching app (the notebook facilitator/matching calls this)."""
    return facilitator_app(
        "matching", MatchingView, INTRO, store=store, environ=environ, refusal_delay=refusal_delay
    )
