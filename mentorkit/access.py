"""Secrets a workshop hands out, and how often a wrong one may be tried.

Facilitator keys (192 random bits) and resume codes (80 random bits, short enough to
write down; see `mentorkit.identity`) are stored only as `hash_secret(secret)`. Wrong join
codes, resume codes and facilitator keys cost a pause, and after `MAX_FAILURES` of them within
`FAILURE_WINDOW_SECONDS` every try is refused for `LOCK_SECONDS`.

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

The stored hashes are plain SHA-256: with that much randomness there is nothing a
dictionary or a brute-force search could find, so a slow, salted hash would only cost time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Literal

from mentorkit.errors import MentorkitError

log = logging.getLogger("mentorkit")

FACILITATOR_KEY_BYTES = 24  # 192 bits of randomness

#: What a refused try was guessing; each has its own count.
Secret = Literal["join code", "resume code", "facilitator key"]

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


class TooManyTries(MentorkitError):
    """Tries are refused for a while after too many wrong ones."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(TOO_MANY_TRIES)


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
    ) -> None:
        self.secret = secret
        self.max_failures = max_failures
        self.window = window
        self.lock = lock
        self.pause = pause
        self.clock = clock
        self.sleep = sleep
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
            raise TooManyTries(remaining)

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
            raise TooManyTries(self.lock)


_limiters: weakref.WeakKeyDictionary[object, dict[str, TryLimiter]] = weakref.WeakKeyDictionary()
_limiters_mutex = threading.Lock()


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
    secret. Beyond `capacity` addresses the least recently seen are forgotten, so that a
    flood of addresses cannot fill the memory. `clock` and `sleep` go to every limiter."""

    def __init__(
        self,
        *,
        max_failures: int = ADDRESS_MAX_FAILURES,
        capacity: int = ADDRESS_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_failures = max_failures
        self.capacity = capacity
        self.clock = clock
        self.sleep = sleep
        self._by_address: OrderedDict[str, dict[str, TryLimiter]] = OrderedDict()
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
