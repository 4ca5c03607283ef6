"""The facilitator's apps: a wrong key shows nothing; with the key, the dashboard shows the
cohort's progress (anonymised on request), the matching runs, a lock holds across runs, and
published matches reach the participants' plans."""

import re

import pytest
from browser_helpers import (
    HOSTILE,
    first_visit,
    no_dialogs,
    open_app,
    screenshot_app,
    sign_in_again,
    sign_out,
    wait_until_saved,
    watch_console,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
DASHBOARD = "facilitator/dashboard.ipynb"
MATCHING = "facilitator/matching.ipynb"
REFUSAL = "That join code and facilitator key do not match."
ROSTER_NAME = "Amelia Hartley"  # on the demo roster
#: (participant, growth area, mentor shortlisted as choice 1)
PARTICIPANTS = [
    ("Test Facilitator Mentee One", "Negotiation", "Mateo Ibáñez"),
    ("Test Facilitator Mentee Two", "Public speaking", "Chloé Marchand"),
    (f"Test Facilitator {HOSTILE}", "Delegation", "Kenji Watanabe"),
]
MENTOR_EMAIL = "mateo.ibanez@example.com"  # the first participant's choice
WAIT_MS = 60_000


def facilitator_sign_in(page: Page, served, notebook: str, key: str) -> None:
    """Open a facilitator app with the join code in the link and type the key."""
    open_app(page, served.base_url, notebook, f"?join={served.join_code}")
    expect(page.get_by_label("Join code")).to_have_value(served.join_code)
    page.get_by_label("Facilitator key").fill(key)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("notebook", [DASHBOARD, MATCHING])
def test_a_wrong_facilitator_key_shows_only_the_refusal(page: Page, served_demo, notebook):
    console_errors = watch_console(page)
    facilitator_sign_in(page, served_demo, notebook, "not-the-facilitator-key")
    expect(page.get_by_role("alert")).to_have_text(REFUSAL, timeout=WAIT_MS)
    app = page.locator(".mentorkit-app")
    expect(page.get_by_label("Facilitator key")).to_have_value("")
    for hidden in (ROSTER_NAME, "Participant 1", "Run matching", "Refresh"):
        expect(app).not_to_contain_text(hidden)
    assert ROSTER_NAME not in page.content()
    assert console_errors == []


def prepare_participant(page: Page, served, who: str, growth: str, mentor: str) -> str:
    """A participant rates, picks a growth area and video, and shortlists `mentor`."""
    visit = first_visit(page, served, "01_self_assessment.ipynb", who)
    page.get_by_label(growth, exact=True).select_option(label="2 · Learning")
    page.get_by_label("Growth area 1").select_option(label=growth)
    page.get_by_label("Meet by video").check()
    expect(page.locator(".mentorkit-app")).to_contain_text(
        f"Top three growth areas: {growth}", timeout=30_000
    )
    wait_until_saved(page)
    visit.open_and_resume("02_mentor_shortlist.ipynb")
    page.get_by_label("Choice 1", exact=True).select_option(label=mentor)
    wait_until_saved(page)
    visit.assert_clean()
    sign_out(page)  # the next participant uses the same computer
    return visit.resume_code


def test_the_facilitator_follows_matches_and_publishes(page: Page, served_demo, screenshots):
    codes = {
        who: prepare_participant(page, served_demo, who, growth, mentor)
        for who, growth, mentor in PARTICIPANTS
    }
    console_errors = watch_console(page)
    dialogs = no_dialogs(page)

    # The dashboard: progress of the participants who did something, then anonymised.
    facilitator_sign_in(page, served_demo, DASHBOARD, served_demo.facilitator_key)
    roster = page.locator(".mentorkit-roster")
    expect(roster).to_be_visible(timeout=WAIT_MS)
    for who, _growth, _mentor in PARTICIPANTS:
        row = roster.locator("tr", has_text=who)
        expect(row).to_contain_text("✓ done")  # self-assessment and shortlist
        expect(row).to_contain_text("40%")
        expect(row.locator("td").nth(7)).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(roster).to_contain_text(ROSTER_NAME)
    charts = page.locator(".mentorkit-charts")
    expect(charts.get_by_role("img", name="Negotiation: ", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Progress (CSV)")).to_be_visible()
    expect(page.get_by_role("link", name="Self-assessment responses (XLSX)")).to_be_visible()
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator(".mentorkit-toolbar")).to_contain_text("Updated")
    page.get_by_label("Refresh automatically every 30 s").check()
    assert page.locator(".mentorkit-app img").count() == 0
    screenshot_app(page, screenshots / "facilitator_dashboard.png")

    page.get_by_label("Anonymise for projecting").check()
    app = page.locator(".mentorkit-app")
    expect(roster).to_contain_text("Participant 1")
    for who, _growth, _mentor in PARTICIPANTS:
        expect(app).not_to_contain_text(who)
    expect(app).not_to_contain_text(ROSTER_NAME)
    expect(app).not_to_contain_text("@example")
    expect(page.get_by_role("link", name="Progress (CSV)")).to_have_count(0)
    page.get_by_label("Refresh automatically every 30 s").uncheck()

    # Matching: run, lock a pair, run again, publish.
    facilitator_sign_in(page, served_demo, MATCHING, served_demo.facilitator_key)
    page.get_by_role("button", name="Run matching").click()
    expect(page.locator(".mentorkit-comparison")).to_contain_text(
        "Most people matched", timeout=WAIT_MS
    )
    expect(page.locator(".mentorkit-comparison")).to_contain_text("Blocking pairs")
    first, _growth, mentor = PARTICIPANTS[0]
    page.get_by_label("Participant", exact=True).select_option(label=first)
    page.get_by_label("Mentor", exact=True).select_option(label=f"{mentor} ({MENTOR_EMAIL})")
    page.get_by_role("button", name="Lock pair").click()
    lock = page.get_by_label(f"Lock {first} with {mentor}")
    expect(lock).to_be_checked(timeout=WAIT_MS)
    expect(app).to_contain_text(f"Locked: {first} with {mentor}")

    page.get_by_label("Matching mode").select_option(label="Most people matched")
    page.get_by_role("button", name="Run matching").click()
    expect(
        page.locator(".mentorkit-app [role=status]", has_text="Most people matched:")
    ).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_label(f"Lock {first} with {mentor}")).to_be_checked()
    card = page.locator(".mentorkit-pair", has_text=f"Lock {first} with {mentor}")
    expect(card).to_contain_text("you shortlisted them as choice 1")
    expect(page.get_by_role("link", name="Pairs (XLSX)")).to_be_visible()
    expect(app).to_contain_text(f"Test Facilitator {HOSTILE} with ")
    assert page.locator(".mentorkit-app img").count() == 0
    screenshot_app(page, screenshots / "facilitator_matching.png")

    page.get_by_role("button", name="Publish", exact=True).click()
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm publish \d+ matches$"))
    expect(confirm).to_be_visible(timeout=WAIT_MS)
    count = re.search(r"\d+", confirm.inner_text())[0]
    confirm.click()
    expect(app).to_contain_text(f"Published {count} matches.", timeout=WAIT_MS)
    assert dialogs == []
    assert console_errors == [], console_errors

    # The participant's plan now names the mentor and carries the introduction.
    open_app(page, served_demo.base_url, "06_my_plan.ipynb")
    sign_in_again(page, codes[first])
    match = page.locator(".mentorkit-match")
    expect(match).to_contain_text(f"Your mentor: {mentor}", timeout=WAIT_MS)
    expect(match).to_contain_text("Introduction email")
    expect(match).to_contain_text(f"Introducing {first} and {mentor}")
    assert console_errors == [], console_errors
