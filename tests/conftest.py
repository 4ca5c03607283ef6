"""Fixtures shared by the unit, store and browser tests."""

import pytest

from mentorkit.catalog import load_framework
from mentorkit.models import Framework


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()
