"""The rehearsal drives the apps with the browser tests' person-like driver, on a server
of its own (a fresh demo workshop, so its roster and matching start clean)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from browser_helpers import ServedDemo, serve_demo


@pytest.fixture
def rehearsal_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """`make serve` on a free port, for one rehearsal alone."""
    with serve_demo(tmp_path_factory.mktemp("rehearsal")) as served:
        yield served
