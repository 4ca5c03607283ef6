"""The whole server is killed mid-typing: every answer the page showed as saved comes back.

A participant types answers until the page says "Saved", types a little more, and the Voilà
server is killed with SIGKILL before that last change is saved: the process group of
`make serve` and the kernels it started (they run in sessions of their own), all at once,
as a crashed or OOM-killed machine would leave them. The server is started again on the
same SQLite file; the participant signs in again with their resume code and finds every
answer the page had shown as saved, and SQLite's integrity check says ok.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from browser_helpers import open_app, sign_in_first_time, still_signed_in, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.identity import resume
from mentorkit.store import DocumentKey, SqlStore
from mentorkit.testing import free_port, stop_process_group

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
APP = "01_self_assessment.ipynb"
CAREER_GOAL = "Career goal (1–3 years)"
LANGUAGES = "Languages I can meet in"


@dataclass
class Server:
    """One `make serve` started by this test, with everything it started."""

    process: subprocess.Popen[bytes]
    base_url: str
    join_code: str
    log: Path

    def tree(self) -> list[psutil.Process]:
        """The server's processes and the kernels it started (in sessions of their own)."""
        try:
            return [
                psutil.Process(self.process.pid),
                *psutil.Process(self.process.pid).children(recursive=True),
            ]
        except psutil.NoSuchProcess:
            return []

    def crash(self) -> None:
        """SIGKILL the server's process group and its kernels, all at once."""
        processes = self.tree()
        os.killpg(self.process.pid, signal.SIGKILL)
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        psutil.wait_procs(processes, timeout=30)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server politely (its kernels with it); kill whatever is left."""
        processes = self.tree()
        stop_process_group(self.process)
        _, alive = psutil.wait_procs(processes, timeout=10)
        for process in alive:
            process.kill()


def start_server(database_url: str, folder: Path, name: str) -> Server:
    """`make serve` on a free port and the given database, as tests/browser/conftest.py does."""
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={port}", f"VENV={sys.prefix}"],
            cwd=ROOT,
            env={**os.environ, "MENTORKIT_DB": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    server = Server(process, base_url, "", log)
    try:
        wait_for_landing(f"{base_url}/", process)
    except BaseException:
        server.stop()
        raise
    found = re.search(r"Join code:\s+(\S+)", log.read_text())
    assert found, log.read_text()
    server.join_code = found[1]
    return server


def wait_for_landing(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                assert response.status == 200
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    """The servers a test starts; each is stopped (with its kernels) at the end."""
    if shutil.which("make") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("make is not installed")
        pytest.skip("make is not installed")
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def test_answers_shown_as_saved_survive_a_killed_server(
    page: Page, person: Person, servers: list[Server], tmp_path: Path
) -> None:
    database = tmp_path / "crash.db"
    database_url = f"sqlite:///{database}"
    servers.append(start_server(database_url, tmp_path, "first"))
    first = servers[0]

    open_app(page, first.base_url, APP)
    resume_code = sign_in_first_time(person, first.join_code, "Noor Haddad")
    answer(person, CAREER_GOAL, "Lead the data team")
    answer(person, LANGUAGES, "English, Arabic")
    saved_goal = page.get_by_label(CAREER_GOAL).input_value()
    saved_languages = page.get_by_label(LANGUAGES).input_value()

    # More typing, then the crash before the debounced save can run.
    typed_more = " within two years"
    person.type(CAREER_GOAL, typed_more, replace=False)
    expect(page.locator(".mentorkit-save-pending")).to_be_visible()
    first.crash()
    assert all(not process.is_running() for process in first.tree())

    assert sqlite_integrity(database) == "ok"

    servers.append(start_server(database_url, tmp_path, "second"))
    second = servers[1]
    open_app(person, second.base_url, APP)  # the browser kept the sign-in (cookies ignore ports)
    still_signed_in(person)

    expect(page.get_by_label(LANGUAGES)).to_have_value(saved_languages, timeout=30_000)
    shown_goal = page.get_by_label(CAREER_GOAL).input_value()
    # What the page showed as saved is back; text typed after it may or may not be.
    assert shown_goal.startswith(saved_goal), shown_goal
    assert (saved_goal + typed_more).startswith(shown_goal), shown_goal

    # The store agrees with the page, and its history has every revision once.
    with SqlStore(database_url) as store:
        who = resume(store, resume_code)
        key = DocumentKey(who.workshop.code, who.participant.id, "self_assessment")
        history = store.history(key)
    assert [saved.revision for saved in history] == list(range(1, len(history) + 1))
    assert history[-1].document.career_goal == shown_goal
    assert history[-1].document.preferences.languages == ["English", "Arabic"]
    assert sqlite_integrity(database) == "ok"


def answer(person: Person, label: str, text: str) -> None:
    """Type an answer and wait until the page says this change is saved.

    The indicator still says "Saved" from the previous change until the kernel has heard
    of this one, so first wait for it to say "Saving…".
    """
    person.type(label, text)
    expect(person.page.locator(".mentorkit-save-pending")).to_be_visible()
    wait_until_saved(person)


def sqlite_integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()
