"""The requests a mentor received, on the mentors' page: what each shares (never the
ratings), accepting and declining as the participant then reads it, and the refusals in
words (withdrawn meanwhile, no place left, paired elsewhere)."""

import ipywidgets as widgets
import pytest

from mentorkit.identity import MentorIdentity, sign_in
from mentorkit.mentoring import Answerer, RequestState, decline_reply
from mentorkit.models import (
    RATING_LABELS,
    MeetingFormat,
    MentoringPreferences,
    MentorProfile,
    SelfAssessment,
)
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.ui.mentor_requests import MentorRequestsView
from mentorkit.ui.mentor_shortlist import MentorShortlistView
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
ADA = "ada@example.org"

ASSESSMENT = SelfAssessment(
    ratings={"negotiation": 2, "public-speaking": 5},
    strengths=["public-speaking"],
    growth_areas=["negotiation", "delegation"],
    values=["Curiosity", "Fairness"],
    career_goal="Lead the data team within two years.",
    preferences=MentoringPreferences(
        formats=[MeetingFormat.VIDEO], time_zone="Europe/Berlin", languages=["English", "Spanish"]
    ),
)


class Room:
    """A workshop with two mentors (Ada has one place) and participants who ask Ada."""

    def __init__(self, store) -> None:
        self.store = store
        self.workshop = create_workshop(store, "Spring cohort").workshop
        self.code = self.workshop.code
        store.import_roster(
            self.code,
            mentors=[
                MentorProfile(name="Ada Mensah", email=ADA, capacity=1),
                MentorProfile(name="Bo Lind", email="bo@example.org", capacity=2),
            ],
        )

    def participant(self, name: str, assessment: SelfAssessment | None = ASSESSMENT) -> Session:
        session = Session(self.store, sign_in(self.store, self.code, name), SaveStatus(), Notice())
        if assessment is not None:
            self.store.save(session.key(assessment.kind), assessment, expected_revision=0)
        return session

    def ask(self, session: Session, mentor: str = ADA, message: str = "") -> MentorShortlistView:
        """The participant sends `mentor` a request from their shortlist."""
        shortlist = MentorShortlistView(session)
        shortlist.choices[0].value = mentor
        shortlist.outreach[0].value = message or f"Dear mentor, this is {session.participant.name}."
        shortlist.send_buttons[0].click()
        assert shortlist.requests()[mentor].state == RequestState.SENT
        return shortlist

    def mentor(self, email: str = ADA) -> MentorSession:
        (profile,) = [m for m in self.store.mentors(self.code) if m.email == email]
        return MentorSession(
            self.store, MentorIdentity(self.workshop, profile), SaveStatus(), Notice()
        )

    def answers(self, session: Session) -> dict:
        return self.store.answers(self.code, session.participant.id)


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def page_html(widget: widgets.Widget) -> str:
    """Every HTML widget's value inside `widget`, in order."""
    found = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found.append(page_html(child))
    return "".join(found)


def test_a_request_shows_the_message_and_what_it_shares_never_the_ratings(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia, message="Dear Ada,\nwould you mentor me?")
    view = MentorRequestsView(room.mentor())
    (card,) = view.list.children
    details = card.details.value
    assert "<h3>Amelia Hartley</h3>" in details
    assert "Dear Ada,<br>would you mentor me?" in details
    assert '<time class="mentorkit-time"' in details
    for shared in (
        "Lead the data team within two years.",
        "<dt>Strengths</dt><dd>Public speaking</dd>",
        "<dt>Growth areas</dt><dd>Negotiation, Delegation</dd>",
        "Curiosity, Fairness",
        "video",
        "Europe/Berlin",
        "English, Spanish",
    ):
        assert shared in details, shared
    page = page_html(view)
    assert "rating" not in page.lower()
    assert not any(label in page for label in RATING_LABELS.values())
    assert "Waiting for your answer" in card.state.value
    assert card.accept.description == "Accept Amelia Hartley"
    assert card.decline.description == "Decline Amelia Hartley…"
    assert "1 request is waiting for your answer." in view.summary.value


def test_without_a_self_assessment_the_request_says_so(room):
    cleo = room.participant("Cleo Park", assessment=None)
    room.ask(cleo)
    (card,) = MentorRequestsView(room.mentor()).list.children
    assert "Cleo Park has not filled in a self-assessment yet." in card.details.value


def test_no_requests_yet_says_where_they_come_from(room):
    view = MentorRequestsView(room.mentor())
    assert view.list.children == ()
    assert "No requests yet" in view.summary.value


def test_accepting_locks_the_pair_as_the_mentors_answer_which_the_participant_reads(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    session = room.mentor()
    view = MentorRequestsView(session)
    (card,) = view.list.children
    card.accept_reply.value = "Happy to! Shall we meet on Tuesday?"
    card.accept.click()

    answer = room.answers(amelia)[ADA]
    assert answer.state == RequestState.ACCEPTED and answer.by == Answerer.MENTOR
    assert answer.reply == "Happy to! Shall we meet on Tuesday?"
    assert room.store.places_taken(room.code) == {ADA: 1}
    assert "You accepted</strong> at" in card.state.value
    assert "Shall we meet on Tuesday?" in card.state.value
    assert card.answers.layout.display == "none"
    assert "You accepted Amelia Hartley" in session.notice.value
    assert "No request is waiting" in view.summary.value
    # The participant's shortlist says so, with the reply.
    line = MentorShortlistView(amelia).request_lines[0].value
    assert "Ada Mensah accepted your request" in line and "Shall we meet on Tuesday?" in line


def test_declining_sends_the_reply_as_edited_and_keeps_it_while_the_box_is_open(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    view = MentorRequestsView(room.mentor())
    (card,) = view.list.children
    assert card.decline_box.layout.display == "none"
    card.decline.click()
    assert card.decline_box.layout.display == "flex"
    assert card.decline_text.value == decline_reply("Amelia Hartley", "Ada Mensah")
    assert card.decline_text.value.startswith("Dear Amelia,")
    card.decline_text.value = "Dear Amelia, I am away until May. Ask Bo!"
    view.refresh()  # the list drawn again (another answer, a request coming in)
    assert card.decline_text.value == "Dear Amelia, I am away until May. Ask Bo!"
    card.cancel_decline.click()
    assert card.decline_box.layout.display == "none"
    assert room.answers(amelia) == {}
    card.decline.click()  # opened again: as left
    assert card.decline_text.value == "Dear Amelia, I am away until May. Ask Bo!"
    card.send_decline.click()

    answer = room.answers(amelia)[ADA]
    assert answer.state == RequestState.DECLINED and answer.by == Answerer.MENTOR
    assert answer.reply == "Dear Amelia, I am away until May. Ask Bo!"
    assert "You declined</strong> at" in card.state.value
    assert "I am away until May." in card.state.value
    assert card.decline_box.layout.display == "none" and card.answers.layout.display == "none"
    line = MentorShortlistView(amelia).request_lines[0].value
    assert "Ada Mensah declined your request" in line and "Ask Bo!" in line


def test_accepting_a_request_withdrawn_meanwhile_is_refused_in_words(room):
    amelia = room.participant("Amelia Hartley")
    shortlist = room.ask(amelia)
    view = MentorRequestsView(room.mentor())
    (card,) = view.list.children
    shortlist.withdraw_buttons[0].click()  # while the mentor's page still offers "Accept"
    card.accept.click()
    assert "The participant has withdrawn this request." in card.state.value
    assert "Withdrawn by Amelia Hartley</strong>" in card.state.value
    assert card.answers.layout.display == "none"
    assert room.answers(amelia) == {}


def test_declining_a_request_answered_meanwhile_is_refused_in_words(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    view = MentorRequestsView(room.mentor())
    (card,) = view.list.children
    card.decline.click()
    room.store.decide_match(room.code, amelia.participant.id, ADA, "lock")  # the facilitator
    card.send_decline.click()
    assert "This request is accepted already." in card.state.value
    assert "Your facilitator paired you with Amelia Hartley</strong>" in card.state.value
    assert room.answers(amelia)[ADA].state == RequestState.ACCEPTED


def test_accepting_without_a_place_left_is_refused_in_a_sentence(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    cleo = room.participant("Cleo Park")
    room.store.decide_match(room.code, cleo.participant.id, ADA, "lock")  # Ada's one place
    view = MentorRequestsView(room.mentor())
    assert "You have no place left for a new mentee." in view.summary.value
    (card,) = view.list.children
    card.accept.click()
    assert (
        "You have no place left: you offer 1 place and 1 mentee is paired with you already. "
        "To accept Amelia Hartley, raise the number of mentees you can take" in card.state.value
    )
    assert ADA not in room.answers(amelia)
    # Declining is still possible.
    card.decline.click()
    card.send_decline.click()
    assert room.answers(amelia)[ADA].state == RequestState.DECLINED


def test_a_mentee_paired_with_another_mentor_meanwhile_is_not_taken_from_them(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    bo_page = MentorRequestsView(room.mentor("bo@example.org"))
    assert bo_page.list.children == ()
    room.store.decide_match(
        room.code, amelia.participant.id, "bo@example.org", "lock", answered_by=Answerer.MENTOR
    )
    (card,) = MentorRequestsView(room.mentor()).list.children
    card.accept.click()
    assert "has been paired with another mentor since sending this request" in card.state.value
    assert room.answers(amelia)["bo@example.org"].state == RequestState.ACCEPTED
    assert ADA not in room.answers(amelia)


def test_a_reply_longer_than_an_answer_takes_is_named_and_nothing_is_sent(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    (card,) = MentorRequestsView(room.mentor()).list.children
    card.decline.click()
    card.decline_text.value = "x" * 2001
    card.send_decline.click()
    assert "Reply: is too long (at most 2000 characters)" in card.state.value
    assert room.answers(amelia) == {}
    assert card.decline_text.value == "x" * 2001  # kept, to be shortened


def test_waiting_requests_come_first(room):
    amelia = room.participant("Amelia Hartley")
    cleo = room.participant("Cleo Park")
    room.ask(amelia)
    room.ask(cleo)
    room.store.decide_match(room.code, amelia.participant.id, ADA, "forbid")  # the facilitator
    view = MentorRequestsView(room.mentor())
    first, second = view.list.children
    assert (first.mentee, second.mentee) == ("Cleo Park", "Amelia Hartley")
    assert "Waiting for your answer" in first.state.value
    assert "Your facilitator has not paired you with Amelia Hartley" in second.state.value
    assert second.answers.layout.display == "none"


def test_hostile_text_of_the_mentee_and_of_the_reply_shows_as_text(room):
    hostile = SelfAssessment(
        career_goal=HOSTILE, values=[HOSTILE], preferences=MentoringPreferences(languages=[HOSTILE])
    )
    mallory = room.participant(HOSTILE, assessment=hostile)
    room.ask(mallory, message=HOSTILE)
    session = room.mentor()
    view = MentorRequestsView(session)
    (card,) = view.list.children
    card.accept_reply.value = HOSTILE
    card.accept.click()
    page = page_html(view) + session.notice.value
    assert "<img" not in page
    assert page.count(ESCAPED) >= 6  # name, message, goal, values, languages, reply
    assert room.answers(mallory)[ADA].reply == HOSTILE  # stored as written
