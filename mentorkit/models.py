"""The nouns of a mentoring workshop, validated with pydantic.

Every constraint a user can break lives here and reads in plain words: `validate` turns
pydantic's errors into messages such as "Milestones #2 › Due date: must be a date like
2026-12-31". Worksheet documents carry a `schema_version` so that stored answers written
by an older mentorkit can be upgraded when they are read.
"""

from __future__ import annotations

import copy
import json
import math
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    JsonValue,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mentorkit.errors import InvalidInput

#: Version of the worksheet document layout; bump it and add an upgrade step in
#: `DOCUMENT_UPGRADES` when a stored document would no longer validate.
SCHEMA_VERSION = 1

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a room


# ---------------------------------------------------------------------------------------
# Text: every string a person typed passes through one of these two cleaners.


#: C0 and C1 control characters (category Cc) and lone surrogates (Cs), found by one
#: regular-expression scan: a megabyte pasted into a field is refused in milliseconds.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _reject_unsafe_characters(value: str, *, allow_newlines: bool) -> None:
    found = (_UNSAFE_IN_TEXT if allow_newlines else _UNSAFE_CHARACTERS).search(value)
    if found is None:
        return
    char = found.group()
    if unicodedata.category(char) == "Cs":
        raise PydanticCustomError("surrogate", "contains a character that is not valid text")
    raise PydanticCustomError(
        "control_character",
        "contains an invisible control character (U+{code}); remove it",
        {"code": f"{ord(char):04X}"},
    )


#: Characters that reorder the text around them; quoted in a message they could disguise it.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: How much of a typed value a message quotes back: enough to spot it, never a pasted page.
QUOTE_LIMIT = 40
#: The longest message `describe_error` writes.
MESSAGE_LIMIT = 300


def excerpt(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as text to quote in a message: control, surrogate and reordering characters
    shown as U+FFFD, and cut after `limit` characters."""
    text = str(value)
    shown = _BIDI_CONTROLS.sub("\ufffd", _UNSAFE_CHARACTERS.sub("\ufffd", text[:limit]))
    return shown + "…" if len(text) > limit else shown


def _clean_line(value: Any) -> Any:
    """Single-line text: whitespace runs (line breaks included) become one space."""
    if not isinstance(value, str):
        return value
    value = " ".join(value.split())
    _reject_unsafe_characters(value, allow_newlines=False)
    return value


def _clean_text(value: Any) -> Any:
    """Multi-line text: keep line breaks, normalise them to \\n, trim the ends."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    _reject_unsafe_characters(value, allow_newlines=True)
    return value


_ONE_LINE = BeforeValidator(_clean_line)
_SEVERAL_LINES = BeforeValidator(_clean_text)

# Text fields by kind and length: `Line120` is one line of at most 120 characters,
# `FilledLine120` the same but not empty, `Text2000` several lines of at most 2000. Written
# out as type aliases (not built by a function) so that a type checker reads them too.
Line80 = Annotated[str, _ONE_LINE, StringConstraints(min_length=0, max_length=80)]
Line120 = Annotated[str, _ONE_LINE, StringConstraints(min_length=0, max_length=120)]
Line200 = Annotated[str, _ONE_LINE, StringConstraints(min_length=0, max_length=200)]
Line300 = Annotated[str, _ONE_LINE, StringConstraints(min_length=0, max_length=300)]
FilledLine40 = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=40)]
FilledLine60 = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=60)]
FilledLine80 = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=80)]
FilledLine120 = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=120)]
FilledLine300 = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=300)]
Text500 = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=500)]
Text1000 = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=1000)]
Text2000 = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=2000)]
Text4000 = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=4000)]
Text5000 = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=5000)]


def _lower_email(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Email = Annotated[EmailStr, BeforeValidator(_lower_email)]

CompetencyId = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60),
]


def _check_year(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise PydanticCustomError("year_range", "must be a date between 2000 and 2100")
    return value


Day = Annotated[date, AfterValidator(_check_year)]


def _check_clock_time(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "time_with_zone", "must be a time of day like 18:30, without a time zone"
        )
    return value.replace(second=0, microsecond=0)


#: A time of day on the wall clock, to the minute (the time zone is a separate field).
ClockTime = Annotated[time, AfterValidator(_check_clock_time)]


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise PydanticCustomError("naive_time", "must be a time with its time zone")
    return moment


#: A moment in time with its time zone (when something was sent, answered, confirmed).
Moment = Annotated[datetime, AfterValidator(_aware)]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _time_zones_by_typed_name() -> dict[str, str]:
    """Each zone by what a person may type for it: its name in any case, and its city
    alone when no other zone has that city ('berlin' → 'Europe/Berlin')."""
    names: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for zone in _time_zones():
        names[zone.casefold()] = zone
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            cities.setdefault(zone.rsplit("/", 1)[1].casefold(), []).append(zone)
    for city, zones in cities.items():
        if len(zones) == 1:
            names.setdefault(city, zones[0])
    return names


def _check_time_zone(value: str) -> str:
    typed = value.strip().replace(" ", "_").casefold()
    value = _time_zones_by_typed_name().get(typed, value)
    if value not in _time_zones():
        raise PydanticCustomError(
            "time_zone",
            "'{value}' is not a time zone name such as Europe/Berlin",
            {"value": excerpt(value)},
        )
    return value


#: The longest IANA name is 32 characters ('America/Argentina/ComodRivadavia').
TIME_ZONE_LIMIT = 64

TimeZone = Annotated[
    str,
    BeforeValidator(_clean_line),
    StringConstraints(max_length=TIME_ZONE_LIMIT),
    AfterValidator(_check_time_zone),
]

T = TypeVar("T")


def _unique(items: list[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item in seen:
            raise PydanticCustomError("duplicate", "lists '{item}' twice", {"item": excerpt(item)})
        seen.append(item)
    return items


#: Checks a list has no repeated entries; each list alias below pairs it with a length.
_NO_REPEATS = AfterValidator(_unique)


# ---------------------------------------------------------------------------------------
# Choices


class MeetingFormat(StrEnum):
    IN_PERSON = "in person"
    VIDEO = "video"
    PHONE = "phone"
    CHAT = "chat"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "every two weeks"
    MONTHLY = "monthly"
    QUARTERLY = "every three months"


class CareerStage(StrEnum):
    STUDENT = "Student"
    EARLY = "Early career"
    MID = "Mid-career"
    SENIOR = "Senior"
    CHANGER = "Career changer"
    RETURNING = "Returning to work"


class Owner(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    BOTH = "both"


# ---------------------------------------------------------------------------------------
# Base classes


class Model(BaseModel):
    """Strict about unknown fields (a browser can send anything) and re-validates edits."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


#: Most characters a document's draft may hold in all: far more than any worksheet's
#: fields, so only a page sending crafted messages meets it.
DRAFT_LIMIT = 200_000


def _clean_draft_value(value: Any) -> Any:
    """What an input held, as typed, minus invisible control characters and lone
    surrogates (which no input shows and no store or export should carry)."""
    if isinstance(value, str):
        return _UNSAFE_IN_TEXT.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # no input types infinity; JSON cannot hold it
    if isinstance(value, list):
        return [_clean_draft_value(item) for item in value]
    if isinstance(value, dict):  # text, a number, a date, a choice or a list: never a mapping
        raise PydanticCustomError("draft_value", "holds a value no input gives")
    return value


def _clean_draft(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: _clean_draft_value(item) for key, item in value.items()}


def _bounded_draft(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, ensure_ascii=False)) > DRAFT_LIMIT:
        raise PydanticCustomError(
            "draft_too_long", "holds more than {limit} characters", {"limit": DRAFT_LIMIT}
        )
    return value


#: A draft is keyed by field paths such as 'preferences.time_zone' or 'milestones.0.title'.
DraftKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.\-]{1,200}$")]


#: What a person typed that did not validate, word for word, by the page's name for the
#: input (see `Document`).
Draft = Annotated[
    dict[DraftKey, JsonValue],
    BeforeValidator(_clean_draft),
    Field(max_length=500),
    AfterValidator(_bounded_draft),
]


class Document(Model):
    """A participant's answers to one worksheet, stored with revisions.

    A worksheet is saved as the person left it, valid or not: what passed validation is in
    the fields, and what a person typed into a field that did not (a time zone typed as
    'berlin', two dates out of order) is kept word for word in `draft`, by the page's name
    for that input, until they fix it. A document with a draft `needs_attention`; it is
    never counted as done.
    """

    kind: ClassVar[str]
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1, le=1000, title="Schema version")
    draft: Draft = Field(default_factory=dict, title="Unfinished input")

    @property
    def needs_attention(self) -> bool:
        """Something typed into this worksheet is waiting to be fixed."""
        return bool(self.draft)

    @model_validator(mode="after")
    def _known_version(self) -> Self:
        if self.schema_version > SCHEMA_VERSION:
            raise PydanticCustomError(
                "newer_schema",
                "was saved by a newer mentorkit (document version {found}); upgrade mentorkit",
                {"found": self.schema_version},
            )
        return self


# ---------------------------------------------------------------------------------------
# The competency framework (loaded from data/ by `mentorkit.catalog`)


#: A framework has at most this many areas, each of at most this many competencies.
MAX_AREAS = 20
MAX_AREA_COMPETENCIES = 30


class Competency(Model):
    id: CompetencyId = Field(title="Id")
    name: FilledLine80 = Field(title="Name")
    description: Line300 = Field(default="", title="Description")


class CompetencyArea(Model):
    id: CompetencyId = Field(title="Id")
    name: FilledLine80 = Field(title="Name")
    description: Line300 = Field(default="", title="Description")
    competencies: list[Competency] = Field(
        min_length=1, max_length=MAX_AREA_COMPETENCIES, title="Competencies"
    )


class Framework(Model):
    name: FilledLine120 = Field(title="Name")
    areas: list[CompetencyArea] = Field(min_length=1, max_length=MAX_AREAS, title="Areas")

    @model_validator(mode="after")
    def _unique_ids_and_names(self) -> Self:
        seen_ids: set[str] = set()
        seen_names: set[str] = set()
        for area in self.areas:
            if area.id in seen_ids:
                raise PydanticCustomError("duplicate", "id '{id}' is used twice", {"id": area.id})
            seen_ids.add(area.id)
            for competency in area.competencies:
                if competency.id in seen_ids:
                    raise PydanticCustomError(
                        "duplicate", "id '{id}' is used twice", {"id": competency.id}
                    )
                if competency.name.casefold() in seen_names:
                    raise PydanticCustomError(
                        "duplicate",
                        "competency name '{name}' is used twice",
                        {"name": competency.name},
                    )
                seen_ids.add(competency.id)
                seen_names.add(competency.name.casefold())
        return self

    def competencies(self) -> dict[str, Competency]:
        """Every competency by id, in framework order."""
        return {c.id: c for area in self.areas for c in area.competencies}

    def area_of(self, competency_id: str) -> CompetencyArea:
        """The area a competency belongs to."""
        for area in self.areas:
            if any(c.id == competency_id for c in area.competencies):
                return area
        raise KeyError(competency_id)


# ---------------------------------------------------------------------------------------
# Workshop and rosters


def new_join_code() -> str:
    """A join code such as 'K7QM-2XPA': easy to read out, 40 bits, not a secret."""
    letters = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


JoinCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
    StringConstraints(pattern=rf"^[{JOIN_CODE_ALPHABET}]{{4}}-[{JOIN_CODE_ALPHABET}]{{4}}$"),
]


#: The most sessions a workshop lists (a weekly workshop over half a year fits).
MAX_SESSIONS = 30
#: The longest welcome or guidance text a worksheet opens with.
GUIDANCE_LIMIT = 4000
#: How many worksheets' texts a workshop may replace (one per app, with room to spare).
MAX_GUIDANCE_TEXTS = 20

#: An app's key as `data/guidance.yaml` names it: a notebook stem such as '01_self_assessment'.
GuidanceKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
GuidanceText = Annotated[str, _SEVERAL_LINES, StringConstraints(max_length=GUIDANCE_LIMIT)]


class WorkshopSession(Model):
    """One meeting of the workshop: when and where the group meets."""

    title: FilledLine120 = Field(title="Title")
    day: Day = Field(title="Date")
    starts_at: ClockTime | None = Field(default=None, title="Start time")
    ends_at: ClockTime | None = Field(default=None, title="End time")
    place: Line300 = Field(default="", title="Place or link")

    @model_validator(mode="after")
    def _times_in_order(self) -> Self:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise PydanticCustomError("time_order", "the end time is not after the start time")
        return self


class SurveyKind(StrEnum):
    """The feedback surveys of a programme (`mentorkit.surveys`)."""

    MID = "mid"
    END = "end"


def _ends_after_start(starts: date | None, ends: date | None, message: str) -> None:
    """Refuse dates that end before they start (`message` names them); a date not given is
    not checked, and ending on the day it starts is fine."""
    if starts and ends and ends < starts:
        raise PydanticCustomError("date_order", message)


class SurveyWindow(Model):
    """When a feedback survey is open: from `opens_on`, to `closes_on` (or the end)."""

    opens_on: Day = Field(title="Opens on")
    closes_on: Day | None = Field(default=None, title="Closes on")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        _ends_after_start(
            self.opens_on, self.closes_on, "the closing date is before the opening date"
        )
        return self


class Workshop(Model):
    code: JoinCode = Field(default_factory=new_join_code, title="Join code")
    name: FilledLine120 = Field(title="Workshop name")
    description: Text2000 = Field(default="", title="Description")
    starts_on: Day | None = Field(default=None, title="Start date")
    ends_on: Day | None = Field(default=None, title="End date")
    framework: Framework = Field(title="Competency framework")
    sessions: list[WorkshopSession] = Field(
        default_factory=list, max_length=MAX_SESSIONS, title="Sessions"
    )
    #: The worksheets' opening texts this workshop replaces, by app key; the others keep
    #: the text of data/guidance.yaml (`mentorkit.workshops.guidance_for`).
    guidance: dict[GuidanceKey, GuidanceText] = Field(
        default_factory=dict, max_length=MAX_GUIDANCE_TEXTS, title="Worksheet texts"
    )
    #: When the facilitator opens each feedback survey (none open until set).
    surveys: dict[SurveyKind, SurveyWindow] = Field(
        default_factory=dict, max_length=2, title="Feedback surveys"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        _ends_after_start(self.starts_on, self.ends_on, "the end date is before the start date")
        return self


class Participant(Model):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, pattern=r"^[0-9a-f]{32}$")
    name: FilledLine120 = Field(title="Name")
    # Rosters always give an email; people who join on the day by name may have none.
    email: Email | None = Field(default=None, title="Email")
    department: Line120 = Field(default="", title="Department")
    career_stage: CareerStage | None = Field(default=None, title="Career stage")


#: The most competencies a mentor can list: every competency of the largest framework.
MAX_EXPERTISE = MAX_AREAS * MAX_AREA_COMPETENCIES
#: A mentor's free-text tags: at most this many, each one line of at most `TAG_LENGTH`.
MAX_TAGS = 20
TAG_LENGTH = 60
Tag = Annotated[str, _ONE_LINE, StringConstraints(min_length=1, max_length=TAG_LENGTH)]

# Lists without repeated entries.
Expertise = Annotated[
    list[CompetencyId], Field(min_length=0, max_length=MAX_EXPERTISE), _NO_REPEATS
]
CompetencyIds = Annotated[list[CompetencyId], Field(min_length=0, max_length=10), _NO_REPEATS]
MeetingFormats = Annotated[list[MeetingFormat], Field(min_length=0, max_length=4), _NO_REPEATS]
Languages = Annotated[list[FilledLine40], Field(min_length=0, max_length=10), _NO_REPEATS]
Tags = Annotated[list[Tag], Field(min_length=0, max_length=MAX_TAGS), _NO_REPEATS]
Values = Annotated[list[FilledLine60], Field(min_length=0, max_length=15), _NO_REPEATS]


class MentorProfile(Model):
    name: FilledLine120 = Field(title="Name")
    email: Email = Field(title="Email")
    title: Line120 = Field(default="", title="Job title")
    organization: Line120 = Field(default="", title="Organization")
    industry: Line80 = Field(default="", title="Industry")
    # Ids of the workshop's framework. A roster may name a whole area, which brings in all
    # its competencies, so the cap is the largest framework there can be; a mentor whose
    # expertise matched nothing in the framework has none, and ranks low (docs/rosters.md).
    expertise: Expertise = Field(default_factory=list, title="Expertise")
    capacity: int = Field(ge=0, le=20, title="Capacity")
    years_experience: int | None = Field(default=None, ge=0, le=70, title="Years of experience")
    formats: MeetingFormats = Field(default_factory=list, title="Meeting formats")
    time_zone: TimeZone | None = Field(default=None, title="Time zone")
    languages: Languages = Field(default_factory=list, title="Languages")
    bio: Text1000 = Field(default="", title="Bio")
    #: Topics in the mentor's own words that match nothing in the framework ("Kubernetes").
    tags: Tags = Field(default_factory=list, title="Tags")
    #: The mentor's own switch: off, they take no new mentees whatever their capacity;
    #: on with a date, from that day (`mentorkit.mentoring.taking_new_mentees`).
    open_to_new_mentees: bool = Field(default=True, title="Open to new mentees")
    open_from: Day | None = Field(default=None, title="Open to new mentees from")
    #: What the mentor typed into their profile that did not validate, kept as typed (as a
    #: worksheet's `Document.draft`) until they fix it; empty for a roster's profile.
    draft: Draft = Field(default_factory=dict, title="Unfinished input")


# ---------------------------------------------------------------------------------------
# Worksheet documents


Rating = Annotated[int, Field(ge=1, le=5)]
RATING_LABELS: Mapping[int, str] = {
    1: "New to me",
    2: "Learning",
    3: "Capable",
    4: "Strong",
    5: "Expert",
}


class MentoringPreferences(Model):
    formats: MeetingFormats = Field(default_factory=list, title="Meeting formats")
    frequency: Frequency | None = Field(default=None, title="Meeting frequency")
    time_zone: TimeZone | None = Field(default=None, title="Time zone")
    languages: Languages = Field(default_factory=list, title="Languages")


class SelfAssessment(Document):
    kind: ClassVar[str] = "self_assessment"
    ratings: dict[CompetencyId, Rating] = Field(
        default_factory=dict, max_length=200, title="Ratings"
    )
    strengths: CompetencyIds = Field(default_factory=list, title="Strengths")
    growth_areas: CompetencyIds = Field(default_factory=list, title="Growth areas")
    values: Values = Field(default_factory=list, title="Values")
    career_goal: Text1000 = Field(default="", title="Career goal")
    preferences: MentoringPreferences = Field(
        default_factory=MentoringPreferences, title="Preferences"
    )
    #: The same competencies rated again at the end of the programme (`mentorkit.growth`).
    reassessment: dict[CompetencyId, Rating] = Field(
        default_factory=dict, max_length=200, title="Ratings at the end"
    )
    reassessed_on: Day | None = Field(default=None, title="Rated again on")

    # A field rule, not a model rule, so that the problem names the growth areas (where the
    # page shows it) and the rest of the self-assessment is saved meanwhile.
    @field_validator("growth_areas")
    @classmethod
    def _strength_or_growth(cls, growth_areas: list[str], info: ValidationInfo) -> list[str]:
        both = sorted(set(info.data.get("strengths", ())) & set(growth_areas))
        if both:
            raise PydanticCustomError(
                "strength_and_growth",
                "'{ids}' is marked both a strength and a growth area; pick one",
                {"ids": ", ".join(both)},
            )
        return growth_areas


class FoundThrough(StrEnum):
    """Where a participant found a mentor who is not in the workshop's directory."""

    OWN_NETWORK = "my own network"
    FORMER_COLLEAGUE = "a former colleague or teacher"
    ALUMNI = "an alumni group"
    ASSOCIATION = "a professional association"
    EVENT = "an event"
    ONLINE = "online"
    OTHER = "somewhere else"


#: A prospective mentor's id in the participant's shortlist: 'own-1', 'own-2' …
PROSPECT_ID = r"^own-[0-9]{1,3}$"
ProspectId = Annotated[str, StringConstraints(pattern=PROSPECT_ID)]
#: A web address as typed (kept as typed, so the page shows what a reload shows); only
#: http and https, so it can never be made into a script link.
WEB_LINK = r"^(https?://[^\s<>\"'`]+)?$"
WebLink = Annotated[str, StringConstraints(pattern=WEB_LINK, max_length=300)]


class ProspectiveMentor(Model):
    """A mentor the participant found themselves, outside the workshop's directory: in
    their own network, an alumni group, a professional association, at an event, online.
    They rank, get an outreach draft and can be chosen like the directory's mentors; the
    participant contacts them themselves (`mentorkit.prospects`)."""

    id: ProspectId = Field(title="Id")
    #: May be empty while the rest is typed (the page asks for it): a required name would
    #: drop the whole mentor from a save, and with it what was typed about them.
    name: Line120 = Field(default="", title="Name")
    found_through: FoundThrough | None = Field(default=None, title="Where you found them")
    how_you_know: Text500 = Field(default="", title="How you know them")
    link: WebLink = Field(default="", title="Link")
    email: Email | None = Field(default=None, title="Email")
    #: In the participant's words ("public speaking; negotiation"), matched against the
    #: workshop's framework for the ranking.
    good_at: Line200 = Field(default="", title="What they are good at")


class ShortlistEntry(Model):
    """One of the three choices: a mentor of the directory (by email) or one the
    participant found themselves (by their prospect id)."""

    mentor_email: Email | None = Field(default=None, title="Mentor")
    prospect: ProspectId | None = Field(default=None, title="Mentor you found")
    note: Text1000 = Field(default="", title="Note")
    outreach_message: Text5000 = Field(default="", title="Outreach message")

    @model_validator(mode="after")
    def _one_mentor(self) -> Self:
        if (self.mentor_email is None) == (self.prospect is None):
            raise PydanticCustomError(
                "one_mentor", "must name one mentor: of the directory, or one you found"
            )
        return self

    @property
    def mentor_key(self) -> str:
        """The chosen mentor's email, or the id of the mentor the participant found."""
        key = self.mentor_email or self.prospect
        assert key is not None  # `_one_mentor`
        return key


class SentRequest(Model):
    """A request the participant sent a mentor: the message as sent, when, and when it was
    withdrawn while it waited for an answer, if it was. The answer is not the participant's
    to write: it is stored with the matching's decisions (`mentorkit.mentoring`)."""

    mentor_email: Email = Field(title="Mentor")
    message: Text5000 = Field(min_length=1, title="Message")
    sent_at: Moment = Field(title="Sent")
    withdrawn_at: Moment | None = Field(default=None, title="Withdrawn")


class MentorShortlist(Document):
    kind: ClassVar[str] = "mentor_shortlist"
    #: Mentors the participant found themselves (they may be chosen as entries); before
    #: the entries, which are checked against them.
    prospects: list[ProspectiveMentor] = Field(
        default_factory=list, max_length=10, title="Mentors you found"
    )
    entries: list[ShortlistEntry] = Field(default_factory=list, max_length=3, title="Shortlist")
    #: The requests sent, one per mentor (sending again after a withdrawal replaces it).
    requests: list[SentRequest] = Field(default_factory=list, max_length=50, title="Requests")

    @field_validator("entries")
    @classmethod
    def _found_mentors_listed(
        cls, entries: list[ShortlistEntry], info: ValidationInfo
    ) -> list[ShortlistEntry]:
        found = {prospect.id for prospect in info.data.get("prospects", ())}
        for entry in entries:
            if entry.prospect is not None and entry.prospect not in found:
                raise PydanticCustomError(
                    "unknown_prospect",
                    "names a mentor you found ('{id}') who is no longer on your list",
                    {"id": entry.prospect},
                )
        return entries

    @model_validator(mode="after")
    def _each_mentor_once(self) -> Self:
        _unique([entry.mentor_key for entry in self.entries])
        _unique([request.mentor_email for request in self.requests])
        _unique([prospect.id for prospect in self.prospects])
        return self


class RoleRow(Model):
    area: Line80 = Field(default="", title="Area")
    mentor_focus: Text500 = Field(default="", title="Mentor focus")
    mentee_focus: Text500 = Field(default="", title="Mentee focus")


class MentoringAgreement(Document):
    kind: ClassVar[str] = "mentoring_agreement"
    #: The mentor: one of the workshop's directory (by email) or, `mentor_prospect`, one the
    #: participant found themselves (by their id on the shortlist); at most one of the two.
    mentor_email: Email | None = Field(default=None, title="Mentor")
    mentor_prospect: ProspectId | None = Field(default=None, title="Mentor you found")
    relationship_goals: list[FilledLine300] = Field(
        default_factory=list, max_length=10, title="Goals for the relationship"
    )
    frequency: Frequency | None = Field(default=None, title="Meeting frequency")
    meeting_minutes: int | None = Field(default=None, ge=15, le=240, title="Meeting length")
    meeting_time: ClockTime | None = Field(default=None, title="Meeting time")
    #: The zone `meeting_time` is in; None means the participant's own (self-assessment).
    time_zone: TimeZone | None = Field(default=None, title="Time zone")
    channel: MeetingFormat | None = Field(default=None, title="Channel")
    start_on: Day | None = Field(default=None, title="Start date")
    review_on: Day | None = Field(default=None, title="Review date")
    end_on: Day | None = Field(default=None, title="End date")
    confidentiality: Text2000 = Field(default="", title="Confidentiality")
    feedback_style: Text1000 = Field(default="", title="Feedback style")
    roles: list[RoleRow] = Field(default_factory=list, max_length=15, title="Roles")
    boundaries: Text2000 = Field(default="", title="Boundaries")
    exit_clause: Text2000 = Field(default="", title="No-fault exit")

    # Field rules, not model rules: the later field carries the problem (where the page
    # shows it), and the rest of the agreement is saved meanwhile.
    @field_validator("mentor_prospect")
    @classmethod
    def _one_mentor(cls, prospect: str | None, info: ValidationInfo) -> str | None:
        if prospect is not None and info.data.get("mentor_email") is not None:
            raise PydanticCustomError(
                "one_mentor",
                "names a mentor of the directory already: an agreement has one mentor, "
                "of the directory or one you found",
            )
        return prospect

    @field_validator("review_on", "end_on")
    @classmethod
    def _dates_in_order(cls, day: date | None, info: ValidationInfo) -> date | None:
        if day is None:
            return day
        second = "review" if info.field_name == "review_on" else "end"
        earlier = [("start", info.data.get("start_on"))]
        if second == "end":
            earlier.append(("review", info.data.get("review_on")))
        for first, other in earlier:
            if other is not None and day < other:
                raise PydanticCustomError(
                    "date_order",
                    "the {second} date is before the {first} date",
                    {"first": first, "second": second},
                )
        return day


class Milestone(Model):
    title: Line200 = Field(default="", title="Milestone")
    due_on: Day | None = Field(default=None, title="Due date")
    done: bool = Field(default=False, title="Done")
    #: The day it was ticked done: a win, with its date, in the plan.
    done_on: Day | None = Field(default=None, title="Done on")


class GoalStatus(StrEnum):
    """Where a goal stands after its reviews."""

    ACTIVE = "active"
    DONE = "done"
    DROPPED = "dropped"


class ReviewDecision(StrEnum):
    """What a goal review decided about one goal."""

    KEEP = "keep"
    ADJUST = "adjust"
    DONE = "done"
    DROP = "drop"


class GoalReview(Model):
    """One review of a goal: the day, the decision and why (`mentorkit.rhythm`)."""

    on: Day = Field(title="Reviewed on")
    decision: ReviewDecision = Field(title="Decision")
    reason: Text500 = Field(default="", title="Why")


class SmartGoal(Document):
    """One SMART goal. Parts may be empty: a draft is saved, the checker gives feedback."""

    kind: ClassVar[str] = "smart_goal"
    # An untitled goal is unfinished, not invalid: it is saved and the checker asks for one.
    title: Line200 = Field(default="", title="Goal")
    specific: Text2000 = Field(default="", title="Specific")
    measurable: Text2000 = Field(default="", title="Measurable")
    achievable: Text2000 = Field(default="", title="Achievable")
    relevant: Text2000 = Field(default="", title="Relevant")
    time_bound: Text1000 = Field(default="", title="Time-bound")
    deadline: Day | None = Field(default=None, title="Deadline")
    competencies: CompetencyIds = Field(default_factory=list, title="Competencies")
    milestones: list[Milestone] = Field(default_factory=list, max_length=20, title="Milestones")
    status: GoalStatus = Field(default=GoalStatus.ACTIVE, title="Status")
    #: The day the goal was reached: a win, with its date, in the plan.
    done_on: Day | None = Field(default=None, title="Reached on")
    #: Every review of the goal, oldest first: what was decided and why.
    reviews: list[GoalReview] = Field(default_factory=list, max_length=50, title="Reviews")


class ActionItem(Model):
    text: Line300 = Field(default="", title="Action")
    owner: Owner = Field(default=Owner.MENTEE, title="Owner")
    due_on: Day | None = Field(default=None, title="Due date")
    done: bool = Field(default=False, title="Done")


class CheckIn(Document):
    kind: ClassVar[str] = "check_in"
    # None while the participant has cleared the date or typed one that is not valid.
    met_on: Day | None = Field(default=None, title="Meeting date")
    #: What the mentee brings: the question or the agenda, written before the meeting.
    agenda: Text1000 = Field(default="", title="Before the meeting")
    topics: list[FilledLine120] = Field(default_factory=list, max_length=20, title="Topics")
    learned: Text4000 = Field(default="", title="What I learned")
    action_items: list[ActionItem] = Field(
        default_factory=list, max_length=30, title="Action items"
    )


class CircleRole(StrEnum):
    """Who else a participant adds to their circle after the programme."""

    SECOND_MENTOR = "a second mentor"
    SPONSOR = "a sponsor"
    PEER = "a peer"


class CircleMember(Model):
    role: CircleRole | None = Field(default=None, title="Role")
    name: Line120 = Field(default="", title="Who")
    why: Line300 = Field(default="", title="Why them")


class Closing(Document):
    """Closing well: what the mentoring changed, a thank-you to the mentor, how to stay in
    touch, who else to add to one's circle, and an offer to mentor the next cohort."""

    kind: ClassVar[str] = "closing"
    what_changed: Text2000 = Field(default="", title="What the advice changed")
    thank_you: Text5000 = Field(default="", title="Thank-you message")
    stay_in_touch: Text1000 = Field(default="", title="Staying in touch")
    circle: list[CircleMember] = Field(default_factory=list, max_length=10, title="My circle")
    offer_to_mentor: bool = Field(default=False, title="I offer to mentor")
    #: For the facilitator's next mentor roster (`mentorkit.closing.volunteer_rows`).
    offer_email: Email | None = Field(default=None, title="Email for the next cohort")
    offer_topics: Line300 = Field(default="", title="What I could mentor in")
    offer_capacity: int | None = Field(default=None, ge=1, le=5, title="Mentees I could take")
    offer_bio: Text1000 = Field(default="", title="A few words about me")


#: A rating from 0 to 10.
Score = Annotated[int, Field(ge=0, le=10)]


class SurveyAnswers(Document):
    """A participant's answers to one feedback survey (named after its `SurveyKind`)."""

    kind: ClassVar[str] = "survey"
    met_as_agreed: Score | None = Field(default=None, title="We meet as agreed")
    useful: Score | None = Field(default=None, title="The mentoring is useful")
    would_recommend: Score | None = Field(default=None, title="I would recommend it")
    comments: Text2000 = Field(default="", title="Comments")


class MentorMatch(Document):
    """The mentor the facilitator matched a participant with, written when matches are
    published (the participant reads it; only the facilitator's matching app writes it)."""

    kind: ClassVar[str] = "mentor_match"
    mentor_email: Email = Field(title="Mentor")
    score: float | None = Field(default=None, allow_inf_nan=False, title="Fit score")
    reasons: Text1000 = Field(default="", title="Why this mentor")
    introduction: Text5000 = Field(default="", title="Introduction email")
    published_on: Day = Field(title="Published on")


class PlanSharing(Document):
    """Whether the participant shares their plan (notes, goals, check-ins) with the
    facilitator; without it the facilitator sees progress and aggregates only."""

    kind: ClassVar[str] = "plan_sharing"
    shared: bool = Field(default=False, title="Share my plan with the facilitator")


#: A goal or check-in as a participant's documents name them ('goal-2', 'check-in-1'; see
#: `mentorkit.worksheets.GOAL_NUMBERING` and `CHECK_IN_NUMBERING`).
SHAREABLE_ITEM = r"^(goal|check-in)-[0-9]{1,4}$"
ShareableItem = Annotated[str, StringConstraints(pattern=SHAREABLE_ITEM)]


class ProgressSharing(Document):
    """The goals and check-ins a participant shares with their mentor. Nothing is shared
    until the participant chooses it (`mentorkit.mentoring.shared_with_mentor`)."""

    kind: ClassVar[str] = "progress_sharing"
    shared: Annotated[list[ShareableItem], _NO_REPEATS] = Field(
        default_factory=list, max_length=200, title="Shared with my mentor"
    )

    def with_item(self, item: str, shared: bool) -> ProgressSharing:
        """This choice with `item` shared or not."""
        names = [name for name in self.shared if name != item]
        return ProgressSharing(shared=[*names, item] if shared else names)


DOCUMENT_TYPES: Mapping[str, type[Document]] = {
    cls.kind: cls
    for cls in (
        SelfAssessment,
        MentorShortlist,
        MentoringAgreement,
        SmartGoal,
        CheckIn,
        MentorMatch,
        PlanSharing,
        ProgressSharing,
        SurveyAnswers,
        Closing,
    )
}

#: `DOCUMENT_UPGRADES[kind][n]` turns a stored body of version n into version n + 1.
DOCUMENT_UPGRADES: dict[str, dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}


# ---------------------------------------------------------------------------------------
# Plain-words validation


_MESSAGES: Mapping[str, str] = {
    "missing": "is required",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long (at most {max_length} characters)",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "has too many items (at most {max_length})",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "bool_parsing": "must be yes or no",
    "bool_type": "must be yes or no",
    "int_parsing_size": "is too large a number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a number",
    "date_from_datetime_inexact": "must be a date like 2026-12-31, without a time",
    "string_unicode": "contains a character that is not valid text",
    "date_from_datetime_parsing": "must be a date like 2026-12-31",
    "date_parsing": "must be a date like 2026-12-31",
    "date_type": "must be a date like 2026-12-31",
    "time_parsing": "must be a time of day like 18:30",
    "time_type": "must be a time of day like 18:30",
    "datetime_parsing": "must be a date and time like 2026-12-31T18:30:00+00:00",
    "datetime_from_date_parsing": "must be a date and time like 2026-12-31T18:30:00+00:00",
    "datetime_type": "must be a date and time like 2026-12-31T18:30:00+00:00",
    "datetime_object_invalid": "must be a date and time like 2026-12-31T18:30:00+00:00",
    "extra_forbidden": "is not a known field",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a set of named values",
    "model_type": "must be a set of named values",
}

#: What a text that does not match a field's pattern should look like, by pattern.
_PATTERN_MESSAGES: Mapping[str, str] = {
    r"^[a-z0-9]+(-[a-z0-9]+)*$": (
        "must be an id of lowercase letters and digits joined by dashes, like public-speaking"
    ),
    rf"^[{JOIN_CODE_ALPHABET}]{{4}}-[{JOIN_CODE_ALPHABET}]{{4}}$": (
        "must be a join code of eight letters and digits, like ABCD-EFGH"
    ),
    r"^[0-9a-f]{32}$": "must be 32 characters from 0-9 and a-f",
    r"^[a-z0-9_]{1,40}$": "must be a worksheet's key, like 01_self_assessment",
    SHAREABLE_ITEM: "must name a goal or a check-in, like goal-1 or check-in-2",
    PROSPECT_ID: "must name a mentor you found, like own-1",
    WEB_LINK: "must be a web address starting with https:// (copy it from your browser)",
}


def _field_title(model: type[BaseModel] | None, name: str) -> tuple[str, type[BaseModel] | None]:
    """The plain-words title of `name` in `model`, and the model nested under it if any."""
    if model is None or name not in model.model_fields:
        return name.replace("_", " ").capitalize(), None
    info = model.model_fields[name]
    title = info.title or name.replace("_", " ").capitalize()
    nested = _nested_model(info.annotation)
    return title, nested


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def describe_error(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """One pydantic error as 'Field › Sub-field: what is wrong'."""
    where, message = _where_and_what(model, error)
    return excerpt(f"{where}: {message}" if where else message, MESSAGE_LIMIT)


def _where_and_what(model: type[BaseModel], error: Mapping[str, Any]) -> tuple[str, str]:
    """Where an error is ('Preferences › Time zone') and what is wrong, in plain words."""
    parts: list[str] = []
    current: type[BaseModel] | None = model
    for step in error.get("loc", ()):
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1]} #{step + 1}" if parts else f"#{step + 1}"]
        elif current is not None and step in current.model_fields:
            title, current = _field_title(current, step)
            parts.append(title)
        else:
            # a dict key (a competency id) or a union branch name that pydantic adds
            if step in {"str", "int", "date", "function-after[_check_year(), date]"}:
                continue
            parts.append(excerpt(step))
    message = error.get("msg", "is not valid")
    error_type = error.get("type", "")
    if error_type in {"too_short", "too_long"} and isinstance(error.get("input"), str):
        error_type = f"string_{error_type}"  # constraints after a validator report generically
    template = _MESSAGES.get(error_type)
    if template is not None:
        message = template.format(**(error.get("ctx") or {}))
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    elif error_type == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        message = _PATTERN_MESSAGES.get(pattern, "is not in the expected form")
    elif error.get("type") == "enum":
        message = "must be one of: " + str((error.get("ctx") or {}).get("expected", ""))
    elif error.get("type") == "value_error" and "email address" in message:
        message = "is not a valid email address (" + message.split(": ", 1)[-1].rstrip(".") + ")"
    return " › ".join(parts), message


def problems(model: type[BaseModel], exc: ValidationError) -> list[str]:
    """Every error of `exc` in plain words, without repeats."""
    seen: list[str] = []
    for error in exc.errors(include_url=False):
        text = describe_error(model, error)
        if text not in seen:
            seen.append(text)
    return seen


ModelT = TypeVar("ModelT", bound=BaseModel)


def validate(model: type[ModelT], data: Any) -> ModelT:
    """`model` built from `data`, or `InvalidInput` listing every problem in plain words."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems(model, exc)) from None


@dataclass(frozen=True)
class Checked(Generic[ModelT]):
    """A worksheet checked field by field: every part that is valid, and what is not.

    `problems` maps the path of each field that did not validate ('preferences.time_zone',
    'milestones.1.due_on') to what is wrong with it, in plain words for a message next to
    that field. In `document` such a field is at its default (an item of a list that cannot
    stand without it is left out), so the rest is saved while the person fixes it.
    """

    document: ModelT
    problems: dict[str, str] = field(default_factory=dict)


def check(model: type[ModelT], data: Mapping[str, Any]) -> Checked[ModelT]:
    """`data` as a `model` document with every invalid field set aside (see `Checked`).

    A field that fails is removed from the data (so it takes its default) and validation
    runs again, until what is left is valid: one bad field never stops the others from
    being saved. An error that names no field at all cannot be set aside and raises
    `InvalidInput`, as `validate` does.
    """
    body = copy.deepcopy(dict(data))
    found: dict[str, str] = {}
    for _attempt in range(50):
        try:
            return Checked(model.model_validate(body), found)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        # The last list items first, so that removing one does not move the others.
        for error in sorted(errors, key=lambda e: _sortable(e["loc"]), reverse=True):
            path = _present_path(body, error["loc"])
            if not path:
                raise InvalidInput([describe_error(model, error)])
            _, message = _where_and_what(model, error)
            found.setdefault(".".join(str(step) for step in path), excerpt(message, MESSAGE_LIMIT))
            _remove(body, path)
    raise InvalidInput(["The worksheet could not be checked; reload the page."])


def _sortable(loc: tuple[Any, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((1, step, "") if isinstance(step, int) else (0, 0, str(step)) for step in loc)


def _present_path(body: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The longest start of `loc` that exists in `body` (pydantic adds steps of its own,
    such as a union branch or '[key]', that are not in the data)."""
    path: list[str | int] = []
    node = body
    for step in loc:
        in_dict = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_dict or in_list):
            break
        node = node[step]
        path.append(step)
    return tuple(path)


def _remove(body: Any, path: tuple[str | int, ...]) -> None:
    node = body
    for step in path[:-1]:
        node = node[step]
    last = path[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        del node[last]


#: What separates the entries of a list typed into one box (", " or a new line).
LIST_SEPARATOR_LENGTH = 2


def text_limit(model: type[BaseModel], path: str) -> int | None:
    """The most characters the text box of the field at `path` ('milestones.0.title')
    takes, for the input's `maxlength`; None for a field that is not text.

    A list of texts typed into one box ('values': "Kindness, Curiosity") takes its most
    entries, each at its longest, with a separator between them."""
    current: type[BaseModel] | None = model
    info = None
    for step in path.split("."):
        if step.isdigit():
            continue
        if current is None or step not in current.model_fields:
            return None
        info = current.model_fields[step]
        current = _nested_model(info.annotation)
    if info is None or current is not None:
        return None
    annotation = _without_none(info.annotation)
    if getattr(annotation, "__origin__", None) is list:
        (item,) = annotation.__args__
        item_limit, entries = _max_length(item, ()), _max_length(annotation, info.metadata)
        if item_limit is None or entries is None:
            return None
        return entries * (item_limit + LIST_SEPARATOR_LENGTH)
    if getattr(annotation, "__origin__", annotation) is not str:
        return None
    return _max_length(annotation, info.metadata)


def _without_none(annotation: Any) -> Any:
    """`X` for `X | None`; any other annotation as it is."""
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    if len(args) == 1 and type(None) in getattr(annotation, "__args__", ()):
        return args[0]
    return annotation


def _max_length(annotation: Any, metadata: Iterable[Any]) -> int | None:
    for constraint in (*metadata, *getattr(annotation, "__metadata__", ())):
        limit = getattr(constraint, "max_length", None)
        if isinstance(limit, int):
            return limit
    return None


def upgrade_document(kind: str, body: dict[str, Any]) -> Document:
    """A stored document body brought up to the current schema and validated."""
    if kind not in DOCUMENT_TYPES:
        raise InvalidInput([f"Unknown worksheet kind '{kind}'"])
    body = dict(body)
    version = int(body.get("schema_version", 1))
    steps = DOCUMENT_UPGRADES.get(kind, {})
    while version < SCHEMA_VERSION:
        if version not in steps:
            raise InvalidInput(
                [f"No upgrade from {kind} version {version}; this mentorkit cannot read it"]
            )
        body = steps[version](body)
        version += 1
        body["schema_version"] = version
    return validate(DOCUMENT_TYPES[kind], body)
