"""Every test run, notebooks included, uses a throw-away database, never the user's."""

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mentorkit-tests-"))
    os.environ["MENTORKIT_DB"] = f"sqlite:///{folder / 'mentorkit.db'}"
