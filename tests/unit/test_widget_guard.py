"""The guard on the widget channel (mentorkit.ui.guard), fed the messages a page sends.

Messages are delivered the way the kernel delivers them: a `comm_open` through the comm
manager, an `update` or a click through the widget's comm handler (`Widget._handle_msg`,
as ipywidgets' own tests do). Each test installs the guard for itself; outside a kernel
it is not installed (see `test_outside_a_kernel_nothing_is_installed`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import comm
import ipywidgets as widgets
import pytest
from ipywidgets._version import __control_protocol_version__, __protocol_version__
from ipywidgets.widgets import widget as widget_module

from mentorkit.identity import sign_in
from mentorkit.models import MeetingFormat, MentorProfile, Participant, SelfAssessment
from mentorkit.store import DocumentKey
from mentorkit.ui import guard
from mentorkit.ui.dashboard import dashboard_app
from mentorkit.ui.frame import Notice
from mentorkit.ui.matching import matching_app
from mentorkit.ui.parts import ConfirmRemove
from mentorkit.workshops import create_workshop

MEGABYTE = "x" * 1_000_000
TEXT_TRAITS = widgets.Text.class_traits()


@pytest.fixture
def manager() -> Iterator[Any]:
    """The comm manager with ipywidgets' targets, as in a kernel, and the guard installed
    on it and on every widget made in the test; as it was afterwards."""
    manager = comm.get_comm_manager()
    targets = dict(manager.targets)
    control = widgets.Widget._control_comm
    widgets.register_comm_target()  # ipywidgets' own targets, as in a kernel
    guard.install(manager)
    try:
        yield manager
    finally:
        guard.uninstall()
        manager.targets.clear()
        manager.targets.update(targets)
        widgets.Widget._control_comm = control


@pytest.fixture
def guarded(manager: Any) -> None:
    """Only the widgets' side of the guard is needed."""


def page_sends(widget: widgets.Widget, state: dict[str, Any]) -> None:
    """An "update" from the page, as the kernel hands it to the widget."""
    widget.comm.handle_msg(
        {
            "content": {
                "comm_id": widget.model_id,
                "data": {"method": "update", "state": state, "buffer_paths": []},
            },
            "buffers": [],
        }
    )


def page_clicks(button: widgets.Button) -> None:
    """A click from the page, as the kernel hands it to the button."""
    button.comm.handle_msg(
        {
            "content": {
                "comm_id": button.model_id,
                "data": {"method": "custom", "content": {"event": "click"}},
            },
            "buffers": [],
        }
    )


def comm_open(manager: Any, target: str, data: dict[str, Any], version: str) -> str:
    """A `comm_open` from the page; returns its comm id."""
    comm_id = uuid.uuid4().hex
    manager.comm_open(
        None,
        None,
        {
            "content": {"comm_id": comm_id, "target_name": target, "data": data},
            "metadata": {"version": version},
            "buffers": [],
        },
    )
    return comm_id


def new_text_widget_message(value: str) -> dict[str, Any]:
    """What a page sends to make a Text widget of its own holding `value`."""
    return {
        "state": {
            "_model_module": "@jupyter-widgets/controls",
            "_model_module_version": TEXT_TRAITS["_model_module_version"].default_value,
            "_model_name": "TextModel",
            "_view_module": "@jupyter-widgets/controls",
            "_view_module_version": TEXT_TRAITS["_view_module_version"].default_value,
            "_view_name": "TextView",
            "value": value,
        },
        "buffer_paths": [],
    }


# -- widgets are made by the kernel only ----------------------------------------------------


def test_a_widget_the_page_opens_is_closed_and_nothing_is_made_or_kept(manager):
    message = new_text_widget_message(MEGABYTE)
    before = set(widget_module._instances)
    opened = [
        comm_open(manager, "jupyter.widget", message, __protocol_version__) for _ in range(20)
    ]
    assert set(widget_module._instances) == before
    assert not set(opened) & set(manager.comms)


def test_without_the_guard_the_same_message_makes_a_widget(manager):
    """The message above is one ipywidgets would act on: the guard is what stops it."""
    guard.uninstall(manager)
    before = set(widget_module._instances)
    comm_id = comm_open(
        manager, "jupyter.widget", new_text_widget_message("made by the page"), "2.1.0"
    )
    made = [w for key, w in widget_module._instances.items() if key not in before]
    try:
        assert [w.value for w in made if isinstance(w, widgets.Text)] == ["made by the page"]
        assert comm_id in manager.comms
    finally:
        for widget in made:
            widget.close()


@pytest.mark.slow
def test_the_page_still_gets_every_widgets_state_and_holds_one_control_channel(manager):
    field = widgets.Text(value="kept")
    sent: list[dict[str, Any]] = []
    first = comm_open(manager, "jupyter.widget.control", {}, __control_protocol_version__)
    second = comm_open(manager, "jupyter.widget.control", {}, __control_protocol_version__)
    assert first not in manager.comms, "the earlier control channel is closed"
    channel = manager.comms[second]
    channel.send = lambda data=None, **_kwargs: sent.append(data)
    manager.comm_msg(
        None, None, {"content": {"comm_id": second, "data": {"method": "request_states"}}}
    )
    assert sent and sent[0]["method"] == "update_states"
    assert sent[0]["states"][field.model_id]["state"]["value"] == "kept"


# -- only what a person changes -------------------------------------------------------------


def test_a_page_sets_a_fields_value_and_nothing_else_of_it(guarded):
    field = widgets.Text(description="Career goal", placeholder="Your goal")
    page_sends(
        field,
        {"value": "Lead a team", "description": "Owned", "disabled": True, "placeholder": "x"},
    )
    assert field.value == "Lead a team"
    assert (field.description, field.disabled, field.placeholder) == (
        "Career goal",
        False,
        "Your goal",
    )


def test_a_dropdowns_labels_and_look_cannot_be_changed_from_the_page(guarded):
    dropdown = widgets.Dropdown(options=[("Ada", "ada"), ("Bo", "bo")], description="Mentor")
    page_sends(dropdown, {"_options_labels": ["Evil", "Bo"], "description": "x"})
    page_sends(dropdown.layout, {"display": "none"})
    assert dropdown._options_labels == ("Ada", "Bo")
    assert dropdown.description == "Mentor"
    assert dropdown.layout.display is None
    page_sends(dropdown, {"index": 1})
    assert dropdown.value == "bo"


def test_a_refused_change_is_sent_back_to_the_page_as_the_kernel_holds_it(guarded):
    dropdown = widgets.Dropdown(options=["Ada", "Bo"])
    sent: list[dict[str, Any]] = []
    dropdown._send = lambda msg, buffers=None: sent.append(msg)
    page_sends(dropdown, {"_options_labels": ["Evil", "Bo"]})
    assert sent == [
        {"method": "update", "state": {"_options_labels": ("Ada", "Bo")}, "buffer_paths": []}
    ]


@pytest.mark.parametrize("index", [2, -1, 10**30, "1", 1.0, True, [0]])
def test_an_index_out_of_the_options_is_refused_without_a_traceback(guarded, caplog, index):
    dropdown = widgets.Dropdown(options=["Ada", "Bo"], value="Bo")
    with caplog.at_level(logging.DEBUG):
        page_sends(dropdown, {"index": index})
    assert dropdown.value == "Bo"
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_a_multiple_choice_takes_only_options_it_has_each_once(guarded):
    choice = widgets.SelectMultiple(options=["a", "b", "c"])
    for sent in ([0, 99], [1, 1], 2, None):
        page_sends(choice, {"index": sent})
        assert choice.value == ()
    page_sends(choice, {"index": [0, 2]})
    assert choice.value == ("a", "c")


def test_text_beyond_the_fields_limit_is_refused_but_a_longer_saved_text_may_shrink(guarded):
    field = widgets.Text().add_class("mentorkit-max-10")
    page_sends(field, {"value": "x" * 11})
    assert field.value == ""
    page_sends(field, {"value": "x" * 10})
    assert field.value == "x" * 10
    field.value = "y" * 15  # saved before the limit was lowered
    page_sends(field, {"value": "y" * 14})
    assert field.value == "y" * 14
    page_sends(field, {"value": "y" * 16})
    assert field.value == "y" * 14


def test_a_field_without_a_limit_still_takes_no_megabyte(guarded):
    field = widgets.Textarea()
    page_sends(field, {"value": MEGABYTE})
    assert field.value == ""
    page_sends(field, {"value": "z" * guard.FREE_TEXT_LIMIT})
    assert len(field.value) == guard.FREE_TEXT_LIMIT


def test_a_value_the_widget_cannot_hold_is_refused_and_the_field_keeps_its_typing(guarded, caplog):
    """A date typed part by part passes through dates that do not exist (year 70630 on
    the way to 2027 typed over 0706): the kernel keeps its own value, and does not send
    it back into the field while the person is typing."""
    picker = widgets.DatePicker()
    box = widgets.Checkbox(value=False)
    sent: list[dict[str, Any]] = []
    picker._send = lambda msg, buffers=None: sent.append(msg)
    with caplog.at_level(logging.DEBUG):
        page_sends(picker, {"value": {"year": 2026, "month": 13, "date": 45}})
        page_sends(picker, {"value": {"year": 70630, "month": 1, "date": 2}})
        page_sends(box, {"value": "yes"})
    assert picker.value is None and box.value is False
    # (ipywidgets echoes what a page sent back to the page itself; nothing else is sent)
    assert [m["state"] for m in sent if m["method"] != "echo_update"] == []
    page_sends(picker, {"value": {"year": 2027, "month": 5, "date": 30}})  # months from 0
    assert str(picker.value) == "2027-06-30"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_disabled_field_or_button_takes_nothing_from_the_page(guarded):
    field = widgets.Text(value="locked", disabled=True)
    button = widgets.Button(description="Start", disabled=True)
    clicks: list[widgets.Button] = []
    button.on_click(clicks.append)
    page_sends(field, {"value": "changed"})
    page_clicks(button)
    assert field.value == "locked" and clicks == []
    button.disabled = False
    page_clicks(button)
    assert clicks == [button]


def test_a_box_text_or_button_takes_no_state_at_all(guarded):
    notice = widgets.HTML(value="<p>Saved</p>")
    box = widgets.VBox([notice])
    button = widgets.Button(description="Remove goal 2")
    page_sends(notice, {"value": "<img src=x onerror=alert(1)>"})
    page_sends(box, {"children": [], "box_style": "danger"})
    page_sends(button, {"description": "Keep", "button_style": "danger"})
    assert notice.value == "<p>Saved</p>"
    assert box.children == (notice,) and box.box_style == ""
    assert (button.description, button.button_style) == ("Remove goal 2", "")


def test_only_a_click_reaches_a_button_as_a_custom_message(guarded):
    button = widgets.Button()
    received: list[Any] = []
    button.on_msg(lambda _widget, content, _buffers: received.append(content))
    button.comm.handle_msg(
        {
            "content": {"data": {"method": "custom", "content": {"event": "other"}}},
            "buffers": [],
        }
    )
    assert received == []


def test_refusals_are_logged_at_debug_and_warned_about_at_most_once_a_minute(guarded, caplog):
    field = widgets.Text()
    counted = guard.Refusals()
    guard.refusals, kept = counted, guard.refusals
    try:
        with caplog.at_level(logging.DEBUG, logger="mentorkit"):
            for _ in range(500):
                page_sends(field, {"description": MEGABYTE})
    finally:
        guard.refusals = kept
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert counted.total == 500
    assert len(warnings) == 1
    assert all(len(r.getMessage()) < 300 for r in caplog.records), "no value is quoted"


def test_outside_a_kernel_nothing_is_installed():
    assert not guard.in_kernel()
    assert guard.install_in_kernel() is False
    assert not guard.installed()


# -- two steps: the second acts only after the first ------------------------------------------


def test_a_confirmation_answers_only_a_question_asked_and_not_withdrawn():
    question: guard.Confirmation[str] = guard.Confirmation("remove goal 2")
    assert question.expect() is None
    question.ask("goal-2")
    question.withdraw()
    assert question.take() is None
    question.ask("goal-2")
    assert question.take() == "goal-2"
    assert question.take() is None, "answered once"


def test_a_hidden_confirm_remove_does_nothing_without_its_first_step(guarded):
    removed: list[bool] = []
    removal = ConfirmRemove(
        "goal 2", "Remove goal 2?", on_confirm=lambda: removed.append(True), notice=Notice()
    )
    page_clicks(removal.confirm)
    assert removed == []
    page_clicks(removal.remove)
    page_clicks(removal.keep)
    page_clicks(removal.confirm)
    assert removed == []
    page_clicks(removal.remove)
    page_clicks(removal.confirm)
    page_clicks(removal.confirm)
    assert removed == [True]


MENTORS = [
    MentorProfile(
        name=name,
        email=f"{name.lower()}@example.org",
        expertise=[area],
        capacity=1,
        formats=[MeetingFormat.VIDEO],
    )
    for name, area in (("Ada", "negotiation"), ("Bo", "public-speaking"))
]


@pytest.fixture
def facilitator(store):
    """A workshop with two participants and two mentors; its facilitator apps sign in."""
    access = create_workshop(store, "Spring cohort")
    store.import_roster(
        access.workshop.code,
        mentors=MENTORS,
        participants=[Participant(name="Carla Diaz"), Participant(name="Dev Patel")],
    )

    def open_app(app_function):
        app = app_function(store=store, environ={}, refusal_delay=0)
        app.join.value = access.workshop.code
        app.key.value = access.facilitator_key
        app.sign_in_button.click()
        assert app.notice.value == "", app.notice.value
        return app

    return access, open_app


def test_the_dashboards_confirm_remove_does_nothing_unless_remove_was_pressed(
    guarded, store, facilitator
):
    access, open_app = facilitator
    people = open_app(dashboard_app).view.people
    dev = next(value for label, value in people.person.options if label.startswith("Dev Patel"))
    page_sends(people.person, {"index": [v for _, v in people.person.options].index(dev)})
    page_clicks(people.confirm)  # the hidden second step, sent on its own
    page_clicks(people.remove)
    page_clicks(people.cancel)
    page_clicks(people.confirm)
    assert len(store.participants(access.workshop.code)) == 2
    page_clicks(people.remove)
    page_clicks(people.confirm)
    assert [p.name for p in store.participants(access.workshop.code)] == ["Carla Diaz"]


def test_confirm_publish_does_nothing_unless_publish_was_pressed(guarded, store, facilitator):
    access, open_app = facilitator
    code = access.workshop.code
    for who, area in (("Carla Diaz", "negotiation"), ("Dev Patel", "public-speaking")):
        identity = sign_in(store, code, who)
        store.save(
            DocumentKey(code, identity.participant.id, SelfAssessment.kind),
            SelfAssessment(growth_areas=[area], preferences={"formats": ["video"]}),
            expected_revision=0,
        )
    view = open_app(matching_app).view
    page_clicks(view.run_button)
    assert view.run is not None and len(view.run.pairs) == 2
    page_clicks(view.confirm_button)
    page_clicks(view.publish_button)
    page_clicks(view.cancel_button)
    page_clicks(view.confirm_button)
    assert not [s for s in store.list(code) if s.key.kind == "mentor_match"]
    page_clicks(view.publish_button)
    page_clicks(view.confirm_button)
    assert len([s for s in store.list(code) if s.key.kind == "mentor_match"]) == 2
