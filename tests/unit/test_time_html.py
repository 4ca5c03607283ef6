"""time_html: the markup the page script turns into the reader's own time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mentorkit.ui.html import time_html

BERLIN_WINTER = timezone(timedelta(hours=1))


def test_a_moment_is_marked_up_in_utc_with_its_offset_and_the_utc_clock_as_text():
    today = datetime.now(UTC).date()
    when = datetime(today.year, today.month, today.day, 1, 24, 5, tzinfo=UTC).astimezone(
        BERLIN_WINTER
    )
    assert time_html(when) == (
        f'<time class="mentorkit-time" datetime="{today}T01:24:05+00:00">01:24</time>'
    )


def test_seconds_are_asked_for_with_data_seconds_and_shown_in_the_fallback():
    today = datetime.now(UTC).date()
    when = datetime(today.year, today.month, today.day, 1, 24, 5, 999_999, tzinfo=UTC)
    assert time_html(when, seconds=True) == (
        f'<time class="mentorkit-time" datetime="{today}T01:24:05+00:00" data-seconds>'
        "01:24:05</time>"
    )


@pytest.fixture
def server_in_kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is Asia/Kolkata (UTC+05:30) for the test."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_naive_moment_is_taken_as_the_servers_local_time(server_in_kolkata: None):
    naive = datetime(2026, 7, 1, 12, 0, 0)
    assert time_html(naive) == (
        '<time class="mentorkit-time" datetime="2026-07-01T06:30:00+00:00">1 Jul 2026, 06:30</time>'
    )
