"""A participant's page reaches only that participant's documents, whatever the browser sends.

A Voilà page talks to its kernel over the widget channel, and a client can send any state
for any widget it was shown (hidden, disabled or not) and a click for any button. These
tests build every participant app for participant A in a database that also holds
participant B's documents, then deliver hostile messages through the path ipywidgets uses
for what a browser sends (`Widget._handle_msg`: "update" with a state, "custom" clicks), to
every synced trait of every widget the page created, and click every button. Afterwards:

* no exception from mentorkit's code reached the kernel (ipywidgets logs what a message
  handler raises; values ipywidgets itself refuses, such as an index out of range, are the
  library's validation and leave the widget unchanged);
* no callback failed unexpectedly (`guarded` would show its apology and log it);
* nothing of B's is in any widget's state;
* B's documents and their history are as they were, and every document written is A's.
"""

from __future__ import annotations

import json
import logging
import math
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from ipywidgets.widgets import widget as widget_module

import mentorkit
from mentorkit import access
from mentorkit.catalog import SAMPLE_MENTORS
from mentorkit.identity import (
    Identity,
    claim_mentor_invite,
    reset_mentor_invite_codes,
    sign_in,
)
from mentorkit.models import (
    CheckIn,
    MentoringAgreement,
    MentorMatch,
    MentorShortlist,
    PlanSharing,
    SelfAssessment,
    SentRequest,
    ShortlistEntry,
    SmartGoal,
)
from mentorkit.rosters import read_mentors
from mentorkit.store import DocumentKey, Saved, Store
from mentorkit.testing import widget_tree
from mentorkit.ui.check_ins import check_ins_app
from mentorkit.ui.dashboard import dashboard_app
from mentorkit.ui.expectations import expectations_app
from mentorkit.ui.matching import matching_app
from mentorkit.ui.mentor_app import mentor_app
from mentorkit.ui.mentor_shortlist import mentor_shortlist_app
from mentorkit.ui.my_plan import my_plan_app
from mentorkit.ui.self_assessment import self_assessment_app
from mentorkit.ui.smart_goals import smart_goals_app
from mentorkit.workshops import create_workshop

#: Styles warn when sent unknown keys (the "wrong type" values below): expected, not news.
pytestmark = pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning")

APPS: list[Callable[..., widgets.Widget]] = [
    self_assessment_app,
    mentor_shortlist_app,
    expectations_app,
    smart_goals_app,
    check_ins_app,
    my_plan_app,
]
B_SECRET = "Bo-private-7f3a"  # in every text B wrote; it must never reach A's page
B_NAME = "Bo Strand"
MENTORKIT_CODE = str(Path(mentorkit.__file__).resolve().parent) + "/"
#: Traits that only change how a widget looks, or name its front-end code: a few values.
PRESENTATION = {
    "_dom_classes",
    "_model_module",
    "_model_module_version",
    "_model_name",
    "_view_count",
    "_view_module",
    "_view_module_version",
    "_view_name",
    "layout",
    "style",
    "tabbable",
    "tooltip",
    "description_allow_html",
    "continuous_update",
    "placeholder",
}


# ---------------------------------------------------------------------------------------
# The workshop: A signs in; B has written every worksheet


def private_documents(text: str, mentor_emails: list[str]) -> dict[tuple[str, str], Any]:
    """One document of every kind, every free text carrying `text`."""
    return {
        ("self_assessment", "main"): SelfAssessment(
            ratings={"negotiation": 2},
            growth_areas=["negotiation"],
            values=[text],
            career_goal=f"{text} career goal",
        ),
        ("mentor_shortlist", "main"): MentorShortlist(
            entries=[
                ShortlistEntry(
                    mentor_email=mentor_emails[0],
                    note=f"{text} note",
                    outreach_message=f"{text} message",
                )
            ]
        ),
        ("mentoring_agreement", "main"): MentoringAgreement(
            mentor_email=mentor_emails[0],
            relationship_goals=[f"{text} relationship goal"],
            confidentiality=f"{text} confidentiality",
            boundaries=f"{text} boundaries",
        ),
        ("smart_goal", "goal-1"): SmartGoal(title=f"{text} goal 1", specific=f"{text} specific"),
        ("smart_goal", "goal-2"): SmartGoal(title=f"{text} goal 2"),
        ("check_in", "check-in-1"): CheckIn(
            met_on=date(2026, 3, 2), topics=[f"{text} topic"], learned=f"{text} learned"
        ),
        ("plan_sharing", "main"): PlanSharing(shared=True),
        ("mentor_match", "main"): MentorMatch(
            mentor_email=mentor_emails[1],
            reasons=f"{text} reasons",
            introduction=f"Subject: {text}\n{text} introduction",
            published_on=date(2026, 3, 2),
        ),
    }


class Workshop:
    """A workshop where B has saved every worksheet, A two of them, plus another workshop."""

    def __init__(self, store: Store, framework: Any) -> None:
        self.store = store
        self.code = create_workshop(store, "Spring cohort").workshop.code
        self.other_code = create_workshop(store, "Another workshop").workshop.code
        mentors = read_mentors(SAMPLE_MENTORS, framework).records
        store.import_roster(self.code, mentors=mentors)
        emails = [mentor.email for mentor in mentors]
        self.a: Identity = sign_in(store, self.code, "Ada Quill")
        self.b: Identity = sign_in(store, self.code, B_NAME)
        self.b_email = "bo@example.org"
        for (kind, name), document in private_documents(B_SECRET, emails).items():
            key = DocumentKey(self.code, self.b.participant.id, kind, name)
            store.save(key, document, expected_revision=0)
        for (kind, name), document in private_documents("Ada's own", emails).items():
            if kind in {"smart_goal", "check_in"}:
                key = DocumentKey(self.code, self.a.participant.id, kind, name)
                store.save(key, document, expected_revision=0)
        self.b_before = self.snapshot(self.b.participant.id)
        self.everyone_before = {code: self.all_saved(code) for code in (self.code, self.other_code)}

    def all_saved(self, code: str) -> dict[DocumentKey, Saved]:
        return {saved.key: saved for saved in self.store.list(code)}

    def snapshot(self, participant: str) -> dict[DocumentKey, list[Saved]]:
        saved = self.store.list(self.code, participant=participant)
        return {item.key: self.store.history(item.key) for item in saved}

    def hostile_values(self) -> list[Any]:
        """What a browser could send instead of what the page offered."""
        b = self.b
        return [
            b.participant.id,
            self.b_email,
            b.new_resume_code,
            f"resume={b.new_resume_code}",
            "goal-1",
            "goal-2",
            "check-in-1",
            "main",
            self.other_code,
            self.code,
            "../" * 20 + "etc/passwd",
            "<img src=x onerror=alert(1)>",
            '=HYPERLINK("http://evil","x")',
            "\u202e\ud800\x00",
            "x" * 1_000_000,
            10**30,
            -(10**30),
            -1,
            0,
            999_999,
            3.5,
            math.nan,
            True,
            None,
            [],
            [0, 1, 999_999],
            [b.participant.id, "negotiation", "negotiation"],
            {},
            {"year": 2026, "month": 13, "date": 45},
            {"__class__": "Participant", "id": b.participant.id},
            "IPY_MODEL_" + "0" * 32,
        ]


@pytest.fixture
def workshop(store, framework) -> Workshop:
    # Wrong codes sent below must not make the test wait: no pause, no lock.
    for secret in ("join code", "resume code", "facilitator key"):
        tries = access.limiter(store, secret)
        tries.sleep = lambda _seconds: None
        tries.max_failures = 10**9
    return Workshop(store, framework)


# ---------------------------------------------------------------------------------------
# Talking to widgets the way a browser does


def live_widgets() -> dict[str, widgets.Widget]:
    return dict(widget_module._instances)


def send_state(widget: widgets.Widget, state: dict[str, Any]) -> None:
    """Deliver an "update" message, as the kernel does for a browser's change."""
    widget._handle_msg(
        {
            "content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
            "buffers": [],
        }
    )


def send_click(button: widgets.Button) -> None:
    """Deliver a click, as the kernel does for a browser's button press."""
    button._handle_msg(
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []}
    )


#: Traits whose value a view reads (when a button is pressed, when it saves): every value.
VALUE_TRAITS = {"value", "index", "label", "selected_index", "_options_labels", "options"}


def observed_by_mentorkit(widget: widgets.Widget, trait: str) -> bool:
    """Whether mentorkit's code runs when `trait` changes (an observer it registered)."""
    for handler in widget._trait_notifiers.get(trait, {}).get("change", []):
        for candidate in (handler, getattr(handler, "__func__", None)):
            code = getattr(candidate, "__code__", None)
            if code is not None and code.co_filename.startswith(MENTORKIT_CODE):
                return True
    return False


def values_for(widget: widgets.Widget, trait: str, hostile: list[Any]) -> list[Any]:
    """Every hostile value where mentorkit's code could see it; elsewhere (how a widget
    looks, which front-end code draws it) a wrong type and a foreign id, which ipywidgets'
    own validation sees and nothing of mentorkit's reads."""
    if trait in VALUE_TRAITS or observed_by_mentorkit(widget, trait):
        return hostile
    return [hostile[0], {"a": 1}]


@dataclass
class Attack:
    """How much of the page the attack reached (so that a test can show it was not empty)."""

    widgets: int = 0
    messages: int = 0
    changed: int = 0  # messages that changed a trait (the rest ipywidgets refused)
    clicked: set[str] = field(default_factory=set)  # the buttons' model ids
    observed: set[str] = field(default_factory=set)  # "Kind.trait" that mentorkit observes


def attack(
    created: Callable[[], list[widgets.Widget]],
    hostile: list[Any],
    *,
    cyclic_children: bool = False,
) -> Attack:
    """Every hostile value in every synced trait of every widget, then a click on every
    button; three rounds, so the widgets that clicks create (rows, cards, a rebuilt view)
    are attacked too. Layouts and styles
    have the same traits in every instance and nothing of mentorkit's reads them: one of
    each kind is attacked. With `cyclic_children`, every box is also sent itself as its
    child."""
    reached = Attack()
    attacked: set[str] = set()
    seen_kinds: set[type] = set()
    for _round in range(3):
        for widget in created():
            if widget.model_id in attacked or widget.comm is None:
                continue
            attacked.add(widget.model_id)
            if isinstance(widget, widgets.Layout | widgets.Style):
                if type(widget) in seen_kinds:
                    continue
                seen_kinds.add(type(widget))
            reached.widgets += 1
            for trait in sorted(set(widget.keys) - {"children"}):
                if observed_by_mentorkit(widget, trait):
                    reached.observed.add(f"{type(widget).__name__}.{trait}")
                for value in values_for(widget, trait, hostile):
                    before = widget.get_state(trait)
                    send_state(widget, {trait: value})
                    reached.messages += 1
                    reached.changed += widget.get_state(trait) != before
            if "children" in widget.keys:
                send_state(widget, {"children": [hostile[0], {"a": 1}]})
                if cyclic_children:
                    send_state(widget, {"children": ["IPY_MODEL_" + widget.model_id]})
        # Newest first: the buttons that rebuild a whole view (created with the page) last.
        for widget in reversed(created()):
            if (
                isinstance(widget, widgets.Button)
                and widget.comm is not None
                and widget.model_id not in reached.clicked
            ):
                reached.clicked.add(widget.model_id)
                send_click(widget)
    return reached


def mentorkit_frames(record: logging.LogRecord) -> list[str]:
    """The frames of mentorkit's own code in the traceback a log record carries; a
    `set_state` of mentorkit's, which passes on what a page sent, does not count (what
    ipywidgets refuses beneath it is still ipywidgets' refusal)."""
    if not record.exc_info or record.exc_info[2] is None:
        return []
    return [
        f"{frame.f_code.co_filename}:{line} {frame.f_code.co_name}"
        for frame, line in traceback.walk_tb(record.exc_info[2])
        if frame.f_code.co_filename.startswith(MENTORKIT_CODE)
        and frame.f_code.co_name != "set_state"
    ]


class Kernel(logging.Filter):
    """What the kernel's log would show: exceptions out of message handlers and callbacks
    (ipywidgets logs them), and mentorkit's own errors. Keeps short summaries and drops the
    records: they quote the megabyte values sent, and pytest would keep every one."""

    def __init__(self) -> None:
        super().__init__()
        self.escaped: list[str] = []  # raised in mentorkit's code, caught by ipywidgets
        self.apologies: list[str] = []  # caught by `guarded` as unexpected
        self.handled: list[str] = []  # warnings mentorkit logs itself (a save to retry)
        self.refused = 0  # refused by ipywidgets' own validation

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        summary = record.getMessage()[:300]
        if record.name == "mentorkit":
            if record.levelno >= logging.ERROR:
                self.apologies.append(summary + "\n  " + "\n  ".join(mentorkit_frames(record)[-8:]))
            else:
                self.handled.append(summary)
        elif frames := mentorkit_frames(record):
            self.escaped.append(summary + "\n  " + "\n  ".join(frames[-8:]))
        elif record.exc_info:
            self.refused += 1
        return False


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    """Collects what ipywidgets ("traitlets") and mentorkit log while a test runs."""
    collected = Kernel()
    loggers = [logging.getLogger(name) for name in ("traitlets", "mentorkit")]
    for logger in loggers:
        logger.addFilter(collected)
    try:
        yield collected
    finally:
        for logger in loggers:
            logger.removeFilter(collected)


def state_text(found: list[widgets.Widget]) -> str:
    return "\n".join(json.dumps(w.get_state(), default=str) for w in found if w.comm is not None)


# ---------------------------------------------------------------------------------------
# The tests


def check_after_attack(workshop: Workshop, found: list[widgets.Widget], kernel: Kernel) -> None:
    assert kernel.escaped == [], "exceptions from mentorkit's code reached the kernel"
    assert kernel.apologies == [], "a callback failed unexpectedly (the page showed an apology)"

    shown = state_text(found)
    assert B_SECRET not in shown
    assert B_NAME not in shown

    assert workshop.snapshot(workshop.b.participant.id) == workshop.b_before
    a_id = workshop.a.participant.id
    for code, before in workshop.everyone_before.items():
        after = workshop.all_saved(code)
        for key in before.keys() | after.keys():
            if before.get(key) != after.get(key):
                assert key.workshop == workshop.code and key.participant == a_id, key


@pytest.mark.slow
@pytest.mark.parametrize("app_function", APPS, ids=lambda f: f.__name__)
def test_a_participants_page_only_ever_reaches_their_own_documents(workshop, app_function, kernel):
    before = set(live_widgets())
    app = app_function(
        store=workshop.store, environ={"QUERY_STRING": f"resume={workshop.a.new_resume_code}"}
    )
    assert app.session is not None and app.session.participant == workshop.a.participant
    assert app.view is not None, app.notice.value

    def created() -> list[widgets.Widget]:
        return [w for key, w in live_widgets().items() if key not in before]

    buttons = {w.model_id: w for w in created() if isinstance(w, widgets.Button)}
    reached = attack(created, workshop.hostile_values())
    check_after_attack(workshop, created(), kernel)
    # The attack was not empty: it changed values the view observes, and it pressed every
    # button of the page (but those a press before them took away, such as a removed row's).
    assert reached.observed and reached.changed > 20 and buttons
    assert all(key in reached.clicked or b.comm is None for key, b in buttons.items())


def test_the_sign_in_form_lets_nobody_in_as_someone_else(workshop, kernel):
    before = set(live_widgets())
    app = self_assessment_app(store=workshop.store, environ={})
    assert app.session is None

    def created() -> list[widgets.Widget]:
        return [w for key, w in live_widgets().items() if key not in before]

    # Everything but B's own resume code, which is how B signs in anywhere.
    hostile = [v for v in workshop.hostile_values() if v != workshop.b.new_resume_code]
    attack(created, hostile)
    check_after_attack_allowing_newcomers(workshop, app, created(), kernel)


def check_after_attack_allowing_newcomers(
    workshop: Workshop, app: widgets.Widget, found: list[widgets.Widget], kernel: Kernel
) -> None:
    """As `check_after_attack`, except that the form may have let someone join by name."""
    assert app.session is None or app.session.participant.id != workshop.b.participant.id
    assert kernel.escaped == []
    assert kernel.apologies == []
    assert B_SECRET not in state_text(found)
    assert workshop.snapshot(workshop.b.participant.id) == workshop.b_before
    b_id = workshop.b.participant.id
    after = workshop.all_saved(workshop.code)
    assert {k: v for k, v in after.items() if k.participant == b_id} == {
        k: v for k, v in workshop.everyone_before[workshop.code].items() if k.participant == b_id
    }
    assert workshop.all_saved(workshop.other_code) == workshop.everyone_before[workshop.other_code]


def test_the_attack_reaches_every_kind_of_input(workshop):
    """The walk is not empty: text, choices, dates, ticks and buttons all get messages."""
    before = set(live_widgets())
    expectations_app(
        store=workshop.store, environ={"QUERY_STRING": f"resume={workshop.a.new_resume_code}"}
    )
    self_assessment_app(
        store=workshop.store, environ={"QUERY_STRING": f"resume={workshop.a.new_resume_code}"}
    )
    kinds = {type(w) for key, w in live_widgets().items() if key not in before}
    for kind in (widgets.Text, widgets.Textarea, widgets.Dropdown, widgets.DatePicker):
        assert any(issubclass(k, kind) for k in kinds), kind
    assert any(issubclass(k, widgets.Button) for k in kinds)
    assert any(issubclass(k, widgets.Checkbox) for k in kinds)


def test_a_hostile_message_is_seen_by_the_python_side(workshop):
    """The delivery path is the real one: a state sent this way changes the widget and runs
    the view's observers (A's self-assessment is saved with the typed goal)."""
    app = self_assessment_app(
        store=workshop.store, environ={"QUERY_STRING": f"resume={workshop.a.new_resume_code}"}
    )
    goal = next(
        w
        for w in widget_tree(app)
        if isinstance(w, widgets.Textarea) and "goal" in w.description.lower()
    )
    send_state(goal, {"value": "Typed over the widget channel"})
    assert goal.value == "Typed over the widget channel"
    app.session.autosaver("self_assessment").flush()
    saved = workshop.store.load(
        DocumentKey(workshop.code, workshop.a.participant.id, "self_assessment")
    )
    assert saved is not None and saved.document.career_goal == "Typed over the widget channel"


@pytest.mark.slow
@pytest.mark.parametrize("app_function", [smart_goals_app, my_plan_app], ids=lambda f: f.__name__)
def test_a_box_sent_itself_as_its_child_is_handled(workshop, app_function, kernel):
    before = set(live_widgets())
    app_function(
        store=workshop.store, environ={"QUERY_STRING": f"resume={workshop.a.new_resume_code}"}
    )

    def created() -> list[widgets.Widget]:
        return [w for key, w in live_widgets().items() if key not in before]

    attack(created, workshop.hostile_values(), cyclic_children=True)
    check_after_attack(workshop, created(), kernel)


@pytest.mark.parametrize("app_function", [dashboard_app, matching_app], ids=lambda f: f.__name__)
def test_a_facilitator_page_stays_shut_whatever_is_sent_without_the_key(
    workshop, app_function, kernel
):
    """Everything but the facilitator key itself: the join code, the stored hash of the
    key, participants' codes, other workshops' codes … and every button pressed."""
    store = workshop.store
    before = set(live_widgets())
    app = app_function(store=store, environ={"QUERY_STRING": f"join={workshop.code}"})

    def created() -> list[widgets.Widget]:
        return [w for key, w in live_widgets().items() if key not in before]

    hostile = [
        *workshop.hostile_values(),
        store.facilitator_key_hash(workshop.code),
        store.facilitator_key_hash(workshop.code).removeprefix("sha256:"),
        workshop.a.new_resume_code,
    ]
    reached = attack(created, hostile)
    assert reached.clicked and reached.changed > 0
    assert app.session is None and app.view is None
    assert kernel.escaped == [] and kernel.apologies == []
    shown = state_text(created())
    for private in ("Spring cohort", "Another workshop", "Ada Quill", B_NAME, "download="):
        assert private not in shown


@pytest.mark.slow
def test_a_mentors_page_only_ever_answers_and_edits_for_that_mentor(workshop, kernel):
    """The mentor's page, signed in, with a request from A waiting: every trait and button
    attacked. Only this mentor's profile and answers may change; other mentors' profiles,
    B's documents and everything of the other workshop stay as they were."""
    store, code = workshop.store, workshop.code
    tries = access.limiter(store, "invite code")  # the sign-in form, once signed out
    tries.sleep = lambda _seconds: None
    tries.max_failures = 10**9
    mentors = store.mentors(code)
    me, *others = mentors
    invite = reset_mentor_invite_codes(store, code, [me.email])[me.email]
    mentor = claim_mentor_invite(store, invite)
    asked = MentorShortlist(
        entries=[ShortlistEntry(mentor_email=me.email)],
        requests=[
            SentRequest(
                mentor_email=me.email, message="Ada's own request", sent_at=datetime.now(UTC)
            )
        ],
    )
    key = DocumentKey(code, workshop.a.participant.id, "mentor_shortlist")
    store.save(key, asked, expected_revision=0)
    before = set(live_widgets())
    app = mentor_app(store=store, environ={"QUERY_STRING": f"resume={mentor.new_resume_code}"})
    assert app.session is not None and app.view is not None, app.notice.value

    def created() -> list[widgets.Widget]:
        return [w for key, w in live_widgets().items() if key not in before]

    buttons = {w.model_id: w for w in created() if isinstance(w, widgets.Button)}
    reached = attack(created, workshop.hostile_values())
    check_after_attack(workshop, created(), kernel)
    assert reached.observed and reached.changed > 20 and buttons
    assert all(key in reached.clicked or b.comm is None for key, b in buttons.items())
    after = {m.email: m for m in store.mentors(code)}
    assert [after[m.email] for m in others] == others
    assert (after[me.email].name, after[me.email].email) == (me.name, me.email)
    assert {d.mentor for d in store.match_decisions(code)} <= {me.email}
    assert store.match_decisions(workshop.other_code) == []
