"""A mentee's shared progress, on the mentor's card of them: the goals and check-ins they
chose to share, the mentor's comments on each, and the mentor's own action items.

`Store.mentee_progress` is the only way this part reads a mentee's goals and check-ins: it
holds only what the mentee shares now, as last saved, and nothing unless the two are
paired. A comment is about one shared item; the store refuses it once the mentee stops
sharing that item, and the page then says so in words and draws the part again. Of the
notes about a mentee, the page shows only this mentor's own.

Everything a mentee or the mentor typed is escaped before it reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.errors import InvalidInput, NotFound
from mentorkit.mentoring import MentorNote, NoteKind, SharedProgress
from mentorkit.models import ActionItem, CheckIn, Milestone, Owner, SmartGoal, validate
from mentorkit.rendering import long_date
from mentorkit.store import StoredNote
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import html_text, time_html
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.worksheets import CHECK_IN_NUMBERING, GOAL_NUMBERING

#: The longest comment or action item the page takes (`MentorNote.text`).
NOTE_LIMIT = 2000
TEXT_WIDTH = "40rem"
LABEL_WIDTH = "13rem"

#: The SMART parts of a goal, in order, as the page names them.
SMART_PARTS = (
    ("specific", "Specific"),
    ("measurable", "Measurable"),
    ("achievable", "Achievable"),
    ("relevant", "Relevant"),
    ("time_bound", "Time-bound"),
)


def item_words(name: str) -> str:
    """A shared item as the page names it: 'Goal 2', 'Meeting 1'."""
    return GOAL_NUMBERING.words(name) or CHECK_IN_NUMBERING.words(name) or name


def nothing_shared(mentee: str) -> str:
    return f"{mentee} has not shared any goal or check-in with you yet."


def _due(due_on: date | None, done: bool, today: date) -> str:
    """'due 3 March 2027', with 'overdue' while open past it (HTML)."""
    if due_on is None:
        return "no due date"
    words = f"due {escape(long_date(due_on))}"
    if not done and due_on < today:
        words += ' <span class="mentorkit-overdue">overdue</span>'
    return words


def _state(done: bool) -> str:
    return (
        '<span class="mentorkit-done">done</span>'
        if done
        else '<span class="mentorkit-open">open</span>'
    )


def _open_first(done: bool, due_on: date | None, today: date) -> tuple[int, date]:
    """Sort key: open and overdue first, then open by due date (none last), then done."""
    overdue = not done and due_on is not None and due_on < today
    rank = 0 if overdue else 1 if not done else 2
    return rank, due_on or date.max


def milestones_html(milestones: Sequence[Milestone], today: date) -> str:
    rows = [
        f'<li class="mentorkit-{"done" if m.done else "open"}-item">'
        f"{escape(m.title) or '<em>Untitled milestone</em>'} · {_due(m.due_on, m.done, today)}"
        f" · {_state(m.done)}</li>"
        for m in sorted(milestones, key=lambda m: _open_first(m.done, m.due_on, today))
    ]
    if not rows:
        return '<p class="mentorkit-muted">No milestones yet.</p>'
    return (
        f'<p><strong>Milestones</strong></p><ul class="mentorkit-milestones">{"".join(rows)}</ul>'
    )


def goal_html(name: str, goal: SmartGoal, today: date) -> str:
    """A shared goal as its mentor reads it: title, the SMART parts written, the deadline
    and the milestones (HTML; every word the mentee typed escaped)."""
    title = escape(goal.title) if goal.title.strip() else "<em>No title yet</em>"
    parts = [
        f"<dt>{label}</dt><dd>{html_text(getattr(goal, field))}</dd>"
        for field, label in SMART_PARTS
        if getattr(goal, field).strip()
    ]
    if goal.deadline is not None:
        parts.append(f"<dt>Deadline</dt><dd>{escape(long_date(goal.deadline))}</dd>")
    terms = (
        f'<dl class="mentorkit-shared">{"".join(parts)}</dl>'
        if parts
        else '<p class="mentorkit-muted">No SMART parts written yet.</p>'
    )
    return (
        f"<h5>{escape(item_words(name))}: {title}</h5>{terms}"
        f"{milestones_html(goal.milestones, today)}"
    )


def _owner_words(owner: Owner, mentee: str) -> str:
    if owner == Owner.MENTOR:
        return "yours"
    if owner == Owner.BOTH:
        return "for both of you"
    return f"{escape(mentee)}'s"


def action_items_html(items: Sequence[ActionItem], mentee: str, today: date) -> str:
    rows = [
        f'<li class="mentorkit-{"done" if a.done else "open"}-item">'
        f"{escape(a.text) or '<em>No text</em>'} · {_owner_words(a.owner, mentee)} · "
        f"{_due(a.due_on, a.done, today)} · {_state(a.done)}</li>"
        for a in sorted(items, key=lambda a: _open_first(a.done, a.due_on, today))
    ]
    if not rows:
        return '<p class="mentorkit-muted">No action items.</p>'
    return f'<p><strong>Action items</strong></p><ul class="mentorkit-actions">{"".join(rows)}</ul>'


def check_in_html(name: str, check_in: CheckIn, mentee: str, today: date) -> str:
    """A shared check-in as its mentor reads it: the date, the topics, what the mentee
    learned and the action items, whose each is (HTML; everything typed escaped)."""
    when = escape(long_date(check_in.met_on)) if check_in.met_on else "date not set yet"
    parts: list[str] = []
    if check_in.topics:
        parts.append(f"<dt>Topics</dt><dd>{escape(', '.join(check_in.topics))}</dd>")
    if check_in.learned.strip():
        parts.append(
            f"<dt>What {escape(mentee)} learned</dt><dd>{html_text(check_in.learned)}</dd>"
        )
    terms = f'<dl class="mentorkit-shared">{"".join(parts)}</dl>' if parts else ""
    return (
        f"<h5>{escape(item_words(name))}: {when}</h5>{terms}"
        f"{action_items_html(check_in.action_items, mentee, today)}"
    )


def comments_html(notes: Iterable[StoredNote]) -> str:
    """The mentor's comments on one item, oldest first (HTML; the text escaped)."""
    rows = [
        f'<li><span class="mentorkit-muted">You wrote on {time_html(n.note.at)}:</span> '
        f'<span class="mentorkit-reply">{html_text(n.note.text)}</span></li>'
        for n in notes
    ]
    if not rows:
        return ""
    return f'<ul class="mentorkit-comments">{"".join(rows)}</ul>'


def _problem_html(text: str) -> str:
    return f'<p class="mentorkit-problem" role="alert">{escape(text)}</p>' if text else ""


def _note_problem(exc: InvalidInput) -> str:
    return "; ".join(exc.problems) or str(exc)


class SharedItem(widgets.VBox):
    """One shared goal or check-in, the mentor's comments on it and a box to add one."""

    def __init__(self, part: MenteeProgress, name: str, typed: str = "") -> None:
        super().__init__()
        self.add_class("mentorkit-shared-item")
        self.name = name
        words = item_words(name)
        self.content = widgets.HTML()
        self.comments = widgets.HTML()
        self.text = widgets.Textarea(
            value=typed,
            description=f"Comment on {words}",
            placeholder="What you noticed, a question, encouragement",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width=TEXT_WIDTH, height="4rem"),
        ).add_class(f"mentorkit-max-{NOTE_LIMIT}")
        self.add = widgets.Button(description="Add comment", layout=widgets.Layout(width="auto"))
        self.problem = widgets.HTML()
        guard = guarded(part.session.notice)
        self.add.on_click(guard(lambda _button: part.add_comment(name)))
        self.children = [self.content, self.comments, self.text, self.add, self.problem]

    def show_problem(self, text: str) -> None:
        self.problem.value = _problem_html(text)


class ActionRow(widgets.HBox):
    """One of the mentor's action items: a Done box and what it is, when due."""

    def __init__(self, part: MenteeProgress, note_id: int) -> None:
        super().__init__()
        self.add_class("mentorkit-mentor-action")
        self.note_id = note_id
        self.done = widgets.Checkbox(
            description="Done", indent=False, layout=widgets.Layout(width="6rem")
        )
        self.text = widgets.HTML()
        self.children = [self.done, self.text]
        on_tick = guarded(part.session.notice)(part.tick)
        self.done.observe(lambda change: on_tick(note_id, change["new"]), names="value")


class MenteeProgress(widgets.VBox):
    """What a mentee shares with their mentor, the mentor's comments on it, and the mentor's
    own action items for that mentee."""

    def __init__(
        self,
        session: MentorSession,
        participant_id: str,
        mentee: str,
        *,
        unpaired: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-mentee-progress")
        self.session = session
        self.participant_id = participant_id
        self.mentee = mentee
        #: Called when the store says the two are no longer paired (the list redraws).
        self.unpaired = unpaired
        self.heading = widgets.HTML("<h4>Shared progress</h4>")
        self.problem = widgets.HTML()
        self.empty = widgets.HTML()
        self.items: dict[str, SharedItem] = {}
        #: What was typed in the comment box of an item taken off the page (kept while the
        #: page is open, for when the mentee shares it again).
        self.typed: dict[str, str] = {}
        self.item_list = widgets.VBox().add_class("mentorkit-shared-items")
        guard = guarded(session.notice)
        self.actions_heading = widgets.HTML()
        self.action_rows: dict[int, ActionRow] = {}
        self.action_list = widgets.VBox().add_class("mentorkit-mentor-actions")
        self.no_actions = widgets.HTML()
        self.action_text = widgets.Text(
            description="New action item",
            placeholder="Something you will do for your mentee",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width=TEXT_WIDTH),
        ).add_class(f"mentorkit-max-{NOTE_LIMIT}")
        self.action_due = widgets.DatePicker(
            description="Due date (optional)",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="24rem"),
        )
        self.add_action = widgets.Button(
            description="Add action item", layout=widgets.Layout(width="auto")
        )
        self.action_problem = widgets.HTML()
        self.add_action.on_click(guard(lambda _button: self.add_action_item()))
        self.action_form = widgets.VBox(
            [self.action_text, self.action_due, self.add_action, self.action_problem]
        ).add_class("mentorkit-action-form")
        #: True while the page sets the Done boxes itself: that is no tick of the mentor's.
        self._drawing = False
        self.children = [
            self.heading,
            self.problem,
            self.empty,
            self.item_list,
            self.actions_heading,
            self.no_actions,
            self.action_list,
            self.action_form,
        ]

    # -- reading --------------------------------------------------------------------------

    @property
    def _code(self) -> str:
        return self.session.workshop.code

    def _mine(self) -> list[StoredNote]:
        """This mentor's notes about the mentee, oldest first."""
        email = self.session.email
        notes = self.session.store.mentor_notes(self._code, self.participant_id)
        return [n for n in notes if n.mentor_email == email]

    def refresh(self) -> bool:
        """Draw what the mentee shares now and this mentor's notes; False (nothing drawn)
        when the two are no longer paired."""
        try:
            progress = self.session.store.mentee_progress(
                self._code, self.session.email, self.participant_id
            )
        except NotFound:
            return False
        self.show(progress, self._mine())
        return True

    def show(self, progress: SharedProgress, notes: Sequence[StoredNote]) -> None:
        """Draw `progress` and the mentor's `notes` (comment boxes keep what is typed)."""
        today = self.session.today
        shared: dict[str, str] = {}
        for name, goal in progress.goals.items():
            shared[name] = goal_html(name, goal, today)
        for name, check_in in progress.check_ins.items():
            shared[name] = check_in_html(name, check_in, self.mentee, today)
        for name in [n for n in self.items if n not in shared]:
            gone = self.items.pop(name)
            self.typed[name] = gone.text.value
            close_tree(gone)
        comments = [n for n in notes if n.note.kind == NoteKind.COMMENT]
        shown: list[SharedItem] = []
        for name, content in shared.items():
            block = self.items.get(name)
            if block is None:
                block = SharedItem(self, name, self.typed.pop(name, ""))
                self.items[name] = block
            block.content.value = content
            block.comments.value = comments_html(n for n in comments if n.note.item == name)
            shown.append(block)
        self.item_list.children = shown
        self.empty.value = (
            "" if shown else f'<p class="mentorkit-muted">{escape(nothing_shared(self.mentee))}</p>'
        )
        self._show_actions([n for n in notes if n.note.kind == NoteKind.ACTION], today)

    def _show_actions(self, actions: Sequence[StoredNote], today: date) -> None:
        self.actions_heading.value = f"<h4>Your action items for {escape(self.mentee)}</h4>"
        ordered = sorted(
            actions, key=lambda n: (*_open_first(n.note.done, n.note.due_on, today), n.note.at)
        )
        keep = {n.id for n in ordered}
        for note_id in [k for k in self.action_rows if k not in keep]:
            close_tree(self.action_rows.pop(note_id))
        rows: list[ActionRow] = []
        self._drawing = True
        try:
            for stored in ordered:
                row = self.action_rows.get(stored.id)
                if row is None:
                    row = ActionRow(self, stored.id)
                    self.action_rows[stored.id] = row
                note = stored.note
                row.done.value = note.done
                text = html_text(note.text)
                if note.done:
                    text = f'<span class="mentorkit-action-done">{text}</span>'
                row.text.value = (
                    f"<p>{text} · {_due(note.due_on, note.done, today)} · {_state(note.done)}</p>"
                )
                rows.append(row)
        finally:
            self._drawing = False
        self.action_list.children = rows
        self.no_actions.value = (
            ""
            if rows
            else '<p class="mentorkit-muted">No action items yet: add what you will do for '
            f"{escape(self.mentee)} below.</p>"
        )

    def _redraw_or_unpaired(self) -> None:
        if not self.refresh():
            self.unpaired()

    def typed_texts(self) -> dict[str, str]:
        """What is typed in the comment boxes (by item) and the action item form ('')."""
        typed = {**self.typed, **{name: block.text.value for name, block in self.items.items()}}
        return {**typed, "": self.action_text.value}

    def keep_typed(self, typed: dict[str, str]) -> None:
        """Put `typed_texts` of a part this one replaces back in its boxes."""
        self.action_text.value = typed.get("", "")
        self.typed.update({name: text for name, text in typed.items() if name and text})

    # -- comments -------------------------------------------------------------------------

    def add_comment(self, name: str) -> None:
        """Store the comment typed under item `name`; refused in words when it is empty or
        the mentee no longer shares the item."""
        block = self.items.get(name)
        if block is None:
            return
        text = block.text.value
        self.problem.value = ""
        if not text.strip():
            block.show_problem(f"Write your comment on {item_words(name)} before adding it.")
            return
        try:
            note = validate(
                MentorNote,
                {
                    "item": name,
                    "kind": NoteKind.COMMENT,
                    "text": text,
                    "by": self.session.profile.name,
                    "at": datetime.now(UTC),
                },
            )
        except InvalidInput as exc:
            block.show_problem(_note_problem(exc))
            return
        try:
            self.session.store.add_mentor_note(
                self._code, self.session.email, self.participant_id, note
            )
        except NotFound:
            if not self.refresh():
                self.unpaired()
                return
            self.problem.value = _problem_html(
                f"{self.mentee} no longer shares {item_words(name)} with you: your comment "
                "was not added."
            )
            return
        block.text.value = ""
        block.show_problem("")
        self.refresh()
        self.session.notice.show(
            f"Your comment on {item_words(name)} is saved: {self.mentee} can read it.",
            kind="success",
        )

    # -- action items ---------------------------------------------------------------------

    def add_action_item(self) -> None:
        """Store the action item typed in the form; refused in words when it is empty."""
        text = self.action_text.value
        due_on = self.action_due.value
        if not text.strip():
            self.action_problem.value = _problem_html("Write the action item before adding it.")
            return
        try:
            note = validate(
                MentorNote,
                {
                    "kind": NoteKind.ACTION,
                    "text": text,
                    "due_on": due_on,
                    "by": self.session.profile.name,
                    "at": datetime.now(UTC),
                },
            )
        except InvalidInput as exc:
            self.action_problem.value = _problem_html(_note_problem(exc))
            return
        try:
            self.session.store.add_mentor_note(
                self._code, self.session.email, self.participant_id, note
            )
        except NotFound:
            self._redraw_or_unpaired()
            return
        self.action_text.value = ""
        self.action_due.value = None
        self.action_problem.value = ""
        self.refresh()

    def tick(self, note_id: int, done: Any) -> None:
        """Save the mentor's action item `note_id` done or open, as its box now says."""
        if self._drawing or not isinstance(done, bool):
            return
        stored = next((n for n in self._mine() if n.id == note_id), None)
        if stored is None or stored.note.kind != NoteKind.ACTION:
            self._redraw_or_unpaired()
            return
        if stored.note.done != done:
            try:
                self.session.store.set_mentor_note(
                    self._code,
                    self.session.email,
                    self.participant_id,
                    note_id,
                    stored.note.model_copy(update={"done": done}),
                )
            except NotFound:
                self._redraw_or_unpaired()
                return
        self._redraw_or_unpaired()
