"""Closing well: a thank-you to the mentor drafted from what the participant wrote, and the
offers to mentor the next cohort turned into rows of a mentor roster.

Pure functions: the thank-you is plain text for the participant to edit (the view escapes
it); a volunteer's row has the mentor roster's columns (`mentorkit.rosters`), so the
facilitator imports the file as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mentorkit.models import Closing, Framework, Participant, SelfAssessment
from mentorkit.rhythm import Win

#: The columns of a volunteer mentor's row: the mentor roster's own.
VOLUNTEER_COLUMNS = (
    "name",
    "email",
    "expertise",
    "capacity",
    "formats",
    "time_zone",
    "languages",
    "bio",
)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def thank_you_draft(
    participant: Participant, mentor_name: str, closing: Closing, wins: Sequence[Win]
) -> str:
    """A thank-you to the mentor: what their advice changed, in the participant's words,
    the wins it led to, and the wish to stay in touch."""
    greeting = f"Dear {mentor_name.split()[0]}," if mentor_name.split() else "Hello,"
    changed = _sentence(closing.what_changed)
    paragraphs = [
        greeting,
        "As our mentoring comes to its formal end, I want to thank you for your time, your "
        "questions and your advice.",
    ]
    if changed:
        paragraphs.append(f"What changed for me: {changed}")
    reached = [win.what.split(": ", 1)[-1] for win in wins][:3]
    if reached:
        listed = "\n".join(f"- {what}" for what in reached)
        paragraphs.append(f"Along the way I reached:\n{listed}")
    stay = _sentence(closing.stay_in_touch)
    paragraphs.append(
        f"I would like to stay in touch: {stay}"
        if stay
        else "I would like to stay in touch, and to let you know how things go."
    )
    paragraphs.append(f"With thanks,\n{participant.name}")
    return "\n\n".join(paragraphs)


def volunteer_rows(
    offers: Iterable[tuple[Participant, Closing, SelfAssessment | None]], framework: Framework
) -> list[dict[str, object]]:
    """One mentor roster row per participant who offered to mentor and left an email:
    their topics and their strengths as expertise, their meeting preferences."""
    names = framework.competencies()
    rows: list[dict[str, object]] = []
    for participant, closing, assessment in offers:
        email = closing.offer_email or participant.email
        if not closing.offer_to_mentor or email is None:
            continue
        strengths = [
            names[c].name for c in (assessment.strengths if assessment else []) if c in names
        ]
        topics = [t.strip() for t in closing.offer_topics.replace(",", ";").split(";") if t.strip()]
        prefs = assessment.preferences if assessment else None
        rows.append(
            {
                "name": participant.name,
                "email": email,
                "expertise": "; ".join(dict.fromkeys([*topics, *strengths])),
                "capacity": closing.offer_capacity or 1,
                "formats": "; ".join(f.value for f in prefs.formats) if prefs else "",
                "time_zone": (prefs.time_zone or "") if prefs else "",
                "languages": "; ".join(prefs.languages) if prefs else "",
                "bio": closing.offer_bio,
            }
        )
    return rows
