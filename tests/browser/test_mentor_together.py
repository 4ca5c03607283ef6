"""A mentee and their mentor agree the mentoring agreement together and share progress by
choice: the mentor suggests a change, the mentee accepts it, both confirm and the printout
names both; the mentee shares one goal and one meeting and keeps one of each private; the
mentor comments on the shared goal and the mentee reads it. Nothing private reaches the
mentor's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

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
from mentorkit.mentoring import Answerer
from mentorkit.models import CheckIn, SmartGoal
from mentorkit.store import DocumentKey, open_store

pytestmark = pytest.mark.browser
MENTOR_APP = "mentor.ipynb"
EXPECTATIONS = "03_expectations.ipynb"
GOALS_APP = "04_smart_goals.ipynb"
CHECK_INS_APP = "05_check_ins.ipynb"
#: A sample mentor no other browser test pairs with anyone.
MENTOR = "Nguyễn Thu Hà"
MENTEE = "Test Mentee Of Thu Ha"
PRIVATE = "PRIVATE-SALARY-TALK"
COMMENT = f"Start with one team first. {HOSTILE}"


def everything_on_the_page(page: Page) -> str:
    """The page's text and the value of every input on it: what a mentor could read."""
    return page.evaluate(
        """() => document.body.innerText + " " + [...document.querySelectorAll(
            'input, textarea, select, option')].map(e => e.value || e.textContent).join(" ")"""
    )


def test_a_mentee_and_mentor_agree_together_and_share_only_what_is_chosen(
    browser: Browser, page: Page, people: Callable[..., Person], served_demo
):
    participant = people(page)
    visit = first_visit(participant, served_demo, EXPECTATIONS, MENTEE)
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (mentor_profile,) = [m for m in store.mentors(code) if m.name == MENTOR]
        (me,) = [p for p in store.participants(code) if p.name == MENTEE]
        # The mentor accepted the mentee's request (as the first mentor test does by hand).
        store.decide_match(code, me.id, mentor_profile.email, "lock", answered_by=Answerer.MENTOR)
        invite = reset_mentor_invite_codes(store, code, [mentor_profile.email])
        # Two goals and two meetings written earlier; one of each will be shared.
        for name, title in (("goal-1", "Lead the spring launch"), ("goal-2", PRIVATE)):
            goal = SmartGoal(title=title, specific=f"{title}, in detail")
            store.save(DocumentKey(code, me.id, "smart_goal", name), goal, expected_revision=0)
        for name, learned in (("check-in-1", "Delegating early helps"), ("check-in-2", PRIVATE)):
            meeting = CheckIn(met_on=date(2027, 1, 11), learned=learned)
            store.save(DocumentKey(code, me.id, "check_in", name), meeting, expected_revision=0)

    # The agreement's first draft names the mentor who accepted; the mentee writes a goal.
    visit.reload_and_resume()
    mentor_field = participant.field("Mentor")
    expect(mentor_field.locator("option:checked")).to_have_text(MENTOR, timeout=30_000)
    expect(participant.field("Meeting length (minutes)")).to_have_value("45")
    participant.type("Goals for our relationship", "Lead my first team")
    wait_until_saved(participant)

    # The mentor signs in with their link and suggests shorter meetings.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    mentor = people(context.new_page())
    try:
        mentor_page = mentor.page
        console, dialogs = watch_console(mentor_page), no_dialogs(mentor_page)
        open_app(
            mentor, served_demo.base_url, MENTOR_APP, f"?invite={invite[mentor_profile.email]}"
        )
        card = mentor_page.locator(".mentorkit-mentee-card", has_text=MENTEE)
        expect(card).to_contain_text("Draft: not confirmed yet", timeout=LOAD_TIMEOUT_MS)
        mentor.click(card.get_by_role("button", name="Suggest a change…"))
        length = card.get_by_label("Meeting length (minutes)")
        mentor.type(length, "30", expect_value="30")
        mentor.type(card.get_by_label(f"Note to {MENTEE}"), "Shorter is easier to keep.")
        mentor.click(card.get_by_role("button", name="Send the suggestion"))
        expect(card).to_contain_text("waiting for", timeout=30_000)
        mentor.shot("mentor-suggested")

        # The mentee accepts the suggestion, then confirms the agreement.
        visit.reload_and_resume()
        suggestion = page.locator(".mentorkit-app").get_by_text("Shorter is easier to keep.")
        participant.reach(suggestion, to_use=False)
        participant.click(participant.button("Accept these changes"))
        expect(participant.field("Meeting length (minutes)")).to_have_value("30", timeout=30_000)
        wait_until_saved(participant)
        participant.click(participant.button("Confirm this agreement"))
        expect(page.locator(".mentorkit-app")).to_contain_text(
            f"waiting for {MENTOR}", timeout=30_000
        )

        # The mentor confirms the version the mentee confirmed.
        mentor.reload("the mentee confirmed")
        card = mentor_page.locator(".mentorkit-mentee-card", has_text=MENTEE)
        expect(card).to_contain_text("waiting for you", timeout=LOAD_TIMEOUT_MS)
        mentor.click(card.get_by_role("button", name="Confirm this agreement"))
        expect(card).to_contain_text("Agreed by both", timeout=30_000)

        # Both confirmations are on the mentee's printout.
        visit.reload_and_resume()
        expect(page.locator(".mentorkit-app")).to_contain_text(
            f"Agreed by you and {MENTOR}", timeout=30_000
        )
        printout = page.locator(".mentorkit-document")
        participant.reach(printout, to_use=False)
        expect(printout).to_contain_text(MENTEE)
        expect(printout).to_contain_text(MENTOR)
        expect(printout).to_contain_text("Confirmed")
        participant.shot("agreed-by-both")

        # The mentee shares goal 1 and meeting 1, and keeps goal 2 and meeting 2 private.
        visit.open_and_resume(GOALS_APP)
        participant.check(participant.field("Share goal 1 with my mentor"))
        wait_until_saved(participant)
        visit.open_and_resume(CHECK_INS_APP)
        participant.check(participant.field("Share meeting 1 with my mentor"))
        wait_until_saved(participant)

        # The mentor sees the shared goal and meeting, nothing private, and comments.
        mentor.reload("the mentee shared")
        card = mentor_page.locator(".mentorkit-mentee-card", has_text=MENTEE)
        expect(card).to_contain_text("Lead the spring launch", timeout=LOAD_TIMEOUT_MS)
        expect(card).to_contain_text("Delegating early helps")
        seen = everything_on_the_page(mentor_page)
        assert PRIVATE not in seen and "Goal 2" not in seen and "Meeting 2" not in seen
        comment = card.get_by_label("Comment on Goal 1")
        mentor.type(comment, COMMENT)
        mentor.click(card.get_by_role("button", name="Add comment").first)
        expect(card).to_contain_text("Start with one team first.", timeout=30_000)
        mentor.shot("mentor-commented")
        assert PRIVATE not in everything_on_the_page(mentor_page)
        assert mentor_page.locator(".mentorkit-app img").count() == 0
        assert dialogs == [] and console == [], (dialogs, console)

        # The mentee reads the comment under the goal.
        visit.open_and_resume(GOALS_APP)
        comments = page.locator(".mentorkit-app").get_by_text(
            re.compile("Start with one team first")
        )
        participant.reach(comments.first, to_use=False)
        expect(comments.first).to_contain_text(HOSTILE)  # shown as text, never run
        participant.shot("mentee-reads-the-comment")
        visit.assert_clean()
    finally:
        context.close()
