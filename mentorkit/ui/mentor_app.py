"""The mentors' page (notebooks/mentor.ipynb): a mentor signs in, answers the requests
mentees sent them and keeps their own mentor profile up to date.

Signing in mirrors the participants' worksheets (`mentorkit.ui.shell`). The first time, a
mentor enters the invite code from their invitation, or opens their personal link
(`mentor.ipynb?invite=CODE`), which signs them in at once; the code works once, and the
resume code they get then is shown once, to be written down. From then on the resume code
signs them in (`?resume=CODE` too). The browser keeps it in a cookie of its own
(`mentorkit.jupyter.MENTOR_COOKIE`, so that someone who is both a mentor and a participant
stays signed in on both sides): a marker element asks the page script to keep it, and the
server hands it to the next mentor page's kernel as `MENTOR_ENVIRON`. "Sign out" forgets it.

Once someone is signed in, the form's handlers refuse, as the worksheets' do: a page that
goes on sending clicks signs nobody else in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import quote

import ipywidgets as widgets

from mentorkit.apps import MENTOR_APPS
from mentorkit.errors import MentorkitError
from mentorkit.identity import (
    MentorIdentity,
    SignInError,
    claim_mentor_invite,
    mentor_hub_sign_in,
    mentor_resume,
    normalise_resume_code,
)
from mentorkit.jupyter import MENTOR_ENVIRON
from mentorkit.store import Store
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.frame import AppFrame, close_tree, guarded
from mentorkit.ui.guard import install_widget_guards
from mentorkit.ui.html import paragraphs
from mentorkit.ui.mentor_mentees import MentorMenteesView
from mentorkit.ui.mentor_profile import MentorProfileView, MentorSession
from mentorkit.ui.mentor_requests import MentorRequestsView
from mentorkit.ui.mentor_survey import MentorSurveyView, asks_mentor
from mentorkit.ui.shell import STYLE

# The session is defined beside the profile view, which both views read it from (the
# package's modules never import each other round a loop); this page opens it.
__all__ = ["MentorApp", "MentorSession", "mentor_app"]

log = logging.getLogger("mentorkit")

#: The mentors' app, as the gallery lists it.
MENTOR_APP = MENTOR_APPS[0]
#: The page's own address, relative to the page: what a personal link starts with.
MENTOR_NOTEBOOK = Path(MENTOR_APP.notebook).name

GUIDANCE = (
    "Here you follow your mentees (the agreement you make together, and what they share "
    "of their goals and meetings), answer the mentees who asked you to mentor them, and "
    "keep the profile they read in the mentor directory up to date. While your facilitator "
    "has a feedback survey open, it comes first. Everything is saved as you go."
)
FIRST_TIME_HINT = (
    "Enter the invite code from your invitation (or open the personal link in it). It works "
    "once: you then get a resume code for your next visits."
)
KEPT_SIGN_IN_FAILED = (
    "This browser kept a mentor's sign-in that no longer works: your resume code may have "
    "been reset by the workshop's facilitator. Sign in again below."
)
SIGNED_OUT = "You are signed out. To come back, sign in with your resume code."


def _remembered_code(environ: Mapping[str, str]) -> str | None:
    """The mentor's resume code the server found in the browser's cookie ('' for none), or
    None when the server does not hand one on. In a kernel the variable goes at once:
    nothing started from it later inherits the code."""
    value = environ.get(MENTOR_ENVIRON)
    if environ is os.environ:
        os.environ.pop(MENTOR_ENVIRON, None)
    return None if value is None else value.strip()


#: What a signed-in mentor sees under the identity line.
Builder = Callable[[MentorSession], widgets.Widget]


class MentorApp(AppFrame):
    """The mentors' page: signs the mentor in, then shows their requests and their profile."""

    def __init__(
        self,
        *,
        store: Store | None = None,
        environ: Mapping[str, str] | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(MENTOR_APP, style=f"<style>{STYLE}</style>", environ=environ)
        self.add_class("mentorkit-mentor-page")
        self.today = today
        self.status = SaveStatus()
        self.session: MentorSession | None = None
        self.sign_out_button = widgets.Button(
            description="Sign out",
            tooltip="Leave this page signed out; this browser forgets your sign-in",
            layout=widgets.Layout(width="auto", display="none"),
        )
        # The class tells the page script to forget typing it kept for this person.
        self.sign_out_button.add_class("mentorkit-sign-out")
        self.sign_out_button.on_click(guarded(self.notice)(lambda _button: self.sign_out()))
        #: Holds the marker that asks the page to remember or forget the sign-in.
        self.memory = widgets.HTML(layout=widgets.Layout(display="none"))
        self.memory.add_class("mentorkit-memory")
        #: Whether the server hands kept sign-ins to new pages (it set `MENTOR_ENVIRON`).
        self.remembers = False
        #: The sign-in form on show (None once someone is signed in: it is closed then).
        self._form: widgets.Widget | None = None
        #: The form's inputs and buttons, for whoever drives the page (tests, the guard).
        self.invite_input: widgets.Text | None = None
        self.resume_input: widgets.Text | None = None
        self.first_time_button: widgets.Button | None = None
        self.returning_button: widgets.Button | None = None
        self._guidance.value = f'<div class="mentorkit-guidance">{paragraphs(GUIDANCE)}</div>'
        self._lay_out(
            identity=widgets.HBox([self._identity_line, self.sign_out_button]).add_class(
                "mentorkit-identity"
            ),
            hidden=[self.memory],
            footer=[widgets.VBox([self.status]).add_class("mentorkit-footer")],
        )
        self._heading()
        self._open(store, " Please tell the workshop's facilitator.")

    # -- signing in -------------------------------------------------------------------------

    def _start(self) -> None:
        """Sign in from the personal link, else with the code this browser keeps, else
        offer the form."""
        remembered = _remembered_code(self.environ)
        self.remembers = remembered is not None
        query = self.query
        hub_user = self.environ.get("JUPYTERHUB_USER")
        if hub_user:
            # The hub has said who this is; the mentor roster's hub user name is the only
            # way in, so there is no form (codes are not how anyone signs in on a hub).
            try:
                self._enter(mentor_hub_sign_in(self.store, hub_user))
            except MentorkitError as exc:
                self.notice.show(str(exc), kind="error")
            return
        try:
            try:
                if query.get("invite"):
                    self._enter(claim_mentor_invite(self.store, query["invite"]))
                    return
                if query.get("resume"):
                    self._enter(mentor_resume(self.store, query["resume"]), query["resume"])
                    return
            except MentorkitError as exc:
                # A link opened again (its invite used already, its code reset): the
                # sign-in this browser keeps still opens the page; else say what to do.
                if remembered and self._resume_remembered(remembered, quiet=True):
                    return
                self.notice.show(str(exc), kind="error")
                self._show_sign_in_form()
                return
            if remembered and self._resume_remembered(remembered):
                return
        except MentorkitError as exc:  # too many wrong codes from this page, a store error
            self.notice.show(str(exc), kind="error")
        self._show_sign_in_form()

    def _resume_remembered(self, code: str, *, quiet: bool = False) -> bool:
        """Sign in with the code this browser kept, and say whether that worked; if the
        code no longer works (reset by the facilitator, the mentor removed), forget it and,
        unless `quiet`, say so."""
        try:
            identity = mentor_resume(self.store, code)
        except SignInError:
            self.forget()
            if not quiet:
                self.notice.show(KEPT_SIGN_IN_FAILED, kind="error")
            return False
        self._enter(identity, code)
        return True

    def _show_sign_in_form(self) -> None:
        stale, self._form = self._form, self._sign_in_form()
        self._body.children = [self._form]
        if stale is not None:
            close_tree(stale)

    def _sign_in_form(self) -> widgets.Widget:
        invite = widgets.Text(description="Invite code", placeholder="XXXXX-XXXXX-XXXXX")
        start = widgets.Button(description="Sign in", button_style="primary")
        code = widgets.Text(description="Resume code", placeholder="XXXX-XXXX-XXXX-XXXX")
        again = widgets.Button(description="Continue")
        # Limits at the input (the page script sets maxlength): a code with dashes or spaces.
        invite.add_class("mentorkit-max-30")
        code.add_class("mentorkit-max-40")
        for text in (invite, code):
            text.style = {"description_width": "9rem"}
            text.layout = widgets.Layout(width="28rem")
            # Sent once, when the field is left, so the value reaches the kernel before the
            # button press: keystrokes are queued behind the kernel's replies, and a fast
            # Tab and Enter would otherwise sign in with half a code.
            text.continuous_update = False

        def open_form() -> bool:
            """Whether this form is the one on show, with nobody signed in: a closed form's
            handler does nothing (a click sent after sign-in signs nobody in)."""
            return self.session is None and self._form is form

        @guarded(self.notice)
        def first_time(_: widgets.Button) -> None:
            if open_form():
                self._enter(claim_mentor_invite(self.store, invite.value))

        @guarded(self.notice)
        def returning(_: widgets.Button) -> None:
            if open_form():
                self._enter(mentor_resume(self.store, code.value), code.value.strip())

        start.on_click(first_time)
        again.on_click(returning)
        self.invite_input, self.resume_input = invite, code
        self.first_time_button, self.returning_button = start, again
        form = widgets.VBox(
            [
                widgets.HTML("<h2>First time here?</h2>"),
                widgets.HTML(f'<p class="mentorkit-muted">{escape(FIRST_TIME_HINT)}</p>'),
                invite,
                start,
                widgets.HTML("<h2>Been here before?</h2>"),
                code,
                again,
            ]
        ).add_class("mentorkit-sign-in")
        return form

    def remember(self, code: str) -> None:
        """Ask the browser to keep the mentor's sign-in (session.js sets the mentor's
        cookie from the marker, and takes the code out of the address)."""
        if self.remembers:
            self.memory.value = (
                '<span class="mentorkit-remember" data-cookie="mentor" '
                f'data-resume="{escape(code, quote=True)}" hidden></span>'
            )

    def forget(self) -> None:
        """Ask the browser to forget the mentor's sign-in, and take codes out of the
        address."""
        self.memory.value = '<span class="mentorkit-forget" data-cookie="mentor" hidden></span>'

    def personal_link(self, code: str) -> str:
        """The link that signs this mentor in from any browser (it carries the code)."""
        return f"{MENTOR_NOTEBOOK}?resume={quote(code)}"

    def _enter(self, identity: MentorIdentity, resume_code: str | None = None) -> None:
        self.notice.clear()
        # From here the form's handlers refuse; its widgets close once off the page.
        spent, self._form = self._form, None
        self.invite_input = self.resume_input = None
        self.first_time_button = self.returning_button = None
        code = identity.new_resume_code or normalise_resume_code(resume_code or "") or None
        session = MentorSession(self.store, identity, self.status, self.notice)
        if self.today is not None:
            session.today = self.today
        self.session = session
        if code:
            self.remember(code)
        # Signed in by the hub (no code): signing out would only sign in again.
        self.sign_out_button.layout.display = "" if code else "none"
        mentor, workshop = identity.mentor, identity.workshop
        # data-mentorkit-person: the page script keeps this person's unsaved typing apart
        # from anyone else's who signs in on the same computer.
        person = escape(f"mentor-{mentor.email}", quote=True)
        line = (
            f'<p class="mentorkit-who" data-mentorkit-person="{person}">'
            f"Signed in as <strong>{escape(mentor.name)}</strong> · {escape(workshop.name)}</p>"
        )
        if identity.new_resume_code:
            shown = escape(identity.new_resume_code)
            link = escape(self.personal_link(identity.new_resume_code), quote=True)
            line += (
                '<div class="mentorkit-resume" role="note"><p>Your personal resume code: '
                f'<code class="mentorkit-resume-code">{shown}</code></p><p>Write it down or '
                "keep it in a safe place: your invite code has now been used, and this code "
                "brings you back to this page from any browser. Or bookmark your "
                f'<a href="{link}">personal link</a> (keep it to yourself).</p></div>'
            )
        self._identity_line.value = line
        self._show(self._build_view(session))
        if spent is not None:
            close_tree(spent)

    def _build_view(self, session: MentorSession) -> widgets.Widget:
        """The sections: each is built on its own, so that one that cannot be shown (its
        apology in the notice) leaves the others. A mentor with mentees mostly comes back
        for them, so they come first, after a feedback survey while one is open (it is
        open for a while only)."""
        sections: list[tuple[str, str, Builder]] = [
            ("mentees", "My mentees", MentorMenteesView),
            ("requests", "Requests from mentees", MentorRequestsView),
            ("profile", "My mentor profile", MentorProfileView),
        ]
        if guarded(self.notice)(asks_mentor)(session):
            sections.insert(0, ("survey", "Feedback survey", MentorSurveyView))
        parts: list[widgets.Widget] = []
        for slug, title, build in sections:
            view = guarded(self.notice)(build)(session)
            heading = f'<h2 id="mentorkit-mentor-{slug}">{escape(title)}</h2>'
            parts.append(widgets.HTML(heading))
            if view is not None:
                parts.append(view)
        return widgets.VBox(parts).add_class("mentorkit-mentor-sections")

    def sign_out(self) -> None:
        """Save what waits, leave the mentor's views and show the sign-in form; the browser
        forgets the sign-in, so a reload stays signed out."""
        session = self.session
        if session is None:
            return
        session.save_the_rest()
        session.close()
        self.session = None
        stale_view, self.view = self.view, None
        self.forget()
        self._identity_line.value = ""
        self.sign_out_button.layout.display = "none"
        self.status.value = ""
        self._show_sign_in_form()
        if stale_view is not None:
            close_tree(stale_view)
        self.notice.show(SIGNED_OUT, kind="success")


def mentor_app(
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
    today: date | None = None,
) -> MentorApp:
    """The mentors' page (the notebook mentor.ipynb calls this)."""
    install_widget_guards()
    return MentorApp(store=store, environ=environ, today=today)
