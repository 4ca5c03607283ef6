"""Formula injection through every `mentorkit export`: whatever people typed, no cell of any
table (header included) reaches a spreadsheet as a formula, in CSV or in XLSX.

Every text a participant, a roster or a facilitator can set starts with one of the characters
that make a spreadsheet cell a formula; the exports are read back with `csv` and `openpyxl`.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mentorkit.catalog import load_framework
from mentorkit.cli import EXPORT_KINDS, main
from mentorkit.models import (
    MentorMatch,
    MentorProfile,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
    validate,
)
from mentorkit.rosters import safe_cell
from mentorkit.store import DocumentKey, open_store
from mentorkit.workshops import create_workshop

#: What makes a cell a formula: = + - @, tab and carriage return (skipped by some
#: spreadsheets before they look), and the full-width forms East Asian locales convert.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
#: Characters a person can put at the very start of a one-line field (whitespace is trimmed).
TYPED_STARTS = [start for start in FORMULA_STARTS if not start.isspace()]
PAYLOAD = 'HYPERLINK("http://evil.example","x")'


def payload(start: str, where: str) -> str:
    return f"{start}{PAYLOAD}-{where}"


@pytest.fixture(scope="module")
def exported_db(tmp_path_factory) -> dict[str, str]:
    """A workshop where every exported text starts like a formula."""
    folder = tmp_path_factory.mktemp("injection")
    url = f"sqlite:///{folder / 'exports.db'}"
    framework = load_framework().model_dump()
    competencies = [c for area in framework["areas"] for c in area["competencies"]]
    for number, competency in enumerate(competencies):
        competency["name"] = payload(TYPED_STARTS[number % len(TYPED_STARTS)], f"c{number}")[:80]
    store = open_store(url)
    try:
        workshop = create_workshop(
            store, "Injection", framework=validate(type(load_framework()), framework)
        ).workshop
        first_competency = framework["areas"][0]["competencies"][0]["id"]
        mentors = [
            MentorProfile(
                name=payload(start, "mentor"),
                email=f"{start if start in '=+-＝＋－' else ''}m{n}@example.org",
                title=payload(start, "title"),
                organization=payload(start, "org"),
                industry=payload(start, "industry")[:80],
                expertise=[first_competency],
                capacity=2,
                languages=[payload(start, "lang")[:40]],
                bio=payload(start, "bio"),
            )
            for n, start in enumerate(TYPED_STARTS)
        ]
        people = [
            Participant(
                name=payload(start, "person"),
                email=f"{start if start in '=+-＝＋－' else ''}p{n}@example.org",
                department=payload(start, "dept"),
            )
            for n, start in enumerate(TYPED_STARTS)
        ]
        store.import_roster(workshop.code, mentors=mentors, participants=people)
        stored = store.participants(workshop.code)
        for n, person in enumerate(stored):
            start = TYPED_STARTS[n % len(TYPED_STARTS)]

            def save(document, name="main", person=person):
                key = DocumentKey(workshop.code, person.id, document.kind, name)
                store.save(key, document, expected_revision=0)

            save(
                SelfAssessment(
                    ratings={first_competency: 3},
                    growth_areas=[first_competency],
                    values=[payload(start, "value")[:60]],
                    preferences={"languages": [payload(start, "pref")[:40]]},
                )
            )
            save(SmartGoal(title=payload(start, "goal")), "goal-1")
            save(PlanSharing(shared=True))
            save(
                MentorMatch(
                    mentor_email=mentors[n].email,
                    score=3.0,
                    published_on=date(2026, 3, 2),
                    # The body of a draft starts after its subject line: a tab survives there.
                    introduction=(
                        f"Subject: {payload(start, 'subject')}\n\t{payload(start, 'body')}"
                    ),
                )
            )
    finally:
        store.close()
    return {"url": url, "code": workshop.code, "folder": str(folder)}


def run_export(exported_db: dict[str, str], kind: str, suffix: str) -> Path:
    output = Path(exported_db["folder"]) / f"{kind}{suffix}"
    database, code = exported_db["url"], exported_db["code"]
    status = main(["export", kind, "--db", database, "--workshop", code, "-o", str(output)])
    assert status == 0
    return output


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [cell for row in csv.reader(file) for cell in row]


def xlsx_cells(path: Path) -> list[str]:
    sheet = load_workbook(path).worksheets[0]
    cells: list[str] = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                cells.append(cell.value)
    return cells


TABLE_KINDS = [kind for kind in EXPORT_KINDS if kind != "plans"]


def test_every_export_kind_is_checked():
    assert set(TABLE_KINDS) | {"plans"} == set(EXPORT_KINDS)
    assert {"mentors", "participants", "progress", "responses", "pairs", "introductions"} <= set(
        TABLE_KINDS
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_no_exported_cell_is_a_formula(exported_db, kind, suffix):
    path = run_export(exported_db, kind, suffix)
    cells = csv_cells(path) if suffix == ".csv" else xlsx_cells(path)
    formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert formulas == []
    # The hostile texts were exported, neutralised, not left out: the test can fail.
    neutralised = [cell for cell in cells if cell.startswith("'") and PAYLOAD in cell]
    assert len(neutralised) >= len(TYPED_STARTS)
    assert {cell[1] for cell in neutralised} >= set(TYPED_STARTS)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_tab_at_the_start_of_an_introduction_body_is_neutralised(exported_db, suffix):
    path = run_export(exported_db, "introductions", suffix)
    cells = csv_cells(path) if suffix == ".csv" else xlsx_cells(path)
    bodies = [cell for cell in cells if "-body" in cell]
    assert bodies and all(cell.startswith("'\t") for cell in bodies)


def test_rating_headers_named_by_a_framework_are_neutralised(exported_db):
    path = run_export(exported_db, "responses", ".csv")
    with path.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    hostile_headers = [cell for cell in header if PAYLOAD in cell]
    assert len(hostile_headers) >= len(TYPED_STARTS)
    assert all(cell.startswith("'") for cell in hostile_headers)


def test_shared_plans_are_html_with_every_payload_as_text(exported_db):
    path = run_export(exported_db, "plans", ".zip")
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        pages = [bundle.read(name).decode("utf-8") for name in names]
    assert len(pages) == len(TYPED_STARTS)
    assert all("/" not in name and not name.startswith(".") for name in names)
    escaped = PAYLOAD.replace('"', "&#34;")
    assert all(escaped in page and PAYLOAD not in page for page in pages)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_safe_cell_neutralises_every_formula_start(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell(f"a{start}1") == f"a{start}1"
