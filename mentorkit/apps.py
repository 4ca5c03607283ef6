"""The workshop's apps: one notebook each, in the order a participant meets them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class App:
    """One worksheet or facilitator app and the notebook that opens it."""

    notebook: str  # path relative to notebooks/
    title: str
    summary: str
    audience: Literal["participant", "facilitator"]


APPS: tuple[App, ...] = (
    App(
        "01_self_assessment.ipynb",
        "Self-assessment",
        "Rate your competencies, name your strengths, growth areas and values.",
        "participant",
    ),
    App(
        "02_mentor_shortlist.ipynb",
        "Mentor shortlist",
        "Find mentors who fit your growth areas and draft an outreach message.",
        "participant",
    ),
    App(
        "03_expectations.ipynb",
        "Expectations",
        "Agree how you will work together: a mentoring agreement and a meeting calendar.",
        "participant",
    ),
    App(
        "04_smart_goals.ipynb",
        "SMART goals",
        "Turn your growth areas into specific, measurable goals with milestones.",
        "participant",
    ),
    App(
        "05_check_ins.ipynb",
        "Check-ins",
        "Log your meetings, what you learned and the actions you agreed.",
        "participant",
    ),
    App(
        "06_my_plan.ipynb",
        "My plan",
        "Everything on one page, to print, download and add to your calendar.",
        "participant",
    ),
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

#: The participants' worksheets, in the order of the journey.
PARTICIPANT_APPS: tuple[App, ...] = tuple(app for app in APPS if app.audience == "participant")

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
    for each person expected. The single-worksheet notebooks and the facilitators' apps
    keep one each.
    """
    sizes = {app.notebook: 1 for app in APPS}
    sizes[LANDING_NOTEBOOK] = 0
    sizes[JOURNEY_NOTEBOOK] = max(1, expected)
    return sizes
