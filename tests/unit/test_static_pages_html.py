"""The gallery and sign-in page the standalone server renders itself: plain, escaped HTML,
links for the server or for the notebooks, a form that keeps what was typed and says
what is wrong beside the field it is about, and sign-in counted per client address."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from tornado.testing import AsyncHTTPTestCase
from tornado.web import Application

from mentorkit.access import PAUSE_SECONDS, TOO_MANY_TRIES, TriesByAddress
from mentorkit.apps import APPS, PARTICIPANT_APPS
from mentorkit.identity import SignInError, resume, sign_in
from mentorkit.jupyter.pages import (
    FIRST_STEP,
    Pages,
    Problem,
    SignInForm,
    chosen_path,
    gallery_document,
    journey_address,
    page_routes,
    sign_in_document,
    step_of,
)
from mentorkit.jupyter.server import guard_routes
from mentorkit.store import open_store
from mentorkit.ui.landing import find_workshop, landing_page
from mentorkit.workshops import create_workshop

HOSTILE = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
SELF_ASSESSMENT = PARTICIPANT_APPS[0]


class Elements(HTMLParser):
    """Every element of a page with its attributes, and the page's text, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        names = {k.rstrip("_").replace("_", "-"): v for k, v in wanted.items()}  # for_, aria_x
        return [
            attrs
            for t, attrs in self.elements
            if t == tag and all(attrs.get(k) == v for k, v in names.items())
        ]

    def index(self, tag: str, **wanted: str) -> int:
        (attrs,) = self.find(tag, **wanted)
        return next(i for i, (_, a) in enumerate(self.elements) if a is attrs)


@pytest.fixture
def workshop(store):
    return create_workshop(store, "Spring cohort").workshop


# ---------------------------------------------------------------------------------------
# The gallery


def test_the_gallery_page_is_a_whole_document_without_scripts(workshop):
    page = gallery_document(workshop, "")
    assert page.startswith("<!doctype html>")
    found = Elements(page)
    assert found.find("html", lang="en")
    assert found.find("meta", name="viewport")
    assert "<title>Workshop: Spring cohort · mentorkit</title>" in page
    assert len(found.find("main")) == 1
    assert found.find("script") == []
    assert ".mentorkit-gallery-card" in page and ".mentorkit-app" in page  # both stylesheets


def test_a_hostile_workshop_name_is_text_in_the_title_and_the_heading(store):
    hostile = create_workshop(store, HOSTILE, description=HOSTILE).workshop
    page = gallery_document(hostile, "")
    assert "<img" not in page
    assert f"<title>Workshop: {ESCAPED} · mentorkit</title>" in page
    assert f"<h1>Workshop: {ESCAPED}</h1>" in page
    assert Elements(page).find("img") == []


def test_on_the_server_steps_lead_to_sign_in_and_other_apps_to_their_page(workshop):
    links = [a["href"] for a in Elements(gallery_document(workshop, "")).find("a")]
    assert links == [
        "start?step=01_self_assessment",
        "start?step=02_mentor_shortlist",
        "start?step=03_expectations",
        "start?step=04_smart_goals",
        "start?step=05_check_ins",
        "start?step=06_my_plan",
        "start?step=07_closing",
        "voila/render/facilitator/setup.ipynb",
        "voila/render/facilitator/dashboard.ipynb",
        "voila/render/facilitator/matching.ipynb",
        "voila/render/mentor.ipynb",
    ]


def test_in_the_notebook_gallery_every_card_links_to_its_notebook(store, workshop):
    links = [a["href"] for a in Elements(landing_page(store).value).find("a")]
    assert links == [app.notebook for app in APPS]


def test_without_a_workshop_the_page_says_what_to_do_and_no_traceback(store):
    workshop, problem = find_workshop(store)
    assert workshop is None
    page = gallery_document(workshop, problem)
    # The facilitator creates it in the browser: the page names the app, not a command.
    assert "open Workshop setup" in page and "mentorkit init" not in page
    assert "Traceback" not in page
    assert "<title>Workshop apps · mentorkit</title>" in page


def test_a_database_that_cannot_be_opened_gives_the_hint_not_a_traceback(tmp_path):
    pages = Pages(lambda: open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir'}/x.db"))
    (tmp_path / "no").write_text("a file where the folder should be")
    workshop, problem = pages.workshop()
    assert workshop is None and "Cannot create the folder" in problem


# ---------------------------------------------------------------------------------------
# The sign-in page


def test_the_sign_in_page_has_the_worksheet_forms_labelled_fields(workshop):
    page = sign_in_document(SELF_ASSESSMENT, workshop, SignInForm(join="ABCD-EFGH"))
    found = Elements(page)
    for name, label, limit in [
        ("invite", "Invite code", "30"),
        ("join", "Join code", "20"),
        ("who", "Your name", "254"),
        ("resume", "Resume code", "40"),
    ]:
        (field,) = found.find("input", name=name)
        assert field["maxlength"] == limit
        assert found.find("label", for_=field["id"])
        assert label in page
    assert found.find("input", name="join")[0]["value"] == "ABCD-EFGH"  # ?join= fills it in
    assert found.find("input", name="join")[0]["autocomplete"] == "off"
    assert found.find("input", name="join")[0]["placeholder"] == "ABCD-EFGH"
    assert [b["value"] for b in found.find("button")] == ["join", "resume"]
    assert "First time here?" in page and "Been here before?" in page
    assert "<h1>Self-assessment</h1>" in page and "Workshop: Spring cohort" in page
    assert found.find("a", href="start?step=01_self_assessment", aria_current="page")
    assert found.find("script") == []


def test_a_refused_sign_in_keeps_every_value_and_puts_the_message_by_its_field(workshop):
    typed = SignInForm(join="WRONG-CODE", who=HOSTILE, resume="half a code")
    problem = Problem("No workshop has the join code 'WRONG-CODE'.", "join code")
    page = sign_in_document(SELF_ASSESSMENT, workshop, typed, problem)
    found = Elements(page)
    join = found.find("input", name="join")[0]
    assert join["value"] == "WRONG-CODE"
    assert found.find("input", name="who")[0]["value"] == HOSTILE  # as text, not markup
    assert found.find("img") == []
    assert found.find("input", name="resume")[0]["value"] == "half a code"
    assert join["aria-invalid"] == "true" and "autofocus" in join
    message = found.find("p", id=join["aria-describedby"])
    assert message and message[0]["role"] == "alert"
    # Right after the join code's field, before the next field.
    at = found.index("p", id=join["aria-describedby"])
    assert found.index("input", name="join") < at < found.index("input", name="who")
    for other in ("who", "resume"):
        assert "aria-invalid" not in found.find("input", name=other)[0]


def test_a_message_about_the_resume_code_sits_by_the_resume_code(workshop):
    problem = Problem("That resume code is not known.", "resume code")
    found = Elements(sign_in_document(SELF_ASSESSMENT, workshop, SignInForm(), problem))
    resume_field = found.find("input", name="resume")[0]
    assert resume_field["aria-describedby"] == "mentorkit-problem-resume-code"
    assert found.index("p", id="mentorkit-problem-resume-code") > found.index(
        "input", name="resume"
    )
    assert "aria-invalid" not in found.find("input", name="join")[0]


def test_a_hostile_workshop_name_on_the_sign_in_page_is_text(store):
    hostile = create_workshop(store, HOSTILE).workshop
    page = sign_in_document(SELF_ASSESSMENT, hostile)
    assert "<img" not in page and f"Workshop: {ESCAPED}" in page


def test_an_unknown_step_is_the_first_one():
    assert step_of("../etc/passwd").notebook == f"{FIRST_STEP}.ipynb"
    assert step_of(None) is SELF_ASSESSMENT
    assert step_of("03_expectations").title == "Expectations"
    assert step_of("facilitator/dashboard") is SELF_ASSESSMENT


def test_the_journey_address_says_welcome_only_after_a_first_sign_in():
    assert journey_address("/", SELF_ASSESSMENT) == (
        "/voila/render/journey.ipynb?step=01_self_assessment"
    )
    assert journey_address("/room/", PARTICIPANT_APPS[2], welcome=True) == (
        "/room/voila/render/journey.ipynb?step=03_expectations&welcome=1"
    )


def test_enter_in_the_resume_code_field_continues_rather_than_starts():
    assert chosen_path("join", SignInForm(join="A", who="Ada")) == "join"
    assert chosen_path("resume", SignInForm(join="A", who="Ada", resume="X")) == "resume"
    # Enter presses the first button (Start): only the resume code is filled in.
    assert chosen_path("join", SignInForm(resume="7KQM-2XPA-H9RD-4TZB")) == "resume"
    assert chosen_path("join", SignInForm(join="ABCD", resume="7KQM")) == "resume"
    assert chosen_path("join", SignInForm(join="ABCD", who="Ada", resume="7KQM")) == "join"
    assert chosen_path("join", SignInForm()) == "join"


# ---------------------------------------------------------------------------------------
# Signing in on the server


@pytest.fixture
def pages(tmp_path):
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    with open_store(url) as store:
        create_workshop(store, "Spring cohort")
    served = Pages(lambda: open_store(url))
    yield served
    served.close()


def join_code(pages: Pages) -> str:
    return pages.store().workshops()[0].code


def test_a_first_sign_in_issues_a_code_and_a_wrong_join_code_is_by_its_field(pages):
    wrong = pages.sign_in("10.0.0.1", "join", SignInForm(join="zzzz-zzzz", who="Ada"))
    assert wrong.identity is None and wrong.refused
    assert wrong.problem is not None and wrong.problem.field == "join code"
    assert "No workshop has the join code" in wrong.problem.message
    assert wrong.pause == PAUSE_SECONDS  # awaited by the request, not slept in a thread
    fine = pages.sign_in("10.0.0.1", "join", SignInForm(join=join_code(pages).lower(), who="Ada"))
    assert fine.identity is not None and fine.pause == 0
    assert fine.code == fine.identity.new_resume_code
    again = pages.resume("10.0.0.2", fine.code.lower().replace("-", " "))
    assert again.identity is not None and again.code == fine.code  # kept as issued
    assert again.identity.new_resume_code is None


def test_the_name_problem_is_by_the_name_field(pages):
    outcome = pages.sign_in("10.0.0.1", "join", SignInForm(join=join_code(pages), who="  "))
    assert outcome.problem == Problem("Enter your name.", "name")
    assert outcome.pause == 0  # not a wrong code: no pause


def test_wrong_codes_are_counted_per_client_address(pages):
    limit = pages.tries.max_failures
    for _ in range(limit):
        pages.resume("10.0.0.1", "7KQM-2XPA-H9RD-4TZB")
    locked = pages.resume("10.0.0.1", "7KQM-2XPA-H9RD-4TZB")
    assert locked.problem == Problem(TOO_MANY_TRIES, "resume code")
    assert not locked.refused  # a kept code is not forgotten for this
    elsewhere = pages.resume("10.0.0.2", "7KQM-2XPA-H9RD-4TZB")
    assert elsewhere.problem is not None and elsewhere.problem.message != TOO_MANY_TRIES


def test_a_server_forgets_the_least_recently_seen_addresses_beyond_its_capacity():
    tries = TriesByAddress(capacity=2, sleep=lambda _: None)
    first = tries.limiter("10.0.0.1", "join code")
    assert tries.limiter("10.0.0.1", "join code") is first
    tries.limiter("10.0.0.2", "join code")
    tries.limiter("10.0.0.1", "resume code")  # 10.0.0.1 seen again: .2 is the oldest
    tries.limiter("10.0.0.3", "join code")
    assert tries.limiter("10.0.0.1", "join code") is first
    assert tries.limiter("10.0.0.3", "join code") is not first


@pytest.mark.slow
def test_every_sign_in_error_names_the_field_it_is_about(store, workshop):
    cases = [
        (lambda: sign_in(store, "", "Ada"), "join code"),
        (lambda: sign_in(store, "QQQQ-QQQQ", "Ada"), "join code"),
        (lambda: sign_in(store, workshop.code, ""), "name"),
        (lambda: sign_in(store, workshop.code, "nobody@example.org"), "name"),
        (lambda: sign_in(store, "", "", invite_code="QQQQQ-QQQQQ-QQQQQ"), "invite code"),
        (lambda: sign_in(store, "", "", invite_code="7KQM-2XPA-H9RD-4TZB"), "invite code"),
        (lambda: resume(store, "QQQQQ-QQQQQ-QQQQQ"), "resume code"),
        (lambda: resume(store, ""), "resume code"),
        (lambda: resume(store, "7KQM-2XPA-H9RD-4TZB"), "resume code"),
    ]
    for call, field in cases:
        with pytest.raises(SignInError) as raised:
            call()
        assert raised.value.field == field, raised.value


# ---------------------------------------------------------------------------------------
# Routes


def test_no_guard_route_answers_the_base_url_so_the_gallery_redirect_cannot_loop():
    for base in ("/", "/room/"):
        patterns = [pattern for pattern, *_ in guard_routes(base)]
        assert not any(re.fullmatch(pattern, base) for pattern in patterns)
        gallery = next(pattern for pattern, *_ in page_routes(base))
        assert re.fullmatch(gallery, base)


class GalleryRedirectTest(AsyncHTTPTestCase):
    """The listings and the notebook gallery's old address lead to the gallery."""

    def get_app(self) -> Application:
        return Application(guard_routes("/"))

    def test_old_addresses_go_to_the_gallery_keeping_the_query(self) -> None:
        for path in ["/voila/render/index.ipynb", "/voila", "/voila/tree/x", "/voila/render/"]:
            answer = self.fetch(f"{path}?token=abc", follow_redirects=False)
            assert answer.code == 302, path
            assert answer.headers["Location"] == "/?token=abc", path
        plain = self.fetch("/voila/render/index.ipynb", follow_redirects=False)
        assert plain.headers["Location"] == "/"
        assert self.fetch("/voila/render/01_self_assessment.ipynb").code == 404  # not here
