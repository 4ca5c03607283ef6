"""06 My plan: every worksheet on one read-only page, to download, print and add to a calendar."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

import ipywidgets as widgets

from mentorkit.agreement import agreement_calendar
from mentorkit.models import (
    CheckIn,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
)
from mentorkit.plan import PlanData, plan_html, plan_markdown
from mentorkit.ui.common import (
    DOCUMENT_CSS,
    copy_button,
    download_link,
    embedded_document,
    guarded,
    html_text,
)
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

PLAN_FILE = "my-mentoring-plan"
ICS_FILE = "mentoring-meetings.ics"


def load_plan_data(session: Session, today: date | None = None) -> PlanData:
    """Everything the signed-in participant has written, from every worksheet."""
    mentors = {m.email: m for m in session.store.mentors(session.workshop.code)}
    match = session.document(MentorMatch)
    return PlanData(
        workshop=session.workshop,
        participant=session.participant,
        assessment=session.document(SelfAssessment),
        shortlist=session.document(MentorShortlist),
        mentors=mentors,
        agreement=session.document(MentoringAgreement),
        goals=list(session.documents(SmartGoal).values()),
        check_ins=list(session.documents(CheckIn).values()),
        matched_mentor=mentors.get(match.mentor_email) if match else None,
        today=today or date.today(),
    )


def plan_calendar(data: PlanData) -> bytes | None:
    """The agreed meetings as an .ics file, or None until a start date and frequency are set."""
    agreement = data.agreement
    if agreement is None or agreement.start_on is None or agreement.frequency is None:
        return None
    prefs = data.assessment.preferences if data.assessment is not None else None
    return agreement_calendar(
        agreement,
        participant=data.participant,
        mentor=data.mentors.get(agreement.mentor_email or ""),
        workshop=data.workshop,
        tz=prefs.time_zone if prefs is not None else None,
        goals=data.goals,
    )


class MyPlanView(widgets.VBox):
    """The plan: read-only, rebuilt from the store on open and on "Refresh"."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.refresh_button = widgets.Button(
            description="Refresh",
            tooltip="Show the latest answers from every worksheet",
        )
        self.refreshed = widgets.HTML(layout=widgets.Layout(margin="0 0 0 1rem"))
        self.downloads = widgets.HTML()
        self.sharing = session.autosaver(PlanSharing.kind)
        shared = isinstance(self.sharing.document, PlanSharing) and self.sharing.document.shared
        self.share = widgets.Checkbox(
            value=shared,
            description="Share my plan with the facilitator",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.share.observe(
            guarded(session.notice)(
                lambda _change: self.sharing.request(lambda: PlanSharing(shared=self.share.value))
            ),
            names="value",
        )
        self.introduction = widgets.HTML()
        self.page = widgets.HTML()
        self.page.add_class("mentorkit-plan-page")
        self.refresh_button.on_click(guarded(session.notice)(lambda _button: self.refresh()))
        self.children = [
            widgets.HTML(DOCUMENT_CSS),
            widgets.HTML(
                "<h2>Download and print</h2><p>Open the HTML file in your browser and print it "
                "(Ctrl+P or ⌘P) for a paper copy; the calendar file adds your meetings to "
                "Outlook, Google Calendar or Apple Calendar.</p>"
            ),
            self.downloads,
            widgets.HTML(
                '<p class="mentorkit-muted">Your facilitator sees only how far you are through '
                "the worksheets. Tick the box to let them read your whole plan too (for example "
                "to prepare your matching); untick it at any time.</p>"
            ),
            self.share,
            self.introduction,
            widgets.HBox(
                [self.refresh_button, self.refreshed],
                layout=widgets.Layout(align_items="center"),
            ),
            self.page,
        ]
        self.refresh()

    def refresh(self) -> None:
        """Load every worksheet again and redraw the plan and its downloads."""
        data = load_plan_data(self.session)
        self.introduction.value = _introduction_html(
            self.session.document(MentorMatch), data.matched_mentor
        )
        document = plan_html(data)
        self.page.value = embedded_document(document, "My plan")
        links = [
            download_link(f"{PLAN_FILE}.html", document, "text/html", "Download my plan (HTML)"),
            download_link(
                f"{PLAN_FILE}.md",
                plan_markdown(data),
                "text/markdown",
                "Download my plan (Markdown)",
            ),
        ]
        calendar = plan_calendar(data)
        if calendar is not None:
            links.append(
                download_link(ICS_FILE, calendar, "text/calendar", "Download meetings (.ics)")
            )
        else:
            links.append(
                '<span class="mentorkit-muted">The meetings calendar appears once your '
                "agreement has a start date and how often you meet (Expectations).</span>"
            )
        self.downloads.value = f'<div class="mentorkit-downloads">{"".join(links)}</div>'
        self.refreshed.value = (
            f'<span class="mentorkit-muted" role="status">Shown as of {datetime.now():%H:%M:%S}. '
            "Changed a worksheet in another tab? Press Refresh.</span>"
        )


def _introduction_html(match: MentorMatch | None, mentor: MentorProfile | None) -> str:
    """The published mentor and the introduction email draft, once there is a match."""
    if match is None or mentor is None:
        return ""
    why = f"<p>{html_text(match.reasons)}</p>" if match.reasons else ""
    draft = ""
    if match.introduction:
        draft = (
            "<h3>Introduction email</h3><p>A draft to introduce yourselves; edit it in your "
            'email program.</p><div class="mentorkit-card mentorkit-introduction">'
            f"{html_text(match.introduction)}</div>{copy_button(match.introduction)}"
        )
    return (
        f'<section class="mentorkit-match"><h2>Your mentor: {escape(mentor.name)}</h2>'
        f"{why}{draft}</section>"
    )


def my_plan_app(**kwargs: object) -> WorksheetApp:
    """The My plan app (the notebook 06_my_plan calls this)."""
    return worksheet_app("06_my_plan", MyPlanView, **kwargs)
