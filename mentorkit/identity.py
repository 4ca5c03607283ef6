"""Who is filling the worksheets: invite codes, the join code, resume codes, JupyterHub users.

There are two ways in the first time, and neither lets anyone become someone else:

* a participant on the roster claims their entry with their personal **invite code**
  (generated when the roster is imported, handed out in a mail merge; see
  `mentorkit.people.issue_invites`). The invite code alone is enough: it names one
  participant of one workshop, so a person in the room types one code from their
  invitation and nothing else. It works once: afterwards the resume code signs them in;
* anyone with the workshop's **join code** and a name joins as a **new** participant, never
  as someone already on the list, whatever name they give (the facilitator merges a
  rostered person who joined this way: `mentorkit.people.merge_people`). New participants
  are counted (`mentorkit.access`): a page, a client address and a workshop may add only so
  many within a few minutes.

The messages say the same whoever is on the roster: nothing tells a visitor whether a name or
an email belongs to someone there.

Either way the participant receives a personal resume code (80 random bits, stored only
hashed). From then on only the resume code signs them in. Wrong join, invite and resume
codes are counted per page (see `mentorkit.access`): each costs a pause, and too many lock
the sign-in for a minute.

The codes are written to be copied by hand, in Crockford's base32 (the digits and the
letters but I, L, O and U, so nothing looks like something else): a resume code is 16
characters in four groups of four, `7KQM-2XPA-H9RD-4TZB`; an invite code 15 characters (75
bits) in three groups of five, `Q8WZ3-M4KD7-R2TXA`, so that one is never taken for the
other, and a code typed into the wrong field is named for what it is. Typed, case, spaces
and dashes do not matter, and the look-alikes are read as what they look like (O as 0, I
and L as 1). Resume codes issued before this format (28 characters of RFC 4648 base32, 136
bits) still sign in, as they were typed. A facilitator can issue a participant a new resume
code (`reset_resume_code`) or invite code (`reset_invite_code`); the old one stops working
at once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from mentorkit.access import TryLimiter, hash_secret, limiter, page_newcomers
from mentorkit.errors import InvalidInput, MentorkitError, NotFound
from mentorkit.models import (
    JOIN_CODE_ALPHABET,
    MentorProfile,
    Participant,
    Workshop,
    excerpt,
    validate,
)
from mentorkit.store import Holder, Store

RESUME_CODE_BYTES = 10  # 80 bits: 16 characters of 5 bits, four groups of four
#: An invite code's characters (5 bits each, 75 bits) and its groups.
INVITE_CODE_SYMBOLS = 15
INVITE_CODE_GROUP = 5
#: Crockford's base32: digits and capitals without I, L, O and U.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What a typed look-alike stands for.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: The length of a code issued before the Crockford format (136 bits of RFC 4648 base32).
LEGACY_RESUME_CODE_LENGTH = 28
#: Longest text quoted back in a message: enough to spot a typo, never a pasted page.
QUOTE_LIMIT = 60

_JOIN_CODE = re.compile(rf"[{JOIN_CODE_ALPHABET}]{{8}}")

UNKNOWN_INVITE = (
    "That invite code is not known. Check it against your invitation (or ask your "
    "facilitator for a new one); without one, join with the join code and your name."
)
USED_INVITE = (
    "This invite code has been used to sign in already. Continue with your resume code under "
    "'Been here before?'; lost it? Your facilitator can give you a new one."
)
RESUME_CODE_AS_INVITE = (
    "That is a resume code, not an invite code: enter it under 'Been here before?'."
)
INVITE_CODE_AS_RESUME = (
    "That is an invite code, not a resume code: enter it under 'First time here?' as your "
    "invite code."
)
EMAIL_AS_NAME = (
    "Enter your name here, not an email address. Invited by email? Enter the invite code "
    "from your invitation instead."
)

#: The sign-in form's fields, as a message names the one it is about.
SignInField = Literal["join code", "name", "invite code", "resume code", "facilitator key"]

#: The counts of new participants a sign-in takes one from, given the workshop's code.
Newcomers = Callable[[str], Sequence[TryLimiter]]


class SignInError(MentorkitError):
    """The sign-in details do not identify a participant; the message says what to do, and
    `field` which of the form's fields it is about (so a form can show it there)."""

    def __init__(self, message: str, *, field: SignInField) -> None:
        self.field: SignInField = field
        super().__init__(message)


@dataclass(frozen=True)
class Identity:
    """A signed-in participant; `new_resume_code` is set once, on first sign-in."""

    workshop: Workshop
    participant: Participant
    new_resume_code: str | None = None


def _crockford(symbols: int) -> str:
    """`symbols` random characters of Crockford's base32, from the operating system's source."""
    value = int.from_bytes(secrets.token_bytes((5 * symbols + 7) // 8), "big")
    value &= (1 << (5 * symbols)) - 1
    return "".join(
        CROCKFORD_ALPHABET[(value >> (5 * (symbols - 1 - i))) & 31] for i in range(symbols)
    )


def new_resume_code() -> str:
    """A fresh resume code such as '7KQM-2XPA-H9RD-4TZB': 80 random bits, easy to copy by hand."""
    return _grouped(_crockford(RESUME_CODE_BYTES * 8 // 5))


def new_invite_code() -> str:
    """A fresh invite code such as 'Q8WZ3-M4KD7-R2TXA': 75 random bits, three groups of
    five (a resume code has four of four, so the two are never mistaken)."""
    return _grouped(_crockford(INVITE_CODE_SYMBOLS), INVITE_CODE_GROUP)


def _grouped(raw: str, size: int = 4) -> str:
    return "-".join(raw[i : i + size] for i in range(0, len(raw), size))


def _letters(code: str) -> str:
    """A typed code without spaces, dashes and dots, in capitals."""
    return re.sub(r"[\s\-\u2010-\u2015._]", "", code[:200]).upper()


def _crockford_letters(letters: str, length: int) -> str:
    """`letters` with look-alikes read as what they look like, if they are `length` symbols
    of Crockford's base32; else ''."""
    letters = letters.translate(_LOOK_ALIKES)
    if len(letters) == length and all(c in CROCKFORD_ALPHABET for c in letters):
        return letters
    return ""


def normalise_resume_code(code: str) -> str:
    """The canonical form of a typed resume code, or '' if it cannot be one.

    Case, spaces, dashes and dots are ignored, and look-alikes read as what they look like
    ('7kqm 2xpa-h9rd 4tzb', '7KQM-2XPA-H9RD-4TZ8' with an O typed for the 0). A code of the
    earlier 28-character format keeps its own letters (it holds O, I and L, not 0 and 1).
    """
    letters = _letters(code)
    if len(letters) == LEGACY_RESUME_CODE_LENGTH and re.fullmatch(r"[A-Z2-7]+", letters):
        return _grouped(letters)
    found = _crockford_letters(letters, RESUME_CODE_BYTES * 8 // 5)
    return _grouped(found) if found else ""


def normalise_invite_code(code: str) -> str:
    """The canonical form of a typed invite code ('q8wz3 m4kd7 r2txa' → 'Q8WZ3-M4KD7-R2TXA'),
    or '' if it cannot be one (as `normalise_resume_code`: case, spaces, dashes and
    look-alikes do not matter)."""
    found = _crockford_letters(_letters(code), INVITE_CODE_SYMBOLS)
    return _grouped(found, INVITE_CODE_GROUP) if found else ""


def _quoted(text: str) -> str:
    """`text` safe to quote in a message: short, without invisible or reordering characters."""
    return excerpt(text, QUOTE_LIMIT)


def normalise_join_code(join_code: str) -> str:
    """A typed join code as stored ('abcd efgh' → 'ABCD-EFGH'), or '' if it cannot be one."""
    letters = re.sub(r"[\s\-\u2010-\u2015]", "", join_code[:100]).upper()  # spaces, dashes
    return f"{letters[:4]}-{letters[4:]}" if _JOIN_CODE.fullmatch(letters) else ""


def _workshop(store: Store, join_code: str, tries: TryLimiter | None = None) -> Workshop:
    if not join_code.strip():
        raise SignInError(
            "Enter the workshop's join code (it is on the screen or your invite).",
            field="join code",
        )
    tries = tries or limiter(store, "join code")
    tries.check()
    code = normalise_join_code(join_code)
    try:
        if code:
            return store.workshop(code)
    except NotFound:
        pass
    tries.failed()
    shown = code or _quoted(join_code.strip())
    raise SignInError(
        f"No workshop has the join code '{shown}'. A join code looks like ABCD-EFGH: check "
        "it, or ask your facilitator.",
        field="join code",
    )


def sign_in(
    store: Store,
    join_code: str,
    name: str,
    *,
    invite_code: str = "",
    tries: TryLimiter | None = None,
    invite_tries: TryLimiter | None = None,
    newcomers: Newcomers | None = None,
) -> Identity:
    """The first-time part of the sign-in form: with an invite code, claim the roster entry
    it names (`claim_invite`; the join code and name are then not needed); without one,
    join as a new participant with the join code and a name (`join`)."""
    if invite_code.strip():
        return claim_invite(store, invite_code, tries=invite_tries)
    return join(store, join_code, name, tries=tries, newcomers=newcomers)


def join(
    store: Store,
    join_code: str,
    name: str,
    *,
    tries: TryLimiter | None = None,
    newcomers: Newcomers | None = None,
) -> Identity:
    """Join a workshop as a new, unrostered participant with its join code and a name.

    Whatever the name, this never signs anyone in as a participant already on the list,
    and it says nothing about who is there. A wrong join code counts against `tries` (by
    default this page's count for `store`). Each participant added takes one from every
    count `newcomers` gives for the workshop (by default this page's: `TooManyTries` when
    one is used up, and nobody is added).
    """
    workshop = _workshop(store, join_code, tries)
    name = " ".join(name.split())
    if not name:
        raise SignInError("Enter your name.", field="name")
    if "@" in name:
        raise SignInError(EMAIL_AS_NAME, field="name")
    try:
        newcomer = validate(Participant, {"name": name})
    except InvalidInput as exc:
        problem = "; ".join(exc.problems).split(": ", 1)[-1]
        raise SignInError("Your name " + problem, field="name") from None
    counts = newcomers(workshop.code) if newcomers else [page_newcomers(store)]
    for count in counts:
        count.check()
    for count in counts:
        count.take()
    store.add_participant(workshop.code, newcomer)
    return _issue_resume_code(store, workshop, newcomer)


def claim_invite(store: Store, invite_code: str, *, tries: TryLimiter | None = None) -> Identity:
    """Sign in for the first time as the rostered participant whose invite code this is.

    The code works once: it gives the participant their resume code, and afterwards says it
    has been used. A wrong code counts against `tries` (by default this page's count of
    wrong invite codes for `store`).
    """
    found, resume_code = _claimed(
        store, invite_code, tries, store.claim_invite, "participant", UNKNOWN_INVITE
    )
    return Identity(store.workshop(found.workshop), found.participant, resume_code)


class _Claim(Protocol):
    @property
    def claimed(self) -> bool: ...


ClaimT = TypeVar("ClaimT", bound=_Claim)
FoundT = TypeVar("FoundT")


def _claimed(
    store: Store,
    invite_code: str,
    tries: TryLimiter | None,
    claim: Callable[[str, str], ClaimT | None],
    here: Holder,
    unknown: str,
) -> tuple[ClaimT, str]:
    """The claim of a typed invite code (a participant's or a mentor's, as `claim` looks
    them up) and the resume code it gave; `SignInError` in words for every way it fails."""
    if not invite_code.strip():
        raise SignInError("Enter the invite code from your invitation.", field="invite code")
    tries = tries or limiter(store, "invite code")
    tries.check()
    code = normalise_invite_code(invite_code)
    if not code and normalise_resume_code(invite_code):
        raise SignInError(RESUME_CODE_AS_INVITE, field="invite code")
    resume_code = new_resume_code()
    found = claim(hash_secret(code), hash_secret(resume_code)) if code else None
    if found is None:
        tries.failed()
        raise SignInError(_held_elsewhere(store, code, here) or unknown, field="invite code")
    if not found.claimed:
        raise SignInError(USED_INVITE, field="invite code")
    return found, resume_code


def _resumed(
    store: Store,
    resume_code: str,
    tries: TryLimiter | None,
    find: Callable[[str], FoundT | None],
    here: Holder,
) -> FoundT:
    """Whom a typed resume code signs in (as `find` looks them up by its hash);
    `SignInError` in words for every way it fails."""
    if not resume_code.strip():
        raise SignInError("Enter your resume code.", field="resume code")
    tries = tries or limiter(store, "resume code")
    tries.check()
    code = normalise_resume_code(resume_code)
    if not code and normalise_invite_code(resume_code):
        raise SignInError(INVITE_CODE_AS_RESUME, field="resume code")
    found = find(hash_secret(code)) if code else None
    if found is None:
        tries.failed()
        raise SignInError(
            _held_elsewhere(store, code, here)
            or "That resume code is not known. Check it and try again.",
            field="resume code",
        )
    return found


def _issue_resume_code(store: Store, workshop: Workshop, participant: Participant) -> Identity:
    return Identity(workshop, participant, reset_resume_code(store, workshop.code, participant.id))


def resume(store: Store, resume_code: str, *, tries: TryLimiter | None = None) -> Identity:
    """Sign in again, from any browser, with a resume code.

    A wrong code counts against `tries` (by default this page's count for `store`).
    """
    workshop_code, participant = _resumed(
        store, resume_code, tries, store.participant_by_resume_hash, "participant"
    )
    return Identity(store.workshop(workshop_code), participant)


def reset_resume_code(store: Store, workshop_code: str, participant_id: str) -> str:
    """Issue a participant a new resume code (their facilitator does, when it is lost).

    The old code stops working at once, also in browsers that stay signed in with it; the
    new one is returned to be handed over, and stored only hashed.
    """
    code = new_resume_code()
    store.set_resume_code_hash(workshop_code, participant_id, hash_secret(code))
    return code


def reset_invite_codes(
    store: Store, workshop_code: str, participant_ids: Sequence[str]
) -> dict[str, str]:
    """Issue these participants new invite codes, by id, in one step: their old ones stop
    working at once. The codes are returned to be handed over (this is the only moment
    they exist in plain), and stored only hashed."""
    codes = {participant_id: new_invite_code() for participant_id in participant_ids}
    store.set_invite_code_hashes(
        workshop_code, {participant_id: hash_secret(c) for participant_id, c in codes.items()}
    )
    return codes


def reset_invite_code(store: Store, workshop_code: str, participant_id: str) -> str:
    """Issue one participant a new invite code (see `reset_invite_codes`)."""
    return reset_invite_codes(store, workshop_code, [participant_id])[participant_id]


def hub_sign_in(store: Store, hub_user: str, join_code: str | None = None) -> Identity:
    """Sign in as JupyterHub's user: the hub has already checked who they are.

    A hub user is the participant whose hub user name (the roster's `hub_user` column,
    assigned by the facilitator) is exactly theirs, and nobody else: never a participant
    whose name or email merely looks like it, since on a hub with open sign-up anyone can
    register any name. A hub user the roster does not name is told so; when the hub lets
    newcomers in, it has added them to the workshop under their hub user name before their
    server started (see deploy/jupyterhub).
    """
    if join_code:
        workshop = _workshop(store, join_code)
    else:
        workshops = store.workshops()
        if len(workshops) != 1:
            raise SignInError("Enter the workshop's join code.", field="join code")
        workshop = workshops[0]
    found = store.participant_by_hub_user(workshop.code, hub_user)
    if found is None:
        raise SignInError(
            f"You are signed in to the hub as '{_quoted(hub_user)}', but no participant of "
            f"{workshop.name} has that hub user name. Ask your facilitator to add it to your "
            "row of the roster (the hub_user column) and import the roster again.",
            field="name",
        )
    return Identity(workshop, found)


# ---------------------------------------------------------------------------------------
# Mentors


MENTOR_CODE_HERE = (
    "That is a mentor's code: mentors sign in on the mentor's page (For mentors), not here."
)
PARTICIPANT_CODE_HERE = (
    "That is a participant's code: participants sign in on the worksheets' page, not on the "
    "mentor's page."
)


@dataclass(frozen=True)
class MentorIdentity:
    """A signed-in mentor; `new_resume_code` is set once, on first sign-in."""

    workshop: Workshop
    mentor: MentorProfile
    new_resume_code: str | None = None


def _held_elsewhere(store: Store, code: str, here: Holder) -> str | None:
    """The message for a code that belongs to someone of the other kind, or None."""
    holder = store.code_holder(hash_secret(code)) if code else None
    if holder is None or holder == here:
        return None
    return MENTOR_CODE_HERE if holder == "mentor" else PARTICIPANT_CODE_HERE


def claim_mentor_invite(
    store: Store, invite_code: str, *, tries: TryLimiter | None = None
) -> MentorIdentity:
    """Sign in for the first time as the mentor whose invite code this is (as
    `claim_invite` does for a participant: the code works once)."""
    found, resume_code = _claimed(
        store, invite_code, tries, store.claim_mentor_invite, "mentor", UNKNOWN_MENTOR_INVITE
    )
    return MentorIdentity(store.workshop(found.workshop), found.mentor, resume_code)


UNKNOWN_MENTOR_INVITE = (
    "That invite code is not known. Check it against your invitation, or ask the workshop's "
    "facilitator for a new one."
)


def mentor_resume(
    store: Store, resume_code: str, *, tries: TryLimiter | None = None
) -> MentorIdentity:
    """Sign in again as a mentor, from any browser, with their resume code."""
    workshop_code, mentor = _resumed(
        store, resume_code, tries, store.mentor_by_resume_hash, "mentor"
    )
    return MentorIdentity(store.workshop(workshop_code), mentor)


def reset_mentor_invite_codes(
    store: Store, workshop_code: str, emails: Sequence[str]
) -> dict[str, str]:
    """Issue these mentors new invite codes, by email, in one step (their old ones stop
    working); returned to be handed over, stored only hashed."""
    codes = {email: new_invite_code() for email in emails}
    store.set_mentor_invite_code_hashes(
        workshop_code, {email: hash_secret(c) for email, c in codes.items()}
    )
    return codes


def reset_mentor_resume_code(store: Store, workshop_code: str, email: str) -> str:
    """Issue a mentor a new resume code (when lost); the old one stops working at once."""
    code = new_resume_code()
    store.set_mentor_resume_code_hash(workshop_code, email, hash_secret(code))
    return code


def mentor_hub_sign_in(store: Store, hub_user: str) -> MentorIdentity:
    """Sign a mentor in as JupyterHub's user, as `hub_sign_in` does a participant: the
    mentor whose roster row carries exactly this hub user name, in whichever workshop of
    the database names them (a hub serves one cohort; a name in two is refused in words)."""
    found = [
        (workshop, mentor)
        for workshop in store.workshops()
        if (mentor := store.mentor_by_hub_user(workshop.code, hub_user)) is not None
    ]
    if not found:
        raise SignInError(
            f"You are signed in to the hub as '{_quoted(hub_user)}', but no mentor of this "
            "workshop has that hub user name. Ask your facilitator to add it to your row of "
            "the mentor roster (the hub_user column) and import the roster again.",
            field="name",
        )
    if len(found) > 1:
        names = ", ".join(workshop.name for workshop, _ in found)
        raise SignInError(
            f"The hub user name '{_quoted(hub_user)}' is a mentor's in more than one workshop "
            f"({names}). Ask your facilitator to keep it in one of them.",
            field="name",
        )
    workshop, mentor = found[0]
    return MentorIdentity(workshop, mentor)


#: A facilitator's sign-in refused: the same words whether the join code or the key is wrong.
FACILITATOR_REFUSAL = "That join code and facilitator key do not match."
FACILITATOR_MISSING = "Enter the join code and the facilitator key."


def facilitator_sign_in(store: Store, join_code: str, key: str, *, pause: float) -> Workshop:
    """The workshop whose join code and facilitator key these are.

    Refused (`SignInError`) in the same words whether the code or the key is wrong, so the
    page tells nobody which workshops exist; a refusal counts against this page's tries of
    facilitator keys for `store` and holds for `pause` seconds, and too many refuse every
    try for a while (`TooManyTries`), a right one too.
    """
    if not join_code.strip() or not key.strip():
        raise SignInError(FACILITATOR_MISSING, field="facilitator key")
    code = normalise_join_code(join_code)
    tries = limiter(store, "facilitator key")
    tries.check()
    try:
        if code and store.facilitator_key_matches(code, hash_secret(key)):
            return store.workshop(code)
    except NotFound:
        pass  # an unknown join code reads exactly like a wrong key
    tries.failed(pause=pause)
    raise SignInError(FACILITATOR_REFUSAL, field="facilitator key")
