"""A participant writes the mentoring agreement, downloads the calendar, reloads: all back."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from browser_helpers import HOSTILE, download, first_visit, wait_until_saved
from icalendar import Calendar
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.agreement import DEFAULT_BOUNDARIES

pytestmark = pytest.mark.browser
APP = "03_expectations.ipynb"
MENTOR = "Mateo Ibáñez"  # from the sample mentors of the demo workshop
GOALS = "Speak at a conference\nNegotiate my next role"
TEXTS = {
    "Confidentiality": HOSTILE,
    "Feedback style": "Straight talk, with examples.",
    "Boundaries": "No calls after 6 pm.",
    "No-fault exit": "Either of us may stop, no questions asked.",
    "Role 7 area": "Networking",
    "Role 7: mentor focus": "Introduces me to two people in the field.",
    "Role 7: mentee focus": "Follows up within a week.",
}
DATES = {"Start date": "2027-01-04", "Review date": "2027-03-01", "End date": "2027-06-28"}


def test_the_agreement_survives_a_reload_and_its_calendar_downloads(
    page: Page, person: Person, served_demo, tmp_path
):
    visit = first_visit(person, served_demo, APP, "Test Agreement Person")

    # The standard terms are there on a first visit.
    expect(page.get_by_label("Boundaries")).to_have_value(DEFAULT_BOUNDARIES, timeout=30_000)
    expect(page.get_by_label("Role 6 area")).to_have_value("Follow-up")

    person.choose("Mentor", MENTOR)
    person.type("Goals for our relationship", GOALS)
    person.choose("How often we meet", "Every two weeks")
    person.type("Meeting length (minutes)", "60")
    person.choose("Channel", "Video")
    for label, day in DATES.items():
        person.set_date(label, day)
    wait_until_saved(person)
    person.maybe_reload("after the meetings and dates")
    person.click(person.button("Add role"))
    expect(page.get_by_label("Role 7 area")).to_be_visible(timeout=30_000)
    for label, text in TEXTS.items():
        person.type(label, text)

    preview = page.locator(".mentorkit-document")
    # The preview follows the last change, so the save it started is under way.
    expect(preview).to_contain_text("Follows up within a week.", timeout=30_000)
    wait_until_saved(page)
    expect(preview).to_contain_text(HOSTILE)
    expect(preview).to_contain_text(MENTOR)
    expect(preview).to_contain_text("Negotiate my next role")
    person.shot("03_expectations", whole=True)

    path = download(person, "Download meetings (.ics)", tmp_path)
    assert path.name == "mentoring-meetings.ics"
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 15  # 13 fortnightly meetings, the review date and the end date
    assert "Mateo" in str(events[0]["SUMMARY"])

    visit.reload_and_resume()
    expect(page.get_by_label("Mentor", exact=True)).to_have_value(MENTOR, timeout=30_000)
    expect(page.get_by_label("Goals for our relationship")).to_have_value(GOALS)
    expect(page.get_by_label("How often we meet")).to_have_value("Every two weeks")
    expect(page.get_by_label("Meeting length (minutes)")).to_have_value("60")
    expect(page.get_by_label("Channel")).to_have_value("Video")
    for label, day in DATES.items():
        expect(page.get_by_label(label)).to_have_value(day)
    for label, text in TEXTS.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(text)
    expect(page.get_by_label("Role 1 area")).to_have_value("Goals")
    expect(page.locator(".mentorkit-document")).to_contain_text(HOSTILE)
    visit.assert_clean()


def test_a_monthly_meeting_time_typed_by_keyboard_reaches_the_calendar(
    browser: Browser, people: Callable[..., Person], served_demo, tmp_path
):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    person = people(page)
    try:
        visit = first_visit(person, served_demo, APP, "Test Meeting Time Person")
        person.choose("How often we meet", "Monthly")
        # A 24-hour clock in the en-GB locale: the time is typed as its digits.
        person.type("Meeting time", "1830", expect_value="18:30")
        person.set_date("Start date", "2027-01-04")  # a Monday, the first of the month
        person.set_date("End date", "2027-06-30")

        preview = page.locator(".mentorkit-document")
        expect(preview).to_contain_text("Mon 1 February 2027, 18:30", timeout=30_000)
        expect(preview).to_contain_text("We meet the first Monday of each month")
        expect(preview).not_to_contain_text("Thu 4 February 2027")
        wait_until_saved(person)

        path = download(person, "Download meetings (.ics)", tmp_path)
        events = [
            e for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT") if "DURATION" in e
        ]
        starts = [e.decoded("DTSTART") for e in events]
        assert [f"{s:%a %d %b %H:%M}" for s in starts] == [
            "Mon 04 Jan 18:30",
            "Mon 01 Feb 18:30",
            "Mon 01 Mar 18:30",
            "Mon 05 Apr 18:30",
            "Mon 03 May 18:30",
            "Mon 07 Jun 18:30",
        ]
        assert {e.decoded("DURATION") for e in events} == {timedelta(minutes=45)}

        visit.reload_and_resume()
        person.reach("Meeting time", to_use=False)
        expect(person.field("Meeting time")).to_have_value("18:30", timeout=30_000)
        visit.assert_clean()
    finally:
        context.close()
