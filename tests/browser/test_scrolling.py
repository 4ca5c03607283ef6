"""Every page scrolls as people scroll it: the mouse wheel, PageDown and End take the gallery
and every app (participants' after signing in, facilitators' after theirs) down to its
last element, in a desktop window and on a phone, and the gallery's facilitator cards can
be reached.

Each page is loaded fresh, and a person arriving on it scrolls at once: with the wheel,
then (back at the top, by the wheel) with PageDown, then with End; no click into the page
first, which is what a person does and what Playwright's own scrolling would hide.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_helpers import (
    LOAD_TIMEOUT_MS,
    ServedDemo,
    facilitator_sign_in,
    open_app,
    sign_in_again,
    sign_in_first_time,
)
from person import Person, Spot
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from mentorkit.apps import APPS

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
METHODS = ("wheel", "PageDown", "End")
WAIT_MS = 60_000
PARTICIPANT = "Test Scrolling Person"
PARTICIPANT_APPS = [app.notebook for app in APPS if app.audience == "participant"]
FACILITATOR_APPS = [app.notebook for app in APPS if app.audience == "facilitator"]
#: What each facilitator app shows once it is signed in and built.
FACILITATOR_READY: dict[str, Callable[[Page], Locator]] = {
    "facilitator/setup.ipynb": lambda page: page.get_by_role("button", name="Delete this workshop"),
    "facilitator/dashboard.ipynb": lambda page: page.locator(".mentorkit-roster"),
    "facilitator/matching.ipynb": lambda page: page.get_by_role("button", name="Run matching"),
}

#: Marks the page's last element a person can see (text, a field, a button, a picture),
#: the one lowest on the page; the sticky save status (always in view) does not count.
#: Voilà's pages scroll inside <main id="rendered_cells">; the server's own pages (the
#: gallery) scroll the document.
MARK_LAST = """() => {
  document.querySelectorAll("[data-test-last]").forEach((e) => e.removeAttribute("data-test-last"));
  const root = document.getElementById("rendered_cells") || document.scrollingElement;
  const pinned = (e) => {
    for (; e && e !== root; e = e.parentElement) {
      if (["sticky", "fixed"].includes(getComputedStyle(e).position)) return true;
    }
    return false;
  };
  const seen = (e) => {
    if (["INPUT", "SELECT", "TEXTAREA", "BUTTON", "IMG", "svg", "CANVAS"].includes(e.tagName))
      return true;
    return [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  };
  let last = null, lowest = -Infinity;
  for (const e of root.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !seen(e) || pinned(e)) continue;
    // Not drawn (inside a closed <details>, hidden by a style): not there for a person.
    if (!e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    if (r.bottom >= lowest) { lowest = r.bottom; last = e; }
  }
  if (last) last.setAttribute("data-test-last", "");
  return last ? (last.textContent || last.tagName).trim().slice(0, 60) : null;
}"""

#: Resolves once the page has stopped changing: nothing added, removed or redrawn for a
#: second (an app may rebuild part of itself after signing in), or after 20 s.
STEADY = """() => new Promise((done) => {
  const root = document.getElementById("rendered_cells") || document.scrollingElement;
  let timer = setTimeout(finish, 1000);
  const watch = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(finish, 1000);
  });
  const give_up = setTimeout(finish, 20000);
  function finish() { watch.disconnect(); clearTimeout(give_up); done(root.scrollHeight); }
  watch.observe(root, {childList: true, subtree: true, characterData: true});
})"""


@pytest.fixture(scope="module")
def resume_code(browser: Browser, served_demo: ServedDemo) -> str:
    """A participant who has signed in once."""
    context = browser.new_context()
    try:
        page = context.new_page()
        open_app(page, served_demo.base_url, PARTICIPANT_APPS[0])
        return sign_in_first_time(Person(page), served_demo.join_code, PARTICIPANT)
    finally:
        context.close()


def last_element(person: Person) -> Locator:
    """The page's last element, once the page has stopped growing."""
    person.page.evaluate(STEADY)
    described = person.page.evaluate(MARK_LAST)
    assert described is not None, "the page shows nothing"
    return person.page.locator("[data-test-last]")


def reach_the_last_element(person: Person, method: str) -> Spot:
    """Scroll by `method` until the page's last element is in view. An app may still
    redraw the part that holds it (My plan, once its document is built): then the element
    marked is gone and the new last one is looked for, from where the page is."""
    for _ in range(3):
        last = last_element(person)
        try:
            return person.reach(last, by=method, to_use=False)
        except PlaywrightError:
            if last.count():
                raise
    raise AssertionError(f"the page's last element kept being redrawn while scrolling by {method}")


def first_heading(person: Person) -> Locator:
    return person.page.locator(".mentorkit-app h1").first


def scrolls_to_the_end_every_way(person: Person, where: str) -> list[Spot]:
    """From the top, the wheel, PageDown and End each bring the last element into view
    (back to the top with the wheel between them). Returns where the last element was at
    the top, before each way of scrolling."""
    top = first_heading(person)
    starts: list[Spot] = []
    for method in METHODS:
        last = last_element(person)
        start = person.measure(last)
        starts.append(start)
        spot = reach_the_last_element(person, method)
        assert spot.bottom <= spot.viewport_height, (method, spot)
        person.shot(f"{where}-{method}-end")
        person.reach(top, by="wheel", to_use=False)
        assert person.measure(top).top >= 0
    return starts


def open_participant_app(person: Person, served: ServedDemo, notebook: str, code: str) -> None:
    open_app(person, served.base_url, notebook)
    sign_in_again(person, code)
    expect(person.page.locator(".mentorkit-who")).to_contain_text(PARTICIPANT, timeout=WAIT_MS)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_gallery_scrolls_to_its_last_card_every_way(
    page: Page, people: Callable[..., Person], served_demo: ServedDemo, size: str
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    person = people(page)
    person.page.goto(f"{served_demo.base_url}/", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-gallery-card")).to_have_count(len(APPS))
    starts = scrolls_to_the_end_every_way(person, f"gallery-{size}")
    if size == "phone":
        assert starts[0].below, "the gallery fits a phone: this test would show nothing"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_gallerys_facilitator_cards_can_be_reached(
    page: Page, people: Callable[..., Person], served_demo: ServedDemo, size: str
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    person = people(page)
    person.page.goto(f"{served_demo.base_url}/", timeout=LOAD_TIMEOUT_MS)
    for app in APPS:
        if app.audience == "facilitator":
            card = page.locator(".mentorkit-gallery-card", has_text=app.title)
            person.reach(card, by="wheel", to_use=False)
            person.reach(person.link(app.title), by="wheel")
    person.shot(f"facilitator-cards-{size}")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("notebook", PARTICIPANT_APPS)
def test_a_participant_app_scrolls_to_its_last_element_every_way(
    page: Page,
    people: Callable[..., Person],
    served_demo: ServedDemo,
    resume_code: str,
    notebook: str,
    size: str,
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    person = people(page)
    open_participant_app(person, served_demo, notebook, resume_code)
    starts = scrolls_to_the_end_every_way(person, f"{notebook.split('.')[0]}-{size}")
    if size == "phone":
        assert starts[0].below, f"{notebook} fits a phone: this test would show nothing"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("notebook", FACILITATOR_APPS)
def test_a_facilitator_app_scrolls_to_its_last_element_every_way(
    page: Page,
    people: Callable[..., Person],
    served_demo: ServedDemo,
    resume_code: str,
    notebook: str,
    size: str,
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    person = people(page)
    facilitator_sign_in(person, served_demo, notebook, served_demo.facilitator_key)
    expect(FACILITATOR_READY[notebook](page)).to_be_visible(timeout=WAIT_MS)
    starts = scrolls_to_the_end_every_way(person, f"{notebook.split('/')[-1][:-6]}-{size}")
    if size == "phone":
        assert starts[0].below, f"{notebook} fits a phone: this test would show nothing"
