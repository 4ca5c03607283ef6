"""A participant writes two SMART goals with feedback as they type, reloads, finds them back."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, first_visit, screenshot_app, wait_until_saved
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


def test_smart_goals_survive_a_reload(page: Page, served_demo, screenshots):
    visit = first_visit(page, served_demo, APP, "Test Smart Goals Person")

    expect(page.get_by_label("Goal 1 title")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Goal 2 title")).to_have_count(0)
    for label, value in ANSWERS.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Goal 1: Measurable").fill("People will like my talks")
    expect(feedback(page, 1)).to_contain_text(
        "Measurable: add a number or a piece of evidence", timeout=30_000
    )
    page.get_by_label("Goal 1: Measurable").fill(MEASURABLE)
    expect(feedback(page, 1)).not_to_contain_text("Measurable: add a number", timeout=30_000)
    page.get_by_label("Goal 1: deadline").fill(DEADLINE)
    page.get_by_label("Goal 1: competencies").select_option(
        label=["Public speaking", "Negotiation"]
    )

    page.get_by_role("button", name="Add milestone to goal 1").click()
    page.get_by_label("Goal 1 milestone 1", exact=True).fill("Outline the talk")
    page.get_by_label("Goal 1 milestone 1 due").fill(MILESTONE_DUE)
    page.get_by_label("Goal 1 milestone 1 done").check()
    expect(feedback(page, 1)).not_to_contain_text("Milestones: add two or three steps")

    page.get_by_role("button", name="Add a goal").click()
    page.get_by_label("Goal 2 title").fill(HOSTILE)
    expect(feedback(page, 2)).not_to_contain_text("give this goal a title", timeout=30_000)
    wait_until_saved(page)
    expect(page.locator(".mentorkit-app")).not_to_contain_text("Not saved")
    screenshot_app(page, screenshots / "04_smart_goals.png")

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
    page.get_by_role("button", name="Add a goal").click()
    page.get_by_label("Goal 3 title").fill("A goal I will drop")
    expect(feedback(page, 3)).not_to_contain_text("give this goal a title", timeout=30_000)
    wait_until_saved(page)
    page.get_by_role("button", name="Remove goal 3").click()
    confirm = page.get_by_role("button", name="Confirm remove goal 3")
    expect(confirm).to_be_focused(timeout=30_000)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Goal 3 title")).to_have_count(0, timeout=30_000)
    expect(page.locator(".mentorkit-notice")).to_contain_text("Goal 3 was removed.")
    expect(page.get_by_label("Goal 2 title")).to_have_value(HOSTILE)
    visit.assert_clean()
