"""The participant's worksheets, each defined once: everything else derives from `WORKSHEETS`.

A worksheet is a document type (`mentorkit.models`), a view (`mentorkit.ui`), a notebook
(`notebooks/`) and one `WorksheetDefinition` here. The store's labels, the backup's
titles, the cohort's steps, the page's words for a document, the gallery and the journey
read this tuple; none of them keeps a list of worksheets of its own. See CONTRIBUTING.md,
"Add a worksheet".

Pure core: this module imports no widgets. A view is named by its import path
('mentorkit.ui.smart_goals:SmartGoalsView') and only the ui layer imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from mentorkit.models import (
    CheckIn,
    Closing,
    Document,
    MentoringAgreement,
    MentorShortlist,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
)

__all__ = [
    "CHECK_INS",
    "CHECK_IN_NUMBERING",
    "CLOSING",
    "EXPECTATIONS",
    "GOAL_NUMBERING",
    "MENTOR_SHORTLIST",
    "MY_PLAN",
    "SELF_ASSESSMENT",
    "SMART_GOALS",
    "WORKSHEETS",
    "Numbering",
    "WorksheetDefinition",
    "download_titles",
    "in_order",
    "kind_labels",
    "natural_order",
    "numbered_kinds",
    "page_words",
    "progress_steps",
    "single_kinds",
    "step_titles",
]

#: A sort key from `natural_order`: text and numbers in turn, then the name itself.
NaturalKey = tuple[tuple[tuple[int, int | str], ...], str]


def natural_order(name: str) -> NaturalKey:
    """Sort key putting 'goal-2' before 'goal-10' (numbers inside a name compare as
    numbers); equal keys fall back to the name, so the order is total."""
    parts = tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", name)
    )
    return parts, name


@dataclass(frozen=True)
class Numbering:
    """How the documents of a worksheet that keeps several are named: 'goal-1', 'goal-2'
    … in the store, 'Goal 1', 'Goal 2' … on the page."""

    prefix: str  # the stored name before the number, e.g. "goal-"
    word: str  # what the page calls one of them, e.g. "Goal"
    most: int | None = None  # how many a participant may have; None: no limit

    def name(self, number: int) -> str:
        """The stored name of item `number`: `name(2)` is 'goal-2'."""
        return f"{self.prefix}{number}"

    def number(self, name: str) -> int | None:
        """The N of a name made by `name(N)`; None for any other name."""
        found = re.fullmatch(rf"{re.escape(self.prefix)}(\d+)", name)
        return int(found[1]) if found else None

    def words(self, name: str) -> str | None:
        """The item as the page names it ('Goal 2'); None for a name not made by `name`."""
        number = self.number(name)
        return None if number is None else f"{self.word} {number}"

    def first_free(self, existing: Iterable[str]) -> str:
        """The first name `name(N)`, from N = 1, that `existing` does not hold."""
        taken = set(existing)
        number = 1
        while self.name(number) in taken:
            number += 1
        return self.name(number)


@dataclass(frozen=True)
class WorksheetDefinition:
    """One participant worksheet: its document, its names, its place and its entry points."""

    step: int  # its place in the journey, from 1
    title: str  # the app's title: the gallery, the journey, the dashboard's column
    summary: str  # one sentence on the gallery card
    notebook: str  # path relative to notebooks/, e.g. "04_smart_goals.ipynb"
    view: str  # "module:attribute" of the view, a callable Session -> widget (ui layer)
    document: type[Document]  # the document the worksheet writes
    label: str  # the document in the store's messages, e.g. "SMART goal"
    #: The document in a participant's data download; `label` when empty.
    download_title: str = ""
    #: How the page names the document ('mentoring agreement'); `label` in lower case when
    #: empty. Numbered documents are named by `numbering` instead.
    words: str = ""
    numbering: Numbering | None = None  # set when a participant keeps several
    #: Counted on the cohort dashboard and in the progress export (a step to be done).
    progress: bool = True

    @property
    def kind(self) -> str:
        """The document type's key in `models.DOCUMENT_TYPES` and in the store."""
        return self.document.kind

    @property
    def key(self) -> str:
        """The app's key: the notebook's stem ('04_smart_goals'), as links, the journey's
        `?step=` and data/guidance.yaml name it."""
        return PurePosixPath(self.notebook).stem

    @property
    def view_module(self) -> str:
        """The module holding the view ('mentorkit.ui.smart_goals')."""
        return self.view.partition(":")[0]

    @property
    def view_name(self) -> str:
        """The view's name in its module ('SmartGoalsView')."""
        return self.view.partition(":")[2]

    @property
    def page_words(self) -> str:
        """The single document as the page names it to the participant."""
        return self.words or self.label.lower()


#: How SMART goals are named: 'goal-1' … 'goal-5', shown as 'Goal 1' … 'Goal 5'.
GOAL_NUMBERING = Numbering("goal-", "Goal", most=5)
#: How check-ins are named: 'check-in-1', 'check-in-2' …, shown as 'Meeting 1' ….
CHECK_IN_NUMBERING = Numbering("check-in-", "Meeting")

SELF_ASSESSMENT = WorksheetDefinition(
    step=1,
    title="Self-assessment",
    summary="Rate your competencies, name your strengths, growth areas and values.",
    notebook="01_self_assessment.ipynb",
    view="mentorkit.ui.self_assessment:SelfAssessmentView",
    document=SelfAssessment,
    label="Self-assessment",
)
MENTOR_SHORTLIST = WorksheetDefinition(
    step=2,
    title="Mentor shortlist",
    summary="Find mentors who fit your growth areas and draft an outreach message.",
    notebook="02_mentor_shortlist.ipynb",
    view="mentorkit.ui.mentor_shortlist:MentorShortlistView",
    document=MentorShortlist,
    label="Mentor shortlist",
)
EXPECTATIONS = WorksheetDefinition(
    step=3,
    title="Expectations",
    summary="Agree how you will work together: a mentoring agreement and a meeting calendar.",
    notebook="03_expectations.ipynb",
    view="mentorkit.ui.expectations:ExpectationsView",
    document=MentoringAgreement,
    label="Mentoring agreement",
)
SMART_GOALS = WorksheetDefinition(
    step=4,
    title="SMART goals",
    summary="Turn your growth areas into specific, measurable goals with milestones.",
    notebook="04_smart_goals.ipynb",
    view="mentorkit.ui.smart_goals:SmartGoalsView",
    document=SmartGoal,
    label="SMART goal",
    numbering=GOAL_NUMBERING,
)
CHECK_INS = WorksheetDefinition(
    step=5,
    title="Check-ins",
    summary="Log your meetings, what you learned and the actions you agreed.",
    notebook="05_check_ins.ipynb",
    view="mentorkit.ui.check_ins:CheckInsView",
    document=CheckIn,
    label="Check-in",
    numbering=CHECK_IN_NUMBERING,
)
MY_PLAN = WorksheetDefinition(
    step=6,
    title="My plan",
    summary="Everything on one page, to print, download and add to your calendar.",
    notebook="06_my_plan.ipynb",
    view="mentorkit.ui.my_plan:MyPlanView",
    document=PlanSharing,
    label="Plan sharing",
    download_title="Sharing my plan with the facilitator",
    words="choice to share your plan",
    progress=False,  # a page to read: nothing to get done
)

CLOSING = WorksheetDefinition(
    step=7,
    title="Closing well",
    summary="Thank your mentor, plan how to stay in touch, widen your circle, give back.",
    notebook="07_closing.ipynb",
    view="mentorkit.ui.closing:ClosingView",
    document=Closing,
    label="Closing",
    words="closing worksheet",
    # The programme's last page: counting it would keep everyone short of done until the
    # very end. The dashboard offers the offers to mentor instead.
    progress=False,
)

#: Every participant worksheet, in the order of the journey. The one registration.
WORKSHEETS: tuple[WorksheetDefinition, ...] = (
    SELF_ASSESSMENT,
    MENTOR_SHORTLIST,
    EXPECTATIONS,
    SMART_GOALS,
    CHECK_INS,
    MY_PLAN,
    CLOSING,
)


# ---------------------------------------------------------------------------------------
# The tables other modules read, each derived from a tuple of definitions (by default the
# registered ones; a test passes its own).


def in_order(worksheets: Sequence[WorksheetDefinition]) -> list[WorksheetDefinition]:
    """`worksheets` by step; `ValueError` when two share a step, a notebook or a kind."""
    for attribute in ("step", "notebook", "kind"):
        values = [getattr(w, attribute) for w in worksheets]
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"Two worksheets have the same {attribute}: {', '.join(twice)}.")
    return sorted(worksheets, key=lambda w: w.step)


def kind_labels(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> dict[str, str]:
    """Document kind → its label in the store's messages ('SMART goal')."""
    return {w.kind: w.label for w in in_order(worksheets)}


def download_titles(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> dict[str, str]:
    """Document kind → its title in a participant's data download."""
    return {w.kind: w.download_title or w.label for w in in_order(worksheets)}


def progress_steps(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> tuple[str, ...]:
    """The kinds the dashboard counts, in the order of the journey."""
    return tuple(w.kind for w in in_order(worksheets) if w.progress)


def step_titles(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> dict[str, str]:
    """Each counted kind → its worksheet's title ('Expectations'), in journey order."""
    return {w.kind: w.title for w in in_order(worksheets) if w.progress}


def numbered_kinds(
    worksheets: Sequence[WorksheetDefinition] = WORKSHEETS,
) -> dict[str, Numbering]:
    """The kinds a participant keeps several of, and how those are named."""
    return {w.kind: w.numbering for w in in_order(worksheets) if w.numbering is not None}


def single_kinds(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> frozenset[str]:
    """The kinds a participant keeps one of."""
    return frozenset(w.kind for w in worksheets if w.numbering is None)


def page_words(worksheets: Sequence[WorksheetDefinition] = WORKSHEETS) -> dict[str, str]:
    """Each single kind → how the page names the document ('mentoring agreement')."""
    return {w.kind: w.page_words for w in in_order(worksheets) if w.numbering is None}
