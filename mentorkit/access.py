"""Secrets a workshop hands out, and how often a wrong one may be tried.

Facilitator keys (192 random bits), resume codes (80 random bits, short enough to write
down; see `mentorkit.identity`) and invite codes (75 random bits) are stored only as
`hash_secret(secret)`. Wrong join, invite and resume codes and facilitator keys cost a
pause, and after `MAX_FAILURES` of them within `FAILURE_WINDOW_SECONDS` every try is refused
for `LOCK_SECONDS`.

Where the counts live, and why that is enough: Voilà runs every page visit in a kernel
process of its own, and the counts live in that process (one `TryLimiter` per kind of
secret and per database the process opened), so opening a new tab starts from zero. A
count shared through the database was weighed and left out:

* it would not make guessing feasible or infeasible: a resume code is one of 2**80
  and a facilitator key one of 2**192. A guess is a page's widget message answered by a
  kernel, a few thousand a second for a whole server at best; even at a million a
  second, spread over any number of tabs, hitting any one of 10 000 participants' codes
  takes millions of years (2**80 / 10**4 / 10**6 seconds), and a facilitator key longer
  than the age of the universe. Join codes (40 bits) are not secrets: they are read out
  in the room and let someone join, never read anyone's answers;
* it could only be keyed by what a kernel knows: Voilà does not pass the visitor's
  address to the kernel (and a workshop room shares one address behind its router), so
  the key would be the workshop, and then any participant, who knows the join code,
  could lock the facilitator out of the dashboard in the middle of the session;
* a new tab already costs far more than a try in an open one (a kernel start, about a
  second of server time, and a place in Voilà's kernel pool), so the limiter takes
  away the cheap path: many guesses over one page's widget channel.

The sign-in page the standalone server renders itself (`mentorkit.jupyter.pages`) runs no
kernel: there a try is one HTTP request, so the server holds the counts, one per client
address and kind of secret (`TriesByAddress`). A workshop room usually reaches the server
through one router, so one address: its limit is the room's, `ADDRESS_MAX_FAILURES` wrong
tries, enough for a room's typos in the first minutes, far too few for a search.

New participants (the join code and a name) are counted too, since each takes a place on
the roster and in the matching: `page_newcomers` per page (kernel), and on the server's own
sign-in page `TriesByAddress.newcomers` per client address and `workshop_newcomers` per
workshop. Beyond a count, `TooManyTries` says to wait and nobody is added. Invite codes are
not counted as new participants: they claim an entry that exists.

The stored hashes are plain SHA-256: with that much randomness there is nothing a
dictionary or a brute-force search could find, so a slow, salted hash would only cost time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from typing import Literal

from mentorkit.errors import MentorkitError

log = logging.getLogger("mentorkit")

FACILITATOR_KEY_BYTES = 24  # 192 bits of randomness

#: What a refused try was guessing; each has its own count.
Secret = Literal["join code", "resume code", "facilitator key", "invite code"]

#: How long a wrong try holds the page before its refusal is shown.
PAUSE_SECONDS = 1.0
#: Wrong tries within `FAILURE_WINDOW_SECONDS` that lock further tries.
MAX_FAILURES = 5
#: How long wrong tries are remembered.
FAILURE_WINDOW_SECONDS = 10 * 60.0
#: How long tries are refused after the last wrong one once `MAX_FAILURES` are reached.
LOCK_SECONDS = 60.0

#: Wrong tries from one client address within the window that lock its tries (a room
#: behind one router shares an address: see the module docstring).
ADDRESS_MAX_FAILURES = 30
#: Client addresses whose counts a server keeps at most (the least recently seen go first).
ADDRESS_CAPACITY = 10_000

TOO_MANY_TRIES = "Too many tries. Wait a minute, then try again."


def _configured(variable: str, default: int) -> int:
    """A whole number from the environment (a server's setting), else `default`."""
    text = os.environ.get(variable, "").strip()
    try:
        return max(1, int(text)) if text else default
    except ValueError:
        log.warning("mentorkit: %s=%r is not a whole number; using %d", variable, text, default)
        return default


#: New participants one page (a kernel's sign-in form, signed out and in again) may add
#: within `NEWCOMER_WINDOW_SECONDS`.
NEWCOMERS_PER_PAGE = 2
#: New participants one client address may add through the server's sign-in page within
#: `NEWCOMER_WINDOW_SECONDS`. Rostered participants sign in with their invite codes, which
#: this does not count: it is the walk-ins of one room behind one router. A room that joins
#: by name only (no roster) through one router needs it raised to its size:
#: MENTORKIT_NEWCOMERS_PER_ADDRESS in the server's environment.
NEWCOMERS_PER_ADDRESS = _configured("MENTORKIT_NEWCOMERS_PER_ADDRESS", 5)
NEWCOMER_WINDOW_SECONDS = 10 * 60.0
#: New participants a whole workshop takes through the server's sign-in page within
#: `WORKSHOP_NEWCOMER_WINDOW_SECONDS`: a room joining at once, not a script
#: (MENTORKIT_NEWCOMERS_PER_WORKSHOP in the server's environment).
NEWCOMERS_PER_WORKSHOP = _configured("MENTORKIT_NEWCOMERS_PER_WORKSHOP", 30)
WORKSHOP_NEWCOMER_WINDOW_SECONDS = 60.0


def room_newcomer_limits(expect: int, environ: Mapping[str, str]) -> dict[str, str]:
    """The newcomer limits of a server started for a room of `expect` people opening the
    link together (`mentorkit serve --expect`): the room may join at once even from one
    address (one router, one proxy, or the server bound to this machine), so each limit is
    at least the room's size; a limit set in `environ` is kept as it is."""
    limits = {
        "MENTORKIT_NEWCOMERS_PER_ADDRESS": max(NEWCOMERS_PER_ADDRESS, expect),
        "MENTORKIT_NEWCOMERS_PER_WORKSHOP": max(NEWCOMERS_PER_WORKSHOP, expect),
    }
    return {name: str(value) for name, value in limits.items() if not environ.get(name, "").strip()}


TOO_MANY_NEWCOMERS = (
    "Several people have just joined the workshop from here. Wait a few minutes, then press "
    "Start again, or ask your facilitator. Got an invite code? Enter it instead: it is not "
    "limited."
)
WORKSHOP_BUSY = (
    "Many people are joining the workshop right now. Wait a minute, then press Start again."
)


class TooManyTries(MentorkitError):
    """Tries are refused for a while after too many wrong ones (or too many new
    participants were added); the message says what to do."""

    def __init__(self, retry_after: float, message: str = TOO_MANY_TRIES) -> None:
        self.retry_after = retry_after
        super().__init__(message)


def new_facilitator_key() -> str:
    """A fresh facilitator key, shown once and stored only as `hash_secret(key)`."""
    return secrets.token_urlsafe(FACILITATOR_KEY_BYTES)


def hash_secret(secret: str) -> str:
    """The stored form of a random secret (see the module docstring for why SHA-256)."""
    data = secret.strip().encode("utf-8", "surrogatepass")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def verify_secret(secret: str, stored_hash: str) -> bool:
    """Whether `secret` matches `stored_hash`, compared in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


class TryLimiter:
    """Counts wrong tries of one kind of secret: each one pauses, too many lock for a while.

    A right answer does not clear the count: with a code of their own, someone could
    otherwise reset it between guesses at other people's. Old wrong tries fall out of the
    count after `window` seconds. `clock` and `sleep` are injectable so tests need not wait.

    The same count limits how often something may be done at all (participants added):
    `take` counts one, with no pause, or refuses with `message` once `max_failures` are
    within the window (see `rate_limiter`).
    """

    def __init__(
        self,
        secret: str,
        *,
        max_failures: int = MAX_FAILURES,
        window: float = FAILURE_WINDOW_SECONDS,
        lock: float = LOCK_SECONDS,
        pause: float = PAUSE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        message: str = TOO_MANY_TRIES,
    ) -> None:
        self.secret = secret
        self.max_failures = max_failures
        self.window = window
        self.lock = lock
        self.pause = pause
        self.clock = clock
        self.sleep = sleep
        self.message = message
        self._failures: deque[float] = deque()
        self._mutex = threading.Lock()  # widget callbacks may run on other threads

    def _forget_old(self, now: float) -> None:
        while self._failures and self._failures[0] <= now - self.window:
            self._failures.popleft()

    def locked_for(self) -> float:
        """Seconds until tries are accepted again (0 when they are now)."""
        with self._mutex:
            now = self.clock()
            self._forget_old(now)
            if len(self._failures) < self.max_failures:
                return 0.0
            return max(0.0, self._failures[-1] + self.lock - now)

    def check(self) -> None:
        """Before a try: `TooManyTries` while locked, so even a right answer waits."""
        remaining = self.locked_for()
        if remaining > 0:
            raise TooManyTries(remaining, self.message)

    def take(self) -> None:
        """Count one use (no pause), or raise `TooManyTries` while locked, counting nothing;
        check and count are one step, so two threads cannot both take the last one."""
        with self._mutex:
            now = self.clock()
            self._forget_old(now)
            if len(self._failures) >= self.max_failures:
                remaining = self._failures[-1] + self.lock - now
                if remaining > 0:
                    raise TooManyTries(remaining, self.message)
            self._failures.append(now)

    def failed(self, *, pause: float | None = None) -> None:
        """After a wrong try: count it, hold for the pause, and raise `TooManyTries` if
        this was one too many (the caller's own refusal is shown otherwise)."""
        with self._mutex:
            now = self.clock()
            self._forget_old(now)
            self._failures.append(now)
            count = len(self._failures)
        self.sleep(self.pause if pause is None else pause)
        if count >= self.max_failures:
            log.warning(
                "mentorkit: %d wrong %ss within %.0f s on one page; tries refused for %.0f s",
                count,
                self.secret,
                self.window,
                self.lock,
            )
            raise TooManyTries(self.lock, self.message)


_limiters: weakref.WeakKeyDictionary[object, dict[str, TryLimiter]] = weakref.WeakKeyDictionary()
_limiters_mutex = threading.Lock()


def rate_limiter(
    what: str,
    most: int,
    window: float,
    message: str,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> TryLimiter:
    """A count that lets `take` succeed at most `most` times within `window` seconds, then
    refuses with `message` until the window has passed since the last one taken."""
    return TryLimiter(
        what, max_failures=most, window=window, lock=window, pause=0.0, clock=clock, message=message
    )


def page_newcomers(store: object) -> TryLimiter:
    """This process's (this page's) count of participants added through its sign-in form."""
    with _limiters_mutex:
        try:
            per_store = _limiters.setdefault(store, {})
        except TypeError:
            per_store = _limiters.setdefault(_Process, {})
        if "new participant" not in per_store:
            per_store["new participant"] = rate_limiter(
                "new participant", NEWCOMERS_PER_PAGE, NEWCOMER_WINDOW_SECONDS, TOO_MANY_NEWCOMERS
            )
        return per_store["new participant"]


class _Process:
    """The key of the counts of stores `limiter` cannot key by (the class lives as long as
    the process)."""


def limiter(store: object, secret: Secret) -> TryLimiter:
    """This process's count of wrong tries of `secret` against `store`.

    A kernel opens one store for its page, so this is the page's count; tests, which open
    a store each, get a fresh count each. Replace its `clock` and `sleep` to test it.
    """
    with _limiters_mutex:
        try:
            per_store = _limiters.setdefault(store, {})
        except TypeError:  # a store that cannot be weakly referenced: one count per process
            per_store = _limiters.setdefault(_Process, {})
        if secret not in per_store:
            per_store[secret] = TryLimiter(secret)
        return per_store[secret]


class TriesByAddress:
    """A server's counts of wrong tries: one `TryLimiter` per client address and kind of
    secret, and of participants added: per client address, and per workshop. Beyond
    `capacity` addresses (or workshops) the least recently seen are forgotten, so that a
    flood of addresses cannot fill the memory. `clock` and `sleep` go to every limiter."""

    def __init__(
        self,
        *,
        max_failures: int = ADDRESS_MAX_FAILURES,
        capacity: int = ADDRESS_CAPACITY,
        newcomers_per_address: int = NEWCOMERS_PER_ADDRESS,
        newcomers_per_workshop: int = NEWCOMERS_PER_WORKSHOP,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_failures = max_failures
        self.capacity = capacity
        self.newcomers_per_address = newcomers_per_address
        self.newcomers_per_workshop = newcomers_per_workshop
        self.clock = clock
        self.sleep = sleep
        self._by_address: OrderedDict[str, dict[str, TryLimiter]] = OrderedDict()
        self._by_workshop: OrderedDict[str, TryLimiter] = OrderedDict()
        self._mutex = threading.Lock()

    def limiter(self, address: str, secret: Secret) -> TryLimiter:
        """The count of wrong tries of `secret` from `address`."""
        with self._mutex:
            per_address = self._by_address.pop(address, None) or {}
            self._by_address[address] = per_address
            while len(self._by_address) > self.capacity:
                self._by_address.popitem(last=False)
            if secret not in per_address:
                per_address[secret] = TryLimiter(
                    secret, max_failures=self.max_failures, clock=self.clock, sleep=self.sleep
                )
            return per_address[secret]

    def newcomers(self, address: str) -> TryLimiter:
        """The count of participants added from `address` (`NEWCOMERS_PER_ADDRESS` within
        `NEWCOMER_WINDOW_SECONDS` by default)."""
        with self._mutex:
            per_address = self._by_address.pop(address, None) or {}
            self._by_address[address] = per_address
            while len(self._by_address) > self.capacity:
                self._by_address.popitem(last=False)
            if "new participant" not in per_address:
                per_address["new participant"] = rate_limiter(
                    "new participant",
                    self.newcomers_per_address,
                    NEWCOMER_WINDOW_SECONDS,
                    TOO_MANY_NEWCOMERS,
                    clock=self.clock,
                )
            return per_address["new participant"]

    def workshop_newcomers(self, code: str) -> TryLimiter:
        """The count of participants added to workshop `code` through this server's page
        (`NEWCOMERS_PER_WORKSHOP` within `WORKSHOP_NEWCOMER_WINDOW_SECONDS` by default)."""
        with self._mutex:
            found = self._by_workshop.pop(code, None) or rate_limiter(
                "new participant in the workshop",
                self.newcomers_per_workshop,
                WORKSHOP_NEWCOMER_WINDOW_SECONDS,
                WORKSHOP_BUSY,
                clock=self.clock,
            )
            self._by_workshop[code] = found
            while len(self._by_workshop) > self.capacity:
                self._by_workshop.popitem(last=False)
            return found
