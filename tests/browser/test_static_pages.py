"""The gallery and the sign-in page the server renders itself: a person opens the link,
reaches step 1 with the keyboard, gets a wrong join code told beside the field without
losing what they typed, and goes on to their journey signed in; no Voilà script, no
kernel on the way. A returning browser goes straight through; a sign-in sent from
another site is refused."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from browser_helpers import LOAD_TIMEOUT_MS, watch_console
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.identity import reset_invite_code, sign_in
from mentorkit.people import waiting_for_invites
from mentorkit.store import open_store
from mentorkit.workshops import DEMO_NAME

pytestmark = pytest.mark.browser

WHO = "Ada Static-Pages"
WAIT_MS = 30_000
JOURNEY = "/voila/render/journey.ipynb"
CODE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}")


def kept_code(page: Page) -> dict | None:
    """The resume code cookie the browser keeps, if any."""
    kept = [c for c in page.context.cookies() if c["name"] == "mentorkit_resume"]
    return kept[0] if kept else None


def test_a_person_signs_in_from_the_gallery_with_the_keyboard_and_keeps_what_they_typed(
    browser: Browser, people, served_demo, screenshots
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        person: Person = people(page, reload_probability=0)
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        errors = watch_console(page)

        page.goto(f"{served_demo.base_url}/", timeout=LOAD_TIMEOUT_MS)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Workshop: {DEMO_NAME}")
        expect(page).to_have_title(f"Workshop: {DEMO_NAME} · mentorkit")
        # A plain page: no script at all, nothing of Voilà's front end, no kernel.
        assert page.locator("script").count() == 0
        page.screenshot(path="/tmp/static-pages-gallery.png", full_page=True)
        person.shot("gallery", whole=True)

        # Step 1 with the keyboard: Tab to its card's link, Enter.
        person.tab_to("Self-assessment")
        person.press("Enter")
        page.wait_for_url("**/start?step=01_self_assessment", timeout=WAIT_MS)
        expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment")
        expect(page.get_by_text(f"Workshop: {DEMO_NAME}", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="1. Self-assessment")).to_have_attribute(
            "aria-current", "page"
        )

        # A wrong join code: the message beside that field, what was typed still there.
        person.type("Join code", "WRONG-CODE")
        person.type("Your name", WHO)
        person.press("Enter")
        problem = page.locator("#mentorkit-problem-join-code")
        expect(problem).to_contain_text("No workshop has the join code 'WRONG-CODE'")
        expect(problem).to_have_attribute("role", "alert")
        join = person.field("Join code")
        expect(join).to_have_attribute("aria-describedby", "mentorkit-problem-join-code")
        expect(join).to_have_attribute("aria-invalid", "true")
        expect(join).to_have_value("WRONG-CODE")
        expect(person.field("Your name")).to_have_value(WHO)
        expect(person.field("Your name")).not_to_have_attribute("aria-invalid", "true")
        below_join = person.assert_usable(join).bottom
        message = person.measure(problem)
        assert below_join <= message.top < person.measure("Your name").top
        page.screenshot(path="/tmp/static-pages-sign-in-error.png", full_page=True)
        person.shot("sign-in-wrong-join-code")

        # The gallery and the sign-in page logged no errors (the journey page is not part
        # of this test).
        assert errors == [], errors

        # The right code, typed over the wrong one: on to the journey, signed in.
        person.type("Join code", served_demo.join_code)
        on_the_way = list(requests)  # the gallery and the sign-in page, both visits
        person.press("Enter")
        expect(page.locator(".mentorkit-who")).to_contain_text(WHO, timeout=LOAD_TIMEOUT_MS)
        assert any(url.endswith(f"{JOURNEY}?step=01_self_assessment&welcome=1") for url in requests)
        kept = kept_code(page)
        assert kept is not None and CODE.fullmatch(kept["value"]), kept
        assert kept["path"] == "/" and kept["sameSite"] == "Strict"
        assert not kept["httpOnly"]  # the pages' "Sign out" deletes it from the page
        assert kept["expires"] > 0  # kept across browser restarts (Max-Age), not a session
        # The journey shows the new code once, as the first sign-in on a worksheet does.
        expect(page.locator(".mentorkit-resume-code")).to_have_text(kept["value"])

        # Not one request for Voilà's front end or a kernel before the journey page.
        assert not [url for url in on_the_way if "/voila/static/" in url]
        assert not [url for url in on_the_way if "/api/kernels" in url]
    finally:
        context.close()


def test_an_invited_participant_signs_in_with_the_invite_code_alone(
    browser: Browser, people, served_demo
):
    with open_store(served_demo.database_url) as store:
        invited = waiting_for_invites(store, served_demo.join_code, again=True)[-1]
        invite = reset_invite_code(store, served_demo.join_code, invited.id)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        person: Person = people(page, reload_probability=0)
        page.goto(f"{served_demo.base_url}/start?step=01_self_assessment", timeout=WAIT_MS)
        # Typed as people do from a letter: lower case, spaces for the dashes.
        person.type("Invite code", invite.lower().replace("-", " "))
        person.press("Enter")
        expect(page.locator(".mentorkit-who")).to_contain_text(
            invited.name, timeout=LOAD_TIMEOUT_MS
        )
        expect(page.locator(".mentorkit-resume-code")).to_be_visible()
        with open_store(served_demo.database_url) as store:
            assert store.resume_code_hash(served_demo.join_code, invited.id) is not None
    finally:
        context.close()


def test_a_returning_browser_goes_straight_to_its_journey(browser: Browser, served_demo):
    with open_store(served_demo.database_url) as store:
        code = sign_in(store, served_demo.join_code, "Returning Static-Pages").new_resume_code
    assert code
    context = browser.new_context()
    try:
        context.add_cookies(
            [{"name": "mentorkit_resume", "value": code, "url": f"{served_demo.base_url}/"}]
        )
        page = context.new_page()
        page.goto(f"{served_demo.base_url}/start?step=03_expectations", timeout=LOAD_TIMEOUT_MS)
        assert urlsplit(page.url).path == JOURNEY
        assert urlsplit(page.url).query == "step=03_expectations"
    finally:
        context.close()


def test_a_kept_sign_in_that_no_longer_works_is_forgotten_with_a_sentence(
    browser: Browser, served_demo
):
    context = browser.new_context()
    try:
        context.add_cookies(
            [
                {
                    "name": "mentorkit_resume",
                    "value": "7KQM-2XPA-H9RD-4TZB",
                    "url": f"{served_demo.base_url}/",
                }
            ]
        )
        page = context.new_page()
        page.goto(f"{served_demo.base_url}/start", timeout=LOAD_TIMEOUT_MS)
        expect(page.get_by_role("alert")).to_contain_text("kept a sign-in that no longer works")
        expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment")
        assert kept_code(page) is None
    finally:
        context.close()


@dataclass(frozen=True)
class Answer:
    status: int
    cookies: list[str]
    body: str


def post(base_url: str, fields: dict[str, str], **headers: str) -> Answer:
    """POST the sign-in form as a browser would, with `headers`."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        connection.request("POST", "/start", body=urlencode(fields), headers=sent)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Answer(response.status, response.headers.get_all("Set-Cookie") or [], body)
    finally:
        connection.close()


def test_a_sign_in_sent_from_another_site_is_refused_in_plain_words(served_demo):
    name = "Signed In Elsewhere"
    fields = {"step": "01_self_assessment", "action": "join", "join": served_demo.join_code}
    for headers in (
        {"Origin": "https://elsewhere.example"},
        {"Referer": "https://elsewhere.example/page"},
    ):
        answer = post(served_demo.base_url, {**fields, "who": name}, **headers)
        assert answer.status == 403
        assert "sent from another website (https://elsewhere.example)" in answer.body
        assert not [c for c in answer.cookies if c.startswith("mentorkit_resume=")]
    with open_store(served_demo.database_url) as store:
        assert name not in {p.name for p in store.participants(served_demo.join_code)}
    # The same form from the server's own page signs in.
    host = urlsplit(served_demo.base_url).netloc
    fine = post(served_demo.base_url, {**fields, "who": name}, Origin=f"http://{host}")
    assert fine.status == 303
    assert [c for c in fine.cookies if c.startswith("mentorkit_resume=")]
