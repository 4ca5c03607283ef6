"""A participant fills the self-assessment, reloads, and finds every answer back."""

import pytest
from browser_helpers import (
    HOSTILE,
    first_visit,
    open_app,
    sign_in_first_time,
    sign_out,
    wait_until_saved,
)
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "01_self_assessment.ipynb"


def test_self_assessment_survives_a_reload(page: Page, person: Person, served_demo):
    visit = first_visit(person, served_demo, APP, "Ines Okafor-Lind")

    person.choose("Public speaking", "2 · Learning")
    person.choose("Negotiation", "1 · New to me")
    person.choose("Technical depth", "5 · Expert")
    person.choose("Growth area 1", "Negotiation")
    person.choose("Growth area 2", "Public speaking")
    wait_until_saved(person)
    person.maybe_reload("after the ratings")
    person.choose("Strength 1", "Technical depth")
    person.check("Learning")
    person.type("Other values", f"Kindness, {HOSTILE}")
    person.type("Career goal (1–3 years)", f"Lead a team.\n{HOSTILE}")
    wait_until_saved(person)
    person.maybe_reload("after the values and the goal")
    person.check("Meet by video")
    person.choose("How often to meet", "Every two weeks")
    person.type("My time zone", "Europe/Berlin")
    person.type("Languages I can meet in", "English, Spanish")
    wait_until_saved(person)
    summary = page.locator(".mentorkit-app")
    expect(summary).to_contain_text("My growth areas: Negotiation, Public speaking")
    person.shot("01_self_assessment", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("Public speaking")).to_have_value("2 · Learning", timeout=30_000)
    expect(page.get_by_label("Technical depth")).to_have_value("5 · Expert")
    expect(page.get_by_label("Growth area 1")).to_have_value("Negotiation")
    expect(page.get_by_label("Strength 1")).to_have_value("Technical depth")
    expect(page.get_by_label("Learning", exact=True)).to_be_checked()
    expect(page.get_by_label("Other values")).to_have_value(f"Kindness, {HOSTILE}")
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value(f"Lead a team.\n{HOSTILE}")
    expect(page.get_by_label("Meet by video")).to_be_checked()
    expect(page.get_by_label("My time zone")).to_have_value("Europe/Berlin")
    expect(page.get_by_label("Languages I can meet in")).to_have_value("English, Spanish")
    visit.assert_clean()


def test_a_personal_link_signs_in_and_a_second_participant_sees_nothing(
    page: Page, person: Person, served_demo
):
    open_app(person, served_demo.base_url, APP)
    resume_code = sign_in_first_time(person, served_demo.join_code, "Private Person One")
    person.type("Career goal (1–3 years)", "My private career goal")
    wait_until_saved(person)

    open_app(person, served_demo.base_url, APP, f"?resume={resume_code}")
    expect(page.locator(".mentorkit-who")).to_contain_text("Private Person One")
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value(
        "My private career goal", timeout=30_000
    )

    sign_out(person)  # one shared computer
    open_app(person, served_demo.base_url, APP)
    sign_in_first_time(person, served_demo.join_code, "Private Person Two")
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value("")
    assert "My private career goal" not in page.content()

    sign_out(person)
    open_app(person, served_demo.base_url, APP)
    person.type("Join code", served_demo.join_code)
    person.type("Your name", "Private Person One")
    person.click(person.button("Start"))
    # The same name joins as someone new: the first person's answers stay theirs.
    expect(page.locator(".mentorkit-resume-code")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value("")
    assert "My private career goal" not in page.content()
