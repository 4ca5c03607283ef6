"""A first outreach message to a shortlisted mentor, drafted for the participant to edit.

The draft is plain text (the view escapes it before display): a subject line, a greeting by
the mentor's first name, a nod to the mentor's work, the participant's goals, the guidance
sought, a proposal for a short first meeting, thanks and a signature. Every piece falls back
to sensible wording when a field is empty, and inserted texts are shortened, more and more
if needed, so that a draft stays within `MIN_WORDS`–`MAX_WORDS` words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from mentorkit.fit import (
    MentorLike,
    competency_label,
    competency_names,
    join_words,
    suitable_formats,
)
from mentorkit.models import Framework, MeetingFormat, Participant, SelfAssessment

MIN_WORDS = 120
MAX_WORDS = 220

_MEETING = {
    MeetingFormat.VIDEO: "video call",
    MeetingFormat.PHONE: "phone call",
    MeetingFormat.IN_PERSON: "in-person chat",
    MeetingFormat.CHAT: "online chat",
}

_TRAILING = " \t.,;:!?-–—"


class _Limits(NamedTuple):
    """How many words of each inserted text a draft keeps (0: leave the text out)."""

    name: int  # the participant's name
    workshop: int
    role: int  # the mentor's title, and their organization
    bio: int
    items: int  # goals or growth areas named
    goal: int  # per goal title
    career_goal: int
    area: int  # per growth-area name


# Loosest first; the last level keeps any draft within MAX_WORDS whatever the input.
_LEVELS = (
    _Limits(name=8, workshop=8, role=8, bio=16, items=3, goal=15, career_goal=30, area=6),
    _Limits(name=6, workshop=6, role=6, bio=12, items=2, goal=10, career_goal=20, area=4),
    _Limits(name=4, workshop=4, role=4, bio=8, items=1, goal=8, career_goal=12, area=3),
    _Limits(name=3, workshop=0, role=3, bio=0, items=1, goal=6, career_goal=8, area=2),
)


def _words(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` words (with "…" when cut)."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    if limit <= 0:
        return ""
    return " ".join(words[:limit]).rstrip(_TRAILING) + "…"


def bio_clause(bio: str, limit: int = 16) -> str:
    """The opening clause of a bio: its first sentence up to a semicolon or dash, and when
    still longer than `limit` words, up to its last comma within the limit."""
    first = re.split(r"(?<=[.!?])\s+|\n+", bio.strip(), maxsplit=1)[0]
    first = re.split(r"\s*[;–—]\s*|\s+-\s+", first, maxsplit=1)[0].strip().rstrip(_TRAILING)
    words = first.split()
    if len(words) <= limit:
        return " ".join(words)
    head = " ".join(words[:limit])
    comma = head.rfind(",")
    if comma > 0 and len(head[:comma].split()) >= 6:
        return head[:comma].rstrip(_TRAILING)
    return _words(first, limit)


def _sentence(text: str) -> str:
    """`text` ending with a full stop unless it ends with other final punctuation."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _work_phrase(mentor: MentorLike, limit: int) -> str:
    title, organization = _words(mentor.title, limit), _words(mentor.organization, limit)
    if title and organization:
        return f"your work as {title} at {organization}"
    if title:
        return f"your work as {title}"
    if organization:
        return f"your work at {organization}"
    return "your profile"


def _meeting(assessment: SelfAssessment, mentor: MentorLike) -> str:
    """The first meeting to propose: in a format that suits both, else the mentor's first."""
    wanted = assessment.preferences.formats
    choices = suitable_formats(wanted, mentor.formats) or list(mentor.formats) or list(wanted)
    return f"30-minute {_MEETING[choices[0]]}" if choices else "30-minute conversation"


def _goals_paragraph(
    goals: Sequence[str], assessment: SelfAssessment, growth: Sequence[str], limits: _Limits
) -> str:
    titles = [_words(goal, limits.goal) for goal in goals if goal.strip()][: limits.items]
    if len(titles) == 1:
        return f"My goal for the coming months: {_sentence(titles[0])}"
    if titles:
        lines = "\n".join(f"- {title}" for title in titles)
        return f"These are the goals I have set myself for the coming months:\n{lines}"
    if assessment.career_goal.strip():
        goal = _sentence(_words(assessment.career_goal, limits.career_goal))
        return f'My career goal, in my own words: "{goal}"'
    if growth:
        return (
            f"I want to grow in {join_words(list(growth[: limits.items]))}, "
            "and I am turning that into concrete goals during the workshop."
        )
    return (
        "I am still shaping my goals, and I would welcome an experienced view on where "
        "to focus my energy first."
    )


def _draft(
    participant: Participant,
    mentor: MentorLike,
    assessment: SelfAssessment,
    names: Mapping[str, str],
    goals: Sequence[str],
    workshop_name: str,
    limits: _Limits,
    found_through: str,
) -> str:
    def area_name(competency_id: str) -> str:
        return _words(competency_label(competency_id, names), limits.area)

    growth = [area_name(area) for area in assessment.growth_areas]
    covered = [area_name(a) for a in assessment.growth_areas if a in mentor.expertise]
    covered = covered[: limits.items]
    sender = _words(participant.name, limits.name)
    workshop = _words(workshop_name, limits.workshop)
    first_name = mentor.name.split()[0] if mentor.name.split() else "there"

    if covered:
        subject = f"Mentoring request: guidance on {join_words(covered)}"
    else:
        subject = f"Mentoring request from {sender}"

    where = (
        f'I am taking part in the mentoring workshop "{workshop}"'
        if workshop
        else "I am taking part in a career-mentoring workshop"
    )
    noticed = _work_phrase(mentor, limits.role)
    clause = bio_clause(mentor.bio, limits.bio) if limits.bio else ""
    if clause:
        noticed += f', and in particular "{clause}",'
    if found_through:  # someone the participant found: how they know each other instead
        reason = f"{found_through}, and I believe you could help me a great deal."
    else:
        reason = (
            f"{noticed[0].upper()}{noticed[1:]} caught my attention, and I believe you could "
            "help me a great deal."
        )
    introduction = (
        f"My name is {_sentence(sender)} {where}, and I am looking for a mentor for the next few "
        f"months. {reason}"
    )

    if covered:
        known = (
            "I know you are good at"
            if found_through
            else "your profile lists among your areas of expertise"
        )
        guidance = (
            f"I would especially value your guidance on {join_words(covered)}, which {known}."
        )
    else:
        expertise = [area_name(area) for area in mentor.expertise[:2]]
        drawing = f", drawing on your experience in {join_words(expertise)}" if expertise else ""
        guidance = f"I would value your perspective on my next steps{drawing}."

    proposal = (
        f"Would you be open to a {_meeting(assessment, mentor)} within the next two weeks, "
        "to see whether we could work well together? I am happy to fit around your "
        "schedule, and I will send a short agenda beforehand so that your time is well spent."
    )
    thanks = (
        "Thank you very much for considering my request. I know your time is valuable, "
        "and I would be grateful for any advice, even if mentoring is not possible for you "
        "right now."
    )
    paragraphs = [
        f"Subject: {subject}",
        f"Dear {first_name},",
        introduction,
        _goals_paragraph(goals, assessment, growth, limits),
        guidance,
        proposal,
        thanks,
        f"Kind regards,\n{sender}",
    ]
    # No newline at the end: a worksheet's text is stored trimmed, and the page must show
    # the draft exactly as a reload will.
    return "\n\n".join(paragraphs)


def outreach_message(
    participant: Participant,
    mentor: MentorLike,
    assessment: SelfAssessment,
    framework: Framework,
    *,
    goals: Sequence[str] = (),
    workshop_name: str = "",
    found_through: str = "",
) -> str:
    """A polite, short, editable plain-text email asking `mentor` for a first meeting.

    `goals` are the participant's SMART goal titles; without them the draft states the
    career goal, else the top growth areas. `found_through` says how the participant
    knows a mentor they found themselves ("I found you through our alumni network"), in
    place of a nod to a directory profile. Text is inserted as typed (no HTML escaping:
    that is the view's job), shortened only when too long.
    """
    names = competency_names(framework)
    for limits in _LEVELS:
        draft = _draft(
            participant, mentor, assessment, names, goals, workshop_name, limits, found_through
        )
        if len(draft.split()) <= MAX_WORDS:
            break
    return draft
