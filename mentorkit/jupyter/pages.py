"""The gallery and the sign-in page, rendered by the standalone server itself as plain HTML.

When a workshop starts, the whole room opens the link at the same moment. A Voilà page
costs each browser seconds of work (about a hundred requests, megabytes of scripts) and the
server a kernel; on a small machine a crowd waits many seconds for its first usable field.
The first two pages a participant meets need neither a kernel nor widgets, so the server
answers them itself, in a few kilobytes without a script:

* the gallery at the base URL (`/`): `mentorkit.ui.landing.gallery_html`, the same content
  the notebook gallery shows in JupyterLab; a step's card leads to the sign-in page;
* the sign-in page, `start?step=<worksheet>`: the worksheet form's two parts ("First time
  here?": an invite code, or the join code and a name; "Been here before?": the resume
  code) as a plain form, with the same rules and messages (`mentorkit.identity`). Signing
  in happens here, in the server process; on success the browser keeps the resume code in
  the `mentorkit_resume` cookie, exactly as the pages' session.js keeps it, and goes on to
  the participant's journey
  (`voila/render/journey.ipynb?step=…`, `&welcome=1` after a first sign-in so that the
  page shows the new code). A browser that already keeps a working code goes there at once.

Both pages pass the same token check as Voilà's own pages (`--token`). The database is
opened once per server process, on first use, and every call to it runs off the event
loop, so that thirty requests at once do not wait for each other. Wrong join, invite and
resume codes are counted per client address (`mentorkit.access.TriesByAddress`), and a
refused try answers after the usual pause, awaited without holding a worker thread. New
participants are counted per client address and per workshop: beyond the limits the form
says to wait, and nobody is added. A sign-in sent
from another site is refused (Voilà's XSRF check is off, see docs/serving.md): it would
sign the visitor in as someone else.

`AppsOnlyIdentityProvider.get_handlers` (`mentorkit.jupyter.server`) adds `page_routes`
ahead of Voilà's own routes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop

from mentorkit.access import TOO_MANY_TRIES, TooManyTries, TriesByAddress
from mentorkit.apps import PARTICIPANT_APPS, App
from mentorkit.errors import MentorkitError
from mentorkit.identity import (
    Identity,
    SignInError,
    SignInField,
    normalise_resume_code,
    resume,
    sign_in,
)
from mentorkit.jupyter import RESUME_COOKIE, client_address
from mentorkit.models import Workshop
from mentorkit.store import Store, open_store
from mentorkit.ui.html import paragraphs
from mentorkit.ui.landing import (
    GALLERY_STYLE,
    STYLE,
    find_workshop,
    gallery_html,
    journey_html,
)
from mentorkit.workshops import guidance_for

log = logging.getLogger("mentorkit")

#: The sign-in page, relative to the base URL.
START = "start"
#: Where a signed-in participant goes: the journey through every worksheet in one page.
JOURNEY = "voila/render/journey.ipynb"
#: How long the browser keeps a sign-in (session.js keeps it as long: rememberDays).
REMEMBER_SECONDS = 30 * 24 * 60 * 60
#: The steps a sign-in can lead to, by notebook stem ('01_self_assessment').
STEPS: dict[str, App] = {Path(app.notebook).stem: app for app in PARTICIPANT_APPS}
FIRST_STEP = next(iter(STEPS))

#: The longest text each field takes (the worksheet form's limits: an invite code or a
#: join code with dashes or spaces, a name, a resume code with spaces).
LIMITS = {"invite": 30, "join": 20, "who": 254, "resume": 40}
#: Each form field: its input's name and its label, by the field a sign-in error names.
FIELDS: dict[SignInField, tuple[str, str]] = {
    "invite code": ("invite", "Invite code"),
    "join code": ("join", "Join code"),
    "name": ("who", "Your name"),
    "resume code": ("resume", "Resume code"),
}
#: What the first-time part says before its fields.
FIRST_TIME_HINT = (
    "Got an invitation with an invite code? Enter it: nothing else is needed. No invite "
    "code? Enter the join code and your name."
)

STALE_SIGN_IN = (
    "This browser kept a sign-in that no longer works: your resume code may have been reset "
    "by your facilitator. Sign in again below."
)
UNEXPECTED = (
    "Something went wrong on the server, and you were not signed in. Try again in a moment; "
    "if it happens again, tell your facilitator."
)

#: The page itself, which Voilà's page gives the worksheets: its type, margins and form
#: fields drawn like the worksheets' (a label before its field, at the same widths).
PAGE_STYLE = """
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; padding: 10px; background: #fff; color: #1f2933;
  font-family: system-ui, -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial,
    sans-serif; font-size: 15px; line-height: 1.5; }
.mentorkit-app :is(a, button, input):focus-visible { outline: 2px solid #1d4ed8;
  outline-offset: 1px; }
.mentorkit-brand { margin: 1.2rem 0 0; font-size: 0.8rem; font-weight: 600;
  letter-spacing: 0.04em; text-transform: uppercase; }
.mentorkit-brand a { color: #52606d; text-decoration: none; }
.mentorkit-brand a:hover, .mentorkit-brand a:focus { text-decoration: underline; }
.mentorkit-workshop { margin: 0 0 0.3rem; color: #334e68; }
.mentorkit-sign-in-form { margin: 0.5rem 0 0; }
.mentorkit-sign-in-form fieldset { border: 0; margin: 1.8rem 0 0; padding: 0; min-width: 0; }
.mentorkit-sign-in-form legend { padding: 0; margin: 0 0 0.6rem; font-size: 1.3rem;
  font-weight: 700; line-height: 1.3; }
.mentorkit-form-row { display: grid; grid-template-columns: 9rem minmax(0, 19rem);
  column-gap: 0.6rem; align-items: center; margin: 0 0 0.5rem; }
.mentorkit-form-row label { text-align: right; font-size: 13px; }
.mentorkit-form-row input { box-sizing: border-box; width: 100%; height: 28px; margin: 0;
  padding: 4px 8px; border: 1px solid #616e7c; border-radius: 2px; background: #fff;
  color: #1f2933; font: inherit; font-size: 13px; }
.mentorkit-form-row input::placeholder { color: #7b8794; }
.mentorkit-form-row input[aria-invalid="true"] { border: 2px solid #9b1c1c; }
.mentorkit-form-row .mentorkit-field-problem { grid-column: 2; margin: 0.3rem 0 0;
  padding: 0.3rem 0.6rem; font-size: 13px; }
.mentorkit-form-actions { margin: 0.2rem 0 0.4rem calc(9rem + 0.6rem); }
.mentorkit-button { min-width: 6rem; height: 28px; padding: 0 1rem; border-radius: 2px;
  font: inherit; font-size: 13px; cursor: pointer; border: 1px solid #616e7c;
  background: #fff; color: #1f2933; box-shadow: 0 1px 2px rgba(31, 41, 51, 0.12); }
.mentorkit-button:hover { background: #e6effa; border-color: #1d4ed8; color: #102a43; }
.mentorkit-button.mentorkit-primary { background: #1976d2; border-color: #1976d2;
  color: #fff; }
.mentorkit-button.mentorkit-primary:hover { background: #1565c0; border-color: #1565c0; }
@media (max-width: 40rem) {
  .mentorkit-form-row { grid-template-columns: minmax(0, 1fr); row-gap: 0.2rem; }
  .mentorkit-form-row label { text-align: left; }
  .mentorkit-form-row .mentorkit-field-problem { grid-column: 1; }
  .mentorkit-form-actions { margin-left: 0; }
}
"""


# ---------------------------------------------------------------------------------------
# The pages, as HTML


def document(title: str, body: str, *, classes: str = "", reload_after: int | None = None) -> str:
    """A whole page in the worksheets' style: `body` (HTML) in its <main> landmark; with
    `reload_after` (seconds) the browser loads the page again by itself, without a script."""
    reload = (
        "" if reload_after is None else f'<meta http-equiv="refresh" content="{reload_after:d}">\n'
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{reload}"
        # No icon to fetch: the browser would ask for /favicon.ico, which is not served.
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{PAGE_STYLE}{STYLE}{GALLERY_STYLE}</style>\n</head>\n<body>\n"
        f'<main class="mentorkit-app {escape(classes, quote=True)}">\n{body}\n</main>\n'
        "</body>\n</html>\n"
    )


def start_link(app: App) -> str:
    """The sign-in page for a participant's step, relative to the base URL."""
    return f"{START}?{urlencode({'step': Path(app.notebook).stem})}"


def server_link(app: App) -> str:
    """Where a gallery card served at the base URL leads: a participant's step to the
    sign-in page, a facilitator's or a mentor's app to its page (which signs them in)."""
    if app.audience == "participant":
        return start_link(app)
    return f"voila/render/{app.notebook}"


def gallery_document(workshop: Workshop | None, problem: str) -> str:
    """The gallery page the server answers at its base URL."""
    name = f"Workshop: {workshop.name}" if workshop is not None else "Workshop apps"
    return document(
        f"{name} · mentorkit",
        gallery_html(workshop, problem, server_link),
        classes="mentorkit-gallery",
    )


def step_of(value: str | None) -> App:
    """The participant's step a request names (`?step=`), the first when it names none."""
    return STEPS.get(value or "", STEPS[FIRST_STEP])


@dataclass(frozen=True)
class SignInForm:
    """What was typed into the sign-in form: shown again, as typed, when it did not work."""

    join: str = ""
    who: str = ""
    resume: str = ""
    invite: str = ""


@dataclass(frozen=True)
class Problem:
    """Why a sign-in did not work, and the field it is about (None: the whole form)."""

    message: str
    field: SignInField | None = None


def _slug(field: SignInField) -> str:
    return field.replace(" ", "-")


def _field_html(field: SignInField, value: str, problem: Problem | None, **attributes: str) -> str:
    """One labelled field; when the problem is about it, its message right under it, tied
    to it (aria-describedby), and the field marked invalid and focused."""
    name, label = FIELDS[field]
    control = f"mentorkit-{name}"
    extra = "".join(f' {key.replace("_", "-")}="{escape(v)}"' for key, v in attributes.items())
    message = ""
    if problem is not None and problem.field == field:
        problem_id = f"mentorkit-problem-{_slug(field)}"
        extra += f' aria-invalid="true" aria-describedby="{problem_id}" autofocus'
        message = (
            f'<p id="{problem_id}" class="mentorkit-field-problem mentorkit-error" '
            f'role="alert">{escape(problem.message)}</p>'
        )
    return (
        f'<div class="mentorkit-form-row mentorkit-field-{_slug(field)}">'
        f'<label for="{control}">{escape(label)}</label>'
        f'<input id="{control}" name="{name}" type="text" value="{escape(value)}" '
        f'maxlength="{LIMITS[name]}"{extra}>'
        f"{message}</div>"
    )


def sign_in_document(
    step: App,
    workshop: Workshop | None,
    form: SignInForm = SignInForm(),
    problem: Problem | None = None,
    *,
    workshop_problem: str = "",
) -> str:
    """The sign-in page for `step`: the step's heading, the workshop's name, the journey
    strip and guidance as the worksheet shows them, and the worksheet form's two parts,
    with what was typed (`form`) and why it did not work (`problem`)."""
    if workshop is not None:
        about = f'<p class="mentorkit-workshop">Workshop: {escape(workshop.name)}</p>'
    else:
        about = f'<p class="mentorkit-error">{escape(workshop_problem)}</p>'
    general = ""
    if problem is not None and problem.field is None:
        general = f'<p class="mentorkit-error" role="alert">{escape(problem.message)}</p>'
    guidance = guidance_for(workshop, Path(step.notebook).stem)
    body = [
        '<p class="mentorkit-brand"><a href="./">mentorkit · all worksheets</a></p>',
        f"<h1>{escape(step.title)}</h1>",
        about,
        journey_html(step, start_link),
        f'<div class="mentorkit-guidance">{paragraphs(guidance)}</div>' if guidance else "",
        general,
        f'<form class="mentorkit-sign-in-form" method="post" action="{START}">',
        f'<input type="hidden" name="step" value="{escape(Path(step.notebook).stem)}">',
        "<fieldset><legend>First time here?</legend>",
        f'<p class="mentorkit-muted">{escape(FIRST_TIME_HINT)}</p>',
        _field_html(
            "invite code",
            form.invite,
            problem,
            placeholder="XXXXX-XXXXX-XXXXX",
            autocomplete="off",
            autocapitalize="characters",
            spellcheck="false",
        ),
        _field_html(
            "join code",
            form.join,
            problem,
            placeholder="ABCD-EFGH",
            autocomplete="off",
            autocapitalize="characters",
            spellcheck="false",
        ),
        _field_html("name", form.who, problem, placeholder="e.g. Ada Lovelace"),
        '<div class="mentorkit-form-actions"><button type="submit" name="action" value="join" '
        'class="mentorkit-button mentorkit-primary">Start</button></div>',
        "</fieldset>",
        "<fieldset><legend>Been here before?</legend>",
        _field_html(
            "resume code",
            form.resume,
            problem,
            placeholder="XXXX-XXXX-XXXX-XXXX",
            autocomplete="off",
            autocapitalize="characters",
            spellcheck="false",
        ),
        '<div class="mentorkit-form-actions"><button type="submit" name="action" '
        'value="resume" class="mentorkit-button">Continue</button></div>',
        "</fieldset>",
        "</form>",
    ]
    name = f" · {workshop.name}" if workshop is not None else ""
    return document(
        f"{step.title}: sign in{name} · mentorkit",
        "\n".join(part for part in body if part),
        classes="mentorkit-start",
    )


def journey_address(base_url: str, step: App, *, welcome: bool = False) -> str:
    """The journey page at `step`; `welcome` after a first sign-in (it shows the new code)."""
    query = {"step": Path(step.notebook).stem, **({"welcome": "1"} if welcome else {})}
    return f"{url_path_join(base_url, JOURNEY)}?{urlencode(query)}"


def chosen_path(action: str, form: SignInForm) -> Literal["join", "resume"]:
    """Which part of the form a submission is for. The button pressed says so, but Enter
    in any field presses the first button, Start: so a Start with only the resume code
    filled in (Enter in that field) is a Continue."""
    if action == "resume":
        return "resume"
    first_time_complete = bool(form.invite.strip() or (form.join.strip() and form.who.strip()))
    if form.resume.strip() and not first_time_complete:
        return "resume"
    return "join"


# ---------------------------------------------------------------------------------------
# Signing in, in a worker thread


#: The pause the wrong tries of the sign-in running on this thread asked for: the server's
#: limiters record it here instead of sleeping, and the request awaits it.
_pauses = threading.local()


def _record_pause(seconds: float) -> None:
    _pauses.seconds = getattr(_pauses, "seconds", 0.0) + seconds


@dataclass(frozen=True)
class Outcome:
    """How a sign-in went: who signed in (and with which code), or the problem; and how
    long to pause before answering (after a wrong code)."""

    identity: Identity | None = None
    code: str = ""
    problem: Problem | None = None
    pause: float = 0.0
    #: The details were checked and are wrong (not: the database failed, or tries are
    #: locked for a while), e.g. a kept resume code that no longer works.
    refused: bool = False


class Pages:
    """What the server's own pages share in one server process: the database, opened on
    first use, and the counts of wrong tries per client address."""

    def __init__(self, opener: Callable[[], Store] = open_store) -> None:
        self.opener = opener
        self.tries = TriesByAddress(sleep=_record_pause)
        self._store: Store | None = None
        self._opening = threading.Lock()

    def store(self) -> Store:
        """The database (blocking: call it off the event loop); `MentorkitError` when it
        cannot be opened, and then the next call tries again."""
        with self._opening:
            if self._store is None:
                self._store = self.opener()
            return self._store

    def close(self) -> None:
        with self._opening:
            if self._store is not None:
                self._store.close()
                self._store = None

    def workshop(self) -> tuple[Workshop | None, str]:
        """The workshop the apps serve, or None and what to do about it (blocking)."""
        try:
            store = self.store()
        except MentorkitError as exc:
            return None, str(exc)
        return find_workshop(store)

    def sign_in(self, address: str, path: Literal["join", "resume"], form: SignInForm) -> Outcome:
        """Sign in from `address` with the form's first-time or returning part (blocking)."""
        if path == "join":
            return self._attempt(
                "invite code" if form.invite.strip() else "join code",
                lambda store: sign_in(
                    store,
                    form.join,
                    form.who,
                    invite_code=form.invite,
                    tries=self.tries.limiter(address, "join code"),
                    invite_tries=self.tries.limiter(address, "invite code"),
                    newcomers=lambda code: [
                        self.tries.newcomers(address),
                        self.tries.workshop_newcomers(code),
                    ],
                ),
            )
        return self.resume(address, form.resume)

    def resume(self, address: str, code: str) -> Outcome:
        """Sign in from `address` with a resume code, typed or kept by the browser (blocking)."""
        return self._attempt(
            "resume code",
            lambda store: resume(store, code, tries=self.tries.limiter(address, "resume code")),
            code=code,
        )

    def _attempt(
        self, field: SignInField, call: Callable[[Store], Identity], *, code: str = ""
    ) -> Outcome:
        _pauses.seconds = 0.0
        try:
            identity = call(self.store())
        except SignInError as exc:
            problem = Problem(str(exc), exc.field)
            return Outcome(problem=problem, pause=_pauses.seconds, refused=True)
        except TooManyTries as exc:
            # Wrong codes: on the field tried; too many new participants: above the form.
            about = field if str(exc) == TOO_MANY_TRIES else None
            return Outcome(problem=Problem(str(exc), about), pause=_pauses.seconds)
        except MentorkitError as exc:  # the database: say what it says, not on a field
            return Outcome(problem=Problem(str(exc)), pause=_pauses.seconds)
        kept = identity.new_resume_code or normalise_resume_code(code)
        return Outcome(identity=identity, code=kept, pause=_pauses.seconds)


# ---------------------------------------------------------------------------------------
# The handlers


async def _off_the_loop(call: Callable[[], Any]) -> Any:
    """Run a blocking call (the database, a sign-in) in a worker thread."""
    return await IOLoop.current().run_in_executor(None, call)


class PageHandler(JupyterHandler):
    """A page of the server's own, behind the same token check as Voilà's pages."""

    def initialize(self, pages: Pages) -> None:
        self.pages = pages

    def write_page(self, html: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(html)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Refusals (no token: 403) as Jupyter's pages show them; anything unexpected
        in a plain page, never a traceback (it is in the server log)."""
        if status_code < 500:
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            document(
                "Something went wrong · mentorkit",
                f'<h1>Something went wrong</h1><p>{escape(UNEXPECTED)}</p><p><a href="./">'
                "Back to the worksheets</a></p>",
            )
        )


class GalleryPage(PageHandler):
    """The gallery at the base URL: the workshop's name and a card per app."""

    @web.authenticated
    async def get(self) -> None:
        workshop, problem = await _off_the_loop(self.pages.workshop)
        self.write_page(gallery_document(workshop, problem))


class SignInPage(PageHandler):
    """`start?step=…`: the sign-in form for a step, and the sign-in itself."""

    @web.authenticated
    async def get(self) -> None:
        step = step_of(self.get_query_argument("step", None))
        kept = self.get_cookie(RESUME_COOKIE)
        problem = None
        if kept:
            outcome = await _off_the_loop(lambda: self.pages.resume(self.address, kept))
            await asyncio.sleep(outcome.pause)
            if outcome.identity is not None:
                self.redirect(journey_address(self.base_url, step))
                return
            if outcome.refused:
                self.clear_cookie(RESUME_COOKIE, path=self.base_url)
                problem = Problem(STALE_SIGN_IN)
            else:  # the database failed, or tries are locked: the code may well work later
                problem = Problem(outcome.problem.message if outcome.problem else UNEXPECTED)
        join = self.get_query_argument("join", "")[: LIMITS["join"]]
        await self.form_page(step, SignInForm(join=join), problem)

    @web.authenticated
    async def post(self) -> None:
        step = step_of(self.get_body_argument("step", None))
        foreign = self.foreign_origin()
        if foreign is not None:
            refusal = (
                f"This sign-in was sent from another website ({foreign}), not from this "
                "workshop's page, so it was not accepted. To sign in, use the form below."
            )
            await self.form_page(step, SignInForm(), Problem(refusal), status=403)
            return
        form = SignInForm(**{name: self.typed(name) for name in LIMITS})
        path = chosen_path(self.get_body_argument("action", ""), form)
        outcome = await _off_the_loop(lambda: self.pages.sign_in(self.address, path, form))
        await asyncio.sleep(outcome.pause)
        if outcome.identity is None:
            # The form again, as typed, saying what is wrong: a page like any other (a 4xx
            # would show as an error in the browser's console for every typo).
            await self.form_page(step, form, outcome.problem)
            return
        self.set_cookie(
            RESUME_COOKIE,
            outcome.code,
            path=self.base_url,
            max_age=REMEMBER_SECONDS,
            samesite="Strict",
            secure=self.request.protocol == "https",
        )
        welcome = outcome.identity.new_resume_code is not None
        self.redirect(journey_address(self.base_url, step, welcome=welcome), status=303)

    @property
    def address(self) -> str:
        return client_address(self.request)

    def typed(self, name: str) -> str:
        """A field as typed (spaces kept), no longer than the field takes."""
        return self.get_body_argument(name, "", strip=False)[: LIMITS[name]]

    def foreign_origin(self) -> str | None:
        """The other site a form was sent from, or None when it came from this server's own
        page (or the request does not say: scripts, privacy settings)."""
        origin = self.request.headers.get("Origin") or self.request.headers.get("Referer")
        if not origin:
            return None
        if origin == "null":  # a sandboxed frame, a privacy redirect: no page of ours
            return "a page that does not say where it is"
        parts = urlsplit(origin)
        if parts.netloc.lower() == self.request.host.lower():
            return None
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else origin[:100]

    async def form_page(
        self, step: App, form: SignInForm, problem: Problem | None, status: int = 200
    ) -> None:
        workshop, workshop_problem = await _off_the_loop(self.pages.workshop)
        page = sign_in_document(step, workshop, form, problem, workshop_problem=workshop_problem)
        self.write_page(page, status)


def page_routes(
    base_url: str, pages: Pages | None = None
) -> list[tuple[str, type[web.RequestHandler], dict[str, Any]]]:
    """The server's own pages: the gallery at `base_url`, the sign-in page at `start`."""
    options = {"pages": pages or Pages()}
    return [
        (base_url, GalleryPage, options),
        (url_path_join(base_url, START), SignInPage, options),
    ]
