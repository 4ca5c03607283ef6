"""What a participant and a facilitator do in every app: open it, sign in, wait for the
save, reload. Everything is done by a `Person` (person.py), never by Playwright's own
`click`/`fill`; sign-in lives here, so that the driver knows nothing of it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from person import LOAD_TIMEOUT_MS, Person
from playwright.sync_api import Dialog, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from mentorkit.testing import free_port, stop_process_group, unavailable

__all__ = [
    "DESKTOP",
    "HOSTILE",
    "LOAD_TIMEOUT_MS",
    "PHONE",
    "ServedDemo",
    "Visit",
    "download",
    "facilitator_sign_in",
    "first_visit",
    "no_dialogs",
    "open_app",
    "serve_demo",
    "sign_in_again",
    "sign_in_first_time",
    "sign_out",
    "still_signed_in",
    "wait_for_http",
    "wait_until_saved",
    "watch_console",
    "write_notebook",
]

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)>"
#: The windows the tests look through: a laptop, and a phone held upright.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class ServedDemo:
    """A running `make serve` and what it printed."""

    base_url: str
    landing_url: str
    join_code: str
    facilitator_key: str
    database_url: str


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> int:
    """The HTTP status of `url` once the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def write_notebook(path: Path, *sources: str) -> None:
    """A notebook of one code cell per source, for a server a test starts on its own."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.write(notebook, path)


#: Every browser of a run reaches the server from 127.0.0.1 and joins by name, like a room
#: behind one router with no roster: a test server's newcomer limits are the room's.
ROOM_LIMITS = {
    "MENTORKIT_NEWCOMERS_PER_ADDRESS": "1000",
    "MENTORKIT_NEWCOMERS_PER_WORKSHOP": "1000",
}


def start_logged(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server from the repository in a session of its own (so that stopping it
    stops its kernels too), everything it prints going to `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextlib.contextmanager
def serve_demo(folder: Path) -> Iterator[ServedDemo]:
    """`make serve` (a demo workshop) on a free port with a throw-away database in
    `folder`, stopped on the way out."""
    if shutil.which("make") is None:
        unavailable("make is not installed")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    port = free_port()
    process = start_logged(
        ["make", "--no-print-directory", "serve", f"PORT={port}", f"VENV={sys.prefix}"],
        {**os.environ, "MENTORKIT_DB": database_url, **ROOM_LIMITS},
        folder / "serve.log",
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        landing_url = f"{base_url}/"
        wait_for_http(landing_url, process)
        printed = (folder / "serve.log").read_text()
        join_code = re.search(r"Join code:\s+(\S+)", printed)
        key = re.search(r"Facilitator key:\s+(\S+)", printed)
        assert join_code and key, printed
        assert landing_url in printed, printed
        yield ServedDemo(base_url, landing_url, join_code[1], key[1], database_url)
    finally:
        stop_process_group(process)


def open_app(page: Page | Person, base_url: str, notebook: str, query: str = "") -> None:
    """Open an app (typing its address, following a bookmark) and wait until its first
    widget is on the page."""
    page = page.page if isinstance(page, Person) else page
    page.goto(f"{base_url}/voila/render/{notebook}{query}", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app").first).to_be_visible(timeout=LOAD_TIMEOUT_MS)


def sign_in_first_time(person: Person, join_code: str, who: str) -> str:
    """Join with the join code and a name; returns the resume code shown."""
    person.type("Join code", join_code)
    person.type("Your name", who)
    person.click(person.button("Start"))
    code = person.page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=SIGN_IN_TIMEOUT_MS)
    return code.inner_text().strip()


def sign_in_again(person: Person, resume_code: str) -> None:
    """Sign in with a resume code, as a returning participant does; nothing to do when the
    page already knows who they are."""
    page = person.page
    who = page.locator(".mentorkit-who")
    resume_field = person.field("Resume code")
    expect(who.or_(resume_field).first).to_be_visible(timeout=SIGN_IN_TIMEOUT_MS)
    if who.is_visible():
        return
    person.type(resume_field, resume_code)
    person.click(person.button("Continue"))
    expect(who).to_be_visible(timeout=SIGN_IN_TIMEOUT_MS)


def sign_out(person: Person) -> None:
    """Press "Sign out" (a shared computer) and wait for the sign-in form."""
    person.click(person.button("Sign out"))
    expect(person.field("Resume code")).to_be_visible(timeout=SIGN_IN_TIMEOUT_MS)


def still_signed_in(person: Person) -> None:
    """After a reload or on another worksheet, the browser has kept the sign-in: the page
    names the participant without asking again."""
    expect(
        person.page.locator(".mentorkit-who"), "the page asks to sign in again after a reload"
    ).to_be_visible(timeout=LOAD_TIMEOUT_MS)


def facilitator_sign_in(person: Person, served: ServedDemo, notebook: str, key: str) -> None:
    """Open a facilitator app with the join code in the link and type the key."""
    open_app(person, served.base_url, notebook, f"?join={served.join_code}")
    expect(person.field("Join code")).to_have_value(served.join_code)
    person.type("Facilitator key", key)
    person.click(person.button("Sign in"))


def wait_until_saved(page: Page | Person) -> None:
    """Wait for the save indicator to say 'Saved hh:mm:ss' with nothing pending.

    The 'Saved' of an earlier change may still be showing while the latest one travels to
    the kernel, so first give the page a moment to say 'Saving…' (it does so for at least
    the autosave delay); a change saved already, or none made, just costs that moment.
    """
    page = page.page if isinstance(page, Person) else page
    with contextlib.suppress(PlaywrightTimeoutError):
        page.locator(".mentorkit-save-pending").wait_for(state="visible", timeout=2_000)
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=30_000)


def answer_the_end_survey(
    person: Person, scores: tuple[str | None, str | None, str | None], comment: str
) -> None:
    """Answer the open end survey by keyboard, as a participant on Check-ins or a mentor on
    their page (the same labels): the three questions' `scores` as their options read (None:
    left unanswered), then the comment; wait until it is saved."""
    page = person.page
    survey = page.locator(".mentorkit-survey")
    person.reach(survey.locator("h2, h3").first)
    expect(survey).to_contain_text("End survey", timeout=30_000)
    for question, score in zip(
        ("meeting as agreed", "useful", "would recommend"), scores, strict=True
    ):
        if score is not None:
            person.choose(f"End survey: {question}", score)
    person.type("End survey: comments", comment)
    wait_until_saved(person)


def download(person: Person, link: str, folder: Path) -> Path:
    """Click the download link named `link` and keep the file in `folder` under the name
    the page suggested (what a browser would save it as)."""
    with person.page.expect_download() as info:
        person.click(person.link(link))
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def watch_console(page: Page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def no_dialogs(page: Page) -> list[str]:
    """Record any alert() a hostile string managed to run."""
    opened: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


@dataclass(frozen=True)
class Visit:
    """A participant working in one tab: their resume code and what the page reported.

    Made by `first_visit`, which also tells the person what to check after a reload of
    theirs (`Person.maybe_reload`): the page still knows who they are."""

    person: Person
    served: ServedDemo
    resume_code: str
    console_errors: list[str]
    dialogs: list[str]

    @property
    def page(self) -> Page:
        return self.person.page

    def resume(self, person: Person | None = None) -> None:
        """Sign in again with the resume code (if the page asks), then wait for the app."""
        sign_in_again(person or self.person, self.resume_code)

    def reload_and_resume(self) -> None:
        """Reload the page (Voilà starts a new kernel): the browser keeps the sign-in."""
        self.person.reload("reload_and_resume")

    def open_and_resume(self, notebook: str) -> None:
        """Go on to another app: the browser keeps the sign-in there too."""
        open_app(self.page, self.served.base_url, notebook)
        still_signed_in(self.person)

    def assert_clean(self) -> None:
        """No hostile string became an element or ran alert(), and the console stayed quiet."""
        assert self.page.locator(".mentorkit-app img").count() == 0
        assert self.dialogs == []
        assert self.console_errors == [], self.console_errors


def first_visit(person: Person, served: ServedDemo, notebook: str, who: str) -> Visit:
    """Watch the page, open `notebook` and sign in for the first time as `who`."""
    console_errors = watch_console(person.page)
    dialogs = no_dialogs(person.page)
    open_app(person, served.base_url, notebook)
    resume_code = sign_in_first_time(person, served.join_code, who)
    visit = Visit(person, served, resume_code, console_errors, dialogs)
    person.after_reload = still_signed_in
    return visit
