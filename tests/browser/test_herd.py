"""A room opening the link together: five people open the gallery, follow step 1, sign in
and move on at the same moment, and every one of their pages becomes usable; none stays
blank. (How fast, for herds of 10 and 30, is measured by benchmarks/herd.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_helpers import SIGN_IN_TIMEOUT_MS, watch_console
from person import LOAD_TIMEOUT_MS, Person
from playwright.sync_api import Browser, Page, expect

# A crowd of its own: run alone, not beside another browser test (see the Makefile).
pytestmark = [pytest.mark.browser, pytest.mark.alone]
HERD = 5


def step_link(page: Page) -> str:
    return page.get_by_role("link", name="Self-assessment").get_attribute("href") or ""


def opened_together(pages: list[Page], urls: list[str]) -> None:
    """Start every navigation before waiting for any (the pages load side by side)."""
    for page, url in zip(pages, urls, strict=True):
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT_MS)


def test_a_herd_of_five_gets_every_page_usable_and_none_blank(
    browser: Browser, people: Callable[..., Person], served_demo
):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(HERD)]
    try:
        pages = [context.new_page() for context in contexts]
        errors = [watch_console(page) for page in pages]
        room = [people(page, reload_probability=0.0) for page in pages]

        opened_together(pages, [f"{served_demo.base_url}/"] * HERD)
        for page in pages:
            step_one = page.get_by_role("link", name="Self-assessment")
            expect(step_one, "a gallery stayed blank").to_be_visible(timeout=LOAD_TIMEOUT_MS)
        hrefs = [step_link(page) for page in pages]
        opened_together(pages, [f"{served_demo.base_url}/{href}" for href in hrefs])
        for number, person in enumerate(room):
            expect(person.field("Join code"), "a sign-in stayed blank").to_be_visible(
                timeout=LOAD_TIMEOUT_MS
            )
            person.type("Join code", served_demo.join_code)
            person.type("Your name", f"Herd member {number} of the morning")
        for person in room:  # everyone presses Start at once
            person.click(person.button("Start"))
        for number, page in enumerate(pages):
            who = page.locator(".mentorkit-who")
            expect(who, f"person {number}: no worksheet").to_contain_text(
                f"Herd member {number} of the morning", timeout=LOAD_TIMEOUT_MS
            )
            expect(page.locator(".mentorkit-resume-code")).to_be_visible()
            expect(page).to_have_url(re.compile(r"journey\.ipynb\?step=01_self_assessment$"))

        for person in room:  # and on to step 2 together, in the same pages
            person.click(person.link("2. Mentor shortlist"))
        for number, person in enumerate(room):
            expect(person.field("Choice 1"), f"person {number}: step 2 not usable").to_be_enabled(
                timeout=SIGN_IN_TIMEOUT_MS
            )
            person.reach(person.field("Choice 1"))
            person.assert_usable(person.field("Choice 1"))
        room[0].shot("herd_step_2")
        assert all(not found for found in errors), errors
    finally:
        for context in contexts:
            context.close()
