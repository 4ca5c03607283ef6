"""The mentors' page: signing in by invite code, personal link or kept sign-in, codes named
for what they are, signing out; and the gallery's section for mentors."""

import os
from html import escape

import ipywidgets as widgets
import pytest

from mentorkit import access
from mentorkit.apps import APPS, MENTOR_APPS
from mentorkit.identity import (
    INVITE_CODE_AS_RESUME,
    PARTICIPANT_CODE_HERE,
    UNKNOWN_MENTOR_INVITE,
    reset_invite_code,
    reset_mentor_invite_codes,
    reset_mentor_resume_code,
    sign_in,
)
from mentorkit.jupyter import MENTOR_ENVIRON
from mentorkit.jupyter.pages import gallery_document, server_link
from mentorkit.models import MentorProfile
from mentorkit.testing import widget_tree
from mentorkit.ui.landing import landing_page
from mentorkit.ui.mentor_app import MentorApp, mentor_app
from mentorkit.ui.mentor_mentees import MentorMenteesView
from mentorkit.ui.mentor_profile import MentorProfileView
from mentorkit.ui.mentor_requests import MentorRequestsView
from mentorkit.workshops import create_workshop

#: The server hands the kernel the mentor's cookie; '' when the browser keeps none.
KEEPS_NOTHING = {MENTOR_ENVIRON: ""}


class Room:
    """A workshop with one invited mentor, Ada, and a signed-in participant."""

    def __init__(self, store) -> None:
        for secret in ("invite code", "resume code"):
            tries = access.limiter(store, secret)
            tries.sleep = lambda _seconds: None  # wrong codes below must not make tests wait
            tries.max_failures = 10**9
        self.store = store
        self.workshop = create_workshop(store, "Spring cohort").workshop
        store.import_roster(
            self.workshop.code,
            mentors=[MentorProfile(name="Ada Mensah", email="ada@example.org", capacity=2)],
        )
        self.invite = reset_mentor_invite_codes(store, self.workshop.code, ["ada@example.org"])[
            "ada@example.org"
        ]
        self.participant = sign_in(store, self.workshop.code, "Amelia Hartley")

    def app(self, query: str = "", **environ: str) -> MentorApp:
        return mentor_app(store=self.store, environ={"QUERY_STRING": query, **environ})

    def signed_in(self) -> tuple[MentorApp, str]:
        """Ada signed in with her invite code; her new resume code."""
        app = self.app(**KEEPS_NOTHING)
        app.invite_input.value = self.invite
        app.first_time_button.click()
        assert app.session is not None, app.notice.value
        return app, app.session.identity.new_resume_code


@pytest.fixture
def room(store) -> Room:
    return Room(store)


def shown_views(app: MentorApp) -> list[type]:
    return [
        type(w)
        for w in widget_tree(app)
        if isinstance(w, MentorMenteesView | MentorRequestsView | MentorProfileView)
    ]


def test_the_invite_code_signs_the_mentor_in_once_and_shows_the_resume_code_once(room):
    app, code = room.signed_in()
    assert app.session.identity.mentor.email == "ada@example.org"
    line = app._identity_line.value
    assert "Signed in as <strong>Ada Mensah</strong> · Spring cohort" in line
    assert f'<code class="mentorkit-resume-code">{code}</code>' in line
    assert f'href="mentor.ipynb?resume={code}"' in line
    # The browser is asked to keep it, in the mentor's own cookie.
    assert app.memory.value == (
        f'<span class="mentorkit-remember" data-cookie="mentor" data-resume="{code}" hidden></span>'
    )
    page = "".join(w.value for w in widget_tree(app) if isinstance(w, widgets.HTML))
    assert "<h2" in page and "Requests from mentees</h2>" in page
    assert "My mentees</h2>" in page and "My mentor profile</h2>" in page
    assert shown_views(app) == [MentorMenteesView, MentorRequestsView, MentorProfileView]
    assert app.sign_out_button.layout.display == ""

    again = room.app(**KEEPS_NOTHING)
    again.invite_input.value = room.invite
    again.first_time_button.click()
    assert again.session is None
    assert "has been used to sign in already" in again.notice.value

    # The resume code signs in, and is not shown again.
    later = room.app(**KEEPS_NOTHING)
    later.resume_input.value = code.lower().replace("-", " ")
    later.returning_button.click()
    assert later.session is not None and later.session.identity.new_resume_code is None
    assert "Signed in as <strong>Ada Mensah</strong>" in later._identity_line.value
    assert "mentorkit-resume-code" not in later._identity_line.value
    assert f'data-resume="{code}"' in later.memory.value


def test_the_personal_link_signs_in_from_the_address(room):
    app = room.app(f"invite={room.invite}", **KEEPS_NOTHING)
    assert app.session is not None and app.session.identity.mentor.name == "Ada Mensah"
    code = app.session.identity.new_resume_code
    assert "mentorkit-resume-code" in app._identity_line.value
    assert f'data-cookie="mentor" data-resume="{code}"' in app.memory.value

    by_resume = room.app(f"resume={code}")
    assert by_resume.session is not None and by_resume.notice.value == ""


def test_an_invite_link_opened_again_where_the_sign_in_is_kept_opens_the_page(room):
    _app, code = room.signed_in()
    again = room.app(f"invite={room.invite}", **{MENTOR_ENVIRON: code})
    assert again.session is not None and again.notice.value == ""
    elsewhere = room.app(f"invite={room.invite}", **KEEPS_NOTHING)
    assert elsewhere.session is None
    assert "has been used to sign in already" in elsewhere.notice.value
    assert elsewhere.invite_input is not None  # the form is offered


def test_the_kept_sign_in_opens_the_page_without_showing_the_code(room):
    _app, code = room.signed_in()
    app = room.app(**{MENTOR_ENVIRON: code})
    assert app.session is not None
    assert "mentorkit-resume-code" not in app._identity_line.value
    assert app.notice.value == ""


def test_a_kept_code_that_no_longer_works_is_forgotten_with_a_plain_message(room):
    _app, code = room.signed_in()
    reset_mentor_resume_code(room.store, room.workshop.code, "ada@example.org")
    app = room.app(**{MENTOR_ENVIRON: code})
    assert app.session is None
    assert escape("kept a mentor's sign-in that no longer works") in app.notice.value
    assert app.memory.value == '<span class="mentorkit-forget" data-cookie="mentor" hidden></span>'
    assert app.resume_input is not None and "Traceback" not in app.notice.value


def test_the_kept_code_is_read_once_and_leaves_the_kernels_environment(room, monkeypatch):
    _app, code = room.signed_in()
    monkeypatch.setenv(MENTOR_ENVIRON, code)
    monkeypatch.setenv("QUERY_STRING", "")
    app = mentor_app(store=room.store)
    assert app.session is not None
    assert MENTOR_ENVIRON not in os.environ


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("invite", "Q8WZ3-M4KD7-R2TXA", UNKNOWN_MENTOR_INVITE),
        ("invite", "participant invite", PARTICIPANT_CODE_HERE),
        ("resume", "participant resume", PARTICIPANT_CODE_HERE),
        ("resume", "mentor invite", INVITE_CODE_AS_RESUME),
        ("resume", "", "Enter your resume code."),
    ],
)
def test_wrong_codes_are_named_for_what_they_are(room, field, typed, message):
    participant_codes = {
        "participant invite": reset_invite_code(
            room.store, room.workshop.code, room.participant.participant.id
        ),
        "participant resume": room.participant.new_resume_code,
        "mentor invite": room.invite,
    }
    app = room.app(**KEEPS_NOTHING)
    if field == "invite":
        app.invite_input.value = participant_codes.get(typed, typed)
        app.first_time_button.click()
    else:
        app.resume_input.value = participant_codes.get(typed, typed)
        app.returning_button.click()
    assert app.session is None
    assert escape(message) in app.notice.value
    assert 'role="alert"' in app.notice.value and "Traceback" not in app.notice.value


def test_a_participants_code_in_the_link_is_named_and_the_form_offered(room):
    app = room.app(f"resume={room.participant.new_resume_code}", **KEEPS_NOTHING)
    assert app.session is None
    assert escape(PARTICIPANT_CODE_HERE) in app.notice.value
    assert app.resume_input is not None


def test_signing_out_forgets_the_sign_in_and_the_old_form_signs_nobody_in(room):
    app = room.app(**KEEPS_NOTHING)
    old_button, old_input = app.first_time_button, app.invite_input
    old_input.value = room.invite
    old_button.click()
    assert app.session is not None
    signed_in_as = app.session
    # A click sent to the form after sign-in (it is closed, but a page can send anything).
    old_button.click()
    assert app.session is signed_in_as and app.notice.value == ""

    app.sign_out()
    assert app.session is None and app.view is None
    assert app.memory.value == '<span class="mentorkit-forget" data-cookie="mentor" hidden></span>'
    assert app._identity_line.value == ""
    assert app.sign_out_button.layout.display == "none"
    assert "You are signed out" in app.notice.value
    assert shown_views(app) == []
    assert app.resume_input is not None  # a new form
    old_button.click()
    assert app.session is None


def test_signing_out_saves_a_profile_edit_still_waiting(room):
    app, _code = room.signed_in()
    (profile,) = [w for w in widget_tree(app) if isinstance(w, MentorProfileView)]
    sent = []
    profile.saver._schedule = lambda delay, retry=False: sent.append(delay)  # no event loop
    profile.bio.value = "Twenty years in energy."
    assert sent and profile.saver.has_unsaved_changes
    app.sign_out()
    (ada,) = room.store.mentors(room.workshop.code)
    assert ada.bio == "Twenty years in energy."


def test_the_gallery_lists_the_mentors_app_in_its_own_section(room):
    assert APPS[-1] == MENTOR_APPS[0]
    assert (MENTOR_APPS[0].notebook, MENTOR_APPS[0].audience) == ("mentor.ipynb", "mentor")
    page = gallery_document(room.workshop, "")
    facilitators = page.index('<h2 id="mentorkit-facilitators">For facilitators</h2>')
    mentors = page.index('<h2 id="mentorkit-mentors">For mentors</h2>')
    assert facilitators < mentors < page.index('href="voila/render/mentor.ipynb"')
    assert server_link(MENTOR_APPS[0]) == "voila/render/mentor.ipynb"
    assert '<span class="mentorkit-gallery-step">Mentor</span>' in page
    in_lab = landing_page(room.store).value
    assert in_lab.index("For mentors</h2>") < in_lab.index('href="mentor.ipynb"')


def test_on_a_hub_the_mentor_roster_names_the_hub_user_who_is_signed_in(room):
    """On a JupyterHub the hub has said who this is: the mentor whose roster row carries
    exactly that hub user name, with no form and no sign-out (it would sign in again)."""
    code = room.workshop.code
    ada = room.store.mentors(code)[0]
    room.store.import_roster(code, mentors=[ada], hub_users={ada.email: "amensah"})

    app = room.app(JUPYTERHUB_USER="amensah", **KEEPS_NOTHING)
    assert app.session is not None and app.session.email == "ada@example.org"
    assert app.invite_input is None and app.resume_input is None
    assert app.sign_out_button.layout.display == "none"
    assert MentorRequestsView in shown_views(app)
    assert "mentorkit-remember" not in app.memory.value  # no code for the browser to keep

    for hub_user in ("Amensah", "ada", "ada@example.org", "amelia"):
        stranger = room.app(JUPYTERHUB_USER=hub_user, **KEEPS_NOTHING)
        assert stranger.session is None and stranger.invite_input is None
        assert f"signed in to the hub as &#x27;{hub_user}&#x27;" in stranger.notice.value
        assert "hub_user column" in stranger.notice.value


def test_a_hub_user_who_is_a_mentor_in_two_workshops_is_told_so(room):
    code = room.workshop.code
    ada = room.store.mentors(code)[0]
    room.store.import_roster(code, mentors=[ada], hub_users={ada.email: "amensah"})
    other = create_workshop(room.store, "Autumn cohort").workshop
    room.store.import_roster(other.code, mentors=[ada], hub_users={ada.email: "amensah"})

    app = room.app(JUPYTERHUB_USER="amensah", **KEEPS_NOTHING)
    assert app.session is None
    assert "more than one workshop" in app.notice.value
    assert "Spring cohort" in app.notice.value and "Autumn cohort" in app.notice.value
