"""Feedback surveys: the facilitator opens the end survey in Workshop setup, a participant
answers it by keyboard on Check-ins and their mentor on the mentors' page (each finds the
answers after a reload), and the dashboard shows each side's response rate but keeps the
results back under three answers."""

from datetime import date, timedelta

import pytest
from browser_helpers import (
    HOSTILE,
    LOAD_TIMEOUT_MS,
    answer_the_end_survey,
    facilitator_sign_in,
    first_visit,
    open_app,
)
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.identity import reset_mentor_invite_codes
from mentorkit.store import open_store

pytestmark = pytest.mark.browser
SETUP, DASHBOARD = "facilitator/setup.ipynb", "facilitator/dashboard.ipynb"
TODAY = date.today()
COMMENT = f"More time on salary talks, please. {HOSTILE}"
PARTICIPANT = "Test Survey Person"
#: A sample mentor no other browser test pairs with anyone.
MENTOR = "Oliver Brennan"
MENTOR_COMMENT = f"My mentee would like more structure. {HOSTILE}"


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
        visit = first_visit(participant, served_demo, "05_check_ins.ipynb", PARTICIPANT)
        them = participant.page
        answer_the_end_survey(participant, ("7", "10 · completely", "9"), COMMENT)
        participant.shot("05_check_ins-survey")
        visit.reload_and_resume()
        expect(them.get_by_label("End survey: useful")).to_have_value(
            "10 · completely", timeout=30_000
        )
        expect(them.get_by_label("End survey: comments")).to_have_value(COMMENT)
        visit.assert_clean()

        mentor_answers_the_survey(people(browser.new_context().new_page()), served_demo)

        facilitator_sign_in(person, served_demo, DASHBOARD, served_demo.facilitator_key)
        surveys = page.locator(".mentorkit-surveys")
        person.reach(surveys.locator("h3").first)
        expect(surveys).to_contain_text("participants answered", timeout=30_000)
        expect(surveys).to_contain_text("Results are shown from 3 answers on")
        expect(surveys).not_to_contain_text("More time on salary talks")
        expect(surveys).not_to_contain_text("Mean")
        mentors = surveys.locator(".mentorkit-survey-mentors").first
        person.reach(mentors.locator("h4"))
        expect(mentors).to_contain_text("mentors with a mentee answered")
        expect(mentors).to_contain_text("Results are shown from 3 answers on")
        expect(surveys).not_to_contain_text("more structure")
        person.shot("dashboard-surveys")
    finally:  # the other tests' workshop has no survey open
        with open_store(served_demo.database_url) as store:
            workshop = store.workshop(served_demo.join_code)
            store.update_workshop(workshop.model_copy(update={"surveys": {}}))


def mentor_answers_the_survey(mentor: Person, served_demo) -> None:
    """The participant's mentor opens their invitation's link and answers the end survey
    at the top of their page by keyboard; the answers are there after a reload."""
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (oliver,) = [m for m in store.mentors(code) if m.name == MENTOR]
        (mentee,) = [p for p in store.participants(code) if p.name == PARTICIPANT]
        store.decide_match(code, mentee.id, oliver.email, "lock")  # the facilitator's pair
        invite = reset_mentor_invite_codes(store, code, [oliver.email])[oliver.email]
    page = mentor.page
    open_app(mentor, served_demo.base_url, "mentor.ipynb", f"?invite={invite}")
    expect(page.locator(".mentorkit-who")).to_contain_text(MENTOR, timeout=LOAD_TIMEOUT_MS)
    survey = page.locator(".mentorkit-mentor-survey .mentorkit-survey")
    answer_the_end_survey(mentor, ("8", "9", None), MENTOR_COMMENT)
    expect(survey).to_contain_text("How well do you and your mentees meet as you agreed?")
    mentor.shot("mentor-survey")
    mentor.reload("after the survey")
    expect(page.get_by_label("End survey: useful")).to_have_value("9", timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_label("End survey: meeting as agreed")).to_have_value("8")
    expect(page.get_by_label("End survey: comments")).to_have_value(MENTOR_COMMENT)
