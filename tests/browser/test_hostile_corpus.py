"""A corpus of XSS payloads through every free-text field of every participant app.

One participant walks the participant apps. In each, every text box and text area the page shows
(found in the page, not from a list, so a new field is covered the day it appears) gets
the next payload of the corpus, until every payload has been used and every field has one.
Each payload, if it ran, would set `window.__xss`. Then, in the page, after a reload with
the personal link, in the agreement preview, in My plan and in the HTML downloads rendered
by the browser: nothing ran, no element was injected, the console stayed quiet, and every
payload reads back exactly as typed. A field may refuse a payload only for a reason it
states in the save status (too long for the field, not a time zone, a control character).

Fields that only some days show are walked too: the workshop's end survey is open (its
comments are a field of Check-ins like any other, and the facilitator's dashboard shows
them, pooled with two other participants' answers), and the participant's goal review is
due (its reasons are sent with "Save my review", not saved as typed, and then read in
each goal's history). A mentor types the corpus into their profile; then, given a mentee
while the end survey is open, into the free-text fields of the feedback survey at the top
of their page, which the dashboard shows in the mentors' block, pooled with two other
mentors' answers.

The payloads are pasted (as an attacker would), each into a field reached with the mouse
wheel and clicked, through the person-like driver.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from browser_helpers import (
    LOAD_TIMEOUT_MS,
    ServedDemo,
    facilitator_sign_in,
    first_visit,
    open_app,
    watch_console,
)
from person import Person
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from mentorkit.apps import APPS
from mentorkit.identity import reset_mentor_invite_codes
from mentorkit.models import (
    Frequency,
    MentoringAgreement,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
    SurveyWindow,
)
from mentorkit.store import DocumentKey, Store, mentor_surveys_table, open_store
from mentorkit.ui.html import split_list

pytestmark = pytest.mark.browser

#: Each payload, if the browser ever ran it, records itself in window.__xss.
CORPUS: tuple[str, ...] = (
    '<script>window.__xss="script"</script>',
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    'javascript:window.__xss="js-url"//https://example.org',
    '"><img src=x onerror=window.__xss="attribute">',
    "'><svg/onload=window.__xss='single-quote'>",
    '</textarea><img src=x onerror=window.__xss="textarea">',
    "{{7*7}} ${7*7} #{7*7} <%= 7*7 %> {% raw %}",
    "[click me](javascript:window.__xss='markdown') ![x](javascript:window.__xss='md-image')",
    "&lt;img src=x onerror=window.__xss='entity'&gt; &amp;amp; &#60;b&#62;bold&#60;/b&#62;",
    "\u202egnp.exe\u202c invoice\u200bzero\u200dwidth\ufeffjoin",
    "Lo" + "o" * 146 + "ng",  # one 150-letter word
    "<iframe src=\"javascript:window.__xss='iframe'\"></iframe>",
    "<a href=\"javascript:window.__xss='anchor'\">click</a>",
    '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss="mxss">',
    "<details open ontoggle=\"window.__xss='details'\">",
    "<style>.mentorkit-app{display:none}</style>",
    '=HYPERLINK("javascript:window.__xss=1","x")',
)
#: Refused everywhere, with a sentence: invisible control characters (BEL, ESC).
CONTROL_CHARACTERS = "bell\x07 and escape\x1b[31m red"
NAME = "Corpus <svg onload=\"window.__xss='name'\"> Tester"

#: The sentences a field may refuse a payload with (all say why, in plain words).
FAIR_REFUSALS = re.compile(
    r"at most \d+ characters|is not a time zone name|invisible control character"
    r"|must be a whole number|must be a web address starting with https://"
    r"|is not a valid email address"
)
#: Elements a payload could inject to run script; the app's own are counted beforehand.
DANGEROUS = (
    "script, img, svg, iframe, object, embed, math, details, style, "
    "a[href^='javascript' i], [onerror], [onload], [ontoggle]"
)
SETTLED = (
    ".mentorkit-save-status :is(.mentorkit-save-saved, .mentorkit-save-failed, "
    ".mentorkit-save-retrying, .mentorkit-save-conflict)"
)
FIELDS = "input[type=text]:visible, input:not([type]):visible, textarea:visible"
PARTICIPANT_NOTEBOOKS = [app.notebook for app in APPS if app.audience == "participant"]
MENTOR_APP = "mentor.ipynb"
#: A sample mentor no other browser test reads the profile of.
CORPUS_MENTOR = "Samuel Adeyemi-Cole"
#: The participant who reads the corpus mentor's profile, and then becomes their mentee.
CORPUS_MENTEE = "Corpus Reader"
#: The part of the mentor's page that holds the feedback surveys (with a mentee, while
#: one is open): walked on its own, after the profile.
MENTOR_SURVEY = ".mentorkit-mentor-survey"
#: Apps every free-text field of which My plan shows (but those of NOT_IN_THE_PLAN).
ALL_IN_THE_PLAN = {"01_self_assessment.ipynb", "04_smart_goals.ipynb", "05_check_ins.ipynb"}
#: What My plan leaves out of those apps: a goal review's reasons (kept in the goal's
#: history on SMART goals) and survey comments (for the facilitator, pooled).
NOT_IN_THE_PLAN = re.compile(r"^(Goal \d+: why|(Mid-point|End) survey: comments)$")
#: Fields sent with a button rather than saved as typed (the goal review's reasons, with
#: "Save my review"): the walk fills them after the others (`SUBMIT`).
SAVED_BY_A_BUTTON = ".mentorkit-review"
TODAY = date.today()
DASHBOARD = "facilitator/dashboard.ipynb"
#: Two other participants' answers to the end survey: with the corpus's, three, from
#: which on the dashboard shows the comments.
OTHER_ANSWERS = (
    SurveyAnswers(useful=8, comments="The meetings kept me going."),
    SurveyAnswers(met_as_agreed=6, comments="More time with the mentor, please."),
)
#: Two other mentors' answers, likewise: the mentors' block shows comments from three on.
OTHER_MENTOR_ANSWERS = (
    SurveyAnswers(useful=9, comments="My mentee set the pace; that worked."),
    SurveyAnswers(would_recommend=7, comments="A shorter agreement form, please."),
)


def find_a_mentor_and_choose_three(person: Person) -> None:
    """A mentor found yourself (their fields), and three of the directory's (theirs)."""
    person.click(person.button("Add a mentor you found yourself"))
    expect(person.field("Mentor you found 1: name")).to_be_visible(timeout=30_000)
    for number in (1, 2, 3):
        person.choose(f"Choice {number}", index=number)  # every place lists every mentor
        expect(person.field(f"Note on choice {number}")).to_be_visible(timeout=30_000)


def add_a_milestone(person: Person) -> None:
    person.click(person.button("Add milestone to goal 1"))
    expect(person.field("Goal 1 milestone 1")).to_be_visible(timeout=30_000)


def log_a_meeting_with_an_action(person: Person) -> None:
    person.click(person.button("Log a meeting"))
    person.click(person.button("Add action to meeting 1"))
    expect(person.field("Meeting 1 action 1")).to_be_visible(timeout=30_000)


def widen_the_circle_and_offer_to_mentor(person: Person) -> None:
    person.click(person.button("Add someone to my circle"))
    expect(person.field("Circle 1: who")).to_be_visible(timeout=30_000)
    person.check("I offer to mentor someone in the next cohort")
    expect(person.field("What I could mentor in")).to_be_visible(timeout=30_000)


#: What opens the fields of an app that a first visit hides (a saved page shows them).
REVEAL: dict[str, Callable[[Person], None]] = {
    "02_mentor_shortlist.ipynb": find_a_mentor_and_choose_three,
    "04_smart_goals.ipynb": add_a_milestone,
    "05_check_ins.ipynb": log_a_meeting_with_an_action,
    "07_closing.ipynb": widen_the_circle_and_offer_to_mentor,
}
#: Something each app shows once its view is built, revealed fields included.
READY: dict[str, Callable[[Page], Locator]] = {
    "01_self_assessment.ipynb": lambda page: page.get_by_label("Career goal (1–3 years)"),
    "02_mentor_shortlist.ipynb": lambda page: page.get_by_label("Note on choice 3"),
    "03_expectations.ipynb": lambda page: page.get_by_label("Boundaries"),
    "04_smart_goals.ipynb": lambda page: page.get_by_label("Goal 1 milestone 1", exact=True),
    "05_check_ins.ipynb": lambda page: page.get_by_label("Meeting 1 action 1", exact=True),
    "06_my_plan.ipynb": lambda page: page.get_by_role("button", name="Refresh"),
    "07_closing.ipynb": lambda page: page.get_by_label("What I could mentor in"),
    MENTOR_APP: lambda page: page.get_by_label("About me"),
    MENTOR_SURVEY: lambda page: page.get_by_label("End survey: comments"),
}
#: A floor under what the generic search finds: it tells if the search itself broke.
AT_LEAST = {
    "01_self_assessment.ipynb": 4,
    "02_mentor_shortlist.ipynb": 11,
    "03_expectations.ipynb": 20,
    "04_smart_goals.ipynb": 7,
    "05_check_ins.ipynb": 4,
    "06_my_plan.ipynb": 0,
    "07_closing.ipynb": 8,
    MENTOR_APP: 6,
    MENTOR_SURVEY: 1,
}
#: Fields My plan shows besides every field of the apps in ALL_IN_THE_PLAN.
ALSO_IN_THE_PLAN = re.compile(r"^(Note on choice \d|Goals for our relationship)$")


@dataclass
class Typed:
    """What went into one field, and what the page said."""

    notebook: str
    label: str
    payload: str
    refusal: str = ""
    #: For a field sent with a button: the text the page then shows it as (not in a field).
    shown_as: str = ""


@dataclass
class Walk:
    """The corpus handed out field after field, and everything that happened."""

    person: Person
    base_url: str
    resume_code: str
    dialogs: list[str]
    next_payload: int = 0
    typed: list[Typed] = field(default_factory=list)

    def payload(self) -> str:
        return CORPUS[self.next_payload % len(CORPUS)]

    def accepted(self, notebook: str | None = None) -> list[Typed]:
        return [t for t in self.typed if not t.refusal and notebook in (None, t.notebook)]


def label_of(box: Locator) -> str:
    return box.evaluate(
        "e => (e.labels && e.labels.length ? e.labels[0].textContent"
        " : e.getAttribute('aria-label') || e.placeholder || '').trim()"
    )


def text_fields(page: Page, within: str = ".mentorkit-app") -> list[tuple[str, Locator]]:
    """Every free-text input shown `within` (the app), with its label, in page order; of
    the whole app, those saved as typed (SAVED_BY_A_BUTTON are `SUBMIT`'s)."""
    boxes = page.locator(within).locator(FIELDS)
    found = [(label_of(box), box) for box in boxes.all() if box.is_editable()]
    if within == ".mentorkit-app":
        found = [
            (label, box)
            for label, box in found
            if not box.evaluate(f"e => e.closest('{SAVED_BY_A_BUTTON}') !== null")
        ]
    assert all(label for label, _ in found), [label for label, _ in found]
    return found


def empty_save_status(page: Page) -> None:
    """Empty the save status, so that the next sentence it shows answers the next edit."""
    page.locator(".mentorkit-save-status").evaluate(
        "e => e.querySelectorAll('span').forEach(s => s.remove())"
    )


def type_and_settle(person: Person, box: Locator, text: str, *, shown: str | None = None) -> str:
    """Paste `text` into `box`, wait for the save to finish; what the save status says.

    The status is emptied first, so that the sentence read is the answer to this edit
    (each edit shows "Saving…" and then its outcome, so the status is always redrawn).
    """
    page = person.page
    empty_save_status(page)
    person.paste(box, text, expect_value=shown)
    settled = page.locator(SETTLED)
    expect(settled).to_be_visible(timeout=30_000)
    return settled.inner_text()


def problem_of(box: Locator) -> str:
    """The message next to a field the page marked as needing attention."""
    expect(box).to_have_attribute("aria-invalid", "true", timeout=30_000)
    expect(box, "a field marked invalid points to no message").to_have_attribute(
        "aria-describedby", re.compile(r"mentorkit-problem-"), timeout=30_000
    )
    described = box.get_attribute("aria-describedby") or ""
    return box.page.locator(f"#{described}").inner_text().strip()


def read_back(payload: str) -> set[str]:
    """How a field may show `payload` after a reload: as typed, or as a list field (values,
    languages, topics) keeps it, split at commas and semicolons."""
    return {payload, ", ".join(split_list(payload))}


def shows_literally(text: str, payload: str) -> bool:
    """Whether `payload` (or, typed into a list field, each of its entries) is in `text`."""
    return payload in text or all(entry in text for entry in split_list(payload))


def injected(scope: Locator) -> list[str]:
    """The elements in `scope` that could run script, as the start of their HTML."""
    return scope.locator(DANGEROUS).evaluate_all("els => els.map(e => e.outerHTML.slice(0, 160))")


def assert_nothing_ran(page: Page, dialogs: list[str], where: str) -> None:
    assert page.evaluate("() => window.__xss") is None, where
    assert dialogs == [], where


def assert_download_is_literal(
    context: BrowserContext, page: Page, link: str, payloads: list[str]
) -> None:
    """Open the HTML file behind the download link `link` in the browser: nothing runs,
    nothing is injected, every payload reads as typed."""
    href = page.get_by_role("link", name=link).get_attribute("href")
    assert href and href.startswith("data:text/html;base64,"), href
    html = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("dialog", lambda dialog: (errors.append(dialog.message), dialog.dismiss()))
    try:
        opened.set_content(html)
        opened.wait_for_timeout(300)  # an onload or ontoggle would have run by now
        assert opened.evaluate("() => window.__xss") is None, link
        assert errors == [], (link, errors)
        assert injected(opened.locator("body")) == [], link
        text = opened.locator("body").text_content() or ""
        missing = [p for p in payloads if not shows_literally(text, p)]
        assert missing == [], (link, missing)
    finally:
        opened.close()


def review_the_goals(walk: Walk, notebook: str) -> list[Typed]:
    """The goal review, due since its date has come: every goal adjusted, its reason the
    next payload; sent with "Save my review", each reason then reads in its goal's
    history (and nowhere in a field)."""
    person = walk.person
    page = person.page
    reasons = text_fields(page, SAVED_BY_A_BUTTON)
    assert [label for label, _ in reasons][:1] == ["Goal 1: why"], reasons
    mine: list[Typed] = []
    for label, box in reasons:
        goal = label.removesuffix(": why")
        person.choose(f"{goal}: decision", "Adjust it")
        payload = walk.payload()
        person.paste(box, payload)
        mine.append(Typed(notebook, label, payload, shown_as=f"adjusted: {payload}"))
        walk.next_payload += 1
    empty_save_status(page)
    person.click(person.button("Save my review"))
    app = page.locator(".mentorkit-app")
    expect(app).to_contain_text("Review saved", timeout=30_000)
    settled = page.locator(SETTLED)
    expect(settled).to_be_visible(timeout=30_000)
    assert settled.inner_text().startswith("Saved"), settled.inner_text()
    expect(page.locator(SAVED_BY_A_BUTTON).locator(FIELDS)).to_have_count(0)
    goals = page.locator(".mentorkit-goals").text_content() or ""
    missing = [t for t in mine if t.shown_as not in goals]
    assert missing == [], missing
    person.reach(page.locator(".mentorkit-goal .mentorkit-muted").first, to_use=False)
    person.shot("hostile_corpus_goal_review")
    walk.typed += mine
    return mine


#: What fills an app's fields sent with a button, once the others are filled.
SUBMIT: dict[str, Callable[[Walk, str], list[Typed]]] = {
    "04_smart_goals.ipynb": review_the_goals,
}


def walk_app(walk: Walk, notebook: str, part: str = ".mentorkit-app") -> list[Typed]:
    """Type a payload into every free-text field of `notebook` (of its `part` only, such
    as `MENTOR_SURVEY`), reload, read them back."""
    person = walk.person
    page = person.page
    app = page.locator(".mentorkit-app")
    whole = part == ".mentorkit-app"
    key = notebook if whole else part
    open_app(page, walk.base_url, notebook, f"?resume={walk.resume_code}")
    expect(page.locator(".mentorkit-who")).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    if whole and notebook in REVEAL:
        REVEAL[notebook](person)
    expect(READY[key](page)).to_be_visible(timeout=30_000)
    own_elements = injected(app)
    fields = text_fields(page, part)
    assert len(fields) >= AT_LEAST[key], (key, [label for label, _ in fields])

    mine: list[Typed] = []
    for label, box in fields:
        before = box.input_value()
        typed = Typed(notebook, label, walk.payload())
        limit = int(box.get_attribute("maxlength") or 0)
        if limit and len(typed.payload) > limit:
            # Refused at the input: the field takes its first `limit` characters, no more.
            type_and_settle(person, box, typed.payload, shown=typed.payload[:limit])
            typed.refusal = f"at most {limit} characters (the field took no more)"
            assert "Check" not in type_and_settle(person, box, before), (label, before)
            walk.typed.append(typed)
            continue
        said = type_and_settle(person, box, typed.payload)
        assert said.startswith("Saved"), (label, typed.payload, said)  # kept, whatever it is
        if "Check" not in said:
            walk.next_payload += 1
            mine.append(typed)
        else:
            # Not valid there: kept as typed, and the message next to the field says why,
            # in plain words. The payload goes on to the next field.
            typed.refusal = problem_of(box)
            assert FAIR_REFUSALS.search(typed.refusal), (label, typed.payload, typed.refusal)
            assert "Check" not in type_and_settle(person, box, before), (label, before)
        walk.typed.append(typed)
    submitted = SUBMIT[notebook](walk, notebook) if whole and notebook in SUBMIT else []
    mine += submitted
    assert_nothing_ran(page, walk.dialogs, notebook)
    assert injected(app) == own_elements, notebook

    page.reload(timeout=LOAD_TIMEOUT_MS)  # a new kernel; the personal link signs in again
    expect(READY[key](page)).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    after = text_fields(page, part)
    assert [label for label, _ in after] == [label for label, _ in fields], notebook
    shown = {label: box.input_value() for label, box in after}
    for typed in mine:
        if not typed.shown_as:
            assert shown[typed.label] in read_back(typed.payload), (typed, shown[typed.label])
    if submitted:
        text = app.text_content() or ""
        missing = [t for t in submitted if t.shown_as not in text]
        assert missing == [], missing
    assert_nothing_ran(page, walk.dialogs, f"{notebook} after a reload")
    assert injected(app) == own_elements, f"{notebook} after a reload"
    return mine


def end_survey_key(code: str, participant_id: str) -> DocumentKey:
    return DocumentKey(code, participant_id, SurveyAnswers.kind, SurveyKind.END.value)


def open_the_end_survey(store: Store, served: ServedDemo) -> dict[SurveyKind, SurveyWindow]:
    """Open the workshop's end survey since yesterday, as the facilitator does in Workshop
    setup; the surveys it had before, to put back."""
    workshop = store.workshop(served.join_code)
    before = dict(workshop.surveys)
    window = SurveyWindow(opens_on=TODAY - timedelta(days=1), closes_on=TODAY + timedelta(days=13))
    store.update_workshop(
        workshop.model_copy(update={"surveys": {**before, SurveyKind.END: window}})
    )
    return before


def put_the_surveys_back(
    store: Store, served: ServedDemo, surveys: dict[SurveyKind, SurveyWindow]
) -> None:
    workshop = store.workshop(served.join_code)
    store.update_workshop(workshop.model_copy(update={"surveys": surveys}))


@pytest.fixture
def end_survey_open(served_demo: ServedDemo) -> Iterator[None]:
    """The workshop's end survey open since yesterday, and answered already by two other
    participants; afterwards the workshop as it was (the other tests' has no survey open)
    and no answer left."""
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        before = open_the_end_survey(store, served_demo)
        others = [
            end_survey_key(code, p.id)
            for p in store.participants(code)
            if p.name != NAME and store.load(end_survey_key(code, p.id)) is None
        ][: len(OTHER_ANSWERS)]
        for key, answers in zip(others, OTHER_ANSWERS, strict=True):
            store.save(key, answers, expected_revision=0)
    try:
        yield
    finally:
        with open_store(served_demo.database_url) as store:
            put_the_surveys_back(store, served_demo, before)
            mine = [end_survey_key(code, p.id) for p in store.participants(code) if p.name == NAME]
            for key in [*others, *mine]:
                if store.load(key) is not None:
                    store.delete(key)


@contextmanager
def a_mentee_and_the_end_survey_open(served: ServedDemo, mentor_email: str) -> Iterator[None]:
    """The corpus mentor paired with `CORPUS_MENTEE` (the facilitator's lock) while the
    end survey is open, which two other mentors, each paired with a participant nobody
    decided about, have answered already; afterwards no pair, no mentor's answer and no
    survey left of it."""
    with open_store(served.database_url) as store:
        code = store.workshop(served.join_code).code
        decided = {d.participant for d in store.match_decisions(code)}
        free = [p for p in store.participants(code) if p.id not in decided]
        (mentee,) = [p for p in free if p.name == CORPUS_MENTEE]
        assert store.mentor_survey(code, mentor_email, SurveyKind.END) is None
        others = [
            m.email
            for m in store.mentors(code)
            if m.email != mentor_email
            and store.mentor_survey(code, m.email, SurveyKind.END) is None
        ][: len(OTHER_MENTOR_ANSWERS)]
        # Taking each lock back leaves the participant as they were: nobody decided about.
        mentees = [mentee, *(p for p in free if p.id != mentee.id)][: 1 + len(others)]
        pairs = list(zip(mentees, [mentor_email, *others], strict=True))
        before = dict(store.workshop(served.join_code).surveys)
        decisions = store.match_decisions(code)
        answered = store.mentors_survey_answers(code, SurveyKind.END)
    try:
        with open_store(served.database_url) as store:
            open_the_end_survey(store, served)
            for participant, email in pairs:
                store.decide_match(code, participant.id, email, "lock")
            for email, answers in zip(others, OTHER_MENTOR_ANSWERS, strict=True):
                store.save_mentor_survey(code, email, SurveyKind.END, answers)
        yield
    finally:
        with open_store(served.database_url) as store:
            put_the_surveys_back(store, served, before)
            for participant, email in pairs:
                store.decide_match(code, participant.id, email, None)
        # The store keeps a mentor's answers for good (saving empty ones still counts as a
        # row): the rows are deleted.
        engine = sa.create_engine(served.database_url)
        try:
            table = mentor_surveys_table
            with engine.begin() as conn:
                conn.execute(
                    table.delete().where(
                        table.c.workshop == code,
                        table.c.survey == SurveyKind.END.value,
                        table.c.mentor.in_([mentor_email, *others]),
                    )
                )
        finally:
            engine.dispose()
    with open_store(served.database_url) as store:  # as it was
        assert store.workshop(served.join_code).surveys == before
        assert store.match_decisions(code) == decisions
        assert store.mentors_survey_answers(code, SurveyKind.END) == answered


def make_the_goal_review_due(served: ServedDemo) -> None:
    """Six weeks on: the agreement written on Expectations has had fortnightly meetings
    since 43 days ago and its review date was yesterday, and a goal is in progress; SMART
    goals asks for the review on arrival."""
    with open_store(served.database_url) as store:
        code = store.workshop(served.join_code).code
        (me,) = [p for p in store.participants(code) if p.name == NAME]
        key = DocumentKey(code, me.id, "mentoring_agreement")
        saved = store.load(key)
        assert saved is not None and isinstance(saved.document, MentoringAgreement), saved
        dates = {
            "frequency": Frequency.FORTNIGHTLY,
            "start_on": TODAY - timedelta(days=43),
            "review_on": TODAY - timedelta(days=1),
            "end_on": TODAY + timedelta(days=120),
        }
        agreement = MentoringAgreement.model_validate({**saved.document.model_dump(), **dates})
        store.save(key, agreement, expected_revision=saved.revision)
        goal = SmartGoal(title="Give a talk at the spring meetup")
        store.save(DocumentKey(code, me.id, "smart_goal", "goal-1"), goal, expected_revision=0)


def assert_the_dashboard_shows_the_comments_literally(
    browser: Browser, served: ServedDemo, comments: list[str], side: str = "participants"
) -> str:
    """The facilitator's dashboard, with three answers to the end survey from `side`
    ("participants" or "mentors"), lists their comments in that side's block: each payload
    reads as typed, nothing runs. The block's text, returned."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        facilitator = Person(context.new_page(), name=f"hostile-corpus-dashboard-{side}")
        page = facilitator.page
        errors = watch_console(page)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        facilitator_sign_in(facilitator, served, DASHBOARD, served.facilitator_key)
        surveys = page.locator(".mentorkit-surveys")
        block = surveys.locator(f".mentorkit-survey-{side}")
        expect(block).to_contain_text("Comments", timeout=LOAD_TIMEOUT_MS)
        facilitator.reach(block.get_by_text("Comments", exact=True), to_use=False)
        shown = block.text_content() or ""
        missing = [c for c in comments if not shows_literally(shown, c)]
        assert missing == [], missing
        assert_nothing_ran(page, dialogs, f"the dashboard's survey comments from {side}")
        assert injected(surveys) == []
        assert errors == [], errors
        facilitator.shot(f"dashboard-{side}-survey-comments")
        return shown
    finally:
        context.close()


def test_every_payload_in_every_field_shows_literally_and_runs_nothing(
    browser: Browser, page: Page, person: Person, served_demo, end_survey_open
):
    visit = first_visit(person, served_demo, PARTICIPANT_NOTEBOOKS[0], NAME)
    expect(page.locator(".mentorkit-who")).to_contain_text(f"Signed in as {NAME}")
    walk = Walk(person, served_demo.base_url, visit.resume_code, visit.dialogs)

    # Invisible control characters are refused, with a sentence naming the field and the
    # character; what was typed stays in the page.
    career_goal = page.get_by_label("Career goal (1–3 years)")
    said = type_and_settle(person, career_goal, CONTROL_CHARACTERS)
    assert said.startswith("Saved") and "Check Career goal (1–3 years)" in said, said
    assert problem_of(career_goal) == (
        "Career goal (1–3 years): contains an invisible control character (U+0007); remove it"
    )
    expect(career_goal).to_have_value(CONTROL_CHARACTERS)
    assert "Check" not in type_and_settle(person, career_goal, "")

    previews: list[str] = []
    for notebook in PARTICIPANT_NOTEBOOKS:
        if notebook == "04_smart_goals.ipynb":
            make_the_goal_review_due(served_demo)
        mine = walk_app(walk, notebook)
        if notebook == "04_smart_goals.ipynb":  # the review's reasons, in the goals' history
            previews.append(page.locator(".mentorkit-goals").text_content() or "")
        if notebook == "03_expectations.ipynb":
            preview = page.locator(".mentorkit-document").text_content() or ""
            previews.append(preview)
            missing = [t for t in mine if not shows_literally(preview, t.payload)]
            assert missing == [], missing
            assert_download_is_literal(
                page.context, page, "Download agreement (HTML)", [t.payload for t in mine]
            )

    used = {t.payload for t in walk.accepted()}
    assert used == set(CORPUS), set(CORPUS) - used
    walked = {t.label for t in walk.accepted()}
    assert {"Goal 1: why", "End survey: comments"} <= walked, walked
    refused = [(t.label, t.refusal) for t in walk.typed if t.refusal]
    assert any("is not a time zone name" in why for _, why in refused), refused

    # My plan, opened again once every worksheet is walked, shows what each holds.
    open_app(page, walk.base_url, "06_my_plan.ipynb", f"?resume={walk.resume_code}")
    plan = page.locator(".mentorkit-document")
    expect(plan).to_contain_text("My plan", timeout=30_000)
    assert_nothing_ran(page, walk.dialogs, "My plan")
    assert injected(plan) == []
    expect(plan).to_contain_text(NAME)
    plan_text = plan.text_content() or ""
    previews.append(plan_text)
    in_the_plan = [
        t.payload
        for t in walk.accepted()
        if (t.notebook in ALL_IN_THE_PLAN and not NOT_IN_THE_PLAN.match(t.label))
        or ALSO_IN_THE_PLAN.match(t.label)
    ]
    missing = [p for p in in_the_plan if not shows_literally(plan_text, p)]
    assert missing == [], missing
    assert_download_is_literal(page.context, page, "Download my plan (HTML)", in_the_plan)
    comments = [t.payload for t in walk.accepted() if t.label == "End survey: comments"]
    previews.append(
        assert_the_dashboard_shows_the_comments_literally(browser, served_demo, comments)
    )
    unseen = [p for p in CORPUS if not any(shows_literally(text, p) for text in previews)]
    assert unseen == [], unseen
    person.shot("hostile_corpus_plan", whole=True)
    visit.assert_clean()


def test_every_payload_in_a_mentors_profile_shows_literally_to_mentor_and_mentees(
    browser: Browser, page: Page, person: Person, served_demo
):
    """A mentor types the corpus into every free-text field of their profile; their page
    and the participants' mentor directory show each payload as text and run none. Then,
    with a mentee while the end survey is open, the next payloads go into the survey's
    free-text fields at the top of their page: after a reload they read as typed, and the
    dashboard shows them as text in the mentors' block."""
    with open_store(served_demo.database_url) as store:
        code = store.workshop(served_demo.join_code).code
        (mentor,) = [m for m in store.mentors(code) if m.name == CORPUS_MENTOR]
        invite = reset_mentor_invite_codes(store, code, [mentor.email])[mentor.email]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        mentor_person = Person(context.new_page(), name="hostile-corpus-mentor")
        mentor_page = mentor_person.page
        console_errors = watch_console(mentor_page)
        dialogs: list[str] = []
        mentor_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        open_app(mentor_person, served_demo.base_url, MENTOR_APP, f"?invite={invite}")
        resume_code = mentor_page.locator(".mentorkit-resume-code").inner_text(
            timeout=LOAD_TIMEOUT_MS
        )
        walk = Walk(mentor_person, served_demo.base_url, resume_code, dialogs)
        mine = walk_app(walk, MENTOR_APP)
        assert len(mine) >= 4, walk.typed
        mentor_person.shot("mentor-profile-corpus", whole=True)

        # A participant reads the profile in the mentor directory of their shortlist.
        visit = first_visit(person, served_demo, "02_mentor_shortlist.ipynb", CORPUS_MENTEE)
        card = page.locator(".mentorkit-mentor", has_text=CORPUS_MENTOR)
        expect(card).to_be_visible(timeout=LOAD_TIMEOUT_MS)
        person.reach(card, to_use=False)
        shown = card.text_content() or ""
        in_the_directory = [t for t in mine if t.label in ("About me", "Other topics")]
        assert in_the_directory, mine
        missing = [t for t in in_the_directory if not shows_literally(shown, t.payload)]
        assert missing == [], missing
        assert_nothing_ran(page, visit.dialogs, "the mentor directory")
        assert injected(card) == []
        person.shot("mentor-directory-corpus")
        visit.assert_clean()

        # That participant becomes the mentor's mentee while the end survey is open: the
        # survey comes first on the mentor's page, and its comments are walked too.
        with a_mentee_and_the_end_survey_open(served_demo, mentor.email):
            answered = walk_app(walk, MENTOR_APP, MENTOR_SURVEY)
            sections = mentor_page.locator(".mentorkit-mentor-sections h2")
            expect(sections.first).to_have_text("Feedback survey")
            assert "End survey: comments" in {t.label for t in answered}, walk.typed
            mentor_person.reach(mentor_page.get_by_label("End survey: comments"), to_use=False)
            mentor_person.shot("mentor-survey-corpus")
            assert console_errors == [], console_errors
            assert_the_dashboard_shows_the_comments_literally(
                browser, served_demo, [t.payload for t in answered], "mentors"
            )
    finally:
        context.close()
