"""A facilitator runs a whole workshop from the browser, never a terminal.

On a server started on an empty database, the facilitator follows the gallery's "Workshop
setup" card, creates the first workshop with a session, uploads a mentor roster written
the way a spreadsheet export is (with three bad rows and a term the framework does not
know), reads the row report, uploads the corrected file and imports it, imports the
participants, shares the join link and watches two participants join (one with an invite
code, one on the day by name), resets a resume code, merges a duplicate entry, downloads
the exports and the backup, and deletes the workshop by typing its name.

Everyone works at 1280×800 in their own browser, with the person-like driver: every
element is reached with the mouse wheel and is on screen and uncovered before it is
touched; typing goes key by key. Screenshots of every step are in
test-results/facilitator-journey-*/.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from browser_helpers import (
    DESKTOP,
    ROOM_LIMITS,
    download,
    no_dialogs,
    start_logged,
    wait_for_http,
    wait_until_saved,
    watch_console,
)
from person import LOAD_TIMEOUT_MS, Person
from playwright.sync_api import Browser, BrowserContext, Locator, expect

from mentorkit.backup import check_backup
from mentorkit.store import open_store
from mentorkit.testing import free_port, stop_process_group

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
NAME = "Spring mentoring 2027"
START = date.today() + timedelta(days=30)
MENTOR_HEADER = "Full name,E-mail address,Max. mentees,Areas of expertise,Organisation\n"
#: Good rows: an area name, a synonym, a plural, a capacity in words, an unknown term.
GOOD_MENTORS = (
    "Ines Duarte,ines.duarte@example.org,2,Leadership; presenting,Acme\n"
    "Tomas Berg,tomas.berg@example.org,up to 3,Negotiations; Kubernetes,Globex\n"
    "Aiko Tanaka,aiko.tanaka@example.org,1,Career planning,Initech\n"
)
#: The same file with three bad rows (rows 5 to 7 as a spreadsheet numbers them).
BAD_MENTORS = (
    ",nobody@example.org,2,Networking,Umbrella\n"
    "Priya Raman,priya.raman@example,1,Communication,Hooli\n"
    "Lena Fischer,lena.fischer@example.org,lots,Networking,Vandelay\n"
)
#: The bad rows, corrected.
FIXED_MENTORS = (
    "Omar Haddad,omar.haddad@example.org,2,Networking,Umbrella\n"
    "Priya Raman,priya.raman@example.org,1,Communication,Hooli\n"
    "Lena Fischer,lena.fischer@example.org,4,Networking,Vandelay\n"
)
PARTICIPANTS = (
    "Full name,E-mail address,Department\n"
    "Maya Lindqvist,maya.lindqvist@example.org,Research\n"
    "Jonas Keller,jonas.keller@example.org,Finance\n"
)
INVITED = "Maya Lindqvist"
ON_THE_DAY = "Rafael Ortiz"
GOAL_FIELD = "Career goal (1–3 years)"
GOAL = "Lead a project team"


@dataclass(frozen=True)
class EmptyServer:
    """`mentorkit serve` on a database that holds no workshop."""

    base_url: str
    database_url: str


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[EmptyServer]:
    """`mentorkit serve` on a free port and a new, empty SQLite database, as a facilitator
    starts it before there is any workshop; stopped with its kernels on the way out."""
    database_url = f"sqlite:///{tmp_path / 'empty.db'}"
    port = free_port()
    log_path = tmp_path / "serve.log"
    process = start_logged(
        [sys.executable, "-m", "mentorkit.cli", "serve", "--port", str(port)],
        {**os.environ, "MENTORKIT_DB": database_url, **ROOM_LIMITS},
        log_path,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        try:
            status = wait_for_http(f"{base_url}/", process)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log_path.read_text()}") from None
        assert status == 200, log_path.read_text()
        assert f"Serving mentorkit at {base_url}/" in log_path.read_text()
        yield EmptyServer(base_url, database_url)
    finally:
        stop_process_group(process)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Every browser of the test, closed (with their kernels' pages) at the end."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def newcomer(browser: Browser, contexts: list[BrowserContext], name: str) -> Person:
    """Someone at their own computer: a browser of their own at 1280×800."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    contexts.append(context)
    return Person(context.new_page(), name=f"facilitator-journey-{name}", reload_probability=0)


def seen(person: Person, target: Locator) -> Locator:
    """Scroll, as a person does, until `target` can be read."""
    person.reach(target, to_use=False)
    return target


def upload(person: Person, button: str, path: Path) -> None:
    """Click the upload button and pick the file in the file chooser that opens."""
    with person.page.expect_file_chooser() as chooser:
        person.click(person.button(button))
    chooser.value.set_files(path)


def join_by_link(person: Person, link: str, join_code: str, **typed: str) -> str:
    """Open the join link (the join code is filled in), type into the sign-in form, press
    Start; the resume code the page shows."""
    person.page.goto(link, timeout=LOAD_TIMEOUT_MS)
    expect(person.field("Join code")).to_have_value(join_code)
    for label, text in typed.items():
        person.type(label, text)
    person.click(person.button("Start"))
    code = person.page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=WAIT_MS)
    expect(person.page.locator(".mentorkit-who")).to_be_visible(timeout=WAIT_MS)
    return code.inner_text().strip()


def row_of(table: Locator, name: str) -> Locator:
    return table.locator("tr", has=table.page.locator("th", has_text=name))


def test_a_facilitator_runs_a_workshop_from_the_browser_alone(
    browser: Browser, contexts: list[BrowserContext], empty_server: EmptyServer, tmp_path: Path
):
    base_url = empty_server.base_url
    facilitator = newcomer(browser, contexts, "facilitator")
    page = facilitator.page
    console_errors = watch_console(page)
    dialogs = no_dialogs(page)

    # 1. The gallery of an empty server offers the setup app; its first run creates the
    # first workshop, and shows the join code and the facilitator key once.
    page.goto(f"{base_url}/", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_contain_text("No workshop is set up yet")
    expect(page.locator(".mentorkit-app")).not_to_contain_text("mentorkit init")
    facilitator.shot("gallery on an empty database")
    facilitator.click(facilitator.link("Workshop setup"))
    expect(page.locator(".mentorkit-app").first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    expect(page.get_by_role("heading", name="First run: no workshop yet")).to_be_visible(
        timeout=WAIT_MS
    )
    facilitator.type("New workshop name", NAME)
    facilitator.type("New description", "Six weeks of mentoring.")
    facilitator.set_date("New start date", START.isoformat())
    facilitator.set_date("New end date", (START + timedelta(days=42)).isoformat())
    facilitator.shot("first workshop form")
    facilitator.click(facilitator.button("Create the first workshop"))
    created = page.locator(".mentorkit-new-key")
    expect(created).to_contain_text(f"The workshop {NAME} is created", timeout=WAIT_MS)
    join_code = created.locator("code").first.inner_text().strip()
    key = created.locator(".mentorkit-facilitator-key").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", join_code), join_code
    assert len(key) >= 12
    facilitator.shot("workshop created")

    facilitator.click(facilitator.button("Add a session"))
    facilitator.type("Session 1 title", "Kick-off")
    facilitator.set_date("Session 1 date", START.isoformat())
    facilitator.type("Session 1 place", "Room 2")
    facilitator.click(facilitator.button("Save details"))
    saved = page.locator(".mentorkit-setup-details .mentorkit-section-status")
    try:
        expect(saved).to_contain_text("The workshop's details are saved.", timeout=WAIT_MS)
    finally:
        facilitator.shot("details saved")
    with open_store(empty_server.database_url) as store:
        (stored,) = store.workshops()
        assert stored.code == join_code and [s.title for s in stored.sessions] == ["Kick-off"]

    # 2. A mentor roster with three bad rows: the report names each row, column and
    # reason, and the unknown term is kept as a tag; the corrected file is imported.
    rosters = page.locator(".mentorkit-rosters")
    mentors_bad = tmp_path / "mentors.csv"
    mentors_bad.write_text(MENTOR_HEADER + GOOD_MENTORS + BAD_MENTORS, encoding="utf-8")
    upload(facilitator, "Upload the mentor roster", mentors_bad)
    summary = rosters.locator(".mentorkit-upload-summary")
    expect(summary).to_contain_text(
        "6 rows read, 3 ready to import, 3 with problems", timeout=WAIT_MS
    )
    report = rosters.locator(".mentorkit-row-report")
    expect(seen(facilitator, report)).to_be_visible()
    reasons = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in report.locator("tbody tr").all()
    ]
    assert [r[:2] for r in reasons] == [
        ["5", "Full name"],
        ["6", "E-mail address"],
        ["7", "Max. mentees"],
    ], reasons
    assert "empty" in reasons[0][2] and "email" in reasons[1][2]
    assert "whole number" in reasons[2][2], reasons
    warning = rosters.locator(".mentorkit-warnings li", has_text="Kubernetes")
    expect(seen(facilitator, warning)).to_contain_text("kept as a tag")
    expect(warning).to_contain_text("(row 3)")
    preview = rosters.locator(".mentorkit-preview")
    expect(row_of(preview, "Tomas Berg")).to_contain_text("Kubernetes")
    facilitator.shot("mentor roster with bad rows")

    mentors_fixed = tmp_path / "mentors-fixed.csv"
    mentors_fixed.write_text(MENTOR_HEADER + GOOD_MENTORS + FIXED_MENTORS, encoding="utf-8")
    upload(facilitator, "Upload the mentor roster", mentors_fixed)
    expect(summary).to_contain_text("6 rows read, 6 ready to import", timeout=WAIT_MS)
    expect(report).to_have_count(0)
    facilitator.click(facilitator.button("Import the 6 valid rows"))
    outcome = rosters.locator(".mentorkit-import-outcome")
    expect(seen(facilitator, outcome)).to_contain_text(
        f"Imported 6 mentors from mentors-fixed.csv into {NAME}: 6 added", timeout=WAIT_MS
    )
    facilitator.shot("mentors imported")

    participants = tmp_path / "participants.csv"
    participants.write_text(PARTICIPANTS, encoding="utf-8")
    upload(facilitator, "Upload the participant roster", participants)
    expect(summary).to_contain_text("2 rows read, 2 ready to import", timeout=WAIT_MS)
    facilitator.click(facilitator.button("Import the 2 valid rows"))
    expect(seen(facilitator, outcome)).to_contain_text("Issued 2 new invite codes", timeout=WAIT_MS)
    sheet = download(facilitator, "Invite codes (CSV)", tmp_path)
    with sheet.open(encoding="utf-8-sig") as file:
        invites = {row["name"]: row for row in csv.DictReader(file)}
    assert set(invites) == {"Maya Lindqvist", "Jonas Keller"}, invites
    invite_code = invites[INVITED]["invite_code"]
    facilitator.shot("participants imported")

    # 3. The join link: one participant joins with their invite code, one by name.
    link_field = page.locator(".mentorkit-join-link input")
    link = seen(facilitator, link_field).input_value()
    assert link == f"{base_url}/start?join={join_code}", link
    facilitator.shot("join link")

    maya = newcomer(browser, contexts, "maya")
    maya_errors = watch_console(maya.page)
    maya_code = join_by_link(maya, link, join_code, **{"Invite code": invite_code})
    expect(maya.page.locator(".mentorkit-who")).to_contain_text(INVITED)
    maya.shot("joined with the invite code")

    rafael = newcomer(browser, contexts, "rafael")
    rafael_errors = watch_console(rafael.page)
    join_by_link(rafael, link, join_code, **{"Your name": ON_THE_DAY})
    rafael.shot("joined on the day")

    people = page.locator(".mentorkit-people-list")
    facilitator.click(facilitator.button("Refresh", exact=True))
    expect(row_of(people, INVITED)).to_contain_text("signed in", timeout=WAIT_MS)
    expect(row_of(people, ON_THE_DAY)).to_contain_text("signed in")
    expect(row_of(people, ON_THE_DAY)).to_contain_text("joined on the day")
    expect(row_of(people, "Jonas Keller")).to_contain_text("invited, not signed in yet")
    seen(facilitator, people)
    facilitator.shot("both participants signed in")

    # 4. Maya lost her resume code: a new one, shown once; the old one no longer works.
    panel = page.locator(".mentorkit-people")
    facilitator.choose("Participant", f"{INVITED} <maya.lindqvist@example.org>")
    facilitator.click(facilitator.button("Reset resume code"))
    new_code_shown = panel.locator(".mentorkit-resume-code")
    expect(seen(facilitator, new_code_shown)).to_be_visible(timeout=WAIT_MS)
    new_code = new_code_shown.inner_text().strip()
    assert new_code != maya_code
    facilitator.shot("resume code reset")

    maya.click(maya.button("Sign out"))
    expect(maya.field("Resume code")).to_be_visible(timeout=WAIT_MS)
    maya.type("Resume code", maya_code)
    maya.click(maya.button("Continue"))
    expect(maya.page.get_by_role("alert").filter(has_text="resume code")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(maya.page.locator(".mentorkit-who")).to_have_count(0)
    maya.shot("old code refused")
    maya.type("Resume code", new_code)
    maya.click(maya.button("Continue"))
    expect(maya.page.locator(".mentorkit-who")).to_contain_text(INVITED, timeout=WAIT_MS)
    maya.shot("new code works")

    # 5. Rafael joins again by name on another computer and writes there: the facilitator
    # merges that second entry into his first, which then has the worksheet.
    again = newcomer(browser, contexts, "rafael-again")
    again_errors = watch_console(again.page)
    join_by_link(again, link, join_code, **{"Your name": ON_THE_DAY})
    again.type(GOAL_FIELD, GOAL)
    wait_until_saved(again)
    again.shot("duplicate entry writes")

    facilitator.click(facilitator.button("Refresh", exact=True))
    entries = row_of(people, ON_THE_DAY)
    expect(entries).to_have_count(2, timeout=WAIT_MS)
    seen(facilitator, people)
    # The two entries read alike but for their place on the list and what each saved. The
    # drop-down's options arrive in a message of their own, after the list's: wait for them.
    choices = facilitator.field("Participant").locator("option")
    expect(choices.filter(has_text=re.compile(r"entry\s\d\sof\s2"))).to_have_count(
        2, timeout=WAIT_MS
    )
    options = choices.all_text_contents()
    labels = {
        shown.split(" · ", 1)[1]
        for shown in (option.replace("\xa0", " ") for option in options)  # as ipywidgets shows
        if shown.startswith(ON_THE_DAY)
    }
    assert labels == {"entry 1 of 2, 0 worksheets saved", "entry 2 of 2, 1 worksheet saved"} or (
        labels == {"entry 1 of 2, 1 worksheet saved", "entry 2 of 2, 0 worksheets saved"}
    ), labels
    duplicate = next(label for label in labels if label.endswith(", 1 worksheet saved"))
    kept = next(label for label in labels if label.endswith(", 0 worksheets saved"))
    facilitator.choose("Participant", f"{ON_THE_DAY} (joined on the day) · {duplicate}")
    facilitator.click(facilitator.button("Merge into…"))
    facilitator.choose("Merge into", f"{ON_THE_DAY} (joined on the day) · {kept}")
    question = panel.locator(".mentorkit-confirm [role=alert]")
    expect(seen(facilitator, question)).to_contain_text("Move every worksheet", timeout=WAIT_MS)
    facilitator.shot("merge question")
    facilitator.click(facilitator.button("Confirm merge"))
    expect(seen(facilitator, panel.locator(".mentorkit-success"))).to_contain_text(
        f"{ON_THE_DAY} ({duplicate.split(',')[0]}) is merged into {ON_THE_DAY} "
        f"({kept.split(',')[0]}): 1 worksheet moved",
        timeout=WAIT_MS,
    )
    expect(entries).to_have_count(1, timeout=WAIT_MS)
    expect(entries.locator("td.num")).to_have_text("1")
    facilitator.shot("merged")
    # Rafael's first browser, still signed in as the kept entry, finds what he wrote.
    rafael.reload("after the merge")
    expect(rafael.field(GOAL_FIELD)).to_have_value(GOAL, timeout=WAIT_MS)

    # 6. The exports and the backup, downloaded as a browser saves them.
    facilitator.click(facilitator.button("Prepare the exports"))
    progress = download(facilitator, "Progress (CSV)", tmp_path)
    text = progress.read_text(encoding="utf-8-sig")
    for who in (INVITED, ON_THE_DAY, "Jonas Keller"):
        assert who in text, text
    facilitator.shot("exports prepared")
    facilitator.click(facilitator.button("Prepare the backup file"))
    backup = download(facilitator, "Download the backup file", tmp_path)
    workshop, counts = check_backup(backup)
    assert workshop.code == join_code and workshop.name == NAME
    assert (counts.mentors, counts.participants, counts.documents) == (6, 3, 1), counts
    facilitator.shot("backup downloaded")

    # 7. Delete: the button waits for the name typed exactly.
    delete = facilitator.button("Delete this workshop")
    facilitator.type("Type its name", NAME[:-1])
    expect(seen(facilitator, delete)).to_be_disabled()
    facilitator.type("Type its name", NAME)
    expect(delete).to_be_enabled(timeout=WAIT_MS)
    facilitator.shot("delete confirmed by name")
    facilitator.click(delete)
    expect(page.locator(".mentorkit-app [role=status]", has_text="was deleted")).to_contain_text(
        f"The workshop {NAME} ({join_code}) was deleted", timeout=WAIT_MS
    )
    facilitator.shot("workshop deleted")
    with open_store(empty_server.database_url) as store:
        assert store.workshops() == []

    assert dialogs == []
    for errors in (console_errors, maya_errors, rafael_errors, again_errors):
        assert errors == [], errors
