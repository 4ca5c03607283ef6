"""Crashes and a database that cannot be written: nothing saved is lost, nothing half-written.

- A participant's process (a kernel) is killed with SIGKILL in the middle of a burst of
  saves, again and again, while another participant keeps saving: every revision it had
  seen committed is intact, the latest stored one is complete and valid, history has no gap
  or duplicate, SQLite's integrity check says ok, and saving again works.
- An Autosaver against a read-only SQLite file, and against a full one, says "Not saved —
  retrying", keeps the participant's text pending and loses nothing saved before; once the
  database can be written again, `flush()` saves it.

PostgreSQL needs MENTORKIT_TEST_PG; its tables are dropped first, as in test_store.py.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from load_benchmark import LOAD_SCRIPT, ROOT, load

from mentorkit.identity import sign_in
from mentorkit.models import SmartGoal
from mentorkit.store import DocumentKey, SqlStore, open_store
from mentorkit.ui.autosave import Autosaver, SaveStatus
from mentorkit.workshops import create_workshop

#: Kill rounds that must land inside a save (after its attempt was journaled, before its
#: commit was), and the most rounds tried to get them.
KILLS_MID_SAVE = 3
MAX_ROUNDS = 12


# ---------------------------------------------------------------------------------------
# SIGKILL in the middle of a burst of saves


def start_writer(
    url: str, workshop: str, participant: str, journal: Path, rate: float, seed: int
) -> subprocess.Popen[str]:
    """One participant autosaving in its own process (a kernel), journaling every step."""
    command = [
        sys.executable,
        str(LOAD_SCRIPT),
        *("--participant", participant, "--workshop", workshop, "--db-url", url),
        *("--rate", str(rate), "--seconds", "300", "--journal", str(journal)),
        *("--seed", str(seed)),
    ]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


class JournalWatch:
    """Follows a participant's journal as it grows, reading only what was appended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.commits = 0
        self.last_state = ""

    def update(self) -> JournalWatch:
        """Read the lines completed since the last call."""
        if not self.path.exists():
            return self
        with self.path.open("rb") as journal:
            journal.seek(self.offset)
            appended = journal.read()
        complete = appended[: appended.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            state = json.loads(line)["state"]
            self.commits += state == "committed"
            self.last_state = state
        return self


def kill_mid_save(writer: subprocess.Popen[str], journal: JournalWatch, after: int) -> bool:
    """SIGKILL the writer once it has committed `after` more saves and is inside the next.

    Returns whether the kill landed inside a save: the journal's last line announces an
    attempt whose commit the process never reported.
    """
    target = journal.update().commits + after
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if writer.poll() is not None:
            raise AssertionError(f"the writer exited early: {writer.communicate()[1]}")
        if journal.update().commits >= target and journal.last_state == "attempt":
            writer.send_signal(signal.SIGKILL)
            break
        time.sleep(0.001)
    else:
        writer.kill()
        raise AssertionError("the writer made no progress within 120 s")
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    return journal.update().last_state == "attempt"


def test_a_writer_killed_mid_burst_loses_nothing_it_saw_committed(
    db_url: str, tmp_path: Path
) -> None:
    with SqlStore(db_url) as store:
        workshop, (victim, bystander) = load.prepare_workshop(store, 2, "crash")
    victim_journal, bystander_journal = tmp_path / "victim.jsonl", tmp_path / "bystander.jsonl"
    victim_watch, bystander_watch = JournalWatch(victim_journal), JournalWatch(bystander_journal)
    bystander_writer = start_writer(db_url, workshop, bystander, bystander_journal, 20, 2)
    rng = random.Random(20260302)
    mid_save = rounds = 0
    writers = [bystander_writer]
    try:
        while mid_save < KILLS_MID_SAVE and rounds < MAX_ROUNDS:
            # Each round is a kernel coming back after the crash: it loads what is stored
            # and goes on typing, as fast as the store takes it (rate 0: a burst).
            writers.append(start_writer(db_url, workshop, victim, victim_journal, 0, 100 + rounds))
            mid_save += kill_mid_save(writers[-1], victim_watch, after=rng.randint(3, 30))
            rounds += 1
        bystander_before = bystander_watch.update().commits
        time.sleep(1.0)
        # The other participant was never held up by a lock of the killed process.
        assert bystander_watch.update().commits > bystander_before
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(timeout=30)
    assert mid_save >= KILLS_MID_SAVE, f"only {mid_save} of {rounds} kills landed in a save"

    reports = [load.read_journal(victim_journal), load.read_journal(bystander_journal)]
    found = load.verify(db_url, workshop, reports)
    assert found.ok, found.problems
    assert found.lost == 0 and found.corrupt == 0
    assert found.documents == 2 * len(load.WORKSHEETS)
    if db_url.startswith("sqlite"):
        assert found.integrity == "ok"

    # Saving again works: a new kernel loads the latest revision of every document and
    # stores the next one on top of it.
    with SqlStore(db_url) as store:
        for kind, name in load.WORKSHEETS:
            key = DocumentKey(workshop, victim, kind, name)
            latest = store.load(key)
            assert latest is not None
            saved = store.save(key, latest.document, expected_revision=latest.revision)
            assert saved.revision == latest.revision + 1
            history = store.history(key)
            assert [s.revision for s in history] == list(range(1, saved.revision + 1))


def test_the_crash_check_sees_a_committed_save_that_is_missing(db_url: str, tmp_path: Path) -> None:
    """The comparison with the journal can fail: a committed revision erased is reported."""
    with SqlStore(db_url) as store:
        workshop, (participant,) = load.prepare_workshop(store, 1, "crash check")
    journal = tmp_path / "writer.jsonl"
    writer = start_writer(db_url, workshop, participant, journal, 0, 7)
    try:
        kill_mid_save(writer, JournalWatch(journal), after=10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(timeout=30)
    report = load.read_journal(journal)
    name, data = next((n, d) for n, d in report["documents"].items() if len(d["committed"]) > 1)
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            kind, document = name.split("/")
            history = load.history_table
            conn.execute(
                history.delete().where(
                    history.c.participant == participant,
                    history.c.kind == kind,
                    history.c.name == document,
                    history.c.revision == data["committed"][0][0],
                )
            )
    finally:
        engine.dispose()
    found = load.verify(db_url, workshop, [report])
    assert found.lost == 1 and not found.ok, found.problems


# ---------------------------------------------------------------------------------------
# Read-only and full SQLite databases

#: Runs as an unprivileged user (the file modes must apply): the participant saves, the
#: database files are made read-only, a new kernel opens the app and the participant types,
#: then the files are made writable again and the pending text is saved. Prints what it saw.
READ_ONLY_SCENARIO = textwrap.dedent(
    """
    import json, logging, os, pwd, sys

    from mentorkit.identity import sign_in
    from mentorkit.models import SelfAssessment
    from mentorkit.store import DocumentKey, SqlStore, open_store
    from mentorkit.ui.autosave import Autosaver, SaveStatus
    from mentorkit.workshops import create_workshop

    folder = sys.argv[1]
    url = f"sqlite:///{folder}/mentorkit.db"

    def database_files(mode):
        for name in os.listdir(folder):
            if name.startswith("mentorkit.db"):
                os.chmod(os.path.join(folder, name), mode)

    def participant_saves(store):
        workshop = create_workshop(store, "Read-only day").workshop
        who = sign_in(store, workshop.code, "Ada Quill")
        key = DocumentKey(workshop.code, who.participant.id, "self_assessment")
        saver = Autosaver(store, key, SaveStatus())
        saver.request(lambda: SelfAssessment(career_goal="Lead a small team"))
        store.history(key)
        return key

    # Everything is imported and warmed up before privileges are dropped: the interpreter
    # and its libraries may live where an unprivileged user cannot read.
    with SqlStore("sqlite://") as warm_up:
        participant_saves(warm_up)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    class Reasons(logging.Handler):
        def emit(self, record):
            if record.exc_info:
                seen["reasons"].append(str(record.exc_info[1]))

    seen = {"reasons": []}
    logging.getLogger("mentorkit").addHandler(Reasons())
    with open_store(url) as first_visit:  # the participant's first visit
        key = participant_saves(first_visit)
    database_files(0o444)
    seen["writable_while_read_only"] = os.access(f"{folder}/mentorkit.db", os.W_OK)
    store = open_store(url)  # the participant comes back: a new kernel
    status = SaveStatus()
    saver = Autosaver(store, key, status)
    seen["shown"] = saver.document.career_goal
    saver.request(lambda: SelfAssessment(career_goal="Lead a small team by June"))
    seen["state"] = status.state
    seen["status"] = status.value
    seen["pending"] = saver.has_unsaved_changes
    seen["retry_flush"] = saver.flush()
    seen["stored"] = [s.document.career_goal for s in store.history(key)]
    database_files(0o644)
    seen["flushed"] = saver.flush()
    seen["state_after"] = status.state
    seen["pending_after"] = saver.has_unsaved_changes
    store.close()
    with open_store(url) as fresh:
        seen["stored_after"] = [s.document.career_goal for s in fresh.history(key)]
    print(json.dumps(seen))
    """
)


@pytest.fixture
def unprivileged_folder() -> Iterator[Path]:
    """A folder the scenario's user owns; as root, one that `nobody` owns and can reach."""
    folder = Path(tempfile.mkdtemp(prefix="mentorkit-read-only-"))
    try:
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_read_only_database_says_retrying_keeps_the_text_and_saves_once_writable(
    unprivileged_folder: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", READ_ONLY_SCENARIO, str(unprivileged_folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["writable_while_read_only"] is False  # the file modes really applied
    assert seen["shown"] == "Lead a small team"  # the saved answer is still shown
    assert seen["state"] == "retrying"
    assert "Not saved — retrying" in seen["status"]
    assert seen["pending"] is True
    assert seen["retry_flush"] is False
    assert seen["reasons"] and all("readonly database" in r for r in seen["reasons"])
    assert seen["stored"] == ["Lead a small team"]  # nothing saved before was lost
    assert seen["flushed"] is True
    assert seen["state_after"] == "saved"
    assert seen["pending_after"] is False
    assert seen["stored_after"] == ["Lead a small team", "Lead a small team by June"]
    assert_intact(unprivileged_folder / "mentorkit.db")


class PageLimit:
    """Caps the size of one SQLite file through `PRAGMA max_page_count` on every checkout.

    A pooled connection keeps its setting, so the limit is applied each time the store
    takes a connection from its pool: lowering it makes SQLite itself refuse to grow the
    file ("database or disk is full"), raising it lets writes through again.
    """

    #: SQLite's largest max_page_count: no limit in practice.
    UNLIMITED = 4294967294

    def __init__(self, path: Path) -> None:
        self.path = str(path.resolve())
        self.pages = self.UNLIMITED

    def __call__(self, dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        databases = dbapi_connection.execute("PRAGMA database_list").fetchall()
        if any(row[1] == "main" and row[2] == self.path for row in databases):
            # The limit cannot go below the current size: 1 means "full as it is now".
            dbapi_connection.execute(f"PRAGMA max_page_count = {self.pages}")


@pytest.fixture
def page_limit(tmp_path: Path) -> Iterator[PageLimit]:
    limit = PageLimit(tmp_path / "mentorkit.db")
    sa.event.listen(sa.pool.Pool, "checkout", limit)
    try:
        yield limit
    finally:
        sa.event.remove(sa.pool.Pool, "checkout", limit)


def test_a_full_database_says_retrying_keeps_the_text_and_saves_once_there_is_room(
    tmp_path: Path, page_limit: PageLimit, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "mentorkit.db"
    with open_store(f"sqlite:///{path}") as store:
        workshop = create_workshop(store, "Full disk day").workshop
        who = sign_in(store, workshop.code, "Ada Quill")
        key = DocumentKey(workshop.code, who.participant.id, "smart_goal", "goal-1")
        status = SaveStatus()
        saver = Autosaver(store, key, status)
        saver.request(lambda: SmartGoal(title="Present the quarterly review"))
        assert status.state == "saved"

        page_limit.pages = 1  # the file may not grow any more
        # A long answer (about 8 kB) needs new pages.
        long_answer = SmartGoal(
            title="Present the quarterly review",
            specific="Outline, rehearse and present. " * 60,
            measurable="Three talks with written feedback. " * 50,
            relevant="Speaking to leaders is part of the next role. " * 40,
        )
        with caplog.at_level(logging.WARNING, logger="mentorkit"):
            saver.request(lambda: long_answer)
        # SQLite itself refused to grow the file, in its own words.
        assert "database or disk is full" in str(caplog.records[-1].exc_info[1])
        assert status.state == "retrying"
        assert "Not saved — retrying" in status.value
        assert saver.has_unsaved_changes
        assert [s.document.specific for s in store.history(key)] == [""]

        page_limit.pages = PageLimit.UNLIMITED  # room again
        assert saver.flush()
        assert status.state == "saved"
        assert not saver.has_unsaved_changes
        assert [s.document for s in store.history(key)][-1] == long_answer
        assert [s.revision for s in store.history(key)] == [1, 2]
    assert_intact(path)


def assert_intact(path: Path) -> None:
    assert load.sqlite_integrity(str(path)) == "ok"
