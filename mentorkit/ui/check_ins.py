"""05 Check-ins: a log of meetings with action items, open actions and goal progress.

Each meeting is its own document (kind "check_in", named "check-in-1", "check-in-2", …).
Above the log the participant sees every action item (open ones first, overdue ones
marked), how far each SMART goal has come, counted in milestones, and the meetings the
agreement plans compared with those logged (`mentorkit.rhythm`): missed ones, the next
one, and the goal review when its date has come. Each meeting has a "before the meeting"
box for the question or agenda the mentee brings. While the facilitator has a feedback
survey open, its questions come first (`mentorkit.surveys`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.checkins import (
    GoalProgress,
    OpenItem,
    action_items,
    goal_progress,
    next_check_in_name,
    ordered_check_ins,
)
from mentorkit.models import (
    ActionItem,
    CheckIn,
    MentoringAgreement,
    Owner,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
)
from mentorkit.rendering import long_date
from mentorkit.rhythm import compare_schedule, review_due, schedule_words
from mentorkit.smart import format_day
from mentorkit.store import Store, StoredNote
from mentorkit.surveys import Respondents, open_surveys
from mentorkit.ui.fields import Fields, FieldSet
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import html_text, split_list
from mentorkit.ui.parts import (
    ConfirmRemove,
    MentorSharing,
    Row,
    RowList,
    ShareBox,
    note_html,
)
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app
from mentorkit.ui.survey_form import SurveyForm
from mentorkit.worksheets import CHECK_IN_NUMBERING, EXPECTATIONS, SMART_GOALS

MAX_ACTIONS = 30
LABEL_WIDTH = "13rem"
ACTION_LABEL_WIDTH = "13rem"

#: How an owner reads in the page (the Dropdown shows these words).
OWNER_LABELS: dict[Owner, str] = {
    Owner.MENTEE: "Me (mentee)",
    Owner.MENTOR: "My mentor",
    Owner.BOTH: "Both of us",
}

CSS = """
.mentorkit-check-ins .widget-button { width: auto; min-width: 8rem; padding: 0 1rem; }
.mentorkit-check-ins .mentorkit-meeting-head {
  align-items: center; justify-content: space-between; }
.mentorkit-check-ins .mentorkit-meeting-head h3 { margin: 0.4rem 0; }
.mentorkit-check-ins .mentorkit-action { border-top: 1px dashed #d9e2ec; padding-top: 0.3rem; }
.mentorkit-check-ins .mentorkit-rhythm p { margin: 0.3rem 0; }
.mentorkit-review-due { border-left: 4px solid #b44d12; background: #fffaeb;
  padding: 0.3rem 0.8rem; }
.mentorkit-review-due a { color: #1d4ed8; text-decoration: underline; }
.mentorkit-check-ins .mentorkit-action-line {
  flex-flow: row wrap; align-items: center; gap: 0 1rem; }
.mentorkit-check-ins .mentorkit-confirm { align-items: center; gap: 0.5rem; flex-flow: row wrap;
  background: #fdf2f2; border: 1px solid #f8b4b4; border-radius: 4px; padding: 0.3rem 0.6rem; }
.mentorkit-check-ins .widget-textarea .widget-label { align-self: flex-start; }
.mentorkit-check-ins .mentorkit-actions li { margin: 0.25rem 0; }
.mentorkit-check-ins .mentorkit-action-done { text-decoration: line-through; }
"""


def meeting_number(name: str, fallback: int) -> int:
    """The N of a document named 'check-in-N' (what the participant sees as 'Meeting N')."""
    number = CHECK_IN_NUMBERING.number(name)
    return fallback if number is None else number


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def open_actions_html(items: list[OpenItem], numbers: dict[str, int]) -> str:
    """Every action item, open ones first; overdue ones marked in words and colour."""
    if not items:
        return (
            '<p class="mentorkit-muted">No action items yet. Add the actions you agree to a '
            "meeting below.</p>"
        )
    open_count = sum(1 for entry in items if not entry.item.done)
    overdue_count = sum(1 for entry in items if entry.overdue)
    counts = f"{open_count} open"
    if overdue_count:
        counts += f', <span class="mentorkit-overdue">{overdue_count} overdue</span>'
    rows: list[str] = []
    for entry in items:
        item = entry.item
        meeting = numbers.get(entry.check_in_name)
        where = [f"meeting {meeting}"] if meeting is not None else []
        where.append(format_day(entry.met_on) if entry.met_on else "date not set yet")
        source = ", ".join(where)
        details = [f"owner: {OWNER_LABELS[item.owner]}"]
        if item.due_on is not None:
            details.append(f"due {format_day(item.due_on)}")
        text = f"<strong>{escape(item.text)}</strong> · {escape(' · '.join(details))}"
        if entry.overdue:
            text += (
                f' <span class="mentorkit-overdue">overdue by {_days(entry.days_overdue)}</span>'
            )
        text += f' <span class="mentorkit-muted">(from {escape(source)})</span>'
        if item.done:
            rows.append(
                '<li class="mentorkit-muted">Done: '
                f'<span class="mentorkit-action-done">{escape(item.text)}</span> '
                f"(from {escape(source)})</li>"
            )
        else:
            rows.append(f"<li>{text}</li>")
    return f'<p>{counts}</p><ul class="mentorkit-actions">{"".join(rows)}</ul>'


def progress_html(progress: list[GoalProgress], goals_link: str) -> str:
    """A bar and a one-line summary per goal (milestones done of all)."""
    if not progress:
        return (
            '<p class="mentorkit-muted">No SMART goals yet. '
            f'<a href="{escape(goals_link)}">Set your goals</a> and their milestones show '
            "here.</p>"
        )
    bars: list[str] = []
    for goal in progress:
        title = escape(goal.title)
        summary = escape(goal.summary)
        bars.append(
            f'<div class="mentorkit-bar" role="img" aria-label="{title}: {summary}">'
            f'<span class="mentorkit-bar-label">{title}</span>'
            '<span class="mentorkit-bar-track"><span class="mentorkit-bar-fill" '
            f'style="width:{goal.percent}%; display:block"></span></span>'
            f"<span>{goal.percent}%</span></div>"
            f'<p class="mentorkit-muted" style="margin:0 0 0.6rem">{summary}</p>'
        )
    return "".join(bars)


def mentor_actions_html(actions: list[StoredNote], today: date) -> str:
    """The mentor's own action items: overdue ones first, then open ones by due date, then
    those done; each with its due date and whether it is done."""

    def order(stored: StoredNote) -> tuple[int, date, int]:
        note = stored.note
        overdue = not note.done and note.due_on is not None and note.due_on < today
        rank = 0 if overdue else 2 if note.done else 1
        return rank, note.due_on or date.max, stored.id

    rows: list[str] = []
    for stored in sorted(actions, key=order):
        note = stored.note
        due = f"due {format_day(note.due_on)}" if note.due_on else "no due date"
        state = "done" if note.done else "open"
        text = html_text(note.text)
        if note.done:
            text = f'<span class="mentorkit-action-done">{text}</span>'
        line = f"{text} · {escape(due)} · {state}"
        if not note.done and note.due_on is not None and note.due_on < today:
            line += (
                ' <span class="mentorkit-overdue">overdue by '
                f"{_days((today - note.due_on).days)}</span>"
            )
        line += f' <span class="mentorkit-muted">({escape(note.by)})</span>'
        rows.append(f'<li class="mentorkit-mentor-action-{state}">{line}</li>')
    return f'<ul class="mentorkit-actions">{"".join(rows)}</ul>'


def from_mentor_html(
    general: list[StoredNote], actions: list[StoredNote], *, has_mentor: bool, today: date
) -> str:
    """What the mentor wrote for the participant beyond comments on one goal or meeting:
    their notes, and the action items they keep for the participant (read only here)."""
    if not general and not actions:
        if not has_mentor:
            return (
                '<p class="mentorkit-muted">Once you have a mentor, the notes and action items '
                "they write for you show here.</p>"
            )
        return (
            '<p class="mentorkit-muted">Nothing from your mentor yet. The notes and action '
            "items they write for you show here, and their comments on a goal or meeting you "
            "share show under it.</p>"
        )
    parts: list[str] = []
    if general:
        parts.append("<h3>Notes</h3>")
        parts.extend(note_html(stored, "wrote") for stored in general)
    if actions:
        parts.append("<h3>What your mentor will do</h3>")
        parts.append(mentor_actions_html(actions, today))
    return "".join(parts)


class ActionRow(Row):
    """One action item of meeting `meeting`: what, who, by when, done, and its Remove button."""

    def __init__(self, meeting: int, number: int, item: ActionItem | None = None) -> None:
        super().__init__()
        self.add_class("mentorkit-action")
        self.meeting = meeting
        fields = Fields(ACTION_LABEL_WIDTH)
        self.text = fields.text(
            "",
            item.text if item else "",
            "What will be done, e.g. Send my slides for comments",
        )
        self.owner = fields.dropdown(
            "",
            [(label, owner) for owner, label in OWNER_LABELS.items()],
            item.owner if item else Owner.MENTEE,
            width="24rem",
        )
        self.due = fields.date_picker("", item.due_on if item else None)
        self.done = widgets.Checkbox(value=item.done if item else False, indent=False)
        self.remove = widgets.Button()
        self.problem = widgets.HTML().add_class("mentorkit-problem-line")
        self.renumber(number)
        self.children = [
            self.text,
            widgets.HBox([self.owner, self.due]).add_class("mentorkit-action-line"),
            widgets.HBox(
                [self.done, self.remove], layout=widgets.Layout(justify_content="space-between")
            ).add_class("mentorkit-action-line"),
            self.problem,
        ]

    def renumber(self, number: int) -> None:
        """Label the inputs 'Meeting {meeting} action {number} …' (unique on the page)."""
        prefix = f"Meeting {self.meeting} action {number}"
        self.text.description = prefix
        self.owner.description = f"{prefix} owner"
        self.due.description = f"{prefix} due"
        self.done.description = f"{prefix} done"
        self.remove.description = f"Remove action {number}"
        self.remove.tooltip = f"Remove {prefix.lower()}"

    def fields(self) -> dict[str, widgets.Widget]:
        return {"text": self.text, "owner": self.owner, "due_on": self.due, "done": self.done}

    def is_blank(self) -> bool:
        return not self.text.value.strip() and self.due.value is None and not self.done.value

    def data(self) -> dict[str, Any]:
        return {
            "text": self.text.value,
            "owner": self.owner.value,
            "due_on": self.due.value,
            "done": self.done.value,
        }


class MeetingCard(widgets.VBox):
    """One meeting (one document): date, topics, what I learned, action items."""

    def __init__(
        self, view: CheckInsView, name: str, number: int, check_in: CheckIn | None = None
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-meeting")
        self.view = view
        self.name = name
        self.number = number
        self.autosaver = view.session.autosaver(CheckIn.kind, name)
        notice = view.session.notice
        n = number

        self.heading = widgets.HTML()
        self.removal = ConfirmRemove(
            f"meeting {n}",
            f"Remove meeting {n} with its notes and actions? This cannot be undone.",
            on_confirm=lambda: view.remove_meeting(self),
            notice=notice,
        )
        self.fields = FieldSet(CheckIn, view.session.status, self.autosaver.key, f"meeting-{n}")
        bind = self.fields.field
        fields = Fields(LABEL_WIDTH)
        self.met_on = bind(
            "met_on",
            fields.date_picker(
                f"Meeting {n} date", check_in.met_on if check_in else date.today(), width="26rem"
            ),
        )
        self.topics = bind(
            "topics",
            fields.text(
                f"Meeting {n} topics",
                ", ".join(check_in.topics) if check_in else "",
                "comma-separated, e.g. Salary talk, Team meeting nerves",
            ),
            read=split_list,
        )
        self.agenda = bind(
            "agenda",
            fields.textarea(
                f"Meeting {n}: before the meeting",
                check_in.agenda if check_in else "",
                "The question you bring, or a short agenda: write it before you meet.",
                height="4rem",
            ),
        )
        self.learned = bind(
            "learned",
            fields.textarea(
                f"Meeting {n}: what I learned",
                check_in.learned if check_in else "",
                "Write it down while it is fresh.",
            ),
        )
        self.action_items: RowList[ActionItem, ActionRow] = RowList(
            lambda number, item: ActionRow(n, number, item),
            saved=check_in.action_items if check_in else [],
            add=widgets.Button(description=f"Add action to meeting {n}"),
            maximum=MAX_ACTIONS,
            notice=notice,
            on_change=self._changed,
            full_note=f"{MAX_ACTIONS} actions is the most a meeting holds.",
        )
        self.fields.computed("action_items", self.action_items.data)
        self.fields.bind_rows("action_items", self.action_items.bindings("action_items"))
        if check_in is not None:
            self.fields.restore(check_in.draft)
        self.share = ShareBox(
            view.sharing,
            name,
            f"meeting {n}",
            "this meeting, its notes and its actions",
            created=view.sharing.since(self.autosaver.key),
            on_share=self._save_new,
        )
        self._render_heading()
        placed = self.fields.placed

        self.children = [
            widgets.HBox([self.heading, self.removal.remove]).add_class("mentorkit-meeting-head"),
            self.removal,
            self.share.choice,
            placed("met_on"),
            placed("agenda"),
            placed("topics"),
            placed("learned"),
            widgets.HTML(f"<h4>Actions agreed in meeting {n}</h4>"),
            self.action_items,
            widgets.HBox([self.action_items.add, self.action_items.note]),
            self.share.comments,
        ]
        self.fields.observe(guarded(notice)(self._changed))

    def _render_heading(self) -> None:
        when = format_day(self.met_on.value) if self.met_on.value else "no date yet"
        self.heading.value = f"<h3>Meeting {self.number} · {escape(when)}</h3>"

    # -- the document --------------------------------------------------------------------

    def document(self) -> CheckIn:
        """The meeting as a document: what is valid, and what is not kept as typed."""
        self.fields.bind_rows("action_items", self.action_items.bindings("action_items"))
        problems = {} if self.met_on.value else {"met_on": "choose the day you met"}
        document = self.fields.document(self.fields.data(), problems=problems)
        assert isinstance(document, CheckIn)
        return document

    def current(self) -> CheckIn:
        """The meeting as the page shows it."""
        return self.document()

    @property
    def closed(self) -> bool:
        """The card was removed: its widgets are closed and it saves nothing more."""
        return self.comm is None

    def save(self) -> None:
        document = self.document()
        saved = self.autosaver.document
        # A new action is saved at once: the page after a reload is drawn from the store.
        grown = isinstance(saved, CheckIn) and len(document.action_items) != len(saved.action_items)
        self.autosaver.request(lambda: document, now=grown)

    def _save_new(self) -> None:
        """A meeting shared before it is saved is saved now: what is shared exists."""
        if self.autosaver.document is None and not self.autosaver.has_unsaved_changes:
            self.save()

    def _changed(self, _change: object = None) -> None:
        if self.closed:  # a late message for a removed meeting must not bring it back
            return
        self.save()
        self._render_heading()
        self.view.refresh_summary()


def survey_card(session: Session, kind: SurveyKind) -> SurveyForm:
    """One open feedback survey, saved as answered (one document, named after it)."""
    autosaver = session.autosaver(SurveyAnswers.kind, kind.value)
    saved = autosaver.document
    return SurveyForm(
        kind,
        session.workshop.surveys[kind],
        Respondents.PARTICIPANTS,
        saved if isinstance(saved, SurveyAnswers) else None,
        status=session.status,
        notice=session.notice,
        document_key=autosaver.key,
        on_change=lambda answers: autosaver.request(lambda: answers),
    )


class CheckInsView(widgets.VBox):
    """Open actions and goal progress above a log of meetings, newest first."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("mentorkit-check-ins")
        self.session = session
        self.sharing = MentorSharing(session)
        saved = {
            name: check_in
            for name, autosaver in session.autosavers(CheckIn).items()
            if isinstance(check_in := autosaver.document, CheckIn)
        }
        self.cards: list[MeetingCard] = []
        for name, check_in in ordered_check_ins(saved):
            self.cards.append(self._card(name, check_in))
        self.goals = session.documents(SmartGoal)
        self.agreement = session.document(MentoringAgreement)

        guard = guarded(session.notice)
        self.log_meeting = widgets.Button(description="Log a meeting", button_style="primary")
        self.log_meeting.on_click(guard(self._log_meeting))
        self.actions = widgets.HTML()
        self.progress = widgets.HTML()
        self.rhythm = widgets.HTML().add_class("mentorkit-rhythm")
        self.empty_log = widgets.HTML()
        self.cards_box = widgets.VBox()
        self.from_mentor = widgets.HTML().add_class("mentorkit-from-mentor")
        self.surveys = [
            survey_card(session, kind) for kind in open_surveys(session.workshop, date.today())
        ]
        self.sharing.listeners.append(self._render_from_mentor)
        self._render_from_mentor()
        self.children = [
            widgets.HTML(f"<style>{CSS}</style>"),
            *self.surveys,
            widgets.HTML("<h2>From your mentor</h2>"),
            self.from_mentor,
            widgets.HTML("<h2>Open actions</h2>"),
            self.actions,
            widgets.HTML("<h2>Progress on my goals</h2>"),
            self.progress,
            widgets.HTML('<h2 id="mentorkit-rhythm">Keeping the rhythm</h2>'),
            self.rhythm,
            widgets.HTML("<h2>My meetings</h2>"),
            widgets.HBox([self.log_meeting]),
            self.empty_log,
            self.cards_box,
        ]
        self._layout()

    def _card(self, name: str, check_in: CheckIn | None = None) -> MeetingCard:
        return MeetingCard(self, name, meeting_number(name, len(self.cards) + 1), check_in)

    def _layout(self) -> None:
        self.cards_box.children = self.cards
        self.empty_log.value = (
            ""
            if self.cards
            else '<p class="mentorkit-muted">No meetings logged yet. After each meeting with '
            "your mentor, press “Log a meeting” and note what you talked about.</p>"
        )
        self.refresh_summary()

    def check_ins(self) -> dict[str, CheckIn]:
        """The meetings as they stand in the page."""
        return {card.name: card.current() for card in self.cards}

    def refresh_summary(self) -> None:
        """Redraw the open actions and goal progress from the page's current answers."""
        today = date.today()
        numbers = {card.name: card.number for card in self.cards}
        self.actions.value = open_actions_html(action_items(self.check_ins(), today=today), numbers)
        link = self.session.link(SMART_GOALS.notebook)
        self.progress.value = progress_html(goal_progress(self.goals, today=today), link)
        self.rhythm.value = self._rhythm_html(today)

    def _rhythm_html(self, today: date) -> str:
        """The agreed meetings against those logged, and the review when it is due."""
        schedule = compare_schedule(self.agreement, self.check_ins(), today)
        if schedule is None:
            link = escape(self.session.link(EXPECTATIONS.notebook), quote=True)
            return (
                '<p class="mentorkit-muted">Agree how often you meet and from when in '
                f'<a href="{link}">Expectations</a>: your meetings are then compared with '
                "it here, so that a missed one does not slip by.</p>"
            )
        lines = "".join(f"<p>{escape(line)}</p>" for line in schedule_words(schedule))
        due = review_due(self.agreement, self.goals, today)
        if due is not None:
            link = escape(self.session.link(SMART_GOALS.notebook), quote=True)
            lines += (
                '<p class="mentorkit-review-due" role="status"><strong>Time to review your '
                f"goals:</strong> your review date, {escape(long_date(due))}, has come. "
                f'<a href="{link}">Review now</a> in SMART goals.</p>'
            )
        return lines

    def _render_from_mentor(self) -> None:
        sharing = self.sharing
        self.from_mentor.value = from_mentor_html(
            sharing.general_notes(),
            sharing.action_items(),
            has_mentor=sharing.has_mentor,
            today=date.today(),
        )

    def _log_meeting(self, _button: widgets.Button) -> None:
        card = self._card(next_check_in_name(card.name for card in self.cards))
        self.cards.insert(0, card)
        self._layout()
        card.save()  # the date (today) is already an answer worth keeping
        card.topics.focus()

    def remove_meeting(self, card: MeetingCard) -> None:
        """Erase the meeting's document and take its card off the page."""
        card.autosaver.delete()
        self.session.forget(card.autosaver)
        card.share.forget()
        card.fields.show({})
        self.cards.remove(card)
        self._layout()
        close_tree(card)
        self.session.notice.show(f"Meeting {card.number} was removed.", kind="success")
        self.log_meeting.focus()


def check_ins_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Check-ins app (the notebook 05_check_ins calls this)."""
    return worksheet_app("05_check_ins", CheckInsView, store=store, environ=environ)
