"""How long the cohort dashboard takes to aggregate 10 000 participants' documents.

Builds a throw-away workshop with realistic documents (a self-assessment for everyone, a
mentor shortlist for 70%, expectations for 50%, one to three SMART goals for 50%, one to
four check-ins for 30%, and published matches and plan sharing for some), then times what
a dashboard refresh does, `store.list(workshop)` + `cohort.progress` +
`cohort.cohort_summary`, against a baseline measured in the same run: the bare
`store.list(workshop)`. Times are the median of `--repeat` runs; peak memory is measured
in one more run of each under tracemalloc (which slows Python down, so it is not timed).

SQLite always (a temporary file); PostgreSQL too when MENTORKIT_TEST_PG names a database:
the benchmark adds its own workshop there and deletes it (with its documents) afterwards,
leaving everything else alone.

    python benchmarks/dashboard.py [--participants 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mentorkit import catalog, cohort
from mentorkit.models import (
    CheckIn,
    Document,
    Framework,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.rosters import read_mentors
from mentorkit.store import DocumentKey, SqlStore, open_store

TODAY = date(2026, 3, 2)
SEED = 20260302
FORMATS = ["in person", "video", "phone", "chat"]
FREQUENCIES = ["weekly", "every two weeks", "monthly", "every three months"]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]
VALUES = ["Curiosity", "Fairness", "Growth", "Balance", "Craft", "Community"]
WORDS = [
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
]


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    backend: str
    what: str
    participants: int
    documents: int
    read_s: float
    aggregate_s: float
    peak_mib: float

    @property
    def total_s(self) -> float:
        return self.read_s + self.aggregate_s


# ---------------------------------------------------------------------------------------
# Building the workshop


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _documents(
    rng: random.Random, framework: Framework, mentors: Sequence[MentorProfile]
) -> list[tuple[str, Document]]:
    """One participant's documents as (document name, document)."""
    ids = list(framework.competencies())
    picked = rng.sample(ids, 5)
    found: list[tuple[str, Document]] = [
        (
            "main",
            SelfAssessment(
                ratings={cid: rng.randint(1, 5) for cid in rng.sample(ids, rng.randint(5, 20))},
                strengths=picked[:2],
                growth_areas=picked[2 : 2 + rng.randint(1, 3)],
                values=rng.sample(VALUES, 2),
                career_goal=_sentence(rng, 20),
                preferences={
                    "formats": rng.sample(FORMATS, rng.randint(1, 2)),
                    "frequency": rng.choice(FREQUENCIES),
                    "time_zone": rng.choice(ZONES),
                    "languages": ["English"],
                },
            ),
        )
    ]
    if rng.random() < 0.7:
        chosen = rng.sample(list(mentors), rng.randint(1, 3))
        entries = [{"mentor_email": m.email, "note": _sentence(rng, 12)} for m in chosen]
        found.append(("main", MentorShortlist(entries=entries)))
    if rng.random() < 0.5:
        start = TODAY - timedelta(days=rng.randint(0, 30))
        found.append(
            (
                "main",
                MentoringAgreement(
                    mentor_email=rng.choice(mentors).email,
                    relationship_goals=[_sentence(rng, 8)],
                    frequency=rng.choice(FREQUENCIES) if rng.random() < 0.8 else None,
                    start_on=start,
                    end_on=start + timedelta(days=180),
                    confidentiality=_sentence(rng, 15),
                ),
            )
        )
    if rng.random() < 0.5:
        for number in range(1, rng.randint(1, 3) + 1):
            complete = rng.random() < 0.6
            found.append(
                (
                    f"goal-{number}",
                    SmartGoal(
                        title=_sentence(rng, 6),
                        specific=_sentence(rng, 15),
                        measurable=f"{rng.randint(2, 9)} talks with written feedback",
                        achievable=_sentence(rng, 10) if complete else "",
                        relevant=_sentence(rng, 10),
                        time_bound=_sentence(rng, 8),
                        deadline=TODAY + timedelta(days=rng.randint(20, 150)),
                        competencies=picked[2:4],
                        milestones=[
                            {"title": _sentence(rng, 5), "due_on": TODAY + timedelta(days=10)}
                        ],
                    ),
                )
            )
    if rng.random() < 0.3:
        for number in range(1, rng.randint(1, 4) + 1):
            found.append(
                (
                    f"check-in-{number}",
                    CheckIn(
                        met_on=TODAY - timedelta(days=7 * number),
                        topics=[_sentence(rng, 3), _sentence(rng, 3)],
                        learned=_sentence(rng, 40),
                        action_items=[{"text": _sentence(rng, 6)}],
                    ),
                )
            )
    if rng.random() < 0.4:
        mentor = rng.choice(mentors)
        found.append(
            ("main", MentorMatch(mentor_email=mentor.email, score=21.5, published_on=TODAY))
        )
    if rng.random() < 0.2:
        found.append(("main", PlanSharing(shared=True)))
    return found


def build(store: SqlStore, participants: int, framework: Framework) -> tuple[str, int]:
    """A new workshop with `participants` people and their documents; (code, documents)."""
    workshop = Workshop(name="Dashboard benchmark", framework=framework)
    store.create_workshop(workshop, "not-a-real-key-hash")
    mentors = read_mentors(catalog.SAMPLE_MENTORS, framework).records
    people = [
        Participant(name=f"Participant {i:05d}", email=f"participant{i:05d}@example.com")
        for i in range(participants)
    ]
    store.import_roster(workshop.code, mentors=mentors, participants=people)
    rng = random.Random(SEED)
    count = 0
    for person in people:
        for name, document in _documents(rng, framework, mentors):
            key = DocumentKey(workshop.code, person.id, type(document).kind, name)
            store.save(key, document, expected_revision=0)
            count += 1
    return workshop.code, count


# ---------------------------------------------------------------------------------------
# Timing


def _peak_mib(run: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def measure(store: SqlStore, code: str, backend: str, repeat: int) -> list[Row]:
    """The baseline and the dashboard refresh, each the median of `repeat` runs."""
    workshop = store.workshop(code)
    framework = workshop.framework
    people = store.participants(code)
    mentors = store.mentors(code)

    def baseline() -> None:
        store.list(code)

    def dashboard() -> tuple[float, float]:
        start = time.perf_counter()
        saved = store.list(code)
        read = time.perf_counter() - start
        start = time.perf_counter()
        cohort.progress(people, saved, today=TODAY, framework=framework)
        cohort.cohort_summary(framework, people, saved, mentors, today=TODAY)
        return read, time.perf_counter() - start

    documents = len(store.list(code))  # also warms caches for both measurements alike
    base_times, reads, aggregates = [], [], []
    for _ in range(repeat):  # interleaved, so both see the same machine state
        gc.collect()
        start = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - start)
        gc.collect()
        read, aggregate = dashboard()
        reads.append(read)
        aggregates.append(aggregate)
    return [
        Row(
            backend,
            "store.list (baseline)",
            len(people),
            documents,
            statistics.median(base_times),
            0.0,
            _peak_mib(baseline),
        ),
        Row(
            backend,
            "list + progress + summary",
            len(people),
            documents,
            statistics.median(reads),
            statistics.median(aggregates),
            _peak_mib(dashboard),
        ),
    ]


def print_table(rows: Sequence[Row]) -> None:
    baselines = {row.backend: row.total_s for row in rows if row.aggregate_s == 0.0}
    header = (
        f"{'backend':<10} {'measured':<26} {'participants':>12} {'documents':>9} "
        f"{'read s':>7} {'aggregate s':>11} {'total s':>7} {'x baseline':>10} {'peak MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ratio = row.total_s / baselines[row.backend]
        print(
            f"{row.backend:<10} {row.what:<26} {row.participants:>12,} {row.documents:>9,} "
            f"{row.read_s:>7.2f} {row.aggregate_s:>11.2f} {row.total_s:>7.2f} "
            f"{ratio:>10.2f} {row.peak_mib:>8.0f}"
        )


def _run_backend(url: str, backend: str, args: argparse.Namespace) -> list[Row]:
    framework = catalog.load_framework()
    store = open_store(url)
    code = None
    try:
        start = time.perf_counter()
        code, documents = build(store, args.participants, framework)
        print(
            f"{backend}: built {args.participants:,} participants and {documents:,} documents "
            f"in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        return measure(store, code, backend, args.repeat)
    finally:
        if code is not None and backend != "sqlite":
            store.delete_workshop(code)  # the SQLite file goes with its folder
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Build, measure and print the table; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    args = parser.parse_args(argv)
    if args.participants < 1 or args.repeat < 1:
        parser.error("--participants and --repeat must be at least 1")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'dashboard.db'}"
        rows += _run_backend(url, "sqlite", args)
    pg_url = os.environ.get("MENTORKIT_TEST_PG", "").strip()
    if pg_url:
        rows += _run_backend(pg_url, "postgresql", args)
    print()
    print(f"Dashboard aggregation on {datetime.now(UTC):%Y-%m-%d}, median of {args.repeat}")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
