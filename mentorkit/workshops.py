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

DEMO_NAME = "Finding and working with a mentor (demo)"
DEMO_DESCRIPTION = "A demo workshop with fictional mentors and participants, to try every app."

RosterKind = Literal["mentors", "participants"]


@dataclass(frozen=True)
class WorkshopAccess:
    """A workshop with a facilitator key that was just issued (it is stored only hashed)."""

    workshop: Workshop
    facilitator_key: str


@dataclass(frozen=True)
class RosterOutcome:
    """What reading a roster file found, and what was written (None when nothing was)."""

    read: rosters.RosterImport
    change: RosterChange | None


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
    """Import a roster file: all of it, or nothing when a row is invalid (unless skipping)."""
    read = read_roster(kind, path, workshop)
    if (read.problems and not skip_invalid) or not read.records:
        return RosterOutcome(read, None)
    extra = {"hub_users": read.hub_users} if kind == "participants" and read.hub_users else {}
    change = store.import_roster(workshop.code, **{kind: read.records}, **extra)
    return RosterOutcome(read, change)


def ensure_demo(store: Store) -> WorkshopAccess:
    """The demo workshop, created with the sample rosters on first use.

    The facilitator key is stored only as a hash, so it cannot be shown again: every call
    issues a fresh key for the demo (and only the demo) so that `make serve` can print it.
    """
    existing = [w for w in store.workshops() if w.name == DEMO_NAME]
    if existing:
        key = new_facilitator_key()
        store.set_facilitator_key_hash(existing[0].code, hash_secret(key))
        return WorkshopAccess(existing[0], key)
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
    return WorkshopAccess(workshop, key)
