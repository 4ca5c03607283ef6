"""A participant's self-assessment shows up, escaped, in My plan and in its download."""

import pytest
from browser_helpers import HOSTILE, download, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def test_the_plan_shows_the_self_assessment_literally(
    page: Page, person: Person, served_demo, tmp_path
):
    visit = first_visit(person, served_demo, "01_self_assessment.ipynb", "Test Plan Person")
    person.type("Career goal (1–3 years)", HOSTILE)
    person.choose("Growth area 1", "Negotiation")
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

    path = download(person, "Download my plan (HTML)", tmp_path)
    assert path.name == "my-mentoring-plan.html"
    html = path.read_text(encoding="utf-8")
    assert ESCAPED in html
    assert "<img" not in html
    assert "Negotiation" in html

    person.click(person.button("Refresh"))
    expect(plan.locator("#about-me")).to_contain_text(HOSTILE)
    person.shot("06_my_plan", whole=True)
    visit.assert_clean()
