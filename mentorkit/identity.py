"""Who is filling the worksheets: sign-in with a join code, resume codes, JupyterHub users.

A participant signs in the first time with the workshop's join code and their name or
email, and receives a personal resume code (80 random bits, stored only hashed). From then
on only the resume code signs them in, so knowing someone's name is not enough to read
their answers. Wrong join codes and resume codes are counted per page (see
`mentorkit.access`): each costs a pause, and too many lock the sign-in for a minute.

A resume code is written to be copied by hand: 16 characters of Crockford's base32 (the
digits and the letters but I, L, O and U, so nothing looks like something else) in four
groups, `7KQM-2XPA-H9RD-4TZB`. Typed, case, spaces and dashes do not matter, and the
look-alikes are read as what they look like (O as 0, I and L as 1). Codes issued before
this format (28 characters of RFC 4648 base32, 136 bits) still sign in, as they were typed.
A facilitator can issue a participant a new code (`reset_resume_code`); the old one stops
working at once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from mentorkit.access import TryLimiter, hash_secret, limiter
from mentorkit.errors import InvalidInput, MentorkitError, NotFound
from mentorkit.models import JOIN_CODE_ALPHABET, Participant, Workshop, excerpt, validate
from mentorkit.store import Store

RESUME_CODE_BYTES = 10  # 80 bits: 16 characters of 5 bits, four groups of four
#: Crockford's base32: digits and capitals without I, L, O and U.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: What a typed look-alike stands for.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: The length of a code issued before the Crockford format (136 bits of RFC 4648 base32).
LEGACY_RESUME_CODE_LENGTH = 28
#: Longest text quoted back in a message: enough to spot a typo, never a pasted page.
QUOTE_LIMIT = 60

_JOIN_CODE = re.compile(rf"[{JOIN_CODE_ALPHABET}]{{8}}")


#: The sign-in form's fields, as a message names the one it is about.
SignInField = Literal["join code", "name or email", "resume code"]


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


def new_resume_code() -> str:
    """A fresh resume code such as '7KQM-2XPA-H9RD-4TZB': 80 random bits, easy to copy by hand."""
    value = int.from_bytes(secrets.token_bytes(RESUME_CODE_BYTES), "big")
    symbols = RESUME_CODE_BYTES * 8 // 5
    raw = "".join(
        CROCKFORD_ALPHABET[(value >> (5 * (symbols - 1 - i))) & 31] for i in range(symbols)
    )
    return _grouped(raw)


def _grouped(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_resume_code(code: str) -> str:
    """The canonical form of a typed resume code, or '' if it cannot be one.

    Case, spaces, dashes and dots are ignored, and look-alikes read as what they look like
    ('7kqm 2xpa-h9rd 4tzb', '7KQM-2XPA-H9RD-4TZ8' with an O typed for the 0). A code of the
    earlier 28-character format keeps its own letters (it holds O, I and L, not 0 and 1).
    """
    letters = re.sub(r"[\s\-\u2010-\u2015._]", "", code[:200]).upper()
    if len(letters) == LEGACY_RESUME_CODE_LENGTH and re.fullmatch(r"[A-Z2-7]+", letters):
        return _grouped(letters)
    letters = letters.translate(_LOOK_ALIKES)
    if len(letters) == RESUME_CODE_BYTES * 8 // 5 and all(c in CROCKFORD_ALPHABET for c in letters):
        return _grouped(letters)
    return ""


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


def _issue_resume_code(store: Store, workshop: Workshop, participant: Participant) -> Identity:
    return Identity(workshop, participant, reset_resume_code(store, workshop.code, participant.id))


def _claim(store: Store, workshop: Workshop, participant: Participant) -> Identity:
    if store.resume_code_hash(workshop.code, participant.id) is not None:
        raise SignInError(
            f"{participant.name} has signed in before: enter the resume code shown at the "
            "first sign-in under 'Been here before?', or ask your facilitator to reset it "
            "(they give you a new code).",
            field="name or email",
        )
    return _issue_resume_code(store, workshop, participant)


def sign_in(store: Store, join_code: str, who: str, *, tries: TryLimiter | None = None) -> Identity:
    """First sign-in by join code and name or email; joins as a new participant if unknown.

    A wrong join code counts against `tries` (by default this page's count for `store`).
    """
    workshop = _workshop(store, join_code, tries)
    who = " ".join(who.split())
    if not who:
        raise SignInError("Enter your name or email.", field="name or email")
    if "@" in who:
        found = store.find_participant(workshop.code, who)
        if found is None:
            raise SignInError(
                f"'{_quoted(who)}' is not on this workshop's list. Check the spelling, or sign "
                "in with your name to join.",
                field="name or email",
            )
        return _claim(store, workshop, found)
    named = [p for p in store.participants(workshop.code) if p.name.casefold() == who.casefold()]
    if len(named) > 1:
        raise SignInError(
            f"More than one participant is called {_quoted(who)}: sign in with your email.",
            field="name or email",
        )
    if named:
        return _claim(store, workshop, named[0])
    try:
        newcomer = validate(Participant, {"name": who})
    except InvalidInput as exc:
        problem = "; ".join(exc.problems).split(": ", 1)[-1]
        raise SignInError("Your name " + problem, field="name or email") from None
    store.add_participant(workshop.code, newcomer)
    return _issue_resume_code(store, workshop, newcomer)


def resume(store: Store, resume_code: str, *, tries: TryLimiter | None = None) -> Identity:
    """Sign in again, from any browser, with a resume code.

    A wrong code counts against `tries` (by default this page's count for `store`).
    """
    if not resume_code.strip():
        raise SignInError("Enter your resume code.", field="resume code")
    tries = tries or limiter(store, "resume code")
    tries.check()
    code = normalise_resume_code(resume_code)
    found = store.participant_by_resume_hash(hash_secret(code)) if code else None
    if found is None:
        tries.failed()
        raise SignInError(
            "That resume code is not known. Check it and try again.", field="resume code"
        )
    workshop_code, participant = found
    return Identity(store.workshop(workshop_code), participant)


def reset_resume_code(store: Store, workshop_code: str, participant_id: str) -> str:
    """Issue a participant a new resume code (their facilitator does, when it is lost).

    The old code stops working at once, also in browsers that stay signed in with it; the
    new one is returned to be handed over, and stored only hashed.
    """
    code = new_resume_code()
    store.set_resume_code_hash(workshop_code, participant_id, hash_secret(code))
    return code


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
            field="name or email",
        )
    return Identity(workshop, found)
