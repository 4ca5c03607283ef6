"""Concurrent autosave load, small, on SQLite and PostgreSQL: nothing lost, nothing corrupt.

Runs `benchmarks/load.py` as a user would (four participant processes for two seconds, each
saving ten times a second), then checks what its fresh-store verification found, checks it
again here, and shows that the same check catches a dropped or altered save. Latency is
printed by the benchmark, never asserted here.

PostgreSQL needs MENTORKIT_TEST_PG; its tables are dropped first, as in test_store.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from load_benchmark import LOAD_SCRIPT, ROOT, load

from mentorkit.store import documents_table, history_table

PROCESSES = 4
SECONDS = 2
#: The text each worksheet of the load grows as the participant types.
TYPED_FIELD = {"self_assessment": "career_goal", "smart_goal": "specific", "check_in": "learned"}


@dataclass(frozen=True)
class LoadResult:
    """A finished small load: its figures, the kept reports and the database they describe."""

    url: str
    figures: dict[str, Any]
    run: dict[str, Any]
    output: str


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def small_load(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    emptied_postgres: Callable[[], str],
) -> Iterator[LoadResult]:
    """benchmarks/load.py run once per database, keeping the database and the reports."""
    folder = tmp_path_factory.mktemp(f"load-{request.param}")
    if request.param == "sqlite":
        url, store = f"sqlite:///{folder / 'load.db'}", "sqlite"
    else:
        url, store = emptied_postgres(), "postgres"
    figures = folder / "figures.json"
    command = [
        sys.executable,
        str(LOAD_SCRIPT),
        *("--processes", str(PROCESSES), "--rate", "10", "--seconds", str(SECONDS)),
        *("--baseline-seconds", "1", "--store", store, "--db-url", url),
        *("--json", str(figures), "--keep", str(folder)),
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    output = done.stdout + done.stderr
    # 0: all good; 3: only the latency target missed (timing is the benchmark's business).
    assert done.returncode in (0, 3), output
    run = json.loads((folder / f"{request.param}-load-reports.json").read_text())
    yield LoadResult(url, json.loads(figures.read_text()), run, output)


def load_row(result: LoadResult) -> dict[str, Any]:
    (row,) = [row for row in result.figures["rows"] if row["processes"] == PROCESSES]
    return row


def test_a_small_load_stores_every_save_once_and_intact(small_load: LoadResult) -> None:
    row = load_row(small_load)
    check = row["verification"]
    assert row["process_errors"] == [], small_load.output
    assert row["failed_saves"] == 0 and row["conflicts"] == 0, small_load.output
    assert check["lost"] == 0 and check["corrupt"] == 0, check["problems"]
    assert check["integrity"] == ("ok" if small_load.url.startswith("sqlite") else "n/a")
    # Every participant saved each of its worksheets, and history holds exactly the saves.
    assert check["documents"] == PROCESSES * len(load.WORKSHEETS)
    assert check["revisions"] == check["committed"] == row["saves"] > check["documents"]
    assert len(small_load.run["reports"]) == PROCESSES


def test_a_fresh_check_of_the_kept_database_agrees(small_load: LoadResult) -> None:
    found = load.verify(small_load.url, small_load.run["workshop"], small_load.run["reports"])
    assert found.ok, found.problems
    assert (found.lost, found.corrupt, found.in_flight) == (0, 0, 0)
    assert found.revisions == load_row(small_load)["saves"]


@pytest.fixture
def tampering(small_load: LoadResult) -> Iterator[sa.Engine]:
    """An engine on the kept database; every row is put back as it was afterwards."""
    engine = sa.create_engine(small_load.url)
    with engine.connect() as conn:
        saved = {
            table: [dict(row._mapping) for row in conn.execute(sa.select(table))]
            for table in (history_table, documents_table)
        }
    try:
        yield engine
    finally:
        with engine.begin() as conn:
            for table, rows in saved.items():
                conn.execute(table.delete())
                conn.execute(table.insert(), rows)
        engine.dispose()


def a_document(result: LoadResult) -> tuple[str, str, str]:
    """(participant, kind, name) of a document saved at least twice in the small load."""
    for report in result.run["reports"]:
        for data in report["documents"].values():
            if len(data["committed"]) >= 2:
                return report["participant"], data["kind"], data["name"]
    raise AssertionError("no document was saved twice")


def where(table: sa.Table, document: tuple[str, str, str]) -> list[sa.ColumnElement[bool]]:
    participant, kind, name = document
    return [table.c.participant == participant, table.c.kind == kind, table.c.name == name]


def test_the_check_catches_a_dropped_last_save(
    small_load: LoadResult, tampering: sa.Engine
) -> None:
    document = a_document(small_load)
    with tampering.begin() as conn:  # the last save never happened, as if lost in a crash
        rows = conn.execute(
            sa.select(history_table.c.revision, history_table.c.body, history_table.c.saved_at)
            .where(*where(history_table, document))
            .order_by(history_table.c.revision.desc())
            .limit(2)
        ).all()
        last, previous = rows
        conn.execute(
            history_table.delete().where(
                *where(history_table, document), history_table.c.revision == last.revision
            )
        )
        conn.execute(
            documents_table.update()
            .where(*where(documents_table, document))
            .values(revision=previous.revision, body=previous.body, saved_at=previous.saved_at)
        )
    found = load.verify(small_load.url, small_load.run["workshop"], small_load.run["reports"])
    assert not found.ok
    assert found.lost >= 1, found.problems
    assert any("is not in history" in problem for problem in found.problems)


def test_the_check_catches_an_altered_revision_in_history(
    small_load: LoadResult, tampering: sa.Engine
) -> None:
    document = a_document(small_load)
    with tampering.begin() as conn:
        body = conn.execute(
            sa.select(history_table.c.body).where(
                *where(history_table, document), history_table.c.revision == 1
            )
        ).scalar_one()
        body = json.loads(body) if isinstance(body, str) else dict(body)
        body[TYPED_FIELD[document[1]]] = "Changed behind the participant's back"
        conn.execute(
            history_table.update()
            .where(*where(history_table, document), history_table.c.revision == 1)
            .values(body=body)
        )
    found = load.verify(small_load.url, small_load.run["workshop"], small_load.run["reports"])
    assert not found.ok
    assert found.lost >= 1 and found.corrupt >= 1, found.problems
    assert any("revision 1 is not what the process sent" in p for p in found.problems)


def test_the_check_catches_a_revision_no_process_wrote(
    small_load: LoadResult, tampering: sa.Engine
) -> None:
    participant, kind, name = a_document(small_load)
    with tampering.begin() as conn:
        current = conn.execute(
            sa.select(documents_table).where(*where(documents_table, (participant, kind, name)))
        ).one()
        conn.execute(
            history_table.insert().values(
                workshop=current.workshop,
                participant=participant,
                kind=kind,
                name=name,
                revision=current.revision + 5,
                body=current.body,
                saved_at=current.saved_at,
            )
        )
    found = load.verify(small_load.url, small_load.run["workshop"], small_load.run["reports"])
    assert not found.ok
    assert found.corrupt >= 1, found.problems
    assert any("history lacks revisions" in problem for problem in found.problems)
