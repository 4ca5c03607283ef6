"""Creating and finding workshops: what `mentorkit init`, `demo`, `import` and the apps share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from mentorkit import catalog
from mentorkit.access import hash_secret, new_facilitator_key
from mentorkit.errors import InvalidInput, MentorkitError, NotFound
from mentorkit.models import (
    Framework,
    MentorProfile,
    Participant,
    SelfAssessment,
    SmartGoal,
    Workshop,
    validate,
)
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

    read: rosters.RosterImport[MentorProfile] | rosters.RosterImport[Participant]
    change: RosterChange | None
    invites: tuple[Invite, ...] = ()


def create_workshop(
    store: Store,
    name: str,
    *,
    framework: Framework | None = None,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> WorkshopAccess:
    """A new workshop with a fresh join code and facilitator key."""
    workshop = validate(
        Workshop,
        {
            "name": name,
            "description": description,
            "starts_on": starts_on,
            "ends_on": ends_on,
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


@overload
def read_roster(
    kind: Literal["mentors"], path: Path | str, workshop: Workshop
) -> rosters.RosterImport[MentorProfile]: ...
@overload
def read_roster(
    kind: Literal["participants"], path: Path | str, workshop: Workshop
) -> rosters.RosterImport[Participant]: ...
@overload
def read_roster(
    kind: RosterKind, path: Path | str, workshop: Workshop
) -> rosters.RosterImport[MentorProfile] | rosters.RosterImport[Participant]: ...
def read_roster(
    kind: RosterKind, path: Path | str, workshop: Workshop
) -> rosters.RosterImport[MentorProfile] | rosters.RosterImport[Participant]:
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
    if kind == "mentors":
        mentors = read_roster("mentors", path, workshop)
        if not _importable(mentors, skip_invalid=skip_invalid):
            return RosterOutcome(mentors, None)
        change = store.import_roster(
            workshop.code, mentors=mentors.records, hub_users=mentors.hub_users or None
        )
        return RosterOutcome(mentors, change)
    read = read_roster("participants", path, workshop)
    if not _importable(read, skip_invalid=skip_invalid):
        return RosterOutcome(read, None)
    change = store.import_roster(
        workshop.code, participants=read.records, hub_users=read.hub_users or None
    )
    emails = {person.email for person in read.records}
    return RosterOutcome(read, change, invite_new_participants(store, workshop.code, emails))


def _importable(read: rosters.RosterImport[Any], *, skip_invalid: bool) -> bool:
    """Whether a roster read is imported: it has records, and no problems unless skipping."""
    return bool(read.records) and not (read.problems and not skip_invalid)


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


# ---------------------------------------------------------------------------------------
# The texts each worksheet opens with


@cache
def default_guidance() -> Mapping[str, str]:
    """The texts of data/guidance.yaml, by app key, read once per process."""
    return catalog.load_guidance()


def guidance_for(workshop: Workshop | None, app_key: str) -> str:
    """The text the app `app_key` ('01_self_assessment') opens with: the workshop's own, or
    the default of data/guidance.yaml. Plain text: show it with `paragraphs` (escaped)."""
    if workshop is not None and app_key in workshop.guidance:
        return workshop.guidance[app_key]
    return default_guidance().get(app_key, "")


def with_guidance(workshop: Workshop, app_key: str, text: str | None) -> Workshop:
    """`workshop` with `text` as the opening text of `app_key`; None, or the default text
    itself, restores the default (only what differs is kept). `InvalidInput` when the text
    is too long or holds characters that are not text."""
    guidance = dict(workshop.guidance)
    default = default_guidance().get(app_key)
    if default is None:
        raise InvalidInput([f"There is no worksheet '{app_key}' to write a text for."])
    guidance.pop(app_key, None)
    changed = validate(Workshop, {**workshop.model_dump(), "guidance": guidance})
    if text is None:
        return changed
    updated = validate(Workshop, {**changed.model_dump(), "guidance": {**guidance, app_key: text}})
    if updated.guidance[app_key] == default:
        return changed
    return updated


# ---------------------------------------------------------------------------------------
# Replacing the competency framework


def competencies_in_use(
    mentors: Iterable[MentorProfile], documents: Iterable[object]
) -> dict[str, set[str]]:
    """The competency ids mentors' expertise and participants' worksheets use, each with
    what uses it ('mentors' expertise', 'self-assessments', 'SMART goals')."""
    used: dict[str, set[str]] = {}

    def note(ids: Iterable[str], where: str) -> None:
        for competency in ids:
            used.setdefault(competency, set()).add(where)

    for mentor in mentors:
        note(mentor.expertise, "mentors' expertise")
    for document in documents:
        if isinstance(document, SelfAssessment):
            note(
                [*document.ratings, *document.strengths, *document.growth_areas],
                "self-assessments",
            )
        elif isinstance(document, SmartGoal):
            note(document.competencies, "SMART goals")
    return used


def orphaned_competencies(
    framework: Framework, mentors: Iterable[MentorProfile], documents: Iterable[object]
) -> dict[str, set[str]]:
    """The competencies in use (see `competencies_in_use`) that `framework` lacks."""
    known = framework.competencies()
    used = competencies_in_use(mentors, documents)
    return {competency: where for competency, where in used.items() if competency not in known}


def replace_framework(store: Store, workshop: Workshop, framework: Framework) -> Workshop:
    """Give the workshop `framework` and store it; refused (`InvalidInput`, nothing
    changed) while mentors' expertise or participants' answers use a competency the new
    framework lacks, naming those competencies and what uses them."""
    documents = [saved.document for saved in store.list(workshop.code)]
    orphans = orphaned_competencies(framework, store.mentors(workshop.code), documents)
    if orphans:
        listed = "; ".join(
            f"{competency} (in {', '.join(sorted(where))})"
            for competency, where in sorted(orphans.items())
        )
        raise InvalidInput(
            [
                f"The framework '{framework.name}' lacks competencies this workshop already "
                f"uses, so it was not applied: {listed}. Add them to the file (same ids), "
                "or use it for a new workshop."
            ]
        )
    updated = validate(Workshop, {**workshop.model_dump(), "framework": framework})
    store.update_workshop(updated)
    return updated
