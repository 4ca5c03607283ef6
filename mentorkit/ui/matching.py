"""Matching: suggest mentor–mentee pairs, compare the ways of matching, adjust, publish.

The facilitator picks a mode (highest total score, most people matched, or stable), runs
the matching and sees what each mode gives up (matched, unmatched, total score, blocking
pairs). They review the suggested pairs with their reasons, lock pairs to keep or forbid
pairs to rule out, and run again; then publish: every matched participant gets a
`MentorMatch` document (their mentor, the reasons and an introduction email draft) that
their plan shows, and a participant no longer matched loses theirs.

Locks and forbidden pairs live in this page's memory only: they hold across runs while the
page is open and are gone after a reload (Voilà starts a new kernel per visit). What was
published stays in the store.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from mentorkit import exports
from mentorkit.cohort import (
    introduction_email,
    match_reasons,
    shortlist_choices,
    workshop_scores,
)
from mentorkit.matching import (
    MatchingError,
    MatchingSummary,
    assign,
    stable,
    summarize,
    unmatched_reasons,
)
from mentorkit.models import MentorMatch, MentorProfile, Participant, SelfAssessment, validate
from mentorkit.store import DocumentKey, Saved
from mentorkit.ui.common import download_link, guarded
from mentorkit.ui.facilitator import FacilitatorApp, FacilitatorSession, facilitator_app

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
    "again. When the pairs look right, publish them: each participant then sees their "
    "mentor and an introduction email draft in their plan.\n\n"
    "Locks and forbidden pairs are kept while this page is open; reloading the page starts "
    "afresh (published matches stay)."
)
LABEL_WIDTH = "9rem"

Pair = tuple[str, str]  # (participant id, mentor email)


@dataclass(frozen=True)
class Run:
    """One run of the matching: the pairs of the chosen mode and what every mode gives."""

    mode: str
    pairs: pd.DataFrame
    summaries: dict[str, MatchingSummary | str]  # a summary, or why the mode failed
    unmatched: dict[str, str]  # participant id → reason


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
        #: Pairs the facilitator fixed or ruled out; kept in memory for this page only.
        self.locked: list[Pair] = []
        self.forbidden: list[Pair] = []
        self.run: Run | None = None
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
        self.pairs_box = widgets.VBox()
        self.unmatched_box = widgets.HTML()

        self.pick_participant = widgets.Dropdown(
            description="Participant",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="30rem"),
        )
        self.pick_mentor = widgets.Dropdown(
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
        self.confirm_box = widgets.HBox([])
        self.published = widgets.HTML()
        self.publish_button.on_click(self.guard(lambda _b: self._ask_to_publish()))
        self.confirm_button.on_click(self.guard(lambda _b: self.publish()))
        self.cancel_button.on_click(self.guard(lambda _b: self._cancel_publish()))
        self.downloads = widgets.HTML()

        self.children = [
            widgets.HBox([self.mode, self.run_button]).add_class("mentorkit-toolbar"),
            self.mode_help,
            self.status,
            self.comparison,
            widgets.HTML("<h2>Suggested pairs</h2>"),
            self.pairs_box,
            widgets.HTML("<h2>Not matched</h2>"),
            self.unmatched_box,
            widgets.HTML(
                "<h2>Lock or forbid any pair</h2><p>A locked pair is kept in every run; a "
                "forbidden pair is never suggested. Both apply the next time the matching "
                "runs (a change here runs it again).</p>"
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
                "not now has their earlier match withdrawn.</p>"
            ),
            widgets.HBox([self.publish_button, self.confirm_box]).add_class("mentorkit-toolbar"),
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
        """Read the roster, documents and scores from the store."""
        self.participants: list[Participant] = self.store.participants(self.code)
        self.mentors: list[MentorProfile] = self.store.mentors(self.code)
        self.by_id = {p.id: p for p in self.participants}
        self.by_email = {m.email: m for m in self.mentors}
        self.saved: list[Saved] = self.store.list(self.code)
        self.assessments = _latest_assessments(self.saved)
        self.choices = shortlist_choices(self.saved)
        self.scores = workshop_scores(
            self.framework, self.participants, self.mentors, self.saved, today=self.session.today
        )
        self.capacity = pd.Series({m.email: m.capacity for m in self.mentors}, dtype="int64")
        # Locks and forbids of people no longer on a roster are dropped.
        known = set(self.by_id), set(self.by_email)
        self.locked = [p for p in self.locked if p[0] in known[0] and p[1] in known[1]]
        self.forbidden = [p for p in self.forbidden if p[0] in known[0] and p[1] in known[1]]

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

    def _solve(self, mode: str) -> pd.DataFrame:
        if mode == "stable":
            return stable(self.scores, self.capacity, forbidden=self.forbidden, locked=self.locked)
        return assign(
            self.scores,
            self.capacity,
            forbidden=self.forbidden,
            locked=self.locked,
            maximize=mode,  # type: ignore[arg-type]
        )

    # -- running ----------------------------------------------------------------------

    def run_matching(self) -> None:
        """Read the latest answers, run every mode, show the chosen mode's pairs."""
        self.session.notice.clear()
        self._load()
        self._compute()

    def _compute(self) -> None:
        mode = self.mode.value
        if mode not in MODES:
            raise MatchingError("Choose a matching mode.")
        summaries: dict[str, MatchingSummary | str] = {}
        chosen: pd.DataFrame | None = None
        failure = ""
        for key in MODES:
            try:
                pairs = self._solve(key)
                summaries[key] = summarize(
                    self.scores,
                    self.capacity,
                    pairs,
                    key,
                    forbidden=self.forbidden,
                    locked=self.locked,
                )
            except MatchingError as exc:
                summaries[key] = self.readable(str(exc))
                if key == mode:
                    failure = summaries[key]
                continue
            if key == mode:
                chosen = pairs
        if chosen is None:
            raise MatchingError(f"The matching cannot run: {failure}.")
        reasons = unmatched_reasons(self.scores, self.capacity, chosen, forbidden=self.forbidden)
        self.run = Run(
            mode,
            chosen,
            summaries,
            {str(pid): self.readable(text) for pid, text in reasons.items()},
        )
        self._cancel_publish()
        self._draw_result()

    def _rerun(self) -> None:
        """Run again with the current locks and forbids, if the matching has run."""
        if self.run is not None:
            self._compute()

    # -- drawing ----------------------------------------------------------------------

    def _show_mode_help(self) -> None:
        text = MODE_HELP.get(self.mode.value, "")
        self.mode_help.value = f'<p class="mentorkit-muted">{escape(text)}.</p>'

    def _draw_result(self) -> None:
        run = self.run
        if run is None:
            self.status.value = (
                f"<p>{len(self.participants)} participants and {len(self.mentors)} mentors "
                f"({int(self.capacity.sum())} places). Press <strong>Run matching</strong> to "
                "see suggested pairs.</p>"
            )
            self.comparison.value = ""
            self.pairs_box.children = [
                widgets.HTML('<p class="mentorkit-muted">No matching has run yet.</p>')
            ]
            self.unmatched_box.value = '<p class="mentorkit-muted">No matching has run yet.</p>'
            self.downloads.value = (
                '<p class="mentorkit-muted">The pairs and introduction drafts can be '
                "downloaded once the matching has run.</p>"
            )
            self.publish_button.disabled = True
            return
        matched = len(run.pairs)
        self.status.value = (
            f'<p role="status"><strong>{escape(MODES[run.mode])}:</strong> {matched} of '
            f"{len(self.participants)} participants matched.</p>"
        )
        self.comparison.value = self._comparison_html(run)
        self.pairs_box.children = self._pair_rows(run)
        self.unmatched_box.value = self._unmatched_html(run)
        self.downloads.value = self._downloads(run)
        self.publish_button.disabled = matched == 0

    def _comparison_html(self, run: Run) -> str:
        rows = []
        for key, label in MODES.items():
            found = run.summaries.get(key)
            shown = " (shown below)" if key == run.mode else ""
            head = f"<th scope='row'>{escape(label)}{shown}</th>"
            if isinstance(found, MatchingSummary):
                rows.append(
                    f"<tr>{head}<td class='num'>{found.matched}</td>"
                    f"<td class='num'>{found.unmatched}</td>"
                    f"<td class='num'>{found.total_score:.1f}</td>"
                    f"<td class='num'>{found.blocking_pairs}</td></tr>"
                )
            else:
                rows.append(f"<tr>{head}<td colspan='4'>{escape(str(found))}</td></tr>")
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

    def _pair_rows(self, run: Run) -> list[widgets.Widget]:
        if run.pairs.empty:
            return [widgets.HTML('<p class="mentorkit-muted">Nobody could be matched.</p>')]
        rows: list[widgets.Widget] = []
        ordered = sorted(
            run.pairs.itertuples(index=False),
            key=lambda r: self.name(str(r.mentee)).casefold(),
        )
        for row in ordered:
            pid, email, score = str(row.mentee), str(row.mentor), float(row.score)
            person, mentor = self.name(pid), self.mentor_name(email)
            locked = (pid, email) in self.locked
            lock = widgets.Checkbox(
                value=locked, description=f"Lock {person} with {mentor}", indent=False
            )
            lock.observe(self.guard(self._lock_toggled(pid, email)), names="value")
            forbid = widgets.Button(description=f"Forbid {person} with {mentor}")
            forbid.on_click(self.guard(lambda _b, pair=(pid, email): self.forbid(pair)))
            badge = ' <span class="mentorkit-locked">(locked)</span>' if locked else ""
            about = widgets.HTML(
                f"<p><strong>{escape(person)}</strong> with <strong>{escape(mentor)}</strong>"
                f" · score {score:.1f}{badge}</p>"
                f'<p class="mentorkit-muted">{escape(self._reasons(pid, email))}</p>',
                layout=widgets.Layout(flex="1 1 24rem"),
            )
            controls = widgets.VBox([lock, forbid], layout=widgets.Layout(align_items="flex-start"))
            rows.append(widgets.HBox([about, controls]).add_class("mentorkit-pair"))
        return rows

    def _unmatched_html(self, run: Run) -> str:
        if not run.unmatched:
            return "<p>Everybody has a mentor.</p>"
        items = "".join(
            f"<li><strong>{escape(self.name(pid))}</strong>: {escape(reason)}</li>"
            for pid, reason in sorted(run.unmatched.items(), key=lambda i: self.name(i[0]))
        )
        return f'<ul class="mentorkit-unmatched">{items}</ul>'

    def _downloads(self, run: Run) -> str:
        pairs = exports.pairs_rows(run.pairs, self.by_id, self.by_email)
        introductions = exports.introduction_rows(
            run.pairs,
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
                table_bytes(pairs, exports.PAIRS_COLUMNS, ".csv"),
                "text/csv",
                "Pairs (CSV)",
            ),
            download_link(
                "pairs.xlsx",
                table_bytes(pairs, exports.PAIRS_COLUMNS, ".xlsx"),
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

    def _lock_toggled(self, pid: str, email: str) -> Callable[[dict], None]:
        def toggled(change: dict) -> None:
            if change["new"]:
                self.lock((pid, email), rerun=False)
            else:
                self.unlock((pid, email))

        return toggled

    def lock(self, pair: Pair, *, rerun: bool = True) -> None:
        """Keep `pair` in every run (replacing the participant's other lock, and a forbid of
        the same pair); runs again when asked to and the matching has run."""
        before = (list(self.locked), list(self.forbidden))
        self.locked = [p for p in self.locked if p[0] != pair[0]] + [pair]
        self.forbidden = [p for p in self.forbidden if p != pair]
        try:
            if rerun:
                self._rerun()
        except MatchingError:
            self.locked, self.forbidden = before
            self._draw_constraints()
            raise
        self._draw_constraints()

    def unlock(self, pair: Pair) -> None:
        """Stop keeping `pair`; the next run may change it."""
        self.locked = [p for p in self.locked if p != pair]
        self._draw_constraints()

    def forbid(self, pair: Pair) -> None:
        """Never suggest `pair` again (dropping a lock on it) and run again."""
        if pair not in self.forbidden:
            self.forbidden.append(pair)
        self.locked = [p for p in self.locked if p != pair]
        self._draw_constraints()
        self._rerun()

    def allow(self, pair: Pair) -> None:
        """Take `pair` off the forbidden list and run again."""
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
            (f"{m.name} ({m.email})", m.email) for m in self.mentors
        ]

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
            f"<li>Locked: {escape(self.name(p))} with {escape(self.mentor_name(m))}</li>"
            for p, m in self.locked
        )
        forbids = "".join(
            f"<li>Forbidden: {escape(self.name(p))} with {escape(self.mentor_name(m))}</li>"
            for p, m in self.forbidden
        )
        listing = (
            f"<h3>Current locks and forbidden pairs</h3><ul>{locks}{forbids}</ul>"
            if locks or forbids
            else '<p class="mentorkit-muted">No locked or forbidden pairs.</p>'
        )
        self.constraints_box.children = [
            widgets.HTML(listing),
            widgets.VBox(items, layout=widgets.Layout(align_items="flex-start")),
        ]

    def _remove_lock(self, pair: Pair) -> None:
        self.unlock(pair)
        self._rerun()

    # -- publishing -------------------------------------------------------------------

    def _ask_to_publish(self) -> None:
        if self.run is None or self.run.pairs.empty:
            raise MatchingError("Run the matching first: there are no pairs to publish.")
        count = len(self.run.pairs)
        noun = "match" if count == 1 else "matches"
        self.confirm_button.description = f"Confirm publish {count} {noun}"
        self.confirm_box.children = [self.confirm_button, self.cancel_button]

    def _cancel_publish(self) -> None:
        self.confirm_box.children = []

    def publish(self) -> int:
        """Write each pair's MentorMatch and withdraw matches no longer made; returns the
        number of matches published."""
        if self.run is None:
            raise MatchingError("Run the matching first: there are no pairs to publish.")
        self._cancel_publish()
        today = self.session.today
        workshop = self.session.workshop
        documents: dict[str, MentorMatch] = {}
        for row in self.run.pairs.itertuples(index=False):
            pid, email = str(row.mentee), str(row.mentor)
            person, mentor = self.by_id[pid], self.by_email[email]
            reasons = self._reasons(pid, email)
            documents[pid] = validate(
                MentorMatch,
                {
                    "mentor_email": email,
                    "score": round(float(row.score), 2),
                    "reasons": reasons,
                    "introduction": introduction_email(person, mentor, workshop, reasons),
                    "published_on": today,
                },
            )
        for pid, document in documents.items():
            key = DocumentKey(self.code, pid, MentorMatch.kind)
            current = self.store.load(key)
            self.store.save(
                key, document, expected_revision=current.revision if current is not None else 0
            )
        withdrawn = 0
        for saved in self.store.list(self.code, kind=MentorMatch.kind):
            if saved.key.participant not in documents:
                self.store.delete(saved.key)
                withdrawn += 1
        count = len(documents)
        message = f"Published {count} match{'' if count == 1 else 'es'}."
        if withdrawn:
            message += f" Withdrew {withdrawn} earlier match{'' if withdrawn == 1 else 'es'}."
        self.published.value = f'<p role="status" class="mentorkit-success">{escape(message)}</p>'
        self.saved = self.store.list(self.code)
        return count

    def _show_published_state(self) -> None:
        found = self.store.list(self.code, kind=MentorMatch.kind)
        if found:
            self.published.value = (
                f'<p class="mentorkit-muted">{len(found)} matches are published now. '
                "Publishing again replaces them.</p>"
            )


def matching_app(**kwargs: object) -> FacilitatorApp:
    """The matching app (the notebook facilitator/matching calls this)."""
    return facilitator_app("matching", MatchingView, INTRO, **kwargs)  # type: ignore[arg-type]
