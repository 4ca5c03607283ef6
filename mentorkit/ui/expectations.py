"""03 Expectations: the mentoring agreement, its printable forms and the meeting calendar."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import date
from html import escape

import ipywidgets as widgets

from mentorkit.agreement import (
    DEFAULT_BOUNDARIES,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXIT_CLAUSE,
    DEFAULT_FEEDBACK_STYLE,
    DEFAULT_MEETING_MINUTES,
    agreement_calendar,
    agreement_html,
    agreement_markdown,
    with_defaults,
)
from mentorkit.errors import InvalidInput
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    SelfAssessment,
    SmartGoal,
    validate,
)
from mentorkit.ui.common import DOCUMENT_CSS, choices, download_link, embedded_document, guarded
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

LABEL_WIDTH = "16rem"
WIDE = "44rem"
MAX_ROLES = 15
MIN_MINUTES, MAX_MINUTES = 15, 240
#: The preview and the download links are redrawn this long after the last keystroke.
REDRAW_DELAY_SECONDS = 0.3
AGREEMENT_FILE = "mentoring-agreement"
ICS_FILE = "mentoring-meetings.ics"
DEFAULT_NOTE = "Left empty, the standard wording is used:\n\n"


def _lines(text: str) -> list[str]:
    """One entry per non-blank line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _mentor_options(
    mentors: dict[str, MentorProfile], chosen: str | None
) -> list[tuple[str, str | None]]:
    """The mentors by name (email added when two share a name), a blank first."""
    names = [m.name.casefold() for m in mentors.values()]
    options: list[tuple[str, str | None]] = [("— not chosen yet —", None)]
    for mentor in mentors.values():
        twice = names.count(mentor.name.casefold()) > 1
        options.append((f"{mentor.name} ({mentor.email})" if twice else mentor.name, mentor.email))
    if chosen and chosen not in mentors:  # no longer in the directory: keep what was saved
        options.append((chosen, chosen))
    return options


def _textarea(
    value: str, description: str, placeholder: str, height: str = "6rem"
) -> widgets.Textarea:
    return widgets.Textarea(
        value=value,
        description=description,
        placeholder=placeholder,
        style={"description_width": LABEL_WIDTH},
        layout=widgets.Layout(width=WIDE, height=height),
    )


@dataclass
class RoleEditor:
    """The inputs of one row of the roles table."""

    area: widgets.Text
    mentor_focus: widgets.Textarea
    mentee_focus: widgets.Textarea
    remove: widgets.Button
    box: widgets.VBox

    @classmethod
    def create(cls, number: int, texts: tuple[str, str, str]) -> RoleEditor:
        area = widgets.Text(
            value=texts[0],
            description=f"Role {number} area",
            placeholder="e.g. Networking",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="32rem"),
        )
        mentor = _textarea(
            texts[1], f"Role {number}: mentor focus", "What the mentor does in this area", "4rem"
        )
        mentee = _textarea(
            texts[2], f"Role {number}: mentee focus", "What you do in this area", "4rem"
        )
        remove = widgets.Button(
            description=f"Remove role {number}",
            tooltip=f"Take role {number} out of the table",
            layout=widgets.Layout(
                width="12rem", align_self="flex-start", margin=f"0.3rem 0 0.3rem {LABEL_WIDTH}"
            ),
        )
        box = widgets.VBox([area, mentor, mentee, remove]).add_class("mentorkit-card")
        return cls(area, mentor, mentee, remove, box)

    @property
    def texts(self) -> tuple[str, str, str]:
        return self.area.value, self.mentor_focus.value, self.mentee_focus.value

    @texts.setter
    def texts(self, texts: tuple[str, str, str]) -> None:
        self.area.value, self.mentor_focus.value, self.mentee_focus.value = texts

    @property
    def blank(self) -> bool:
        return not any(text.strip() for text in self.texts)

    def inputs(self) -> list[widgets.Widget]:
        return [self.area, self.mentor_focus, self.mentee_focus]

    def close(self) -> None:
        for widget in (*self.inputs(), self.remove, self.box):
            widget.close()


class ExpectationsView(widgets.VBox):
    """The mentoring agreement; every change is validated, autosaved and previewed."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.autosaver = session.autosaver(MentoringAgreement.kind)
        mentors = sorted(
            session.store.mentors(session.workshop.code), key=lambda m: m.name.casefold()
        )
        self.mentors = {m.email: m for m in mentors}
        self.goals = list(session.documents(SmartGoal).values())
        assessment = session.document(SelfAssessment)
        self.time_zone = assessment.preferences.time_zone if assessment else None
        saved = self.autosaver.document
        start = saved if isinstance(saved, MentoringAgreement) else self.first_draft()
        self._redraw_timer: asyncio.TimerHandle | None = None
        self._quiet = False
        self._guard = guarded(session.notice)

        self.mentor = widgets.Dropdown(
            options=_mentor_options(self.mentors, start.mentor_email),
            value=start.mentor_email,
            description="Mentor",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="34rem"),
        )
        self.relationship_goals = _textarea(
            "\n".join(start.relationship_goals),
            "Goals for our relationship",
            "One goal per line, e.g. Prepare for my first team-lead role",
        )
        self.goals_hint = widgets.HTML()
        self.frequency = widgets.Dropdown(
            options=choices({f: f.value.capitalize() for f in Frequency}),
            value=start.frequency,
            description="How often we meet",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="34rem"),
        )
        self.minutes = widgets.BoundedIntText(
            value=start.meeting_minutes or DEFAULT_MEETING_MINUTES,
            min=MIN_MINUTES,
            max=MAX_MINUTES,
            step=5,
            description="Meeting length (minutes)",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="24rem"),
        )
        self.channel = widgets.Dropdown(
            options=choices({m: m.value.capitalize() for m in MeetingFormat}),
            value=start.channel,
            description="Channel",
            style={"description_width": LABEL_WIDTH},
            layout=widgets.Layout(width="34rem"),
        )

        def date_picker(value: date | None, description: str) -> widgets.DatePicker:
            return widgets.DatePicker(
                value=value,
                description=description,
                style={"description_width": LABEL_WIDTH},
                layout=widgets.Layout(width="30rem"),
            )

        self.start_on = date_picker(start.start_on, "Start date")
        self.review_on = date_picker(start.review_on, "Review date")
        self.end_on = date_picker(start.end_on, "End date")
        self.confidentiality = _textarea(
            start.confidentiality, "Confidentiality", DEFAULT_NOTE + DEFAULT_CONFIDENTIALITY
        )
        self.feedback_style = _textarea(
            start.feedback_style, "Feedback style", DEFAULT_NOTE + DEFAULT_FEEDBACK_STYLE
        )
        self.boundaries = _textarea(
            start.boundaries, "Boundaries", DEFAULT_NOTE + DEFAULT_BOUNDARIES
        )
        self.exit_clause = _textarea(
            start.exit_clause, "No-fault exit", DEFAULT_NOTE + DEFAULT_EXIT_CLAUSE
        )
        self.roles: list[RoleEditor] = []
        self.roles_box = widgets.VBox()
        self.roles_note = widgets.HTML()
        self.add_role = widgets.Button(
            description="Add role",
            tooltip="Add a row to the roles table",
            layout=widgets.Layout(margin=f"0.3rem 0 1rem calc({LABEL_WIDTH} + 0.5rem)"),
        )
        self.add_role.on_click(self._guard(self._add_role))
        self.downloads = widgets.HTML()
        self.preview = widgets.HTML()

        self.children = [
            widgets.HTML(DOCUMENT_CSS),
            widgets.HTML(
                "<h2>Who and why</h2><p>Choose your mentor and write what the two of you "
                "want from the relationship.</p>"
            ),
            self.mentor,
            self.relationship_goals,
            self.goals_hint,
            widgets.HTML("<h2>How we meet</h2>"),
            self.frequency,
            self.minutes,
            self.channel,
            self.start_on,
            self.review_on,
            self.end_on,
            widgets.HTML("<h2>How we work together</h2>"),
            self.confidentiality,
            self.feedback_style,
            widgets.HTML(
                "<h3>Roles and responsibilities</h3><p>Who does what in each area. "
                "Edit the suggestions, add your own, remove what does not fit.</p>"
            ),
            self.roles_box,
            self.roles_note,
            self.add_role,
            self.boundaries,
            self.exit_clause,
            widgets.HTML(
                "<h2>Our agreement</h2><p>Download it to print or share with your mentor. "
                "The preview below shows what it says, with the standard wording wherever "
                "you left a field empty.</p>"
            ),
            self.downloads,
            self.preview,
        ]
        self._on_change = self._guard(self._changed)
        for widget in self._inputs():
            widget.observe(self._on_change, names="value")
        for role in start.roles:
            self._append_role((role.area, role.mentor_focus, role.mentee_focus))
        self._roles_shown()
        self._redraw_now(start)

    # -- building --------------------------------------------------------------------

    def first_draft(self) -> MentoringAgreement:
        """The standard terms, and the participant's first shortlisted mentor if any."""
        shortlist = self.session.document(MentorShortlist)
        first = shortlist.entries[0].mentor_email if shortlist and shortlist.entries else None
        return with_defaults(
            MentoringAgreement(mentor_email=first, meeting_minutes=DEFAULT_MEETING_MINUTES)
        )

    def _inputs(self) -> list[widgets.Widget]:
        return [
            self.mentor,
            self.relationship_goals,
            self.frequency,
            self.minutes,
            self.channel,
            self.start_on,
            self.review_on,
            self.end_on,
            self.confidentiality,
            self.feedback_style,
            self.boundaries,
            self.exit_clause,
        ]

    def _append_role(self, texts: tuple[str, str, str]) -> None:
        editor = RoleEditor.create(len(self.roles) + 1, texts)
        for widget in editor.inputs():
            widget.observe(self._on_change, names="value")
        editor.remove.on_click(self._guard(functools.partial(self._remove_role, editor)))
        self.roles.append(editor)
        self._roles_shown()

    def _roles_shown(self) -> None:
        self.roles_box.children = [editor.box for editor in self.roles]
        self.add_role.disabled = len(self.roles) >= MAX_ROLES
        self.roles_note.value = (
            ""
            if self.roles
            else '<p class="mentorkit-muted">No roles: the standard roles table is used.</p>'
        )

    def _add_role(self, _button: widgets.Button) -> None:
        if len(self.roles) < MAX_ROLES:
            self._append_role(("", "", ""))

    def _remove_role(self, editor: RoleEditor, _button: widgets.Button) -> None:
        """Move the rows below up by one and drop the last editor.

        The editors stay in place, so keyboard focus stays on the "Remove role N" button,
        which now removes the row that moved up.
        """
        if editor not in self.roles:
            return
        rows = [e.texts for e in self.roles]
        del rows[self.roles.index(editor)]
        self._quiet = True
        try:
            for kept, texts in zip(self.roles, rows, strict=False):
                kept.texts = texts
        finally:
            self._quiet = False
        last = self.roles.pop()
        self._roles_shown()
        last.close()
        self._changed({})

    def document(self) -> MentoringAgreement:
        """The agreement as a validated document (raises InvalidInput in plain words).

        Role rows left entirely blank (a row just added) are not part of it yet.
        """
        return validate(
            MentoringAgreement,
            {
                "mentor_email": self.mentor.value,
                "relationship_goals": _lines(self.relationship_goals.value),
                "frequency": self.frequency.value,
                "meeting_minutes": self.minutes.value,
                "channel": self.channel.value,
                "start_on": self.start_on.value,
                "review_on": self.review_on.value,
                "end_on": self.end_on.value,
                "confidentiality": self.confidentiality.value,
                "feedback_style": self.feedback_style.value,
                "roles": [
                    {"area": area, "mentor_focus": mentor, "mentee_focus": mentee}
                    for editor in self.roles
                    if not editor.blank
                    for area, mentor, mentee in [editor.texts]
                ],
                "boundaries": self.boundaries.value,
                "exit_clause": self.exit_clause.value,
            },
        )

    # -- reacting ----------------------------------------------------------------------

    def _changed(self, _change: dict) -> None:
        if self._quiet:
            return
        self.autosaver.request(self.document)
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        """Redraw a moment after the last keystroke (at once when no event loop runs)."""
        if self._redraw_timer is not None:
            self._redraw_timer.cancel()
            self._redraw_timer = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._redraw()
            return
        self._redraw_timer = loop.call_later(REDRAW_DELAY_SECONDS, self._guard(self._redraw))

    def _redraw(self) -> None:
        self._redraw_timer = None
        try:
            agreement = self.document()
        except InvalidInput:  # the save status names the problem; keep the last preview
            return
        self._redraw_now(agreement)

    def _redraw_now(self, agreement: MentoringAgreement) -> None:
        self._show_goals_hint(agreement)
        who = {
            "participant": self.session.participant,
            "mentor": self.mentors.get(agreement.mentor_email or ""),
            "workshop": self.session.workshop,
            "goals": self.goals,
        }
        document = agreement_html(agreement, **who)
        links = [
            download_link(
                f"{AGREEMENT_FILE}.html", document, "text/html", "Download agreement (HTML)"
            ),
            download_link(
                f"{AGREEMENT_FILE}.md",
                agreement_markdown(agreement, **who),
                "text/markdown",
                "Download agreement (Markdown)",
            ),
        ]
        if agreement.start_on is not None and agreement.frequency is not None:
            calendar = agreement_calendar(agreement, tz=self.time_zone, **who)
            links.append(
                download_link(ICS_FILE, calendar, "text/calendar", "Download meetings (.ics)")
            )
            where = (
                f"at 12:00 ({escape(self.time_zone)} time)"
                if self.time_zone
                else "at 12:00 local time"
            )
            note = (
                f"The calendar file puts each meeting {where}; move them in your calendar "
                "once you have agreed a time."
            )
        else:
            note = (
                "Choose a start date and how often you meet to download the meetings as a "
                "calendar file."
            )
        self.downloads.value = (
            f'<div class="mentorkit-downloads">{"".join(links)}</div>'
            f'<p class="mentorkit-muted">{note}</p>'
        )
        self.preview.value = embedded_document(document, "Preview of the agreement")

    def _show_goals_hint(self, agreement: MentoringAgreement) -> None:
        if agreement.relationship_goals:
            self.goals_hint.value = ""
        elif self.goals:
            titles = "".join(f"<li>{escape(goal.title)}</li>" for goal in self.goals)
            self.goals_hint.value = (
                '<div class="mentorkit-muted"><p>Left empty, the titles of your SMART goals '
                f"are used:</p><ul>{titles}</ul></div>"
            )
        else:
            self.goals_hint.value = (
                '<p class="mentorkit-muted">Left empty, the titles of your SMART goals are '
                "used once you write some (SMART goals worksheet).</p>"
            )


def expectations_app(**kwargs: object) -> WorksheetApp:
    """The Expectations app (the notebook 03_expectations calls this)."""
    return worksheet_app("03_expectations", ExpectationsView, **kwargs)
