"""What a participant does in every app: open it, sign in, wait for the save, reload."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

HOSTILE = "<img src=x onerror=alert(1)>"
LOAD_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class ServedDemo:
    """A running `make serve` and what it printed."""

    base_url: str
    landing_url: str
    join_code: str
    facilitator_key: str
    database_url: str


def open_app(page: Page, base_url: str, notebook: str, query: str = "") -> None:
    """Open an app and wait until its first widget is on the page."""
    page.goto(f"{base_url}/voila/render/{notebook}{query}", timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)


def sign_in_first_time(page: Page, join_code: str, who: str) -> str:
    """Sign in with the join code and a name or email; returns the resume code shown."""
    page.get_by_label("Join code").fill(join_code)
    page.get_by_label("Name or email").fill(who)
    page.get_by_role("button", name="Start").click()
    code = page.locator(".mentorkit-resume-code")
    expect(code).to_be_visible(timeout=30_000)
    return code.inner_text().strip()


def sign_in_again(page: Page, resume_code: str) -> None:
    """Sign in with a resume code, as a returning participant does."""
    page.get_by_label("Resume code").fill(resume_code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".mentorkit-who")).to_be_visible(timeout=30_000)


def sign_out(page: Page) -> None:
    """Press "Sign out" (a shared computer) and wait for the sign-in form."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Resume code")).to_be_visible(timeout=30_000)


def wait_until_saved(page: Page) -> None:
    """Wait for the save indicator to say 'Saved hh:mm:ss' with nothing pending.

    The 'Saved' of an earlier change may still be showing while the latest one travels to
    the kernel, so first give the page a moment to say 'Saving…' (it does so for at least
    the autosave delay); a change saved already, or none made, just costs that moment.
    """
    with contextlib.suppress(PlaywrightTimeoutError):
        page.locator(".mentorkit-save-pending").wait_for(state="visible", timeout=2_000)
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=30_000)


def download(page: Page, link: str, folder: Path) -> Path:
    """Click the download link named `link` and keep the file in `folder` under the name
    the page suggested (what a browser would save it as)."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
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

    def dismiss(dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def screenshot_app(page: Page, path: object) -> None:
    """A screenshot of the whole app: Voilà scrolls inside its own container, so the
    window is made as tall as the app for the shot, then put back."""
    size = page.viewport_size or {"width": 1280, "height": 720}
    height = page.locator(".mentorkit-app").evaluate("e => e.scrollHeight")
    tall = max(size["height"], min(height + 200, 16_000))
    page.set_viewport_size({"width": size["width"], "height": tall})
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


@dataclass(frozen=True)
class Visit:
    """A participant working in one tab: their resume code and what the page reported."""

    page: Page
    served: ServedDemo
    resume_code: str
    console_errors: list[str]
    dialogs: list[str]

    def reload_and_resume(self) -> None:
        """Reload the page (Voilà starts a new kernel): the browser keeps the sign-in."""
        self.page.reload()
        expect(self.page.locator(".mentorkit-who")).to_be_visible(timeout=LOAD_TIMEOUT_MS)

    def open_and_resume(self, notebook: str) -> None:
        """Go on to another app: the browser keeps the sign-in there too."""
        open_app(self.page, self.served.base_url, notebook)
        expect(self.page.locator(".mentorkit-who")).to_be_visible(timeout=LOAD_TIMEOUT_MS)

    def assert_clean(self) -> None:
        """No hostile string became an element or ran alert(), and the console stayed quiet."""
        assert self.page.locator(".mentorkit-app img").count() == 0
        assert self.dialogs == []
        assert self.console_errors == [], self.console_errors


def first_visit(page: Page, served: ServedDemo, notebook: str, who: str) -> Visit:
    """Watch the page, open `notebook` and sign in for the first time as `who`."""
    console_errors = watch_console(page)
    dialogs = no_dialogs(page)
    open_app(page, served.base_url, notebook)
    resume_code = sign_in_first_time(page, served.join_code, who)
    return Visit(page, served, resume_code, console_errors, dialogs)
