"""The frame around every facilitator app: heading, sign-in with the facilitator key.

A facilitator app shows nothing of the workshop until the join code and the workshop's
facilitator key match. A refused sign-in shows one sentence after a one-second pause
(which slows guessing) and nothing else: no workshop name, no participant, no count; after
a few refusals the page refuses every try for a minute (`mentorkit.access`). The key is
never taken from the page's address; `?join=CODE` may prefill the join code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import quote

import ipywidgets as widgets

from mentorkit.apps import APPS
from mentorkit.errors import MentorkitError
from mentorkit.identity import facilitator_sign_in
from mentorkit.models import Workshop
from mentorkit.store import Store
from mentorkit.ui.frame import AppFrame, Notice, guarded
from mentorkit.ui.guard import install_widget_guards
from mentorkit.ui.html import paragraphs
from mentorkit.ui.shell import STYLE

log = logging.getLogger("mentorkit")

REFUSAL_DELAY_SECONDS = 1.0  # the pause of every refusal (see mentorkit.access)
FACILITATOR_APPS = [app for app in APPS if app.audience == "facilitator"]

#: Facilitator pages hold wide tables: a wider page than the worksheets', scoped to them.
FACILITATOR_CSS = """
<style>
.mentorkit-app.mentorkit-facilitator { max-width: 78rem; }
.mentorkit-facilitator table.mentorkit-table { border-collapse: collapse; width: 100%;
  margin: 0.4rem 0 1rem; font-size: 0.92rem; }
.mentorkit-facilitator .mentorkit-table th, .mentorkit-facilitator .mentorkit-table td {
  border: 1px solid #cbd2d9; padding: 0.25rem 0.45rem; text-align: start; vertical-align: top; }
.mentorkit-facilitator .mentorkit-table thead th { background: #eef2f7; }
.mentorkit-facilitator .mentorkit-table td.num, .mentorkit-facilitator .mentorkit-table th.num {
  text-align: right; }
.mentorkit-facilitator .mentorkit-step-done { color: #03543f; font-weight: 600; }
.mentorkit-facilitator .mentorkit-step-started { color: #8a4b08; }
.mentorkit-facilitator .mentorkit-step-none { color: #52606d; }
.mentorkit-facilitator .mentorkit-toolbar { display: flex; flex-wrap: wrap; align-items: center;
  gap: 0.3rem 1.2rem; margin: 0.4rem 0; }
.mentorkit-facilitator .mentorkit-people-actions { display: flex; flex-wrap: wrap;
  gap: 0.3rem 0.8rem; margin: 0.4rem 0; }
.mentorkit-facilitator .widget-checkbox { width: auto; }
.mentorkit-facilitator .widget-button { width: auto; }
.mentorkit-facilitator .widget-vbox > .widget-button,
.mentorkit-facilitator .widget-vbox > .widget-upload { align-self: flex-start; }
.mentorkit-facilitator .mentorkit-contents ul { display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem;
  list-style: none; padding: 0; margin: 0.3rem 0 0.6rem; }
.mentorkit-facilitator .mentorkit-contents a { color: #1d4ed8; }
.mentorkit-facilitator .mentorkit-charts { display: grid;
  grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 0.5rem 2rem; }
.mentorkit-facilitator .mentorkit-bar-label { width: 12rem; }
.mentorkit-facilitator .mentorkit-bar-track { max-width: 14rem; }
.mentorkit-facilitator .mentorkit-bar-count { min-width: 4.5rem; }
.mentorkit-facilitator .mentorkit-pair { flex-wrap: wrap; align-items: flex-start; gap: 0.2rem 1rem;
  border-bottom: 1px solid #d9e2ec; padding: 0.35rem 0; }
.mentorkit-facilitator .mentorkit-pair p { margin: 0.1rem 0; }
.mentorkit-facilitator .mentorkit-locked { color: #03543f; font-weight: 600; }
.mentorkit-facilitator .mentorkit-roster { font-size: 0.85rem; line-height: 1.3; }
.mentorkit-facilitator .mentorkit-roster td.num, .mentorkit-facilitator .mentorkit-roster td.when {
  white-space: nowrap; }
.mentorkit-facilitator .mentorkit-table-wrap { overflow-x: auto; }
.mentorkit-facilitator-nav { display: flex; gap: 1rem; list-style: none; padding: 0.4rem 0;
  margin: 0 0 0.5rem; border-bottom: 1px solid #d9e2ec; }
.mentorkit-facilitator-nav a { color: #1d4ed8; }
.mentorkit-facilitator-nav a[aria-current="page"] { font-weight: 700; color: #102a43; }
</style>
"""


@dataclass
class FacilitatorSession:
    """A facilitator signed in to one workshop: what their app's view is built from."""

    store: Store
    workshop: Workshop
    notice: Notice
    #: Called when the view changed `workshop` (its details, or another workshop entirely),
    #: so that the frame shows what is now current; set by the app.
    on_workshop_change: Callable[[], None] | None = None

    #: The workshop was deleted from this page: nothing is open until another one is.
    deleted: bool = False

    def switch_to(self, workshop: Workshop) -> None:
        """Make `workshop` the current one (edited, or another the facilitator opened)."""
        self.workshop = workshop
        self.deleted = False
        if self.on_workshop_change is not None:
            self.on_workshop_change()

    def workshop_deleted(self) -> None:
        """The current workshop was deleted: the frame stops naming it and linking to it."""
        self.deleted = True
        if self.on_workshop_change is not None:
            self.on_workshop_change()

    @property
    def today(self) -> date:
        return date.today()

    def link(self, notebook: str) -> str:
        """A link to another facilitator app that prefills the join code (never the key)."""
        return f"{notebook}?join={quote(self.workshop.code)}"


class FacilitatorApp(AppFrame):
    """One facilitator app: asks for the join code and facilitator key, then shows the view
    `build` makes for the workshop."""

    def __init__(
        self,
        app_key: str,
        build: Callable[[FacilitatorSession], widgets.Widget],
        intro: str = "",
        *,
        store: Store | None = None,
        environ: Mapping[str, str] | None = None,
        refusal_delay: float = REFUSAL_DELAY_SECONDS,
        sign_in_extra: Callable[[FacilitatorApp], widgets.Widget | None] | None = None,
    ) -> None:
        app = next(a for a in FACILITATOR_APPS if Path(a.notebook).stem == app_key)
        super().__init__(app, style=f"<style>{STYLE}</style>{FACILITATOR_CSS}", environ=environ)
        self.add_class("mentorkit-facilitator")
        self.build = build
        self.refusal_delay = refusal_delay
        self.sign_in_extra = sign_in_extra
        self.session: FacilitatorSession | None = None
        if intro:
            self._guidance.value = f'<div class="mentorkit-guidance">{paragraphs(intro)}</div>'
        self._lay_out()
        self._render_header()
        self._open(store)

    def _start(self) -> None:
        """Offer the sign-in form, the join code prefilled from `?join=`."""
        self.join = widgets.Text(
            value=self.query.get("join", ""),
            description="Join code",
            placeholder="ABCD-EFGH",
        )
        self.key = widgets.Password(description="Facilitator key")
        self.sign_in_button = widgets.Button(description="Sign in", button_style="primary")
        for text in (self.join, self.key):
            text.style = {"description_width": "9rem"}
            text.layout = widgets.Layout(width="30rem")
            # Sent once, when the field is left, so a fast Tab and Enter cannot sign in
            # with a half-synced key (keystrokes queue behind the kernel's replies).
            text.continuous_update = False
        self.sign_in_button.on_click(guarded(self.notice)(lambda _button: self.sign_in()))
        self._body.children = [
            widgets.VBox(
                [
                    widgets.HTML(
                        "<h2>Facilitator sign-in</h2><p>Enter the workshop's join code and "
                        "the facilitator key you were given when the workshop was created.</p>"
                    ),
                    self.join,
                    self.key,
                    self.sign_in_button,
                ]
            ).add_class("mentorkit-sign-in")
        ]
        # What an app offers under the form (the setup app: the first workshop, first run).
        extra = guarded(self.notice)(self.sign_in_extra)(self) if self.sign_in_extra else None
        if extra is not None:
            self._body.children = [*self._body.children, extra]

    def _render_header(self) -> None:
        nav = ""
        if self.session is not None and not self.session.deleted:
            items = []
            for app in FACILITATOR_APPS:
                href = escape(self.session.link(Path(app.notebook).name))
                current = ' aria-current="page"' if app is self.app else ""
                items.append(f'<li><a href="{href}"{current}>{escape(app.title)}</a></li>')
            nav = (
                '<nav aria-label="Facilitator apps"><ul class="mentorkit-facilitator-nav">'
                f"{''.join(items)}</ul></nav>"
            )
        self._heading(nav)

    def sign_in(self) -> None:
        """Check the join code and key; build the view, or refuse in one sentence."""
        self.notice.clear()
        typed_code, key = self.join.value, self.key.value
        self.key.value = ""  # a refused key is not left in the page, an accepted one neither
        try:
            workshop = facilitator_sign_in(self.store, typed_code, key, pause=self.refusal_delay)
        except MentorkitError as exc:  # refused, or too many tries
            self.notice.show(str(exc), kind="error")
            return
        self.enter(workshop)

    def enter(self, workshop: Workshop) -> None:
        """Show the view for `workshop`, whose key was checked (or which was just made)."""
        self.session = FacilitatorSession(
            self.store, workshop, self.notice, on_workshop_change=self._show_workshop
        )
        self._show_workshop()
        self._show(None)
        self._show(guarded(self.notice)(self.build)(self.session))

    def _show_workshop(self) -> None:
        """The header and the identity line for the session's current workshop."""
        self._render_header()
        if self.session is None or self.session.deleted:
            self._identity_line.value = ""
            return
        workshop = self.session.workshop
        self._identity_line.value = (
            f'<p class="mentorkit-who">Facilitator of <strong>{escape(workshop.name)}</strong>'
            f" · join code <code>{escape(workshop.code)}</code></p>"
        )


def facilitator_app(
    app_key: str,
    build: Callable[[FacilitatorSession], widgets.Widget],
    intro: str = "",
    *,
    store: Store | None = None,
    environ: Mapping[str, str] | None = None,
    refusal_delay: float = REFUSAL_DELAY_SECONDS,
    sign_in_extra: Callable[[FacilitatorApp], widgets.Widget | None] | None = None,
) -> FacilitatorApp:
    """The page of one facilitator app; notebooks call this through the per-app functions.
    `sign_in_extra` adds what an app offers under the sign-in form (given the app)."""
    install_widget_guards()
    return FacilitatorApp(
        app_key,
        build,
        intro,
        store=store,
        environ=environ,
        refusal_delay=refusal_delay,
        sign_in_extra=sign_in_extra,
    )
