"""The Expectations and My plan views: saved agreement, downloads, and an escaped plan."""

import base64
import re
from datetime import date, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mentorkit.agreement import (
    DEFAULT_BOUNDARIES,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXIT_CLAUSE,
    DEFAULT_FEEDBACK_STYLE,
    DEFAULT_ROLES,
)
from mentorkit.identity import sign_in
from mentorkit.mentoring import Answerer
from mentorkit.models import (
    CheckIn,
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    SelfAssessment,
    SmartGoal,
)
from mentorkit.store import open_store
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.expectations import ExpectationsView, expectations_app
from mentorkit.ui.frame import Notice
from mentorkit.ui.my_plan import MyPlanView, my_plan_app
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
MENTORS = [
    MentorProfile(
        name="Ada Mensah",
        email="ada@example.org",
        title="Head of Data",
        organization="Northwind",
        expertise=["negotiation"],
        capacity=2,
    ),
    MentorProfile(
        name="Bo Lindqvist",
        email="bo@example.org",
        expertise=["public-speaking"],
        capacity=1,
    ),
]


@pytest.fixture
def workshop(store):
    access = create_workshop(store, "Spring cohort")
    store.import_roster(access.workshop.code, mentors=MENTORS)
    return access.workshop


def session_for(store, workshop, name: str) -> Session:
    identity = sign_in(store, workshop.code, name)
    return Session(store, identity, SaveStatus(), Notice(), resume_code=identity.new_resume_code)


@pytest.fixture
def session(store, workshop):
    return session_for(store, workshop, "Ines Okafor-Lind")


def save(session: Session, document, name: str = "main") -> None:
    saver = session.autosaver(document.kind, name)
    saver.request(lambda: document)
    assert saver.flush()


def links(html: str) -> dict[str, tuple[str, str, bytes]]:
    """Download links by label: (filename, MIME type, decoded content)."""
    found = re.findall(
        r'<a class="mentorkit-download" download="([^"]+)" '
        r'href="data:([^;]+);base64,([^"]+)">([^<]+)</a>',
        html,
    )
    return {
        unescape(label): (unescape(name), mime, base64.b64decode(data))
        for name, mime, data, label in found
    }


def fill_agreement(view: ExpectationsView) -> None:
    view.mentor.value = "bo@example.org"
    view.relationship_goals.value = "Speak at a conference\n\nNegotiate my next role"
    view.frequency.value = Frequency.FORTNIGHTLY
    view.minutes.value = 60
    view.meeting_time.value = time(18, 30)
    view.channel.value = MeetingFormat.VIDEO
    view.start_on.value = date(2027, 1, 4)
    view.review_on.value = date(2027, 3, 1)
    view.end_on.value = date(2027, 6, 28)
    view.confidentiality.value = "Between us."
    view.feedback_style.value = "Straight talk."
    view.boundaries.value = "No calls after 6 pm."
    view.exit_clause.value = "Either of us may stop."


# ---------------------------------------------------------------------------------------
# Expectations


def test_first_visit_prefills_the_standard_terms_and_the_first_shortlisted_mentor(session):
    save(
        session,
        MentorShortlist(
            entries=[{"mentor_email": "bo@example.org"}, {"mentor_email": "ada@example.org"}]
        ),
    )
    view = ExpectationsView(session)
    assert view.mentor.value == "bo@example.org"
    assert view.confidentiality.value == DEFAULT_CONFIDENTIALITY
    assert view.feedback_style.value == DEFAULT_FEEDBACK_STYLE
    assert view.boundaries.value == DEFAULT_BOUNDARIES
    assert view.exit_clause.value == DEFAULT_EXIT_CLAUSE
    assert [row.data() for row in view.roles.rows] == [r.model_dump() for r in DEFAULT_ROLES]
    assert view.autosaver.document is None  # nothing is saved until the participant edits


def test_without_a_shortlist_no_mentor_is_chosen(session):
    view = ExpectationsView(session)
    assert view.mentor.value is None
    assert [label for label, _ in view.mentor.options][1:] == ["Ada Mensah", "Bo Lindqvist"]


def test_the_agreement_built_from_the_widgets_validates_and_is_saved(session):
    view = ExpectationsView(session)
    fill_agreement(view)
    view.roles.rows[0].area.value = "Career moves"
    assert view.autosaver.flush()
    saved = session.store.load(session.key("mentoring_agreement")).document
    assert saved == view.document()
    assert saved.mentor_email == "bo@example.org"
    assert saved.relationship_goals == ["Speak at a conference", "Negotiate my next role"]
    assert saved.frequency is Frequency.FORTNIGHTLY
    assert saved.meeting_minutes == 60
    assert saved.meeting_time == time(18, 30)
    assert saved.time_zone is None  # the participant's own, whatever it is when read
    assert saved.channel is MeetingFormat.VIDEO
    assert (saved.start_on, saved.review_on, saved.end_on) == (
        date(2027, 1, 4),
        date(2027, 3, 1),
        date(2027, 6, 28),
    )
    assert saved.boundaries == "No calls after 6 pm."
    assert saved.roles[0].area == "Career moves"
    assert session.status.state == "saved"

    again = ExpectationsView(session_for_resume(session))
    assert again.document() == saved


def session_for_resume(session: Session) -> Session:
    """A new page for the same participant (a reload)."""
    return Session(session.store, session.identity, SaveStatus(), Notice())


def test_dates_out_of_order_are_marked_the_date_kept_and_the_rest_saved(session):
    view = ExpectationsView(session)
    view.start_on.value = date(2027, 6, 1)
    view.end_on.value = date(2027, 5, 1)
    view.boundaries.value = "No calls after 7 pm"
    assert view.session.status.state == "saved"
    assert "End date" in view.session.status.value
    problem = view.fields.message("end_on").value
    assert 'id="mentorkit-problem-end-on"' in problem
    assert "the end date is before the start date" in problem
    saved = session.store.load(session.key("mentoring_agreement")).document
    assert saved.end_on is None and saved.start_on == date(2027, 6, 1)
    assert saved.boundaries == "No calls after 7 pm"
    assert saved.draft == {"end_on": "2027-05-01"}
    again = ExpectationsView(session_for_resume(session))
    assert again.end_on.value == date(2027, 5, 1)
    assert "mentorkit-invalid" in again.end_on._dom_classes


def test_adding_and_removing_roles(session):
    view = ExpectationsView(session)
    view.roles.add.click()
    assert len(view.roles.rows) == len(DEFAULT_ROLES) + 1
    assert view.roles.rows[-1].area.description == f"Role {len(DEFAULT_ROLES) + 1} area"
    assert view.session.status.state != "invalid"  # a blank new row is not an error
    view.roles.rows[-1].area.value = "Networking"
    view.roles.rows[-1].mentee_focus.value = "Asks for two introductions."
    view.roles.rows[0].remove.click()
    areas = [r.area for r in session.store.load(session.key("mentoring_agreement")).document.roles]
    assert areas == [r.area for r in DEFAULT_ROLES[1:]] + ["Networking"]
    assert view.roles.rows[0].area.description == "Role 1 area"
    assert view.roles.rows[0].area.value == DEFAULT_ROLES[1].area


def test_downloads_have_the_right_mime_types_and_the_calendar_parses(session):
    save(session, SelfAssessment(preferences={"time_zone": "Europe/Berlin"}))
    view = ExpectationsView(session)
    assert "Download meetings (.ics)" not in links(view.downloads.value)
    fill_agreement(view)
    found = links(view.downloads.value)
    assert found["Download agreement (HTML)"][:2] == ("mentoring-agreement.html", "text/html")
    assert found["Download agreement (Markdown)"][:2] == ("mentoring-agreement.md", "text/markdown")
    name, mime, ics = found["Download meetings (.ics)"]
    assert (name, mime) == ("mentoring-meetings.ics", "text/calendar")
    assert b"Straight talk." in found["Download agreement (HTML)"][2]
    assert b"Negotiate my next role" in found["Download agreement (Markdown)"][2]
    calendar = Calendar.from_ical(ics)
    meetings = [e for e in calendar.walk("VEVENT") if "review" not in str(e["UID"])]
    starts = sorted(e.decoded("DTSTART") for e in meetings if "end-" not in str(e["UID"]))
    assert starts[0] == datetime(2027, 1, 4, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert meetings[0]["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert meetings[0].decoded("DURATION") == timedelta(minutes=60)
    assert len(starts) == 13  # every two weeks from 4 January to 28 June
    assert calendar.walk("VTIMEZONE")
    assert "at 18:30 Europe/Berlin time" in view.downloads.value


def test_the_meeting_time_zone_offers_the_participants_own_first(session):
    save(session, SelfAssessment(preferences={"time_zone": "Europe/Berlin"}))
    view = ExpectationsView(session)
    assert view.meeting_zone.options[0] == ("My time zone (Europe/Berlin)", None)
    assert ("Asia/Tokyo", "Asia/Tokyo") in view.meeting_zone.options
    assert "Europe/Berlin" not in [value for _, value in view.meeting_zone.options]
    fill_agreement(view)
    view.meeting_zone.value = "Asia/Tokyo"
    assert view.autosaver.flush()
    saved = session.store.load(session.key("mentoring_agreement")).document
    assert saved.time_zone == "Asia/Tokyo"
    again = ExpectationsView(session_for_resume(session))
    assert (again.meeting_time.value, again.meeting_zone.value) == (time(18, 30), "Asia/Tokyo")
    ics = links(again.downloads.value)["Download meetings (.ics)"][2]
    assert b"DTSTART;TZID=Asia/Tokyo:20270104T183000" in ics


def test_without_a_meeting_time_the_page_says_the_calendar_holds_all_day_entries(session):
    view = ExpectationsView(session)
    fill_agreement(view)
    view.meeting_time.value = None
    assert "all-day entry marked 'time to be agreed'" in unescape(view.downloads.value)
    assert "12:00" not in view.downloads.value


def test_the_preview_shows_the_meeting_time_on_a_mentor_abroads_clock(store, workshop):
    store.import_roster(
        workshop.code,
        mentors=[
            MENTORS[0],
            MENTORS[1].model_copy(update={"time_zone": "America/New_York"}),
        ],
    )
    session = session_for(store, workshop, "Ines Okafor-Lind")
    save(session, SelfAssessment(preferences={"time_zone": "Europe/Berlin"}))
    view = ExpectationsView(session)
    fill_agreement(view)
    view._redraw()  # no event loop runs in a test: the debounced redraw happens at once
    assert (
        "Mon 4 January 2027, 18:30 Europe/Berlin (Ines Okafor-Lind) · "
        "12:30 America/New_York (Bo Lindqvist)"
    ) in view.preview.value


def test_the_preview_says_when_the_schedule_stops_before_the_end(session):
    view = ExpectationsView(session)
    fill_agreement(view)
    view.frequency.value = Frequency.WEEKLY
    view.end_on.value = date(2030, 12, 30)
    assert "Only the first 120 meetings are listed" in view.preview.value
    view.end_on.value = None
    assert "No end date yet: these are the meetings of the first 6 months" in view.preview.value


def test_the_preview_shows_the_agreement_with_hostile_text_escaped(session):
    view = ExpectationsView(session)
    view.boundaries.value = HOSTILE
    view.roles.rows[0].area.value = HOSTILE
    view.relationship_goals.value = HOSTILE
    preview = view.preview.value
    assert "<img" not in preview and "<html" not in preview and "<body" not in preview
    assert preview.count(ESCAPED) >= 3
    assert "<h1" not in preview  # the app's title stays the page's only h1
    html = links(view.downloads.value)["Download agreement (HTML)"][2].decode()
    assert "<img" not in html and ESCAPED in html


def test_empty_goals_hint_lists_the_smart_goal_titles_escaped(session):
    save(session, SmartGoal(title="Give a talk"), "goal-1")
    save(session, SmartGoal(title=HOSTILE), "goal-2")
    view = ExpectationsView(session)
    assert "Give a talk" in view.goals_hint.value
    assert ESCAPED in view.goals_hint.value and "<img" not in view.goals_hint.value
    view.relationship_goals.value = "My own goal"
    assert view.goals_hint.value == ""


def test_text_over_the_limit_is_kept_as_typed_and_marked(session):
    view = ExpectationsView(session)
    assert "mentorkit-max-2000" in view.confidentiality._dom_classes
    view.confidentiality.value = "x" * 2001
    assert "Confidentiality" in view.session.status.value
    saved = session.store.load(session.key("mentoring_agreement")).document
    assert saved.draft == {"confidentiality": "x" * 2001}


def test_the_expectations_app_opens_the_view_after_resume(store, session):
    app = expectations_app(store=store, environ={"QUERY_STRING": f"resume={session.resume_code}"})
    assert isinstance(app.view, ExpectationsView)


# ---------------------------------------------------------------------------------------
# My plan


def fill_every_worksheet(session: Session, text: str) -> None:
    save(
        session,
        SelfAssessment(
            ratings={"negotiation": 1},
            growth_areas=["negotiation"],
            values=[text],
            career_goal=text,
            preferences={"time_zone": "Europe/Berlin"},
        ),
    )
    save(session, MentorShortlist(entries=[{"mentor_email": "ada@example.org", "note": text}]))
    save(
        session,
        MentoringAgreement(
            mentor_email="ada@example.org",
            relationship_goals=[text],
            frequency=Frequency.MONTHLY,
            start_on=date(2027, 1, 4),
            roles=[{"area": text, "mentor_focus": text}],
            boundaries=text,
        ),
    )
    save(
        session,
        SmartGoal(title=text, measurable=text, milestones=[{"title": text}]),
        "goal-1",
    )
    save(
        session,
        CheckIn(
            met_on=date(2027, 1, 4),
            topics=[text],
            learned=text,
            action_items=[{"text": text}],
        ),
        "check-in-1",
    )


SECTIONS = ("About me", "My mentor", "My shortlist", "Our agreement", "My SMART goals", "Check-ins")


def test_the_plan_shows_every_section_of_a_participant_who_filled_every_worksheet(session):
    fill_every_worksheet(session, "Lead the Q3 pricing talks")
    view = MyPlanView(session)
    page = view.page.value
    for section in SECTIONS:
        assert section in page
    assert "Not started yet" not in page
    assert "Negotiation" in page
    assert "Ada Mensah" in page
    assert page.count("Lead the Q3 pricing talks") >= 6
    assert "<body" not in page and "<html" not in page and "<h1" not in page


def test_an_empty_plan_says_not_started_yet_for_every_worksheet(session):
    page = MyPlanView(session).page.value
    assert page.count("Not started yet") == 5  # all but "My mentor", which awaits a match
    assert "Download meetings (.ics)" not in links(MyPlanView(session).downloads.value)


def test_hostile_text_in_every_worksheet_is_escaped_in_the_plan(session):
    fill_every_worksheet(session, HOSTILE)
    view = MyPlanView(session)
    page = view.page.value
    assert "<img" not in page
    assert page.count(ESCAPED) >= 10
    found = links(view.downloads.value)
    html = found["Download my plan (HTML)"][2].decode()
    assert "<img" not in html and ESCAPED in html
    markdown = found["Download my plan (Markdown)"][2].decode()
    assert re.search(r"(?<!\\)<(?!br>)", markdown) is None  # every < is escaped
    assert "\\<img src=x onerror=alert(1)>" in markdown and "&lt;" not in markdown


def test_plan_downloads_have_the_right_mime_types_and_the_calendar_parses(session):
    fill_every_worksheet(session, "Lead the Q3 pricing talks")
    found = links(MyPlanView(session).downloads.value)
    assert found["Download my plan (HTML)"][:2] == ("my-mentoring-plan.html", "text/html")
    assert found["Download my plan (Markdown)"][:2] == ("my-mentoring-plan.md", "text/markdown")
    name, mime, ics = found["Download meetings (.ics)"]
    assert (name, mime) == ("mentoring-meetings.ics", "text/calendar")
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 6  # monthly for six months
    assert all("(time to be agreed)" in str(e["SUMMARY"]) for e in events)  # no time yet


def test_refresh_shows_answers_saved_in_another_tab(session):
    view = MyPlanView(session)
    assert "Give a talk" not in view.page.value
    save(session, SmartGoal(title="Give a talk"), "goal-1")
    view.refresh_button.click()
    assert "Give a talk" in view.page.value


def test_the_plan_shows_only_the_signed_in_participants_answers(store, workshop, session):
    fill_every_worksheet(session, "Ines's secret plan")
    other = session_for(store, workshop, "Someone Else")
    page = MyPlanView(other).page.value
    assert "secret" not in page
    assert page.count("Not started yet") == 5


def test_the_my_plan_app_opens_the_view_after_resume(store, session):
    app = my_plan_app(store=store, environ={"QUERY_STRING": f"resume={session.resume_code}"})
    assert isinstance(app.view, MyPlanView)


def test_a_published_match_shows_the_mentor_and_the_introduction_escaped(tmp_path):
    from datetime import date

    from mentorkit.identity import sign_in
    from mentorkit.models import MentorMatch, MentorProfile
    from mentorkit.store import DocumentKey
    from mentorkit.ui.my_plan import my_plan_app
    from mentorkit.workshops import create_workshop

    store = open_store(f"sqlite:///{tmp_path / 'match.db'}")
    code = create_workshop(store, "W").workshop.code
    mentor = MentorProfile(
        name="Maya <b>Goldberg</b>", email="maya@example.org", expertise=["negotiation"], capacity=2
    )
    store.import_roster(code, mentors=[mentor])
    me = sign_in(store, code, "Ada Quill")
    store.save(
        DocumentKey(code, me.participant.id, MentorMatch.kind),
        MentorMatch(
            mentor_email=mentor.email,
            reasons="covers your growth area: negotiation",
            introduction="Dear Maya,\n<img src=x onerror=alert(1)>",
            published_on=date(2026, 11, 24),
        ),
        expected_revision=0,
    )
    app = my_plan_app(store=store, environ={"QUERY_STRING": f"resume={me.new_resume_code}"})
    shown = app.view.introduction.value
    assert "Your mentor: Maya &lt;b&gt;Goldberg&lt;/b&gt;" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and "<img" not in shown
    assert "Maya &lt;b&gt;Goldberg&lt;/b&gt;" in app.view.page.value
    store.close()


def test_sharing_the_plan_is_opt_in_and_saved(tmp_path):
    from mentorkit.identity import sign_in
    from mentorkit.models import PlanSharing
    from mentorkit.store import DocumentKey
    from mentorkit.ui.my_plan import my_plan_app
    from mentorkit.workshops import create_workshop

    store = open_store(f"sqlite:///{tmp_path / 'share.db'}")
    code = create_workshop(store, "W").workshop.code
    me = sign_in(store, code, "Ada Quill")
    environ = {"QUERY_STRING": f"resume={me.new_resume_code}"}
    app = my_plan_app(store=store, environ=environ)
    assert app.view.share.value is False
    app.view.share.value = True
    key = DocumentKey(code, me.participant.id, PlanSharing.kind)
    assert store.load(key).document.shared is True
    assert my_plan_app(store=store, environ=environ).view.share.value is True
    store.close()


def test_the_mentor_who_accepted_is_the_agreements_mentor_from_the_start(session):
    save(
        session,
        MentorShortlist(
            entries=[{"mentor_email": "bo@example.org"}, {"mentor_email": "ada@example.org"}]
        ),
    )
    code, me = session.workshop.code, session.participant.id
    session.store.decide_match(code, me, "bo@example.org", "forbid", answered_by=Answerer.MENTOR)
    session.store.decide_match(code, me, "ada@example.org", "lock", answered_by=Answerer.MENTOR)
    assert ExpectationsView(session).mentor.value == "ada@example.org"
