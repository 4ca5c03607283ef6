"""Fixtures shared by the unit, store, browser and deployment tests."""

import pytest

from mentorkit.catalog import load_framework
from mentorkit.models import Framework
from mentorkit.testing import chromium_launch_options, chromium_missing, unavailable


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright drives Debian's Chromium (never a downloaded browser)."""
    missing = chromium_missing()
    if missing:
        unavailable(missing)
    return {**browser_type_launch_args, **chromium_launch_options()}
