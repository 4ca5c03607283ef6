"""What a facilitator takes away: pairs, progress and responses as CSV or XLSX, a zip of the
plans participants chose to share, and introduction email drafts per pair.

Tables are built as rows of plain values here and written only through
`rosters.write_table`, which neutralises every cell a spreadsheet would run as a formula,
header cells too (text starting with =, +, -, @, tab, carriage return or a full-width
＝ ＋ － ＠ gets a leading apostrophe). Plans are HTML rendered by `plan.plan_html` (every
user string escaped) and zipped under sanitised file names.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from mentorkit import rosters
from mentorkit.cohort import (
    STEPS,
    ParticipantProgress,
    introduction_email,
    match_reasons,
    progress,
    shortlist_choices,
)
from mentorkit.errors import MentorkitError
from mentorkit.fit import competency_label
from mentorkit.models import (
    CheckIn,
    Document,
    Framework,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Participant,
    PlanSharing,
    SelfAssessment,
    SmartGoal,
    Workshop,
)
from mentorkit.plan import PlanData, plan_html
from mentorkit.worksheets import natural_order

if TYPE_CHECKING:
    import pandas as pd

    from mentorkit.store import Saved

D = TypeVar("D", bound=Document)

#: What `mentorkit export` (and the setup app's downloads) write, and how a message names
#: the rows of each.
EXPORT_LABELS: dict[str, str] = {
    "mentors": "mentors",
    "participants": "participants",
    "progress": "progress rows",
    "responses": "self-assessment rows",
    "pairs": "published pairs",
    "plans": "shared plans",
    "introductions": "introduction drafts",
}
EXPORT_KINDS = list(EXPORT_LABELS)
#: The export kinds that are tables (CSV or XLSX); "plans" is a zip of HTML pages.
TABLE_KINDS = [kind for kind in EXPORT_KINDS if kind != "plans"]

PAIRS_COLUMNS: tuple[str, ...] = (
    "participant",
    "participant_email",
    "mentor",
    "mentor_email",
    "score",
)
PROGRESS_COLUMNS: tuple[str, ...] = (
    "name",
    "email",
    *STEPS,
    "percent",
    "last_activity",
    "matched_mentor",
)
INTRODUCTION_COLUMNS: tuple[str, ...] = (
    "participant",
    "participant_email",
    "mentor",
    "mentor_email",
    "subject",
    "body",
)
#: Responses columns around the one-per-competency ratings (see `responses_columns`).
RESPONSES_LEADING: tuple[str, ...] = ("name", "email")
RESPONSES_TRAILING: tuple[str, ...] = (
    "strengths",
    "growth_areas",
    "values",
    "formats",
    "frequency",
    "time_zone",
    "languages",
)

#: Longest file name (extension included) in a plan bundle.
MAX_FILE_NAME = 100
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ]+")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


class ExportError(MentorkitError):
    """An export cannot be written (a wrong file type, a folder that does not exist)."""


# ---------------------------------------------------------------------------------------
# Helpers


def _latest_by_participant(saved: Iterable[Saved], kind: str) -> dict[str, Saved]:
    """The latest saved document of `kind` of each participant."""
    latest: dict[str, Saved] = {}
    for item in saved:
        if item.key.kind != kind:
            continue
        current = latest.get(item.key.participant)
        if current is None or current.saved_at <= item.saved_at:
            latest[item.key.participant] = item
    return latest


def _iso_utc(moment: datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="seconds")


def _score(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]  # any cell; no number raises
    except (TypeError, ValueError):
        return None
    return None if number != number else round(number, 1)


# ---------------------------------------------------------------------------------------
# Tables


def published_pairs(saved: Iterable[Saved]) -> pd.DataFrame:
    """The published matches (MentorMatch documents) as pairs: mentee (participant id),
    mentor (email), score; in participant-id order."""
    import pandas as pd  # imported here, not before a page's first widget

    latest = _latest_by_participant(saved, MentorMatch.kind)
    rows = [
        (pid, item.document.mentor_email, item.document.score)
        for pid, item in sorted(latest.items())
        if isinstance(item.document, MentorMatch)
    ]
    return pd.DataFrame(rows, columns=["mentee", "mentor", "score"])


def pairs_rows(
    pairs: pd.DataFrame,
    participants: Mapping[str, Participant],
    mentors: Mapping[str, MentorProfile],
) -> list[dict[str, object]]:
    """Pairs (mentee = participant id, mentor = email, score, as `matching.assign` returns
    them) with names and emails; the score rounded to one decimal. Someone no longer on a
    roster is shown by id or email, with the other columns blank."""
    rows: list[dict[str, object]] = []
    for mentee, mentor_email, score in pairs[["mentee", "mentor", "score"]].itertuples(
        index=False, name=None
    ):
        person = participants.get(str(mentee))
        mentor = mentors.get(str(mentor_email))
        rows.append(
            {
                "participant": person.name if person else str(mentee),
                "participant_email": (person.email or "") if person else "",
                "mentor": mentor.name if mentor else str(mentor_email),
                "mentor_email": str(mentor_email),
                "score": _score(score),
            }
        )
    return rows


def progress_rows(progress: Sequence[ParticipantProgress]) -> list[dict[str, object]]:
    """One row per participant: name, email, each step's state, percent done, last activity
    (ISO 8601, UTC) and the matched mentor's email."""
    return [
        {
            "name": item.participant.name,
            "email": item.participant.email or "",
            **{step: item.steps[step].value for step in STEPS},
            "percent": item.percent,
            "last_activity": _iso_utc(item.last_activity),
            "matched_mentor": item.matched_mentor or "",
        }
        for item in progress
    ]


def rating_column(name: str) -> str:
    """The responses column of a competency's rating, e.g. "Negotiation rating"."""
    return f"{name} rating"


def responses_columns(framework: Framework) -> tuple[str, ...]:
    """Name, email, one rating column per competency (framework order), then the choices."""
    ratings = [rating_column(c.name) for c in framework.competencies().values()]
    return (*RESPONSES_LEADING, *ratings, *RESPONSES_TRAILING)


def responses_rows(
    framework: Framework, participants: Sequence[Participant], saved: Iterable[Saved]
) -> list[dict[str, object]]:
    """Self-assessment answers, one row per participant (blank when not started): ratings,
    strengths and growth areas by name, values, formats, frequency, time zone and languages.
    The career goal and every other free text stay out."""
    competencies = framework.competencies()
    names = {cid: c.name for cid, c in competencies.items()}
    latest = _latest_by_participant(saved, SelfAssessment.kind)
    rows: list[dict[str, object]] = []
    for person in participants:
        row: dict[str, object] = {"name": person.name, "email": person.email or ""}
        item = latest.get(person.id)
        assessment = item.document if item is not None else None
        if isinstance(assessment, SelfAssessment):
            for cid, competency in competencies.items():
                row[rating_column(competency.name)] = assessment.ratings.get(cid)
            prefs = assessment.preferences
            row |= {
                "strengths": "; ".join(competency_label(c, names) for c in assessment.strengths),
                "growth_areas": "; ".join(
                    competency_label(c, names) for c in assessment.growth_areas
                ),
                "values": "; ".join(assessment.values),
                "formats": "; ".join(f.value for f in prefs.formats),
                "frequency": prefs.frequency.value if prefs.frequency else "",
                "time_zone": prefs.time_zone or "",
                "languages": "; ".join(prefs.languages),
            }
        rows.append(row)
    return rows


def write_rows(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], destination: Path | str
) -> None:
    """Write a table as .csv or .xlsx (by extension) through `rosters.write_table`, which
    neutralises formulas; `RosterError` for another extension or an unwritable file."""
    rosters.write_table(rows, columns, destination)


# ---------------------------------------------------------------------------------------
# Plans


def safe_file_name(name: str, default: str = "plan.html") -> str:
    """`name` usable as one file name in a zip on any system: no folders, no "..", no
    control or shell-special characters, no reserved Windows name, at most
    `MAX_FILE_NAME` characters with the extension kept."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    text = text.replace("/", "-").replace("\\", "-")
    text = _UNSAFE_NAME_CHARS.sub("-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"-{2,}", "-", text).strip(" .-")
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem:
        stem, suffix = text, ""
    suffix = suffix[:10]
    if not stem:
        return default
    if stem.split(".")[0].casefold() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    room = MAX_FILE_NAME - (len(suffix) + 1 if suffix else 0)
    stem = stem[:room].rstrip(" .-") or "plan"
    return f"{stem}.{suffix}" if suffix else stem


def _unique_names(names: Iterable[str]) -> list[str]:
    """Sanitised names, with "-2", "-3" … added where two would clash (ignoring case)."""
    taken: set[str] = set()
    result: list[str] = []
    for original in names:
        name = safe_file_name(original)
        stem, dot, suffix = name.rpartition(".")
        if not dot:
            stem, suffix = name, ""
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            tail = f"-{number}"
            cut = stem[: MAX_FILE_NAME - len(tail) - (len(suffix) + 1 if suffix else 0)]
            candidate = f"{cut}{tail}.{suffix}" if suffix else f"{cut}{tail}"
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def plan_bundle(destination: Path | str, plans: Mapping[str, str]) -> int:
    """Write a .zip of HTML plans ({file name: html}); returns the number of files.

    File names are sanitised (`safe_file_name`) and made unique, so no entry can escape the
    folder it is unpacked into. `ExportError` for a name not ending in .zip or a file that
    cannot be written.
    """
    path = Path(destination)
    if path.suffix.lower() != ".zip":
        raise ExportError(f"{path}: a plan bundle is a .zip file; choose a name ending in .zip")
    stamp = datetime.now().timetuple()[:6]
    names = _unique_names(plans)
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, html in zip(names, plans.values(), strict=True):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, html.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ExportError(f"{path}: cannot be written ({reason.lower()})") from None
    return len(names)


def _latest_of(docs: Sequence[Saved], kind: type[D]) -> D | None:
    """The latest saved document of `kind` among one participant's `docs`."""
    found: tuple[datetime, D] | None = None
    for item in docs:
        document = item.document
        if isinstance(document, kind) and (found is None or found[0] <= item.saved_at):
            found = (item.saved_at, document)
    return found[1] if found is not None else None


def _all_of(docs: Sequence[Saved], kind: type[D]) -> list[D]:
    """Every document of `kind` among one participant's `docs`, 'goal-2' before 'goal-10'."""
    items = sorted(
        ((s.key.name, d) for s in docs if isinstance(d := s.document, kind)),
        key=lambda item: natural_order(item[0]),
    )
    return [document for _, document in items]


def _plan_data(
    workshop: Workshop,
    person: Participant,
    docs: Sequence[Saved],
    mentors: Mapping[str, MentorProfile],
    today: date,
) -> PlanData:
    match = _latest_of(docs, MentorMatch)
    return PlanData(
        workshop=workshop,
        participant=person,
        assessment=_latest_of(docs, SelfAssessment),
        shortlist=_latest_of(docs, MentorShortlist),
        mentors=mentors,
        agreement=_latest_of(docs, MentoringAgreement),
        goals=_all_of(docs, SmartGoal),
        check_ins=_all_of(docs, CheckIn),
        matched_mentor=mentors.get(match.mentor_email) if match is not None else None,
        today=today,
    )


def shared_plans(
    workshop: Workshop,
    participants: Sequence[Participant],
    saved: Iterable[Saved],
    mentors: Sequence[MentorProfile],
    *,
    today: date,
) -> dict[str, str]:
    """{"<name>-<short id>.html": plan HTML} for the participants who share their plan
    (their latest PlanSharing says shared); everybody else's notes stay private."""
    documents = list(saved)
    sharing = _latest_by_participant(documents, PlanSharing.kind)
    sharing_ids = {
        pid
        for pid, item in sharing.items()
        if isinstance(item.document, PlanSharing) and item.document.shared
    }
    mine: dict[str, list[Saved]] = {pid: [] for pid in sharing_ids}
    for item in documents:
        if item.key.participant in mine:
            mine[item.key.participant].append(item)
    by_email = {m.email: m for m in mentors}
    plans: dict[str, str] = {}
    for person in participants:
        if person.id in sharing_ids:
            data = _plan_data(workshop, person, mine[person.id], by_email, today)
            plans[f"{person.name}-{person.id[:8]}.html"] = plan_html(data)
    return plans


# ---------------------------------------------------------------------------------------
# Introductions


def _split_subject(text: str) -> tuple[str, str]:
    """("subject", "body") of a draft whose first line is "Subject: …"."""
    first, _, rest = text.partition("\n")
    if first.casefold().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    return "", text


def introduction_rows(
    pairs: pd.DataFrame,
    participants: Mapping[str, Participant],
    mentors: Mapping[str, MentorProfile],
    workshop: Workshop,
    framework: Framework,
    saved: Iterable[Saved],
    *,
    today: date | None = None,
) -> list[dict[str, object]]:
    """One introduction email draft per pair: names, emails, subject and body.

    The draft published with the match (MentorMatch.introduction, as the participant sees
    it) is used when there is one for this mentor; otherwise a fresh one is written with
    `cohort.introduction_email` and `cohort.match_reasons`. Pairs whose participant or
    mentor is no longer on a roster are left out.
    """
    documents = list(saved)
    assessments = _latest_by_participant(documents, SelfAssessment.kind)
    matches = _latest_by_participant(documents, MentorMatch.kind)
    choices = shortlist_choices(documents)
    rows: list[dict[str, object]] = []
    for mentee, mentor_email in pairs[["mentee", "mentor"]].itertuples(index=False, name=None):
        person = participants.get(str(mentee))
        mentor = mentors.get(str(mentor_email))
        if person is None or mentor is None:
            continue
        match = matches.get(person.id)
        published = match.document if match is not None else None
        if (
            isinstance(published, MentorMatch)
            and published.mentor_email == mentor.email
            and published.introduction.strip()
        ):
            text = published.introduction
        else:
            item = assessments.get(person.id)
            assessment = item.document if item is not None else None
            reasons = match_reasons(
                framework,
                assessment if isinstance(assessment, SelfAssessment) else None,
                mentor,
                choices.get(person.id, {}).get(mentor.email),
                today=today,
            )
            text = introduction_email(person, mentor, workshop, reasons)
        subject, body = _split_subject(text)
        rows.append(
            {
                "participant": person.name,
                "participant_email": person.email or "",
                "mentor": mentor.name,
                "mentor_email": mentor.email,
                "subject": subject,
                "body": body,
            }
        )
    return rows


def export_table(
    kind: str,
    workshop: Workshop,
    people: list[Participant],
    mentors: list[MentorProfile],
    saved: list[Saved],
    today: date,
) -> tuple[list[dict[str, object]], Sequence[str]]:
    """The rows and columns of the table export `kind` (one of `TABLE_KINDS`), the same
    for `mentorkit export` and the setup app's downloads."""
    framework = workshop.framework
    by_id = {p.id: p for p in people}
    by_email = {m.email: m for m in mentors}
    if kind == "mentors":
        return roster_rows(mentors), [c.field for c in rosters.MENTOR_COLUMNS]
    if kind == "participants":
        return roster_rows(people), [c.field for c in rosters.PARTICIPANT_COLUMNS]
    if kind == "progress":
        found = progress(people, saved, today=today, framework=framework)
        return progress_rows(found), PROGRESS_COLUMNS
    if kind == "responses":
        rows = responses_rows(framework, people, saved)
        return rows, responses_columns(framework)
    pairs = published_pairs(saved)
    if kind == "pairs":
        return pairs_rows(pairs, by_id, by_email), PAIRS_COLUMNS
    if kind != "introductions":
        raise MentorkitError(f"There is no export called '{kind}'; choose one of {EXPORT_KINDS}.")
    rows = introduction_rows(pairs, by_id, by_email, workshop, framework, saved, today=today)
    return rows, INTRODUCTION_COLUMNS


def roster_rows(records: Sequence[BaseModel]) -> list[dict[str, object]]:
    """Roster records as table rows: a list cell becomes its items joined by '; ', the
    way a roster file writes them, so an exported roster imports again."""
    dumped = [r.model_dump(mode="json") for r in records]
    return [
        {k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in r.items()}
        for r in dumped
    ]
