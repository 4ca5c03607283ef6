"""Creating and finding workshops: what `mentorkit init`, `demo`, `import` and the apps share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mentorkit import catalog
from mentorkit.access import hash_secret, new_facilitator_key
from mentorkit.errors import InvalidInput, MentorkitError, NotFound
from mentorkit.models import Framework, Workshop, validate
from mentorkit.store import RosterChange, Store

if TYPE_CHECKING:
    from mentorkit import rosters
    from mentorkit.people import Invite

DEMO_NAME = "Finding and working with a mentor (demo)"
DEMO_DESCRIPTION = "A demo workshop with fictional mentors and participants, to try every app."

RosterKind = Literal["mentors", "participants"]


@dataclass(frozen=True)
class WorkshopAccess:
    """A workshop with a facilitator key that was just issued (it is stored only hashed)."""

    workshop: Workshop
    facilitator_key: str
    #: The demo's: a sample participant's invite code, issued now to try claiming one.
    sample_invite: Invite | None = None


@dataclass(frozen=True)
class RosterOutcome:
    """What reading a roster file found, what was written (None when nothing was), and the
    invite codes issued to participants who had none (shown only now: mail them)."""

    read: rosters.RosterImport
    change: RosterChange | None
    invites: tuple[Invite, ...] = ()


def create_workshop(
    store: Store, name: str, *, framework: Framework | None = None, description: str = ""
) -> WorkshopAccess:
    """A new workshop with a fresh join code and facilitator key."""
    workshop = validate(
        Workshop,
        {
            "name": name,
            "description": description,
            "framework": framework if framework is not None else catalog.load_framework(),
        },
    )
    key = new_facilitator_key()
    store.create_workshop(workshop, hash_secret(key))
    return WorkshopAccess(workshop, key)


def choose_workshop(store: Store, code: str | None = None) -> Workshop:
    """The workshop with `code`, or the only one in the database when no code is given."""
    if code:
        return store.workshop(code.strip().upper())
    workshops = store.workshops()
    if not workshops:
        raise NotFound(
            "The database holds no workshop yet: create one with "
            "`mentorkit init --name NAME` (or `mentorkit demo`)."
        )
    if len(workshops) > 1:
        codes = ", ".join(f"{w.code} ({w.name})" for w in workshops)
        raise MentorkitError(
            f"The database holds {len(workshops)} workshops; choose one with "
            f"--workshop CODE: {codes}"
        )
    return workshops[0]


def read_roster(kind: RosterKind, path: Path | str, workshop: Workshop) -> rosters.RosterImport:
    """The roster file's valid records and row problems, read against the workshop."""
    from mentorkit import rosters  # imported on import, not by the apps (the gallery)

    if kind == "mentors":
        return rosters.read_mentors(path, workshop.framework)
    return rosters.read_participants(path)


def import_roster(
    store: Store,
    workshop: Workshop,
    kind: RosterKind,
    path: Path | str,
    *,
    skip_invalid: bool = False,
) -> RosterOutcome:
    """Import a roster file: all of it, or nothing when a row is invalid (unless skipping).

    Every participant of the file who has neither signed in nor an invite code yet gets one
    (`invite_new_participants`).
    """
    read = read_roster(kind, path, workshop)
    if (read.problems and not skip_invalid) or not read.records:
        return RosterOutcome(read, None)
    extra = {"hub_users": read.hub_users} if kind == "participants" and read.hub_users else {}
    change = store.import_roster(workshop.code, **{kind: read.records}, **extra)
    if kind != "participants":
        return RosterOutcome(read, change)
    emails = {person.email for person in read.records}
    return RosterOutcome(read, change, invite_new_participants(store, workshop.code, emails))


def invite_new_participants(
    store: Store, code: str, emails: set[str | None] | None = None
) -> tuple[Invite, ...]:
    """Invite codes for the rostered participants (of these `emails`, or all) who have
    neither signed in nor an invite code: those just imported, and those imported before
    mentorkit had invite codes."""
    from mentorkit.people import issue_invites, waiting_for_invites

    waiting = [p for p in waiting_for_invites(store, code) if emails is None or p.email in emails]
    return tuple(issue_invites(store, code, waiting)) if waiting else ()


def ensure_demo(store: Store) -> WorkshopAccess:
    """The demo workshop, created with the sample rosters on first use.

    The facilitator key is stored only as a hash, so it cannot be shown again: every call
    issues a fresh key for the demo (and only the demo) so that `make serve` can print it.
    """
    existing = [w for w in store.workshops() if w.name == DEMO_NAME]
    if existing:
        key = new_facilitator_key()
        store.set_facilitator_key_hash(existing[0].code, hash_secret(key))
        return WorkshopAccess(existing[0], key, _sample_invite(store, existing[0].code))
    workshop = validate(
        Workshop,
        {"name": DEMO_NAME, "description": DEMO_DESCRIPTION, "framework": catalog.load_framework()},
    )
    from mentorkit import rosters  # imported on first use, not by the apps (the gallery)

    mentors = rosters.read_mentors(catalog.SAMPLE_MENTORS, workshop.framework)
    participants = rosters.read_participants(catalog.SAMPLE_PARTICIPANTS)
    if mentors.problems or participants.problems:
        raise InvalidInput([str(p) for p in [*mentors.problems, *participants.problems]])
    key = new_facilitator_key()
    store.create_workshop(workshop, hash_secret(key))
    store.import_roster(workshop.code, mentors=mentors.records, participants=participants.records)
    invite_new_participants(store, workshop.code)  # as an import does; shown nowhere
    return WorkshopAccess(workshop, key, _sample_invite(store, workshop.code))


def _sample_invite(store: Store, code: str) -> Invite | None:
    """A new invite code for the first sample participant who has not signed in yet (their
    earlier one stops working), so that the demo can be tried as a rostered participant."""
    from mentorkit.people import issue_invites, waiting_for_invites

    waiting = waiting_for_invites(store, code, again=True)
    return issue_invites(store, code, waiting[:1])[0] if waiting else None
