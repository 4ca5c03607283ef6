"""Mentors a participant finds themselves, outside the workshop's directory.

The advice is to look beyond the facilitator's list: in one's own network, among former
colleagues and teachers, in professional associations, alumni groups, at events and
online. A participant writes such a mentor down on their shortlist (`ProspectiveMentor`);
what they say the mentor is good at is read against the workshop's framework, so that
the mentor is ranked against the participant's growth areas and gets an outreach draft
like the directory's mentors. Only the directory's mentors can be sent a request through
the workshop: the participant contacts the others themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from mentorkit.expertise import ExpertiseVocabulary
from mentorkit.fit import NO_FORMATS_LISTED, FitScore, score_fit
from mentorkit.models import (
    PROSPECT_ID,
    FoundThrough,
    Framework,
    MeetingFormat,
    ProspectiveMentor,
    SelfAssessment,
)

#: Where to look for a mentor beyond the directory: (place, what to try there).
PLACES_TO_LOOK: tuple[tuple[str, str], ...] = (
    ("Your own network", "people you admire at work, a manager's manager, a friend of a friend"),
    ("Former colleagues and teachers", "someone who knew your work and whose advice you valued"),
    ("Professional associations", "members' directories, local chapters, special groups"),
    ("Alumni groups", "your school's or employer's alumni network, often keen to help"),
    ("Events", "speakers and organisers at meetups, conferences and workshops"),
    ("Online", "people who write or speak well on what you want to learn"),
)

#: What to check before approaching someone.
WHAT_TO_CHECK: tuple[tuple[str, str], ...] = (
    ("Track record", "have they done what you want to do, and helped others do it?"),
    ("What others say", "ask people who know them or were mentored by them"),
    ("Mentoring style and values", "would you enjoy and trust their way of working?"),
    ("Years of experience", "enough to see further than you, recent enough to be relevant"),
)

#: How the outreach draft says where the participant found the mentor.
_FOUND_THROUGH_SENTENCES: dict[FoundThrough, str] = {
    FoundThrough.OWN_NETWORK: "We are connected through my own network",
    FoundThrough.FORMER_COLLEAGUE: "We have worked or studied together before",
    FoundThrough.ALUMNI: "I found you through our alumni network",
    FoundThrough.ASSOCIATION: "I found you through our professional association",
    FoundThrough.EVENT: "I came across you at an event",
    FoundThrough.ONLINE: "I came across your work online",
}

#: Most mentors a participant keeps on their own list (`MentorShortlist.prospects`).
MAX_PROSPECTS = 10

_SEPARATORS = re.compile(r"[;,/\n]| and ")


@dataclass(frozen=True)
class FoundMentor:
    """A mentor the participant found, as the ranking and the outreach draft read them:
    their words for what the mentor is good at matched to the framework's competencies
    (`expertise`), and the words that matched none (`other_topics`)."""

    prospect: ProspectiveMentor
    expertise: tuple[str, ...]
    other_topics: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.prospect.name

    @property
    def title(self) -> str:
        return ""

    @property
    def organization(self) -> str:
        return ""

    @property
    def formats(self) -> Sequence[MeetingFormat]:
        return ()

    @property
    def time_zone(self) -> str | None:
        return None

    @property
    def languages(self) -> Sequence[str]:
        return ()

    @property
    def bio(self) -> str:
        return ""


@dataclass(frozen=True)
class ProspectFit:
    """How well a mentor the participant found fits them."""

    mentor: FoundMentor
    fit: FitScore


def found_mentor(prospect: ProspectiveMentor, vocabulary: ExpertiseVocabulary) -> FoundMentor:
    """`prospect` with what they are good at read as the framework's competencies: each
    term between commas, semicolons, slashes or 'and', by name, id or a common synonym."""
    expertise: list[str] = []
    other: list[str] = []
    for term in _SEPARATORS.split(prospect.good_at):
        term = term.strip()
        if not term:
            continue
        matched = vocabulary.match(term)
        if matched:
            expertise.extend(cid for cid in matched if cid not in expertise)
        elif term.casefold() not in {word.casefold() for word in other}:
            other.append(term)
    return FoundMentor(prospect, tuple(expertise), tuple(other))


def rank_found(
    assessment: SelfAssessment,
    prospects: Iterable[ProspectiveMentor],
    framework: Framework,
    vocabulary: ExpertiseVocabulary,
    *,
    today: date | None = None,
) -> list[ProspectFit]:
    """The mentors the participant found, best fit first (ties by name): scored as the
    directory's are, on what they are good at, with a place always left (whether they
    take the participant on is for them to say) and no word on meeting formats, which the
    participant does not know yet."""
    fits = []
    for prospect in prospects:
        found = found_mentor(prospect, vocabulary)
        scored = score_fit(assessment, found, framework, places_left=1, today=today)
        # How to meet is for the two of them to agree: not a shortcoming of theirs.
        reasons = tuple(reason for reason in scored.reasons if reason != NO_FORMATS_LISTED)
        fits.append(ProspectFit(found, replace(scored, reasons=reasons)))
    return sorted(fits, key=lambda item: (-item.fit.score, item.mentor.name.casefold()))


def next_prospect_id(taken: Iterable[str]) -> str:
    """A prospect id no mentor on the list has, never one used before on it: 'own-N' with
    N one more than the highest (a choice that named a removed mentor names nobody new)."""
    numbers = [int(found[4:]) for found in taken if re.fullmatch(PROSPECT_ID, found)]
    return f"own-{max(numbers, default=0) + 1}"


def is_prospect_id(key: str | None) -> bool:
    """Whether `key` names a mentor the participant found ('own-2'), not one of the
    directory (an email, which always holds an '@')."""
    return key is not None and re.fullmatch(PROSPECT_ID, key) is not None


def found_through_sentence(found_through: FoundThrough | None) -> str:
    """How an outreach draft says where the participant found the mentor ('' when they
    did not say, or found them somewhere else)."""
    return _FOUND_THROUGH_SENTENCES.get(found_through, "") if found_through else ""
