"""What a facilitator does about participants: find one, reset a code, merge two, remove one.

The Cohort dashboard and `mentorkit people …` both come here, so each thing is done one
way. A new resume code is `mentorkit.identity.reset_resume_code`; removing a participant is
`Store.erase_participant`, the same erasure as "Delete my data" in My plan.

Merging is for one person who ended up on the roster twice (they lost their resume code and
joined again by name, or signed in once by name and once by email). Their documents move to
the participant kept:

* goals and check-ins are a list, so the moved ones are numbered after the kept
  participant's own ('goal-1' becomes 'goal-3' beside goals 1 and 2): nothing is hidden;
* a worksheet a person has once (self-assessment, shortlist, agreement, …) that both have
  becomes one: the version saved last is current, the other stays in its history, where the
  participant's data download and backups still have it. Refusing instead would leave the
  facilitator with no way forward (they cannot edit a participant's answers), and the
  version saved last is the one the person was working on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mentorkit.checkins import CHECK_IN_PREFIX, GOAL_PREFIX
from mentorkit.errors import MentorkitError, NotFound
from mentorkit.models import Participant
from mentorkit.store import MergeCounts, Store

#: Kinds a participant has several of, named PREFIX + number: moved ones are renumbered.
NUMBERED_KINDS: dict[str, str] = {"smart_goal": GOAL_PREFIX, "check_in": CHECK_IN_PREFIX}

_ID = re.compile(r"[0-9a-f]{32}")


class PersonNotFound(NotFound):
    """No participant, or more than one, answers to what was given; the message says what to
    give instead."""


@dataclass(frozen=True)
class PersonSummary:
    """A participant as the facilitator's people tools list them."""

    participant: Participant
    signed_in: bool  # has a resume code (signed in at least once, or was given one)
    documents: int  # worksheets saved (goals and check-ins count one each)


def people(store: Store, code: str) -> list[PersonSummary]:
    """Every participant of the workshop, by name, with what the people tools need."""
    counts: dict[str, int] = {}
    for saved in store.list(code):
        counts[saved.key.participant] = counts.get(saved.key.participant, 0) + 1
    return [
        PersonSummary(
            participant=person,
            signed_in=store.resume_code_hash(code, person.id) is not None,
            documents=counts.get(person.id, 0),
        )
        for person in store.participants(code)
    ]


def find_person(store: Store, code: str, who: str) -> Participant:
    """The participant `who` names: their id, their email, or their name (any case)."""
    who = " ".join(who.split())
    if not who:
        raise PersonNotFound("Name the participant: their name, email or id.")
    everyone = store.participants(code)
    if _ID.fullmatch(who.lower()):
        for person in everyone:
            if person.id == who.lower():
                return person
    if "@" in who:
        found = store.find_participant(code, who)
        if found is not None:
            return found
    named = [p for p in everyone if p.name.casefold() == who.casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        ids = ", ".join(f"{p.id} ({p.email or 'no email'})" for p in named)
        raise PersonNotFound(
            f"More than one participant is called {who}: name them by email or id ({ids})."
        )
    raise PersonNotFound(
        f"No participant of workshop {code} is called or has the email '{who[:60]}'. "
        "List them with: mentorkit people list"
    )


def merge_renames(
    store: Store, code: str, keep: Participant, absorb: Participant
) -> dict[tuple[str, str], str]:
    """New names for `absorb`'s goals and check-ins, numbered after `keep`'s own."""
    renames: dict[tuple[str, str], str] = {}
    for kind, prefix in NUMBERED_KINDS.items():
        kept = [s.key.name for s in store.list(code, participant=keep.id, kind=kind)]
        moving = [s.key.name for s in store.list(code, participant=absorb.id, kind=kind)]
        if not moving:
            continue
        numbers = [_number(name, prefix) for name in kept]
        after = max([n for n in numbers if n is not None], default=0)
        for name in sorted(moving, key=lambda n: (_number(n, prefix) or 0, n)):
            after += 1
            renames[(kind, name)] = f"{prefix}{after}"
    return renames


def _number(name: str, prefix: str) -> int | None:
    found = re.fullmatch(rf"{re.escape(prefix)}(\d+)", name)
    return int(found[1]) if found else None


def merge_people(store: Store, code: str, keep: Participant, absorb: Participant) -> MergeCounts:
    """Move `absorb`'s documents to `keep` and take `absorb` off the roster (see the module
    docstring for what happens to documents both have). `keep`'s resume code stays."""
    if keep.id == absorb.id:
        raise MentorkitError("Choose two different participants to merge.")
    return store.merge_participants(
        code, keep.id, absorb.id, renames=merge_renames(store, code, keep, absorb)
    )


def remove_person(store: Store, code: str, person: Participant) -> None:
    """Erase a participant with everything they saved (as "Delete my data" does)."""
    store.erase_participant(code, person.id)
