"""A mentor signs in with the personal link of their invitation, updates their profile,
and accepts a request a participant sends from the shortlist; both see it after reloads."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_helpers import (
    HOSTILE,
    LOAD_TIMEOUT_MS,
    first_visit,
    no_dialogs,
    open_app,
    wait_until_saved,
    watch_console,
)
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.identity import reset_mentor_invite_codes
from mentorkit.store import open_store

pytestmark = pytest.mark.browser
MENTOR_APP = "mentor.ipynb"
SHORTLIST = "02_mentor_shortlist.ipynb"
#: A sample mentor no other browser test asks, so that their places are this test's.
MENTOR = "Amara Nwosu"
MENTEE = "Test Mentee Of Amara"
BIO = "Twenty years of product work; I like helping people find their next step."
MESSAGE = f"Dear Amara,\n\nCould we meet for half an hour about leading a team?\n{HOSTILE}"


def mentor_signed_in(person: Person) -> None:
    """After a reload the mentor's browser has kept their sign-in."""
    expect(person.page.locator(".mentorkit-who")).to_contain_text(
        f"Signed in as {MENTOR}", timeout=LOAD_TIMEOUT_MS
    )


def test_a_mentor_signs_in_by_link_keeps_a_profile_and_accepts_a_request(
    browser: Browser, page: Page, people: Callable[..., Person], served_demo
):
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (amara,) = [m for m in store.mentors(code) if m.name == MENTOR]
        invite = reset_mentor_invite_codes(store, code, [amara.email])[amara.email]

    # The mentor opens the personal link of their invitation, in a browser of their own.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    mentor = people(context.new_page())
    try:
        mentor_page = mentor.page
        console, dialogs = watch_console(mentor_page), no_dialogs(mentor_page)
        open_app(mentor, served_demo.base_url, MENTOR_APP, f"?invite={invite}")
        mentor_signed_in(mentor)
        resume = mentor_page.locator(".mentorkit-resume-code")
        expect(resume).to_have_text(re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$"))
        # The one-time code leaves the address bar, and a reload stays signed in.
        expect(mentor_page).not_to_have_url(re.compile("invite="))
        mentor.after_reload = mentor_signed_in
        mentor.reload("after the invite link")
        expect(mentor_page.locator(".mentorkit-resume-code")).to_have_count(0)

        # The profile: typed by keyboard, saved as typed, there after a reload.
        about = mentor.field("About me")
        mentor.clear(about)
        mentor.type(about, BIO)
        mentor.type("Other topics", "Career change, Product management")
        wait_until_saved(mentor)
        mentor.reload("after the profile")
        expect(mentor.field("About me")).to_have_value(BIO, timeout=LOAD_TIMEOUT_MS)
        expect(mentor.field("Other topics")).to_have_value("Career change, Product management")
        expect(mentor_page.locator(".mentorkit-app")).to_contain_text("No requests yet")
        mentor.shot("mentor-profile")

        # A participant sends Amara a request from their shortlist.
        participant = people(page)
        visit = first_visit(participant, served_demo, SHORTLIST, MENTEE)
        expect(page.locator(".mentorkit-mentor")).to_have_count(10, timeout=30_000)
        # The directory reads the profile the mentor just saved.
        expect(page.locator(".mentorkit-mentor", has_text=MENTOR)).to_contain_text(BIO)
        participant.choose("Choice 1", MENTOR)
        message = page.get_by_label(f"Message to {MENTOR}")
        expect(message).to_have_value(re.compile(r"Dear Amara,"), timeout=30_000)
        participant.type(message, MESSAGE)
        participant.click(page.get_by_role("button", name=f"Send as a request to {MENTOR}"))
        expect(page.locator(".mentorkit-app")).to_contain_text(
            f"Request sent to {MENTOR}", timeout=30_000
        )

        # The mentor finds it after a reload, with the message as sent, and accepts.
        mentor.reload("a request came in")
        card = mentor_page.locator(".mentorkit-request-card", has_text=MENTEE)
        expect(card).to_contain_text("Could we meet for half an hour", timeout=LOAD_TIMEOUT_MS)
        expect(card).to_contain_text(HOSTILE)  # the message's markup shown as text
        accept = mentor.button(f"Accept {MENTEE}")
        mentor.click(accept)
        expect(card).to_contain_text("You accepted", timeout=30_000)
        mentor.shot("mentor-accepted")
        mentor.reload("after accepting")
        expect(mentor_page.locator(".mentorkit-request-card", has_text=MENTEE)).to_contain_text(
            "You accepted", timeout=LOAD_TIMEOUT_MS
        )
        assert mentor_page.locator(".mentorkit-app img").count() == 0
        assert dialogs == []
        assert console == [], console

        # The participant sees the answer after a reload.
        visit.reload_and_resume()
        expect(page.locator(".mentorkit-app")).to_contain_text(
            f"{MENTOR} accepted your request", timeout=30_000
        )
        participant.shot("mentee-accepted")
        visit.assert_clean()
    finally:
        context.close()
