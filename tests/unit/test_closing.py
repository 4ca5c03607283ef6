"""Closing well: the thank-you drafted from what the participant wrote, the worksheet saved
as typed, and an offer to mentor turned into a mentor roster the next cohort imports."""

import csv
from datetime import date

from mentorkit.closing import VOLUNTEER_COLUMNS, thank_you_draft, volunteer_rows
from mentorkit.identity import sign_in
from mentorkit.mentoring import Answerer
from mentorkit.models import (
    Closing,
    MeetingFormat,
    MentoringPreferences,
    MentorProfile,
    Participant,
    SelfAssessment,
)
from mentorkit.rhythm import Win
from mentorkit.rosters import read_mentors
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.closing import ClosingView
from mentorkit.ui.frame import Notice
from mentorkit.ui.shell import Session
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
LENA = Participant(name="Lena Ortiz", email="lena@example.org")


def test_the_thank_you_says_what_changed_the_wins_and_how_to_stay_in_touch():
    closing = Closing(
        what_changed="I prepare every talk with a story now", stay_in_touch="coffee each quarter"
    )
    wins = [Win(date(2027, 3, 1), "Goal reached: Speak at the meetup", "Speak at the meetup")]
    text = thank_you_draft(LENA, "Ada Mensah", closing, wins)
    assert text.startswith("Dear Ada,\n\n")
    assert "What changed for me: I prepare every talk with a story now." in text
    assert "Along the way I reached:\n- Speak at the meetup" in text
    assert "I would like to stay in touch: coffee each quarter." in text
    assert text.endswith("With thanks,\nLena Ortiz")
    assert thank_you_draft(LENA, "", Closing(), []).startswith("Hello,\n\n")


def test_an_offer_to_mentor_is_a_mentor_roster_row_the_next_cohort_imports(tmp_path, framework):
    assessment = SelfAssessment(
        strengths=["negotiation"],
        preferences=MentoringPreferences(
            formats=[MeetingFormat.VIDEO], time_zone="Europe/Berlin", languages=["English"]
        ),
    )
    offer = Closing(
        offer_to_mentor=True, offer_topics="Public speaking; Career change", offer_capacity=2
    )
    withdrawn = Closing(offer_to_mentor=False, offer_topics="Anything")
    rows = volunteer_rows(
        [
            (LENA, offer, assessment),
            (Participant(name="Bo", email="bo@example.org"), withdrawn, None),
        ],
        framework,
    )
    assert [row["name"] for row in rows] == ["Lena Ortiz"]
    assert rows[0]["expertise"] == "Public speaking; Career change; Negotiation"
    path = tmp_path / "volunteers.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=VOLUNTEER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    read = read_mentors(path, framework)
    assert read.problems == []
    (mentor,) = read.records
    assert isinstance(mentor, MentorProfile) and mentor.email == "lena@example.org"
    assert set(mentor.expertise) >= {"public-speaking", "negotiation"}
    assert mentor.capacity == 2 and mentor.time_zone == "Europe/Berlin"


def test_the_worksheet_is_saved_as_typed_drafts_the_thank_you_on_request_and_comes_back(store):
    access = create_workshop(store, "Spring cohort")
    code = access.workshop.code
    store.import_roster(
        code, mentors=[MentorProfile(name="Ada Mensah", email="ada@example.org", capacity=2)]
    )
    identity = sign_in(store, code, "Lena Ortiz")
    store.decide_match(
        code, identity.participant.id, "ada@example.org", "lock", answered_by=Answerer.MENTOR
    )
    session = Session(store, identity, SaveStatus(), Notice())
    view = ClosingView(session)
    assert "Thank Ada Mensah" in " ".join(
        w.value for w in view.children if hasattr(w, "value") and isinstance(w.value, str)
    )
    assert view.offer_box.layout.display == "none"
    view.what_changed.value = f"I ask for feedback early {HOSTILE}"
    view.thank_you.value = "My own words"
    view.draft_button.click()  # asked for: the draft replaces the box
    assert view.thank_you.value.startswith("Dear Ada,")
    assert f"I ask for feedback early {HOSTILE}" in view.thank_you.value
    assert "Copy my thank-you" in view.copy.value and HOSTILE not in view.copy.value
    view.circle.add.click()
    row = view.circle.rows[0]
    row.role.value = row.role.options[1][1]
    row.name.value = "Sam from the alumni group"
    view.offer.value = True
    assert view.offer_box.layout.display is None
    view.offer_capacity.value = 2
    view.offer_email.value = "not an email"
    saved = store.load(session.key("closing")).document
    assert saved.offer_to_mentor and saved.offer_capacity == 2
    assert saved.offer_email is None and saved.draft["offer_email"] == "not an email"
    assert saved.circle[0].name == "Sam from the alumni group"

    again = ClosingView(Session(store, identity, SaveStatus(), Notice()))
    assert again.offer_email.value == "not an email"
    assert again.thank_you.value.startswith("Dear Ada,")
    assert again.circle.rows[0].name.value == "Sam from the alumni group"
