"""Who may read and write what, enforced by PostgreSQL itself, for a shared JupyterHub.

On a hub every participant's server runs code for that participant: a Voilà kernel, and
in JupyterLab any Python they type. Whatever a kernel can reach with the database
credentials in its environment, the participant can reach. So the apps' own checks are
the first lock, and the database is the second:

* every hub user gets a login role of their own (`<prefix>u_<hash of the hub name>`),
  created by the hub when it starts that user's server, with a new random password at
  each start; the server's `MENTORKIT_DB` holds only that role's credentials;
* a participant's role is a member of `<prefix>participant`, a facilitator's (a hub user
  in MENTORKIT_HUB_FACILITATORS) of `<prefix>facilitator`. The grants go to these two
  group roles, never to a single user;
* which participant a role is comes from `mentorkit_db_roles` (role name → hub user),
  written only by the hub's administrative connection and read only through the
  SECURITY DEFINER function `mentorkit_hub_user()`; a participant row belongs to a role
  when its `hub_user` column (assigned by the facilitator on import) is that hub user;
* row-level security on participants, documents, document_history and match_decisions
  lets a participant's role see and change only the rows of its own participant entry;
  column privileges keep the key hashes (workshops.facilitator_key_hash, the resume and
  invite code hashes of participants and of mentors) away from every server role,
  facilitators included. A facilitator's sign-in is checked by
  `mentorkit_facilitator_key_matches(code, key_hash)`, which answers yes or no and never
  returns the hash;
* the tables stay owned by the administrative role, which the servers never get. Row-level
  security is enabled but not forced: forcing it would only bind the owner, who can
  switch it off again, so it would protect nothing and stop the CLI's backups and exports.

Everything here is idempotent: `prepare_database` can run at every hub start, and
`grant_hub_user` at every server start. `prefix` keeps the role and policy names of one
deployment apart from another's in the same PostgreSQL cluster (roles are cluster-wide).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from mentorkit.errors import MentorkitError

#: Role and policy names start with this unless a deployment chooses its own.
DEFAULT_PREFIX = "mentorkit_"
#: The table that says which hub user a login role stands for.
ROLES_TABLE = "mentorkit_db_roles"
#: The constraint that says which kinds of hub user a role may stand for.
KIND_CHECK = f"{ROLES_TABLE}_kind_check"
#: Connections one hub user's role may hold at once (a server and a few kernels).
CONNECTION_LIMIT = 40
#: SCRAM-SHA-256 iterations of a stored password verifier (PostgreSQL's default).
SCRAM_ITERATIONS = 4096
#: Advisory lock key that serialises two hubs (or a hub and the CLI) preparing at once.
_LOCK_KEY = 0x6D6B61636365  # "mkacce"

Kind = Literal["participant", "mentor", "facilitator"]

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,30}")

#: Tables whose rows name the participant they belong to (workshop, participant).
_OWNED_TABLES = (
    "documents",
    "document_history",
    "match_decisions",
    "agreement_entries",
    "mentor_notes",
)
#: Tables whose rows name the mentor they belong to (workshop, mentor), beside those a
#: mentor writes about a participant.
_MENTOR_TABLES = ("mentor_surveys",)
#: Columns of `participants` and `workshops` a server role may read (no hashes).
_PARTICIPANT_COLUMNS = ("workshop", "id", "email", "body", "hub_user", "signed_in", "invited")
_WORKSHOP_COLUMNS = ("code", "name", "body", "created_at")
#: Columns of `mentors` a server role may read (no code hashes).
_MENTOR_COLUMNS = (
    "workshop",
    "email",
    "body",
    "invited",
    "signed_in",
    "profile_saved_at",
    "hub_user",
)
#: The policies of one deployment are named `<prefix><suffix>`.
_POLICY_SUFFIXES = (
    "participant_self",
    "participant_own",
    "participant_adds",
    "everyone_reads",
    "mentor_self",
    "mentor_sees",
    "mentor_own",
    "mentor_adds",
    "mentor_edits",
    "mentor_takes_back",
    "facilitator_all",
)


class AccessError(MentorkitError):
    """The database cannot be prepared for per-participant access; the message says why."""


@dataclass(frozen=True)
class Groups:
    """The group roles of one deployment."""

    participant: str
    mentor: str
    facilitator: str

    def of(self, kind: Kind) -> tuple[str, ...]:
        """The groups a hub user of `kind` belongs to: a mentor's role is a participant's
        too (someone may be both; the participant rows it reaches are only those whose hub
        user is theirs, so a mentor who is no participant reaches none)."""
        if kind == "mentor":
            return (self.mentor, self.participant)
        return (self.participant,) if kind == "participant" else (self.facilitator,)

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.participant, self.mentor, self.facilitator)


def checked_prefix(prefix: str) -> str:
    """`prefix` if it can start a role name (lowercase letters, digits, underscores)."""
    if not _PREFIX.fullmatch(prefix):
        raise AccessError(
            f"The role prefix {prefix!r} is not usable: start with a lowercase letter and use "
            "only lowercase letters, digits and underscores (at most 31 characters)."
        )
    return prefix


def groups(prefix: str = DEFAULT_PREFIX) -> Groups:
    """The group roles of the deployment with this prefix."""
    prefix = checked_prefix(prefix)
    return Groups(f"{prefix}participant", f"{prefix}mentor", f"{prefix}facilitator")


def role_name(hub_user: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The login role of `hub_user`: derived from the name, so the same user always gets
    the same role, and short and plain whatever characters the hub allows in names."""
    digest = hashlib.sha256(hub_user.encode()).hexdigest()[:24]
    return f"{checked_prefix(prefix)}u_{digest}"


def scram_verifier(password: str, *, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, 7677).

    Sent instead of the password, so the password itself never reaches the server, its
    statement log or its replication stream.
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


@contextmanager
def _admin(admin_url: str) -> Iterator[Connection]:
    """One transaction on the administrative connection, which must be PostgreSQL."""
    url = _postgres_url(admin_url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
            yield conn
    except sa.exc.DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise AccessError(
            f"The database {url.render_as_string(hide_password=True)} refused to set up "
            f"per-participant access: {reason}"
        ) from exc
    finally:
        engine.dispose()


def _postgres_url(url: str) -> URL:
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise AccessError(f"{url!r} is not a database URL.") from None
    if parsed.get_backend_name() != "postgresql":
        raise AccessError(
            "Per-participant access needs PostgreSQL (roles and row-level security); "
            f"{parsed.render_as_string(hide_password=True)} is not a PostgreSQL URL."
        )
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _ensure_group(conn: Connection, name: str) -> None:
    exists = conn.execute(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    if exists is None:
        conn.execute(sa.text(f"CREATE ROLE {_quote(conn, name)} NOLOGIN"))


def prepare_database(admin_url: str, prefix: str = DEFAULT_PREFIX) -> Groups:
    """Create or upgrade the mentorkit tables, then the group roles, the grants and the
    row-level security policies, all idempotently; returns the group roles."""
    from mentorkit.store import open_store  # the tables first, as the apps create them

    _postgres_url(admin_url)
    open_store(admin_url).close()
    names = groups(prefix)
    with _admin(admin_url) as conn:

        def q(name: str) -> str:
            return _quote(conn, name)

        schema = q(conn.execute(sa.text("SELECT current_schema()")).scalar_one())
        participant, mentor, facilitator = (q(name) for name in names.all)
        everyone = f"{participant}, {mentor}, {facilitator}"
        members = f"{participant}, {mentor}"
        for name in names.all:
            _ensure_group(conn, name)
        statements = [
            f"""CREATE TABLE IF NOT EXISTS {schema}.{ROLES_TABLE} (
                role_name text PRIMARY KEY,
                hub_user text NOT NULL,
                kind text NOT NULL,
                granted_at timestamptz NOT NULL DEFAULT now())""",
            # The kinds a role may be (a database prepared before mentors knew two).
            f"ALTER TABLE {schema}.{ROLES_TABLE} DROP CONSTRAINT IF EXISTS {KIND_CHECK}",
            f"ALTER TABLE {schema}.{ROLES_TABLE} ADD CONSTRAINT {KIND_CHECK} "
            "CHECK (kind IN ('participant', 'mentor', 'facilitator'))",
            f"REVOKE ALL ON {schema}.{ROLES_TABLE} FROM PUBLIC",
            *_functions(schema),
        ]
        for function, granted in _function_grants(participant, mentor, facilitator).items():
            statements += [
                f"REVOKE ALL ON FUNCTION {schema}.{function} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {schema}.{function} TO {granted}",
            ]
        tables = (
            "mentorkit_schema",
            "workshops",
            "mentors",
            "participants",
            *_OWNED_TABLES,
            *_MENTOR_TABLES,
        )
        for table in tables:
            statements.append(f"REVOKE ALL ON {schema}.{table} FROM PUBLIC, {everyone}")
        # Rows added with a serial id: the revisions of documents, the agreement's record.
        sequences = [
            conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, 'id')"),
                {"table": f"{schema}.{table}"},
            ).scalar()
            for table in ("document_history", "agreement_entries", "mentor_notes")
        ]
        workshop_columns = ", ".join(_WORKSHOP_COLUMNS)
        person_columns = ", ".join(_PARTICIPANT_COLUMNS)
        mentor_columns = ", ".join(_MENTOR_COLUMNS)
        statements += [
            f"GRANT SELECT ON {schema}.mentorkit_schema TO {everyone}",
            f"GRANT SELECT ({mentor_columns}) ON {schema}.mentors TO {everyone}",
            f"GRANT SELECT ({workshop_columns}) ON {schema}.workshops TO {everyone}",
            # The setup app edits a workshop's details; never its key hash or creation time.
            f"GRANT UPDATE (name, body) ON {schema}.workshops TO {facilitator}",
            f"GRANT SELECT ({person_columns}) ON {schema}.participants TO {everyone}",
            f"GRANT DELETE ON {schema}.participants TO {participant}, {facilitator}",
            f"GRANT UPDATE (email, body, hub_user, resume_code_hash, signed_in, invite_code_hash, "
            f"invited) ON {schema}.participants TO {facilitator}",
            # Importing rosters (the setup app): people are added or updated, never removed
            # by an import; a person's hub user is the facilitator's to assign.
            f"GRANT INSERT (workshop, email, body, hub_user), UPDATE (body, hub_user) ON "
            f"{schema}.mentors TO {facilitator}",
            # A mentor keeps their own profile (the policy: their own row only).
            f"GRANT UPDATE (body, profile_saved_at) ON {schema}.mentors TO {mentor}",
            # Mentors' invite and resume codes are the facilitator's to issue, never to read.
            f"GRANT UPDATE (invite_code_hash, invited, resume_code_hash, signed_in) ON "
            f"{schema}.mentors TO {facilitator}",
            f"GRANT INSERT (workshop, id, email, body, hub_user) ON {schema}.participants "
            f"TO {facilitator}",
            # Mentors read no document: what they may see of one comes through
            # mentorkit_requests_to and mentorkit_mentee_documents.
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.documents "
            f"TO {participant}, {facilitator}",
            f"GRANT SELECT, INSERT, DELETE ON {schema}.document_history "
            f"TO {participant}, {facilitator}",
            f"GRANT UPDATE ON {schema}.document_history TO {facilitator}",
            # Read only: the decisions about a participant (a mentor's answer among them)
            # go with their roster row through the foreign key, never one by one.
            f"GRANT SELECT ON {schema}.match_decisions TO {participant}",
            # A mentor answers the requests sent to them (the policies say which).
            f"GRANT SELECT, INSERT, DELETE ON {schema}.match_decisions TO {mentor}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.match_decisions TO {facilitator}",
            # The agreement's record: each side reads it and adds only its own entries (a
            # mentee never the mentor's confirmation or suggestion); nothing is rewritten.
            f"GRANT SELECT, INSERT ON {schema}.agreement_entries TO {members}",
            f"GRANT SELECT, INSERT, DELETE ON {schema}.agreement_entries TO {facilitator}",
            # A mentor's notes about a participant: the mentee's to read, the mentor's to
            # write.
            f"GRANT SELECT ON {schema}.mentor_notes TO {participant}",
            f"GRANT SELECT, INSERT, UPDATE ON {schema}.mentor_notes TO {mentor}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.mentor_notes TO {facilitator}",
            # A mentor's answers to the feedback surveys: their own, to read and change;
            # the facilitator's dashboard reads everyone's (and shows only the group's).
            f"GRANT SELECT, INSERT, UPDATE ON {schema}.mentor_surveys TO {mentor}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {schema}.mentor_surveys TO {facilitator}",
        ]
        for sequence in filter(None, sequences):
            statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {everyone}")
        for table, rules in _policies(schema, participant, mentor).items():
            statements.append(f"ALTER TABLE {schema}.{table} ENABLE ROW LEVEL SECURITY")
            rules.append(("facilitator_all", facilitator, "ALL", "true"))
            for suffix in _POLICY_SUFFIXES:
                policy = q(f"{prefix}{suffix}")
                statements.append(f"DROP POLICY IF EXISTS {policy} ON {schema}.{table}")
            for suffix, role, command, condition in rules:
                policy = q(f"{prefix}{suffix}")
                using = "" if command == "INSERT" else f" USING ({condition})"
                check = "" if command in {"SELECT", "DELETE"} else f" WITH CHECK ({condition})"
                statements.append(
                    f"CREATE POLICY {policy} ON {schema}.{table} FOR {command} TO {role}"
                    f"{using}{check}"
                )
        for statement in statements:
            conn.execute(sa.text(statement))
    return names


def _functions(schema: str) -> list[str]:
    """The SECURITY DEFINER functions of a deployment: each answers exactly one question
    with the owner's rights, so that a server role learns that and nothing more.

    session_user, not current_user: inside a SECURITY DEFINER function current_user is
    the owner, and SET ROLE cannot change session_user.
    """
    definer = "STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
    # The mentor rows (workshop, email) that are the session's hub mentor's.
    my_mentor_row = (
        f"EXISTS (SELECT 1 FROM {schema}.mentors m WHERE m.workshop = $1 AND m.email = {{email}} "
        f"AND m.hub_user = {schema}.mentorkit_hub_mentor())"
    )
    requests = (
        f"SELECT d.participant::text, r.value FROM {schema}.documents d "
        "CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.body -> 'requests', '[]')) r "
        "WHERE d.workshop = $1 AND d.kind = 'mentor_shortlist' AND d.name = 'main' "
        "AND jsonb_typeof(d.body -> 'requests') = 'array' AND r.value ->> 'mentor_email' = {email}"
    )
    return [
        # Which hub user this session is, for the rows of a participant (a participant's
        # or a mentor's role: someone may be both), and for those of a mentor.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_hub_user() RETURNS text
            LANGUAGE sql {definer}
            AS $$ SELECT hub_user FROM {schema}.{ROLES_TABLE}
                  WHERE role_name = session_user AND kind IN ('participant', 'mentor') $$""",
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_hub_mentor() RETURNS text
            LANGUAGE sql {definer}
            AS $$ SELECT hub_user FROM {schema}.{ROLES_TABLE}
                  WHERE role_name = session_user AND kind = 'mentor' $$""",
        f"""CREATE OR REPLACE FUNCTION
            {schema}.mentorkit_facilitator_key_matches(code text, key_hash text)
            RETURNS boolean LANGUAGE sql {definer}
            AS $$ SELECT EXISTS (SELECT 1 FROM {schema}.workshops w
                  WHERE w.code = $1 AND w.facilitator_key_hash = $2) $$""",
        # How many mentees each mentor is locked to: a participant picking a mentor
        # needs the places left, not whose decisions they are.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_places_taken(code text)
            RETURNS TABLE (mentor text, taken bigint) LANGUAGE sql {definer}
            AS $$ SELECT d.mentor::text, count(*) FROM {schema}.match_decisions d
                  WHERE d.workshop = $1 AND d.decision = 'lock'
                  GROUP BY d.mentor $$""",
        # Whether the participant is paired with the session's hub mentor.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_my_mentee(code text, participant text)
            RETURNS boolean LANGUAGE sql {definer}
            AS $$ SELECT EXISTS (SELECT 1 FROM {schema}.match_decisions d
                  WHERE d.workshop = $1 AND d.participant = $2 AND d.decision = 'lock'
                  AND {my_mentor_row.format(email="d.mentor")}) $$""",
        # Whether the participant sent the session's hub mentor a request (withdrawn or
        # not) or is paired with them: the participants a mentor may know by name.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_mentor_knows(code text,
            participant text) RETURNS boolean LANGUAGE sql {definer}
            AS $$ SELECT {schema}.mentorkit_my_mentee($1, $2) OR EXISTS (
                  SELECT 1 FROM {schema}.mentors m, LATERAL ({requests.format(email="m.email")}) s
                  WHERE m.workshop = $1 AND m.hub_user = {schema}.mentorkit_hub_mentor()
                  AND s.participant = $2) $$""",
        # Whether the session's hub mentor may answer the participant's request so: it is
        # theirs and waiting (not withdrawn), and to accept, the participant is paired with
        # nobody else and the mentor has a place left.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_may_answer(code text,
            participant text, email text, decision text) RETURNS boolean
            LANGUAGE sql {definer}
            AS $$ SELECT {my_mentor_row.format(email="$3")}
                  AND EXISTS (SELECT 1 FROM ({requests.format(email="$3")}) s
                      WHERE s.participant = $2 AND s.value ->> 'withdrawn_at' IS NULL)
                  AND ($4 = 'forbid' OR (
                      NOT EXISTS (SELECT 1 FROM {schema}.match_decisions d
                          WHERE d.workshop = $1 AND d.participant = $2
                          AND d.decision = 'lock' AND d.mentor <> $3)
                      AND (SELECT count(*) FROM {schema}.match_decisions d
                          WHERE d.workshop = $1 AND d.mentor = $3 AND d.decision = 'lock'
                          AND d.participant <> $2)
                          < (SELECT COALESCE((m.body ->> 'capacity')::int, 0)
                             FROM {schema}.mentors m WHERE m.workshop = $1 AND m.email = $3)))
            $$""",
        # The requests sent to the session's hub mentor `email`: each request as sent,
        # and the sender's self-assessment without their ratings or their draft.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_requests_to(code text, email text)
            RETURNS TABLE (participant text, request jsonb, assessment jsonb)
            LANGUAGE sql {definer}
            AS $$ SELECT s.participant, s.value, a.body - 'ratings' - 'draft'
                  FROM ({requests.format(email="$2")}) s
                  LEFT JOIN {schema}.documents a ON a.workshop = $1
                      AND a.participant = s.participant AND a.kind = 'self_assessment'
                      AND a.name = 'main'
                  WHERE {my_mentor_row.format(email="$2")} $$""",
        # What a mentee shares with the session's hub mentor `email`, without drafts (of
        # the agreement's, only which parts are unfinished): the agreement, their sharing
        # choice, and the goals and check-ins it names.
        f"""CREATE OR REPLACE FUNCTION {schema}.mentorkit_mentee_documents(code text,
            email text, participant text)
            RETURNS TABLE (kind text, name text, body jsonb) LANGUAGE sql {definer}
            AS $$ SELECT d.kind::text, d.name::text, CASE
                      WHEN d.kind = 'mentoring_agreement'
                          AND jsonb_typeof(d.body -> 'draft') = 'object'
                      THEN jsonb_set(d.body, '{{draft}}', COALESCE((
                          SELECT jsonb_object_agg(k, to_jsonb(''::text))
                          FROM jsonb_object_keys(d.body -> 'draft') k), '{{}}'::jsonb))
                      ELSE d.body - 'draft' END
                  FROM {schema}.documents d
                  WHERE d.workshop = $1 AND d.participant = $3
                  AND {my_mentor_row.format(email="$2")}
                  AND EXISTS (SELECT 1 FROM {schema}.match_decisions p WHERE p.workshop = $1
                      AND p.participant = $3 AND p.mentor = $2 AND p.decision = 'lock')
                  AND ((d.kind IN ('mentoring_agreement', 'progress_sharing')
                        AND d.name = 'main')
                      OR (d.kind IN ('smart_goal', 'check_in') AND EXISTS (
                          SELECT 1 FROM {schema}.documents c
                          WHERE c.workshop = $1 AND c.participant = $3
                          AND c.kind = 'progress_sharing' AND c.name = 'main'
                          AND jsonb_typeof(c.body -> 'shared') = 'array'
                          AND c.body -> 'shared' ? d.name::text))) $$""",
    ]


def _function_grants(participant: str, mentor: str, facilitator: str) -> dict[str, str]:
    """Who may call each function (its signature → the groups)."""
    everyone = f"{participant}, {mentor}, {facilitator}"
    return {
        "mentorkit_hub_user()": everyone,
        "mentorkit_hub_mentor()": everyone,
        "mentorkit_facilitator_key_matches(text, text)": f"{participant}, {facilitator}",
        "mentorkit_places_taken(text)": everyone,
        "mentorkit_my_mentee(text, text)": mentor,
        "mentorkit_mentor_knows(text, text)": mentor,
        "mentorkit_may_answer(text, text, text, text)": mentor,
        "mentorkit_requests_to(text, text)": mentor,
        "mentorkit_mentee_documents(text, text, text)": mentor,
    }


def _policies(
    schema: str, participant: str, mentor: str
) -> dict[str, list[tuple[str, str, str, str]]]:
    """(policy suffix, role, command, condition) by table: what each group may do to which
    rows (the facilitator's group, every row, is added to each)."""
    own = f"hub_user = {schema}.mentorkit_hub_user()"

    def owned(table: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {schema}.participants p WHERE p.workshop = "
            f"{table}.workshop AND p.id = {table}.participant AND p.{own})"
        )

    def mine(table: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {schema}.mentors m WHERE m.workshop = {table}.workshop "
            f"AND m.email = {table}.mentor AND m.hub_user = {schema}.mentorkit_hub_mentor())"
        )

    def mentee(table: str) -> str:
        return f"{schema}.mentorkit_my_mentee({table}.workshop, {table}.participant)"

    return {
        "mentors": [
            ("everyone_reads", f"{participant}, {mentor}", "SELECT", "true"),
            # Their own row, and a profile that stays theirs (its email is the row's).
            (
                "mentor_self",
                mentor,
                "UPDATE",
                f"hub_user = {schema}.mentorkit_hub_mentor() AND body ->> 'email' = email",
            ),
        ],
        "participants": [
            ("participant_self", participant, "ALL", own),
            (
                "mentor_sees",
                mentor,
                "SELECT",
                f"{schema}.mentorkit_mentor_knows(participants.workshop, participants.id)",
            ),
        ],
        "documents": [("participant_own", participant, "ALL", owned("documents"))],
        "document_history": [("participant_own", participant, "ALL", owned("document_history"))],
        "match_decisions": [
            # Only read: a participant never answers a request, theirs or anyone's.
            ("participant_own", participant, "SELECT", owned("match_decisions")),
            ("mentor_own", mentor, "SELECT", mine("match_decisions")),
            (
                "mentor_adds",
                mentor,
                "INSERT",
                "answered_by = 'mentor' AND "
                f"{schema}.mentorkit_may_answer(workshop, participant, mentor, decision)",
            ),
            (
                "mentor_takes_back",
                mentor,
                "DELETE",
                f"answered_by = 'mentor' AND {mine('match_decisions')}",
            ),
        ],
        "agreement_entries": [
            ("participant_own", participant, "SELECT", owned("agreement_entries")),
            (
                "participant_adds",
                participant,
                "INSERT",
                f"{owned('agreement_entries')} AND side = 'mentee'",
            ),
            ("mentor_own", mentor, "SELECT", mentee("agreement_entries")),
            ("mentor_adds", mentor, "INSERT", f"{mentee('agreement_entries')} AND side = 'mentor'"),
        ],
        "mentor_notes": [
            ("participant_own", participant, "SELECT", owned("mentor_notes")),
            ("mentor_own", mentor, "SELECT", mine("mentor_notes")),
            (
                "mentor_adds",
                mentor,
                "INSERT",
                f"{mine('mentor_notes')} AND {mentee('mentor_notes')}",
            ),
            (
                "mentor_edits",
                mentor,
                "UPDATE",
                f"{mine('mentor_notes')} AND {mentee('mentor_notes')}",
            ),
        ],
        "mentor_surveys": [("mentor_own", mentor, "ALL", mine("mentor_surveys"))],
    }


def grant_hub_user(
    admin_url: str,
    hub_user: str,
    kind: Kind,
    *,
    prefix: str = DEFAULT_PREFIX,
    host: str | None = None,
    port: int | None = None,
) -> str:
    """Create or update `hub_user`'s login role with a new random password and return the
    database URL their server gets (the old password stops working at once).

    The role joins the groups of `kind` and leaves the others; the URL reaches the server at
    `host` (default: the administrative URL's host, or 127.0.0.1 when that is a Unix
    socket, where PostgreSQL usually signs in by operating-system user instead).
    """
    if kind not in ("participant", "mentor", "facilitator"):
        raise AccessError(f"A hub user is a participant, a mentor or a facilitator, not {kind!r}.")
    if not hub_user or len(hub_user) > 100:
        raise AccessError(f"{hub_user!r} is not a hub user name (1 to 100 characters).")
    names = groups(prefix)
    role = role_name(hub_user, prefix)
    password = secrets.token_urlsafe(32)
    with _admin(admin_url) as conn:

        def q(name: str) -> str:
            return _quote(conn, name)

        joined = names.of(kind)
        for name in names.all:
            _ensure_group(conn, name)
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": role}
        ).first()
        verb = "ALTER" if exists else "CREATE"
        # A hex-and-base64 verifier: nothing in it needs escaping in a literal.
        verifier = scram_verifier(password)
        conn.exec_driver_sql(  # as written: the verifier holds colons
            f"{verb} ROLE {q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT {CONNECTION_LIMIT} "
            f"PASSWORD '{verifier}'"
        )
        for name in names.all:
            change = "GRANT {} TO {}" if name in joined else "REVOKE {} FROM {}"
            conn.execute(sa.text(change.format(q(name), q(role))))
        conn.execute(
            sa.text(
                f"INSERT INTO {ROLES_TABLE} (role_name, hub_user, kind) "
                "VALUES (:role, :user, :kind) ON CONFLICT (role_name) DO UPDATE "
                "SET hub_user = excluded.hub_user, kind = excluded.kind, granted_at = now()"
            ),
            {"role": role, "user": hub_user, "kind": kind},
        )
    url = _postgres_url(admin_url)
    query = {k: v for k, v in url.query.items() if k not in {"host", "hostaddr", "port", "user"}}
    return url.set(
        username=role,
        password=password,
        host=host or url.host or "127.0.0.1",
        port=port or url.port,
        query=query,
    ).render_as_string(hide_password=False)


def drop_deployment(admin_url: str, prefix: str) -> None:
    """Remove the roles, grants and policies of the deployment with this prefix (the
    tables and everything in them stay): for tests, and for taking a hub down for good."""
    names = groups(prefix)
    with _admin(admin_url) as conn:

        def q(name: str) -> str:
            return _quote(conn, name)

        schema = q(conn.execute(sa.text("SELECT current_schema()")).scalar_one())
        mine = {f"{prefix}{suffix}" for suffix in _POLICY_SUFFIXES}
        policies = conn.execute(
            sa.text(
                "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
            )
        ).all()
        for table, policy in policies:
            if policy in mine:
                conn.execute(sa.text(f"DROP POLICY {q(policy)} ON {schema}.{q(table)}"))
        user_role = re.compile(re.escape(prefix) + r"u_[0-9a-f]{24}")
        users: list[str] = []
        if conn.execute(sa.text("SELECT to_regclass(:name)"), {"name": ROLES_TABLE}).scalar():
            mapped = conn.execute(sa.text(f"SELECT role_name FROM {ROLES_TABLE}")).scalars()
            users = [role for role in mapped if user_role.fullmatch(role)]
            for role in users:
                conn.execute(
                    sa.text(f"DELETE FROM {ROLES_TABLE} WHERE role_name = :role"), {"role": role}
                )
        existing = set(conn.execute(sa.text("SELECT rolname FROM pg_roles")).scalars())
        for role in [*users, *names.all]:
            if role in existing:
                conn.execute(sa.text(f"DROP OWNED BY {q(role)}"))
                conn.execute(sa.text(f"DROP ROLE {q(role)}"))


def is_rostered_mentor(admin_url: str, hub_user: str) -> bool:
    """Whether a mentor roster of the database names `hub_user` (its `hub_user` column):
    the hub then gives their role the mentor's group as well as the participant's."""
    from mentorkit.store import mentors_table

    with _admin(admin_url) as conn:
        found = conn.execute(
            sa.select(mentors_table.c.email).where(mentors_table.c.hub_user == hub_user).limit(1)
        ).first()
    return found is not None


def add_hub_newcomer(admin_url: str, hub_user: str, workshop_code: str | None = None) -> bool:
    """Add `hub_user` to the workshop as a new participant named after them, unless a
    participant already has that hub user name; True if one was added.

    The hub calls this when the workshop lets newcomers in (MENTORKIT_HUB_NEWCOMERS), with
    its administrative connection: participants' own roles cannot add anyone. The workshop
    is `workshop_code`, or the only one in the database (none is added when it holds
    several and no code is given).
    """
    from mentorkit.errors import StoreError
    from mentorkit.models import Participant, validate
    from mentorkit.store import open_store

    with open_store(admin_url) as store:
        if workshop_code:
            code = workshop_code
        else:
            workshops = store.workshops()
            if len(workshops) != 1:
                return False
            code = workshops[0].code
        if store.participant_by_hub_user(code, hub_user) is not None:
            return False
        try:
            store.add_participant(
                code, validate(Participant, {"name": hub_user}), hub_user=hub_user
            )
        except StoreError:
            return False  # added at the same moment by another start of the same server
        return True
