"""Shared progress on the mentor's card of a mentee: only the goals and check-ins the mentee
shares reach the page, the mentor comments on them and keeps action items of their own,
and every word typed shows as text."""

from datetime import UTC, date, datetime

import ipywidgets as widgets
import pytest

from mentorkit import access
from mentorkit.identity import MentorIdentity, reset_mentor_invite_codes, sign_in
from mentorkit.jupyter import MENTOR_ENVIRON
from mentorkit.mentoring import MentorNote, NoteKind
from mentorkit.models import (
    ActionItem,
    CheckIn,
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    Milestone,
    Owner,
    Participant,
    ProgressSharing,
    SmartGoal,
)
from mentorkit.store import DocumentKey
from mentorkit.testing import widget_tree
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_app import mentor_app
from mentorkit.ui.mentor_mentees import MenteeCard, MentorMenteesView
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.ui.mentor_progress import MenteeProgress
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
SECRET = "Zanzibarsecret"
ADA = "ada@example.org"
BO = "bo@example.org"
TODAY = date(2027, 3, 10)


class Room:
    """A workshop with two mentors, Ada and Bo, and Amelia, paired with Ada."""

    def __init__(self, store) -> None:
        self.store = store
        self.workshop = create_workshop(store, "Spring cohort").workshop
        self.code = self.workshop.code
        store.import_roster(
            self.code,
            mentors=[
                MentorProfile(name="Ada Mensah", email=ADA, capacity=3),
                MentorProfile(name="Bo Lind", email=BO, capacity=3),
            ],
        )
        self.amelia = sign_in(store, self.code, "Amelia Hartley").participant
        store.decide_match(self.code, self.amelia.id, ADA, "lock")

    def mentor(self, email: str = ADA) -> MentorSession:
        (profile,) = [m for m in self.store.mentors(self.code) if m.email == email]
        session = MentorSession(
            self.store, MentorIdentity(self.workshop, profile), SaveStatus(), Notice()
        )
        session.today = TODAY
        return session

    def save(self, document, name: str = "main") -> None:
        key = DocumentKey(self.code, self.amelia.id, document.kind, name)
        saved = self.store.load(key)
        self.store.save(key, document, expected_revision=saved.revision if saved else 0)

    def share(self, *items: str) -> None:
        self.save(ProgressSharing(shared=list(items)))

    def notes(self) -> list:
        return self.store.mentor_notes(self.code, self.amelia.id)


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def goal(title: str = "Lead a team of four", **parts: object) -> SmartGoal:
    body: dict[str, object] = {
        "title": title,
        "specific": "Run the weekly stand-up",
        "measurable": "Four retrospectives held",
        "milestones": [
            Milestone(title="Shadow a lead", due_on=date(2027, 4, 1), done=False),
            Milestone(title="Write the onboarding guide", due_on=date(2027, 3, 1), done=False),
            Milestone(title="Ask for the role", due_on=date(2027, 2, 1), done=True),
        ],
        **parts,
    }
    return SmartGoal.model_validate(body)


def check_in(**parts: object) -> CheckIn:
    body: dict[str, object] = {
        "met_on": date(2027, 3, 2),
        "topics": ["Delegation", "Feedback"],
        "learned": "Say what done looks like.",
        "action_items": [
            ActionItem(text="Book a room", owner=Owner.MENTOR, due_on=date(2027, 4, 2)),
            ActionItem(text="Draft the plan", owner=Owner.MENTEE, due_on=date(2027, 3, 5)),
        ],
        **parts,
    }
    return CheckIn.model_validate(body)


def page_html(widget: widgets.Widget) -> str:
    return "".join(w.value for w in widget_tree(widget) if isinstance(w, widgets.HTML))


def every_text(widget: widgets.Widget) -> list[str]:
    """Every string any synced trait of any widget in the tree holds: values, descriptions,
    placeholders, tooltips, options and their labels."""
    found: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)

    for w in widget_tree(widget):
        for trait in w.keys:
            add(getattr(w, trait, None))
        add(getattr(w, "options", None))
    return found


def progress_of(view: MentorMenteesView) -> MenteeProgress:
    (card,) = view.list.children
    assert isinstance(card, MenteeCard)
    return card.progress


def test_a_shared_goal_and_check_in_appear_with_milestones_and_action_items(room):
    room.save(goal(), "goal-1")
    room.save(check_in(), "check-in-1")
    room.share("goal-1", "check-in-1")
    progress = progress_of(MentorMenteesView(room.mentor()))
    assert "Shared progress" in progress.heading.value
    goal_part = progress.items["goal-1"].content.value
    assert "Goal 1: Lead a team of four" in goal_part
    assert "Run the weekly stand-up" in goal_part and "Four retrospectives held" in goal_part
    assert "Achievable" not in goal_part  # a part not written is not listed
    # Overdue first, then open by due date, then done.
    order = [goal_part.index(t) for t in ("onboarding guide", "Shadow a lead", "Ask for the role")]
    assert order == sorted(order)
    assert "due 1 March 2027" in goal_part and "overdue" in goal_part
    meeting = progress.items["check-in-1"].content.value
    assert "Meeting 1: 2 March 2027" in meeting
    assert "Delegation, Feedback" in meeting and "Say what done looks like." in meeting
    assert meeting.index("Draft the plan") < meeting.index("Book a room")
    assert "Amelia Hartley's" in meeting and "yours" in meeting
    assert "due 2 April 2027" in meeting
    assert progress.items["goal-1"].text.description == "Comment on Goal 1"
    assert progress.items["check-in-1"].text.description == "Comment on Meeting 1"


def test_nothing_shared_is_said_in_words(room):
    room.save(goal(), "goal-1")
    progress = progress_of(MentorMenteesView(room.mentor()))
    assert "Amelia Hartley has not shared any goal or check-in with you yet." in (
        progress.empty.value
    )
    assert progress.items == {}


def test_an_unshared_goal_and_check_in_appear_nowhere_on_the_mentors_page(room):
    for _secret in ("invite code", "resume code"):
        access.limiter(room.store, _secret).sleep = lambda _seconds: None
    secret_goal = SmartGoal(
        title=f"{SECRET} title",
        specific=f"{SECRET} specific",
        measurable=f"{SECRET} measurable",
        achievable=f"{SECRET} achievable",
        relevant=f"{SECRET} relevant",
        time_bound=f"{SECRET} time",
        milestones=[Milestone(title=f"{SECRET} milestone", due_on=date(2027, 4, 1))],
    )
    secret_check_in = CheckIn(
        met_on=date(2027, 3, 2),
        topics=[f"{SECRET} topic"],
        learned=f"{SECRET} learned",
        action_items=[ActionItem(text=f"{SECRET} action", owner=Owner.BOTH)],
    )
    room.save(goal("Shared goal"), "goal-1")
    room.save(secret_goal, "goal-2")
    room.save(check_in(), "check-in-1")
    room.save(secret_check_in, "check-in-2")
    room.share("goal-1", "check-in-1")
    invite = reset_mentor_invite_codes(room.store, room.code, [ADA])[ADA]
    app = mentor_app(store=room.store, environ={"QUERY_STRING": "", MENTOR_ENVIRON: ""})
    app.invite_input.value = invite
    app.first_time_button.click()
    assert app.session is not None, app.notice.value
    texts = every_text(app)
    assert any("Shared goal" in t for t in texts)  # the page does show what is shared
    assert [t for t in texts if SECRET in t] == []
    assert not any("Goal 2" in t or "Meeting 2" in t for t in texts)


def test_a_comment_is_stored_and_shown_under_its_item(room):
    room.save(goal(), "goal-1")
    room.save(check_in(), "check-in-1")
    room.share("goal-1", "check-in-1")
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    block = progress.items["goal-1"]
    other = progress.items["check-in-1"]
    other.text.value = "Half-written thought"
    block.text.value = "Great progress on the stand-ups."
    block.add.click()
    (stored,) = room.notes()
    note = stored.note
    assert (note.kind, note.item, note.text, note.by) == (
        NoteKind.COMMENT,
        "goal-1",
        "Great progress on the stand-ups.",
        "Ada Mensah",
    )
    assert stored.mentor_email == ADA and note.at.tzinfo is not None
    assert "Great progress on the stand-ups." in block.comments.value
    assert block.text.value == ""
    assert other.comments.value == ""
    view.refresh()
    assert progress_of(view).items["check-in-1"].text.value == "Half-written thought"


def test_an_empty_comment_is_refused_in_words(room):
    room.save(goal(), "goal-1")
    room.share("goal-1")
    block = progress_of(MentorMenteesView(room.mentor())).items["goal-1"]
    block.text.value = "   "
    block.add.click()
    assert "Write your comment on Goal 1 before adding it." in block.problem.value
    assert room.notes() == []


def test_a_comment_on_an_item_unshared_meanwhile_is_refused_in_words(room):
    room.save(goal(), "goal-1")
    room.save(goal("Second goal"), "goal-2")
    room.share("goal-1", "goal-2")
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    block = progress.items["goal-1"]
    block.text.value = "Nice work"
    room.share("goal-2")  # Amelia stops sharing Goal 1 while the page shows it
    block.add.click()
    assert room.notes() == []
    assert "Amelia Hartley no longer shares Goal 1 with you" in progress.problem.value
    assert "goal-1" not in progress.items and list(progress.items) == ["goal-2"]
    assert "Lead a team of four" not in page_html(view)
    room.share("goal-1", "goal-2")  # shared again: what was typed is still there
    view.refresh()
    assert progress.items["goal-1"].text.value == "Nice work"


def test_a_comment_from_a_mentee_unpaired_meanwhile_takes_the_card_off(room):
    room.save(goal(), "goal-1")
    room.share("goal-1")
    view = MentorMenteesView(room.mentor())
    block = progress_of(view).items["goal-1"]
    block.text.value = "Nice work"
    room.store.decide_match(room.code, room.amelia.id, ADA, None)
    block.add.click()
    assert view.list.children == ()
    assert "Amelia Hartley is no longer paired with you" in view.session.notice.value


def test_an_action_item_is_added_ticked_done_and_opened_again(room):
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    assert "Your action items for Amelia Hartley" in progress.actions_heading.value
    progress.action_text.value = "Introduce Amelia to Sam"
    progress.action_due.value = date(2027, 4, 20)
    progress.add_action.click()
    progress.action_text.value = "Send the reading list"
    progress.action_due.value = date(2027, 3, 1)  # before TODAY: overdue
    progress.add_action.click()
    progress.action_text.value = "Say hello"
    progress.add_action.click()
    notes = [s.note for s in room.notes()]
    assert [(n.kind, n.item, n.text, n.due_on, n.done) for n in notes] == [
        (NoteKind.ACTION, None, "Introduce Amelia to Sam", date(2027, 4, 20), False),
        (NoteKind.ACTION, None, "Send the reading list", date(2027, 3, 1), False),
        (NoteKind.ACTION, None, "Say hello", None, False),
    ]
    assert progress.action_text.value == "" and progress.action_due.value is None
    rows = progress.action_list.children
    assert ["reading list" in rows[0].text.value, "Sam" in rows[1].text.value] == [True, True]
    assert "overdue" in rows[0].text.value and "no due date" in rows[2].text.value
    sam = rows[1]
    sam.done.value = True
    (stored,) = [s for s in room.notes() if s.note.text == "Introduce Amelia to Sam"]
    assert stored.note.done is True
    assert progress.action_list.children[-1] is sam  # done goes last
    view.refresh()
    assert progress_of(view).action_rows[stored.id].done.value is True
    sam.done.value = False
    (stored,) = [s for s in room.notes() if s.note.text == "Introduce Amelia to Sam"]
    assert stored.note.done is False


def test_an_empty_action_item_is_refused_in_words(room):
    progress = progress_of(MentorMenteesView(room.mentor()))
    progress.action_text.value = "  "
    progress.add_action.click()
    assert "Write the action item before adding it." in progress.action_problem.value
    assert room.notes() == []


def test_only_this_mentors_own_notes_are_shown(room):
    """Bo was Amelia's mentor before Ada: his notes stay Amelia's to read, not Ada's."""
    room.save(goal(), "goal-1")
    room.share("goal-1")
    room.store.decide_match(room.code, room.amelia.id, BO, "lock")
    at = datetime.now(UTC)
    for kind, item in ((NoteKind.COMMENT, "goal-1"), (NoteKind.ACTION, None)):
        note = MentorNote(item=item, kind=kind, text=f"{kind} of Bo", by="Bo Lind", at=at)
        room.store.add_mentor_note(room.code, BO, room.amelia.id, note)
    room.store.decide_match(room.code, room.amelia.id, ADA, "lock")
    ada = MentorNote(item="goal-1", text="Ada's comment", by="Ada Mensah", at=at)
    room.store.add_mentor_note(room.code, ADA, room.amelia.id, ada)
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    assert len(room.notes()) == 3
    assert "Ada&#x27;s comment" in progress.items["goal-1"].comments.value
    assert "of Bo" not in page_html(view)
    assert progress.action_rows == {}


def test_hostile_text_everywhere_shows_as_text(room):
    room.save(
        goal(
            HOSTILE,
            specific=HOSTILE,
            milestones=[Milestone(title=HOSTILE, due_on=date(2027, 4, 1))],
        ),
        "goal-1",
    )
    room.save(
        check_in(topics=[HOSTILE], learned=HOSTILE, action_items=[ActionItem(text=HOSTILE)]),
        "check-in-1",
    )
    room.share("goal-1", "check-in-1")
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    progress.items["goal-1"].text.value = HOSTILE
    progress.items["goal-1"].add.click()
    progress.action_text.value = HOSTILE
    progress.add_action.click()
    html = page_html(view)
    assert HOSTILE not in html
    assert html.count(ESCAPED) >= 7


def test_the_card_says_when_the_next_planned_meeting_is(room):
    agreement = MentoringAgreement.model_validate(
        {
            "mentor_email": ADA,
            "frequency": Frequency.MONTHLY,
            "channel": MeetingFormat.VIDEO,
            "start_on": date(2027, 1, 4),
            "end_on": date(2027, 6, 30),
            "meeting_time": "14:00",
            "time_zone": "Europe/Berlin",
        }
    )
    room.save(agreement)
    view = MentorMenteesView(room.mentor())
    (card,) = view.list.children
    # Monthly on the first Monday from Monday 4 January: after 1 March comes 5 April.
    assert "Next meeting:</strong> Mon 5 April 2027 at 14:00 (Europe/Berlin)" in (
        card.next_meeting.value
    )
    room.save(agreement.model_copy(update={"mentor_email": BO}))
    view.refresh()
    assert card.next_meeting.value == ""


def test_what_is_typed_stays_when_the_mentees_name_changes_on_the_roster(room):
    dana = Participant(name="Dana Roe", email="dana@example.org")
    room.store.import_roster(room.code, participants=[dana])
    room.store.decide_match(room.code, dana.id, ADA, "lock")
    key = DocumentKey(room.code, dana.id, SmartGoal.kind, "goal-1")
    room.store.save(key, goal(), expected_revision=0)
    sharing = DocumentKey(room.code, dana.id, ProgressSharing.kind)
    room.store.save(sharing, ProgressSharing(shared=["goal-1"]), expected_revision=0)
    room.store.decide_match(room.code, room.amelia.id, ADA, None)
    view = MentorMenteesView(room.mentor())
    progress = progress_of(view)
    progress.items["goal-1"].text.value = "Half a comment"
    progress.action_text.value = "Half an action"
    room.store.import_roster(
        room.code, participants=[Participant(name="Dana Roe-Smith", email="dana@example.org")]
    )
    view.refresh()
    renamed = progress_of(view)
    assert renamed is not progress and renamed.mentee == "Dana Roe-Smith"
    assert renamed.items["goal-1"].text.value == "Half a comment"
    assert renamed.action_text.value == "Half an action"
