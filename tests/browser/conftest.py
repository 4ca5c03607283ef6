"""Serve the apps as `make serve` does and drive them in Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_helpers import ServedDemo
from person import RESULTS, Person, reload_probability_from_env, seed_for
from playwright.sync_api import Page

from mentorkit.testing import free_port, stop_process_group, unavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests leave screenshots for people to look at (test-results/)."""
    RESULTS.mkdir(exist_ok=True)
    return RESULTS


@pytest.fixture
def people(request: pytest.FixtureRequest) -> Callable[..., Person]:
    """Makes the person working a page of this test: seeded from the test's name (or
    MENTORKIT_BROWSER_SEED), so that random reloads fall at the same points every run."""
    made: list[Person] = []

    def make(page: Page, **options: object) -> Person:
        name = request.node.name if not made else f"{request.node.name}-{len(made) + 1}"
        seed = seed_for(request.node.nodeid) + len(made)
        options.setdefault("reload_probability", reload_probability_from_env())
        person = Person(page, name=name, seed=seed, **options)
        made.append(person)
        print(f"{name}: seed {seed}, reload probability {person.reload_probability}")
        return person

    return make


@pytest.fixture
def person(page: Page, people: Callable[..., Person]) -> Person:
    """The person at the test's page."""
    return people(page)


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> int:
    """The HTTP status of `url` once the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """`make serve` on a free port with a throw-away database."""
    if shutil.which("make") is None:
        unavailable("make is not installed")
    folder = tmp_path_factory.mktemp("served")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    port = free_port()
    log = (folder / "serve.log").open("w+")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"VENV={sys.prefix}"],
        cwd=ROOT,
        env={**os.environ, "MENTORKIT_DB": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        landing_url = f"{base_url}/voila/render/index.ipynb"
        wait_for_http(landing_url, process)
        printed = (folder / "serve.log").read_text()
        join_code = re.search(r"Join code:\s+(\S+)", printed)
        key = re.search(r"Facilitator key:\s+(\S+)", printed)
        assert join_code and key, printed
        assert landing_url in printed, printed
        yield ServedDemo(base_url, landing_url, join_code[1], key[1], database_url)
    finally:
        stop_process_group(process)
        log.close()
