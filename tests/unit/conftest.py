"""Fixtures for the unit tests."""

import pytest

from mentorkit.store import SqlStore, open_store


@pytest.fixture
def store(tmp_path) -> SqlStore:
    """An empty SQLite store of the test's own."""
    store = open_store(f"sqlite:///{tmp_path / 'unit.db'}")
    yield store
    store.close()
