"""Access: unguessable secrets stored only as hashes, wrong tries slowed and then locked, and
the facilitator's apps (dashboard, matching, their exports) shut without the key."""

from __future__ import annotations

import base64
import json
import re
import secrets
from pathlib import Path

import ipywidgets as widgets
import pytest

from mentorkit import access, identity
from mentorkit.access import (
    FAILURE_WINDOW_SECONDS,
    LOCK_SECONDS,
    MAX_FAILURES,
    TOO_MANY_TRIES,
    TooManyTries,
    TryLimiter,
    hash_secret,
    limiter,
    new_facilitator_key,
)
from mentorkit.identity import (
    CROCKFORD_ALPHABET,
    RESUME_CODE_BYTES,
    SignInError,
    new_resume_code,
    normalise_resume_code,
    resume,
    sign_in,
)
from mentorkit.identity import FACILITATOR_REFUSAL as REFUSAL
from mentorkit.models import Participant
from mentorkit.store import open_store
from mentorkit.testing import widget_tree
from mentorkit.ui.dashboard import dashboard_app
from mentorkit.ui.facilitator import FacilitatorApp, facilitator_app
from mentorkit.ui.matching import matching_app
from mentorkit.workshops import create_workshop, ensure_demo

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class Clock:
    """A clock and a sleep for a limiter: time moves only when told to, or by a pause."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fake_time(store, clock: Clock) -> None:
    """This test's store counts wrong tries on `clock`, so nothing waits for real."""
    for secret in ("join code", "resume code", "facilitator key"):
        tries = limiter(store, secret)
        tries.clock, tries.sleep = clock, clock.sleep


@pytest.fixture
def workshop(store, clock):
    fake_time(store, clock)
    access = create_workshop(store, "Spring cohort")
    store.import_roster(
        access.workshop.code,
        participants=[Participant(name="Ada Quill", email="ada@example.org")],
    )
    return access


# ---------------------------------------------------------------------------------------
# The secrets


def crockford_value(code: str) -> int:
    """The number a resume code spells in Crockford's base32."""
    value = 0
    for symbol in normalise_resume_code(code).replace("-", ""):
        value = value * 32 + CROCKFORD_ALPHABET.index(symbol)
    return value


def test_a_resume_code_is_80_bits_from_the_operating_systems_random_source(monkeypatch):
    drawn: list[bytes] = []
    draw = secrets.token_bytes

    def token_bytes(count: int) -> bytes:
        drawn.append(draw(count))
        return drawn[-1]

    monkeypatch.setattr(identity.secrets, "token_bytes", token_bytes)
    code = new_resume_code()
    assert [len(d) for d in drawn] == [RESUME_CODE_BYTES] and RESUME_CODE_BYTES * 8 == 80
    assert crockford_value(code) == int.from_bytes(drawn[0], "big")


def test_every_bit_of_a_resume_code_varies():
    """2000 codes: each of the 80 bits is set in roughly half of them (a fixed or
    half-random code would fail), and no code repeats."""
    codes = [new_resume_code() for _ in range(2000)]
    assert len(set(codes)) == len(codes)
    values = [crockford_value(code) for code in codes]
    for bit in range(RESUME_CODE_BYTES * 8):
        ones = sum(value >> bit & 1 for value in values)
        assert 800 < ones < 1200, bit  # 2000 fair coins: 1000 ± 4.5 standard deviations


def test_a_facilitator_key_is_192_bits_from_the_operating_systems_random_source(monkeypatch):
    drawn: list[int] = []
    draw = secrets.token_urlsafe

    def token_urlsafe(count: int) -> str:
        drawn.append(count)
        return draw(count)

    monkeypatch.setattr(access.secrets, "token_urlsafe", token_urlsafe)
    key = new_facilitator_key()
    assert drawn == [24]
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) * 8 == 192


def database_bytes(path: Path) -> bytes:
    """The SQLite file and its write-ahead log, as they are on disk."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def every_form(secret: str) -> list[bytes]:
    """The ways a secret could be written down: as shown, without dashes, in lower case."""
    plain = secret.replace("-", "")
    forms = {secret, plain, secret.lower(), plain.lower()}
    return [form.encode() for form in forms] + [form.encode("utf-16-le") for form in forms]


def test_resume_codes_and_facilitator_keys_are_only_in_the_database_as_hashes(tmp_path):
    path = tmp_path / "secrets.db"
    store = open_store(f"sqlite:///{path}")
    try:
        created = create_workshop(store, "Spring cohort")
        demo = ensure_demo(store)
        ada = sign_in(store, created.workshop.code, "Ada Quill")
        again = resume(store, ada.new_resume_code)
        assert again.participant == ada.participant
        secrets_issued = [created.facilitator_key, demo.facilitator_key, ada.new_resume_code]
        on_disk = database_bytes(path)
        for secret in secrets_issued:
            for form in every_form(secret):
                assert form not in on_disk, secret
        # The search can find what is there: each secret's hash is stored.
        for secret in (created.facilitator_key, ada.new_resume_code):
            assert hash_secret(secret).encode() in on_disk
    finally:
        store.close()
    for secret in secrets_issued:  # and after the log is folded into the file
        for form in every_form(secret):
            assert form not in database_bytes(path)


# ---------------------------------------------------------------------------------------
# The limiter


def test_each_wrong_try_pauses_and_too_many_lock_with_a_plain_message(clock):
    tries = TryLimiter("resume code", clock=clock, sleep=clock.sleep)
    for _ in range(MAX_FAILURES - 1):
        tries.check()
        tries.failed()
    assert clock.pauses == [access.PAUSE_SECONDS] * (MAX_FAILURES - 1)
    with pytest.raises(TooManyTries) as raised:
        tries.failed()
    assert str(raised.value) == TOO_MANY_TRIES == "Too many tries. Wait a minute, then try again."
    with pytest.raises(TooManyTries):
        tries.check()  # even before looking at what was typed


def test_the_lock_lifts_after_a_minute(clock):
    tries = TryLimiter("join code", clock=clock, sleep=clock.sleep, pause=0)
    for _ in range(MAX_FAILURES - 1):
        tries.failed()
    with pytest.raises(TooManyTries):
        tries.failed()
    clock.now += LOCK_SECONDS - 1
    with pytest.raises(TooManyTries) as raised:
        tries.check()
    assert raised.value.retry_after == pytest.approx(1)
    clock.now += 1
    tries.check()


def test_after_a_lock_each_further_wrong_try_locks_again_until_the_window_passes(clock):
    tries = TryLimiter("resume code", clock=clock, sleep=clock.sleep, pause=0)
    for _ in range(MAX_FAILURES - 1):
        tries.failed()
    with pytest.raises(TooManyTries):
        tries.failed()
    clock.now += LOCK_SECONDS
    tries.check()
    with pytest.raises(TooManyTries):
        tries.failed()  # one try a minute, not five, while the old ones are remembered
    clock.now += FAILURE_WINDOW_SECONDS
    tries.check()
    tries.failed()  # forgotten: a fresh start


def test_a_right_answer_does_not_clear_the_count(workshop, store, clock):
    """With a code of one's own, resetting the count between guesses would be free."""
    ada = sign_in(store, workshop.workshop.code, "Ada Quill")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError):
            resume(store, new_resume_code())
        resume(store, ada.new_resume_code)
    with pytest.raises(TooManyTries):
        resume(store, new_resume_code())


def test_wrong_resume_codes_pause_then_lock_even_the_right_one(workshop, store, clock):
    ada = sign_in(store, workshop.workshop.code, "Ada Quill")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError, match="That resume code is not known"):
            resume(store, new_resume_code())
    assert clock.pauses == [access.PAUSE_SECONDS] * (MAX_FAILURES - 1)
    with pytest.raises(TooManyTries, match=re.escape(TOO_MANY_TRIES)):
        resume(store, "not a code at all")
    with pytest.raises(TooManyTries):
        resume(store, ada.new_resume_code)
    clock.now += LOCK_SECONDS
    assert resume(store, ada.new_resume_code).participant == ada.participant


def test_wrong_join_codes_pause_then_lock(workshop, store, clock):
    for wrong in ["ZZZZ-ZZZZ", "zzzz zzzz", "hello", "x" * 1_000_000]:
        with pytest.raises(SignInError, match="No workshop has the join code"):
            sign_in(store, wrong, "Ada Quill")
    assert len(clock.pauses) == 4
    with pytest.raises(TooManyTries):
        sign_in(store, "QQQQ-QQQQ", "Ada Quill")
    with pytest.raises(TooManyTries):
        sign_in(store, workshop.workshop.code, "Cleo Marsh")  # locked: the right one waits
    clock.now += LOCK_SECONDS
    assert sign_in(store, workshop.workshop.code.lower(), "Cleo Marsh").participant.name == (
        "Cleo Marsh"
    )


def test_a_wrong_code_message_quotes_a_short_clean_excerpt(workshop, store):
    with pytest.raises(SignInError) as raised:
        sign_in(store, "\u202e" + "A" * 5000 + "\x00", "Ada Quill")
    message = str(raised.value)
    assert len(message) < 200 and "\u202e" not in message and "\x00" not in message


def test_empty_fields_are_not_counted_as_tries(workshop, store, clock):
    for _ in range(MAX_FAILURES * 2):
        with pytest.raises(SignInError, match="Enter"):
            resume(store, "   ")
        with pytest.raises(SignInError, match="Enter the workshop's join code"):
            sign_in(store, "  ", "Ada Quill")
    assert clock.pauses == []
    assert limiter(store, "resume code").locked_for() == 0


def test_each_kind_of_secret_and_each_page_has_its_own_count(workshop, store, clock, tmp_path):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError):
            resume(store, new_resume_code())
    with pytest.raises(TooManyTries):
        resume(store, new_resume_code())
    # Join codes are counted apart: a typo in one does not cost tries of the other.
    assert sign_in(store, workshop.workshop.code, "Cleo Marsh").participant.name == "Cleo Marsh"
    # A page opens its own store: Voilà runs each page in a process of its own, so a new
    # tab starts from zero (see mentorkit.access for why that is enough).
    other_page = open_store(f"sqlite:///{tmp_path / 'unit.db'}")
    try:
        assert limiter(other_page, "resume code") is not limiter(store, "resume code")
        fake_time(other_page, clock)
        with pytest.raises(SignInError, match="not known"):
            resume(other_page, new_resume_code())
    finally:
        other_page.close()


# ---------------------------------------------------------------------------------------
# The facilitator's apps


def build_probe(calls: list[str]):
    def build(session) -> widgets.Widget:
        calls.append(session.workshop.code)
        return widgets.HTML(f"the view of {session.workshop.name}")

    return build


def test_wrong_facilitator_keys_pause_then_lock_even_the_right_one(workshop, store, clock):
    calls: list[str] = []
    app = facilitator_app("dashboard", build_probe(calls), store=store, environ={})
    for _ in range(MAX_FAILURES - 1):
        app.join.value, app.key.value = workshop.workshop.code, "a guess"
        app.sign_in_button.click()
        assert REFUSAL in app.notice.value and app.key.value == ""
    assert clock.pauses == [1.0] * (MAX_FAILURES - 1)
    app.join.value, app.key.value = "ZZZZ-ZZZZ", "another guess"
    app.sign_in_button.click()
    assert TOO_MANY_TRIES in app.notice.value
    app.join.value, app.key.value = workshop.workshop.code, workshop.facilitator_key
    app.sign_in_button.click()
    assert TOO_MANY_TRIES in app.notice.value and calls == [] and app.session is None
    assert app.key.value == ""  # not left in the page while locked either
    clock.now += LOCK_SECONDS
    app.join.value, app.key.value = workshop.workshop.code, workshop.facilitator_key
    app.sign_in_button.click()
    assert calls == [workshop.workshop.code] and app.notice.value == ""


def test_an_empty_facilitator_form_is_a_prompt_not_a_try(workshop, store, clock):
    app = facilitator_app("matching", build_probe([]), store=store, environ={})
    for _ in range(MAX_FAILURES * 2):
        app.sign_in_button.click()
    assert "Enter the join code and the facilitator key." in app.notice.value
    assert clock.pauses == []


@pytest.mark.parametrize("app_function", [dashboard_app, matching_app])
def test_the_dashboard_and_matching_show_nothing_without_the_key(workshop, store, app_function):
    app = app_function(store=store, environ={"QUERY_STRING": f"join={workshop.workshop.code}"})
    assert isinstance(app, FacilitatorApp)
    assert app.view is None and app.session is None
    page = json.dumps([w.get_state() for w in widget_tree(app)], default=str)
    assert "Spring cohort" not in page and "Ada Quill" not in page
    assert "download=" not in page  # the exports are part of the views, not of the gate
    app.key.value = new_facilitator_key()
    app.sign_in_button.click()
    assert app.view is None and REFUSAL in app.notice.value
    app.key.value = workshop.facilitator_key
    app.sign_in_button.click()
    assert app.view is not None
    shown = "".join(w.value for w in widget_tree(app) if isinstance(w, widgets.HTML))
    assert "Spring cohort" in shown


def notebook_code(path: Path) -> str:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
    )


def test_every_served_page_that_reads_the_workshop_goes_through_a_sign_in(store):
    """What Voilà serves is notebooks/: each page is one app behind its sign-in, and none
    reaches the store, the exports or the command line any other way. (`mentorkit export`
    runs on the server, for whoever holds the database: see mentorkit.access.)"""
    from mentorkit.ui.mentor_app import MentorApp
    from mentorkit.ui.shell import WorksheetApp

    pages = sorted(NOTEBOOKS.rglob("*.ipynb"))
    assert len(pages) >= 9
    for page in pages:
        code = notebook_code(page)
        found = re.fullmatch(r"from (mentorkit\.ui\.\w+) import (\w+)\n\n(\w+)\(\)\n?", code)
        assert found and found[2] == found[3], f"{page.name}: {code!r}"
        module = __import__(found[1], fromlist=[found[2]])
        if found[2] == "landing_page":
            continue  # links and descriptions only
        app = getattr(module, found[2])(store=store, environ={})
        if "facilitator" in page.parts:
            expected: type = FacilitatorApp
        elif page.name == "mentor.ipynb":
            expected = MentorApp
        else:
            expected = WorksheetApp
        assert isinstance(app, expected), page.name
        assert app.view is None, page.name  # nothing before someone signs in


def test_a_store_that_cannot_be_weakly_referenced_still_gets_a_count():
    class Unhashable:
        __hash__ = None  # as a dataclass with eq=True is

    first, second = Unhashable(), Unhashable()
    assert limiter(first, "resume code") is limiter(second, "resume code")
    assert limiter(first, "resume code") is not limiter(first, "join code")


def test_a_new_database_file_is_readable_by_its_owner_only(tmp_path):
    """Everyone's answers are in it: other users of a shared server cannot read it."""
    import stat

    from mentorkit.store import open_store

    path = tmp_path / "fresh" / "workshop.db"
    store = open_store(f"sqlite:///{path}")
    try:
        store.workshops()
        for produced in [path, *tmp_path.glob("fresh/workshop.db-*")]:
            assert stat.S_IMODE(produced.stat().st_mode) & 0o077 == 0, produced
    finally:
        store.close()
