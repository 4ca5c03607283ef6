"""What a participant does in every app: open it, sign in, wait for the save."""

from __future__ import annotations

from playwright.sync_api import Page, expect

HOSTILE = "<img src=x onerror=alert(1)>"
LOAD_TIMEOUT_MS = 120_000


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


def wait_until_saved(page: Page) -> None:
    """Wait for the save indicator to say 'Saved hh:mm:ss' with nothing pending."""
    expect(page.locator(".mentorkit-save-saved")).to_be_visible(timeout=30_000)


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
    page.set_viewport_size({"width": size["width"], "height": min(height + 200, 16_000)})
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)
