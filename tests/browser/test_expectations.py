"""A participant writes the mentoring agreement, downloads the calendar, reloads: all back."""

import pytest
from browser_helpers import HOSTILE, download, first_visit, wait_until_saved
from icalendar import Calendar
from person import Person
from playwright.sync_api import Page, expect

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
