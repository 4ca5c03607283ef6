"""Invite code hashes on both databases: stored, claimed once, carried by a backup."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from mentorkit.catalog import load_framework
from mentorkit.errors import NotFound, StoreError
from mentorkit.models import Participant, Workshop
from mentorkit.store import SqlStore

KEY_HASH = "sha256:" + "0" * 64
INVITE = "sha256:" + "1" * 64
RESUME = "sha256:" + "2" * 64


@pytest.fixture
def roster(store: SqlStore) -> tuple[Workshop, Participant, Participant]:
    workshop = Workshop(name="Spring cohort", framework=load_framework())
    store.create_workshop(workshop, KEY_HASH)
    ada = Participant(name="Ada Quill", email="ada@example.org")
    bo = Participant(name="Bo Strand", email="bo@example.org")
    store.import_roster(workshop.code, participants=[ada, bo])
    return workshop, ada, bo


def test_invite_hashes_are_stored_all_or_none_and_listed(store, roster):
    workshop, ada, bo = roster
    assert store.invited(workshop.code) == set() == store.signed_in(workshop.code)
    with pytest.raises(NotFound):
        store.set_invite_code_hashes(workshop.code, {ada.id: INVITE, "0" * 32: INVITE + "x"})
    assert store.invited(workshop.code) == set()
    store.set_invite_code_hashes(workshop.code, {ada.id: INVITE, bo.id: INVITE + "b"})
    assert store.invited(workshop.code) == {ada.id, bo.id}


def test_an_invite_is_claimed_once_and_a_second_claim_changes_nothing(store, roster):
    workshop, ada, _bo = roster
    store.set_invite_code_hashes(workshop.code, {ada.id: INVITE})
    assert store.claim_invite("sha256:unknown", RESUME) is None
    first = store.claim_invite(INVITE, RESUME)
    assert (first.workshop, first.participant, first.claimed) == (workshop.code, ada, True)
    assert store.signed_in(workshop.code) == {ada.id}
    second = store.claim_invite(INVITE, RESUME + "x")
    assert second.claimed is False
    assert store.resume_code_hash(workshop.code, ada.id) == RESUME


def test_of_two_claims_at_the_same_moment_only_one_signs_in(store, roster, opened):
    workshop, ada, _bo = roster
    store.set_invite_code_hashes(workshop.code, {ada.id: INVITE})
    stores = [opened(), opened()]
    results: list[object] = [None, None]
    start = threading.Barrier(2)

    def claim(index: int) -> None:
        start.wait()
        results[index] = stores[index].claim_invite(INVITE, f"{RESUME}{index}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.claimed for r in results) == [False, True]
    winner = next(i for i, r in enumerate(results) if r.claimed)
    assert store.resume_code_hash(workshop.code, ada.id) == f"{RESUME}{winner}"


def test_a_backup_carries_invite_hashes_and_a_restore_refuses_one_in_use(store, roster):
    workshop, ada, _bo = roster
    store.set_invite_code_hashes(workshop.code, {ada.id: INVITE})
    with store.read_workshop(workshop.code) as snapshot:
        records = {r.participant.id: r.invite_code_hash for r in snapshot.participants}
        history = list(snapshot.history)
    assert records[ada.id] == INVITE
    store.delete_workshop(workshop.code)
    store.restore_workshop(replace(snapshot, history=history))
    assert store.claim_invite(INVITE, RESUME).participant == ada

    other = Workshop(name="Other", framework=load_framework())
    store.create_workshop(other, KEY_HASH)
    someone = Participant(name="Cy", email="cy@example.org")
    store.import_roster(other.code, participants=[someone])
    store.delete_workshop(workshop.code)
    store.set_invite_code_hashes(other.code, {someone.id: INVITE})
    with pytest.raises(StoreError, match="same invite code as one in the backup"):
        store.restore_workshop(replace(snapshot, history=history))


def test_merging_a_newcomer_into_a_roster_entry_without_a_code_moves_the_resume_code(store, roster):
    workshop, ada, _bo = roster
    walk_in = Participant(name="Ada Q")
    store.add_participant(workshop.code, walk_in)
    store.set_resume_code_hash(workshop.code, walk_in.id, RESUME)
    store.merge_participants(workshop.code, ada.id, walk_in.id)
    assert store.resume_code_hash(workshop.code, ada.id) == RESUME
    assert store.participant_by_resume_hash(RESUME) == (workshop.code, ada)
