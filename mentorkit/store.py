"""Where workshops, rosters and worksheet answers live: one small interface, one SQL backend.

`Store` is all that views and the CLI see. `SqlStore` implements it with SQLAlchemy Core on a
SQLite file (the default, one per machine) or on PostgreSQL (several Voilà servers, one
database). Every worksheet save is one transaction that updates the current row only if
nobody saved in between (optimistic locking on a revision number) and appends the accepted
version to an append-only history, so two browser tabs can never silently overwrite each
other and every accepted revision can be read back.
"""

from __future__ import annotations

import builtins
import contextlib
import hmac
import itertools
import os
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, cast, runtime_checkable

import platformdirs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import StaticPool

from mentorkit.errors import ConflictError, InvalidInput, NotFound, SchemaError, StoreError
from mentorkit.mentoring import (
    AgreementEntry,
    AgreementSuggestion,
    Answer,
    Answerer,
    Confirmation,
    MentorNote,
    RequestState,
    SharedProgress,
    Side,
    SuggestionAnswer,
    shared_with_mentor,
)
from mentorkit.models import (
    DOCUMENT_TYPES,
    CheckIn,
    Document,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProgressSharing,
    SelfAssessment,
    SentRequest,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
    Workshop,
    upgrade_document,
    validate,
)
from mentorkit.worksheets import kind_labels, natural_order

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # the module or, on Windows, None

DEFAULT_DOCUMENT_NAME = "main"

#: Version of the table layout. Bump it and add `MIGRATIONS[old]` when the tables change.
DB_SCHEMA_VERSION = 8

#: `MIGRATIONS[n]` upgrades a database from schema n to n + 1 inside the opening transaction
#: (filled in below the tables).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}

#: Environment variable that chooses the database when no URL is given.
DB_URL_ENV = "MENTORKIT_DB"

#: How long a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: Seconds to wait for a PostgreSQL server to answer before reporting it unreachable.
PG_CONNECT_TIMEOUT_S = 10

#: History rows fetched (and restored) per round trip when a whole workshop is read or written.
HISTORY_BATCH_ROWS = 500

#: Key of the PostgreSQL advisory lock that serialises schema creation and migration.
_SCHEMA_LOCK_KEY = 0x6D656E746F726B  # "mentork"

_WRITE_OPTION = "mentorkit_write"
#: Key in a pooled SQLite connection's `info`: the file was read-only when it was opened.
_OPENED_READ_ONLY = "mentorkit_opened_read_only"

#: Each worksheet's document as the store's messages name it ('SMART goal').
_KIND_LABELS: Mapping[str, str] = kind_labels()


# ---------------------------------------------------------------------------------------
# Values passed across the interface


@dataclass(frozen=True)
class DocumentKey:
    """Names one worksheet document: whose it is, which worksheet, and which copy."""

    workshop: str  # workshop join code, e.g. "K7QM-2XPA"
    participant: str  # Participant.id (32 hex characters)
    kind: str  # a key of models.DOCUMENT_TYPES
    name: str = DEFAULT_DOCUMENT_NAME  # several documents of one kind, e.g. "goal-1"


@dataclass(frozen=True)
class Saved:
    """One accepted revision of a document, as stored."""

    key: DocumentKey
    document: Document  # validated, upgraded through models.upgrade_document
    revision: int  # 1 for the first save, +1 each accepted save
    saved_at: datetime  # timezone-aware UTC


@dataclass(frozen=True)
class RosterChange:
    """What a roster import did: people added, and people whose stored details changed."""

    added: int
    updated: int
    #: Mentors in the roster who keep the profile they saved themselves (not replaced).
    kept: int = 0


@dataclass(frozen=True)
class MentorClaim:
    """Whose mentor invite code was given: their workshop and profile, and whether this
    claim signed them in (False: they had a resume code already, nothing was changed)."""

    workshop: str
    mentor: MentorProfile
    claimed: bool


@dataclass(frozen=True)
class ReceivedRequest:
    """A request addressed to one mentor, as that mentor may read it: who sent it (name and
    email from the roster), what they sent, the answer if any, and what the request shares
    of their self-assessment (no ratings, no draft)."""

    participant: Participant
    sent: SentRequest
    answer: Answer | None
    assessment: SelfAssessment | None


@dataclass(frozen=True)
class MentorRecord:
    """A mentor's row as stored: their profile, the hashes of their resume and invite
    codes, and when they last saved their profile themselves (None: the roster's)."""

    mentor: MentorProfile
    resume_code_hash: str | None = None
    invite_code_hash: str | None = None
    profile_saved_at: datetime | None = None


@dataclass(frozen=True)
class ParticipantRecord:
    """A participant's row as stored: their details and the hashes of their resume code and
    of their invite code."""

    participant: Participant
    resume_code_hash: str | None  # None before their first sign-in
    invite_code_hash: str | None = None  # None: never invited (joined on the day)


@dataclass(frozen=True)
class InviteClaim:
    """Whose invite code was given: their workshop and details, and whether this claim
    signed them in (False: they had a resume code already, and nothing was changed)."""

    workshop: str
    participant: Participant
    claimed: bool


@dataclass(frozen=True)
class MergeCounts:
    """What merging one participant into another did with the documents that moved."""

    moved: int  # documents the kept participant did not have
    combined: int  # documents both had: the newer is current, the older in its history


@dataclass(frozen=True)
class PublishCounts:
    """What publishing the matching did to the participants' `MentorMatch` documents."""

    written: int  # new or changed matches, each stored as a new revision
    unchanged: int  # matches already stored exactly so, left at their revision
    withdrawn: int  # earlier matches erased with their history


@dataclass(frozen=True)
class StoredRevision:
    """One revision of a document exactly as stored.

    The body is the JSON the database holds, neither upgraded nor re-validated, so that a
    backup carries what was saved and a restore writes back the same.
    """

    key: DocumentKey
    revision: int
    body: dict[str, Any]
    saved_at: datetime  # timezone-aware UTC


#: What the facilitator decided about a mentee–mentor pair: keep it in every matching run
#: ("lock") or never suggest it ("forbid").
Decision = Literal["lock", "forbid"]
#: Who holds a code: a participant or a mentor.
Holder = Literal["participant", "mentor"]
DECISIONS: tuple[Decision, ...] = ("lock", "forbid")


@dataclass(frozen=True)
class MatchDecision:
    """A pair the facilitator locked or forbade for matching, as stored with the workshop."""

    participant: str  # Participant.id
    mentor: str  # MentorProfile.email
    decision: Decision
    decided_at: datetime  # timezone-aware UTC
    #: Who answered the participant's request with this decision ("mentor" or
    #: "facilitator"), or None for a decision the facilitator made in the matching; and the
    #: reply sent with the answer.
    answered_by: Answerer | None = None
    reply: str = ""


@dataclass(frozen=True)
class WorkshopSnapshot:
    """Everything stored under one workshop, as one consistent read, in a stable order.

    People, decisions and documents are sorted by code point (email, id; participant,
    mentor; participant, kind, name), so the same data gives the same order on SQLite and
    PostgreSQL. `history` may be far
    larger than the rest, so it is streamed: iterate it once, inside the `with` block of
    `Store.read_workshop` (or `mentorkit.backup.read_backup`) that produced it.
    """

    workshop: Workshop
    facilitator_key_hash: str
    created_at: datetime
    mentors: tuple[MentorRecord, ...]  # by email
    participants: tuple[ParticipantRecord, ...]  # by id
    decisions: tuple[MatchDecision, ...]  # the matching's locks and forbids, by pair
    documents: tuple[StoredRevision, ...]  # the latest revision of each document
    history: Iterable[StoredRevision]  # every revision, each document's oldest first
    #: Every agreement record's entries, by participant, each record oldest first.
    agreement: tuple[RecordedEntry, ...] = ()
    #: Mentors' notes about their mentees, by participant, oldest first.
    notes: tuple[StoredNote, ...] = ()
    #: Mentors' answers to the feedback surveys, by mentor email and survey.
    mentor_surveys: tuple[StoredMentorSurvey, ...] = ()


@dataclass(frozen=True)
class WorkshopCounts:
    """How much a backup or restore of a workshop carried."""

    mentors: int
    participants: int
    documents: int
    revisions: int
    decisions: int  # locked and forbidden pairs of the matching
    agreement_entries: int = 0  # confirmations, suggestions and answers of agreements
    notes: int = 0  # mentors' comments and action items
    mentor_surveys: int = 0  # mentors' answers to the feedback surveys, one per survey


@dataclass(frozen=True)
class RecordedEntry:
    """One entry of a participant's agreement record, as a backup carries it."""

    participant: str
    entry: AgreementEntry


@dataclass(frozen=True)
class StoredNote:
    """A mentor's note about a mentee, with its id (to mark an action item done) and the
    mentor who wrote it."""

    id: int
    participant: str
    mentor_email: str
    note: MentorNote


@dataclass(frozen=True)
class StoredMentorSurvey:
    """A mentor's answers to one feedback survey, as last saved (a draft included), as a
    backup carries them."""

    mentor_email: str
    kind: SurveyKind
    answers: SurveyAnswers
    saved_at: datetime  # timezone-aware UTC


@runtime_checkable
class Store(Protocol):
    """The one small interface views and the CLI use to read and write mentorkit data."""

    def create_workshop(self, workshop: Workshop, facilitator_key_hash: str) -> None:
        """Store a new workshop; `StoreError` if its join code is taken."""
        ...

    def workshop(self, code: str) -> Workshop:
        """The workshop with join code `code`, or `NotFound`."""
        ...

    def workshops(self) -> list[Workshop]:
        """Every workshop, oldest first."""
        ...

    def facilitator_key_hash(self, code: str) -> str:
        """The stored hash of the workshop's facilitator key."""
        ...

    def set_facilitator_key_hash(self, code: str, key_hash: str) -> None:
        """Replace the facilitator key hash (a new key was issued)."""
        ...

    def facilitator_key_matches(self, code: str, key_hash: str) -> bool:
        """Whether `key_hash` is the workshop's facilitator key hash (False for an unknown
        workshop), without handing the stored hash out."""
        ...

    def update_workshop(self, workshop: Workshop) -> None:
        """Store the workshop's new details (name, dates, sessions, texts, framework) under
        its join code; its facilitator key stays. `NotFound` for an unknown join code."""
        ...

    def delete_workshop(self, code: str) -> None:
        """Remove a workshop with its rosters and documents."""
        ...

    def import_roster(
        self,
        code: str,
        *,
        mentors: Sequence[MentorProfile] = (),
        participants: Sequence[Participant] = (),
        hub_users: Mapping[str, str] | None = None,
    ) -> RosterChange:
        """Add or update people by email, all in one transaction; `hub_users` gives some
        of them (by email) the hub user name that signs them in on a JupyterHub."""
        ...

    def mentors(self, code: str) -> list[MentorProfile]:
        """The workshop's mentors sorted by name, then email."""
        ...

    def participants(self, code: str) -> list[Participant]:
        """The workshop's participants sorted by name, then email."""
        ...

    def participant(self, code: str, participant_id: str) -> Participant:
        """One participant of the workshop, or `NotFound`."""
        ...

    def find_participant(self, code: str, email: str) -> Participant | None:
        """The participant with this email (any case), or None."""
        ...

    def add_participant(
        self, code: str, participant: Participant, *, hub_user: str | None = None
    ) -> None:
        """Add one participant who joins on the day (on a hub, under their hub user name)."""
        ...

    def participant_by_hub_user(self, code: str, hub_user: str) -> Participant | None:
        """The participant the facilitator assigned this exact hub user name, or None."""
        ...

    def mentor_by_hub_user(self, code: str, hub_user: str) -> MentorProfile | None:
        """The mentor the facilitator assigned this exact hub user name, or None."""
        ...

    def set_resume_code_hash(self, code: str, participant_id: str, code_hash: str) -> None:
        """Store the hash of a participant's resume code."""
        ...

    def resume_code_hash(self, code: str, participant_id: str) -> str | None:
        """The hash of the participant's resume code, None before their first sign-in."""
        ...

    def participant_by_resume_hash(self, code_hash: str) -> tuple[str, Participant] | None:
        """The workshop code and participant whose resume code has this hash."""
        ...

    def set_invite_code_hashes(self, code: str, hashes: Mapping[str, str]) -> None:
        """Store new invite code hashes by participant id (replacing old ones), all or none."""
        ...

    def invited(self, code: str) -> set[str]:
        """The ids of the workshop's participants who hold an invite code."""
        ...

    def signed_in(self, code: str) -> set[str]:
        """The ids of the workshop's participants who have a resume code."""
        ...

    def claim_invite(self, invite_hash: str, resume_hash: str) -> InviteClaim | None:
        """Give the participant whose invite code has `invite_hash` the resume code hash
        `resume_hash`, unless they have one; None when no invite code has that hash."""
        ...

    def set_mentor_invite_code_hashes(self, code: str, hashes: Mapping[str, str]) -> None:
        """Store new invite code hashes by mentor email (replacing old ones), all or none."""
        ...

    def claim_mentor_invite(self, invite_hash: str, resume_hash: str) -> MentorClaim | None:
        """Give the mentor whose invite code has `invite_hash` the resume code hash
        `resume_hash`, unless they have one; None when no mentor's invite has that hash."""
        ...

    def set_mentor_resume_code_hash(self, code: str, email: str, code_hash: str) -> None:
        """Store the hash of a mentor's new resume code."""
        ...

    def mentor_by_resume_hash(self, code_hash: str) -> tuple[str, MentorProfile] | None:
        """The workshop code and mentor whose resume code has this hash."""
        ...

    def mentors_invited(self, code: str) -> set[str]:
        """The emails of the workshop's mentors who hold an invite code."""
        ...

    def mentors_signed_in(self, code: str) -> set[str]:
        """The emails of the workshop's mentors who have a resume code."""
        ...

    def code_holder(self, code_hash: str) -> Holder | None:
        """Whether an invite or resume code with this hash is a participant's or a
        mentor's (so a page can name a code typed in the wrong place), or None."""
        ...

    def save_mentor_profile(self, code: str, profile: MentorProfile) -> None:
        """Store the profile a mentor edited themselves (a later roster import keeps it)."""
        ...

    def requests_to_mentor(self, code: str, email: str) -> builtins.list[ReceivedRequest]:
        """Every request sent to this mentor, with what each shares, oldest first."""
        ...

    def mentees(self, code: str, email: str) -> builtins.list[Participant]:
        """The participants paired with this mentor (an accepted request or a lock)."""
        ...

    def mentee_agreement(
        self, code: str, email: str, participant_id: str
    ) -> MentoringAgreement | None:
        """The agreement of one of this mentor's mentees (None before they start it);
        `NotFound` unless the participant is paired with this mentor."""
        ...

    def add_agreement_entry(self, code: str, participant_id: str, entry: AgreementEntry) -> None:
        """Add a confirmation, suggestion or answer to a participant's agreement record."""
        ...

    def mentee_progress(self, code: str, email: str, participant_id: str) -> SharedProgress:
        """The goals and check-ins a mentee shares with this mentor, and nothing else."""
        ...

    def add_mentor_note(self, code: str, email: str, participant_id: str, note: MentorNote) -> int:
        """Store a mentor's note about their mentee; its id."""
        ...

    def set_mentor_note(
        self, code: str, email: str, participant_id: str, note_id: int, note: MentorNote
    ) -> None:
        """Replace one of this mentor's notes about their mentee (an action item done)."""
        ...

    def mentor_notes(self, code: str, participant_id: str) -> builtins.list[StoredNote]:
        """Every note mentors wrote about a participant, oldest first."""
        ...

    def mentor_survey(self, code: str, email: str, kind: SurveyKind) -> SurveyAnswers | None:
        """This mentor's answers to one feedback survey (None before they answer)."""
        ...

    def save_mentor_survey(
        self, code: str, email: str, kind: SurveyKind, answers: SurveyAnswers
    ) -> None:
        """Store this mentor's answers to one feedback survey (the last save wins)."""
        ...

    def mentors_survey_answers(self, code: str, kind: SurveyKind) -> dict[str, SurveyAnswers]:
        """Every mentor's answers to one survey, by mentor email (for the group's figures)."""
        ...

    def agreement_entries(self, code: str, participant_id: str) -> builtins.list[AgreementEntry]:
        """A participant's agreement record, oldest first."""
        ...

    def agreement_records(self, code: str) -> dict[str, builtins.list[AgreementEntry]]:
        """Every participant's agreement record at once, by participant id."""
        ...

    def load(self, key: DocumentKey) -> Saved | None:
        """The latest revision of a document, or None if it was never saved."""
        ...

    def save(self, key: DocumentKey, document: Document, *, expected_revision: int) -> Saved:
        """Store a new revision if the latest one is `expected_revision`, else `ConflictError`."""
        ...

    def history(self, key: DocumentKey) -> list[Saved]:
        """Every accepted revision of a document, oldest first."""
        ...

    def list(
        self, workshop: str, *, participant: str | None = None, kind: str | None = None
    ) -> list[Saved]:
        """The latest revision of each matching document."""
        ...

    def delete(self, key: DocumentKey) -> None:
        """Erase a document and its whole history."""
        ...

    def publish_matches(
        self, code: str, matches: Mapping[str, MentorMatch], withdrawn: Collection[str]
    ) -> PublishCounts:
        """Store each participant's match (participant id → match) as their `MentorMatch`
        and erase the matches of `withdrawn`, all or nothing."""
        ...

    def match_decisions(self, code: str) -> builtins.list[MatchDecision]:
        """The workshop's locked and forbidden pairs, oldest decision first."""
        ...

    def decide_match(
        self,
        code: str,
        participant_id: str,
        mentor_email: str,
        decision: Decision | None,
        *,
        answered_by: Answerer | None = None,
        reply: str = "",
    ) -> None:
        """Lock or forbid a pair (a lock replaces the participant's other lock), or with
        None take back what was decided about it; as the answer to the participant's
        request, with who answered and their reply."""
        ...

    def answers(self, code: str, participant_id: str) -> dict[str, Answer]:
        """The answers to a participant's requests (every pair decided about them), by
        mentor email."""
        ...

    def places_taken(self, code: str) -> dict[str, int]:
        """How many mentees each mentor is locked to, by mentor email."""
        ...

    def read_workshop(
        self, code: str, *, participant: str | None = None
    ) -> AbstractContextManager[WorkshopSnapshot]:
        """Everything stored under a workshop (or only one participant's part of it, with the
        matching decisions about them), read as one consistent snapshot whose history
        streams while the `with` block is open."""
        ...

    def restore_workshop(self, snapshot: WorkshopSnapshot) -> WorkshopCounts:
        """Write a workshop read from a backup, all or nothing; refused if its code exists."""
        ...

    def erase_participant(self, code: str, participant_id: str) -> None:
        """Erase a participant: every document and history of theirs, the matching decisions
        about them, and their roster row."""
        ...

    def merge_participants(
        self,
        code: str,
        keep: str,
        absorb: str,
        *,
        renames: Mapping[tuple[str, str], str] | None = None,
    ) -> MergeCounts:
        """Move every document of `absorb` to `keep`, then remove `absorb`, in one step.

        `renames` gives new names to some of `absorb`'s documents ((kind, name) → name). A
        document both have becomes one: the newer version is current, every version of both
        stays in its history, in the order they were saved.
        """
        ...

    def close(self) -> None:
        """Release the database connections."""
        ...


# ---------------------------------------------------------------------------------------
# Tables


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite stores no time zone and returns naive values: they were written as UTC, so they
    are read back as UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Convert to UTC before storing; a naive value is refused (its zone is unknown)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Body = sa.JSON().with_variant(JSONB(), "postgresql")

metadata = sa.MetaData()

schema_table = sa.Table(
    "mentorkit_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)

workshops_table = sa.Table(
    "workshops",
    metadata,
    sa.Column("code", sa.String(9), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("body", Body, nullable=False),
    sa.Column("facilitator_key_hash", sa.String(500), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

participants_table = sa.Table(
    "participants",
    metadata,
    sa.Column(
        "workshop",
        sa.String(9),
        sa.ForeignKey("workshops.code", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("body", Body, nullable=False),
    # Only the hash of a participant's resume code is kept (see mentorkit.identity).
    sa.Column("resume_code_hash", sa.String(100), nullable=True, unique=True),
    # A rostered participant claims their entry with a personal invite code (kept hashed):
    # the join code alone only ever adds a new participant.
    sa.Column("invite_code_hash", sa.String(100), nullable=True),
    # On a JupyterHub, the exact hub user name the facilitator assigned on import: the only
    # way a hub user becomes this participant (never a guess from a name or an email).
    sa.Column("hub_user", sa.String(100), nullable=True),
    # Whether the participant holds a resume code, and an invite code: what the dashboard
    # shows, kept beside the hashes so that reading it never needs them (on a hub, no
    # server may read a hash; see mentorkit.pg_access).
    sa.Column("signed_in", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("invited", sa.Boolean, nullable=False, server_default=sa.false()),
    # Indexes, not constraints: the upgrade from schema 2 creates the very same ones.
    sa.Index("uq_participants_invite_code_hash", "invite_code_hash", unique=True),
    sa.Index("uq_participants_workshop_hub_user", "workshop", "hub_user", unique=True),
    sa.UniqueConstraint("workshop", "email", name="uq_participants_workshop_email"),
    sa.UniqueConstraint("workshop", "id", name="uq_participants_workshop_id"),
)

mentors_table = sa.Table(
    "mentors",
    metadata,
    sa.Column(
        "workshop",
        sa.String(9),
        sa.ForeignKey("workshops.code", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("body", Body, nullable=False),
    # A mentor signs in as a participant does: an invite code once, then a resume code,
    # both stored only hashed; the flags say which they hold without reading a hash.
    sa.Column("invite_code_hash", sa.String(100), nullable=True),
    sa.Column("resume_code_hash", sa.String(100), nullable=True),
    sa.Column("invited", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("signed_in", sa.Boolean, nullable=False, server_default=sa.false()),
    # When the mentor last saved their own profile: a roster imported later keeps it.
    sa.Column("profile_saved_at", UtcDateTime, nullable=True),
    # On a JupyterHub, the exact hub user name the facilitator assigned on import, as for
    # participants: the only way a hub user becomes this mentor.
    sa.Column("hub_user", sa.String(100), nullable=True),
    sa.Index("uq_mentors_invite_code_hash", "invite_code_hash", unique=True),
    sa.Index("uq_mentors_resume_code_hash", "resume_code_hash", unique=True),
    sa.Index("uq_mentors_workshop_hub_user", "workshop", "hub_user", unique=True),
)


def _document_key_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("workshop", sa.String(9), nullable=False),
        sa.Column("participant", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
    ]


def _mentor_fk(table: str) -> sa.ForeignKeyConstraint:
    """Rows that name a mentor of that workshop; deleting the mentor deletes them."""
    return sa.ForeignKeyConstraint(
        ["workshop", "mentor"],
        ["mentors.workshop", "mentors.email"],
        ondelete="CASCADE",
        name=f"fk_{table}_mentor",
    )


def _participant_fk(table: str) -> sa.ForeignKeyConstraint:
    """Documents belong to a participant *of that workshop*; erasing the person erases them."""
    return sa.ForeignKeyConstraint(
        ["workshop", "participant"],
        ["participants.workshop", "participants.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_participant",
    )


documents_table = sa.Table(
    "documents",
    metadata,
    *_document_key_columns(),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("body", Body, nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("workshop", "participant", "kind", "name", name="pk_documents"),
    _participant_fk("documents"),
    sa.Index("ix_documents_workshop_kind", "workshop", "kind"),
)

history_table = sa.Table(
    "document_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_document_key_columns(),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("body", Body, nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint(
        "workshop", "participant", "kind", "name", "revision", name="uq_document_history_revision"
    ),
    _participant_fk("document_history"),
)


match_decisions_table = sa.Table(
    "match_decisions",
    metadata,
    sa.Column("workshop", sa.String(9), nullable=False),
    sa.Column("participant", sa.String(32), nullable=False),
    sa.Column("mentor", sa.String(320), nullable=False),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("decided_at", UtcDateTime, nullable=False),
    # A request's answer is a decision: accepted locks the pair, declined forbids it.
    sa.Column("answered_by", sa.String(20), nullable=True),
    sa.Column("reply", sa.Text, nullable=False, server_default=""),
    sa.PrimaryKeyConstraint("workshop", "participant", "mentor", name="pk_match_decisions"),
    sa.CheckConstraint("decision IN ('lock', 'forbid')", name="ck_match_decisions_decision"),
    # Erasing a participant, or deleting the workshop, takes their decisions along.
    _participant_fk("match_decisions"),
    _mentor_fk("match_decisions"),
)


agreement_entries_table = sa.Table(
    "agreement_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop", sa.String(9), nullable=False),
    sa.Column("participant", sa.String(32), nullable=False),
    # Who wrote the entry: on a hub a participant's role may add only the mentee's.
    sa.Column("side", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("body", Body, nullable=False),
    sa.CheckConstraint("side IN ('mentee', 'mentor')", name="ck_agreement_entries_side"),
    sa.CheckConstraint(
        "kind IN ('confirmation', 'suggestion', 'answer')", name="ck_agreement_entries_kind"
    ),
    # Erasing a participant, or deleting the workshop, takes their agreement's record along.
    _participant_fk("agreement_entries"),
    sa.Index("ix_agreement_entries_participant", "workshop", "participant"),
)


mentor_notes_table = sa.Table(
    "mentor_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workshop", sa.String(9), nullable=False),
    sa.Column("participant", sa.String(32), nullable=False),
    sa.Column("mentor", sa.String(320), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("body", Body, nullable=False),
    # Erasing the mentee, the mentor or the workshop takes the notes along.
    _participant_fk("mentor_notes"),
    _mentor_fk("mentor_notes"),
    sa.Index("ix_mentor_notes_participant", "workshop", "participant"),
)


mentor_surveys_table = sa.Table(
    "mentor_surveys",
    metadata,
    sa.Column("workshop", sa.String(9), nullable=False),
    sa.Column("mentor", sa.String(320), nullable=False),
    # The survey's `SurveyKind` ('mid', 'end').
    sa.Column("survey", sa.String(20), nullable=False),
    sa.Column("body", Body, nullable=False),
    sa.Column("saved_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("workshop", "mentor", "survey", name="pk_mentor_surveys"),
    # Deleting the mentor or the workshop takes their answers along.
    _mentor_fk("mentor_surveys"),
)


def _add_match_decisions(conn: Connection) -> None:
    """Schema 1 → 2: the facilitator's locked and forbidden pairs get a table."""
    match_decisions_table.create(conn)


MIGRATIONS[1] = _add_match_decisions

#: The participant columns schema 3 adds, in the order they are added.
_CLAIM_COLUMNS = ("invite_code_hash", "hub_user")


def _add_participant_claims(conn: Connection) -> None:
    """Schema 2 → 3: participants get an invite code hash and a hub user name."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("participants")}
    for name in _CLAIM_COLUMNS:
        if name not in present:
            column = participants_table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE participants ADD COLUMN {name} {kind}"))
    for index in participants_table.indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS[2] = _add_participant_claims


def _add_participant_states(conn: Connection) -> None:
    """Schema 3 → 4: whether each participant holds a resume code and an invite code, in
    columns of their own (read from the hashes once)."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("participants")}
    for name, held in (("signed_in", "resume_code_hash"), ("invited", "invite_code_hash")):
        if name not in present:
            conn.execute(
                sa.text(
                    f"ALTER TABLE participants ADD COLUMN {name} BOOLEAN NOT NULL DEFAULT FALSE"
                )
            )
        conn.execute(sa.text(f"UPDATE participants SET {name} = ({held} IS NOT NULL)"))


MIGRATIONS[3] = _add_participant_states

#: The match decision columns schema 5 adds, with their SQL.
_ANSWER_COLUMNS = {"answered_by": "VARCHAR(20)", "reply": "TEXT NOT NULL DEFAULT ''"}


def _add_request_answers(conn: Connection) -> None:
    """Schema 4 → 5: a match decision can be the answer to a participant's request (who
    answered, and the reply)."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("match_decisions")}
    for name, kind in _ANSWER_COLUMNS.items():
        if name not in present:
            conn.execute(sa.text(f"ALTER TABLE match_decisions ADD COLUMN {name} {kind}"))


MIGRATIONS[4] = _add_request_answers

#: The mentor columns schema 6 adds, with their SQL.
_MENTOR_SIGN_IN_COLUMNS = {
    "invite_code_hash": "VARCHAR(100)",
    "resume_code_hash": "VARCHAR(100)",
    "invited": "BOOLEAN NOT NULL DEFAULT FALSE",
    "signed_in": "BOOLEAN NOT NULL DEFAULT FALSE",
    "profile_saved_at": "TIMESTAMP WITH TIME ZONE",
}


def _add_mentor_sign_in(conn: Connection) -> None:
    """Schema 5 → 6: mentors sign in (invite and resume code hashes) and keep their own
    profile (when they last saved it); the agreement gets a record of confirmations and
    suggestions, and mentors' notes for their mentees a table."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("mentors")}
    for name, kind in _MENTOR_SIGN_IN_COLUMNS.items():
        if name not in present:
            conn.execute(sa.text(f"ALTER TABLE mentors ADD COLUMN {name} {kind}"))
    for index in mentors_table.indexes:
        index.create(conn, checkfirst=True)
    agreement_entries_table.create(conn, checkfirst=True)
    mentor_notes_table.create(conn, checkfirst=True)


MIGRATIONS[5] = _add_mentor_sign_in


def _add_mentor_hub_user(conn: Connection) -> None:
    """Schema 6 → 7: mentors get a hub user name, as participants have."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("mentors")}
    if "hub_user" not in present:
        conn.execute(sa.text("ALTER TABLE mentors ADD COLUMN hub_user VARCHAR(100)"))
    for index in mentors_table.indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS[6] = _add_mentor_hub_user


def _add_mentor_surveys(conn: Connection) -> None:
    """Schema 7 → 8: mentors answer the feedback surveys too, in a table of their own."""
    mentor_surveys_table.create(conn, checkfirst=True)


MIGRATIONS[7] = _add_mentor_surveys


# ---------------------------------------------------------------------------------------
# URLs


def default_database_url() -> str:
    """The SQLite file in the user's data folder, used when nothing else is configured."""
    path = platformdirs.user_data_path("mentorkit") / "mentorkit.db"
    return f"sqlite:///{path.as_posix()}"


def resolve_database_url(url: str | None = None) -> str:
    """The database to use: an explicit `url`, else $MENTORKIT_DB, else the default file."""
    if url and url.strip():
        return url.strip()
    from_env = os.environ.get(DB_URL_ENV, "").strip()
    return from_env or default_database_url()


def open_store(url: str | None = None) -> SqlStore:
    """Open (creating if needed) the database chosen by `resolve_database_url`."""
    resolved = resolve_database_url(url)
    parsed = _parse_url(resolved)
    if parsed.get_backend_name() == "sqlite" and not _is_sqlite_memory(parsed):
        path = Path(str(parsed.database))
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder {folder} for the database "
                f"{_shown(parsed)}: {exc.strerror or exc}"
            ) from None
        # Everyone's answers are in it: readable by its owner only (SQLite gives the -wal
        # and -shm files the same mode). An existing file keeps the mode it has.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return SqlStore(resolved)


def _redact(url: str) -> str:
    """`url` with any password replaced by ***, for text that could not be parsed as a URL."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _parse_url(url: str) -> URL:
    """`url` parsed, with `postgresql://` meaning psycopg 3 (the driver mentorkit ships)."""
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise StoreError(
            f"'{_redact(url)}' is not a database URL; use one such as "
            "sqlite:////path/to/mentorkit.db or postgresql://user@host/database"
        ) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise StoreError(
            f"mentorkit stores its data in SQLite or PostgreSQL, not in "
            f"'{parsed.get_backend_name()}' ({_shown(parsed)})"
        )
    return parsed


def _is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _reason(exc: BaseException) -> str:
    """The driver's reason for a database error, on one line."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


class _IntegrityProblem(StoreError):
    """A constraint refused a write (the transaction was rolled back)."""


# ---------------------------------------------------------------------------------------
# The SQL store


class SqlStore:
    """`Store` on SQLite or PostgreSQL through SQLAlchemy Core.

    Opening checks the schema version: an empty database is set up, an older one is
    migrated, a newer or foreign one is refused with `SchemaError`.
    """

    def __init__(self, url: str) -> None:
        parsed = _parse_url(url)
        self._engine = self._create_engine(parsed)
        self._writers = _WriterQueue.beside(parsed)
        # Same pool; transactions started here are writers (BEGIN IMMEDIATE on SQLite).
        self._writer = self._engine.execution_options(**{_WRITE_OPTION: True})
        try:
            self._prepare_schema()
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return _shown(self._engine.url)

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections; the store is not usable afterwards."""
        self._engine.dispose()
        if self._writers is not None:
            self._writers.close()

    # -- connections -------------------------------------------------------------------

    @staticmethod
    def _create_engine(url: URL) -> Engine:
        options: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            if _is_sqlite_memory(url):
                # One shared connection, or every pooled connection would see its own
                # empty in-memory database. Meant for tests and demos in one thread.
                options["poolclass"] = StaticPool
                options["connect_args"]["check_same_thread"] = False
        else:
            options["pool_pre_ping"] = True  # Voilà kernels live for hours; servers restart
            if "connect_timeout" not in url.query:
                options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        try:
            engine = sa.create_engine(url, **options)
        except ImportError:
            raise StoreError(
                f"Cannot open {_shown(url)}: the PostgreSQL driver is not installed. "
                "Install it with: pip install 'mentorkit[postgres]'"
            ) from None
        except sa.exc.NoSuchModuleError:
            raise StoreError(
                f"Cannot open {_shown(url)}: SQLAlchemy has no driver '{url.drivername}'; "
                "use sqlite:///… or postgresql+psycopg://…"
            ) from None
        if url.get_backend_name() == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_on_connect)
            sa.event.listen(engine, "begin", _sqlite_on_begin)
            sa.event.listen(engine, "checkout", _sqlite_on_checkout)
        return engine

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """One transaction, committed on success; driver errors become `StoreError`."""
        engine = self._writer if write else self._engine
        turn = self._writers.turn() if write and self._writers else nullcontext()
        try:
            with turn, engine.begin() as conn:
                yield conn
        except sa.exc.IntegrityError as exc:
            raise _IntegrityProblem(
                f"The database {self.url} refused the change: {_reason(exc)}"
            ) from exc
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"Cannot use the database {self.url}: {_reason(exc)}") from exc

    # -- schema --------------------------------------------------------------------------

    def _prepare_schema(self) -> None:
        """Create, migrate or refuse the schema, all in one transaction."""
        try:
            with self._writer.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Two kernels opening a fresh database at once: the second waits here
                    # and then finds the tables the first one created.
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK_KEY)))
                tables = set(sa.inspect(conn).get_table_names())
                if schema_table.name not in tables:
                    if tables:
                        raise SchemaError(
                            f"The database {self.url} is not a mentorkit database: it already "
                            f"holds other tables ({', '.join(sorted(tables)[:5])}). Choose an "
                            "empty database or a new SQLite file (set MENTORKIT_DB)."
                        )
                    metadata.create_all(conn)
                    _record_version(conn, DB_SCHEMA_VERSION)
                    return
                found = conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar()
                if found is None:
                    raise SchemaError(
                        f"The database {self.url} has an empty mentorkit_schema table, so its "
                        "layout is unknown. Restore it from a backup or use a new database."
                    )
                self._migrate(conn, int(found))
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"Cannot open the database {self.url}: {_reason(exc)}") from None

    def _migrate(self, conn: Connection, found: int) -> None:
        """Bring a schema at version `found` up to `DB_SCHEMA_VERSION`, or refuse."""
        if found > DB_SCHEMA_VERSION:
            raise SchemaError(
                f"This database was written by a newer mentorkit (schema {found}; this "
                f"version reads up to {DB_SCHEMA_VERSION}). Upgrade mentorkit "
                "(pip install -U mentorkit) or set MENTORKIT_DB to another database."
            )
        for version in range(found, DB_SCHEMA_VERSION):
            step = MIGRATIONS.get(version)
            if step is None:
                raise SchemaError(
                    f"This mentorkit cannot upgrade the database {self.url} from schema "
                    f"{version}; no migration step is known. Use the mentorkit release "
                    "that upgrades it first."
                )
            step(conn)
        if found < DB_SCHEMA_VERSION:
            _record_version(conn, DB_SCHEMA_VERSION)

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._transaction(write=False) as conn:
            return int(conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar_one())

    # -- workshops -----------------------------------------------------------------------

    def create_workshop(self, workshop: Workshop, facilitator_key_hash: str) -> None:
        """Store a new workshop; `StoreError` if its join code is already used."""
        taken = StoreError(
            f"A workshop with join code {workshop.code} already exists; "
            "create the workshop again to get a new code."
        )
        try:
            with self._transaction(write=True) as conn:
                if _workshop_exists(conn, workshop.code):
                    raise taken
                conn.execute(
                    workshops_table.insert().values(
                        code=workshop.code,
                        name=workshop.name,
                        body=workshop.model_dump(mode="json"),
                        facilitator_key_hash=facilitator_key_hash,
                        created_at=_now(),
                    )
                )
        except _IntegrityProblem:
            raise taken from None  # created by someone else between our check and insert

    def workshop(self, code: str) -> Workshop:
        """The workshop with join code `code` (any case), or `NotFound`."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            body = conn.execute(
                sa.select(workshops_table.c.body).where(workshops_table.c.code == code)
            ).scalar()
        if body is None:
            raise _no_workshop(code)
        return validate(Workshop, body)

    def workshops(self) -> list[Workshop]:
        """Every workshop, oldest first."""
        with self._transaction(write=False) as conn:
            bodies = conn.execute(
                sa.select(workshops_table.c.body).order_by(
                    workshops_table.c.created_at, workshops_table.c.code
                )
            ).scalars()
            return [validate(Workshop, body) for body in bodies]

    def facilitator_key_hash(self, code: str) -> str:
        """The stored hash of the workshop's facilitator key, or `NotFound`."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            found = conn.execute(
                sa.select(workshops_table.c.facilitator_key_hash).where(
                    workshops_table.c.code == code
                )
            ).scalar()
        if found is None:
            raise _no_workshop(code)
        return str(found)

    def set_facilitator_key_hash(self, code: str, key_hash: str) -> None:
        """Replace the facilitator key hash, or `NotFound`."""
        code = _code(code)
        with self._transaction(write=True) as conn:
            result = conn.execute(
                workshops_table.update()
                .where(workshops_table.c.code == code)
                .values(facilitator_key_hash=key_hash)
            )
            if result.rowcount != 1:
                raise _no_workshop(code)

    def facilitator_key_matches(self, code: str, key_hash: str) -> bool:
        """Whether `key_hash` is the workshop's facilitator key hash; False for an unknown
        workshop.

        On a PostgreSQL database prepared by `mentorkit.pg_access`, the servers' roles may
        not read the hash at all: the database compares it
        (`mentorkit_facilitator_key_matches`) and answers only yes or no.
        """
        code = _code(code)
        with self._transaction(write=False) as conn:
            if (
                conn.dialect.name == "postgresql"
                and conn.execute(
                    sa.text(
                        "SELECT to_regprocedure('mentorkit_facilitator_key_matches(text, text)')"
                    )
                ).scalar()
            ):
                return bool(
                    conn.execute(
                        sa.text("SELECT mentorkit_facilitator_key_matches(:code, :key_hash)"),
                        {"code": code, "key_hash": key_hash},
                    ).scalar()
                )
            found = conn.execute(
                sa.select(workshops_table.c.facilitator_key_hash).where(
                    workshops_table.c.code == code
                )
            ).scalar()
        return found is not None and hmac.compare_digest(str(found), key_hash)

    def update_workshop(self, workshop: Workshop) -> None:
        """Replace the stored name and body of `workshop` (found by its join code); the
        facilitator key hash and the creation time stay. `NotFound` for an unknown code."""
        code = _code(workshop.code)
        with self._transaction(write=True) as conn:
            result = conn.execute(
                workshops_table.update()
                .where(workshops_table.c.code == code)
                .values(name=workshop.name, body=workshop.model_dump(mode="json"))
            )
            if result.rowcount != 1:
                raise _no_workshop(code)

    def delete_workshop(self, code: str) -> None:
        """Remove a workshop; its rosters, documents, histories and matching decisions go
        with it (cascade)."""
        code = _code(code)
        with self._transaction(write=True) as conn:
            result = conn.execute(workshops_table.delete().where(workshops_table.c.code == code))
            if result.rowcount != 1:
                raise _no_workshop(code)

    # -- rosters -------------------------------------------------------------------------

    def import_roster(
        self,
        code: str,
        *,
        mentors: Sequence[MentorProfile] = (),
        participants: Sequence[Participant] = (),
        hub_users: Mapping[str, str] | None = None,
    ) -> RosterChange:
        """Add or update mentors and participants by email, all or nothing.

        A participant already on the roster keeps the id stored for them (their documents
        hang off it); their other details are replaced. `hub_users` (participant email →
        hub user name) sets the hub user of those participants; a participant it does not
        name keeps the one stored. `updated` counts only people whose stored details
        actually changed, so importing the same file twice reports 0. A mentor who saved
        their own profile keeps it (`kept` counts them).
        """
        hub_users = {email.strip().lower(): user for email, user in (hub_users or {}).items()}
        code = _code(code)
        _refuse_repeated_emails("mentor", [m.email for m in mentors])
        _refuse_repeated_emails(
            "participant", [p.email for p in participants if p.email is not None]
        )
        added = updated = kept = 0
        try:
            with self._transaction(write=True) as conn:
                _require_workshop(conn, code)
                stored_mentors = {
                    row.email: row
                    for row in conn.execute(
                        sa.select(
                            mentors_table.c.email,
                            mentors_table.c.body,
                            mentors_table.c.profile_saved_at,
                            mentors_table.c.hub_user,
                        ).where(mentors_table.c.workshop == code)
                    )
                }
                for mentor in mentors:
                    body = mentor.model_dump(mode="json")
                    hub_user = hub_users.get(mentor.email)
                    stored = stored_mentors.get(mentor.email)
                    if stored is None:
                        conn.execute(
                            mentors_table.insert().values(
                                workshop=code, email=mentor.email, body=body, hub_user=hub_user
                            )
                        )
                        added += 1
                        continue
                    changes: dict[str, object] = {}
                    if stored.profile_saved_at is not None:
                        kept += 1  # the mentor's own words outweigh the roster's
                    elif stored.body != body:
                        changes["body"] = body
                    if hub_user is not None and hub_user != stored.hub_user:
                        changes["hub_user"] = hub_user  # the facilitator's to assign
                    if changes:
                        conn.execute(
                            mentors_table.update()
                            .where(
                                mentors_table.c.workshop == code,
                                mentors_table.c.email == mentor.email,
                            )
                            .values(**changes)
                        )
                        if stored.profile_saved_at is None:
                            updated += 1  # else counted as kept
                stored_people = {
                    row.email: (row.id, row.body, row.hub_user)
                    for row in conn.execute(
                        sa.select(
                            participants_table.c.email,
                            participants_table.c.id,
                            participants_table.c.body,
                            participants_table.c.hub_user,
                        ).where(participants_table.c.workshop == code)
                    )
                }
                for person in participants:
                    hub_user = hub_users.get((person.email or "").lower())
                    if person.email not in stored_people:
                        conn.execute(
                            participants_table.insert().values(
                                workshop=code,
                                id=person.id,
                                email=person.email,
                                body=person.model_dump(mode="json"),
                                hub_user=hub_user,
                            )
                        )
                        added += 1
                        continue
                    stored_id, stored_body, stored_hub_user = stored_people[person.email]
                    body = person.model_dump(mode="json") | {"id": stored_id}
                    hub_user = hub_user or stored_hub_user
                    if stored_body != body or stored_hub_user != hub_user:
                        conn.execute(
                            participants_table.update()
                            .where(participants_table.c.id == stored_id)
                            .values(body=body, hub_user=hub_user)
                        )
                        updated += 1
        except _IntegrityProblem as exc:
            reason = _reason(exc.__cause__ or exc)
            raise StoreError(
                f"The roster could not be imported, nothing was changed: {reason} (a participant"
                " id already used, a hub user name already another participant's or another "
                "mentor's, or another import at the same time; try again)"
            ) from exc
        return RosterChange(added=added, updated=updated, kept=kept)

    def mentors(self, code: str) -> list[MentorProfile]:
        """The workshop's mentors sorted by name (ignoring case), then email."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            bodies = conn.execute(
                sa.select(mentors_table.c.body).where(mentors_table.c.workshop == code)
            ).scalars()
            found = [validate(MentorProfile, body) for body in bodies]
        return sorted(found, key=lambda m: (m.name.casefold(), m.email))

    def participants(self, code: str) -> list[Participant]:
        """The workshop's participants sorted by name (ignoring case), then email."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            bodies = conn.execute(
                sa.select(participants_table.c.body).where(participants_table.c.workshop == code)
            ).scalars()
            found = [validate(Participant, body) for body in bodies]
        return sorted(found, key=lambda p: (p.name.casefold(), p.email or ""))

    def _one_body(self, code: str, column: sa.Column[Any], value: str) -> Any | None:
        """The body of the workshop's row (of `column`'s table: a participant or a mentor)
        whose `column` holds `value`, or None; `NotFound` if there is no such workshop."""
        code = _code(code)
        table = column.table
        with self._transaction(write=False) as conn:
            body = conn.execute(
                sa.select(table.c.body).where(table.c.workshop == code, column == value)
            ).scalar()
            if body is None:
                _require_workshop(conn, code)
        return body

    def _one_participant(self, code: str, column: sa.Column[Any], value: str) -> Participant | None:
        """The workshop's participant whose `column` holds `value`, or None; `NotFound` if
        there is no such workshop."""
        body = self._one_body(code, column, value)
        return None if body is None else validate(Participant, body)

    def participant(self, code: str, participant_id: str) -> Participant:
        """One participant of the workshop by id, or `NotFound`."""
        found = self._one_participant(code, participants_table.c.id, participant_id)
        if found is None:
            raise _no_participant(_code(code), participant_id)
        return found

    def find_participant(self, code: str, email: str) -> Participant | None:
        """The participant with this email (compared lowercased), or None."""
        return self._one_participant(code, participants_table.c.email, email.strip().lower())

    def add_participant(
        self, code: str, participant: Participant, *, hub_user: str | None = None
    ) -> None:
        """Add one participant (someone joining on the day); their email, and their hub
        user name if they have one, must be new to the workshop."""
        code = _code(code)
        try:
            with self._transaction(write=True) as conn:
                _require_workshop(conn, code)
                conn.execute(
                    participants_table.insert().values(
                        workshop=code,
                        id=participant.id,
                        email=participant.email,
                        body=participant.model_dump(mode="json"),
                        hub_user=hub_user,
                    )
                )
        except _IntegrityProblem:
            raise StoreError(
                f"{participant.email or hub_user or participant.name} is already on this "
                "workshop's list."
            ) from None

    def participant_by_hub_user(self, code: str, hub_user: str) -> Participant | None:
        """The participant whose hub user name is exactly `hub_user` (as the facilitator
        assigned it on import), or None; `NotFound` if there is no such workshop."""
        return self._one_participant(code, participants_table.c.hub_user, hub_user)

    def mentor_by_hub_user(self, code: str, hub_user: str) -> MentorProfile | None:
        """The mentor whose hub user name is exactly `hub_user` (as the facilitator assigned
        it on import), or None; `NotFound` if there is no such workshop."""
        body = self._one_body(code, mentors_table.c.hub_user, hub_user)
        return None if body is None else validate(MentorProfile, body)

    def set_resume_code_hash(self, code: str, participant_id: str, code_hash: str) -> None:
        """Store the hash of a participant's new resume code (replacing any old one)."""
        code = _code(code)
        with self._transaction(write=True) as conn:
            result = conn.execute(
                participants_table.update()
                .where(
                    participants_table.c.workshop == code,
                    participants_table.c.id == participant_id,
                )
                .values(resume_code_hash=code_hash, signed_in=True)
            )
            if result.rowcount != 1:
                raise _no_participant(code, participant_id)

    def resume_code_hash(self, code: str, participant_id: str) -> str | None:
        """The stored hash of the participant's resume code (None before first sign-in)."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            row = conn.execute(
                sa.select(participants_table.c.resume_code_hash).where(
                    participants_table.c.workshop == code,
                    participants_table.c.id == participant_id,
                )
            ).first()
        if row is None:
            raise _no_participant(code, participant_id)
        code_hash: str | None = row.resume_code_hash
        return code_hash

    def participant_by_resume_hash(self, code_hash: str) -> tuple[str, Participant] | None:
        """The workshop code and participant whose resume code has this hash, or None."""
        with self._transaction(write=False) as conn:
            row = conn.execute(
                sa.select(participants_table.c.workshop, participants_table.c.body).where(
                    participants_table.c.resume_code_hash == code_hash
                )
            ).first()
        if row is None:
            return None
        return row.workshop, validate(Participant, row.body)

    # -- invite codes --------------------------------------------------------------------

    def set_invite_code_hashes(self, code: str, hashes: Mapping[str, str]) -> None:
        """Store new invite code hashes by participant id, replacing their old ones (which
        stop working), in one transaction; `NotFound` (nothing changed) if one of them is
        not a participant of the workshop."""
        code = _code(code)
        with self._transaction(write=True) as conn:
            _require_workshop(conn, code)
            for participant_id, code_hash in hashes.items():
                result = conn.execute(
                    participants_table.update()
                    .where(
                        participants_table.c.workshop == code,
                        participants_table.c.id == participant_id,
                    )
                    .values(invite_code_hash=code_hash, invited=True)
                )
                if result.rowcount != 1:
                    raise _no_participant(code, participant_id)

    def invited(self, code: str) -> set[str]:
        """The ids of the workshop's participants who hold an invite code (used or not)."""
        return self._flagged(code, participants_table.c.id, participants_table.c.invited)

    def signed_in(self, code: str) -> set[str]:
        """The ids of the workshop's participants who have a resume code."""
        return self._flagged(code, participants_table.c.id, participants_table.c.signed_in)

    def _flagged(self, code: str, key: sa.Column[Any], flag: sa.Column[Any]) -> set[str]:
        """The `key` of every row of the workshop whose `flag` is set (one table's)."""
        code = _code(code)
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            return set(
                conn.execute(
                    sa.select(key).where(key.table.c.workshop == code, flag.is_(True))
                ).scalars()
            )

    def claim_invite(self, invite_hash: str, resume_hash: str) -> InviteClaim | None:
        """Give the participant whose invite code has `invite_hash` the resume code hash
        `resume_hash`, in one statement that also requires they have none yet: of two
        claims at the same moment only one signs in. None when no invite code has that
        hash; `claimed` False when they had a resume code (nothing was changed)."""
        found = self._claim(participants_table, invite_hash, resume_hash)
        if found is None:
            return None
        workshop, body, claimed = found
        return InviteClaim(workshop, validate(Participant, body), claimed=claimed)

    def _claim(
        self, table: sa.Table, invite_hash: str, resume_hash: str
    ) -> tuple[str, Any, bool] | None:
        """The claim of an invite code in `table` (participants or mentors): the row's
        workshop and body, and whether this claim gave it the resume code hash."""
        with self._transaction(write=True) as conn:
            changed = conn.execute(
                table.update()
                .where(table.c.invite_code_hash == invite_hash, table.c.resume_code_hash.is_(None))
                .values(resume_code_hash=resume_hash, signed_in=True)
            ).rowcount
            row = conn.execute(
                sa.select(table.c.workshop, table.c.body).where(
                    table.c.invite_code_hash == invite_hash
                )
            ).first()
        return None if row is None else (row.workshop, row.body, changed == 1)

    # -- mentors signing in ---------------------------------------------------------------

    def set_mentor_invite_code_hashes(self, code: str, hashes: Mapping[str, str]) -> None:
        """Store new invite code hashes by mentor email, replacing their old ones (which stop
        working), in one transaction; `NotFound` (nothing changed) for an email that is not
        a mentor of the workshop."""
        code = _code(code)
        table = mentors_table
        with self._transaction(write=True) as conn:
            _require_workshop(conn, code)
            for email, code_hash in hashes.items():
                result = conn.execute(
                    table.update()
                    .where(table.c.workshop == code, table.c.email == email.strip().lower())
                    .values(invite_code_hash=code_hash, invited=True)
                )
                if result.rowcount != 1:
                    raise _no_mentor(code, email)

    def claim_mentor_invite(self, invite_hash: str, resume_hash: str) -> MentorClaim | None:
        """As `claim_invite`, for the mentor whose invite code has `invite_hash`."""
        found = self._claim(mentors_table, invite_hash, resume_hash)
        if found is None:
            return None
        workshop, body, claimed = found
        return MentorClaim(workshop, validate(MentorProfile, body), claimed=claimed)

    def set_mentor_resume_code_hash(self, code: str, email: str, code_hash: str) -> None:
        """Store the hash of a mentor's new resume code (replacing any old one)."""
        code = _code(code)
        table = mentors_table
        with self._transaction(write=True) as conn:
            result = conn.execute(
                table.update()
                .where(table.c.workshop == code, table.c.email == email.strip().lower())
                .values(resume_code_hash=code_hash, signed_in=True)
            )
            if result.rowcount != 1:
                raise _no_mentor(code, email)

    def mentor_by_resume_hash(self, code_hash: str) -> tuple[str, MentorProfile] | None:
        """The workshop code and mentor whose resume code has this hash, or None."""
        table = mentors_table
        with self._transaction(write=False) as conn:
            row = conn.execute(
                sa.select(table.c.workshop, table.c.body).where(
                    table.c.resume_code_hash == code_hash
                )
            ).first()
        return None if row is None else (row.workshop, validate(MentorProfile, row.body))

    def mentors_invited(self, code: str) -> set[str]:
        """The emails of the workshop's mentors who hold an invite code (used or not)."""
        return self._flagged(code, mentors_table.c.email, mentors_table.c.invited)

    def mentors_signed_in(self, code: str) -> set[str]:
        """The emails of the workshop's mentors who have a resume code."""
        return self._flagged(code, mentors_table.c.email, mentors_table.c.signed_in)

    def code_holder(self, code_hash: str) -> Holder | None:
        """'participant' or 'mentor' when someone's invite or resume code has this hash."""
        with self._transaction(write=False) as conn:
            for holder, table in (("participant", participants_table), ("mentor", mentors_table)):
                if not _may_read_hashes(conn, table.name):
                    continue  # a hub's server role: codes are not how anyone signs in there
                found = conn.execute(
                    sa.select(sa.literal(1)).where(
                        sa.or_(
                            table.c.invite_code_hash == code_hash,
                            table.c.resume_code_hash == code_hash,
                        )
                    )
                ).first()
                if found is not None:
                    return cast(Holder, holder)
        return None

    def save_mentor_profile(self, code: str, profile: MentorProfile) -> None:
        """Store the profile a mentor edited themselves, under their email, and when: a
        roster imported afterwards keeps it (`import_roster`). `NotFound` for an email that
        is not a mentor of the workshop."""
        code = _code(code)
        profile = validate(MentorProfile, profile.model_dump(mode="json"))
        table = mentors_table
        with self._transaction(write=True) as conn:
            result = conn.execute(
                table.update()
                .where(table.c.workshop == code, table.c.email == profile.email)
                .values(body=profile.model_dump(mode="json"), profile_saved_at=_now())
            )
            if result.rowcount != 1:
                raise _no_mentor(code, profile.email)

    def requests_to_mentor(self, code: str, email: str) -> builtins.list[ReceivedRequest]:
        """Every request participants sent this mentor (their shortlists keep them), with
        its answer and what it shares of the sender's self-assessment: their strengths,
        growth areas, values, career goal and meeting preferences, never their ratings
        or a draft. Oldest first; `NotFound` if `email` is not a mentor of the workshop."""
        code = _code(code)
        email = email.strip().lower()
        decisions = match_decisions_table
        with self._transaction(write=False) as conn:
            _require_mentor(conn, code, email)
            sent, assessments = _requests_sent_to(conn, code, email)
            if not sent:
                return []
            people = {
                row.id: validate(Participant, row.body)
                for row in conn.execute(
                    sa.select(participants_table.c.id, participants_table.c.body).where(
                        participants_table.c.workshop == code,
                        participants_table.c.id.in_(sent),
                    )
                )
            }
            answers = {
                row.participant: answer_of(_decision(row))
                for row in conn.execute(
                    sa.select(*_decision_columns()).where(
                        decisions.c.workshop == code,
                        decisions.c.mentor == email,
                        decisions.c.participant.in_(sent),
                    )
                )
            }
        found = [
            ReceivedRequest(people[pid], request, answers.get(pid), assessments.get(pid))
            for pid, request in sent.items()
            if pid in people
        ]
        return sorted(found, key=lambda r: (r.sent.sent_at, r.participant.id))

    # -- the mentor's side of a pair -------------------------------------------------------

    def mentees(self, code: str, email: str) -> builtins.list[Participant]:
        """The participants paired with this mentor: an accepted request or the
        facilitator's lock, by name. `NotFound` if `email` is not a mentor of the workshop."""
        code = _code(code)
        email = email.strip().lower()
        decisions = match_decisions_table
        with self._transaction(write=False) as conn:
            _require_mentor(conn, code, email)
            bodies = conn.execute(
                sa.select(participants_table.c.body)
                .join(
                    decisions,
                    sa.and_(
                        decisions.c.workshop == participants_table.c.workshop,
                        decisions.c.participant == participants_table.c.id,
                    ),
                )
                .where(
                    decisions.c.workshop == code,
                    decisions.c.mentor == email,
                    decisions.c.decision == "lock",
                )
            ).scalars()
            found = [validate(Participant, body) for body in bodies]
        return sorted(found, key=lambda p: (p.name.casefold(), p.id))

    def mentee_agreement(
        self, code: str, email: str, participant_id: str
    ) -> MentoringAgreement | None:
        """The agreement the participant is drafting with this mentor, as last saved (None
        before they start it): the only document of a mentee a mentor reads whole, but for
        the words of unfinished input, and only while the two are paired (an accepted
        request or a lock); else `NotFound`."""
        code = _code(code)
        email = email.strip().lower()
        with self._transaction(write=False) as conn:
            _require_pair(conn, code, email, participant_id)
            found = _mentee_documents(conn, code, email, participant_id, [MentoringAgreement])
        agreement = found.get((MentoringAgreement.kind, DEFAULT_DOCUMENT_NAME))
        if agreement is None:
            return None
        assert isinstance(agreement, MentoringAgreement)
        # Which parts the mentee is still filling in (so nothing is confirmed meanwhile),
        # never what they typed there.
        return agreement.model_copy(update={"draft": dict.fromkeys(agreement.draft, "")})

    def mentee_progress(self, code: str, email: str, participant_id: str) -> SharedProgress:
        """The goals and check-ins the participant shares with this mentor (their
        `ProgressSharing`), as last saved and without drafts: the only way a mentor reads
        them, and only while the two are paired; else `NotFound`."""
        code = _code(code)
        email = email.strip().lower()
        with self._transaction(write=False) as conn:
            _require_pair(conn, code, email, participant_id)
            found = _mentee_documents(
                conn, code, email, participant_id, [ProgressSharing, SmartGoal, CheckIn]
            )
        sharing = found.get((ProgressSharing.kind, DEFAULT_DOCUMENT_NAME))
        goals = {name: d for (kind, name), d in found.items() if isinstance(d, SmartGoal)}
        check_ins = {name: d for (kind, name), d in found.items() if isinstance(d, CheckIn)}
        return shared_with_mentor(
            sharing if isinstance(sharing, ProgressSharing) else None,
            {name: goals[name] for name in sorted(goals, key=natural_order)},
            {name: check_ins[name] for name in sorted(check_ins, key=natural_order)},
        )

    def add_mentor_note(self, code: str, email: str, participant_id: str, note: MentorNote) -> int:
        """Store a note this mentor writes about their mentee; its id. A comment on a goal
        or check-in is refused (`NotFound`) unless the mentee shares that item now, and any
        note unless the two are paired."""
        code = _code(code)
        email = email.strip().lower()
        note = validate(MentorNote, note.model_dump(mode="json"))
        if note.item is not None:
            shared = self.mentee_progress(code, email, participant_id)
            if note.item not in {*shared.goals, *shared.check_ins}:
                raise NotFound(f"{note.item} is not shared with {email}")
        with self._transaction(write=True) as conn:
            _require_pair(conn, code, email, participant_id)
            result = conn.execute(
                mentor_notes_table.insert().values(
                    workshop=code,
                    participant=participant_id,
                    mentor=email,
                    at=note.at,
                    body=note.model_dump(mode="json"),
                )
            )
            (note_id,) = result.inserted_primary_key or (0,)
        return int(note_id)

    def set_mentor_note(
        self, code: str, email: str, participant_id: str, note_id: int, note: MentorNote
    ) -> None:
        """Replace note `note_id`, one this mentor wrote about this mentee (an action item
        marked done, a comment corrected); `NotFound` for any other note."""
        code = _code(code)
        email = email.strip().lower()
        note = validate(MentorNote, note.model_dump(mode="json"))
        table = mentor_notes_table
        with self._transaction(write=True) as conn:
            _require_pair(conn, code, email, participant_id)
            result = conn.execute(
                table.update()
                .where(
                    table.c.id == note_id,
                    table.c.workshop == code,
                    table.c.participant == participant_id,
                    table.c.mentor == email,
                )
                .values(body=note.model_dump(mode="json"))
            )
            if result.rowcount != 1:
                raise NotFound(f"No note {note_id} of {email} about {participant_id}")

    def mentor_notes(self, code: str, participant_id: str) -> builtins.list[StoredNote]:
        """Every note mentors wrote about the participant, oldest first: what the mentee
        reads, and what their mentor's page shows of its own."""
        code = _code(code)
        table = mentor_notes_table
        with self._transaction(write=False) as conn:
            _require_participant(conn, code, participant_id)
            rows = conn.execute(
                sa.select(table.c.id, table.c.participant, table.c.mentor, table.c.body)
                .where(table.c.workshop == code, table.c.participant == participant_id)
                .order_by(table.c.at, table.c.id)
            ).all()
        return [
            StoredNote(row.id, row.participant, row.mentor, validate(MentorNote, row.body))
            for row in rows
        ]

    # -- the mentors' feedback surveys ----------------------------------------------------

    def mentor_survey(self, code: str, email: str, kind: SurveyKind) -> SurveyAnswers | None:
        """This mentor's answers to one feedback survey, as last saved (a draft of what did
        not validate included), or None before they answer; `NotFound` if `email` is not a
        mentor of the workshop."""
        code = _code(code)
        email = email.strip().lower()
        table = mentor_surveys_table
        with self._transaction(write=False) as conn:
            _require_mentor(conn, code, email)
            body = conn.execute(
                sa.select(table.c.body).where(
                    table.c.workshop == code,
                    table.c.mentor == email,
                    table.c.survey == SurveyKind(kind).value,
                )
            ).scalar()
        return None if body is None else validate(SurveyAnswers, body)

    def save_mentor_survey(
        self, code: str, email: str, kind: SurveyKind, answers: SurveyAnswers
    ) -> None:
        """Store this mentor's answers to one feedback survey. A mentor has one set of
        answers per survey and nobody else writes them, so the last save wins (two tabs of
        one mentor). `NotFound` if `email` is not a mentor of the workshop."""
        code = _code(code)
        email = email.strip().lower()
        body = validate(SurveyAnswers, answers.model_dump(mode="json")).model_dump(mode="json")
        key = {"workshop": code, "mentor": email, "survey": SurveyKind(kind).value}
        with self._transaction(write=True) as conn:
            _require_mentor(conn, code, email)
            _upsert(conn, mentor_surveys_table, key, {"body": body, "saved_at": _now()})

    def mentors_survey_answers(self, code: str, kind: SurveyKind) -> dict[str, SurveyAnswers]:
        """Every mentor's answers to one survey, by mentor email: the dashboard counts who
        was asked from them (a mentor who answered and has no mentee now was asked too),
        and shows only the group's figures. On a hub, only the facilitator's role reads
        them all; a mentor's reads their own."""
        code = _code(code)
        table = mentor_surveys_table
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                sa.select(table.c.mentor, table.c.body)
                .where(table.c.workshop == code, table.c.survey == SurveyKind(kind).value)
                .order_by(table.c.mentor)
            ).all()
        return {row.mentor: validate(SurveyAnswers, row.body) for row in rows}

    def add_agreement_entry(self, code: str, participant_id: str, entry: AgreementEntry) -> None:
        """Add `entry` to the participant's agreement record: a confirmation (of either
        side), the mentor's suggestion or the mentee's answer to one."""
        code = _code(code)
        kind, side = entry_kind(entry)
        with self._transaction(write=True) as conn:
            _require_participant(conn, code, participant_id)
            conn.execute(
                agreement_entries_table.insert().values(
                    workshop=code,
                    participant=participant_id,
                    side=side,
                    kind=kind,
                    at=entry.at,
                    body=entry.model_dump(mode="json"),
                )
            )

    def agreement_entries(self, code: str, participant_id: str) -> builtins.list[AgreementEntry]:
        """The participant's agreement record, oldest first (`mentorkit.mentoring`)."""
        code = _code(code)
        table = agreement_entries_table
        with self._transaction(write=False) as conn:
            _require_participant(conn, code, participant_id)
            rows = conn.execute(
                sa.select(table.c.kind, table.c.body)
                .where(table.c.workshop == code, table.c.participant == participant_id)
                .order_by(table.c.at, table.c.id)
            ).all()
        return [_agreement_entry(row.kind, row.body) for row in rows]

    def agreement_records(self, code: str) -> dict[str, builtins.list[AgreementEntry]]:
        """Every participant's agreement record, oldest entry first, by participant id
        (those with none left out): one read for the dashboard, not one per pair."""
        code = _code(code)
        table = agreement_entries_table
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            rows = conn.execute(
                sa.select(table.c.participant, table.c.kind, table.c.body)
                .where(table.c.workshop == code)
                .order_by(table.c.at, table.c.id)
            ).all()
        records: dict[str, builtins.list[AgreementEntry]] = {}
        for row in rows:
            records.setdefault(row.participant, []).append(_agreement_entry(row.kind, row.body))
        return records

    # -- documents -----------------------------------------------------------------------

    def load(self, key: DocumentKey) -> Saved | None:
        """The latest revision of a document, or None if it was never saved (or deleted)."""
        key = _checked_key(key)
        with self._transaction(write=False) as conn:
            row = conn.execute(
                sa.select(
                    documents_table.c.revision, documents_table.c.body, documents_table.c.saved_at
                ).where(*_key_filter(documents_table, key))
            ).first()
        return None if row is None else _saved(key, row)

    def save(self, key: DocumentKey, document: Document, *, expected_revision: int) -> Saved:
        """Store `document` as the next revision, if the latest stored one is `expected_revision`.

        `expected_revision=0` means the document is new. If someone else saved in between
        (or created it first), `ConflictError` says so and nothing is written. The current
        row and the history row are written in one transaction.
        """
        key = _checked_key(key)
        if isinstance(expected_revision, bool) or not isinstance(expected_revision, int):
            raise TypeError("expected_revision must be an int")
        if expected_revision < 0:
            raise StoreError(
                f"expected_revision must be 0 (a new document) or more, not {expected_revision}"
            )
        body, checked = _document_body(key, document)
        revision = expected_revision + 1
        now = _now()
        try:
            with self._transaction(write=True) as conn:
                _require_participant(conn, key.workshop, key.participant)
                _write_revision(conn, key, body, expected_revision, now)
        except _IntegrityProblem:
            # The transaction was rolled back; find out what beat us, in a fresh one.
            with self._transaction(write=False) as conn:
                current = _current_revision(conn, key)
                if current == 0:
                    _require_participant(conn, key.workshop, key.participant)
            if current == 0:
                raise  # not a concurrent save: report the database's reason
            raise _conflict(key, expected_revision, current) from None
        return Saved(key=key, document=checked, revision=revision, saved_at=now)

    def history(self, key: DocumentKey) -> list[Saved]:
        """Every accepted revision of a document, oldest first ([] if there is none)."""
        key = _checked_key(key)
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                sa.select(history_table.c.revision, history_table.c.body, history_table.c.saved_at)
                .where(*_key_filter(history_table, key))
                .order_by(history_table.c.revision)
            ).all()
        return [_saved(key, row) for row in rows]

    def delete(self, key: DocumentKey) -> None:
        """Erase a document and its whole history (a participant's right to erasure).

        Deleting a document that does not exist does nothing, so erasure can be repeated.
        """
        key = _checked_key(key)
        with self._transaction(write=True) as conn:
            _erase_document(conn, key)

    def publish_matches(
        self, code: str, matches: Mapping[str, MentorMatch], withdrawn: Collection[str]
    ) -> PublishCounts:
        """Publish the matching in one transaction: either all of it happens or none of it.

        Each participant in `matches` (participant id → match) gets it as their current
        `MentorMatch`, as `save` would store it (a new revision with its history row); a
        match stored exactly so already is left at its revision. Each participant in
        `withdrawn` loses their `MentorMatch` and its history, as `delete` does. A failure
        anywhere (a participant not on the roster, a page that published in between, a
        database error) leaves every document as it was.
        """
        code = _code(code)
        both = sorted(set(matches) & set(withdrawn))
        if both:
            raise StoreError(
                f"Participant {both[0]} cannot be both published and withdrawn: "
                "give each participant a match or a withdrawal, not both."
            )
        prepared: list[tuple[DocumentKey, dict[str, Any], Document]] = []
        for participant, match in matches.items():
            key = _checked_key(DocumentKey(code, participant, MentorMatch.kind))
            prepared.append((key, *_document_body(key, match)))
        written = unchanged = erased = 0
        now = _now()
        with self._transaction(write=True) as conn:
            _require_workshop(conn, code)
            for key, body, checked in prepared:
                _require_participant(conn, code, key.participant)
                current = conn.execute(
                    sa.select(documents_table.c.revision, documents_table.c.body).where(
                        *_key_filter(documents_table, key)
                    )
                ).first()
                if current is not None and upgrade_document(key.kind, current.body) == checked:
                    unchanged += 1
                    continue
                _write_revision(conn, key, body, current.revision if current else 0, now)
                written += 1
            for participant in withdrawn:
                key = _checked_key(DocumentKey(code, participant, MentorMatch.kind))
                erased += _erase_document(conn, key)
        return PublishCounts(written=written, unchanged=unchanged, withdrawn=erased)

    def list(
        self, workshop: str, *, participant: str | None = None, kind: str | None = None
    ) -> list[Saved]:
        """The latest revision of each matching document, by participant, kind and name."""
        workshop = _code(workshop)
        if kind is not None:
            _check_kind(kind)
        docs = documents_table
        query = sa.select(
            docs.c.participant,
            docs.c.kind,
            docs.c.name,
            docs.c.revision,
            docs.c.body,
            docs.c.saved_at,
        ).where(docs.c.workshop == workshop)
        if participant is not None:
            query = query.where(docs.c.participant == participant)
        if kind is not None:
            query = query.where(docs.c.kind == kind)
        query = query.order_by(docs.c.participant, docs.c.kind, docs.c.name)
        with self._transaction(write=False) as conn:
            _require_workshop(conn, workshop)
            rows = conn.execute(query).all()
        return [
            _saved(DocumentKey(workshop, row.participant, row.kind, row.name), row) for row in rows
        ]

    # -- matching decisions ----------------------------------------------------------------

    def match_decisions(self, code: str) -> builtins.list[MatchDecision]:
        """The workshop's locked and forbidden pairs, oldest decision first; `NotFound` if
        there is no such workshop."""
        code = _code(code)
        table = match_decisions_table
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            rows = conn.execute(
                sa.select(*_decision_columns())
                .where(table.c.workshop == code)
                .order_by(table.c.decided_at, table.c.participant, table.c.mentor)
            ).all()
        return [_decision(row) for row in rows]

    def answers(self, code: str, participant_id: str) -> dict[str, Answer]:
        """The answers to `participant_id`'s requests, by mentor email: every pair decided
        about them, a locked one accepted, a forbidden one declined (by the facilitator
        unless a mentor answered). `NotFound` if the participant is not on the roster."""
        code = _code(code)
        table = match_decisions_table
        with self._transaction(write=False) as conn:
            _require_participant(conn, code, participant_id)
            rows = conn.execute(
                sa.select(*_decision_columns()).where(
                    table.c.workshop == code, table.c.participant == participant_id
                )
            ).all()
        return {row.mentor: answer_of(_decision(row)) for row in rows}

    def places_taken(self, code: str) -> dict[str, int]:
        """How many mentees each mentor has been locked to (an accepted request, or the
        facilitator's lock), by mentor email; mentors with none are left out.

        On a PostgreSQL database prepared by `mentorkit.pg_access`, a participant's role
        sees only the decisions about them: the database counts
        (`mentorkit_places_taken`) and answers only the numbers.
        """
        code = _code(code)
        table = match_decisions_table
        with self._transaction(write=False) as conn:
            _require_workshop(conn, code)
            if (
                conn.dialect.name == "postgresql"
                and conn.execute(
                    sa.text("SELECT to_regprocedure('mentorkit_places_taken(text)')")
                ).scalar()
            ):
                rows = conn.execute(
                    sa.text("SELECT mentor, taken FROM mentorkit_places_taken(:code)"),
                    {"code": code},
                ).all()
            else:
                rows = conn.execute(
                    sa.select(table.c.mentor, sa.func.count().label("taken"))
                    .where(table.c.workshop == code, table.c.decision == "lock")
                    .group_by(table.c.mentor)
                ).all()
        return {row.mentor: int(row.taken) for row in rows}

    def decide_match(
        self,
        code: str,
        participant_id: str,
        mentor_email: str,
        decision: Decision | None,
        *,
        answered_by: Answerer | None = None,
        reply: str = "",
    ) -> None:
        """Record what was decided about one pair, in one transaction.

        "lock" keeps the pair in every run and replaces the participant's other lock (a
        mentee has one mentor) and any forbid of the same pair; "forbid" rules the pair out
        and replaces a lock of it; None forgets the pair. A decision that answers the
        participant's request says who answered (`answered_by`) and keeps the `reply`.
        `NotFound` if the participant or the mentor is not on the workshop's roster.
        """
        if decision is not None and decision not in DECISIONS:
            raise StoreError(f"A pair can be locked or forbidden, not '{decision}'.")
        if answered_by is not None:
            answered_by = Answerer(answered_by)
        if decision is not None:  # an answer's reply as any answer's: plain text, not too long
            validate(
                Answer,
                {
                    "state": RequestState.ACCEPTED if decision == "lock" else RequestState.DECLINED,
                    "at": _now(),
                    "by": answered_by or Answerer.FACILITATOR,
                    "reply": reply,
                },
            )
        code = _code(code)
        table = match_decisions_table
        with self._transaction(write=True) as conn:
            _require_participant(conn, code, participant_id)
            mentor = conn.execute(
                sa.select(mentors_table.c.email).where(
                    mentors_table.c.workshop == code, mentors_table.c.email == mentor_email
                )
            ).first()
            if mentor is None:
                raise NotFound(f"No mentor {mentor_email} on the roster of workshop {code}")
            this_pair = [
                table.c.workshop == code,
                table.c.participant == participant_id,
                table.c.mentor == mentor_email,
            ]
            conn.execute(table.delete().where(*this_pair))
            if decision == "lock":
                conn.execute(
                    table.delete().where(
                        table.c.workshop == code,
                        table.c.participant == participant_id,
                        table.c.decision == "lock",
                    )
                )
            if decision is not None:
                conn.execute(
                    table.insert().values(
                        workshop=code,
                        participant=participant_id,
                        mentor=mentor_email,
                        decision=decision,
                        decided_at=_now(),
                        answered_by=None if answered_by is None else answered_by.value,
                        reply=reply,
                    )
                )

    # -- data rights: a workshop read whole, restored whole; a participant erased --------

    @contextmanager
    def read_workshop(
        self, code: str, *, participant: str | None = None
    ) -> Iterator[WorkshopSnapshot]:
        """Everything stored under a workshop, or only `participant`'s part of it (their
        roster row, documents and the matching decisions about them; every mentor, but none
        of the mentors' survey answers, which are no participant's).

        All of it comes from one snapshot of the database (REPEATABLE READ on PostgreSQL;
        one read transaction on SQLite, whose WAL readers see one state), so a backup taken
        while people are typing is still consistent: every document's latest revision is the
        last revision of its history. The history streams from the database as it is
        iterated, inside this `with` block. `NotFound` if the workshop, or the participant
        on its roster, does not exist.
        """
        code = _code(code)
        with self._consistent_read() as conn:
            found = conn.execute(
                sa.select(
                    workshops_table.c.body,
                    workshops_table.c.facilitator_key_hash,
                    workshops_table.c.created_at,
                ).where(workshops_table.c.code == code)
            ).first()
            if found is None:
                raise _no_workshop(code)
            mentor_rows = conn.execute(
                sa.select(
                    mentors_table.c.body,
                    mentors_table.c.resume_code_hash,
                    mentors_table.c.invite_code_hash,
                    mentors_table.c.profile_saved_at,
                ).where(mentors_table.c.workshop == code)
            )
            mentors = sorted(
                (
                    MentorRecord(
                        validate(MentorProfile, row.body),
                        row.resume_code_hash,
                        row.invite_code_hash,
                        row.profile_saved_at,
                    )
                    for row in mentor_rows
                ),
                key=lambda record: record.mentor.email,
            )
            people_query = sa.select(
                participants_table.c.body,
                participants_table.c.resume_code_hash,
                participants_table.c.invite_code_hash,
            ).where(participants_table.c.workshop == code)
            docs_query = sa.select(
                documents_table.c.participant,
                documents_table.c.kind,
                documents_table.c.name,
                documents_table.c.revision,
                documents_table.c.body,
                documents_table.c.saved_at,
            ).where(documents_table.c.workshop == code)
            if participant is not None:
                people_query = people_query.where(participants_table.c.id == participant)
                docs_query = docs_query.where(documents_table.c.participant == participant)
            people = sorted(
                (
                    ParticipantRecord(
                        validate(Participant, row.body),
                        row.resume_code_hash,
                        row.invite_code_hash,
                    )
                    for row in conn.execute(people_query)
                ),
                key=lambda record: record.participant.id,
            )
            if participant is not None and not people:
                raise _no_participant(code, participant)
            decisions_query = sa.select(*_decision_columns()).where(
                match_decisions_table.c.workshop == code
            )
            if participant is not None:
                decisions_query = decisions_query.where(
                    match_decisions_table.c.participant == participant
                )
            decisions = sorted(
                (_decision(row) for row in conn.execute(decisions_query)),
                key=lambda decided: (decided.participant, decided.mentor),
            )
            documents = sorted(
                (_stored_revision(code, row) for row in conn.execute(docs_query)),
                key=lambda stored: _document_order(stored.key),
            )
            entries = agreement_entries_table
            entries_query = (
                sa.select(entries.c.participant, entries.c.kind, entries.c.body)
                .where(entries.c.workshop == code)
                .order_by(entries.c.participant, entries.c.at, entries.c.id)
            )
            if participant is not None:
                entries_query = entries_query.where(entries.c.participant == participant)
            agreement = tuple(
                RecordedEntry(row.participant, _agreement_entry(row.kind, row.body))
                for row in conn.execute(entries_query)
            )
            notes_table = mentor_notes_table
            notes_query = (
                sa.select(notes_table.c.id, notes_table.c.participant, notes_table.c.mentor)
                .add_columns(notes_table.c.body)
                .where(notes_table.c.workshop == code)
                .order_by(notes_table.c.participant, notes_table.c.at, notes_table.c.id)
            )
            if participant is not None:
                notes_query = notes_query.where(notes_table.c.participant == participant)
            notes = tuple(
                StoredNote(row.id, row.participant, row.mentor, validate(MentorNote, row.body))
                for row in conn.execute(notes_query)
            )
            # A mentor's survey answers are about the programme, nobody's part of it: only
            # the whole workshop's read carries them.
            mentor_surveys = () if participant is not None else _mentor_surveys(conn, code)
            yield WorkshopSnapshot(
                workshop=validate(Workshop, found.body),
                facilitator_key_hash=str(found.facilitator_key_hash),
                created_at=found.created_at,
                mentors=tuple(mentors),
                participants=tuple(people),
                decisions=tuple(decisions),
                documents=tuple(documents),
                history=_stream_history(conn, code, participant),
                agreement=agreement,
                notes=notes,
                mentor_surveys=mentor_surveys,
            )

    @contextmanager
    def _consistent_read(self) -> Iterator[Connection]:
        """A read transaction in which every query sees the same state of the database."""
        engine = self._engine
        if engine.dialect.name == "postgresql":
            # READ COMMITTED (the default) takes a new snapshot for every statement.
            engine = engine.execution_options(isolation_level="REPEATABLE READ")
        try:
            with engine.begin() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"Cannot use the database {self.url}: {_reason(exc)}") from exc

    def restore_workshop(self, snapshot: WorkshopSnapshot) -> WorkshopCounts:
        """Write a whole workshop (from a backup) into this database, in one transaction.

        Refused when the database already has a workshop with that join code, or when a
        participant id or resume code of the snapshot is used by another workshop here.
        Every document revision is checked as `save` checks it, and every matching decision
        as `decide_match` would leave it. Anything wrong, including an error raised while
        the snapshot's history is read, rolls everything back.
        """
        workshop = snapshot.workshop
        code = workshop.code
        records = snapshot.participants
        roster_ids = {record.participant.id for record in records}
        decision_rows = _restorable_decisions(
            code,
            roster_ids,
            {record.mentor.email for record in snapshot.mentors},
            snapshot.decisions,
        )
        latest: dict[DocumentKey, int] = {}
        try:
            with self._transaction(write=True) as conn:
                if _workshop_exists(conn, code):
                    raise StoreError(
                        f"The database {self.url} already has a workshop with join code "
                        f"{code}; nothing was restored. Delete that workshop first, or "
                        "restore into another database."
                    )
                _refuse_people_of_other_workshops(conn, records)
                conn.execute(
                    workshops_table.insert().values(
                        code=code,
                        name=workshop.name,
                        body=workshop.model_dump(mode="json"),
                        facilitator_key_hash=snapshot.facilitator_key_hash,
                        created_at=snapshot.created_at,
                    )
                )
                if snapshot.mentors:
                    conn.execute(
                        mentors_table.insert(),
                        [
                            {
                                "workshop": code,
                                "email": record.mentor.email,
                                "body": record.mentor.model_dump(mode="json"),
                                "resume_code_hash": record.resume_code_hash,
                                "signed_in": record.resume_code_hash is not None,
                                "invite_code_hash": record.invite_code_hash,
                                "invited": record.invite_code_hash is not None,
                                "profile_saved_at": record.profile_saved_at,
                            }
                            for record in snapshot.mentors
                        ],
                    )
                if records:
                    conn.execute(
                        participants_table.insert(),
                        [
                            {
                                "workshop": code,
                                "id": r.participant.id,
                                "email": r.participant.email,
                                "body": r.participant.model_dump(mode="json"),
                                "resume_code_hash": r.resume_code_hash,
                                "invite_code_hash": r.invite_code_hash,
                                "signed_in": r.resume_code_hash is not None,
                                "invited": r.invite_code_hash is not None,
                            }
                            for r in records
                        ],
                    )
                if decision_rows:
                    conn.execute(match_decisions_table.insert(), decision_rows)
                entry_rows = _restorable_entries(code, roster_ids, snapshot.agreement)
                if entry_rows:
                    conn.execute(agreement_entries_table.insert(), entry_rows)
                mentor_emails = {record.mentor.email for record in snapshot.mentors}
                note_rows = _restorable_notes(code, roster_ids, mentor_emails, snapshot.notes)
                if note_rows:
                    conn.execute(mentor_notes_table.insert(), note_rows)
                survey_rows = _restorable_mentor_surveys(
                    code, mentor_emails, snapshot.mentor_surveys
                )
                if survey_rows:
                    conn.execute(mentor_surveys_table.insert(), survey_rows)
                document_rows = []
                for stored in snapshot.documents:
                    row = _restorable(code, roster_ids, stored)
                    latest[stored.key] = stored.revision
                    document_rows.append(row)
                if document_rows:
                    conn.execute(documents_table.insert(), document_rows)
                revisions = 0
                history = iter(snapshot.history)
                while batch := list(itertools.islice(history, HISTORY_BATCH_ROWS)):
                    rows = []
                    for stored in batch:
                        if stored.revision > latest.get(stored.key, 0):
                            raise StoreError(
                                f"Revision {stored.revision} of {_described(stored.key)} is "
                                "newer than its latest revision, or the document is missing; "
                                "nothing was restored."
                            )
                        rows.append(_restorable(code, roster_ids, stored))
                    conn.execute(history_table.insert(), rows)
                    revisions += len(rows)
        except _IntegrityProblem as exc:
            raise StoreError(
                f"The database {self.url} refused the restore, nothing was restored: "
                f"{_reason(exc.__cause__ or exc)}"
            ) from exc
        return WorkshopCounts(
            mentors=len(snapshot.mentors),
            participants=len(records),
            documents=len(latest),
            revisions=revisions,
            decisions=len(decision_rows),
            agreement_entries=len(snapshot.agreement),
            notes=len(snapshot.notes),
            mentor_surveys=len(survey_rows),
        )

    def erase_participant(self, code: str, participant_id: str) -> None:
        """Erase a participant (their right to erasure), in one transaction.

        Every document and every revision of its history goes, the matching decisions about
        them, and their roster row, which holds their details and the hash of their resume
        code: the code stops working. `NotFound` if they are not (or no longer) on the
        workshop's roster.
        """
        code = _code(code)
        with self._transaction(write=True) as conn:
            _require_participant(conn, code, participant_id)
            # The decisions about them go with their roster row (the foreign key cascades):
            # on a hub a participant may not delete a decision, such as a mentor's decline.
            for table in (history_table, documents_table):
                conn.execute(
                    table.delete().where(
                        table.c.workshop == code, table.c.participant == participant_id
                    )
                )
            conn.execute(
                participants_table.delete().where(
                    participants_table.c.workshop == code,
                    participants_table.c.id == participant_id,
                )
            )

    def merge_participants(
        self,
        code: str,
        keep: str,
        absorb: str,
        *,
        renames: Mapping[tuple[str, str], str] | None = None,
    ) -> MergeCounts:
        """Move every document of `absorb` to `keep`, then remove `absorb`, in one transaction.

        A document `keep` does not have moves whole, with its history. A document both have
        (same kind and name, after `renames`) becomes one whose history holds every version
        of both in the order they were saved, renumbered; the newest is current, so a page
        still open on the old revision is told it changed elsewhere. `keep` keeps their
        details and resume code; they take `absorb`'s email if they have none. `NotFound`
        if either is not on the roster; `StoreError` if they are the same person.
        """
        code = _code(code)
        renames = dict(renames or {})
        if keep == absorb:
            raise StoreError("A participant cannot be merged into themselves: choose two people.")
        moved = combined = 0
        with self._transaction(write=True) as conn:
            _require_participant(conn, code, keep)
            _require_participant(conn, code, absorb)
            names = conn.execute(
                sa.select(documents_table.c.kind, documents_table.c.name).where(
                    documents_table.c.workshop == code, documents_table.c.participant == absorb
                )
            ).all()
            for kind, name in names:
                source = DocumentKey(code, absorb, kind, name)
                target = DocumentKey(code, keep, kind, renames.get((kind, name), name))
                _checked_key(target)
                if _current_revision(conn, target) == 0:
                    moved += 1
                    for table in (history_table, documents_table):
                        conn.execute(
                            table.update()
                            .where(*_key_filter(table, source))
                            .values(participant=keep, name=target.name)
                        )
                else:
                    combined += 1
                    _combine_histories(conn, source, target)
            _adopt_email(conn, code, keep, absorb)
            _adopt_resume_code(conn, code, keep, absorb)
            _adopt_decisions(conn, code, keep, absorb)
            conn.execute(
                participants_table.delete().where(
                    participants_table.c.workshop == code, participants_table.c.id == absorb
                )
            )
        return MergeCounts(moved=moved, combined=combined)


def _adopt_decisions(conn: Connection, code: str, keep: str, absorb: str) -> None:
    """The facilitator's locks and forbids about `absorb` become decisions about `keep`
    (removing `absorb` would otherwise take them along), except about a mentor `keep`
    already has a decision about, and a second lock (a mentee has one mentor)."""
    table = match_decisions_table
    columns = (
        table.c.mentor,
        table.c.decision,
        table.c.decided_at,
        table.c.answered_by,
        table.c.reply,
    )

    def decisions_of(participant: str) -> Sequence[sa.Row[Any, Any, Any, Any, Any]]:
        return conn.execute(
            sa.select(*columns)
            .where(table.c.workshop == code, table.c.participant == participant)
            .order_by(table.c.decided_at)
        ).all()

    kept = decisions_of(keep)
    decided = {row.mentor for row in kept}
    locked = any(row.decision == "lock" for row in kept)
    for row in decisions_of(absorb):
        if row.mentor in decided or (row.decision == "lock" and locked):
            continue
        conn.execute(
            table.insert().values(
                workshop=code,
                participant=keep,
                mentor=row.mentor,
                decision=row.decision,
                decided_at=row.decided_at,
                answered_by=row.answered_by,
                reply=row.reply,
            )
        )
        locked = locked or row.decision == "lock"


def _combine_histories(conn: Connection, source: DocumentKey, target: DocumentKey) -> None:
    """One document from two: every revision of both, oldest first, the newest current."""
    columns = (history_table.c.body, history_table.c.saved_at, history_table.c.revision)
    rows = [
        (row.saved_at, rank, row.revision, row.body)
        for rank, key in enumerate((target, source))
        for row in conn.execute(sa.select(*columns).where(*_key_filter(history_table, key)))
    ]
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    for key in (source, target):
        conn.execute(history_table.delete().where(*_key_filter(history_table, key)))
    conn.execute(documents_table.delete().where(*_key_filter(documents_table, source)))
    for revision, (saved_at, _rank, _old, body) in enumerate(rows, start=1):
        conn.execute(
            history_table.insert().values(
                **_key_values(target), revision=revision, body=body, saved_at=saved_at
            )
        )
    saved_at, _rank, _old, body = rows[-1]
    conn.execute(
        documents_table.update()
        .where(*_key_filter(documents_table, target))
        .values(revision=len(rows), body=body, saved_at=saved_at)
    )


def _adopt_resume_code(conn: Connection, code: str, keep: str, absorb: str) -> None:
    """`keep` takes `absorb`'s resume code when they have none (a rostered participant who
    joined on the day by name instead of with their invite code goes on signing in with
    the code they were given)."""
    table = participants_table
    # Who holds a code is read from `signed_in`, not from the hashes: a facilitator on a
    # hub merges without being able to read them (and there, nobody holds one).
    holds = dict(
        conn.execute(
            sa.select(table.c.id, table.c.signed_in).where(
                table.c.workshop == code, table.c.id.in_([keep, absorb])
            )
        ).all()
    )
    if holds[keep] or not holds[absorb]:
        return
    absorbed_hash = conn.execute(
        sa.select(table.c.resume_code_hash).where(table.c.workshop == code, table.c.id == absorb)
    ).scalar_one()
    for participant, code_hash in ((absorb, None), (keep, absorbed_hash)):
        conn.execute(
            table.update()
            .where(table.c.workshop == code, table.c.id == participant)
            .values(resume_code_hash=code_hash, signed_in=code_hash is not None)
        )


def _adopt_email(conn: Connection, code: str, keep: str, absorb: str) -> None:
    """`keep` takes `absorb`'s email when they have none, so the roster keeps a way to
    reach them."""
    rows = {
        row.id: row
        for row in conn.execute(
            sa.select(
                participants_table.c.id, participants_table.c.email, participants_table.c.body
            )
            .where(participants_table.c.workshop == code)
            .where(participants_table.c.id.in_([keep, absorb]))
        )
    }
    if rows[keep].email or not rows[absorb].email:
        return
    email = rows[absorb].email
    conn.execute(
        participants_table.update()
        .where(participants_table.c.workshop == code, participants_table.c.id == absorb)
        .values(email=None)
    )
    conn.execute(
        participants_table.update()
        .where(participants_table.c.workshop == code, participants_table.c.id == keep)
        .values(email=email, body={**rows[keep].body, "email": email})
    )


# ---------------------------------------------------------------------------------------
# SQLite connection set-up (SQLAlchemy's documented pysqlite recipe)


class _WriterQueue:
    """Has the writers of every process using one SQLite file wait their turn in the kernel.

    SQLite's own wait for its write lock (busy_timeout) polls with growing sleeps, up to
    100 ms apart, and a newcomer can take the lock between two tries of a writer that has
    waited long: at a workshop's peak a few saves waited seconds, and some gave up after
    busy_timeout. Waiting instead for an exclusive flock() on a file beside the database
    puts writers to sleep in the kernel, which wakes them the moment the lock is released,
    and releases the lock of a process that dies (a killed kernel never holds others up).
    Where flock() or the file is unavailable (Windows, a read-only folder), SQLite's own
    locking alone serialises the writers, as before.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        # flock() belongs to the open file, which this process's threads share: they
        # take turns here first.
        self._in_process = threading.Lock()

    @classmethod
    def beside(cls, url: URL) -> _WriterQueue | None:
        """The queue for a SQLite file (`<file>-lock`); None for other databases."""
        if fcntl is None or url.get_backend_name() != "sqlite" or _is_sqlite_memory(url):
            return None
        return cls(Path(f"{url.database}-lock"))

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the queue's lock for one write transaction."""
        with self._in_process:
            fd = self._open()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return None  # tried again at the next write
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Per connection: SQLAlchemy emits BEGIN itself; wait for locks; enforce FKs; WAL."""
    dbapi_connection.isolation_level = None  # the driver must not emit its own BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        _enable_wal(cursor)
        # In WAL mode NORMAL syncs at checkpoints instead of at every commit: a commit
        # survives a killed kernel or server (the operating system holds it); only a power
        # cut or OS crash may undo the last saves, and the file stays consistent.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()
    connection_record.info[_OPENED_READ_ONLY] = _file_read_only(dbapi_connection)


def _file_read_only(dbapi_connection: Any) -> bool:
    """Whether this process may not write the connection's database file right now."""
    path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
    return bool(path) and not os.access(path, os.W_OK)


def _sqlite_on_checkout(dbapi_connection: Any, connection_record: Any, proxy: Any) -> None:
    """Replace a connection opened while its file was read-only, once the file is writable.

    SQLite opens a file it may not write read-only, and that connection stays read-only
    for good: a kernel would go on failing to save ("attempt to write a readonly database")
    after the file became writable again. DisconnectionError makes the pool close it and
    open a fresh one.
    """
    if connection_record.info.get(_OPENED_READ_ONLY) and not _file_read_only(dbapi_connection):
        raise sa.exc.DisconnectionError("the database file can be written again")


def _enable_wal(cursor: Any) -> None:
    """Switch the file to write-ahead logging, so readers never block the writer.

    The setting is kept in the file. Switching needs a moment of exclusive access, and
    SQLite reports "database is locked" at once (without waiting out busy_timeout) when
    several connections switch a fresh file together; so wait and retry here.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _sqlite_on_begin(conn: Connection) -> None:
    """Writers take the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes must upgrade its lock, and two of
    them doing that at once deadlock ("database is locked" at once, busy_timeout or not).
    Taking the lock at BEGIN makes the second writer wait its turn instead.
    """
    immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# ---------------------------------------------------------------------------------------
# Helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _record_version(conn: Connection, version: int) -> None:
    conn.execute(schema_table.insert().values(version=version, applied_at=_now()))


def _code(code: str) -> str:
    """A join code as stored: people type them in any case, with stray spaces."""
    return code.strip().upper()


def _label(kind: str) -> str:
    return _KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_TYPES:
        raise StoreError(
            f"Unknown worksheet kind '{kind}'; known kinds: {', '.join(sorted(DOCUMENT_TYPES))}"
        )


def _checked_key(key: DocumentKey) -> DocumentKey:
    """`key` with its join code normalised, or `StoreError` if it cannot name a document."""
    _check_kind(key.kind)
    if not key.name or len(key.name) > 100 or key.name != key.name.strip():
        raise StoreError(
            f"'{key.name}' is not a usable document name (1 to 100 characters, "
            "no spaces at either end)"
        )
    code = _code(key.workshop)
    return key if code == key.workshop else DocumentKey(code, key.participant, key.kind, key.name)


def _key_values(key: DocumentKey) -> dict[str, str]:
    return {
        "workshop": key.workshop,
        "participant": key.participant,
        "kind": key.kind,
        "name": key.name,
    }


def _key_filter(table: sa.Table, key: DocumentKey) -> list[sa.ColumnElement[bool]]:
    return [table.c[column] == value for column, value in _key_values(key).items()]


def _saved(key: DocumentKey, row: Any) -> Saved:
    return Saved(
        key=key,
        document=upgrade_document(key.kind, row.body),
        revision=row.revision,
        saved_at=row.saved_at,
    )


def _document_body(key: DocumentKey, document: Document) -> tuple[dict[str, Any], Document]:
    """The JSON body to store for `document` under `key`, and the document `load` will
    return for it; `StoreError` if the key names another kind of document."""
    if type(document).kind != key.kind:
        raise StoreError(
            f"Cannot save a {_label(type(document).kind)} as a {_label(key.kind)}: "
            f"the key says '{key.kind}', the document is '{type(document).kind}'."
        )
    body = document.model_dump(mode="json")
    return body, upgrade_document(key.kind, body)  # what `load` will return; refuses junk


def _write_revision(
    conn: Connection, key: DocumentKey, body: dict[str, Any], expected: int, now: datetime
) -> int:
    """Store `body` as revision `expected + 1` of a document and in its history, if its
    latest revision is `expected` (0: a new document), else `ConflictError`."""
    revision = expected + 1
    if expected == 0:
        # A unique-key violation here means someone else created it first.
        conn.execute(
            documents_table.insert().values(
                **_key_values(key), revision=revision, body=body, saved_at=now
            )
        )
    else:
        result = conn.execute(
            documents_table.update()
            .where(*_key_filter(documents_table, key), documents_table.c.revision == expected)
            .values(revision=revision, body=body, saved_at=now)
        )
        if result.rowcount != 1:
            raise _conflict(key, expected, _current_revision(conn, key))
    conn.execute(
        history_table.insert().values(
            **_key_values(key), revision=revision, body=body, saved_at=now
        )
    )
    return revision


def _erase_document(conn: Connection, key: DocumentKey) -> int:
    """Delete a document and its whole history; 1 if it existed, else 0."""
    conn.execute(history_table.delete().where(*_key_filter(history_table, key)))
    result = conn.execute(documents_table.delete().where(*_key_filter(documents_table, key)))
    return 1 if result.rowcount else 0


def _current_revision(conn: Connection, key: DocumentKey) -> int:
    found = conn.execute(
        sa.select(documents_table.c.revision).where(*_key_filter(documents_table, key))
    ).scalar()
    return int(found or 0)


def _conflict(key: DocumentKey, expected: int, actual: int) -> ConflictError:
    """The plain-words refusal of a save based on a revision that is not the latest."""
    what = _label(key.kind)
    if key.name != DEFAULT_DOCUMENT_NAME:
        what += f" ({key.name})"
    advice = "Reload it, or copy your text and try again."
    if actual == 0:
        message = (
            f"Your {what} is no longer stored (it was deleted elsewhere; you edited "
            f"revision {expected}). Reload the page, or copy your text and try again."
        )
    elif expected == 0:
        message = (
            f"Your {what} was already started elsewhere (now revision {actual}; you started "
            f"a new one). {advice}"
        )
    else:
        message = (
            f"Your {what} was changed elsewhere (now revision {actual}; you edited "
            f"revision {expected}). {advice}"
        )
    return ConflictError(message, expected=expected, actual=actual)


def _no_workshop(code: str) -> NotFound:
    return NotFound(f"No workshop with join code {code}")


#: The kinds of agreement entries, as stored.
AGREEMENT_ENTRY_KINDS: dict[str, type[AgreementEntry]] = {
    "confirmation": Confirmation,
    "suggestion": AgreementSuggestion,
    "answer": SuggestionAnswer,
}


def _restorable_entries(
    code: str, roster_ids: set[str], recorded: Sequence[RecordedEntry]
) -> list[dict[str, Any]]:
    """The rows `restore_workshop` writes for the agreements' records, each about a
    participant on the roster."""
    rows = []
    for item in recorded:
        if item.participant not in roster_ids:
            raise StoreError(
                f"An agreement entry belongs to participant {item.participant}, who is not on "
                "the workshop's roster; nothing was restored."
            )
        kind, side = entry_kind(item.entry)
        rows.append(
            {
                "workshop": code,
                "participant": item.participant,
                "side": side,
                "kind": kind,
                "at": item.entry.at,
                "body": item.entry.model_dump(mode="json"),
            }
        )
    return rows


def _restorable_notes(
    code: str, roster_ids: set[str], mentor_emails: set[str], notes: Sequence[StoredNote]
) -> list[dict[str, Any]]:
    """The rows `restore_workshop` writes for mentors' notes, each by a mentor about a
    participant of the workshop (ids are given anew)."""
    rows = []
    for stored in notes:
        if stored.participant not in roster_ids or stored.mentor_email not in mentor_emails:
            raise StoreError(
                f"A mentor's note names participant {stored.participant} or mentor "
                f"{stored.mentor_email}, who is not on the workshop's roster; nothing was "
                "restored."
            )
        rows.append(
            {
                "workshop": code,
                "participant": stored.participant,
                "mentor": stored.mentor_email,
                "at": stored.note.at,
                "body": stored.note.model_dump(mode="json"),
            }
        )
    return rows


def _restorable_mentor_surveys(
    code: str, mentor_emails: set[str], surveys: Sequence[StoredMentorSurvey]
) -> list[dict[str, Any]]:
    """The rows `restore_workshop` writes for mentors' survey answers, each checked as
    `save_mentor_survey` checks them: a mentor on the roster, a known survey, answers that
    validate (a draft included), one set of answers a mentor and survey."""
    rows: list[dict[str, Any]] = []
    answered: set[tuple[str, str]] = set()
    for stored in surveys:
        about = f"The answers of mentor {stored.mentor_email} to the '{stored.kind}' survey"
        body: dict[str, Any] = {}
        if stored.mentor_email not in mentor_emails:
            problem = f"mentor {stored.mentor_email} is not on the workshop's roster"
        elif stored.kind not in set(SurveyKind):
            problem = f"the survey is one of {', '.join(SurveyKind)}, not '{stored.kind}'"
        elif not isinstance(stored.saved_at, datetime) or stored.saved_at.tzinfo is None:
            problem = "the time they were saved has no time zone"
        elif (stored.mentor_email, str(stored.kind)) in answered:
            problem = "the mentor answers this survey twice"
        else:
            try:
                answers = validate(SurveyAnswers, stored.answers.model_dump(mode="json"))
            except InvalidInput as exc:
                problem = f"they are not valid: {exc}"
            else:
                problem = ""
                body = answers.model_dump(mode="json")
        if problem:
            raise StoreError(f"{about}: {problem}. Nothing was restored.")
        answered.add((stored.mentor_email, str(stored.kind)))
        rows.append(
            {
                "workshop": code,
                "mentor": stored.mentor_email,
                "survey": str(stored.kind),
                "body": body,
                "saved_at": stored.saved_at,
            }
        )
    return rows


def entry_kind(entry: AgreementEntry) -> tuple[str, str]:
    """How `entry` is stored (and backed up): its kind, and the side that writes it."""
    if isinstance(entry, Confirmation):
        return "confirmation", entry.side.value
    if isinstance(entry, AgreementSuggestion):
        return "suggestion", Side.MENTOR.value
    return "answer", Side.MENTEE.value


def _agreement_entry(kind: str, body: Any) -> AgreementEntry:
    model = AGREEMENT_ENTRY_KINDS.get(kind)
    if model is None:
        raise StoreError(f"An agreement entry of an unknown kind '{kind}' is stored.")
    return validate(model, body)


def _require_pair(conn: Connection, code: str, email: str, participant_id: str) -> None:
    """`NotFound` unless the participant is paired with this mentor (an accepted request or
    the facilitator's lock)."""
    _require_mentor(conn, code, email)
    decisions = match_decisions_table
    paired = conn.execute(
        sa.select(decisions.c.participant).where(
            decisions.c.workshop == code,
            decisions.c.participant == participant_id,
            decisions.c.mentor == email,
            decisions.c.decision == "lock",
        )
    ).first()
    if paired is None:
        raise NotFound(f"{participant_id} is not a mentee of {email} in workshop {code}")


#: Whether each engine's connections are a hub mentor's, once known: an engine always
#: logs in as the same role, and the hub grants a role its groups before its server starts.
_HUB_MENTOR_ENGINES: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _reads_as_hub_mentor(conn: Connection) -> bool:
    """Whether this connection is a hub mentor's server role (`mentorkit.pg_access`): it
    reads no participant's documents, only what the database's functions give a mentor.
    Asked once per engine, on a database prepared for a hub (one prepared later is asked
    again: it may be prepared while a store is open)."""
    if conn.dialect.name != "postgresql":
        return False
    known = _HUB_MENTOR_ENGINES.get(conn.engine)
    if known is not None:
        return known
    prepared = conn.execute(
        sa.text(
            "SELECT to_regprocedure('mentorkit_hub_mentor()') IS NOT NULL "
            "AND to_regclass('mentorkit_db_roles') IS NOT NULL"
        )
    ).scalar()
    if not prepared:
        return False
    mentor = conn.execute(sa.text("SELECT mentorkit_hub_mentor()")).scalar() is not None
    _HUB_MENTOR_ENGINES[conn.engine] = mentor
    return mentor


def _requests_sent_to(
    conn: Connection, code: str, email: str
) -> tuple[dict[str, SentRequest], dict[str, SelfAssessment]]:
    """The requests sent to this mentor, by participant, and the senders' self-assessments
    as a mentor may see them: without ratings or draft."""
    sent: dict[str, SentRequest] = {}
    bodies: dict[str, Any] = {}
    docs = documents_table
    if _reads_as_hub_mentor(conn):  # the database picks them out (mentorkit_requests_to)
        for row in conn.execute(
            sa.text(
                "SELECT participant, request, assessment FROM mentorkit_requests_to(:code, :email)"
            ),
            {"code": code, "email": email},
        ):
            sent[row.participant] = validate(SentRequest, row.request)
            if row.assessment is not None:
                bodies[row.participant] = row.assessment
    else:
        for row in conn.execute(
            sa.select(docs.c.participant, docs.c.body).where(
                docs.c.workshop == code,
                docs.c.kind == MentorShortlist.kind,
                docs.c.name == DEFAULT_DOCUMENT_NAME,
            )
        ):
            shortlist = upgrade_document(MentorShortlist.kind, row.body)
            assert isinstance(shortlist, MentorShortlist)
            for request in shortlist.requests:
                if request.mentor_email == email:
                    sent[row.participant] = request
        if sent:
            bodies = {
                row.participant: row.body
                for row in conn.execute(
                    sa.select(docs.c.participant, docs.c.body).where(
                        docs.c.workshop == code,
                        docs.c.kind == SelfAssessment.kind,
                        docs.c.name == DEFAULT_DOCUMENT_NAME,
                        docs.c.participant.in_(sent),
                    )
                )
            }
    assessments: dict[str, SelfAssessment] = {}
    for participant_id, body in bodies.items():
        assessment = upgrade_document(SelfAssessment.kind, body)
        assert isinstance(assessment, SelfAssessment)
        assessments[participant_id] = assessment.model_copy(update={"ratings": {}, "draft": {}})
    return sent, assessments


def _mentee_documents(
    conn: Connection,
    code: str,
    email: str,
    participant_id: str,
    kinds: Sequence[type[Document]],
) -> dict[tuple[str, str], Document]:
    """The mentee's documents of these kinds that may reach their mentor, by (kind, name):
    on a hub the database gives only the shared ones (mentorkit_mentee_documents); the
    caller keeps only what is shared in any case (`shared_with_mentor`)."""
    wanted = {kind.kind for kind in kinds}
    docs = documents_table
    if _reads_as_hub_mentor(conn):
        rows = conn.execute(
            sa.text("SELECT kind, name, body FROM mentorkit_mentee_documents(:code, :email, :pid)"),
            {"code": code, "email": email, "pid": participant_id},
        ).all()
    else:
        rows = conn.execute(
            sa.select(docs.c.kind, docs.c.name, docs.c.body).where(
                docs.c.workshop == code,
                docs.c.participant == participant_id,
                docs.c.kind.in_(wanted),
            )
        ).all()
    return {
        (row.kind, row.name): upgrade_document(row.kind, row.body)
        for row in rows
        if row.kind in wanted
    }


def _upsert(
    conn: Connection, table: sa.Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Insert the row `key` names with `values`, or update it if it is there: one statement,
    so two writers at once cannot both insert (both dialects say ON CONFLICT)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(table)
        .values({**key, **values})
        .on_conflict_do_update(index_elements=list(key), set_=dict(values))
    )


def _require_mentor(conn: Connection, code: str, email: str) -> None:
    found = conn.execute(
        sa.select(mentors_table.c.email).where(
            mentors_table.c.workshop == code, mentors_table.c.email == email
        )
    ).first()
    if found is None:
        raise _no_mentor(code, email)


def _may_read_hashes(conn: Connection, table: str) -> bool:
    """Whether this connection may read the code hashes of `table`: on a database prepared
    by `mentorkit.pg_access`, a hub's server roles may not (column privileges)."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(
        conn.execute(
            sa.text(
                "SELECT has_column_privilege(:table, 'invite_code_hash', 'SELECT') "
                "AND has_column_privilege(:table, 'resume_code_hash', 'SELECT')"
            ),
            {"table": table},
        ).scalar()
    )


def _no_mentor(code: str, email: str) -> NotFound:
    return NotFound(f"No mentor {email} on the roster of workshop {code}")


def _no_participant(code: str, participant_id: str) -> NotFound:
    return NotFound(f"No participant {participant_id} on the roster of workshop {code}")


def _workshop_exists(conn: Connection, code: str) -> bool:
    return (
        conn.execute(
            sa.select(workshops_table.c.code).where(workshops_table.c.code == code)
        ).first()
        is not None
    )


def _require_workshop(conn: Connection, code: str) -> None:
    if not _workshop_exists(conn, code):
        raise _no_workshop(code)


def _require_participant(conn: Connection, code: str, participant_id: str) -> None:
    found = conn.execute(
        sa.select(participants_table.c.id).where(
            participants_table.c.workshop == code, participants_table.c.id == participant_id
        )
    ).first()
    if found is None:
        _require_workshop(conn, code)
        raise _no_participant(code, participant_id)


def _refuse_repeated_emails(role: str, emails: Sequence[str]) -> None:
    seen: set[str] = set()
    for email in emails:
        if email in seen:
            raise StoreError(
                f"The roster lists the {role} {email} twice; keep one row per person "
                "and import again. Nothing was changed."
            )
        seen.add(email)


def _document_order(key: DocumentKey) -> tuple[str, str, str]:
    """Documents in code-point order of participant, kind and name, on every database."""
    return (key.participant, key.kind, key.name)


def _stored_revision(code: str, row: Any) -> StoredRevision:
    return StoredRevision(
        key=DocumentKey(code, row.participant, row.kind, row.name),
        revision=row.revision,
        body=row.body,
        saved_at=row.saved_at,
    )


def _mentor_surveys(conn: Connection, code: str) -> tuple[StoredMentorSurvey, ...]:
    """Every mentor's answers to the workshop's surveys, by mentor email and survey (sorted
    in Python: the same order from SQLite and PostgreSQL, whatever their collations)."""
    table = mentor_surveys_table
    rows = conn.execute(
        sa.select(table.c.mentor, table.c.survey, table.c.body, table.c.saved_at).where(
            table.c.workshop == code
        )
    )
    found = (
        StoredMentorSurvey(
            row.mentor, SurveyKind(row.survey), validate(SurveyAnswers, row.body), row.saved_at
        )
        for row in rows
    )
    return tuple(sorted(found, key=lambda survey: (survey.mentor_email, survey.kind.value)))


def _stream_history(
    conn: Connection, code: str, participant: str | None
) -> Iterator[StoredRevision]:
    """Every history row of the workshop (or participant) in `_document_order`, then by
    revision, fetched in batches while iterated."""
    table = history_table
    order: list[sa.ColumnElement[Any]] = [table.c.participant, table.c.kind, table.c.name]
    if conn.dialect.name == "postgresql":
        # Byte order of UTF-8, which is code-point order: what SQLite and Python use. The
        # database's own collation may ignore case and punctuation.
        order = [column.collate("C") for column in order]
    query = (
        sa.select(
            table.c.participant,
            table.c.kind,
            table.c.name,
            table.c.revision,
            table.c.body,
            table.c.saved_at,
        )
        .where(table.c.workshop == code)
        .order_by(*order, table.c.revision)
        .execution_options(yield_per=HISTORY_BATCH_ROWS)
    )
    if participant is not None:
        query = query.where(table.c.participant == participant)
    for row in conn.execute(query):
        yield _stored_revision(code, row)


def _described(key: DocumentKey) -> str:
    """A document named in words: 'the SMART goal (goal-2) of participant 3f2a…'."""
    what = _label(key.kind)
    if key.name != DEFAULT_DOCUMENT_NAME:
        what += f" ({key.name})"
    return f"the {what} of participant {key.participant}"


def _restorable(code: str, roster_ids: set[str], stored: StoredRevision) -> dict[str, Any]:
    """The row `restore_workshop` writes for one revision, checked as `save` checks one."""
    key = _checked_key(stored.key)
    if key.workshop != code:
        raise StoreError(
            f"{_described(key).capitalize()} belongs to workshop {key.workshop}, not to "
            f"{code}; nothing was restored."
        )
    if key.participant not in roster_ids:
        raise StoreError(
            f"{_described(key).capitalize()} belongs to nobody on the workshop's roster; "
            "nothing was restored."
        )
    if isinstance(stored.revision, bool) or not isinstance(stored.revision, int):
        raise TypeError("revisions are whole numbers")
    if stored.revision < 1:
        raise StoreError(
            f"{_described(key).capitalize()} has revision {stored.revision}; revisions start "
            "at 1. Nothing was restored."
        )
    try:
        upgrade_document(key.kind, stored.body)  # what `load` will have to read
    except InvalidInput as exc:
        raise StoreError(
            f"Revision {stored.revision} of {_described(key)} cannot be read: {exc}. "
            "Nothing was restored."
        ) from None
    return {
        **_key_values(key),
        "revision": stored.revision,
        "body": stored.body,
        "saved_at": stored.saved_at,
    }


def _decision_columns() -> tuple[sa.Column[Any], ...]:
    table = match_decisions_table
    return (
        table.c.participant,
        table.c.mentor,
        table.c.decision,
        table.c.decided_at,
        table.c.answered_by,
        table.c.reply,
    )


def _decision(row: Any) -> MatchDecision:
    answered_by = None if row.answered_by is None else Answerer(row.answered_by)
    return MatchDecision(
        row.participant, row.mentor, row.decision, row.decided_at, answered_by, row.reply or ""
    )


def answer_of(decided: MatchDecision) -> Answer:
    """A decision read as the answer to a request: locked is accepted, forbidden declined."""
    return Answer(
        state=RequestState.ACCEPTED if decided.decision == "lock" else RequestState.DECLINED,
        at=decided.decided_at,
        by=decided.answered_by or Answerer.FACILITATOR,
        reply=decided.reply,
    )


def _restorable_decisions(
    code: str, roster_ids: set[str], mentor_emails: set[str], decisions: Sequence[MatchDecision]
) -> list[dict[str, Any]]:
    """The rows `restore_workshop` writes for the matching decisions, each checked as
    `decide_match` checks one: people on the roster, a known decision, one lock a mentee."""
    rows: list[dict[str, Any]] = []
    pairs: set[tuple[str, str]] = set()
    locked: dict[str, str] = {}
    for decided in decisions:
        about = f"The matching decision about participant {decided.participant} and mentor "
        about += f"{decided.mentor}"
        if decided.participant not in roster_ids:
            problem = f"participant {decided.participant} is not on the workshop's roster"
        elif decided.mentor not in mentor_emails:
            problem = f"mentor {decided.mentor} is not on the workshop's roster"
        elif decided.decision not in DECISIONS:
            problem = f"a pair is locked or forbidden, not '{decided.decision}'"
        elif not isinstance(decided.decided_at, datetime) or decided.decided_at.tzinfo is None:
            problem = "the time of the decision has no time zone"
        elif decided.answered_by is not None and decided.answered_by not in set(Answerer):
            problem = (
                f"a request is answered by a mentor or the facilitator, not '{decided.answered_by}'"
            )
        elif (decided.participant, decided.mentor) in pairs:
            problem = "the pair is decided twice"
        elif decided.decision == "lock" and decided.participant in locked:
            problem = (
                f"the participant is locked to mentor {locked[decided.participant]} already "
                "(a mentee is locked to one mentor at most)"
            )
        else:
            problem = ""
        if problem:
            raise StoreError(f"{about}: {problem}. Nothing was restored.")
        pairs.add((decided.participant, decided.mentor))
        if decided.decision == "lock":
            locked[decided.participant] = decided.mentor
        rows.append(
            {
                "workshop": code,
                "participant": decided.participant,
                "mentor": decided.mentor,
                "decision": decided.decision,
                "decided_at": decided.decided_at,
                "answered_by": None if decided.answered_by is None else str(decided.answered_by),
                "reply": decided.reply,
            }
        )
    return rows


def _refuse_people_of_other_workshops(
    conn: Connection, records: Sequence[ParticipantRecord]
) -> None:
    """Participant ids and resume and invite code hashes are unique across the database:
    say which one another workshop here already uses, rather than let a constraint refuse
    it."""
    ids = [record.participant.id for record in records]
    hashes = [record.resume_code_hash for record in records if record.resume_code_hash]
    invites = [record.invite_code_hash for record in records if record.invite_code_hash]
    for column, values, used in (
        (participants_table.c.id, ids, "has a participant with the same id ({id})"),
        (
            participants_table.c.resume_code_hash,
            hashes,
            "has a participant ({id}) with the same resume code as one in the backup",
        ),
        (
            participants_table.c.invite_code_hash,
            invites,
            "has a participant ({id}) with the same invite code as one in the backup",
        ),
    ):
        for start in range(0, len(values), HISTORY_BATCH_ROWS):
            chunk = values[start : start + HISTORY_BATCH_ROWS]
            taken = conn.execute(
                sa.select(participants_table.c.workshop, participants_table.c.id).where(
                    column.in_(chunk)
                )
            ).first()
            if taken is not None:
                raise StoreError(
                    f"Workshop {taken.workshop} in this database already "
                    f"{used.format(id=taken.id)}; nothing was restored. Restore into another "
                    "database."
                )
