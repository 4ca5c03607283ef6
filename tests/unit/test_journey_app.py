"""The whole journey in one page: moving between worksheets keeps the kernel, the sign-in
and every word typed, and links still work as links."""

from __future__ import annotations

import ipywidgets as widgets

from mentorkit.identity import sign_in
from mentorkit.jupyter import RESUME_ENVIRON
from mentorkit.models import SelfAssessment
from mentorkit.testing import widget_tree
from mentorkit.ui.journey import workshop_journey
from mentorkit.ui.shell import Session, journey_app
from mentorkit.workshops import create_workshop

STEPS = ["01_self_assessment", "02_mentor_shortlist", "03_expectations"]


def probe(step: str):
    def build(session: Session) -> widgets.Widget:
        return widgets.Label(f"{step} for {session.participant.name}")

    return build


def page_html(app: widgets.Widget) -> str:
    """Every piece of HTML the page shows, the header and the sign-in line included."""
    return "\n".join(w.value for w in widget_tree(app) if isinstance(w, widgets.HTML))


def signed_in(store, query: str = "", **extra: str):
    code = create_workshop(store, "Autumn cohort").workshop.code
    first = sign_in(store, code, "Ada Quill")
    environ = {RESUME_ENVIRON: first.new_resume_code, "QUERY_STRING": query, **extra}
    app = journey_app({step: probe(step) for step in STEPS}, store=store, environ=environ)
    return app, first


def test_the_step_in_the_address_opens_that_worksheet(store):
    app, _ = signed_in(store, "step=02_mentor_shortlist")
    assert app.step == "02_mentor_shortlist"
    assert app.view.value == "02_mentor_shortlist for Ada Quill"
    assert "<h1>Mentor shortlist</h1>" in page_html(app)
    assert 'data-step="02_mentor_shortlist"' in app.place.value


def test_an_unknown_step_in_the_address_opens_the_first(store):
    app, _ = signed_in(store, "step=../../etc/passwd")
    assert app.step == "01_self_assessment"


def test_a_requested_step_swaps_the_worksheet_in_the_same_page(store):
    app, _ = signed_in(store)
    first_view = app.view
    app.step_request.value = "03_expectations"
    assert app.step == "03_expectations"
    assert app.view.value == "03_expectations for Ada Quill"
    assert first_view.comm is None  # the old worksheet is closed: no events reach it
    assert app.step_request.value == ""  # ready for the next request
    assert app.session.participant.name == "Ada Quill"
    assert "<h1>Expectations</h1>" in page_html(app)
    assert 'data-step="03_expectations"' in app.place.value


def test_a_hostile_step_request_changes_nothing(store):
    app, _ = signed_in(store)
    before = app.place.value
    app.step_request.value = '"><img src=x onerror=alert(1)>'
    assert app.step == "01_self_assessment"
    assert app.view.value == "01_self_assessment for Ada Quill"
    assert app.place.value != before  # marked again, so the page puts the address back
    assert 'data-step="01_self_assessment"' in app.place.value


def test_links_lead_to_steps_of_the_journey(store):
    app, _ = signed_in(store)
    assert 'href="journey.ipynb?step=02_mentor_shortlist"' in page_html(app)
    assert app.session.link("04_smart_goals.ipynb") == "journey.ipynb?step=04_smart_goals"
    personal = app.session.personal_link("02_mentor_shortlist.ipynb")
    assert personal.startswith("journey.ipynb?step=02_mentor_shortlist&resume=")


def test_the_server_sign_in_shows_the_new_code_once(store):
    app, first = signed_in(store, "step=01_self_assessment&welcome=1")
    assert first.new_resume_code in page_html(app)
    plain, _ = signed_in(store)
    assert 'class="mentorkit-resume-code"' not in page_html(plain)


def test_typing_is_saved_before_the_worksheet_is_swapped(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = workshop_journey(store=store, environ={RESUME_ENVIRON: first.new_resume_code})
    goal = app.view.fields.inputs["career_goal"]
    goal.value = "Lead a data team within two years"
    app.go_to("02_mentor_shortlist")  # at once: no wait for the autosave's pause
    saved = store.load(app.session.key(SelfAssessment.kind))
    assert saved is not None and saved.document.career_goal == goal.value
    app.go_to("01_self_assessment")
    assert app.view.fields.inputs["career_goal"].value == goal.value


def test_every_worksheet_opens_in_the_journey(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    app = workshop_journey(store=store, environ={RESUME_ENVIRON: first.new_resume_code})
    for step in app.steps:
        app.go_to(step)
        assert app.step == step
        assert app.view is not None, app.notice.value
        assert f"mentorkit-worksheet-{step}" in app.view._dom_classes
        assert not app.notice.value, app.notice.value


def test_a_move_waits_while_another_tab_holds_a_newer_version(store):
    code = create_workshop(store, "W").workshop.code
    first = sign_in(store, code, "Ada Quill")
    environ = {RESUME_ENVIRON: first.new_resume_code}
    app = workshop_journey(store=store, environ=environ)
    other = workshop_journey(store=store, environ=dict(environ))
    other.view.fields.inputs["career_goal"].value = "Saved in the other tab"
    other.session.save_the_rest()
    app.view.fields.inputs["career_goal"].value = "Typed here"
    app.session.save_the_rest()
    assert app.session.conflicts()
    app.go_to("02_mentor_shortlist")
    assert app.step == "01_self_assessment"
    assert app.view.fields.inputs["career_goal"].value == "Typed here"
    assert "choose" in app.notice.value
