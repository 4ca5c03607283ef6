"""05 Check-ins: a log of meetings with action items, open actions and goal progress.

Each meeting is its own document (kind "check_in", named "check-in-1", "check-in-2", …).
Above the log the participant sees every action item (open ones first, overdue ones
marked) and how far each SMART goal has come, counted in milestones.
"""

from __future__ import annotations

import re
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
from mentorkit.errors import InvalidInput
from mentorkit.models import ActionItem, CheckIn, Owner, SmartGoal, validate
from mentorkit.smart import format_day
from mentorkit.ui.common import guarded
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

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
    found = re.fullmatch(r"check-in-(\d+)", name)
    return int(found[1]) if found else fallback


def split_topics(text: str) -> list[str]:
    """Comma- or semicolon-separated topics, blanks dropped, each once (first spelling)."""
    seen: dict[str, str] = {}
    for part in text.replace(";", ",").split(","):
        topic = " ".join(part.split())
        if topic and topic.casefold() not in seen:
            seen[topic.casefold()] = topic
    return list(seen.values())


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
        source = f"meeting {meeting}, " if meeting is not None else ""
        source += format_day(entry.met_on)
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


class ActionRow(widgets.VBox):
    """One action item: what, who, by when, done, and a button to remove it."""

    def __init__(self, meeting: int, number: int, item: ActionItem | None = None) -> None:
        super().__init__()
        self.add_class("mentorkit-action")
        self.text = widgets.Text(
            value=item.text if item else "",
            placeholder="What will be done, e.g. Send my slides for comments",
            style={"description_width": ACTION_LABEL_WIDTH},
            layout=widgets.Layout(width="100%"),
        )
        self.owner = widgets.Dropdown(
            options=[(label, owner) for owner, label in OWNER_LABELS.items()],
            value=item.owner if item else Owner.MENTEE,
            style={"description_width": ACTION_LABEL_WIDTH},
            layout=widgets.Layout(width="24rem"),
        )
        self.due = widgets.DatePicker(
            value=item.due_on if item else None,
            style={"description_width": ACTION_LABEL_WIDTH},
            layout=widgets.Layout(width="24rem"),
        )
        self.done = widgets.Checkbox(value=item.done if item else False, indent=False)
        self.remove = widgets.Button()
        self.renumber(meeting, number)
        self.children = [
            self.text,
            widgets.HBox([self.owner, self.due]).add_class("mentorkit-action-line"),
            widgets.HBox(
                [self.done, self.remove], layout=widgets.Layout(justify_content="space-between")
            ).add_class("mentorkit-action-line"),
        ]

    def renumber(self, meeting: int, number: int) -> None:
        """Label the inputs 'Meeting {meeting} action {number} …' (unique on the page)."""
        prefix = f"Meeting {meeting} action {number}"
        self.text.description = prefix
        self.owner.description = f"{prefix} owner"
        self.due.description = f"{prefix} due"
        self.done.description = f"{prefix} done"
        self.remove.description = f"Remove action {number}"
        self.remove.tooltip = f"Remove {prefix.lower()}"

    def inputs(self) -> list[widgets.Widget]:
        return [self.text, self.owner, self.due, self.done]

    def is_blank(self) -> bool:
        """A row the participant has not started: left out of the saved meeting."""
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
        guard = guarded(view.session.notice)
        self._on_change = guard(self._changed)
        n = number

        self.heading = widgets.HTML()
        self.remove = widgets.Button(description=f"Remove meeting {n}")
        self.confirm = widgets.Button(
            description=f"Confirm remove meeting {n}", button_style="danger"
        )
        self.keep = widgets.Button(description=f"Keep meeting {n}")
        self.confirm_row = widgets.HBox(
            [
                widgets.HTML(
                    f"<span>Remove meeting {n} with its notes and actions? "
                    "This cannot be undone.</span>"
                ),
                self.confirm,
                self.keep,
            ],
            layout=widgets.Layout(display="none"),
        ).add_class("mentorkit-confirm")
        self.remove.on_click(guard(self._ask_to_remove))
        self.keep.on_click(guard(self._keep))
        self.confirm.on_click(guard(self._confirm_remove))

        self.met_on = widgets.DatePicker(
            value=check_in.met_on if check_in else date.today(),
            description=f"Meeting {n} date",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="26rem"),
        )
        self.topics = widgets.Text(
            value=", ".join(check_in.topics) if check_in else "",
            description=f"Meeting {n} topics",
            placeholder="comma-separated, e.g. Salary talk, Team meeting nerves",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="100%"),
        )
        self.learned = widgets.Textarea(
            value=check_in.learned if check_in else "",
            description=f"Meeting {n}: what I learned",
            placeholder="Write it down while it is fresh.",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="100%", height="6rem"),
        )
        self.action_rows: list[ActionRow] = []
        self.action_box = widgets.VBox()
        self.add_action = widgets.Button(description=f"Add action to meeting {n}")
        self.add_action.on_click(guard(self._add_action))
        self.action_note = widgets.HTML()
        for item in check_in.action_items if check_in else []:
            self._append_row(item)
        self._layout_actions()
        self._render_heading()

        self.children = [
            widgets.HBox([self.heading, self.remove]).add_class("mentorkit-meeting-head"),
            self.confirm_row,
            self.met_on,
            self.topics,
            self.learned,
            widgets.HTML(f"<h4>Actions agreed in meeting {n}</h4>"),
            self.action_box,
            widgets.HBox([self.add_action, self.action_note]),
        ]
        for widget in (self.met_on, self.topics, self.learned):
            widget.observe(self._on_change, names="value")

    def _render_heading(self) -> None:
        when = format_day(self.met_on.value) if self.met_on.value else "no date yet"
        self.heading.value = f"<h3>Meeting {self.number} · {escape(when)}</h3>"

    # -- the document --------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """What the inputs hold, as the body of a CheckIn (not yet validated)."""
        return {
            "met_on": self.met_on.value,
            "topics": split_topics(self.topics.value),
            "learned": self.learned.value,
            "action_items": [row.data() for row in self.action_rows if not row.is_blank()],
        }

    def document(self) -> CheckIn:
        """The meeting as a validated document (raises InvalidInput in plain words)."""
        return validate(CheckIn, self.data())

    def current(self) -> CheckIn | None:
        """What the page shows if it is valid, else the last saved version."""
        try:
            return self.document()
        except InvalidInput:
            saved = self.autosaver.document
            return saved if isinstance(saved, CheckIn) else None

    def save(self) -> None:
        self.autosaver.request(self.document)

    def _changed(self, _change: object = None) -> None:
        self.save()
        self._render_heading()
        self.view.refresh_summary()

    # -- action items --------------------------------------------------------------------

    def _append_row(self, item: ActionItem | None = None) -> ActionRow:
        row = ActionRow(self.number, len(self.action_rows) + 1, item)
        guard = guarded(self.view.session.notice)
        row.remove.on_click(guard(lambda _button, row=row: self._remove_action(row)))
        for widget in row.inputs():
            widget.observe(self._on_change, names="value")
        self.action_rows.append(row)
        return row

    def _layout_actions(self) -> None:
        for number, row in enumerate(self.action_rows, start=1):
            row.renumber(self.number, number)
        self.action_box.children = self.action_rows
        full = len(self.action_rows) >= MAX_ACTIONS
        self.add_action.disabled = full
        self.action_note.value = (
            f'<span class="mentorkit-muted">{MAX_ACTIONS} actions is the most a meeting '
            "holds.</span>"
            if full
            else ""
        )

    def _add_action(self, _button: widgets.Button) -> None:
        if len(self.action_rows) >= MAX_ACTIONS:
            return
        row = self._append_row()
        self._layout_actions()
        row.text.focus()

    def _remove_action(self, row: ActionRow) -> None:
        if row not in self.action_rows:
            return
        self.action_rows.remove(row)
        self._layout_actions()
        self._changed()
        self.add_action.focus()

    # -- removing the meeting ------------------------------------------------------------

    def _ask_to_remove(self, _button: widgets.Button) -> None:
        self.confirm_row.layout.display = "flex"
        self.confirm.focus()

    def _keep(self, _button: widgets.Button) -> None:
        self.confirm_row.layout.display = "none"
        self.remove.focus()

    def _confirm_remove(self, _button: widgets.Button) -> None:
        self.view.remove_meeting(self)


class CheckInsView(widgets.VBox):
    """Open actions and goal progress above a log of meetings, newest first."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("mentorkit-check-ins")
        self.session = session
        saved = session.documents(CheckIn)
        self.cards: list[MeetingCard] = []
        for name, check_in in ordered_check_ins(saved):
            self.cards.append(self._card(name, check_in))
        self.goals = session.documents(SmartGoal)

        guard = guarded(session.notice)
        self.log_meeting = widgets.Button(description="Log a meeting", button_style="primary")
        self.log_meeting.on_click(guard(self._log_meeting))
        self.actions = widgets.HTML()
        self.progress = widgets.HTML()
        self.empty_log = widgets.HTML()
        self.cards_box = widgets.VBox()
        self.children = [
            widgets.HTML(f"<style>{CSS}</style>"),
            widgets.HTML("<h2>Open actions</h2>"),
            self.actions,
            widgets.HTML("<h2>Progress on my goals</h2>"),
            self.progress,
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
        """The meetings as they stand in the page (the last saved version if one is invalid)."""
        found: dict[str, CheckIn] = {}
        for card in self.cards:
            current = card.current()
            if current is not None:
                found[card.name] = current
        return found

    def refresh_summary(self) -> None:
        """Redraw the open actions and goal progress from the page's current answers."""
        today = date.today()
        numbers = {card.name: card.number for card in self.cards}
        self.actions.value = open_actions_html(action_items(self.check_ins(), today=today), numbers)
        link = self.session.link("04_smart_goals.ipynb")
        self.progress.value = progress_html(goal_progress(self.goals, today=today), link)

    def _log_meeting(self, _button: widgets.Button) -> None:
        card = self._card(next_check_in_name(card.name for card in self.cards))
        self.cards.insert(0, card)
        self._layout()
        card.save()  # the date (today) is already an answer worth keeping
        card.topics.focus()

    def remove_meeting(self, card: MeetingCard) -> None:
        """Erase the meeting's document and take its card off the page."""
        card.autosaver.delete()
        self.cards.remove(card)
        self._layout()
        self.session.notice.show(f"Meeting {card.number} was removed.", kind="success")
        self.log_meeting.focus()


def check_ins_app(**kwargs: object) -> WorksheetApp:
    """The Check-ins app (the notebook 05_check_ins calls this)."""
    return worksheet_app("05_check_ins", CheckInsView, **kwargs)
