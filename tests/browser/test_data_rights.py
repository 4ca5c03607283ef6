"""A participant downloads all their data from My plan, then deletes it for good."""

import json

import pytest
from browser_helpers import (
    HOSTILE,
    LOAD_TIMEOUT_MS,
    download,
    first_visit,
    open_app,
    wait_until_saved,
)
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.store import open_store

pytestmark = pytest.mark.browser
WHO = "Dana Rights-Tester"


def test_a_participant_downloads_all_their_data_then_deletes_it(
    page: Page, person: Person, served_demo, tmp_path
):
    visit = first_visit(person, served_demo, "01_self_assessment.ipynb", WHO)
    goal = f"Lead a team. {HOSTILE} ✓"
    person.type("Career goal (1–3 years)", goal)
    person.choose("Growth area 1", "Negotiation")
    expect(page.locator(".mentorkit-app")).to_contain_text(
        "My growth areas: Negotiation", timeout=30_000
    )
    wait_until_saved(page)

    visit.open_and_resume("06_my_plan.ipynb")
    person.click(person.button("Prepare my data (JSON)"))
    path = download(person, "Download all my data (JSON)", tmp_path)
    assert path.name == "my-mentorkit-data.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["participant"]["name"] == WHO
    (assessment,) = [d for d in data["documents"] if d["kind"] == "self_assessment"]
    assert assessment["revisions"][-1]["content"]["career_goal"] == goal
    assert assessment["revisions"][-1]["content"]["growth_areas"] == ["negotiation"]
    assert [r["revision"] for r in assessment["revisions"]] == list(
        range(1, assessment["latest_revision"] + 1)
    )
    assert visit.resume_code not in text and "sha256:" not in text

    person.click(person.button("Delete my data"))
    confirm = page.get_by_role("button", name="Delete all my data now")
    expect(confirm).to_be_focused()
    expect(page.locator(".mentorkit-confirm")).to_contain_text("cannot be undone")
    person.click(confirm)
    expect(page.get_by_role("heading", name="Your data is deleted")).to_be_visible(timeout=30_000)
    app = page.locator(".mentorkit-app")
    expect(app.get_by_role("button")).to_have_count(0)
    expect(app.get_by_role("link")).to_have_count(0)
    expect(app).not_to_contain_text("Signed in as")

    # The resume code no longer signs in, in a fresh page.
    open_app(person, served_demo.base_url, "01_self_assessment.ipynb")
    person.type("Resume code", visit.resume_code)
    person.click(person.button("Continue"))
    expect(page.locator(".mentorkit-notice")).to_contain_text(
        "That resume code is not known", timeout=LOAD_TIMEOUT_MS
    )
    expect(page.locator(".mentorkit-who")).to_have_count(0)

    with open_store(served_demo.database_url) as store:
        workshop = store.workshop(served_demo.join_code)
        assert WHO not in [p.name for p in store.participants(workshop.code)]
        assert data["participant"]["id"] not in {
            s.key.participant for s in store.list(workshop.code)
        }
    visit.assert_clean()
