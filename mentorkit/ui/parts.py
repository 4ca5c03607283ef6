"""Parts the worksheet cards share: a numbered list of rows, a two-step remove, and the
choice to share a goal or meeting with the mentor, with the mentor's comments on it.

A meeting's action items, a goal's milestones and the agreement's roles are all "a list of
rows with Add, Remove N and a limit"; a meeting and a goal are both removed in two steps.
Each pattern lives here once so the worksheets number, label, focus and confirm alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import ipywidgets as widgets

from mentorkit.mentoring import NoteKind, RequestState
from mentorkit.models import MentorMatch, MentorProfile, ProgressSharing
from mentorkit.store import DocumentKey, StoredNote
from mentorkit.ui.frame import Notice, close_tree, guarded
from mentorkit.ui.guard import Confirmation
from mentorkit.ui.html import html_text, time_html

if TYPE_CHECKING:
    from mentorkit.ui.shell import Session


class Row(widgets.VBox):
    """One numbered row of a `RowList`: its inputs and its own "Remove …" button.

    `renumber` labels the inputs with the row's place, so labels stay unique and in order
    on the page (screen readers and the browser tests find inputs by label).
    """

    remove: widgets.Button
    #: Where the problems of the row's inputs are written (see `RowList.bindings`).
    problem: widgets.HTML

    def fields(self) -> dict[str, widgets.Widget]:
        """The row's inputs by the field of its entry they fill."""
        raise NotImplementedError

    def renumber(self, number: int) -> None:
        """Label the inputs and the Remove button as row `number` (counted from 1)."""
        raise NotImplementedError

    def inputs(self) -> list[widgets.Widget]:
        """The inputs whose changes are saved (by default those of `fields`, in order); the
        first one gets focus when the row is new."""
        return list(self.fields().values())

    def is_blank(self) -> bool:
        """A row the participant has not started: left out of the saved document."""
        raise NotImplementedError

    def data(self) -> dict[str, Any]:
        """What the row holds, as one entry of the document (not yet validated)."""
        raise NotImplementedError


T = TypeVar("T")
RowT = TypeVar("RowT", bound=Row)


class RowList(widgets.VBox, Generic[T, RowT]):
    """The rows of a list the participant edits, with an Add button and a note under them.

    It owns the rows: it numbers them, adds a blank one (up to `maximum`), removes one when
    its Remove button is pressed, says when the list is full or empty, and moves keyboard
    focus so that a keyboard user stays where they were working. The view places the box
    itself, `add` and `note` where its page wants them.

    `make_row(number, saved)` builds row `number` from a saved entry (None for a new row).
    `on_change()` runs after any input of a row changes and after a row is removed: the
    view saves then. Adding a row does not call it, since a blank row changes nothing.
    """

    def __init__(
        self,
        make_row: Callable[[int, T | None], RowT],
        *,
        saved: Iterable[T],
        add: widgets.Button,
        maximum: int,
        notice: Notice,
        on_change: Callable[[], object],
        full_note: str = "",
        empty_note: str = "",
        focus_new_row: bool = True,
        keep_focus_in_place: bool = False,
    ) -> None:
        """`full_note` and `empty_note` are plain text; `focus_new_row` puts the cursor in
        a new row's first input; `keep_focus_in_place` sends focus after a removal to the
        Remove button that moved into the removed row's place (else to the Add button)."""
        super().__init__()
        self._make_row = make_row
        self._guard = guarded(notice)
        self._on_change = on_change
        self.maximum = maximum
        self.full_note = full_note
        self.empty_note = empty_note
        self.focus_new_row = focus_new_row
        self.keep_focus_in_place = keep_focus_in_place
        self.rows: list[RowT] = []
        self.add = add
        self.add.on_click(self._guard(self._add))
        self.note = widgets.HTML()
        for entry in saved:
            self._append(entry)
        self._layout()

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.maximum

    def started(self) -> list[RowT]:
        """The rows the participant has started, in order: entry N of the document is the
        Nth of them."""
        return [row for row in self.rows if not row.is_blank()]

    def data(self) -> list[dict[str, Any]]:
        """The rows the participant has started, as entries of the document."""
        return [row.data() for row in self.started()]

    def bindings(self, prefix: str) -> dict[str, tuple[widgets.Widget, widgets.HTML]]:
        """Each started row's inputs keyed by their field path under `prefix`
        ('milestones.0.title'), with the row's problem line, for `FieldSet.bind_rows`."""
        return {
            f"{prefix}.{entry}.{name}": (widget, row.problem)
            for entry, row in enumerate(self.started())
            for name, widget in row.fields().items()
        }

    def _append(self, saved: T | None) -> RowT:
        row = self._make_row(len(self.rows) + 1, saved)
        row.remove.on_click(self._guard(lambda _button, row=row: self._remove(row)))
        changed = self._guard(lambda _change: self._on_change())
        for widget in row.inputs():
            widget.observe(changed, names="value")
        self.rows.append(row)
        return row

    def _layout(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.renumber(number)
        self.children = self.rows
        self.add.disabled = self.full
        # The full note stands beside the Add button; the empty note in place of the rows.
        if self.full and self.full_note:
            self.note.value = f'<span class="mentorkit-muted">{escape(self.full_note)}</span>'
        elif not self.rows and self.empty_note:
            self.note.value = f'<p class="mentorkit-muted">{escape(self.empty_note)}</p>'
        else:
            self.note.value = ""

    def _add(self, _button: widgets.Button) -> None:
        if self.full:  # a client can still send the click of a disabled button
            return
        row = self._append(None)
        self._layout()
        if self.focus_new_row:
            row.inputs()[0].focus()

    def _remove(self, row: RowT) -> None:
        if row not in self.rows:
            return
        place = self.rows.index(row)
        self.rows.remove(row)
        self._layout()
        close_tree(row)
        self._on_change()
        if self.keep_focus_in_place and place < len(self.rows):
            self.rows[place].remove.focus()
        else:
            self.add.focus()


class ConfirmRemove(widgets.HBox):
    """Removing something in two steps: "Remove X", then "Confirm remove X" or "Keep X".

    Removing erases a whole document, so a slip must not do it. `remove` is the first
    step; the view puts it where the thing is named (a card's heading). This box, the
    second step, stays hidden until `remove` is pressed and then takes the focus, so the
    whole exchange works by keyboard alone. The kernel keeps the question
    (`Confirmation`): a click on "Confirm" does nothing unless this page pressed `remove`
    and not "Keep" since, whatever the page shows or sends.
    """

    def __init__(
        self, thing: str, question: str, *, on_confirm: Callable[[], object], notice: Notice
    ) -> None:
        """`thing` names what goes ("goal 2"); `question` (plain text) says what is lost."""
        guard = guarded(notice)
        self.remove = widgets.Button(description=f"Remove {thing}")
        self.confirm = widgets.Button(description=f"Confirm remove {thing}", button_style="danger")
        self.keep = widgets.Button(description=f"Keep {thing}")
        super().__init__(
            [widgets.HTML(f"<span>{escape(question)}</span>"), self.confirm, self.keep],
            layout=widgets.Layout(display="none"),
        )
        self.add_class("mentorkit-confirm")
        self.question: Confirmation[str] = Confirmation(f"remove {thing}")
        self._on_confirm = on_confirm
        self.remove.on_click(guard(self._ask))
        self.keep.on_click(guard(self._keep))
        self.confirm.on_click(guard(self._confirm))

    def _ask(self, _button: widgets.Button) -> None:
        self.question.ask(self.remove.description)
        self.layout.display = "flex"
        self.confirm.focus()

    def _keep(self, _button: widgets.Button) -> None:
        self.question.withdraw()
        self.layout.display = "none"
        self.remove.focus()

    def _confirm(self, _button: widgets.Button) -> None:
        if self.question.expect() is None:
            self.layout.display = "none"  # the page showed a question nobody asked
            return
        self._on_confirm()  # when it fails, the question stays for another try
        self.question.withdraw()


# ---------------------------------------------------------------------------------------
# Sharing a goal or a meeting with the mentor, and what the mentor wrote back

NO_MENTOR_YET = "Once you have a mentor, they will see what you share."


def _mentor_emails(session: Session, *, matched: bool = True) -> Iterator[str]:
    """The emails that say who the participant's mentor is, surest first: each mentor who
    accepted their request (or whom the facilitator paired them with), then the one the
    published matching gave them (`matched`). Lazy: the match is read only when asked for."""
    answers = session.store.answers(session.workshop.code, session.participant.id)
    yield from (email for email, answer in answers.items() if answer.state == RequestState.ACCEPTED)
    if matched and (match := session.document(MentorMatch)) is not None:
        yield match.mentor_email


def has_mentor(session: Session) -> bool:
    """Whether the participant has a mentor: one accepted their request (or the
    facilitator paired them), or the published matching gave them one."""
    return next(_mentor_emails(session), None) is not None


def the_mentor(
    session: Session,
    mentors: Mapping[str, MentorProfile] | None = None,
    *,
    matched: bool = True,
) -> MentorProfile | None:
    """The participant's mentor in the workshop's directory (`mentors` by email, read from
    the store when not given): the first who accepted their request (or whom the
    facilitator paired them with), else the one the published matching gave them unless
    `matched` is False. None when none of them is in the directory."""
    if mentors is None:
        mentors = {m.email: m for m in session.store.mentors(session.workshop.code)}
    return next(
        (mentors[email] for email in _mentor_emails(session, matched=matched) if email in mentors),
        None,
    )


def note_html(stored: StoredNote, verb: str = "commented") -> str:
    """'<mentor> commented on <time>:' and the note's text, escaped, line breaks kept."""
    note = stored.note
    return (
        '<div class="mentorkit-mentor-note">'
        f"<p><strong>{escape(note.by)}</strong> {escape(verb)} on {time_html(note.at)}:</p>"
        f'<p class="mentorkit-mentor-note-text">{html_text(note.text)}</p></div>'
    )


class MentorSharing:
    """One page's side of sharing: which goals and check-ins the participant shares (their
    `ProgressSharing`, saved at once on every choice) and the notes their mentor wrote,
    read when the page opens and again after each choice (never polled)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.autosaver = session.autosaver(ProgressSharing.kind)
        saved = self.autosaver.document
        self.choice = saved if isinstance(saved, ProgressSharing) else ProgressSharing()
        self.has_mentor = has_mentor(session)
        self.notes: list[StoredNote] = []
        #: Called after the notes are read again (the page redraws what shows them).
        self.listeners: list[Callable[[], object]] = []
        self.read_notes()

    def is_shared(self, item: str) -> bool:
        return item in self.choice.shared

    def share(self, item: str, shared: bool) -> None:
        """Share `item` ('goal-2') with the mentor or stop sharing it, saved at once."""
        self._catch_up()
        if self.is_shared(item) == shared:
            return
        choice = self.choice = self.choice.with_item(item, shared)
        self.autosaver.request(lambda: choice, now=True)

    def _catch_up(self) -> None:
        """Start from what is stored now: the other worksheet (goals, check-ins) may have
        changed the choice in another tab, and each item's choice is its own."""
        saver = self.autosaver
        if saver.in_conflict or saver.has_unsaved_changes:
            return
        stored = self.session.store.load(saver.key)
        if (
            stored is not None
            and stored.revision != saver.revision
            and isinstance(stored.document, ProgressSharing)
        ):
            saver.saved = stored
            self.choice = stored.document

    def read_notes(self) -> None:
        """Read the mentor's notes again and tell the page."""
        session = self.session
        self.notes = session.store.mentor_notes(session.workshop.code, session.participant.id)
        for listener in self.listeners:
            listener()

    def comments(self, item: str, since: datetime | None = None) -> list[StoredNote]:
        """The mentor's comments on `item`, oldest first (`since`: written from then on)."""
        return [
            stored
            for stored in self.notes
            if stored.note.kind == NoteKind.COMMENT
            and stored.note.item == item
            and (since is None or stored.note.at >= since)
        ]

    def since(self, key: DocumentKey) -> datetime | None:
        """When the goal or meeting stored at `key` was first saved (now, for one not saved
        yet), when the mentor commented on an item of its name: a comment from before is
        about an earlier item of the same name, removed since. None when there is none."""
        if not self.comments(key.name):
            return None
        history = self.session.store.history(key)
        return history[0].saved_at if history else datetime.now(UTC)

    def general_notes(self) -> list[StoredNote]:
        """The mentor's comments about no goal or meeting in particular, oldest first."""
        return [
            stored
            for stored in self.notes
            if stored.note.kind == NoteKind.COMMENT and stored.note.item is None
        ]

    def action_items(self) -> list[StoredNote]:
        """The mentor's own action items for the participant, oldest first."""
        return [stored for stored in self.notes if stored.note.kind == NoteKind.ACTION]


class ShareBox:
    """A goal's or meeting's "Share … with my mentor" tick box with what it means
    (`choice`), and the mentor's comments on it (`comments`): the card places both.

    `thing` names the item on the page ("goal 2"); `reach` says what the mentor sees when
    it is shared ("this goal, its milestones and your progress"); `created` is the item's
    first save, so that comments on an earlier item of the same name (removed since) are
    not shown under this one; `on_share` runs before a tick is saved (the card saves its
    document, so that what is shared exists).
    """

    def __init__(
        self,
        sharing: MentorSharing,
        item: str,
        thing: str,
        reach: str,
        *,
        created: datetime | None = None,
        on_share: Callable[[], object] | None = None,
    ) -> None:
        self.sharing = sharing
        self.item = item
        self.thing = thing
        self.reach = reach
        self.created = created
        self.on_share = on_share
        self.tick = widgets.Checkbox(
            value=sharing.is_shared(item),
            description=f"Share {thing} with my mentor",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.meaning = widgets.HTML()
        self.choice = widgets.VBox([self.tick, self.meaning]).add_class("mentorkit-share")
        self.comments = widgets.HTML().add_class("mentorkit-mentor-comments")
        self.tick.observe(guarded(sharing.session.notice)(self._ticked), names="value")
        sharing.listeners.append(self.render)
        self.render()

    def _ticked(self, change: Mapping[str, object]) -> None:
        shared = change["new"] is True
        if shared and self.on_share is not None:
            self.on_share()
        self.sharing.share(self.item, shared)
        self.sharing.read_notes()

    def forget(self) -> None:
        """The item was removed: it is shared no more and this box shows nothing more."""
        if self.render in self.sharing.listeners:
            self.sharing.listeners.remove(self.render)
        self.sharing.share(self.item, False)

    def render(self) -> None:
        if not self.sharing.has_mentor:
            line = NO_MENTOR_YET
        elif self.tick.value:
            line = f"Your mentor sees {self.reach}; untick to stop."
        else:
            line = f"Only you see {self.thing}; tick the box to share it with your mentor."
        self.meaning.value = f'<p class="mentorkit-muted">{escape(line)}</p>'
        found = self.sharing.comments(self.item, self.created)
        if found:
            self.comments.value = (
                f"<h4>Your mentor’s comments on {escape(self.thing)}</h4>"
                + "".join(note_html(stored) for stored in found)
            )
        else:
            self.comments.value = ""
