"""The Workshop setup app in a real browser: the facilitator signs in to the demo workshop,
rewrites the text the self-assessment opens with, and a participant opening the
self-assessment (its sign-in page, then the worksheet) reads the new text."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from browser_helpers import HOSTILE, facilitator_sign_in, first_visit, open_app, watch_console
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.store import open_store
from mentorkit.workshops import create_workshop, with_guidance

pytestmark = pytest.mark.browser
SETUP = "facilitator/setup.ipynb"
WAIT_MS = 60_000
SPREADSHEET_EXPORT = Path(__file__).parents[1] / "unit" / "data" / "mentors_spreadsheet_export.csv"
NEW_TEXT = f"Welcome to the spring cohort: rate yourself calmly. {HOSTILE}"


@pytest.fixture
def demo_texts_restored(served_demo) -> Iterator[None]:
    """The demo workshop opens with the default texts again after the test (the server is
    shared by the whole session)."""
    yield
    with open_store(served_demo.database_url) as store:
        workshop = store.workshop(served_demo.join_code)
        store.update_workshop(with_guidance(workshop, "01_self_assessment", None))


def test_a_new_self_assessment_text_is_what_participants_read(
    page: Page, person: Person, served_demo, demo_texts_restored
):
    console_errors = watch_console(page)
    facilitator_sign_in(person, served_demo, SETUP, served_demo.facilitator_key)
    expect(page.get_by_role("heading", name="Worksheet texts")).to_be_attached(timeout=WAIT_MS)
    person.type("Self-assessment", NEW_TEXT)
    person.click(person.button("Save the text of Self-assessment"))
    expect(page.locator(".mentorkit-setup-texts")).to_contain_text(
        "Saved: participants see this text", timeout=WAIT_MS
    )
    assert console_errors == []

    # The server's own sign-in page for the step, as the gallery's card opens it.
    page.goto(f"{served_demo.base_url}/start?step=01_self_assessment")
    guidance = page.locator(".mentorkit-guidance")
    expect(guidance).to_contain_text(NEW_TEXT)
    assert page.locator(".mentorkit-guidance img").count() == 0  # hostile text stays text

    # The worksheet itself, once signed in.
    visit = first_visit(person, served_demo, "01_self_assessment.ipynb", "Test Setup Reader")
    expect(page.locator(".mentorkit-guidance")).to_contain_text(NEW_TEXT, timeout=WAIT_MS)
    assert page.locator(".mentorkit-guidance img").count() == 0
    visit.assert_clean()


def test_a_file_too_big_to_send_is_refused_in_the_page_which_keeps_working(
    page: Page, person: Person, served_demo, tmp_path
):
    """The server closes a page's kernel connection on a message over 1 MiB: a file that big
    is refused before it is sent, with a sentence under the button, and the next upload of
    the same page still reaches the kernel."""
    console_errors = watch_console(page)
    big = tmp_path / "all-staff-export.csv"
    big.write_text("name,email\n" + "A Person,a.person@example.org\n" * 60_000)  # 1.8 MB
    small = tmp_path / "mentors.csv"
    small.write_text(
        "Full name,E-mail address,Areas of expertise,Max. mentees\n"
        "Test Upload Mentor,test.upload.mentor@example.org,Leadership,2\n"
    )
    facilitator_sign_in(person, served_demo, SETUP, served_demo.facilitator_key)
    upload = person.button("Upload the mentor roster")
    expect(upload).to_be_attached(timeout=WAIT_MS)
    for chosen in (big, small):
        person.reach(upload)
        with page.expect_file_chooser() as chooser:
            person.click(upload)
        chooser.value.set_files(str(chosen))
        if chosen is big:
            refusal = page.locator(".mentorkit-upload-refused")
            expect(refusal).to_have_text(
                re.compile(
                    r"“all-staff-export\.csv” is 1\.8 MB; a file here can be at most 1\.0 MB"
                )
            )
            person.shot("setup_upload_too_big")
    rosters = page.locator(".mentorkit-rosters")
    expect(rosters).to_contain_text("Test Upload Mentor", timeout=WAIT_MS)  # the preview
    expect(page.locator(".mentorkit-upload-refused")).to_be_hidden()
    person.click(person.button("Discard this upload"))
    expect(rosters).not_to_contain_text("Test Upload Mentor", timeout=WAIT_MS)
    assert console_errors == []


def test_a_spreadsheet_export_of_40_mentors_imports_its_good_rows_with_their_tags(
    page: Page, person: Person, served_demo, tmp_path
):
    """The 40-mentor roster of the unit tests (header aliases, areas and synonyms, unknown
    terms, four unusable rows), saved as an Excel workbook and uploaded in the browser into
    a workshop of its own: the report names the four rows, the note the unknown terms, and
    the 36 good rows are imported with those terms kept as tags."""
    rows = list(csv.reader(SPREADSHEET_EXPORT.open(encoding="utf-8")))
    workbook = openpyxl.Workbook()
    for cells in rows:
        workbook.active.append(cells)
    roster = tmp_path / "Mentors (form responses).xlsx"
    workbook.save(roster)
    with open_store(served_demo.database_url) as store:
        access = create_workshop(store, "Spreadsheet cohort")
    code = access.workshop.code
    try:
        open_app(person, served_demo.base_url, SETUP, f"?join={code}")
        person.type("Facilitator key", access.facilitator_key)
        person.click(person.button("Sign in"))
        upload = person.button("Upload the mentor roster")
        expect(upload).to_be_attached(timeout=WAIT_MS)
        person.reach(upload)
        with page.expect_file_chooser() as chooser:
            person.click(upload)
        chooser.value.set_files(str(roster))
        rosters = page.locator(".mentorkit-rosters")
        expect(rosters.locator(".mentorkit-upload-summary")).to_contain_text(
            "40 rows read, 36 ready to import, 4 with problems", timeout=WAIT_MS
        )
        report = rosters.locator(".mentorkit-row-report tbody tr")
        person.reach(report.first, to_use=False)
        assert [row.locator("td").first.inner_text() for row in report.all()] == [
            "10",
            "15",
            "20",
            "30",
        ]
        terms = rosters.locator(".mentorkit-warnings li", has_text="kept as tags")
        person.reach(terms, to_use=False)
        for term in ("Kubernetes", "Grant writing", "UX research"):
            expect(terms).to_contain_text(term)
        expect(terms).to_contain_text("Accepted names")
        person.shot("setup_40_mentors_report")
        person.click(person.button("Import the 36 valid rows"))
        expect(rosters.locator(".mentorkit-import-outcome")).to_contain_text(
            "Imported 36 mentors", timeout=WAIT_MS
        )
        with open_store(served_demo.database_url) as store:
            mentors = {mentor.name: mentor for mentor in store.mentors(code)}
        assert len(mentors) == 36
        assert "Kubernetes" in mentors["Lukas Brenner"].tags
        assert "coaching-others" in mentors["Lukas Brenner"].expertise  # "mentoring"
    finally:
        with open_store(served_demo.database_url) as store:
            store.delete_workshop(code)
