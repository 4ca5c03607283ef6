"""Feedback on a SMART goal while the participant types it.

The checker guides and never blocks: every goal can be saved, and `check_goal` returns a
short list of plain, specific sentences saying what to add. A *warning* marks something a
finished goal should not have (no measure, a deadline in the past, a milestone not done
whose date has passed); a *tip* is a nudge.
Pure functions only: no widgets, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from mentorkit.models import Framework, SmartGoal
from mentorkit.rendering import long_date

__all__ = [
    "PARTS",
    "SMART_PARTS",
    "Feedback",
    "Severity",
    "SmartPart",
    "check_goal",
    "format_day",
    "is_complete",
    "overdue_milestones",
]


class Severity(StrEnum):
    TIP = "tip"
    WARNING = "warning"


@dataclass(frozen=True)
class Feedback:
    """One piece of advice about one part of a goal."""

    part: str
    severity: Severity
    message: str


class SmartPart(NamedTuple):
    """One of the five SMART parts of a goal: its model field, its label, and a hint that
    shows what to write (the worksheet's placeholder)."""

    field: str
    label: str
    hint: str


#: The five SMART parts in order: the worksheet, the plan and the feedback name them so.
SMART_PARTS: tuple[SmartPart, ...] = (
    SmartPart("specific", "Specific", "What exactly will you do? Where, with whom?"),
    SmartPart("measurable", "Measurable", "How will you know you are done? A number or evidence."),
    SmartPart(
        "achievable", "Achievable", "Why is this realistic for you? Time, support, resources."
    ),
    SmartPart("relevant", "Relevant", "Why does it matter now? Which growth area does it serve?"),
    SmartPart("time_bound", "Time-bound", "When, and in what steps?"),
)
_LABEL = {part.field: part.label for part in SMART_PARTS}

#: The order feedback is given in, top to bottom as the worksheet shows the parts.
PARTS: tuple[str, ...] = ("title", *(part.field for part in SMART_PARTS), "milestones")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date) -> str:
    """A date as '12 Mar 2027', the same in every locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def overdue_milestones(goal: SmartGoal, today: date) -> list[int]:
    """The 1-based numbers of the milestones not done whose due date is before `today`."""
    return [
        number
        for number, milestone in enumerate(goal.milestones, start=1)
        if not milestone.done and milestone.due_on is not None and milestone.due_on < today
    ]


# ---------------------------------------------------------------------------------------
# Word lists


def _words_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """Whole words or phrases, case-insensitive; longest first so phrases win."""
    alternatives = sorted(words, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, word.split())) for word in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


VAGUE_WORDS: tuple[str, ...] = (
    "better",
    "more",
    "improve",
    "improving",
    "some",
    "something",
    "things",
    "stuff",
    "try",
    "get good at",
    "work on",
    "etc",
    "as much as possible",
    "soon",
)

#: The numbers people write as words in a cell or a goal, in order from zero.
SMALL_NUMBERS: tuple[str, ...] = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)

NUMBER_WORDS: tuple[str, ...] = (
    *SMALL_NUMBERS[1:],
    "once",
    "twice",
    "percent",
    "per cent",
)

EVIDENCE_WORDS: tuple[str, ...] = (
    "certificate",
    "certified",
    "certification",
    "feedback",
    "published",
    "presented",
    "completed",
    "signed",
    "sign-off",
    "signed-off",
    "approved",
    "portfolio",
    "review",
    "reviewed",
    "submitted",
    "delivered",
    "shipped",
    "demo",
    "award",
)

_VAGUE = _words_pattern(VAGUE_WORDS)
_NUMBER = re.compile(r"\d|%")
_NUMBER_WORD = _words_pattern(NUMBER_WORDS)
_EVIDENCE = _words_pattern(EVIDENCE_WORDS)

_EMPTY_TIPS: dict[str, str] = {
    "specific": (
        f"{_LABEL['specific']}: say exactly what you will do, for example "
        "'Give a 10-minute talk on our release process at the monthly team meeting'."
    ),
    "measurable": (
        f"{_LABEL['measurable']}: say how you will know you have done it, for example "
        "'3 talks given, with written feedback from 2 listeners'."
    ),
    "achievable": (
        f"{_LABEL['achievable']}: say why this is realistic for you, for example "
        "'I have 2 hours a week for it and my manager has agreed'."
    ),
    "relevant": (
        f"{_LABEL['relevant']}: say why this goal matters to you now, for example "
        "'Speaking up in meetings is one of my growth areas'."
    ),
    "time_bound": (
        f"{_LABEL['time_bound']}: say when and in what steps you will do it, for example "
        "'Outline by March, first talk in April, second in June'."
    ),
}

_MAX_QUOTE = 60


def _quote(text: str) -> str:
    """`text` in single quotes, on one line and shortened to a readable length."""
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 1].rstrip() + "…"
    return f"'{text}'"


def _join(items: Sequence[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def vague_words(text: str) -> list[str]:
    """The vague words and phrases in `text`, as typed, each once, in reading order."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _VAGUE.finditer(text):
        word = " ".join(match.group().split())
        if word.casefold() not in seen:
            seen.add(word.casefold())
            found.append(word)
    return found


def has_measure(text: str) -> bool:
    """Whether `text` names a number, a percentage or a piece of evidence."""
    return bool(_NUMBER.search(text) or _NUMBER_WORD.search(text) or _EVIDENCE.search(text))


# ---------------------------------------------------------------------------------------
# The checks, one function per part


def _check_vague(part: str, label: str, text: str) -> list[Feedback]:
    words = vague_words(text)
    if not words:
        return []
    quoted = _join([_quote(word) for word in words])
    verb = "is" if len(words) == 1 else "are"
    message = (
        f"{label}: {quoted} {verb} vague; say what exactly you will do "
        "and what will be different when you are done."
    )
    return [Feedback(part, Severity.TIP, message)]


def _check_measurable(goal: SmartGoal) -> list[Feedback]:
    if not goal.measurable or has_measure(goal.measurable):
        return []
    return [
        Feedback(
            "measurable",
            Severity.WARNING,
            f"{_LABEL['measurable']}: add a number or a piece of evidence you could show, "
            "such as '3 talks' or 'a signed-off plan'.",
        )
    ]


def _growth_area_names(growth_areas: Sequence[str], framework: Framework | None) -> list[str]:
    known = framework.competencies() if framework is not None else {}
    return [known[gid].name if gid in known else gid for gid in growth_areas]


def _mentions(text: str, name: str) -> bool:
    words = name.replace("-", " ").split()
    if not words:
        return False
    pattern = r"[\s-]+".join(map(re.escape, words))
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


def _check_relevant(
    goal: SmartGoal, growth_areas: Sequence[str], framework: Framework | None
) -> list[Feedback]:
    areas = list(dict.fromkeys(area.strip().lower() for area in growth_areas if area.strip()))
    if not areas or set(goal.competencies) & set(areas):
        return []
    names = _growth_area_names(areas, framework)
    candidates = [*names, *areas]
    if any(_mentions(goal.relevant, name) for name in candidates):
        return []
    listed = _join([_quote(name) for name in names], "or")
    return [
        Feedback(
            "relevant",
            Severity.WARNING,
            f"{_LABEL['relevant']}: this goal is not linked to your growth areas; "
            f"say how it helps with {listed}, or tag it with one of them.",
        )
    ]


def _check_time_bound(goal: SmartGoal, today: date, agreement_end: date | None) -> list[Feedback]:
    found: list[Feedback] = []
    deadline = goal.deadline
    if deadline is None:
        found.append(
            Feedback(
                "time_bound",
                Severity.WARNING,
                f"{_LABEL['time_bound']}: pick a deadline, "
                "the date by which the whole goal is done.",
            )
        )
        return found
    if deadline < today:
        found.append(
            Feedback(
                "time_bound",
                Severity.WARNING,
                f"{_LABEL['time_bound']}: the deadline {format_day(deadline)} has already passed; "
                "pick a date from today on.",
            )
        )
    if agreement_end is not None and deadline > agreement_end:
        found.append(
            Feedback(
                "time_bound",
                Severity.WARNING,
                f"{_LABEL['time_bound']}: the deadline {format_day(deadline)} is after "
                f"your mentoring agreement ends on {format_day(agreement_end)}; bring it forward "
                "or plan how you will finish on your own.",
            )
        )
    return found


def _check_overdue(goal: SmartGoal, today: date) -> list[Feedback]:
    found: list[Feedback] = []
    for number in overdue_milestones(goal, today):
        milestone = goal.milestones[number - 1]
        assert milestone.due_on is not None
        found.append(
            Feedback(
                "milestones",
                Severity.WARNING,
                f"Milestone {number} ({_quote(milestone.title)}) is due "
                f"{long_date(milestone.due_on)}, before today: move the date or mark it done.",
            )
        )
    return found


def _check_milestones(goal: SmartGoal) -> list[Feedback]:
    if not goal.milestones:
        return [
            Feedback(
                "milestones",
                Severity.TIP,
                "Milestones: add two or three steps on the way, each with a date, "
                "such as 'Outline the talk by 1 Mar'.",
            )
        ]
    found: list[Feedback] = []
    previous = None
    for milestone in goal.milestones:
        due = milestone.due_on
        if due is None:
            continue
        if previous is not None and previous.due_on is not None and due < previous.due_on:
            found.append(
                Feedback(
                    "milestones",
                    Severity.WARNING,
                    f"Milestones: {_quote(milestone.title)} ({format_day(due)}) is due before "
                    f"the step above it, {_quote(previous.title)} "
                    f"({format_day(previous.due_on)}); reorder them or fix a date.",
                )
            )
        if goal.deadline is not None and due > goal.deadline:
            found.append(
                Feedback(
                    "milestones",
                    Severity.WARNING,
                    f"Milestones: {_quote(milestone.title)} is due {format_day(due)}, after the "
                    f"goal's deadline of {format_day(goal.deadline)}; move it earlier "
                    "or move the deadline.",
                )
            )
        previous = milestone
    undated = [_quote(m.title) for m in goal.milestones if m.due_on is None]
    if undated:
        them = "it" if len(undated) == 1 else "them"
        found.append(
            Feedback(
                "milestones",
                Severity.TIP,
                f"Milestones: give {_join(undated)} a date so you can see whether you are "
                f"on track with {them}.",
            )
        )
    return found


def check_goal(
    goal: SmartGoal,
    *,
    today: date,
    growth_areas: Sequence[str] = (),
    framework: Framework | None = None,
    agreement_end: date | None = None,
) -> list[Feedback]:
    """Every piece of feedback on `goal`, in the order of its parts (see `PARTS`).

    `growth_areas` are the participant's competency ids from the self-assessment;
    `framework` gives their names; `agreement_end` is the mentoring agreement's end date.
    """
    found: list[Feedback] = []
    found += _check_vague("title", "Goal", goal.title)
    found += _check_vague("specific", _LABEL["specific"], goal.specific)
    for part, tip in _EMPTY_TIPS.items():
        if not getattr(goal, part).strip():
            found.append(Feedback(part, Severity.TIP, tip))
    found += _check_measurable(goal)
    found += _check_relevant(goal, growth_areas, framework)
    found += _check_time_bound(goal, today, agreement_end)
    found += _check_overdue(goal, today)
    found += _check_milestones(goal)
    rank = {part: index for index, part in enumerate(PARTS)}
    return sorted(found, key=lambda feedback: rank[feedback.part])  # stable within a part


def is_complete(
    goal: SmartGoal,
    *,
    today: date,
    growth_areas: Sequence[str] = (),
    framework: Framework | None = None,
    agreement_end: date | None = None,
) -> bool:
    """Whether all five parts are filled in and no warning is left."""
    if any(not getattr(goal, part).strip() for part in _EMPTY_TIPS):
        return False
    feedback = check_goal(
        goal,
        today=today,
        growth_areas=growth_areas,
        framework=framework,
        agreement_end=agreement_end,
    )
    return all(item.severity is not Severity.WARNING for item in feedback)
