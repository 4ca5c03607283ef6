"""Keeping the rhythm after the first meetings: the meetings the agreement plans compared
with the check-ins logged, the goal review when its date comes, and the wins to celebrate.

Pure functions over the documents: no widgets, no store.

- **Schedule.** The agreement says how often the two meet (`Frequency`) from its start
  date to its end date. Each planned meeting is held by the check-in logged nearest to it
  within half an interval either side (one check-in holds one meeting). A planned meeting
  whose window has closed with no check-in is *missed*; one whose day has passed but
  whose window is still open is *not logged yet* (people log a meeting a few days late);
  the next one to come is *upcoming*. Check-ins far from any planned day are extra
  meetings, never a problem.
- **Review.** When the agreement's review date has come and no goal has been reviewed
  since, the review is due. A review re-checks each goal: keep it, adjust it, mark it done
  or drop it, each with a reason kept in the goal's history of reviews (adjusting or
  dropping a goal needs one).
- **Wins.** Every milestone ticked done and every goal reached, with its day.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from mentorkit.errors import MentorkitError
from mentorkit.models import (
    CheckIn,
    Frequency,
    GoalReview,
    GoalStatus,
    MentoringAgreement,
    ReviewDecision,
    SmartGoal,
)
from mentorkit.rendering import long_date

#: Planned meetings at most this far ahead are worked out (an agreement without an end).
HORIZON_DAYS = 400
#: How many months one interval of each frequency is (0: counted in days instead).
_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}
_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
#: A decision that needs its reason written down.
NEEDS_A_REASON = frozenset({ReviewDecision.ADJUST, ReviewDecision.DROP})


class ReviewError(MentorkitError):
    """A review decision that cannot be recorded; the message says why in plain words."""


class MeetingState(StrEnum):
    HELD = "held"
    MISSED = "missed"
    NOT_LOGGED = "not logged yet"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PlannedMeeting:
    """One meeting the agreement plans, and where it stands."""

    on: date
    state: MeetingState
    check_in: str | None = None  # the check-in that held it


@dataclass(frozen=True)
class Schedule:
    """The agreement's planned meetings so far and the next one, compared with the
    check-ins logged."""

    frequency: Frequency
    meetings: tuple[PlannedMeeting, ...]
    extra: tuple[str, ...]  # check-ins that hold no planned meeting

    def of(self, state: MeetingState) -> list[PlannedMeeting]:
        return [meeting for meeting in self.meetings if meeting.state == state]

    @property
    def upcoming(self) -> date | None:
        found = self.of(MeetingState.UPCOMING)
        return found[0].on if found else None


def _add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept within the month (31 January → 28 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def planned_days(frequency: Frequency, start: date, until: date) -> list[date]:
    """The days of the meetings planned from `start`, every `frequency`, up to `until`."""
    days: list[date] = []
    number = 0
    while True:
        if frequency in _MONTHS:
            day = _add_months(start, number * _MONTHS[frequency])
        else:
            day = start + timedelta(days=number * _DAYS[frequency])
        if day > until:
            return days
        days.append(day)
        number += 1


def _half_interval(frequency: Frequency) -> timedelta:
    days = _DAYS.get(frequency) or 30 * _MONTHS[frequency]
    return timedelta(days=days // 2)


def compare_schedule(
    agreement: MentoringAgreement | None, check_ins: Mapping[str, CheckIn], today: date
) -> Schedule | None:
    """The planned meetings up to the next one to come, each held, missed, not logged yet
    or upcoming; None while the agreement sets no frequency or no start date."""
    if agreement is None or agreement.frequency is None or agreement.start_on is None:
        return None
    frequency, half = agreement.frequency, _half_interval(agreement.frequency)
    end = agreement.end_on or agreement.start_on + timedelta(days=HORIZON_DAYS)
    until = min(end, max(today, agreement.start_on) + 2 * half)
    days = planned_days(frequency, agreement.start_on, until)
    logged = sorted(
        ((check_in.met_on, name) for name, check_in in check_ins.items() if check_in.met_on),
        key=lambda pair: pair,
    )
    free = dict((name, met) for met, name in logged)
    meetings: list[PlannedMeeting] = []
    upcoming_seen = False
    for day in days:
        near = [
            (abs((met - day).days), name)
            for name, met in free.items()
            if day - half <= met < day + half
        ]
        if near:
            _, name = min(near)
            del free[name]
            meetings.append(PlannedMeeting(day, MeetingState.HELD, name))
        elif day >= today:
            if upcoming_seen:
                break  # only the next one to come
            upcoming_seen = True
            meetings.append(PlannedMeeting(day, MeetingState.UPCOMING))
        elif day + half <= today:
            meetings.append(PlannedMeeting(day, MeetingState.MISSED))
        else:
            meetings.append(PlannedMeeting(day, MeetingState.NOT_LOGGED))
    extra = tuple(name for met, name in logged if name in free)
    return Schedule(frequency, tuple(meetings), extra)


def schedule_words(schedule: Schedule) -> list[str]:
    """The schedule in sentences, for the check-ins page and the plan."""
    held = schedule.of(MeetingState.HELD)
    missed = schedule.of(MeetingState.MISSED)
    waiting = schedule.of(MeetingState.NOT_LOGGED)
    lines = [f"Agreed: meet {schedule.frequency.value}. Meetings held as planned: {len(held)}."]
    if missed:
        days = ", ".join(long_date(meeting.on) for meeting in missed)
        noun = "meeting" if len(missed) == 1 else "meetings"
        lines.append(
            f"Missed: {len(missed)} planned {noun} with no check-in logged ({days}). "
            "Tell your mentor and agree the next date: a missed meeting is a reason to talk, "
            "not to stop."
        )
    for meeting in waiting:
        lines.append(
            f"Not logged yet: the meeting planned for {long_date(meeting.on)}. Log it below if "
            "it took place."
        )
    if schedule.upcoming is not None:
        lines.append(f"Next meeting: {long_date(schedule.upcoming)}.")
    return lines


# ---------------------------------------------------------------------------------------
# The goal review


def review_due(
    agreement: MentoringAgreement | None, goals: Mapping[str, SmartGoal], today: date
) -> date | None:
    """The agreement's review date when it has come and no goal in progress has been
    reviewed on or after it; else None."""
    if agreement is None or agreement.review_on is None or agreement.review_on > today:
        return None
    active = [goal for goal in goals.values() if goal.status == GoalStatus.ACTIVE]
    if not active:
        return None
    reviewed = any(
        review.on >= agreement.review_on for goal in goals.values() for review in goal.reviews
    )
    return None if reviewed else agreement.review_on


def review_goal(goal: SmartGoal, decision: ReviewDecision, reason: str, on: date) -> SmartGoal:
    """`goal` with this review added to its history and its status as decided: done
    (reached on `on`), dropped, or still in progress (kept, or adjusted by the
    participant). `ReviewError` for an adjustment or a drop without a reason."""
    reason = reason.strip()
    if decision in NEEDS_A_REASON and not reason:
        verb = "adjust" if decision == ReviewDecision.ADJUST else "drop"
        raise ReviewError(f"Say why you {verb} this goal: the reason stays in its history.")
    status = {
        ReviewDecision.DONE: GoalStatus.DONE,
        ReviewDecision.DROP: GoalStatus.DROPPED,
    }.get(decision, GoalStatus.ACTIVE)
    review = GoalReview(on=on, decision=decision, reason=reason)
    return goal.model_copy(
        update={
            "reviews": [*goal.reviews, review],
            "status": status,
            "done_on": on if status == GoalStatus.DONE else None,
        }
    )


# ---------------------------------------------------------------------------------------
# Wins


@dataclass(frozen=True)
class Win:
    """A milestone ticked done or a goal reached."""

    on: date | None
    what: str
    goal: str  # the goal's title


def wins(goals: Mapping[str, SmartGoal]) -> list[Win]:
    """Every milestone done and every goal reached, newest first (undated ones last)."""
    found: list[Win] = []
    for goal in goals.values():
        title = goal.title or "Untitled goal"
        for milestone in goal.milestones:
            if milestone.done:
                found.append(Win(milestone.done_on, f"Milestone: {milestone.title}", title))
        if goal.status == GoalStatus.DONE:
            found.append(Win(goal.done_on, f"Goal reached: {title}", title))
    return sorted(found, key=lambda win: (win.on is None, -(win.on or date.min).toordinal()))


def celebration(what: str) -> str:
    """What the page says when a milestone or a goal is done (plain text)."""
    return (
        f"Well done: {what}! Take a moment to enjoy it, and tell your mentor at your next "
        "meeting; it is one more win in your plan."
    )
