"""The mentor shortlist view: filters, fit order, saved choices, outreach drafts, escaping."""

from datetime import UTC, date, datetime, timedelta, timezone

import ipywidgets as widgets
import pytest

from mentorkit.fit import rank_mentors
from mentorkit.identity import sign_in
from mentorkit.models import (
    FoundThrough,
    MeetingFormat,
    MentoringPreferences,
    MentorProfile,
    MentorShortlist,
    SelfAssessment,
    SentRequest,
    ShortlistEntry,
    SmartGoal,
)
from mentorkit.outreach import outreach_message
from mentorkit.rendering import long_date
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_shortlist import MentorShortlistView, mentor_shortlist_app
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop, ensure_demo

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def demo(store):
    """A signed-in participant of the demo workshop (40 sample mentors)."""
    workshop = ensure_demo(store).workshop
    identity = sign_in(store, workshop.code, "Test Shortlist Person")
    return store, identity


def session_of(store, identity) -> Session:
    return Session(store, identity, SaveStatus(), Notice())


def save(store, session: Session, document, name: str = "main") -> None:
    store.save(session.key(document.kind, name), document, expected_revision=0)


def html_values(widget: widgets.Widget) -> list[str]:
    """The value of every HTML widget inside `widget`."""
    found = [widget.value] if isinstance(widget, widgets.HTML) else []
    for child in getattr(widget, "children", ()):
        found += html_values(child)
    return found


def saved_shortlist(store, session: Session) -> MentorShortlist:
    return store.load(session.key("mentor_shortlist")).document


ASSESSMENT = SelfAssessment(
    growth_areas=["negotiation", "public-speaking"],
    values=["Learning"],
    preferences=MentoringPreferences(
        formats=[MeetingFormat.VIDEO], time_zone="Europe/Berlin", languages=["English"]
    ),
)


def test_the_ranking_is_the_fit_ranking_best_first(demo):
    store, identity = demo
    session = session_of(store, identity)
    save(store, session, ASSESSMENT)
    view = MentorShortlistView(session)
    view.show_all.value = True
    expected = rank_mentors(
        ASSESSMENT, store.mentors(identity.workshop.code), identity.workshop.framework
    )
    assert [f.mentor.email for f in view.shown] == [f.mentor.email for f in expected]
    html = view.directory.value
    positions = [html.index(f"<h3>{f.mentor.name}</h3>") for f in expected]
    assert positions == sorted(positions)
    assert expected[0].summary[1:] in html  # the plain-words reason, capitalised
    assert "not filled in your self-assessment" not in "".join(html_values(view))


def test_the_top_ten_are_shown_until_show_all_is_ticked(demo):
    view = MentorShortlistView(session_of(*demo))
    assert len(view.shown) == 10
    assert view.directory.value.count('class="mentorkit-card mentorkit-mentor"') == 10
    view.show_all.value = True
    assert len(view.shown) == 40
    assert view.directory.value.count('class="mentorkit-card mentorkit-mentor"') == 40


def test_without_a_self_assessment_mentors_are_still_listed_with_a_kind_word(demo):
    view = MentorShortlistView(session_of(*demo))
    page = "".join(html_values(view))
    assert "ranking gets better" in page
    assert "01_self_assessment.ipynb" in page
    assert len(view.shown) == 10


def test_filters_narrow_the_list(demo):
    view = MentorShortlistView(session_of(*demo))
    view.show_all.value = True
    view.industry.value = "Energy"
    assert 0 < len(view.matching) < 40
    assert all(f.mentor.industry == "Energy" for f in view.shown)
    view.industry.value = None
    view.format.value = MeetingFormat.IN_PERSON
    assert 0 < len(view.matching) < 40
    assert all(MeetingFormat.IN_PERSON in f.mentor.formats for f in view.shown)
    view.language.value = "English"
    view.expertise.value = "public-speaking"
    assert view.shown
    assert all("public-speaking" in f.mentor.expertise for f in view.shown)
    assert all("English" in f.mentor.languages for f in view.shown)
    zone = view.shown[0].mentor.time_zone
    view.time_zone.value = zone
    assert all(f.mentor.time_zone == zone for f in view.shown)
    names = {f.mentor.name for f in view.shown}
    for mentor in view.mentors:
        assert (f"<h3>{mentor.name}</h3>" in view.directory.value) == (mentor.name in names)


def test_only_mentors_with_places_left(store):
    workshop = create_workshop(store, "W").workshop
    store.import_roster(
        workshop.code,
        mentors=[
            MentorProfile(
                name="Full Up", email="full@example.org", expertise=["negotiation"], capacity=0
            ),
            MentorProfile(
                name="Has Room", email="room@example.org", expertise=["negotiation"], capacity=2
            ),
        ],
    )
    view = MentorShortlistView(session_of(store, sign_in(store, workshop.code, "Ada")))
    assert [f.mentor.name for f in view.shown] == ["Has Room", "Full Up"]
    assert "no places left" in view.directory.value
    view.places_left_only.value = True
    assert [f.mentor.name for f in view.shown] == ["Has Room"]


def test_a_mentor_chosen_twice_is_kept_as_typed_and_marked_not_saved_twice(demo):
    store, identity = demo
    view = MentorShortlistView(session_of(store, identity))
    first = view.mentors[0].email
    everyone = list(view.choices[0].options)
    view.choices[0].value = first
    view.notes[0].value = "Knows negotiation"
    view.choices[1].value = first
    # Every place offers every mentor, whatever the others hold: the list never changes
    # under the pointer.
    assert all(list(choice.options) == everyone for choice in view.choices)
    saved = store.load(view.session.key("mentor_shortlist")).document
    assert [e.mentor_email for e in saved.entries] == [first]
    assert saved.draft == {"choice_2": first}
    assert "mentorkit-invalid" in view.choices[1]._dom_classes
    assert "is already your choice 1" in view.problem_lines[1].value
    assert view.details[1].layout.display == "none"
    assert view.notes[0].value == "Knows negotiation"

    again = MentorShortlistView(session_of(store, identity))
    assert again.choices[1].value == first
    assert "is already your choice 1" in again.problem_lines[1].value
    assert again.notes[0].value == "Knows negotiation"
    again.choices[0].value = None
    assert "mentorkit-invalid" not in again.choices[1]._dom_classes
    assert again.details[1].layout.display is None
    assert again.notes[1].value == "Knows negotiation"  # the note follows its mentor
    saved = store.load(view.session.key("mentor_shortlist")).document
    assert [e.mentor_email for e in saved.entries] == [first] and saved.draft == {}


def test_a_saved_shortlist_loads_back_into_the_widgets(demo):
    store, identity = demo
    session = session_of(store, identity)
    a, b = store.mentors(identity.workshop.code)[3:5]
    save(
        store,
        session,
        MentorShortlist(
            entries=[
                ShortlistEntry(mentor_email=a.email, note="First note", outreach_message="Hi A"),
                ShortlistEntry(mentor_email=b.email, note="Second", outreach_message="Hi B"),
            ]
        ),
    )
    view = MentorShortlistView(session)
    assert [c.value for c in view.choices] == [a.email, b.email, None]
    assert [n.value for n in view.notes] == ["First note", "Second", ""]
    assert [m.value for m in view.outreach[:2]] == ["Hi A", "Hi B"]
    assert view.outreach[0].description == f"Message to {a.name}"
    assert view.details[2].layout.display == "none"
    view.show_all.value = True
    assert "On your shortlist: choice 1" in view.directory.value
    assert "On your shortlist: choice 2" in view.directory.value


def test_the_outreach_draft_is_prefilled_then_kept_when_edited(demo):
    store, identity = demo
    session = session_of(store, identity)
    save(store, session, ASSESSMENT)
    save(store, session, SmartGoal(title="Lead a client negotiation by June"), "goal-1")
    view = MentorShortlistView(session)
    mentor = view.ranking[0].mentor
    view.choices[0].value = mentor.email
    draft = outreach_message(
        identity.participant,
        mentor,
        ASSESSMENT,
        identity.workshop.framework,
        goals=["Lead a client negotiation by June"],
        workshop_name=identity.workshop.name,
    )
    assert view.outreach[0].value == draft
    assert "Lead a client negotiation by June" in draft
    assert saved_shortlist(store, session).entries[0].outreach_message == draft.strip()

    view.outreach[0].value = "Dear Ada,\n\nMy own words."
    view.notes[0].value = "Great fit"
    assert saved_shortlist(store, session).entries[0].outreach_message == (
        "Dear Ada,\n\nMy own words."
    )
    # moving the mentor to another choice keeps what was typed, note and message
    view.choices[0].value = None
    assert view.details[0].layout.display == "none"
    view.choices[1].value = mentor.email
    assert view.outreach[1].value == "Dear Ada,\n\nMy own words."
    assert view.notes[1].value == "Great fit"
    assert "My own words." in view.copy[1].value
    # "Draft again" replaces it with a fresh draft, on request only
    view.redraft[1].click()
    assert view.outreach[1].value == draft
    assert saved_shortlist(store, session).entries[0].outreach_message == draft.strip()
    view.outreach[1].value = "Dear Ada,\n\nMy own words again."
    reopened = MentorShortlistView(session_of(store, identity))
    assert reopened.choices[0].value == mentor.email
    assert reopened.outreach[0].value == "Dear Ada,\n\nMy own words again."


def test_a_note_sent_for_a_hidden_empty_choice_does_not_stop_the_shortlist_saving(demo):
    # The note box of a choice without a mentor is hidden: only a crafted message fills it.
    store, identity = demo
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    first = view.choices[0].options[1][1]
    view.choices[0].value = first
    view.notes[1].value = "Who was it again?"
    view.notes[0].value = "Knows the field"
    saved = store.load(session.key("mentor_shortlist")).document
    assert [(e.mentor_email, e.note) for e in saved.entries] == [(first, "Knows the field")]
    assert session.status.state == "saved"


def test_an_over_long_note_is_kept_as_typed_and_the_rest_is_saved(demo):
    store, identity = demo
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    first = view.choices[0].options[1][1]
    view.choices[0].value = first
    view.notes[0].value = "n" * 1001
    saved = store.load(session.key("mentor_shortlist")).document
    assert [e.mentor_email for e in saved.entries] == [first]
    assert saved.draft == {"entries.0.note": "n" * 1001}
    assert "at most 1000 characters" in view.problem_lines[0].value
    assert "mentorkit-max-1000" in view.notes[0]._dom_classes
    again = MentorShortlistView(session_of(store, identity))
    assert again.notes[0].value == "n" * 1001


def test_hostile_bio_note_and_message_are_escaped(store):
    workshop = create_workshop(store, "W").workshop
    store.import_roster(
        workshop.code,
        mentors=[
            MentorProfile(
                name="Eve Tester",
                email="eve@example.org",
                title=HOSTILE,
                expertise=["negotiation"],
                capacity=1,
                bio=f"Line one\n{HOSTILE}",
            )
        ],
    )
    identity = sign_in(store, workshop.code, HOSTILE)
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    assert f"Line one<br>{ESCAPED}" in view.directory.value
    view.choices[0].value = "eve@example.org"
    view.notes[0].value = HOSTILE
    view.outreach[0].value = f"Hello {HOSTILE}"
    for value in html_values(view):
        assert "<img" not in value
    assert ESCAPED in view.copy[0].value
    assert saved_shortlist(store, session).entries[0].note == HOSTILE


def test_the_app_opens_the_view_for_the_participant_with_a_resume_code(demo):
    store, identity = demo
    app = mentor_shortlist_app(
        store=store, environ={"QUERY_STRING": f"resume={identity.new_resume_code}"}
    )
    assert isinstance(app.view, MentorShortlistView)
    assert app.view.session.participant == identity.participant
    assert app.notice.value == ""


def test_tags_are_shown_escaped_and_a_tag_filter_narrows_the_directory(store):
    workshop = create_workshop(store, "W").workshop
    leadership = [c.id for c in workshop.framework.areas[2].competencies]
    store.import_roster(
        workshop.code,
        mentors=[
            MentorProfile(
                name="Tagged",
                email="tagged@example.org",
                expertise=leadership,
                capacity=1,
                tags=["Kubernetes", HOSTILE],
            ),
            MentorProfile(name="Tags Only", email="only@example.org", capacity=1, tags=["Rust"]),
            MentorProfile(
                name="Plain", email="plain@example.org", expertise=["negotiation"], capacity=1
            ),
        ],
    )
    view = MentorShortlistView(session_of(store, sign_in(store, workshop.code, "Ada")))
    html = view.directory.value
    assert f"<strong>Other topics:</strong> Kubernetes, {ESCAPED}</li>" in html
    assert "<img" not in html
    assert "<strong>Expertise:</strong> Leadership (all)</li>" in html
    assert "<strong>Expertise:</strong> none listed</li>" in html
    assert view.tag in view.filters
    assert [label for label, _ in view.tag.options][1:] == [HOSTILE, "Kubernetes", "Rust"]

    view.tag.value = "Kubernetes"
    assert [f.mentor.name for f in view.shown] == ["Tagged"]
    view.tag.value = "Rust"
    assert [f.mentor.name for f in view.shown] == ["Tags Only"]


def test_without_tags_no_tag_filter_is_offered(demo):
    view = MentorShortlistView(session_of(*demo))
    assert view.tag not in view.filters
    assert "Other topics" not in view.directory.value


# -- requests ------------------------------------------------------------------------------


@pytest.fixture
def small(store):
    """A workshop of four mentors (Dana has no place) and a signed-in participant."""
    workshop = create_workshop(store, "W").workshop
    store.import_roster(
        workshop.code,
        mentors=[
            MentorProfile(name=name, email=f"{name.lower()}@example.org", capacity=capacity)
            for name, capacity in (("Ada", 1), ("Bo", 2), ("Cy", 2), ("Dana", 0), ("Eli", 1))
        ],
    )
    identity = sign_in(store, workshop.code, "Amelia Hartley")
    return store, identity


def shortlisted(view: MentorShortlistView, *names: str) -> None:
    for index, name in enumerate(names):
        view.choices[index].value = f"{name.lower()}@example.org"


def time_of(moment: datetime) -> str:
    """The opening of the page's <time> element for `moment`: its text, the UTC clock with
    the date unless that is today, is `time_html`'s to test."""
    stamp = moment.astimezone(UTC).isoformat(timespec="seconds")
    return f'<time class="mentorkit-time" datetime="{stamp}">'


def test_a_request_is_sent_withdrawn_and_sent_again_and_kept_with_the_shortlist(small):
    store, identity = small
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    shortlisted(view, "Ada")
    view.outreach[0].value = "Dear Ada,\n\nwould you mentor me this spring?"
    assert view.send_buttons[0].description == "Send as a request to Ada"
    assert view.withdraw_buttons[0].layout.display == "none"
    view.send_buttons[0].click()
    (sent,) = saved_shortlist(store, session).requests
    assert sent.mentor_email == "ada@example.org"
    assert sent.message == "Dear Ada,\n\nwould you mentor me this spring?"
    assert f"Request sent</strong> to Ada at {time_of(sent.sent_at)}" in view.request_lines[0].value
    assert view.send_buttons[0].layout.display == "none"
    # Editing the message afterwards changes the draft, not the request sent.
    view.outreach[0].value = "Another text"
    assert saved_shortlist(store, session).requests == [sent]

    view.withdraw_buttons[0].click()
    (withdrawn,) = saved_shortlist(store, session).requests
    assert withdrawn.withdrawn_at is not None
    assert "You withdrew your request to Ada" in view.request_lines[0].value
    view.send_buttons[0].click()
    (again,) = saved_shortlist(store, session).requests
    assert again.withdrawn_at is None and again.message == "Another text"
    # A page opened later shows the same.
    reopened = MentorShortlistView(session_of(store, identity))
    assert "Request sent</strong> to Ada" in reopened.request_lines[0].value


def test_an_answer_given_elsewhere_shows_escaped_and_takes_the_mentors_place(small):
    store, identity = small
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    shortlisted(view, "Ada", "Bo")
    view.send_buttons[0].click()
    view.send_buttons[1].click()
    code, me = identity.workshop.code, identity.participant.id
    store.decide_match(code, me, "bo@example.org", "forbid", answered_by="mentor", reply=HOSTILE)
    store.decide_match(code, me, "ada@example.org", "lock", answered_by="mentor", reply="Yes!")
    answers = store.answers(code, me)
    page = MentorShortlistView(session_of(store, identity))
    accepted_at = time_of(answers["ada@example.org"].at)
    assert f"Ada accepted your request</strong> at {accepted_at}" in page.request_lines[0].value
    assert "Yes!" in page.request_lines[0].value and "Expectations" in page.request_lines[0].value
    declined_at = time_of(answers["bo@example.org"].at)
    assert f"Bo declined your request</strong> at {declined_at}" in page.request_lines[1].value
    assert ESCAPED in page.request_lines[1].value
    for value in html_values(page):
        assert "<img" not in value
    assert page.places_left["ada@example.org"] == 0  # Ada's one place is Amelia's
    assert "Places:</strong> no places left" in page.directory.value
    # Accepted: no more requests, and the refusal says why, next to the mentor.
    page.choices[2].value = "cy@example.org"
    page.send_buttons[2].click()
    assert "A mentor has accepted you already" in page.request_lines[2].value
    assert [r.mentor_email for r in saved_shortlist(store, session).requests] == [
        "ada@example.org",
        "bo@example.org",
    ]


def test_a_request_sent_early_in_the_morning_in_asia_is_not_dated_by_the_server(small):
    store, identity = small
    session = session_of(store, identity)
    tokyo_morning = datetime(2026, 3, 6, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    sent = SentRequest(mentor_email="ada@example.org", message="Hi", sent_at=tokyo_morning)
    save(
        store,
        session,
        MentorShortlist(entries=[ShortlistEntry(mentor_email="ada@example.org")], requests=[sent]),
    )
    line = MentorShortlistView(session).request_lines[0].value
    # In UTC it is still 5 March. The page script shows the moment in the reader's zone
    # (6 Mar 2026, 08:00 in Tokyo); the text it replaces, for a page without the script,
    # is the UTC moment its datetime names.
    assert (
        'to Ada at <time class="mentorkit-time" datetime="2026-03-05T23:00:00+00:00">'
        "5 Mar 2026, 23:00</time>: waiting for an answer." in line
    )


def test_a_full_mentor_and_a_fourth_waiting_request_are_refused_in_plain_words(small):
    store, identity = small
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    shortlisted(view, "Dana")
    assert "Dana has no places left" in view.request_lines[0].value
    view.send_buttons[0].click()
    assert "takes no new mentees" in view.request_lines[0].value
    assert saved_shortlist(store, session).requests == []
    shortlisted(view, "Ada", "Bo", "Cy")
    for index in range(3):
        view.send_buttons[index].click()
    view.choices[2].value = "eli@example.org"  # a fourth mentor, while three wait
    view.send_buttons[2].click()
    assert "3 requests waiting" in view.request_lines[2].value
    assert len(saved_shortlist(store, session).requests) == 3
    # A message longer than the page lets anyone type (a crafted one) is named, not sent.
    view.withdraw_buttons[0].click()
    view.outreach[0].value = "x" * 5001
    view.send_buttons[0].click()
    assert "Message: is too long (at most 5000 characters)" in view.request_lines[0].value
    assert saved_shortlist(store, session).requests[0].withdrawn_at is not None
    # A click on a place repeating another's mentor (only a crafted message makes one) sends
    # nothing.
    view.choices[1].value = "ada@example.org"
    view.send_buttons[1].click()
    assert len(saved_shortlist(store, session).requests) == 3


def test_withdrawing_a_request_the_mentor_has_just_answered_keeps_the_answer(small):
    store, identity = small
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    shortlisted(view, "Ada")
    view.send_buttons[0].click()
    code, me = identity.workshop.code, identity.participant.id
    store.decide_match(code, me, "ada@example.org", "lock", answered_by="mentor")
    view.withdraw_buttons[0].click()  # the page still offered it
    assert "This request is accepted: it cannot be withdrawn." in view.request_lines[0].value
    assert "Ada accepted your request" in view.request_lines[0].value
    assert saved_shortlist(store, session).requests[0].withdrawn_at is None


@pytest.fixture
def closing(store):
    """Ada takes no new mentees, Bo only from next month, Cy from today, Hostile not at all."""
    workshop = create_workshop(store, "W").workshop
    later = date.today() + timedelta(days=30)
    store.import_roster(
        workshop.code,
        mentors=[
            MentorProfile(name="Ada", email="ada@example.org", capacity=2),
            MentorProfile(name="Bo", email="bo@example.org", capacity=2),
            MentorProfile(name="Cy", email="cy@example.org", capacity=2),
            MentorProfile(name=HOSTILE, email="hostile@example.org", capacity=2),
        ],
    )
    code = workshop.code
    for email, changes in (
        ("ada@example.org", {"open_to_new_mentees": False}),
        ("bo@example.org", {"open_from": later}),
        ("cy@example.org", {"open_from": date.today()}),
        ("hostile@example.org", {"open_to_new_mentees": False}),
    ):
        mentor = next(m for m in store.mentors(code) if m.email == email)
        store.save_mentor_profile(code, mentor.model_copy(update=changes))
    identity = sign_in(store, code, "Amelia Hartley")
    return store, identity, later


def test_mentors_who_take_no_new_mentees_are_listed_and_say_so(closing):
    store, identity, later = closing
    view = MentorShortlistView(session_of(store, identity))
    directory = view.directory.value
    for name in ("Ada", "Bo", "Cy", ESCAPED):
        assert f"<h3>{name}</h3>" in directory  # never hidden
    assert "<img" not in directory
    assert "Places:</strong> not taking new mentees</li>" in directory
    assert f"Places:</strong> taking new mentees from {long_date(later)}</li>" in directory
    assert "Places:</strong> 2 places left</li>" in directory  # Cy, open from today
    assert "Not taking new mentees" in directory  # the first reason, capitalised
    # Those taking new mentees come first; the others are still there, last.
    assert view.shown[0].mentor.name == "Cy"
    view.places_left_only.value = True
    assert [f.mentor.name for f in view.shown] == ["Cy"]


def test_a_request_to_a_mentor_who_takes_no_new_mentees_is_refused_in_those_words(closing):
    store, identity, later = closing
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    view.choices[0].value = "ada@example.org"
    view.choices[1].value = "bo@example.org"
    view.choices[2].value = "hostile@example.org"
    assert "Ada is not taking new mentees at the moment." in view.request_lines[0].value
    assert (
        f"Bo is taking new mentees from {long_date(later)}; send your request then"
        in view.request_lines[1].value
    )
    assert f"{ESCAPED} is not taking new mentees" in view.request_lines[2].value
    for index in range(3):
        view.send_buttons[index].click()
    assert (
        "Your request was not sent: Ada is not taking new mentees at the moment."
        in view.request_lines[0].value
    )
    assert "Your request was not sent: Bo is taking new mentees from" in (
        view.request_lines[1].value
    )
    assert "<img" not in "".join(html_values(view))
    assert saved_shortlist(store, session).requests == []
    # Cy is open from today: the request goes.
    view.choices[2].value = "cy@example.org"
    view.send_buttons[2].click()
    assert "Request sent</strong> to Cy" in view.request_lines[2].value
    assert [r.mentor_email for r in saved_shortlist(store, session).requests] == ["cy@example.org"]


def test_a_withdrawn_request_is_not_sent_again_once_the_mentor_stopped_taking_mentees(closing):
    store, identity, _later = closing
    code = identity.workshop.code
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    view.choices[0].value = "cy@example.org"
    view.send_buttons[0].click()
    view.withdraw_buttons[0].click()
    cy = next(m for m in store.mentors(code) if m.email == "cy@example.org")
    store.save_mentor_profile(code, cy.model_copy(update={"open_to_new_mentees": False}))
    page = MentorShortlistView(session_of(store, identity))
    assert "You withdrew your request to Cy" in page.request_lines[0].value
    assert "Cy is not taking new mentees at the moment." in page.request_lines[0].value
    page.send_buttons[0].click()
    assert "Your request was not sent: Cy is not taking" in page.request_lines[0].value
    (request,) = saved_shortlist(store, session).requests
    assert request.withdrawn_at is not None


# ---------------------------------------------------------------------------------------
# Mentors the participant found themselves


def add_found(view: MentorShortlistView, name: str, **typed: object):
    """Press "Add a mentor you found yourself" and fill the new row."""
    view.found.add.click()
    row = view.found.rows[-1]
    row.name.value = name
    for field, value in typed.items():
        getattr(row, field).value = value
    return row


def test_a_mentor_found_yourself_is_ranked_chosen_drafted_to_and_kept(demo):
    store, identity = demo
    session = session_of(store, identity)
    save(store, session, ASSESSMENT)
    view = MentorShortlistView(session)
    assert "Professional associations" in " ".join(html_values(view))
    assert "Track record" in " ".join(html_values(view))
    kai = add_found(
        view,
        "Kai Rivera",
        found_through=FoundThrough.ALUMNI,
        how_you_know="Spoke at our alumni evening",
        link="https://example.org/kai",
        email="kai@example.org",
        good_at="negotiation; public speaking; Kubernetes",
    )
    lu = add_found(view, "Lu Chen", good_at="gardening")
    assert "best fit 1 of the 2 you found" in kai.fit.value
    assert "Covers both your growth areas" in kai.fit.value
    assert "Kubernetes" in kai.fit.value and "best fit 2 of the 2" in lu.fit.value
    offered = dict((value, label) for label, value in view.choices[1].options)
    assert offered[kai.prospect_id] == "Kai Rivera (found yourself)"

    view.choices[1].value = kai.prospect_id
    assert "I found you through our alumni network" in view.outreach[1].value
    assert view.outreach[1].description == "Message to Kai Rivera"
    assert view.send_buttons[1].layout.display == "none"
    assert "send this message yourself (at kai@example.org)" in view.request_lines[1].value
    view.notes[1].value = "Ask about the alumni mentoring scheme"

    saved = saved_shortlist(store, session)
    assert [p.name for p in saved.prospects] == ["Kai Rivera", "Lu Chen"]
    assert saved.prospects[0].found_through == FoundThrough.ALUMNI
    assert saved.entries[0].prospect == kai.prospect_id
    assert saved.entries[0].note == "Ask about the alumni mentoring scheme"

    reopened = MentorShortlistView(session_of(store, identity))
    assert [row.name.value for row in reopened.found.rows] == ["Kai Rivera", "Lu Chen"]
    assert reopened.found.rows[0].link.value == "https://example.org/kai"
    assert reopened.choices[0].value == kai.prospect_id
    assert reopened.notes[0].value == "Ask about the alumni mentoring scheme"
    assert "I found you through our alumni network" in reopened.outreach[0].value


def test_removing_a_chosen_mentor_found_yourself_frees_the_place(demo):
    store, identity = demo
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    kai = add_found(view, "Kai Rivera", good_at="negotiation")
    listed = view.choices[0].options[1][1]
    view.choices[0].value = listed
    view.choices[1].value = kai.prospect_id
    kai.remove.click()
    assert view.choices[1].value is None
    assert view.details[1].layout.display == "none"
    assert kai.prospect_id not in [value for _label, value in view.choices[0].options]
    saved = saved_shortlist(store, session)
    assert saved.prospects == [] and [e.mentor_email for e in saved.entries] == [listed]
    # A mentor added next gets a new id: nothing typed for Kai comes back to them.
    mo = add_found(view, "Mo Adeyemi")
    assert mo.prospect_id != kai.prospect_id


def test_a_found_mentor_with_a_bad_link_or_no_name_is_kept_as_typed_and_named(demo):
    store, identity = demo
    session = session_of(store, identity)
    view = MentorShortlistView(session)
    row = add_found(view, HOSTILE, link="javascript:alert(1)", good_at=HOSTILE)
    assert ESCAPED in row.fit.value and HOSTILE not in row.fit.value
    assert "must be a web address starting with https://" in row.problem.value
    row.name.value = ""
    assert "write their name" in row.problem.value
    saved = saved_shortlist(store, session)
    assert saved.prospects[0].good_at == HOSTILE and saved.prospects[0].link == ""
    assert saved.draft["prospects.0.link"] == "javascript:alert(1)"

    reopened = MentorShortlistView(session_of(store, identity))
    (again,) = reopened.found.rows
    assert again.link.value == "javascript:alert(1)" and again.name.value == ""
    assert "must be a web address" in again.problem.value
