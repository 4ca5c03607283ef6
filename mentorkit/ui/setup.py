"""The "Workshop setup" facilitator app: everything the CLI does for a workshop, in the browser.

Behind the facilitator sign-in (`mentorkit.ui.facilitator`), a page of sections in the order
a facilitator needs them: the workshop's details and sessions, its competency framework,
the texts each worksheet opens with, the join link to share, then other workshops (create,
open, switch, restore from a backup) and, last, deleting the workshop. When the database
holds no workshop at all, the sign-in page offers to create the first one without a key
(first run), and only then.

Every change is checked whole before anything is stored: a form with a problem stores
nothing and says, next to each field, what is wrong (the field-problem contract: the input
has `mentorkit-field-<slug>` and, while invalid, `mentorkit-invalid`; the message is in
`#mentorkit-problem-<slug>`). A page can send any widget message, so every button re-checks
in the kernel what its enabled state suggests (the typed name of a deletion, the workshops
this page holds the key of).

`CLI_COUNTERPARTS` maps each `mentorkit` command that acts on a workshop to the control
here that does the same (tests/unit/test_setup_counterparts.py holds the two together).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import ipywidgets as widgets
from pydantic import ValidationError

from mentorkit import catalog
from mentorkit.apps import PARTICIPANT_APPS
from mentorkit.errors import InvalidInput, MentorkitError
from mentorkit.identity import facilitator_sign_in
from mentorkit.models import (
    GUIDANCE_LIMIT,
    MAX_SESSIONS,
    SurveyKind,
    Workshop,
    describe_error,
)
from mentorkit.store import Store
from mentorkit.surveys import SURVEY_TITLES
from mentorkit.ui.facilitator import (
    REFUSAL_DELAY_SECONDS,
    FacilitatorApp,
    FacilitatorSession,
    facilitator_app,
)
from mentorkit.ui.fields import InputProblems
from mentorkit.ui.frame import Notice, guarded
from mentorkit.ui.html import copy_button
from mentorkit.ui.people_panel import PeopleSection
from mentorkit.ui.setup_rosters import DownloadsSection, RosterSection
from mentorkit.ui.uploads import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_WORDS,
    TemporaryUpload,
    Upload,
    file_upload,
    take_upload,
)
from mentorkit.workshops import (
    create_workshop,
    default_guidance,
    guidance_for,
    replace_framework,
    with_guidance,
)

log = logging.getLogger("mentorkit")

APP_KEY = "setup"
INTRO = (
    "Set up your workshop here, from its name to the link participants open. Work down "
    "the page: each section saves on its own button."
)
UPLOAD_LIMIT_TEXT = f"at most {MAX_UPLOAD_WORDS}"
LABEL_WIDTH = "10rem"

#: Each `mentorkit` command that acts on a workshop, and the control of the setup app
#: (its description) that does the same.
CLI_COUNTERPARTS: dict[str, str] = {
    "init": "Create workshop",
    "import": "Upload the mentor roster",
    "export": "Prepare the exports",
    "backup": "Prepare the backup file",
    "restore": "Restore from a backup file",
    "delete-workshop": "Delete this workshop",
    "people list": "Refresh",
    "people invite": "Invite codes for those who have none",
    "people reset": "Reset resume code",
    "people merge": "Merge into…",
    "people remove": "Remove…",
    "mentors invite": "Prepare mentors' invite codes",
    "mentors reset-code": "Reset mentor's resume code",
}
#: The commands that do not act on one workshop, and why they have no counterpart here.
NOT_WORKSHOP_COMMANDS: dict[str, str] = {
    "demo": "creates the sample workshop to try mentorkit with; not part of running one",
    "serve": "starts the server this app runs in",
    "hub prepare-database": "prepares a shared hub's database roles, for every workshop",
}


# ---------------------------------------------------------------------------------------
# Helpers


def _placed(
    problems: InputProblems, key: str, widget: widgets.DOMWidget, *, limit: int | None = None
) -> widgets.VBox:
    """`widget` bound to `key` of a form's `problems`, in its box on the page."""
    problems.add(key, widget, limit=limit)
    return problems.placed(key)


def _status() -> widgets.HTML:
    return widgets.HTML().add_class("mentorkit-section-status")


def _say(line: widgets.HTML, message: str, kind: str = "success") -> None:
    """`message` (plain text) in a section's status line, read out when it changes."""
    role = "alert" if kind == "error" else "status"
    line.value = f'<div role="{role}" class="mentorkit-{kind}">{escape(message)}</div>'


def _text(description: str, value: str = "", *, placeholder: str = "") -> widgets.Text:
    return widgets.Text(
        value=value,
        description=description,
        placeholder=placeholder,
        style={"description_width": LABEL_WIDTH},
        layout=widgets.Layout(width="36rem"),
    )


def _date(description: str, value: date | None) -> widgets.DatePicker:
    return widgets.DatePicker(
        value=value,
        description=description,
        style={"description_width": LABEL_WIDTH},
        layout=widgets.Layout(width="24rem"),
    )


def _problems_of(exc: ValidationError, where: Callable[[tuple[Any, ...]], str]) -> dict[str, str]:
    """Each error of `exc` in plain words, by the field key `where` gives its location."""
    found: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        key = where(tuple(error.get("loc", ())))
        found.setdefault(key, describe_error(Workshop, error))
    return found


# ---------------------------------------------------------------------------------------
# The join link


def server_base(environ: Mapping[str, str]) -> str:
    """The server's base address ('https://example.org/workshop/'), read from the page
    request Voilà hands the kernel; '' when the kernel does not know it (JupyterLab)."""
    url = environ.get("VOILA_REQUEST_URL", "")
    if url and environ.get("VOILA_PREHEAT") != "True":
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        path = parts.path
    elif environ.get("SERVER_NAME"):
        port = environ.get("SERVER_PORT", "")
        scheme = "https" if port == "443" else "http"
        host = environ["SERVER_NAME"]
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        origin = f"{scheme}://{host}" + (f":{port}" if port and port not in {"80", "443"} else "")
        path = environ.get("SCRIPT_NAME", "/")
    else:
        return ""
    at = path.find("voila/")
    base = path[:at] if at >= 0 else "/"
    return origin + (base if base.endswith("/") else base + "/")


def join_link(environ: Mapping[str, str], code: str) -> str:
    """The link participants open to join: the server's sign-in page with the join code
    filled in (relative to the server's address when the kernel does not know it)."""
    return f"{server_base(environ)}start?{urlencode({'join': code})}"


class JoinLinkSection(widgets.VBox):
    """The join code and the link participants open, in a field that is easy to copy."""

    def __init__(self, session: FacilitatorSession, environ: Mapping[str, str]) -> None:
        super().__init__()
        code = session.workshop.code
        self.link = join_link(environ, code)
        self.field = _text("Join link", self.link)
        self.field.add_class("mentorkit-join-link")
        self.field.observe(self._keep_link, names="value")
        relative = (
            ""
            if self.link.startswith("http")
            else (
                " The link is relative to this server's address: put the address you open "
                "the apps at in front of it."
            )
        )
        hub = (
            " On this JupyterHub, participants sign in with their hub account instead."
            if environ.get("JUPYTERHUB_USER")
            else ""
        )
        self.children = [
            widgets.HTML(
                f'<p>Join code: <code class="mentorkit-join-code">{escape(code)}</code>. '
                "Participants open this link (or the gallery, then step 1) and enter their "
                "invite code, or their name with the join code filled in."
                f"{escape(relative + hub)}</p>"
            ),
            self.field,
            widgets.HTML(copy_button(self.link, "Copy the join link")),
        ]

    def _keep_link(self, change: Mapping[str, object]) -> None:
        if change["new"] != self.link:
            self.field.value = self.link  # a field to copy from, not to edit


# ---------------------------------------------------------------------------------------
# Workshop details


class SessionRow(widgets.VBox):
    """One session of the workshop: title, date, times and place, and its remove button."""

    def __init__(self, problems: InputProblems, number: int, values: Mapping[str, Any]) -> None:
        super().__init__()
        self.add_class("mentorkit-session-row")
        self.title = _text(f"Session {number} title", values.get("title", ""))
        self.day = _date(f"Session {number} date", values.get("day"))
        self.starts_at = widgets.TimePicker(
            value=values.get("starts_at"),
            description=f"Session {number} start",
            style={"description_width": LABEL_WIDTH},
        )
        self.ends_at = widgets.TimePicker(
            value=values.get("ends_at"),
            description=f"Session {number} end",
            style={"description_width": LABEL_WIDTH},
        )
        self.place = _text(
            f"Session {number} place",
            values.get("place", ""),
            placeholder="a room, or a video call link",
        )
        self.remove = widgets.Button(description=f"Remove session {number}")
        index = number - 1
        self.children = [
            widgets.HTML(f"<h4>Session {number}</h4>"),
            _placed(problems, f"session-{index}-title", self.title, limit=120),
            _placed(problems, f"session-{index}-day", self.day),
            _placed(problems, f"session-{index}-starts-at", self.starts_at),
            _placed(problems, f"session-{index}-ends-at", self.ends_at),
            _placed(problems, f"session-{index}-place", self.place, limit=300),
            self.remove,
        ]

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.value,
            "day": self.day.value,
            "starts_at": self.starts_at.value,
            "ends_at": self.ends_at.value,
            "place": self.place.value,
        }


_DETAIL_KEYS = {"name": "name", "description": "description", "starts_on": "starts-on"}
_SESSION_KEYS = {"title": "title", "day": "day", "starts_at": "starts-at", "place": "place"}


def _detail_key(loc: tuple[Any, ...]) -> str:
    """The form field a problem at `loc` of a Workshop belongs to."""
    if not loc:
        return "ends-on"  # the end date before the start date
    if loc[0] == "sessions" and len(loc) >= 2 and isinstance(loc[1], int):
        field = _SESSION_KEYS.get(str(loc[2]), "ends-at") if len(loc) >= 3 else "ends-at"
        return f"session-{loc[1]}-{field}"
    if loc[0] == "sessions":
        return "add-session"
    if loc[0] == "surveys" and len(loc) >= 2:
        # A missing opening date, or a closing date before it: said at the closing date.
        return f"{loc[1]}-survey-{'opens' if loc[2:3] == ('opens_on',) else 'closes'}"
    return _DETAIL_KEYS.get(str(loc[0]), "ends-on")


class DetailsSection(widgets.VBox):
    """The workshop's name, description, dates and sessions, saved together or not at all."""

    def __init__(self, session: FacilitatorSession) -> None:
        super().__init__()
        self.session = session
        workshop = session.workshop
        self.problems = InputProblems("setup", labelled=False)
        self.name = _text("Workshop name", workshop.name)
        self.description = widgets.Textarea(
            value=workshop.description,
            description="Description",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="36rem", height="5rem"),
        )
        self.starts_on = _date("Start date", workshop.starts_on)
        self.ends_on = _date("End date", workshop.ends_on)
        # Each feedback survey opens on a date and closes on another (or at the end).
        self.survey_dates: dict[SurveyKind, tuple[widgets.DatePicker, widgets.DatePicker]] = {}
        for kind in SurveyKind:
            window = workshop.surveys.get(kind)
            title = SURVEY_TITLES[kind]
            self.survey_dates[kind] = (
                _date(f"{title} opens", window.opens_on if window else None),
                _date(f"{title} closes", window.closes_on if window else None),
            )
        self.add_session = widgets.Button(description="Add a session")
        self.save = widgets.Button(description="Save details", button_style="primary")
        self.status = _status()
        self.rows: list[SessionRow] = []
        self._sessions_box = widgets.VBox()
        self._fields = [
            _placed(self.problems, "name", self.name, limit=120),
            _placed(self.problems, "description", self.description, limit=2000),
            _placed(self.problems, "starts-on", self.starts_on),
            _placed(self.problems, "ends-on", self.ends_on),
        ]
        self._add_box = _placed(self.problems, "add-session", self.add_session)
        guard = guarded(session.notice)
        self.add_session.on_click(guard(lambda _b: self._add_row()))
        self.save.on_click(guard(lambda _b: self.save_details()))
        self._set_rows([s.model_dump() for s in workshop.sessions])
        self.children = [
            *self._fields,
            widgets.HTML(
                f"<h3>Sessions</h3><p>When and where the group meets (up to {MAX_SESSIONS}).</p>"
            ),
            self._sessions_box,
            self._add_box,
            widgets.HTML(
                "<h3>Feedback surveys</h3><p>Participants answer each survey on their Check-ins "
                "page while it is open (how the pair meets, how useful it is, whether they would "
                "recommend it, and comments). Leave the dates empty to keep a survey closed.</p>"
            ),
            *(
                _placed(self.problems, f"{kind}-survey-{end}", picker)
                for kind, pickers in self.survey_dates.items()
                for end, picker in zip(("opens", "closes"), pickers, strict=True)
            ),
            self.save,
            self.status,
        ]

    def _set_rows(self, values: Sequence[Mapping[str, Any]]) -> None:
        for key in [k for k in self.problems.inputs if k.startswith("session-")]:
            self.problems.unbind(key)
        self.rows = []
        for number, row_values in enumerate(values, start=1):
            row = SessionRow(self.problems, number, row_values)
            row.remove.on_click(guarded(self.session.notice)(partial(self._remove_row, number - 1)))
            self.rows.append(row)
        self._sessions_box.children = self.rows
        self.add_session.disabled = len(self.rows) >= MAX_SESSIONS

    def _add_row(self) -> None:
        if len(self.rows) >= MAX_SESSIONS:
            self.problems.show(
                {"add-session": f"A workshop lists at most {MAX_SESSIONS} sessions."}
            )
            return
        self._set_rows([*(row.values() for row in self.rows), {}])

    def _remove_row(self, index: int, _button: widgets.Button | None = None) -> None:
        values = [row.values() for row in self.rows]
        if 0 <= index < len(values):
            del values[index]
        self._set_rows(values)

    def save_details(self) -> None:
        """Store name, description, dates and sessions if they are all valid; otherwise
        store nothing and show each problem next to its field."""
        self.status.value = ""
        current = self.session.store.workshop(self.session.workshop.code)
        data = {
            **current.model_dump(),
            "name": self.name.value,
            "description": self.description.value,
            "starts_on": self.starts_on.value,
            "ends_on": self.ends_on.value,
            "sessions": [row.values() for row in self.rows],
            "surveys": {
                kind: {"opens_on": opens.value, "closes_on": closes.value}
                for kind, (opens, closes) in self.survey_dates.items()
                if opens.value or closes.value
            },
        }
        unopened = {
            f"{kind}-survey-opens": "choose the day it opens, or clear the closing date"
            for kind, (opens, closes) in self.survey_dates.items()
            if closes.value and not opens.value
        }
        try:
            workshop = Workshop.model_validate(data)
        except ValidationError as exc:
            found = _problems_of(exc, _detail_key)
        else:
            found = {}
        if found or unopened:
            self.problems.show({**found, **unopened})
            _say(self.status, "Nothing was saved: fix the fields marked above.", "error")
            return
        self.problems.show({})
        self.session.store.update_workshop(workshop)
        self.session.switch_to(workshop)
        self.name.value = workshop.name  # as stored: spaces tidied
        _say(self.status, "The workshop's details are saved.")


# ---------------------------------------------------------------------------------------
# Worksheet texts


class GuidanceSection(widgets.VBox):
    """The text each worksheet opens with: the workshop's own, or the default one."""

    def __init__(self, session: FacilitatorSession) -> None:
        super().__init__()
        self.session = session
        self.problems = InputProblems("setup-text", labelled=False)
        self.texts: dict[str, widgets.Textarea] = {}
        self.statuses: dict[str, widgets.HTML] = {}
        guard = guarded(session.notice)
        children: list[widgets.Widget] = [
            widgets.HTML(
                "<p>Plain text; a blank line starts a new paragraph. Participants see the "
                "text above their worksheet and on the sign-in page.</p>"
            )
        ]
        defaults = default_guidance()
        for app in PARTICIPANT_APPS:
            key = Path(app.notebook).stem
            if key not in defaults:
                continue
            text = widgets.Textarea(
                value=guidance_for(session.workshop, key),
                description=app.title,
                style={"description_width": LABEL_WIDTH},
                layout=widgets.Layout(width="44rem", height="8rem"),
            )
            save = widgets.Button(description=f"Save the text of {app.title}")
            restore = widgets.Button(description=f"Restore the default text of {app.title}")
            save.on_click(guard(partial(self._save, key)))
            restore.on_click(guard(partial(self._restore, key)))
            self.texts[key] = text
            self.statuses[key] = _status()
            children += [
                _placed(self.problems, key.replace("_", "-"), text, limit=GUIDANCE_LIMIT),
                widgets.HBox([save, restore]).add_class("mentorkit-toolbar"),
                self.statuses[key],
            ]
        self.children = children

    def _save(self, key: str, _button: widgets.Button | None = None) -> None:
        self.save_text(key, self.texts[key].value)

    def _restore(self, key: str, _button: widgets.Button | None = None) -> None:
        self.save_text(key, None)

    def save_text(self, key: str, text: str | None) -> None:
        """Store `text` as the opening text of worksheet `key` (None: the default again)."""
        status = self.statuses[key]
        status.value = ""
        current = self.session.store.workshop(self.session.workshop.code)
        try:
            workshop = with_guidance(current, key, text)
        except InvalidInput as exc:
            message = "; ".join(exc.problems).replace("Worksheet texts › ", "")
            self.problems.show({key.replace("_", "-"): message})
            _say(status, "Nothing was saved: fix the text marked above.", "error")
            return
        self.problems.show({})
        self.session.store.update_workshop(workshop)
        self.session.switch_to(workshop)
        self.texts[key].value = guidance_for(workshop, key)
        if text is None or key not in workshop.guidance:
            _say(status, "This worksheet opens with the default text.")
        else:
            _say(status, "Saved: participants see this text from their next page.")


# ---------------------------------------------------------------------------------------
# Competency framework


class FrameworkSection(widgets.VBox):
    """The competency framework: the default one, or a YAML file uploaded here."""

    def __init__(self, session: FacilitatorSession) -> None:
        super().__init__()
        self.session = session
        self.summary = widgets.HTML()
        self.use_default = widgets.Button(description="Use the default framework")
        self.upload = file_upload(".yaml,.yml", "Upload a framework file")
        self.status = _status()
        guard = guarded(session.notice)
        self.use_default.on_click(guard(lambda _b: self.apply(catalog.load_framework())))
        self.upload.observe(guard(self._uploaded), names="value")
        self.children = [
            self.summary,
            widgets.HTML(
                "<p>A YAML file laid out as data/competencies.yaml (a name, then areas, "
                f"each with its competencies), {UPLOAD_LIMIT_TEXT}. A framework can be "
                "replaced only while it keeps every competency mentors or participants "
                "already use.</p>"
            ),
            widgets.HBox([self.use_default, self.upload]).add_class("mentorkit-toolbar"),
            self.status,
        ]
        self._summarise()

    def _summarise(self) -> None:
        framework = self.session.workshop.framework
        count = len(framework.competencies())
        self.summary.value = (
            f"<p>In use: <strong>{escape(framework.name)}</strong>, {len(framework.areas)} "
            f"areas, {count} competencies.</p>"
        )

    def _uploaded(self, change: Mapping[str, object]) -> None:
        upload = take_upload(self.upload)
        if upload is not None:
            self.upload_file(upload.name, upload.content)

    def upload_file(self, name: str, data: bytes) -> None:
        """Read an uploaded framework file and apply it, or say what is wrong with it."""
        self.status.value = ""
        if len(data) > MAX_UPLOAD_BYTES:
            _say(self.status, f"{name} is larger than 1 MB; is it the right file?", "error")
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            _say(self.status, f"{name} is not a UTF-8 text file; save it as YAML.", "error")
            return
        try:
            framework = catalog.parse_framework(text, source=name)
        except MentorkitError as exc:
            _say(self.status, f"Nothing was changed. {exc}", "error")
            return
        self.apply(framework)

    def apply(self, framework: Any) -> None:
        """Make `framework` the workshop's, unless existing data would lose competencies."""
        self.status.value = ""
        current = self.session.store.workshop(self.session.workshop.code)
        try:
            workshop = replace_framework(self.session.store, current, framework)
        except InvalidInput as exc:
            _say(self.status, "; ".join(exc.problems), "error")
            return
        self.session.switch_to(workshop)
        self._summarise()
        _say(self.status, f"The workshop now uses the framework '{framework.name}'.")


# ---------------------------------------------------------------------------------------
# Creating, opening and restoring workshops


class NewWorkshopForm(widgets.VBox):
    """Name, description and dates of a new workshop, checked whole before it is made."""

    def __init__(self, notice: Notice, button: str, on_create: Callable[[Any], None]) -> None:
        super().__init__()
        self.problems = InputProblems("setup-new", labelled=False)
        self.name = _text("New workshop name")
        self.description = widgets.Textarea(
            description="New description",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="36rem", height="4rem"),
        )
        self.starts_on = _date("New start date", None)
        self.ends_on = _date("New end date", None)
        self.create = widgets.Button(description=button, button_style="primary")
        self._on_create = on_create
        self.create.on_click(guarded(notice)(lambda _b: self.submit()))
        self.children = [
            _placed(self.problems, "name", self.name, limit=120),
            _placed(self.problems, "description", self.description, limit=2000),
            _placed(self.problems, "starts-on", self.starts_on),
            _placed(self.problems, "ends-on", self.ends_on),
            self.create,
        ]

    def submit(self) -> None:
        """Check the form; when it is valid, hand its details to `on_create`."""
        data = {
            "name": self.name.value,
            "description": self.description.value,
            "starts_on": self.starts_on.value,
            "ends_on": self.ends_on.value,
            "framework": catalog.load_framework(),
        }
        try:
            checked = Workshop.model_validate(data)
        except ValidationError as exc:
            self.problems.show(_problems_of(exc, _detail_key))
            return
        self.problems.show({})
        self._on_create(checked)


def new_key_html(workshop: Workshop, key: str) -> str:
    """The one time a new workshop's facilitator key is shown."""
    return (
        '<div class="mentorkit-resume mentorkit-new-key" role="alert">'
        f"<p>The workshop <strong>{escape(workshop.name)}</strong> is created. Join code: "
        f'<code>{escape(workshop.code)}</code> · facilitator key: <code class="'
        f'mentorkit-facilitator-key">{escape(key)}</code></p><p><strong>Write the '
        "facilitator key down now</strong> and keep it safe: it is shown only this once, "
        "and you need it, with the join code, to open this workshop's facilitator apps.</p>"
        "</div>"
    )


def _create(store: Store, details: Workshop) -> tuple[Workshop, str]:
    access = create_workshop(
        store,
        details.name,
        description=details.description,
        starts_on=details.starts_on,
        ends_on=details.ends_on,
    )
    return access.workshop, access.facilitator_key


class WorkshopsSection(widgets.VBox):
    """Switch to another workshop this page holds the key of, open one by its join code and
    key, create one, or restore one from a backup file."""

    def __init__(self, view: SetupView) -> None:
        super().__init__()
        self.view = view
        session = view.session
        notice = session.notice
        guard = guarded(notice)
        known = view.known_workshops()
        self.picker = widgets.Dropdown(
            options=[(f"{w.name} ({w.code})", w.code) for w in known],
            value=next(
                (w.code for w in known if w.code == session.workshop.code),
                known[0].code if known else None,
            ),
            description="Your workshops",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="36rem"),
        )
        self.switch = widgets.Button(description="Switch to this workshop")
        self.switch.on_click(guard(lambda _b: self.switch_to_picked()))
        self.join = _text("Join code", placeholder="ABCD-EFGH")
        self.join.add_class("mentorkit-max-20")
        self.key = widgets.Password(
            description="Facilitator key",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="36rem"),
        )
        self.key.add_class("mentorkit-max-200")
        self.open = widgets.Button(description="Open workshop")
        self.open.on_click(guard(lambda _b: self.open_other()))
        self.open_status = _status()
        self.new = NewWorkshopForm(notice, "Create workshop", self._create)
        self.restore = file_upload(".jsonl,.json", "Restore from a backup file")
        self.restore.observe(guard(self._restore_uploaded), names="value")
        self.restore_status = _status()
        # Switching needs a workshop to switch to: another one whose key this page holds.
        others = [w for w in known if w.code != session.workshop.code]
        switching: list[widgets.Widget] = [
            widgets.HTML("<h3>Switch</h3><p>The workshops whose key you entered on this page.</p>"),
            widgets.HBox([self.picker, self.switch]).add_class("mentorkit-toolbar"),
        ]
        self.children = [
            *(switching if others else []),
            widgets.HTML("<h3>Open another workshop</h3>"),
            self.join,
            self.key,
            self.open,
            self.open_status,
            widgets.HTML(
                "<h3>Create a workshop</h3><p>It gets its own join code and facilitator "
                "key, and the default competency framework.</p>"
            ),
            self.new,
            widgets.HTML(
                "<h3>Restore from a backup</h3><p>A file made under Downloads (“Prepare the "
                f"backup file”) or by `mentorkit backup`, {UPLOAD_LIMIT_TEXT}. All or nothing: "
                "a damaged file restores nothing, and a workshop that is still here is not "
                "replaced.</p>"
            ),
            self.restore,
            self.restore_status,
        ]

    def switch_to_picked(self) -> None:
        """Open the workshop picked in the list, if this page holds its key."""
        code = self.picker.value
        if not isinstance(code, str) or code not in self.view.keys_entered:
            self.view.session.notice.show(
                "Enter that workshop's join code and facilitator key under “Open another "
                "workshop”.",
                kind="error",
            )
            return
        self.view.open_workshop(self.view.session.store.workshop(code))

    def open_other(self) -> None:
        """Check a join code and key as the sign-in does (same pause, same try limit)."""
        self.open_status.value = ""
        typed, key = self.join.value, self.key.value
        self.key.value = ""
        try:
            workshop = facilitator_sign_in(
                self.view.session.store, typed, key, pause=self.view.refusal_delay
            )
        except MentorkitError as exc:  # refused, or too many tries
            _say(self.open_status, str(exc), "error")
            return
        self.view.keys_entered.add(workshop.code)
        self.view.open_workshop(workshop)

    def _create(self, details: Workshop) -> None:
        workshop, key = _create(self.view.session.store, details)
        self.view.keys_entered.add(workshop.code)
        self.view.open_workshop(workshop)
        self.view.show_new_key(workshop, key)

    def _restore_uploaded(self, change: Mapping[str, object]) -> None:
        upload = take_upload(self.restore)
        if upload is not None:
            self.restore_file(upload.name, upload.content)

    def restore_file(self, name: str, data: bytes) -> None:
        """Restore the workshop in an uploaded backup file: all of it, or nothing."""
        from mentorkit.backup import restore_backup

        self.restore_status.value = ""
        if len(data) > MAX_UPLOAD_BYTES:
            _say(self.restore_status, f"{name} is larger than 1 MB.", "error")
            return
        file = TemporaryUpload(Upload(name, data))
        try:
            with file as path:
                workshop, counts = restore_backup(self.view.session.store, path)
        except MentorkitError as exc:
            _say(self.restore_status, f"Nothing was restored. {file.message(exc)}", "error")
            return
        _say(
            self.restore_status,
            f"Restored {workshop.name} ({workshop.code}): {counts.participants} participants, "
            f"{counts.mentors} mentors, {counts.documents} worksheets. Open it with its join "
            "code and its facilitator key (the key it had when it was backed up).",
        )


# ---------------------------------------------------------------------------------------
# Deleting the workshop


class DeleteSection(widgets.VBox):
    """Delete the workshop, once its name is typed exactly; the kernel checks it again."""

    def __init__(self, view: SetupView) -> None:
        super().__init__()
        self.view = view
        name = view.session.workshop.name
        self.confirm_name = _text("Type its name", placeholder=name)
        self.confirm_name.add_class("mentorkit-max-120")
        self.delete = widgets.Button(
            description="Delete this workshop", button_style="danger", disabled=True
        )
        self.status = _status()
        self.confirm_name.observe(self._typed, names="value")
        self.delete.on_click(guarded(view.session.notice)(lambda _b: self.delete_workshop()))
        self.children = [
            widgets.HTML(
                f"<p>Deleting <strong>{escape(name)}</strong> removes its rosters and every "
                "worksheet with its history, for good. Download the backup first if you may "
                "need any of it. To delete, type the workshop's name exactly as above.</p>"
            ),
            self.confirm_name,
            self.delete,
            self.status,
        ]

    def _typed(self, change: Mapping[str, object]) -> None:
        self.delete.disabled = change["new"] != self.view.session.workshop.name

    def delete_workshop(self) -> None:
        """Delete the workshop if the typed name is its name, exactly."""
        workshop = self.view.session.store.workshop(self.view.session.workshop.code)
        if self.confirm_name.value != workshop.name:
            self.delete.disabled = True
            _say(
                self.status,
                "Nothing was deleted: type the workshop's name exactly to confirm.",
                "error",
            )
            return
        self.view.session.store.delete_workshop(workshop.code)
        self.view.deleted(workshop)


# ---------------------------------------------------------------------------------------
# The view


@dataclass(frozen=True)
class Section:
    """One section of the setup page: its heading, its anchor and how it is built."""

    heading: str
    anchor: str
    build: Callable[[FacilitatorSession], widgets.Widget]


class SetupView(widgets.VBox):
    """The setup page for the signed-in facilitator's workshop: `sections` in order.

    The other sections (rosters, people, downloads) are added to `sections` in
    `_sections`, one line each, where the comments say.
    """

    def __init__(
        self,
        session: FacilitatorSession,
        *,
        environ: Mapping[str, str] | None = None,
        refusal_delay: float = REFUSAL_DELAY_SECONDS,
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-setup")
        self.session = session
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.refusal_delay = refusal_delay
        #: The workshops whose facilitator key was entered (or which were made) on this page.
        self.keys_entered: set[str] = {session.workshop.code}
        self.new_key = widgets.HTML()
        self.body = widgets.VBox()
        self.sections: list[Section] = []
        self.children = [self.new_key, self.body]
        self.render()

    def _sections(self) -> list[Section]:
        """The sections, in the order a facilitator needs them."""
        base = server_base(self.environ)  # for mentors' personal links
        people = PeopleSection(self.session, base=base)
        return [
            Section("Workshop details", "details", DetailsSection),
            Section("Competency framework", "framework", FrameworkSection),
            Section(
                "Rosters",
                "rosters",
                partial(RosterSection, on_change=lambda: people.refresh(), base=base),
            ),
            Section("Worksheet texts", "texts", GuidanceSection),
            Section(
                "Share the join link", "join-link", partial(JoinLinkSection, environ=self.environ)
            ),
            Section("People", "people", lambda _s: people),
            Section(
                "Downloads",
                "downloads",
                partial(DownloadsSection, on_change=lambda: people.refresh(), base=base),
            ),
            Section("Other workshops", "workshops", lambda _s: WorkshopsSection(self)),
            Section("Delete the workshop", "delete", lambda _s: DeleteSection(self)),
        ]

    def render(self) -> None:
        """Build every section for the current workshop."""
        self.sections = self._sections()
        contents = "".join(
            f'<li><a href="#mentorkit-setup-{section.anchor}">{escape(section.heading)}</a></li>'
            for section in self.sections
        )
        children: list[widgets.Widget] = [
            widgets.HTML(
                '<nav class="mentorkit-contents" aria-label="On this page"><ul>'
                f"{contents}</ul></nav>"
            )
        ]
        for section in self.sections:
            built = section.build(self.session)
            built.add_class(f"mentorkit-setup-{section.anchor}")
            children += [
                widgets.HTML(
                    f'<h2 id="mentorkit-setup-{section.anchor}">{escape(section.heading)}</h2>'
                ),
                built,
            ]
        self.body.children = children

    def known_workshops(self) -> list[Workshop]:
        """The workshops this page holds the key of that are still in the database."""
        found = []
        for workshop in self.session.store.workshops():
            if workshop.code in self.keys_entered:
                found.append(workshop)
        return found

    def open_workshop(self, workshop: Workshop) -> None:
        """Make `workshop` the page's workshop and build the sections for it."""
        self.new_key.value = ""
        self.session.notice.clear()
        self.session.switch_to(workshop)
        self.render()

    def show_new_key(self, workshop: Workshop, key: str) -> None:
        """Show a new workshop's facilitator key, once, above the sections."""
        self.new_key.value = new_key_html(workshop, key)

    def deleted(self, workshop: Workshop) -> None:
        """After a deletion: say so, and offer to create or open another workshop."""
        self.keys_entered.discard(workshop.code)
        self.session.workshop_deleted()
        self.new_key.value = ""
        self.sections = []
        self.body.children = [
            widgets.HTML(
                f'<div role="status" class="mentorkit-success"><p>The workshop '
                f"<strong>{escape(workshop.name)}</strong> ({escape(workshop.code)}) was "
                "deleted, with everything in it.</p></div><p>Create another workshop, or "
                "open one with its join code and facilitator key.</p>"
            ),
            WorkshopsSection(self),
        ]


# ---------------------------------------------------------------------------------------
# The app


def first_workshop_form(app: FacilitatorApp) -> widgets.Widget | None:
    """Under the sign-in: "Create the first workshop", only while the database holds no
    workshop at all (first run), needing no key."""
    if app.store.workshops():
        return None
    form = NewWorkshopForm(app.notice, "Create the first workshop", partial(_create_first, app))
    return widgets.VBox(
        [
            widgets.HTML(
                "<h2>First run: no workshop yet</h2><p>The database holds no workshop. "
                "Create the first one here; you then get its join code and facilitator key."
                "</p>"
            ),
            form,
        ]
    ).add_class("mentorkit-first-workshop")


def _create_first(app: FacilitatorApp, details: Workshop) -> None:
    if app.store.workshops():  # checked again: someone may have made one meanwhile
        app.notice.show(
            "A workshop exists now, so the first one cannot be created here: sign in with "
            "its join code and facilitator key.",
            kind="error",
        )
        return
    workshop, key = _create(app.store, details)
    app.enter(workshop)
    if isinstance(app.view, SetupView):
        app.view.show_new_key(workshop, key)


def setup_app(
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
    refusal_delay: float = REFUSAL_DELAY_SECONDS,
) -> FacilitatorApp:
    """The "Workshop setup" app (notebooks/facilitator/setup.ipynb)."""
    holder: list[FacilitatorApp] = []

    def build(session: FacilitatorSession) -> SetupView:
        page = holder[0]
        return SetupView(session, environ=page.environ, refusal_delay=page.refusal_delay)

    app = facilitator_app(
        APP_KEY,
        build,
        INTRO,
        store=store,
        environ=environ,
        refusal_delay=refusal_delay,
        sign_in_extra=first_workshop_form,
    )
    holder.append(app)
    return app
