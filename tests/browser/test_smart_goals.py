"""A participant writes two SMART goals with feedback as they type, reloads, finds them back."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "04_smart_goals.ipynb"

DEADLINE = (date.today() + timedelta(days=120)).isoformat()
MILESTONE_DUE = (date.today() + timedelta(days=30)).isoformat()
ANSWERS = {
    "Goal 1 title": "Speak up with confidence in team meetings",
    "Goal 1: Specific": "Give a 10-minute talk on our release process at the team meeting",
    "Goal 1: Achievable": "I have 2 hours a week for it and my manager has agreed",
    "Goal 1: Relevant": "Public speaking is one of my growth areas",
    "Goal 1: Time-bound": "Outline by next month,\nfirst talk the month after",
}
MEASURABLE = "3 talks given, with written feedback from 2 listeners"


def feedback(page: Page, number: int):
    return page.locator(".mentorkit-feedback").filter(has_text=f"Feedback on goal {number}")


def test_smart_goals_survive_a_reload(page: Page, person: Person, served_demo):
    visit = first_visit(person, served_demo, APP, "Test Smart Goals Person")

    expect(page.get_by_label("Goal 1 title")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Goal 2 title")).to_have_count(0)
    for label, value in ANSWERS.items():
        person.type(label, value)
    person.type("Goal 1: Measurable", "People will like my talks")
    expect(feedback(page, 1)).to_contain_text(
        "Measurable: add a number or a piece of evidence", timeout=30_000
    )
    person.type("Goal 1: Measurable", MEASURABLE)
    expect(feedback(page, 1)).not_to_contain_text("Measurable: add a number", timeout=30_000)
    person.set_date("Goal 1: deadline", DEADLINE)
    person.choose("Goal 1: competencies", ["Public speaking", "Negotiation"])
    wait_until_saved(person)
    person.maybe_reload("after goal 1")

    person.click(person.button("Add milestone to goal 1"))
    person.type("Goal 1 milestone 1", "Outline the talk")
    person.set_date("Goal 1 milestone 1 due", MILESTONE_DUE)
    person.check("Goal 1 milestone 1 done")
    expect(feedback(page, 1)).not_to_contain_text("Milestones: add two or three steps")

    person.click(person.button("Add a goal"))
    person.type("Goal 2 title", HOSTILE)
    expect(feedback(page, 2)).not_to_contain_text("give this goal a title", timeout=30_000)
    wait_until_saved(page)
    expect(page.locator(".mentorkit-app")).not_to_contain_text("Not saved")
    person.shot("04_smart_goals", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("Goal 1 title")).to_have_value(ANSWERS["Goal 1 title"], timeout=30_000)
    for label, value in ANSWERS.items():
        expect(page.get_by_label(label)).to_have_value(value)
    expect(page.get_by_label("Goal 1: Measurable")).to_have_value(MEASURABLE)
    expect(page.get_by_label("Goal 1: deadline")).to_have_value(DEADLINE)
    expect(page.get_by_label("Goal 1: competencies")).to_have_values(
        ["Public speaking", "Negotiation"]
    )
    expect(page.get_by_label("Goal 1 milestone 1", exact=True)).to_have_value("Outline the talk")
    expect(page.get_by_label("Goal 1 milestone 1 due")).to_have_value(MILESTONE_DUE)
    expect(page.get_by_label("Goal 1 milestone 1 done")).to_be_checked()
    expect(page.get_by_label("Goal 2 title")).to_have_value(HOSTILE)
    expect(feedback(page, 1)).not_to_contain_text("Measurable: add a number")

    # Removing a goal takes a second, confirming step, which works by keyboard alone.
    person.click(person.button("Add a goal"))
    person.type("Goal 3 title", "A goal I will drop")
    expect(feedback(page, 3)).not_to_contain_text("give this goal a title", timeout=30_000)
    wait_until_saved(page)
    person.click(person.button("Remove goal 3"))
    confirm = page.get_by_role("button", name="Confirm remove goal 3")
    expect(confirm).to_be_focused(timeout=30_000)
    person.assert_usable(confirm)
    person.press("Enter")
    expect(page.get_by_label("Goal 3 title")).to_have_count(0, timeout=30_000)
    expect(page.locator(".mentorkit-notice")).to_contain_text("Goal 3 was removed.")
    expect(page.get_by_label("Goal 2 title")).to_have_value(HOSTILE)
    visit.assert_clean()
