"""06 My plan: every worksheet on one read-only page, to download, print and add to a calendar.

It is also where participants use their data rights: download everything stored about them
(`mentorkit.backup.participant_data_json`) and erase it (`Store.erase_participant`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime
from html import escape

import ipywidgets as widgets

from mentorkit.agreement import agreement_calendar, agreement_html, agreement_markdown
from mentorkit.backup import participant_data_json
from mentorkit.errors import NotFound
from mentorkit.mentoring import Confirmation, agreement_record
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
from mentorkit.plan import PlanData, plan_html, plan_markdown, the_agreements_mentor
from mentorkit.store import Store
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import DOCUMENT_CSS, copy_button, download_link, embedded_document, html_text
from mentorkit.ui.parts import ConfirmRemove
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

PLAN_FILE = "my-mentoring-plan"
AGREEMENT_FILE = "mentoring-agreement"
ICS_FILE = "mentoring-meetings.ics"
DATA_FILE = "my-mentorkit-data.json"

YOUR_DATA_HTML = (
    "<h2>Your data</h2><p>Download everything mentorkit keeps about you in this workshop as "
    "one JSON file: your details on the workshop's list, every worksheet with every version "
    "you saved and when, the mentor match your facilitator published to you, and the "
    "mentors they paired you with for good or ruled out when matching.</p>"
)
ERASE_HTML = (
    "<p>Or delete it: this erases your answers in every worksheet with all their earlier "
    "versions, your mentor match, your facilitator's matching decisions about you and your "
    "place on the workshop's list, and your resume code stops working. It cannot be "
    "undone.</p>"
)
ERASE_QUESTION = (
    "Delete everything you wrote in this workshop, with every earlier version, your mentor "
    "match, the matching decisions about you and your place on its list? Your resume code "
    "will stop working. This cannot be undone: download your data first if you want a copy."
)
ERASED_HTML = (
    '<section class="mentorkit-erased" role="status"><h2>Your data is deleted</h2><p>Your '
    "answers in every worksheet with all their earlier versions, your mentor match, the "
    "matching decisions about you and your place on the workshop's list are erased, and your "
    "resume code no longer works. You can close this tab.</p></section>"
)


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
        mentor=the_agreements_mentor(data),
        workshop=data.workshop,
        tz=prefs.time_zone if prefs is not None else None,
        goals=data.goals,
    )


def agreement_downloads(data: PlanData, confirmations: Sequence[Confirmation]) -> list[str]:
    """The printable agreement (HTML and Markdown) with who confirmed this version of it,
    as download links; none until the agreement is started."""
    agreement = data.agreement
    if agreement is None or agreement == MentoringAgreement():
        return []
    mentor = the_agreements_mentor(data)
    prefs = data.assessment.preferences if data.assessment is not None else None
    tz = prefs.time_zone if prefs is not None else None
    links = []
    for render, suffix, mime, label in (
        (agreement_html, "html", "text/html", "HTML"),
        (agreement_markdown, "md", "text/markdown", "Markdown"),
    ):
        text = render(
            agreement,
            participant=data.participant,
            mentor=mentor,
            workshop=data.workshop,
            goals=data.goals,
            tz=tz,
            confirmations=confirmations,
        )
        links.append(
            download_link(
                f"{AGREEMENT_FILE}.{suffix}", text, mime, f"Download our agreement ({label})"
            )
        )
    return links


class MyPlanView(widgets.VBox):
    """The plan: read-only, rebuilt from the store on open and on "Refresh".

    Below it, the participant's data: a JSON download, and erasure in two steps. Once the
    data is erased the view shows only that, and calls `on_erased` (by default the page's
    `session.leave_only`) so that the app around it can drop everything else it offers
    (links and forms that would need the erased resume code).
    """

    def __init__(self, session: Session, *, on_erased: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.session = session
        self.on_erased = on_erased
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
        # Built on request, not with the page: it holds every saved version of everything.
        self.prepare_data = widgets.Button(
            description="Prepare my data (JSON)",
            tooltip="Gather everything stored about you into one file to download",
            layout=widgets.Layout(width="auto"),
        )
        self.prepare_data.on_click(guarded(session.notice)(lambda _button: self.offer_data()))
        self.data_link = widgets.HTML(layout=widgets.Layout(margin="0 0 0 1rem"))
        self.erase = ConfirmRemove(
            "my data", ERASE_QUESTION, on_confirm=self.erase_data, notice=session.notice
        )
        self.erase.remove.description = "Delete my data"
        self.erase.confirm.description = "Delete all my data now"
        self.erase.keep.description = "Keep my data"
        for button in (self.erase.remove, self.erase.confirm, self.erase.keep):
            button.layout = widgets.Layout(width="auto")
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
            widgets.HTML(YOUR_DATA_HTML),
            widgets.HBox(
                [self.prepare_data, self.data_link],
                layout=widgets.Layout(align_items="center"),
            ),
            widgets.HTML(ERASE_HTML),
            self.erase.remove,
            self.erase,
        ]
        self.refresh()

    def offer_data(self) -> None:
        """Read everything stored about the participant now, and offer it as a download."""
        session = self.session
        text = participant_data_json(session.store, session.workshop.code, session.participant.id)
        kilobytes = max(1, round(len(text.encode("utf-8")) / 1024))
        link = download_link(DATA_FILE, text, "application/json", "Download all my data (JSON)")
        when = f"{kilobytes} KB, as of {datetime.now():%H:%M:%S}"
        self.data_link.value = f'{link} <span class="mentorkit-muted">{when}</span>'

    def erase_data(self) -> None:
        """Erase the participant's documents, history and roster row; then say it is done."""
        session = self.session
        with suppress(NotFound):  # erased already, from another tab: the outcome asked for
            session.store.erase_participant(session.workshop.code, session.participant.id)
        self.sharing.delete()  # drops an edit still waiting to be saved (nothing is left)
        for child in self.children:
            close_tree(child)
        self.children = [widgets.HTML(ERASED_HTML)]
        if self.on_erased is not None:
            self.on_erased()
        elif session.leave_only is not None:
            session.leave_only(self)

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
        session = self.session
        entries = session.store.agreement_entries(session.workshop.code, session.participant.id)
        links += agreement_downloads(data, agreement_record(entries).confirmations)
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


def my_plan_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The My plan app (the notebook 06_my_plan calls this). Once the participant erases
    their data, the view leaves only itself on the page (`Session.leave_only`): the
    journey links and the sign-in line carry the erased resume code, which leads nowhere."""
    return worksheet_app("06_my_plan", MyPlanView, store=store, environ=environ)
