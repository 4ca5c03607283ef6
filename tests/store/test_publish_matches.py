"""Publishing the matching (`Store.publish_matches`) writes and withdraws every participant's
`MentorMatch` in one transaction: a failure anywhere leaves every document as it was. On a
hub's PostgreSQL the facilitators' role may publish."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from mentorkit import pg_access
from mentorkit.errors import NotFound, StoreError
from mentorkit.models import MentorMatch, MentorProfile, Participant
from mentorkit.store import DocumentKey, PublishCounts, SqlStore, open_store
from mentorkit.testing import postgres_test_url
from mentorkit.workshops import create_workshop

DAY = date(2026, 3, 2)
MENTORS = [
    MentorProfile(
        name="Ada Mensah", email="ada@example.org", expertise=["negotiation"], capacity=1
    ),
    MentorProfile(
        name="Bo Lindqvist", email="bo@example.org", expertise=["public-speaking"], capacity=1
    ),
]
PEOPLE = [("Carla Diaz", "carla@example.com"), ("Dev Patel", "dev@example.com")]
PEOPLE += [("Eun-ji Seo", "eunji@example.com")]


def match(mentor: str, reasons: str = "") -> MentorMatch:
    return MentorMatch(mentor_email=mentor, score=0.5, reasons=reasons, published_on=DAY)


def rostered(store: SqlStore) -> tuple[str, list[str]]:
    """A workshop with the mentors and participants above: its code and the participant ids."""
    code = create_workshop(store, "Spring cohort").workshop.code
    people = [Participant(name=name, email=email) for name, email in PEOPLE]  # ids of their own
    store.import_roster(code, mentors=MENTORS, participants=people)
    by_email = {p.email: p.id for p in store.participants(code)}
    return code, [by_email[email] for _name, email in PEOPLE]


def matches_as_stored(store: SqlStore, code: str) -> dict[str, Any]:
    """Every stored MentorMatch: participant → (revision, document, revisions in history)."""
    return {
        saved.key.participant: (
            saved.revision,
            saved.document,
            [(old.revision, old.document) for old in store.history(saved.key)],
        )
        for saved in store.list(code, kind=MentorMatch.kind)
    }


@contextmanager
def failing(statement_start: str) -> Iterator[list[str]]:
    """Make the database refuse the first statement that starts with `statement_start`
    (it is sent to a table that does not exist): a real database error, wherever it comes."""
    seen: list[str] = []

    def sabotage(conn, cursor, statement, parameters, context, executemany):
        if not seen and statement.lstrip().upper().startswith(statement_start.upper()):
            seen.append(statement)
            return "DELETE FROM no_such_table_for_this_test", parameters
        return statement, parameters

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", sabotage, retval=True)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", sabotage)


def test_publishing_writes_new_and_changed_matches_keeps_the_same_and_withdraws(store):
    code, (carla, dev, eunji) = rostered(store)
    first = store.publish_matches(
        code, {carla: match("ada@example.org"), dev: match("bo@example.org")}, []
    )
    assert first == PublishCounts(written=2, unchanged=0, withdrawn=0)
    stored = matches_as_stored(store, code)
    assert stored[carla] == (1, match("ada@example.org"), [(1, match("ada@example.org"))])

    again = store.publish_matches(
        code, {carla: match("ada@example.org"), eunji: match("bo@example.org")}, [dev]
    )
    assert again == PublishCounts(written=1, unchanged=1, withdrawn=1)
    stored = matches_as_stored(store, code)
    assert set(stored) == {carla, eunji}
    assert stored[carla][0] == 1  # the same match is not written again
    assert stored[eunji][:2] == (1, match("bo@example.org"))
    assert store.history(DocumentKey(code, dev, MentorMatch.kind)) == []  # withdrawn whole

    changed = store.publish_matches(code, {carla: match("ada@example.org", "Negotiation")}, [])
    assert changed == PublishCounts(written=1, unchanged=0, withdrawn=0)
    revision, document, history = matches_as_stored(store, code)[carla]
    assert (revision, document.reasons) == (2, "Negotiation")
    assert [number for number, _ in history] == [1, 2]  # save's revision and history rules
    assert store.publish_matches(code.lower(), {}, [dev]).withdrawn == 0  # already gone


def test_a_database_error_midway_leaves_every_match_as_it_was(store):
    code, (carla, dev, eunji) = rostered(store)
    store.publish_matches(code, {carla: match("ada@example.org"), dev: match("bo@example.org")}, [])
    before = matches_as_stored(store, code)
    changes = {carla: match("ada@example.org", "Changed"), eunji: match("bo@example.org")}
    with (
        failing("DELETE FROM document_history") as refused,
        pytest.raises(StoreError, match="no_such_table_for_this_test"),
    ):
        store.publish_matches(code, changes, [dev])
    assert refused  # the failure came after both matches were written, at the withdrawal
    assert matches_as_stored(store, code) == before


def test_a_participant_off_the_roster_midway_leaves_every_match_as_it_was(store):
    code, (carla, _dev, eunji) = rostered(store)
    store.publish_matches(code, {carla: match("ada@example.org")}, [])
    before = matches_as_stored(store, code)
    gone = uuid.uuid4().hex
    with pytest.raises(NotFound):
        store.publish_matches(
            code,
            {eunji: match("ada@example.org"), gone: match("bo@example.org")},
            [carla],
        )
    assert matches_as_stored(store, code) == before


def test_a_participant_both_published_and_withdrawn_is_refused(store):
    code, (carla, _dev, _eunji) = rostered(store)
    with pytest.raises(StoreError, match="both published and withdrawn"):
        store.publish_matches(code, {carla: match("ada@example.org")}, [carla])
    assert matches_as_stored(store, code) == {}


@pytest.mark.postgres
def test_on_a_hub_the_facilitators_role_may_publish_and_withdraw_matches():
    admin = postgres_test_url()
    prefix = f"mkpub{uuid.uuid4().hex[:8]}_"
    suffix = uuid.uuid4().hex[:8]
    pg_access.prepare_database(admin, prefix)
    with open_store(admin) as store:
        code, (carla, dev, _eunji) = rostered(store)
    try:
        facilitator_url = pg_access.grant_hub_user(
            admin, f"fac-{suffix}", "facilitator", prefix=prefix
        )
        with SqlStore(facilitator_url) as facilitator:
            facilitator.publish_matches(
                code, {carla: match("ada@example.org"), dev: match("bo@example.org")}, []
            )
            counts = facilitator.publish_matches(
                code, {carla: match("ada@example.org", "Negotiation")}, [dev]
            )
        assert counts == PublishCounts(written=1, unchanged=0, withdrawn=1)
        with open_store(admin) as store:
            stored = matches_as_stored(store, code)
        assert set(stored) == {carla} and stored[carla][0] == 2
    finally:
        with open_store(admin) as store:
            store.delete_workshop(code)
        pg_access.drop_deployment(admin, prefix)
