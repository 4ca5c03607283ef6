"""A participant filters the mentor directory, shortlists two mentors with notes and an
edited outreach message, reloads, and finds everything back; a mentor they found
themselves is shortlisted, then named as the mentor of their agreement."""

import re

import pytest
from browser_helpers import HOSTILE, download, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.mentoring import Answerer
from mentorkit.models import MentoringAgreement
from mentorkit.store import DocumentKey, open_store

pytestmark = pytest.mark.browser
APP = "02_mentor_shortlist.ipynb"
EXPECTATIONS = "03_expectations.ipynb"
FIRST, SECOND = "Kenji Watanabe", "Chloé Marchand"  # both meet in person (sample roster)
MY_MESSAGE = (
    f"Dear Kenji,\n\nI admire your daily stand-ups. Could we talk for 30 minutes?\n{HOSTILE}"
)


def test_mentor_shortlist_survives_a_reload(page: Page, person: Person, served_demo):
    visit = first_visit(person, served_demo, APP, "Test Shortlist Person")
    app = page.locator(".mentorkit-app")
    expect(app).to_contain_text("the ranking gets better", timeout=30_000)
    expect(page.locator(".mentorkit-mentor")).to_have_count(10)

    person.choose("Meeting format", "In person")
    expect(app).to_contain_text("match your filters")
    cards = page.locator(".mentorkit-mentor")
    expect(cards.first).to_be_visible()
    # Retried until the list has been redrawn: every card shown meets in person.
    expect(cards.filter(has_not_text="in person")).to_have_count(0)

    person.choose("Choice 1", FIRST)
    message = page.get_by_label(f"Message to {FIRST}")
    expect(message).to_have_value(re.compile(r"^Subject: .*Dear Kenji,", re.S), timeout=30_000)
    person.type("Note on choice 1", "Runs a large plant; ask about stand-ups.")
    wait_until_saved(person)
    person.maybe_reload("after choice 1")
    person.choose("Choice 2", SECOND)
    expect(page.get_by_label(f"Message to {SECOND}")).to_have_value(
        re.compile(r"Dear Chloé,"), timeout=30_000
    )
    person.type("Note on choice 2", HOSTILE)
    person.type(message, MY_MESSAGE)
    wait_until_saved(page)
    expect(app).to_contain_text("On your shortlist: choice 1")
    expect(page.get_by_role("button", name=f"Copy message to {FIRST}")).to_be_visible()
    person.shot("02_mentor_shortlist", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("Choice 1", exact=True)).to_have_value(FIRST, timeout=30_000)
    expect(page.get_by_label("Choice 2", exact=True)).to_have_value(SECOND)
    expect(page.get_by_label("Note on choice 1")).to_have_value(
        "Runs a large plant; ask about stand-ups."
    )
    expect(page.get_by_label("Note on choice 2")).to_have_value(HOSTILE)
    expect(page.get_by_label(f"Message to {FIRST}")).to_have_value(MY_MESSAGE)
    expect(page.get_by_label(f"Message to {SECOND}")).to_have_value(re.compile(r"Dear Chloé,"))
    visit.assert_clean()


def test_a_request_sent_from_the_shortlist_is_kept_and_its_answer_shows_after_a_reload(
    page: Page, person: Person, served_demo
):
    visit = first_visit(person, served_demo, APP, "Test Request Person")
    app = page.locator(".mentorkit-app")
    expect(page.locator(".mentorkit-mentor")).to_have_count(10, timeout=30_000)
    person.choose("Choice 1", FIRST)
    message = page.get_by_label(f"Message to {FIRST}")
    expect(message).to_have_value(re.compile(r"Dear Kenji,"), timeout=30_000)
    person.type(message, MY_MESSAGE)
    person.click(page.get_by_role("button", name=f"Send as a request to {FIRST}"))
    expect(app).to_contain_text(f"Request sent to {FIRST}", timeout=30_000)
    wait_until_saved(person)
    # Sent is sent: the request is there after a reload, waiting, and can be withdrawn.
    visit.reload_and_resume()
    expect(app).to_contain_text(f"Request sent to {FIRST}", timeout=30_000)
    expect(app).to_contain_text("waiting for an answer")
    withdraw = page.get_by_role("button", name=f"Withdraw my request to {FIRST}")
    expect(withdraw).to_be_visible()
    expect(page.get_by_role("button", name=f"Send as a request to {FIRST}")).to_have_count(0)
    person.reach(withdraw)
    person.shot("02_mentor_shortlist-request-sent")

    # The mentor accepts, with a reply (stored as the mentor's app stores it).
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (me,) = [p for p in store.participants(code) if p.name == "Test Request Person"]
        (kenji,) = [m for m in store.mentors(code) if m.name == FIRST]
        store.decide_match(
            code, me.id, kenji.email, "lock", answered_by=Answerer.MENTOR, reply=HOSTILE
        )
    visit.reload_and_resume()
    expect(app).to_contain_text(f"{FIRST} accepted your request", timeout=30_000)
    reply = page.locator(".mentorkit-reply")
    person.reach(reply)
    expect(reply).to_have_text(HOSTILE)  # shown as text, never run
    expect(withdraw).to_have_count(0)
    next_step = page.locator(".mentorkit-request-accepted").get_by_role("link", name="Expectations")
    person.reach(next_step)
    person.shot("02_mentor_shortlist-request-accepted")
    visit.assert_clean()


KAI = "Kai Rivera"
KAI_CHOICE = f"{KAI} (found yourself)"
KAI_HOW = f"Gave the talk at our alumni evening;\nwe spoke afterwards. {HOSTILE}"


def arrow_to(person: Person, option: str, key: str, *, limit: int = 30) -> None:
    """Press `key` (ArrowUp, ArrowDown) in the focused drop-down until `option` is chosen."""
    for _ in range(limit):
        now = person.focused()
        if now is not None and now["value"] == option:
            return
        person.press(key)
    raise AssertionError(f"{key} never reached '{option}' (at {person.focused()})")


def stored_agreement(served_demo, who: str) -> MentoringAgreement | None:
    """The participant's agreement as the store holds it now."""
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (me,) = [p for p in store.participants(code) if p.name == who]
        saved = store.load(DocumentKey(code, me.id, MentoringAgreement.kind))
    if saved is None:
        return None
    assert isinstance(saved.document, MentoringAgreement)
    return saved.document


def test_a_mentor_found_yourself_is_written_down_chosen_and_drafted_to_across_a_reload(
    page: Page, person: Person, served_demo, tmp_path
):
    """Beyond the directory: the participant reads where to look, writes down someone from
    their alumni network by keyboard (a link typed wrong first), chooses them, and gets a
    draft that says where they found them; all of it is there after a reload. Then, in
    Expectations, they choose that mentor for their agreement with the keyboard: kept
    across a reload, named in the printable agreement, and the "Agreed together" panel
    says why that mentor cannot confirm on mentorkit."""
    who = "Test Found Mentor Person"
    visit = first_visit(person, served_demo, APP, who)
    app = page.locator(".mentorkit-app")
    expect(page.locator(".mentorkit-mentor")).to_have_count(10, timeout=30_000)
    advice = page.locator(".mentorkit-advice")
    person.reach(advice)
    expect(advice).to_contain_text("Alumni groups")
    expect(advice).to_contain_text("What others say")
    person.click(page.get_by_role("button", name="Add a mentor you found yourself"))
    person.type("Mentor you found 1: name", KAI)
    person.choose("Mentor you found 1: where", "An alumni group")
    person.type("Mentor you found 1: how you know them", KAI_HOW)
    person.type("Mentor you found 1: link", "linkedin.com/in/kai")
    found = page.locator(".mentorkit-found")
    expect(found).to_contain_text("must be a web address starting with https://")
    person.type("Mentor you found 1: link", "https://example.org/kai")
    expect(found).not_to_contain_text("must be a web address")
    person.type("Mentor you found 1: email", "kai.rivera@example.org")
    person.type("Mentor you found 1: good at", "negotiation; public speaking; Kubernetes")
    expect(found).to_contain_text("Good at (from the workshop's list): Negotiation")
    expect(found).to_contain_text("Other topics: Kubernetes")
    wait_until_saved(person)
    person.maybe_reload("after writing down a mentor found yourself")

    person.choose("Choice 1", KAI_CHOICE)
    message = page.get_by_label(f"Message to {KAI}")
    expect(message).to_have_value(
        re.compile(r"Dear Kai,.*I found you through our alumni network", re.S), timeout=30_000
    )
    expect(app).to_contain_text("send this message yourself (at kai.rivera@example.org)")
    expect(page.get_by_role("button", name=f"Send as a request to {KAI}")).to_have_count(0)
    person.type("Note on choice 1", "Ask how the alumni scheme pairs people.")
    wait_until_saved(person)
    person.shot("02_mentor_shortlist-found-yourself", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("Mentor you found 1: name")).to_have_value(KAI, timeout=30_000)
    expect(page.get_by_label("Mentor you found 1: how you know them")).to_have_value(KAI_HOW)
    expect(page.get_by_label("Mentor you found 1: link")).to_have_value("https://example.org/kai")
    expect(page.get_by_label("Choice 1", exact=True)).to_have_value(KAI_CHOICE)
    expect(page.get_by_label("Note on choice 1")).to_have_value(
        "Ask how the alumni scheme pairs people."
    )
    expect(page.get_by_label(f"Message to {KAI}")).to_have_value(
        re.compile("I found you through our alumni network")
    )
    visit.assert_clean()

    # The agreement: the first draft offers the first choice, the mentor found yourself.
    visit.open_and_resume(EXPECTATIONS)
    mentor = person.field("Mentor")
    expect(mentor).to_have_value(KAI_CHOICE, timeout=30_000)
    assert stored_agreement(served_demo, who) is None  # a draft until the first change
    # Chosen with the keyboard: Tab to the drop-down; up to the directory's last mentor
    # (saved), then down again to Kai, the last choice.
    person.tab_to("Mentor")
    person.press("ArrowUp")
    expect(mentor).not_to_have_value(KAI_CHOICE)
    wait_until_saved(person)
    before = stored_agreement(served_demo, who)
    assert before is not None and before.mentor_email is not None
    assert before.mentor_prospect is None
    arrow_to(person, KAI_CHOICE, "ArrowDown")
    expect(mentor).to_have_value(KAI_CHOICE)
    preview = page.locator(".mentorkit-document")
    expect(preview).to_contain_text(f"Mentor: {KAI}", timeout=30_000)
    wait_until_saved(person)
    agreement = stored_agreement(served_demo, who)
    assert agreement is not None
    assert (agreement.mentor_prospect, agreement.mentor_email) == ("own-1", None)
    together = page.locator(".mentorkit-agreed-together")
    person.reach(together.locator(".mentorkit-agreement-status"), to_use=False)
    expect(together).to_contain_text(
        f"{KAI} is not on this workshop's list of mentors, so they cannot confirm here: "
        "print the agreement and go through it together."
    )
    expect(person.button("Confirm this agreement")).to_have_count(0)
    expect(person.button("Check for your mentor's answer")).to_have_count(0)
    person.shot("03_expectations-found-yourself", whole=True)

    visit.reload_and_resume()
    expect(mentor).to_have_value(KAI_CHOICE, timeout=30_000)
    path = download(person, "Download agreement (HTML)", tmp_path)
    printed = path.read_text(encoding="utf-8")
    assert f"Mentor: <strong>{KAI}</strong>" in printed
    assert f"<title>Mentoring agreement: {who} &amp; {KAI}</title>" in printed
    person.reach(together.locator(".mentorkit-agreement-status"), to_use=False)
    expect(together).to_contain_text(f"{KAI} is not on this workshop's list of mentors")
    person.shot("03_expectations-found-yourself-after-reload")
    visit.assert_clean()
