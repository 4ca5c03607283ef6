"""The workshop's apps: one notebook each, in the order a participant meets them.

The participants' apps come from the worksheet definitions (`mentorkit.worksheets`); the
facilitators' apps and the mentors' app are listed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mentorkit.worksheets import WORKSHEETS, WorksheetDefinition, in_order

#: Who an app is for; the gallery gives each its own section.
Audience = Literal["participant", "facilitator", "mentor"]


@dataclass(frozen=True)
class App:
    """One worksheet, facilitator or mentor app and the notebook that opens it."""

    notebook: str  # path relative to notebooks/
    title: str
    summary: str
    audience: Audience


def worksheet_apps(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> tuple[App, ...]:
    """The app of each worksheet, in the order of the journey."""
    return tuple(App(w.notebook, w.title, w.summary, "participant") for w in in_order(worksheets))


#: The facilitators' apps, after the worksheets on the gallery.
FACILITATOR_APPS: tuple[App, ...] = (
    App(
        "facilitator/setup.ipynb",
        "Workshop setup",
        "Create the workshop, set its details, texts and framework, and share the join link.",
        "facilitator",
    ),
    App(
        "facilitator/dashboard.ipynb",
        "Cohort dashboard",
        "Follow the cohort's progress and what it needs, live.",
        "facilitator",
    ),
    App(
        "facilitator/matching.ipynb",
        "Matching",
        "Match mentees to mentors, review the pairs and publish them.",
        "facilitator",
    ),
)

#: The mentors' app, after the facilitators' apps on the gallery.
MENTOR_APPS: tuple[App, ...] = (
    App(
        "mentor.ipynb",
        "For mentors",
        "Answer your mentees' requests and keep your mentor profile up to date.",
        "mentor",
    ),
)

#: The participants' worksheets, in the order of the journey.
PARTICIPANT_APPS: tuple[App, ...] = worksheet_apps()

#: Every app, as the gallery lists them: the worksheets, the facilitators' apps, then the
#: mentors'.
APPS: tuple[App, ...] = (*PARTICIPANT_APPS, *FACILITATOR_APPS, *MENTOR_APPS)

#: The gallery as a notebook (JupyterLab, JupyterHub); the standalone server renders the
#: gallery itself and keeps no kernel for this one.
LANDING_NOTEBOOK = "index.ipynb"
#: Every participant worksheet in one page and one kernel (`mentorkit.ui.journey`): where
#: `mentorkit serve` sends participants once they are signed in.
JOURNEY_NOTEBOOK = "journey.ipynb"


def pool_sizes(expected: int = 1) -> dict[str, int]:
    """How many pre-heated kernels to keep ready per notebook for a room of `expected`
    people who open the link together (`mentorkit serve --expect`).

    The gallery and the sign-in need no kernel (the server renders them); a participant
    needs one kernel, the journey's, for every worksheet, so the journey keeps one ready
    for each person expected. The single-worksheet notebooks, the facilitators' apps and
    the mentors' keep one each.
    """
    sizes = {app.notebook: 1 for app in APPS}
    sizes[LANDING_NOTEBOOK] = 0
    sizes[JOURNEY_NOTEBOOK] = max(1, expected)
    return sizes
