"""Serve the apps as `make serve` does and drive them in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_helpers import ServedDemo, serve_demo
from person import RESULTS, Person, reload_probability_from_env, seed_for
from playwright.sync_api import Page

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


@pytest.fixture(scope="session")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """`make serve` on a free port with a throw-away database."""
    with serve_demo(tmp_path_factory.mktemp("served")) as served:
        yield served
