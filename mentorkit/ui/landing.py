"""The landing page ("Start here"): a gallery of the workshop's apps, and the journey strip.

One card per app, with its title (the link), its one-line description and its place in the
journey: participants' worksheets in the order they are meant to be done, then the
facilitators' apps, then the mentors' app, each in a section of its own. The workshop's
name heads the page so a participant knows they are in the right place.

`gallery_html` builds it, whoever serves it: the standalone server renders it itself as a
plain page at its base URL, with no kernel (`mentorkit.jupyter.pages`), and links step
cards to its sign-in page; in JupyterLab and JupyterHub, `landing_page` shows it as a
widget (notebooks/index.ipynb), with links to the notebooks. `journey_html` is the strip of
steps at the top of every worksheet and of the server's sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

import ipywidgets as widgets

from mentorkit.apps import APPS, PARTICIPANT_APPS, App
from mentorkit.errors import MentorkitError
from mentorkit.models import Workshop
from mentorkit.resources import NOTEBOOKS_DIR
from mentorkit.store import Store, open_store
from mentorkit.ui.guard import install_widget_guards
from mentorkit.workshops import choose_workshop

STYLE = (Path(__file__).parent / "style.css").read_text(encoding="utf-8")

INTRO = (
    "mentorkit walks you through finding and working with a mentor: assess yourself, "
    "shortlist and approach mentors, agree expectations, set SMART goals and keep up "
    "regular check-ins. Each step is a short worksheet; your answers are saved as you "
    "type, and at the end you take home your plan."
)
START = (
    "Start with step 1. The first time, you need the invite code from your invitation (or, "
    "without one, the join code your facilitator gave you); you then get a personal resume "
    "code that brings your answers back in any step, from any browser."
)
FACILITATOR_NOTE = (
    "These need the workshop's join code and facilitator key (shown once, when the workshop "
    "was created). On a new server, start with Workshop setup."
)
MENTOR_NOTE = (
    "Mentors sign in with the invite code from their invitation the first time, then with "
    "the resume code they get then."
)
#: What the gallery and the sign-in page say before the first workshop exists: facilitators
#: create it in the browser (the setup app's first run), no terminal needed.
NO_WORKSHOP = (
    "No workshop is set up yet. Facilitators: open Workshop setup (under “For facilitators” "
    "in the gallery) to create the first one. Participants: come back once your facilitator "
    "has shared the link."
)

#: The gallery's own layout; the type, colours and spacing come from style.css.
GALLERY_STYLE = """
.mentorkit-gallery .widget-html-content { font-size: 15px; line-height: 1.5; }
.mentorkit-gallery-brand { margin: 1.2rem 0 0; color: #52606d; font-weight: 600;
  letter-spacing: 0.04em; text-transform: uppercase; font-size: 0.8rem; }
.mentorkit-gallery h1 { margin-top: 0.2rem; }
.mentorkit-gallery-lead, .mentorkit-gallery section > p { max-width: 42rem; }
.mentorkit-gallery-cards { display: grid; gap: 1rem; list-style: none; padding: 0;
  margin: 0.8rem 0 1.5rem; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.mentorkit-gallery-card { position: relative; display: flex; flex-direction: column;
  gap: 0.3rem; padding: 0.9rem 1rem 1rem; border: 1px solid #d9e2ec; border-radius: 8px;
  background: #fff; }
.mentorkit-gallery-card:hover { border-color: #1d4ed8; box-shadow: 0 2px 8px #102a4318; }
.mentorkit-gallery-card:focus-within { outline: 2px solid #1d4ed8; outline-offset: 1px; }
.mentorkit-gallery-step { color: #52606d; font-size: 0.8rem; font-weight: 600;
  letter-spacing: 0.04em; text-transform: uppercase; }
.mentorkit-gallery-card h3 { margin: 0; font-size: 1.1rem; line-height: 1.3; }
.mentorkit-gallery-card a { color: #1d4ed8; text-decoration: none; }
.mentorkit-gallery-card a:hover, .mentorkit-gallery-card a:focus { text-decoration: underline; }
.mentorkit-gallery-card a:focus-visible { outline: none; }  /* the card shows the focus */
.mentorkit-gallery-card a::after { content: ""; position: absolute; inset: 0; }
.mentorkit-gallery-card p { margin: 0; color: #334e68; }
.mentorkit-gallery-soon { color: #52606d; font-style: italic; font-weight: 400; }
@media (max-width: 40rem) {
  .mentorkit-gallery h1 { font-size: 1.45rem; }
  .mentorkit-gallery-cards { grid-template-columns: 1fr; gap: 0.7rem; }
}
"""


#: Where an app's card links to (None: not there yet, the card says "coming soon").
AppLink = Callable[[App], str | None]


def landing_page(store: Store | None = None) -> widgets.HTML:
    """The gallery for the database's workshop (or a hint when there is none), as a widget
    whose cards link to the notebooks beside index.ipynb."""
    install_widget_guards()
    workshop, problem = find_workshop(store)
    html = gallery_html(workshop, problem, notebook_link)
    page = widgets.HTML(f"<style>{STYLE}{GALLERY_STYLE}</style>\n{html}")
    return page.add_class("mentorkit-app").add_class("mentorkit-gallery")


def notebook_link(app: App) -> str | None:
    """The app's notebook, relative to the gallery's (None while it does not exist)."""
    return app.notebook if (NOTEBOOKS_DIR / app.notebook).exists() else None


def find_workshop(store: Store | None = None) -> tuple[Workshop | None, str]:
    """The workshop the apps serve, or None and what to do about it (no workshop yet,
    several, a database that cannot be opened). Opens, and closes, the configured
    database when no `store` is given."""
    opened = store is None
    try:
        store = store or open_store()
        if not store.workshops():
            return None, NO_WORKSHOP
        return choose_workshop(store), ""
    except MentorkitError as exc:
        return None, str(exc)
    finally:
        if opened and store is not None:
            store.close()


def gallery_html(workshop: Workshop | None, problem: str, link: AppLink) -> str:
    """The gallery's content (no style): the workshop's name, or `problem` when there is no
    `workshop`, the introduction, and a card per app linking where `link` says."""
    facilitator_apps = [a for a in APPS if a.audience == "facilitator"]
    mentor_apps = [a for a in APPS if a.audience == "mentor"]
    parts = [
        '<p class="mentorkit-gallery-brand">mentorkit</p>',
        _workshop_html(workshop, problem),
        f'<p class="mentorkit-gallery-lead">{escape(INTRO)}</p>',
        '<section aria-labelledby="mentorkit-worksheets">',
        '<h2 id="mentorkit-worksheets">Your worksheets</h2>',
        f'<p class="mentorkit-muted">{escape(START)}</p>',
        _cards_html(list(PARTICIPANT_APPS), link, numbered=True),
        "</section>",
        '<section aria-labelledby="mentorkit-facilitators">',
        '<h2 id="mentorkit-facilitators">For facilitators</h2>',
        f'<p class="mentorkit-muted">{escape(FACILITATOR_NOTE)}</p>',
        _cards_html(facilitator_apps, link, label="Facilitator"),
        "</section>",
        '<section aria-labelledby="mentorkit-mentors">',
        '<h2 id="mentorkit-mentors">For mentors</h2>',
        f'<p class="mentorkit-muted">{escape(MENTOR_NOTE)}</p>',
        _cards_html(mentor_apps, link, label="Mentor"),
        "</section>",
    ]
    return "\n".join(parts)


def journey_html(current: App | None, link: Callable[[App], str]) -> str:
    """The strip of the participant's steps, numbered, linking where `link` says; the
    `current` step is marked as the page the participant is on."""
    items = []
    for number, app in enumerate(PARTICIPANT_APPS, start=1):
        label = f"{number}. {escape(app.title)}"
        here = ' aria-current="page"' if app == current else ""
        items.append(f'<li><a href="{escape(link(app))}"{here}>{label}</a></li>')
    strip = "".join(items)
    return f'<nav aria-label="Workshop steps"><ol class="mentorkit-journey">{strip}</ol></nav>'


def _workshop_html(workshop: Workshop | None, problem: str) -> str:
    """The page heading: the workshop's name, or what to do when there is no workshop."""
    if workshop is None:
        return f'<h1>Workshop apps</h1><p class="mentorkit-error">{escape(problem)}</p>'
    description = (
        f'<p class="mentorkit-gallery-lead">{escape(workshop.description)}</p>'
        if workshop.description
        else ""
    )
    return f"<h1>Workshop: {escape(workshop.name)}</h1>{description}"


def _cards_html(apps: list[App], link: AppLink, *, numbered: bool = False, label: str = "") -> str:
    """One card per app, in the given order; participant steps carry their number, other
    apps `label` (who they are for)."""
    cards = []
    for number, app in enumerate(apps, start=1):
        step = f"Step {number}" if numbered else escape(label)
        href = link(app)
        if href is not None:
            title = f'<a href="{escape(href)}">{escape(app.title)}</a>'
        else:
            title = f'{escape(app.title)} <span class="mentorkit-gallery-soon">(coming soon)</span>'
        cards.append(
            '<li class="mentorkit-gallery-card">'
            f'<span class="mentorkit-gallery-step">{step}</span>'
            f"<h3>{title}</h3>"
            f"<p>{escape(app.summary)}</p>"
            "</li>"
        )
    tag = "ol" if numbered else "ul"
    return f'<{tag} class="mentorkit-gallery-cards">{"".join(cards)}</{tag}>'
