"""The feedback surveys on the mentors' page: asked of a mentor with a mentee while one is
open, worded for a mentor, saved as answered with a bad field kept as typed, and kept
apart from every participant's answers."""

from datetime import date, timedelta

import pytest

from mentorkit.identity import claim_mentor_invite, reset_mentor_invite_codes, sign_in
from mentorkit.models import MentorProfile, SurveyKind, SurveyWindow
from mentorkit.testing import widget_tree
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import Notice
from mentorkit.ui.mentor_app import MentorApp, mentor_app
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.ui.mentor_survey import MentorSurveyView
from mentorkit.workshops import create_workshop

TODAY = date.today()
ADA = "ada@example.org"
HOSTILE = "</textarea><img src=x onerror=alert(1)> ‮ 𝔘"


class Room:
    """A workshop with its end survey open, a mentor, Ada, and a participant, Amelia."""

    def __init__(self, store, *, opens_on: date = TODAY, paired: bool = True) -> None:
        self.store = store
        workshop = create_workshop(store, "Spring cohort").workshop
        window = SurveyWindow(opens_on=opens_on, closes_on=opens_on + timedelta(days=14))
        self.workshop = workshop.model_copy(update={"surveys": {SurveyKind.END: window}})
        store.update_workshop(self.workshop)
        self.code = workshop.code
        store.import_roster(
            self.code, mentors=[MentorProfile(name="Ada Mensah", email=ADA, capacity=2)]
        )
        self.amelia = sign_in(store, self.code, "Amelia Hartley").participant
        if paired:
            store.decide_match(self.code, self.amelia.id, ADA, "lock")
        self.invite = reset_mentor_invite_codes(store, self.code, [ADA])[ADA]

        self.resume: str | None = None

    def app(self) -> MentorApp:
        """Ada's page: her invitation's link the first time, her resume code after."""
        query = f"resume={self.resume}" if self.resume else f"invite={self.invite}"
        app = mentor_app(store=self.store, environ={"QUERY_STRING": query})
        assert app.session is not None, app.notice.value
        self.resume = self.resume or app.session.identity.new_resume_code
        return app


def survey_of(app: MentorApp) -> MentorSurveyView | None:
    found = [w for w in widget_tree(app) if isinstance(w, MentorSurveyView)]
    return found[0] if found else None


def hold_saves(session: MentorSession) -> None:
    """No event loop here: a save waits until the mentor signs out (which saves it)."""
    for saver in session.savers:
        saver._schedule = lambda delay, retry=False: None


def test_a_mentor_with_a_mentee_is_asked_first_in_words_for_a_mentor(store):
    room = Room(store)
    app = room.app()
    view = survey_of(app)
    assert view is not None
    text = " ".join(str(getattr(w, "value", "")) for w in widget_tree(view))
    assert "How well do you and your mentees meet as you agreed?" in text
    assert "your mentees do not see them" in text
    assert "How useful is the mentoring to you?" not in text  # the participants' wording
    headings = [
        value
        for w in widget_tree(app)
        if '<h2 id="mentorkit-mentor-' in (value := str(getattr(w, "value", "")))
    ]
    assert 'id="mentorkit-mentor-survey"' in headings[0]


def test_answers_are_saved_and_a_bad_field_kept_as_typed_beside_the_rest(store):
    room = Room(store)
    app = room.app()
    view = survey_of(app)
    assert view is not None
    assert app.session is not None
    hold_saves(app.session)
    (form,) = view.forms
    form.scores["useful"].value = 8
    form.comments.value = HOSTILE + "x" * 2000  # over the limit: said, and kept as typed
    shown = [str(w.value) for w in widget_tree(form) if hasattr(w, "value")]
    assert "End survey: comments: is too long (at most 2000 characters)" in shown[-1]
    assert "Not saved" not in app.session.status.value
    app.sign_out()
    saved = store.mentor_survey(room.code, ADA, SurveyKind.END)
    assert saved is not None and saved.useful == 8 and saved.comments == ""
    assert saved.draft["comments"] == HOSTILE + "x" * 2000
    # Kept apart from the participants' answers: no participant document has it.
    assert all(s.key.kind != "survey" for s in store.list(room.code))

    again = room.app()  # a later visit: the answers and the typed draft come back
    (form,) = survey_of(again).forms  # type: ignore[union-attr]
    assert form.scores["useful"].value == 8
    assert form.comments.value == HOSTILE + "x" * 2000


@pytest.mark.parametrize(
    ("opens_on", "paired"),
    [(TODAY, False), (TODAY + timedelta(days=1), True), (TODAY - timedelta(days=30), True)],
    ids=["no mentee", "not open yet", "closed"],
)
def test_no_survey_is_asked_without_a_mentee_or_outside_its_dates(store, opens_on, paired):
    app = Room(store, opens_on=opens_on, paired=paired).app()
    assert survey_of(app) is None
    assert "Feedback survey" not in str([getattr(w, "value", "") for w in widget_tree(app)])


def test_a_mentor_taken_off_the_roster_is_told_the_answers_cannot_be_saved(store):
    room = Room(store)
    identity = claim_mentor_invite(store, room.invite)
    session = MentorSession(store, identity, SaveStatus(), Notice())
    view = MentorSurveyView(session)
    hold_saves(session)
    store.delete_workshop(room.code)
    view.forms[0].scores["useful"].value = 3
    assert not session.save_the_rest()
    assert "no longer on this workshop" in session.status.value
