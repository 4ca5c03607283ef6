"""Who the participant's mentor is, worked out once for every worksheet that names them:
the mentor who accepted their request, else the one the published matching gave them."""

from datetime import date

import pytest

from mentorkit.identity import sign_in
from mentorkit.mentoring import Answerer
from mentorkit.models import MentoringAgreement, MentorMatch, MentorProfile
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.closing import ClosingView
from mentorkit.ui.frame import Notice
from mentorkit.ui.parts import has_mentor, the_mentor
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

ADA, BO, CY = "ada@example.org", "bo@example.org", "cy@example.org"
NAMES = {ADA: "Ada Mensah", BO: "Bo Lindqvist", CY: "Cy Okafor"}


@pytest.fixture
def session(store) -> Session:
    code = create_workshop(store, "Spring cohort").workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(name=name, email=email, capacity=2) for email, name in NAMES.items()
        ],
    )
    return Session(store, sign_in(store, code, "Lena Ortiz"), SaveStatus(), Notice())


def thanked(session: Session) -> str:
    """The heading of the thank-you section of the closing worksheet."""
    view = ClosingView(session)
    heading = next(w.value for w in view.children if "<h2>Thank " in getattr(w, "value", ""))
    return heading[len("<h2>Thank ") : heading.index("</h2>")]


def save(session: Session, document: MentorMatch | MentoringAgreement) -> None:
    session.store.save(session.key(document.kind), document, expected_revision=0)


def test_the_mentor_who_accepted_comes_before_the_published_match(session):
    assert the_mentor(session) is None and not has_mentor(session)
    assert thanked(session) == "your mentor"

    save(session, MentorMatch(mentor_email=BO, published_on=date(2027, 1, 4)))
    mentor = the_mentor(session)
    assert mentor is not None and mentor.email == BO and has_mentor(session)
    assert the_mentor(session, matched=False) is None
    assert thanked(session) == "Bo Lindqvist"

    code, participant = session.workshop.code, session.participant.id
    session.store.decide_match(code, participant, ADA, "lock", answered_by=Answerer.MENTOR)
    for matched in (True, False):
        mentor = the_mentor(session, matched=matched)
        assert mentor is not None and mentor.email == ADA
    assert thanked(session) == "Ada Mensah"


def test_a_mentor_missing_from_the_directory_is_passed_over_yet_still_counts(session):
    code, participant = session.workshop.code, session.participant.id
    session.store.decide_match(code, participant, ADA, "lock", answered_by=Answerer.MENTOR)
    save(session, MentorMatch(mentor_email=BO, published_on=date(2027, 1, 4)))
    directory = {m.email: m for m in session.store.mentors(code) if m.email != ADA}
    mentor = the_mentor(session, directory)
    assert mentor is not None and mentor.email == BO
    assert the_mentor(session, directory, matched=False) is None
    assert the_mentor(session, {}) is None and has_mentor(session)


def test_without_a_mentor_the_closing_worksheet_thanks_the_agreements_mentor(session):
    save(session, MentoringAgreement(mentor_email=CY))
    assert the_mentor(session) is None and not has_mentor(session)
    assert thanked(session) == "Cy Okafor"
