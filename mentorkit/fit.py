"""How well each mentor fits a participant, as a score with reasons in plain words.

One deterministic scoring function, `fit`, serves both the participant's mentor list
(`rank_mentors`) and the facilitator's cohort matching (`score_matrix`). A score is the sum
of these parts (weights in `FitWeights`, defaults in `DEFAULT_WEIGHTS`):

- **growth areas**: `growth_area` points for each of the participant's growth areas that the
  mentor's expertise covers, plus a small priority bonus: together the bonuses of all the
  participant's growth areas add up to `PRIORITY_BONUS` × `growth_area` (half a point by
  default), shared in proportion n, n-1, …, 1 so the first growth area weighs most;
- **format**: `format` points when the mentor offers a meeting format that suits the
  participant (one of their preferred formats, or any format when they have no preference);
- **time zone**: `time_zone` points when the UTC offsets (at a reference date, on a 24-hour
  clock) are at most 3 hours apart, half of them at most 6 hours apart; 0 when either zone is
  unknown;
- **language**: `language` points when the mentor lists one of the participant's preferred
  languages (case-insensitive); 0 when the participant states no language;
- **shared values**: `shared_values` points per value word of the participant found as a
  whole word in the mentor's bio (case-insensitive), counting at most `MAX_SHARED_VALUES`;
- **capacity**: `capacity` points when the mentor has a place left. A mentor with no places
  left is still listed with their reasons, but is scored as unavailable: score 0.

With the default weights, growth areas come first: among mentors with places left, a mentor
who covers more of the participant's growth areas always scores higher than one who covers
fewer, because one growth area (10) outweighs everything else that can differ between them
(format 3 + time zone 2 + language 2 + values 2 + priority bonus 0.5 = 9.5).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorkit.mentoring import availability_words
from mentorkit.models import Framework, MeetingFormat, MentorProfile, SelfAssessment

if TYPE_CHECKING:
    import pandas as pd

#: The priority bonuses of all of a participant's growth areas add up to this share of
#: `FitWeights.growth_area`; small, so that covering one more growth area always counts more.
PRIORITY_BONUS = 0.05

#: At most this many shared value words count towards a score ("keep it modest").
MAX_SHARED_VALUES = 2

#: UTC offsets at most this many hours apart earn the full time-zone points …
NEAR_HOURS = 3
#: … and at most this many hours apart, half of them.
FAR_HOURS = 6


@dataclass(frozen=True)
class FitWeights:
    """Points for each part of a fit score; every weight must be zero or more."""

    growth_area: float = 10.0
    """Per growth area the mentor's expertise covers (plus the priority bonus)."""
    format: float = 3.0
    """The mentor offers a meeting format that suits the participant."""
    time_zone: float = 2.0
    """UTC offsets within 3 hours (full), within 6 hours (half); unknown zone: 0."""
    language: float = 2.0
    """The mentor lists a preferred language of the participant; no preference: 0."""
    shared_values: float = 1.0
    """Per value word of the participant found in the mentor's bio (at most 2 count)."""
    capacity: float = 1.0
    """The mentor has a place left."""

    def __post_init__(self) -> None:
        for weight in fields(self):
            value = getattr(self, weight.name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"fit weight '{weight.name}' must be a number of 0 or more")


DEFAULT_WEIGHTS = FitWeights()
#: The reason a mentor whose places are all taken gives.
NO_PLACES_LEFT = "no places left"
#: The reason a mentor who named no meeting format gives.
NO_FORMATS_LISTED = "has not listed meeting formats"


class MentorLike(Protocol):
    """What scoring a fit and drafting an outreach message read of a mentor: a mentor of
    the directory (`MentorProfile`) or one the participant found themselves
    (`mentorkit.prospects.FoundMentor`)."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def organization(self) -> str: ...
    @property
    def expertise(self) -> Sequence[str]: ...
    @property
    def formats(self) -> Sequence[MeetingFormat]: ...
    @property
    def time_zone(self) -> str | None: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def bio(self) -> str: ...


@dataclass(frozen=True)
class FitScore:
    """How well a mentor fits one participant: a score and the reasons behind it."""

    score: float
    covered_growth_areas: tuple[str, ...]
    reasons: tuple[str, ...]
    places_left: int

    @property
    def available(self) -> bool:
        """Whether the mentor has a place left."""
        return self.places_left > 0

    @property
    def summary(self) -> str:
        """The reasons as one line, e.g. "covers your growth area: negotiation; meets by video"."""
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class MentorFit(FitScore):
    """How well one mentor of the directory fits one participant."""

    mentor: MentorProfile = field(kw_only=True)


# ---------------------------------------------------------------------------------------
# Wording helpers


@cache
def _display_name(name: str) -> str:
    """A competency name as it reads mid-sentence: lower case, acronyms ("SQL") kept."""
    words = name.split()
    return " ".join(w if sum(c.isupper() for c in w) >= 2 else w.lower() for w in words)


def competency_names(framework: Framework) -> dict[str, str]:
    """Every competency's name as it reads mid-sentence, by id."""
    return {cid: _display_name(c.name) for cid, c in framework.competencies().items()}


def competency_label(competency_id: str, names: Mapping[str, str]) -> str:
    """The name of a competency id, or the id in words when the framework lacks it."""
    return names.get(competency_id) or competency_id.replace("-", " ")


def join_words(items: Sequence[str], word: str = "and") -> str:
    """The items as words: "a", "a and b", "a, b and c" (with `word` for "and")."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def formats_phrase(formats: Sequence[MeetingFormat]) -> str:
    """The formats as words: "in person", "by video or phone", "in person or by video"."""
    by = [f.value for f in formats if f is not MeetingFormat.IN_PERSON]
    parts = ["in person"] if MeetingFormat.IN_PERSON in formats else []
    if by:
        parts.append("by " + join_words(by, "or"))
    return " or ".join(parts)


def _hours_phrase(hours: float) -> str:
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    text = f"{whole} hour{'s' if whole != 1 else ''}" if whole else ""
    if rest:
        text = f"{text} {rest} minutes".strip()
    return text


# ---------------------------------------------------------------------------------------
# The parts of a score


def _growth_part(
    growth_areas: Sequence[str], expertise: Iterable[str], names: Mapping[str, str], weight: float
) -> tuple[float, tuple[str, ...], str]:
    """Points, the covered growth areas in the participant's order, and the reason."""
    if not growth_areas:
        return 0.0, (), "add growth areas in your self-assessment for a better match"
    offered = set(expertise)
    n = len(growth_areas)
    covered = tuple(area for area in growth_areas if area in offered)
    rank_total = n * (n + 1) / 2
    rank_covered = sum(n - i for i, area in enumerate(growth_areas) if area in offered)
    points = weight * (len(covered) + PRIORITY_BONUS * rank_covered / rank_total)
    listed = ", ".join(competency_label(area, names) for area in covered)
    k = len(covered)
    if k == 0:
        reason = "covers none of your growth areas"
    elif n == 1:
        reason = f"covers your growth area: {listed}"
    elif k == n == 2:
        reason = f"covers both your growth areas: {listed}"
    elif k == n:
        reason = f"covers all {n} of your growth areas: {listed}"
    else:
        reason = f"covers {k} of your {n} growth areas: {listed}"
    return points, covered, reason


def suitable_formats(
    wanted: Sequence[MeetingFormat], offered: Sequence[MeetingFormat]
) -> list[MeetingFormat]:
    """The formats that suit both: the participant's preferred ones the mentor offers (in
    the participant's order), or every format the mentor offers when there is no preference."""
    if not wanted:
        return list(offered)
    return [f for f in wanted if f in offered]


def shares_a_format(wanted: Sequence[MeetingFormat], offered: Sequence[MeetingFormat]) -> bool:
    """Whether a participant and a mentor can meet at all: they have a meeting format in
    common, or either of them states none (no stated format means any will do)."""
    return not wanted or not offered or not set(wanted).isdisjoint(offered)


def _format_part(
    wanted: Sequence[MeetingFormat], offered: Sequence[MeetingFormat], weight: float
) -> tuple[float, str]:
    suitable = suitable_formats(wanted, offered)
    if suitable:
        return weight, "meets " + formats_phrase(suitable)
    if not offered:
        return 0.0, NO_FORMATS_LISTED
    noun = "format" if len(wanted) == 1 else "formats"
    listed = join_words([f.value for f in wanted], "or")
    return 0.0, f"does not meet by your preferred {noun} ({listed})"


def _utc_offset_hours(zone: str | None, on: date) -> float | None:
    if not zone:
        return None
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    offset = datetime.combine(on, time(12), tzinfo=UTC).astimezone(tz).utcoffset()
    return None if offset is None else offset.total_seconds() / 3600


def time_zone_gap(zone_a: str | None, zone_b: str | None, on: date) -> float | None:
    """Hours between two zones' clocks at noon UTC on `on` (0 to 12), or None if unknown."""
    a, b = _utc_offset_hours(zone_a, on), _utc_offset_hours(zone_b, on)
    if a is None or b is None:
        return None
    gap = abs(a - b) % 24
    return min(gap, 24 - gap)


def _time_zone_part(
    participant_zone: str | None, mentor_zone: str | None, on: date, weight: float
) -> tuple[float, str | None]:
    gap = time_zone_gap(participant_zone, mentor_zone, on)
    if gap is None:
        return 0.0, None
    if gap <= NEAR_HOURS:
        points = weight
    elif gap <= FAR_HOURS:
        points = weight / 2
    else:
        points = 0.0
    if gap == 0:
        return points, "same time zone"
    return points, f"{_hours_phrase(gap)} from your time zone"


def _language_part(
    wanted: Sequence[str], spoken: Sequence[str], weight: float
) -> tuple[float, str | None]:
    if not wanted:
        return 0.0, None
    by_key = {language.casefold(): language for language in spoken}
    shared = [by_key[w.casefold()] for w in wanted if w.casefold() in by_key]
    if shared:
        return weight, "speaks " + join_words(list(dict.fromkeys(shared)))
    if not spoken:
        return 0.0, None
    noun = "language" if len(wanted) == 1 else "languages"
    return 0.0, f"does not list your preferred {noun} ({join_words(list(wanted), 'or')})"


def _values_part(values: Sequence[str], bio: str, weight: float) -> tuple[float, str | None]:
    found = [
        value
        for value in values
        if value.strip()
        and re.search(rf"(?<!\w){re.escape(value.strip())}(?!\w)", bio, flags=re.IGNORECASE)
    ]
    if not found:
        return 0.0, None
    return weight * min(len(found), MAX_SHARED_VALUES), f"their bio mentions {join_words(found)}"


# ---------------------------------------------------------------------------------------
# Public functions


def fit(
    assessment: SelfAssessment,
    mentor: MentorProfile,
    framework: Framework,
    *,
    places_left: int | None = None,
    today: date | None = None,
    weights: FitWeights = DEFAULT_WEIGHTS,
    names: Mapping[str, str] | None = None,
) -> MentorFit:
    """How well `mentor` fits the participant who wrote `assessment`.

    `places_left` defaults to the mentor's capacity (nobody matched yet); `today` is the
    reference date for time-zone offsets (summer time), by default the current date.
    """
    places = mentor.capacity if places_left is None else places_left
    scored = score_fit(
        assessment, mentor, framework, places_left=places, today=today, weights=weights, names=names
    )
    return MentorFit(**asdict(scored), mentor=mentor)


def score_fit(
    assessment: SelfAssessment,
    mentor: MentorLike,
    framework: Framework,
    *,
    places_left: int,
    today: date | None = None,
    weights: FitWeights = DEFAULT_WEIGHTS,
    names: Mapping[str, str] | None = None,
) -> FitScore:
    """The score and reasons of any mentor, with `places_left` places (see `fit`)."""
    names = competency_names(framework) if names is None else names
    places = max(0, places_left)
    preferences = assessment.preferences
    on = today or date.today()

    growth_points, covered, growth_reason = _growth_part(
        assessment.growth_areas, mentor.expertise, names, weights.growth_area
    )
    format_points, format_reason = _format_part(preferences.formats, mentor.formats, weights.format)
    zone_points, zone_reason = _time_zone_part(
        preferences.time_zone, mentor.time_zone, on, weights.time_zone
    )
    language_points, language_reason = _language_part(
        preferences.languages, mentor.languages, weights.language
    )
    values_points, values_reason = _values_part(
        assessment.values, mentor.bio, weights.shared_values
    )

    reasons = [growth_reason, format_reason, zone_reason, language_reason, values_reason]
    if places > 0:
        score = (
            growth_points
            + format_points
            + zone_points
            + language_points
            + values_points
            + weights.capacity
        )
    else:
        score = 0.0
        reasons.insert(0, NO_PLACES_LEFT)
    return FitScore(
        score=round(score, 6),
        covered_growth_areas=covered,
        reasons=tuple(reason for reason in reasons if reason),
        places_left=places,
    )


def _rank_key(item: MentorFit) -> tuple[bool, float, int, str, str]:
    return (
        not item.available,
        -item.score,
        -item.places_left,
        item.mentor.name.casefold(),
        item.mentor.email,
    )


def rank_mentors(
    assessment: SelfAssessment,
    mentors: Iterable[MentorProfile],
    framework: Framework,
    *,
    places_taken: Mapping[str, int] | None = None,
    weights: FitWeights = DEFAULT_WEIGHTS,
    today: date | None = None,
) -> list[MentorFit]:
    """Every mentor's fit, best first.

    Places left are each mentor's capacity minus `places_taken` (keyed by email). Mentors
    with places come first, by score; ties go to more places left, then name (case-folded),
    then email, so the order never depends on the input order. Mentors with no places left
    come last, with those who take no new mentees now (their own switch, or a day to
    come), who are said to be so rather than full.
    """
    taken = {email.strip().lower(): count for email, count in (places_taken or {}).items()}
    on = today or date.today()
    names = competency_names(framework)
    fits = []
    for mentor in mentors:
        closed = availability_words(mentor, on)
        found = fit(
            assessment,
            mentor,
            framework,
            places_left=0 if closed else mentor.capacity - taken.get(mentor.email, 0),
            today=on,
            weights=weights,
            names=names,
        )
        if closed:  # shown as such, not as full
            reasons = (closed, *(r for r in found.reasons if r != NO_PLACES_LEFT))
            found = replace(found, reasons=reasons)
        fits.append(found)
    return sorted(fits, key=_rank_key)


def acceptable(assessment: SelfAssessment, mentor: MentorProfile) -> bool:
    """Whether a pairing is worth considering at all.

    A pair is *not acceptable* when the mentor covers none of the participant's growth
    areas AND offers no format that suits the participant (see `FitWeights.format`).
    """
    covers = bool(set(assessment.growth_areas) & set(mentor.expertise))
    return covers or bool(suitable_formats(assessment.preferences.formats, mentor.formats))


def score_matrix(
    assessments: Mapping[str, SelfAssessment],
    mentors: Sequence[MentorProfile],
    framework: Framework,
    weights: FitWeights = DEFAULT_WEIGHTS,
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """Fit scores of every participant (rows, the mapping's keys) with every mentor
    (columns, by email), for cohort matching.

    Capacity is left to the matching: every pair is scored as if the mentor had a place
    free, so a value is `fit(assessment, mentor, framework, places_left=1).score`. A value
    is NaN where the pair is not acceptable (`acceptable`): the mentor covers none of the
    participant's growth areas and offers no format that suits them.
    """
    import pandas as pd  # imported here: the participant apps never need it

    emails = [mentor.email for mentor in mentors]
    repeated = sorted(email for email, count in Counter(emails).items() if count > 1)
    if repeated:
        raise ValueError(f"mentor {repeated[0]} is listed more than once; list each mentor once")
    on = today or date.today()
    names = competency_names(framework)
    rows = [
        [
            fit(
                assessment, mentor, framework, places_left=1, today=on, weights=weights, names=names
            ).score
            if acceptable(assessment, mentor)
            else math.nan
            for mentor in mentors
        ]
        for assessment in assessments.values()
    ]
    return pd.DataFrame(
        rows,
        index=pd.Index(list(assessments), name="participant", dtype=object),
        columns=pd.Index(emails, name="mentor", dtype=object),
        dtype=float,
    )
