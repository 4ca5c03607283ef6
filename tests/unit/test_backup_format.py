"""The backup file: its lines and order, refusals that name the line, and the CLI commands."""

from __future__ import annotations

import dataclasses
import hashlib
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
from mentorkit.mentoring import Answerer
from mentorkit.models import MentorProfile, Participant, SelfAssessment, SmartGoal
from mentorkit.store import DocumentKey, open_store
from mentorkit.testing import sign_in_rostered
from mentorkit.workshops import create_workshop

GOALS = ["First goal", "Second <b>goal</b>\u2028with a line separator", "Third goal 😀"]

#: A backup written by mentorkit 0.1.0 in format 1, before backups carried match decisions.
FORMAT_1_BACKUP = Path(__file__).parent / "data" / "backup-format-1.jsonl"


@pytest.fixture
def filled(store) -> dict[str, str]:
    """A workshop with a mentor, two participants, documents saved more than once, and the
    mentor locked for one participant and forbidden for the other."""
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
    ines = sign_in_rostered(store, code, "ines@example.org")
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
    store.decide_match(code, ines.participant.id, "maya@example.org", "lock")
    store.decide_match(  # the answer to a request: who answered, and the reply, kept
        code,
        walk_in.participant.id,
        "maya@example.org",
        "forbid",
        answered_by=Answerer.MENTOR,
        reply="Not this term, sorry:\nask me again in spring.",
    )
    return {
        "code": code,
        "key": access.facilitator_key,
        "resume": ines.new_resume_code,
        "ines": ines.participant.id,
        "walk_in": walk_in.participant.id,
    }


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
        "decision",
        "decision",
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
    assert found[-1]["counts"] == {
        "mentors": 1,
        "participants": 2,
        "decisions": 2,
        "agreement_entries": 0,
        "notes": 0,
        "mentor_surveys": 0,
        "documents": 3,
        "revisions": 7,
    }
    ids = [r["body"]["id"] for r in found if r["type"] == "participant"]
    assert ids == sorted(ids)
    keys = [(r["participant"], r["kind"], r["name"], r["revision"]) for r in found[10:-1]]
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


def test_the_matching_decisions_are_lines_of_their_own_by_participant_and_mentor(
    store, backup_file, filled
):
    decisions = [r for r in records(backup_file) if r["type"] == "decision"]
    stored = {d.participant: d for d in store.match_decisions(filled["code"])}
    assert decisions == sorted(
        (
            {
                "type": "decision",
                "participant": participant,
                "mentor": "maya@example.org",
                "decision": decision,
                "decided_at": stored[participant].decided_at.isoformat(),
                "answered_by": answered_by,
                "reply": reply,
            }
            for participant, decision, answered_by, reply in (
                (filled["ines"], "lock", None, ""),
                (
                    filled["walk_in"],
                    "forbid",
                    "mentor",
                    "Not this term, sorry:\nask me again in spring.",
                ),
            )
        ),
        key=lambda r: (r["participant"], r["mentor"]),
    )
    assert all(r["decided_at"].endswith("+00:00") for r in decisions)


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
    assert (
        counts.mentors,
        counts.participants,
        counts.documents,
        counts.revisions,
        counts.decisions,
    ) == (1, 2, 3, 7, 2)
    code = filled["code"]
    assert target.participants(code) == store.participants(code)
    assert target.match_decisions(code) == store.match_decisions(code)
    assert len(target.match_decisions(code)) == 2
    for saved in store.list(code):
        assert target.history(saved.key) == store.history(saved.key)
    assert resume(target, filled["resume"]).participant.email == "ines@example.org"
    backup_workshop(target, code, tmp_path / "restored.jsonl")
    assert (tmp_path / "restored.jsonl").read_bytes() == backup_file.read_bytes()


def test_check_reads_the_whole_file_and_counts_it(backup_file, filled):
    workshop, counts = check_backup(backup_file)
    assert workshop.code == filled["code"]
    assert (counts.revisions, counts.decisions) == (7, 2)


def test_a_backup_of_format_1_without_decisions_still_restores(target, tmp_path):
    workshop, counts = restore_backup(target, FORMAT_1_BACKUP)
    assert (workshop.code, workshop.name) == ("73UU-8R5D", "Format one cohort")
    assert (counts.participants, counts.documents, counts.revisions, counts.decisions) == (
        1,
        1,
        2,
        0,
    )
    assert [p.email for p in target.participants(workshop.code)] == ["ines@example.org"]
    assert [s.document.career_goal for s in target.list(workshop.code)] == ["Lead a small team"]
    assert target.match_decisions(workshop.code) == []
    # Decided after the restore, and carried by the next backup (in the current format).
    ines = target.participants(workshop.code)[0].id
    target.decide_match(workshop.code, ines, "maya@example.org", "lock")
    backup_workshop(target, workshop.code, tmp_path / "now.jsonl")
    found = records(tmp_path / "now.jsonl")
    assert found[0]["format_version"] == BACKUP_FORMAT_VERSION
    assert [(r["participant"], r["decision"]) for r in found if r["type"] == "decision"] == [
        (ines, "lock")
    ]


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
        (lambda data: data[: data.rindex(b"\n", 0, -1) - 10], r"line 17: the line is cut off"),
        (lambda data: data[: data.rindex(b"\n", 0, -1) + 1], r"line 17: the file ends here"),
        (lambda data: data[:-1], r"line 18: the line is cut off"),
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
    assert_refused(target, backup_file, r"line 18: the checksum on the closing line")


def test_a_line_that_is_not_json_is_named(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines[:11], b'{"type": "revision", \n', *lines[12:]])
    assert_refused(target, backup_file, r"line 12: not valid JSON")


def test_a_document_that_does_not_validate_is_named_with_the_reason(backup_file, target):
    def break_goal(lines):
        record = json.loads(lines[12])
        record["body"]["career_goal"] = "x" * 1001
        return [*lines[:12], json.dumps(record).encode() + b"\n", *lines[13:]]

    rewrite(backup_file, break_goal)
    assert_refused(target, backup_file, r"line 13: the revision \d is not valid: Career goal")


def test_revisions_out_of_order_are_refused(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines[:11], lines[12], lines[11], *lines[13:]])
    assert_refused(target, backup_file, r"line 13: a revision listed twice or out of order")


def test_lines_after_the_closing_line_are_refused(backup_file, target):
    rewrite(backup_file, lambda lines: [*lines, lines[3]])
    assert_refused(target, backup_file, r"line 19: more lines follow the closing line")


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


def decision_lines(lines: list[bytes]) -> list[int]:
    """The indexes of the decision lines, in file order."""
    return [i for i, line in enumerate(lines) if line.startswith(b'{"type":"decision"')]


def changed(line: bytes, **fields) -> bytes:
    return json.dumps({**json.loads(line), **fields}).encode() + b"\n"


def sealed(lines: list[bytes]) -> list[bytes]:
    """`lines` with the closing line's checksum made to match them again, as a backup
    written that way (by a faulty writer, or edited with care) would have it."""
    *body, end = lines
    digest = hashlib.sha256(b"".join(body)).hexdigest()
    return [*body, changed(end, sha256=digest)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"participant": "0" * 32},
            r"line 6: the decision \((lock|forbid)\) about participant 0{32} and mentor "
            r"maya@example\.org names a participant who is not in the backup's roster",
        ),
        (
            {"mentor": "nobody@example.org"},
            r"line 6: the decision \((lock|forbid)\) about participant [0-9a-f]{32} and mentor "
            r"nobody@example\.org names a mentor who is not in the backup's mentors",
        ),
        ({"decision": "prefer"}, r"line 6: decision record: Decision"),
        ({"decision": None}, r"line 6: decision record: Decision"),
        ({"decided_at": "2026-04-01T10:00:00"}, r"line 6: decision record: Decided at"),
        ({"mentor": ""}, r"line 6: decision record: Mentor"),
        ({"participant": "Ines"}, r"line 6: decision record: Participant"),
        ({"note": "extra"}, r"line 6: decision record: "),
    ],
    ids=[
        "unknown participant",
        "unknown mentor",
        "unknown decision",
        "no decision",
        "time without zone",
        "empty mentor",
        "not a participant id",
        "unknown field",
    ],
)
def test_a_bad_decision_record_refuses_the_whole_restore_naming_it(
    backup_file, target, change, message
):
    def spoil(lines):
        first = decision_lines(lines)[0]
        lines[first] = changed(lines[first], **change)
        return sealed(lines)

    rewrite(backup_file, spoil)
    assert_refused(target, backup_file, message)


def test_decision_records_out_of_order_or_twice_are_refused(backup_file, target):
    original = backup_file.read_bytes()
    rewrite(backup_file, lambda lines: sealed([*lines[:5], lines[6], lines[5], *lines[7:]]))
    assert_refused(target, backup_file, r"line 7: the decision .* listed twice or out of order")
    backup_file.write_bytes(original)
    rewrite(backup_file, lambda lines: sealed([*lines[:6], lines[5], *lines[6:]]))
    assert_refused(target, backup_file, r"line 7: the decision .* listed twice or out of order")


def test_a_second_lock_for_one_participant_is_refused(backup_file, target, filled):
    def lock_twice(lines):
        zed = MentorProfile(
            name="Zed Zimmer", email="zed@example.org", expertise=["negotiation"], capacity=1
        )
        mentor = {"type": "mentor", "body": zed.model_dump(mode="json")}
        ines = changed(lines[5], participant=filled["ines"], decision="lock")
        locks = [ines, changed(ines, mentor="zed@example.org")]
        return sealed(
            [*lines[:3], json.dumps(mentor).encode() + b"\n", *lines[3:5], *locks, *lines[7:]]
        )

    rewrite(backup_file, lock_twice)
    assert_refused(
        target,
        backup_file,
        rf"line 8: the decision \(lock\) about participant {filled['ines']} and mentor "
        r"zed@example\.org: the participant is locked to mentor maya@example\.org already",
    )


def test_a_decision_record_after_the_documents_is_out_of_place(backup_file, target):
    rewrite(backup_file, lambda lines: sealed([*lines[:5], *lines[6:10], lines[5], *lines[10:]]))
    assert_refused(target, backup_file, r"line 10: a 'decision' record out of place")


def test_a_decision_line_taken_out_fails_the_counts(backup_file, target):
    rewrite(backup_file, lambda lines: sealed([*lines[:5], *lines[6:]]))
    assert_refused(
        target,
        backup_file,
        r"line 17: the closing line counts 1 mentors, 2 participants, 2 matching decisions, "
        r"0 agreement entries, 0 mentors' notes, 0 mentors' survey answers, 3 documents and 7 "
        r"revisions, but the file "
        r"holds 1 mentors, 2 "
        r"participants, 1 matching decisions",
    )


def test_a_decision_record_in_a_backup_of_format_1_is_refused(tmp_path, target):
    lines = FORMAT_1_BACKUP.read_bytes().splitlines(keepends=True)
    participant = json.loads(lines[3])["body"]["id"]
    decision = {
        "type": "decision",
        "participant": participant,
        "mentor": "maya@example.org",
        "decision": "lock",
        "decided_at": "2026-04-01T10:00:00+00:00",
    }
    path = tmp_path / "format-1.jsonl"
    path.write_bytes(
        b"".join(sealed([*lines[:4], json.dumps(decision).encode() + b"\n", *lines[4:]]))
    )
    assert_refused(target, path, r"line 5: a 'decision' record in a backup of format 1")


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
    assert "2 matching decisions (locked or forbidden pairs)" in out
    assert check_backup(path)[0].code == code

    status, out, err = run(capsys, "restore", "--check", str(path))
    assert (status, err) == (0, "")
    assert "is a complete backup" in out and "Nothing was written" in out

    new_db = f"sqlite:///{tmp_path / 'new.db'}"
    status, out, err = run(capsys, "restore", str(path), "--db", new_db)
    assert (status, err) == (0, "")
    assert f"Restored 'Spring cohort' ({code}): 1 mentors, 2 participants, 3 worksheets" in out
    assert "7 saved versions, 2 matching decisions" in out

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
    assert "saved versions, and 2 matching decisions." in out
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
