"""Accessibility: axe-core finds no serious or critical problem on the gallery, on any app or
on the sign-in forms, and a participant completes the self-assessment with the keyboard alone.

axe-core runs inside the page (axe-playwright-python ships its script, so nothing is fetched)
over the whole document, Voilà's own frame included. Below serious, the one rule it may report
is the moderate "region" (content outside any landmark) while the Voilà template does not wrap
the cells in a `<main>`; the apps' own markup passes every rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_helpers import (
    LOAD_TIMEOUT_MS,
    ServedDemo,
    facilitator_sign_in,
    open_app,
    sign_in_first_time,
    wait_until_saved,
)
from person import KEY_DELAY_MS, Person
from playwright.sync_api import Browser, Locator, Page, expect

from mentorkit.apps import APPS

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")
WAIT_MS = 120_000
SELF_ASSESSMENT = "01_self_assessment.ipynb"
DASHBOARD = "facilitator/dashboard.ipynb"
MATCHING = "facilitator/matching.ipynb"
SETUP = "facilitator/setup.ipynb"
PERSON = "Test Accessible Person"
MENTOR = "Kenji Watanabe"  # on the demo workshop's mentor roster
CAREER_GOAL = "Lead a small team within two years."

#: Something each participant app shows once the participant's answers are loaded.
PARTICIPANT_PAGES: dict[str, Callable[[Page], Locator]] = {
    SELF_ASSESSMENT: lambda page: page.get_by_label("Career goal (1–3 years)"),
    "02_mentor_shortlist.ipynb": lambda page: page.get_by_label(f"Message to {MENTOR}"),
    "03_expectations.ipynb": lambda page: page.get_by_label("Goals for our relationship"),
    "04_smart_goals.ipynb": lambda page: page.get_by_label("Goal 1 title"),
    "05_check_ins.ipynb": lambda page: page.get_by_label("Meeting 1 action 1", exact=True),
    "06_my_plan.ipynb": lambda page: page.locator(".mentorkit-document"),
    "07_closing.ipynb": lambda page: page.get_by_label("What the advice changed"),
}


def test_axe_core_comes_inside_the_package_so_nothing_is_fetched():
    """The axe-core script comes with the Python package: the tests work offline."""
    script = Axe().axe_script
    assert script.startswith("/*! axe v4.") and len(script) > 100_000


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations of the whole page as it is now."""
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: rule, impact, what it asks and the first elements failing."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(nodes)} element(s): {targets}]"
        )
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    """axe-core finds nothing serious or critical in the page."""
    found = axe_violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"


@pytest.fixture(scope="module")
def participant(browser: Browser, served_demo: ServedDemo) -> str:
    """The resume code of a participant who has written something in every worksheet, so the
    pages axe looks at hold filled forms, charts, cards, feedback and the plan."""
    context = browser.new_context()
    page = context.new_page()
    person = Person(page, name="accessibility-participant")
    base = served_demo.base_url
    try:
        open_app(page, base, SELF_ASSESSMENT)
        code = sign_in_first_time(person, served_demo.join_code, PERSON)
        person.choose("Negotiation", "2 · Learning")
        person.choose("Technical depth", "5 · Expert")
        person.choose("Growth area 1", "Negotiation")
        person.check("Meet in person")
        person.type("Career goal (1–3 years)", CAREER_GOAL)
        wait_until_saved(page)
        resume = f"?resume={code}"

        open_app(page, base, "02_mentor_shortlist.ipynb", resume)
        person.choose("Choice 1", MENTOR)
        expect(page.get_by_label(f"Message to {MENTOR}")).to_be_visible(timeout=WAIT_MS)
        wait_until_saved(page)

        open_app(page, base, "03_expectations.ipynb", resume)
        person.type("Goals for our relationship", "Speak at a conference")
        wait_until_saved(page)

        open_app(page, base, "04_smart_goals.ipynb", resume)
        person.type("Goal 1 title", "Give a talk at a meetup")
        wait_until_saved(page)

        open_app(page, base, "05_check_ins.ipynb", resume)
        person.click(person.button("Log a meeting"))
        person.type("Meeting 1 topics", "Preparing a talk")
        person.click(person.button("Add action to meeting 1"))
        person.type("Meeting 1 action 1", "Send my slides for comments")
        wait_until_saved(page)
    finally:
        page.close(run_before_unload=True)
        context.close()
    return code


def test_the_gallery_has_no_serious_accessibility_problem(page: Page, served_demo: ServedDemo):
    page.goto(served_demo.landing_url, timeout=LOAD_TIMEOUT_MS)
    first = next(app for app in APPS if app.audience == "participant")
    expect(page.get_by_role("link", name=first.title)).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    assert_accessible(page, "the gallery")


def test_the_servers_sign_in_page_with_a_problem_has_no_serious_accessibility_problem(
    page: Page, person: Person, served_demo: ServedDemo
):
    page.goto(f"{served_demo.base_url}/start?step=01_self_assessment", timeout=LOAD_TIMEOUT_MS)
    person.type("Join code", "WRONG-CODE")
    person.press("Enter")
    expect(page.locator("#mentorkit-problem-join-code")).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, "the sign-in page (start) with a wrong join code")


@pytest.mark.parametrize(
    ("notebook", "button"), [(SELF_ASSESSMENT, "Start"), (DASHBOARD, "Sign in")]
)
def test_the_sign_in_forms_have_no_serious_accessibility_problem(
    page: Page, person: Person, served_demo: ServedDemo, notebook: str, button: str
):
    open_app(page, served_demo.base_url, notebook)
    expect(page.get_by_role("button", name=button)).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, f"the sign-in form of {notebook}")

    person.click(person.button(button))  # nothing filled in: refused
    expect(page.get_by_role("alert")).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, f"the sign-in form of {notebook}, showing its error")


@pytest.mark.parametrize("notebook", list(PARTICIPANT_PAGES))
def test_participant_apps_have_no_serious_accessibility_problem(
    page: Page, served_demo: ServedDemo, participant: str, notebook: str
):
    open_app(page, served_demo.base_url, notebook, f"?resume={participant}")
    expect(page.locator(".mentorkit-who")).to_contain_text(PERSON, timeout=WAIT_MS)
    expect(PARTICIPANT_PAGES[notebook](page)).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, notebook)


@pytest.mark.parametrize("notebook", [SETUP, DASHBOARD, MATCHING])
def test_facilitator_apps_have_no_serious_accessibility_problem(
    page: Page, person: Person, served_demo: ServedDemo, participant: str, notebook: str
):
    facilitator_sign_in(person, served_demo, notebook, served_demo.facilitator_key)
    if notebook == MATCHING:
        person.click(person.button("Run matching"))
        expect(page.locator(".mentorkit-comparison")).to_contain_text(
            "Blocking pairs", timeout=WAIT_MS
        )
        expect(page.locator(".mentorkit-pair").first).to_be_visible()
    elif notebook == SETUP:
        expect(page.get_by_role("button", name="Delete this workshop")).to_be_attached(
            timeout=WAIT_MS
        )
    else:
        expect(page.locator(".mentorkit-roster")).to_contain_text(PERSON, timeout=WAIT_MS)
    assert_accessible(page, notebook)


def ring_shown(stop: dict[str, Any]) -> None:
    """Every stop of the Tab key inside an app shows a visible focus ring."""
    if stop["in_app"]:
        assert stop["ring"], f"no visible focus ring on {stop['tag']} '{stop['name']}'"


def tab_to(person: Person, name: str) -> dict[str, Any]:
    """Press Tab until the element labelled `name` has the focus, checking focus rings."""
    return person.tab_to(name, each=ring_shown)


def arrow_down_to(person: Person, option: str, *, limit: int = 20) -> None:
    """Press ArrowDown in the focused drop-down until `option` is chosen."""
    for _ in range(limit):
        now = person.focused()
        if now is not None and now["value"] == option:
            return
        person.press("ArrowDown")
    raise AssertionError(f"ArrowDown never reached '{option}' (at {person.focused()})")


def type_ahead(person: Person, letters: str, option: str) -> None:
    """Type the first letters of an option into the focused drop-down, as people do."""
    person.page.keyboard.type(letters, delay=KEY_DELAY_MS)
    now = person.focused()
    assert now is not None and now["value"] == option, now


def test_the_self_assessment_can_be_done_with_the_keyboard_alone(
    page: Page, person: Person, served_demo: ServedDemo
):
    page.goto(f"{served_demo.base_url}/voila/render/{SELF_ASSESSMENT}", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    keys = page.keyboard

    tab_to(person, "Join code")
    keys.type(served_demo.join_code, delay=KEY_DELAY_MS)
    tab_to(person, "Your name")
    keys.type("Test Keyboard Person", delay=KEY_DELAY_MS)
    tab_to(person, "Start")
    keys.press("Enter")
    code = page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=WAIT_MS)
    resume_code = code.inner_text().strip()

    tab_to(person, "Public speaking")
    arrow_down_to(person, "2 · Learning")
    tab_to(person, "Negotiation")
    type_ahead(person, "1", "1 · New to me")
    tab_to(person, "Decision making")
    type_ahead(person, "4", "4 · Strong")
    tab_to(person, "Strength 1")
    type_ahead(person, "Dec", "Decision making")
    tab_to(person, "Growth area 1")
    type_ahead(person, "Neg", "Negotiation")
    tab_to(person, "Growth area 2")
    arrow_down_to(person, "Public speaking", limit=60)
    tab_to(person, "Learning")
    keys.press("Space")
    assert (person.focused() or {}).get("checked") is True
    tab_to(person, "Career goal (1–3 years)")
    keys.type(CAREER_GOAL, delay=KEY_DELAY_MS)
    expect(page.locator(".mentorkit-save-pending")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".mentorkit-app")).to_contain_text(
        "My growth areas: Negotiation, Public speaking"
    )

    tab_to(person, "Sign out")  # a shared computer: the next visit asks for the code
    page.keyboard.press("Enter")
    expect(page.get_by_label("Resume code")).to_be_visible(timeout=WAIT_MS)
    page.reload(timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    tab_to(person, "Resume code")
    keys.type(resume_code, delay=KEY_DELAY_MS)
    tab_to(person, "Continue")
    keys.press("Enter")
    expect(page.locator(".mentorkit-who")).to_contain_text("Test Keyboard Person", timeout=WAIT_MS)
    expect(page.get_by_label("Public speaking")).to_have_value("2 · Learning", timeout=WAIT_MS)
    expect(page.get_by_label("Negotiation")).to_have_value("1 · New to me")
    expect(page.get_by_label("Decision making")).to_have_value("4 · Strong")
    expect(page.get_by_label("Strength 1")).to_have_value("Decision making")
    expect(page.get_by_label("Growth area 1")).to_have_value("Negotiation")
    expect(page.get_by_label("Growth area 2")).to_have_value("Public speaking")
    expect(page.get_by_label("Learning", exact=True)).to_be_checked()
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value(CAREER_GOAL)
