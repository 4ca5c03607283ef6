"""One participant, two tabs: the stale tab is told, and chooses; nothing is overwritten."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from browser_helpers import (
    LOAD_TIMEOUT_MS,
    first_visit,
    no_dialogs,
    open_app,
    watch_console,
)
from person import Person
from playwright.sync_api import Locator, Page, expect

from mentorkit.identity import resume
from mentorkit.store import DocumentKey, SqlStore, open_store

pytestmark = pytest.mark.browser
APP = "01_self_assessment.ipynb"
FIELD = "Career goal (1–3 years)"
SAVE_TIMEOUT_S = 30.0

FIRST_IN_A = "Lead a small team within two years (typed in tab A)"
LOST_IN_B = "Move into product management (typed in tab B, never saved)"
THEN_IN_B = "Lead a small team, then a department (tab B, after loading A's version)"
KEPT_IN_A = "Lead a team of eight by 2027 (tab A, kept over tab B's version)"


@pytest.fixture
def demo_store(served_demo) -> Iterator[SqlStore]:
    """The served demo's database, read as the apps write it."""
    store = open_store(served_demo.database_url)
    yield store
    store.close()


def wait_for_saved(store: SqlStore, key: DocumentKey, career_goal: str) -> int:
    """Wait until the store's latest self-assessment says `career_goal`; its revision."""
    deadline = time.monotonic() + SAVE_TIMEOUT_S
    while True:
        saved = store.load(key)
        if saved is not None and saved.document.career_goal == career_goal:
            return saved.revision
        if time.monotonic() > deadline:
            found = saved.document.career_goal if saved else None
            raise AssertionError(f"{career_goal!r} was not saved; the store has {found!r}")
        time.sleep(0.2)


def conflict_panel(page: Page) -> Locator:
    return page.locator(".mentorkit-conflict")


def test_a_stale_tab_is_told_and_chooses_and_nothing_is_overwritten(
    page: Page, people: Callable[..., Person], served_demo, demo_store
):
    person_a = people(page)
    tab_a = first_visit(person_a, served_demo, APP, "Test Two Tabs Person")
    key = DocumentKey(
        served_demo.join_code,
        resume(demo_store, tab_a.resume_code).participant.id,
        "self_assessment",
    )
    page_b = page.context.new_page()
    person_b = people(page_b)
    errors_b, dialogs_b = watch_console(page_b), no_dialogs(page_b)
    open_app(page_b, served_demo.base_url, APP, f"?resume={tab_a.resume_code}")
    expect(page_b.locator(".mentorkit-who")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(conflict_panel(page_b)).to_be_hidden()

    # Tab A saves first; tab B, still on the version it loaded (none), is stale.
    # Pasted, each in one go, where the test counts revisions: typed key by key, a pause
    # in the typing may save a first part as a revision of its own.
    person_a.paste(FIELD, FIRST_IN_A)
    assert wait_for_saved(demo_store, key, FIRST_IN_A) == 1
    person_b.type(FIELD, LOST_IN_B)
    panel_b = conflict_panel(page_b)
    expect(panel_b).to_be_visible(timeout=30_000)
    expect(panel_b).to_contain_text(
        "Your self-assessment was changed in another tab or device after this page loaded it."
    )
    expect(panel_b).to_contain_text("Nothing was overwritten.")
    load_newer = page_b.get_by_role("button", name="Load the newer version")
    keep_mine = page_b.get_by_role("button", name="Keep my version")
    expect(load_newer).to_be_visible()
    expect(keep_mine).to_be_visible()
    expect(page_b.locator(".mentorkit-save-conflict")).to_contain_text(
        "Not saved: this worksheet was changed in another tab or device."
    )
    # The choice stays in view beside the field being typed in, whatever the scroll.
    expect(panel_b).to_be_in_viewport()
    expect(page_b.get_by_label(FIELD)).to_have_value(LOST_IN_B)
    # Edits in the stale tab stay in the page, unsaved, and the status says so.
    person_b.type(FIELD, ", and more", replace=False)
    expect(page_b.locator(".mentorkit-save-conflict")).to_contain_text(
        "Your edits stay in this page, unsaved", timeout=30_000
    )
    person_b.shot("two_tabs_conflict_in_view")  # what B sees
    person_b.shot("two_tabs_conflict", whole=True)
    assert demo_store.load(key).revision == 1

    person_b.click(load_newer)
    expect(page_b.get_by_label(FIELD)).to_have_value(FIRST_IN_A, timeout=30_000)
    expect(panel_b).to_be_hidden()
    expect(page_b.locator(".mentorkit-save-status")).to_contain_text("Showing the newer version")

    # Tab B goes on from A's version and saves; now tab A is the stale one.
    person_b.paste(FIELD, THEN_IN_B)
    assert wait_for_saved(demo_store, key, THEN_IN_B) == 2
    person_a.paste(FIELD, KEPT_IN_A)
    panel_a = conflict_panel(page)
    expect(panel_a).to_be_visible(timeout=30_000)
    assert demo_store.load(key).document.career_goal == THEN_IN_B
    person_a.click(person_a.button("Keep my version"))
    assert wait_for_saved(demo_store, key, KEPT_IN_A) == 3
    expect(panel_a).to_be_hidden()
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=30_000)
    expect(page.locator(".mentorkit-notice")).to_contain_text("Your version is saved.")

    tab_a.reload_and_resume()
    expect(page.get_by_label(FIELD)).to_have_value(KEPT_IN_A, timeout=30_000)
    history = [saved.document.career_goal for saved in demo_store.history(key)]
    assert history == [FIRST_IN_A, THEN_IN_B, KEPT_IN_A]

    tab_a.assert_clean()
    assert dialogs_b == [] and errors_b == [], (dialogs_b, errors_b)
    page_b.close(run_before_unload=True)
