"""The mentor's own profile on the mentors' page: edits saved a moment after the last
change, invalid fields kept as typed with a message while the rest saves, a reload showing
what was typed, and the directory following the mentor's switch."""

import asyncio
from collections.abc import Callable
from datetime import date

import ipywidgets as widgets
import pytest

from mentorkit.fit import rank_mentors
from mentorkit.identity import MentorIdentity, sign_in
from mentorkit.models import MeetingFormat, MentorProfile, SelfAssessment
from mentorkit.testing import widget_tree
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_profile import MentorProfileView, MentorSaver, MentorSession
from mentorkit.workshops import create_workshop

ADA = "ada@example.org"
TODAY = date(2026, 3, 2)
HOSTILE = "<img src=x onerror=alert(1)>"


class Room:
    """A workshop with one mentor, Ada (two places, expert in negotiation)."""

    def __init__(self, store) -> None:
        self.store = store
        self.workshop = create_workshop(store, "Spring cohort").workshop
        self.code = self.workshop.code
        store.import_roster(
            self.code,
            mentors=[
                MentorProfile(
                    name="Ada Mensah",
                    email=ADA,
                    capacity=2,
                    expertise=["negotiation"],
                    time_zone="Europe/Berlin",
                    title="Engineer",
                )
            ],
        )

    def saved(self) -> MentorProfile:
        (profile,) = self.store.mentors(self.code)
        return profile

    def session(self) -> MentorSession:
        """A page of Ada's opened now (her profile as stored)."""
        identity = MentorIdentity(self.workshop, self.saved())
        return MentorSession(self.store, identity, SaveStatus(), Notice(), today=TODAY)

    def view(self) -> MentorProfileView:
        return MentorProfileView(self.session())


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def problem_text(view: MentorProfileView) -> str:
    return "".join(
        w.value
        for w in widget_tree(view)
        if isinstance(w, widgets.HTML) and "mentorkit-problem-line" in w._dom_classes
    )


def test_the_profile_shows_what_is_saved_and_the_name_and_email_only_as_text(room):
    view = room.view()
    assert view.title.value == "Engineer"
    assert view.time_zone.value == "Europe/Berlin"
    assert view.capacity.value == 2 and view.years_experience.value == ""
    assert view.expertise["negotiation"].value and not view.expertise["delegation"].value
    assert view.open_to_new_mentees.value is True and view.open_from.value is None
    inputs = [w for w in widget_tree(view) if isinstance(w, widgets.Text | widgets.Textarea)]
    assert all(w.value not in ("Ada Mensah", ADA) for w in inputs)
    assert "<strong>Ada Mensah</strong> · ada@example.org" in view.children[0].value
    assert "taking new mentees: 2 places left" in view.preview.value


def test_every_edit_is_saved_to_the_profile_the_directory_reads(room):
    view = room.view()
    view.bio.value = "Twenty years in energy;\nhappy to help."
    view.title.value = "Head of Grid Planning"
    view.organization.value = "Northwind"
    view.industry.value = "Energy"
    view.expertise["delegation"].value = True
    view.expertise["negotiation"].value = False
    view.tags.value = "Kubernetes, career change"
    view.formats[MeetingFormat.VIDEO].value = True
    view.formats[MeetingFormat.IN_PERSON].value = True
    view.time_zone.value = "lisbon"
    view.languages.value = "English, Portuguese"
    view.capacity.value = 3
    view.years_experience.value = "20"
    saved = room.saved()
    assert saved.bio == "Twenty years in energy;\nhappy to help."
    assert (saved.title, saved.organization, saved.industry) == (
        "Head of Grid Planning",
        "Northwind",
        "Energy",
    )
    assert saved.expertise == ["delegation"]
    assert saved.tags == ["Kubernetes", "career change"]
    assert saved.formats == [MeetingFormat.IN_PERSON, MeetingFormat.VIDEO]
    assert saved.time_zone == "Europe/Lisbon"
    assert saved.languages == ["English", "Portuguese"]
    assert (saved.capacity, saved.years_experience) == (3, 20)
    assert (saved.name, saved.email, saved.draft) == ("Ada Mensah", ADA, {})
    assert "Saved" in view.session.status.value
    assert "taking new mentees: 3 places left" in view.preview.value


def test_an_invalid_field_is_kept_as_typed_with_a_message_while_the_rest_saves(room):
    view = room.view()
    view.time_zone.value = "Moon/Base"
    view.capacity.value = 99
    view.years_experience.value = "many"
    view.bio.value = "Still saved."
    saved = room.saved()
    assert saved.bio == "Still saved."
    # The fields that do not validate keep their last valid value meanwhile.
    assert (saved.time_zone, saved.capacity, saved.years_experience) == ("Europe/Berlin", 2, None)
    assert saved.draft == {"time_zone": "Moon/Base", "capacity": 99, "years_experience": "many"}
    problems = problem_text(view)
    assert "Time zone: &#x27;Moon/Base&#x27; is not a time zone name" in problems
    assert "Capacity: must be at most 20" in problems
    assert "Years of experience: must be a whole number" in problems
    assert "mentorkit-invalid" in view.capacity._dom_classes
    status = view.session.status.value
    assert "Saved" in status and "Check" in status and "Time zone" in status

    # A reload shows what was typed, with the messages; nothing is saved until a change.
    again = room.view()
    assert (again.time_zone.value, again.capacity.value) == ("Moon/Base", 99)
    assert again.years_experience.value == "many"
    assert "Capacity: must be at most 20" in problem_text(again)
    assert again.session.status.value == ""

    # Fixed: the draft goes, and the values are saved.
    again.time_zone.value = "Europe/Paris"
    again.capacity.value = 4
    again.years_experience.value = ""
    fixed = room.saved()
    assert (fixed.time_zone, fixed.capacity, fixed.draft) == ("Europe/Paris", 4, {})
    assert problem_text(again).strip() == ""


def test_switched_off_the_directory_and_the_preview_say_not_taking_new_mentees(room):
    view = room.view()
    view.open_to_new_mentees.value = False
    assert "not taking new mentees" in view.preview.value
    (fit,) = rank_mentors(SelfAssessment(), room.store.mentors(room.code), room.workshop.framework)
    assert fit.places_left == 0 and "not taking new mentees" in fit.summary

    view.open_to_new_mentees.value = True
    view.open_from.value = date(2026, 4, 6)
    assert "taking new mentees from 6 April 2026" in view.preview.value
    assert room.saved().open_from == date(2026, 4, 6)
    (fit,) = rank_mentors(
        SelfAssessment(), room.store.mentors(room.code), room.workshop.framework, today=TODAY
    )
    assert fit.places_left == 0 and "from 6 April 2026" in fit.summary


def test_the_preview_counts_the_places_taken(room):
    amelia = sign_in(room.store, room.code, "Amelia Hartley")
    room.store.decide_match(room.code, amelia.participant.id, ADA, "lock")
    view = room.view()
    assert "taking new mentees: 1 place left" in view.preview.value
    view.capacity.value = 1
    assert "no places left" in view.preview.value


def test_hostile_text_is_saved_as_written_and_shown_as_text(room):
    view = room.view()
    view.time_zone.value = HOSTILE
    view.bio.value = HOSTILE
    page = "".join(w.value for w in widget_tree(view) if isinstance(w, widgets.HTML))
    assert "<img" not in page
    assert room.saved().bio == HOSTILE


class CountingStore:
    """A store that counts the profile saves, and fails them while `down`."""

    def __init__(self, store) -> None:
        self.store = store
        self.saves = 0
        self.down = False

    def save_mentor_profile(self, code: str, profile: MentorProfile) -> None:
        self.saves += 1
        if self.down:
            raise OSError("the database is not reachable")
        self.store.save_mentor_profile(code, profile)

    def saving(self, code: str) -> Callable[[MentorProfile], None]:
        return lambda profile: self.save_mentor_profile(code, profile)


def test_changes_in_quick_succession_become_one_save(room):
    counting = CountingStore(room.store)
    status = SaveStatus()
    start = room.saved()

    async def type_quickly() -> None:
        saver = MentorSaver(counting.saving(room.code), status, delay=0.3)
        for text in ("E", "En", "Ene", "Energy"):
            saver.request(lambda text=text: start.model_copy(update={"industry": text}))
            await asyncio.sleep(0.01)
        assert "Saving" in status.value and counting.saves == 0
        await asyncio.sleep(0.6)

    asyncio.run(type_quickly())
    assert counting.saves == 1 and room.saved().industry == "Energy"


def test_someone_typing_without_a_pause_is_saved_every_so_often(room):
    counting = CountingStore(room.store)
    start = room.saved()

    async def type_on() -> None:
        saver = MentorSaver(counting.saving(room.code), SaveStatus(), delay=0.1, max_wait=0.2)
        for count in range(1, 31):  # a key every 20 ms, each within the delay of the last
            saver.request(lambda count=count: start.model_copy(update={"bio": "x" * count}))
            await asyncio.sleep(0.02)

    asyncio.run(type_on())
    assert counting.saves >= 3


def test_a_failing_store_is_retried_and_the_edit_kept_until_it_works(room):
    counting = CountingStore(room.store)
    status = SaveStatus()
    start = room.saved()

    async def outage() -> None:
        saver = MentorSaver(counting.saving(room.code), status, delay=0.01, retry_delays=(0.02,))
        counting.down = True
        saver.request(lambda: start.model_copy(update={"bio": "Through the outage"}))
        await asyncio.sleep(0.1)
        assert "Not saved — retrying" in status.value and saver.has_unsaved_changes
        counting.down = False
        await asyncio.sleep(0.1)
        assert not saver.has_unsaved_changes

    asyncio.run(outage())
    assert counting.saves >= 3 and room.saved().bio == "Through the outage"
    assert "Saved" in status.value


def test_a_mentor_taken_off_the_roster_is_told_their_edits_cannot_be_saved(room):
    view = room.view()
    other = create_workshop(room.store, "Another").workshop
    # As if Ada's row were gone from this workshop.
    view.saver.save = lambda profile: room.store.save_mentor_profile(other.code, profile)
    view.bio.value = "Lost?"
    assert "no longer on this workshop" in view.session.status.value
    assert not view.saver.has_unsaved_changes
