"""The facilitator's apps: a wrong key shows nothing; with the key, the dashboard shows the
cohort's progress (anonymised on request), the matching runs, a lock holds across runs, and
published matches reach the participants' plans. A reopened matching page shows what is
published and the stored locks and forbids; publishing again shows the changes by name and
asks first, and the locked pair stays."""

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
from playwright.sync_api import Locator, Page, expect

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


def reach(page: Page, target: Locator) -> Locator:
    """Scroll with the mouse wheel, as a person does, until `target` is inside the window;
    fail if it never gets there. Returns `target`, to be clicked or typed into."""
    target.wait_for(state="visible", timeout=WAIT_MS)
    size = page.viewport_size or {"width": 1280, "height": 720}
    page.mouse.move(size["width"] / 2, size["height"] / 2)
    for _ in range(120):
        box = target.bounding_box()
        if box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]:
            return target
        step = 400 if box is None else box["y"] - size["height"] / 3
        page.mouse.wheel(0, max(-500, min(500, step)))
        page.wait_for_timeout(60)
    raise AssertionError(f"{target} never came into the window by scrolling")


def press(page: Page, target: Locator) -> None:
    """Scroll to a button or box with the wheel, check it is in the window, click it."""
    reach(page, target).click()


def type_into(page: Page, target: Locator, text: str) -> None:
    """Scroll to a field, click into it and type at a person's pace."""
    press(page, target)
    page.keyboard.type(text, delay=10)


def facilitator_reopen(page: Page, served, notebook: str) -> None:
    """Open a facilitator app again (a new kernel) and sign in by typing the key."""
    open_app(page, served.base_url, notebook, f"?join={served.join_code}")
    expect(page.get_by_label("Join code")).to_have_value(served.join_code)
    type_into(page, page.get_by_label("Facilitator key"), served.facilitator_key)
    press(page, page.get_by_role("button", name="Sign in"))


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
        f"My growth areas: {growth}", timeout=30_000
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

    # A reopened matching page shows what is published and the stored lock, and says who
    # was left out: the roster's people who never started a worksheet.
    facilitator_reopen(page, served_demo, MATCHING)
    expect(app.get_by_role("heading", name="Published pairs")).to_be_visible(timeout=WAIT_MS)
    published_now = app.locator("[role=status]", has_text=f"{count} pairs are published now")
    expect(published_now).to_be_visible()
    expect(reach(page, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    expect(reach(page, app.get_by_text(f"Locked: {first} with {mentor}"))).to_be_visible()
    second = PARTICIPANTS[1][0]
    forbid = page.get_by_role("button", name=re.compile(rf"^Forbid {re.escape(second)} with "))
    second_mentor = reach(page, forbid).inner_text().split(" with ", 1)[1]
    screenshot_app(page, screenshots / "facilitator_matching_reopened.png")

    # Forbid the second participant's published pair and run again: the lock holds, and
    # publishing shows the change by name and asks before anything changes.
    press(page, forbid)
    expect(reach(page, app.get_by_text(f"Forbidden: {second} with {second_mentor}"))).to_be_visible(
        timeout=WAIT_MS
    )
    press(page, page.get_by_role("button", name="Run matching"))
    expect(app.get_by_role("heading", name="Suggested pairs")).to_be_visible(timeout=WAIT_MS)
    expect(reach(page, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    left_out = app.locator(".mentorkit-left-out li", has_text=ROSTER_NAME)
    expect(reach(page, left_out)).to_contain_text("has not started any worksheet")
    expect(app).not_to_contain_text("Everybody has a mentor")
    press(page, page.get_by_role("button", name="Publish", exact=True))
    changes = app.locator(".mentorkit-changes")
    expect(reach(page, changes)).to_be_visible(timeout=WAIT_MS)
    row = changes.locator("tr", has_text=second)
    expect(row).to_contain_text(re.compile("Mentor changes|Match withdrawn"))
    expect(row).to_contain_text(second_mentor)
    expect(row).to_contain_text("you forbade the published pair")
    expect(changes).not_to_contain_text(first)  # the locked pair stays as published
    expect(app.get_by_text("Check the changes below, then confirm.")).to_be_visible()
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm publish \d+ match(es)?$"))
    reach(page, confirm)
    screenshot_app(page, screenshots / "facilitator_matching_changes.png")
    press(page, confirm)
    expect(app.get_by_text(re.compile(r"^Published \d+ match(es)?\."))).to_be_visible(
        timeout=WAIT_MS
    )

    # Reopened once more: the locked pair is still published, the forbid still stored.
    facilitator_reopen(page, served_demo, MATCHING)
    expect(app.get_by_role("heading", name="Published pairs")).to_be_visible(timeout=WAIT_MS)
    expect(reach(page, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    expect(page.get_by_label(f"Lock {second} with {second_mentor}")).to_have_count(0)
    forbidden = app.get_by_text(f"Forbidden: {second} with {second_mentor}")
    expect(reach(page, forbidden)).to_be_visible()
    assert dialogs == []
    assert console_errors == [], console_errors
