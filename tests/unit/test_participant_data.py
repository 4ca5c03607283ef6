"""A participant's rights in My plan: download everything stored about them, and erase it."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from html import unescape

import ipywidgets as widgets
import pytest

from mentorkit.backup import participant_data_json
from mentorkit.errors import NotFound, StoreError
from mentorkit.identity import SignInError, resume, sign_in
from mentorkit.mentoring import Answerer
from mentorkit.models import (
    MentorMatch,
    MentorProfile,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
)
from mentorkit.store import DocumentKey
from mentorkit.testing import sign_in_rostered
from mentorkit.ui.my_plan import DATA_FILE, MyPlanView, my_plan_app
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)> \u2028 😀"
GOALS = ["Lead a team", f"Lead a team {HOSTILE}", "Lead a small team"]


@pytest.fixture
def workshop(store):
    access = create_workshop(store, "Spring cohort")
    code = access.workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(
                name="Maya Goldberg",
                email="maya@example.org",
                expertise=["negotiation"],
                capacity=2,
            )
        ],
        participants=[Participant(name="Ines Okafor", email="ines@example.org")],
    )
    return access.workshop


@pytest.fixture
def ines(store, workshop):
    """A participant with a self-assessment saved three times, a goal and a published match."""
    identity = sign_in_rostered(store, workshop.code, "ines@example.org")
    pid = identity.participant.id
    key = DocumentKey(workshop.code, pid, "self_assessment")
    for revision, goal in enumerate(GOALS):
        store.save(key, SelfAssessment(career_goal=goal), expected_revision=revision)
    store.save(
        DocumentKey(workshop.code, pid, "smart_goal", "goal-1"),
        SmartGoal(title="Speak at a conference"),
        expected_revision=0,
    )
    store.save(
        DocumentKey(workshop.code, pid, "mentor_match"),
        MentorMatch(
            mentor_email="maya@example.org",
            reasons="covers negotiation",
            published_on=date(2026, 4, 2),
        ),
        expected_revision=0,
    )
    return identity


@pytest.fixture
def other(store, workshop):
    """Someone else in the same workshop, with a document of their own."""
    identity = sign_in(store, workshop.code, "Otto Other")
    store.save(
        DocumentKey(workshop.code, identity.participant.id, "self_assessment"),
        SelfAssessment(career_goal="Otto's own secret goal"),
        expected_revision=0,
    )
    return identity


def data_of(store, identity) -> dict:
    return json.loads(participant_data_json(store, identity.workshop.code, identity.participant.id))


def app_for(store, identity):
    return my_plan_app(store=store, environ={"QUERY_STRING": f"resume={identity.new_resume_code}"})


def downloaded(html: str) -> tuple[str, str, bytes]:
    """The file name, MIME type and content of the data download link in `html`."""
    found = re.search(r'download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', html)
    assert found, html
    return unescape(found[1]), found[2], base64.b64decode(found[3])


def texts(widget) -> str:
    """Every HTML and button text in a widget tree, to see what a page still offers."""
    found = []
    if isinstance(widget, widgets.HTML):
        found.append(widget.value)
    if isinstance(widget, widgets.Button):
        found.append(f"[button {widget.description}]")
    for child in getattr(widget, "children", ()):
        found.append(texts(child))
    return "\n".join(found)


# ---------------------------------------------------------------------------------------
# The download


def test_the_download_holds_every_revision_with_its_time_and_the_published_match(
    store, ines, other
):
    data = data_of(store, ines)
    assert data["format"] == "mentorkit-participant-data"
    assert data["participant"]["id"] == ines.participant.id
    assert data["participant"]["email"] == "ines@example.org"
    assert data["workshop"] == {"code": ines.workshop.code, "name": "Spring cohort"}
    by_kind = {(d["kind"], d["name"]): d for d in data["documents"]}
    assert set(by_kind) == {
        ("self_assessment", "main"),
        ("smart_goal", "goal-1"),
        ("mentor_match", "main"),
    }
    assessment = by_kind[("self_assessment", "main")]
    history = store.history(DocumentKey(ines.workshop.code, ines.participant.id, "self_assessment"))
    assert assessment["latest_revision"] == 3
    assert [r["revision"] for r in assessment["revisions"]] == [1, 2, 3]
    assert [r["content"]["career_goal"] for r in assessment["revisions"]] == GOALS
    assert [datetime.fromisoformat(r["saved_at"]) for r in assessment["revisions"]] == [
        h.saved_at for h in history
    ]
    assert by_kind[("mentor_match", "main")]["revisions"][0]["content"]["reasons"] == (
        "covers negotiation"
    )
    assert data["matched_mentor"] == {"name": "Maya Goldberg", "email": "maya@example.org"}


def test_the_download_leaves_out_the_resume_code_its_hash_and_everyone_else(
    store, ines, other, workshop
):
    text = participant_data_json(store, workshop.code, ines.participant.id)
    assert ines.new_resume_code not in text
    assert store.resume_code_hash(workshop.code, ines.participant.id) not in text
    assert "sha256:" not in text and "resume_code_hash" not in text
    assert "Otto" not in text and other.participant.id not in text
    assert store.facilitator_key_hash(workshop.code) not in text
    assert "Your resume code is not in this file" in json.loads(text)["about"]


def test_the_download_holds_the_matching_decisions_about_them_and_nobody_else(
    store, workshop, ines, other
):
    code = workshop.code
    store.import_roster(
        code,
        mentors=[
            MentorProfile(
                name="Tariq Haddad",
                email="tariq@example.org",
                expertise=["negotiation"],
                capacity=1,
            )
        ],
    )
    store.decide_match(
        code,
        ines.participant.id,
        "tariq@example.org",
        "forbid",
        answered_by=Answerer.MENTOR,
        reply="Not this term, Inès.",
    )
    store.decide_match(code, ines.participant.id, "maya@example.org", "lock")
    store.decide_match(code, other.participant.id, "tariq@example.org", "lock")
    data = data_of(store, ines)
    stored = {
        d.mentor: d for d in store.match_decisions(code) if d.participant != other.participant.id
    }
    assert data["matching_decisions"] == [
        {
            "mentor": "Tariq Haddad",
            "decision": "forbid",
            "meaning": "never paired with this mentor when matching",
            "decided_at": stored["tariq@example.org"].decided_at.isoformat(),
            "answered_by": "mentor",
            "reply": "Not this term, Inès.",
        },
        {
            "mentor": "Maya Goldberg",
            "decision": "lock",
            "meaning": "always paired with this mentor when matching",
            "decided_at": stored["maya@example.org"].decided_at.isoformat(),
            "answered_by": None,
            "reply": "",
        },
    ]
    assert "tariq@example.org" not in participant_data_json(store, code, ines.participant.id)
    assert [d["mentor"] for d in data_of(store, other)["matching_decisions"]] == ["Tariq Haddad"]
    assert "ruled out when matching" in data["about"]


def test_the_download_of_someone_who_saved_nothing_lists_no_documents(store, workshop):
    newcomer = sign_in(store, workshop.code, "New Person")
    data = data_of(store, newcomer)
    assert data["documents"] == [] and data["matched_mentor"] is None
    assert data["matching_decisions"] == []
    assert data["participant"]["name"] == "New Person"


def test_the_export_time_is_the_one_given(store, ines):
    when = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    text = participant_data_json(store, ines.workshop.code, ines.participant.id, now=when)
    assert json.loads(text)["exported_at"] == "2026-05-01T12:30:00+00:00"


# ---------------------------------------------------------------------------------------
# Erasure in the store


def test_erasure_removes_documents_history_and_roster_row_and_the_code_stops_working(
    store, ines, other, workshop
):
    code, pid = workshop.code, ines.participant.id
    store.decide_match(code, pid, "maya@example.org", "lock")
    store.decide_match(code, other.participant.id, "maya@example.org", "forbid")
    store.erase_participant(code, pid)
    assert [(d.participant, d.decision) for d in store.match_decisions(code)] == [
        (other.participant.id, "forbid")
    ]
    assert store.list(code, participant=pid) == []
    for kind, name in (("self_assessment", "main"), ("smart_goal", "goal-1")):
        assert store.history(DocumentKey(code, pid, kind, name)) == []
    assert store.find_participant(code, "ines@example.org") is None
    with pytest.raises(SignInError, match="not known"):
        resume(store, ines.new_resume_code)
    with pytest.raises(NotFound):
        participant_data_json(store, code, pid)
    with pytest.raises(NotFound):
        store.erase_participant(code, pid)
    # Nobody else lost anything.
    assert resume(store, other.new_resume_code).participant.id == other.participant.id
    others = store.list(code, participant=other.participant.id)
    assert [s.document.career_goal for s in others] == ["Otto's own secret goal"]
    assert [m.email for m in store.mentors(code)] == ["maya@example.org"]


def test_an_erased_participant_on_a_roster_can_be_imported_again_as_someone_new(
    store, ines, workshop
):
    store.erase_participant(workshop.code, ines.participant.id)
    store.import_roster(
        workshop.code, participants=[Participant(name="Ines Okafor", email="ines@example.org")]
    )
    again = store.find_participant(workshop.code, "ines@example.org")
    assert again is not None and again.id != ines.participant.id
    assert store.list(workshop.code, participant=again.id) == []


# ---------------------------------------------------------------------------------------
# The view


def test_my_plan_prepares_a_json_download_of_everything_on_request(store, ines):
    view = app_for(store, ines).view
    assert isinstance(view, MyPlanView)
    assert view.data_link.value == "", "nothing is gathered until asked"
    view.prepare_data.click()
    name, mime, content = downloaded(view.data_link.value)
    assert (name, mime) == (DATA_FILE, "application/json")
    data = json.loads(content.decode("utf-8"))
    assert data == {**data_of(store, ines), "exported_at": data["exported_at"]}
    assert "Download all my data (JSON)" in view.data_link.value
    assert "<img" not in view.data_link.value.split("href=")[0]


def test_deleting_takes_two_steps_and_keep_deletes_nothing(store, ines):
    view = app_for(store, ines).view
    assert view.erase.layout.display == "none"
    view.erase.remove.click()
    assert view.erase.layout.display == "flex"
    assert "cannot be undone" in texts(view.erase)
    view.erase.keep.click()
    assert view.erase.layout.display == "none"
    assert len(store.list(ines.workshop.code, participant=ines.participant.id)) == 3


def test_confirming_erases_everything_and_the_page_then_offers_nothing_else(store, ines):
    app = app_for(store, ines)
    view = app.view
    view.erase.remove.click()
    view.erase.confirm.click()
    assert store.find_participant(ines.workshop.code, "ines@example.org") is None
    with pytest.raises(SignInError):
        resume(store, ines.new_resume_code)
    shown = texts(app)
    assert "Your data is deleted" in shown and "resume code no longer works" in shown
    assert "[button" not in shown, shown
    assert "href" not in shown and ines.new_resume_code not in shown
    assert "Signed in as" not in shown
    assert view.prepare_data.comm is None, "the old buttons are closed: clicks go nowhere"


def test_a_sharing_change_waiting_to_be_saved_is_dropped_not_saved_after_erasure(store, ines):
    view = app_for(store, ines).view
    # Without an event loop the autosaver would save at once; in the page it waits.
    view.sharing._schedule = lambda delay, retry=False: None
    view.share.value = True
    assert view.sharing.has_unsaved_changes
    view.erase.remove.click()
    view.erase.confirm.click()
    assert not view.sharing.has_unsaved_changes
    assert view.sharing.flush()
    key = DocumentKey(ines.workshop.code, ines.participant.id, PlanSharing.kind)
    assert store.load(key) is None


def test_erasing_in_a_second_tab_after_the_first_still_ends_in_done(store, ines):
    first, second = app_for(store, ines), app_for(store, ines)
    for app in (first, second):
        app.view.erase.remove.click()
    first.view.erase.confirm.click()
    second.view.erase.confirm.click()
    assert "Your data is deleted" in texts(second)
    assert "Something went wrong" not in texts(second)


def test_a_store_failure_during_erasure_is_said_and_the_page_stays(store, ines, monkeypatch):
    app = app_for(store, ines)

    def fail(*_args):
        raise StoreError("Cannot use the database: disk I/O error")

    monkeypatch.setattr(store, "erase_participant", fail)
    app.view.erase.remove.click()
    app.view.erase.confirm.click()
    assert "disk I/O error" in app.notice.value
    assert "Your data is deleted" not in texts(app)
    assert len(store.list(ines.workshop.code, participant=ines.participant.id)) == 3
