"""A participant's self-assessment shows up, escaped, in My plan and in its download."""

import pytest
from browser_helpers import HOSTILE, download, first_visit, screenshot_app, wait_until_saved
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def test_the_plan_shows_the_self_assessment_literally(
    page: Page, served_demo, screenshots, tmp_path
):
    visit = first_visit(page, served_demo, "01_self_assessment.ipynb", "Test Plan Person")
    page.get_by_label("Career goal (1–3 years)").fill(HOSTILE)
    page.get_by_label("Growth area 1").select_option(label="Negotiation")
    # The summary follows the last change, so the save it started is under way.
    expect(page.locator(".mentorkit-app")).to_contain_text(
        "My growth areas: Negotiation", timeout=30_000
    )
    wait_until_saved(page)

    visit.open_and_resume("06_my_plan.ipynb")
    plan = page.locator(".mentorkit-document")
    expect(plan).to_contain_text("My growth areas", timeout=30_000)
    expect(plan.locator("#about-me")).to_contain_text("Negotiation")
    expect(plan.locator("#about-me")).to_contain_text(HOSTILE)
    expect(plan).to_contain_text("Not started yet — open the SMART goals worksheet.")
    expect(page.get_by_role("button", name="Refresh")).to_be_visible()
    expect(page.get_by_role("link", name="Download my plan (Markdown)")).to_be_visible()
    expect(page.get_by_role("link", name="Download meetings (.ics)")).to_have_count(0)

    path = download(page, "Download my plan (HTML)", tmp_path)
    assert path.name == "my-mentoring-plan.html"
    html = path.read_text(encoding="utf-8")
    assert ESCAPED in html
    assert "<img" not in html
    assert "Negotiation" in html

    page.get_by_role("button", name="Refresh").click()
    expect(plan.locator("#about-me")).to_contain_text(HOSTILE)
    screenshot_app(page, screenshots / "06_my_plan.png")
    visit.assert_clean()
