"""A participant logs a meeting with actions, sees the overdue one, reloads, finds all back."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "05_check_ins.ipynb"

TODAY = date.today()
MET_ON = (TODAY - timedelta(days=7)).isoformat()
OVERDUE = (TODAY - timedelta(days=3)).isoformat()
TOPICS = "Salary talk, Team meeting nerves"
LEARNED = f"Bring numbers to the salary talk.\n{HOSTILE}"
DONE_ACTION = f"Book a room {HOSTILE}"


def test_check_ins_survive_a_reload(page: Page, person: Person, served_demo):
    visit = first_visit(person, served_demo, APP, "Test Check-ins Person")
    app = page.locator(".mentorkit-app")
    expect(app).to_contain_text("No meetings logged yet", timeout=30_000)
    expect(app).to_contain_text("No SMART goals yet")

    person.click(person.button("Log a meeting"))
    expect(page.get_by_label("Meeting 1 date")).to_have_value(TODAY.isoformat(), timeout=30_000)
    person.set_date("Meeting 1 date", MET_ON)
    person.type("Meeting 1 topics", TOPICS)
    person.type("Meeting 1: what I learned", LEARNED)
    wait_until_saved(person)
    person.maybe_reload("after the meeting's notes")

    person.click(person.button("Add action to meeting 1"))
    person.type("Meeting 1 action 1", "Send my slides for comments")
    person.choose("Meeting 1 action 1 owner", "Both of us")
    person.set_date("Meeting 1 action 1 due", OVERDUE)
    wait_until_saved(person)
    person.maybe_reload("after the first action")
    person.click(person.button("Add action to meeting 1"))
    person.type("Meeting 1 action 2", DONE_ACTION)
    person.check("Meeting 1 action 2 done")

    actions = page.locator(".mentorkit-actions li")
    expect(actions).to_have_count(2, timeout=30_000)
    expect(actions.first).to_contain_text("Send my slides for comments")
    expect(actions.first.locator(".mentorkit-overdue")).to_have_text("overdue by 3 days")
    expect(actions.last).to_contain_text(f"Done: {DONE_ACTION}")
    wait_until_saved(page)
    expect(app).not_to_contain_text("Not saved")
    person.shot("05_check_ins", whole=True)

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
