"""03 Expectations: the mentoring agreement, its printable forms and the meeting calendar."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import TypedDict

import ipywidgets as widgets

from mentorkit.agreement import (
    DEFAULT_BOUNDARIES,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXIT_CLAUSE,
    DEFAULT_FEEDBACK_STYLE,
    DEFAULT_MEETING_MINUTES,
    AgreementMentor,
    agreement_calendar,
    agreement_html,
    agreement_markdown,
    agreement_mentor,
    meeting_zone,
    term_words,
    with_defaults,
)
from mentorkit.mentoring import (
    AgreementRecord,
    AgreementState,
    AgreementStatus,
    AgreementSuggestion,
    MentoringError,
    Side,
    accept_suggestion,
    agreement_record,
    agreement_status,
    answer_suggestion,
    confirm,
    not_on_the_list,
    suggested_changes,
)
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProspectiveMentor,
    RoleRow,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.prospects import is_prospect_id
from mentorkit.store import Store
from mentorkit.ui.fields import Fields, FieldSet, choices, time_zone_names
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import DOCUMENT_CSS, download_link, embedded_document, html_text, time_html
from mentorkit.ui.parts import Row, RowList, the_mentor
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


#: How the drop-down offers a mentor the participant found who is no longer on their list.
REMOVED_FOUND_MENTOR = "A mentor you found (no longer on your shortlist)"


def _mentor_options(
    mentors: dict[str, MentorProfile],
    found: Sequence[ProspectiveMentor],
    chosen: str | None,
) -> list[tuple[str, str | None]]:
    """A blank, the directory's mentors by name (email added when two share a name), then
    the mentors the participant found (by their id on the shortlist, those with a name)."""
    names = [m.name.casefold() for m in mentors.values()]
    options: list[tuple[str, str | None]] = [("— not chosen yet —", None)]
    for mentor in mentors.values():
        twice = names.count(mentor.name.casefold()) > 1
        options.append((f"{mentor.name} ({mentor.email})" if twice else mentor.name, mentor.email))
    named = [(" ".join(p.name.split()), p) for p in found if p.name.strip() or p.id == chosen]
    found_names = [name.casefold() for name, _prospect in named]
    for name, prospect in named:
        twice = found_names.count(name.casefold()) > 1
        which = f"{prospect.email or prospect.id}, " if twice else ""
        options.append((f"{name or '(no name yet)'} ({which}found yourself)", prospect.id))
    offered = {value for _label, value in options}
    if chosen and chosen not in offered:  # no longer listed: keep what was saved
        options.append((REMOVED_FOUND_MENTOR if is_prospect_id(chosen) else chosen, chosen))
    return options


def _zone_options(own: str | None, chosen: str | None) -> list[tuple[str, str | None]]:
    """Time zones for the meeting time, the participant's own (None) first."""
    first = f"My time zone ({own})" if own else "— my calendar's time zone —"
    zones = list(time_zone_names())
    if chosen and chosen not in zones:
        zones = [chosen, *zones]
    return [(first, None), *((zone, zone) for zone in zones if zone != own)]


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


# ---------------------------------------------------------------------------------------
# Agreed together: the status, the mentee's confirmation and the mentor's suggestions

TOGETHER_HTML = (
    "<p>When the two of you are happy with the agreement, each of you confirms it: you here, "
    "your mentor on their page. A change after that needs both confirmations again. Changes "
    "your mentor suggests appear here for you to take in or not.</p>"
)


def suggestion_html(agreement: MentoringAgreement, suggestion: AgreementSuggestion) -> str:
    """What the mentor suggests: each changed term as it is and as suggested, and the
    mentor's note, every user string escaped."""
    changes = suggested_changes(agreement, suggestion)
    if changes:
        items = "".join(
            f"<li><strong>{escape(change.label)}</strong>: "
            f"{html_text(term_words(change.term, change.now))} "
            '<span aria-label="changed to">→</span> '
            f"{html_text(term_words(change.term, change.suggested))}</li>"
            for change in changes
        )
        terms = f'<ul class="mentorkit-changes">{items}</ul>'
    else:
        terms = '<p class="mentorkit-muted">No change to the terms as they are now.</p>'
    note = (
        f'<blockquote class="mentorkit-suggestion-note">{html_text(suggestion.note)}</blockquote>'
        if suggestion.note.strip()
        else ""
    )
    return (
        f"<p><strong>{escape(suggestion.by)} suggests:</strong> "
        f'<span class="mentorkit-muted">({time_html(suggestion.at)})</span></p>{terms}{note}'
    )


def status_html(status: AgreementStatus, mentor_name: str) -> str:
    """Where the agreement stands, in words."""
    current = status.current
    if status.state == AgreementState.AGREED:
        when = max(given.at for given in current.values())
        text = f"Agreed by you and {escape(current[Side.MENTOR].name)} on {time_html(when)}."
    elif status.state == AgreementState.WAITING_FOR_MENTOR:
        text = (
            f"You confirmed this version on {time_html(current[Side.MENTEE].at)}; "
            f"waiting for {escape(mentor_name)}."
        )
    elif status.state == AgreementState.WAITING_FOR_MENTEE:
        given = current[Side.MENTOR]
        text = (
            f"{escape(given.name)} confirmed this version on {time_html(given.at)}; "
            "waiting for you."
        )
    elif status.changed_since_confirmed:
        text = "The agreement changed since it was confirmed: both of you confirm again."
    else:
        text = "Not confirmed yet."
    state = status.state.name.lower().replace("_", "-")
    return f'<p class="mentorkit-agreement-status mentorkit-agreement-{state}">{text}</p>'


class SuggestionCard(widgets.VBox):
    """One open suggestion of the mentor's, with "Accept these changes" / "Keep my version"."""

    def __init__(self, suggestion: AgreementSuggestion) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-suggestion")
        self.suggestion = suggestion
        self.text = widgets.HTML()
        self.accept = widgets.Button(
            description="Accept these changes",
            tooltip="Put the suggested terms into your agreement",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.keep = widgets.Button(
            description="Keep my version",
            tooltip="Leave your agreement as it is",
            layout=widgets.Layout(width="auto"),
        )
        self.children = [self.text, widgets.HBox([self.accept, self.keep])]


class AgreedTogether(widgets.VBox):
    """Where the agreement stands, the mentee's "Confirm this agreement", what happened
    after the last action, and the mentor's open suggestions."""

    def __init__(self, *, on_confirm: Callable[[], object], on_check: Callable[[], object]) -> None:
        super().__init__()
        self.add_class("mentorkit-agreed-together")
        self.status = widgets.HTML()
        self.confirm = widgets.Button(
            description="Confirm this agreement",
            tooltip="Confirm the agreement as it is now; your mentor confirms it on their page",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.check = widgets.Button(
            description="Check for your mentor's answer",
            tooltip="Read again what your mentor confirmed or suggested",
            layout=widgets.Layout(width="auto"),
        )
        self.problem = widgets.HTML()
        self.outcome = widgets.HTML()
        self.suggestions = widgets.VBox()
        self.confirm.on_click(lambda _button: on_confirm())
        self.check.on_click(lambda _button: on_check())
        self.actions = widgets.HBox(
            [self.confirm, self.problem, self.check],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )
        self.intro = widgets.HTML(TOGETHER_HTML)
        self.children = [
            widgets.HTML("<h2>Agreed together</h2>"),
            self.intro,
            self.status,
            self.actions,
            self.outcome,
            self.suggestions,
        ]

    def off_the_list(self, text: str) -> None:
        """Say, in words, why this agreement cannot be confirmed here (its mentor is not on
        the workshop's list), with no button for a confirmation that could never finish."""
        self.status.value = (
            '<p class="mentorkit-agreement-status mentorkit-agreement-off-the-list">'
            f"{escape(text)}</p>"
        )
        self.problem.value = self.outcome.value = ""
        for part in (self.intro, self.actions, self.suggestions):
            part.layout.display = "none"

    def on_the_list(self) -> None:
        """Offer the confirmation and the mentor's suggestions again (see `off_the_list`)."""
        if self.actions.layout.display == "none":
            for part in (self.intro, self.actions, self.suggestions):
                part.layout.display = None

    def refuse(self, text: str, *, alert: bool = True) -> None:
        """Say next to the button, in words, why the agreement cannot be confirmed (`alert`:
        announced at once, after a click; else shown quietly while the form is edited)."""
        role = ' role="alert"' if alert else ""
        self.problem.value = f'<span class="mentorkit-problem"{role}>{escape(text)}</span>'

    def tell(self, text: str, *, problem: bool = False) -> None:
        """Say what the last action did (or why it did nothing)."""
        kind = "mentorkit-problem" if problem else "mentorkit-muted"
        role = "alert" if problem else "status"
        self.outcome.value = f'<p class="{kind}" role="{role}">{escape(text)}</p>'


class _Parties(TypedDict):
    """Who and what an agreement's printable forms name (their keyword arguments)."""

    participant: Participant
    mentor: AgreementMentor | None
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
        shortlist = session.document(MentorShortlist)
        #: The mentors the participant found themselves (their shortlist's), choosable too.
        self.found = list(shortlist.prospects) if shortlist else []
        self.goals = list(session.documents(SmartGoal).values())
        assessment = session.document(SelfAssessment)
        self.time_zone = assessment.preferences.time_zone if assessment else None
        saved = self.autosaver.document
        start = saved if isinstance(saved, MentoringAgreement) else self.first_draft()
        self._redraw_timer: asyncio.TimerHandle | None = None
        self._guard = guarded(session.notice)
        self.form = widgets.VBox()
        self.downloads = widgets.HTML()
        self.preview = widgets.HTML()
        self.together = AgreedTogether(
            on_confirm=self._guard(self.confirm_agreement),
            on_check=self._guard(self.check_again),
        )
        self._cards: dict[datetime, SuggestionCard] = {}
        self.record = self.read_record()
        self._build_form(start)
        self.children = [
            widgets.HTML(DOCUMENT_CSS),
            self.form,
            self.together,
            widgets.HTML(
                "<h2>Our agreement</h2><p>Download it to print or share with your mentor. "
                "The preview below shows what it says, with the standard wording wherever "
                "you left a field empty.</p>"
            ),
            self.downloads,
            self.preview,
        ]
        self._redraw_now(self.document())

    # -- building --------------------------------------------------------------------

    def _build_form(self, start: MentoringAgreement) -> None:
        """The agreement's inputs, showing `start` (the page opens with them; a suggestion
        taken in puts the new terms into new ones)."""
        session = self.session
        self.fields = FieldSet(MentoringAgreement, session.status, self.autosaver.key)
        bind = self.fields.field
        fields = Fields(LABEL_WIDTH)
        # One drop-down names the mentor: an email fills `mentor_email`, the id of a mentor
        # the participant found (never an email) fills `mentor_prospect`.
        chosen = start.mentor_prospect or start.mentor_email
        self.mentor = bind(
            "mentor_email",
            fields.dropdown("Mentor", _mentor_options(self.mentors, self.found, chosen), chosen),
            read=lambda key: None if is_prospect_id(key) else key,
        )
        self.fields.computed(
            "mentor_prospect",
            lambda: self.mentor.value if is_prospect_id(self.mentor.value) else None,
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
        self.fields.computed("roles", self.roles.data)
        self.fields.bind_rows("roles", self.roles.bindings("roles"))
        self.fields.restore(start.draft)
        placed = self.fields.placed

        self.form.children = [
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
        ]
        self.fields.observe(self._guard(self._changed))

    def first_draft(self) -> MentoringAgreement:
        """The standard terms, and the participant's mentor: the one who accepted them (or
        the facilitator paired them with), else the first on their shortlist, if any (one
        of the directory, or one they found themselves); the published matching's mentor
        is not looked at."""
        accepted = the_mentor(self.session, self.mentors, matched=False)
        first: dict[str, str | None] = {}
        if accepted is not None:
            first["mentor_email"] = accepted.email
        elif (shortlist := self.session.document(MentorShortlist)) and shortlist.entries:
            entry = shortlist.entries[0]
            first = {"mentor_email": entry.mentor_email, "mentor_prospect": entry.prospect}
        return with_defaults(
            MentoringAgreement.model_validate({**first, "meeting_minutes": DEFAULT_MEETING_MINUTES})
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
            "mentor": agreement_mentor(agreement, self.mentors, self.found),
            "workshop": self.session.workshop,
            "goals": self.goals,
            "tz": self.time_zone,
        }
        self._show_together(agreement)
        confirmations = self.record.confirmations
        document = agreement_html(agreement, confirmations=confirmations, **who)
        links = [
            download_link(
                f"{AGREEMENT_FILE}.html", document, "text/html", "Download agreement (HTML)"
            ),
            download_link(
                f"{AGREEMENT_FILE}.md",
                agreement_markdown(agreement, confirmations=confirmations, **who),
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

    # -- agreed together ---------------------------------------------------------------

    def read_record(self) -> AgreementRecord:
        """The agreement's record as stored now (another tab or the mentor may have added
        to it since the page opened)."""
        session = self.session
        entries = session.store.agreement_entries(session.workshop.code, session.participant.id)
        return agreement_record(entries)

    def _mentor_name(self, agreement: MentoringAgreement) -> str:
        mentor = agreement_mentor(agreement, self.mentors, self.found)
        if mentor is not None and mentor.name.strip():
            return mentor.name
        if agreement.mentor_prospect is not None:
            return "the mentor you found"
        return agreement.mentor_email or "your mentor"

    def _show_together(self, agreement: MentoringAgreement) -> None:
        """The status of the agreement as the form holds it, whether it can be confirmed,
        and a card for each open suggestion."""
        panel = self.together
        if agreement.mentor_prospect is not None:
            # Not on the roster: no mentor page to confirm on, and nobody to suggest changes.
            found = agreement_mentor(agreement, self.mentors, self.found)
            panel.off_the_list(not_on_the_list(found.name if found else ""))
            return
        panel.on_the_list()
        status = agreement_status(agreement, self.record.confirmations)
        panel.status.value = status_html(status, self._mentor_name(agreement))
        try:
            confirm(agreement, Side.MENTEE, self.session.participant.name, at=datetime.now(UTC))
        except MentoringError as exc:
            panel.refuse(str(exc), alert=False)
            panel.confirm.disabled = True
        else:
            panel.problem.value = ""
            panel.confirm.disabled = Side.MENTEE in status.current
        self._show_suggestions(agreement)

    def _show_suggestions(self, agreement: MentoringAgreement) -> None:
        open_ones = {s.at: s for s in self.record.open_suggestions}
        for at in [at for at in self._cards if at not in open_ones]:
            close_tree(self._cards.pop(at))
        for at, suggestion in open_ones.items():
            card = self._cards.get(at)
            if card is None:
                card = self._cards[at] = SuggestionCard(suggestion)
                card.accept.on_click(self._guard(lambda _b, s=suggestion: self.accept(s)))
                card.keep.on_click(self._guard(lambda _b, s=suggestion: self.keep(s)))
            text = suggestion_html(agreement, suggestion)
            if card.text.value != text:
                card.text.value = text
        cards = tuple(self._cards[at] for at in open_ones)
        if self.together.suggestions.children != cards:
            self.together.suggestions.children = cards

    def _after_action(self) -> None:
        """Read the record again and redraw the panel and the preview."""
        self.record = self.read_record()
        self._redraw_now(self.document())

    def check_again(self) -> None:
        """Show what the mentor (or another tab) confirmed or suggested since."""
        self.together.outcome.value = ""
        self._after_action()

    def _save_now(self, agreement: MentoringAgreement) -> str:
        """Save `agreement` at once; '' when it is stored, else why not, in words."""
        saver = self.autosaver
        if saver.in_conflict:
            return (
                "Your agreement was changed in another tab or device: choose which version "
                "to keep (at the top of the page) first."
            )
        if saver.document != agreement:
            saver.request(lambda: agreement, now=True)
        if not saver.flush():
            return (
                "Your latest changes are not saved yet (see the save status at the top of "
                "the page): try again in a moment."
            )
        latest = self.session.store.load(saver.key)
        if latest is None or latest.revision != saver.revision:
            return (
                "Your agreement was changed in another tab or device: reload the page to see "
                "that version first."
            )
        return ""

    def confirm_agreement(self) -> None:
        """Save what is typed, then confirm the agreement as stored (the version the mentor
        reads), in the participant's name."""
        problem = self._save_now(self.document())
        stored = self.autosaver.document
        if problem or not isinstance(stored, MentoringAgreement):
            self.together.refuse(problem or "The agreement is not saved yet: try again.")
            return
        try:
            given = confirm(
                stored, Side.MENTEE, self.session.participant.name, at=datetime.now(UTC)
            )
        except MentoringError as exc:
            self.together.refuse(str(exc))
            return
        session = self.session
        session.store.add_agreement_entry(session.workshop.code, session.participant.id, given)
        self.together.tell(
            f"You confirmed the agreement. {self._mentor_name(stored)} confirms it on their page."
        )
        self._after_action()

    def _answer(self, suggestion: AgreementSuggestion, *, accepted: bool) -> None:
        """Record the participant's answer to `suggestion`; refused in words when another
        tab answered it already."""
        session = self.session
        answer = answer_suggestion(
            self.read_record(),
            suggestion.at,
            accepted=accepted,
            by=session.participant.name,
            at=datetime.now(UTC),
        )
        session.store.add_agreement_entry(session.workshop.code, session.participant.id, answer)

    def accept(self, suggestion: AgreementSuggestion) -> None:
        """Take the suggested terms into the agreement: saved, shown in the form, and the
        answer recorded. Both then confirm the new version."""
        try:
            if not any(s.at == suggestion.at for s in self.read_record().open_suggestions):
                raise MentoringError("This suggestion has been answered already.")
            agreement = accept_suggestion(self.document(), suggestion)
        except MentoringError as exc:
            self.together.tell(str(exc), problem=True)
            self._after_action()
            return
        # Text kept as typed for a term the mentor has now set is replaced by their value.
        draft = {
            key: raw
            for key, raw in agreement.draft.items()
            if key.split(".")[0] not in suggestion.terms
        }
        agreement = agreement.model_copy(update={"draft": draft})
        problem = self._save_now(agreement)
        if problem:
            self.together.tell(f"The changes were not taken in. {problem}", problem=True)
            return
        self._rebuild_form(agreement)
        try:
            self._answer(suggestion, accepted=True)
        except MentoringError as exc:  # answered in another tab a moment ago
            self.together.tell(str(exc), problem=True)
        else:
            self.together.tell(
                f"You took in {suggestion.by}'s changes: the form shows them and they are "
                "saved. Both of you confirm the agreement again."
            )
        self._after_action()
        if not self.together.confirm.disabled:
            self.together.confirm.focus()

    def keep(self, suggestion: AgreementSuggestion) -> None:
        """Leave the agreement as it is, and record that the suggestion was not taken in."""
        try:
            self._answer(suggestion, accepted=False)
        except MentoringError as exc:
            self.together.tell(str(exc), problem=True)
        else:
            self.together.tell(
                f"You kept your version; {suggestion.by} sees that you did not take in the changes."
            )
        self._after_action()

    def _rebuild_form(self, agreement: MentoringAgreement) -> None:
        """Show `agreement` in new inputs (the old ones are closed)."""
        if self._redraw_timer is not None:
            self._redraw_timer.cancel()
            self._redraw_timer = None
        old = list(self.form.children)
        self._build_form(agreement)
        for widget in old:
            close_tree(widget)


def expectations_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Expectations app (the notebook 03_expectations calls this)."""
    return worksheet_app("03_expectations", ExpectationsView, store=store, environ=environ)
