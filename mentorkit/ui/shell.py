"""The frame around every worksheet: heading, journey strip, guidance, sign-in, status.

Signing in: a personal link (`?resume=`), the browser's remembered sign-in, or the form.
Once signed in, the page asks the browser to remember the resume code (a marker element
the template's session.js turns into the `mentorkit_resume` cookie), so that a reload, a
new tab or a link to the next worksheet opens signed in; the server hands that cookie's
code, and no other cookie, to the next page's kernel (`mentorkit.jupyter.server`). Where
the server does not (plain Jupyter Server), links between worksheets carry the code as
before. "Sign out" forgets it again, for shared computers. JupyterHub users are who the
hub says and need none of this.

The form's first-time part takes an invite code, or the join code and a name
(`mentorkit.identity.sign_in`). Once someone is signed in, the form's widgets are closed
and its handlers refuse: a page that goes on sending "Start" clicks adds nobody. Signing
out shows a new form, and the page's count of new participants
(`mentorkit.access.page_newcomers`) limits how often that can add one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import ipywidgets as widgets

from mentorkit.apps import APPS, JOURNEY_NOTEBOOK, App
from mentorkit.errors import MentorkitError
from mentorkit.identity import (
    Identity,
    SignInError,
    hub_sign_in,
    normalise_resume_code,
    resume,
    sign_in,
)
from mentorkit.jupyter import RESUME_ENVIRON
from mentorkit.jupyter.lab import (
    RESUME_ELSEWHERE,
    in_jupyterlab,
    kept_sign_in_box,
    send_lab_page_script,
)
from mentorkit.models import Document, Participant, Workshop
from mentorkit.store import DEFAULT_DOCUMENT_NAME, DocumentKey, Saved, Store
from mentorkit.ui.autosave import Autosaver, SaveStatus
from mentorkit.ui.frame import AppFrame, Notice, close_tree, guarded
from mentorkit.ui.guard import install_widget_guards
from mentorkit.ui.html import paragraphs, spoken_list
from mentorkit.ui.landing import journey_html
from mentorkit.worksheets import natural_order
from mentorkit.workshops import guidance_for

log = logging.getLogger("mentorkit")

STYLE = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")

D = TypeVar("D", bound=Document)


@dataclass
class Session:
    """A signed-in participant's connection to the store, shared by a page's views.

    It holds one autosaver per document the page edits (SMART goals and Check-ins edit
    several); `on_conflict` is told when one of them meets a newer version saved in
    another tab or device, and `keep_mine` resolves every such conflict at once.
    """

    store: Store
    identity: Identity
    status: SaveStatus
    notice: Notice
    resume_code: str | None = None
    #: The browser keeps the sign-in (the server hands the remembered code to new pages),
    #: so links between worksheets need not carry the code.
    remembered: bool = False
    on_conflict: Callable[[Autosaver], object] | None = None
    #: The notebook that holds every worksheet in one page (`JOURNEY_NOTEBOOK`), when this
    #: page is that one: links to a worksheet are then links to a step of it.
    journey: str | None = None
    #: Ends the session for good and leaves only the given view on the page (My plan, once
    #: the participant's data is erased): the page's `leave_only`.
    leave_only: Callable[[widgets.Widget], object] | None = None
    _autosavers: dict[tuple[str, str], Autosaver] = field(default_factory=dict)

    @property
    def workshop(self) -> Workshop:
        return self.identity.workshop

    @property
    def participant(self) -> Participant:
        return self.identity.participant

    def key(self, kind: str, name: str = DEFAULT_DOCUMENT_NAME) -> DocumentKey:
        """The store key of this participant's document: never anyone else's."""
        return DocumentKey(self.workshop.code, self.participant.id, kind, name)

    def autosaver(
        self, kind: str, name: str = DEFAULT_DOCUMENT_NAME, *, saved: Saved | None = None
    ) -> Autosaver:
        """The autosaver of one of this participant's documents (loaded once per page;
        `saved`: as just read, so that it is not read again)."""
        if (kind, name) not in self._autosavers:
            self._autosavers[(kind, name)] = Autosaver(
                self.store,
                self.key(kind, name),
                self.status,
                on_conflict=self._conflicted,
                saved=saved,
            )
        return self._autosavers[(kind, name)]

    def autosavers(self, kind: type[Document]) -> dict[str, Autosaver]:
        """An autosaver for each saved document of `kind` of this participant, by name,
        'goal-2' before 'goal-10': one read of the store for all of them (a page editing
        several documents of a kind starts from these)."""
        found = self.store.list(self.workshop.code, participant=self.participant.id, kind=kind.kind)
        listed = {s.key.name: s for s in found if isinstance(s.document, kind)}
        return {
            name: self.autosaver(kind.kind, name, saved=listed[name])
            for name in sorted(listed, key=natural_order)
        }

    def forget(self, autosaver: Autosaver) -> None:
        """Stop `autosaver` for good (its document was removed): a new document of the same
        name gets a new one."""
        autosaver.close()
        self._autosavers.pop((autosaver.key.kind, autosaver.key.name), None)

    def _conflicted(self, autosaver: Autosaver) -> None:
        if self.on_conflict is not None:
            self.on_conflict(autosaver)

    def conflicts(self) -> list[Autosaver]:
        """The documents held back because another tab or device saved a newer version."""
        return [saver for saver in self._autosavers.values() if saver.in_conflict]

    def keep_mine(self) -> bool:
        """Save this page's version of every conflicting document over the newer one;
        returns whether all of them are saved (the newer versions stay in the history)."""
        results = [saver.keep_mine() for saver in self.conflicts()]
        return all(results)

    def save_the_rest(self) -> bool:
        """Save now every edit not held by a conflict; returns whether none is left waiting
        (an invalid edit is not waiting: the save status already names its problem)."""
        others = [saver for saver in self._autosavers.values() if not saver.in_conflict]
        for saver in others:
            saver.flush()
        return not any(saver.has_unsaved_changes for saver in others)

    def close(self) -> None:
        """Stop every autosaver: the page is about to show the store's versions instead."""
        for saver in self._autosavers.values():
            saver.close()

    def document(self, kind: type[D], name: str = DEFAULT_DOCUMENT_NAME) -> D | None:
        """This participant's saved document of `kind` (read only), or None."""
        saved = self.store.load(self.key(kind.kind, name))
        return saved.document if saved is not None and isinstance(saved.document, kind) else None

    def documents(self, kind: type[D]) -> dict[str, D]:
        """Every saved document of `kind` of this participant, by name, 'goal-2' before
        'goal-10'."""
        found = self.store.list(self.workshop.code, participant=self.participant.id, kind=kind.kind)
        by_name = {s.key.name: s.document for s in found if isinstance(s.document, kind)}
        return {name: by_name[name] for name in sorted(by_name, key=natural_order)}

    def link(self, notebook: str) -> str:
        """A link to another app that keeps this participant signed in: the plain address
        where the browser remembers the sign-in (so the code does not sit in the address bar,
        the history and every copied link), else the personal link."""
        if self.remembered:
            return address(notebook, self.journey)
        return self.personal_link(notebook)

    def personal_link(self, notebook: str) -> str:
        """A link that signs this participant in from any browser (it carries the code)."""
        found = address(notebook, self.journey)
        if self.resume_code:
            joiner = "&" if "?" in found else "?"
            return f"{found}{joiner}resume={quote(self.resume_code)}"
        return found


def address(notebook: str, journey: str | None) -> str:
    """Where a link to the worksheet `notebook` leads: the worksheet's own notebook, or,
    from a page holding the whole journey, that worksheet's step of it."""
    name = Path(notebook).name
    return f"{journey}?step={quote(Path(name).stem)}" if journey else name


def _journey(current: App | None, session: Session | None, journey: str | None = None) -> str:
    def link(app: App) -> str:
        return session.link(app.notebook) if session else address(app.notebook, journey)

    return journey_html(current, link)


def _remembered_code(environ: Mapping[str, str]) -> str | None:
    """The resume code the server found in the browser's cookie ('' for none), or None
    when the server does not hand one on. In a kernel the variable goes at once: nothing
    started from it later inherits the code."""
    value = environ.get(RESUME_ENVIRON)
    if environ is os.environ:
        os.environ.pop(RESUME_ENVIRON, None)
    return None if value is None else value.strip()


class ConflictPanel(widgets.VBox):
    """What a tab shows when another tab or device saved a newer version of its answers.

    It names what changed and offers the two ways out; it stays until one is chosen, at
    the foot of the window beside the save status, where a participant typing sees it.
    Focus is left where it is: moved to a button, the next key pressed could choose.
    """

    def __init__(self) -> None:
        self.message = widgets.HTML()
        self.load_newer = widgets.Button(
            description="Load the newer version",
            button_style="primary",
            tooltip="Show what is saved now; edits made in this page since are dropped",
            layout=widgets.Layout(width="auto"),
        ).add_class("mentorkit-forget-typed")  # the page script drops this tab's kept typing
        self.keep_mine = widgets.Button(
            description="Keep my version",
            tooltip="Save what this page shows; the other version stays in the history",
            layout=widgets.Layout(width="auto"),
        )
        actions = widgets.HBox([self.load_newer, self.keep_mine])
        super().__init__(
            [self.message, actions.add_class("mentorkit-conflict-actions")],
            layout=widgets.Layout(display="none"),
        )
        self.add_class("mentorkit-conflict")

    @property
    def shown(self) -> bool:
        display: str | None = self.layout.display
        return display != "none"

    def show(self, conflicts: list[Autosaver]) -> None:
        """Name the documents held back and offer the choice."""
        if not conflicts:
            self.hide()
            return
        changed = [saver.words for saver in conflicts if not saver.removed_elsewhere]
        removed = [saver.words for saver in conflicts if saver.removed_elsewhere]
        what = []
        if changed:
            verb = "was" if len(changed) == 1 else "were"
            what.append(f"your {spoken_list(changed)} {verb} changed")
        if removed:
            verb = "was" if len(removed) == 1 else "were"
            what.append(f"your {spoken_list(removed)} {verb} removed")
        headline = " and ".join(what)
        headline = headline[:1].upper() + headline[1:]
        self.message.value = (
            '<div role="alert">'
            f"<p><strong>{escape(headline)} in another tab or device</strong> after this page "
            "loaded it. Nothing was overwritten. Your edits here stay in this page but are "
            "not saved until you choose:</p><ul>"
            "<li><strong>Load the newer version</strong>: this page shows what is saved now; "
            "what you typed here since is dropped, so copy anything you want to keep first."
            "</li><li><strong>Keep my version</strong>: what this page shows is saved over "
            "it. The other version stays in the history, and the other tab is told when it "
            "next saves.</li></ul></div>"
        )
        self.layout.display = "flex"

    def hide(self) -> None:
        self.layout.display = "none"
        self.message.value = ""


class WorksheetApp(AppFrame):
    """One app: signs the participant in, then shows the view `build` makes for them."""

    #: The notebook holding every worksheet, when this app is that page (`JourneyApp`).
    journey: str | None = None

    def __init__(
        self,
        app_key: str,
        build: Callable[[Session], widgets.Widget],
        *,
        store: Store | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        app = next(a for a in APPS if Path(a.notebook).stem == app_key)
        super().__init__(app, style=f"<style>{STYLE}</style>", environ=environ)
        self.build = build
        self.status = SaveStatus()
        self.session: Session | None = None
        self.sign_out_button = widgets.Button(
            description="Sign out",
            tooltip="Leave this page signed out; this browser forgets your sign-in",
            layout=widgets.Layout(width="auto", display="none"),
        )
        self.sign_out_button.add_class("mentorkit-sign-out")
        #: Holds the marker that asks the page to remember or forget the sign-in.
        self.memory = widgets.HTML(layout=widgets.Layout(display="none"))
        self.memory.add_class("mentorkit-memory")
        #: Whether the server hands remembered sign-ins to new pages (see the module doc).
        self.remembers = False
        #: Whether the page is a notebook in JupyterLab (`mentorkit.jupyter.lab`).
        self.in_lab = False
        self._welcome = False
        #: The sign-in form on show (None once someone is signed in: it is closed then).
        self._form: widgets.Widget | None = None
        self.conflict_panel = ConflictPanel()
        guard = guarded(self.notice)
        self.conflict_panel.load_newer.on_click(guard(self._load_newer))
        self.conflict_panel.keep_mine.on_click(guard(self._keep_mine))
        self.sign_out_button.on_click(guard(lambda _button: self.sign_out()))
        self._lay_out(
            identity=widgets.HBox([self._identity_line, self.sign_out_button]).add_class(
                "mentorkit-identity"
            ),
            hidden=[self.memory],
            footer=[widgets.VBox([self.conflict_panel, self.status]).add_class("mentorkit-footer")],
        )
        self._render_header()
        self._open(store, " Please tell your facilitator.")

    def _render_header(self) -> None:
        self._heading(_journey(self.app, self.session, self.journey))
        # The workshop's own text once it is known (signed in), else the default one.
        workshop = self.session.workshop if self.session is not None else None
        guidance = guidance_for(workshop, Path(self.app.notebook).stem)
        self._guidance.value = f'<div class="mentorkit-guidance">{paragraphs(guidance)}</div>'

    def _start(self) -> None:
        environ, query = self.environ, self.query
        remembered = _remembered_code(environ)
        self.remembers = remembered is not None
        if in_jupyterlab(environ):
            self._join_lab()
        # The server's own sign-in page issued a new code and sent the browser here with
        # it in the cookie: show it, once, as a sign-in here would.
        self._welcome = query.get("welcome") == "1"
        if environ.get("JUPYTERHUB_USER"):
            # The hub has said who this is; the roster's hub user name is the only way in,
            # so there is no form to offer (its join code would be refused by the database).
            join = query.get("join") or environ.get("MENTORKIT_WORKSHOP")
            try:
                self._enter(hub_sign_in(self.store, environ["JUPYTERHUB_USER"], join))
            except MentorkitError as exc:
                self.notice.show(str(exc), kind="error")
            return
        try:
            if query.get("resume"):
                self._enter(resume(self.store, query["resume"]), query["resume"])
                return
            if remembered:
                self._resume_remembered(remembered)
                if self.session is not None:
                    return
        except MentorkitError as exc:
            self.notice.show(str(exc), kind="error")
        self._show_sign_in_form(query.get("join", ""))

    def _join_lab(self) -> None:
        """In JupyterLab: the Lab tab keeps the sign-in, and links open worksheets in Lab."""
        self.in_lab = self.remembers = True
        send_lab_page_script(Path(app.notebook).name for app in APPS)
        box = kept_sign_in_box(guarded(self.notice)(self._kept_sign_in))
        self.children = [*self.children, box]

    def _kept_sign_in(self, code: str) -> None:
        """The Lab tab kept a sign-in: use it, unless someone signed in here already."""
        if self.session is None and self._form is not None:
            self._resume_remembered(code)

    def _show_sign_in_form(self, join_code: str) -> None:
        stale, self._form = self._form, self._sign_in_form(join_code)
        self._body.children = [self._form]
        if stale is not None:
            close_tree(stale)

    def _resume_remembered(self, code: str) -> None:
        """Sign in with the code this browser kept; if it no longer works (reset by the
        facilitator, the participant removed), forget it and say so."""
        try:
            identity = resume(self.store, code)
        except SignInError:
            self.forget()
            self.notice.show(
                "This browser kept a sign-in that no longer works: your resume code may have "
                "been reset by your facilitator. Sign in again below.",
                kind="error",
            )
            return
        self._enter(identity, code)

    def _sign_in_form(self, join_code: str) -> widgets.Widget:
        invite = widgets.Text(description="Invite code", placeholder="XXXXX-XXXXX-XXXXX")
        join = widgets.Text(value=join_code, description="Join code", placeholder="ABCD-EFGH")
        who = widgets.Text(description="Your name", placeholder="e.g. Ada Lovelace")
        start = widgets.Button(description="Start", button_style="primary")
        code = widgets.Text(description="Resume code", placeholder="XXXX-XXXX-XXXX-XXXX")
        again = widgets.Button(description="Continue")
        # Limits at the input (the page script sets maxlength and shows a count): an invite
        # or join code with dashes or spaces, a name, a resume code with spaces.
        invite.add_class("mentorkit-max-30")
        join.add_class("mentorkit-max-20")
        who.add_class("mentorkit-max-254")
        code.add_class("mentorkit-max-40")
        for text in (invite, join, who, code):
            text.style = {"description_width": "9rem"}
            text.layout = widgets.Layout(width="28rem")
            # Sent once, when the field is left, so the value reaches the kernel before the
            # button press: keystrokes are queued behind the kernel's replies, and a fast
            # Tab and Enter would otherwise sign in with half a code.
            text.continuous_update = False

        def open_form() -> bool:
            """Whether this form is the one on show, with nobody signed in: a closed form's
            handler does nothing (a click sent after sign-in adds nobody)."""
            return self.session is None and self._form is form

        @guarded(self.notice)
        def first_time(_: widgets.Button) -> None:
            if open_form():
                self._enter(sign_in(self.store, join.value, who.value, invite_code=invite.value))

        @guarded(self.notice)
        def returning(_: widgets.Button) -> None:
            if open_form():
                self._enter(resume(self.store, code.value), code.value.strip())

        start.on_click(first_time)
        again.on_click(returning)
        form = widgets.VBox(
            [
                widgets.HTML("<h2>First time here?</h2>"),
                widgets.HTML(
                    '<p class="mentorkit-muted">Got an invitation with an invite code? Enter '
                    "it: nothing else is needed. No invite code? Enter the join code and your "
                    "name.</p>"
                ),
                invite,
                join,
                who,
                start,
                widgets.HTML("<h2>Been here before?</h2>"),
                code,
                again,
            ]
        ).add_class("mentorkit-sign-in")
        return form

    def _open_session(self, identity: Identity, resume_code: str | None) -> Session:
        return Session(
            self.store,
            identity,
            self.status,
            self.notice,
            resume_code=resume_code,
            remembered=self.remembers and bool(resume_code),
            journey=self.journey,
            on_conflict=guarded(self.notice)(self._conflicted),
            leave_only=self.leave_only,
        )

    def remember(self, code: str) -> None:
        """Ask the browser to keep the sign-in (session.js sets the cookie from the marker)."""
        if self.remembers:
            self.memory.value = (
                f'<span class="mentorkit-remember" data-resume="{escape(code, quote=True)}" '
                "hidden></span>"
            )

    def forget(self) -> None:
        """Ask the browser to forget its sign-in, and take the code out of the address."""
        self.memory.value = '<span class="mentorkit-forget" hidden></span>'

    def leave_only(self, view: widgets.Widget) -> None:
        """End the session for good and show only the page's title and `view` (the
        participant's data was erased: links, the sign-in line and the browser's kept
        sign-in all lead nowhere now)."""
        self.session = None
        self.forget()
        self.sign_out_button.layout.display = "none"
        self.children = [
            widgets.HTML(f"<style>{STYLE}</style><h1>{escape(self.app.title)}</h1>"),
            view,
            self.memory,
        ]

    def sign_out(self) -> None:
        """Save what waits, leave the participant's worksheet and show the sign-in form;
        the browser forgets the sign-in, so a reload stays signed out."""
        session = self.session
        if session is None:
            return
        session.save_the_rest()
        session.close()
        self.session = None
        stale_view, self.view = self.view, None
        self.forget()
        self._render_header()
        self._identity_line.value = ""
        self.sign_out_button.layout.display = "none"
        self.conflict_panel.hide()
        self.status.value = ""
        self._show_sign_in_form("")
        if stale_view is not None:
            close_tree(stale_view)
        self.notice.show(
            "You are signed out. To come back, sign in with your resume code.", kind="success"
        )

    def _enter(self, identity: Identity, resume_code: str | None = None) -> None:
        self.notice.clear()
        # From here the form's handlers refuse; its widgets close once off the page.
        spent, self._form = self._form, None
        code = identity.new_resume_code or (normalise_resume_code(resume_code or "") or None)
        self.session = self._open_session(identity, code)
        if code:  # JupyterHub users have none: the hub signs them in
            self.remember(code)
        self.sign_out_button.layout.display = "" if code else "none"
        self._render_header()
        who = escape(identity.participant.name)
        workshop = escape(identity.workshop.name)
        # data-mentorkit-person: the page script keeps this person's unsaved typing apart
        # from anyone else's who signs in on the same computer.
        line = (
            f'<p class="mentorkit-who" data-mentorkit-person="{escape(identity.participant.id)}">'
            f"Signed in as <strong>{who}</strong> · {workshop}</p>"
        )
        new_code = identity.new_resume_code or (code if self._welcome else None)
        self._welcome = False
        if new_code:
            code = escape(new_code)
            elsewhere = (
                escape(RESUME_ELSEWHERE)
                if self.in_lab
                else "Or bookmark your "
                f'<a href="{escape(self.session.personal_link(self.app.notebook))}">'
                "personal link</a> (keep it to yourself)."
            )
            line += (
                '<div class="mentorkit-resume" role="note"><p>Your personal resume code: '
                f'<code class="mentorkit-resume-code">{code}</code></p><p>Write it down or '
                "keep it in a safe place: with it you can come back to your answers from any "
                f"browser, and nobody else can open them. {elsewhere}</p></div>"
            )
        self._identity_line.value = line
        self._show(self._build_view())
        if spent is not None:
            close_tree(spent)

    def _build_view(self) -> widgets.Widget | None:
        assert self.session is not None
        return guarded(self.notice)(self.build)(self.session)

    # -- another tab or device saved a newer version ----------------------------------------

    def _conflicted(self, _autosaver: Autosaver) -> None:
        if self.session is not None:
            self.conflict_panel.show(self.session.conflicts())

    def load_newer(self) -> None:
        """Show what is saved now: the view is rebuilt from the store for the same person.

        Edits to other documents of the page are saved first; if one cannot be (the store
        is failing), nothing is rebuilt, so that nothing typed is lost on the way.
        """
        session = self.session
        if session is None:
            return
        if not session.save_the_rest():
            self.notice.show(
                "Your other edits on this page are not saved yet, so the newer version was "
                "not loaded: that would lose them. Try again in a moment.",
                kind="error",
            )
            return
        changed = [saver.key for saver in session.conflicts()]
        session.close()
        self.session = self._open_session(session.identity, session.resume_code)
        stale_view = self.view
        self._show(self._build_view())
        if stale_view is not None:
            close_tree(stale_view)
        self.conflict_panel.hide()
        times = [found.saved_at for key in changed if (found := self.store.load(key)) is not None]
        self.status.loaded(max(times, default=datetime.now(UTC)))
        self.notice.show(
            "This page now shows the version saved in your other tab or device.",
            kind="success",
        )

    def keep_mine(self) -> None:
        """Save this page's version over the newer one (which stays in the history)."""
        session = self.session
        if session is None:
            return
        saved = session.keep_mine()
        still = session.conflicts()
        if still:  # yet another save came in meanwhile: ask again
            self.conflict_panel.show(still)
            return
        self.conflict_panel.hide()
        if saved:
            self.notice.show(
                "Your version is saved. The other version stays in the history; a tab still "
                "showing it is told when it next saves.",
                kind="success",
            )

    def _load_newer(self, _button: widgets.Button) -> None:
        self.load_newer()

    def _keep_mine(self, _button: widgets.Button) -> None:
        self.keep_mine()


#: What a worksheet shows a signed-in participant.
Builder = Callable[[Session], widgets.Widget]


class JourneyApp(WorksheetApp):
    """Every participant worksheet in one page, on one kernel: moving to the next step
    swaps the worksheet in place instead of opening a new page (which would load the page
    scripts again and take a kernel of its own: seconds, and about 80 MB, per move).

    Links to a worksheet (the journey strip, "go back to step 1" hints) are links to a step
    of this page (`journey.ipynb?step=02_mentor_shortlist`), so they still work as plain
    links: opened in a new tab, or where no page script runs, they open the page at that
    step. In the page, the template's script turns a click on one into a request for the
    step, written into the hidden `step_request` text box; the kernel answers by swapping
    the worksheet and writing the step into the `place` marker, from which the script sets
    the address (so a reload, Back and Forward land on the step shown).

    A move saves what waits first; it does not happen while the page holds edits it
    cannot save (the store is failing, or another tab saved a newer version and the
    participant has not chosen yet): the worksheet would be rebuilt from the store without
    them.
    """

    journey = JOURNEY_NOTEBOOK

    def __init__(
        self,
        steps: Mapping[str, Builder],
        *,
        store: Store | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.steps = dict(steps)
        #: Written by the page script with the step a link asked for; emptied once read.
        self.step_request = widgets.Text(layout=widgets.Layout(display="none"))
        self.step_request.add_class("mentorkit-step-request")
        #: The step shown, for the page script to put in the address.
        self.place = widgets.HTML(layout=widgets.Layout(display="none"))
        self.place.add_class("mentorkit-place")
        self._marks = 0
        self.step_request.observe(self._requested, names="value")
        first = next(iter(self.steps))
        super().__init__(first, self._build_step, store=store, environ=environ)
        self.children = [*self.children, self.step_request, self.place]
        self._mark_place()

    @property
    def step(self) -> str:
        """The notebook stem of the worksheet shown ('01_self_assessment')."""
        return Path(self.app.notebook).stem

    def _build_step(self, session: Session) -> widgets.Widget:
        view = self.steps[self.step](session)
        if isinstance(view, widgets.DOMWidget):
            # The page script keeps unsaved typing per worksheet (fields of two worksheets
            # may share a name under this one address).
            view.add_class(f"mentorkit-worksheet-{self.step}")
        return view

    def _start(self) -> None:
        asked = self.query.get("step", "")
        if asked in self.steps:
            self._show_step(asked)
        super()._start()

    def _show_step(self, step: str) -> None:
        """Show `step`'s title, journey strip and guidance (not yet its worksheet)."""
        self.app = next(a for a in APPS if Path(a.notebook).stem == step)
        self._mark_place()
        self._render_header()

    def _mark_place(self) -> None:
        # A new mark every time, even for the same step: after a refused move the page
        # script must set the address back to the step still shown.
        self._marks += 1
        self.place.value = (
            f'<span class="mentorkit-step" data-step="{escape(self.step, quote=True)}" '
            f'data-title="{escape(self.app.title, quote=True)}" data-mark="{self._marks}" '
            "hidden></span>"
        )

    def _requested(self, change: Mapping[str, object]) -> None:
        asked = change["new"]
        if not isinstance(asked, str) or not asked:
            return
        self.step_request.value = ""  # ready for the next request, even of the same step
        guarded(self.notice)(self.go_to)(asked)

    def go_to(self, step: str) -> None:
        """Show the worksheet `step` (a notebook stem) in place of the one shown."""
        if step not in self.steps or step == self.step:
            self._mark_place()  # the address asked for something else: show where we are
            return
        session = self.session
        if session is not None:
            if session.conflicts():
                self.notice.show(
                    "Another tab or device saved a newer version of your answers: choose "
                    "below which one to keep before you move on.",
                    kind="error",
                )
                self._mark_place()
                return
            if not session.save_the_rest():
                self.notice.show(
                    "Your last edits are not saved yet, so this page stays here: moving on "
                    "would lose them. Try again in a moment.",
                    kind="error",
                )
                self._mark_place()
                return
        self.notice.clear()
        self._show_step(step)
        if session is None:
            return  # not signed in: the sign-in form stays, under the new step's title
        session.close()
        self.session = self._open_session(session.identity, session.resume_code)
        stale_view = self.view
        self._show(None)
        self._show(self._build_view())
        if stale_view is not None:
            close_tree(stale_view)


def journey_app(
    steps: Mapping[str, Builder],
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
) -> JourneyApp:
    """The page holding every worksheet (`ui.journey` gives it the worksheets)."""
    install_widget_guards()
    return JourneyApp(steps, store=store, environ=environ)


def worksheet_app(
    app_key: str,
    build: Callable[[Session], widgets.Widget],
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
) -> WorksheetApp:
    """The page for one worksheet; notebooks call this through the per-app functions."""
    install_widget_guards()
    return WorksheetApp(app_key, build, store=store, environ=environ)
