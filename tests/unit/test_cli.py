"""The `mentorkit` command line: every failure a user can cause is one clear line."""

import csv
import re
import shutil
import socket
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mentorkit.access import verify_secret
from mentorkit.catalog import SAMPLE_MENTORS, SAMPLE_PARTICIPANTS
from mentorkit.cli import build_parser, main
from mentorkit.store import open_store
from mentorkit.testing import free_port

SUBCOMMANDS = [
    "init",
    "import",
    "export",
    "demo",
    "backup",
    "restore",
    "delete-workshop",
    "people",
    "serve",
]


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def init(capsys, db: str, name: str = "Spring cohort") -> dict[str, str]:
    status, out, _ = run(capsys, "--db", db, "init", "--name", name)
    assert status == 0
    return {
        "code": re.search(r"Join code:\s+(\S+)", out)[1],
        "key": re.search(r"Facilitator key:\s+(\S+)", out)[1],
    }


def mentor_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)])
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as caught:
        main([*command, "--help"])
    assert caught.value.code == 0
    assert "usage: mentorkit" in capsys.readouterr().out


@pytest.mark.slow
def test_the_console_script_runs_and_a_misspelt_path_is_one_line(tmp_path, db):
    exe = shutil.which("mentorkit", path=str(Path(sys.executable).parent))
    assert exe, "the mentorkit console script is installed"
    shown = subprocess.run([exe, "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "import" in shown.stdout
    subprocess.run([exe, "--db", db, "init", "--name", "W"], check=True, capture_output=True)
    missing = subprocess.run(
        [exe, "--db", db, "import", "mentors", str(tmp_path / "mentorz.csv")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert "Traceback" not in missing.stderr
    assert missing.stderr.count("\n") == 1, missing.stderr
    assert "mentorz.csv" in missing.stderr and "no such file" in missing.stderr


def test_init_prints_a_join_code_and_stores_the_key_only_hashed(capsys, db):
    created = init(capsys, db)
    store = open_store(db)
    try:
        stored = store.facilitator_key_hash(created["code"])
        assert created["key"] not in stored
        assert verify_secret(created["key"], stored)
        assert store.workshop(created["code"]).name == "Spring cohort"
    finally:
        store.close()


def test_import_sample_rosters_then_reimport_updates(capsys, db, tmp_path):
    init(capsys, db)
    status, out, _ = run(capsys, "--db", db, "import", "mentors", str(SAMPLE_MENTORS))
    assert status == 0
    assert "40 added, 0 updated" in out
    invites = tmp_path / "invites.csv"
    status, out, _ = run(
        capsys,
        "--db",
        db,
        "import",
        "participants",
        str(SAMPLE_PARTICIPANTS),
        "--invites",
        str(invites),
    )
    assert status == 0 and "30 added" in out
    assert f"Issued 30 invite codes; wrote them to {invites}" in out
    rows = mentor_rows(SAMPLE_MENTORS)
    rows[0]["capacity"] = "1" if rows[0]["capacity"] != "1" else "2"
    changed = write_rows(tmp_path / "changed.csv", rows)
    status, out, _ = run(capsys, "--db", db, "import", "mentors", str(changed))
    assert "0 added, 1 updated" in out


def test_one_bad_row_imports_nothing_and_names_row_column_reason(capsys, db, tmp_path):
    init(capsys, db)
    rows = mentor_rows(SAMPLE_MENTORS)[:5]
    run(capsys, "--db", db, "import", "mentors", str(write_rows(tmp_path / "ok.csv", rows[:2])))
    store = open_store(db)
    before = store.mentors(store.workshops()[0].code)
    store.close()

    rows[3]["capacity"] = "lots"
    bad = write_rows(tmp_path / "bad.csv", rows)
    status, out, err = run(capsys, "--db", db, "import", "mentors", str(bad))
    assert status == 3
    assert "nothing was imported" in err
    assert "row 5, column 'capacity'" in err  # header is row 1, so the 4th record is row 5
    assert "whole number" in err
    store = open_store(db)
    assert store.mentors(store.workshops()[0].code) == before
    store.close()

    status, out, err = run(capsys, "--db", db, "import", "mentors", str(bad), "--skip-invalid")
    assert status == 0
    assert "Imported 4 mentors" in out
    assert "Skipped 1 invalid row(s)" in out and "row 5" in out
    store = open_store(db)
    assert len(store.mentors(store.workshops()[0].code)) == 4
    store.close()


def test_workshop_may_be_left_out_only_when_there_is_one(capsys, db):
    first = init(capsys, db, "First")
    second = init(capsys, db, "Second")
    status, _, err = run(capsys, "--db", db, "import", "mentors", str(SAMPLE_MENTORS))
    assert status == 1
    assert "holds 2 workshops" in err and first["code"] in err and second["code"] in err
    status, out, _ = run(
        capsys, "--db", db, "import", "mentors", str(SAMPLE_MENTORS), "--workshop", second["code"]
    )
    assert status == 0 and "'Second'" in out
    status, _, err = run(capsys, "--db", db, "export", "mentors", "--workshop", "ZZZZ-ZZZZ")
    assert status == 1 and "ZZZZ-ZZZZ" in err and err.count("\n") == 1


def test_export_neutralises_formulas(capsys, db, tmp_path):
    init(capsys, db)
    rows = mentor_rows(SAMPLE_MENTORS)[:1]
    rows[0]["name"] = '=HYPERLINK("http://evil.example","click")'
    run(capsys, "--db", db, "import", "mentors", str(write_rows(tmp_path / "m.csv", rows)))
    out_file = tmp_path / "out.csv"
    status, out, _ = run(capsys, "--db", db, "export", "mentors", "-o", str(out_file))
    assert status == 0 and "Wrote 1 mentors" in out
    exported = mentor_rows(out_file)
    assert exported[0]["name"].startswith("'=")


def test_demo_creates_once_and_issues_a_fresh_key_each_run(capsys, db):
    status, out, _ = run(capsys, "--db", db, "demo")
    assert status == 0
    code = re.search(r"Join code:\s+(\S+)", out)[1]
    first_key = re.search(r"Facilitator key:\s+(\S+)", out)[1]
    status, out, _ = run(capsys, "--db", db, "demo")
    assert re.search(r"Join code:\s+(\S+)", out)[1] == code
    second_key = re.search(r"Facilitator key:\s+(\S+)", out)[1]
    store = open_store(db)
    try:
        assert len(store.workshops()) == 1
        assert len(store.mentors(code)) == 40
        assert len(store.participants(code)) == 30
        assert verify_secret(second_key, store.facilitator_key_hash(code))
        assert not verify_secret(first_key, store.facilitator_key_hash(code))
    finally:
        store.close()


def test_a_malformed_framework_is_one_line(capsys, db, tmp_path):
    bad = tmp_path / "framework.yaml"
    bad.write_text("name: x\nareas: [\n")
    status, _, err = run(capsys, "--db", db, "init", "--name", "W", "--framework", str(bad))
    assert status == 1
    assert err.startswith("mentorkit: ") and "framework.yaml" in err and err.count("\n") == 1


def test_an_unusable_database_url_is_one_line(capsys):
    status, _, err = run(capsys, "--db", "nosuchdialect://x", "demo")
    assert status == 1 and "nosuchdialect" in err and err.count("\n") == 1


def test_serve_refuses_a_busy_port(capsys, db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, _, err = run(capsys, "--db", db, "serve", "--port", str(port))
    assert status == 1 and f"127.0.0.1:{port}" in err and "--port" in err


def test_serve_binds_to_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("host", "warned"),
    [
        ("127.0.0.1", False),
        ("127.0.0.2", False),
        ("::1", False),
        ("localhost", False),
        ("0.0.0.0", True),
    ],
)
def test_serve_warns_only_when_others_can_reach_an_open_server(
    capsys, monkeypatch, db, host, warned
):
    import mentorkit.cli

    ran: list[list[str]] = []
    monkeypatch.setattr(mentorkit.cli, "run_server", lambda command, env: ran.append(command) or 0)
    port = free_port()
    status, out, err = run(capsys, "--db", db, "serve", "--host", host, "--port", str(port))
    assert status == 0 and ran and "Serving mentorkit at" in out
    assert ("anyone who can reach this address can open the apps" in err) is warned


@pytest.mark.parametrize(
    ("options", "preset", "per_address", "per_workshop"),
    [
        ((), {}, None, None),  # the defaults of mentorkit.access: 5 and 30
        (("--expect", "3"), {}, "5", "30"),
        (("--expect", "45"), {}, "45", "45"),
        (("--expect", "45"), {"MENTORKIT_NEWCOMERS_PER_ADDRESS": "12"}, "12", "45"),
    ],
)
def test_serve_lets_the_expected_room_join_by_name_at_once_even_from_one_address(
    capsys, monkeypatch, db, options, preset, per_address, per_workshop
):
    """A room of --expect people behind one router (or a proxy) all join in the first
    minute: the newcomer limits are at least its size, unless the host set them."""
    import mentorkit.cli

    for name in ("MENTORKIT_NEWCOMERS_PER_ADDRESS", "MENTORKIT_NEWCOMERS_PER_WORKSHOP"):
        monkeypatch.delenv(name, raising=False)
    for name, value in preset.items():
        monkeypatch.setenv(name, value)
    environments: list[dict[str, str]] = []
    monkeypatch.setattr(
        mentorkit.cli, "run_server", lambda command, env: environments.append(env) or 0
    )
    status, _, _ = run(capsys, "--db", db, "serve", "--port", str(free_port()), *options)
    assert status == 0
    (env,) = environments
    assert env.get("MENTORKIT_NEWCOMERS_PER_ADDRESS") == per_address
    assert env.get("MENTORKIT_NEWCOMERS_PER_WORKSHOP") == per_workshop


# ---------------------------------------------------------------------------------------
# export: progress, responses, pairs, plans, introductions

HOSTILE_NAME = '=HYPERLINK("http://x","y")'


@pytest.fixture
def cohort_db(capsys, db, tmp_path) -> dict[str, str]:
    """A workshop whose roster holds a formula-like name and department, with documents:
    the hostile participant shares their plan and is matched; another is matched only."""
    from mentorkit.models import MentorMatch, PlanSharing, SelfAssessment, SmartGoal
    from mentorkit.store import DocumentKey

    created = init(capsys, db)
    mentors = mentor_rows(SAMPLE_MENTORS)[:3]
    run(capsys, "--db", db, "import", "mentors", str(write_rows(tmp_path / "m.csv", mentors)))
    people = [
        {"name": HOSTILE_NAME, "email": "h@example.com", "department": "-1+2"},
        {"name": "Amelia Hartley", "email": "amelia@example.com", "department": "@Sales"},
        {"name": "Kim Lee", "email": "kim@example.com", "department": "Design"},
    ]
    status, _, _ = run(
        capsys, "--db", db, "import", "participants", str(write_rows(tmp_path / "p.csv", people))
    )
    assert status == 0
    store = open_store(db)
    try:
        code = created["code"]
        by_email = {p.email: p for p in store.participants(code)}
        mentor = store.mentors(code)[0]
        hostile, amelia = by_email["h@example.com"], by_email["amelia@example.com"]

        def save(person, document, name="main"):
            key = DocumentKey(code, person.id, type(document).kind, name)
            store.save(key, document, expected_revision=0)

        save(
            hostile,
            SelfAssessment(
                ratings={"negotiation": 2},
                growth_areas=["negotiation"],
                values=["+Fairness"],
                career_goal="private career goal",
            ),
        )
        save(hostile, SmartGoal(title="<script>alert(1)</script>"), "goal-1")
        save(hostile, PlanSharing(shared=True))
        save(amelia, SmartGoal(title="Amelia's private goal"), "goal-1")
        for person, score in ((hostile, 21.04), (amelia, 7.5)):
            save(
                person,
                MentorMatch(mentor_email=mentor.email, score=score, published_on=date.today()),
            )
    finally:
        store.close()
    return created | {"mentor": mentor.name, "mentor_email": mentor.email}


def read_export(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        sheet = load_workbook(path).active
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("kind", ["progress", "responses", "pairs"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_tables_neutralise_a_hyperlink_in_the_roster(
    capsys, db, tmp_path, cohort_db, kind, suffix
):
    out_file = tmp_path / f"{kind}{suffix}"
    status, out, err = run(capsys, "--db", db, "export", kind, "-o", str(out_file))
    assert status == 0, err
    assert out.startswith("Wrote ") and str(out_file) in out
    table = read_export(out_file)
    cells = [cell for row in table for cell in row]
    assert "'" + HOSTILE_NAME in cells
    assert HOSTILE_NAME not in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    header = table[0]
    expected_rows = 2 if kind == "pairs" else 3  # pairs: the published matches
    assert len(table) == 1 + expected_rows
    if suffix == ".xlsx":
        sheet = load_workbook(out_file).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    rows = [dict(zip(header, row, strict=True)) for row in table[1:]]
    if kind == "progress":
        by_email = {row["email"]: row for row in rows}
        assert by_email["h@example.com"]["name"] == "'" + HOSTILE_NAME
        assert by_email["h@example.com"]["smart_goal"] == "started"
        assert by_email["h@example.com"]["matched_mentor"] == cohort_db["mentor_email"]
        assert by_email["kim@example.com"]["percent"] == "0"
    elif kind == "responses":
        hostile = next(row for row in rows if row["email"] == "h@example.com")
        assert hostile["values"] == "'+Fairness"
        assert hostile["growth_areas"] == "Negotiation"
        assert hostile["Negotiation rating"] == "2"
        assert "private career goal" not in str(table)
    else:
        by_email = {row["participant_email"]: row for row in rows}
        hostile = by_email["h@example.com"]
        assert float(hostile.pop("score")) == 21.0  # rounded to one decimal
        assert hostile == {
            "participant": "'" + HOSTILE_NAME,
            "participant_email": "h@example.com",
            "mentor": cohort_db["mentor"],
            "mentor_email": cohort_db["mentor_email"],
        }


def test_export_participants_roster_neutralises_a_formula_department(
    capsys, db, tmp_path, cohort_db
):
    out_file = tmp_path / "people.xlsx"
    status, out, _ = run(capsys, "--db", db, "export", "participants", "-o", str(out_file))
    assert status == 0 and "Wrote 3 participants" in out
    cells = [cell for row in read_export(out_file) for cell in row]
    assert "'-1+2" in cells and "'@Sales" in cells and "'" + HOSTILE_NAME in cells


def test_export_plans_zips_only_shared_plans_under_a_default_name(
    capsys, db, tmp_path, cohort_db, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "--db", db, "export", "plans")
    assert status == 0, err
    bundle_path = tmp_path / f"plans-{cohort_db['code']}.zip"
    assert "Wrote 1 shared plan to" in out and bundle_path.name in out
    with zipfile.ZipFile(bundle_path) as bundle:
        [name] = bundle.namelist()
        html = bundle.read(name).decode("utf-8")
    assert "/" not in name and name.endswith(".html") and not name.startswith("=")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "Amelia's private goal" not in html and "Amelia&#39;s private goal" not in html


def test_export_plans_refuses_a_table_file_name_in_one_line(capsys, db, tmp_path, cohort_db):
    status, _, err = run(capsys, "--db", db, "export", "plans", "-o", str(tmp_path / "p.csv"))
    assert status == 1 and ".zip" in err and err.count("\n") == 1


def test_export_plans_when_nobody_shares_writes_nothing(capsys, db, tmp_path):
    init(capsys, db)
    out_file = tmp_path / "plans.zip"
    status, out, _ = run(capsys, "--db", db, "export", "plans", "-o", str(out_file))
    assert status == 0 and "nothing was written" in out
    assert not out_file.exists()


def test_export_introductions_drafts_one_email_per_published_pair(capsys, db, tmp_path, cohort_db):
    out_file = tmp_path / "intro.xlsx"
    status, out, err = run(capsys, "--db", db, "export", "introductions", "-o", str(out_file))
    assert status == 0, err
    assert "Wrote 2 introduction drafts" in out
    table = read_export(out_file)
    assert table[0] == [
        "participant",
        "participant_email",
        "mentor",
        "mentor_email",
        "subject",
        "body",
    ]
    rows = {row[1]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    hostile = rows["h@example.com"]
    assert hostile["participant"] == "'" + HOSTILE_NAME
    assert hostile["subject"].startswith("Introducing ")
    assert "30-minute" in hostile["body"] and "Your workshop facilitator" in hostile["body"]
    assert rows["amelia@example.com"]["mentor_email"] == cohort_db["mentor_email"]


def test_export_a_table_to_an_unknown_extension_is_one_line(capsys, db, tmp_path, cohort_db):
    status, _, err = run(capsys, "--db", db, "export", "progress", "-o", str(tmp_path / "p.ods"))
    assert status == 1 and ".csv or .xlsx" in err and err.count("\n") == 1


def test_export_rejects_an_unknown_kind(capsys, db):
    with pytest.raises(SystemExit) as caught:
        main(["--db", db, "export", "secrets"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
