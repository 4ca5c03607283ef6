"""The Workshop setup app's data sections: roster upload (preview, row report, import of the
valid rows), every download, and the people list with its tools.

Uploads arrive the way ipywidgets 8's front end sends them: `FileUpload.value` set from the
page's state (a list of files with name, type, size, content and last_modified), and, for
the guard's tests, as the `update` message with the content as a binary buffer.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import openpyxl
import pytest

from mentorkit import people
from mentorkit.backup import backup_workshop, check_backup
from mentorkit.cli import main
from mentorkit.exports import EXPORT_KINDS, TABLE_KINDS
from mentorkit.identity import claim_invite, join
from mentorkit.models import Participant, PlanSharing
from mentorkit.store import DocumentKey, SqlStore, open_store
from mentorkit.testing import sign_in_rostered
from mentorkit.ui import guard, setup_rosters
from mentorkit.ui.facilitator import FacilitatorSession
from mentorkit.ui.frame import Notice
from mentorkit.ui.people_panel import PeopleSection
from mentorkit.ui.setup_rosters import DownloadsSection, RosterSection
from mentorkit.ui.uploads import MAX_UPLOAD_BYTES
from mentorkit.workshops import ensure_demo

HOSTILE = "<img src=x onerror=alert(1)>"
LAST_MODIFIED = 1_765_000_000_000  # ms since 1970, as the browser sends it

PARTICIPANTS_CSV = (
    "Full name,Email,Department,Favourite colour\n"
    "Nia Okafor,nia@example.net,Finance,blue\n"
    ",nobody@example.net,Finance,red\n"
    "Omar Haddad,not-an-email,Sales,green\n"
    f"{HOSTILE},hostile@@example.net,IT,{HOSTILE}\n"
    "Pia Lund,pia@example.net,IT,\n"
)
MENTORS_CSV = (
    "Name,Email,Expertise,Capacity\n"
    "Quinn Mbeki,quinn@example.net,Negotiation; Public speaking,2\n"
    "Rosa Ito,rosa@example.net,Negotiation,lots\n"
)


# -- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'setup.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    """A SQLite store of the test's own, which the command line can open too."""
    store = open_store(db_url)
    yield store
    store.close()


@pytest.fixture
def session(store: SqlStore) -> FacilitatorSession:
    """A facilitator signed in to the demo workshop (40 mentors, 30 participants)."""
    return FacilitatorSession(store, ensure_demo(store).workshop, Notice())


def file_entry(name: str, content: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "type": "text/csv",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": LAST_MODIFIED,
    }


def upload(section: RosterSection, kind: str, name: str, content: bytes) -> None:
    """The page's upload: `value` set from its state, as ipywidgets does with an update."""
    section.uploads[kind].set_state({"value": [file_entry(name, content)]})


def page_uploads(
    widget: widgets.FileUpload, files: list[tuple[str, bytes]], paths: list[Any] | None = None
) -> None:
    """The `update` message the front end sends for chosen files: their content travels
    as binary buffers at ["value", i, "content"]."""
    state = {
        "value": [{**file_entry(name, b""), "size": len(data)} for name, data in files],
        "error": "",
    }
    for entry in state["value"]:
        del entry["content"]
    widget.comm.handle_msg(
        {
            "content": {
                "comm_id": widget.model_id,
                "data": {
                    "method": "update",
                    "state": state,
                    "buffer_paths": paths
                    if paths is not None
                    else [["value", i, "content"] for i in range(len(files))],
                },
            },
            "buffers": [memoryview(data) for _, data in files],
        }
    )


@pytest.fixture
def guarded_widgets() -> Iterator[None]:
    """The guard on every widget made in the test, as in a page's kernel."""
    guard.install()
    try:
        yield
    finally:
        guard.uninstall()


def downloads(html: str) -> dict[str, bytes]:
    """The files behind the download links in `html`, by file name."""
    found = re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    return {name: base64.b64decode(data) for name, data in found}


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def emails(store: SqlStore, code: str) -> set[str | None]:
    return {p.email for p in store.participants(code)}


# -- roster upload --------------------------------------------------------------------------


def test_a_roster_with_bad_rows_shows_the_report_and_imports_the_valid_rows_only_when_asked(
    session,
):
    store, code = session.store, session.workshop.code
    before = emails(store, code)
    section = RosterSection(session)
    upload(section, "participants", "cohort.csv", PARTICIPANTS_CSV.encode())

    assert emails(store, code) == before  # nothing written by looking
    assert section.uploads["participants"].value == ()  # read once, then let go
    assert "5 rows read, 2 ready to import, 3 with problems" in section.summary.value
    assert "Nia Okafor" in section.preview.value and "Pia Lund" in section.preview.value
    assert "Omar Haddad" not in section.preview.value
    report = section.report.value
    assert re.search(r"<td class='num'>3</td><td>Full name</td><td>must not be empty", report)
    assert re.search(r"<td class='num'>4</td><td>Email</td>", report)
    assert "&lt;img src=x onerror=alert(1)&gt;" not in report  # the name was fine; the email not
    assert "<img" not in report
    assert "Favourite colour" in section.notes.value
    assert section.import_button.description == "Import the 2 valid rows"
    assert not section.import_button.disabled

    section.import_button.click()

    assert emails(store, code) == before | {"nia@example.net", "pia@example.net"}
    assert "Imported 2 participants" in section.outcome.value
    assert "2 added, 0 updated" in section.outcome.value
    assert "3 rows were not imported" in section.outcome.value
    assert section.import_button.disabled and section.preview.value == ""
    section.import_button.click()  # a second click imports nothing more
    assert len(emails(store, code)) == len(before) + 2


def test_new_participants_get_invite_codes_shown_once_with_the_mail_merge_sheet(session):
    store = session.store
    section = RosterSection(session)
    upload(section, "participants", "cohort.csv", PARTICIPANTS_CSV.encode())
    section.import_button.click()

    files = downloads(section.outcome.value)
    assert set(files) == {"invites.csv", "invites.xlsx"}
    rows = csv_rows(files["invites.csv"])
    assert {row["email"] for row in rows} == {"nia@example.net", "pia@example.net"}
    nia = next(row for row in rows if row["email"] == "nia@example.net")
    assert claim_invite(store, nia["invite_code"]).participant.name == "Nia Okafor"
    sheet = openpyxl.load_workbook(io.BytesIO(files["invites.xlsx"])).active
    assert [cell.value for cell in sheet[1]] == list(people.INVITE_COLUMNS)

    upload(section, "participants", "again.csv", PARTICIPANTS_CSV.encode())
    assert "invite_code" not in section.outcome.value and not downloads(section.outcome.value)


def test_a_mentor_roster_is_previewed_with_competency_names_and_imported(session):
    store, code = session.store, session.workshop.code
    count = len(store.mentors(code))
    section = RosterSection(session)
    upload(section, "mentors", "mentors.xlsx.csv", MENTORS_CSV.encode())
    assert "Negotiation; Public speaking" in section.preview.value
    assert re.search(r"<td class='num'>3</td><td>Capacity</td>", section.report.value)
    section.import_button.click()
    assert {m.email for m in store.mentors(code)} >= {"quinn@example.net"}
    assert len(store.mentors(code)) == count + 1
    assert "Imported 1 mentor from" in section.outcome.value
    assert not downloads(section.outcome.value)  # mentors get no invite codes


def test_a_new_upload_replaces_the_preview(session):
    store, code = session.store, session.workshop.code
    section = RosterSection(session)
    upload(section, "participants", "first.csv", PARTICIPANTS_CSV.encode())
    fixed = "Full name,Email\nSam Berg,sam@example.net\n"
    upload(section, "participants", "fixed.csv", fixed.encode())
    assert "fixed.csv" in section.summary.value and "first.csv" not in section.summary.value
    assert section.report.value == ""
    section.import_button.click()
    assert "sam@example.net" in emails(store, code)
    assert "nia@example.net" not in emails(store, code)


def test_discarding_an_upload_or_clicking_import_without_one_imports_nothing(session):
    store, code = session.store, session.workshop.code
    before = emails(store, code)
    section = RosterSection(session)
    section.import_rows()  # a click the page never offered
    upload(section, "participants", "cohort.csv", PARTICIPANTS_CSV.encode())
    section.discard.click()
    assert section.summary.value == "" and section.import_button.disabled
    section.import_rows()
    assert emails(store, code) == before and section.outcome.value == ""


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("roster.xls", b"\xd0\xcf\x11\xe0 an old Excel file", "save it as an Excel workbook"),
        ("roster.csv", "Full name,Email\nJosé,jose@example.net\n".encode("latin-1"), "UTF-8"),
        ("roster.csv", b"Full name,Department\nAda,IT\n", "the column 'email' is missing"),
        ("roster.pdf", b"%PDF-1.4", "reads rosters saved as .csv"),
        (f"{HOSTILE}.csv", f"{HOSTILE},Department\nAda,IT\n".encode(), "missing"),
    ],
)
def test_a_broken_file_shows_its_sentence_escaped_and_writes_nothing(
    session, name, content, expected
):
    store, code = session.store, session.workshop.code
    before = emails(store, code)
    section = RosterSection(session)
    upload(section, "participants", name, content)
    summary = section.summary.value
    assert 'role="alert"' in summary and expected in html.unescape(summary)
    assert "Nothing was imported" in summary
    assert tempfile.gettempdir() not in summary  # the temporary file is never named
    assert html.escape(f"'{name}'") in summary  # the file the facilitator chose is
    assert "<img" not in summary
    if HOSTILE in name:
        assert "&lt;img src=x onerror=alert(1)&gt;" in summary
    assert section.import_button.disabled and section.preview.value == ""
    assert emails(store, code) == before


def test_hostile_cells_are_escaped_in_the_preview_the_report_and_the_notes(session):
    section = RosterSection(session)
    content = f"Full name,Email,{HOSTILE}\n{HOSTILE},evil@example.net,x\n{HOSTILE},bad,{HOSTILE}\n"
    upload(section, "participants", "evil.csv", content.encode())
    shown = section.preview.value + section.report.value + section.notes.value
    assert shown.count("&lt;img src=x onerror=alert(1)&gt;") >= 2
    assert "<img" not in shown


def test_a_file_over_the_limit_is_refused_and_writes_nothing(session):
    store, code = session.store, session.workshop.code
    before = emails(store, code)
    section = RosterSection(session)
    big = b"Full name,Email\n" + b"Ada,ada@example.net\n" * (MAX_UPLOAD_BYTES // 20 + 1)
    assert len(big) > MAX_UPLOAD_BYTES
    upload(section, "participants", "big.csv", big)
    assert "at most 1 MB" in section.summary.value and "mentorkit import" in section.summary.value
    assert section.import_button.disabled and emails(store, code) == before
    assert "at most 1 MB" in section.children[0].value  # the limit is said before uploading


# -- the guard lets uploads through, and nothing else ----------------------------------------


def test_the_guard_lets_a_browser_upload_through(guarded_widgets, session):
    section = RosterSection(session)
    page_uploads(section.uploads["participants"], [("cohort.csv", PARTICIPANTS_CSV.encode())])
    assert "2 ready to import" in section.summary.value


@pytest.mark.parametrize(
    "hostile",
    [
        "two files",
        "buffer elsewhere",
        "size mismatch",
        "extra key",
        "over the limit",
        "time out of range",
    ],
)
def test_the_guard_refuses_an_upload_no_browser_sends(guarded_widgets, session, hostile):
    section = RosterSection(session)
    widget = section.uploads["participants"]
    data = PARTICIPANTS_CSV.encode()
    if hostile == "two files":
        page_uploads(widget, [("a.csv", data), ("b.csv", data)])
    elif hostile == "buffer elsewhere":
        page_uploads(widget, [("a.csv", data)], paths=[["description"]])
    elif hostile == "over the limit":
        page_uploads(widget, [("a.csv", b"x" * (MAX_UPLOAD_BYTES + 1))])
    else:
        entry = {**file_entry("a.csv", b""), "size": len(data)}
        del entry["content"]
        if hostile == "size mismatch":
            entry["size"] = 3
        elif hostile == "extra key":
            entry["path"] = "/etc/passwd"
        else:
            entry["last_modified"] = 10**20
        widget.comm.handle_msg(
            {
                "content": {
                    "comm_id": widget.model_id,
                    "data": {
                        "method": "update",
                        "state": {"value": [entry]},
                        "buffer_paths": [["value", 0, "content"]],
                    },
                },
                "buffers": [memoryview(data)],
            }
        )
    assert widget.value == () and section.summary.value == ""


def test_the_guard_still_refuses_binary_buffers_for_other_widgets(guarded_widgets):
    text = widgets.Text(value="kept")
    text.comm.handle_msg(
        {
            "content": {
                "comm_id": text.model_id,
                "data": {
                    "method": "update",
                    "state": {"value": "x"},
                    "buffer_paths": [["value"]],
                },
            },
            "buffers": [memoryview(b"changed")],
        }
    )
    assert text.value == "kept"


# -- downloads ------------------------------------------------------------------------------


def test_every_export_downloads_as_the_command_line_writes_it(session, db_url, tmp_path):
    store, code = session.store, session.workshop.code
    pid = store.find_participant(code, store.participants(code)[0].email).id
    store.save(
        DocumentKey(code, pid, PlanSharing.kind), PlanSharing(shared=True), expected_revision=0
    )
    section = DownloadsSection(session)
    assert section.exports.value == ""  # built only when asked
    section.prepare_exports.click()
    files = downloads(section.exports.value)

    for kind in TABLE_KINDS:
        for suffix in (".csv", ".xlsx"):
            written = tmp_path / f"cli-{kind}{suffix}"
            argv = ["export", kind, "--db", db_url, "--workshop", code, "-o", str(written)]
            assert main(argv) == 0
            got = files[f"{kind}-{code}{suffix}"]
            if suffix == ".csv":
                assert got == written.read_bytes(), kind
                assert csv_rows(got) == csv_rows(written.read_bytes())
            else:
                ours = openpyxl.load_workbook(io.BytesIO(got)).active
                theirs = openpyxl.load_workbook(written).active
                assert list(ours.values) == list(theirs.values), kind
    assert len(csv_rows(files[f"mentors-{code}.csv"])) == 40
    assert len(csv_rows(files[f"participants-{code}.csv"])) == 30
    with zipfile.ZipFile(io.BytesIO(files[f"plans-{code}.zip"])) as bundle:
        assert len(bundle.namelist()) == 1
    assert len(files) == 2 * len(TABLE_KINDS) + 1 == 2 * len(EXPORT_KINDS) - 1


def test_the_backup_download_is_the_backup_file_and_checks(session, tmp_path):
    section = DownloadsSection(session)
    assert section.backup.value == ""
    section.prepare_backup.click()
    assert "everyone's answers" in section.backup.value
    ((name, content),) = downloads(section.backup.value).items()
    assert name.startswith(f"backup-{session.workshop.code}-") and name.endswith(".jsonl")
    path = tmp_path / name
    path.write_bytes(content)
    workshop, counts = check_backup(path)
    assert workshop.code == session.workshop.code
    assert (counts.mentors, counts.participants) == (40, 30)
    _, _ = backup_workshop(session.store, session.workshop.code, tmp_path / "cli.jsonl")
    assert (tmp_path / "cli.jsonl").read_bytes() == content


def test_a_backup_too_big_for_the_page_points_to_the_command_line(session, monkeypatch):
    monkeypatch.setattr(setup_rosters, "MAX_PAGE_DOWNLOAD_BYTES", 1000)
    section = DownloadsSection(session)
    section.prepare_backup.click()
    assert f"mentorkit backup {session.workshop.code} FILE" in section.backup.value
    assert not downloads(section.backup.value)


def test_the_invite_sheet_issues_codes_only_to_those_who_have_none(session):
    store, code = session.store, session.workshop.code
    section = DownloadsSection(session)
    section.prepare_invites.click()
    assert "nobody needs a new one" in section.invites.value  # the demo invited everyone
    store.import_roster(code, participants=[Participant(name="Tove Ek", email="tove@example.net")])
    section.prepare_invites.click()
    files = downloads(section.invites.value)
    rows = csv_rows(files["invites.csv"])
    assert [row["email"] for row in rows] == ["tove@example.net"]
    assert claim_invite(store, rows[0]["invite_code"]).participant.email == "tove@example.net"


# -- people ---------------------------------------------------------------------------------


def test_the_people_list_shows_who_has_signed_in_after_refresh(session):
    store, code = session.store, session.workshop.code
    section = PeopleSection(session)
    first = store.participants(code)[0]
    row = re.compile(rf"<th scope='row'>{re.escape(first.name)}</th>.*?</tr>")
    assert "invited, not signed in yet" in row.search(section.listing.value)[0]
    assert "30 participants, 0 signed in" in section.listing.value
    sign_in_rostered(store, code, first.email)
    assert "0 signed in" in section.listing.value  # until the facilitator refreshes
    section.refresh_button.click()
    assert "30 participants, 1 signed in" in section.listing.value
    assert "signed in" in row.search(section.listing.value)[0]


def test_the_people_tools_act_and_the_list_follows(session):
    store, code = session.store, session.workshop.code
    section = PeopleSection(session)
    first = store.participants(code)[0]
    sign_in_rostered(store, code, first.email)
    panel = section.panel
    panel.person.value = first.id
    panel.reset.click()
    assert "New resume code for" in panel.outcome.value
    panel.person.value = first.id
    panel.remove.click()
    panel.confirm.click()
    assert first.email not in emails(store, code)
    assert first.name not in section.listing.value  # the list was read again
    assert "29 participants" in section.listing.value


def test_two_entries_of_one_name_are_told_apart_and_merged_the_right_way(session):
    """Someone who joined on the day twice by the same name: the list and the drop-downs
    number the entries (with the worksheets each saved), so the facilitator merges the
    entry that holds the worksheet into the other, not the other way round."""
    store, code = session.store, session.workshop.code
    first = join(store, code, "Rafael Ortiz").participant
    second = join(store, code, "Rafael Ortiz").participant
    store.save(
        DocumentKey(code, second.id, PlanSharing.kind),
        PlanSharing(shared=True),
        expected_revision=0,
    )
    section = PeopleSection(session)
    order = [p.id for p in store.participants(code) if p.name == "Rafael Ortiz"]
    kept, duplicate = sorted(order)  # the list orders entries of one name by id
    labels = dict((value, label) for label, value in section.panel.person.options)
    numbers = {kept: "entry 1 of 2", duplicate: "entry 2 of 2"}
    for pid, number in numbers.items():
        saved = 1 if pid == second.id else 0
        assert labels[pid] == (
            f"Rafael Ortiz (joined on the day) · {number}, {saved} worksheet"
            f"{'s' if saved != 1 else ''} saved"
        )
        assert f"Rafael Ortiz <span class='mentorkit-muted'>· {number}</span>" in (
            section.listing.value
        )
    assert len(set(labels.values())) == len(labels)  # every entry reads differently
    panel = section.panel
    panel.person.value = second.id
    panel.merge.click()
    assert [label for label, value in panel.keep.options if value == first.id] == [labels[first.id]]
    panel.keep.value = first.id
    moved, keeping = numbers[second.id], numbers[first.id]
    assert (  # the question says which entry goes where
        f"Move every worksheet of <strong>Rafael Ortiz ({moved})</strong> to "
        f"<strong>Rafael Ortiz ({keeping})</strong>"
    ) in panel.question.value
    panel.confirm.click()
    assert (
        f"Rafael Ortiz ({moved}) is merged into Rafael Ortiz ({keeping}): 1 worksheet moved"
    ) in panel.outcome.value
    assert [p.id for p in store.participants(code) if p.name == "Rafael Ortiz"] == [first.id]
    assert store.load(DocumentKey(code, first.id, PlanSharing.kind)) is not None
    assert "entry 1 of 2" not in section.listing.value  # one entry left: no number
