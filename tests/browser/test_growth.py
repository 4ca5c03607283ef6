"""Growth you can see: a participant rates themselves, then at the end rates the same
competencies again, by keyboard, and sees the two as a chart with its text alternative,
on the Self-assessment and in My plan, across a reload."""

import pytest
from browser_helpers import first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "01_self_assessment.ipynb"
CHART = 'svg[role="img"][aria-label^="Ratings at the start and at the end"]'


def test_the_end_ratings_show_the_growth_as_a_chart_and_in_words(
    page: Page, person: Person, served_demo
):
    visit = first_visit(person, served_demo, APP, "Test Growth Person")
    person.choose("Public speaking", "2 · Learning")
    person.choose("Negotiation", "3 · Capable")
    wait_until_saved(person)
    person.click(person.button("Rate myself again"))
    person.choose("Public speaking at the end", "4 · Strong")
    person.choose("Negotiation at the end", "3 · Capable")
    wait_until_saved(person)

    grown = page.locator(".mentorkit-growth")
    chart = grown.locator(CHART)
    person.reach(chart)
    expect(chart).to_be_visible(timeout=30_000)
    words = grown.locator("figcaption")
    expect(words).to_contain_text(
        "Public speaking: 2 (Learning) at the start, 4 (Strong) at the end (up 2)"
    )
    expect(words).to_contain_text("Negotiation: 3 (Capable) at the start, 3 (Capable) at the end")
    person.shot("01_self_assessment-growth")

    visit.reload_and_resume()
    expect(page.get_by_label("Public speaking at the end")).to_have_value(
        "4 · Strong", timeout=30_000
    )
    expect(page.get_by_label("Public speaking", exact=True)).to_have_value("2 · Learning")
    expect(page.locator(".mentorkit-growth").locator(CHART)).to_have_count(1)

    visit.open_and_resume("06_my_plan.ipynb")
    plan = page.locator(".mentorkit-document")
    expect(plan).to_contain_text("How I have grown", timeout=30_000)
    expect(plan.locator(CHART)).to_have_count(1)
    expect(plan).to_contain_text("Public speaking: 2 (Learning) at the start, 4 (Strong)")
    visit.assert_clean()
