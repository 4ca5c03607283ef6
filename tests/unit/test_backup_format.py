"""The backup file: its lines and order, refusals that name the line, and the CLI commands."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import stat
from pathlib import Path

import pytest

from mentorkit.backup import (
    BACKUP_FORMAT_VERSION,
    BackupError,
    backup_workshop,
    check_backup,
    mentorkit_version,
    read_backup,
    restore_backup,
    write_backup,
)
from mentorkit.cli import main
from mentorkit.identity import resume, sign_in
from mentorkit.models import MentorProfile, Participant, SelfAssessment, SmartGoal
from mentorkit.store import DocumentKey, open_store
from mentorkit.workshops import create_workshop

GOALS = ["First goal", "Second <b>goal</b>\u2028with a line separator", "Third goal 😀"]


@pytest.fixture
def filled(store) -> dict[str, str]:
    """A workshop with a mentor, two participants and documents saved more than once."""
    access = create_workshop(store, "Spring cohort")
    code = access.workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(
                name="Maya Goldberg",
                email="maya@example.org",
                expertise=["negotiation"],
                capacity=2,
            )
        ],
        participants=[Participant(name="Ines Okafor", email="ines@example.org")],
    )
    ines = sign_in(store, code, "ines@example.org")
    walk_in = sign_in(store, code, "Walk In")
    for person in (ines, walk_in):
        key = DocumentKey(code, person.participant.id, "self_assessment")
        for revision, goal in enumerate(GOALS):
            store.save(key, SelfAssessment(career_goal=goal), expected_revision=revision)
    store.save(
        DocumentKey(code, ines.participant.id, "smart_goal", "goal-1"),
        SmartGoal(title="Speak at a conference"),
        expected_revision=0,
    )
    return {"code": code, "key": access.facilitator_key, "resume": ines.new_resume_code}


@pytest.fixture
def backup_file(store, filled, tmp_path) -> Path:
    path = tmp_path / "backup.jsonl"
    backup_workshop(store, filled["code"], path)
    return path


@pytest.fixture
def target(tmp_path):
    """Another, empty database to restore into."""
    opened = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    yield opened
    opened.close()


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().split(b"\n") if line]


def rewrite(path: Path, change) -> None:
    """Apply `change` to the list of the file's lines (bytes, each with its newline)."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(change(lines)))


# ---------------------------------------------------------------------------------------
# The file


def test_the_lines_come_in_the_documented_order_with_a_header_and_a_closing_line(
    backup_file, filled
):
    found = records(backup_file)
    types = [r["type"] for r in found]
    assert types == [
        "header",
        "workshop",
        "mentor",
        "participant",
        "participant",
        "document",
        "document",
        "document",
        *["revision"] * 7,
        "end",
    ]
    assert found[0] == {
        "type": "header",
        "format": "mentorkit-backup",
        "format_version": BACKUP_FORMAT_VERSION,
        "mentorkit_version": mentorkit_version(),
        "workshop": filled["code"],
    }
    assert found[1]["body"]["framework"]["areas"], "the framework travels with the workshop"
    assert found[1]["facilitator_key_hash"].startswith("sha256:")
    assert filled["key"] not in backup_file.read_text(encoding="utf-8")
    assert filled["resume"] not in backup_file.read_text(encoding="utf-8")
    assert sum(1 for r in found if r["type"] == "participant" and r["resume_code_hash"]) == 2
    assert found[-1]["counts"] == {"mentors": 1, "participants": 2, "documents": 3, "revisions": 7}
    ids = [r["body"]["id"] for r in found if r["type"] == "participant"]
    assert ids == sorted(ids)
    keys = [(r["participant"], r["kind"], r["name"], r["revision"]) for r in found[8:-1]]
    assert keys == sorted(keys)
    for participant in ids:
        history = [
            r["body"]["career_goal"]
            for r in found
            if r["type"] == "revision"
            and r["participant"] == participant
            and r["kind"] == "self_assessment"
        ]
        assert history == GOALS


def test_the_same_data_gives_the_same_bytes(store, filled, backup_file, tmp_path):
    again = tmp_path / "again.jsonl"
    backup_workshop(store, filled["code"], again)
    assert again.read_bytes() == backup_file.read_bytes()
    # A line separator in the text stays as it is, inside its one JSON line.
    assert "\u2028".encode() in backup_file.read_bytes()


def test_a_restore_into_another_database_gives_back_the_same_workshop(
    store, filled, backup_file, target, tmp_path
):
    workshop, counts = restore_backup(target, backup_file)
    assert workshop.code == filled["code"]
    assert (counts.mentors, counts.participants, counts.documents, counts.revisions) == (
        1,
        2,
        3,
        7,
    )
    code = filled["code"]
    assert target.participants(code) == store.participants(code)
    for saved in store.list(code):
        assert target.history(saved.key) == store.history(saved.key)
    assert resume(target, filled["resume"]).participant.email == "ines@example.org"
    backup_workshop(target, code, tmp_path / "restored.jsonl")
    assert (tmp_path / "restored.jsonl").read_bytes() == backup_file.read_bytes()


def test_check_reads_the_whole_file_and_counts_it(backup_file, filled):
    workshop, counts = check_backup(backup_file)
    assert workshop.code == filled["code"]
    assert counts.revisions == 7


def test_the_file_is_readable_by_its_owner_only_and_is_not_overwritten(store, filled, backup_file):
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    before = backup_file.read_bytes()
    with pytest.raises(BackupError, match=r"already exists.*--overwrite"):
        backup_workshop(store, filled["code"], backup_file)
    assert backup_file.read_bytes() == before
    store.save(
        DocumentKey(filled["code"], store.participants(filled["code"])[0].id, "smart_goal", "g"),
        SmartGoal(title="New"),
        expected_revision=0,
    )
    backup_workshop(store, filled["code"], backup_file, overwrite=True)
    assert backup_file.read_bytes() != before


def test_a_backup_that_fails_half_way_leaves_no_file(store, filled, tmp_path):
    path = tmp_path / "half.jsonl"

    def failing_history():
        yield from ()
        raise OSError(28, "No space left on device")

    with store.read_workshop(filled["code"]) as snapshot:
        broken = dataclasses.replace(snapshot, history=failing_history())
        with pytest.raises(BackupError, match="No space left on device"):
            write_backup(broken, path)
    assert list(tmp_path.glob("*.jsonl*")) == []


# ---------------------------------------------------------------------------------------
# Refusals: each names the line and writes nothing


def assert_refused(target, path: Path, message: str) -> None:
    with pytest.raises(BackupError, match=message) as refused:
        restore_backup(target, path)
    assert "Nothing was restored" in str(refused.value)
    assert target.workshops() == []


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda data: data[:30], r"line 1: the line is cut off"),
        (lambda data: data[: data.index(b"\n") + 1], r"line 1: the file ends here"),
        (lambda data: data[: data.rindex(b"\n", 0, -1) - 10], r"line 15: the line is cut off"),
        (lambda data: data[: data.rindex(b"\n", 0, -1) + 1], r"line 15: the file ends here"),
        (lambda data: data[:-1], r"line 16: the line is cut off"),
    ],
    ids=["in the header", "after the header", "in a revision", "before the end", "in the end"],
)
def test_a_file_cut_short_anywhere_is_refused_naming_the_line(backup_file, target, cut, message):
    backup_file.write_bytes(cut(backup_file.read_bytes()))
    assert_refused(target, backup_file, message)


def test_a_changed_byte_that_still_reads_fails_the_checksum(backup_file, target):
    rewrite(
        backup_file, lambda lines: [line.replace(b"Third goal", b"Thirt goal") for line in lines]
    )
    assert_refused(target, backup_file, r"line 16: the checksum on the closing line")


def test_a_line_that_is_not_json_is_named(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines[:9], b'{"type": "revision", \n', *lines[10:]])
    assert_refused(target, backup_file, r"line 10: not valid JSON")


def test_a_document_that_does_not_validate_is_named_with_the_reason(backup_file, target):
    def break_goal(lines):
        record = json.loads(lines[10])
        record["body"]["career_goal"] = "x" * 1001
        return [*lines[:10], json.dumps(record).encode() + b"\n", *lines[11:]]

    rewrite(backup_file, break_goal)
    assert_refused(target, backup_file, r"line 11: the revision \d is not valid: Career goal")


def test_revisions_out_of_order_are_refused(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines[:9], lines[10], lines[9], *lines[11:]])
    assert_refused(target, backup_file, r"line 11: a revision listed twice or out of order")


def test_lines_after_the_closing_line_are_refused(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines, lines[3]])
    assert_refused(target, backup_file, r"line 17: more lines follow the closing line")


def test_a_file_of_a_newer_format_is_refused_naming_both_versions(backup_file, target):
    def newer(lines):
        header = json.loads(lines[0])
        header.update(format_version=BACKUP_FORMAT_VERSION + 1, mentorkit_version="9.0")
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    rewrite(backup_file, newer)
    assert_refused(
        target,
        backup_file,
        rf"mentorkit 9.0 in backup format {BACKUP_FORMAT_VERSION + 1}; this mentorkit "
        rf"\({re.escape(mentorkit_version())}\) reads backup format {BACKUP_FORMAT_VERSION}",
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"name,email\nAda,ada@example.org\n", b'{"type": "workshop"}\n', b"\xff\xfe\n"],
    ids=["empty", "a CSV file", "no header", "not UTF-8"],
)
def test_a_file_that_is_not_a_backup_is_refused(tmp_path, target, content):
    path = tmp_path / "other.jsonl"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=r"not a mentorkit backup|is empty"):
        restore_backup(target, path)
    assert target.workshops() == []


def test_a_missing_file_is_one_sentence(tmp_path):
    missing = r"Cannot read the backup .*nope.jsonl: No such file"
    with pytest.raises(BackupError, match=missing), read_backup(tmp_path / "nope.jsonl"):
        pass


# ---------------------------------------------------------------------------------------
# The commands


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(store, filled, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'unit.db'}"


@pytest.mark.parametrize("command", ["backup", "restore", "delete-workshop"])
def test_the_data_commands_have_help(capsys, command):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    assert f"usage: mentorkit {command}" in capsys.readouterr().out


def test_backup_and_restore_on_the_command_line(capsys, db, filled, tmp_path):
    code = filled["code"]
    path = tmp_path / "cli.jsonl"
    status, out, err = run(capsys, "--db", db, "backup", code.lower(), str(path))
    assert (status, err) == (0, "")
    assert f"Backed up 'Spring cohort' ({code}) to {path}: 1 mentors, 2 participants" in out
    assert check_backup(path)[0].code == code

    status, out, err = run(capsys, "restore", "--check", str(path))
    assert (status, err) == (0, "")
    assert "is a complete backup" in out and "Nothing was written" in out

    new_db = f"sqlite:///{tmp_path / 'new.db'}"
    status, out, err = run(capsys, "restore", str(path), "--db", new_db)
    assert (status, err) == (0, "")
    assert f"Restored 'Spring cohort' ({code}): 1 mentors, 2 participants, 3 worksheets" in out

    status, out, err = run(capsys, "restore", str(path), "--db", new_db)
    assert status == 1 and out == ""
    assert err.count("\n") == 1
    assert f"already has a workshop with join code {code}; nothing was restored" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["backup", "ABCD-EFGH", "x.jsonl"], "No workshop with join code ABCD-EFGH"),
        (["restore", "missing.jsonl"], "Cannot read the backup missing.jsonl"),
        (["delete-workshop", "ABCD-EFGH", "--yes"], "No workshop with join code ABCD-EFGH"),
    ],
)
def test_command_errors_are_one_line(capsys, db, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "--db", db, *argv)
    assert status == 1
    assert err.startswith("mentorkit: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_delete_workshop_asks_for_the_join_code_and_deletes_nothing_on_a_wrong_answer(
    capsys, db, filled, store, monkeypatch
):
    code = filled["code"]
    for answer, message in (("ABCD-EFGH\n", "is not the join code"), ("", "no confirmation")):
        monkeypatch.setattr("sys.stdin", io.StringIO(answer))
        status, out, err = run(capsys, "--db", db, "delete-workshop", code)
        assert status == 1 and out == ""
        assert "cannot be undone" in err and f"mentorkit backup {code} FILE" in err
        assert err.strip().splitlines()[-1].startswith("mentorkit: ") and message in err
        assert store.workshop(code).code == code

    monkeypatch.setattr("sys.stdin", io.StringIO(f" {code.lower()} \n"))
    status, out, err = run(capsys, "--db", db, "delete-workshop", code)
    assert status == 0
    assert f"Deleted 'Spring cohort' ({code}): 1 mentors, 2 participants and 3 worksheets" in out
    assert store.workshops() == []


def test_delete_workshop_with_yes_does_not_ask(capsys, db, filled, store, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    status, _, err = run(capsys, "--db", db, "delete-workshop", filled["code"], "--yes")
    assert (status, err) == (0, "")
    assert store.workshops() == []
    other = create_workshop(store, "Still usable").workshop
    assert store.workshop(other.code).name == "Still usable"


def test_a_restored_workshop_can_be_deleted_and_restored_again(capsys, db, filled, tmp_path, store):
    path = tmp_path / "again.jsonl"
    assert run(capsys, "--db", db, "backup", filled["code"], str(path))[0] == 0
    assert run(capsys, "--db", db, "delete-workshop", filled["code"], "--yes")[0] == 0
    assert run(capsys, "--db", db, "restore", str(path))[0] == 0
    restored = store.list(filled["code"])
    assert len(restored) == 3
    assert max(s.revision for s in restored) == len(GOALS)
