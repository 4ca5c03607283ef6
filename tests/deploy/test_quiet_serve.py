"""`mentorkit serve` prints what a facilitator needs to read (the address) and nothing they
can do nothing about, while participants open worksheets and when it is stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from served_output import (
    FAILURE,
    WORKSHEETS,
    kernel_answers,
    kernels_left,
    noise,
    open_worksheet,
    start_serve,
    stop_as_a_person,
    wait_until_kernels_listen,
    wait_until_pools_are_filled,
)

from mentorkit.testing import ServedProcess

ROOT = Path(__file__).resolve().parents[2]
#: The lines a stopped server prints once Voilà has begun its stop.
STOPPED = ["[Voila] Stopping...", "mentorkit has stopped."]


@contextmanager
def served_demo(tmp_path: Path) -> Iterator[tuple[ServedProcess, int]]:
    """`mentorkit serve` on a demo workshop, its pre-heated kernels ready; always stopped
    (with any kernel it left) at the end."""
    env = {**os.environ, "MENTORKIT_DB": f"sqlite:///{tmp_path / 'quiet.db'}"}
    cli = [sys.executable, "-m", "mentorkit.cli"]
    subprocess.run([*cli, "demo"], check=True, capture_output=True, cwd=ROOT, env=env)
    served, port = start_serve([*cli, "serve"], cwd=ROOT, env=env, log=tmp_path / "serve.log")
    try:
        wait_until_pools_are_filled(served)
        yield served, port
    finally:
        served.stop()


def assert_stopped_quietly(served: ServedProcess, status: int, printed: list[str]) -> None:
    """The server ended as asked, said so, printed no traceback, and left no kernel."""
    assert status == 0, "\n".join(printed)
    assert [line for line in printed if FAILURE.search(line)] == [], "\n".join(printed)
    assert printed[printed.index(STOPPED[0]) :] == STOPPED, "\n".join(printed)
    assert kernels_left(served.log) == []


def test_serve_prints_no_warnings_while_worksheets_are_opened_and_stops_quietly_on_ctrl_c(tmp_path):
    with served_demo(tmp_path) as (served, port):
        for notebook in WORKSHEETS:
            assert kernel_answers(served, port, open_worksheet(served, notebook))
        # Ctrl+C while the pre-heated kernels wait for visitors and the pools of the two
        # worksheets opened wait to be refilled.
        status, after_stop = stop_as_a_person(served, whole_group=True)
    printed = served.log.read_text()
    assert f"Serving mentorkit at http://127.0.0.1:{port}/" in printed
    assert noise(served.log) == [], printed
    assert_stopped_quietly(served, status, after_stop)


def test_serve_stops_quietly_on_sigterm_while_its_pre_heated_kernels_wait(tmp_path):
    with served_demo(tmp_path) as (served, _):
        # A pool is filled when its kernel has been launched, not when it has begun to
        # listen: wait for the kernels to run their notebooks, as they do for a visitor.
        wait_until_kernels_listen(served)
        status, after_stop = stop_as_a_person(served, whole_group=False)
    assert noise(served.log) == [], served.log.read_text()
    assert_stopped_quietly(served, status, after_stop)
