"""03 Expectations: the mentoring agreement, its printable forms and the meeting calendar."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from html import escape
from typing import TypedDict

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
    meeting_zone,
    with_defaults,
)
from mentorkit.mentoring import RequestState
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    RoleRow,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.store import Store
from mentorkit.ui.fields import Fields, FieldSet, choices
from mentorkit.ui.frame import guarded
from mentorkit.ui.html import DOCUMENT_CSS, download_link, embedded_document
from mentorkit.ui.parts import Row, RowList
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


def _zone_options(own: str | None, chosen: str | None) -> list[tuple[str, str | None]]:
    """Time zones for the meeting time, the participant's own (None) first."""
    first = f"My time zone ({own})" if own else "— my calendar's time zone —"
    zones = _time_zone_names()
    if chosen and chosen not in zones:
        zones = [chosen, *zones]
    return [(first, None), *((zone, zone) for zone in zones if zone != own)]


def _time_zone_names() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )


def _calendar_note(agreement: MentoringAgreement, own_zone: str | None) -> str:
    """What the calendar file does with the meeting time, in words (plain text)."""
    zone = meeting_zone(agreement, own_zone)
    if agreement.meeting_time is None:
        return (
            "Until you choose a meeting time, the calendar file holds each meeting as an "
            "all-day entry marked 'time to be agreed'."
        )
    clock = f"{agreement.meeting_time:%H:%M}"
    if zone is None:
        return (
            f"The calendar file puts each meeting at {clock} in whatever time zone your "
            "calendar uses. Give your time zone in the Self-assessment to pin it down."
        )
    return f"The calendar file puts each meeting at {clock} {zone} time."


class _Parties(TypedDict):
    """Who and what an agreement's printable forms name (their keyword arguments)."""

    participant: Participant
    mentor: MentorProfile | None
    workshop: Workshop
    goals: Sequence[SmartGoal]
    tz: str | None


class RoleEditor(Row):
    """One row of the roles table: an area, what the mentor and the mentee each do there."""

    def __init__(self, number: int, role: RoleRow | None = None) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        area, mentor, mentee = (
            (role.area, role.mentor_focus, role.mentee_focus) if role else ("", "", "")
        )
        fields = Fields(LABEL_WIDTH)
        self.area = fields.text("", area, "e.g. Networking", width="32rem")
        self.mentor_focus = fields.textarea(
            "", mentor, "What the mentor does in this area", width=WIDE, height="4rem"
        )
        self.mentee_focus = fields.textarea(
            "", mentee, "What you do in this area", width=WIDE, height="4rem"
        )
        self.remove = widgets.Button(
            layout=widgets.Layout(
                width="12rem", align_self="flex-start", margin=f"0.3rem 0 0.3rem {LABEL_WIDTH}"
            ),
        )
        self.problem = widgets.HTML().add_class("mentorkit-problem-line")
        self.renumber(number)
        self.children = [
            self.area,
            self.mentor_focus,
            self.mentee_focus,
            self.problem,
            self.remove,
        ]

    def renumber(self, number: int) -> None:
        """Label the inputs 'Role {number} …' (unique on the page)."""
        self.area.description = f"Role {number} area"
        self.mentor_focus.description = f"Role {number}: mentor focus"
        self.mentee_focus.description = f"Role {number}: mentee focus"
        self.remove.description = f"Remove role {number}"
        self.remove.tooltip = f"Take role {number} out of the table"

    def inputs(self) -> list[widgets.Widget]:
        return [self.area, self.mentor_focus, self.mentee_focus]

    def fields(self) -> dict[str, widgets.Widget]:
        return {
            "area": self.area,
            "mentor_focus": self.mentor_focus,
            "mentee_focus": self.mentee_focus,
        }

    def is_blank(self) -> bool:
        return not any(box.value.strip() for box in self.inputs())

    def data(self) -> dict[str, str]:
        return {
            "area": self.area.value,
            "mentor_focus": self.mentor_focus.value,
            "mentee_focus": self.mentee_focus.value,
        }


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
        self._guard = guarded(session.notice)

        self.fields = FieldSet(MentoringAgreement, session.status, self.autosaver.key)
        bind = self.fields.field
        fields = Fields(LABEL_WIDTH)
        self.mentor = bind(
            "mentor_email",
            fields.dropdown(
                "Mentor", _mentor_options(self.mentors, start.mentor_email), start.mentor_email
            ),
        )
        self.relationship_goals = bind(
            "relationship_goals",
            fields.textarea(
                "Goals for our relationship",
                "\n".join(start.relationship_goals),
                "One goal per line, e.g. Prepare for my first team-lead role",
                width=WIDE,
            ),
            read=_lines,
        )
        self.goals_hint = widgets.HTML()
        self.frequency = bind(
            "frequency",
            fields.dropdown(
                "How often we meet",
                choices({f: f.value.capitalize() for f in Frequency}),
                start.frequency,
            ),
        )
        self.minutes = bind(
            "meeting_minutes",
            fields.make(
                widgets.BoundedIntText,
                "Meeting length (minutes)",
                width="24rem",
                value=start.meeting_minutes or DEFAULT_MEETING_MINUTES,
                min=MIN_MINUTES,
                max=MAX_MINUTES,
                step=5,
            ),
        )
        self.meeting_time = bind(
            "meeting_time",
            fields.make(
                widgets.TimePicker, "Meeting time", width="24rem", value=start.meeting_time
            ),
        )
        self.meeting_zone = bind(
            "time_zone",
            fields.dropdown(
                "Time zone of that time",
                _zone_options(self.time_zone, start.time_zone),
                start.time_zone,
            ),
        )
        self.channel = bind(
            "channel",
            fields.dropdown(
                "Channel", choices({m: m.value.capitalize() for m in MeetingFormat}), start.channel
            ),
        )
        self.start_on = bind(
            "start_on", fields.date_picker("Start date", start.start_on, width="30rem")
        )
        self.review_on = bind(
            "review_on", fields.date_picker("Review date", start.review_on, width="30rem")
        )
        self.end_on = bind("end_on", fields.date_picker("End date", start.end_on, width="30rem"))
        self.confidentiality = bind(
            "confidentiality",
            fields.textarea(
                "Confidentiality",
                start.confidentiality,
                DEFAULT_NOTE + DEFAULT_CONFIDENTIALITY,
                width=WIDE,
            ),
        )
        self.feedback_style = bind(
            "feedback_style",
            fields.textarea(
                "Feedback style",
                start.feedback_style,
                DEFAULT_NOTE + DEFAULT_FEEDBACK_STYLE,
                width=WIDE,
            ),
        )
        self.boundaries = bind(
            "boundaries",
            fields.textarea(
                "Boundaries", start.boundaries, DEFAULT_NOTE + DEFAULT_BOUNDARIES, width=WIDE
            ),
        )
        self.exit_clause = bind(
            "exit_clause",
            fields.textarea(
                "No-fault exit", start.exit_clause, DEFAULT_NOTE + DEFAULT_EXIT_CLAUSE, width=WIDE
            ),
        )
        # After a removal the focus stays on "Remove role N", now the next row's button, so
        # a keyboard user can clear several suggested roles one after the other.
        self.roles: RowList[RoleRow, RoleEditor] = RowList(
            RoleEditor,
            saved=start.roles,
            add=widgets.Button(
                description="Add role",
                tooltip="Add a row to the roles table",
                layout=widgets.Layout(margin=f"0.3rem 0 1rem calc({LABEL_WIDTH} + 0.5rem)"),
            ),
            maximum=MAX_ROLES,
            notice=session.notice,
            on_change=self._changed,
            empty_note="No roles: the standard roles table is used.",
            focus_new_row=False,
            keep_focus_in_place=True,
        )
        self.downloads = widgets.HTML()
        self.preview = widgets.HTML()
        self.fields.computed("roles", self.roles.data)
        self.fields.bind_rows("roles", self.roles.bindings("roles"))
        self.fields.restore(start.draft)
        placed = self.fields.placed

        self.children = [
            widgets.HTML(DOCUMENT_CSS),
            widgets.HTML(
                "<h2>Who and why</h2><p>Choose your mentor and write what the two of you "
                "want from the relationship.</p>"
            ),
            placed("mentor_email"),
            placed("relationship_goals"),
            self.goals_hint,
            widgets.HTML("<h2>How we meet</h2>"),
            placed("frequency"),
            placed("meeting_minutes"),
            placed("meeting_time"),
            placed("time_zone"),
            placed("channel"),
            placed("start_on"),
            placed("review_on"),
            placed("end_on"),
            widgets.HTML("<h2>How we work together</h2>"),
            placed("confidentiality"),
            placed("feedback_style"),
            widgets.HTML(
                "<h3>Roles and responsibilities</h3><p>Who does what in each area. "
                "Edit the suggestions, add your own, remove what does not fit.</p>"
            ),
            self.roles,
            self.roles.note,
            self.roles.add,
            placed("boundaries"),
            placed("exit_clause"),
            widgets.HTML(
                "<h2>Our agreement</h2><p>Download it to print or share with your mentor. "
                "The preview below shows what it says, with the standard wording wherever "
                "you left a field empty.</p>"
            ),
            self.downloads,
            self.preview,
        ]
        self.fields.observe(self._guard(self._changed))
        self._redraw_now(self.document())

    # -- building --------------------------------------------------------------------

    def first_draft(self) -> MentoringAgreement:
        """The standard terms, and the participant's mentor: the one who accepted them (or
        the facilitator paired them with), else the first on their shortlist, if any."""
        session = self.session
        answers = session.store.answers(session.workshop.code, session.participant.id)
        accepted = [
            email
            for email, given in answers.items()
            if given.state == RequestState.ACCEPTED and email in self.mentors
        ]
        shortlist = session.document(MentorShortlist)
        first = shortlist.entries[0].mentor_email if shortlist and shortlist.entries else None
        first = accepted[0] if accepted else first
        return with_defaults(
            MentoringAgreement(mentor_email=first, meeting_minutes=DEFAULT_MEETING_MINUTES)
        )

    def document(self) -> MentoringAgreement:
        """The agreement as a document: what is valid, and what is not kept as typed.

        Role rows left entirely blank (a row just added) are not part of it yet.
        """
        self.fields.bind_rows("roles", self.roles.bindings("roles"))
        document = self.fields.document(self.fields.data())
        assert isinstance(document, MentoringAgreement)
        return document

    # -- reacting ----------------------------------------------------------------------

    def _changed(self, _change: object = None) -> None:
        document = self.document()
        saved = self.autosaver.document
        # A new role is saved at once: the page after a reload is drawn from the store.
        grown = isinstance(saved, MentoringAgreement) and len(document.roles) != len(saved.roles)
        self.autosaver.request(lambda: document, now=grown)
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
        self._redraw_now(self.document())

    def _redraw_now(self, agreement: MentoringAgreement) -> None:
        self._show_goals_hint(agreement)
        who: _Parties = {
            "participant": self.session.participant,
            "mentor": self.mentors.get(agreement.mentor_email or ""),
            "workshop": self.session.workshop,
            "goals": self.goals,
            "tz": self.time_zone,
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
            calendar = agreement_calendar(agreement, **who)
            links.append(
                download_link(ICS_FILE, calendar, "text/calendar", "Download meetings (.ics)")
            )
            note = escape(_calendar_note(agreement, self.time_zone))
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


def expectations_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Expectations app (the notebook 03_expectations calls this)."""
    return worksheet_app("03_expectations", ExpectationsView, store=store, environ=environ)
