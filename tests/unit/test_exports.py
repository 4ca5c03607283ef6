"""Exports: tables without formula surprises, shared plans only, safe file names."""

import csv
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from mentorkit.cohort import STEPS, introduction_email, progress
from mentorkit.errors import RosterError
from mentorkit.exports import (
    INTRODUCTION_COLUMNS,
    MAX_FILE_NAME,
    PAIRS_COLUMNS,
    PROGRESS_COLUMNS,
    ExportError,
    introduction_rows,
    pairs_rows,
    plan_bundle,
    progress_rows,
    published_pairs,
    rating_column,
    responses_columns,
    responses_rows,
    safe_file_name,
    shared_plans,
    write_rows,
)
from mentorkit.models import (
    CheckIn,
    MentorMatch,
    MentorProfile,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.store import DocumentKey, Saved

TODAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]

ZOE = MentorProfile(
    name="Zoë Okonkwo-Hart",
    email="zoe@example.org",
    title="Engineering Manager",
    expertise=["negotiation"],
    capacity=2,
    formats=["video"],
)
EVIL_MENTOR = MentorProfile(
    name="@SUM(1+1)", email="evil@example.org", expertise=["delegation"], capacity=1
)


@pytest.fixture
def workshop(framework) -> Workshop:
    return Workshop(name="Spring cohort", framework=framework)


@pytest.fixture
def people() -> list[Participant]:
    return [
        Participant(name=HYPERLINK, email="h@example.com", department="+cmd|' /C calc'!A0"),
        Participant(name="Amelia Hartley", email="amelia@example.com"),
        Participant(name="-2+3"),
    ]


def saved(workshop: Workshop, person: Participant, document, name: str = "main") -> Saved:
    key = DocumentKey(workshop.code, person.id, type(document).kind, name)
    return Saved(key=key, document=document, revision=1, saved_at=T0)


@pytest.fixture
def documents(workshop, people) -> list[Saved]:
    hostile, amelia, minus = people
    return [
        saved(
            workshop,
            hostile,
            SelfAssessment(
                ratings={"negotiation": 2, "delegation": 5},
                strengths=["delegation"],
                growth_areas=["negotiation"],
                values=["=1+1", "Fairness"],
                career_goal="a private career goal",
                preferences={
                    "formats": ["video"],
                    "frequency": "monthly",
                    "time_zone": "Europe/Berlin",
                    "languages": ["English", "@German"],
                },
            ),
        ),
        saved(
            workshop, hostile, MentorMatch(mentor_email=ZOE.email, score=17.26, published_on=TODAY)
        ),
        saved(
            workshop,
            amelia,
            MentorMatch(mentor_email=EVIL_MENTOR.email, score=None, published_on=TODAY),
        ),
        saved(workshop, minus, CheckIn(met_on=TODAY, learned="private"), name="c1"),
    ]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path) -> list[list[object]]:
    sheet = load_workbook(path).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def exported(kind: str, workshop, people, documents) -> tuple[list[dict], list[str]]:
    by_id = {p.id: p for p in people}
    mentors = {m.email: m for m in (ZOE, EVIL_MENTOR)}
    if kind == "progress":
        reports = progress(people, documents, today=TODAY, framework=workshop.framework)
        return progress_rows(reports), list(PROGRESS_COLUMNS)
    if kind == "responses":
        framework = workshop.framework
        return responses_rows(framework, people, documents), list(responses_columns(framework))
    return pairs_rows(published_pairs(documents), by_id, mentors), list(PAIRS_COLUMNS)


# ---------------------------------------------------------------------------------------
# The acceptance test: hostile roster values come out as text


@pytest.mark.parametrize("kind", ["progress", "responses", "pairs"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_hyperlink_formula_in_a_roster_comes_out_neutralised(
    tmp_path, workshop, people, documents, kind, suffix
):
    rows, columns = exported(kind, workshop, people, documents)
    path = tmp_path / f"{kind}{suffix}"
    write_rows(rows, columns, path)
    table = read_csv(path) if suffix == ".csv" else read_xlsx(path)
    assert table[0] == columns
    names = [row[columns.index("participant" if kind == "pairs" else "name")] for row in table[1:]]
    assert "'" + HYPERLINK in names
    assert HYPERLINK not in names
    cells = [str(cell) for row in table for cell in row]
    for cell in cells:
        assert not cell.startswith(tuple(FORMULA_STARTS)), cell
    if suffix == ".xlsx":
        sheet = load_workbook(path).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_xlsx_progress_export_has_a_header_and_one_row_per_participant(
    tmp_path, workshop, people, documents
):
    rows, columns = exported("progress", workshop, people, documents)
    path = tmp_path / "progress.xlsx"
    write_rows(rows, columns, path)
    table = read_xlsx(path)
    assert len(table) == 1 + len(people)
    header, first, _, third = table
    assert header == list(PROGRESS_COLUMNS)
    row = dict(zip(header, first, strict=True))
    assert row["name"] == "'" + HYPERLINK
    assert row["email"] == "h@example.com"
    assert row["self_assessment"] == "done"
    assert row["mentor_shortlist"] == "not started"
    assert row["percent"] == 20
    assert row["last_activity"] == "2026-03-01T09:00:00+00:00"
    assert row["matched_mentor"] == ZOE.email
    assert dict(zip(header, third, strict=True))["name"] == "'-2+3"
    assert dict(zip(header, third, strict=True))["check_in"] == "done"


def test_an_xlsx_responses_export_has_the_answers_without_free_text(
    tmp_path, workshop, people, documents
):
    rows, columns = exported("responses", workshop, people, documents)
    path = tmp_path / "responses.xlsx"
    write_rows(rows, columns, path)
    table = read_xlsx(path)
    assert len(table) == 1 + len(people)
    header = table[0]
    first = dict(zip(header, table[1], strict=True))
    assert first[rating_column("Negotiation")] == 2
    assert first[rating_column("Delegation")] == 5
    assert first[rating_column("Public speaking")] == ""
    assert first["strengths"] == "Delegation"
    assert first["growth_areas"] == "Negotiation"
    assert first["values"] == "'=1+1; Fairness"
    assert first["formats"] == "video" and first["frequency"] == "monthly"
    assert first["time_zone"] == "Europe/Berlin"
    assert first["languages"] == "English; @German"
    assert all(
        value == ""
        for key, value in zip(header, table[2], strict=True)
        if key != "name" and key != "email"
    )
    assert "a private career goal" not in str(table)


def test_an_xlsx_pairs_export_has_names_emails_and_rounded_scores(
    tmp_path, workshop, people, documents
):
    rows, columns = exported("pairs", workshop, people, documents)
    path = tmp_path / "pairs.xlsx"
    write_rows(rows, columns, path)
    table = read_xlsx(path)
    assert table[0] == list(PAIRS_COLUMNS)
    by_email = {row[1]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert by_email["h@example.com"] == {
        "participant": "'" + HYPERLINK,
        "participant_email": "h@example.com",
        "mentor": ZOE.name,
        "mentor_email": ZOE.email,
        "score": 17.3,
    }
    assert by_email["amelia@example.com"]["mentor"] == "'@SUM(1+1)"
    assert by_email["amelia@example.com"]["score"] == ""


@pytest.mark.parametrize("start", FORMULA_STARTS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_formula_start_is_neutralised(tmp_path, start, suffix):
    # Names are cleaned of leading whitespace on input; a row built from older data is not.
    person = Participant.model_construct(
        id="a" * 32, name=f"{start}cmd", email=None, department="", career_stage=None
    )
    reports = progress([person], [], today=TODAY)
    path = tmp_path / f"p{suffix}"
    write_rows(progress_rows(reports), PROGRESS_COLUMNS, path)
    table = read_csv(path) if suffix == ".csv" else read_xlsx(path)
    cell = table[1][0]
    assert cell.startswith("'") and cell.endswith("cmd") and len(cell) == 5
    if suffix == ".csv" or start != "\r":  # XML turns a stored CR into a line feed
        assert cell == f"'{start}cmd"


def test_write_rows_refuses_another_file_type(tmp_path):
    with pytest.raises(RosterError, match=r"\.csv or \.xlsx"):
        write_rows([], PAIRS_COLUMNS, tmp_path / "pairs.ods")


# ---------------------------------------------------------------------------------------
# Rows


def test_pairs_rows_name_people_and_round_scores():
    person = Participant(name="Amelia", email="a@example.com")
    pairs = pd.DataFrame(
        {
            "mentee": [person.id, "f" * 32],
            "mentor": [ZOE.email, "gone@example.org"],
            "score": [12.349, float("nan")],
        }
    )
    rows = pairs_rows(pairs, {person.id: person}, {ZOE.email: ZOE})
    assert rows == [
        {
            "participant": "Amelia",
            "participant_email": "a@example.com",
            "mentor": ZOE.name,
            "mentor_email": ZOE.email,
            "score": 12.3,
        },
        {
            "participant": "f" * 32,
            "participant_email": "",
            "mentor": "gone@example.org",
            "mentor_email": "gone@example.org",
            "score": None,
        },
    ]


def test_progress_rows_give_states_and_utc_times():
    person = Participant(name="Kim", email="kim@example.com")
    at = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    doc = Saved(DocumentKey("ABCD-EFGH", person.id, "check_in", "c1"), CheckIn(met_on=TODAY), 1, at)
    [row] = progress_rows(progress([person], [doc], today=TODAY))
    assert list(row) == list(PROGRESS_COLUMNS)
    assert [row[step] for step in STEPS] == ["not started"] * 4 + ["done"]
    assert row["last_activity"] == "2026-03-01T17:00:00+00:00"
    assert row["percent"] == 20 and row["matched_mentor"] == ""


def test_responses_columns_have_one_rating_per_competency(framework):
    columns = responses_columns(framework)
    assert columns[:2] == ("name", "email")
    ratings = [c for c in columns if c.endswith(" rating")]
    assert len(ratings) == len(framework.competencies())
    assert "career_goal" not in columns


def test_published_pairs_come_from_mentor_match_documents(workshop, people, documents):
    pairs = published_pairs(documents)
    assert list(pairs.columns) == ["mentee", "mentor", "score"]
    assert set(zip(pairs.mentee, pairs.mentor, strict=True)) == {
        (people[0].id, ZOE.email),
        (people[1].id, EVIL_MENTOR.email),
    }
    assert published_pairs([]).empty


# ---------------------------------------------------------------------------------------
# Plans


def test_plans_zip_holds_only_sharing_participants_with_escaped_text(tmp_path, workshop):
    sharer = Participant(name="<img src=x onerror=alert(1)>", email="s@example.com")
    private = Participant(name="Private Person", email="p@example.com")
    withdrawn = Participant(name="Withdrawn Person", email="w@example.com")
    documents = [
        saved(workshop, sharer, PlanSharing(shared=True)),
        saved(workshop, sharer, SmartGoal(title="<script>alert(1)</script>"), "goal-1"),
        saved(workshop, sharer, MentorMatch(mentor_email=ZOE.email, published_on=TODAY)),
        saved(workshop, private, SmartGoal(title="my private goal"), "goal-1"),
        saved(workshop, withdrawn, PlanSharing(shared=False)),
        saved(workshop, withdrawn, CheckIn(met_on=TODAY, learned="withdrawn notes"), "c1"),
    ]
    plans = shared_plans(workshop, [sharer, private, withdrawn], documents, [ZOE], today=TODAY)
    assert list(plans) == [f"{sharer.name}-{sharer.id[:8]}.html"]
    path = tmp_path / "plans.zip"
    assert plan_bundle(path, plans) == 1
    with zipfile.ZipFile(path) as bundle:
        [name] = bundle.namelist()
        html = bundle.read(name).decode("utf-8")
    assert "/" not in name and "<" not in name and name.endswith(f"-{sharer.id[:8]}.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert ZOE.name in html
    assert "my private goal" not in html and "withdrawn notes" not in html


def test_plan_bundle_sanitises_and_deduplicates_file_names(tmp_path):
    plans = {
        "../../etc/passwd.html": "a",
        "a/b\\c.html": "b",
        "A-B-C.HTML": "c",
        "a-b-c.html": "d",
        "CON.html": "e",
        "": "f",
        "bell\x07\nname.html": "g",
        "x" * 300 + ".html": "h",
        "..": "i",
    }
    path = tmp_path / "plans.zip"
    assert plan_bundle(path, plans) == len(plans)
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        assert [bundle.read(n).decode() for n in names] == list(plans.values())
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert "/" not in name and "\\" not in name and ".." not in name
        assert not name.startswith((".", " ", "-"))
        assert len(name) <= MAX_FILE_NAME
        assert all(ch.isprintable() for ch in name)
    assert names[0] == "etc-passwd.html"
    assert names[1:4] == ["a-b-c.html", "A-B-C-2.HTML", "a-b-c-3.html"]
    assert names[4] == "_CON.html"
    assert names[7].endswith(".html")


def test_safe_file_name_keeps_letters_and_accents():
    assert safe_file_name("José Rivas-1a2b3c4d.html") == "José Rivas-1a2b3c4d.html"
    assert safe_file_name("=HYPERLINK(x).html") == "HYPERLINK-x.html"


def test_plan_bundle_wants_a_zip_name(tmp_path):
    with pytest.raises(ExportError, match=r"\.zip"):
        plan_bundle(tmp_path / "plans.csv", {"a.html": "x"})
    with pytest.raises(ExportError, match="cannot be written"):
        plan_bundle(tmp_path / "missing" / "plans.zip", {"a.html": "x"})


# ---------------------------------------------------------------------------------------
# Introductions


def test_introduction_rows_draft_one_email_per_pair(workshop, framework):
    amelia = Participant(name="Amelia Hartley", email="amelia@example.com")
    kim = Participant(name="Kim Lee", email="kim@example.com")
    published = "Subject: Hello you two\n\nAn edited introduction."
    documents = [
        saved(workshop, amelia, SelfAssessment(growth_areas=["negotiation"])),
        saved(
            workshop,
            kim,
            MentorMatch(mentor_email=ZOE.email, introduction=published, published_on=TODAY),
        ),
    ]
    pairs = pd.DataFrame(
        {"mentee": [amelia.id, kim.id, "f" * 32], "mentor": [ZOE.email] * 3, "score": [1.0] * 3}
    )
    rows = introduction_rows(
        pairs,
        {p.id: p for p in (amelia, kim)},
        {ZOE.email: ZOE},
        workshop,
        framework,
        documents,
        today=TODAY,
    )
    assert len(rows) == 2
    assert all(list(row) == list(INTRODUCTION_COLUMNS) for row in rows)
    fresh, edited = rows
    expected = introduction_email(
        amelia, ZOE, workshop, "covers your growth area: negotiation; meets by video"
    )
    assert fresh["subject"] == expected.splitlines()[0].removeprefix("Subject: ")
    assert fresh["body"].startswith("Hello Amelia and Zoë,")
    assert "Covers your growth area: negotiation" in fresh["body"]
    assert (fresh["participant_email"], fresh["mentor_email"]) == (amelia.email, ZOE.email)
    assert edited["subject"] == "Hello you two"
    assert edited["body"] == "An edited introduction."
