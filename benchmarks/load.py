"""Concurrent autosave load: many participants saving at once, then proof that nothing was lost.

    python benchmarks/load.py [--processes 50] [--rate 10] [--seconds 30]
                              [--store sqlite|postgres|both] [--db-url URL] [--json PATH]

Each participant is its own process (multiprocessing, forkserver context, as every Voilà
kernel is its own process) with its own `SqlStore` opened from the URL. It autosaves three
worksheets in turn (a self-assessment, a SMART goal and a check-in, realistic documents
from `mentorkit.models`) at a steady `--rate` saves per second for `--seconds`, the text
of each growing by a word or two per save as if typed. Every save goes through
`store.save(key, document, expected_revision=…)` as `Autosaver.flush` does, and is timed.
The processes start together (each at a random phase of the save period) once all have
opened their store.

Baseline, measured in the same run on the same database: one participant process alone at
the same rate (`--baseline-seconds`). The table gives the load's latencies as ratios to it.

Afterwards a fresh store checks, for every document of every participant:

- the latest stored revision is the last one its process saw committed, with the same body;
- history holds every revision 1..n once, each body byte-for-byte (as JSON) the one the
  process sent for that revision, each a valid document (`models.upgrade_document`);
- nothing else was stored (no revision or document the processes did not write);
- SQLite: `PRAGMA integrity_check` says ok and `PRAGMA foreign_key_check` finds nothing.

A lost write is a save the process saw committed that is missing or different afterwards;
a corrupt one is any other mismatch (a gap, a duplicate, an invalid or foreign revision).

SQLite runs on a new file in a temporary folder (or a `--db-url sqlite:///…`). PostgreSQL
runs on `--db-url postgresql+psycopg:///…` or $MENTORKIT_TEST_PG; there the benchmark adds
workshops of its own and deletes them afterwards (`--keep DIR` keeps them, and the SQLite
file, and writes each run's reports to DIR for `verify`). Without `--store`, both run when a
PostgreSQL URL is known, else SQLite alone.

Exit status: 1 when a write is lost or corrupt or a check fails (whatever the latencies),
3 when only the latency target (SQLite p99 under 100 ms) is missed, 0 otherwise (2 is
argparse's, for a wrong command line).

A hidden `--participant` mode runs one participant in this process, writing a journal
(each attempted and each committed revision, flushed and fsynced before the next step): the
crash tests kill such a process with SIGKILL and compare the database with its journal.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import queue
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mentorkit.catalog import load_framework
from mentorkit.errors import ConflictError, InvalidInput, MentorkitError
from mentorkit.models import (
    CheckIn,
    Document,
    Participant,
    SelfAssessment,
    SmartGoal,
    Workshop,
    upgrade_document,
)
from mentorkit.store import (
    DocumentKey,
    SqlStore,
    documents_table,
    history_table,
)

#: The worksheets every participant autosaves in turn: (kind, document name).
WORKSHEETS: tuple[tuple[str, str], ...] = (
    ("self_assessment", "main"),
    ("smart_goal", "goal-1"),
    ("check_in", "check-in-1"),
)
#: The p99 save latency SQLite must stay under at the default load (issue 6 acceptance).
SQLITE_P99_TARGET_MS = 100.0
TODAY = date(2026, 3, 2)
SEED = 20260302
WORDS = (
    "plan",
    "talk",
    "team",
    "feedback",
    "quarterly",
    "review",
    "present",
    "project",
    "stakeholder",
    "learn",
    "write",
    "lead",
    "meeting",
    "share",
    "practise",
    "coach",
    "measure",
    "deliver",
    "improve",
    "outline",
    "draft",
    "listen",
    "mentor",
    "goal",
    "budget",
    "roadmap",
    "confidence",
    "network",
    "career",
    "growth",
    "skill",
    "habit",
    "weekly",
    "notes",
    "ask",
)
#: How long to wait for every process to open its store before giving up on a run.
READY_TIMEOUT_S = 600.0


# ---------------------------------------------------------------------------------------
# Documents as typed


def digest(body: Mapping[str, Any]) -> str:
    """A fingerprint of a document body as JSON, independent of key order (JSONB reorders)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_name(kind: str, name: str) -> str:
    """How a participant's document is named in reports and journals."""
    return f"{kind}/{name}"


class Typist:
    """One participant's typing: each worksheet's text grows by a word or two per save.

    When a text reaches its field's limit the participant starts the paragraph again, so
    documents stay valid however long a run lasts.
    """

    def __init__(self, seed: int, competencies: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.competencies = list(competencies)
        self.ratings = {
            cid: self.rng.randint(1, 5) for cid in self.rng.sample(self.competencies, 8)
        }
        self.texts: dict[str, str] = {kind: "" for kind, _ in WORKSHEETS}

    def resume(self, kind: str, document: Document | None) -> None:
        """Continue from a stored document (a participant coming back after a crash)."""
        if isinstance(document, SelfAssessment):
            self.texts[kind] = document.career_goal
        elif isinstance(document, SmartGoal):
            self.texts[kind] = document.specific
        elif isinstance(document, CheckIn):
            self.texts[kind] = document.learned

    def _type(self, kind: str, limit: int) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 2)))
        text = f"{self.texts[kind]} {words}".strip()
        if len(text) > limit:
            text = words.capitalize()
        self.texts[kind] = text
        return text

    def next_document(self, kind: str) -> Document:
        """The worksheet `kind` with a few more words typed into its main text."""
        if kind == "self_assessment":
            return SelfAssessment(
                ratings=self.ratings,
                strengths=self.competencies[:2],
                growth_areas=self.competencies[2:4],
                values=["Curiosity", "Fairness"],
                career_goal=self._type(kind, 1000),
                preferences={
                    "formats": ["video"],
                    "frequency": "every two weeks",
                    "time_zone": "Europe/Berlin",
                    "languages": ["English", "German"],
                },
            )
        if kind == "smart_goal":
            return SmartGoal(
                title="Present the quarterly review to the leadership team",
                specific=self._type(kind, 2000),
                measurable="Three talks with written feedback",
                relevant="Speaking to leaders is part of the next role",
                time_bound="By the end of the second quarter",
                deadline=TODAY + timedelta(days=90),
                competencies=self.competencies[2:4],
                milestones=[{"title": "Outline the talk", "due_on": TODAY + timedelta(days=14)}],
            )
        if kind == "check_in":
            return CheckIn(
                met_on=TODAY,
                topics=["Quarterly review", "Feedback"],
                learned=self._type(kind, 4000),
                action_items=[{"text": "Send the outline to my mentor"}],
            )
        raise ValueError(f"no typist for worksheet kind {kind!r}")


# ---------------------------------------------------------------------------------------
# One participant (runs in its own process)


@dataclass(frozen=True)
class ParticipantPlan:
    """What one participant process does."""

    url: str
    workshop: str
    participant: str
    seed: int
    rate: float  # saves per second; 0 means as fast as the store allows (a burst)
    seconds: float
    max_saves: int = 0  # 0: no limit (stop after `seconds`)
    journal: str | None = None  # path: append each attempt and commit, fsynced


@dataclass
class DocumentRecord:
    """What a participant process knows about one of its documents."""

    kind: str
    name: str
    #: Revision → digests of every body the process sent as that revision (a save whose
    #: outcome it never learned may be followed by another attempt at the same revision).
    attempted: dict[int, list[str]] = field(default_factory=dict)
    #: Revision → digest of the body the process knows is stored as that revision: saved by
    #: its own `store.save`, or read back from the store.
    committed: dict[int, str] = field(default_factory=dict)
    last_body: dict[str, Any] | None = None  # the body of the highest committed revision
    #: Revisions read back with a body the process had never sent as that revision.
    mismatched: list[int] = field(default_factory=list)

    def attempt(self, revision: int, fingerprint: str) -> None:
        """Record a body about to be sent as `revision`."""
        sent = self.attempted.setdefault(revision, [])
        if fingerprint not in sent:
            sent.append(fingerprint)

    def commit(self, revision: int, body: Mapping[str, Any]) -> None:
        """Record that `body` is stored as `revision` (its save returned)."""
        self.committed[revision] = digest(body)
        if revision >= max(self.committed):
            self.last_body = dict(body)

    def read_back(self, revision: int, body: Mapping[str, Any]) -> None:
        """Record a revision loaded from the store (a process starting again after a crash)."""
        sent = self.attempted.get(revision)
        if sent is not None and digest(body) not in sent:
            self.mismatched.append(revision)
        self.commit(revision, body)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "attempted": [[revision, sent] for revision, sent in sorted(self.attempted.items())],
            "committed": [[revision, d] for revision, d in sorted(self.committed.items())],
            "last_body": self.last_body,
            "mismatched": self.mismatched,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DocumentRecord:
        return cls(
            kind=data["kind"],
            name=data["name"],
            attempted={int(revision): list(sent) for revision, sent in data["attempted"]},
            committed={int(revision): d for revision, d in data["committed"]},
            last_body=data["last_body"],
            mismatched=list(data["mismatched"]),
        )


class Journal:
    """An append-only file of what a participant did, each line on disk before going on.

    A line is flushed and fsynced before the save it announces starts (attempt) and before
    the next save starts (commit), so after a SIGKILL the file holds every commit the
    process saw, and at most one attempt whose outcome it never learned.
    """

    def __init__(self, path: str | None) -> None:
        self.file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def write(self, **entry: Any) -> None:
        if self.file is None:
            return
        self.file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def read_journal(path: Path) -> dict[str, Any]:
    """A participant report rebuilt from its journal (what a killed process had reported).

    A last line cut short by the kill is ignored: the process had not finished reporting it.
    """
    records: dict[str, DocumentRecord] = {}
    bodies: dict[tuple[str, int], dict[str, Any]] = {}
    participant = ""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise
        participant = entry["participant"]
        name, revision = entry["key"], int(entry["revision"])
        kind, document_name = name.split("/", 1)
        record = records.setdefault(name, DocumentRecord(kind, document_name))
        if entry["state"] == "attempt":
            record.attempt(revision, entry["digest"])
            bodies[name, revision] = entry["body"]
        elif entry["state"] == "loaded":
            record.read_back(revision, entry["body"])
        else:  # "committed": the body of the attempt just before
            if (name, revision) not in bodies:
                raise ValueError(f"{path}, line {number}: revision {revision} was never sent")
            record.commit(revision, bodies[name, revision])
    return {
        "participant": participant,
        "documents": {name: record.to_json() for name, record in records.items()},
    }


def run_participant(plan: ParticipantPlan, start: Any = None) -> dict[str, Any]:
    """Autosave this participant's worksheets at `plan.rate` until time is up.

    `start`, when given, is waited on (a multiprocessing Event) after the store is open, so
    that every process of a run begins saving together. Returns the participant's report.
    """
    store = SqlStore(plan.url)
    journal = Journal(plan.journal)
    try:
        competencies = list(load_framework().competencies())
        typist = Typist(plan.seed, competencies)
        keys = [DocumentKey(plan.workshop, plan.participant, k, n) for k, n in WORKSHEETS]
        records = {key_name(k.kind, k.name): DocumentRecord(k.kind, k.name) for k in keys}
        revisions: dict[DocumentKey, int] = {}
        for key in keys:
            revisions[key] = _load(store, key, records, typist, journal, plan.participant)
        latencies: list[float] = []
        conflicts = failures = late = 0
        failure_reasons: list[str] = []
        if start is not None:
            start.wait()
        period = 1.0 / plan.rate if plan.rate > 0 else 0.0
        phase = random.Random(plan.seed).uniform(0.0, period)
        began = time.monotonic()
        deadline = began + plan.seconds
        retry: DocumentKey | None = None
        count = 0
        while True:
            due = began + phase + count * period
            now = time.monotonic()
            if due >= deadline or now >= deadline:
                break
            if plan.max_saves and count >= plan.max_saves:
                break
            if due > now:
                time.sleep(due - now)
            elif period and now - due > period:
                late += 1
            key = retry or keys[count % len(keys)]
            count += 1
            document = typist.next_document(key.kind)
            body = document.model_dump(mode="json")
            revision = revisions[key] + 1
            name = key_name(key.kind, key.name)
            fingerprint = digest(body)
            records[name].attempt(revision, fingerprint)
            journal.write(
                participant=plan.participant,
                key=name,
                revision=revision,
                state="attempt",
                digest=fingerprint,
                body=body,
            )
            started = time.perf_counter()
            try:
                saved = store.save(key, document, expected_revision=revisions[key])
            except ConflictError:
                # Only this process writes its documents, so this means a save that failed
                # on our side had committed after all: take the stored one, as a reload does.
                conflicts += 1
                revisions[key] = _load(store, key, records, typist, journal, plan.participant)
                retry = None
                continue
            except MentorkitError as exc:
                # The store is busy or down: the text stays pending, as in Autosaver.
                failures += 1
                if len(failure_reasons) < 3:
                    failure_reasons.append(str(exc))
                retry = key
                continue
            latencies.append(time.perf_counter() - started)
            retry = None
            revisions[key] = saved.revision
            records[name].commit(saved.revision, body)
            journal.write(
                participant=plan.participant, key=name, revision=saved.revision, state="committed"
            )
        return {
            "participant": plan.participant,
            "latencies": latencies,
            "seconds": time.monotonic() - began,
            "conflicts": conflicts,
            "failures": failures,
            "failure_reasons": failure_reasons,
            "late": late,
            "documents": {name: record.to_json() for name, record in records.items()},
        }
    finally:
        journal.close()
        store.close()


def _load(
    store: SqlStore,
    key: DocumentKey,
    records: dict[str, DocumentRecord],
    typist: Typist,
    journal: Journal,
    participant: str,
) -> int:
    """The stored revision of `key` (0 if none), recorded as committed: it was read back."""
    saved = store.load(key)
    if saved is None:
        return 0
    body = saved.document.model_dump(mode="json")
    name = key_name(key.kind, key.name)
    records[name].read_back(saved.revision, body)
    typist.resume(key.kind, saved.document)
    journal.write(
        participant=participant, key=name, revision=saved.revision, state="loaded", body=body
    )
    return saved.revision


def _participant_process(plan: ParticipantPlan, ready: Any, start: Any, results: Any) -> None:
    """A process's entry point: report readiness, run, and send the report (or the error)."""
    try:
        ready.put(plan.participant)
        results.put(run_participant(plan, start))
    except BaseException:
        results.put({"participant": plan.participant, "error": traceback.format_exc()})


# ---------------------------------------------------------------------------------------
# A run: set up, start the processes, collect their reports


@dataclass
class LoadRun:
    """What one run did: its workshop, every participant's report, and the wall time."""

    label: str
    url: str
    workshop: str
    processes: int
    rate: float
    seconds: float
    reports: list[dict[str, Any]]
    errors: list[str]
    wall_seconds: float


def prepare_workshop(store: SqlStore, participants: int, label: str) -> tuple[str, list[str]]:
    """A new workshop with `participants` people on its roster: (join code, their ids)."""
    workshop = Workshop(name=f"Load benchmark · {label}", framework=load_framework())
    store.create_workshop(workshop, "not-a-real-key-hash")
    people = [
        Participant(name=f"Load participant {i:03d}", email=f"load{i:03d}@example.com")
        for i in range(participants)
    ]
    store.import_roster(workshop.code, participants=people)
    return workshop.code, [person.id for person in people]


def _context() -> multiprocessing.context.BaseContext:
    """Forkserver where there is one (a process per participant starts in milliseconds from
    a server that imported mentorkit once), else spawn; never fork (engines and threads)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            ["__main__", "mentorkit.store", "mentorkit.models", "psycopg", "sqlite3"]
        )
        return context
    return multiprocessing.get_context("spawn")


def run_load(url: str, processes: int, rate: float, seconds: float, label: str) -> LoadRun:
    """`processes` participant processes autosaving together on `url`; their reports."""
    with SqlStore(url) as store:
        code, ids = prepare_workshop(store, processes, label)
    context = _context()
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    plans = [
        ParticipantPlan(url, code, pid, SEED + index, rate, seconds)
        for index, pid in enumerate(ids)
    ]
    workers = [
        context.Process(target=_participant_process, args=(plan, ready, start, results))
        for plan in plans
    ]
    for worker in workers:
        worker.start()
    reports: list[dict[str, Any]] = []
    errors: list[str] = []
    try:
        _wait_ready(ready, results, workers, errors)
        began = time.monotonic()
        start.set()
        deadline = began + seconds + READY_TIMEOUT_S
        while len(reports) + len(errors) < len(workers) and time.monotonic() < deadline:
            try:
                report = results.get(timeout=1.0)
            except queue.Empty:
                if not any(worker.is_alive() for worker in workers) and results.empty():
                    break
                continue
            if "error" in report:
                errors.append(report["error"])
            else:
                reports.append(report)
        wall = time.monotonic() - began
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
                worker.join()
    missing = len(workers) - len(reports) - len(errors)
    if missing:
        errors.append(f"{missing} participant process(es) sent no report")
    return LoadRun(label, url, code, processes, rate, seconds, reports, errors, wall)


def _wait_ready(ready: Any, results: Any, workers: Sequence[Any], errors: list[str]) -> None:
    """Wait until every process has opened its store (or failed trying)."""
    waiting = len(workers)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while waiting and time.monotonic() < deadline:
        try:
            ready.get(timeout=1.0)
            waiting -= 1
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers):
                break
    if waiting:
        errors.append(f"{waiting} participant process(es) never became ready")


# ---------------------------------------------------------------------------------------
# Checking what was stored


@dataclass
class Verification:
    """What a fresh store found compared with what the processes reported."""

    documents: int = 0
    revisions: int = 0
    committed: int = 0
    lost: int = 0
    corrupt: int = 0
    in_flight: int = 0  # latest revision is a save whose commit its process never learned
    integrity: str = "n/a"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.corrupt == 0 and self.integrity in ("ok", "n/a")

    def lose(self, count: int, problem: str) -> None:
        self.lost += count
        self._note(problem)

    def corrupted(self, problem: str) -> None:
        self.corrupt += 1
        self._note(problem)

    def _note(self, problem: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(problem)


def verify(url: str, workshop: str, reports: Sequence[Mapping[str, Any]]) -> Verification:
    """Compare the database with the participants' reports (see the module docstring)."""
    result = Verification()
    expected = {
        (report["participant"], name): DocumentRecord.from_json(data)
        for report in reports
        for name, data in report["documents"].items()
    }
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            history = _rows(conn, history_table, workshop)
            current = _rows(conn, documents_table, workshop)
    finally:
        engine.dispose()
    for where in sorted(set(history) | set(current)):
        if where not in expected:
            result.corrupted(f"{where[0]} {where[1]}: stored, but no process wrote it")
    with SqlStore(url) as store:
        for (participant, name), record in sorted(expected.items()):
            _verify_document(
                result,
                store,
                DocumentKey(workshop, participant, record.kind, record.name),
                record,
                history.get((participant, name), []),
                current.get((participant, name), []),
            )
    if sa.make_url(url).get_backend_name() == "sqlite":
        result.integrity = sqlite_integrity(str(sa.make_url(url).database))
        if result.integrity != "ok":
            result.corrupted(f"SQLite integrity check: {result.integrity}")
    return result


def _rows(
    conn: sa.Connection, table: sa.Table, workshop: str
) -> dict[tuple[str, str], list[tuple[int, dict[str, Any]]]]:
    """(participant, kind/name) → [(revision, body)] read straight from a table."""
    found: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    query = sa.select(
        table.c.participant, table.c.kind, table.c.name, table.c.revision, table.c.body
    ).where(table.c.workshop == workshop)
    for row in conn.execute(query):
        body = json.loads(row.body) if isinstance(row.body, str) else row.body
        where = (row.participant, key_name(row.kind, row.name))
        found.setdefault(where, []).append((int(row.revision), body))
    return found


def _verify_document(
    result: Verification,
    store: SqlStore,
    key: DocumentKey,
    record: DocumentRecord,
    history: list[tuple[int, dict[str, Any]]],
    current: list[tuple[int, dict[str, Any]]],
) -> None:
    """Check one document: history complete and intact, the latest revision the right one."""
    where = f"{key.participant[:8]} {key_name(key.kind, key.name)}"
    if not record.committed and not history and not current:
        return  # never saved, nothing stored
    result.documents += 1
    result.revisions += len(history)
    result.committed += len(record.committed)
    for revision in record.mismatched:
        result.corrupted(f"{where}: revision {revision} was read back unlike anything sent")
    stored: dict[int, dict[str, Any]] = {}
    for revision, body in history:
        if revision in stored:
            result.corrupted(f"{where}: revision {revision} is in history twice")
        stored[revision] = body
        try:
            upgrade_document(key.kind, body)
        except InvalidInput as exc:
            result.corrupted(f"{where}: revision {revision} is not a valid document: {exc}")
        if digest(body) not in record.attempted.get(revision, []):
            result.corrupted(f"{where}: revision {revision} is not what the process sent")
    latest = max(stored, default=0)
    gaps = sorted(set(range(1, latest + 1)) - set(stored))
    if gaps:
        result.corrupted(f"{where}: history lacks revisions {gaps[:5]}")
    for revision, fingerprint in sorted(record.committed.items()):
        if revision not in stored:
            result.lose(1, f"{where}: committed revision {revision} is not in history")
        elif digest(stored[revision]) != fingerprint:
            result.lose(1, f"{where}: committed revision {revision} changed in history")
    last_committed = max(record.committed, default=0)
    if len(current) != 1:
        result.corrupted(f"{where}: {len(current)} current rows instead of 1")
        return
    revision, body = current[0]
    if revision != latest or digest(body) != digest(stored.get(latest, {})):
        result.corrupted(f"{where}: the current row (revision {revision}) is not history's last")
    if revision < last_committed:
        result.lose(1, f"{where}: latest is revision {revision}, {last_committed} was committed")
    elif revision == last_committed and body != record.last_body:
        result.lose(1, f"{where}: the latest revision is not the last one the process saved")
    elif revision == last_committed + 1 and digest(body) in record.attempted.get(revision, []):
        result.in_flight += 1  # committed just as its process died, before it could say so
    elif revision > last_committed:
        result.corrupted(f"{where}: revision {revision} was never sent by its process")
    loaded = store.load(key)
    if loaded is None or loaded.revision != revision:
        result.corrupted(f"{where}: a fresh store does not load revision {revision}")
    elif loaded.document.model_dump(mode="json") != body:
        result.corrupted(f"{where}: a fresh store loads a different document")
    if [saved.revision for saved in store.history(key)] != list(range(1, latest + 1)):
        result.corrupted(f"{where}: a fresh store's history is not revisions 1..{latest}")


def sqlite_integrity(path: str) -> str:
    """'ok', or what SQLite's integrity and foreign-key checks found wrong in the file."""
    connection = sqlite3.connect(path)
    try:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        dangling = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    if dangling:
        found.append(f"{len(dangling)} rows point at missing rows (foreign_key_check)")
    return "ok" if found == ["ok"] else "; ".join(found)


# ---------------------------------------------------------------------------------------
# Figures


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0–1) quantile, interpolated; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(run: LoadRun, check: Verification) -> dict[str, Any]:
    """One row of figures for a run, in milliseconds, with its verification."""
    latencies = [s * 1000 for report in run.reports for s in report["latencies"]]
    saves = len(latencies)
    return {
        "store": run.label.split()[0],
        "run": run.label,
        "processes": run.processes,
        "target_rate": run.rate * run.processes,
        "saves": saves,
        "saves_per_s": saves / run.seconds if run.seconds else 0.0,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
        "conflicts": sum(report["conflicts"] for report in run.reports),
        "failed_saves": sum(report["failures"] for report in run.reports),
        "late_saves": sum(report["late"] for report in run.reports),
        "failure_reasons": sorted(
            {reason for report in run.reports for reason in report["failure_reasons"]}
        )[:3],
        "process_errors": run.errors,
        "workshop": run.workshop,
        "verification": asdict(check) | {"ok": check.ok},
    }


def print_table(rows: Sequence[Mapping[str, Any]]) -> None:
    """The figures of every run, each with its latencies as a ratio to its baseline's."""
    header = (
        f"{'store':<10} {'run':<22} {'saves':>6} {'saves/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'p50 ×':>6} {'p99 ×':>6} {'confl':>5} {'failed':>6} "
        f"{'lost':>4} {'corrupt':>7} {'integrity':>9}"
    )
    print(header)
    print("-" * len(header))
    baselines = {row["store"]: row for row in rows if row["processes"] == 1}
    for row in rows:
        base = baselines.get(row["store"])
        p50_ratio = row["p50_ms"] / base["p50_ms"] if base and base["p50_ms"] else float("nan")
        p99_ratio = row["p99_ms"] / base["p99_ms"] if base and base["p99_ms"] else float("nan")
        check = row["verification"]
        print(
            f"{row['store']:<10} {row['run']:<22} {row['saves']:>6} {row['saves_per_s']:>8.1f} "
            f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f} "
            f"{row['max_ms']:>7.1f} {p50_ratio:>6.2f} {p99_ratio:>6.2f} {row['conflicts']:>5} "
            f"{row['failed_saves']:>6} {check['lost']:>4} {check['corrupt']:>7} "
            f"{check['integrity']:>9}"
        )
    for row in rows:
        for problem in row["verification"]["problems"]:
            print(f"  {row['run']}: {problem}")
        for reason in row["failure_reasons"]:
            print(f"  {row['run']}: a save failed: {reason}")
        for error in row["process_errors"]:
            print(f"  {row['run']}: {error.strip().splitlines()[-1]}")


# ---------------------------------------------------------------------------------------
# Command line


def _urls(args: argparse.Namespace, folder: Path) -> Iterator[tuple[str, str]]:
    """(store label, URL) for each store to load."""
    given = {sa.make_url(url).get_backend_name(): url for url in args.db_url}
    pg = given.get("postgresql") or os.environ.get("MENTORKIT_TEST_PG", "").strip()
    stores = args.store or ("both" if pg else "sqlite")
    if stores == "sqlite" and not pg and args.store is None:
        print("No PostgreSQL URL (--db-url or MENTORKIT_TEST_PG): SQLite only.\n")
    if stores in ("sqlite", "both"):
        yield "sqlite", given.get("sqlite") or f"sqlite:///{folder / 'load.db'}"
    if stores in ("postgres", "both"):
        if not pg:
            raise SystemExit(
                "No PostgreSQL database to load: pass --db-url postgresql+psycopg:///NAME "
                "or set MENTORKIT_TEST_PG."
            )
        yield "postgresql", pg


def _measure(store: str, url: str, args: argparse.Namespace, keep: Path | None) -> list[dict]:
    """The baseline and the load on one store, each verified; rows for the table."""
    rows = []
    runs = [("baseline", 1, args.baseline_seconds), ("load", args.processes, args.seconds)]
    for what, processes, seconds in runs:
        label = f"{store} {what} ×{processes}"
        print(f"{label}: {processes} process(es) at {args.rate:g} saves/s for {seconds:g} s…")
        run = run_load(url, processes, args.rate, seconds, label)
        check = verify(url, run.workshop, run.reports)
        if run.errors:
            check.corrupted(f"{len(run.errors)} process(es) failed; their saves are unchecked")
        rows.append(summarise(run, check))
        if keep is not None:
            saved = keep / f"{store}-{what}-reports.json"
            saved.write_text(json.dumps({"url": url, "workshop": run.workshop, **asdict(run)}))
        elif store != "sqlite":
            with SqlStore(url) as cleanup:
                cleanup.delete_workshop(run.workshop)
    return rows


def _run_one_participant(args: argparse.Namespace) -> int:
    """The hidden --participant mode: one participant in this process, with a journal."""
    if not args.db_url or not args.workshop:
        raise SystemExit("--participant needs --db-url and --workshop")
    plan = ParticipantPlan(
        url=args.db_url[0],
        workshop=args.workshop,
        participant=args.participant,
        seed=args.seed,
        rate=args.rate,
        seconds=args.seconds,
        max_saves=args.max_saves,
        journal=args.journal,
    )
    report = run_participant(plan)
    print(json.dumps({key: report[key] for key in ("participant", "conflicts", "failures")}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load on each store, print the table; the exit status says what failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=50, help="participant processes")
    parser.add_argument("--rate", type=float, default=10.0, help="saves per second each")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load")
    parser.add_argument(
        "--baseline-seconds", type=float, help="length of the one-process baseline (≤ 10 s)"
    )
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"])
    parser.add_argument(
        "--db-url",
        action="append",
        default=[],
        help="database to load, one per kind (default: a temporary SQLite file, and "
        "$MENTORKIT_TEST_PG for PostgreSQL)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="keep the databases; write reports here")
    parser.add_argument("--participant", help=argparse.SUPPRESS)
    parser.add_argument("--workshop", help=argparse.SUPPRESS)
    parser.add_argument("--journal", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument("--max-saves", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.participant:
        return _run_one_participant(args)
    if args.processes < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--processes, --rate and --seconds must be positive")
    if args.baseline_seconds is None:
        args.baseline_seconds = min(args.seconds, 10.0)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mentorkit-load-") as scratch:
        folder = args.keep.resolve() if args.keep is not None else Path(scratch)
        for store, url in _urls(args, folder):
            rows += _measure(store, url, args, args.keep)
    print()
    print(
        f"Autosave load on {datetime.now(UTC):%Y-%m-%d}: each process saves {args.rate:g}/s "
        f"in turn to {len(WORKSHEETS)} worksheets; ratios to the one-process baseline."
    )
    print_table(rows)
    broken = any(not row["verification"]["ok"] for row in rows)
    slow = [
        row
        for row in rows
        if row["store"] == "sqlite"
        and row["processes"] > 1
        and row["p99_ms"] >= SQLITE_P99_TARGET_MS
    ]
    print()
    print("lost writes:", sum(row["verification"]["lost"] for row in rows), "(must be 0)")
    for row in rows:
        if row["store"] == "sqlite" and row["processes"] > 1:
            verdict = "MISSED" if row in slow else "met"
            print(
                f"SQLite p99 under {SQLITE_P99_TARGET_MS:g} ms: {verdict} ({row['p99_ms']:.1f} ms)"
            )
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))
    if broken:
        return 1
    return 3 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
