"""A participant filters the mentor directory, shortlists two mentors with notes and an
edited outreach message, reloads, and finds everything back."""

import re

import pytest
from browser_helpers import HOSTILE, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "02_mentor_shortlist.ipynb"
FIRST, SECOND = "Kenji Watanabe", "Chloé Marchand"  # both meet in person (sample roster)
MY_MESSAGE = (
    f"Dear Kenji,\n\nI admire your daily stand-ups. Could we talk for 30 minutes?\n{HOSTILE}"
)


def test_mentor_shortlist_survives_a_reload(page: Page, person: Person, served_demo):
    visit = first_visit(person, served_demo, APP, "Test Shortlist Person")
    app = page.locator(".mentorkit-app")
    expect(app).to_contain_text("the ranking gets better", timeout=30_000)
    expect(page.locator(".mentorkit-mentor")).to_have_count(10)

    person.choose("Meeting format", "In person")
    expect(app).to_contain_text("match your filters")
    cards = page.locator(".mentorkit-mentor")
    expect(cards.first).to_be_visible()
    # Retried until the list has been redrawn: every card shown meets in person.
    expect(cards.filter(has_not_text="in person")).to_have_count(0)

    person.choose("Choice 1", FIRST)
    message = page.get_by_label(f"Message to {FIRST}")
    expect(message).to_have_value(re.compile(r"^Subject: .*Dear Kenji,", re.S), timeout=30_000)
    person.type("Note on choice 1", "Runs a large plant; ask about stand-ups.")
    wait_until_saved(person)
    person.maybe_reload("after choice 1")
    person.choose("Choice 2", SECOND)
    expect(page.get_by_label(f"Message to {SECOND}")).to_have_value(
        re.compile(r"Dear Chloé,"), timeout=30_000
    )
    person.type("Note on choice 2", HOSTILE)
    person.type(message, MY_MESSAGE)
    wait_until_saved(page)
    expect(app).to_contain_text("On your shortlist: choice 1")
    expect(page.get_by_role("button", name=f"Copy message to {FIRST}")).to_be_visible()
    person.shot("02_mentor_shortlist", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("Choice 1", exact=True)).to_have_value(FIRST, timeout=30_000)
    expect(page.get_by_label("Choice 2", exact=True)).to_have_value(SECOND)
    expect(page.get_by_label("Note on choice 1")).to_have_value(
        "Runs a large plant; ask about stand-ups."
    )
    expect(page.get_by_label("Note on choice 2")).to_have_value(HOSTILE)
    expect(page.get_by_label(f"Message to {FIRST}")).to_have_value(MY_MESSAGE)
    expect(page.get_by_label(f"Message to {SECOND}")).to_have_value(re.compile(r"Dear Chloé,"))
    visit.assert_clean()
