"""`mentorkit serve` prints what a facilitator needs to read (the address) and nothing they
can do nothing about, while participants open worksheets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from served_output import (
    WORKSHEETS,
    kernel_answers,
    noise,
    open_worksheet,
    start_serve,
    wait_until_pools_are_filled,
)

ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_its_address_and_no_warnings_while_worksheets_are_opened(tmp_path):
    env = {**os.environ, "MENTORKIT_DB": f"sqlite:///{tmp_path / 'quiet.db'}"}
    cli = [sys.executable, "-m", "mentorkit.cli"]
    subprocess.run([*cli, "demo"], check=True, capture_output=True, cwd=ROOT, env=env)
    log = tmp_path / "serve.log"
    served, port = start_serve([*cli, "serve"], cwd=ROOT, env=env, log=log)
    try:
        wait_until_pools_are_filled(served)
        for notebook in WORKSHEETS:
            assert kernel_answers(served, port, open_worksheet(served, notebook))
    finally:
        served.stop()
    printed = log.read_text()
    assert f"Serving mentorkit at http://127.0.0.1:{port}/" in printed
    assert noise(log) == [], printed
