"""Hostile text typed as a name, a note and a goal shows literally everywhere, runs nothing."""

import pytest
from browser_helpers import HOSTILE, first_visit, open_app, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.apps import APPS

pytestmark = pytest.mark.browser

PARTICIPANT_NOTEBOOKS = [app.notebook for app in APPS if app.audience == "participant"]


def test_hostile_name_note_and_goal_are_shown_literally_in_every_app_and_the_plan(
    page: Page, person: Person, served_demo
):
    visit = first_visit(person, served_demo, "02_mentor_shortlist.ipynb", HOSTILE)
    resume_code = visit.resume_code
    person.choose("Choice 1", index=1)
    person.type("Note on choice 1", HOSTILE)
    wait_until_saved(person)

    open_app(person, served_demo.base_url, "04_smart_goals.ipynb", f"?resume={resume_code}")
    person.type("Goal 1 title", HOSTILE)
    wait_until_saved(person)

    for notebook in PARTICIPANT_NOTEBOOKS:
        open_app(page, served_demo.base_url, notebook, f"?resume={resume_code}")
        expect(page.locator(".mentorkit-who")).to_contain_text(f"Signed in as {HOSTILE}")
        assert page.locator(".mentorkit-app img").count() == 0, notebook

    open_app(page, served_demo.base_url, "06_my_plan.ipynb", f"?resume={resume_code}")
    plan = page.locator(".mentorkit-document")
    expect(plan).to_contain_text(HOSTILE)
    shortlist_and_goals = plan.inner_text()
    assert shortlist_and_goals.count(HOSTILE) >= 3  # the name, the note and the goal
    visit.assert_clean()
