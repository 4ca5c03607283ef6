"""My mentees, on the mentors' page: only paired mentees and their agreements, where each
agreement stands in words, confirming it and suggesting a change as the mentee's record
then holds them, and every word a mentee typed shown as text."""

from datetime import UTC, date, datetime, timedelta
from html import escape

import ipywidgets as widgets
import pytest

from mentorkit.identity import MentorIdentity, sign_in
from mentorkit.mentoring import (
    AgreementSuggestion,
    Confirmation,
    Side,
    agreement_record,
    answer_suggestion,
    confirm,
)
from mentorkit.models import Frequency, MeetingFormat, MentoringAgreement, MentorProfile
from mentorkit.store import DocumentKey
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_mentees import NO_MENTEES, MenteeCard, MentorMenteesView
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.ui.mentor_requests import MentorRequestsView
from mentorkit.ui.mentor_shortlist import MentorShortlistView
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
ADA = "ada@example.org"
BO = "bo@example.org"


def finished(mentor: str = ADA, **terms: object) -> MentoringAgreement:
    """An agreement the mentee has filled in, naming `mentor`."""
    body: dict[str, object] = {
        "mentor_email": mentor,
        "relationship_goals": ["Prepare for my first team-lead role"],
        "frequency": Frequency.MONTHLY,
        "meeting_minutes": 45,
        "channel": MeetingFormat.VIDEO,
        "start_on": date(2027, 1, 4),
        "review_on": date(2027, 3, 1),
        "end_on": date(2027, 6, 30),
        "confidentiality": "What we say stays between us.",
        **terms,
    }
    return MentoringAgreement.model_validate(body)


class Room:
    """A workshop with two mentors, Ada and Bo, and participants who ask them."""

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

    def participant(self, name: str) -> Session:
        return Session(self.store, sign_in(self.store, self.code, name), SaveStatus(), Notice())

    def mentor(self, email: str = ADA) -> MentorSession:
        (profile,) = [m for m in self.store.mentors(self.code) if m.email == email]
        return MentorSession(
            self.store, MentorIdentity(self.workshop, profile), SaveStatus(), Notice()
        )

    def ask(self, session: Session, mentor: str = ADA) -> None:
        """The participant sends `mentor` a request from their shortlist."""
        shortlist = MentorShortlistView(session)
        shortlist.choices[0].value = mentor
        shortlist.outreach[0].value = f"Dear mentor, this is {session.participant.name}."
        shortlist.send_buttons[0].click()

    def paired(self, name: str, mentor: str = ADA) -> Session:
        """A participant who asked `mentor`, and whom the mentor accepted on their page."""
        session = self.participant(name)
        self.ask(session, mentor)
        requests = MentorRequestsView(self.mentor(mentor))
        requests.cards[session.participant.id].accept.click()
        return session

    def save(self, session: Session, agreement: MentoringAgreement) -> None:
        """The mentee saves `agreement` on their Expectations worksheet."""
        key = DocumentKey(self.code, session.participant.id, MentoringAgreement.kind)
        saved = self.store.load(key)
        self.store.save(key, agreement, expected_revision=saved.revision if saved else 0)

    def mentee_confirms(self, session: Session, agreement: MentoringAgreement) -> None:
        at = datetime.now(UTC) - timedelta(seconds=5)
        entry = confirm(agreement, Side.MENTEE, session.participant.name, at=at)
        self.store.add_agreement_entry(self.code, session.participant.id, entry)

    def entries(self, session: Session) -> list:
        return self.store.agreement_entries(self.code, session.participant.id)


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def page_html(widget: widgets.Widget) -> str:
    """Every HTML widget's value inside `widget`, in order."""
    found = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found.append(page_html(child))
    return "".join(found)


def only_card(view: MentorMenteesView) -> MenteeCard:
    (card,) = view.list.children
    assert isinstance(card, MenteeCard)
    return card


def shown(widget: widgets.Widget) -> bool:
    return widget.layout.display != "none"


def test_a_mentee_paired_through_an_accepted_request_appears_with_their_agreement(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    card = only_card(MentorMenteesView(room.mentor()))
    assert "<h3>Amelia Hartley</h3>" in card.details.value
    assert "Draft: not confirmed yet." in card.state.value
    document = card.document.value
    assert "Prepare for my first team-lead role" in document
    assert "What we say stays between us." in document
    assert "monthly" in document and "45 minutes" in document
    assert shown(card.confirm) and shown(card.suggest)


def test_the_page_gets_a_new_mentee_as_soon_as_the_mentor_accepts_them(room):
    amelia = room.participant("Amelia Hartley")
    room.ask(amelia)
    session = room.mentor()
    mentees = MentorMenteesView(session)
    requests = MentorRequestsView(session)
    assert mentees.list.children == ()
    requests.cards[amelia.participant.id].accept.click()
    assert "<h3>Amelia Hartley</h3>" in only_card(mentees).details.value


def test_a_mentee_the_facilitator_paired_appears_and_leaves_when_the_pair_is_undone(room):
    eli = room.participant("Eli Brandt")
    room.save(eli, finished())
    room.store.decide_match(room.code, eli.participant.id, ADA, "lock")
    view = MentorMenteesView(room.mentor())
    assert "<h3>Eli Brandt</h3>" in only_card(view).details.value
    card = only_card(view)
    room.store.decide_match(room.code, eli.participant.id, ADA, None)
    card.confirm.click()  # the page still shows Eli: the click finds them unpaired
    assert view.list.children == ()
    assert "Eli Brandt is no longer paired with you" in view.session.notice.value
    assert room.entries(eli) == []


def test_an_unpaired_participants_agreement_never_reaches_the_page(room):
    cleo = room.participant("Cleo Park")
    room.ask(cleo)  # asked Ada, not answered yet
    room.save(cleo, finished(confidentiality="Cleo's secret terms"))
    dan = room.paired("Dan Okafor", mentor=BO)  # Bo's mentee, naming Ada by mistake
    room.save(dan, finished(confidentiality="Dan's secret terms"))
    view = MentorMenteesView(room.mentor())
    page = page_html(view)
    assert view.list.children == ()
    assert escape(NO_MENTEES) in view.summary.value
    assert "accept their request" in NO_MENTEES and "facilitator pairs you" in NO_MENTEES
    for private in ("Cleo's secret terms", "Dan's secret terms", "Cleo Park", "Dan Okafor"):
        assert escape(private) not in page and private not in page


def test_a_mentee_who_has_not_started_the_agreement_is_shown_so(room):
    room.paired("Amelia Hartley")
    card = only_card(MentorMenteesView(room.mentor()))
    assert "Amelia Hartley has not started the agreement yet." in card.state.value
    assert card.document.value == ""
    assert not shown(card.actions)


def test_unfinished_input_is_never_shown_and_nothing_can_be_confirmed(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished(draft={"time_zone": "berlin-ish private typing"}))
    session = room.mentor()
    view = MentorMenteesView(session)
    card = only_card(view)
    assert "Amelia Hartley is still filling in parts of it" in card.state.value
    assert "berlin-ish private typing" not in page_html(view)
    assert not shown(card.confirm) and not shown(card.suggest)
    card.confirm.click()  # a click the page no longer offers, sent all the same
    assert "still filling in parts of the agreement" in card.problem.value
    card.suggest.click()
    assert not card.form.is_open
    assert room.entries(amelia) == []


def test_confirming_first_waits_for_the_mentee_and_the_mentee_sees_the_mentors_confirmation(
    room,
):
    amelia = room.paired("Amelia Hartley")
    agreement = finished()
    room.save(amelia, agreement)
    session = room.mentor()
    card = only_card(MentorMenteesView(session))
    card.confirm.click()
    (entry,) = room.entries(amelia)
    assert isinstance(entry, Confirmation)
    assert (entry.side, entry.name) == (Side.MENTOR, "Ada Mensah")
    assert "You confirmed on <time" in card.state.value
    assert "waiting for Amelia Hartley." in card.state.value
    assert not shown(card.confirm)
    assert "You confirmed the agreement with Amelia Hartley." in session.notice.value
    card.confirm.click()  # sent again: confirmed once
    assert len(room.entries(amelia)) == 1
    assert "confirmed this version of the agreement already" in card.problem.value


def test_the_mentee_confirming_first_waits_for_the_mentor_who_then_agrees_it(room):
    amelia = room.paired("Amelia Hartley")
    agreement = finished()
    room.save(amelia, agreement)
    room.mentee_confirms(amelia, agreement)
    card = only_card(MentorMenteesView(room.mentor()))
    assert "Amelia Hartley confirmed this version on <time" in card.state.value
    assert "waiting for you." in card.state.value
    card.confirm.click()
    assert "Agreed by both</strong> on <time" in card.state.value
    assert not shown(card.confirm)
    assert {e.side for e in room.entries(amelia)} == {Side.MENTEE, Side.MENTOR}
    assert "Confirmed" in card.document.value and "Ada Mensah" in card.document.value


def test_a_change_after_both_confirmed_asks_both_to_confirm_again(room):
    amelia = room.paired("Amelia Hartley")
    agreement = finished()
    room.save(amelia, agreement)
    room.mentee_confirms(amelia, agreement)
    view = MentorMenteesView(room.mentor())
    card = only_card(view)
    card.confirm.click()
    assert "Agreed by both" in card.state.value
    room.save(amelia, finished(meeting_minutes=60))
    view.refresh()
    assert "changed since it was confirmed: both confirm again" in card.state.value
    assert "60 minutes" in card.document.value
    assert shown(card.confirm)


def test_a_confirmation_is_of_the_agreement_as_stored_when_the_mentee_changed_it_meanwhile(
    room,
):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    session = room.mentor()
    card = only_card(MentorMenteesView(session))
    changed = finished(meeting_minutes=90)
    room.save(amelia, changed)  # while the mentor's page shows the 45 minutes
    card.confirm.click()
    (entry,) = room.entries(amelia)
    assert entry.fingerprint == confirm(changed, Side.MENTOR, "x", at=entry.at).fingerprint
    assert "90 minutes" in card.document.value
    assert "changed the agreement since the page showed it" in session.notice.value


def test_suggesting_two_terms_and_a_note_stores_exactly_those_terms(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    session = room.mentor()
    view = MentorMenteesView(session)
    card = only_card(view)
    assert not card.form.is_open
    card.suggest.click()
    form = card.form
    assert form.is_open and not shown(card.suggest)
    assert form.inputs["frequency"].value == Frequency.MONTHLY
    assert form.inputs["meeting_minutes"].value == 45
    assert form.inputs["end_on"].value == date(2027, 6, 30)
    assert form.inputs["confidentiality"].value == "What we say stays between us."
    assert form.note.description == "Note to Amelia Hartley"
    form.inputs["frequency"].value = Frequency.FORTNIGHTLY
    form.inputs["meeting_minutes"].value = 60
    form.note.value = "Shorter gaps help at the start."
    view.refresh()  # drawn again while the form is open: the typing stays
    assert form.is_open and form.inputs["meeting_minutes"].value == 60
    assert form.note.value == "Shorter gaps help at the start."
    form.send.click()

    (entry,) = room.entries(amelia)
    assert isinstance(entry, AgreementSuggestion)
    assert entry.terms == {"frequency": "every two weeks", "meeting_minutes": 60}
    assert (entry.note, entry.by) == ("Shorter gaps help at the start.", "Ada Mensah")
    assert not form.is_open and shown(card.suggest)
    assert "You suggested a change on <time" in card.suggestions.value
    assert "waiting for Amelia Hartley." in card.suggestions.value
    assert "Meeting frequency: Every two weeks" in card.suggestions.value
    assert "Meeting length: 60 minutes" in card.suggestions.value
    assert "Your suggestion is sent" in session.notice.value


def test_an_answered_suggestion_says_accepted_or_kept(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    view = MentorMenteesView(room.mentor())
    card = only_card(view)
    for minutes in (60, 30):
        card.suggest.click()
        card.form.inputs["meeting_minutes"].value = minutes
        card.form.send.click()
    first, second = room.entries(amelia)
    record = agreement_record(room.entries(amelia))
    for suggestion, accepted in ((first, True), (second, False)):
        given = answer_suggestion(
            record, suggestion.at, accepted=accepted, by="Amelia Hartley", at=datetime.now(UTC)
        )
        room.store.add_agreement_entry(room.code, amelia.participant.id, given)
    view.refresh()
    assert "Amelia Hartley accepted it on" in card.suggestions.value
    assert "Amelia Hartley kept their version" in card.suggestions.value
    assert "waiting for Amelia Hartley" not in card.suggestions.value


def test_an_empty_suggestion_is_refused_in_words_and_cancel_closes_the_form(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    card = only_card(MentorMenteesView(room.mentor()))
    card.suggest.click()
    card.form.send.click()
    assert "Change a term or write a note before suggesting a change." in card.form.problem.value
    assert card.form.is_open and room.entries(amelia) == []
    card.form.cancel.click()
    assert not card.form.is_open and shown(card.suggest)
    assert room.entries(amelia) == []


def test_a_suggestion_with_dates_out_of_order_is_refused_in_words(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    card = only_card(MentorMenteesView(room.mentor()))
    card.suggest.click()
    card.form.inputs["end_on"].value = date(2026, 12, 1)
    card.form.send.click()
    assert "End date" in card.form.problem.value
    assert "before the start date" in card.form.problem.value
    assert room.entries(amelia) == []


def test_a_suggestion_keeps_what_the_mentee_changed_meanwhile(room):
    amelia = room.paired("Amelia Hartley")
    room.save(amelia, finished())
    card = only_card(MentorMenteesView(room.mentor()))
    card.suggest.click()
    card.form.inputs["channel"].value = MeetingFormat.IN_PERSON
    card.form.inputs["start_on"].value = date(2027, 2, 1)
    room.save(amelia, finished(meeting_minutes=90))  # the mentee changes another term
    card.form.send.click()
    (entry,) = room.entries(amelia)
    assert entry.terms == {"channel": "in person", "start_on": "2027-02-01"}
    assert "Start date: 1 February 2027" in card.suggestions.value


def test_hostile_text_in_every_field_and_the_name_shows_as_text(room):
    amelia = room.paired(HOSTILE)
    text = f"{HOSTILE}\n{HOSTILE}"
    room.save(
        amelia,
        finished(
            relationship_goals=[HOSTILE],
            confidentiality=text,
            feedback_style=HOSTILE,
            boundaries=text,
            exit_clause=text,
            roles=[{"area": HOSTILE, "mentor_focus": HOSTILE, "mentee_focus": HOSTILE}],
        ),
    )
    view = MentorMenteesView(room.mentor())
    card = only_card(view)
    card.suggest.click()
    card.form.inputs["boundaries"].value = HOSTILE + " (shorter)"
    card.form.note.value = HOSTILE
    card.form.send.click()
    card.confirm.click()
    page = page_html(view)
    assert HOSTILE not in page
    assert "<img" not in page
    assert page.count(ESCAPED) >= 12
    assert card.form.note.description == f"Note to {HOSTILE}"  # plain text, not HTML
    assert not card.form.note.description_allow_html
