"""Every field of every worksheet, with what people really type into it.

The rehearsal (test_workshop.py) follows a workshop as it happens; this walks each
worksheet field by field. The fields are found on the page itself (every input the page
binds to a worksheet field is named `mentorkit-field-…`), so a field added later is
walked too. A participant reaches each one with the mouse wheel and, in three passes:

1. gives it something wrong: text pasted far over its limit (right-to-left words, emoji,
   markup and a repeated entry), a time zone that is not one, the first choice of every
   drop-down (the same competency as every strength and growth area), every box ticked,
   dates in the past in the wrong order, a meeting too short;
2. empties every text field with the keyboard and types dates a form should refuse;
3. types short right-to-left text with emoji, key by key.

After each pass the page is reloaded, the first time and the last straight after the
last key, and every field shows again what it showed before the reload. Over-long text
was cut at the input (`maxlength`, with a count), never after it; every text field has a
limit; a field in error is marked and says why next to it; and the page keeps saving.
Screenshots: test-results/every-field-<worksheet>/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from browser_helpers import (
    DESKTOP,
    LOAD_TIMEOUT_MS,
    PHONE,
    ServedDemo,
    first_visit,
    serve_demo,
    wait_until_saved,
)
from person import Person
from playwright.sync_api import Browser, Locator, expect

pytestmark = pytest.mark.browser

TODAY = date.today()
#: What one pass leaves in a field, read the same way before and after a reload.
FIELDS = """() => [...document.querySelectorAll('.mentorkit-app [class*="mentorkit-field-"]')]
  .filter((w) => w.offsetParent !== null)
  .map((w) => {
    const slug = [...w.classList].find((c) => c.startsWith("mentorkit-field-"));
    const control = w.querySelector("input, textarea, select");
    if (!control) return null;
    // The walk's own mark, to find this very element again (not every input has an id).
    if (!control.dataset.walk) {
      window.walkMarks = (window.walkMarks || 0) + 1;
      control.dataset.walk = String(window.walkMarks);
    }
    let value = control.value;
    if (control.type === "checkbox") value = control.checked;
    else if (control.tagName === "SELECT")
      value = [...control.selectedOptions].map((o) => o.text).join(" | ");
    return {slug, mark: control.dataset.walk, kind: control.type, value,
            maxlength: control.getAttribute("maxlength"),
            invalid: w.classList.contains("mentorkit-invalid")};
  })
  .filter((f) => f !== null)"""
#: Pasted, repeated far over a field's limit: right-to-left words, emoji, markup, and the
#: same entry twice for a field that takes a list.
OVER_LONG = "أريد أن أقود فريقًا 🚀✨ <b>bold</b> & more, Kindness, Kindness, "
#: Typed key by key in the last pass.
SHORT = "عربي 🙂 x, x"


def over_long(limit: int) -> str:
    """`OVER_LONG` repeated to exactly `limit` UTF-16 units, then 40 more characters the
    field must refuse: the cut falls between two plain letters, wherever the limit is."""
    units = 0
    kept: list[str] = []
    for char in OVER_LONG * (limit // len(OVER_LONG) + 2):
        width = len(char.encode("utf-16-le")) // 2
        if units + width > limit - 1:
            break
        kept.append(char)
        units += width
    return "".join(kept) + "x" * (limit - units) + "REFUSED" * 6


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedDemo]:
    """`make serve` on a free port, for this walk alone."""
    with serve_demo(tmp_path_factory.mktemp("every-field")) as found:
        yield found


def reveal_shortlist(person: Person) -> None:
    """The note and message fields appear once a mentor is chosen for a place."""
    expect(person.field("Choice 1")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    for number in (1, 2, 3):
        person.choose(f"Choice {number}", index=number)
        note = person.field(f"Note on choice {number}")
        expect(note).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        # Named as soon as it shows: what is typed into it is kept in the tab at once.
        named = person.page.locator(f".mentorkit-field-entries-{number - 1}-note textarea")
        expect(named).to_be_visible(timeout=1_000)


def reveal_goal_rows(person: Person) -> None:
    expect(person.button("Add milestone to goal 1")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    person.click(person.button("Add milestone to goal 1"))
    expect(person.field("Goal 1 milestone 1")).to_be_visible()


def reveal_meeting(person: Person) -> None:
    expect(person.button("Log a meeting")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    person.click(person.button("Log a meeting"))
    person.click(person.button("Add action to meeting 1"))
    expect(person.field("Meeting 1 action 1")).to_be_visible()


#: Each worksheet: its notebook, what brings all its fields on the page, and what the page
#: says of the first pass's mistakes (None: the input refused them all).
WORKSHEETS: dict[str, tuple[str, Callable[[Person], None] | None, str | None]] = {
    "self-assessment": ("01_self_assessment.ipynb", None, "both a strength and a growth area"),
    "shortlist": ("02_mentor_shortlist.ipynb", reveal_shortlist, None),
    "expectations": ("03_expectations.ipynb", None, "before the start date"),
    "smart-goals": ("04_smart_goals.ipynb", reveal_goal_rows, None),
    "check-ins": ("05_check_ins.ipynb", reveal_meeting, "too many items"),
}


class Walk:
    """One participant walking every field of one worksheet."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.page = person.page

    def fields(self) -> list[dict]:
        return self.page.evaluate(FIELDS)

    def control(self, found: dict) -> Locator:
        """The field's input itself: its name may move to another row while the page is
        open (rows are numbered by the entries started), the element does not."""
        return self.page.locator(f'[data-walk="{found["mark"]}"]')

    def each(self, kinds: set[str], do: Callable[[Locator, dict, int], None]) -> int:
        """Do `do` to every field of these kinds, in page order; how many there were."""
        done = 0
        for found in self.fields():
            if found["kind"] in kinds:
                do(self.control(found), found, done)
                done += 1
        return done

    def wrong(self) -> None:
        """Pass 1: something wrong in every field."""
        self.each({"select-one"}, self.first_choice)
        self.each({"select-multiple"}, self.two_choices)
        self.each({"checkbox"}, lambda box, found, n: self.person.check(box))
        self.each({"date"}, self.past_date)
        self.each({"time"}, lambda box, found, n: self.person.set_time(box, "07:05"))
        self.each({"number"}, lambda box, found, n: self.person.type(box, "5"))
        texts = self.each({"text", "textarea"}, self.paste_over_long)
        assert texts, "no text field on this worksheet"

    def first_choice(self, box: Locator, found: dict, _n: int) -> None:
        if found["value"] and not found["value"].startswith("—"):
            return  # chosen on the way in (a shortlist place)
        self.person.choose(box, index=1)

    def two_choices(self, box: Locator, _found: dict, _n: int) -> None:
        labels = box.locator("option").all_inner_texts()[:2]
        self.person.choose(box, labels)

    def past_date(self, box: Locator, _found: dict, n: int) -> None:
        # Each later field a week earlier than the one before: an end before its start.
        self.person.set_date(box, (TODAY - timedelta(days=30 + 7 * n)).isoformat())

    def paste_over_long(self, box: Locator, found: dict, _n: int) -> None:
        limit = found["maxlength"]
        assert limit, f"‘{found['slug']}’ takes text of any length: it has no maxlength"
        text = over_long(int(limit))
        self.person.paste(box, text, expect_value=text[: text.index("REFUSED")])
        counter = self.page.locator(f".{found['slug']} ~ .mentorkit-counter").or_(
            self.page.locator(f".{found['slug']} .mentorkit-counter")
        )
        expect(counter.first, f"‘{found['slug']}’ shows no count").to_contain_text(
            f"{limit} / {limit}"
        )

    def emptied(self) -> None:
        """Pass 2: every text field emptied with the keyboard, dates a form should refuse."""
        self.each({"text", "textarea"}, lambda box, found, n: self.person.clear(box))
        self.each({"date"}, lambda box, found, n: self.person.set_date(box, "1999-12-31"))

    def typed(self) -> None:
        """Pass 3: a few right-to-left words with emoji, key by key, in every text field."""
        self.each({"text", "textarea"}, lambda box, found, n: self.person.type(box, SHORT))

    def reload_and_compare(self, where: str, *, pause: bool) -> None:
        """Reload and wait until every field shows what it showed before the reload."""
        if pause:
            wait_until_saved(self.person)
        before = {f["slug"]: f["value"] for f in self.fields()}
        self.person.shot(f"before reload {where}")
        self.person.reload(where)
        deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
        while True:
            after = {f["slug"]: f["value"] for f in self.fields()}
            lost = {
                slug: (value, after.get(slug))
                for slug, value in before.items()
                if value not in ("", False, None) and after.get(slug) != value
            }
            if not lost or time.monotonic() > deadline:
                break
            self.page.wait_for_timeout(250)
        self.person.shot(f"after reload {where}")
        assert not lost, f"lost after the reload ({where}): " + "; ".join(
            f"{slug}: {shown!r:.120} became {now!r:.120}" for slug, (shown, now) in lost.items()
        )

    def problems_are_shown(self, says: str | None) -> None:
        """Each field in error is marked, and its message next to it says why."""
        invalid = [f for f in self.fields() if f["invalid"]]
        if says is not None:
            expect(self.page.locator(".mentorkit-app").first).to_contain_text(says)
        for found in invalid:
            control = self.control(found)
            expect(control).to_have_attribute("aria-invalid", "true")
            described = control.get_attribute("aria-describedby") or ""
            assert described.startswith("mentorkit-problem-"), found["slug"]
            message = self.page.locator(f"#{described}")
            self.person.reach(message, to_use=False)
            expect(message).not_to_be_empty()
        # A page just opened has saved nothing yet; once it saves, it names what to check.
        status = self.page.locator(".mentorkit-save-status")
        expect(status).not_to_contain_text("Not saved")
        if invalid and "Saved" in status.inner_text():
            expect(status).to_contain_text("Check")


@pytest.mark.parametrize(
    ("worksheet", "size"),
    [
        ("self-assessment", "phone"),
        ("shortlist", "desktop"),
        ("expectations", "phone"),
        ("smart-goals", "desktop"),
        ("check-ins", "phone"),
    ],
)
def test_every_field_keeps_what_was_typed_however_wrong(
    browser: Browser, served: ServedDemo, worksheet: str, size: str
):
    notebook, reveal, says = WORKSHEETS[worksheet]
    context = browser.new_context(
        viewport=PHONE if size == "phone" else DESKTOP, timezone_id="Asia/Dubai", locale="en-US"
    )
    try:
        person = Person(context.new_page(), name=f"every-field-{worksheet}", reload_probability=0)
        visit = first_visit(person, served, notebook, f"Walker of {worksheet}")
        if reveal is not None:
            reveal(person)
        worksheet_fields = person.page.locator('.mentorkit-app [class*="mentorkit-field-"]')
        expect(worksheet_fields.first).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        walk = Walk(person)
        walk.wrong()
        walk.reload_and_compare("everything wrong, straight after the last key", pause=False)
        walk.problems_are_shown(says)
        walk.emptied()
        walk.reload_and_compare("everything emptied", pause=True)
        walk.typed()
        walk.reload_and_compare("typed key by key, straight after the last key", pause=False)
        visit.assert_clean()
    finally:
        context.close()


def test_a_pasted_text_is_cut_between_plain_letters_at_any_limit():
    for limit in (40, 80, 200, 1000, 2000):
        text = over_long(limit)
        kept = text[: text.index("REFUSED")]
        assert len(kept.encode("utf-16-le")) // 2 == limit
        assert re.search("[\u0600-\u06ff]", kept) and "🚀" in kept
