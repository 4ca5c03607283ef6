"""Views derived from the check-in log and the goals: open actions, progress, next names.

Pure functions only: no widgets, no I/O. Every ordering has a full tie-break so that the
same log always reads the same, whatever order the store returned it in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from mentorkit.models import ActionItem, CheckIn, Milestone, SmartGoal
from mentorkit.smart import format_day
from mentorkit.worksheets import (
    CHECK_IN_NUMBERING,
    GOAL_NUMBERING,
    NaturalKey,
    natural_order,
)

__all__ = [
    "MAX_GOALS",
    "GoalProgress",
    "OpenItem",
    "action_items",
    "goal_progress",
    "next_check_in_name",
    "next_goal_name",
    "ordered_check_ins",
]

#: How goals and check-ins are named ('goal-2', 'check-in-3'): see `mentorkit.worksheets`.
_GOALS = GOAL_NUMBERING
_CHECK_INS = CHECK_IN_NUMBERING
if _GOALS.most is None:
    raise RuntimeError("The SMART goals worksheet must say how many goals a participant may set.")

MAX_GOALS: int = _GOALS.most
CHECK_IN_PREFIX = _CHECK_INS.prefix
GOAL_PREFIX = _GOALS.prefix


@dataclass(frozen=True)
class OpenItem:
    """An action item with the check-in it was agreed in and where it stands today."""

    item: ActionItem
    met_on: date | None  # None: the meeting's date is not set yet
    check_in_name: str
    overdue: bool
    days_overdue: int


def action_items(check_ins: Mapping[str, CheckIn], *, today: date) -> list[OpenItem]:
    """Every action item of every check-in: open ones by due date, then done ones.

    Open items come first, ordered by due date (so the most overdue lead) with undated
    ones last; ties go to the older meeting, then to the order within the check-in. Done
    items follow, newest meeting first.
    """
    open_rows: list[tuple[tuple[bool, date, date, NaturalKey, int], OpenItem]] = []
    # A meeting whose date is not set yet is ordered as the one just logged: the newest.
    done_rows: list[OpenItem] = []
    for name, check_in in check_ins.items():
        for index, item in enumerate(check_in.action_items):
            due = item.due_on
            overdue = not item.done and due is not None and due < today
            days = (today - due).days if overdue and due is not None else 0
            entry = OpenItem(item, check_in.met_on, name, overdue, days)
            if item.done:
                done_rows.append(entry)
            else:
                met = check_in.met_on or date.max
                key = (due is None, due or date.min, met, natural_order(name), index)
                open_rows.append((key, entry))
    open_rows.sort(key=lambda row: row[0])
    # reverse=True keeps equal keys (items of one check-in) in their original order
    done_rows.sort(
        key=lambda e: (e.met_on or date.max, natural_order(e.check_in_name)), reverse=True
    )
    return [entry for _, entry in open_rows] + done_rows


def ordered_check_ins(check_ins: Mapping[str, CheckIn]) -> list[tuple[str, CheckIn]]:
    """The check-ins, newest meeting first; on the same day the later-numbered first (one
    whose date is not set yet counts as the newest)."""
    return sorted(
        check_ins.items(),
        key=lambda pair: (pair[1].met_on or date.max, natural_order(pair[0])),
        reverse=True,
    )


@dataclass(frozen=True)
class GoalProgress:
    """How far one goal has come, counted in milestones."""

    goal_name: str
    title: str
    done: int
    total: int
    next_milestone: Milestone | None
    overdue: tuple[Milestone, ...]

    @property
    def percent(self) -> int:
        """Share of milestones done, rounded half up; 0 when there are none."""
        if self.total == 0:
            return 0
        return (200 * self.done + self.total) // (2 * self.total)

    @property
    def summary(self) -> str:
        """One line such as "2 of 4 milestones done; next: 'Give a team talk' by 12 Mar 2027"."""
        if self.total == 0:
            return "no milestones yet"
        noun = "milestone" if self.total == 1 else "milestones"
        text = f"{self.done} of {self.total} {noun} done"
        upcoming = self.next_milestone
        if upcoming is not None:
            text += f"; next: '{upcoming.title}'"
            if upcoming.due_on is not None:
                text += f" by {format_day(upcoming.due_on)}"
        if self.overdue:
            text += f"; {len(self.overdue)} overdue"
        return text


def _progress(name: str, goal: SmartGoal, today: date) -> GoalProgress:
    milestones = goal.milestones
    open_ones = [(index, m) for index, m in enumerate(milestones) if not m.done]
    dated = sorted(
        ((m.due_on, index, m) for index, m in open_ones if m.due_on is not None),
        key=lambda row: (row[0], row[1]),
    )
    undated = [m for _, m in open_ones if m.due_on is None]
    upcoming = dated[0][2] if dated else (undated[0] if undated else None)
    overdue = tuple(m for due, _, m in dated if due < today)
    return GoalProgress(
        goal_name=name,
        title=goal.title,
        done=sum(1 for m in milestones if m.done),
        total=len(milestones),
        next_milestone=upcoming,
        overdue=overdue,
    )


def goal_progress(goals: Mapping[str, SmartGoal], *, today: date) -> list[GoalProgress]:
    """Progress of each goal, in the mapping's order.

    The next milestone is the open one due soonest (overdue ones included), else the
    first open one without a date; `overdue` lists open milestones due before `today`.
    """
    return [_progress(name, goal, today) for name, goal in goals.items()]


def next_check_in_name(existing: Iterable[str]) -> str:
    """The first free name of the form 'check-in-N', from N = 1."""
    return _CHECK_INS.first_free(existing)


def next_goal_name(existing: Iterable[str]) -> str:
    """The first free name of the form 'goal-N', or `ValueError` when five goals exist."""
    taken = set(existing)
    if len(taken) >= MAX_GOALS:
        raise ValueError("You can have up to five goals.")
    return _GOALS.first_free(taken)
