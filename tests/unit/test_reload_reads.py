"""A page reloaded reads each of the participant's documents once from the store."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from mentorkit.identity import Identity, sign_in
from mentorkit.models import CheckIn, SmartGoal
from mentorkit.store import DocumentKey, Saved, SqlStore
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.check_ins import CheckInsView
from mentorkit.ui.frame import Notice
from mentorkit.ui.shell import Session
from mentorkit.ui.smart_goals import SmartGoalsView
from mentorkit.workshops import create_workshop


class CountingStore:
    """The store, counting how often each document is read (by `load` or in a `list`)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self.reads: Counter[tuple[str, str]] = Counter()

    def load(self, key: DocumentKey) -> Saved | None:
        self.reads[(key.kind, key.name)] += 1
        return self._store.load(key)

    def list(self, workshop: str, **filters: Any) -> list[Saved]:
        found = self._store.list(workshop, **filters)
        self.reads.update((saved.key.kind, saved.key.name) for saved in found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def identity(store: SqlStore) -> Identity:
    access = create_workshop(store, "Spring cohort")
    return sign_in(store, access.workshop.code, "Ada Lovelace")


def reloaded(store: SqlStore, identity: Identity) -> tuple[CountingStore, Session]:
    """A new page visit of `identity`, on a store that counts its reads."""
    counting = CountingStore(store)
    return counting, Session(counting, identity, SaveStatus(), Notice())


def test_reloading_smart_goals_reads_each_goal_once(store, identity):
    for number in (1, 2, 3):
        store.save(
            DocumentKey(
                identity.workshop.code, identity.participant.id, "smart_goal", f"goal-{number}"
            ),
            SmartGoal(title=f"Goal number {number}"),
            expected_revision=0,
        )
    counting, session = reloaded(store, identity)
    view = SmartGoalsView(session)
    assert [card.title.value for card in view.cards] == [f"Goal number {n}" for n in (1, 2, 3)]
    goal_reads = {name: n for (kind, name), n in counting.reads.items() if kind == "smart_goal"}
    assert goal_reads == {"goal-1": 1, "goal-2": 1, "goal-3": 1}
    view.cards[1].title.value = "Goal number two"  # and the card saves on what it read
    assert store.load(session.key("smart_goal", "goal-2")).document.title == "Goal number two"


def test_reloading_check_ins_reads_each_meeting_once(store, identity):
    for number in (1, 2):
        store.save(
            DocumentKey(
                identity.workshop.code, identity.participant.id, "check_in", f"check-in-{number}"
            ),
            CheckIn(met_on=date(2026, 3, number), learned=f"Lesson {number}"),
            expected_revision=0,
        )
    counting, session = reloaded(store, identity)
    CheckInsView(session)
    meeting_reads = {name: n for (kind, name), n in counting.reads.items() if kind == "check_in"}
    assert meeting_reads == {"check-in-1": 1, "check-in-2": 1}
