"""04 SMART goals: one to five goals with dated milestones, and feedback as you type.

Each goal is its own document (kind "smart_goal", named "goal-1" … "goal-5"), so removing
one erases exactly that goal. The checker in `mentorkit.smart` guides and never blocks: a
goal with only a title is saved as a draft.

A milestone ticked done, and a goal reached, is celebrated and kept with its day (a win in
the plan). When the agreement's review date has come, the page asks for the goal review
(`mentorkit.rhythm`): each goal kept, adjusted, done or dropped, with the reason kept in
the goal's history; the review can be done at any time as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.checkins import MAX_GOALS, next_goal_name
from mentorkit.models import (
    GoalStatus,
    MentoringAgreement,
    Milestone,
    ReviewDecision,
    SelfAssessment,
    SmartGoal,
)
from mentorkit.rendering import long_date
from mentorkit.rhythm import ReviewError, celebration, review_due, review_goal
from mentorkit.smart import (
    SMART_PARTS,
    Feedback,
    Severity,
    check_goal,
    format_day,
    is_complete,
)
from mentorkit.store import Store
from mentorkit.ui.fields import Fields, FieldSet
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import html_text
from mentorkit.ui.parts import ConfirmRemove, MentorSharing, Row, RowList, ShareBox
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app
from mentorkit.worksheets import GOAL_NUMBERING, SELF_ASSESSMENT

MAX_MILESTONES = 20
LABEL_WIDTH = "11.5rem"
MILESTONE_LABEL_WIDTH = "12.5rem"
UNTITLED = "Untitled goal"

CSS = """
.mentorkit-goals .widget-button { width: auto; min-width: 8rem; padding: 0 1rem; }
.mentorkit-goals .mentorkit-goal-head {
  align-items: center; justify-content: space-between; }
.mentorkit-goals .mentorkit-goal-head h2 { margin: 0.4rem 0; }
.mentorkit-goals .mentorkit-milestone { border-top: 1px dashed #d9e2ec; padding-top: 0.3rem; }
.mentorkit-goals .mentorkit-milestone-line {
  flex-flow: row wrap; align-items: center; gap: 0 1rem; }
.mentorkit-goals .mentorkit-confirm { align-items: center; gap: 0.5rem; flex-flow: row wrap;
  background: #fdf2f2; border: 1px solid #f8b4b4; border-radius: 4px; padding: 0.3rem 0.6rem; }
.mentorkit-goals .mentorkit-feedback { background: #f8fafc; border-left: 4px solid #627d98;
  padding: 0.1rem 0.8rem; margin: 0.4rem 0; }
.mentorkit-goals .mentorkit-feedback ul { padding-left: 1.2rem; margin: 0.3rem 0; }
.mentorkit-goals .mentorkit-feedback-warning strong { color: #9b1c1c; }
.mentorkit-goals .mentorkit-feedback-tip strong { color: #1e429f; }
.mentorkit-goals .mentorkit-overdue { color: #9b1c1c; font-weight: 600; margin: 0.1rem 0; }
.mentorkit-goals .mentorkit-win { color: #03543f; font-weight: 600; margin: 0.1rem 0; }
.mentorkit-goals .widget-textarea .widget-label { align-self: flex-start; }
.mentorkit-goals .widget-select-multiple .widget-label { align-self: flex-start; }
.mentorkit-goals .mentorkit-review { border-left: 4px solid #b44d12; }
.mentorkit-goals .mentorkit-review-row { border-top: 1px dashed #d9e2ec; padding-top: 0.3rem; }
.mentorkit-goals .mentorkit-goal-status { font-weight: 600; margin: 0.2rem 0; }
.mentorkit-goals .mentorkit-goal-status.mentorkit-reached { color: #03543f; }
"""

#: How each review decision reads in its drop-down.
DECISION_LABELS: dict[ReviewDecision, str] = {
    ReviewDecision.KEEP: "Keep it as it is",
    ReviewDecision.ADJUST: "Adjust it",
    ReviewDecision.DONE: "Done: I reached it",
    ReviewDecision.DROP: "Drop it",
}
#: How a past review reads in the goal's history.
DECISION_WORDS: dict[ReviewDecision, str] = {
    ReviewDecision.KEEP: "kept",
    ReviewDecision.ADJUST: "adjusted",
    ReviewDecision.DONE: "marked done",
    ReviewDecision.DROP: "dropped",
}


def goal_number(name: str, fallback: int) -> int:
    """The N of a document named 'goal-N' (what the participant sees as 'Goal N')."""
    number = GOAL_NUMBERING.number(name)
    return fallback if number is None else number


def feedback_html(
    number: int,
    feedback: list[Feedback],
    *,
    complete: bool = False,
    problems: list[str] | None = None,
    untitled: bool = False,
) -> str:
    """The checker's feedback on goal `number` as an escaped list read out politely."""
    items: list[str] = []
    if untitled:
        items.append(
            '<li class="mentorkit-feedback-warning"><strong>To do:</strong> give this goal '
            "a title, a few words your mentor will recognise.</li>"
        )
    for problem in problems or []:
        items.append(
            f'<li class="mentorkit-feedback-warning"><strong>To fix:</strong> '
            f"{escape(problem)}</li>"
        )
    for item in feedback:
        if item.severity is Severity.WARNING:
            items.append(
                '<li class="mentorkit-feedback-warning"><strong>To fix:</strong> '
                f"{escape(item.message)}</li>"
            )
        else:
            items.append(
                f'<li class="mentorkit-feedback-tip"><strong>Tip:</strong> '
                f"{escape(item.message)}</li>"
            )
    head = f"<p><strong>Feedback on goal {number}</strong></p>"
    if complete:
        head += (
            '<p class="mentorkit-success">This goal is SMART: every part is filled in and '
            "nothing needs fixing.</p>"
        )
    body = f"<ul>{''.join(items)}</ul>" if items else ""
    return f'<div class="mentorkit-feedback" role="status">{head}{body}</div>'


class MilestoneRow(Row):
    """One milestone of goal `goal`: what, by when, done, and its Remove button."""

    def __init__(
        self,
        goal: int,
        number: int,
        milestone: Milestone | None = None,
        on_done: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-milestone")
        self.goal = goal
        #: The day it was ticked done (set here, before the row's change is saved).
        self.done_on = milestone.done_on if milestone else None
        self._on_done = on_done
        fields = Fields(MILESTONE_LABEL_WIDTH)
        self.title = fields.text(
            "", milestone.title if milestone else "", "A step on the way, e.g. Outline the talk"
        )
        self.due = fields.date_picker("", milestone.due_on if milestone else None)
        self.done = widgets.Checkbox(value=milestone.done if milestone else False, indent=False)
        self.remove = widgets.Button()
        self.problem = widgets.HTML().add_class("mentorkit-problem-line")
        self.overdue = widgets.HTML()
        self.renumber(number)
        self.children = [
            self.title,
            widgets.HBox([self.due, self.done, self.remove]).add_class("mentorkit-milestone-line"),
            self.overdue,
            self.problem,
        ]
        self.done.observe(self._ticked, names="value")
        self.due.observe(self._show_overdue, names="value")
        self.done.observe(self._show_overdue, names="value")
        self._show_overdue()

    def _ticked(self, change: Mapping[str, Any]) -> None:
        """Keep the day it was done, and celebrate it."""
        if change["new"] and self.done_on is None:
            self.done_on = date.today()
            if self._on_done is not None:
                self._on_done(f"milestone “{self.title.value.strip() or 'untitled'}” done")
        elif not change["new"]:
            self.done_on = None

    def _show_overdue(self, _change: object = None) -> None:
        """Say beside the row when it is done (a win, with its day), or not done and its
        date has passed."""
        due = self.due.value
        if self.done.value and self.done_on is not None:
            done_on = escape(long_date(self.done_on))
            self.overdue.value = f'<p class="mentorkit-win">Done on {done_on}: well done!</p>'
        elif due is not None and not self.done.value and due < date.today():
            self.overdue.value = (
                f'<p class="mentorkit-overdue">Overdue: due {escape(long_date(due))}, before '
                "today. Move the date or mark it done.</p>"
            )
        else:
            self.overdue.value = ""

    def renumber(self, number: int) -> None:
        """Label the inputs 'Goal {goal} milestone {number} …' (unique on the page)."""
        prefix = f"Goal {self.goal} milestone {number}"
        self.title.description = prefix
        self.due.description = f"{prefix} due"
        self.done.description = f"{prefix} done"
        self.remove.description = f"Remove milestone {number}"
        self.remove.tooltip = f"Remove {prefix.lower()}"

    def fields(self) -> dict[str, widgets.Widget]:
        return {"title": self.title, "due_on": self.due, "done": self.done}

    def is_blank(self) -> bool:
        return not self.title.value.strip() and self.due.value is None and not self.done.value

    def data(self) -> dict[str, Any]:
        return {
            "title": self.title.value,
            "due_on": self.due.value,
            "done": self.done.value,
            "done_on": self.done_on if self.done.value else None,
        }


class GoalCard(widgets.VBox):
    """One goal (one document): title, the five SMART parts, deadline, milestones, feedback."""

    def __init__(
        self,
        view: SmartGoalsView,
        name: str,
        number: int,
        goal: SmartGoal | None = None,
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-goal")
        self.view = view
        self.name = name
        self.number = number
        self.autosaver = view.session.autosaver(SmartGoal.kind, name)
        notice = view.session.notice
        n = number

        self.heading = widgets.HTML(f"<h2>Goal {n}</h2>")
        self.removal = ConfirmRemove(
            f"goal {n}",
            f"Remove goal {n} with all its milestones? This cannot be undone.",
            on_confirm=lambda: view.remove_goal(self),
            notice=notice,
        )
        start = goal if goal is not None else SmartGoal()
        self.fields = FieldSet(SmartGoal, view.session.status, self.autosaver.key, f"goal-{n}")
        bind = self.fields.field
        fields = Fields(LABEL_WIDTH)
        self.title = bind(
            "title",
            fields.text(
                f"Goal {n} title",
                start.title,
                "In a few words, e.g. Speak up with confidence in team meetings",
            ),
        )
        self.parts: dict[str, widgets.Textarea] = {
            field: bind(
                field,
                fields.textarea(f"Goal {n}: {label}", getattr(start, field), hint, height="4.2rem"),
            )
            for field, label, hint in SMART_PARTS
        }
        self.deadline = bind("deadline", fields.date_picker(f"Goal {n}: deadline", start.deadline))
        known = view.competency_names
        self.competencies = bind(
            "competencies",
            fields.make(
                widgets.SelectMultiple,
                f"Goal {n}: competencies",
                width="34rem",
                options=[(label, cid) for cid, label in known.items()],
                value=tuple(c for c in start.competencies if c in known),
                rows=6,
            ),
            read=list,
        )
        self.picked = widgets.HTML()
        self.milestones: RowList[Milestone, MilestoneRow] = RowList(
            lambda number, milestone: MilestoneRow(n, number, milestone, view.celebrate),
            saved=goal.milestones if goal else [],
            add=widgets.Button(description=f"Add milestone to goal {n}"),
            maximum=MAX_MILESTONES,
            notice=notice,
            on_change=self._changed,
            full_note=f"{MAX_MILESTONES} milestones is the most a goal holds.",
        )
        self.fields.computed("milestones", self.milestones.data)
        # What the reviews decided: not typed, carried with the goal as it is saved.
        self.status, self.done_on, self.reviews = start.status, start.done_on, list(start.reviews)
        self.fields.computed("status", lambda: self.status)
        self.fields.computed("done_on", lambda: self.done_on)
        self.fields.computed("reviews", lambda: [r.model_dump() for r in self.reviews])
        self.status_line = widgets.HTML().add_class("mentorkit-goal-reviews")
        self.feedback = widgets.HTML()
        self.fields.bind_rows("milestones", self.milestones.bindings("milestones"))
        if goal is not None:
            self.fields.restore(goal.draft)
        self.share = ShareBox(
            view.sharing,
            name,
            f"goal {n}",
            "this goal, its milestones and your progress",
            created=view.sharing.since(self.autosaver.key),
            on_share=self._save_new,
        )
        placed = self.fields.placed

        self.children = [
            widgets.HBox([self.heading, self.removal.remove]).add_class("mentorkit-goal-head"),
            self.removal,
            self.status_line,
            self.share.choice,
            placed("title"),
            *(placed(field) for field in self.parts),
            placed("deadline"),
            placed("competencies"),
            self.picked,
            widgets.HTML(f"<h3>Milestones of goal {n}</h3>"),
            self.milestones,
            widgets.HBox([self.milestones.add, self.milestones.note]),
            self.feedback,
            self.share.comments,
        ]
        self.fields.observe(guarded(notice)(self._changed))
        self.refresh_feedback()
        self._render_status()

    # -- reviews ---------------------------------------------------------------------------

    def reviewed(self, goal: SmartGoal) -> None:
        """Take the review `goal` carries (its status, day and history) and save at once."""
        self.status, self.done_on, self.reviews = goal.status, goal.done_on, list(goal.reviews)
        document = self.document()
        self.autosaver.request(lambda: document, now=True)
        self._render_status()

    def _render_status(self) -> None:
        """Where the goal stands after its reviews, and their history with the reasons."""
        lines: list[str] = []
        if self.status == GoalStatus.DONE:
            when = f" on {long_date(self.done_on)}" if self.done_on else ""
            lines.append(
                f'<p class="mentorkit-goal-status mentorkit-reached">Reached{escape(when)}: '
                "well done!</p>"
            )
        elif self.status == GoalStatus.DROPPED:
            lines.append('<p class="mentorkit-goal-status">Dropped at a review.</p>')
        if self.reviews:
            items = "".join(
                f"<li>{escape(long_date(r.on))}: {escape(DECISION_WORDS[r.decision])}"
                + (f": {html_text(r.reason)}" if r.reason else "")
                + "</li>"
                for r in self.reviews
            )
            lines.append(f'<p class="mentorkit-muted">Reviews of goal {self.number}:</p>')
            lines.append(f"<ul>{items}</ul>")
        self.status_line.value = "".join(lines)

    # -- the document ----------------------------------------------------------------------

    def document(self) -> SmartGoal:
        """The goal as a document: what is valid, and what is not kept as typed."""
        self.fields.bind_rows("milestones", self.milestones.bindings("milestones"))
        document = self.fields.document(self.fields.data())
        assert isinstance(document, SmartGoal)
        return document

    def _changed(self, _change: object = None) -> None:
        if self.closed:  # a late message for a removed goal must not bring it back
            return
        document = self.document()
        saved = self.autosaver.document
        # A new milestone is saved at once: the page after a reload is drawn from the store.
        grown = isinstance(saved, SmartGoal) and len(document.milestones) != len(saved.milestones)
        self.autosaver.request(lambda: document, now=grown)
        self.refresh_feedback(document)

    def _save_new(self) -> None:
        """A goal shared before anything is typed in it is saved now: what is shared exists."""
        if self.autosaver.document is None and not self.autosaver.has_unsaved_changes:
            document = self.document()
            self.autosaver.request(lambda: document, now=True)

    def _render_picked(self) -> None:
        names = [self.view.competency_names[c] for c in self.competencies.value]
        picked = f"Picked: {', '.join(names)}." if names else "None picked yet."
        self.picked.value = (
            f'<p class="mentorkit-muted">{escape(picked)} Hold Ctrl (⌘ on a Mac) to pick more '
            "than one; tag at least one of your growth areas.</p>"
        )

    def refresh_feedback(self, goal: SmartGoal | None = None) -> None:
        """Run the checker over what is typed now; an untitled draft is checked too."""
        self._render_picked()
        goal = goal if goal is not None else self.document()
        untitled = not goal.title.strip()
        if untitled:
            goal = goal.model_copy(update={"title": UNTITLED})
        view = self.view
        context: dict[str, Any] = {
            "today": date.today(),
            "growth_areas": view.growth_areas,
            "framework": view.framework,
            "agreement_end": view.agreement_end,
        }
        self.feedback.value = feedback_html(
            self.number,
            check_goal(goal, **context),
            complete=not untitled and not goal.needs_attention and is_complete(goal, **context),
            untitled=untitled,
            problems=[
                f"{self.fields.labels[key]}: {problem}"
                for key, problem in self.fields.problems.items()
            ],
        )

    @property
    def closed(self) -> bool:
        """The card was removed: its widgets are closed and it saves nothing more."""
        return self.comm is None


class ReviewPanel(widgets.VBox):
    """The goal review: for each goal in progress, keep, adjust, done or drop, and why.

    Nothing is half-written: every decision is checked first (an adjustment or a drop
    needs its reason, said next to that goal), and only then is each goal saved with the
    review in its history.
    """

    def __init__(self, view: SmartGoalsView) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-review")
        self.view = view
        self.intro = widgets.HTML()
        self.open_button = widgets.Button(description="Review my goals")
        self.save_button = widgets.Button(description="Save my review", button_style="primary")
        self.rows_box = widgets.VBox()
        self.decisions: dict[str, widgets.Dropdown] = {}
        self.reasons: dict[str, widgets.Textarea] = {}
        self.problems: dict[str, widgets.HTML] = {}
        guard = guarded(view.session.notice)
        self.open_button.on_click(guard(lambda _button: self.begin()))
        self.save_button.on_click(guard(lambda _button: self.save()))
        self.children = [
            widgets.HTML('<h2 id="mentorkit-review">Review my goals</h2>'),
            self.intro,
            widgets.HBox([self.open_button]),
            self.rows_box,
        ]
        self.refresh()

    @property
    def is_open(self) -> bool:
        return bool(self.rows_box.children)

    def refresh(self) -> None:
        """Say whether the review is due; open it when it is."""
        due = review_due(self.view.agreement, self.view.documents(), date.today())
        if due is not None:
            self.intro.value = (
                '<p class="mentorkit-review-due" role="status"><strong>Time to review your '
                f"goals:</strong> your review date, {escape(long_date(due))}, has come. For "
                "each goal, decide whether to keep it, adjust it, mark it done or drop it, "
                "and say why: your reasons stay in each goal's history.</p>"
            )
            if not self.is_open:
                self.begin()
        else:
            self.intro.value = (
                '<p class="mentorkit-muted">Look at your goals again whenever something '
                "changes, and at the review date your agreement sets.</p>"
            )

    def begin(self) -> None:
        """One row per goal in progress: its decision and its reason. (Not `open`, which
        is the widget's own.)"""
        fields = Fields(LABEL_WIDTH)
        rows: list[widgets.Widget] = []
        self.decisions, self.reasons, self.problems = {}, {}, {}
        for card in self.view.cards:
            if card.status != GoalStatus.ACTIVE:
                continue
            n = card.number
            title = card.title.value.strip() or UNTITLED
            decision = fields.dropdown(
                f"Goal {n}: decision",
                [("— choose —", None), *((label, d) for d, label in DECISION_LABELS.items())],
                None,
            )
            reason = fields.textarea(
                f"Goal {n}: why", "", "What changed, what you learned", height="3.2rem"
            )
            problem = widgets.HTML().add_class("mentorkit-problem-line")
            self.decisions[card.name], self.reasons[card.name] = decision, reason
            self.problems[card.name] = problem
            rows.append(
                widgets.VBox(
                    [
                        widgets.HTML(f"<h3>Goal {n}: {escape(title)}</h3>"),
                        decision,
                        reason,
                        problem,
                    ]
                ).add_class("mentorkit-review-row")
            )
        if not rows:
            self.view.session.notice.show("There is no goal in progress to review.")
            return
        stale = self.rows_box.children
        self.rows_box.children = [*rows, widgets.HBox([self.save_button])]
        for widget in stale:
            close_tree(widget)
        self.open_button.layout.display = "none"

    def save(self) -> None:
        """Check every decision, then save each goal with its review."""
        today = date.today()
        cards = {card.name: card for card in self.view.cards}
        reviewed: dict[str, SmartGoal] = {}
        refused = False
        for name, decision in self.decisions.items():
            self.problems[name].value = ""
            card = cards.get(name)
            if card is None or decision.value is None:
                continue
            try:
                reviewed[name] = review_goal(
                    card.document(), decision.value, self.reasons[name].value, today
                )
            except ReviewError as exc:
                self.problems[name].value = f'<p class="mentorkit-problem">{escape(str(exc))}</p>'
                refused = True
        notice = self.view.session.notice
        if refused:
            notice.show("Your review was not saved yet: see the goals marked below.", kind="error")
            return
        if not reviewed:
            notice.show("Choose a decision for at least one goal.", kind="error")
            return
        for name, goal in reviewed.items():
            cards[name].reviewed(goal)
        stale = self.rows_box.children
        self.rows_box.children = []
        for widget in stale:
            close_tree(widget)
        self.open_button.layout.display = ""
        reached = [cards[n] for n, g in reviewed.items() if g.status == GoalStatus.DONE]
        adjusted = [
            cards[n].number
            for n, g in reviewed.items()
            if g.reviews[-1].decision == ReviewDecision.ADJUST
        ]
        said = "Review saved: each goal keeps it in its history."
        if adjusted:
            said += f" Now adjust goal {', '.join(map(str, adjusted))} below."
        if reached:
            names = ", ".join(f"“{c.title.value.strip() or UNTITLED}”" for c in reached)
            said = celebration(f"goal {names} reached") + " " + said
        notice.show(said, kind="success")
        self.refresh()


class SmartGoalsView(widgets.VBox):
    """One to five goal cards; each saves itself, and the checker follows every keystroke."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("mentorkit-goals")
        self.session = session
        self.framework = session.workshop.framework
        self.competency_names = {cid: c.name for cid, c in self.framework.competencies().items()}
        assessment = session.document(SelfAssessment)
        self.agreement = session.document(MentoringAgreement)
        self.growth_areas = list(assessment.growth_areas) if assessment else []
        self.agreement_end = self.agreement.end_on if self.agreement else None

        self.sharing = MentorSharing(session)
        self.cards: list[GoalCard] = []
        for name, autosaver in session.autosavers(SmartGoal).items():
            goal = autosaver.document
            self.cards.append(self._card(name, goal if isinstance(goal, SmartGoal) else None))
        if not self.cards:
            self.cards.append(self._card(next_goal_name([])))

        guard = guarded(session.notice)
        self.add_goal = widgets.Button(description="Add a goal", button_style="primary")
        self.add_goal.on_click(guard(self._add_goal))
        self.limit_note = widgets.HTML()
        self.cards_box = widgets.VBox()
        self.review = ReviewPanel(self)
        self.children = [
            widgets.HTML(f"<style>{CSS}</style>"),
            widgets.HTML(self._context_html()),
            self.review,
            self.cards_box,
            widgets.HBox(
                [self.add_goal, self.limit_note], layout=widgets.Layout(align_items="center")
            ),
        ]
        self._layout()

    def _card(self, name: str, goal: SmartGoal | None = None) -> GoalCard:
        return GoalCard(self, name, goal_number(name, len(self.cards) + 1), goal)

    def _context_html(self) -> str:
        """What the checker compares the goals with: growth areas and the agreement's end."""
        names = [self.competency_names.get(g, g) for g in self.growth_areas]
        if names:
            areas = (
                f"<p>Your growth areas from the self-assessment: "
                f"<strong>{escape(', '.join(names))}</strong>. Tie each goal to at least one "
                "of them.</p>"
            )
        else:
            link = escape(self.session.link(SELF_ASSESSMENT.notebook))
            areas = (
                '<p class="mentorkit-muted">You have not picked growth areas yet. '
                f'<a href="{link}">Pick them in the Self-assessment</a> and the feedback '
                "here will check that each goal serves one of them.</p>"
            )
        if self.agreement_end is not None:
            areas += (
                f"<p>Your mentoring agreement ends on "
                f"<strong>{escape(format_day(self.agreement_end))}</strong>.</p>"
            )
        return areas + f"<p>You can set up to {MAX_GOALS} goals; two or three is plenty.</p>"

    def _layout(self) -> None:
        self.cards_box.children = self.cards
        full = len(self.cards) >= MAX_GOALS
        self.add_goal.disabled = full
        if full:
            self.limit_note.value = (
                f'<span class="mentorkit-muted">You have {MAX_GOALS} goals, the most this '
                "worksheet holds. Remove one to add another.</span>"
            )
        elif not self.cards:
            self.limit_note.value = '<span class="mentorkit-muted">No goals yet.</span>'
        else:
            self.limit_note.value = ""

    def names(self) -> list[str]:
        return [card.name for card in self.cards]

    def celebrate(self, what: str) -> None:
        """A milestone or a goal done: say so, warmly."""
        self.session.notice.show(celebration(what), kind="success")

    def _add_goal(self, _button: widgets.Button) -> None:
        if len(self.cards) >= MAX_GOALS:
            return
        card = self._card(next_goal_name(self.names()))
        self.cards.append(card)
        self.cards.sort(key=lambda c: c.number)
        self._layout()
        card.title.focus()

    def remove_goal(self, card: GoalCard) -> None:
        """Erase the goal's document and take its card off the page; the card is closed,
        so nothing a browser still sends to its inputs can save it again."""
        card.autosaver.delete()
        self.session.forget(card.autosaver)
        card.share.forget()
        card.fields.show({})
        self.cards.remove(card)
        self._layout()
        close_tree(card)
        self.session.notice.show(f"Goal {card.number} was removed.", kind="success")
        self.add_goal.focus()

    def documents(self) -> dict[str, SmartGoal]:
        """The goals on the page, by name."""
        return {card.name: card.document() for card in self.cards}


def smart_goals_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The SMART goals app (the notebook 04_smart_goals calls this)."""
    return worksheet_app("04_smart_goals", SmartGoalsView, store=store, environ=environ)
