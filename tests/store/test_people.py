"""A facilitator's people tools on both databases: reset a code, merge two, remove one."""

from __future__ import annotations

import time

import pytest

from mentorkit.access import hash_secret
from mentorkit.catalog import load_framework
from mentorkit.errors import NotFound, StoreError
from mentorkit.identity import SignInError, reset_resume_code, resume, sign_in
from mentorkit.models import MentorProfile, Participant, SelfAssessment, SmartGoal, Workshop
from mentorkit.people import PersonNotFound, find_person, merge_people, people, remove_person
from mentorkit.store import DocumentKey, SqlStore
from mentorkit.testing import sign_in_rostered

KEY_HASH = "sha256:" + "0" * 64


@pytest.fixture
def workshop(store: SqlStore) -> Workshop:
    created = Workshop(name="Spring cohort", framework=load_framework())
    store.create_workshop(created, KEY_HASH)
    return created


@pytest.fixture
def twice(store: SqlStore, workshop: Workshop) -> tuple[Participant, Participant]:
    """One person on the roster twice: by email from the roster, and again by name."""
    roster = Participant(name="Amelia Hartley", email="amelia@example.com")
    walk_in = Participant(name="Amelia H")
    store.import_roster(workshop.code, participants=[roster])
    store.add_participant(workshop.code, walk_in)
    return roster, walk_in


def save(store: SqlStore, key: DocumentKey, document: object) -> None:
    current = store.load(key)
    store.save(key, document, expected_revision=current.revision if current else 0)  # type: ignore[arg-type]


def goal(title: str) -> SmartGoal:
    return SmartGoal(title=title)


def assessment(goal_text: str) -> SelfAssessment:
    return SelfAssessment(ratings={"public-speaking": 3}, career_goal=goal_text)


def test_merging_moves_every_document_and_numbers_goals_after_the_kept_ones(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    code = workshop.code
    save(store, DocumentKey(code, keep.id, "smart_goal", "goal-1"), goal("Speak at a meetup"))
    save(store, DocumentKey(code, keep.id, "smart_goal", "goal-2"), goal("Lead a review"))
    save(store, DocumentKey(code, absorb.id, "smart_goal", "goal-1"), goal("Write a talk"))
    save(store, DocumentKey(code, absorb.id, "self_assessment"), assessment("Team lead"))

    counts = merge_people(store, code, keep, absorb)

    assert (counts.moved, counts.combined) == (2, 0)
    goals = {s.key.name: s.document.title for s in store.list(code, kind="smart_goal")}
    assert goals == {
        "goal-1": "Speak at a meetup",
        "goal-2": "Lead a review",
        "goal-3": "Write a talk",
    }
    moved = store.load(DocumentKey(code, keep.id, "self_assessment"))
    assert moved is not None and moved.document.career_goal == "Team lead"
    assert len(store.history(DocumentKey(code, keep.id, "smart_goal", "goal-3"))) == 1
    assert [p.id for p in store.participants(code)] == [keep.id]
    assert store.list(code, participant=absorb.id) == []


def test_a_worksheet_both_have_keeps_the_newer_and_the_other_in_its_history(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    code = workshop.code
    kept_key = DocumentKey(code, keep.id, "self_assessment")
    save(store, kept_key, assessment("first try"))
    time.sleep(0.01)
    save(store, DocumentKey(code, absorb.id, "self_assessment"), assessment("second, v1"))
    time.sleep(0.01)
    save(store, DocumentKey(code, absorb.id, "self_assessment"), assessment("second, v2"))

    counts = merge_people(store, code, keep, absorb)

    assert (counts.moved, counts.combined) == (0, 1)
    current = store.load(kept_key)
    assert current is not None and current.document.career_goal == "second, v2"
    history = store.history(kept_key)
    assert [s.document.career_goal for s in history] == ["first try", "second, v1", "second, v2"]
    assert [s.revision for s in history] == [1, 2, 3] and current.revision == 3


def test_the_kept_code_still_signs_in_the_other_stops_and_an_email_is_taken_over(
    store: SqlStore, workshop: Workshop
) -> None:
    code = workshop.code
    store.import_roster(code, participants=[Participant(name="Bo", email="bo@example.com")])
    by_email = sign_in_rostered(store, code, "bo@example.com")
    by_name = sign_in(store, code, "Bo Strand")
    merge_people(store, code, by_name.participant, by_email.participant)
    assert resume(store, by_name.new_resume_code).participant.email == "bo@example.com"
    assert store.find_participant(code, "bo@example.com").id == by_name.participant.id
    with pytest.raises(SignInError, match="not known"):
        resume(store, by_email.new_resume_code)


def test_a_participant_cannot_be_merged_into_themselves_or_someone_gone(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    with pytest.raises(StoreError, match="themselves"):
        store.merge_participants(workshop.code, keep.id, keep.id)
    store.erase_participant(workshop.code, absorb.id)
    with pytest.raises(NotFound):
        merge_people(store, workshop.code, keep, absorb)
    assert [p.id for p in store.participants(workshop.code)] == [keep.id]


def test_a_merge_that_fails_midway_changes_nothing(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    code = workshop.code
    save(store, DocumentKey(code, absorb.id, "smart_goal", "goal-1"), goal("Write a talk"))
    save(store, DocumentKey(code, absorb.id, "self_assessment"), assessment("mine"))
    with pytest.raises(StoreError):
        store.merge_participants(
            code, keep.id, absorb.id, renames={("smart_goal", "goal-1"): " bad name "}
        )
    assert len(store.list(code, participant=absorb.id)) == 2
    assert store.list(code, participant=keep.id) == []
    assert len(store.participants(code)) == 2


def test_removing_a_participant_erases_them_and_their_answers(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    code = workshop.code
    save(store, DocumentKey(code, absorb.id, "self_assessment"), assessment("mine"))
    remove_person(store, code, absorb)
    assert [p.id for p in store.participants(code)] == [keep.id]
    assert store.list(code) == []
    assert store.history(DocumentKey(code, absorb.id, "self_assessment")) == []


def test_a_reset_code_replaces_the_old_one(store: SqlStore, workshop: Workshop) -> None:
    first = sign_in(store, workshop.code, "Cleo Marsh")
    new = reset_resume_code(store, workshop.code, first.participant.id)
    assert store.resume_code_hash(workshop.code, first.participant.id) == hash_secret(new)
    assert resume(store, new).participant == first.participant


def test_people_are_found_by_id_email_or_name_and_ambiguity_is_explained(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    keep, absorb = twice
    code = workshop.code
    assert find_person(store, code, keep.id) == keep
    assert find_person(store, code, " AMELIA@example.com") == keep
    assert find_person(store, code, "amelia  h") == absorb
    store.add_participant(code, Participant(name="Amelia H", email="ah@example.com"))
    with pytest.raises(PersonNotFound, match="More than one participant is called Amelia H"):
        find_person(store, code, "Amelia H")
    with pytest.raises(PersonNotFound, match="mentorkit people list"):
        find_person(store, code, "Nobody")
    listed = {summary.participant.name: summary for summary in people(store, code)}
    assert set(listed) == {"Amelia Hartley", "Amelia H"}


def test_merging_keeps_the_facilitators_matching_decisions_about_either_person(
    store: SqlStore, workshop: Workshop, twice: tuple[Participant, Participant]
) -> None:
    roster, walk_in = twice
    mentors = [
        MentorProfile(
            name=f"Mentor {n}", email=f"m{n}@example.org", expertise=["negotiation"], capacity=2
        )
        for n in range(3)
    ]
    store.import_roster(workshop.code, mentors=mentors)
    store.decide_match(workshop.code, roster.id, "m0@example.org", "forbid")
    store.decide_match(workshop.code, walk_in.id, "m0@example.org", "lock")  # kept has one
    store.decide_match(workshop.code, walk_in.id, "m1@example.org", "forbid")
    merge_people(store, workshop.code, roster, walk_in)
    found = {(d.participant, d.mentor, d.decision) for d in store.match_decisions(workshop.code)}
    assert found == {
        (roster.id, "m0@example.org", "forbid"),
        (roster.id, "m1@example.org", "forbid"),
    }
