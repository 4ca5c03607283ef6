"""The facilitator's apps: a wrong key shows nothing; with the key, the dashboard shows the
cohort's progress (anonymised on request), the matching runs, a lock holds across runs, and
published matches reach the participants' plans. A reopened matching page shows what is
published and the stored locks and forbids; publishing again shows the changes by name and
asks first, and the locked pair stays."""

import re

import pytest
from browser_helpers import (
    HOSTILE,
    facilitator_sign_in,
    first_visit,
    no_dialogs,
    open_app,
    sign_in_again,
    sign_out,
    wait_until_saved,
    watch_console,
)
from person import Person
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


@pytest.mark.parametrize("notebook", [DASHBOARD, MATCHING])
def test_a_wrong_facilitator_key_shows_only_the_refusal(
    page: Page, person: Person, served_demo, notebook
):
    console_errors = watch_console(page)
    facilitator_sign_in(person, served_demo, notebook, "not-the-facilitator-key")
    expect(page.get_by_role("alert")).to_have_text(REFUSAL, timeout=WAIT_MS)
    app = page.locator(".mentorkit-app")
    expect(page.get_by_label("Facilitator key")).to_have_value("")
    for hidden in (ROSTER_NAME, "Participant 1", "Run matching", "Refresh"):
        expect(app).not_to_contain_text(hidden)
    assert ROSTER_NAME not in page.content()
    assert console_errors == []


def seen(person: Person, target: Locator) -> Locator:
    """Scroll, as a person does, until `target` can be read; it is then checked."""
    person.reach(target, to_use=False)
    return target


def prepare_participant(person: Person, served, who: str, growth: str, mentor: str) -> str:
    """A participant rates, picks a growth area and video, and shortlists `mentor`."""
    page = person.page
    visit = first_visit(person, served, "01_self_assessment.ipynb", who)
    person.choose(growth, "2 · Learning")
    person.choose("Growth area 1", growth)
    person.check("Meet by video")
    expect(page.locator(".mentorkit-app")).to_contain_text(
        f"My growth areas: {growth}", timeout=30_000
    )
    wait_until_saved(page)
    visit.open_and_resume("02_mentor_shortlist.ipynb")
    person.choose("Choice 1", mentor)
    wait_until_saved(page)
    visit.assert_clean()
    sign_out(person)  # the next participant uses the same computer
    return visit.resume_code


def test_the_facilitator_follows_matches_and_publishes(page: Page, person: Person, served_demo):
    codes = {
        who: prepare_participant(person, served_demo, who, growth, mentor)
        for who, growth, mentor in PARTICIPANTS
    }
    console_errors = watch_console(page)
    dialogs = no_dialogs(page)

    # The dashboard: progress of the participants who did something, then anonymised.
    facilitator_sign_in(person, served_demo, DASHBOARD, served_demo.facilitator_key)
    roster = page.locator(".mentorkit-roster")
    expect(roster).to_be_visible(timeout=WAIT_MS)
    for who, _growth, _mentor in PARTICIPANTS:
        row = roster.locator("tr", has_text=who)
        expect(row).to_contain_text("✓ done")  # self-assessment and shortlist
        expect(row).to_contain_text("40%")
        # Email, sign-in, five steps, done: then the last activity.
        expect(row.locator("td").nth(1)).to_have_text("signed in · joined on the day")
        expect(row.locator("td").nth(8)).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(roster).to_contain_text(ROSTER_NAME)
    charts = page.locator(".mentorkit-charts")
    expect(charts.get_by_role("img", name="Negotiation: ", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="Progress (CSV)")).to_be_visible()
    expect(page.get_by_role("link", name="Self-assessment responses (XLSX)")).to_be_visible()
    person.click(person.button("Refresh"))
    expect(page.locator(".mentorkit-toolbar")).to_contain_text("Updated")
    person.check("Refresh automatically every 30 s")
    assert page.locator(".mentorkit-app img").count() == 0
    person.shot("facilitator_dashboard", whole=True)

    person.check("Anonymise for projecting")
    app = page.locator(".mentorkit-app")
    expect(roster).to_contain_text("Participant 1")
    for who, _growth, _mentor in PARTICIPANTS:
        expect(app).not_to_contain_text(who)
    expect(app).not_to_contain_text(ROSTER_NAME)
    expect(app).not_to_contain_text("@example")
    expect(page.get_by_role("link", name="Progress (CSV)")).to_have_count(0)
    person.uncheck("Refresh automatically every 30 s")

    # Matching: run, lock a pair, run again, publish.
    facilitator_sign_in(person, served_demo, MATCHING, served_demo.facilitator_key)
    person.click(person.button("Run matching"))
    expect(page.locator(".mentorkit-comparison")).to_contain_text(
        "Most people matched", timeout=WAIT_MS
    )
    expect(page.locator(".mentorkit-comparison")).to_contain_text("Blocking pairs")
    first, _growth, mentor = PARTICIPANTS[0]
    person.choose("Participant", first)
    person.choose("Mentor", f"{mentor} ({MENTOR_EMAIL})")
    person.click(person.button("Lock pair"))
    lock = page.get_by_label(f"Lock {first} with {mentor}")
    expect(lock).to_be_checked(timeout=WAIT_MS)
    expect(app).to_contain_text(f"Locked: {first} with {mentor}")

    person.choose("Matching mode", "Most people matched")
    person.click(person.button("Run matching"))
    expect(
        page.locator(".mentorkit-app [role=status]", has_text="Most people matched:")
    ).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_label(f"Lock {first} with {mentor}")).to_be_checked()
    card = page.locator(".mentorkit-pair", has_text=f"Lock {first} with {mentor}")
    expect(card).to_contain_text("you shortlisted them as choice 1")
    expect(page.get_by_role("link", name="Pairs (XLSX)")).to_be_visible()
    expect(app).to_contain_text(f"Test Facilitator {HOSTILE} with ")
    assert page.locator(".mentorkit-app img").count() == 0
    person.shot("facilitator_matching", whole=True)

    person.click(person.button("Publish", exact=True))
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm publish \d+ matches$"))
    expect(confirm).to_be_visible(timeout=WAIT_MS)
    count = re.search(r"\d+", confirm.inner_text())[0]
    person.click(confirm)
    expect(app).to_contain_text(f"Published {count} matches.", timeout=WAIT_MS)
    assert dialogs == []
    assert console_errors == [], console_errors

    # The participant's plan now names the mentor and carries the introduction.
    open_app(person, served_demo.base_url, "06_my_plan.ipynb")
    sign_in_again(person, codes[first])
    match = page.locator(".mentorkit-match")
    expect(match).to_contain_text(f"Your mentor: {mentor}", timeout=WAIT_MS)
    expect(match).to_contain_text("Introduction email")
    expect(match).to_contain_text(f"Introducing {first} and {mentor}")
    assert console_errors == [], console_errors

    # A reopened matching page shows what is published and the stored lock, and says who
    # was left out: the roster's people who never started a worksheet.
    facilitator_sign_in(person, served_demo, MATCHING, served_demo.facilitator_key)
    expect(app.get_by_role("heading", name="Published pairs")).to_be_visible(timeout=WAIT_MS)
    published_now = app.locator("[role=status]", has_text=f"{count} pairs are published now")
    expect(published_now).to_be_visible()
    expect(seen(person, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    expect(seen(person, app.get_by_text(f"Locked: {first} with {mentor}"))).to_be_visible()
    second = PARTICIPANTS[1][0]
    forbid = page.get_by_role("button", name=re.compile(rf"^Forbid {re.escape(second)} with "))
    second_mentor = seen(person, forbid).inner_text().split(" with ", 1)[1]
    person.shot("facilitator_matching_reopened", whole=True)

    # Forbid the second participant's published pair and run again: the lock holds, and
    # publishing shows the change by name and asks before anything changes.
    person.click(forbid)
    expect(
        seen(person, app.get_by_text(f"Forbidden: {second} with {second_mentor}"))
    ).to_be_visible(timeout=WAIT_MS)
    person.click(page.get_by_role("button", name="Run matching"))
    expect(app.get_by_role("heading", name="Suggested pairs")).to_be_visible(timeout=WAIT_MS)
    expect(seen(person, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    left_out = app.locator(".mentorkit-left-out li", has_text=ROSTER_NAME)
    expect(seen(person, left_out)).to_contain_text("has not started any worksheet")
    expect(app).not_to_contain_text("Everybody has a mentor")
    person.click(page.get_by_role("button", name="Publish", exact=True))
    changes = app.locator(".mentorkit-changes")
    expect(seen(person, changes)).to_be_visible(timeout=WAIT_MS)
    row = changes.locator("tr", has_text=second)
    expect(row).to_contain_text(re.compile("Mentor changes|Match withdrawn"))
    expect(row).to_contain_text(second_mentor)
    expect(row).to_contain_text("you forbade the published pair")
    expect(changes).not_to_contain_text(first)  # the locked pair stays as published
    expect(app.get_by_text("Check the changes below, then confirm.")).to_be_visible()
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm publish \d+ match(es)?$"))
    seen(person, confirm)
    person.shot("facilitator_matching_changes", whole=True)
    person.click(confirm)
    expect(app.get_by_text(re.compile(r"^Published \d+ match(es)?\."))).to_be_visible(
        timeout=WAIT_MS
    )

    # Reopened once more: the locked pair is still published, the forbid still stored.
    facilitator_sign_in(person, served_demo, MATCHING, served_demo.facilitator_key)
    expect(app.get_by_role("heading", name="Published pairs")).to_be_visible(timeout=WAIT_MS)
    expect(seen(person, page.get_by_label(f"Lock {first} with {mentor}"))).to_be_checked()
    expect(page.get_by_label(f"Lock {second} with {second_mentor}")).to_have_count(0)
    forbidden = app.get_by_text(f"Forbidden: {second} with {second_mentor}")
    expect(seen(person, forbidden)).to_be_visible()
    assert dialogs == []
    assert console_errors == [], console_errors
