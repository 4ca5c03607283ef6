"""Backups of a workshop, and a participant's own data, as files a person can read.

A workshop backup is JSON Lines: one record per line, in a fixed order, so that the same
data always gives the same bytes (on SQLite or PostgreSQL) and a big workshop is written and
read as a stream, never held in memory whole::

    {"type": "header", "format": "mentorkit-backup", "format_version": 6, …}
    {"type": "workshop", …}                    the workshop, its framework, key hash
    {"type": "mentor", …}                      one per mentor, by email
    {"type": "participant", …}                 one per participant (code hashes), by id
    {"type": "decision", …}                    the matching's locked and forbidden pairs
    {"type": "agreement", …}                   each agreement's confirmations, suggestions
    {"type": "note", …}                        mentors' comments and action items
    {"type": "mentor_survey", …}               mentors' survey answers, by mentor, survey
    {"type": "document", …}                    the latest revision of each document
    {"type": "revision", …}                    every revision of every document, in order
    {"type": "end", "counts": …, "sha256": …}  what the file holds, and a checksum of it

The closing line makes a file cut short or damaged after it was written fail to restore,
with a message naming the line, instead of restoring part of a workshop. Format 1 (before
mentorkit kept matching decisions) has no decision lines, formats 1 and 2 no invite code
hashes, formats 1 to 4 no agreement or note lines, and formats 1 to 5 no mentor survey
lines; all are still read. A participant's own data is one indented JSON document
(`participant_data_json`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from mentorkit.errors import InvalidInput, MentorkitError
from mentorkit.mentoring import Answerer, MentorNote
from mentorkit.models import (
    MentorMatch,
    MentorProfile,
    Participant,
    ProgressSharing,
    SurveyAnswers,
    SurveyKind,
    Workshop,
    problems,
    upgrade_document,
    validate,
)
from mentorkit.store import (
    AGREEMENT_ENTRY_KINDS,
    DocumentKey,
    MatchDecision,
    MentorRecord,
    ParticipantRecord,
    RecordedEntry,
    Store,
    StoredMentorSurvey,
    StoredNote,
    StoredRevision,
    WorkshopCounts,
    WorkshopSnapshot,
    entry_kind,
)
from mentorkit.worksheets import download_titles

BACKUP_FORMAT = "mentorkit-backup"
#: Bump when the layout of a backup changes; a mentorkit refuses files newer than this.
#: 2: the matching's decisions ("decision" lines, counted on the closing line).
#: 3: participants' invite code hashes ("invite_code_hash" on participant lines).
#: 4: decisions that answer a request ("answered_by" and "reply" on decision lines).
#: 5: mentors who sign in ("resume_code_hash", "invite_code_hash" and "profile_saved_at"
#:    on mentor lines), the agreements' records ("agreement" lines) and mentors' notes
#:    ("note" lines), both counted on the closing line.
#: 6: mentors' answers to the feedback surveys ("mentor_survey" lines, one a mentor and
#:    survey), counted on the closing line.
BACKUP_FORMAT_VERSION = 6
#: The first format with "decision" lines; older files restore without decisions.
DECISIONS_SINCE_FORMAT = 2
#: The first format with "agreement" (and "note") lines.
AGREEMENT_SINCE_FORMAT = 5
#: The first format with "mentor_survey" lines.
MENTOR_SURVEYS_SINCE_FORMAT = 6


PARTICIPANT_DATA_FORMAT = "mentorkit-participant-data"
#: 2: the matching decisions about the participant ("matching_decisions").
#: 3: who answered their requests, and the replies ("answered_by", "reply").
PARTICIPANT_DATA_FORMAT_VERSION = 3

#: The longest line a backup may have; a document is at most a few hundred kilobytes.
MAX_LINE_BYTES = 16 * 1024 * 1024

#: Worksheet names as participants know them, for their data download.
#: Each worksheet's document comes from `mentorkit.worksheets`; a published match is the
#: facilitator's document, no worksheet's.
WORKSHEET_TITLES: Mapping[str, str] = {
    **download_titles(),
    MentorMatch.kind: "Mentor match (published by your facilitator)",
    ProgressSharing.kind: "What you share with your mentor",
}

_SECTIONS = (
    "header",
    "workshop",
    "mentor",
    "participant",
    "decision",
    "agreement",
    "note",
    "mentor_survey",
    "document",
    "revision",
    "end",
)
#: Sections of exactly one line.
_SINGLE = frozenset({"header", "workshop", "end"})


class BackupError(MentorkitError):
    """A backup file cannot be written or read; the message names the file and the line."""


def mentorkit_version() -> str:
    """The installed mentorkit's version, recorded in every file this module writes."""
    try:
        return metadata.version("mentorkit")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# ---------------------------------------------------------------------------------------
# Writing


def _canonical(value: Any) -> Any:
    """`value` with every mapping's keys sorted, so that equal data dumps to equal text
    (PostgreSQL's JSONB hands keys back in its own order)."""
    if isinstance(value, Mapping):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8") + b"\n"


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _document_record(kind: str, stored: StoredRevision) -> dict[str, Any]:
    return {
        "type": kind,
        "participant": stored.key.participant,
        "kind": stored.key.kind,
        "name": stored.key.name,
        "revision": stored.revision,
        "saved_at": _time(stored.saved_at),
        "body": _canonical(stored.body),
    }


def backup_lines(snapshot: WorkshopSnapshot) -> Iterator[bytes]:
    """Every line of the backup of `snapshot`, the closing line (counts, checksum) last."""
    checksum = hashlib.sha256()
    counts = {
        "mentors": 0,
        "participants": 0,
        "decisions": 0,
        "agreement_entries": 0,
        "notes": 0,
        "mentor_surveys": 0,
        "documents": 0,
        "revisions": 0,
    }

    def emit(record: dict[str, Any]) -> bytes:
        line = _line(record)
        checksum.update(line)
        return line

    workshop = snapshot.workshop
    yield emit(
        {
            "type": "header",
            "format": BACKUP_FORMAT,
            "format_version": BACKUP_FORMAT_VERSION,
            "mentorkit_version": mentorkit_version(),
            "workshop": workshop.code,
        }
    )
    yield emit(
        {
            "type": "workshop",
            "created_at": _time(snapshot.created_at),
            "facilitator_key_hash": snapshot.facilitator_key_hash,
            "body": _canonical(workshop.model_dump(mode="json")),
        }
    )
    for mentor in snapshot.mentors:
        counts["mentors"] += 1
        saved_at = mentor.profile_saved_at
        yield emit(
            {
                "type": "mentor",
                "resume_code_hash": mentor.resume_code_hash,
                "invite_code_hash": mentor.invite_code_hash,
                "profile_saved_at": None if saved_at is None else _time(saved_at),
                "body": _canonical(mentor.mentor.model_dump(mode="json")),
            }
        )
    for record in snapshot.participants:
        counts["participants"] += 1
        yield emit(
            {
                "type": "participant",
                "resume_code_hash": record.resume_code_hash,
                "invite_code_hash": record.invite_code_hash,
                "body": _canonical(record.participant.model_dump(mode="json")),
            }
        )
    for decided in snapshot.decisions:
        counts["decisions"] += 1
        yield emit(
            {
                "type": "decision",
                "participant": decided.participant,
                "mentor": decided.mentor,
                "decision": decided.decision,
                "decided_at": _time(decided.decided_at),
                "answered_by": decided.answered_by,
                "reply": decided.reply,
            }
        )
    for recorded in snapshot.agreement:
        counts["agreement_entries"] += 1
        yield emit(
            {
                "type": "agreement",
                "participant": recorded.participant,
                "kind": entry_kind(recorded.entry)[0],
                "body": _canonical(recorded.entry.model_dump(mode="json")),
            }
        )
    for note in snapshot.notes:
        counts["notes"] += 1
        yield emit(
            {
                "type": "note",
                "participant": note.participant,
                "mentor": note.mentor_email,
                "body": _canonical(note.note.model_dump(mode="json")),
            }
        )
    for survey in snapshot.mentor_surveys:
        counts["mentor_surveys"] += 1
        yield emit(
            {
                "type": "mentor_survey",
                "mentor": survey.mentor_email,
                "survey": str(survey.kind),
                "saved_at": _time(survey.saved_at),
                "body": _canonical(survey.answers.model_dump(mode="json")),
            }
        )
    for stored in snapshot.documents:
        counts["documents"] += 1
        yield emit(_document_record("document", stored))
    for stored in snapshot.history:
        counts["revisions"] += 1
        yield emit(_document_record("revision", stored))
    yield _line({"type": "end", "counts": counts, "sha256": checksum.hexdigest()})


def write_backup(
    snapshot: WorkshopSnapshot, path: Path, *, overwrite: bool = False
) -> WorkshopCounts:
    """Write the backup of `snapshot` to `path`; returns what it holds.

    The file appears only once it is complete (written beside it, then renamed), so an
    interrupted backup never leaves a partial file under the name of a good one. It holds
    everyone's answers and the hashes of their codes, so only its owner may read it.
    """
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give the backup a file name, e.g. {path}/x.jsonl")
    if path.exists() and not overwrite:
        raise BackupError(
            f"{path} already exists; choose another file name, or replace it with --overwrite"
        )
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
            mode="wb", dir=folder, prefix=f".{path.name}.", suffix=".partial", delete=False
        )
    except OSError as exc:
        raise BackupError(f"Cannot write a backup in {folder}: {exc.strerror or exc}") from None
    partial = Path(handle.name)
    lines = 0
    try:
        with handle:
            os.chmod(partial, 0o600)
            for line in backup_lines(snapshot):
                handle.write(line)
                lines += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Cannot write the backup {path}: {exc.strerror or exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    listed = (len(snapshot.mentors), len(snapshot.participants), len(snapshot.documents))
    decisions, entries, notes, surveys = (
        len(snapshot.decisions),
        len(snapshot.agreement),
        len(snapshot.notes),
        len(snapshot.mentor_surveys),
    )
    return WorkshopCounts(
        *listed,
        # Less the header, workshop and closing lines.
        revisions=lines - 3 - sum(listed) - decisions - entries - notes - surveys,
        decisions=decisions,
        agreement_entries=entries,
        notes=notes,
        mentor_surveys=surveys,
    )


# ---------------------------------------------------------------------------------------
# Reading: the shape of each line


def _printable(value: str) -> str:
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        raise ValueError("contains a control character")
    return value


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Hash = Annotated[StrictStr, StringConstraints(min_length=1, max_length=100, pattern=r"^[!-~]+$")]
KeyHash = Annotated[StrictStr, StringConstraints(min_length=1, max_length=500, pattern=r"^[!-~]+$")]
ParticipantId = Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Kind = Annotated[StrictStr, StringConstraints(min_length=1, max_length=40)]
DocumentName = Annotated[StrictStr, StringConstraints(min_length=1, max_length=100)]


class _Header(_Line):
    type: Literal["header"]
    format: Literal["mentorkit-backup"] = Field(title="Format")
    format_version: StrictInt = Field(ge=1, title="Format version")
    mentorkit_version: StrictStr = Field(max_length=100, title="Mentorkit version")
    workshop: StrictStr = Field(max_length=20, title="Workshop")


class _WorkshopLine(_Line):
    type: Literal["workshop"]
    created_at: AwareDatetime = Field(title="Created at")
    facilitator_key_hash: KeyHash = Field(title="Facilitator key hash")
    body: dict[str, Any] = Field(title="Workshop")


class _MentorLine(_Line):
    type: Literal["mentor"]
    # Absent before format 5, whose mentors did not sign in.
    resume_code_hash: Hash | None = Field(default=None, title="Resume code hash")
    invite_code_hash: Hash | None = Field(default=None, title="Invite code hash")
    profile_saved_at: AwareDatetime | None = Field(default=None, title="Profile saved at")
    body: dict[str, Any] = Field(title="Mentor")


class _ParticipantLine(_Line):
    type: Literal["participant"]
    resume_code_hash: Hash | None = Field(title="Resume code hash")
    # Absent in formats 1 and 2, which had no invite codes.
    invite_code_hash: Hash | None = Field(default=None, title="Invite code hash")
    body: dict[str, Any] = Field(title="Participant")


class _DecisionLine(_Line):
    type: Literal["decision"]
    participant: ParticipantId = Field(title="Participant")
    mentor: Annotated[StrictStr, StringConstraints(min_length=3, max_length=320)] = Field(
        title="Mentor"
    )
    decision: Literal["lock", "forbid"] = Field(title="Decision")
    decided_at: AwareDatetime = Field(title="Decided at")
    # Absent before format 4, whose decisions were all the facilitator's matching.
    answered_by: Answerer | None = Field(default=None, title="Answered by")
    reply: Annotated[StrictStr, StringConstraints(max_length=2000)] = Field(
        default="", title="Reply"
    )


class _DocumentLine(_Line):
    type: Literal["document", "revision"]
    participant: ParticipantId = Field(title="Participant")
    kind: Kind = Field(title="Kind")
    name: DocumentName = Field(title="Name")
    revision: StrictInt = Field(ge=1, title="Revision")
    saved_at: AwareDatetime = Field(title="Saved at")
    body: dict[str, Any] = Field(title="Body")


class _AgreementLine(_Line):
    type: Literal["agreement"]
    participant: ParticipantId = Field(title="Participant")
    kind: Literal["confirmation", "suggestion", "answer"] = Field(title="Kind")
    body: dict[str, Any] = Field(title="Entry")


class _NoteLine(_Line):
    type: Literal["note"]
    participant: ParticipantId = Field(title="Participant")
    mentor: Annotated[StrictStr, StringConstraints(min_length=3, max_length=320)] = Field(
        title="Mentor"
    )
    body: dict[str, Any] = Field(title="Note")


class _MentorSurveyLine(_Line):
    type: Literal["mentor_survey"]
    mentor: Annotated[StrictStr, StringConstraints(min_length=3, max_length=320)] = Field(
        title="Mentor"
    )
    survey: SurveyKind = Field(title="Survey")
    saved_at: AwareDatetime = Field(title="Saved at")
    body: dict[str, Any] = Field(title="Answers")


class _Counts(_Line):
    mentors: StrictInt = Field(ge=0)
    participants: StrictInt = Field(ge=0)
    documents: StrictInt = Field(ge=0)
    revisions: StrictInt = Field(ge=0)
    decisions: StrictInt | None = Field(default=None, ge=0)  # from format 2 on
    agreement_entries: StrictInt | None = Field(default=None, ge=0)  # from format 5 on
    notes: StrictInt | None = Field(default=None, ge=0)  # from format 5 on
    mentor_surveys: StrictInt | None = Field(default=None, ge=0)  # from format 6 on


class _EndLine(_Line):
    type: Literal["end"]
    counts: _Counts = Field(title="Counts")
    sha256: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        title="Checksum"
    )


_LINE_MODELS: Mapping[str, type[_Line]] = {
    "header": _Header,
    "workshop": _WorkshopLine,
    "mentor": _MentorLine,
    "participant": _ParticipantLine,
    "decision": _DecisionLine,
    "agreement": _AgreementLine,
    "note": _NoteLine,
    "mentor_survey": _MentorSurveyLine,
    "document": _DocumentLine,
    "revision": _DocumentLine,
    "end": _EndLine,
}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the field '{key}' appears twice")
        found[key] = value
    return found


# ---------------------------------------------------------------------------------------
# Reading: the file, line by line


class _BackupReader:
    """Reads a backup line by line, checking each line and the order and sums of all."""

    def __init__(self, handle: IO[bytes], source: str) -> None:
        self._handle = handle
        self.source = source
        self.number = 0  # of the line read last
        self._checksum = hashlib.sha256()
        self._section = -1
        self._pending: tuple[int, _Line] | None = None
        self.format_version = 0  # the header's, once read

    def fail(self, message: str, number: int | None = None) -> BackupError:
        where = number if number is not None else self.number
        return BackupError(f"{self.source}, line {where}: {message}. Nothing was restored.")

    def _read(self) -> _Line | None:
        """The next line, parsed and checked for shape; None at the end of the file."""
        raw = self._handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return None
        self.number += 1
        if not raw.endswith(b"\n"):
            if len(raw) > MAX_LINE_BYTES:
                raise self.fail(f"the line is longer than {MAX_LINE_BYTES // 2**20} MB")
            raise self.fail(
                "the line is cut off (the file is incomplete: copy or write the backup again)"
            )
        data: Any
        try:
            data = json.loads(
                raw.decode("utf-8"),
                parse_constant=_refuse_constant,
                object_pairs_hook=_refuse_repeated_keys,
            )
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
            data = exc
        if self.number == 1 and not (isinstance(data, dict) and data.get("type") == "header"):
            raise BackupError(
                f"{self.source} is not a mentorkit backup (its first line is not a backup "
                "header). Nothing was restored."
            )
        if isinstance(data, UnicodeDecodeError):
            raise self.fail(f"not UTF-8 text (byte {data.start + 1} of the line)")
        if isinstance(data, json.JSONDecodeError):
            raise self.fail(f"not valid JSON ({data.msg} at column {data.colno})")
        if isinstance(data, ValueError):
            raise self.fail(f"not valid JSON ({data})")
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise self.fail("not a backup record (a JSON object with a 'type')")
        kind = data["type"]
        if kind == "header":
            self._check_format(data)
        model = _LINE_MODELS.get(kind)
        if model is None:
            raise self.fail(f"unknown record type '{kind}'")
        since = {
            "decision": DECISIONS_SINCE_FORMAT,
            "agreement": AGREEMENT_SINCE_FORMAT,
            "note": AGREEMENT_SINCE_FORMAT,
            "mentor_survey": MENTOR_SURVEYS_SINCE_FORMAT,
        }
        if kind in since and self.format_version < since[kind]:
            raise self.fail(
                f"a '{kind}' record in a backup of format {self.format_version}, which has "
                "none (the file was edited or damaged)"
            )
        section = _SECTIONS.index(kind)
        if section < self._section or (kind in _SINGLE and section == self._section):
            raise self.fail(f"a '{kind}' record out of place (the file was edited or damaged)")
        if self._section < 1 and section > self._section + 1:
            raise self.fail(f"a '{kind}' record where the {_SECTIONS[self._section + 1]} belongs")
        self._section = section
        try:
            line = model.model_validate(data)
        except ValidationError as exc:
            raise self.fail(f"{kind} record: {'; '.join(problems(model, exc))}") from None
        if isinstance(line, _Header):
            self.format_version = line.format_version
        if kind != "end":
            self._checksum.update(raw)
        return line

    def _check_format(self, data: dict[str, Any]) -> None:
        if data.get("format") != BACKUP_FORMAT:
            raise BackupError(
                f"{self.source} is not a mentorkit backup (its first line does not say "
                f"format '{BACKUP_FORMAT}'). Nothing was restored."
            )
        version = data.get("format_version")
        if isinstance(version, int) and version > BACKUP_FORMAT_VERSION:
            raise BackupError(
                f"{self.source} was written by mentorkit {data.get('mentorkit_version', '?')} "
                f"in backup format {version}; this mentorkit ({mentorkit_version()}) reads "
                f"backup format {BACKUP_FORMAT_VERSION} and older. Upgrade mentorkit "
                "(pip install -U mentorkit), then restore. Nothing was restored."
            )

    def _next(self) -> tuple[int, _Line]:
        """The next line and its number; the end of the file before the closing line fails."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending
        line = self._read()
        if line is None:
            if self.number == 0:
                raise BackupError(f"{self.source} is empty: it is not a mentorkit backup")
            raise self.fail(
                "the file ends here without its closing line: it is incomplete (copy or "
                "write the backup again)"
            )
        return self.number, line

    def _take(self, model: type[_Line]) -> list[tuple[int, Any]]:
        """Every consecutive line of one type."""
        taken: list[tuple[int, Any]] = []
        while True:
            number, line = self._next()
            if not isinstance(line, model) or (
                isinstance(line, _DocumentLine) and line.type != "document"
            ):
                self._pending = (number, line)
                return taken
            taken.append((number, line))

    def snapshot(self) -> WorkshopSnapshot:
        """The workshop, its people and documents; the history is read as it is iterated."""
        _, header = self._next()
        assert isinstance(header, _Header)
        number, line = self._next()
        if not isinstance(line, _WorkshopLine):
            raise self.fail("the workshop record must follow the header", number)
        workshop = self._validated(Workshop, line.body, number, "workshop")
        if workshop.code != header.workshop.strip().upper():
            raise self.fail(
                f"the workshop's join code {workshop.code} is not the one in the header "
                f"({header.workshop})",
                number,
            )
        mentors = self._mentors()
        people = self._participants()
        roster = {r.participant.id for r in people}
        decisions = self._decisions(roster, {record.mentor.email for record in mentors})
        agreement = self._agreement(roster)
        notes = self._notes(roster, {record.mentor.email for record in mentors})
        surveys = self._mentor_surveys({record.mentor.email for record in mentors})
        documents = self._documents(workshop.code, roster)
        found = _Counts(
            mentors=len(mentors),
            participants=len(people),
            documents=len(documents),
            revisions=0,  # counted as the history is read
            decisions=len(decisions) if self.format_version >= DECISIONS_SINCE_FORMAT else None,
            agreement_entries=(
                len(agreement) if self.format_version >= AGREEMENT_SINCE_FORMAT else None
            ),
            notes=len(notes) if self.format_version >= AGREEMENT_SINCE_FORMAT else None,
            mentor_surveys=(
                len(surveys) if self.format_version >= MENTOR_SURVEYS_SINCE_FORMAT else None
            ),
        )
        return WorkshopSnapshot(
            workshop=workshop,
            facilitator_key_hash=line.facilitator_key_hash,
            created_at=line.created_at.astimezone(UTC),
            mentors=tuple(mentors),
            participants=tuple(people),
            decisions=tuple(decisions),
            documents=tuple(stored for _, stored in documents),
            history=self._history(workshop.code, documents, found),
            agreement=tuple(agreement),
            notes=tuple(notes),
            mentor_surveys=tuple(surveys),
        )

    def _validated(self, model: type[Any], body: dict[str, Any], number: int, what: str) -> Any:
        try:
            return validate(model, body)
        except InvalidInput as exc:
            raise self.fail(f"the {what} is not valid: {exc}", number) from None

    def _mentors(self) -> list[MentorRecord]:
        mentors: list[MentorRecord] = []
        codes: set[str] = set()
        for number, line in self._take(_MentorLine):
            mentor = self._validated(MentorProfile, line.body, number, "mentor")
            if mentors and mentor.email <= mentors[-1].mentor.email:
                raise self.fail(
                    f"the mentor {mentor.email} is listed twice or out of order", number
                )
            held = [h for h in (line.resume_code_hash, line.invite_code_hash) if h is not None]
            if codes.intersection(held):
                raise self.fail("two mentors have the same resume or invite code", number)
            codes.update(held)
            saved_at = line.profile_saved_at
            mentors.append(
                MentorRecord(
                    mentor,
                    line.resume_code_hash,
                    line.invite_code_hash,
                    None if saved_at is None else saved_at.astimezone(UTC),
                )
            )
        return mentors

    def _participants(self) -> list[ParticipantRecord]:
        people: list[ParticipantRecord] = []
        emails: set[str] = set()
        hashes: set[str] = set()
        invites: set[str] = set()
        for number, line in self._take(_ParticipantLine):
            person = self._validated(Participant, line.body, number, "participant")
            if people and person.id <= people[-1].participant.id:
                raise self.fail(
                    f"the participant {person.id} is listed twice or out of order", number
                )
            if person.email is not None and person.email in emails:
                raise self.fail(f"the email {person.email} belongs to two participants", number)
            if line.resume_code_hash is not None and line.resume_code_hash in hashes:
                raise self.fail("two participants have the same resume code", number)
            if line.invite_code_hash is not None and line.invite_code_hash in invites:
                raise self.fail("two participants have the same invite code", number)
            emails.add(person.email or "")
            hashes.add(line.resume_code_hash or "")
            invites.add(line.invite_code_hash or "")
            people.append(ParticipantRecord(person, line.resume_code_hash, line.invite_code_hash))
        return people

    def _agreement(self, roster: set[str]) -> list[RecordedEntry]:
        """The agreements' records: each entry about a participant of the backup, by
        participant, each record in the order it was written."""
        recorded: list[RecordedEntry] = []
        for number, line in self._take(_AgreementLine):
            if line.participant not in roster:
                raise self.fail(
                    "the agreement entry names a participant who is not in the backup's roster",
                    number,
                )
            entry = self._validated(AGREEMENT_ENTRY_KINDS[line.kind], line.body, number, line.kind)
            previous = recorded[-1] if recorded else None
            if previous is not None and (line.participant, entry.at) < (
                previous.participant,
                previous.entry.at,
            ):
                raise self.fail("an agreement entry out of order", number)
            recorded.append(RecordedEntry(line.participant, entry))
        return recorded

    def _notes(self, roster: set[str], mentors: set[str]) -> list[StoredNote]:
        """Mentors' notes, each by a mentor about a participant of the backup, by
        participant, oldest first."""
        notes: list[StoredNote] = []
        for number, line in self._take(_NoteLine):
            if line.participant not in roster or line.mentor not in mentors:
                raise self.fail(
                    "the note names a participant or mentor who is not in the backup", number
                )
            note = self._validated(MentorNote, line.body, number, "note")
            previous = notes[-1] if notes else None
            if previous is not None and (line.participant, note.at) < (
                previous.participant,
                previous.note.at,
            ):
                raise self.fail("a note out of order", number)
            notes.append(StoredNote(0, line.participant, line.mentor, note))
        return notes

    def _mentor_surveys(self, mentors: set[str]) -> list[StoredMentorSurvey]:
        """Mentors' answers to the feedback surveys: each by a mentor of the backup, one
        set a mentor and survey, by mentor email and survey."""
        surveys: list[StoredMentorSurvey] = []
        for number, line in self._take(_MentorSurveyLine):
            about = f"the answers of mentor {line.mentor} to the '{line.survey}' survey"
            if line.mentor not in mentors:
                raise self.fail(f"{about} name a mentor who is not in the backup's mentors", number)
            pair = (line.mentor, str(line.survey))
            previous = surveys[-1] if surveys else None
            if previous is not None and pair == (previous.mentor_email, str(previous.kind)):
                raise self.fail(
                    f"{about} are listed twice (a mentor answers a survey once)", number
                )
            if previous is not None and pair < (previous.mentor_email, str(previous.kind)):
                raise self.fail(f"{about} are out of order", number)
            try:
                answers = validate(SurveyAnswers, line.body)
            except InvalidInput as exc:
                raise self.fail(f"{about} are not valid: {exc}", number) from None
            surveys.append(
                StoredMentorSurvey(line.mentor, line.survey, answers, line.saved_at.astimezone(UTC))
            )
        return surveys

    def _decisions(self, roster: set[str], mentors: set[str]) -> list[MatchDecision]:
        """The matching's decisions, each about a participant and a mentor of the backup,
        at most one lock a participant, in order of participant and mentor."""
        decisions: list[MatchDecision] = []
        locked: dict[str, str] = {}
        for number, line in self._take(_DecisionLine):
            about = f"the decision ({line.decision}) about participant {line.participant} and "
            about += f"mentor {line.mentor}"
            if line.participant not in roster:
                raise self.fail(
                    f"{about} names a participant who is not in the backup's roster", number
                )
            if line.mentor not in mentors:
                raise self.fail(
                    f"{about} names a mentor who is not in the backup's mentors", number
                )
            pair = (line.participant, line.mentor)
            if decisions and pair <= (decisions[-1].participant, decisions[-1].mentor):
                raise self.fail(f"{about} is listed twice or out of order", number)
            if line.decision == "lock" and line.participant in locked:
                raise self.fail(
                    f"{about}: the participant is locked to mentor {locked[line.participant]} "
                    "already, and a participant is locked to one mentor at most",
                    number,
                )
            if line.decision == "lock":
                locked[line.participant] = line.mentor
            decisions.append(
                MatchDecision(
                    participant=line.participant,
                    mentor=line.mentor,
                    decision=line.decision,
                    decided_at=line.decided_at.astimezone(UTC),
                    answered_by=line.answered_by,
                    reply=line.reply,
                )
            )
        return decisions

    def _stored(self, code: str, number: int, line: _DocumentLine) -> StoredRevision:
        if any(unicodedata.category(char) in {"Cc", "Cs"} for char in line.name):
            raise self.fail("the document name contains a control character", number)
        try:
            upgrade_document(line.kind, line.body)
        except InvalidInput as exc:
            what = "document" if line.type == "document" else f"revision {line.revision}"
            raise self.fail(f"the {what} is not valid: {exc}", number) from None
        return StoredRevision(
            key=DocumentKey(code, line.participant, line.kind, line.name),
            revision=line.revision,
            body=line.body,
            saved_at=line.saved_at.astimezone(UTC),
        )

    def _documents(self, code: str, roster: set[str]) -> list[tuple[int, StoredRevision]]:
        documents: list[tuple[int, StoredRevision]] = []
        for number, line in self._take(_DocumentLine):
            stored = self._stored(code, number, line)
            if line.participant not in roster:
                raise self.fail(
                    f"the document belongs to participant {line.participant}, who is not in "
                    "the backup's roster",
                    number,
                )
            if documents and _order(stored) <= _order(documents[-1][1]):
                raise self.fail("a document listed twice or out of order", number)
            documents.append((number, stored))
        return documents

    def _history(
        self, code: str, documents: list[tuple[int, StoredRevision]], counted: _Counts
    ) -> Iterator[StoredRevision]:
        """Every revision line, then the closing line's counts (`counted` so far, and the
        revisions) and checksum."""
        latest = {stored.key: (number, stored.revision) for number, stored in documents}
        ended: set[DocumentKey] = set()
        previous: StoredRevision | None = None

        def close_history(done: StoredRevision | None) -> None:
            if done is None:
                return
            document_line, revision = latest[done.key]
            if done.revision != revision:
                raise self.fail(
                    f"the history of this document ends at revision {done.revision}, but "
                    f"its latest revision is {revision}",
                    document_line,
                )
            ended.add(done.key)

        revisions = 0
        while True:
            number, line = self._next()
            if isinstance(line, _EndLine):
                break
            assert isinstance(line, _DocumentLine)
            stored = self._stored(code, number, line)
            if stored.key not in latest:
                raise self.fail("a revision of a document the backup does not list", number)
            if previous is not None and _order(stored) <= _order(previous):
                raise self.fail("a revision listed twice or out of order", number)
            if previous is not None and previous.key != stored.key:
                close_history(previous)
            previous = stored
            revisions += 1
            yield stored
        close_history(previous)
        for key, (document_line, _) in latest.items():
            if key not in ended:
                raise self.fail("this document has no history", document_line)
        found = counted.model_copy(update={"revisions": revisions})
        if line.counts != found:
            raise self.fail(
                f"the closing line counts {_counted(line.counts)}, but the file holds "
                f"{_counted(found)} (the file was edited or damaged)",
                number,
            )
        if line.sha256 != self._checksum.hexdigest():
            raise self.fail(
                "the checksum on the closing line does not match the lines above it: the file "
                "was changed or damaged after it was written",
                number,
            )
        if self._handle.read(1):
            raise self.fail("more lines follow the closing line", number + 1)


def _order(stored: StoredRevision) -> tuple[str, str, str, int]:
    key = stored.key
    return (key.participant, key.kind, key.name, stored.revision)


def _counted(counts: _Counts) -> str:
    decisions = "" if counts.decisions is None else f", {counts.decisions} matching decisions"
    if counts.agreement_entries is not None:
        decisions += f", {counts.agreement_entries} agreement entries"
    if counts.notes is not None:
        decisions += f", {counts.notes} mentors' notes"
    if counts.mentor_surveys is not None:
        decisions += f", {counts.mentor_surveys} mentors' survey answers"
    return (
        f"{counts.mentors} mentors, {counts.participants} participants{decisions}, "
        f"{counts.documents} documents and {counts.revisions} revisions"
    )


@contextmanager
def read_backup(path: Path) -> Iterator[WorkshopSnapshot]:
    """The workshop in the backup at `path`, checked line by line as it is read.

    The history is read while it is iterated; the closing line's counts and checksum are
    checked after the last revision, so `BackupError` may come at the very end: restore
    in one transaction (as `Store.restore_workshop` does) and a damaged file writes nothing.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise BackupError(f"Cannot read the backup {path}: {exc.strerror or exc}") from None
    with handle:
        yield _BackupReader(handle, str(path)).snapshot()


def check_backup(path: Path) -> tuple[Workshop, WorkshopCounts]:
    """Read a whole backup without writing anything: its workshop and what it holds."""
    with read_backup(path) as snapshot:
        revisions = sum(1 for _ in snapshot.history)
        return snapshot.workshop, WorkshopCounts(
            mentors=len(snapshot.mentors),
            participants=len(snapshot.participants),
            documents=len(snapshot.documents),
            revisions=revisions,
            decisions=len(snapshot.decisions),
            agreement_entries=len(snapshot.agreement),
            notes=len(snapshot.notes),
            mentor_surveys=len(snapshot.mentor_surveys),
        )


def backup_workshop(
    store: Store, code: str, path: Path, *, overwrite: bool = False
) -> tuple[Workshop, WorkshopCounts]:
    """Write the backup of workshop `code` to `path`: the workshop, and what it holds."""
    with store.read_workshop(code) as snapshot:
        return snapshot.workshop, write_backup(snapshot, path, overwrite=overwrite)


def restore_backup(store: Store, path: Path) -> tuple[Workshop, WorkshopCounts]:
    """Restore the backup at `path` into `store`: all of it, or nothing."""
    with read_backup(path) as snapshot:
        return snapshot.workshop, store.restore_workshop(snapshot)


# ---------------------------------------------------------------------------------------
# A participant's own data


#: A matching decision in words, for the participant's data download.
DECISION_WORDS: Mapping[str, str] = {
    "lock": "always paired with this mentor when matching",
    "forbid": "never paired with this mentor when matching",
}

RESUME_CODE_NOTE = (
    "Your resume code is not in this file. mentorkit never stores the code itself, only a "
    "one-way fingerprint (hash) of it that lets it recognise the code when you type it; "
    "the fingerprint tells you nothing, and leaving it out keeps this file harmless if it "
    "is left on a shared computer."
)


def participant_data(snapshot: WorkshopSnapshot, *, exported_at: datetime) -> dict[str, Any]:
    """Everything stored about the one participant of `snapshot`, as plain JSON data.

    `snapshot` is `Store.read_workshop(code, participant=...)`: their roster details, every
    revision of every document of theirs (the mentor match published to them included),
    oldest first, with when it was saved, and the pairs the facilitator locked or forbade
    for them in the matching. The resume-code hash is left out (see `RESUME_CODE_NOTE`),
    and so is everything about other people except the name and email of the mentor they
    were matched with, which the match shows them anyway, and the names (not the emails)
    of the mentors a decision is about, which the mentor shortlist shows them anyway.
    """
    if len(snapshot.participants) != 1:
        raise ValueError("participant_data needs a snapshot of exactly one participant")
    person = snapshot.participants[0].participant
    revisions: dict[DocumentKey, list[dict[str, Any]]] = {}
    for stored in snapshot.history:
        revisions.setdefault(stored.key, []).append(
            {
                "revision": stored.revision,
                "saved_at": _time(stored.saved_at),
                "content": _canonical(stored.body),
            }
        )
    documents = []
    matched: dict[str, Any] | None = None
    mentors = {record.mentor.email: record.mentor for record in snapshot.mentors}
    for latest in snapshot.documents:
        key = latest.key
        documents.append(
            {
                "worksheet": WORKSHEET_TITLES.get(key.kind, key.kind),
                "kind": key.kind,
                "name": key.name,
                "latest_revision": latest.revision,
                "revisions": revisions.get(key, []),
            }
        )
        if key.kind == MentorMatch.kind:
            email = latest.body.get("mentor_email")
            mentor = mentors.get(email) if isinstance(email, str) else None
            matched = {"name": mentor.name if mentor else None, "email": email}
    return {
        "format": PARTICIPANT_DATA_FORMAT,
        "format_version": PARTICIPANT_DATA_FORMAT_VERSION,
        "mentorkit_version": mentorkit_version(),
        "exported_at": _time(exported_at),
        "about": (
            f"Everything mentorkit stores about you in the workshop "
            f"'{snapshot.workshop.name}': your details on its list, every version of every "
            "worksheet you saved, oldest first, and the mentors your facilitator paired you "
            "with for good or ruled out when matching. " + RESUME_CODE_NOTE
        ),
        "workshop": {"code": snapshot.workshop.code, "name": snapshot.workshop.name},
        "participant": _canonical(person.model_dump(mode="json")),
        "matched_mentor": matched,
        "matching_decisions": [
            {
                "mentor": mentors[decided.mentor].name if decided.mentor in mentors else None,
                "decision": decided.decision,
                "meaning": DECISION_WORDS.get(decided.decision, decided.decision),
                "decided_at": _time(decided.decided_at),
                "answered_by": decided.answered_by,
                "reply": decided.reply,
            }
            for decided in sorted(snapshot.decisions, key=lambda d: d.decided_at)
        ],
        "documents": documents,
    }


def participant_data_json(
    store: Store, code: str, participant_id: str, *, now: datetime | None = None
) -> str:
    """`participant_data` of one participant, read from `store` in one go, as JSON text."""
    with store.read_workshop(code, participant=participant_id) as snapshot:
        data = participant_data(snapshot, exported_at=now or datetime.now(UTC))
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
