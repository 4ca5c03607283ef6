"""Closing well: a participant writes what the mentoring changed, drafts and edits a
thank-you, names someone for their circle and offers to mentor the next cohort, by
keyboard, across a reload; the facilitator is offered their mentor roster row."""

import re

import pytest
from browser_helpers import HOSTILE, facilitator_sign_in, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser
APP = "07_closing.ipynb"
CHANGED = f"I ask for feedback before a talk, not after. {HOSTILE}"
OWN_LINE = "\nPS: the coffee is on me next time."


def test_a_thank_you_a_wider_circle_and_an_offer_to_mentor(
    page: Page, person: Person, served_demo, browser: Browser, people
):
    visit = first_visit(person, served_demo, APP, "Test Closing Person")
    person.type("What the advice changed", CHANGED)
    person.type("Staying in touch", "a short update every quarter")
    person.click(person.button("Draft my thank-you"))
    thank_you = page.get_by_label("Thank-you message")
    expect(thank_you).to_have_value(
        re.compile(r"What changed for me: I ask for feedback"), timeout=30_000
    )
    person.type(thank_you, OWN_LINE, replace=False)
    person.click(person.button("Add someone to my circle"))
    person.choose("Circle 1: role", "A sponsor (speaks up for you)")
    person.type("Circle 1: who", "My manager's manager")
    person.check("I offer to mentor someone in the next cohort")
    person.type("Email for the next cohort", "closing.person@example.org")
    person.type("What I could mentor in", "Public speaking; Asking for feedback")
    person.choose("Mentees I could take", "2 mentees")
    wait_until_saved(person)
    person.shot("07_closing", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("What the advice changed")).to_have_value(CHANGED, timeout=30_000)
    expect(page.get_by_label("Thank-you message")).to_have_value(
        re.compile(r"PS: the coffee is on me next time\.$")
    )
    expect(page.get_by_label("Circle 1: who")).to_have_value("My manager's manager")
    expect(page.get_by_label("What I could mentor in")).to_have_value(
        "Public speaking; Asking for feedback"
    )
    visit.assert_clean()

    facilitator = people(browser.new_context().new_page())
    facilitator_sign_in(
        facilitator, served_demo, "facilitator/dashboard.ipynb", served_demo.facilitator_key
    )
    offers = facilitator.page.get_by_role("link", name="Offers to mentor the next cohort")
    expect(offers.first).to_be_attached(timeout=30_000)
    facilitator.reach(offers.first)
    expect(offers.first).to_be_visible()
