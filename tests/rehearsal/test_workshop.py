"""A rehearsal of a whole workshop: a facilitator and three participants, as people do it.

Each participant works in their own browser (their own cookies and time zone), reaches
every field with the wheel, types with the keyboard, and makes the mistakes people make:
a time zone that is not one, the same competency as strength and growth area, text far
over a field's limit, an untitled goal, dates out of order and in the past, right-to-left
text and emoji. Every worksheet is reloaded in the middle, once straight after typing with
no pause, and after each reload everything typed is on the page again (over-long text
having been refused at the input). Two participants type at the same time. The
facilitator follows the cohort, publishes a match, re-runs and publishes again.

The whole workshop runs twice, everyone at 1280×800 and then everyone on a phone-sized
window (390×844), each time on a fresh server. Screenshots of every step are in
test-results/rehearsal-<size>-*/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from browser_helpers import (
    DESKTOP,
    PHONE,
    ServedDemo,
    no_dialogs,
    open_app,
    still_signed_in,
    wait_until_saved,
    watch_console,
)
from person import Person
from playwright.sync_api import Browser, BrowserContext, expect

pytestmark = pytest.mark.browser

SIZES = {"desktop": DESKTOP, "phone": PHONE}
WAIT_MS = 60_000
TODAY = date.today()
LAST_MONTH = (TODAY - timedelta(days=30)).isoformat()
LAST_WEEK = (TODAY - timedelta(days=7)).isoformat()
NEXT_YEAR = TODAY.year + 1
ARABIC = "أريد أن أقود فريقًا صغيرًا"  # "I want to lead a small team"
EMOJI = "🚀 ✨"
CAREER_GOAL_LIMIT = 1000


@dataclass
class Attendee:
    """One person in their own browser, and everything they typed, page by page."""

    person: Person
    name: str
    served: ServedDemo
    console_errors: list[str]
    dialogs: list[str]
    #: What each field of the page now shows: text, a drop-down's choice, or a tick.
    typed: dict[str, str | bool] = field(default_factory=dict)
    resume_code: str = ""

    @property
    def page(self):
        return self.person.page

    def open(self, notebook: str) -> None:
        """Follow the journey's link to the next worksheet (a step of the same page):
        still signed in."""
        self.typed = {}
        link = self.page.locator("nav[aria-label='Workshop steps'] a", has_text=STEPS[notebook])
        self.person.click(link)
        step = re.escape(notebook.removesuffix(".ipynb"))
        expect(self.page).to_have_url(re.compile(rf"journey\.ipynb\?step={step}$"), timeout=WAIT_MS)
        expect(self.page.locator(".mentorkit-app h1").first).to_have_text(STEPS[notebook])
        still_signed_in(self.person)
        self.shot(f"open {notebook}")

    def type(self, label: str, text: str, *, shown: str | None = None, **options: object) -> None:
        self.person.type(label, text, expect_value=shown, **options)
        self.typed[label] = text if shown is None else shown

    def choose(self, label: str, option: str) -> None:
        self.person.choose(label, option)
        self.typed[label] = option

    def tick(self, label: str) -> None:
        self.person.check(label)
        self.typed[label] = True

    def set_date(self, label: str, day: str) -> None:
        self.person.set_date(label, day)
        self.typed[label] = day

    def reload(self, where: str, *, pause: bool = True) -> None:
        """Reload in the middle of the worksheet (`pause=False`: straight after the last
        key, before the page has said "Saved"), then find everything typed again."""
        if pause:
            try:
                wait_until_saved(self.person)
            except AssertionError:
                self.shot(f"not saved before reload {where}")
                raise
        self.person.reload(where)
        self.all_there(where)

    def all_there(self, where: str) -> None:
        for label, value in self.typed.items():
            box = self.person.field(label)
            message = f"{self.person.name}: ‘{label}’ lost what was typed ({where})"
            if value is True:
                expect(box, message).to_be_checked(timeout=WAIT_MS)
            elif box.evaluate("e => e.tagName") == "SELECT":
                expect(box, message).to_have_value(str(value), timeout=WAIT_MS)
            else:
                expect(box, message).to_have_value(str(value), timeout=WAIT_MS)
        self.shot(f"after reload {where}")

    def problem(self, label: str, says: str) -> None:
        """The field is marked, its message is next to it and read out with it."""
        box = self.person.field(label)
        expect(box).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
        expect(box, f"‘{label}’ is invalid but points to no message").to_have_attribute(
            "aria-describedby", re.compile(r"mentorkit-problem-"), timeout=WAIT_MS
        )
        # The page checks each key as it comes ("UTC" is a time zone, "UTC+" is not), so
        # wait for the message about what was typed last, not the first one shown.
        described = self.page.wait_for_function(
            """([box, says]) => {
                if (box.getAttribute("aria-invalid") !== "true") return null;
                const ids = (box.getAttribute("aria-describedby") || "").split(/\\s+/);
                return ids.find(id => {
                    const shown = id && document.getElementById(id);
                    return shown && shown.textContent.includes(says);
                }) || null;
            }""",
            arg=[box.element_handle(), says],
            timeout=WAIT_MS,
        ).json_value()
        message = self.page.locator(f"[id='{described}']")
        self.person.reach(message, to_use=False)
        expect(message).to_contain_text(says)

    def fixed(self, label: str) -> None:
        expect(self.person.field(label)).not_to_have_attribute("aria-invalid", "true")

    def shot(self, name: str) -> None:
        self.person.shot(name)

    def assert_clean(self) -> None:
        assert self.dialogs == [], self.dialogs
        assert self.console_errors == [], self.console_errors


STEPS = {
    "01_self_assessment.ipynb": "Self-assessment",
    "02_mentor_shortlist.ipynb": "Mentor shortlist",
    "03_expectations.ipynb": "Expectations",
    "04_smart_goals.ipynb": "SMART goals",
    "05_check_ins.ipynb": "Check-ins",
    "06_my_plan.ipynb": "My plan",
    "07_closing.ipynb": "Closing well",
}


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def arrive(
    browser: Browser,
    contexts: list[BrowserContext],
    served: ServedDemo,
    name: str,
    *,
    size: str,
    zone: str,
    seed: int,
) -> Attendee:
    """A participant opens the gallery on their own device and starts the first worksheet,
    typing the join code as people do (lower case, a space instead of the dash)."""
    context = browser.new_context(viewport=SIZES[size], timezone_id=zone, locale="en-US")
    contexts.append(context)
    page = context.new_page()
    person = Person(page, name=f"rehearsal-{size}-{name}", seed=seed, reload_probability=0.2)
    page.goto(served.landing_url, timeout=WAIT_MS)
    first = page.get_by_role("link", name="Self-assessment", exact=True)
    person.click(first)
    expect(page.locator(".mentorkit-app").first).to_be_visible(timeout=WAIT_MS)
    attendee = Attendee(person, name, served, watch_console(page), no_dialogs(page))
    person.type("Join code", served.join_code.lower().replace("-", " "))
    person.type("Your name", f"  {name}  ")
    person.click(person.button("Start"))
    code = page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=WAIT_MS)
    attendee.resume_code = code.inner_text().strip()
    assert len(attendee.resume_code) <= 20, attendee.resume_code
    person.after_reload = still_signed_in
    attendee.shot("signed in")
    return attendee


def self_assessment(a: Attendee, *, career_goal: str, rtl: bool) -> None:
    """Ratings, a strength that is also a growth area (then fixed), values typed twice, an
    over-long career goal, a time zone that is not one (then fixed), languages."""
    a.choose("Public speaking", "2 · Learning")
    a.choose("Negotiation", "3 · Capable")
    a.choose("Strength 1", "Negotiation")
    a.choose("Growth area 1", "Negotiation")
    a.problem("Growth area 1", "both a strength and a growth area")
    a.type("Other values", "Kindness, Curiosity, Kindness")
    a.problem("Other values", "lists 'Kindness' twice")
    a.type("My time zone", "UTC+1")
    a.problem("My time zone", "not a time zone name")
    a.reload("self-assessment, three fields to fix", pause=False)
    a.problem("Growth area 1", "both a strength and a growth area")
    a.choose("Growth area 1", "Public speaking")
    a.fixed("Growth area 1")
    a.type("Other values", "Kindness, Curiosity")
    a.fixed("Other values")
    long_goal = (career_goal + " ") * (CAREER_GOAL_LIMIT // len(career_goal) + 2)
    a.type("Career goal (1–3 years)", long_goal, paste=True, shown=long_goal[:CAREER_GOAL_LIMIT])
    counter = a.page.locator(".mentorkit-counter", has_text=f"{CAREER_GOAL_LIMIT} / ")
    expect(counter.first).to_be_visible(timeout=WAIT_MS)
    a.type("Career goal (1–3 years)", career_goal)
    a.tick("Meet by video")
    a.type("Languages I can meet in", "English, العربية" if rtl else "English, Portuguese")
    if rtl:
        direction = a.person.field("Career goal (1–3 years)").evaluate(
            "e => getComputedStyle(e).direction"
        )
        assert direction == "rtl", direction
    a.person.maybe_reload("self-assessment")
    a.type("My time zone", "Europe/Lisbon")
    a.fixed("My time zone")
    a.reload("self-assessment, all fixed")
    status = a.page.locator(".mentorkit-save-status")
    expect(status).not_to_contain_text("Check")
    a.shot("self-assessment done")


def shortlist(a: Attendee, mentors: list[str], note: str) -> None:
    a.open("02_mentor_shortlist.ipynb")
    a.choose("Choice 1", mentors[0])
    a.type("Note on choice 1", note)
    a.choose("Choice 2", mentors[1])
    a.person.maybe_reload("shortlist")
    message = f"Message to {mentors[0]}"
    a.type(message, "\nPS: I can meet on Tuesdays.", replace=False, shown=None)
    a.typed[message] = a.person.field(message).input_value()
    a.reload("shortlist", pause=False)
    a.shot("shortlist done")


def expectations(a: Attendee) -> None:
    a.open("03_expectations.ipynb")
    a.choose("How often we meet", "Monthly")
    a.set_date("Start date", f"{NEXT_YEAR}-03-02")
    a.set_date("End date", f"{NEXT_YEAR}-01-15")  # before the start: kept, and marked
    a.problem("End date", "the end date is before the start date")
    a.type("Confidentiality", f"What we say stays between us. {EMOJI}")
    a.reload("expectations, a date to fix")
    a.problem("End date", "the end date is before the start date")
    a.set_date("End date", f"{NEXT_YEAR}-12-14")
    a.fixed("End date")
    a.person.maybe_reload("expectations")
    preview = a.page.locator(".mentorkit-document")
    a.person.reach(preview, to_use=False)
    expect(preview).to_contain_text("Monthly", timeout=WAIT_MS, ignore_case=True)
    a.shot("expectations done")


def smart_goals(a: Attendee, title: str) -> None:
    a.open("04_smart_goals.ipynb")
    a.type("Goal 1: Specific", "Give a ten-minute talk at the team meeting")  # no title yet
    feedback = a.page.locator(".mentorkit-feedback").first
    expect(feedback).to_contain_text("give this goal a title", timeout=WAIT_MS)
    a.reload("SMART goals, untitled goal", pause=False)
    a.type("Goal 1 title", title)
    a.person.click(a.person.button("Add milestone to goal 1"))
    a.type("Goal 1 milestone 1", "Outline the talk")
    a.set_date("Goal 1 milestone 1 due", LAST_MONTH)  # in the past: flagged
    expect(a.page.locator(".mentorkit-app")).to_contain_text("before today", timeout=WAIT_MS)
    a.person.maybe_reload("SMART goals")
    a.reload("SMART goals, a milestone in the past")
    a.shot("goals done")


def check_ins(a: Attendee, learned: str) -> None:
    a.open("05_check_ins.ipynb")
    a.person.click(a.person.button("Log a meeting"))
    a.set_date("Meeting 1 date", LAST_WEEK)
    a.type("Meeting 1 topics", "Salary talk, salary talk, Nerves")
    a.type("Meeting 1: what I learned", learned)
    a.reload("check-ins", pause=False)
    a.shot("check-ins done")


def my_plan(a: Attendee, *expected: str) -> None:
    a.open("06_my_plan.ipynb")
    plan = a.page.locator(".mentorkit-document").first
    a.person.reach(plan, to_use=False)
    for text in expected:
        expect(plan).to_contain_text(text, timeout=WAIT_MS)
    a.shot("plan")


def type_together(first: Attendee, second: Attendee, label: str, texts: tuple[str, str]) -> None:
    """Two people type into their own copy of a field at the same time, a few words each
    in turn, each page saving while the other types."""
    words = [text.split(" ") for text in texts]
    for step in range(max(len(w) for w in words)):
        for attendee, chunks in ((first, words[0]), (second, words[1])):
            if step < len(chunks):
                chunk = chunks[step] if step == 0 else " " + chunks[step]
                attendee.person.type(label, chunk, replace=step == 0)
    first.typed[label], second.typed[label] = texts


def saved_in_local_time(a: Attendee) -> None:
    """The save status shows the participant's own clock, not the server's."""
    shown = a.page.locator(".mentorkit-save-status time").first
    expect(shown).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"), timeout=WAIT_MS)
    local_hour = a.page.evaluate("() => new Date().getHours()")
    hour = int(shown.inner_text()[:2])
    assert hour in {local_hour, (local_hour - 1) % 24}, (hour, local_hour)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_workshop_rehearsed_by_a_facilitator_and_three_participants(
    browser: Browser, contexts: list[BrowserContext], rehearsal_demo: ServedDemo, size: str
):
    served = rehearsal_demo
    amal = arrive(browser, contexts, served, "Amal Haddad", size=size, zone="Asia/Dubai", seed=1)
    bruno = arrive(
        browser, contexts, served, "Bruno Costa", size=size, zone="Europe/Lisbon", seed=2
    )
    chen = arrive(browser, contexts, served, "Chen Wei", size=size, zone="America/New_York", seed=3)

    # Two people typing at the same time, each page saving between the other's keys.
    type_together(
        bruno,
        chen,
        "Career goal (1–3 years)",
        ("Move into product management within two years", "Lead the data team by next spring"),
    )
    wait_until_saved(bruno.person)
    wait_until_saved(chen.person)
    saved_in_local_time(chen)
    bruno.reload("typed together")
    chen.reload("typed together")

    # Amal goes through the whole journey on her phone, in Arabic and with emoji.
    self_assessment(amal, career_goal=ARABIC, rtl=True)
    shortlist(amal, ["Mateo Ibáñez", "Chloé Marchand"], f"Knows negotiation {EMOJI}")
    expectations(amal)
    smart_goals(amal, f"Speak up in meetings {EMOJI}")
    check_ins(amal, f"Prepare numbers before a salary talk {EMOJI}\n{ARABIC}")
    my_plan(amal, ARABIC, "Speak up in meetings", "Outline the talk")

    # Bruno does the same at his desk, with other mistakes; Chen shortlists.
    self_assessment(bruno, career_goal="Move into product management within two years", rtl=False)
    shortlist(bruno, ["Chloé Marchand", "Kenji Watanabe"], "Great at <b>public</b> speaking & more")
    smart_goals(bruno, "Run a product discovery workshop")
    shortlist(chen, ["Kenji Watanabe", "Mateo Ibáñez"], "Leads data teams")
    for attendee in (amal, bruno, chen):
        attendee.assert_clean()

    facilitator_runs_the_room(browser, contexts, served, size, (amal, bruno, chen))


def facilitator_runs_the_room(
    browser: Browser,
    contexts: list[BrowserContext],
    served: ServedDemo,
    size: str,
    participants: tuple[Attendee, Attendee, Attendee],
) -> None:
    """The dashboard shows who did what; a match is published, re-run and published again,
    and the participant's plan names the mentor."""
    amal = participants[0]
    context = browser.new_context(viewport=SIZES[size], timezone_id="Europe/Berlin")
    contexts.append(context)
    page = context.new_page()
    facilitator = Person(page, name=f"rehearsal-{size}-facilitator", seed=4, reload_probability=0)
    errors = watch_console(page)
    dialogs = no_dialogs(page)

    def sign_in(notebook: str) -> None:
        open_app(facilitator, served.base_url, notebook, f"?join={served.join_code}")
        facilitator.type("Facilitator key", served.facilitator_key)
        facilitator.click(facilitator.button("Sign in"))

    sign_in("facilitator/dashboard.ipynb")
    roster = page.locator(".mentorkit-roster")
    expect(roster).to_be_visible(timeout=WAIT_MS)
    for attendee in participants:
        row = roster.locator("tr", has_text=attendee.name)
        facilitator.reach(row, to_use=False)
        expect(row).to_contain_text(re.compile(r"\d+%"))
        expect(row.locator("time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))
    facilitator.shot("dashboard")

    sign_in("facilitator/matching.ipynb")
    app = page.locator(".mentorkit-app")
    facilitator.click(facilitator.button("Run matching"))
    expect(app.get_by_role("heading", name="Suggested pairs")).to_be_visible(timeout=WAIT_MS)
    amal_name = "Amal Haddad"
    facilitator.check(page.get_by_label(re.compile(rf"^Lock {amal_name} with ")))
    facilitator.click(facilitator.button("Publish", exact=True))
    confirm = page.get_by_role("button", name=re.compile(r"^Confirm publish \d+ match(es)?$"))
    facilitator.click(confirm)
    expect(app.get_by_text(re.compile(r"^Published \d+ match(es)?\."))).to_be_visible(
        timeout=WAIT_MS
    )
    facilitator.shot("published")

    # Run again and publish again: the locked pair stays; what changes is shown first.
    facilitator.choose("Matching mode", "Most people matched")
    facilitator.click(facilitator.button("Run matching"))
    expect(app.get_by_role("heading", name="Suggested pairs")).to_be_visible(timeout=WAIT_MS)
    facilitator.click(facilitator.button("Publish", exact=True))
    review = app.get_by_role("heading", name="What publishing changes")
    facilitator.reach(review, to_use=False)
    changes = app.locator(".mentorkit-changes")
    if changes.count():
        expect(changes).not_to_contain_text(amal_name)  # her locked pair stays
    facilitator.shot("re-run")
    facilitator.click(confirm)
    expect(app.get_by_text(re.compile(r"^Published \d+ match(es)?\."))).to_be_visible(
        timeout=WAIT_MS
    )
    assert errors == [], errors
    assert dialogs == [], dialogs

    # Amal's plan names her mentor, after a reload too.
    amal.person.reload("plan after publishing")
    match = amal.page.locator(".mentorkit-match")
    amal.person.reach(match, to_use=False)
    expect(match).to_contain_text("Your mentor:", timeout=WAIT_MS)
    amal.shot("plan with mentor")
