"""A person at the browser: the one way the browser tests touch a page.

Playwright on its own acts like a robot: `click()` and `fill()` scroll every element into
view by themselves, so a page that cannot be scrolled still passes, and `fill()` sets a
perfect value in one go. `Person` works the page the way people do:

* It reaches an element only by turning the mouse wheel over the page (`page.mouse.wheel`,
  notch by notch, looking again after every turn) or with the keyboard (PageDown, Space,
  End, Tab), and before it clicks or types it checks that the element is inside the window
  and that nothing covers it (`document.elementFromPoint` at the point it is about to click
  is the element or inside it: the sticky save status at the foot of the window can hide a
  field). Then it clicks with the mouse at that point (`page.mouse.click`).
* It types with the keyboard, one key every 10 ms, into the field its click focused; it
  selects all and types again, clears a field with the keyboard, or pastes (one
  `insertText`, as a paste arrives) when the text is long or is an attack a person would
  paste rather than type.
* Drop-downs: once the drop-down is on screen and uncovered, it chooses with
  `select_option`. The list a native <select> opens is drawn by the browser outside the
  page (Playwright can neither see nor click it), and type-ahead over labels with accents
  and shared prefixes is a test of Chromium, not of the apps; `select_option` sends the
  same input and change events a choice in that list sends.
* It reloads the page at random points (`maybe_reload`), from a seeded random generator so
  that a failure happens again with the same seed; what signs in again after a reload is
  the test's business (`after_reload`), so the driver knows nothing of sign-in.
* It takes named screenshots of what it sees into test-results/.

Environment: MENTORKIT_BROWSER_SEED (an integer) fixes the seed of every test;
MENTORKIT_BROWSER_RELOADS is "never", "always" or a probability (default 0.3).
"""

from __future__ import annotations

import math
import os
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
KEY_DELAY_MS = 10
#: One notch of a mouse wheel, in pixels (Chromium's step on Linux and Windows).
WHEEL_NOTCH = 100
#: Wheel turns or key presses before a person gives up looking for an element.
MAX_STEPS = 40
#: Turns in a row that move nothing before a person decides the page does not scroll.
STALLS = 3
LOAD_TIMEOUT_MS = 120_000
WAIT_MS = 30_000
DEFAULT_RELOAD_PROBABILITY = 0.3
#: Keys that scroll, with the key that scrolls back the other way.
SCROLL_KEYS = {"PageDown": "PageUp", "Space": "Shift+Space", "End": "Home"}

#: Where an element is, whether it fits the window, and what is on top of it at the point
#: a person would click (the middle of its visible part).
MEASURE = """(el) => {
  const r = el.getBoundingClientRect();
  const vw = window.innerWidth, vh = window.innerHeight;
  const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, vh);
  const left = Math.max(r.left, 0), right = Math.min(r.right, vw);
  const x = (left + right) / 2, y = (top + bottom) / 2;
  let hit = null;
  if (bottom > top && right > left) hit = document.elementFromPoint(x, y);
  const covered = hit !== null && !(hit === el || el.contains(hit) || hit.control === el);
  const describe = (e) => {
    if (!e) return "";
    const classes = typeof e.className === "string" ? e.className.trim().split(/\\s+/) : [];
    return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
      (classes.length && classes[0] ? "." + classes.join(".") : "");
  };
  const pinned = (e) => ["sticky", "fixed"].includes(getComputedStyle(e).position);
  let coverer = covered ? hit : null, sticky = false;
  for (let e = coverer; e && e !== document.body; e = e.parentElement) {
    if (pinned(e)) { coverer = e; sticky = true; break; }
  }
  const name = (el.labels && el.labels.length ? el.labels[0].textContent
      : el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 60);
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width,
          height: r.height, vw, vh, x, y, covered, coverer: describe(coverer),
          coverer_middle: coverer ? (coverer.getBoundingClientRect().top +
                                     coverer.getBoundingClientRect().bottom) / 2 : null,
          coverer_sticky: sticky,
          coverer_text: coverer ? (coverer.textContent || "").trim().slice(0, 60) : "",
          name, tag: el.tagName.toLowerCase()};
}"""

#: A point over the page's own scrolling box where a person rests the mouse to turn the
#: wheel: over text or a card, not over a field, a drop-down or anything else that would
#: take the wheel for itself.
WHEEL_SPOT = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const grabs = (e) => {
    for (; e && e !== document.body; e = e.parentElement) {
      if (["INPUT", "SELECT", "TEXTAREA", "IFRAME"].includes(e.tagName)) return true;
      const s = getComputedStyle(e);
      const scrolls = /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
      if (scrolls) return !(e.id === "rendered_cells");
    }
    return false;
  };
  for (const fy of [0.5, 0.35, 0.65, 0.2, 0.8]) {
    for (const fx of [0.5, 0.25, 0.75, 0.04, 0.96]) {
      const x = Math.round(vw * fx), y = Math.round(vh * fy);
      const hit = document.elementFromPoint(x, y);
      if (hit && !grabs(hit)) return {x, y};
    }
  }
  return {x: Math.round(vw / 2), y: Math.round(vh / 2)};
}"""

#: A point a person can click to put the keyboard back on the page itself: plain text or
#: empty space, nothing that reacts to a click (a label would tick its checkbox).
BLANK_SPOT = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const reacts = (e) => {
    for (; e && e !== document.body; e = e.parentElement) {
      if (["INPUT", "SELECT", "TEXTAREA", "BUTTON", "A", "LABEL", "SUMMARY", "IFRAME"]
          .includes(e.tagName) || e.isContentEditable || e.getAttribute("role") === "button"
          || e.tabIndex >= 0 && e.id !== "rendered_cells") return true;
      const s = getComputedStyle(e);
      if (["sticky", "fixed"].includes(s.position)) return true;
    }
    return false;
  };
  for (const fy of [0.5, 0.3, 0.7, 0.15, 0.85]) {
    for (const fx of [0.01, 0.99, 0.5, 0.25, 0.75]) {
      const x = Math.round(vw * fx), y = Math.round(vh * fy);
      const hit = document.elementFromPoint(x, y);
      if (hit && !reacts(hit)) return {x, y};
    }
  }
  return null;
}"""

#: Wait until the element has stopped moving: the scroll a wheel turn or a key started
#: may begin a frame or two later and may be animated.
SETTLE = """async (el) => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const at = () => el.getBoundingClientRect().top;
  const start = at();
  let last = start, still = 0;
  for (let i = 0; i < 240; i++) {
    await frame();
    const now = at();
    if (now === last) still++; else { still = 0; last = now; }
    if (still >= (last === start ? 6 : 3)) break;
  }
  return last;
}"""

#: What has the keyboard focus: its name, tag, value, whether it is in an app and shows a
#: focus ring of at least 2 px.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].textContent
    : (el.getAttribute("aria-label") || el.textContent || "");
  const style = getComputedStyle(el);
  return {
    name: label.trim(),
    tag: el.tagName.toLowerCase(),
    type: el.type || null,
    value: "value" in el ? String(el.value) : null,
    checked: el.type === "checkbox" ? el.checked : null,
    in_app: el.closest(".mentorkit-app") !== null,
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""

#: The order of day, month and year in a date field of this browser's language, as typed.
DATE_ORDER = """() => new Intl.DateTimeFormat(navigator.language,
    {year: "numeric", month: "2-digit", day: "2-digit"})
  .formatToParts(new Date(2001, 10, 23)).filter((p) => p.type !== "literal").map((p) => p.type)"""

#: The orders a date field may ask for its parts in.
DATE_ORDERS = (["month", "day", "year"], ["day", "month", "year"], ["year", "month", "day"])

Target = Locator | str


@dataclass(frozen=True)
class Spot:
    """Where an element is in the window (CSS pixels) and the point a person would click."""

    name: str
    top: float
    bottom: float
    left: float
    right: float
    x: float
    y: float
    width: float
    height: float
    viewport_width: float
    viewport_height: float
    covered: bool
    coverer: str
    coverer_middle: float | None
    #: The element on top stays put while the page scrolls (sticky or fixed), so scrolling
    #: on can uncover the element; anything else overlaps it in the page's own layout.
    coverer_sticky: bool

    @classmethod
    def of(cls, measured: dict[str, Any]) -> Spot:
        return cls(
            name=measured["name"] or measured["tag"],
            top=measured["top"],
            bottom=measured["bottom"],
            left=measured["left"],
            right=measured["right"],
            x=measured["x"],
            y=measured["y"],
            width=measured["width"],
            height=measured["height"],
            viewport_width=measured["vw"],
            viewport_height=measured["vh"],
            covered=measured["covered"],
            coverer=f"{measured['coverer']} (‘{measured['coverer_text']}’)"
            if measured["coverer_text"]
            else measured["coverer"],
            coverer_middle=measured["coverer_middle"],
            coverer_sticky=measured["coverer_sticky"],
        )

    @property
    def tall(self) -> bool:
        """Taller than most of the window: it is enough to see its first part."""
        return self.height > self.viewport_height * 0.8

    @property
    def below(self) -> bool:
        if self.tall:
            return self.top > self.viewport_height * 0.5
        return self.bottom > self.viewport_height

    @property
    def above(self) -> bool:
        if self.tall:
            return self.top < 0 and self.bottom < self.viewport_height * 0.5
        return self.top < 0

    @property
    def in_view(self) -> bool:
        """Inside the window, top to bottom, and its middle within it side to side."""
        return (
            not self.below
            and not self.above
            and 0 <= self.x <= self.viewport_width
            and self.right > 0
            and self.left < self.viewport_width
        )

    @property
    def usable(self) -> bool:
        """In view and nothing on top of it: it can be clicked or typed into."""
        return self.in_view and not self.covered

    @property
    def seen(self) -> bool:
        """In view and not hidden behind a bar that stays put (the sticky save status):
        it can be read, though something transparent may lie over it (a card's link)."""
        return self.in_view and not (self.covered and self.coverer_sticky)

    def where(self) -> str:
        """Where it is, in words, for a failure message."""
        if self.below:
            return "is below the viewport"
        if self.above:
            return "is above the viewport"
        if not self.in_view:
            return "is outside the viewport, to the side"
        if self.covered:
            return f"is covered by {self.coverer}"
        return "is in view"


def reload_probability_from_env() -> float:
    """MENTORKIT_BROWSER_RELOADS: "never", "always" or a probability."""
    value = os.environ.get("MENTORKIT_BROWSER_RELOADS", "").strip().lower()
    if value in ("", "default"):
        return DEFAULT_RELOAD_PROBABILITY
    if value == "never":
        return 0.0
    if value == "always":
        return 1.0
    return min(max(float(value), 0.0), 1.0)


def seed_for(name: str) -> int:
    """MENTORKIT_BROWSER_SEED, or a seed of the test's own (the same on every run)."""
    fixed = os.environ.get("MENTORKIT_BROWSER_SEED", "").strip()
    return int(fixed) if fixed else zlib.crc32(name.encode())


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120] or "test"


@dataclass
class Person:
    """One person working one page with the mouse wheel, the mouse and the keyboard."""

    page: Page
    name: str = "person"
    seed: int = 0
    reload_probability: float = DEFAULT_RELOAD_PROBABILITY
    #: What a person does after a reload before going on (sign in again, say).
    after_reload: Callable[[Person], None] | None = None
    #: What shows that the page is ready after a reload.
    ready: str = ".mentorkit-app"
    results: Path = RESULTS
    rng: random.Random = field(init=False)
    reloads: int = field(default=0, init=False)
    shots: int = field(default=0, init=False)
    journal: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # -- Finding things as a person reads them -------------------------------------------

    def field(self, label: str, *, exact: bool = True) -> Locator:
        """The form field with this label."""
        return self.page.get_by_label(label, exact=exact)

    def button(self, name: str | re.Pattern[str], *, exact: bool = False) -> Locator:
        return self.page.get_by_role("button", name=name, exact=exact)

    def link(self, name: str, *, exact: bool = False) -> Locator:
        return self.page.get_by_role("link", name=name, exact=exact)

    def _locate(self, target: Target) -> Locator:
        return self.field(target) if isinstance(target, str) else target

    def _name(self, target: Target, spot: Spot | None = None) -> str:
        if isinstance(target, str):
            return target
        return spot.name if spot else str(target)

    # -- Looking at the page -------------------------------------------------------------

    def measure(self, target: Target) -> Spot:
        """Where the element is now, without moving anything."""
        return Spot.of(self._locate(target).evaluate(MEASURE))

    def settle(self, target: Target) -> None:
        """Wait until the element has stopped moving after a scroll."""
        self._locate(target).evaluate(SETTLE)

    def focused(self) -> dict[str, Any] | None:
        """What has the keyboard focus (None: the page itself)."""
        return self.page.evaluate(FOCUSED)

    def assert_usable(self, target: Target) -> Spot:
        """The element is inside the window and nothing covers it: a person could use it."""
        spot = self.measure(target)
        assert spot.usable, (
            f"‘{self._name(target, spot)}’ {spot.where()} "
            f"(top {spot.top:.0f}, bottom {spot.bottom:.0f}, window height "
            f"{spot.viewport_height:.0f})"
        )
        return spot

    # -- Scrolling -------------------------------------------------------------------------

    def reach(
        self, target: Target, *, by: str = "wheel", to_use: bool = True, timeout: float = WAIT_MS
    ) -> Spot:
        """Scroll until the element is inside the window and uncovered, the way a person
        looks for it: `by` "wheel" (the mouse wheel over the page) or a key, "PageDown",
        "Space" or "End" (with their opposite keys to go back up). `to_use=False`: to read
        it, so it may lie under something transparent, not under a bar that stays put.
        Fails with where the element is when the page would not bring it into view."""
        ready = (lambda spot: spot.usable) if to_use else (lambda spot: spot.seen)
        locator = self._locate(target)
        locator.wait_for(state="visible", timeout=timeout)
        if by != "wheel":
            assert by in SCROLL_KEYS, f"cannot scroll by {by!r}"
            self.leave_fields()
        stalls = 0
        moved = False
        spot = self.measure(locator)
        for step in range(MAX_STEPS):
            if ready(spot):
                return spot
            if spot.in_view and spot.covered and not spot.coverer_sticky:
                raise AssertionError(
                    f"‘{self._name(target, spot)}’ {spot.where()}, which overlaps it in the "
                    "page's own layout: no scrolling uncovers it "
                    f"(window {spot.viewport_width:.0f}×{spot.viewport_height:.0f})"
                )
            # Under a bar at the foot of the window: on down; under one at the top: back up.
            down = spot.below or (
                spot.in_view
                and spot.covered
                and (spot.coverer_middle or 0) > spot.viewport_height / 2
            )
            before = spot.top
            if by == "wheel":
                self._wheel(spot, down)
            else:
                self.page.keyboard.press(by if down else SCROLL_KEYS[by])
            self.settle(locator)
            spot = self.measure(locator)
            if os.environ.get("PERSON_DEBUG"):
                print("step", step, by, down, spot, self.page.evaluate(WHEEL_SPOT))
            if abs(spot.top - before) < 1:
                stalls += 1
                if stalls >= STALLS:
                    break
            else:
                stalls = 0
                moved = True
            if step == MAX_STEPS - 1:
                break
        if ready(spot):
            return spot
        how = "wheel steps" if by == "wheel" else f"presses of {by}"
        if not moved:
            why = "the page does not scroll"
        elif spot.covered:
            why = "it stays covered however far the page scrolls"
        else:
            why = "the page stopped scrolling before it came into view"
        raise AssertionError(
            f"‘{self._name(target, spot)}’ {spot.where()} after {step + 1} {how}: {why} "
            f"(top {spot.top:.0f}, bottom {spot.bottom:.0f}, window "
            f"{spot.viewport_width:.0f}×{spot.viewport_height:.0f})"
        )

    def _wheel(self, spot: Spot, down: bool) -> None:
        """Rest the mouse over the page and turn the wheel as far as the element needs,
        a few notches at a time."""
        if spot.covered and spot.in_view:
            distance = WHEEL_NOTCH
        elif down:
            distance = spot.bottom - spot.viewport_height + WHEEL_NOTCH
            if spot.tall:
                distance = spot.top - spot.viewport_height * 0.2
        else:
            distance = WHEEL_NOTCH - spot.top
        most = max(1, int(spot.viewport_height * 0.8 // WHEEL_NOTCH))
        notches = min(max(1, math.ceil(abs(distance) / WHEEL_NOTCH)), most)
        where = self.page.evaluate(WHEEL_SPOT)
        self.page.mouse.move(where["x"], where["y"])
        self.page.mouse.wheel(0, notches * WHEEL_NOTCH * (1 if down else -1))

    def wheel(self, notches: int) -> None:
        """Turn the wheel over the page: positive notches scroll down."""
        where = self.page.evaluate(WHEEL_SPOT)
        self.page.mouse.move(where["x"], where["y"])
        self.page.mouse.wheel(0, notches * WHEEL_NOTCH)

    def leave_fields(self) -> None:
        """Put the keyboard back on the page, as a person clicks beside a field before
        paging: PageDown in a drop-down changes its choice, Space in a field types a
        space. Nothing to do when no field, button or link has the focus."""
        now = self.focused()
        if now is None:
            return
        spot = self.page.evaluate(BLANK_SPOT)
        assert spot is not None, "no empty place on the page to click beside the fields"
        self.page.mouse.click(spot["x"], spot["y"])

    def press(self, key: str) -> None:
        """Press a key (or a chord such as "Shift+Tab") on whatever has the focus."""
        self.page.keyboard.press(key)

    def tab_to(
        self,
        name: str,
        *,
        limit: int = 200,
        each: Callable[[dict[str, Any]], None] | None = None,
        backwards: bool = False,
    ) -> dict[str, Any]:
        """Press Tab (Shift+Tab) until the element named `name` has the focus; `each` sees
        every stop on the way. The browser scrolls the focused element into view; that it
        really is in view is checked."""
        visited: list[str] = []
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            now = self.focused()
            if now is None:
                visited.append("(page)")
                continue
            visited.append(now["name"])
            if each is not None:
                each(now)
            if now["name"] == name:
                spot = Spot.of(self.page.evaluate(f"() => ({MEASURE})(document.activeElement)"))
                assert spot.in_view, f"‘{name}’ has the focus but {spot.where()}"
                return now
        raise AssertionError(f"Tab never reached ‘{name}’; it went through {visited}")

    # -- Using things ----------------------------------------------------------------------

    def click(self, target: Target, *, by: str = "wheel") -> None:
        """Scroll to the element, check it is there to be clicked, click its middle."""
        spot = self.reach(target, by=by)
        self.page.mouse.click(spot.x, spot.y)

    def _focus(self, target: Target, *, by: str) -> Locator:
        """Click into a field and check that the click gave it the keyboard."""
        locator = self._locate(target)
        self._click_into(locator, self.reach(locator, by=by), by=by)
        return locator

    def type(
        self,
        target: Target,
        text: str,
        *,
        replace: bool = True,
        paste: bool = False,
        expect_value: str | None = None,
        by: str = "wheel",
    ) -> None:
        """Click into the field and type `text` with the keyboard (a newline is Enter):
        over everything in it (select all, then type) or, `replace=False`, after what is
        there. `paste` puts the text in at once, as a paste does. Then the field must show
        what was typed (`expect_value` when the field shapes it, e.g. a length limit)."""
        locator = self._focus(target, by=by)
        before = locator.input_value()
        if replace:
            self.page.keyboard.press("ControlOrMeta+A")
            if not text:
                self.page.keyboard.press("Backspace")
        else:
            self.page.keyboard.press("ControlOrMeta+End")
        if paste:
            self.page.keyboard.insert_text(text)
        else:
            self.page.keyboard.type(text, delay=KEY_DELAY_MS)
        wanted = expect_value
        if wanted is None:
            wanted = text if replace else before + text
            if locator.evaluate("e => e.tagName") == "INPUT":
                wanted = wanted.replace("\n", "")  # Enter in a one-line field adds nothing
        expect(
            locator,
            f"‘{self._name(target)}’ does not show what was typed into it",
        ).to_have_value(wanted, timeout=5_000)

    def paste(self, target: Target, text: str, **options: Any) -> None:
        """Select everything in the field and paste `text` over it."""
        self.type(target, text, paste=True, **options)

    def clear(self, target: Target, *, by: str = "wheel") -> None:
        """Empty a field with the keyboard: select all, Backspace."""
        self.type(target, "", by=by)

    def _click_into(
        self, locator: Locator, spot: Spot, *, by: str, first_part: bool = False
    ) -> Spot:
        """Click into a field (`first_part`: the first part of a date or time field) until
        it has the keyboard. A message appearing above (the previous field's) or a section
        still being drawn can move it between the look and the click: like a person, look
        again and click again."""
        for _attempt in range(3):
            self.page.mouse.click(spot.left + 8 if first_part else spot.x, spot.y)
            try:
                expect(locator).to_be_focused(timeout=2_000)
                return spot
            except AssertionError:
                spot = self.reach(locator, by=by)
        expect(locator, f"a click on ‘{self._name(locator, spot)}’ did not focus it").to_be_focused(
            timeout=5_000
        )
        return spot

    def set_date(self, target: Target, day: str, *, by: str = "wheel") -> None:
        """Type an ISO date (2027-01-04) into a date field, as its parts are typed in this
        browser's language (month, day, year in en-US): click its first part, type the
        digits, the field moves from part to part by itself. The field's order follows the
        browser's own language, which a page's locale may not tell: like a person who sees
        the date come out wrong, it types the date again in the next order."""
        locator = self._locate(target)
        spot = self.reach(locator, by=by)
        year, month, date = day.split("-")
        parts = {"year": year, "month": month, "day": date}
        first = self.page.evaluate(DATE_ORDER)
        orders = [first, *(o for o in DATE_ORDERS if o != first)]
        for attempt, order in enumerate(orders):
            if attempt:  # a message about the wrong date may have moved the field
                spot = self.reach(locator, by=by)
            self._click_into(locator, spot, by=by, first_part=True)
            for _ in range(len(order)):  # to the first part, wherever the click landed
                self.page.keyboard.press("ArrowLeft")
            for part in order:
                self.page.keyboard.type(parts[part], delay=KEY_DELAY_MS)
            if locator.input_value() == day:
                return
        expect(locator, f"‘{self._name(target)}’ does not show the date typed").to_have_value(
            day, timeout=5_000
        )

    def set_time(self, target: Target, clock: str, *, by: str = "wheel") -> None:
        """Type a time of day (09:30) into a time field: click its first part and type the
        digits; a field with AM/PM (en-US) takes "A" or "P" last."""
        locator = self._locate(target)
        spot = self.reach(locator, by=by)
        hour, minute = (int(part) for part in clock.split(":"))
        for keys in (
            f"{(hour - 1) % 12 + 1:02d}{minute:02d}{'P' if hour >= 12 else 'A'}",
            f"{hour:02d}{minute:02d}",
        ):
            spot = self._click_into(locator, spot, by=by, first_part=True)
            for _ in range(3):
                self.page.keyboard.press("ArrowLeft")
            self.page.keyboard.type(keys, delay=KEY_DELAY_MS)
            if locator.input_value() == clock:
                return
        expect(locator, f"‘{self._name(target)}’ does not show the time typed").to_have_value(
            clock, timeout=5_000
        )

    def check(self, target: Target, checked: bool = True, *, by: str = "wheel") -> None:
        """Tick (or untick) a checkbox by clicking it, if it is not already so."""
        locator = self._locate(target)
        for _attempt in range(3):
            # A line appearing above (feedback, a message) can move the box between the
            # look and the click: like a person, look again and click again.
            spot = self.reach(locator, by=by)
            if locator.is_checked() == checked:
                break
            self.page.mouse.click(spot.x, spot.y)
            try:
                expect(locator).to_be_checked(checked=checked, timeout=2_000)
                break
            except AssertionError:
                continue
        if checked:
            expect(locator).to_be_checked(timeout=5_000)
        else:
            expect(locator).not_to_be_checked(timeout=5_000)

    def uncheck(self, target: Target, *, by: str = "wheel") -> None:
        self.check(target, False, by=by)

    def choose(
        self,
        target: Target,
        option: str | list[str] | None = None,
        *,
        index: int | None = None,
        by: str = "wheel",
    ) -> None:
        """Choose an option (several, for a multiple choice list) of a drop-down once it
        is on screen: see the module's note on drop-downs."""
        locator = self._locate(target)
        self.reach(locator, by=by)
        if index is not None:
            locator.select_option(index=index)
        else:
            locator.select_option(label=option)

    # -- Reloading -------------------------------------------------------------------------

    def maybe_reload(self, where: str = "", *, force: bool = False) -> bool:
        """Reload the page here, by chance (`reload_probability`) or when `force`d; True if
        it did. The test calls this between steps, where a person might press F5 or the
        browser might drop the page."""
        if not force and self.rng.random() >= self.reload_probability:
            return False
        self.reload(where)
        return True

    def reload(self, where: str = "") -> None:
        """Reload the page, wait until it is ready, then do what comes after a reload."""
        self.reloads += 1
        note = f"reload {self.reloads}" + (f" ({where})" if where else "")
        self.journal.append(note)
        print(f"{self.name}: {note}, seed {self.seed}")
        self.page.reload(timeout=LOAD_TIMEOUT_MS)
        expect(self.page.locator(self.ready).first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        if self.after_reload is not None:
            self.after_reload(self)

    # -- Screenshots -----------------------------------------------------------------------

    def shot(self, name: str, *, whole: bool = False) -> Path:
        """A screenshot of what the person sees now, test-results/<test>/<nn>-<name>.png;
        `whole`: the whole app (the window made as tall as the app for the shot)."""
        self.shots += 1
        folder = self.results / slug(self.name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.shots:02d}-{slug(name)}.png"
        if not whole:
            self.page.screenshot(path=path)
            return path
        size = self.page.viewport_size or {"width": 1280, "height": 720}
        height = self.page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('#rendered_cells, .mentorkit-app')]"
            ".map((e) => e.scrollHeight), 0)"
        )
        tall = max(size["height"], min(height + 200, 16_000))
        self.page.set_viewport_size({"width": size["width"], "height": tall})
        try:
            self.page.screenshot(path=path, full_page=True)
        finally:
            self.page.set_viewport_size(size)
        return path
