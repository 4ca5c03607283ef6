"""The whole journey in one page: a participant moves between worksheets without a new
page or kernel, uses Back and reload, and finds every word where they left it."""

import re

import pytest
from browser_helpers import first_visit, still_signed_in
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "journey.ipynb"
GOAL = "Lead a small data team within two years, مع فريق صغير 🚀"
RELATIONSHIP = "Prepare for my first team-lead role"


def heading(page: Page):
    return page.locator(".mentorkit-app h1").first


def test_moving_between_worksheets_keeps_the_page_the_kernel_and_every_word(
    page: Page, person: Person, served_demo
):
    visit = first_visit(person, served_demo, APP, "Noor Haddad")
    expect(page).to_have_url(re.compile(r"journey\.ipynb\?step=01_self_assessment$"))
    # Marks this document: a new page (a reload, a link followed) would not have it.
    page.evaluate("window.__samePage = true")

    # Typed, and straight on to the next step: no pause for the autosave.
    person.type("Career goal (1–3 years)", GOAL)
    person.click(person.link("2. Mentor shortlist"))
    expect(heading(page)).to_have_text("Mentor shortlist")
    expect(page).to_have_url(re.compile(r"step=02_mentor_shortlist$"))
    expect(page).to_have_title(re.compile("Mentor shortlist"))
    person.choose("Choice 1", "Kenji Watanabe")

    person.click(person.link("3. Expectations"))
    expect(heading(page)).to_have_text("Expectations")
    person.type("Goals for our relationship", RELATIONSHIP)
    assert page.evaluate("window.__samePage === true"), "a move loaded a new page"

    page.go_back()  # the browser's Back: the previous step, still in the same page
    expect(heading(page)).to_have_text("Mentor shortlist")
    expect(person.field("Choice 1")).to_have_value("Kenji Watanabe")
    page.go_back()
    expect(heading(page)).to_have_text("Self-assessment")
    expect(page).to_have_url(re.compile(r"step=01_self_assessment$"))
    expect(person.field("Career goal (1–3 years)")).to_have_value(GOAL)
    page.go_forward()
    page.go_forward()
    expect(heading(page)).to_have_text("Expectations")
    expect(person.field("Goals for our relationship")).to_have_value(RELATIONSHIP)
    assert page.evaluate("window.__samePage === true"), "Back or Forward loaded a new page"
    person.shot("journey_expectations")

    # A reload opens the step shown, signed in, with what was typed there.
    person.reload("on the journey's third step")
    still_signed_in(person)
    expect(heading(page)).to_have_text("Expectations")
    expect(person.field("Goals for our relationship")).to_have_value(RELATIONSHIP)
    person.click(person.link("1. Self-assessment"))
    expect(person.field("Career goal (1–3 years)")).to_have_value(GOAL)
    visit.assert_clean()


def test_a_link_opened_in_a_new_tab_opens_that_step(page: Page, person: Person, served_demo):
    first_visit(person, served_demo, APP, "Sami Ortega")
    link = person.link("4. SMART goals")
    href = link.get_attribute("href")
    assert href == "journey.ipynb?step=04_smart_goals"
    other = page.context.new_page()
    other.goto(f"{served_demo.base_url}/voila/render/{href}")
    expect(other.locator(".mentorkit-who")).to_be_visible(timeout=60_000)
    expect(other.locator(".mentorkit-app h1").first).to_have_text("SMART goals")
    expect(heading(page)).to_have_text("Self-assessment")  # the first tab stays where it was
    other.close()
