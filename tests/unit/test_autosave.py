"""Autosave: debounced, honest about failures, never overwrites newer answers."""

import asyncio
import re

import pytest

from mentorkit.errors import StoreError
from mentorkit.identity import sign_in
from mentorkit.models import SelfAssessment, SmartGoal
from mentorkit.store import open_store
from mentorkit.ui.autosave import Autosaver, SaveStatus
from mentorkit.ui.frame import Notice, guarded
from mentorkit.workshops import create_workshop


class FlakyStore:
    """A store whose saves fail while `down` is true, as a full or read-only disk would."""

    def __init__(self, store) -> None:
        self.store = store
        self.down = False
        self.saves = 0

    def save(self, *args, **kwargs):
        self.saves += 1
        if self.down:
            raise StoreError("database is read-only")
        return self.store.save(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.fixture
def session(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    workshop = create_workshop(store, "W").workshop
    identity = sign_in(store, workshop.code, "Ada Quill")
    yield store, identity
    store.close()


def key_of(identity, kind="self_assessment", name="main"):
    from mentorkit.store import DocumentKey

    return DocumentKey(identity.workshop.code, identity.participant.id, kind, name)


def test_a_change_is_saved_and_shown_with_the_time(session):
    store, identity = session
    status = SaveStatus()
    saver = Autosaver(store, key_of(identity), status)
    saver.request(lambda: SelfAssessment(career_goal="Lead"))
    assert re.search(r"Saved <time[^>]*>\d\d:\d\d:\d\d", status.value)
    assert store.load(key_of(identity)).document.career_goal == "Lead"


def test_changes_within_the_delay_become_one_save(session):
    store, identity = session
    status = SaveStatus()
    store.save(key_of(identity), SelfAssessment(career_goal="Le"), expected_revision=0)

    async def type_quickly() -> Autosaver:
        saver = Autosaver(store, key_of(identity), status, delay=0.5)
        for text in ("Lea", "Lead", "Leade", "Leader"):
            saver.request(lambda text=text: SelfAssessment(career_goal=text))
            await asyncio.sleep(0.01)
        assert "Saving" in status.value
        await asyncio.sleep(1.0)
        return saver

    saver = asyncio.run(type_quickly())
    assert saver.revision == 2
    assert [s.document.career_goal for s in store.history(key_of(identity))] == ["Le", "Leader"]


def test_a_new_document_is_saved_at_once_so_a_reload_finds_it(session):
    # A reload ends the kernel and the next page reads the store straight away: a goal or
    # meeting just added must already be there.
    store, identity = session

    async def add() -> None:
        saver = Autosaver(store, key_of(identity), SaveStatus(), delay=5.0)
        saver.request(lambda: SelfAssessment(career_goal="L"))
        await asyncio.sleep(0.05)

    asyncio.run(add())
    assert store.load(key_of(identity)).document.career_goal == "L"


def test_someone_typing_without_a_pause_is_saved_every_couple_of_seconds(session, monkeypatch):
    store, identity = session
    store.save(key_of(identity), SelfAssessment(career_goal=""), expected_revision=0)
    monkeypatch.setattr("mentorkit.ui.autosave.SAVE_MAX_WAIT_SECONDS", 0.2)

    async def type_on() -> None:
        saver = Autosaver(store, key_of(identity), SaveStatus(), delay=0.1)
        for count in range(1, 31):  # a key every 20 ms, each within the delay of the last
            saver.request(lambda count=count: SelfAssessment(career_goal="x" * count))
            await asyncio.sleep(0.02)

    asyncio.run(type_on())
    saves = [len(s.document.career_goal) for s in store.history(key_of(identity))]
    assert len(saves) >= 3, saves  # not one save after the typing stops


def test_a_failing_store_says_not_saved_and_keeps_the_change_until_it_works(session):
    store, identity = session
    flaky = FlakyStore(store)
    status = SaveStatus()
    saver = Autosaver(flaky, key_of(identity), status)
    flaky.down = True
    saver.request(lambda: SelfAssessment(career_goal="Keep me"))
    assert "Not saved — retrying" in status.value
    assert saver.has_unsaved_changes
    flaky.down = False
    assert saver.flush()
    assert "Saved" in status.value
    assert store.load(key_of(identity)).document.career_goal == "Keep me"


def test_retries_run_on_the_event_loop_until_the_store_is_back(session, monkeypatch):
    store, identity = session
    monkeypatch.setattr("mentorkit.ui.autosave.RETRY_DELAYS_SECONDS", (0.02,))
    flaky = FlakyStore(store)
    status = SaveStatus()

    async def outage() -> None:
        saver = Autosaver(flaky, key_of(identity), status, delay=0.01)
        flaky.down = True
        saver.request(lambda: SelfAssessment(career_goal="Through the outage"))
        await asyncio.sleep(0.1)
        assert "retrying" in status.value
        flaky.down = False
        await asyncio.sleep(0.1)

    asyncio.run(outage())
    assert flaky.saves >= 3
    assert store.load(key_of(identity)).document.career_goal == "Through the outage"


def test_a_save_from_a_stale_tab_is_refused_not_overwritten(session):
    store, identity = session
    first_tab = Autosaver(store, key_of(identity), SaveStatus())
    second_status = SaveStatus()
    second_tab = Autosaver(store, key_of(identity), second_status)
    first_tab.request(lambda: SelfAssessment(career_goal="From tab one"))
    second_tab.request(lambda: SelfAssessment(career_goal="From tab two"))
    assert "changed in another tab" in second_status.value
    assert store.load(key_of(identity)).document.career_goal == "From tab one"


def test_guarded_callbacks_show_a_sentence_not_a_traceback(caplog):
    notice = Notice()

    @guarded(notice)
    def broken() -> None:
        raise ZeroDivisionError("boom")

    broken()
    assert "Something went wrong on our side" in notice.value
    assert "ZeroDivisionError" not in notice.value
    assert "ZeroDivisionError" in caplog.text


def test_deleting_drops_a_waiting_edit_and_the_history(session):
    store, identity = session
    key = key_of(identity, "smart_goal", "goal-1")

    async def add_then_remove() -> Autosaver:
        saver = Autosaver(store, key, SaveStatus(), delay=0.05)
        saver.request(lambda: SmartGoal(title="First"))
        saver.flush()
        saver.request(lambda: SmartGoal(title="Typed just before removing"))
        saver.delete()
        await asyncio.sleep(0.1)  # the cancelled save must not bring the goal back
        return saver

    saver = asyncio.run(add_then_remove())
    assert store.load(key) is None and store.history(key) == []
    assert saver.revision == 0 and not saver.has_unsaved_changes
