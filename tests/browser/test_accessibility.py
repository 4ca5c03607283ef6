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
    open_app,
    sign_in_first_time,
    wait_until_saved,
)
from playwright.sync_api import Browser, Locator, Page, expect

from mentorkit.apps import APPS

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = ("serious", "critical")
WAIT_MS = 120_000
SELF_ASSESSMENT = "01_self_assessment.ipynb"
DASHBOARD = "facilitator/dashboard.ipynb"
MATCHING = "facilitator/matching.ipynb"
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
}

#: What the focused element is: its label (or text), its value, whether it is in an app and
#: shows a focus ring of at least 2 px.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].textContent
    : (el.getAttribute("aria-label") || el.textContent || "");
  const style = getComputedStyle(el);
  return {
    name: label.trim(),
    tag: el.tagName.toLowerCase(),
    value: "value" in el ? String(el.value) : null,
    checked: el.type === "checkbox" ? el.checked : null,
    in_app: el.closest(".mentorkit-app") !== null,
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


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
    base = served_demo.base_url
    try:
        open_app(page, base, SELF_ASSESSMENT)
        code = sign_in_first_time(page, served_demo.join_code, PERSON)
        page.get_by_label("Negotiation").select_option(label="2 · Learning")
        page.get_by_label("Technical depth").select_option(label="5 · Expert")
        page.get_by_label("Growth area 1").select_option(label="Negotiation")
        page.get_by_label("Meet in person").check()
        page.get_by_label("Career goal (1–3 years)").fill(CAREER_GOAL)
        wait_until_saved(page)
        resume = f"?resume={code}"

        open_app(page, base, "02_mentor_shortlist.ipynb", resume)
        page.get_by_label("Choice 1", exact=True).select_option(label=MENTOR)
        expect(page.get_by_label(f"Message to {MENTOR}")).to_be_visible(timeout=WAIT_MS)
        wait_until_saved(page)

        open_app(page, base, "03_expectations.ipynb", resume)
        page.get_by_label("Goals for our relationship").fill("Speak at a conference")
        wait_until_saved(page)

        open_app(page, base, "04_smart_goals.ipynb", resume)
        page.get_by_label("Goal 1 title").fill("Give a talk at a meetup")
        wait_until_saved(page)

        open_app(page, base, "05_check_ins.ipynb", resume)
        page.get_by_role("button", name="Log a meeting").click()
        page.get_by_label("Meeting 1 topics").fill("Preparing a talk")
        page.get_by_role("button", name="Add action to meeting 1").click()
        page.get_by_label("Meeting 1 action 1", exact=True).fill("Send my slides for comments")
        wait_until_saved(page)
    finally:
        page.close(run_before_unload=True)
        context.close()
    return code


def test_the_gallery_has_no_serious_accessibility_problem(page: Page, served_demo: ServedDemo):
    page.goto(served_demo.landing_url, timeout=LOAD_TIMEOUT_MS)
    first = next(app for app in APPS if app.audience == "participant")
    expect(page.get_by_role("link", name=first.title)).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    assert_accessible(page, "the gallery (index.ipynb)")


@pytest.mark.parametrize(
    ("notebook", "button"), [(SELF_ASSESSMENT, "Start"), (DASHBOARD, "Sign in")]
)
def test_the_sign_in_forms_have_no_serious_accessibility_problem(
    page: Page, served_demo: ServedDemo, notebook: str, button: str
):
    open_app(page, served_demo.base_url, notebook)
    expect(page.get_by_role("button", name=button)).to_be_visible(timeout=WAIT_MS)
    assert_accessible(page, f"the sign-in form of {notebook}")

    page.get_by_role("button", name=button).click()  # nothing filled in: refused
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


@pytest.mark.parametrize("notebook", [DASHBOARD, MATCHING])
def test_facilitator_apps_have_no_serious_accessibility_problem(
    page: Page, served_demo: ServedDemo, participant: str, notebook: str
):
    open_app(page, served_demo.base_url, notebook, f"?join={served_demo.join_code}")
    page.get_by_label("Facilitator key").fill(served_demo.facilitator_key)
    page.get_by_role("button", name="Sign in").click()
    if notebook == MATCHING:
        page.get_by_role("button", name="Run matching").click(timeout=WAIT_MS)
        expect(page.locator(".mentorkit-comparison")).to_contain_text(
            "Blocking pairs", timeout=WAIT_MS
        )
        expect(page.locator(".mentorkit-pair").first).to_be_visible()
    else:
        expect(page.locator(".mentorkit-roster")).to_contain_text(PERSON, timeout=WAIT_MS)
    assert_accessible(page, notebook)


def focused(page: Page) -> dict[str, Any] | None:
    """What has the keyboard focus (None: the page itself)."""
    return page.evaluate(FOCUSED)


def tab_to(page: Page, name: str, *, limit: int = 200) -> dict[str, Any]:
    """Press Tab until the element labelled `name` has the focus; every stop inside an app on
    the way must show a visible focus ring."""
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            visited.append("(page)")
            continue
        visited.append(now["name"])
        if now["in_app"]:
            assert now["ring"], f"no visible focus ring on {now['tag']} '{now['name']}'"
        if now["name"] == name:
            return now
    raise AssertionError(f"Tab never reached '{name}'; it went through {visited}")


def arrow_down_to(page: Page, option: str, *, limit: int = 20) -> None:
    """Press ArrowDown in the focused drop-down until `option` is chosen."""
    for _ in range(limit):
        now = focused(page)
        if now is not None and now["value"] == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"ArrowDown never reached '{option}' (at {focused(page)})")


def type_ahead(page: Page, letters: str, option: str) -> None:
    """Type the first letters of an option into the focused drop-down, as people do."""
    page.keyboard.type(letters)
    now = focused(page)
    assert now is not None and now["value"] == option, now


def test_the_self_assessment_can_be_done_with_the_keyboard_alone(
    page: Page, served_demo: ServedDemo
):
    page.goto(f"{served_demo.base_url}/voila/render/{SELF_ASSESSMENT}", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)

    tab_to(page, "Join code")
    page.keyboard.type(served_demo.join_code)
    tab_to(page, "Name or email")
    page.keyboard.type("Test Keyboard Person")
    tab_to(page, "Start")
    page.keyboard.press("Enter")
    code = page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=WAIT_MS)
    resume_code = code.inner_text().strip()

    tab_to(page, "Public speaking")
    arrow_down_to(page, "2 · Learning")
    tab_to(page, "Negotiation")
    type_ahead(page, "1", "1 · New to me")
    tab_to(page, "Decision making")
    type_ahead(page, "4", "4 · Strong")
    tab_to(page, "Strength 1")
    type_ahead(page, "Dec", "Decision making")
    tab_to(page, "Growth area 1")
    type_ahead(page, "Neg", "Negotiation")
    tab_to(page, "Growth area 2")
    arrow_down_to(page, "Public speaking", limit=60)
    tab_to(page, "Learning")
    page.keyboard.press("Space")
    assert (focused(page) or {}).get("checked") is True
    tab_to(page, "Career goal (1–3 years)")
    page.keyboard.type(CAREER_GOAL)
    expect(page.locator(".mentorkit-save-pending")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".mentorkit-app")).to_contain_text(
        "My growth areas: Negotiation, Public speaking"
    )

    tab_to(page, "Sign out")  # a shared computer: the next visit asks for the code
    page.keyboard.press("Enter")
    expect(page.get_by_label("Resume code")).to_be_visible(timeout=WAIT_MS)
    page.reload(timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    tab_to(page, "Resume code")
    page.keyboard.type(resume_code)
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    expect(page.locator(".mentorkit-who")).to_contain_text("Test Keyboard Person", timeout=WAIT_MS)
    expect(page.get_by_label("Public speaking")).to_have_value("2 · Learning", timeout=WAIT_MS)
    expect(page.get_by_label("Negotiation")).to_have_value("1 · New to me")
    expect(page.get_by_label("Decision making")).to_have_value("4 · Strong")
    expect(page.get_by_label("Strength 1")).to_have_value("Decision making")
    expect(page.get_by_label("Growth area 1")).to_have_value("Negotiation")
    expect(page.get_by_label("Growth area 2")).to_have_value("Public speaking")
    expect(page.get_by_label("Learning", exact=True)).to_be_checked()
    expect(page.get_by_label("Career goal (1–3 years)")).to_have_value(CAREER_GOAL)
