"""A participant logs a meeting with actions, sees the overdue one, reloads, finds all back."""

from datetime import date, timedelta

import pytest
from browser_helpers import (
    HOSTILE,
    no_dialogs,
    open_app,
    sign_in_again,
    sign_in_first_time,
    wait_until_saved,
    watch_console,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "05_check_ins.ipynb"

TODAY = date.today()
MET_ON = (TODAY - timedelta(days=7)).isoformat()
OVERDUE = (TODAY - timedelta(days=3)).isoformat()
TOPICS = "Salary talk, Team meeting nerves"
LEARNED = f"Bring numbers to the salary talk.\n{HOSTILE}"
DONE_ACTION = f"Book a room {HOSTILE}"


def screenshot_whole_app(page: Page, path) -> None:
    """Voilà scrolls inside its own container: grow the window to the app's height first."""
    size = page.viewport_size or {"width": 1280, "height": 720}
    height = page.evaluate("document.querySelector('.mentorkit-app').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 200)})
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


def test_check_ins_survive_a_reload(page: Page, served_demo, screenshots):
    console_errors = watch_console(page)
    dialogs = no_dialogs(page)
    open_app(page, served_demo.base_url, APP)
    resume_code = sign_in_first_time(page, served_demo.join_code, "Test Check-ins Person")
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
    screenshot_whole_app(page, screenshots / "05_check_ins.png")

    page.reload()
    expect(app).to_be_visible(timeout=120_000)
    sign_in_again(page, resume_code)
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
    assert page.locator(".mentorkit-app img").count() == 0
    assert dialogs == []
    assert console_errors == [], console_errors
