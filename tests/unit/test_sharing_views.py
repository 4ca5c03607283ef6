"""Sharing progress by choice, on the participant's pages: a tick box per goal and per
meeting, nothing shared until ticked, the mentor's comments under what they commented on,
and the mentor's notes and action items in Check-ins."""

from datetime import UTC, date, datetime, timedelta

import ipywidgets as widgets
import pytest

from mentorkit.identity import sign_in
from mentorkit.mentoring import MentorNote, NoteKind
from mentorkit.models import MentorMatch, MentorProfile, ProgressSharing
from mentorkit.store import DocumentKey
from mentorkit.testing import find_widget, widget_tree
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.check_ins import CheckInsView
from mentorkit.ui.frame import Notice
from mentorkit.ui.parts import NO_MENTOR_YET
from mentorkit.ui.shell import Session
from mentorkit.ui.smart_goals import SmartGoalsView
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
ADA = "ada@example.org"
TODAY = date.today()


class Room:
    """A workshop with one mentor, Ada Mensah, and a participant, Lin."""

    def __init__(self, store) -> None:
        self.store = store
        self.code = create_workshop(store, "Spring cohort").workshop.code
        store.import_roster(
            self.code, mentors=[MentorProfile(name="Ada Mensah", email=ADA, capacity=3)]
        )
        self.identity = sign_in(store, self.code, "Lin Okafor")
        self.participant = self.identity.participant.id

    def session(self) -> Session:
        """A fresh page visit."""
        return Session(self.store, self.identity, SaveStatus(), Notice())

    def pair(self) -> None:
        """The facilitator pairs Lin with Ada (as an accepted request does)."""
        self.store.decide_match(self.code, self.participant, ADA, "lock")

    def shared(self) -> list[str]:
        saved = self.store.load(DocumentKey(self.code, self.participant, ProgressSharing.kind))
        assert saved is None or isinstance(saved.document, ProgressSharing)
        return [] if saved is None else list(saved.document.shared)

    def mentor_writes(
        self,
        text: str,
        *,
        item: str | None = None,
        kind: NoteKind = NoteKind.COMMENT,
        due_on: date | None = None,
        done: bool = False,
    ) -> int:
        """Ada writes a note for Lin, as the mentor's page stores it."""
        note = MentorNote(
            item=item,
            kind=kind,
            text=text,
            due_on=due_on,
            done=done,
            by="Ada Mensah",
            at=datetime.now(UTC),
        )
        return self.store.add_mentor_note(self.code, ADA, self.participant, note)


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def page_html(widget: widgets.Widget) -> str:
    """Every HTML widget's value inside `widget`, in order."""
    return "".join(w.value for w in widget_tree(widget) if isinstance(w, widgets.HTML))


def titled_goal(view: SmartGoalsView, title: str = "Speak up in team meetings"):
    card = view.cards[0]
    card.title.value = title
    return card


# -- the choice --------------------------------------------------------------------------


def test_nothing_is_shared_until_the_participant_ticks_a_box(room):
    room.pair()
    view = SmartGoalsView(room.session())
    card = titled_goal(view)
    checks = CheckInsView(room.session())
    checks.log_meeting.click()
    assert card.share.tick.value is False
    assert checks.cards[0].share.tick.value is False
    assert card.share.tick.description == "Share goal 1 with my mentor"
    assert room.shared() == []
    assert "Only you see goal 1" in card.share.meaning.value


def test_ticking_a_goal_shares_it_at_once_and_unticking_takes_it_back(room):
    room.pair()
    card = titled_goal(SmartGoalsView(room.session()))
    card.share.tick.value = True
    assert room.shared() == ["goal-1"]
    assert (
        "Your mentor sees this goal, its milestones and your progress; untick to stop."
        in card.share.meaning.value
    )
    again = SmartGoalsView(room.session()).cards[0]
    assert again.share.tick.value is True

    again.share.tick.value = False
    assert room.shared() == []
    assert SmartGoalsView(room.session()).cards[0].share.tick.value is False


def test_a_meeting_is_shared_by_its_own_box(room):
    room.pair()
    view = CheckInsView(room.session())
    view.log_meeting.click()
    view.log_meeting.click()
    newest = view.cards[0]
    assert newest.name == "check-in-2"
    newest.share.tick.value = True
    assert room.shared() == ["check-in-2"]
    assert "Your mentor sees this meeting" in newest.share.meaning.value
    reopened = CheckInsView(room.session())
    assert {card.name: card.share.tick.value for card in reopened.cards} == {
        "check-in-2": True,
        "check-in-1": False,
    }


def test_goals_and_meetings_shared_from_two_open_pages_are_all_kept(room):
    room.pair()
    goals = SmartGoalsView(room.session())
    checks = CheckInsView(room.session())
    checks.log_meeting.click()
    titled_goal(goals).share.tick.value = True
    checks.cards[0].share.tick.value = True
    assert sorted(room.shared()) == ["check-in-1", "goal-1"]


def test_a_goal_shared_before_anything_is_typed_in_it_is_saved(room):
    view = SmartGoalsView(room.session())
    view.cards[0].share.tick.value = True
    assert room.shared() == ["goal-1"]
    assert [card.name for card in SmartGoalsView(room.session()).cards] == ["goal-1"]


def test_a_removed_goal_leaves_the_shared_list(room):
    room.pair()
    view = SmartGoalsView(room.session())
    titled_goal(view)
    view.add_goal.click()
    view.cards[1].title.value = "Negotiate my salary"
    for card in view.cards:
        card.share.tick.value = True
    assert room.shared() == ["goal-1", "goal-2"]
    second = view.cards[1]
    second.removal.remove.click()
    second.removal.confirm.click()
    assert room.shared() == ["goal-1"]

    view.add_goal.click()
    assert view.cards[1].name == "goal-2"
    assert view.cards[1].share.tick.value is False


def test_a_removed_meeting_leaves_the_shared_list(room):
    view = CheckInsView(room.session())
    view.log_meeting.click()
    card = view.cards[0]
    card.share.tick.value = True
    assert room.shared() == ["check-in-1"]
    card.removal.remove.click()
    card.removal.confirm.click()
    assert room.shared() == []


def test_without_a_mentor_the_box_works_and_says_what_happens_once_there_is_one(room):
    card = titled_goal(SmartGoalsView(room.session()))
    assert NO_MENTOR_YET in card.share.meaning.value
    card.share.tick.value = True
    assert room.shared() == ["goal-1"]
    assert NO_MENTOR_YET in card.share.meaning.value


def test_a_published_match_counts_as_having_a_mentor(room):
    key = DocumentKey(room.code, room.participant, MentorMatch.kind)
    room.store.save(key, MentorMatch(mentor_email=ADA, published_on=TODAY), expected_revision=0)
    card = titled_goal(SmartGoalsView(room.session()))
    assert NO_MENTOR_YET not in card.share.meaning.value
    assert "Only you see goal 1" in card.share.meaning.value


def test_each_share_box_has_a_label_of_its_own(room):
    view = SmartGoalsView(room.session())
    view.add_goal.click()
    assert find_widget(view, widgets.Checkbox, "Share goal 2 with my mentor") is not None
    labels = [w.description for w in widget_tree(view) if isinstance(w, widgets.Checkbox)]
    assert len(labels) == len(set(labels))


# -- what the mentor wrote ---------------------------------------------------------------


def test_a_mentors_comment_shows_under_its_goal_as_text(room):
    room.pair()
    view = SmartGoalsView(room.session())
    titled_goal(view).share.tick.value = True
    room.mentor_writes(f"Good start.\n{HOSTILE}", item="goal-1")

    card = SmartGoalsView(room.session()).cards[0]
    shown = card.share.comments.value
    assert "<strong>Ada Mensah</strong> commented on <time" in shown
    assert f"Good start.<br>{ESCAPED}" in shown
    assert HOSTILE not in page_html(card)


def test_comments_are_read_again_when_the_participant_ticks_a_box(room):
    room.pair()
    view = SmartGoalsView(room.session())
    card = titled_goal(view)
    card.share.tick.value = True
    room.mentor_writes("Which meetings exactly?", item="goal-1")
    assert card.share.comments.value == ""  # read when the page opens: no polling
    view.add_goal.click()
    view.cards[1].share.tick.value = True
    assert "Which meetings exactly?" in card.share.comments.value


def test_a_comment_stays_under_a_goal_no_longer_shared(room):
    room.pair()
    card = titled_goal(SmartGoalsView(room.session()))
    card.share.tick.value = True
    room.mentor_writes("Nice milestones.", item="goal-1")
    card.share.tick.value = False
    assert "Nice milestones." in card.share.comments.value
    assert "Nice milestones." in SmartGoalsView(room.session()).cards[0].share.comments.value


def test_a_comment_on_a_removed_goal_is_not_shown_under_the_next_goal_of_its_name(room):
    room.pair()
    view = SmartGoalsView(room.session())
    card = titled_goal(view)
    card.share.tick.value = True
    room.mentor_writes("About the first goal one.", item="goal-1")
    card.removal.remove.click()
    card.removal.confirm.click()
    view.add_goal.click()
    assert view.cards[0].name == "goal-1"
    assert view.cards[0].share.comments.value == ""
    view.cards[0].title.value = "Another goal"
    assert "About the first" not in page_html(SmartGoalsView(room.session()))


def test_a_mentors_comment_shows_under_its_meeting(room):
    room.pair()
    view = CheckInsView(room.session())
    view.log_meeting.click()
    view.cards[0].share.tick.value = True
    room.mentor_writes(HOSTILE, item="check-in-1")
    card = CheckInsView(room.session()).cards[0]
    assert "commented on <time" in card.share.comments.value
    assert ESCAPED in card.share.comments.value
    assert HOSTILE not in page_html(card)


def test_a_general_note_and_an_action_item_show_in_from_your_mentor(room):
    room.pair()
    room.mentor_writes(f"Glad we met.\n{HOSTILE}")
    room.mentor_writes("Send you the course link", kind=NoteKind.ACTION, due_on=TODAY)
    room.mentor_writes(
        "Introduce you to Sam", kind=NoteKind.ACTION, due_on=TODAY - timedelta(days=3)
    )
    room.mentor_writes("Read your draft", kind=NoteKind.ACTION, done=True)
    view = CheckInsView(room.session())
    panel = view.from_mentor.value
    assert "<strong>Ada Mensah</strong> wrote on <time" in panel
    assert f"Glad we met.<br>{ESCAPED}" in panel
    assert HOSTILE not in page_html(view)
    sam, course, draft = (panel.index(t) for t in ("Sam", "course link", "your draft"))
    assert sam < course < draft  # overdue first, then open, then done
    assert "overdue by 3 days" in panel
    assert "no due date · done" in panel
    assert f"due {TODAY.day}" in panel and "· open" in panel
    # read only: nothing in the panel is an input
    assert isinstance(view.from_mentor, widgets.HTML)


def test_from_your_mentor_says_what_it_will_hold(room):
    assert "Once you have a mentor" in CheckInsView(room.session()).from_mentor.value
    room.pair()
    assert "Nothing from your mentor yet" in CheckInsView(room.session()).from_mentor.value


def test_comments_on_goals_stay_off_the_panel(room):
    room.pair()
    titled_goal(SmartGoalsView(room.session())).share.tick.value = True
    room.mentor_writes("About goal 1", item="goal-1")
    assert "About goal 1" not in CheckInsView(room.session()).from_mentor.value
