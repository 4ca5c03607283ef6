"""A participant stays signed in on their browser (reload, link, new tab), signs out on a
shared computer, and signs in elsewhere with the personal link or a hand-typed code.

Driven as a person would: an element is reached by scrolling with the mouse wheel and is
inside the window before it is clicked or typed into; typing goes key by key.
"""

from __future__ import annotations

import pytest
from browser_helpers import LOAD_TIMEOUT_MS, open_app, watch_console
from playwright.sync_api import Browser, Locator, Page, expect

from mentorkit.identity import reset_resume_code, resume
from mentorkit.store import open_store

pytestmark = pytest.mark.browser
APP = "01_self_assessment.ipynb"
FIELD = "Career goal (1–3 years)"
GOAL = "Lead a small team within two years"
WHO = "Test Staying Signed In"
WAIT_MS = 30_000


def reach(page: Page, target: Locator) -> dict[str, float]:
    """Scroll with the mouse wheel until `target` is wholly inside the window; its box."""
    expect(target).to_be_visible(timeout=WAIT_MS)
    size = page.viewport_size or {"width": 1280, "height": 720}
    for _ in range(60):
        box = target.bounding_box()
        assert box is not None
        if box["y"] >= 0 and box["y"] + box["height"] <= size["height"]:
            return box
        page.mouse.move(size["width"] / 2, size["height"] / 2)
        page.mouse.wheel(0, 250 if box["y"] > 0 else -250)
        page.wait_for_timeout(100)
    raise AssertionError(f"scrolling never brought {target} into the window")


def click(page: Page, target: Locator) -> None:
    box = reach(page, target)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def type_into(page: Page, target: Locator, text: str) -> None:
    """Click into a field and type `text` key by key, then leave it with Tab."""
    click(page, target)
    page.keyboard.type(text, delay=10)
    page.keyboard.press("Tab")


def signed_in_as(page: Page, who: str) -> None:
    expect(page.locator(".mentorkit-who")).to_contain_text(f"Signed in as {who}", timeout=WAIT_MS)


def sign_in_form_shown(page: Page) -> None:
    expect(page.get_by_label("Resume code")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-who")).to_have_count(0)


def test_a_participant_stays_signed_in_until_they_sign_out(
    page: Page, browser: Browser, served_demo, screenshots
):
    errors = watch_console(page)
    open_app(page, served_demo.base_url, APP)
    type_into(page, page.get_by_label("Join code"), served_demo.join_code)
    type_into(page, page.get_by_label("Your name"), WHO)
    click(page, page.get_by_role("button", name="Start"))
    shown_code = page.locator(".mentorkit-resume-code")
    expect(shown_code).to_be_visible(timeout=WAIT_MS)
    code = shown_code.inner_text().strip()
    assert len(code) <= 20
    type_into(page, page.get_by_label(FIELD), GOAL)
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=WAIT_MS)

    # The browser keeps the code for this server only, not readable by other sites.
    (kept,) = [c for c in page.context.cookies() if c["name"] == "mentorkit_resume"]
    assert kept["value"] == code and kept["path"] == "/" and kept["sameSite"] == "Strict"

    # A reload stays signed in, with the answer back.
    page.reload(timeout=LOAD_TIMEOUT_MS)
    signed_in_as(page, WHO)
    expect(page.get_by_label(FIELD)).to_have_value(GOAL, timeout=WAIT_MS)
    page.screenshot(path=screenshots / "sign_in_after_reload.png")

    # A link to the next worksheet, and a new tab: signed in, no code in the address.
    click(page, page.get_by_role("link", name="2. Mentor shortlist"))
    signed_in_as(page, WHO)
    assert "resume=" not in page.url and page.url.endswith("02_mentor_shortlist.ipynb")
    tab = page.context.new_page()
    open_app(tab, served_demo.base_url, "03_expectations.ipynb")
    signed_in_as(tab, WHO)
    tab.close(run_before_unload=True)

    # Sign out (a shared computer): the form, and a reload stays signed out.
    click(page, page.get_by_role("button", name="Sign out"))
    sign_in_form_shown(page)
    expect(page.locator(".mentorkit-notice")).to_contain_text("You are signed out")
    page.screenshot(path=screenshots / "sign_in_signed_out.png")
    assert [c for c in page.context.cookies() if c["name"] == "mentorkit_resume"] == []
    page.reload(timeout=LOAD_TIMEOUT_MS)
    sign_in_form_shown(page)
    assert errors == [], errors

    # Another browser: the personal link signs in, and is then kept like a sign-in.
    elsewhere = browser.new_context()
    try:
        linked = elsewhere.new_page()
        open_app(linked, served_demo.base_url, APP, f"?resume={code}")
        signed_in_as(linked, WHO)
        expect(linked.get_by_label(FIELD)).to_have_value(GOAL, timeout=WAIT_MS)
        expect(linked).not_to_have_url(f"{served_demo.base_url}/voila/render/{APP}?resume={code}")
        linked.reload(timeout=LOAD_TIMEOUT_MS)
        signed_in_as(linked, WHO)

        # The facilitator resets the code: the kept sign-in is forgotten, with a sentence,
        # and the new code, typed by hand in lower case with look-alikes, signs in.
        with open_store(served_demo.database_url) as store:
            person = resume(store, code).participant
            new_code = reset_resume_code(store, served_demo.join_code, person.id)
            while not {"0", "1"} & set(new_code):  # a code with a look-alike to type
                new_code = reset_resume_code(store, served_demo.join_code, person.id)
        linked.reload(timeout=LOAD_TIMEOUT_MS)
        sign_in_form_shown(linked)
        expect(linked.locator(".mentorkit-notice")).to_contain_text("no longer works")
        typed = new_code.lower().replace("0", "o").replace("1", "l").replace("-", " ")
        type_into(linked, linked.get_by_label("Resume code"), typed)
        click(linked, linked.get_by_role("button", name="Continue"))
        signed_in_as(linked, WHO)
        expect(linked.get_by_label(FIELD)).to_have_value(GOAL, timeout=WAIT_MS)
        linked.screenshot(path=screenshots / "sign_in_typed_code.png")
        linked.reload(timeout=LOAD_TIMEOUT_MS)
        signed_in_as(linked, WHO)
    finally:
        elsewhere.close()
