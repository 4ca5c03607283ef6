"""A workshop's details change in place (`Store.update_workshop`): name and body, never the
facilitator key; they survive a backup and its restore; on a hub's PostgreSQL the
facilitators' role may change them and the participants' may not."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest
import sqlalchemy as sa

from mentorkit import pg_access
from mentorkit.access import hash_secret
from mentorkit.backup import backup_workshop, restore_backup
from mentorkit.errors import NotFound, StoreError
from mentorkit.models import Workshop, WorkshopSession
from mentorkit.store import SqlStore, open_store
from mentorkit.testing import postgres_test_url
from mentorkit.workshops import create_workshop, import_roster


def edited(workshop: Workshop) -> Workshop:
    return workshop.model_copy(
        update={
            "name": "Autumn cohort",
            "starts_on": date(2026, 9, 1),
            "sessions": [
                WorkshopSession(
                    title="Kick-off", day=date(2026, 9, 1), starts_at=time(9, 30), place="Room 4"
                )
            ],
            "guidance": {"01_self_assessment": "Welcome!"},
        }
    )


def test_an_update_changes_the_details_and_keeps_the_key(store):
    access = create_workshop(store, "Spring cohort")
    store.update_workshop(edited(access.workshop))
    stored = store.workshop(access.workshop.code)
    assert stored == edited(access.workshop)
    assert [w.name for w in store.workshops()] == ["Autumn cohort"]
    assert store.facilitator_key_matches(stored.code, hash_secret(access.facilitator_key))


def test_an_update_of_an_unknown_workshop_is_not_found(store):
    access = create_workshop(store, "Spring cohort")
    ghost = access.workshop.model_copy(update={"code": "ZZZZ-ZZZZ"})
    with pytest.raises(NotFound):
        store.update_workshop(ghost)
    assert store.workshop(access.workshop.code) == access.workshop


def test_sessions_and_texts_survive_a_backup_and_its_restore(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as first:
        access = create_workshop(first, "Spring cohort")
        first.update_workshop(edited(access.workshop))
        backup_workshop(first, access.workshop.code, tmp_path / "b.jsonl")
    with open_store(f"sqlite:///{tmp_path / 'c.db'}") as second:
        restored, _counts = restore_backup(second, tmp_path / "b.jsonl")
        assert second.workshop(access.workshop.code) == edited(access.workshop) == restored


@pytest.mark.postgres
def test_on_a_hub_facilitators_may_edit_a_workshop_and_import_rosters_and_participants_may_not(
    tmp_path,
):
    admin = postgres_test_url()
    prefix = f"mkset{uuid.uuid4().hex[:8]}_"
    suffix = uuid.uuid4().hex[:8]
    pg_access.prepare_database(admin, prefix)
    with open_store(admin) as store:
        access = create_workshop(store, f"Hub setup {suffix}")
    code = access.workshop.code
    try:
        facilitator_url = pg_access.grant_hub_user(
            admin, f"fac-{suffix}", "facilitator", prefix=prefix
        )
        participant_url = pg_access.grant_hub_user(
            admin, f"par-{suffix}", "participant", prefix=prefix
        )
        with SqlStore(facilitator_url) as facilitator:
            facilitator.update_workshop(edited(facilitator.workshop(code)))
            key_hash = sa.text("UPDATE workshops SET facilitator_key_hash = 'x' WHERE code = :c")
            with (
                pytest.raises(StoreError, match="permission denied"),
                facilitator._transaction(write=True) as conn,  # the key hash stays out of reach
            ):
                conn.execute(key_hash, {"c": code})
        mentors = tmp_path / "mentors.csv"
        mentors.write_text(
            "Full name,E-mail address,Areas of expertise,Max. mentees\n"
            f"Hub Mentor {suffix},hub.mentor.{suffix}@example.org,Leadership,2\n"
        )
        people = tmp_path / "participants.csv"
        people.write_text(
            f"Name,Email,Hub user\nHub Person,hub.person.{suffix}@example.org,hp-{suffix}\n"
        )
        planted = tmp_path / "planted.csv"
        planted.write_text(
            "Full name,E-mail address,Areas of expertise,Max. mentees\n"
            f"Planted Mentor,planted.{suffix}@example.org,Leadership,2\n"
        )
        with SqlStore(facilitator_url) as facilitator:
            workshop = facilitator.workshop(code)
            for kind, roster in (("mentors", mentors), ("participants", people)):
                outcome = import_roster(facilitator, workshop, kind, roster)
                assert outcome.change is not None and outcome.change.added == 1
            assert len(outcome.invites) == 1  # the new participant's invite code
            import_roster(facilitator, workshop, "mentors", mentors)  # again: an update
        with SqlStore(participant_url) as participant:
            with pytest.raises(StoreError, match="permission denied"):
                participant.update_workshop(
                    participant.workshop(code).model_copy(update={"name": "Taken over"})
                )
            with pytest.raises(StoreError, match="permission denied"):
                import_roster(participant, participant.workshop(code), "mentors", planted)
        with open_store(admin) as store:
            assert store.workshop(code).name == "Autumn cohort"
            assert [m.name for m in store.mentors(code)] == [f"Hub Mentor {suffix}"]
            (person,) = store.participants(code)
            assert store.participant_by_hub_user(code, f"hp-{suffix}") == person
            assert store.facilitator_key_matches(code, hash_secret(access.facilitator_key))
    finally:
        with open_store(admin) as store:
            store.delete_workshop(code)
        pg_access.drop_deployment(admin, prefix)
