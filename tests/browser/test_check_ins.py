"""A participant logs a meeting with actions, sees the overdue one, reloads, finds all back."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, first_visit, screenshot_app, wait_until_saved
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "05_check_ins.ipynb"

TODAY = date.today()
MET_ON = (TODAY - timedelta(days=7)).isoformat()
OVERDUE = (TODAY - timedelta(days=3)).isoformat()
TOPICS = "Salary talk, Team meeting nerves"
LEARNED = f"Bring numbers to the salary talk.\n{HOSTILE}"
DONE_ACTION = f"Book a room {HOSTILE}"


def test_check_ins_survive_a_reload(page: Page, served_demo, screenshots):
    visit = first_visit(page, served_demo, APP, "Test Check-ins Person")
    app = page.locator(".mentorkit-app")
    expect(app).to_contain_text("No meetings logged yet", timeout=30_000)
    expect(app).to_contain_text("No SMART goals yet")

    page.get_by_role("button", name="Log a meeting").click()
    expect(page.get_by_label("Meeting 1 date")).to_have_value(TODAY.isoformat(), timeout=30_000)
    page.get_by_label("Meeting 1 date").fill(MET_ON)
    page.get_by_label("Meeting 1 topics").fill(TOPICS)
    page.get_by_label("Meeting 1: what I learned").fill(LEARNED)

    page.get_by_role("button", name="Add action to meeting 1").click()
    page.get_by_label("Meeting 1 action 1", exact=True).fill("Send my slides for comments")
    page.get_by_label("Meeting 1 action 1 owner").select_option(label="Both of us")
    page.get_by_label("Meeting 1 action 1 due").fill(OVERDUE)
    page.get_by_role("button", name="Add action to meeting 1").click()
    page.get_by_label("Meeting 1 action 2", exact=True).fill(DONE_ACTION)
    page.get_by_label("Meeting 1 action 2 done").check()

    actions = page.locator(".mentorkit-actions li")
    expect(actions).to_have_count(2, timeout=30_000)
    expect(actions.first).to_contain_text("Send my slides for comments")
    expect(actions.first.locator(".mentorkit-overdue")).to_have_text("overdue by 3 days")
    expect(actions.last).to_contain_text(f"Done: {DONE_ACTION}")
    wait_until_saved(page)
    expect(app).not_to_contain_text("Not saved")
    screenshot_app(page, screenshots / "05_check_ins.png")

    visit.reload_and_resume()
    expect(page.get_by_label("Meeting 1 date")).to_have_value(MET_ON, timeout=30_000)
    expect(page.get_by_label("Meeting 1 topics")).to_have_value(TOPICS)
    expect(page.get_by_label("Meeting 1: what I learned")).to_have_value(LEARNED)
    expect(page.get_by_label("Meeting 1 action 1", exact=True)).to_have_value(
        "Send my slides for comments"
    )
    expect(page.get_by_label("Meeting 1 action 1 owner")).to_have_value("Both of us")
    expect(page.get_by_label("Meeting 1 action 1 due")).to_have_value(OVERDUE)
    expect(page.get_by_label("Meeting 1 action 1 done")).not_to_be_checked()
    expect(page.get_by_label("Meeting 1 action 2", exact=True)).to_have_value(DONE_ACTION)
    expect(page.get_by_label("Meeting 1 action 2 done")).to_be_checked()
    expect(actions.first.locator(".mentorkit-overdue")).to_have_text("overdue by 3 days")
    expect(actions.last).to_contain_text(f"Done: {DONE_ACTION}")
    visit.assert_clean()
