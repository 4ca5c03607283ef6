"""The whole participant journey in one page: every worksheet, one kernel.

`mentorkit serve` sends participants here (the notebook journey.ipynb); the per-worksheet
notebooks stay for JupyterLab users and for publishing a single worksheet. See
`mentorkit.ui.shell.JourneyApp` for how a move between worksheets works.
"""

from __future__ import annotations

from collections.abc import Mapping

from mentorkit.store import Store
from mentorkit.ui.check_ins import CheckInsView
from mentorkit.ui.expectations import ExpectationsView
from mentorkit.ui.mentor_shortlist import MentorShortlistView
from mentorkit.ui.my_plan import plan_builder
from mentorkit.ui.self_assessment import SelfAssessmentView
from mentorkit.ui.shell import Builder, JourneyApp, WorksheetApp, journey_app
from mentorkit.ui.smart_goals import SmartGoalsView


def workshop_journey(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> JourneyApp:
    """The journey page (the notebook journey.ipynb calls this); `?step=` opens a step."""
    apps: list[WorksheetApp] = []
    steps: dict[str, Builder] = {
        "01_self_assessment": SelfAssessmentView,
        "02_mentor_shortlist": MentorShortlistView,
        "03_expectations": ExpectationsView,
        "04_smart_goals": SmartGoalsView,
        "05_check_ins": CheckInsView,
        "06_my_plan": plan_builder(apps),
    }
    page = journey_app(steps, store=store, environ=environ)
    apps.append(page)
    return page
