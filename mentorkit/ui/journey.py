"""The whole participant journey in one page: every worksheet, one kernel.

`mentorkit serve` sends participants here (the notebook journey.ipynb); the per-worksheet
notebooks stay for JupyterLab users and for publishing a single worksheet. See
`mentorkit.ui.shell.JourneyApp` for how a move between worksheets works. The steps are the
registered worksheets (`mentorkit.worksheets.WORKSHEETS`), each shown by its view.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module

from mentorkit.store import Store
from mentorkit.ui.shell import Builder, JourneyApp, journey_app
from mentorkit.worksheets import WORKSHEETS, WorksheetDefinition


def view_of(worksheet: WorksheetDefinition) -> Builder:
    """The view a worksheet definition names ('mentorkit.ui.smart_goals:SmartGoalsView'):
    what the page builds for a signed-in participant."""
    view: Builder = getattr(import_module(worksheet.view_module), worksheet.view_name)
    return view


def workshop_journey(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> JourneyApp:
    """The journey page (the notebook journey.ipynb calls this); `?step=` opens a step."""
    steps = {worksheet.key: view_of(worksheet) for worksheet in WORKSHEETS}
    return journey_app(steps, store=store, environ=environ)
