"""The agreement agreed together, from the mentee's side: confirming it in Expectations,
the mentor's confirmation and suggested changes, and the printout saying who confirmed."""

import asyncio
import base64
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest

from mentorkit.identity import sign_in
from mentorkit.mentoring import (
    AgreementSuggestion,
    Confirmation,
    Side,
    SuggestionAnswer,
    confirm,
    suggest,
)
from mentorkit.models import Frequency, MeetingFormat, MentoringAgreement, MentorProfile, RoleRow
from mentorkit.testing import page_visit
from mentorkit.ui.expectations import ExpectationsView
from mentorkit.ui.my_plan import MyPlanView
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
MENTOR = MentorProfile(
    name="Bo Lindqvist", email="bo@example.org", expertise=["public-speaking"], capacity=1
)


@pytest.fixture
def workshop(store):
    access = create_workshop(store, "Spring cohort")
    store.import_roster(access.workshop.code, mentors=[MENTOR])
    return access.workshop


@pytest.fixture
def session(store, workshop):
    identity = sign_in(store, workshop.code, "Ines Okafor-Lind")
    return page_visit(store, identity, identity.new_resume_code)


def another_page(session: Session) -> Session:
    """The same participant in another tab (or after a reload)."""
    return page_visit(session.store, session.identity)


def fill(view: ExpectationsView) -> None:
    view.mentor.value = "bo@example.org"
    view.relationship_goals.value = "Speak at a conference"
    view.frequency.value = Frequency.FORTNIGHTLY
    view.channel.value = MeetingFormat.VIDEO
    view.start_on.value = date(2027, 1, 4)
    view.end_on.value = date(2027, 6, 28)


def stored(session: Session) -> MentoringAgreement:
    document = session.document(MentoringAgreement)
    assert document is not None
    return document


def entries(session: Session) -> list:
    return session.store.agreement_entries(session.workshop.code, session.participant.id)


def the_mentor_adds(session: Session, entry) -> None:
    """What the mentor's page does: an entry added to the mentee's record in the store."""
    session.store.add_agreement_entry(session.workshop.code, session.participant.id, entry)


def the_mentor_confirms(session: Session, name: str = "Bo Lindqvist") -> Confirmation:
    given = confirm(stored(session), Side.MENTOR, name, at=datetime.now(UTC))
    the_mentor_adds(session, given)
    return given


def the_mentor_suggests(session: Session, note: str = "", **terms) -> AgreementSuggestion:
    agreement = stored(session)
    suggestion = suggest(
        agreement,
        agreement.model_copy(update=terms),
        by="Bo Lindqvist",
        note=note,
        at=datetime.now(UTC),
    )
    the_mentor_adds(session, suggestion)
    return suggestion


def status(view: ExpectationsView) -> str:
    return re.sub(r"<[^>]+>", "", unescape(view.together.status.value))


def cards(view: ExpectationsView) -> list:
    return list(view.together.suggestions.children)


def printout(view: ExpectationsView | MyPlanView, suffix: str = "html") -> str:
    """The agreement as the page's download holds it."""
    found = re.search(
        rf'download="mentoring-agreement.{suffix}" href="data:text/[a-z]+;base64,([^"]+)"',
        view.downloads.value,
    )
    assert found
    return base64.b64decode(found.group(1)).decode("utf-8")


# ---------------------------------------------------------------------------------------
# Confirming


def test_an_agreement_nobody_confirmed_says_so(session):
    view = ExpectationsView(session)
    fill(view)
    assert status(view) == "Not confirmed yet."
    assert not view.together.confirm.disabled


def test_confirming_with_unfinished_input_is_refused_in_words(session):
    view = ExpectationsView(session)
    fill(view)
    view.end_on.value = date(2026, 12, 1)  # before the start date: kept as typed, marked
    assert view.together.confirm.disabled
    assert "fields to fix first" in view.together.problem.value
    view.together.confirm.click()  # a browser can send the click of a disabled button
    assert "it cannot be confirmed yet" in view.together.problem.value
    assert "Traceback" not in view.together.problem.value
    assert entries(session) == []


def test_confirming_without_a_mentor_is_refused_in_words(session):
    view = ExpectationsView(session)
    view.frequency.value = Frequency.MONTHLY
    view.together.confirm.click()
    assert "Name your mentor in the agreement before confirming it." in (
        unescape(view.together.problem.value)
    )
    assert entries(session) == []


def test_confirming_saves_the_agreement_and_waits_for_the_mentor(session):
    view = ExpectationsView(session)
    fill(view)
    view.together.confirm.click()
    (given,) = entries(session)
    assert isinstance(given, Confirmation)
    assert (given.side, given.name) == (Side.MENTEE, "Ines Okafor-Lind")
    assert confirm(stored(session), Side.MENTOR, "x", at=given.at).fingerprint == given.fingerprint
    assert status(view).startswith("You confirmed this version on ")
    assert status(view).endswith("; waiting for Bo Lindqvist.")
    assert '<time class="mentorkit-time"' in view.together.status.value
    assert view.together.confirm.disabled  # confirmed already: nothing more to do here


def test_the_mentors_confirmation_makes_it_agreed_and_the_printout_names_both(session):
    view = ExpectationsView(session)
    fill(view)
    view.together.confirm.click()
    the_mentor_confirms(session)
    assert "waiting for Bo Lindqvist" in status(view)  # not read again until asked
    view.together.check.click()
    assert status(view).startswith("Agreed by you and Bo Lindqvist on ")
    document = printout(view)
    assert re.search(
        r"Mentor: <strong>Bo Lindqvist</strong>, \w+day \d+ \w+ \d{4}, \d\d:\d\d UTC", document
    )
    assert re.search(r"Mentee: <strong>Ines Okafor-Lind</strong>, \w+day .* UTC", document)
    assert "Not yet confirmed" not in document
    # A page opened later reads the record when it opens.
    assert status(ExpectationsView(another_page(session))).startswith("Agreed by you and Bo")


def test_the_mentor_confirming_first_waits_for_the_mentee(session):
    view = ExpectationsView(session)
    fill(view)
    the_mentor_confirms(session, name=HOSTILE)
    view.together.check.click()
    assert status(view).endswith("confirmed this version on " + status(view).split(" on ")[1])
    assert status(view).endswith("; waiting for you.")
    assert ESCAPED in view.together.status.value and HOSTILE not in view.together.status.value
    assert not view.together.confirm.disabled


def test_a_change_after_agreeing_asks_both_to_confirm_again(session):
    view = ExpectationsView(session)
    fill(view)
    view.together.confirm.click()
    the_mentor_confirms(session)
    view.together.check.click()
    view.channel.value = MeetingFormat.IN_PERSON
    assert status(view) == (
        "The agreement changed since it was confirmed: both of you confirm again."
    )
    assert not view.together.confirm.disabled
    assert "Not yet confirmed by the mentor" in printout(view)


# ---------------------------------------------------------------------------------------
# The mentor's suggestions


def test_a_suggestion_shows_each_changed_term_in_words_and_the_note_escaped(session):
    fill(ExpectationsView(session))
    the_mentor_suggests(
        session,
        note=f"Monthly suits me better.\n{HOSTILE}",
        frequency=Frequency.MONTHLY,
        start_on=date(2027, 1, 11),
    )
    view = ExpectationsView(another_page(session))
    (card,) = cards(view)
    text = card.text.value
    assert "<strong>Bo Lindqvist suggests:</strong>" in text
    assert (
        "<strong>Meeting frequency</strong>: Every two weeks" in text and "→</span> Monthly" in text
    )
    assert "<strong>Start date</strong>: 4 January 2027" in text and "11 January 2027" in text
    assert "Channel" not in text  # unchanged terms are not listed
    assert f"Monthly suits me better.<br>{ESCAPED}" in text
    assert HOSTILE not in text
    assert [card.accept.description, card.keep.description] == [
        "Accept these changes",
        "Keep my version",
    ]


def test_accepting_puts_the_new_terms_in_the_form_saves_them_and_asks_to_confirm_again(session):
    view = ExpectationsView(session)
    fill(view)
    view.together.confirm.click()
    roles = [RoleRow(area="Agenda", mentor_focus="Reads it", mentee_focus="Writes it")]
    suggestion = the_mentor_suggests(
        session, frequency=Frequency.MONTHLY, meeting_minutes=30, roles=roles
    )
    view.together.check.click()
    (card,) = cards(view)
    card.accept.click()
    assert view.frequency.value == Frequency.MONTHLY
    assert view.minutes.value == 30
    assert [row.area.value for row in view.roles.rows] == ["Agenda"]
    agreement = stored(session)
    assert (agreement.frequency, agreement.meeting_minutes, agreement.roles) == (
        Frequency.MONTHLY,
        30,
        roles,
    )
    answer = entries(session)[-1]
    assert isinstance(answer, SuggestionAnswer)
    assert (answer.suggested_at, answer.accepted, answer.by) == (
        suggestion.at,
        True,
        "Ines Okafor-Lind",
    )
    assert cards(view) == []
    assert status(view) == (
        "The agreement changed since it was confirmed: both of you confirm again."
    )
    assert "took in Bo Lindqvist&#x27;s changes" in view.together.outcome.value
    # The new inputs are the ones watched: a change to them is saved.
    view.minutes.value = 45
    assert stored(session).meeting_minutes == 45


def test_keeping_my_version_answers_the_suggestion_and_the_card_goes(session):
    view = ExpectationsView(session)
    fill(view)
    suggestion = the_mentor_suggests(session, frequency=Frequency.WEEKLY)
    view.together.check.click()
    (card,) = cards(view)
    card.keep.click()
    answer = entries(session)[-1]
    assert isinstance(answer, SuggestionAnswer)
    assert (answer.suggested_at, answer.accepted) == (suggestion.at, False)
    assert cards(view) == []
    assert view.frequency.value == Frequency.FORTNIGHTLY
    assert stored(session).frequency == Frequency.FORTNIGHTLY
    assert "You kept your version" in view.together.outcome.value


def test_a_suggestion_answered_in_another_tab_meanwhile_is_refused_in_words(session):
    first = ExpectationsView(session)
    fill(first)
    the_mentor_suggests(session, frequency=Frequency.WEEKLY)
    first.together.check.click()
    second = ExpectationsView(another_page(session))
    cards(second)[0].keep.click()
    cards(first)[0].accept.click()
    assert "This suggestion has been answered already." in first.together.outcome.value
    assert first.frequency.value == Frequency.FORTNIGHTLY
    assert stored(session).frequency == Frequency.FORTNIGHTLY
    assert sum(isinstance(e, SuggestionAnswer) for e in entries(session)) == 1
    assert cards(first) == []


def test_a_suggestion_that_no_longer_fits_is_refused_in_words(session):
    view = ExpectationsView(session)
    fill(view)
    the_mentor_suggests(session, start_on=date(2027, 2, 1))
    view.together.check.click()
    view.end_on.value = date(2027, 1, 20)  # the mentee moved the end before the new start
    view.start_on.value = date(2027, 1, 18)
    cards(view)[0].accept.click()
    assert "The suggestion no longer fits your agreement" in view.together.outcome.value
    assert stored(session).start_on == date(2027, 1, 18)
    assert not any(isinstance(e, SuggestionAnswer) for e in entries(session))
    assert len(cards(view)) == 1


def test_confirming_saves_edits_still_waiting_first(session):
    view = ExpectationsView(session)
    fill(view)

    async def on_the_page() -> None:
        # With the page's event loop running, an edit waits a moment before it is saved.
        view.minutes.value = 90
        assert view.autosaver.has_unsaved_changes
        view.together.confirm.click()

    asyncio.run(on_the_page())
    assert stored(session).meeting_minutes == 90
    given = entries(session)[-1]
    assert given.fingerprint == confirm(stored(session), Side.MENTEE, "x", at=given.at).fingerprint
    assert status(view).startswith("You confirmed this version on ")


# ---------------------------------------------------------------------------------------
# My plan


def test_my_plan_offers_the_agreement_with_who_confirmed_it(session):
    assert "mentoring-agreement" not in MyPlanView(session).downloads.value  # not started
    view = ExpectationsView(session)
    fill(view)
    view.together.confirm.click()
    the_mentor_confirms(session)
    plan = MyPlanView(another_page(session))
    markdown = printout(plan, "md")
    assert re.search(r"- Mentor: \*\*Bo Lindqvist\*\*, \w+day .* UTC", markdown)
    assert re.search(r"- Mentee: \*\*Ines Okafor\\?-Lind\*\*, \w+day .* UTC", markdown)
    assert "Not yet confirmed" not in printout(plan)
