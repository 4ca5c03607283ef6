"""What the page script (enhance.js in the Voilà template) and the apps' stylesheet do for a
person, in a browser whose clock is in Berlin while the server runs in UTC:

* every time shows in the person's own time zone, with the date when it is not today;
* a field with a length limit refuses the character past it and counts what is typed;
* a field with a problem is marked invalid and linked to its message, until it is fixed;
* Arabic typed into a field, and shown back in the page, reads and aligns right to left;
* secondary buttons look like buttons, and no empty status strip sits under the page.

One server, started here with `mentorkit serve`'s own command, serves a small notebook
made for these tests (built from the apps' own parts and stylesheet) and a copy of a real
app. The person reaches every element by scrolling with the mouse wheel and types with
the keyboard.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_helpers import (
    DESKTOP,
    LOAD_TIMEOUT_MS,
    PHONE,
    wait_for_http,
    watch_console,
    write_notebook,
)
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from mentorkit.cli import NOTEBOOKS_DIR, ROOT, serve_command, serve_env
from mentorkit.testing import ServedProcess, free_port

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
#: A moment that is never "today": 23:30 in UTC, already the next day in Berlin.
PAST = datetime(2020, 3, 1, 23, 30, tzinfo=UTC)
REAL_APP = "01_self_assessment.ipynb"
WAIT_MS = 60_000
ARABIC = "مرحبا بكم في ورشة العمل"

#: The notebook made for these tests; {now} is the moment shown as "today".
ENHANCED_NOTEBOOK = """
from datetime import datetime
from html import escape

import ipywidgets as w

from mentorkit.ui.fields import Fields

from mentorkit.ui.html import time_html
from mentorkit.ui.shell import STYLE

NOW = datetime.fromisoformat({now!r})
PAST = datetime.fromisoformat({past!r})
fields = Fields("9rem")

times = w.HTML(
    f"<p>Saved {{time_html(NOW)}}</p>"
    f"<p>Exactly {{time_html(NOW, seconds=True)}}</p>"
    f"<p>Last activity {{time_html(PAST)}}</p>"
)
times.add_class("times")
later = w.HTML()
later.add_class("later")
show_later = w.Button(description="Show another time")
show_later.on_click(lambda _: setattr(later, "value", f"<p>Then {{time_html(PAST)}}</p>"))

motto = fields.text("Motto", "", "Twenty characters at most", width="28rem")
motto.add_class("mentorkit-max-20")
fill = w.Button(description="Fill the motto")
fill.on_click(lambda _: setattr(motto, "value", "fifteen letters"))

nickname = fields.text("Nickname", "", "Letters only", width="28rem")
nickname.add_class("mentorkit-field-nickname")
problem = w.HTML()


def check_nickname(change):
    if any(character.isdigit() for character in change["new"]):
        nickname.add_class("mentorkit-invalid")
        problem.value = (
            '<p id="mentorkit-problem-nickname" class="mentorkit-error">'
            "Nickname: use letters only, without digits.</p>"
        )
    else:
        nickname.remove_class("mentorkit-invalid")
        problem.value = ""


nickname.observe(check_nickname, "value")

note = fields.textarea("Note", "", "A few lines")
note.add_class("mentorkit-max-200")
echo = w.HTML()
echo.add_class("echo")
note.observe(lambda change: setattr(echo, "value", f"<p>{{escape(change['new'])}}</p>"), "value")

primary = w.Button(description="Primary", button_style="primary")
secondary = w.Button(description="Secondary")
app = w.VBox(
    [
        w.HTML(f"<style>{{STYLE}}</style><h1>Page enhancements</h1>"),
        times,
        show_later,
        later,
        motto,
        fill,
        nickname,
        problem,
        note,
        echo,
        w.HBox([primary, secondary]),
    ]
)
app.add_class("mentorkit-app")
app
"""


# -- a person's hands ------------------------------------------------------------------


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def in_viewport(page: Page, locator: Locator) -> bool:
    size = page.viewport_size or DESKTOP
    where = box(locator)
    return where["y"] >= 0 and where["y"] + where["height"] <= size["height"]


def reach(page: Page, locator: Locator, *, turns: int = 60) -> Locator:
    """Scroll with the mouse wheel until `locator` is wholly inside the window."""
    expect(locator).to_be_visible(timeout=WAIT_MS)
    size = page.viewport_size or DESKTOP
    page.mouse.move(size["width"] / 2, size["height"] / 2)
    for _ in range(turns):
        if in_viewport(page, locator):
            return locator
        below = box(locator)["y"] > 0
        page.mouse.wheel(0, 150 if below else -150)
        page.wait_for_timeout(50)
    raise AssertionError(f"the wheel did not bring {locator} into the window")


def type_into(page: Page, field: Locator, text: str) -> None:
    """Click into the field, once it is in the window, and type `text` key by key."""
    reach(page, field).click()
    page.keyboard.type(text, delay=10)


def press(page: Page, button: Locator) -> None:
    reach(page, button).click()


# -- the server --------------------------------------------------------------------------


@dataclass
class Served(ServedProcess):
    """The server of this module, and the demo workshop's join code."""

    join_code: str = field(kw_only=True)


@pytest.fixture(scope="module")
def now() -> datetime:
    """The moment the test notebook shows as "today" (in Berlin as in UTC, but for a few
    minutes around midnight)."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, now: datetime) -> Iterator[Served]:
    """`mentorkit serve`'s Voilà, in UTC, on the test notebook and a copy of a real app."""
    folder = tmp_path_factory.mktemp("enhanced")
    database_url = f"sqlite:///{folder / 'demo.db'}"
    demo = subprocess.run(
        [sys.executable, "-m", "mentorkit.cli", "--db", database_url, "demo"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    join_code = re.search(r"Join code:\s+(\S+)", demo.stdout)
    assert join_code, demo.stdout
    pages = folder / "pages"
    pages.mkdir()
    source = ENHANCED_NOTEBOOK.format(now=now.isoformat(), past=PAST.isoformat())
    write_notebook(pages / "enhanced.ipynb", source)
    shutil.copy(NOTEBOOKS_DIR / REAL_APP, pages / REAL_APP)
    port = free_port()
    command = [
        str(pages) if arg == str(NOTEBOOKS_DIR) else arg for arg in serve_command("127.0.0.1", port)
    ]
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**serve_env(database_url), "TZ": "UTC"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(f"http://127.0.0.1:{port}", process, log, join_code=join_code[1])
    try:
        wait_for_http(f"{server.base_url}/voila/static/voila.js", process)
        yield server
    finally:
        server.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser whose clock is in Berlin, as a participant's laptop in Germany."""
    opened = browser.new_context(timezone_id="Europe/Berlin", viewport=DESKTOP)
    yield opened
    for page in opened.pages:
        page.close(run_before_unload=True)
    opened.close()


def open_page(context: BrowserContext, served: Served, notebook: str) -> Page:
    page = context.new_page()
    page.goto(served.url(notebook), timeout=LOAD_TIMEOUT_MS)
    expect(page.locator(".mentorkit-app")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    return page


def berlin(moment: datetime, pattern: str) -> str:
    return f"{moment.astimezone(BERLIN):{pattern}}"


# -- the tests ---------------------------------------------------------------------------


def test_times_show_in_the_browsers_time_zone_with_the_date_when_not_today(
    context: BrowserContext, served: Served, now: datetime
):
    page = open_page(context, served, "enhanced.ipynb")
    errors = watch_console(page)
    times = page.locator(".times time.mentorkit-time")
    expect(times).to_have_count(3, timeout=WAIT_MS)
    assert berlin(now, "%H:%M") != f"{now:%H:%M}"  # the server's clock would be wrong
    expect(times.nth(0)).to_have_text(berlin(now, "%H:%M"))
    expect(times.nth(1)).to_have_text(berlin(now, "%H:%M:%S"))
    expect(times.nth(2)).to_have_text("2 Mar 2020, 00:30")
    assert "Europe/Berlin" in (times.nth(2).get_attribute("title") or "")

    # A time the kernel shows later, after the page has loaded, is shown the same way.
    press(page, page.get_by_role("button", name="Show another time"))
    expect(page.locator(".later time")).to_have_text("2 Mar 2020, 00:30", timeout=WAIT_MS)
    assert errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_a_limited_field_refuses_the_character_past_its_limit_and_counts(
    context: BrowserContext, served: Served, viewport: dict[str, int], screenshots: Path
):
    page = open_page(context, served, "enhanced.ipynb")
    page.set_viewport_size(viewport)
    errors = watch_console(page)
    motto = page.get_by_label("Motto")
    counter = page.locator(".mentorkit-max-20 .mentorkit-counter")
    expect(motto).to_have_attribute("maxlength", "20", timeout=WAIT_MS)
    expect(counter).to_have_text("0 / 20")

    # A value the kernel sets is counted too.
    press(page, page.get_by_role("button", name="Fill the motto"))
    expect(counter).to_have_text("15 / 20", timeout=WAIT_MS)

    reach(page, motto).click()
    page.keyboard.press("Control+A")
    page.keyboard.type("abcdefghijklmnopqrstu", delay=10)  # 21 characters
    expect(motto).to_have_value("abcdefghijklmnopqrst")
    expect(counter).to_have_text("20 / 20")
    # Said once, politely, when the limit is reached; the count itself is not live.
    live = page.locator(".mentorkit-max-20 [aria-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_have_text("Limit reached: 20 characters.")
    assert counter.get_attribute("aria-live") is None

    # Each counter sits under its field's right end, inside the window, over nothing else
    # (the text area has a fixed height, and its label wraps above it at 390 px).
    note = page.get_by_label("Note")
    pairs = [
        (motto, counter, page.get_by_role("button", name="Fill the motto")),
        (note, page.locator(".mentorkit-max-200 .mentorkit-counter"), page.locator(".echo")),
    ]
    for limited, its_counter, next_one in pairs:
        reach(page, its_counter)
        typed, count = box(limited), box(its_counter)
        assert count["y"] >= typed["y"] + typed["height"] - 0.5, (limited, typed, count)
        assert abs((count["x"] + count["width"]) - (typed["x"] + typed["width"])) <= 1
        assert count["x"] >= 0 and count["x"] + count["width"] <= viewport["width"]
        assert box(next_one)["y"] >= count["y"] + count["height"] - 0.5, limited
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]
    page.screenshot(path=screenshots / f"length-limit-{viewport['width']}.png")
    assert errors == []


def test_a_field_with_a_problem_is_marked_and_linked_to_its_message_until_fixed(
    context: BrowserContext, served: Served
):
    page = open_page(context, served, "enhanced.ipynb")
    errors = watch_console(page)
    nickname = page.get_by_label("Nickname")
    type_into(page, nickname, "Ada2")
    expect(nickname).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
    expect(nickname).to_have_attribute("aria-describedby", "mentorkit-problem-nickname")
    expect(nickname).to_have_accessible_description("Nickname: use letters only, without digits.")

    page.keyboard.press("Backspace")
    expect(nickname).not_to_have_attribute("aria-invalid", re.compile(".*"), timeout=WAIT_MS)
    expect(nickname).not_to_have_attribute("aria-describedby", re.compile(".*"))
    expect(page.locator("#mentorkit-problem-nickname")).to_have_count(0)

    # Wrong again: marked again.
    page.keyboard.type("7", delay=10)
    expect(nickname).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
    expect(nickname).to_have_attribute("aria-describedby", "mentorkit-problem-nickname")
    assert errors == []


def test_arabic_typed_in_a_field_and_shown_back_reads_right_to_left(
    context: BrowserContext, served: Served, screenshots: Path
):
    page = open_page(context, served, "enhanced.ipynb")
    errors = watch_console(page)
    note = page.get_by_label("Note")
    expect(note).to_have_attribute("dir", "auto", timeout=WAIT_MS)
    expect(page.get_by_label("Motto")).to_have_attribute("dir", "auto")
    type_into(page, note, ARABIC)
    assert note.evaluate("e => e.matches(':dir(rtl)')")
    assert note.evaluate("e => getComputedStyle(e).textAlign") in {"start", "right"}

    shown = page.locator(".echo p")
    expect(shown).to_have_text(ARABIC, timeout=WAIT_MS)
    expect(shown).to_have_attribute("dir", "auto")
    assert shown.evaluate("e => e.matches(':dir(rtl)')")
    # The text sits against the paragraph's right edge, far from its left one.
    text_box = shown.evaluate(
        """e => {
          const range = document.createRange();
          range.selectNodeContents(e);
          const r = range.getBoundingClientRect();
          return {left: r.left, right: r.right};
        }"""
    )
    paragraph = box(shown)
    assert abs(text_box["right"] - (paragraph["x"] + paragraph["width"])) <= 2
    assert text_box["left"] - paragraph["x"] > paragraph["width"] / 3
    # English text in the same page still reads left to right.
    assert page.locator(".times p").first.evaluate("e => e.matches(':dir(ltr)')")
    page.screenshot(path=screenshots / "right-to-left.png")
    assert errors == []


#: The computed look of a button and of the page behind it.
BUTTON_LOOK = """e => {
  const style = getComputedStyle(e);
  const page = getComputedStyle(document.getElementById("main"));
  return {border: parseFloat(style.borderTopWidth), borderColor: style.borderTopColor,
          background: style.backgroundColor, page: page.backgroundColor};
}"""


def luminance(color: str) -> float:
    """The relative luminance of a CSS rgb()/rgba() colour (WCAG 2)."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", color)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize(
    ("notebook", "name"), [("enhanced.ipynb", "Secondary"), (REAL_APP, "Continue")]
)
def test_secondary_buttons_have_an_edge_and_a_face_of_their_own(
    context: BrowserContext, served: Served, notebook: str, name: str
):
    page = open_page(context, served, notebook)
    button = reach(page, page.get_by_role("button", name=name))
    look = button.evaluate(BUTTON_LOOK)
    assert look["border"] >= 1, look
    assert contrast(look["borderColor"], look["page"]) >= 3, look
    assert look["background"] != look["page"], look

    page.mouse.move(*center(box(button)))
    hovered = button.evaluate(BUTTON_LOOK)
    assert hovered["background"] != look["background"], (look, hovered)


def center(where: dict[str, float]) -> tuple[float, float]:
    return where["x"] + where["width"] / 2, where["y"] + where["height"] / 2


def test_no_status_strip_shows_until_there_is_something_to_say_and_then_it_stays_in_view(
    context: BrowserContext, served: Served, screenshots: Path
):
    page = open_page(context, served, REAL_APP)
    errors = watch_console(page)
    footer = page.locator(".mentorkit-footer")
    expect(page.get_by_role("button", name="Continue")).to_be_visible(timeout=WAIT_MS)
    assert footer.evaluate("e => e.getBoundingClientRect().height") == 0

    type_into(page, page.get_by_label("Join code"), served.join_code)
    type_into(page, page.get_by_label("Your name"), "Test Status Person")
    page.keyboard.press("Tab")
    press(page, page.get_by_role("button", name="Start"))
    expect(page.locator(".mentorkit-resume-code")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".mentorkit-save-status")).to_be_hidden()
    assert footer.evaluate("e => e.getBoundingClientRect().height") == 0

    type_into(page, page.get_by_label("Career goal (1–3 years)"), "Lead a small team")
    status = page.locator(".mentorkit-save-saved")
    expect(status).to_be_visible(timeout=WAIT_MS)
    # Scrolled back to the top, the status stays at the foot of the window.
    page.mouse.wheel(0, -20_000)
    expect(page.get_by_role("heading", name="Self-assessment", level=1)).to_be_in_viewport()
    where = box(footer)
    size = page.viewport_size or DESKTOP
    assert where["height"] > 0
    assert abs(where["y"] + where["height"] - size["height"]) <= 1, where
    page.screenshot(path=screenshots / "status-bar-1280.png")
    assert errors == []


def test_counters_and_marked_fields_add_no_serious_accessibility_problem(
    context: BrowserContext, served: Served
):
    page = open_page(context, served, "enhanced.ipynb")
    type_into(page, page.get_by_label("Motto"), "a" * 25)
    type_into(page, page.get_by_label("Nickname"), "R2D2")
    expect(page.get_by_label("Nickname")).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
    type_into(page, page.get_by_label("Note"), ARABIC)
    expect(page.locator(".echo p")).to_have_text(ARABIC, timeout=WAIT_MS)
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    found = [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert found == []
