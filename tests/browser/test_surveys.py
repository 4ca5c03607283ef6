"""Feedback surveys: the facilitator opens the end survey in Workshop setup, a participant
answers it by keyboard on Check-ins (and finds the answers after a reload), and the
dashboard shows the response rate but keeps the results back under three answers."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, facilitator_sign_in, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.store import open_store

pytestmark = pytest.mark.browser
SETUP, DASHBOARD = "facilitator/setup.ipynb", "facilitator/dashboard.ipynb"
TODAY = date.today()
COMMENT = f"More time on salary talks, please. {HOSTILE}"


def test_a_survey_opened_by_the_facilitator_answered_and_kept_back_under_three_answers(
    page: Page, person: Person, served_demo, browser: Browser, people
):
    try:
        facilitator_sign_in(person, served_demo, SETUP, served_demo.facilitator_key)
        person.set_date("End survey opens", (TODAY - timedelta(days=1)).isoformat())
        person.set_date("End survey closes", (TODAY + timedelta(days=13)).isoformat())
        person.click(person.button("Save details"))
        expect(page.locator(".mentorkit-setup")).to_contain_text(
            "The workshop's details are saved.", timeout=30_000
        )

        participant = people(browser.new_context().new_page())
        visit = first_visit(participant, served_demo, "05_check_ins.ipynb", "Test Survey Person")
        them = participant.page
        survey = them.locator(".mentorkit-survey")
        participant.reach(survey.locator("h2"))
        expect(survey).to_contain_text("End survey", timeout=30_000)
        participant.choose("End survey: meeting as agreed", "7")
        participant.choose("End survey: useful", "10 · completely")
        participant.choose("End survey: would recommend", "9")
        participant.type("End survey: comments", COMMENT)
        wait_until_saved(participant)
        participant.shot("05_check_ins-survey")
        visit.reload_and_resume()
        expect(them.get_by_label("End survey: useful")).to_have_value(
            "10 · completely", timeout=30_000
        )
        expect(them.get_by_label("End survey: comments")).to_have_value(COMMENT)
        visit.assert_clean()

        facilitator_sign_in(person, served_demo, DASHBOARD, served_demo.facilitator_key)
        surveys = page.locator(".mentorkit-surveys")
        person.reach(surveys.locator("h3").first)
        expect(surveys).to_contain_text("participants answered", timeout=30_000)
        expect(surveys).to_contain_text("Results are shown from 3 answers on")
        expect(surveys).not_to_contain_text("More time on salary talks")
        expect(surveys).not_to_contain_text("Mean")
        person.shot("dashboard-surveys")
    finally:  # the other tests' workshop has no survey open
        with open_store(served_demo.database_url) as store:
            workshop = store.workshop(served_demo.join_code)
            store.update_workshop(workshop.model_copy(update={"surveys": {}}))
