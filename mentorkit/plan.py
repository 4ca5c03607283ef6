"""The "My plan" page: every worksheet of one participant on one printable page.

Pure functions: the caller loads the documents and passes them in `PlanData`; this module
only ranks, groups and renders. It also owns the two Jinja2 environments that every
printable output shares: HTML with autoescaping on, and Markdown where each expression is
passed through `markdown_escape` unless a filter already made it safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Any

from mentorkit.models import (
    RATING_LABELS,
    CheckIn,
    Competency,
    CompetencyArea,
    Framework,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    SelfAssessment,
    SmartGoal,
    Workshop,
)

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).parent / "templates"

#: Ratings fill the top strengths from "Capable" up and the growth areas from "Capable" down.
FILL_THRESHOLD = 3

SMART_PARTS: tuple[tuple[str, str], ...] = (
    ("specific", "Specific"),
    ("measurable", "Measurable"),
    ("achievable", "Achievable"),
    ("relevant", "Relevant"),
    ("time_bound", "Time-bound"),
)


# ---------------------------------------------------------------------------------------
# Markdown escaping


class MarkdownSafe(str):
    """Text already escaped for Markdown: the Markdown environment prints it as it is."""


_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]|~$])")
_LINE_START_MARKER = re.compile(r"^([#+\-=])", re.MULTILINE)
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)", re.MULTILINE)
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def markdown_escape(text: str) -> str:
    """`text` as literal Markdown: no raw HTML, no links, no headings, lists or code.

    `&`, `<` and `>` become HTML entities (so no tag, autolink or block quote survives);
    `\\`, backticks, `*`, `_`, `[`, `]`, `|`, `~` and `$` (Jupyter maths) are
    backslash-escaped anywhere; `#`, `+`, `-`, `=` and `1.` / `1)` are escaped at the start
    of each line, after dropping the line's indentation (four spaces would start a code
    block). Line breaks are kept. A bare URL stays visible text, which some renderers
    still show as a link to exactly that URL.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _LEADING_SPACE.sub("", text)
    text = _LINE_START_MARKER.sub(r"\\\1", text)
    return _LINE_START_NUMBER.sub(r"\1\\\2", text)


def _markdown_finalize(value: Any) -> str:
    """Escape every expression the Markdown templates print, unless it is `MarkdownSafe`."""
    if value is None:
        return ""
    if isinstance(value, MarkdownSafe):
        return value
    return markdown_escape(str(value))


def markdown_text(text: str, indent: str = "") -> MarkdownSafe:
    """Multi-line user text as a Markdown block: escaped, with hard line breaks kept."""
    lines = markdown_escape(text).split("\n")
    return MarkdownSafe(("  \n" + indent).join(lines))


def markdown_cell(text: str) -> MarkdownSafe:
    """User text for a Markdown table cell: escaped, line breaks as `<br>`."""
    return MarkdownSafe(markdown_escape(text).replace("\n", "<br>") or " ")


# ---------------------------------------------------------------------------------------
# Dates and shared template helpers


def long_date(day: date | None) -> str:
    """'12 March 2026' (empty for no date)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def weekday_date(day: date | None) -> str:
    """'Thu 12 March 2026' (empty for no date)."""
    return f"{day:%a} {day.day} {day:%B %Y}" if day else ""


_SHARED_FILTERS: Mapping[str, Callable[..., Any]] = {
    "long_date": long_date,
    "weekday_date": weekday_date,
}


@cache
def html_environment() -> Environment:
    """Templates for HTML output: every printed value is HTML-escaped."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_SHARED_FILTERS)
    return env


@cache
def markdown_environment() -> Environment:
    """Templates for Markdown output: every printed value goes through `markdown_escape`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=False,
        finalize=_markdown_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_SHARED_FILTERS)
    env.filters["md_text"] = markdown_text
    env.filters["md_cell"] = markdown_cell
    return env


# ---------------------------------------------------------------------------------------
# The self-assessment, summarised


def _known(ids: Sequence[str], competencies: Mapping[str, Competency]) -> list[Competency]:
    return [competencies[i] for i in ids if i in competencies]


def top_strengths(
    assessment: SelfAssessment | None, framework: Framework, n: int = 3
) -> list[Competency]:
    """Up to `n` strengths: those marked, in the participant's order, then the highest rated.

    The fill takes only competencies rated "Capable" (3) or better and never one marked as
    a growth area; ties go to framework order.
    """
    if assessment is None or n <= 0:
        return []
    competencies = framework.competencies()
    chosen = _known(assessment.strengths, competencies)[:n]
    skip = {c.id for c in chosen} | set(assessment.growth_areas)
    rated = [
        (rating, position, competency)
        for position, competency in enumerate(competencies.values())
        if (rating := assessment.ratings.get(competency.id)) is not None
        and rating >= FILL_THRESHOLD
        and competency.id not in skip
    ]
    rated.sort(key=lambda item: (-item[0], item[1]))
    chosen += [competency for _, _, competency in rated[: n - len(chosen)]]
    return chosen


def top_growth_areas(
    assessment: SelfAssessment | None, framework: Framework, n: int = 3
) -> list[Competency]:
    """Up to `n` growth areas: those marked, in the participant's order, then the lowest rated.

    The fill takes only competencies rated "Capable" (3) or lower, never one marked as a
    strength nor one that `top_strengths` lists (so a page never calls one competency
    both); ties go to framework order.
    """
    if assessment is None or n <= 0:
        return []
    competencies = framework.competencies()
    chosen = _known(assessment.growth_areas, competencies)[:n]
    skip = (
        {c.id for c in chosen}
        | set(assessment.strengths)
        | {c.id for c in top_strengths(assessment, framework, n)}
    )
    rated = [
        (rating, position, competency)
        for position, competency in enumerate(competencies.values())
        if (rating := assessment.ratings.get(competency.id)) is not None
        and rating <= FILL_THRESHOLD
        and competency.id not in skip
    ]
    rated.sort(key=lambda item: (item[0], item[1]))
    chosen += [competency for _, _, competency in rated[: n - len(chosen)]]
    return chosen


def ratings_by_area(
    assessment: SelfAssessment | None, framework: Framework
) -> list[tuple[CompetencyArea, float | None]]:
    """The mean rating of each area in framework order; None when nothing in it is rated."""
    ratings = assessment.ratings if assessment is not None else {}
    result: list[tuple[CompetencyArea, float | None]] = []
    for area in framework.areas:
        given = [ratings[c.id] for c in area.competencies if c.id in ratings]
        result.append((area, fmean(given) if given else None))
    return result


# ---------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True)
class PlanData:
    """Everything one participant's plan shows; documents not started yet are None or empty."""

    workshop: Workshop
    participant: Participant
    assessment: SelfAssessment | None
    shortlist: MentorShortlist | None
    mentors: Mapping[str, MentorProfile]  # by email
    agreement: MentoringAgreement | None
    goals: Sequence[SmartGoal]
    check_ins: Sequence[CheckIn]  # any order; shown newest first
    matched_mentor: MentorProfile | None = None
    today: date | None = None


def _assessment_started(assessment: SelfAssessment | None) -> bool:
    if assessment is None:
        return False
    prefs = assessment.preferences
    return bool(
        assessment.ratings
        or assessment.strengths
        or assessment.growth_areas
        or assessment.values
        or assessment.career_goal
        or prefs.formats
        or prefs.frequency
        or prefs.time_zone
        or prefs.languages
    )


def _agreement_started(agreement: MentoringAgreement | None) -> bool:
    if agreement is None:
        return False
    return agreement != MentoringAgreement()


def _rated(competency: Competency, assessment: SelfAssessment) -> dict[str, Any]:
    rating = assessment.ratings.get(competency.id)
    return {
        "name": competency.name,
        "rating": rating,
        "label": RATING_LABELS[rating] if rating is not None else "",
    }


def _mentor_view(mentor: MentorProfile) -> dict[str, Any]:
    return {
        "name": mentor.name,
        "email": mentor.email,
        "role": ", ".join(part for part in (mentor.title, mentor.organization) if part),
    }


def _about_context(data: PlanData) -> dict[str, Any] | None:
    assessment = data.assessment
    if assessment is None or not _assessment_started(assessment):
        return None
    framework = data.workshop.framework
    prefs = assessment.preferences
    preferences = [
        ("Meeting formats", ", ".join(f.value for f in prefs.formats)),
        ("Meeting frequency", prefs.frequency.value if prefs.frequency else ""),
        ("Time zone", prefs.time_zone or ""),
        ("Languages", ", ".join(prefs.languages)),
    ]
    return {
        "strengths": [_rated(c, assessment) for c in top_strengths(assessment, framework)],
        "growth_areas": [_rated(c, assessment) for c in top_growth_areas(assessment, framework)],
        "areas": [
            {"name": area.name, "mean": None if mean is None else f"{mean:.1f}"}
            for area, mean in ratings_by_area(assessment, framework)
        ],
        "values": list(assessment.values),
        "career_goal": assessment.career_goal,
        "preferences": [(label, value) for label, value in preferences if value],
    }


def _shortlist_context(data: PlanData) -> list[dict[str, Any]]:
    if data.shortlist is None:
        return []
    entries = []
    for entry in data.shortlist.entries:
        mentor = data.mentors.get(entry.mentor_email)
        view = _mentor_view(mentor) if mentor else {"name": entry.mentor_email, "role": ""}
        entries.append({**view, "email": entry.mentor_email, "note": entry.note})
    return entries


def _agreement_context(data: PlanData) -> dict[str, Any] | None:
    from mentorkit.agreement import (  # agreement.py imports this module's escaping
        agreement_terms,
        meeting_dates,
    )

    agreement = data.agreement
    if agreement is None or not _agreement_started(agreement):
        return None
    mentor = data.mentors.get(agreement.mentor_email or "")
    matched = data.matched_mentor
    if mentor is None and matched is not None and matched.email == agreement.mentor_email:
        mentor = matched
    dates = meeting_dates(agreement)
    today = data.today or date.today()
    return {
        **agreement_terms(agreement, mentor=mentor, goals=data.goals),
        "meetings": dates,
        "next_meeting": next((day for day in dates if day >= today), None),
    }


def _goal_context(goal: SmartGoal, framework: Framework) -> dict[str, Any]:
    competencies = framework.competencies()
    return {
        "title": goal.title,
        "deadline": goal.deadline,
        "competencies": [
            competencies[i].name if i in competencies else i for i in goal.competencies
        ],
        "parts": [(label, getattr(goal, field)) for field, label in SMART_PARTS],
        "milestones": list(goal.milestones),
        "done_count": sum(m.done for m in goal.milestones),
    }


def _check_in_context(check_in: CheckIn) -> dict[str, Any]:
    return {
        "met_on": check_in.met_on,
        "topics": list(check_in.topics),
        "learned": check_in.learned,
        "action_items": [
            {"text": a.text, "owner": a.owner.value, "due_on": a.due_on, "done": a.done}
            for a in sorted(check_in.action_items, key=lambda a: a.done)
        ],
    }


def plan_context(data: PlanData) -> dict[str, Any]:
    """The values both plan templates show, already ranked, sorted and looked up."""
    participant = data.participant
    check_ins = sorted(data.check_ins, key=lambda c: c.met_on or date.max, reverse=True)
    return {
        "workshop": {"name": data.workshop.name},
        "participant": {
            "name": participant.name,
            "details": ", ".join(
                part
                for part in (
                    participant.department,
                    participant.career_stage.value if participant.career_stage else "",
                )
                if part
            ),
        },
        "today": data.today or date.today(),
        "about": _about_context(data),
        "mentor": _mentor_view(data.matched_mentor) if data.matched_mentor else None,
        "shortlist": _shortlist_context(data),
        "agreement": _agreement_context(data),
        "goals": [_goal_context(g, data.workshop.framework) for g in data.goals],
        "check_ins": [_check_in_context(c) for c in check_ins],
    }


def plan_markdown(data: PlanData) -> str:
    """The plan as Markdown, with every user-typed string escaped."""
    return markdown_environment().get_template("plan.md.j2").render(plan_context(data))


def plan_html(data: PlanData) -> str:
    """The plan as a standalone, print-ready HTML5 document, with every user string escaped."""
    return html_environment().get_template("plan.html.j2").render(plan_context(data))
