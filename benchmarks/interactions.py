"""How long each interaction takes in the kernel, against a bare ipywidgets change.

Builds the apps in-process, as the notebooks do, for a returning participant of the demo
workshop (40 mentors, 30 participants) who has saved a self-assessment and a SMART goal:
`mentorkit.ui.<app>.<app>_app(store=…, environ={"QUERY_STRING": "resume=CODE"})`. Then
it times, over `--repeat` repetitions each (after three untimed ones):

* a rating change in the self-assessment (a Dropdown value set: the chart and summary are
  redrawn and an autosave is requested);
* redrawing the self-assessment chart and summary on their own;
* a filter change in the mentor shortlist, with every matching mentor shown (the
  directory of 40 is filtered and its cards rendered again);
* `fit.rank_mentors` over 2 000 generated mentors (the ranking the shortlist opens with);
* a keystroke in a SMART goal (the checker's feedback is refreshed and an autosave is
  requested);
* an autosave flush against SQLite (a temporary file), and against PostgreSQL when
  MENTORKIT_TEST_PG names a database: there the benchmark adds its own workshop and
  deletes it afterwards, leaving everything else alone.

The baseline, measured in the same run: a bare `ipywidgets.Text` value change with one
observer. Changes run inside a running asyncio loop, as in a kernel, so an autosave request
only schedules the save (about a second later) and the save itself is timed separately as
the flush: typing never waits for the database. Every message a widget sends is packed as
a kernel packs it for the browser (`jupyter_client.session.json_packer`); only the socket
is missing. It prints the median and 95th percentile
in milliseconds and the ratio of each median to the baseline's; the target is a median
under 100 ms for every interaction.

    python benchmarks/interactions.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import comm
import ipywidgets as widgets
from comm import DummyComm
from jupyter_client.session import json_packer

from mentorkit.fit import rank_mentors
from mentorkit.models import (
    Framework,
    MeetingFormat,
    MentorProfile,
    Participant,
    SelfAssessment,
    SmartGoal,
    validate,
)
from mentorkit.store import DocumentKey, Store, open_store
from mentorkit.testing import sign_in_rostered
from mentorkit.ui.autosave import Autosaver, SaveStatus
from mentorkit.ui.mentor_shortlist import mentor_shortlist_app
from mentorkit.ui.self_assessment import SelfAssessmentView, self_assessment_app
from mentorkit.ui.smart_goals import GoalCard, smart_goals_app
from mentorkit.workshops import create_workshop, ensure_demo

TARGET_MS = 100.0
WARMUP = 3
GENERATED_MENTORS = 2_000
SEED = 20260302
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]
LANGUAGES = ["English", "Spanish", "German", "French", "Hindi", "Portuguese"]
INDUSTRIES = ["Software", "Health", "Education", "Finance", "Energy", "Public sector"]

W = TypeVar("W", bound=widgets.Widget)


class PackingComm(DummyComm):
    """A widget comm that packs each message to JSON bytes, as a kernel's session does
    before sending it to the browser, and then drops it."""

    packed_bytes = 0

    def publish_msg(
        self,
        msg_type: str,
        data: dict | None = None,
        metadata: dict | None = None,
        buffers: list | None = None,
        **keys: object,
    ) -> None:
        content = {"data": data or {}, "comm_id": self.comm_id, **keys}
        PackingComm.packed_bytes += len(json_packer(content)) + len(json_packer(metadata or {}))


@dataclass(frozen=True)
class Timing:
    """The timed repetitions of one interaction, in milliseconds."""

    label: str
    ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.ms, n=100, method="inclusive")[94]


def timed(label: str, action: Callable[[int], object], repeat: int) -> Timing:
    """Run `action(i)` WARMUP times untimed, then `repeat` times timed."""
    for i in range(WARMUP):
        action(i)
    times = []
    for i in range(WARMUP, WARMUP + repeat):
        started = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - started) * 1000)
    return Timing(label, times)


def find(root: widgets.Widget, kind: type[W]) -> Iterator[W]:
    """Every widget of `kind` inside `root`, depth first."""
    if isinstance(root, kind):
        yield root
    for child in getattr(root, "children", ()):
        yield from find(child, kind)


# -- data -------------------------------------------------------------------------------


def returning_participant(store: Store) -> tuple[str, SelfAssessment]:
    """A demo participant who has saved a self-assessment and a goal; their resume code."""
    workshop = ensure_demo(store).workshop
    person = store.participants(workshop.code)[0]
    identity = sign_in_rostered(store, workshop.code, person.email)
    assert identity.new_resume_code is not None
    competencies = list(workshop.framework.competencies())
    assessment = validate(
        SelfAssessment,
        {
            "ratings": {cid: 1 + i % 5 for i, cid in enumerate(competencies)},
            "strengths": competencies[:2],
            "growth_areas": competencies[-3:],
            "values": ["Learning", "Fairness"],
            "career_goal": "Lead a small team within two years.",
            "preferences": {
                "formats": ["video", "in person"],
                "frequency": "monthly",
                "time_zone": "Europe/Berlin",
                "languages": ["English", "German"],
            },
        },
    )
    store.save(
        DocumentKey(workshop.code, person.id, SelfAssessment.kind),
        assessment,
        expected_revision=0,
    )
    goal = validate(
        SmartGoal,
        {
            "title": "Speak up in team meetings",
            "specific": "Present one update in every weekly team meeting.",
            "measurable": "Eight updates given, and feedback asked from two colleagues.",
            "achievable": "My manager agreed to give me a slot each week.",
            "relevant": "Public speaking is my first growth area.",
            "time_bound": "By the end of the quarter.",
            "deadline": date.today() + timedelta(days=80),
            "competencies": competencies[-1:],
        },
    )
    store.save(
        DocumentKey(workshop.code, person.id, SmartGoal.kind, "goal-1"),
        goal,
        expected_revision=0,
    )
    return identity.new_resume_code, assessment


def generated_mentors(framework: Framework, count: int) -> list[MentorProfile]:
    """`count` valid, varied mentors (fixed seed), for ranking at scale."""
    rng = random.Random(SEED)
    ids = list(framework.competencies())
    formats = list(MeetingFormat)
    mentors = []
    for n in range(count):
        mentors.append(
            validate(
                MentorProfile,
                {
                    "name": f"Mentor {n:04d}",
                    "email": f"mentor{n:04d}@example.org",
                    "title": "Engineer",
                    "organization": f"Org {n % 37}",
                    "industry": rng.choice(INDUSTRIES),
                    "expertise": rng.sample(ids, rng.randint(1, min(6, len(ids)))),
                    "capacity": rng.randint(0, 4),
                    "years_experience": rng.randint(2, 35),
                    "formats": rng.sample(formats, rng.randint(1, len(formats))),
                    "time_zone": rng.choice(ZONES),
                    "languages": rng.sample(LANGUAGES, rng.randint(1, 3)),
                    "bio": "Happy to help people grow.",
                },
            )
        )
    return mentors


# -- interactions -----------------------------------------------------------------------


def baseline(repeat: int) -> Timing:
    """A bare Text value change with one observer."""
    text = widgets.Text()
    seen: list[int] = []
    text.observe(lambda change: seen.append(len(change["new"])), names="value")
    return timed(
        "bare Text change, one observer (baseline)",
        lambda i: setattr(text, "value", f"value {i}"),
        repeat,
    )


def self_assessment_timings(store: Store, environ: dict[str, str], repeat: int) -> list[Timing]:
    """A rating change, and a redraw of the chart and summary."""
    app = self_assessment_app(store=store, environ=environ)
    view = app.view
    assert isinstance(view, SelfAssessmentView), app.notice.value
    rating = next(iter(view.ratings.values()))
    results = [
        timed(
            "self-assessment: rating change (redraw + autosave request)",
            lambda i: setattr(rating, "value", 2 if i % 2 else 4),
            repeat,
        )
    ]
    assessment = view.document()
    results.append(
        timed(
            "self-assessment: chart and summary redraw", lambda i: view._redraw(assessment), repeat
        )
    )
    view.autosaver.flush()
    return results


def shortlist_timing(store: Store, environ: dict[str, str], repeat: int) -> Timing:
    """A filter change with every matching mentor shown (the whole directory rendered)."""
    app = mentor_shortlist_app(store=store, environ=environ)
    view = app.view
    assert view is not None, app.notice.value
    view.show_all.value = True
    mentors = len(view.ranking)
    options = [value for _, value in view.format.options if value is not None]
    assert options, "the demo mentors list no meeting formats"
    return timed(
        f"shortlist: filter change, all {mentors} mentors shown",
        lambda i: setattr(view.format, "value", None if i % 2 else options[i % len(options)]),
        repeat,
    )


def ranking_timing(framework: Framework, assessment: SelfAssessment, repeat: int) -> Timing:
    """`fit.rank_mentors` over generated mentors."""
    mentors = generated_mentors(framework, GENERATED_MENTORS)
    return timed(
        f"fit.rank_mentors over {len(mentors):,} mentors",
        lambda i: rank_mentors(assessment, mentors, framework),
        repeat,
    )


def smart_goal_timing(store: Store, environ: dict[str, str], repeat: int) -> Timing:
    """A keystroke in a goal: the checker's feedback refreshed and an autosave requested."""
    app = smart_goals_app(store=store, environ=environ)
    assert app.view is not None, app.notice.value
    card = next(find(app.view, GoalCard))
    box = card.parts["measurable"]
    start = box.value
    result = timed(
        "SMART goal: keystroke, feedback refresh (+ autosave request)",
        lambda i: setattr(box, "value", start + " x" * (i % 2)),
        repeat,
    )
    card.autosaver.flush()
    return result


def flush_timing(store: Store, key: DocumentKey, label: str, repeat: int) -> Timing:
    """Autosave flushes: each saves a new revision of a self-assessment."""
    autosaver = Autosaver(store, key, SaveStatus())

    def save(i: int) -> None:
        document = SelfAssessment(career_goal=f"Revision {i}: lead a small team.")
        autosaver.request(lambda: document)
        assert autosaver.flush(), autosaver.status.value

    return timed(label, save, repeat)


def postgres_flush_timing(url: str, repeat: int) -> Timing:
    """Autosave flushes against PostgreSQL, in a workshop of its own, deleted afterwards."""
    store = open_store(url)
    code = None
    try:
        access = create_workshop(store, f"interactions benchmark {uuid.uuid4().hex[:8]}")
        code = access.workshop.code
        person = Participant(name="Benchmark participant")
        store.add_participant(code, person)
        key = DocumentKey(code, person.id, SelfAssessment.kind)
        return flush_timing(store, key, "autosave flush, PostgreSQL", repeat)
    finally:
        if code is not None:
            store.delete_workshop(code)
        store.close()


# -- main -------------------------------------------------------------------------------


def print_table(timings: Sequence[Timing], base: Timing) -> bool:
    """The table; returns whether every interaction's median is under the target."""
    print(
        f"\nKernel time per interaction, ms ({len(base.ms)} timed repetitions each after "
        f"{WARMUP} untimed; target: median < {TARGET_MS:.0f} ms)"
    )
    header = f"{'interaction':<62} {'median':>8} {'p95':>8} {'×baseline':>10}  target"
    print(header)
    print("-" * len(header))
    all_met = True
    for timing in [base, *timings]:
        ratio = timing.median / base.median
        verdict = ""
        if timing is not base:
            met = timing.median < TARGET_MS
            all_met &= met
            verdict = "met" if met else "MISSED"
        print(
            f"{timing.label:<62} {timing.median:>8.2f} {timing.p95:>8.2f} "
            f"{ratio:>10,.0f}  {verdict}"
        )
    return all_met


async def run(repeat: int, folder: Path) -> bool:
    """Everything, inside a running event loop as in a kernel."""
    store = open_store(f"sqlite:///{folder / 'interactions.db'}")
    try:
        resume_code, assessment = returning_participant(store)
        environ = {"QUERY_STRING": f"resume={resume_code}"}
        workshop = store.workshops()[0]
        base = baseline(repeat)
        timings = [
            *self_assessment_timings(store, environ, repeat),
            shortlist_timing(store, environ, repeat),
            ranking_timing(workshop.framework, assessment, repeat),
            smart_goal_timing(store, environ, repeat),
        ]
        person = store.participants(workshop.code)[1]
        key = DocumentKey(workshop.code, person.id, SelfAssessment.kind)
        timings.append(flush_timing(store, key, "autosave flush, SQLite", repeat))
    finally:
        store.close()
    pg_url = os.environ.get("MENTORKIT_TEST_PG")
    if pg_url:
        timings.append(postgres_flush_timing(pg_url, repeat))
    met = print_table(timings, base)
    print(f"Widget messages packed for the browser: {PackingComm.packed_bytes / 1e6:.1f} MB.")
    if not pg_url:
        print("PostgreSQL: not measured (set MENTORKIT_TEST_PG to a database URL).")
    print(
        f"Verdict: every interaction under {TARGET_MS:.0f} ms (median): {'yes' if met else 'NO'}."
    )
    return met


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when an interaction misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed repetitions (≥ 20)")
    args = parser.parse_args(argv)
    if args.repeat < 20:
        parser.error("--repeat must be at least 20")
    comm.create_comm = PackingComm  # widgets made from here on pack what they send
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="mentorkit-interactions-") as tmp:
        met = asyncio.run(run(args.repeat, Path(tmp)))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
