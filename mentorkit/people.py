"""What a facilitator does about participants: find one, invite them, reset a code, merge
two, remove one.

The Cohort dashboard and `mentorkit people …` both come here, so each thing is done one
way. A new resume code is `mentorkit.identity.reset_resume_code`; removing a participant is
`Store.erase_participant`, the same erasure as "Delete my data" in My plan.

Invite codes (`issue_invites`) let rostered participants claim their entry. Only their hashes
are stored, so the codes exist in plain once, when they are issued: the result goes straight
into a mail-merge table (name, email, invite code: `invites_table`) that the command line
writes to a file and the dashboard offers as a download. Issuing again replaces a code, and
the old one stops working.

Mentors are invited the same way (`issue_mentor_invites`): their codes open the mentor
app, and their mail-merge table (`mentor_invites_table`) carries each mentor's personal
link, `voila/render/mentor.ipynb?invite=CODE` after the server's address, which signs them
in with one click.

Merging is for one person who ended up on the roster twice (a rostered participant who
joined by name instead of with their invite code, or someone who lost their resume code and
joined again). Their documents move to the participant kept, who also takes the absorbed
entry's resume code when they have none (so the person goes on with the code they have):

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mentorkit.errors import MentorkitError, NotFound
from mentorkit.identity import reset_invite_codes, reset_mentor_invite_codes
from mentorkit.models import MentorProfile, Participant
from mentorkit.store import MergeCounts, Store
from mentorkit.worksheets import Numbering, numbered_kinds

#: The columns of the mail-merge table of invite codes.
INVITE_COLUMNS = ("name", "email", "invite_code")
#: The columns of the mentors' mail-merge table: their invite code and personal link.
MENTOR_INVITE_COLUMNS = ("name", "email", "invite_code", "personal_link")
#: The mentor app, as served (after the server's base address).
MENTOR_PAGE = "voila/render/mentor.ipynb"

#: Kinds a participant has several of, named PREFIX + number: moved ones are renumbered.
NUMBERED_KINDS: dict[str, Numbering] = numbered_kinds()

_ID = re.compile(r"[0-9a-f]{32}")


class PersonNotFound(NotFound):
    """No participant, or more than one, answers to what was given; the message says what to
    give instead."""


class MentorNotFound(NotFound):
    """No mentor, or more than one, answers to what was given; the message says what to
    give instead."""


@dataclass(frozen=True)
class PersonSummary:
    """A participant as the facilitator's people tools list them."""

    participant: Participant
    signed_in: bool  # has a resume code (signed in at least once, or was given one)
    documents: int  # worksheets saved (goals and check-ins count one each)
    invited: bool = False  # holds an invite code (used or not)

    @property
    def joined_on_the_day(self) -> bool:
        """Joined with the join code and a name, not from the roster (which always gives an
        email): perhaps a rostered person on the list twice, to merge."""
        return self.participant.email is None

    @property
    def sign_in_state(self) -> str:
        """How they stand, in words: signed in, invited and waiting, or neither."""
        if self.signed_in:
            return "signed in"
        if self.invited:
            return "invited, not signed in yet"
        return "no invite code"


@dataclass(frozen=True)
class Invite:
    """A participant's new invite code, as a mail merge needs it (shown only now)."""

    participant: Participant
    code: str


def people(store: Store, code: str) -> list[PersonSummary]:
    """Every participant of the workshop, by name, with what the people tools need.

    Entries of the same name and email (someone who joined on the day twice) keep one
    order from one call to the next, so "entry 2 of 2" names the same entry each time."""
    counts: dict[str, int] = {}
    for saved in store.list(code):
        counts[saved.key.participant] = counts.get(saved.key.participant, 0) + 1
    signed_in = store.signed_in(code)
    invited = store.invited(code)
    return [
        PersonSummary(
            participant=person,
            signed_in=person.id in signed_in,
            documents=counts.get(person.id, 0),
            invited=person.id in invited,
        )
        for person in sorted(
            store.participants(code), key=lambda p: (p.name.casefold(), p.email or "", p.id)
        )
    ]


def waiting_for_invites(store: Store, code: str, *, again: bool = False) -> list[Participant]:
    """The rostered participants who have not signed in yet and hold no invite code (with
    `again`, also those who hold one: it would be replaced), by name."""
    signed_in = store.signed_in(code)
    invited = set() if again else store.invited(code)
    return [
        person
        for person in store.participants(code)
        if person.email is not None and person.id not in signed_in | invited
    ]


def issue_invites(store: Store, code: str, persons: Iterable[Participant]) -> list[Invite]:
    """New invite codes for these participants, in one step (their old codes stop working).

    Refused, with nothing changed, for anyone who has signed in already: their invite
    code could only say it has been used (they need a new resume code instead).
    """
    chosen = list({person.id: person for person in persons}.values())
    signed_in = store.signed_in(code)
    done = [person.name for person in chosen if person.id in signed_in]
    if done:
        raise MentorkitError(
            f"{', '.join(done)} signed in already: an invite code would not help; give them "
            "a new resume code instead. Nothing was changed."
        )
    codes = reset_invite_codes(store, code, [person.id for person in chosen])
    return [Invite(person, codes[person.id]) for person in chosen]


def invites_table(invites: Sequence[Invite]) -> list[dict[str, object]]:
    """The mail-merge rows (`INVITE_COLUMNS`): name, email and invite code, by name."""
    ordered = sorted(invites, key=lambda i: (i.participant.name.casefold(), i.participant.id))
    return [
        {"name": i.participant.name, "email": i.participant.email or "", "invite_code": i.code}
        for i in ordered
    ]


@dataclass(frozen=True)
class MentorInvite:
    """A mentor's new invite code, as a mail merge needs it (shown only now)."""

    mentor: MentorProfile
    code: str


def mentors_waiting_for_invites(
    store: Store, code: str, *, again: bool = False
) -> list[MentorProfile]:
    """The workshop's mentors who have not signed in yet and hold no invite code (with
    `again`, also those who hold one: it would be replaced), by name."""
    signed_in = store.mentors_signed_in(code)
    invited = set() if again else store.mentors_invited(code)
    return [mentor for mentor in store.mentors(code) if mentor.email not in signed_in | invited]


def issue_mentor_invites(
    store: Store, code: str, mentors: Iterable[MentorProfile]
) -> list[MentorInvite]:
    """New invite codes for these mentors, in one step (their old codes stop working).

    Refused, with nothing changed, for a mentor who has signed in already: they go on with
    their resume code (a lost one is replaced with `reset_mentor_resume_code`).
    """
    chosen = list({mentor.email: mentor for mentor in mentors}.values())
    signed_in = store.mentors_signed_in(code)
    done = [mentor.name for mentor in chosen if mentor.email in signed_in]
    if done:
        raise MentorkitError(
            f"{', '.join(done)} signed in already as a mentor: an invite code would not help; "
            "give them a new resume code instead. Nothing was changed."
        )
    codes = reset_mentor_invite_codes(store, code, [mentor.email for mentor in chosen])
    return [MentorInvite(mentor, codes[mentor.email]) for mentor in chosen]


def invite_new_mentors(
    store: Store, code: str, emails: Iterable[str] | None = None
) -> list[MentorInvite]:
    """Invite codes for the mentors (of these `emails`, or all) who have neither signed in
    nor an invite code: those a roster import just added, and those added before mentors
    had invite codes."""
    wanted = None if emails is None else {email.strip().lower() for email in emails}
    waiting = [
        mentor
        for mentor in mentors_waiting_for_invites(store, code)
        if wanted is None or mentor.email in wanted
    ]
    return issue_mentor_invites(store, code, waiting) if waiting else []


def mentor_link(base: str, invite_code: str) -> str:
    """A mentor's personal link: the mentor app with their invite code, after the server's
    base address `base` ('https://example.org/'), or relative to it when `base` is ''."""
    if base and not base.endswith("/"):
        base += "/"
    return f"{base}{MENTOR_PAGE}?invite={quote(invite_code, safe='')}"


def mentor_invites_table(invites: Sequence[MentorInvite], base: str) -> list[dict[str, object]]:
    """The mentors' mail-merge rows (`MENTOR_INVITE_COLUMNS`): name, email, invite code and
    personal link (`mentor_link`), by name."""
    ordered = sorted(invites, key=lambda i: (i.mentor.name.casefold(), i.mentor.email))
    return [
        {
            "name": i.mentor.name,
            "email": i.mentor.email,
            "invite_code": i.code,
            "personal_link": mentor_link(base, i.code),
        }
        for i in ordered
    ]


def find_mentor(store: Store, code: str, who: str) -> MentorProfile:
    """The mentor `who` names: their email, or their name (any case)."""
    who = " ".join(who.split())
    if not who:
        raise MentorNotFound("Name the mentor: their email or name.")
    mentors = store.mentors(code)
    for mentor in mentors:
        if mentor.email == who.lower():
            return mentor
    named = [m for m in mentors if m.name.casefold() == who.casefold()]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        emails = ", ".join(m.email for m in named)
        raise MentorNotFound(
            f"More than one mentor is called {who}: name them by email ({emails})."
        )
    raise MentorNotFound(
        f"No mentor of workshop {code} is called or has the email '{who[:60]}'. "
        "The mentor roster lists them: mentorkit export mentors"
    )


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
    for kind, numbering in NUMBERED_KINDS.items():
        kept = [s.key.name for s in store.list(code, participant=keep.id, kind=kind)]
        moving = [s.key.name for s in store.list(code, participant=absorb.id, kind=kind)]
        if not moving:
            continue
        numbers = [numbering.number(name) for name in kept]
        after = max([n for n in numbers if n is not None], default=0)
        for name in sorted(moving, key=lambda n: (numbering.number(n) or 0, n)):
            after += 1
            renames[(kind, name)] = numbering.name(after)
    return renames


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


def worksheets_counted(count: int) -> str:
    """'1 worksheet', '3 worksheets': how messages count a participant's worksheets."""
    return f"{count} worksheet{'s' if count != 1 else ''}"
