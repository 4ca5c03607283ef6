"""A participant fills the self-assessment, reloads, and finds every answer back."""

import pytest
from browser_helpers import (
    HOSTILE,
    first_visit,
    open_app,
    screenshot_app,
    sign_in_first_time,
    sign_out,
    wait_until_saved,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
APP = "01_self_assessment.ipynb"


def test_self_assessment_survives_a_reload(page: Page, served_demo, screenshots):
    visit = first_visit(page, served_demo, APP, "Ines Okafor-Lind")

    page.get_by_label("Public speaking").select_option(label="2 · Learning")
    page.get_by_label("Negotiation").select_option(label="1 · New to me")
    page.get_by_label("Technical depth").select_option(label="5 · Expert")
    page.get_by_label("Growth area 1").select_option(label="Negotiation")
    page.get_by_label("Growth area 2").select_option(label="Public speaking")
    page.get_by_label("Strength 1").select_option(label="Technical depth")
    page.get_by_label("Learning", exact=True).check()
    page.get_by_label("Other values").fill(f"Kindness, {HOSTILE}")
    page.get_by_label("Career goal (1–3 years)").fill(f"Lead a team.\n{HOSTILE}")
    page.get_by_label("Meet by video").check()
    page.get_by_label("How often to meet").select_option(label="Every two weeks")
    page.get_by_label("My time zone").fill("Europe/Berlin")
    page.get_by_label("Languages I can meet in").fill("English, Spanish")
    wait_until_saved(page)
    summary = page.locator(".mentorkit-app")
    expect(summary).to_contain_text("My growth areas: Negotiation, Public speaking")
    screenshot_app(page, screenshots / "01_self_assessment.png")

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


def test_a_personal_link_signs_in_and_a_second_participant_sees_nothing(page: Page, served_demo):
    open_app(page, served_demo.base_url, APP)
    resume_code = sign_in_first_time(page, served_demo.join_code, "Private Person One")
    page.get_by_label("Career goal (1–3 years)").fill("My private career goal")
    wait_until_saved(page)

    open_app(page, served_demo.base_url, APP, f"?resume={resume_code}")
    expect(page.locator(".mentorkit-who")).to_contain_text("Private Person One")
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value(
        "My private career goal", timeout=30_000
    )

    sign_out(page)  # one shared computer
    open_app(page, served_demo.base_url, APP)
    sign_in_first_time(page, served_demo.join_code, "Private Person Two")
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value("")
    assert "My private career goal" not in page.content()

    sign_out(page)
    open_app(page, served_demo.base_url, APP)
    page.get_by_label("Join code").fill(served_demo.join_code)
    page.get_by_label("Name or email").fill("Private Person One")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("alert")).to_contain_text("has signed in before")
    assert "My private career goal" not in page.content()
