"""The landing page ("Start here"): what mentorkit is and the workshop's apps."""

from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from mentorkit.apps import APPS, App
from mentorkit.errors import MentorkitError
from mentorkit.models import Workshop
from mentorkit.store import Store, open_store
from mentorkit.workshops import choose_workshop

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"

INTRO = (
    "mentorkit walks you through finding and working with a mentor: assess yourself, "
    "shortlist and approach mentors, agree expectations, set SMART goals and keep up "
    "regular check-ins. Each step is a short worksheet; your answers are saved as you "
    "type, and at the end you take home your plan."
)


def landing_page(store: Store | None = None) -> widgets.Widget:
    """The landing page for the database's workshop (or a hint when there is none)."""
    workshop, problem = _find_workshop(store)
    parts = [
        "<h1>mentorkit</h1>",
        f"<p>{escape(INTRO)}</p>",
        _workshop_html(workshop, problem),
        "<h2>Worksheets</h2>",
        _apps_html([a for a in APPS if a.audience == "participant"]),
        "<h2>For facilitators</h2>",
        _apps_html([a for a in APPS if a.audience == "facilitator"]),
    ]
    return widgets.HTML("\n".join(parts), layout=widgets.Layout(max_width="48rem"))


def _find_workshop(store: Store | None) -> tuple[Workshop | None, str]:
    opened = store is None
    try:
        store = store or open_store()
        return choose_workshop(store), ""
    except MentorkitError as exc:
        return None, str(exc)
    finally:
        if opened and store is not None:
            store.close()


def _workshop_html(workshop: Workshop | None, problem: str) -> str:
    if workshop is None:
        return f'<p class="mentorkit-note">{escape(problem)}</p>'
    description = f"<p>{escape(workshop.description)}</p>" if workshop.description else ""
    return f"<h2>Workshop: {escape(workshop.name)}</h2>{description}"


def _apps_html(apps: list[App]) -> str:
    items = []
    for app in apps:
        if (NOTEBOOKS_DIR / app.notebook).exists():
            title = f'<a href="{escape(app.notebook)}">{escape(app.title)}</a>'
        else:
            title = f"{escape(app.title)} <em>(coming soon)</em>"
        items.append(f"<li>{title}: {escape(app.summary)}</li>")
    return "<ul>" + "".join(items) + "</ul>"
