"""The databases every store test runs on: a fresh SQLite file, and the PostgreSQL
database named by MENTORKIT_TEST_PG with every table dropped (in CI a missing server is a
failure, elsewhere those tests are skipped)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mentorkit.store import SqlStore
from mentorkit.testing import postgres_test_url

#: Parametrises a fixture over both databases.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def empty_postgres() -> str:
    """The PostgreSQL test database with every table dropped."""
    url = postgres_test_url()
    engine = sa.create_engine(url)
    try:
        tables = sa.MetaData()
        tables.reflect(engine)
        tables.drop_all(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def empty_pg() -> str:
    """The PostgreSQL test database, emptied."""
    return empty_postgres()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mentorkit.db'}"
    return empty_postgres()


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    with SqlStore(db_url) as opened_store:
        yield opened_store


@pytest.fixture
def opened(db_url: str) -> Iterator[Callable[[], SqlStore]]:
    """Opens extra stores on the same database (another kernel) and closes them after."""
    stores: list[SqlStore] = []

    def open_another() -> SqlStore:
        stores.append(SqlStore(db_url))
        return stores[-1]

    yield open_another
    for extra in stores:
        extra.close()


@pytest.fixture(scope="session")
def emptied_postgres() -> Callable[[], str]:
    """`empty_postgres`, for fixtures of a wider scope than one test."""
    return empty_postgres
