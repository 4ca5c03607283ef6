"""The "My plan" page: every worksheet of one participant on one printable page.

Pure functions: the caller loads the documents and passes them in `PlanData`; this module
only ranks, groups and renders (through the shared environments of `mentorkit.rendering`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean
from typing import Any

from markupsafe import Markup

from mentorkit.agreement import AgreementMentor, agreement_mentor, agreement_terms
from mentorkit.growth import growth, growth_chart, growth_sentences
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
from mentorkit.rendering import html_environment, markdown_environment
from mentorkit.rhythm import wins
from mentorkit.smart import SMART_PARTS

#: Ratings suggest strengths from "Capable" up and growth areas from "Capable" down.
FILL_THRESHOLD = 3
#: How many strengths (and growth areas) the self-assessment asks for.
PRIORITY_SLOTS = 3


# ---------------------------------------------------------------------------------------
# The self-assessment, summarised


def _known(ids: Sequence[str], competencies: Mapping[str, Competency]) -> list[Competency]:
    return [competencies[i] for i in ids if i in competencies]


def chosen_strengths(assessment: SelfAssessment | None, framework: Framework) -> list[Competency]:
    """The strengths the participant picked, in their order (unknown ids left out)."""
    if assessment is None:
        return []
    return _known(assessment.strengths, framework.competencies())


def chosen_growth_areas(
    assessment: SelfAssessment | None, framework: Framework
) -> list[Competency]:
    """The growth areas the participant picked, in their order (unknown ids left out)."""
    if assessment is None:
        return []
    return _known(assessment.growth_areas, framework.competencies())


def _by_rating(
    assessment: SelfAssessment, framework: Framework, *, strengths: bool
) -> list[Competency]:
    """Rated competencies picked as neither, for strengths from "Capable" up (highest
    first), for growth areas from "Capable" down (lowest first); ties in framework order."""
    skip = set(assessment.strengths) | set(assessment.growth_areas)
    sign = -1 if strengths else 1
    rated = [
        (sign * rating, position, competency)
        for position, competency in enumerate(framework.competencies().values())
        if (rating := assessment.ratings.get(competency.id)) is not None
        and (rating >= FILL_THRESHOLD if strengths else rating <= FILL_THRESHOLD)
        and competency.id not in skip
    ]
    rated.sort(key=lambda item: (item[0], item[1]))
    return [competency for _, _, competency in rated]


def suggested_strengths(
    assessment: SelfAssessment | None, framework: Framework
) -> list[Competency]:
    """Competencies the ratings suggest as strengths, while strength slots are free.

    Only a *suggestion*, to be labelled as one: never shown as the participant's choice
    and never put in the plan. The highest rated from "Capable" (3) up, ties in framework
    order; none already picked as a strength or a growth area; at most as many as there
    are free slots (`PRIORITY_SLOTS` less those picked).
    """
    if assessment is None:
        return []
    free = max(0, PRIORITY_SLOTS - len(assessment.strengths))
    return _by_rating(assessment, framework, strengths=True)[:free]


def suggested_growth_areas(
    assessment: SelfAssessment | None, framework: Framework
) -> list[Competency]:
    """Competencies the ratings suggest as growth areas, while growth-area slots are free.

    Like `suggested_strengths`, from "Capable" (3) down with the lowest rated first, and
    never one that `suggested_strengths` offers, so none is suggested as both.
    """
    if assessment is None:
        return []
    free = max(0, PRIORITY_SLOTS - len(assessment.growth_areas))
    strengths = {c.id for c in suggested_strengths(assessment, framework)}
    found = _by_rating(assessment, framework, strengths=False)
    return [c for c in found if c.id not in strengths][:free]


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
    grown = growth(assessment, framework)
    prefs = assessment.preferences
    preferences = [
        ("Meeting formats", ", ".join(f.value for f in prefs.formats)),
        ("Meeting frequency", prefs.frequency.value if prefs.frequency else ""),
        ("Time zone", prefs.time_zone or ""),
        ("Languages", ", ".join(prefs.languages)),
    ]
    return {
        "strengths": [_rated(c, assessment) for c in chosen_strengths(assessment, framework)],
        "growth_areas": [_rated(c, assessment) for c in chosen_growth_areas(assessment, framework)],
        "areas": [
            {"name": area.name, "mean": None if mean is None else f"{mean:.1f}"}
            for area, mean in ratings_by_area(assessment, framework)
        ],
        "values": list(assessment.values),
        "career_goal": assessment.career_goal,
        "preferences": [(label, value) for label, value in preferences if value],
        "growth": growth_sentences(grown),
        # matplotlib's SVG, its text escaped by matplotlib; shown only in the HTML plan.
        "growth_chart": Markup(growth_chart(grown)),
    }


def _shortlist_context(data: PlanData) -> list[dict[str, Any]]:
    if data.shortlist is None:
        return []
    entries = []
    found = {prospect.id: prospect for prospect in data.shortlist.prospects}
    for entry in data.shortlist.entries:
        if entry.mentor_email is None:
            prospect = found[entry.mentor_key]
            role = f"found through {prospect.found_through}" if prospect.found_through else ""
            view = {"name": prospect.name, "role": role}
            entries.append({**view, "email": prospect.email or "", "note": entry.note})
            continue
        mentor = data.mentors.get(entry.mentor_email)
        view = _mentor_view(mentor) if mentor else {"name": entry.mentor_email, "role": ""}
        entries.append({**view, "email": entry.mentor_email, "note": entry.note})
    return entries


def the_agreements_mentor(data: PlanData) -> AgreementMentor | None:
    """The mentor the participant's agreement names: of the directory (or the one the
    matching gave them), or one they found themselves (from their shortlist)."""
    agreement = data.agreement
    if agreement is None:
        return None
    found = data.shortlist.prospects if data.shortlist is not None else ()
    mentor = agreement_mentor(agreement, data.mentors, found)
    matched = data.matched_mentor
    if mentor is None and matched is not None and matched.email == agreement.mentor_email:
        mentor = matched
    return mentor


def _agreement_context(data: PlanData) -> dict[str, Any] | None:
    agreement = data.agreement
    if agreement is None or not _agreement_started(agreement):
        return None
    mentor = the_agreements_mentor(data)
    today = data.today or date.today()
    assessment = data.assessment
    terms = agreement_terms(
        agreement,
        mentor=mentor,
        goals=data.goals,
        participant=data.participant,
        tz=assessment.preferences.time_zone if assessment is not None else None,
    )
    return {
        **terms,
        "next_meeting": next((m for m in terms["meetings"] if m["day"] >= today), None),
    }


def _goal_context(goal: SmartGoal, framework: Framework, today: date) -> dict[str, Any]:
    competencies = framework.competencies()
    milestones = [
        {
            "title": m.title,
            "due_on": m.due_on,
            "done": m.done,
            "overdue": not m.done and m.due_on is not None and m.due_on < today,
        }
        for m in goal.milestones
    ]
    return {
        "title": goal.title,
        "deadline": goal.deadline,
        "competencies": [
            competencies[i].name if i in competencies else i for i in goal.competencies
        ],
        "parts": [(part.label, getattr(goal, part.field)) for part in SMART_PARTS],
        "milestones": milestones,
        "overdue_count": sum(m["overdue"] for m in milestones),
        "done_count": sum(m.done for m in goal.milestones),
    }


def _check_in_context(check_in: CheckIn) -> dict[str, Any]:
    return {
        "met_on": check_in.met_on,
        "agenda": check_in.agenda,
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
    today = data.today or date.today()
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
        "today": today,
        "about": _about_context(data),
        "mentor": _mentor_view(data.matched_mentor) if data.matched_mentor else None,
        "shortlist": _shortlist_context(data),
        "agreement": _agreement_context(data),
        "goals": [_goal_context(g, data.workshop.framework, today) for g in data.goals],
        "wins": [
            {"on": win.on, "what": win.what}
            for win in wins({str(number): goal for number, goal in enumerate(data.goals)})
        ],
        "check_ins": [_check_in_context(c) for c in check_ins],
    }


def plan_markdown(data: PlanData) -> str:
    """The plan as Markdown, with every user-typed string escaped."""
    return markdown_environment().get_template("plan.md.j2").render(plan_context(data))


def plan_html(data: PlanData) -> str:
    """The plan as a standalone, print-ready HTML5 document, with every user string escaped."""
    return html_environment().get_template("plan.html.j2").render(plan_context(data))
