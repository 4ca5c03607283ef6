"""A mentor the participant found themselves as the mentor of their agreement: chosen in
Expectations, named in the printout, the calendar, My plan and the thank-you, and the
"Agreed together" panel saying in words why they cannot confirm on mentorkit."""

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from icalendar import Calendar

from mentorkit.agreement import (
    agreement_calendar,
    agreement_html,
    agreement_markdown,
    agreement_mentor,
    mentor_name,
)
from mentorkit.errors import InvalidInput
from mentorkit.identity import sign_in
from mentorkit.mentoring import (
    SUGGESTABLE_TERMS,
    MentoringError,
    Side,
    agreement_fingerprint,
    confirm,
)
from mentorkit.models import (
    Frequency,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProspectiveMentor,
    Workshop,
    check,
    upgrade_document,
    validate,
)
from mentorkit.plan import PlanData, plan_html, plan_markdown
from mentorkit.prospects import is_prospect_id
from mentorkit.testing import page_visit
from mentorkit.ui.closing import ClosingView
from mentorkit.ui.expectations import REMOVED_FOUND_MENTOR, ExpectationsView, _mentor_options
from mentorkit.ui.my_plan import MyPlanView, load_plan_data, plan_calendar
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
BO = MentorProfile(name="Bo Lindqvist", email="bo@example.org", capacity=1)
KAI = ProspectiveMentor(id="own-1", name="Kai Rivera", email="kai@example.org")
NOOR = ProspectiveMentor(id="own-2", name="Noor Haddad")
PARTICIPANT = Participant(name="Ines Okafor-Lind", email="ines@example.org")


@pytest.fixture
def workshop(store):
    access = create_workshop(store, "Spring cohort")
    store.import_roster(access.workshop.code, mentors=[BO])
    return access.workshop


@pytest.fixture
def session(store, workshop):
    identity = sign_in(store, workshop.code, "Ines Okafor-Lind")
    return page_visit(store, identity, identity.new_resume_code)


def another_page(session: Session) -> Session:
    """The same participant in another tab (or after a reload)."""
    return page_visit(session.store, session.identity)


def save(session: Session, document, name: str = "main") -> None:
    saver = session.autosaver(document.kind, name)
    saver.request(lambda: document)
    assert saver.flush()


def shortlist(*prospects: ProspectiveMentor, first: str | None = None) -> MentorShortlist:
    entries = [{"prospect": first}] if first else []
    return MentorShortlist.model_validate({"prospects": prospects, "entries": entries})


def printout(html: str, suffix: str = "html") -> str:
    found = re.search(
        rf'download="mentoring-agreement.{suffix}" href="data:text/[a-z]+;base64,([^"]+)"', html
    )
    assert found
    return base64.b64decode(found.group(1)).decode("utf-8")


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", unescape(html))


# ---------------------------------------------------------------------------------------
# The model


def test_an_agreement_names_a_mentor_of_the_directory_or_one_found_never_both():
    found = validate(MentoringAgreement, {"mentor_prospect": "own-2"})
    assert found.mentor_prospect == "own-2" and found.mentor_email is None
    with pytest.raises(InvalidInput) as caught:
        validate(MentoringAgreement, {"mentor_email": "bo@example.org", "mentor_prospect": "own-1"})
    (problem,) = caught.value.problems
    assert "Mentor you found" in problem
    assert "an agreement has one mentor, of the directory or one you found" in problem
    # As a worksheet saves it: the second mentor is set aside, the rest is kept.
    checked = check(
        MentoringAgreement,
        {"mentor_email": "bo@example.org", "mentor_prospect": "own-1", "meeting_minutes": 60},
    )
    assert checked.document.mentor_email == "bo@example.org"
    assert checked.document.mentor_prospect is None
    assert checked.document.meeting_minutes == 60
    assert set(checked.problems) == {"mentor_prospect"}
    with pytest.raises(InvalidInput):
        validate(MentoringAgreement, {"mentor_prospect": "kai@example.org"})


def test_an_agreement_saved_before_found_mentors_loads_and_stays_confirmed():
    body = {"schema_version": 1, "mentor_email": "bo@example.org", "frequency": "monthly"}
    agreement = upgrade_document("mentoring_agreement", body)
    assert isinstance(agreement, MentoringAgreement)
    assert agreement.mentor_email == "bo@example.org" and agreement.mentor_prospect is None
    # Its version is what it was before the new term existed: confirmations still hold.
    terms = agreement.model_dump(mode="json", exclude={"draft", "schema_version"})
    del terms["mentor_prospect"]
    before = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert agreement_fingerprint(agreement) == hashlib.sha256(before.encode()).hexdigest()
    assert agreement_fingerprint(agreement) != agreement_fingerprint(
        agreement.model_copy(update={"mentor_email": None, "mentor_prospect": "own-1"})
    )


def test_a_mentor_cannot_suggest_another_mentor_and_a_found_one_cannot_be_confirmed():
    assert "mentor_prospect" not in SUGGESTABLE_TERMS
    assert "mentor_email" not in SUGGESTABLE_TERMS
    with pytest.raises(MentoringError, match="not on this workshop's list of mentors"):
        confirm(
            MentoringAgreement(mentor_prospect="own-1"),
            Side.MENTEE,
            "Ines",
            at=datetime.now(UTC),
        )


def test_prospect_ids_are_told_apart_from_emails():
    assert is_prospect_id("own-1") and is_prospect_id("own-12")
    assert not is_prospect_id("own-1@example.org")
    assert not is_prospect_id(None) and not is_prospect_id("bo@example.org")


# ---------------------------------------------------------------------------------------
# The printable forms


def test_the_printout_and_the_calendar_name_the_found_mentor(framework):
    workshop = Workshop(name="Spring cohort", framework=framework)
    agreement = MentoringAgreement(
        mentor_prospect="own-1", frequency=Frequency.MONTHLY, start_on=date(2027, 1, 4)
    )
    mentor = agreement_mentor(agreement, {BO.email: BO}, [NOOR, KAI])
    assert mentor == KAI
    parties = {"participant": PARTICIPANT, "mentor": mentor, "workshop": workshop}
    html = agreement_html(agreement, **parties)
    assert "Mentor: <strong>Kai Rivera</strong></p>" in html
    assert "Mentoring agreement: Ines Okafor-Lind &amp; Kai Rivera" in html
    markdown = agreement_markdown(agreement, **parties)
    assert "Mentor: **Kai Rivera**" in markdown
    # Nobody confirms on mentorkit: the two sign the printout, which says so.
    on_paper = "go through this agreement together and sign it below"
    assert on_paper in html and on_paper in markdown
    assert "Not yet confirmed" not in html and "Not yet confirmed" not in markdown
    assert "Signatures" in markdown and 'class="signatures"' in html
    events = Calendar.from_ical(agreement_calendar(agreement, **parties)).walk("VEVENT")
    assert str(events[0]["SUMMARY"]).startswith("Mentoring: Ines Okafor-Lind & Kai Rivera")


def test_a_found_mentor_removed_since_is_named_by_nobody_and_never_by_their_id():
    agreement = MentoringAgreement(mentor_prospect="own-3")
    assert agreement_mentor(agreement, {BO.email: BO}, [KAI]) is None
    assert mentor_name(agreement, None) == ""
    directory = MentoringAgreement(mentor_email="bo@example.org")
    assert agreement_mentor(directory, {BO.email: BO}, [KAI]) == BO


def test_the_plan_names_the_found_mentor_of_the_agreement(framework):
    data = PlanData(
        workshop=Workshop(name="Spring cohort", framework=framework),
        participant=PARTICIPANT,
        assessment=None,
        shortlist=shortlist(KAI),
        mentors={BO.email: BO},
        agreement=MentoringAgreement(mentor_prospect="own-1", meeting_minutes=45),
        goals=[],
        check_ins=[],
    )
    assert "<dd>Kai Rivera</dd>" in plan_html(data)
    assert "- **Mentor:** Kai Rivera" in plan_markdown(data)


# ---------------------------------------------------------------------------------------
# Expectations


def test_the_mentor_choices_are_the_directory_then_the_mentors_found_yourself():
    twin = ProspectiveMentor(id="own-4", name="Kai  Rivera")
    unnamed = ProspectiveMentor(id="own-5", name="")
    options = _mentor_options({BO.email: BO}, [KAI, NOOR, twin, unnamed], None)
    assert options == [
        ("— not chosen yet —", None),
        ("Bo Lindqvist", "bo@example.org"),
        ("Kai Rivera (kai@example.org, found yourself)", "own-1"),
        ("Noor Haddad (found yourself)", "own-2"),
        ("Kai Rivera (own-4, found yourself)", "own-4"),
    ]
    # Chosen, then removed from the shortlist (or the directory): kept, and said so.
    assert _mentor_options({}, [KAI], "own-3")[-1] == (REMOVED_FOUND_MENTOR, "own-3")
    assert _mentor_options({}, [], "gone@example.org")[-1] == (
        "gone@example.org",
        "gone@example.org",
    )
    assert _mentor_options({}, [unnamed], "own-5")[-1] == (
        "(no name yet) (found yourself)",
        "own-5",
    )


def test_a_found_mentor_chosen_is_stored_by_reference_and_chosen_again_after_a_reload(session):
    save(session, shortlist(NOOR.model_copy(update={"name": HOSTILE}), KAI))
    view = ExpectationsView(session)
    labels = [label for label, _value in view.mentor.options]
    assert labels == [
        "— not chosen yet —",
        "Bo Lindqvist",
        f"{HOSTILE} (found yourself)",
        "Kai Rivera (found yourself)",
    ]
    view.mentor.value = "own-1"
    assert view.autosaver.flush()
    stored = session.document(MentoringAgreement)
    assert stored is not None
    assert stored.mentor_prospect == "own-1" and stored.mentor_email is None
    assert "Mentor: <strong>Kai Rivera</strong>" in printout(view.downloads.value)

    again = ExpectationsView(another_page(session))
    assert again.mentor.value == "own-1"
    assert again.mentor.label == "Kai Rivera (found yourself)"
    # Back to a mentor of the directory: the reference goes.
    again.mentor.value = "bo@example.org"
    assert again.autosaver.flush()
    stored = session.document(MentoringAgreement)
    assert stored is not None
    assert stored.mentor_email == "bo@example.org" and stored.mentor_prospect is None


def test_the_first_draft_takes_the_first_shortlisted_choice_even_one_found(session):
    save(session, shortlist(KAI, first="own-1"))
    view = ExpectationsView(session)
    assert view.mentor.value == "own-1"
    assert "Mentor: <strong>Kai Rivera</strong>" in printout(view.downloads.value)


def test_a_found_mentor_removed_from_the_shortlist_stays_chosen_and_is_shown_as_such(session):
    save(session, shortlist(KAI))
    view = ExpectationsView(session)
    view.mentor.value = "own-1"
    assert view.autosaver.flush()
    save(another_page(session), shortlist(NOOR))  # Kai taken off the shortlist since

    again = ExpectationsView(another_page(session))
    assert again.mentor.value == "own-1"
    assert again.mentor.label == REMOVED_FOUND_MENTOR
    again.relationship_goals.value = "Speak at a conference"
    assert again.autosaver.flush()
    stored = session.document(MentoringAgreement)
    assert stored is not None and stored.mentor_prospect == "own-1"
    assert "own-1" not in text(printout(again.downloads.value))
    assert "The mentor you found is not on this workshop's list" in text(
        again.together.status.value
    )


# ---------------------------------------------------------------------------------------
# Agreed together


def test_the_panel_says_a_found_mentor_cannot_confirm_here_and_offers_no_confirmation(session):
    save(session, shortlist(KAI))
    view = ExpectationsView(session)
    panel = view.together
    assert panel.actions.layout.display is None
    view.mentor.value = "own-1"
    assert text(panel.status.value) == (
        "Kai Rivera is not on this workshop's list of mentors, so they cannot confirm here: "
        "print the agreement and go through it together."
    )
    assert panel.actions.layout.display == "none"
    assert panel.suggestions.layout.display == "none"
    assert panel.intro.layout.display == "none"  # "your mentor on their page": not theirs
    # A click sent anyway (a crafted message) confirms nothing.
    view.confirm_agreement()
    assert session.store.agreement_entries(session.workshop.code, session.participant.id) == []
    assert "not on this workshop's list of mentors" in text(panel.problem.value)

    view.mentor.value = "bo@example.org"  # a mentor of the directory: as before
    assert panel.actions.layout.display is None
    assert panel.intro.layout.display is None
    assert text(panel.status.value) == "Not confirmed yet."
    assert not panel.confirm.disabled


def test_the_panel_escapes_the_found_mentors_name(session):
    save(session, shortlist(KAI.model_copy(update={"name": HOSTILE})))
    view = ExpectationsView(session)
    view.mentor.value = "own-1"
    assert HOSTILE not in view.together.status.value
    assert "&lt;img src=x onerror=alert(1)&gt; is not on this workshop" in (
        view.together.status.value
    )


# ---------------------------------------------------------------------------------------
# My plan and Closing well


def test_my_plan_names_the_found_mentor_in_the_plan_and_its_downloads(session):
    save(session, shortlist(KAI))
    save(
        session,
        MentoringAgreement(
            mentor_prospect="own-1", frequency=Frequency.MONTHLY, start_on=date(2027, 1, 4)
        ),
    )
    view = MyPlanView(session)
    assert "Kai Rivera" in text(view.page.value)
    assert "Mentor: <strong>Kai Rivera</strong>" in printout(view.downloads.value)
    calendar = plan_calendar(load_plan_data(session))
    assert calendar is not None
    (first, *_rest) = Calendar.from_ical(calendar).walk("VEVENT")
    assert "Kai Rivera" in str(first["SUMMARY"])


def test_the_thank_you_greets_the_found_mentor_of_the_agreement(session):
    save(session, shortlist(KAI))
    save(session, MentoringAgreement(mentor_prospect="own-1"))
    view = ClosingView(session)
    assert view.mentor_name == "Kai Rivera"
    view.what_changed.value = "I speak up in meetings"
    view.draft_button.click()
    assert view.thank_you.value.startswith("Dear Kai,")
