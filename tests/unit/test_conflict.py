"""Two tabs, one participant: a stale save is held and offered, never overwrites silently."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date

import ipywidgets as widgets
import pytest

from mentorkit.errors import StoreError
from mentorkit.identity import Identity, sign_in
from mentorkit.models import CheckIn, SelfAssessment, SmartGoal
from mentorkit.store import DocumentKey, SqlStore
from mentorkit.testing import find_widget
from mentorkit.ui.autosave import Autosaver, SaveStatus
from mentorkit.ui.check_ins import check_ins_app
from mentorkit.ui.self_assessment import self_assessment_app
from mentorkit.ui.shell import WorksheetApp
from mentorkit.ui.smart_goals import smart_goals_app
from mentorkit.workshops import create_workshop


@pytest.fixture
def identity(store: SqlStore) -> Identity:
    code = create_workshop(store, "Spring cohort").workshop.code
    return sign_in(store, code, "Ada Quill")


def key_of(identity: Identity, kind: str = "self_assessment", name: str = "main") -> DocumentKey:
    return DocumentKey(identity.workshop.code, identity.participant.id, kind, name)


def goals(store: SqlStore, key: DocumentKey) -> list[str]:
    """The career goal of every revision in the history, oldest first."""
    return [saved.document.career_goal for saved in store.history(key)]


class Tab:
    """One autosaver as a browser tab holds it, with what it told the page."""

    def __init__(self, store: SqlStore, key: DocumentKey, status: SaveStatus | None = None):
        self.status = status or SaveStatus()
        self.told: list[Autosaver] = []
        self.saver = Autosaver(store, key, self.status, on_conflict=self.told.append)

    def type(self, career_goal: str) -> None:
        self.saver.request(lambda: SelfAssessment(career_goal=career_goal))


# -- the autosaver ------------------------------------------------------------------------


def test_a_newer_save_of_what_this_page_holds_already_is_no_conflict(store, identity):
    """A reload straight after typing: the old page's kernel saves its last keys after the
    new page opened, and the new page, having put the same keys back, saves them too."""
    key = key_of(identity)
    old_page, new_page = Tab(store, key), Tab(store, key)
    old_page.type("Lead a small team")  # the old kernel's late save
    new_page.saver.request(
        lambda: SelfAssessment(career_goal="Lead a small team", values=["Kindness"])
    )

    assert not new_page.saver.in_conflict and new_page.told == []
    assert new_page.status.state == "saved"
    latest = store.load(key)
    assert latest.document.career_goal == "Lead a small team"
    assert latest.document.values == ["Kindness"]
    assert latest.revision == 2


def test_a_newer_save_that_changed_a_field_otherwise_is_still_a_conflict(store, identity):
    key = key_of(identity)
    other, this = Tab(store, key), Tab(store, key)
    other.saver.request(lambda: SelfAssessment(values=["Courage"]))
    this.saver.request(lambda: SelfAssessment(values=["Kindness"]))

    assert this.saver.in_conflict and this.told == [this.saver]
    assert store.load(key).document.values == ["Courage"]


def test_a_stale_save_is_held_and_told_and_overwrites_nothing(store, identity):
    key = key_of(identity)
    first, second = Tab(store, key), Tab(store, key)
    first.type("From the first tab")
    second.type("From the second tab")

    assert second.saver.in_conflict and second.told == [second.saver]
    assert second.status.state == "conflict"
    assert "changed in another tab or device" in second.status.value
    assert goals(store, key) == ["From the first tab"]

    # Further edits stay in the page, unsaved, and the status says so.
    second.type("Still typing in the second tab")
    assert not second.saver.flush()
    assert second.saver.has_unsaved_changes
    assert "Your edits stay in this page, unsaved" in second.status.value
    assert goals(store, key) == ["From the first tab"]
    assert second.told == [second.saver]  # told once, not at every keystroke


def test_while_held_no_timer_saves_the_edits_typed_since(store, identity):
    key = key_of(identity)
    first = Tab(store, key)
    first.type("From the first tab")

    async def type_in_a_stale_tab() -> Tab:
        second = Tab(store, key)
        second.saver.saved = None  # as if it had loaded the page before the first tab saved
        second.saver.delay = 0.01
        second.type("From the second tab")
        await asyncio.sleep(0.1)
        assert second.saver.in_conflict
        second.type("Typed while held")
        await asyncio.sleep(0.1)
        return second

    second = asyncio.run(type_in_a_stale_tab())
    assert goals(store, key) == ["From the first tab"]
    assert second.saver.has_unsaved_changes and second.told == [second.saver]


def test_keep_mine_saves_a_new_revision_and_the_history_holds_both(store, identity):
    key = key_of(identity)
    first, second = Tab(store, key), Tab(store, key)
    first.type("From the first tab")
    second.type("From the second tab")
    second.type("Second tab, last words")

    assert second.saver.keep_mine()
    assert not second.saver.in_conflict
    assert second.status.state == "saved"
    latest = store.load(key)
    assert latest.revision == 2 and latest.document.career_goal == "Second tab, last words"
    assert goals(store, key) == ["From the first tab", "Second tab, last words"]

    # The first tab, now the stale one, is told in turn when it saves.
    first.type("First tab again")
    assert first.saver.in_conflict and first.told == [first.saver]
    assert store.load(key).document.career_goal == "Second tab, last words"


def test_another_documents_save_does_not_hide_a_conflict(store, identity):
    shared = SaveStatus()
    first = Tab(store, key_of(identity))
    second = Tab(store, key_of(identity), shared)
    goal = Autosaver(store, key_of(identity, "smart_goal", "goal-1"), shared)
    first.type("From the first tab")
    second.type("From the second tab")
    goal.request(lambda: SmartGoal(title="Speak up"))

    assert store.load(goal.key).document.title == "Speak up"
    assert shared.state == "conflict"
    assert "changed in another tab or device" in shared.value
    assert second.saver.keep_mine()
    assert shared.state == "saved"


def test_removing_a_version_this_page_has_not_seen_is_refused(store, identity):
    key = key_of(identity, "smart_goal", "goal-1")
    store.save(key, SmartGoal(title="Speak up"), expected_revision=0)
    first = Autosaver(store, key, SaveStatus())
    told: list[Autosaver] = []
    second = Autosaver(store, key, SaveStatus(), on_conflict=told.append)
    first.request(lambda: SmartGoal(title="Speak up, changed in the first tab"))

    with pytest.raises(StoreError, match="Goal 1 was changed in another tab or device"):
        second.delete()
    assert told == [second]
    assert store.load(key).document.title == "Speak up, changed in the first tab"
    assert len(store.history(key)) == 2


# -- the page: a WorksheetApp per tab -------------------------------------------------------


def field(app: WorksheetApp, description: str) -> widgets.Widget:
    found = find_widget(app, widgets.Textarea, description) or find_widget(
        app, widgets.Text, description
    )
    assert found is not None, f"no field {description!r} in the page"
    return found


@pytest.fixture
def open_tab(store, identity) -> Iterator:
    """Open an app as a new tab would, signed in with the participant's personal link."""
    opened: list[WorksheetApp] = []

    def open_app(make, store=store) -> WorksheetApp:
        environ = {"QUERY_STRING": f"resume={identity.new_resume_code}"}
        app = make(store=store, environ=environ)
        assert app.session is not None, app.notice.value
        opened.append(app)
        return app

    yield open_app
    for app in opened:
        app.session.close()


def test_load_the_newer_version_rebuilds_the_page_from_the_store(store, identity, open_tab):
    key = key_of(identity)
    tab_a, tab_b = open_tab(self_assessment_app), open_tab(self_assessment_app)
    assert not tab_b.conflict_panel.shown
    field(tab_a, "Career goal (1–3 years)").value = "Lead a team, from tab A"
    field(tab_b, "Career goal (1–3 years)").value = "Change careers, from tab B"

    assert tab_b.conflict_panel.shown
    message = tab_b.conflict_panel.message.value
    assert "Your self-assessment was changed in another tab or device" in message
    assert "Nothing was overwritten" in message
    assert goals(store, key) == ["Lead a team, from tab A"]

    stale_view = tab_b.view
    tab_b.conflict_panel.load_newer.click()
    assert tab_b.view is not stale_view
    assert field(tab_b, "Career goal (1–3 years)").value == "Lead a team, from tab A"
    assert not tab_b.conflict_panel.shown
    assert "Showing the newer version" in tab_b.status.value
    assert "now shows the version saved in your other tab" in tab_b.notice.value

    # Tab B goes on from the newer version; now tab A is the stale one.
    field(tab_b, "Career goal (1–3 years)").value = "Lead a team, said tab B"
    assert tab_b.status.state == "saved"
    field(tab_a, "Career goal (1–3 years)").value = "Lead two teams, from tab A"
    assert tab_a.conflict_panel.shown
    tab_a.conflict_panel.keep_mine.click()
    assert not tab_a.conflict_panel.shown
    assert tab_a.status.state == "saved"
    assert "Your version is saved" in tab_a.notice.value
    assert goals(store, key) == [
        "Lead a team, from tab A",
        "Lead a team, said tab B",
        "Lead two teams, from tab A",
    ]
    reloaded = open_tab(self_assessment_app)
    assert field(reloaded, "Career goal (1–3 years)").value == "Lead two teams, from tab A"


def test_a_page_with_several_documents_holds_only_the_one_in_conflict(store, identity, open_tab):
    tab_a, tab_b = open_tab(smart_goals_app), open_tab(smart_goals_app)
    field(tab_a, "Goal 1 title").value = "Speak up, from tab A"
    field(tab_b, "Goal 1 title").value = "Speak up, from tab B"
    assert tab_b.conflict_panel.shown
    assert "Your Goal 1 was changed" in tab_b.conflict_panel.message.value

    find_widget(tab_b, widgets.Button, "Add a goal").click()
    field(tab_b, "Goal 2 title").value = "Negotiate, from tab B"
    goal_2 = store.load(key_of(identity, "smart_goal", "goal-2"))
    assert goal_2 is not None and goal_2.document.title == "Negotiate, from tab B"
    assert tab_b.status.state == "conflict"  # goal 2's save does not hide goal 1's conflict

    tab_b.conflict_panel.load_newer.click()
    assert field(tab_b, "Goal 1 title").value == "Speak up, from tab A"
    assert field(tab_b, "Goal 2 title").value == "Negotiate, from tab B"


class FlakyStore:
    """A store whose saves fail while `down` is true, as a full or read-only disk would."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.down = False

    def save(self, *args: object, **kwargs: object) -> object:
        if self.down:
            raise StoreError("database is read-only")
        return self.store.save(*args, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_loading_the_newer_version_waits_while_other_edits_cannot_be_saved(
    store, identity, open_tab
):
    flaky = FlakyStore(store)
    tab_a, tab_b = open_tab(smart_goals_app), open_tab(smart_goals_app, store=flaky)
    field(tab_a, "Goal 1 title").value = "Speak up, from tab A"
    field(tab_b, "Goal 1 title").value = "Speak up, from tab B"
    find_widget(tab_b, widgets.Button, "Add a goal").click()
    flaky.down = True
    field(tab_b, "Goal 2 title").value = "Typed while the disk is full"

    tab_b.conflict_panel.load_newer.click()
    assert "not saved yet, so the newer version was not loaded" in tab_b.notice.value
    assert field(tab_b, "Goal 2 title").value == "Typed while the disk is full"
    assert tab_b.conflict_panel.shown

    flaky.down = False
    tab_b.conflict_panel.load_newer.click()
    assert field(tab_b, "Goal 1 title").value == "Speak up, from tab A"
    assert field(tab_b, "Goal 2 title").value == "Typed while the disk is full"


def test_a_meeting_changed_in_another_tab_is_not_removed_unseen(store, identity, open_tab):
    key = key_of(identity, "check_in", "check-in-1")
    store.save(key, CheckIn(met_on=date.today(), learned="First notes"), expected_revision=0)
    tab_a, tab_b = open_tab(check_ins_app), open_tab(check_ins_app)
    field(tab_a, "Meeting 1: what I learned").value = "Better notes, from tab A"

    find_widget(tab_b, widgets.Button, "Remove meeting 1").click()
    find_widget(tab_b, widgets.Button, "Confirm remove meeting 1").click()
    assert "Meeting 1 was changed in another tab or device, so it was not removed" in (
        tab_b.notice.value
    )
    assert field(tab_b, "Meeting 1: what I learned").value == "First notes"
    assert store.load(key).document.learned == "Better notes, from tab A"
    assert tab_b.conflict_panel.shown

    tab_b.conflict_panel.load_newer.click()
    assert field(tab_b, "Meeting 1: what I learned").value == "Better notes, from tab A"


def test_a_page_whose_box_was_sent_itself_as_a_child_still_loads_the_newer_version(
    store, identity, open_tab
):
    tab_a, tab_b = open_tab(self_assessment_app), open_tab(self_assessment_app)
    field(tab_a, "Career goal (1–3 years)").value = "From tab A"
    field(tab_b, "Career goal (1–3 years)").value = "From tab B"
    # A client can set any synced trait: here a box that contains itself.
    tab_b.view.children = (*tab_b.view.children, tab_b.view)

    tab_b.conflict_panel.load_newer.click()
    assert "Something went wrong" not in tab_b.notice.value
    assert field(tab_b, "Career goal (1–3 years)").value == "From tab A"
