"""Sign-in abuse against a real `mentorkit serve`: claiming a rostered person without their
invite code, reading the roster from the sign-in messages, flooding the workshop with new
participants, and clicking "Start" again after sign-in.

The server's own sign-in page is attacked with plain HTTP POSTs, each test from a loopback
address of its own (127.0.0.x), since new participants are counted per client address. The
kernel's form is attacked through a real page: its widget messages are captured on their
way to the kernel and the "Start" click is sent again, as a hostile page would.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from person import Person
from playwright.sync_api import Page, WebSocketRoute, expect

from mentorkit.access import NEWCOMERS_PER_ADDRESS, NEWCOMERS_PER_PAGE, TOO_MANY_NEWCOMERS
from mentorkit.identity import EMAIL_AS_NAME, reset_invite_codes, resume
from mentorkit.models import Participant
from mentorkit.store import open_store
from mentorkit.testing import free_port, stop_process_group
from mentorkit.workshops import create_workshop

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.prefix) / "bin"
ROSTER = [
    Participant(name="Ada Quill", email="ada@example.org"),
    Participant(name="Bo Strand", email="bo@example.org"),
]
WAIT_MS = 60_000


@dataclass
class Served:
    base_url: str
    port: int
    database: str
    join_code: str
    invites: dict[str, str]  # by email
    log: Path

    def people(self) -> list[Participant]:
        with open_store(self.database) as store:
            return store.participants(self.join_code)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`mentorkit serve` on a free port with a workshop whose two participants were
    invited (their codes known to the test, as to the people who got the invitations)."""
    folder = tmp_path_factory.mktemp("sign-in-abuse")
    database = f"sqlite:///{folder / 'abuse.db'}"
    with open_store(database) as store:
        code = create_workshop(store, "Abuse cohort").workshop.code
        store.import_roster(code, participants=ROSTER)
        ids = {p.email: p.id for p in store.participants(code)}
        codes = reset_invite_codes(store, code, list(ids.values()))
    invites = {email: codes[pid] for email, pid in ids.items()}
    port = free_port()
    log = folder / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MENTORKIT_DB": database}
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "mentorkit"), "--db", database, "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited:\n{log.read_text()}")
            try:
                if get(port, "/start").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer:\n{log.read_text()}")
            time.sleep(0.5)
        yield Served(f"http://127.0.0.1:{port}", port, database, code, invites, log)
    finally:
        stop_process_group(process)


@dataclass
class Answer:
    status: int
    location: str
    cookie: str
    body: str


def request(
    port: int, method: str, path: str, body: str = "", *, source: str = "127.0.0.1"
) -> Answer:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=60, source_address=(source, 0)
    )
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        cookie = response.getheader("Set-Cookie") or ""
        found = re.search(r"mentorkit_resume=([^;]+)", cookie)
        return Answer(
            response.status,
            response.getheader("Location") or "",
            found[1] if found else "",
            response.read().decode("utf-8", "replace"),
        )
    finally:
        connection.close()


def get(port: int, path: str) -> Answer:
    return request(port, "GET", path)


def post_sign_in(served: Served, source: str, **fields: str) -> Answer:
    """The sign-in page's form sent as a script would: "Start" with these fields."""
    form = {"step": "01_self_assessment", "action": "join", **fields}
    return request(served.port, "POST", "/start", urlencode(form), source=source)


def signed_in_as(served: Served, answer: Answer) -> Participant:
    assert answer.status == 303, answer.body[-2000:]
    with open_store(served.database) as store:
        return resume(store, answer.cookie).participant


# -- the server's own sign-in page ----------------------------------------------------------


def test_a_rostered_name_or_email_without_the_invite_code_adds_only_a_newcomer(served):
    source = "127.0.0.11"
    by_name = post_sign_in(served, source, join=served.join_code, who="Ada Quill")
    stranger = signed_in_as(served, by_name)
    assert stranger.email is None  # a newcomer called Ada Quill, not Ada
    by_email = post_sign_in(served, source, join=served.join_code, who="ada@example.org")
    assert by_email.status == 200 and not by_email.cookie
    assert escape(EMAIL_AS_NAME) in by_email.body

    ada = next(p for p in served.people() if p.email == "ada@example.org")
    with open_store(served.database) as store:
        assert store.resume_code_hash(served.join_code, ada.id) is None  # never claimed

    # The real Ada, with the code from her invitation (and nothing else), is herself.
    claimed = post_sign_in(served, source, invite=served.invites["ada@example.org"].lower())
    assert signed_in_as(served, claimed) == ada
    assert "welcome=1" in claimed.location


def visible_text(page: str, typed: str) -> str:
    """The page without what was typed (it is shown again in its field)."""
    return page.replace(escape(typed), "TYPED")


def test_the_messages_are_the_same_for_rostered_and_unrostered_people(served):
    source = "127.0.0.12"
    pages = {}
    for email in ("bo@example.org", "nobody@example.org"):
        answer = post_sign_in(served, source, join=served.join_code, who=email)
        assert answer.status == 200 and not answer.cookie
        pages[email] = visible_text(answer.body, email)
    assert pages["bo@example.org"] == pages["nobody@example.org"]
    assert "signed in before" not in pages["bo@example.org"]
    assert "not on this workshop" not in pages["bo@example.org"]

    # A rostered name and a name nobody has both just join as someone new.
    for name in ("Bo Strand", "Nobody Here"):
        assert signed_in_as(served, post_sign_in(served, source, join=served.join_code, who=name))
        newcomers = [p for p in served.people() if p.name == name and p.email is None]
        assert len(newcomers) == 1


def test_quick_sign_ins_from_one_address_add_at_most_the_limit(served):
    source = "127.0.0.13"
    before = len(served.people())
    answers: list[Answer] = []

    def sign_in(number: int) -> None:
        answers.append(
            post_sign_in(served, source, join=served.join_code, who=f"Spam Person {number}")
        )

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    added = len(served.people()) - before
    assert added == NEWCOMERS_PER_ADDRESS
    assert sum(1 for a in answers if a.status == 303) == NEWCOMERS_PER_ADDRESS
    refused = [a for a in answers if a.status != 303]
    assert refused and all(escape(TOO_MANY_NEWCOMERS) in a.body for a in refused)
    # Invited people are not held up by it.
    claimed = post_sign_in(served, source, invite=served.invites["bo@example.org"])
    assert signed_in_as(served, claimed).email == "bo@example.org"


# -- the kernel's form ------------------------------------------------------------------------


def test_clicks_sent_to_the_closed_kernel_form_add_nobody(served, page: Page):
    """A page signs in on the worksheet's own form, then sends the "Start" click again and
    again over its kernel connection, as a hostile page would."""
    name = "Clicking Person"
    sent: list[tuple[WebSocketRoute, str | bytes]] = []

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def outgoing(message: str | bytes) -> None:
            sent.append((server, message))
            server.send(message)

        socket.on_message(outgoing)

    page.route_web_socket(re.compile(r".*/api/kernels/.*/channels.*"), route)
    page.goto(f"{served.base_url}/voila/render/01_self_assessment.ipynb", timeout=WAIT_MS)
    person = Person(page, name="clicks-on-the-closed-form", reload_probability=0)
    person.type("Join code", served.join_code)
    person.type("Your name", name)
    person.click(person.button("Start"))
    expect(page.locator(".mentorkit-who")).to_contain_text(name, timeout=WAIT_MS)

    clicks = [(server, m) for server, m in sent if _is_click(m)]
    assert len(clicks) == 1, "the Start click was not seen on its way to the kernel"
    server, click_message = clicks[0]
    for _ in range(25):
        server.send(_again(click_message))

    # Typing into the worksheet and seeing it saved: the kernel has handled every message
    # sent before, the clicks included.
    person.type("Career goal (1–3 years)", "Lead a team")
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=WAIT_MS)
    assert [p.name for p in served.people()].count(name) == 1
    assert NEWCOMERS_PER_PAGE > 1  # without the closed form, a click would add someone
    page.close(run_before_unload=True)


def _again(message: str | bytes) -> str | bytes:
    """The same message with a message id of its own (a message seen before, signature and
    all, is refused by the kernel as a replay; a page makes new ones). The id keeps its
    length, so the binary protocol's offsets stay right."""
    if isinstance(message, str):
        return re.sub(r'"msg_id"\s*:\s*"[^"]*"', f'"msg_id":"{uuid.uuid4()}"', message, count=1)
    found = re.search(rb'"msg_id":"([0-9a-f-]{36})"', message)
    assert found, message[:300]
    return message.replace(found[1], str(uuid.uuid4()).encode(), 1)


def _is_click(message: str | bytes) -> bool:
    data = message.encode() if isinstance(message, str) else message
    return b'"comm_msg"' in data and re.search(rb'"event"\s*:\s*"click"', data) is not None
