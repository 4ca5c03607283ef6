"""A real JupyterHub on 127.0.0.1 (see hub_harness.py) and the workshop its participants
share, in the PostgreSQL database named by MENTORKIT_TEST_PG. Only this module's own
workshop is created there and deleted afterwards: other tests share that database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hub_harness import Hub, Workshop, admin_database_url, running_hub

from mentorkit.store import open_store
from mentorkit.workshops import create_workshop


@pytest.fixture(scope="module")
def hub_workshop() -> Iterator[Workshop]:
    """A new workshop in MENTORKIT_TEST_PG, deleted afterwards."""
    database_url = admin_database_url()
    store = open_store(database_url)
    try:
        access = create_workshop(store, "JupyterHub test workshop")
        code = access.workshop.code
        try:
            yield Workshop(database_url, code, access.facilitator_key)
        finally:
            store.delete_workshop(code)
    finally:
        store.close()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, hub_workshop: Workshop) -> Iterator[Hub]:
    """deploy/jupyterhub/jupyterhub_config.py with the dummy authenticator, every
    participant as this OS user, a facilitator, and newcomers let in (the participants of
    this test are not on a roster)."""
    with running_hub(
        tmp_path_factory.mktemp("hub"),
        hub_workshop.database_url,
        hub_workshop.join_code,
        newcomers=True,
    ) as started:
        yield started
