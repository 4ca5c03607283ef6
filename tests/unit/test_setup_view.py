"""The Workshop setup app, widget by widget over a temporary SQLite store: the first run,
the details and sessions saved whole or not at all, the worksheet texts the worksheets then
show, the framework, the join link, other workshops, restoring a backup and deleting."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date, time
from pathlib import Path

import ipywidgets as widgets
import openpyxl
import pytest

from mentorkit import people
from mentorkit.access import TOO_MANY_TRIES, hash_secret, limiter
from mentorkit.apps import APPS
from mentorkit.backup import backup_workshop
from mentorkit.identity import FACILITATOR_REFUSAL as REFUSAL
from mentorkit.identity import SignInError, claim_mentor_invite, mentor_resume
from mentorkit.jupyter.pages import sign_in_document
from mentorkit.models import MAX_SESSIONS, MentorProfile, Participant, SelfAssessment
from mentorkit.store import DocumentKey
from mentorkit.testing import find_widget, sign_in_rostered, widget_tree
from mentorkit.ui.people_panel import PeopleSection
from mentorkit.ui.self_assessment import self_assessment_app
from mentorkit.ui.setup import (
    DeleteSection,
    DetailsSection,
    FrameworkSection,
    GuidanceSection,
    JoinLinkSection,
    SetupView,
    WorkshopsSection,
    join_link,
    setup_app,
)
from mentorkit.ui.setup_rosters import DownloadsSection, RosterSection
from mentorkit.workshops import create_workshop, default_guidance

HOSTILE = "<img src=x onerror=alert(1)>"
SELF_ASSESSMENT = next(app for app in APPS if app.notebook == "01_self_assessment.ipynb")


@pytest.fixture
def access(store):
    return create_workshop(store, "Spring cohort")


def signed_in(store, access, **kwargs):
    app = setup_app(store=store, environ=kwargs.pop("environ", {}), refusal_delay=0)
    app.join.value = access.workshop.code
    app.key.value = access.facilitator_key
    app.sign_in_button.click()
    assert app.notice.value == "", app.notice.value
    assert isinstance(app.view, SetupView)
    return app


def section(app, kind):
    found = [w for w in widget_tree(app) if isinstance(w, kind)]
    assert len(found) == 1, (kind, found)
    return found[0]


def html_of(widget) -> str:
    return "\n".join(w.value for w in widget_tree(widget) if isinstance(w, widgets.HTML))


def problem_of(widget) -> str:
    """The message shown next to `widget` (its field-problem line), '' when there is none."""
    slug = next(
        (c.removeprefix("mentorkit-field-") for c in widget._dom_classes if "-field-" in c), None
    )
    assert slug, widget._dom_classes
    return slug


def message_for(app, widget) -> str:
    slug = problem_of(widget)
    found = re.search(rf'id="mentorkit-problem-{re.escape(slug)}"[^>]*>([^<]*)<', html_of(app))
    return found[1] if found else ""


# -- the sign-in and the first run -------------------------------------------------------


def test_an_empty_database_offers_the_first_workshop_without_a_key(store):
    app = setup_app(store=store, environ={}, refusal_delay=0)
    find_widget(app, widgets.Text, "New workshop name").value = "First cohort"
    find_widget(app, widgets.Button, "Create the first workshop").click()
    (workshop,) = store.workshops()
    assert workshop.name == "First cohort"
    assert isinstance(app.view, SetupView)
    shown = app.view.new_key.value
    assert "Write the facilitator key down now" in shown
    key = re.search(r'mentorkit-facilitator-key">([^<]+)<', shown)[1]
    assert store.facilitator_key_matches(workshop.code, hash_secret(key))
    assert "First cohort" in html_of(app)


def test_the_first_workshop_is_offered_only_while_there_is_none(store, access):
    app = setup_app(store=store, environ={}, refusal_delay=0)
    assert find_widget(app, widgets.Button, "Create the first workshop") is None


def test_a_first_workshop_form_left_open_creates_nothing_once_one_exists(store):
    app = setup_app(store=store, environ={}, refusal_delay=0)
    create_workshop(store, "Made elsewhere meanwhile")
    find_widget(app, widgets.Text, "New workshop name").value = "Second"
    find_widget(app, widgets.Button, "Create the first workshop").click()
    assert [w.name for w in store.workshops()] == ["Made elsewhere meanwhile"]
    assert app.view is None and "A workshop exists now" in app.notice.value


def test_a_wrong_key_shows_the_refusal_and_no_section(store, access):
    app = setup_app(store=store, environ={}, refusal_delay=0)
    app.join.value = access.workshop.code
    app.key.value = "not-the-key"
    app.sign_in_button.click()
    assert REFUSAL in app.notice.value and app.view is None
    assert "Spring cohort" not in html_of(app)


def test_the_sections_come_in_the_order_a_facilitator_needs_them(store, access):
    app = signed_in(store, access)
    assert [s.heading for s in app.view.sections] == [
        "Workshop details",
        "Competency framework",
        "Rosters",
        "Worksheet texts",
        "Share the join link",
        "People",
        "Downloads",
        "Other workshops",
        "Delete the workshop",
    ]
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", html_of(app.view))
    assert headings == [s.heading for s in app.view.sections]


def test_the_page_opens_with_a_link_to_each_section(store, access):
    app = signed_in(store, access)
    page = html_of(app.view)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', page)
    assert [text for _target, text in links] == [s.heading for s in app.view.sections]
    for target, _text in links:
        assert f'<h2 id="{target}">' in page


def test_the_setup_app_is_the_first_facilitator_app():
    facilitator = [app for app in APPS if app.audience == "facilitator"]
    assert facilitator[0].notebook == "facilitator/setup.ipynb"
    assert facilitator[0].title == "Workshop setup"
    assert (Path(__file__).parents[2] / "notebooks" / facilitator[0].notebook).exists()


# -- details and sessions ------------------------------------------------------------------


def test_details_and_sessions_are_saved_together(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.name.value = "  Autumn   cohort "
    details.description.value = "Six weeks of mentoring."
    details.starts_on.value = date(2026, 9, 1)
    details.ends_on.value = date(2026, 10, 15)
    details.add_session.click()
    row = details.rows[0]
    row.title.value = "Kick-off"
    row.day.value = date(2026, 9, 1)
    row.starts_at.value = time(9, 30)
    row.ends_at.value = time(11, 0)
    row.place.value = "Room 4"
    details.save.click()
    stored = store.workshop(access.workshop.code)
    assert stored.name == "Autumn cohort"
    assert (stored.starts_on, stored.ends_on) == (date(2026, 9, 1), date(2026, 10, 15))
    assert [(s.title, s.day, s.starts_at, s.place) for s in stored.sessions] == [
        ("Kick-off", date(2026, 9, 1), time(9, 30), "Room 4")
    ]
    assert store.facilitator_key_matches(access.workshop.code, hash_secret(access.facilitator_key))
    assert "Autumn cohort" in html_of(app)
    assert "saved" in details.status.value


def test_an_end_date_before_the_start_saves_nothing_and_says_so_next_to_the_field(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.name.value = "Renamed"
    details.starts_on.value = date(2026, 9, 1)
    details.ends_on.value = date(2026, 8, 1)
    details.save.click()
    assert store.workshop(access.workshop.code).name == "Spring cohort"  # nothing half-saved
    assert "mentorkit-invalid" in details.ends_on._dom_classes
    assert "end date is before the start date" in message_for(app, details.ends_on)
    assert "Nothing was saved" in details.status.value
    details.ends_on.value = date(2026, 9, 30)
    details.save.click()
    assert store.workshop(access.workshop.code).name == "Renamed"
    assert "mentorkit-invalid" not in details.ends_on._dom_classes
    assert message_for(app, details.ends_on) == ""


def test_a_date_outside_the_years_a_workshop_can_have_is_named(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.starts_on.value = date(1900, 1, 1)
    details.save.click()
    assert "between 2000 and 2100" in message_for(app, details.starts_on)
    assert store.workshop(access.workshop.code).starts_on is None


def test_a_session_without_a_title_or_with_its_end_first_is_marked(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.add_session.click()
    details.add_session.click()
    details.rows[0].day.value = date(2026, 9, 1)
    details.rows[1].title.value = "Second"
    details.rows[1].day.value = date(2026, 9, 8)
    details.rows[1].starts_at.value = time(10, 0)
    details.rows[1].ends_at.value = time(9, 0)
    details.save.click()
    assert "must not be empty" in message_for(app, details.rows[0].title)
    assert "end time is not after the start time" in message_for(app, details.rows[1].ends_at)
    assert store.workshop(access.workshop.code).sessions == []


def test_an_empty_name_is_refused_in_plain_words(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.name.value = "   "
    details.save.click()
    assert message_for(app, details.name) == "Workshop name: must not be empty"
    assert store.workshop(access.workshop.code).name == "Spring cohort"


@pytest.mark.slow
def test_sessions_stop_at_the_limit_even_when_the_page_clicks_on(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    for _ in range(MAX_SESSIONS + 3):
        details.add_session.click()  # a page can still send clicks on the disabled button
    assert len(details.rows) == MAX_SESSIONS
    assert details.add_session.disabled


def test_a_hostile_name_is_stored_as_text_and_shown_escaped(store, access):
    app = signed_in(store, access)
    details = section(app, DetailsSection)
    details.name.value = HOSTILE
    details.save.click()
    assert store.workshop(access.workshop.code).name == HOSTILE
    shown = html_of(app)
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown


# -- worksheet texts -------------------------------------------------------------------------


def test_a_worksheet_text_reaches_the_worksheet_and_the_sign_in_page(store, access):
    app = signed_in(store, access)
    texts = section(app, GuidanceSection)
    texts.texts["01_self_assessment"].value = f"Welcome, spring cohort!\n\n{HOSTILE}"
    find_widget(app, widgets.Button, "Save the text of Self-assessment").click()
    workshop = store.workshop(access.workshop.code)
    assert workshop.guidance == {"01_self_assessment": f"Welcome, spring cohort!\n\n{HOSTILE}"}
    page = sign_in_document(SELF_ASSESSMENT, workshop)
    assert "Welcome, spring cohort!" in page and "<img" not in page
    store.import_roster(
        access.workshop.code, participants=[Participant(name="Ada", email="a@x.org")]
    )
    identity = sign_in_rostered(store, access.workshop.code, "a@x.org")
    worksheet = self_assessment_app(
        store=store, environ={"QUERY_STRING": f"resume={identity.new_resume_code}"}
    )
    shown = html_of(worksheet)
    assert "Welcome, spring cohort!" in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "<img" not in shown


def test_restoring_the_default_text_keeps_no_override(store, access):
    app = signed_in(store, access)
    texts = section(app, GuidanceSection)
    texts.texts["04_smart_goals"].value = "Our own words."
    find_widget(app, widgets.Button, "Save the text of SMART goals").click()
    assert store.workshop(access.workshop.code).guidance == {"04_smart_goals": "Our own words."}
    find_widget(app, widgets.Button, "Restore the default text of SMART goals").click()
    assert store.workshop(access.workshop.code).guidance == {}
    assert texts.texts["04_smart_goals"].value == default_guidance()["04_smart_goals"]
    assert "default text" in texts.statuses["04_smart_goals"].value


def test_a_text_too_long_is_refused_next_to_its_field(store, access):
    app = signed_in(store, access)
    texts = section(app, GuidanceSection)
    texts.texts["02_mentor_shortlist"].value = "x" * 5000
    find_widget(app, widgets.Button, "Save the text of Mentor shortlist").click()
    assert "too long (at most 4000 characters)" in message_for(
        app, texts.texts["02_mentor_shortlist"]
    )
    assert store.workshop(access.workshop.code).guidance == {}
    assert "mentorkit-max-4000" in texts.texts["02_mentor_shortlist"]._dom_classes


def test_a_text_with_control_characters_is_refused(store, access):
    app = signed_in(store, access)
    texts = section(app, GuidanceSection)
    texts.save_text("03_expectations", "Hello\x07there")
    assert "control character" in message_for(app, texts.texts["03_expectations"])
    assert store.workshop(access.workshop.code).guidance == {}


# -- the competency framework ------------------------------------------------------------------

SMALL_FRAMEWORK = b"""
name: Small framework
areas:
  - id: talk
    name: Talking
    competencies:
      - id: negotiation
        name: Negotiation
      - id: public-speaking
        name: Public speaking
"""


def test_a_broken_framework_file_changes_nothing_and_says_where(store, access):
    app = signed_in(store, access)
    framework = section(app, FrameworkSection)
    framework.upload_file("mine.yaml", b"name: Broken\nareas: [\n  - id: x\n")
    assert "Nothing was changed" in framework.status.value
    assert "mine.yaml" in framework.status.value and "line" in framework.status.value
    assert store.workshop(access.workshop.code).framework == access.workshop.framework


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe not text", "not a UTF-8 text file"),
        (b"- just\n- a list\n", "expected a mapping"),
        (b"name: No areas\nareas: []\n", "Areas"),
        (b"x" * 1_000_001, "larger than 1 MB"),
    ],
)
def test_a_framework_file_that_is_not_one_is_named(store, access, data, words):
    app = signed_in(store, access)
    framework = section(app, FrameworkSection)
    framework.upload_file("mine.yaml", data)
    assert words in framework.status.value
    assert store.workshop(access.workshop.code).framework == access.workshop.framework


def test_a_framework_that_would_orphan_answers_is_refused_naming_them(store, access):
    code = access.workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(name="Ada", email="ada@x.org", expertise=["delegation"], capacity=1)
        ],
        participants=[Participant(name="Bo", email="bo@x.org")],
    )
    bo = store.find_participant(code, "bo@x.org")
    store.save(
        DocumentKey(code, bo.id, "self_assessment"),
        SelfAssessment(ratings={"negotiation": 2, "time-management": 3}),
        expected_revision=0,
    )
    app = signed_in(store, access)
    framework = section(app, FrameworkSection)
    framework.upload_file("small.yaml", SMALL_FRAMEWORK)
    status = framework.status.value
    assert "delegation (in mentors&#x27; expertise)" in status
    assert "time-management (in self-assessments)" in status
    assert "negotiation" not in status.split("already uses")[1].split(".")[0]
    assert store.workshop(code).framework.name == access.workshop.framework.name


def test_a_framework_that_keeps_every_answer_is_applied_and_the_default_comes_back(store, access):
    app = signed_in(store, access)
    framework = section(app, FrameworkSection)
    framework.upload_file("small.yaml", SMALL_FRAMEWORK)
    assert store.workshop(access.workshop.code).framework.name == "Small framework"
    assert "Small framework" in framework.summary.value
    find_widget(app, widgets.Button, "Use the default framework").click()
    assert store.workshop(access.workshop.code).framework == access.workshop.framework


def test_the_upload_says_its_limit(store, access):
    app = signed_in(store, access)
    framework = section(app, FrameworkSection)
    assert "at most 1 MB" in html_of(framework)
    assert "mentorkit-upload-max-1000000" in framework.upload._dom_classes


# -- the join link -----------------------------------------------------------------------------


def test_the_join_link_is_the_servers_sign_in_page_with_the_code():
    request = "http://127.0.0.1:8866/voila/render/facilitator/setup.ipynb?join=ABCD-EFGH"
    assert (
        join_link({"VOILA_REQUEST_URL": request}, "ABCD-EFGH")
        == "http://127.0.0.1:8866/start?join=ABCD-EFGH"
    )
    proxied = {
        "VOILA_PREHEAT": "True",
        "SERVER_NAME": "workshop.example.org",
        "SERVER_PORT": "443",
        "SCRIPT_NAME": "/mentoring/voila/render/facilitator/setup.ipynb",
    }
    assert join_link(proxied, "ABCD-EFGH") == (
        "https://workshop.example.org/mentoring/start?join=ABCD-EFGH"
    )
    assert join_link({}, "ABCD-EFGH") == "start?join=ABCD-EFGH"


def test_the_join_link_field_keeps_the_link_whatever_is_typed(store, access):
    environ = {"VOILA_REQUEST_URL": "http://localhost:8866/voila/render/facilitator/setup.ipynb"}
    app = signed_in(store, access, environ=environ)
    share = section(app, JoinLinkSection)
    expected = f"http://localhost:8866/start?join={access.workshop.code}"
    assert share.field.value == expected
    share.field.value = "something else"
    assert share.field.value == expected
    assert access.workshop.code in html_of(share)


# -- other workshops -----------------------------------------------------------------------------


def test_a_new_workshop_gets_its_own_key_shown_once_and_the_page_switches_to_it(store, access):
    app = signed_in(store, access)
    workshops = section(app, WorkshopsSection)
    workshops.new.name.value = "Autumn cohort"
    workshops.new.starts_on.value = date(2026, 9, 1)
    find_widget(app, widgets.Button, "Create workshop").click()
    autumn = next(w for w in store.workshops() if w.name == "Autumn cohort")
    assert autumn.code != access.workshop.code and autumn.starts_on == date(2026, 9, 1)
    key = re.search(r'mentorkit-facilitator-key">([^<]+)<', app.view.new_key.value)[1]
    assert store.facilitator_key_matches(autumn.code, hash_secret(key))
    assert app.view.session.workshop.code == autumn.code
    assert "Autumn cohort" in html_of(app)
    # Both are in the picker now; switching back hides the key for good.
    picker = section(app, WorkshopsSection).picker
    assert {value for _label, value in picker.options} == {access.workshop.code, autumn.code}
    picker.value = access.workshop.code
    find_widget(app, widgets.Button, "Switch to this workshop").click()
    assert app.view.session.workshop.code == access.workshop.code
    assert app.view.new_key.value == ""
    assert section(app, DetailsSection).name.value == "Spring cohort"


def test_a_new_workshop_with_its_dates_reversed_is_not_created(store, access):
    app = signed_in(store, access)
    workshops = section(app, WorkshopsSection)
    workshops.new.name.value = "Backwards"
    workshops.new.starts_on.value = date(2026, 9, 1)
    workshops.new.ends_on.value = date(2026, 8, 1)
    workshops.new.create.click()
    assert [w.name for w in store.workshops()] == ["Spring cohort"]
    assert "end date is before the start date" in message_for(app, workshops.new.ends_on)


def test_switching_to_a_workshop_whose_key_this_page_never_had_is_refused(store, access):
    other = create_workshop(store, "Someone else's")
    app = signed_in(store, access)
    workshops = section(app, WorkshopsSection)
    assert [value for _label, value in workshops.picker.options] == [access.workshop.code]
    workshops.picker.options = [("x", other.workshop.code)]  # as a crafted page might
    workshops.switch_to_picked()
    assert app.view.session.workshop.code == access.workshop.code
    assert "Someone else" not in html_of(app.view)


def test_another_workshop_opens_with_its_key_and_not_without(store, access):
    other = create_workshop(store, "Other cohort")
    app = signed_in(store, access)
    workshops = section(app, WorkshopsSection)
    workshops.join.value = other.workshop.code
    workshops.key.value = "a guess"
    workshops.open.click()
    assert REFUSAL in workshops.open_status.value
    assert app.view.session.workshop.code == access.workshop.code
    assert workshops.key.value == ""
    workshops.join.value = other.workshop.code.lower()
    workshops.key.value = other.facilitator_key
    workshops.open.click()
    assert app.view.session.workshop.code == other.workshop.code
    assert "Other cohort" in html_of(app)


def test_opening_workshops_shares_the_sign_ins_try_limit(store, access):
    app = signed_in(store, access)
    tries = limiter(store, "facilitator key")
    for _ in range(tries.max_failures):
        workshops = section(app, WorkshopsSection)
        workshops.join.value = access.workshop.code
        workshops.key.value = "wrong"
        workshops.open.click()
    assert TOO_MANY_TRIES in workshops.open_status.value
    other = create_workshop(store, "Other cohort")
    workshops.join.value = other.workshop.code
    workshops.key.value = other.facilitator_key
    workshops.open.click()  # even the right key waits while tries are locked
    assert TOO_MANY_TRIES in workshops.open_status.value
    assert app.view.session.workshop.code == access.workshop.code
    # ... and the sign-in of another page of the same kernel is locked too.
    again = setup_app(store=store, environ={}, refusal_delay=0)
    again.join.value = other.workshop.code
    again.key.value = other.facilitator_key
    again.sign_in_button.click()
    assert TOO_MANY_TRIES in again.notice.value and again.view is None


def test_a_backup_is_restored_all_or_nothing(store, access, tmp_path):
    store.import_roster(
        access.workshop.code, participants=[Participant(name="Bo", email="bo@x.org")]
    )
    path = tmp_path / "spring.jsonl"
    backup_workshop(store, access.workshop.code, path)
    data = path.read_bytes()
    keeper = create_workshop(store, "Keeper")
    store.delete_workshop(access.workshop.code)
    app = signed_in(store, keeper)
    workshops = section(app, WorkshopsSection)
    workshops.restore_file("spring.jsonl", data[:-40])
    assert "Nothing was restored" in workshops.restore_status.value
    assert [w.name for w in store.workshops()] == ["Keeper"]
    workshops.restore_file("spring.jsonl", data)
    assert "Restored Spring cohort" in workshops.restore_status.value
    assert [p.name for p in store.participants(access.workshop.code)] == ["Bo"]
    workshops.restore_file("spring.jsonl", data)  # it is there now: not replaced
    assert "Nothing was restored" in workshops.restore_status.value


# -- deleting ------------------------------------------------------------------------------------


def test_the_delete_button_waits_for_the_exact_name(store, access):
    app = signed_in(store, access)
    delete = section(app, DeleteSection)
    assert delete.delete.disabled
    delete.confirm_name.value = "spring cohort"
    assert delete.delete.disabled
    delete.confirm_name.value = "Spring cohort"
    assert not delete.delete.disabled


def test_a_delete_click_sent_without_the_name_deletes_nothing(store, access):
    app = signed_in(store, access)
    delete = section(app, DeleteSection)
    delete.delete.disabled = False  # as a crafted page would have it
    delete.delete.click()
    assert [w.code for w in store.workshops()] == [access.workshop.code]
    assert "Nothing was deleted" in delete.status.value


def test_after_deleting_the_page_says_so_and_offers_another(store, access):
    other = create_workshop(store, "Other cohort")
    app = signed_in(store, access)
    delete = section(app, DeleteSection)
    delete.confirm_name.value = "Spring cohort"
    delete.delete.click()
    assert [w.code for w in store.workshops()] == [other.workshop.code]
    assert "was deleted" in html_of(app.view)
    assert "Facilitator of" not in html_of(app)
    # no links into the deleted one
    assert not re.search(rf'href="[^"]*{access.workshop.code}', html_of(app))
    assert find_widget(app.view, widgets.Button, "Create workshop") is not None
    assert find_widget(app.view, widgets.Button, "Open workshop") is not None
    workshops = section(app, WorkshopsSection)
    assert workshops.picker.options == ()
    assert workshops.switch not in widget_tree(workshops)  # nothing to switch to: not shown


def test_the_switch_is_shown_only_when_there_is_another_workshop_to_switch_to(store, access):
    app = signed_in(store, access)
    workshops = section(app, WorkshopsSection)
    assert workshops.switch not in widget_tree(workshops)
    workshops.new.name.value = "Autumn cohort"
    workshops.new.create.click()
    workshops = section(app, WorkshopsSection)
    assert workshops.switch in widget_tree(workshops)


def test_after_deleting_the_other_workshops_of_this_page_can_be_switched_to(store, access):
    app = signed_in(store, access)
    section(app, WorkshopsSection).new.name.value = "Autumn cohort"
    find_widget(app, widgets.Button, "Create workshop").click()
    autumn = app.view.session.workshop
    workshops = section(app, WorkshopsSection)
    workshops.picker.value = access.workshop.code
    workshops.switch.click()
    delete = section(app, DeleteSection)
    delete.confirm_name.value = "Spring cohort"
    delete.delete.click()
    workshops = section(app, WorkshopsSection)
    assert workshops.picker.options == ((f"Autumn cohort ({autumn.code})", autumn.code),)
    workshops.switch.click()
    assert app.view.session.workshop.code == autumn.code
    assert "Autumn cohort" in html_of(app)
    assert app.view.sections[0].heading == "Workshop details"


# -- mentors' invitations -------------------------------------------------------------------

SERVED = {"VOILA_REQUEST_URL": "https://workshop.example.org/voila/render/facilitator/setup.ipynb"}
MENTORS_CSV = (
    "Name,Email,Expertise,Capacity\n"
    "Quinn Mbeki,quinn@example.net,Negotiation,2\n"
    f"{HOSTILE},hostile@example.net,Negotiation,1\n"
    '"=HYPERLINK(""http://evil.example"",""x"")",formula@example.net,Negotiation,1\n'
)


def upload_roster(app, kind: str, name: str, content: str) -> None:
    """Upload a roster in the setup page (as the browser sends it) and import it."""
    rosters = section(app, RosterSection)
    data = content.encode()
    rosters.uploads[kind].set_state(
        {
            "value": [
                {
                    "name": name,
                    "type": "text/csv",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": 1_765_000_000_000,
                }
            ]
        }
    )
    rosters.import_button.click()


def sheets(html: str) -> dict[str, bytes]:
    """The files behind the download links in `html`, by file name."""
    found = re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    return {name: base64.b64decode(data) for name, data in found}


def sheet_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_new_mentors_of_an_import_get_codes_and_personal_links_shown_once(store, access):
    app = signed_in(store, access, environ=SERVED)
    upload_roster(app, "mentors", "mentors.csv", MENTORS_CSV)
    rosters = section(app, RosterSection)
    assert "Imported 3 mentors" in rosters.outcome.value
    shown = rosters.mentor_invites.value
    assert "Issued 3 new mentor invite codes" in shown and "relative" not in shown
    files = sheets(shown)
    assert set(files) == {"mentor-invites.csv", "mentor-invites.xlsx"}
    rows = sheet_rows(files["mentor-invites.csv"])
    assert [row["name"] for row in rows] == [
        HOSTILE,
        '\'=HYPERLINK("http://evil.example","x")',  # text, never a formula
        "Quinn Mbeki",
    ]
    quinn = rows[2]
    assert quinn["personal_link"] == (
        f"https://workshop.example.org/voila/render/mentor.ipynb?invite={quinn['invite_code']}"
    )
    assert claim_mentor_invite(store, quinn["invite_code"]).mentor.name == "Quinn Mbeki"
    book = openpyxl.load_workbook(io.BytesIO(files["mentor-invites.xlsx"])).active
    assert [cell.value for cell in book[1]] == list(people.MENTOR_INVITE_COLUMNS)
    assert "<img" not in html_of(app)
    # The same file again: nobody new, no codes; the earlier sheet is gone from the page.
    upload_roster(app, "mentors", "again.csv", MENTORS_CSV)
    assert "0 added" in rosters.outcome.value and rosters.mentor_invites.value == ""
    # The People section lists the mentors and how each stands, escaped.
    listing = section(app, PeopleSection).mentors.listing.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing
    assert "3 mentors, 1 signed in" in listing


def test_an_import_says_how_many_mentors_kept_the_profile_they_edited(store, access):
    app = signed_in(store, access)
    upload_roster(app, "mentors", "mentors.csv", MENTORS_CSV)
    code = access.workshop.code
    quinn = next(m for m in store.mentors(code) if m.email == "quinn@example.net")
    store.save_mentor_profile(code, quinn.model_copy(update={"bio": "In my own words"}))
    changed = MENTORS_CSV.replace("Negotiation,2", "Negotiation,3")
    upload_roster(app, "mentors", "changed.csv", changed)
    outcome = section(app, RosterSection).outcome.value
    assert "0 added, 0 updated, 2 unchanged, 1 kept the profile they edited themselves" in outcome
    assert next(m for m in store.mentors(code) if m.email == "quinn@example.net").capacity == 2


def test_prepare_mentors_invite_codes_issues_them_to_those_without_one(store, access):
    code = access.workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(name="Quinn Mbeki", email="quinn@example.net", capacity=2),
            MentorProfile(name=HOSTILE, email="hostile@example.net", capacity=1),
        ],
    )
    app = signed_in(store, access)
    button = find_widget(app, widgets.Button, "Prepare mentors' invite codes")
    button.click()
    downloads = section(app, DownloadsSection)
    shown = downloads.mentor_invites.value
    assert "Issued 2 new mentor invite codes" in shown
    assert "are relative to this server" in shown  # the kernel does not know it
    rows = sheet_rows(sheets(shown)["mentor-invites.csv"])
    assert all(
        row["personal_link"] == f"voila/render/mentor.ipynb?invite={row['invite_code']}"
        for row in rows
    )
    assert "&lt;img" not in shown and "<img" not in shown  # names are in the file only
    button.click()
    assert "Every mentor has signed in or holds an invite code" in downloads.mentor_invites.value
    assert store.mentors_invited(code) == {"quinn@example.net", "hostile@example.net"}


def test_a_mentor_gets_a_new_resume_code_or_invite_code_shown_once(store, access):
    code = access.workshop.code
    store.import_roster(
        code, mentors=[MentorProfile(name=HOSTILE, email="h@example.net", capacity=1)]
    )
    (invite,) = people.issue_mentor_invites(store, code, store.mentors(code))
    old = claim_mentor_invite(store, invite.code).new_resume_code
    app = signed_in(store, access, environ=SERVED)
    panel = section(app, PeopleSection).mentors
    panel.reset.click()
    assert "Choose a mentor first" in app.notice.value
    panel.mentor.value = "h@example.net"
    panel.reset.click()
    new = re.search(r'mentorkit-resume-code">([^<]+)<', panel.outcome.value)[1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel.outcome.value
    assert mentor_resume(store, new).mentor.email == "h@example.net"
    with pytest.raises(SignInError):
        mentor_resume(store, old)
    panel.invite.click()  # signed in: an invite code would not help
    assert "signed in already as a mentor" in app.notice.value
    assert "<img" not in html_of(app)


def test_the_feedback_surveys_open_and_close_on_the_dates_set_and_wrong_ones_are_named(
    store, access
):
    from mentorkit.models import SurveyKind

    app = signed_in(store, access)
    details = section(app, DetailsSection)
    mid_opens, mid_closes = details.survey_dates[SurveyKind.MID]
    end_opens, end_closes = details.survey_dates[SurveyKind.END]
    assert mid_opens.description == "Mid-point survey opens"
    mid_opens.value, mid_closes.value = date(2026, 9, 20), date(2026, 9, 10)
    end_closes.value = date(2026, 10, 30)  # a closing date with no opening date
    details.save.click()
    assert "closing date is before the opening date" in message_for(app, mid_closes)
    assert message_for(app, end_opens) == "choose the day it opens, or clear the closing date"
    assert store.workshop(access.workshop.code).surveys == {}  # nothing half-saved
    mid_closes.value = date(2026, 9, 30)
    end_opens.value = date(2026, 10, 15)
    details.save.click()
    surveys = store.workshop(access.workshop.code).surveys
    assert (surveys[SurveyKind.MID].opens_on, surveys[SurveyKind.MID].closes_on) == (
        date(2026, 9, 20),
        date(2026, 9, 30),
    )
    assert surveys[SurveyKind.END].opens_on == date(2026, 10, 15)
    mid_opens.value = mid_closes.value = None  # cleared: the survey is closed again
    details.save.click()
    assert set(store.workshop(access.workshop.code).surveys) == {SurveyKind.END}
