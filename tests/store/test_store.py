"""The store on SQLite and PostgreSQL: workshops, rosters, revisions, conflicts, schema.

Every test that takes `store` (or `db_url`) runs on both databases. PostgreSQL needs
MENTORKIT_TEST_PG (e.g. postgresql+psycopg:///mentorkit_test); without it those runs are
skipped locally and fail in CI, where a missing database must never pass silently.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mentorkit import store as store_module
from mentorkit.catalog import load_framework
from mentorkit.errors import ConflictError, InvalidInput, NotFound, SchemaError, StoreError
from mentorkit.identity import (
    SignInError,
    claim_invite,
    claim_mentor_invite,
    mentor_resume,
    reset_invite_code,
    reset_mentor_invite_codes,
    reset_mentor_resume_code,
    resume,
)
from mentorkit.mentoring import (
    Answer,
    Answerer,
    MentorNote,
    NoteKind,
    RequestState,
    Side,
    SuggestionAnswer,
    agreement_record,
    confirm,
    suggest,
)
from mentorkit.models import (
    CheckIn,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProgressSharing,
    SelfAssessment,
    SentRequest,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
    Workshop,
)
from mentorkit.store import (
    DB_SCHEMA_VERSION,
    DocumentKey,
    MatchDecision,
    RosterChange,
    SqlStore,
    Store,
    default_database_url,
    open_store,
    resolve_database_url,
)

FRAMEWORK = load_framework()
KEY_HASH = "pbkdf2_sha256$1$salt$hash"


# ---------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def workshop(store: SqlStore) -> Workshop:
    created = Workshop(name="Spring cohort", framework=FRAMEWORK)
    store.create_workshop(created, KEY_HASH)
    return created


@pytest.fixture
def person(store: SqlStore, workshop: Workshop) -> Participant:
    amelia = Participant(name="Amelia Hartley", email="amelia.hartley@example.com")
    store.import_roster(workshop.code, participants=[amelia])
    return amelia


@pytest.fixture
def key(workshop: Workshop, person: Participant) -> DocumentKey:
    return DocumentKey(workshop.code, person.id, "self_assessment")


def mentor(name: str, email: str, **changes: object) -> MentorProfile:
    fields: dict[str, object] = {"expertise": ["public-speaking"], "capacity": 2} | changes
    return MentorProfile(name=name, email=email, **fields)


def assessment(goal: str = "", **ratings: int) -> SelfAssessment:
    return SelfAssessment(ratings=ratings or {"public-speaking": 3}, career_goal=goal)


def count_rows(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def run_sql(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def column_names(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {column["name"] for column in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------
# Workshops


def test_sql_store_implements_the_store_interface(store: SqlStore) -> None:
    assert isinstance(store, Store)


def test_created_workshop_reads_back_by_code_in_any_case(store: SqlStore) -> None:
    created = Workshop(name="Spring cohort", description="Line one\nline two", framework=FRAMEWORK)
    store.create_workshop(created, KEY_HASH)
    assert store.workshop(created.code) == created
    assert store.workshop(f" {created.code.lower()} ") == created
    assert store.facilitator_key_hash(created.code) == KEY_HASH


def test_workshops_are_listed_oldest_first(store: SqlStore) -> None:
    names = ["Spring cohort", "Autumn cohort", "A winter pilot"]
    for name in names:
        store.create_workshop(Workshop(name=name, framework=FRAMEWORK), KEY_HASH)
    assert [w.name for w in store.workshops()] == names


def test_unknown_workshop_is_not_found_everywhere(store: SqlStore) -> None:
    message = "No workshop with join code ABCD-EFGH"
    calls: list[Callable[[], object]] = [
        lambda: store.workshop("ABCD-EFGH"),
        lambda: store.facilitator_key_hash("ABCD-EFGH"),
        lambda: store.set_facilitator_key_hash("ABCD-EFGH", "x"),
        lambda: store.delete_workshop("ABCD-EFGH"),
        lambda: store.import_roster("ABCD-EFGH", participants=[]),
        lambda: store.mentors("ABCD-EFGH"),
        lambda: store.participants("ABCD-EFGH"),
        lambda: store.find_participant("ABCD-EFGH", "a@example.com"),
        lambda: store.list("ABCD-EFGH"),
    ]
    for call in calls:
        with pytest.raises(NotFound, match=message):
            call()


def test_duplicate_join_code_is_refused_and_the_first_workshop_kept(
    store: SqlStore, workshop: Workshop
) -> None:
    impostor = Workshop(code=workshop.code, name="Impostor", framework=FRAMEWORK)
    with pytest.raises(StoreError, match=f"join code {workshop.code} already exists"):
        store.create_workshop(impostor, "other-hash")
    assert store.workshop(workshop.code).name == "Spring cohort"
    assert store.facilitator_key_hash(workshop.code) == KEY_HASH


def test_facilitator_key_hash_can_be_replaced(store: SqlStore, workshop: Workshop) -> None:
    store.set_facilitator_key_hash(workshop.code, "new-hash")
    assert store.facilitator_key_hash(workshop.code) == "new-hash"


# ---------------------------------------------------------------------------------------
# Rosters


def test_roster_import_counts_added_and_changed_people(store: SqlStore, workshop: Workshop) -> None:
    mentors = [mentor("Zoë Okonkwo-Hart", "zoe@example.org"), mentor("Mateo", "mateo@example.com")]
    people = [
        Participant(name="Amelia Hartley", email="amelia@example.com"),
        Participant(name="Chiara Bianchi", email="chiara@example.org"),
    ]
    assert store.import_roster(workshop.code, mentors=mentors, participants=people) == (
        RosterChange(added=4, updated=0)
    )
    again = [Participant(name=p.name, email=p.email) for p in people]  # fresh ids
    assert store.import_roster(workshop.code, mentors=mentors, participants=again) == (
        RosterChange(added=0, updated=0)
    )
    change = store.import_roster(
        workshop.code,
        mentors=[mentor("Mateo Ibáñez", "mateo@example.com", capacity=3)],
        participants=[Participant(name="José Rivas", email="jose@example.com")],
    )
    assert change == RosterChange(added=1, updated=1)
    assert store.mentors(workshop.code)[0].capacity == 3
    assert [m.name for m in store.mentors(workshop.code)] == ["Mateo Ibáñez", "Zoë Okonkwo-Hart"]
    assert len(store.participants(workshop.code)) == 3


def test_reimported_participant_keeps_the_stored_id_and_their_documents(
    store: SqlStore, workshop: Workshop, person: Participant, key: DocumentKey
) -> None:
    store.save(key, assessment(), expected_revision=0)
    renamed = Participant(name="Amelia Hartley-Stone", email="AMELIA.HARTLEY@example.com")
    assert renamed.id != person.id
    assert store.import_roster(workshop.code, participants=[renamed]) == RosterChange(0, 1)
    stored = store.participant(workshop.code, person.id)
    assert (stored.id, stored.name) == (person.id, "Amelia Hartley-Stone")
    assert store.participants(workshop.code) == [stored]
    assert store.load(key) is not None


def test_roster_import_that_fails_midway_changes_nothing(
    store: SqlStore, workshop: Workshop, person: Participant
) -> None:
    other = Workshop(name="Other cohort", framework=FRAMEWORK)
    store.create_workshop(other, KEY_HASH)
    before = store.participants(workshop.code)
    # The last participant reuses an id already taken in another workshop: the database
    # refuses it after the earlier rows of the same call were written.
    clash = Participant(id=person.id, name="Clash", email="clash@example.com")
    with pytest.raises(StoreError, match="nothing was changed"):
        store.import_roster(
            other.code,
            mentors=[mentor("Mateo", "mateo@example.com")],
            participants=[Participant(name="Early Row", email="early@example.com"), clash],
        )
    with pytest.raises(StoreError, match="nothing was changed"):
        store.import_roster(
            workshop.code,
            participants=[
                Participant(name="Renamed Amelia", email=person.email),
                Participant(id=person.id, name="Clash", email="clash@example.com"),
            ],
        )
    assert store.participants(other.code) == []
    assert store.mentors(other.code) == []
    assert store.participants(workshop.code) == before


def test_roster_listing_a_person_twice_is_refused(store: SqlStore, workshop: Workshop) -> None:
    twice = [
        Participant(name="Amelia", email="amelia@example.com"),
        Participant(name="Amelia H.", email="Amelia@Example.com"),
    ]
    with pytest.raises(StoreError, match=r"amelia@example\.com twice"):
        store.import_roster(workshop.code, participants=twice)
    assert store.participants(workshop.code) == []


def test_rosters_are_sorted_by_name_ignoring_case_then_email(
    store: SqlStore, workshop: Workshop
) -> None:
    store.import_roster(
        workshop.code,
        mentors=[
            mentor("bob", "bob@x.org"),
            mentor("Alice", "z@x.org"),
            mentor("alice", "a@x.org"),
        ],
        participants=[
            Participant(name="bob", email="bob@x.org"),
            Participant(name="Alice", email="z@x.org"),
            Participant(name="alice", email="a@x.org"),
        ],
    )
    expected = ["a@x.org", "z@x.org", "bob@x.org"]
    assert [m.email for m in store.mentors(workshop.code)] == expected
    assert [p.email for p in store.participants(workshop.code)] == expected


def test_participant_is_found_by_id_or_by_email_in_any_case(
    store: SqlStore, workshop: Workshop, person: Participant
) -> None:
    assert store.participant(workshop.code, person.id) == person
    assert store.find_participant(workshop.code, "  Amelia.Hartley@EXAMPLE.com ") == person
    assert store.find_participant(workshop.code, "nobody@example.com") is None
    with pytest.raises(NotFound, match=r"No participant 0{32} on the roster"):
        store.participant(workshop.code, "0" * 32)


# ---------------------------------------------------------------------------------------
# Documents: saving, revisions, conflicts


def test_first_save_is_revision_one_with_a_utc_timestamp(store: SqlStore, key: DocumentKey) -> None:
    before = datetime.now(UTC)
    saved = store.save(key, assessment("Lead a team"), expected_revision=0)
    assert saved.revision == 1
    assert saved.saved_at.utcoffset() == timedelta(0)
    assert before <= saved.saved_at <= datetime.now(UTC)
    loaded = store.load(key)
    assert loaded == saved
    assert loaded is not None and loaded.saved_at.tzinfo is not None
    assert loaded.saved_at.utcoffset() == timedelta(0)


def test_text_round_trips_exactly(store: SqlStore, key: DocumentKey) -> None:
    text = 'Zoë’s "plan" ☕ 🚀 <b>&amp;</b>\nline two\tindented \\ backslash\u2028after'
    store.save(key, assessment(text), expected_revision=0)
    loaded = store.load(key)
    assert loaded is not None and loaded.document.career_goal == text


def test_each_accepted_save_adds_one_revision_to_history(store: SqlStore, key: DocumentKey) -> None:
    drafts = [assessment(f"draft {n}") for n in range(1, 4)]
    for revision, draft in enumerate(drafts):
        assert store.save(key, draft, expected_revision=revision).revision == revision + 1
    latest = store.load(key)
    assert latest is not None and (latest.revision, latest.document) == (3, drafts[-1])
    history = store.history(key)
    assert [(s.revision, s.document) for s in history] == list(enumerate(drafts, start=1))
    assert history[-1] == latest
    assert [s.saved_at for s in history] == sorted(s.saved_at for s in history)


def test_two_saves_from_the_same_stale_revision_keep_every_accepted_revision(
    store: SqlStore, key: DocumentKey, opened: Callable[[], SqlStore]
) -> None:
    """Acceptance: two tabs edit revision 1; the first save wins, the second is refused."""
    first = store.save(key, assessment("original"), expected_revision=0)
    tab_a, tab_b = store, opened()
    a_base, b_base = tab_a.load(key), tab_b.load(key)
    assert a_base is not None and b_base is not None
    assert a_base.revision == b_base.revision == 1

    accepted = tab_a.save(key, assessment("tab A"), expected_revision=a_base.revision)
    with pytest.raises(ConflictError) as refused:
        tab_b.save(key, assessment("tab B"), expected_revision=b_base.revision)

    assert (refused.value.expected, refused.value.actual) == (1, 2)
    assert str(refused.value) == (
        "Your Self-assessment was changed elsewhere (now revision 2; you edited revision 1). "
        "Reload it, or copy your text and try again."
    )
    assert store.load(key) == accepted
    assert [(s.revision, s.document.career_goal) for s in store.history(key)] == [
        (1, "original"),
        (2, "tab A"),
    ]
    assert store.history(key)[0] == first


def test_two_creations_of_the_same_document_conflict(
    store: SqlStore, key: DocumentKey, opened: Callable[[], SqlStore]
) -> None:
    created = store.save(key, assessment("first"), expected_revision=0)
    with pytest.raises(ConflictError, match="already started elsewhere") as refused:
        opened().save(key, assessment("second"), expected_revision=0)
    assert (refused.value.expected, refused.value.actual) == (0, 1)
    assert store.load(key) == created
    assert store.history(key) == [created]


def test_wrong_expected_revision_is_refused_and_nothing_written(
    store: SqlStore, key: DocumentKey
) -> None:
    with pytest.raises(ConflictError, match="no longer stored") as missing:
        store.save(key, assessment(), expected_revision=1)
    assert (missing.value.expected, missing.value.actual) == (1, 0)
    assert store.load(key) is None and store.history(key) == []

    saved = store.save(key, assessment("kept"), expected_revision=0)
    with pytest.raises(ConflictError, match="now revision 1; you edited revision 5") as ahead:
        store.save(key, assessment("lost"), expected_revision=5)
    assert (ahead.value.expected, ahead.value.actual) == (5, 1)
    with pytest.raises(StoreError, match=r"0 \(a new document\) or more"):
        store.save(key, assessment("lost"), expected_revision=-1)
    assert store.load(key) == saved
    assert store.history(key) == [saved]


def test_named_documents_are_separate_and_named_in_conflicts(
    store: SqlStore, workshop: Workshop, person: Participant
) -> None:
    goal_1 = DocumentKey(workshop.code, person.id, "smart_goal", "goal-1")
    goal_2 = DocumentKey(workshop.code, person.id, "smart_goal", "goal-2")
    store.save(goal_1, SmartGoal(title="Speak at a meetup"), expected_revision=0)
    store.save(goal_2, SmartGoal(title="Lead a retro"), expected_revision=0)
    with pytest.raises(ConflictError, match=r"Your SMART goal \(goal-2\) was already started"):
        store.save(goal_2, SmartGoal(title="Again"), expected_revision=0)
    loaded = store.load(goal_1)
    assert loaded is not None and loaded.document.title == "Speak at a meetup"


def test_missing_document_loads_as_none_with_empty_history(
    store: SqlStore, key: DocumentKey
) -> None:
    assert store.load(key) is None
    assert store.history(key) == []


def test_join_code_in_a_key_is_read_in_any_case(store: SqlStore, key: DocumentKey) -> None:
    lower = DocumentKey(key.workshop.lower(), key.participant, key.kind)
    saved = store.save(lower, assessment(), expected_revision=0)
    assert saved.key == key
    assert store.load(key) == saved


def test_list_gives_the_latest_revision_of_each_matching_document(
    store: SqlStore, workshop: Workshop, person: Participant
) -> None:
    other = Participant(name="Chiara Bianchi", email="chiara@example.org")
    store.import_roster(workshop.code, participants=[other])
    code = workshop.code
    mine_sa = DocumentKey(code, person.id, "self_assessment")
    mine_ci = DocumentKey(code, person.id, "check_in", "2026-03-01")
    theirs_sa = DocumentKey(code, other.id, "self_assessment")
    store.save(mine_sa, assessment("v1"), expected_revision=0)
    store.save(mine_sa, assessment("v2"), expected_revision=1)
    store.save(mine_ci, CheckIn(met_on=date(2026, 3, 1), topics=["Feedback"]), expected_revision=0)
    store.save(theirs_sa, assessment("theirs"), expected_revision=0)

    def listed(**filters: str) -> set[tuple[DocumentKey, int]]:
        return {(s.key, s.revision) for s in store.list(code, **filters)}

    assert listed() == {(mine_sa, 2), (mine_ci, 1), (theirs_sa, 1)}
    assert listed(participant=person.id) == {(mine_sa, 2), (mine_ci, 1)}
    assert listed(kind="self_assessment") == {(mine_sa, 2), (theirs_sa, 1)}
    assert listed(participant=other.id, kind="check_in") == set()
    [check_in] = store.list(code, kind="check_in")
    assert check_in.document == CheckIn(met_on=date(2026, 3, 1), topics=["Feedback"])
    with pytest.raises(StoreError, match="Unknown worksheet kind 'diary'"):
        store.list(code, kind="diary")


def test_delete_erases_the_document_and_its_history_only(
    store: SqlStore, workshop: Workshop, person: Participant, key: DocumentKey
) -> None:
    goal = DocumentKey(workshop.code, person.id, "smart_goal", "goal-1")
    kept = store.save(goal, SmartGoal(title="Keep me"), expected_revision=0)
    store.save(key, assessment("v1"), expected_revision=0)
    store.save(key, assessment("v2"), expected_revision=1)

    store.delete(key)

    assert store.load(key) is None
    assert store.history(key) == []
    assert store.list(workshop.code) == [kept]
    store.delete(key)  # erasing again is harmless
    assert store.save(key, assessment("fresh"), expected_revision=0).revision == 1


def test_deleting_a_workshop_removes_its_rosters_and_documents(
    store: SqlStore, db_url: str, workshop: Workshop, key: DocumentKey
) -> None:
    store.import_roster(workshop.code, mentors=[mentor("Mateo", "mateo@example.com")])
    store.save(key, assessment(), expected_revision=0)
    store.save(key, assessment("v2"), expected_revision=1)
    kept = Workshop(name="Kept cohort", framework=FRAMEWORK)
    store.create_workshop(kept, KEY_HASH)
    store.import_roster(kept.code, participants=[Participant(name="K", email="k@example.com")])

    store.delete_workshop(workshop.code)

    with pytest.raises(NotFound):
        store.workshop(workshop.code)
    assert store.workshops() == [kept]
    for table in ("mentors", "documents", "document_history"):
        assert count_rows(db_url, table) == 0, table
    assert count_rows(db_url, "participants") == 1
    store.create_workshop(workshop, KEY_HASH)  # the code is free again, and empty
    assert store.participants(workshop.code) == store.mentors(workshop.code) == []


def test_document_of_another_kind_than_the_key_is_refused(
    store: SqlStore, key: DocumentKey
) -> None:
    goal_key = DocumentKey(key.workshop, key.participant, "smart_goal")
    with pytest.raises(StoreError, match="Cannot save a Self-assessment as a SMART goal"):
        store.save(goal_key, assessment(), expected_revision=0)
    diary = DocumentKey(key.workshop, key.participant, "diary")
    with pytest.raises(StoreError, match="Unknown worksheet kind 'diary'"):
        store.save(diary, assessment(), expected_revision=0)
    assert store.list(key.workshop) == []


def test_documents_only_for_participants_on_that_workshops_roster(
    store: SqlStore, workshop: Workshop, person: Participant
) -> None:
    other = Workshop(name="Other cohort", framework=FRAMEWORK)
    store.create_workshop(other, KEY_HASH)
    stranger = Participant(name="Stranger", email="stranger@example.com")
    store.import_roster(other.code, participants=[stranger])

    not_on_roster = DocumentKey(workshop.code, stranger.id, "self_assessment")
    with pytest.raises(NotFound, match=f"No participant {stranger.id} on the roster"):
        store.save(not_on_roster, assessment(), expected_revision=0)
    no_workshop = DocumentKey("ABCD-EFGH", person.id, "self_assessment")
    with pytest.raises(NotFound, match="No workshop with join code ABCD-EFGH"):
        store.save(no_workshop, assessment(), expected_revision=0)
    assert store.list(workshop.code) == store.list(other.code) == []


def test_a_document_that_does_not_validate_is_not_stored(store: SqlStore, key: DocumentKey) -> None:
    broken = SelfAssessment.model_construct(ratings={"public-speaking": 9})
    with pytest.raises(InvalidInput, match="Ratings"):
        store.save(key, broken, expected_revision=0)
    assert store.load(key) is None


# ---------------------------------------------------------------------------------------
# Concurrency


@pytest.mark.parametrize("separate_stores", [True, False], ids=["two-kernels", "one-kernel"])
def test_concurrent_writers_with_retries_lose_no_update(
    store: SqlStore, key: DocumentKey, opened: Callable[[], SqlStore], separate_stores: bool
) -> None:
    """Two kernels (or two threads of one kernel) append to one document, retrying conflicts."""
    per_writer = 8
    writers = {"a": opened(), "b": opened()} if separate_stores else {"a": store, "b": store}
    start = threading.Barrier(len(writers))
    failures: list[BaseException] = []

    def append_tokens(tag: str, mine: SqlStore) -> None:
        try:
            start.wait(timeout=10)
            for n in range(per_writer):
                while True:
                    current = mine.load(key)
                    text = current.document.career_goal if current else ""
                    revision = current.revision if current else 0
                    try:
                        mine.save(key, assessment(f"{text} {tag}{n}"), expected_revision=revision)
                        break
                    except ConflictError:
                        continue
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=append_tokens, args=item) for item in writers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []

    total = per_writer * len(writers)
    final = store.load(key)
    assert final is not None and final.revision == total
    assert sorted(final.document.career_goal.split()) == sorted(
        f"{tag}{n}" for tag in writers for n in range(per_writer)
    )
    history = store.history(key)
    assert [s.revision for s in history] == list(range(1, total + 1))
    for older, newer in itertools.pairwise(history):
        assert newer.document.career_goal.startswith(older.document.career_goal)


def test_two_kernels_opening_a_fresh_database_at_once_both_succeed(db_url: str) -> None:
    start = threading.Barrier(4)
    opened: list[SqlStore] = []
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait(timeout=10)
            opened.append(SqlStore(db_url))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for each in opened:
        each.close()
    assert failures == []
    assert count_rows(db_url, "mentorkit_schema") == 1


# ---------------------------------------------------------------------------------------
# Matching decisions: locked and forbidden pairs, kept with the workshop


@pytest.fixture
def pairing(store: SqlStore, workshop: Workshop, person: Participant) -> tuple[str, str, str]:
    """The workshop's code, Amelia's id, and two mentors' emails joined by a space."""
    store.import_roster(
        workshop.code,
        mentors=[mentor("Mateo", "mateo@example.com"), mentor("Chloé", "chloe@example.com")],
    )
    return workshop.code, person.id, "mateo@example.com chloe@example.com"


def decided(store: SqlStore, code: str) -> list[tuple[str, str, str]]:
    return [(d.participant, d.mentor, d.decision) for d in store.match_decisions(code)]


def test_locks_and_forbids_outlive_the_store_that_wrote_them(
    db_url: str, store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo, chloe = mentors.split()
    assert store.match_decisions(code) == []
    store.decide_match(code, amelia, mateo, "lock")
    store.decide_match(code.lower(), amelia, chloe, "forbid")
    store.close()
    with SqlStore(db_url) as reopened:
        found = reopened.match_decisions(code)
    assert [(d.participant, d.mentor, d.decision) for d in found] == [
        (amelia, mateo, "lock"),
        (amelia, chloe, "forbid"),
    ]
    assert all(isinstance(d, MatchDecision) and d.decided_at.tzinfo is UTC for d in found)


def test_a_lock_replaces_the_other_lock_and_a_forbid_of_the_pair(
    store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo, chloe = mentors.split()
    store.decide_match(code, amelia, mateo, "lock")
    store.decide_match(code, amelia, chloe, "lock")
    assert decided(store, code) == [(amelia, chloe, "lock")]
    store.decide_match(code, amelia, mateo, "forbid")
    store.decide_match(code, amelia, mateo, "lock")
    assert decided(store, code) == [(amelia, mateo, "lock")]
    store.decide_match(code, amelia, mateo, "forbid")
    store.decide_match(code, amelia, chloe, "forbid")
    assert decided(store, code) == [(amelia, mateo, "forbid"), (amelia, chloe, "forbid")]
    store.decide_match(code, amelia, mateo, None)
    store.decide_match(code, amelia, mateo, None)  # forgetting twice is harmless
    assert decided(store, code) == [(amelia, chloe, "forbid")]


def test_a_decision_about_somebody_not_on_the_roster_is_refused(
    store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo = mentors.split()[0]
    with pytest.raises(NotFound, match=r"No mentor nobody@example\.com on the roster"):
        store.decide_match(code, amelia, "nobody@example.com", "lock")
    with pytest.raises(NotFound, match=r"No participant 0+ on the roster"):
        store.decide_match(code, "0" * 32, mateo, "forbid")
    with pytest.raises(StoreError, match="locked or forbidden, not 'prefer'"):
        store.decide_match(code, amelia, mateo, "prefer")  # type: ignore[arg-type]
    with pytest.raises(NotFound, match="No workshop with join code ABCD-EFGH"):
        store.match_decisions("ABCD-EFGH")
    assert store.match_decisions(code) == []


def test_erasing_a_participant_or_the_workshop_takes_their_decisions_along(
    db_url: str, store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo, chloe = mentors.split()
    bo = Participant(name="Bo", email="bo@example.com")
    store.import_roster(code, participants=[bo])
    store.decide_match(code, amelia, mateo, "lock")
    store.decide_match(code, bo.id, chloe, "forbid")
    store.erase_participant(code, amelia)
    assert decided(store, code) == [(bo.id, chloe, "forbid")]
    store.delete_workshop(code)
    assert count_rows(db_url, "match_decisions") == 0


def test_an_answer_to_a_request_is_a_decision_with_who_answered_and_the_reply(
    db_url: str, store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo, chloe = mentors.split()
    bo = Participant(name="Bo", email="bo@example.com")
    store.import_roster(code, participants=[bo])
    reply = "Dear Amelia,\n\nnot this term — ask me again in spring. <b>Mateo</b>"
    store.decide_match(code, amelia, mateo, "forbid", answered_by=Answerer.MENTOR, reply=reply)
    store.decide_match(code, amelia, chloe, "lock", answered_by=Answerer.MENTOR)
    store.decide_match(code, bo.id, chloe, "lock")  # the facilitator's own lock
    assert store.places_taken(code) == {chloe: 2}
    store.close()
    with SqlStore(db_url) as reopened:
        answers = reopened.answers(code, amelia)
        assert reopened.answers(code, bo.id) == {
            chloe: Answer(
                state=RequestState.ACCEPTED,
                at=reopened.answers(code, bo.id)[chloe].at,
                by=Answerer.FACILITATOR,
            )
        }
        assert reopened.places_taken(code) == {chloe: 2}
        with pytest.raises(NotFound, match=r"No participant 0+ on the roster"):
            reopened.answers(code, "0" * 32)
    assert answers[mateo].state == RequestState.DECLINED
    assert answers[mateo].by == Answerer.MENTOR and answers[mateo].reply == reply
    assert answers[chloe].state == RequestState.ACCEPTED and answers[chloe].reply == ""
    assert answers[chloe].at.tzinfo is UTC


def test_a_database_of_schema_4_gets_request_answers_and_keeps_its_decisions(
    db_url: str, store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo = mentors.split()[0]
    store.decide_match(code, amelia, mateo, "lock")
    store.close()
    run_sql(
        db_url,
        "ALTER TABLE match_decisions DROP COLUMN answered_by",
        "ALTER TABLE match_decisions DROP COLUMN reply",
        "UPDATE mentorkit_schema SET version = 4",
    )
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        (kept,) = upgraded.match_decisions(code)
        assert (kept.decision, kept.answered_by, kept.reply) == ("lock", None, "")
        upgraded.decide_match(
            code, amelia, mateo, "forbid", answered_by=Answerer.MENTOR, reply="No"
        )
        assert upgraded.answers(code, amelia)[mateo].reply == "No"


def test_a_database_of_schema_1_gets_the_decisions_table_and_keeps_its_data(
    db_url: str, store: SqlStore, key: DocumentKey
) -> None:
    saved = store.save(key, assessment("before the upgrade"), expected_revision=0)
    store.close()
    run_sql(db_url, "DROP TABLE match_decisions", "UPDATE mentorkit_schema SET version = 1")
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        assert upgraded.load(key) == saved
        assert upgraded.match_decisions(key.workshop) == []
    assert "match_decisions" in table_names(db_url)


def test_a_database_of_schema_2_gets_invite_codes_and_hub_users_and_keeps_its_data(
    db_url: str, store: SqlStore, key: DocumentKey
) -> None:
    saved = store.save(key, assessment("before the upgrade"), expected_revision=0)
    store.close()
    run_sql(
        db_url,
        "DROP INDEX uq_participants_invite_code_hash",
        "DROP INDEX uq_participants_workshop_hub_user",
        "ALTER TABLE participants DROP COLUMN invite_code_hash",
        "ALTER TABLE participants DROP COLUMN hub_user",
        "UPDATE mentorkit_schema SET version = 2",
    )
    assert "hub_user" not in column_names(db_url, "participants")
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        assert upgraded.load(key) == saved
    assert {"invite_code_hash", "hub_user"} <= column_names(db_url, "participants")


def test_a_database_of_schema_3_learns_who_holds_a_resume_or_invite_code_from_the_hashes(
    db_url: str, store: SqlStore, workshop: Workshop
) -> None:
    code = workshop.code
    ada, bo, cy = (Participant(name=name) for name in ("Ada", "Bo", "Cy"))
    store.import_roster(code, participants=[ada, bo, cy])
    store.set_resume_code_hash(code, ada.id, "resume-hash-of-ada")
    store.set_invite_code_hashes(code, {bo.id: "invite-hash-of-bo"})
    store.close()
    run_sql(
        db_url,
        "ALTER TABLE participants DROP COLUMN signed_in",
        "ALTER TABLE participants DROP COLUMN invited",
        "UPDATE mentorkit_schema SET version = 3",
    )
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() > 3
        assert upgraded.signed_in(code) == {ada.id}
        assert upgraded.invited(code) == {bo.id}
        # and what comes after the upgrade keeps them
        upgraded.set_resume_code_hash(code, cy.id, "resume-hash-of-cy")
        assert upgraded.signed_in(code) == {ada.id, cy.id}


# ---------------------------------------------------------------------------------------
# Schema versions


def test_reopening_keeps_the_data(db_url: str, store: SqlStore, key: DocumentKey) -> None:
    saved = store.save(key, assessment("persisted"), expected_revision=0)
    store.close()
    with SqlStore(db_url) as reopened:
        assert reopened.schema_version() == DB_SCHEMA_VERSION
        assert reopened.load(key) == saved
        assert [w.code for w in reopened.workshops()] == [key.workshop]
    assert count_rows(db_url, "mentorkit_schema") == 1


def test_database_from_a_newer_mentorkit_is_refused(db_url: str, store: SqlStore) -> None:
    store.close()
    newer = DB_SCHEMA_VERSION + 1
    run_sql(
        db_url,
        f"INSERT INTO mentorkit_schema (version, applied_at) VALUES ({newer}, CURRENT_TIMESTAMP)",
    )
    with pytest.raises(SchemaError) as refused:
        SqlStore(db_url)
    assert str(refused.value) == (
        f"This database was written by a newer mentorkit (schema {newer}; this version reads "
        f"up to {DB_SCHEMA_VERSION}). Upgrade mentorkit (pip install -U mentorkit) or set "
        "MENTORKIT_DB to another database."
    )


def test_database_of_another_application_is_refused(db_url: str) -> None:
    run_sql(db_url, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaError, match=r"not a mentorkit database.*invoices.*empty database"):
        SqlStore(db_url)
    assert table_names(db_url) == {"invoices"}


def test_migration_step_upgrades_an_older_database_once_and_records_it(
    db_url: str, store: SqlStore, key: DocumentKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = store.save(key, assessment("before the upgrade"), expected_revision=0)
    store.close()
    runs: list[int] = []

    def add_badges(conn: sa.Connection) -> None:
        runs.append(1)
        conn.execute(sa.text("CREATE TABLE badges (id INTEGER PRIMARY KEY)"))

    next_version = DB_SCHEMA_VERSION + 1
    monkeypatch.setattr(store_module, "DB_SCHEMA_VERSION", next_version)
    monkeypatch.setitem(store_module.MIGRATIONS, DB_SCHEMA_VERSION, add_badges)
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == next_version
        assert upgraded.load(key) == saved
    with SqlStore(db_url) as again:
        assert again.schema_version() == next_version
    assert runs == [1]
    assert "badges" in table_names(db_url)


def test_failed_migration_leaves_the_database_as_it_was(
    db_url: str, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()

    def half_done(conn: sa.Connection) -> None:
        conn.execute(sa.text("CREATE TABLE badges (id INTEGER PRIMARY KEY)"))
        raise RuntimeError("step failed")

    monkeypatch.setattr(store_module, "DB_SCHEMA_VERSION", DB_SCHEMA_VERSION + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, DB_SCHEMA_VERSION, half_done)
    with pytest.raises(RuntimeError, match="step failed"):
        SqlStore(db_url)
    assert "badges" not in table_names(db_url)
    monkeypatch.undo()
    with SqlStore(db_url) as unchanged:
        assert unchanged.schema_version() == DB_SCHEMA_VERSION


def test_missing_migration_step_is_a_schema_error(
    db_url: str, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    monkeypatch.setattr(store_module, "DB_SCHEMA_VERSION", DB_SCHEMA_VERSION + 1)
    with pytest.raises(SchemaError, match=rf"cannot upgrade .* from schema {DB_SCHEMA_VERSION}"):
        SqlStore(db_url)


# ---------------------------------------------------------------------------------------
# Opening: URLs and errors (no database server needed)


def postgres_driver() -> None:
    """Skip (elsewhere) or fail (in CI) a test that needs psycopg, when it is not installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("psycopg is not installed: CI must install mentorkit[postgres]")
        pytest.skip("needs the PostgreSQL driver: pip install 'mentorkit[postgres]'")


@pytest.mark.postgres
def test_unreachable_postgres_is_a_store_error_naming_it_without_password() -> None:
    postgres_driver()  # reaching no server still takes the driver
    with pytest.raises(StoreError) as refused:
        SqlStore("postgresql://nobody:s3cret@127.0.0.1:1/x")
    message = str(refused.value)
    assert message.startswith(
        "Cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/x: "
    )
    assert "s3cret" not in message
    assert "\n" not in message
    assert refused.value.__suppress_context__


def test_postgres_without_its_driver_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    with pytest.raises(StoreError, match=r"pip install 'mentorkit\[postgres\]'"):
        SqlStore("postgresql+psycopg://nobody@127.0.0.1:1/x")


def test_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list\n" * 200)
    with pytest.raises(StoreError, match=f"Cannot open the database sqlite:///{notes}: .*database"):
        SqlStore(f"sqlite:///{notes}")


def test_unsupported_or_garbled_urls_are_store_errors() -> None:
    with pytest.raises(StoreError, match="SQLite or PostgreSQL"):
        SqlStore("mysql://user@host/db")
    with pytest.raises(StoreError, match="'my database' is not a database URL"):
        SqlStore("my database")


def test_database_url_explicit_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MENTORKIT_DB", raising=False)
    assert resolve_database_url() == default_database_url()
    assert default_database_url().startswith("sqlite:///")
    assert default_database_url().endswith("/mentorkit/mentorkit.db")
    monkeypatch.setenv("MENTORKIT_DB", "postgresql+psycopg:///from_env")
    assert resolve_database_url() == "postgresql+psycopg:///from_env"
    assert resolve_database_url("  ") == "postgresql+psycopg:///from_env"
    assert resolve_database_url("sqlite:///explicit.db") == "sqlite:///explicit.db"


def test_open_store_creates_the_folder_of_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new" / "folder" / "mentorkit.db"
    monkeypatch.setenv("MENTORKIT_DB", f"sqlite:///{target}")
    with open_store() as opened_store:
        assert opened_store.url == f"sqlite:///{target}"
        assert opened_store.schema_version() == DB_SCHEMA_VERSION
    assert target.is_file()


def test_in_memory_sqlite_works_for_quick_experiments() -> None:
    with SqlStore("sqlite://") as memory:
        workshop = Workshop(name="Demo", framework=FRAMEWORK)
        memory.create_workshop(workshop, KEY_HASH)
        assert memory.workshops() == [workshop]


# ---------------------------------------------------------------------------------------
# SQLite specifics


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "mentorkit.db"
    with SqlStore(f"sqlite:///{path}") as sqlite_store, sqlite_store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # kept in the file
    finally:
        raw.close()


def test_sqlite_writes_begin_immediate_and_reads_do_not(tmp_path: Path) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'm.db'}") as sqlite_store:
        begins: list[str] = []

        def record(conn: object, cursor: object, statement: str, *args: object) -> None:
            if statement.startswith("BEGIN"):
                begins.append(statement)

        sa.event.listen(sqlite_store._engine, "before_cursor_execute", record)
        workshop = Workshop(name="Spring cohort", framework=FRAMEWORK)
        sqlite_store.create_workshop(workshop, KEY_HASH)
        assert begins == ["BEGIN IMMEDIATE"]
        sqlite_store.workshop(workshop.code)
        assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_sqlite_write_lock_held_elsewhere_is_waited_for_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.db"
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    with SqlStore(f"sqlite:///{path}") as sqlite_store:
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            workshop = Workshop(name="Spring cohort", framework=FRAMEWORK)
            with pytest.raises(StoreError, match=f"Cannot use the database sqlite:///{path}"):
                sqlite_store.create_workshop(workshop, KEY_HASH)
            assert sqlite_store.workshops() == []  # readers are not blocked (WAL)
            holder.execute("ROLLBACK")
            sqlite_store.create_workshop(workshop, KEY_HASH)
        finally:
            holder.close()
        assert sqlite_store.workshops() == [workshop]


def test_a_reply_that_is_no_answer_is_refused_and_nothing_decided(
    store: SqlStore, pairing: tuple[str, str, str]
) -> None:
    code, amelia, mentors = pairing
    mateo = mentors.split()[0]
    with pytest.raises(InvalidInput, match=r"Reply: is too long \(at most 2000 characters\)"):
        store.decide_match(
            code, amelia, mateo, "forbid", answered_by=Answerer.MENTOR, reply="x" * 2001
        )
    with pytest.raises(ValueError, match="'somebody' is not a valid Answerer"):
        store.decide_match(code, amelia, mateo, "lock", answered_by="somebody")  # type: ignore[arg-type]
    assert store.match_decisions(code) == []


# ---------------------------------------------------------------------------------------
# Mentors: signing in, their own profile, the requests sent to them


@pytest.fixture
def mentoring(store: SqlStore, workshop: Workshop) -> tuple[str, MentorProfile, MentorProfile]:
    """A workshop with two mentors, Mateo and Chloe."""
    mateo = mentor("Mateo Ruiz", "mateo@example.com")
    chloe = mentor("Chloe Park", "chloe@example.com")
    store.import_roster(workshop.code, mentors=[mateo, chloe])
    return workshop.code, mateo, chloe


def test_a_mentor_claims_their_invite_once_and_signs_in_again_with_the_resume_code(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, _ = mentoring
    invites = reset_mentor_invite_codes(store, code, [mateo.email])
    assert store.mentors_invited(code) == {mateo.email}
    assert store.mentors_signed_in(code) == set()
    first = claim_mentor_invite(store, invites[mateo.email].lower().replace("-", " "))
    assert (first.workshop.code, first.mentor.email) == (code, mateo.email)
    assert first.new_resume_code is not None
    assert store.mentors_signed_in(code) == {mateo.email}
    with pytest.raises(SignInError, match="used to sign in already"):
        claim_mentor_invite(store, invites[mateo.email])
    again = mentor_resume(store, first.new_resume_code)
    assert again.mentor == mateo and again.new_resume_code is None
    # A new resume code replaces the old one at once.
    new_code = reset_mentor_resume_code(store, code, mateo.email)
    with pytest.raises(SignInError, match="not known"):
        mentor_resume(store, first.new_resume_code)
    assert mentor_resume(store, new_code).mentor.email == mateo.email
    with pytest.raises(NotFound, match=r"No mentor nobody@example\.com"):
        reset_mentor_invite_codes(store, code, ["nobody@example.com"])


def test_a_code_used_on_the_wrong_side_is_named_for_what_it_is(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, _ = mentoring
    ada = Participant(name="Ada", email="ada@example.com")
    store.import_roster(code, participants=[ada])
    participant_invite = reset_invite_code(store, code, ada.id)
    mentor_invite = reset_mentor_invite_codes(store, code, [mateo.email])[mateo.email]
    with pytest.raises(SignInError, match="That is a participant's code"):
        claim_mentor_invite(store, participant_invite)
    with pytest.raises(SignInError, match="That is a mentor's code"):
        claim_invite(store, mentor_invite)
    mentor_code = claim_mentor_invite(store, mentor_invite).new_resume_code
    participant_code = claim_invite(store, participant_invite).new_resume_code
    assert mentor_code and participant_code
    with pytest.raises(SignInError, match="That is a mentor's code"):
        resume(store, mentor_code)
    with pytest.raises(SignInError, match="That is a participant's code"):
        mentor_resume(store, participant_code)
    assert store.code_holder("no-such-hash") is None


def test_a_profile_the_mentor_saved_is_kept_when_the_roster_is_imported_again(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    own = mateo.model_copy(
        update={"bio": "Twenty years in logistics.", "open_to_new_mentees": False}
    )
    store.save_mentor_profile(code, own)
    roster = [mateo.model_copy(update={"capacity": 5}), chloe.model_copy(update={"capacity": 4})]
    assert store.import_roster(code, mentors=roster) == RosterChange(added=0, updated=1, kept=1)
    by_email = {m.email: m for m in store.mentors(code)}
    assert by_email[mateo.email] == own
    assert by_email[chloe.email].capacity == 4
    with pytest.raises(NotFound, match=r"No mentor someone@example\.com"):
        store.save_mentor_profile(code, mentor("Someone", "someone@example.com"))


def test_a_mentor_reads_only_the_requests_sent_to_them_with_what_each_shares(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    ada, bo, cy = (
        Participant(name=name, email=f"{name.lower()}@example.com") for name in ("Ada", "Bo", "Cy")
    )
    store.import_roster(code, participants=[ada, bo, cy])
    at = datetime(2026, 3, 5, 9, tzinfo=UTC)
    for person, to, minutes in ((ada, mateo, 5), (bo, mateo, 1), (cy, chloe, 0)):
        sent = SentRequest(mentor_email=to.email, message=f"Hello from {person.name}", sent_at=at)
        shortlist = MentorShortlist(
            requests=[sent.model_copy(update={"sent_at": at + timedelta(minutes=minutes)})]
        )
        store.save(DocumentKey(code, person.id, "mentor_shortlist"), shortlist, expected_revision=0)
    secret = SelfAssessment(
        ratings={"public-speaking": 1},
        career_goal="Lead a team",
        growth_areas=["public-speaking"],
        draft={"career_goal": "typed but not valid"},
    )
    store.save(DocumentKey(code, ada.id, "self_assessment"), secret, expected_revision=0)
    store.decide_match(
        code, bo.id, mateo.email, "forbid", answered_by=Answerer.MENTOR, reply="Not now"
    )

    received = store.requests_to_mentor(code, mateo.email.upper())
    assert [r.participant.name for r in received] == ["Bo", "Ada"]  # oldest first
    bo_request, ada_request = received
    assert bo_request.answer is not None and bo_request.answer.reply == "Not now"
    assert bo_request.assessment is None
    assert ada_request.answer is None and ada_request.sent.message == "Hello from Ada"
    shared = ada_request.assessment
    assert shared is not None and shared.career_goal == "Lead a team"
    assert shared.growth_areas == ["public-speaking"]
    assert shared.ratings == {} and shared.draft == {}
    assert [r.participant.name for r in store.requests_to_mentor(code, chloe.email)] == ["Cy"]
    with pytest.raises(NotFound, match=r"No mentor nobody@example\.com"):
        store.requests_to_mentor(code, "nobody@example.com")


def test_a_database_of_schema_5_lets_its_mentors_sign_in_and_keeps_them(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, _ = mentoring
    store.close()
    run_sql(
        db_url,
        "DROP INDEX uq_mentors_invite_code_hash",
        "DROP INDEX uq_mentors_resume_code_hash",
        *(
            f"ALTER TABLE mentors DROP COLUMN {name}"
            for name in ("invite_code_hash", "resume_code_hash", "invited", "signed_in")
        ),
        "ALTER TABLE mentors DROP COLUMN profile_saved_at",
        "DROP TABLE agreement_entries",
        "DROP TABLE mentor_notes",
        "UPDATE mentorkit_schema SET version = 5",
    )
    assert "agreement_entries" not in table_names(db_url)
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        assert mateo in upgraded.mentors(code)
        assert upgraded.mentors_signed_in(code) == set()
        invite = reset_mentor_invite_codes(upgraded, code, [mateo.email])[mateo.email]
        assert claim_mentor_invite(upgraded, invite).mentor == mateo
    assert {"agreement_entries", "mentor_notes"} <= table_names(db_url)


def test_a_database_of_schema_6_gives_its_mentors_hub_user_names(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, _ = mentoring
    store.close()
    run_sql(
        db_url,
        "DROP INDEX uq_mentors_workshop_hub_user",
        "ALTER TABLE mentors DROP COLUMN hub_user",
        "UPDATE mentorkit_schema SET version = 6",
    )
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        assert upgraded.mentor_by_hub_user(code, "mateo") is None
        upgraded.import_roster(code, mentors=[mateo], hub_users={mateo.email: "mateo"})
        assert upgraded.mentor_by_hub_user(code, "mateo") == mateo


def test_a_database_of_schema_7_gets_the_mentors_survey_table(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, _ = mentoring
    store.close()
    run_sql(db_url, "DROP TABLE mentor_surveys", "UPDATE mentorkit_schema SET version = 7")
    with SqlStore(db_url) as upgraded:
        assert upgraded.schema_version() == DB_SCHEMA_VERSION
        assert mateo in upgraded.mentors(code)
        assert upgraded.mentor_survey(code, mateo.email, SurveyKind.END) is None
        upgraded.save_mentor_survey(code, mateo.email, SurveyKind.END, SurveyAnswers(useful=9))
        assert upgraded.mentors_survey_answers(code, SurveyKind.END) == {
            mateo.email: SurveyAnswers(useful=9)
        }


def test_a_mentor_answers_each_survey_once_and_the_last_save_wins(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    end, mid = SurveyKind.END, SurveyKind.MID
    typed = SurveyAnswers(useful=6, comments="Early days", draft={"met_as_agreed": "eleven"})
    store.save_mentor_survey(code, " MATEO@example.com ", end, typed)
    store.save_mentor_survey(code, mateo.email, end, typed.model_copy(update={"useful": 8}))
    store.save_mentor_survey(code, chloe.email, mid, SurveyAnswers(comments="<b>Mid</b>"))
    store.close()
    with SqlStore(db_url) as reopened:
        kept = reopened.mentor_survey(code, mateo.email, end)
        assert kept == typed.model_copy(update={"useful": 8})  # the draft kept as typed
        assert reopened.mentor_survey(code, mateo.email, mid) is None
        assert reopened.mentor_survey(code, chloe.email, end) is None
        assert reopened.mentors_survey_answers(code, end) == {mateo.email: kept}
        assert reopened.mentors_survey_answers(code, mid) == {
            chloe.email: SurveyAnswers(comments="<b>Mid</b>")
        }
        with pytest.raises(NotFound, match=r"No mentor nobody@example\.com"):
            reopened.save_mentor_survey(code, "nobody@example.com", end, SurveyAnswers())
        with pytest.raises(NotFound, match=r"No mentor nobody@example\.com"):
            reopened.mentor_survey(code, "nobody@example.com", end)
        with pytest.raises(InvalidInput):
            reopened.save_mentor_survey(
                code, chloe.email, end, SurveyAnswers.model_construct(useful=99)
            )
        assert reopened.mentor_survey(code, chloe.email, end) is None  # nothing half-written
        reopened.delete_workshop(code)
        assert count_rows(db_url, "mentor_surveys") == 0


def test_a_mentor_roster_gives_hub_user_names_and_a_kept_profile_still_gets_its_own(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    """A mentor's hub user name is the facilitator's to assign, as a participant's is: an
    import sets it even for a mentor who saved their own profile, whose words it keeps."""
    code, mateo, chloe = mentoring
    own = mateo.model_copy(update={"bio": "In my own words"})
    store.save_mentor_profile(code, own)
    change = store.import_roster(
        code,
        mentors=[mateo, chloe],
        hub_users={mateo.email.upper(): "mateo", chloe.email: "chloe"},
    )
    assert (change.added, change.updated, change.kept) == (0, 1, 1)
    assert store.mentor_by_hub_user(code, "mateo") == own
    assert store.mentor_by_hub_user(code, "chloe") == chloe
    assert store.mentor_by_hub_user(code, "Mateo") is None  # exactly as assigned
    # Importing again without the column keeps the names given.
    assert store.import_roster(code, mentors=[chloe]).updated == 0
    assert store.mentor_by_hub_user(code, "chloe") == chloe
    # One hub user is one mentor of a workshop.
    with pytest.raises(StoreError, match="another mentor's"):
        store.import_roster(code, mentors=[chloe], hub_users={chloe.email: "mateo"})
    assert store.mentor_by_hub_user(code, "mateo") == own
    with pytest.raises(NotFound):
        store.mentor_by_hub_user("ZZZZ-ZZZZ", "mateo")


def test_a_mentor_sees_their_mentees_and_the_agreement_keeps_its_record_in_order(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    ada, bo = (
        Participant(name=name, email=f"{name.lower()}@example.com") for name in ("Ada", "Bo")
    )
    store.import_roster(code, participants=[bo, ada])
    store.decide_match(code, bo.id, mateo.email, "lock", answered_by=Answerer.MENTOR)
    store.decide_match(code, ada.id, mateo.email, "lock")
    store.decide_match(code, ada.id, chloe.email, "forbid")
    assert [p.name for p in store.mentees(code, mateo.email)] == ["Ada", "Bo"]
    assert store.mentees(code, chloe.email) == []
    with pytest.raises(NotFound, match=r"No mentor nobody@example\.com"):
        store.mentees(code, "nobody@example.com")

    terms = MentoringAgreement(mentor_email=mateo.email, meeting_minutes=60)
    monday = datetime(2027, 1, 11, 9, tzinfo=UTC)
    mine = confirm(terms, Side.MENTEE, "Ada", at=monday)
    idea = suggest(
        terms,
        terms.model_copy(update={"meeting_minutes": 45}),
        by=mateo.name,
        note="Shorter <b>is</b> easier",
        at=monday + timedelta(hours=1),
    )
    yes = SuggestionAnswer(suggested_at=idea.at, accepted=True, by="Ada", at=idea.at)
    for entry in (idea, mine, yes):  # written out of order, read in order
        store.add_agreement_entry(code, ada.id, entry)
    store.close()
    with SqlStore(db_url) as reopened:
        assert reopened.agreement_entries(code, ada.id) == [mine, idea, yes]
        assert reopened.agreement_entries(code, bo.id) == []
        # The whole workshop's records at once (the dashboard's one read), in the same order.
        assert reopened.agreement_records(code) == {ada.id: [mine, idea, yes]}
        record = agreement_record(reopened.agreement_entries(code, ada.id))
        assert record.open_suggestions == () and record.confirmations == (mine,)
        with pytest.raises(NotFound, match=r"No participant 0+ on the roster"):
            reopened.agreement_entries(code, "0" * 32)
        reopened.erase_participant(code, ada.id)
    assert count_rows(db_url, "agreement_entries") == 0


def test_a_mentor_reads_the_agreement_of_their_own_mentees_only(
    store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    ada = Participant(name="Ada", email="ada@example.com")
    store.import_roster(code, participants=[ada])
    with pytest.raises(NotFound, match="is not a mentee of"):
        store.mentee_agreement(code, mateo.email, ada.id)
    store.decide_match(code, ada.id, mateo.email, "lock", answered_by=Answerer.MENTOR)
    assert store.mentee_agreement(code, mateo.email, ada.id) is None  # not started yet
    terms = MentoringAgreement(mentor_email=mateo.email, boundaries="No calls after 8")
    store.save(DocumentKey(code, ada.id, "mentoring_agreement"), terms, expected_revision=0)
    assert store.mentee_agreement(code, mateo.email.upper(), ada.id) == terms
    with pytest.raises(NotFound, match="is not a mentee of"):
        store.mentee_agreement(code, chloe.email, ada.id)


def test_a_mentor_reads_only_what_their_mentee_shares_and_writes_notes_only_for_them(
    db_url: str, store: SqlStore, mentoring: tuple[str, MentorProfile, MentorProfile]
) -> None:
    code, mateo, chloe = mentoring
    ada = Participant(name="Ada", email="ada@example.com")
    store.import_roster(code, participants=[ada])
    for name, title in (("goal-1", "Lead a project"), ("goal-2", "SECRET salary talk")):
        goal = SmartGoal(title=title)
        store.save(DocumentKey(code, ada.id, "smart_goal", name), goal, expected_revision=0)
    for name, learned in (("check-in-1", "Shared learning"), ("check-in-2", "SECRET note")):
        meeting = CheckIn(met_on=date(2027, 1, 11), learned=learned)
        store.save(DocumentKey(code, ada.id, "check_in", name), meeting, expected_revision=0)
    sharing = ProgressSharing(shared=["goal-1", "check-in-1"])
    store.save(DocumentKey(code, ada.id, "progress_sharing"), sharing, expected_revision=0)
    with pytest.raises(NotFound, match="is not a mentee of"):
        store.mentee_progress(code, mateo.email, ada.id)
    store.decide_match(code, ada.id, mateo.email, "lock", answered_by=Answerer.MENTOR)

    seen = store.mentee_progress(code, mateo.email, ada.id)
    assert list(seen.goals) == ["goal-1"] and list(seen.check_ins) == ["check-in-1"]
    assert "SECRET" not in repr(seen)
    with pytest.raises(NotFound, match="is not a mentee of"):
        store.mentee_progress(code, chloe.email, ada.id)

    at = datetime(2027, 1, 12, 9, tzinfo=UTC)
    comment = MentorNote(item="goal-1", text="Start with <b>one</b> team", by=mateo.name, at=at)
    first = store.add_mentor_note(code, mateo.email, ada.id, comment)
    action = MentorNote(
        kind=NoteKind.ACTION, text="Introduce Ada to Kim", due_on=date(2027, 1, 20), by="M", at=at
    )
    second = store.add_mentor_note(code, mateo.email, ada.id, action)
    with pytest.raises(NotFound, match="goal-2 is not shared"):
        store.add_mentor_note(
            code, mateo.email, ada.id, comment.model_copy(update={"item": "goal-2"})
        )
    with pytest.raises(NotFound, match="is not a mentee of"):
        store.add_mentor_note(code, chloe.email, ada.id, action)
    store.set_mentor_note(
        code, mateo.email, ada.id, second, action.model_copy(update={"done": True})
    )
    store.decide_match(code, ada.id, chloe.email, "lock")  # Ada's lock moves to Chloé
    with pytest.raises(NotFound, match=f"No note {first} of {re.escape(chloe.email)}"):
        store.set_mentor_note(code, chloe.email, ada.id, first, action)
    notes = store.mentor_notes(code, ada.id)
    assert [(n.id, n.mentor_email, n.note.text, n.note.done) for n in notes] == [
        (first, mateo.email, "Start with <b>one</b> team", False),
        (second, mateo.email, "Introduce Ada to Kim", True),
    ]
    store.erase_participant(code, ada.id)
    assert count_rows(db_url, "mentor_notes") == 0
