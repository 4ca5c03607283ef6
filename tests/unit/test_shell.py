"""The frame around every worksheet: sign-in paths, escaped names, friendly failures."""

import os
import re

import ipywidgets as widgets

from mentorkit.identity import reset_resume_code, sign_in
from mentorkit.jupyter import RESUME_ENVIRON
from mentorkit.models import Participant
from mentorkit.testing import find_widget, widget_tree
from mentorkit.ui.shell import worksheet_app
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"


def page_html(app: widgets.Widget) -> str:
    """Every piece of HTML the page shows."""
    return "\n".join(w.value for w in widget_tree(app) if isinstance(w, widgets.HTML))


def links(app: widgets.Widget) -> list[str]:
    """The address of every link on the page."""
    return re.findall(r'href="([^"]*)"', page_html(app))


def build_probe(session) -> widgets.Widget:
    return widgets.Label(f"view for {session.participant.id}")


def test_the_sign_in_form_leads_to_the_view_and_shows_the_resume_code(store):
    code = create_workshop(store, "W").workshop.code
    app = worksheet_app("01_self_assessment", build_probe, store=store, environ={})
    find_widget(app, widgets.Text, "Join code").value = code
    find_widget(app, widgets.Text, "Your name").value = HOSTILE
    find_widget(app, widgets.Button, "Start").click()
    assert app.session is not None
    assert app.session.participant.name == HOSTILE
    assert "&lt;img src=x onerror=alert(1)&gt;" in page_html(app)
    assert "<img" not in page_html(app)
    assert app.session.resume_code in page_html(app)
    assert app.view.value == f"view for {app.session.participant.id}"


def test_a_wrong_join_code_is_a_sentence_in_the_page(store):
    create_workshop(store, "W")
    app = worksheet_app("01_self_assessment", build_probe, store=store, environ={})
    find_widget(app, widgets.Text, "Join code").value = "ZZZZ-ZZZZ"
    find_widget(app, widgets.Text, "Your name").value = "Ada"
    find_widget(app, widgets.Button, "Start").click()
    assert app.session is None
    assert "No workshop has the join code" in app.notice.value


def test_a_personal_link_signs_in_and_links_keep_it_where_the_browser_cannot(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = worksheet_app(
        "02_mentor_shortlist",
        build_probe,
        store=store,
        environ={"QUERY_STRING": f"resume={first.new_resume_code}"},
    )
    assert app.session.participant == first.participant
    assert f"01_self_assessment.ipynb?resume={first.new_resume_code}" in links(app)
    assert 'aria-current="page">2. Mentor shortlist' in page_html(app)


def test_jupyterhub_user_needs_no_form(store):
    code = create_workshop(store, "W").workshop.code
    store.add_participant(code, Participant(name="Ada Quill"), hub_user="ada")
    app = worksheet_app(
        "01_self_assessment", build_probe, store=store, environ={"JUPYTERHUB_USER": "ada"}
    )
    assert app.session.participant.name == "Ada Quill"


def test_a_jupyterhub_user_the_roster_does_not_name_is_told_so_and_sees_no_one(store):
    code = create_workshop(store, "W").workshop.code
    store.add_participant(code, Participant(name="Ada Quill", email="ada@example.org"))
    app = worksheet_app(
        "01_self_assessment", build_probe, store=store, environ={"JUPYTERHUB_USER": "ada"}
    )
    assert app.session is None
    assert "no participant of W has that hub user name" in app.notice.value
    # No sign-in form: on a hub, the roster's hub user name is the only way in.
    assert not [w for w in widget_tree(app) if isinstance(w, widgets.Text)]


def test_an_unreachable_database_is_a_sentence_not_a_traceback(monkeypatch):
    monkeypatch.setenv("MENTORKIT_DB", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = worksheet_app("01_self_assessment", build_probe, environ={})
    assert "cannot be reached right now" in app.notice.value
    assert "Traceback" not in app.notice.value


def test_a_view_that_fails_shows_an_apology(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")

    def broken(session) -> widgets.Widget:
        raise RuntimeError("bug")

    app = worksheet_app(
        "01_self_assessment",
        broken,
        store=store,
        environ={"QUERY_STRING": f"resume={first.new_resume_code}"},
    )
    assert "Something went wrong on our side" in app.notice.value


def test_remembered_by_the_browser_a_page_opens_signed_in_and_links_carry_no_code(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = worksheet_app(
        "02_mentor_shortlist",
        build_probe,
        store=store,
        environ={RESUME_ENVIRON: first.new_resume_code.lower()},
    )
    assert app.session.participant == first.participant
    assert "01_self_assessment.ipynb" in links(app)
    assert not [link for link in links(app) if "resume=" in link]
    # The page asks the browser to keep the code (renewing the cookie), in its issued form.
    assert f'data-resume="{first.new_resume_code}"' in app.memory.value
    assert app.sign_out_button.layout.display != "none"


def test_a_personal_link_on_a_remembering_server_is_kept_by_the_browser_too(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    environ = {"QUERY_STRING": f"resume={first.new_resume_code}", RESUME_ENVIRON: ""}
    app = worksheet_app("02_mentor_shortlist", build_probe, store=store, environ=environ)
    assert app.session.participant == first.participant
    assert "mentorkit-remember" in app.memory.value
    assert not [link for link in links(app) if "resume=" in link]


def test_a_first_sign_in_is_remembered_and_offers_the_personal_link(store):
    code = create_workshop(store, "W").workshop.code
    app = worksheet_app(
        "01_self_assessment", build_probe, store=store, environ={RESUME_ENVIRON: ""}
    )
    find_widget(app, widgets.Text, "Join code").value = code
    find_widget(app, widgets.Text, "Your name").value = "Ada Quill"
    find_widget(app, widgets.Button, "Start").click()
    issued = app.session.resume_code
    assert f'data-resume="{issued}"' in app.memory.value
    assert f"01_self_assessment.ipynb?resume={issued}" in links(app)


def test_a_remembered_code_that_was_reset_is_forgotten_with_a_sentence(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    reset_resume_code(store, code, first.participant.id)
    app = worksheet_app(
        "01_self_assessment",
        build_probe,
        store=store,
        environ={RESUME_ENVIRON: first.new_resume_code},
    )
    assert app.session is None
    assert "mentorkit-forget" in app.memory.value
    assert "no longer works" in app.notice.value
    assert find_widget(app, widgets.Button, "Continue") is not None


def test_sign_out_saves_shows_the_form_and_asks_the_browser_to_forget(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = worksheet_app(
        "01_self_assessment",
        build_probe,
        store=store,
        environ={RESUME_ENVIRON: first.new_resume_code},
    )
    view = app.view
    app.sign_out_button.click()
    assert app.session is None and app.view is None
    assert "mentorkit-forget" in app.memory.value
    assert "Ada Quill" not in page_html(app) and first.new_resume_code not in page_html(app)
    assert app.sign_out_button.layout.display == "none"
    assert view.comm is None  # the worksheet's widgets are closed
    assert find_widget(app, widgets.Button, "Continue") is not None
    assert "signed out" in app.notice.value


def test_the_remembered_code_leaves_the_kernels_environment_at_once(store, monkeypatch):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    monkeypatch.setenv(RESUME_ENVIRON, first.new_resume_code)
    for other in ("VOILA_PREHEAT", "QUERY_STRING", "JUPYTERHUB_USER"):
        monkeypatch.delenv(other, raising=False)
    app = worksheet_app("01_self_assessment", build_probe, store=store)
    assert app.session.participant == first.participant
    assert RESUME_ENVIRON not in os.environ


def test_without_a_remembering_server_the_page_sets_no_cookie(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    environ = {"QUERY_STRING": f"resume={first.new_resume_code}"}
    app = worksheet_app("01_self_assessment", build_probe, store=store, environ=environ)
    assert app.session is not None and app.memory.value == ""
