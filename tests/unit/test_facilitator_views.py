"""The facilitator apps: the key gate, a dashboard that shows progress but no private text,
the anonymised mode, and matching with locks, forbids and publishing."""

import asyncio
import base64
import re
import time
from datetime import UTC, date, datetime, timedelta

import ipywidgets as widgets
import pytest
import sqlalchemy as sa

from mentorkit import people as people_module
from mentorkit.identity import FACILITATOR_REFUSAL as REFUSAL
from mentorkit.identity import SignInError, claim_mentor_invite, resume, sign_in
from mentorkit.mentoring import Answerer, Side, confirm
from mentorkit.models import (
    ActionItem,
    CheckIn,
    MeetingFormat,
    MentoringAgreement,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Milestone,
    Participant,
    PlanSharing,
    RoleRow,
    SelfAssessment,
    SentRequest,
    ShortlistEntry,
    SmartGoal,
)
from mentorkit.rendering import long_date
from mentorkit.store import DocumentKey
from mentorkit.testing import find_widget, sign_in_rostered, widget_tree
from mentorkit.ui.dashboard import DashboardView, dashboard_app, last_activity_html
from mentorkit.ui.matching import (
    INCLUDE_NOT_STARTED,
    RULE_OUT_FORMATS,
    MatchingView,
    matching_app,
)
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
SECRET = "Zanzibar-secret-7731"
TODAY = date.today()
MENTORS = [
    MentorProfile(
        name="Ada Mensah",
        email="ada@example.org",
        expertise=["negotiation"],
        capacity=1,
        formats=[MeetingFormat.VIDEO],
    ),
    MentorProfile(
        name="Bo Lindqvist",
        email="bo@example.org",
        expertise=["public-speaking"],
        capacity=1,
        formats=[MeetingFormat.VIDEO],
    ),
]
PEOPLE = [
    Participant(name="Carla Diaz", email="carla@example.com"),
    Participant(name="Dev Patel", email="dev@example.com"),
    Participant(name="Eun-ji Seo", email="eunji@example.com"),
    Participant(name=HOSTILE, email="hostile@example.com"),
]
APPS = [dashboard_app, matching_app]


@pytest.fixture
def access(store):
    access = create_workshop(store, "Spring cohort")
    store.import_roster(access.workshop.code, mentors=MENTORS, participants=PEOPLE)
    return access


def texts(widget: widgets.Widget) -> list[str]:
    """Every string the widget tree sends to the page: values, labels, options, tooltips."""
    found: list[str] = []
    for trait in ("value", "description", "placeholder", "tooltip"):
        value = getattr(widget, trait, None)
        if isinstance(value, str):
            found.append(value)
    found += [str(label) for label in getattr(widget, "_options_labels", ())]
    for child in getattr(widget, "children", ()):
        found += texts(child)
    return found


def page_text(widget: widgets.Widget) -> str:
    return "\n".join(texts(widget))


def html_text(widget: widgets.Widget) -> str:
    """What the page inserts as markup: the values of every HTML widget."""
    if isinstance(widget, widgets.HTML):
        return widget.value
    return "\n".join(html_text(child) for child in getattr(widget, "children", ()))


def signed_in(app_function, store, access, **kwargs):
    app = app_function(store=store, environ={}, refusal_delay=0, **kwargs)
    app.join.value = access.workshop.code
    app.key.value = access.facilitator_key
    app.sign_in_button.click()
    assert app.notice.value == "", app.notice.value
    return app


def everybody(store, access) -> list[str]:
    """Every participant's and mentor's name and email."""
    people = store.participants(access.workshop.code)
    return [
        *(p.name for p in people),
        *(p.email for p in people if p.email),
        *(m.name for m in MENTORS),
        *(m.email for m in MENTORS),
    ]


def downloads(html: str) -> dict[str, bytes]:
    """The files behind the page's download links, by file name."""
    found = re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    return {name: base64.b64decode(data) for name, data in found}


# -- the key gate --------------------------------------------------------------------------


@pytest.mark.parametrize("app_function", APPS)
@pytest.mark.parametrize("wrong", ["key", "join code", "both"])
def test_a_wrong_key_or_join_code_shows_only_one_sentence(store, access, app_function, wrong):
    other = create_workshop(store, "Another workshop")
    app = app_function(store=store, environ={}, refusal_delay=0)
    app.join.value = other.workshop.code if wrong != "key" else access.workshop.code
    app.key.value = access.facilitator_key if wrong == "join code" else "not-the-key"
    if wrong == "both":
        app.join.value = "ZZZZ-ZZZZ"
    app.sign_in_button.click()
    assert app.view is None and app.session is None
    assert REFUSAL in app.notice.value
    shown = page_text(app)
    for secret in [*everybody(store, access), "Spring cohort", "Another workshop"]:
        assert secret not in shown
    assert app.key.value == ""


def test_a_refusal_waits_a_second(store, access):
    app = dashboard_app(store=store, environ={})
    app.join.value = access.workshop.code
    app.key.value = "guess"
    started = time.monotonic()
    app.sign_in_button.click()
    assert time.monotonic() - started >= 0.95
    assert REFUSAL in app.notice.value


@pytest.mark.parametrize(
    ("app_function", "view"), [(dashboard_app, DashboardView), (matching_app, MatchingView)]
)
def test_the_right_key_builds_the_view(store, access, app_function, view):
    app = signed_in(app_function, store, access)
    assert isinstance(app.view, view)
    assert "Spring cohort" in "".join(
        w.value for w in widget_tree(app) if isinstance(w, widgets.HTML)
    )
    assert find_widget(app, widgets.Password, "Facilitator key") is None  # the sign-in form is gone


def test_the_join_code_comes_from_the_link_but_never_the_key(store, access):
    query = f"join={access.workshop.code}&key={access.facilitator_key}"
    app = dashboard_app(store=store, environ={"QUERY_STRING": query}, refusal_delay=0)
    assert app.join.value == access.workshop.code
    assert app.key.value == ""
    assert app.view is None


# -- dashboard -----------------------------------------------------------------------------


def email_of(name: str) -> str:
    return next(p.email for p in PEOPLE if p.name == name)


def fill_everything(store, access, who: str, text: str) -> str:
    """Sign `who` (on the roster) in and save every worksheet with `text` in every free-text
    field."""
    identity = sign_in_rostered(store, access.workshop.code, email_of(who))
    code, pid = access.workshop.code, identity.participant.id

    def save(document, name="main"):
        store.save(DocumentKey(code, pid, document.kind, name), document, expected_revision=0)

    save(
        SelfAssessment(
            ratings={"negotiation": 2},
            growth_areas=["negotiation"],
            career_goal=f"Become CTO {text}",
            preferences={"formats": ["video"], "frequency": "monthly"},
        )
    )
    save(
        MentorShortlist(
            entries=[
                ShortlistEntry(
                    mentor_email="ada@example.org",
                    note=f"note {text}",
                    outreach_message=f"message {text}",
                )
            ],
            requests=[
                SentRequest(
                    mentor_email="ada@example.org",
                    message=f"request {text}",
                    sent_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                )
            ],
        )
    )
    save(
        MentoringAgreement(
            relationship_goals=[f"goal {text}"],
            confidentiality=f"conf {text}",
            feedback_style=f"feedback {text}",
            roles=[RoleRow(area=f"area {text}", mentor_focus=text, mentee_focus=text)],
            boundaries=f"bounds {text}",
            exit_clause=f"exit {text}",
        )
    )
    save(
        SmartGoal(
            title=f"Goal {text}",
            specific=text,
            measurable=text,
            achievable=text,
            relevant=text,
            time_bound=text,
            competencies=["negotiation"],
            milestones=[Milestone(title=f"milestone {text}")],
        ),
        "goal-1",
    )
    save(
        CheckIn(
            met_on=TODAY,
            topics=[f"topic {text}"],
            learned=f"learned {text}",
            action_items=[ActionItem(text=f"action {text}")],
        ),
        "check-in-1",
    )
    return pid


def test_the_dashboard_shows_progress_and_never_what_participants_wrote(store, access):
    fill_everything(store, access, "Carla Diaz", SECRET)
    app = signed_in(dashboard_app, store, access)
    view = app.view
    shown = page_text(app)
    assert SECRET not in shown
    roster = view.roster.value
    carla = re.search(r"<tr><th scope='row'>Carla Diaz</th>.*?</tr>", roster)[0]
    assert "carla@example.com" in carla
    # Done: self-assessment, shortlist, check-in; started: agreement (no dates), goal.
    assert carla.count("✓</span> done") == 3 and carla.count("…</span> started") == 2
    assert "60%" in carla
    assert re.search(r"<td class='when'><time [^>]+>\d\d:\d\d</time></td>", carla)  # today
    assert "Dev Patel" in roster and "0%" in roster
    requests = view.requests.value
    assert "1 request: 1 waiting for an answer." in requests
    assert "<th scope='row'>Carla Diaz</th><td>Ada Mensah</td><td>waiting for an answer</td>" in (
        requests
    )
    # Ada declines, with a reply: the answer shows, the reply (like the message) does not.
    store.decide_match(
        access.workshop.code,
        view.participants[[p.name for p in view.participants].index("Carla Diaz")].id,
        "ada@example.org",
        "forbid",
        answered_by=Answerer.MENTOR,
        reply=f"reply {SECRET}",
    )
    view.refresh_button.click()
    assert "1 request: 1 declined." in view.requests.value
    assert "by the mentor" in view.requests.value
    assert SECRET not in page_text(app)
    assert "Negotiation: 1 of 4 participants" in view.charts.value
    assert "Video: 1 of 4 participants" in view.charts.value
    assert "Communication: 1 of 1 goals" in view.charts.value
    files = downloads(view.downloads.value)
    assert set(files) == {"progress.csv", "progress.xlsx", "responses.csv", "responses.xlsx"}
    assert b"Carla Diaz" in files["progress.csv"]
    for name, content in files.items():
        if name.endswith(".csv"):
            assert SECRET.encode() not in content, name


def test_a_shared_plan_is_offered_as_a_download_only(store, access):
    pid = fill_everything(store, access, "Carla Diaz", SECRET)
    store.save(
        DocumentKey(access.workshop.code, pid, PlanSharing.kind),
        PlanSharing(shared=True),
        expected_revision=0,
    )
    app = signed_in(dashboard_app, store, access)
    assert SECRET not in page_text(app)
    assert "shared-plans.zip" in downloads(app.view.downloads.value)


def test_names_are_escaped_in_the_roster(store, access):
    app = signed_in(dashboard_app, store, access)
    assert "&lt;img src=x onerror=alert(1)&gt;" in app.view.roster.value
    assert "<img" not in html_text(app)
    # Drop-down labels are text, never markup: the name is shown as typed.
    assert any(label.startswith(HOSTILE) for label, _ in app.view.people.person.options)


def test_anonymised_mode_hides_every_name_and_email(store, access):
    fill_everything(store, access, "Carla Diaz", SECRET)
    app = signed_in(matching_app, store, access)
    app.view.run_button.click()
    app.view.publish()
    app = signed_in(dashboard_app, store, access)
    view = app.view
    assert "Ada Mensah" in view.roster.value or "Bo Lindqvist" in view.roster.value
    view.anonymous.value = True
    shown = page_text(view)
    for secret in everybody(store, access):
        assert secret not in shown, secret
    assert "&lt;img" not in shown
    for n in range(1, len(PEOPLE) + 1):
        assert f"Participant {n}" in view.roster.value
    assert "Mentor 1" in view.roster.value or "Mentor 2" in view.roster.value
    assert "data:" not in view.downloads.value
    view.refresh_button.click()  # a refresh stays anonymised
    assert "Carla Diaz" not in page_text(view)
    view.anonymous.value = False
    assert "Carla Diaz" in view.roster.value


def test_refresh_shows_new_progress_without_a_new_page(store, access):
    app = signed_in(dashboard_app, store, access)
    assert (
        "Carla Diaz</th><td>carla@example.com</td><td>no invite code</td>"
        '<td class="mentorkit-step-none"'
    ) in app.view.roster.value
    fill_everything(store, access, "Carla Diaz", "x")
    find_widget(app, widgets.Button, "Refresh").click()
    assert (
        'Carla Diaz</th><td>carla@example.com</td><td>signed in</td><td class="mentorkit-step-done"'
    ) in app.view.roster.value


def test_automatic_refresh_is_on_from_the_start_and_cancelled_when_unticked(store, access):
    async def open_tick_and_untick() -> None:
        view = signed_in(dashboard_app, store, access).view
        assert view.auto.value is True  # as the README says: every 30 s
        assert view._timer is not None
        first = view._timer
        view._tick()  # as the loop would after 30 s: refresh, then schedule the next one
        assert view._timer is not None and view._timer is not first
        view.auto.value = False
        assert view._timer is None
        assert first.cancelled() or view._timer is None

    asyncio.run(open_tick_and_untick())


def test_last_activity_is_a_time_element_with_the_date_unless_today():
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    shown = last_activity_html(moment)
    assert shown.startswith('<time class="mentorkit-time" datetime="2026-03-02T09:05:00+00:00">')
    assert f"{moment.astimezone():%H:%M}</time>" in shown
    assert re.search(r">\d{1,2} [A-Z][a-z]{2} 2026, \d\d:\d\d</time>", shown)  # not today
    today = last_activity_html(datetime.now(UTC))
    assert re.search(r">\d\d:\d\d</time>$", today)
    assert last_activity_html(None) == "—"


def test_the_roster_shows_last_activity_as_a_time_element(store, access):
    fill_everything(store, access, "Carla Diaz", "x")
    app = signed_in(dashboard_app, store, access)
    assert "<td class='when'><time class=\"mentorkit-time\" datetime=" in app.view.roster.value


# -- people: reset a code, merge two, remove one -------------------------------------------


def choose(dropdown: widgets.Dropdown, name: str) -> None:
    dropdown.value = next(value for label, value in dropdown.options if label.startswith(name))


def test_reset_shows_a_new_code_once_and_the_old_one_stops(store, access):
    first = sign_in_rostered(store, access.workshop.code, "carla@example.com")
    view = signed_in(dashboard_app, store, access).view
    choose(view.people.person, "Carla Diaz")
    view.people.reset.click()
    code = re.search(r'mentorkit-resume-code">([^<]+)<', view.people.outcome.value)[1]
    assert resume(store, code).participant == first.participant
    with pytest.raises(SignInError):
        resume(store, first.new_resume_code)
    view.anonymous.value = True  # projected: the code and the names leave the page
    assert code not in page_text(view)
    assert "Carla Diaz" not in page_text(view)


def test_removing_takes_two_steps_and_cancel_removes_nobody(store, access):
    fill_everything(store, access, "Dev Patel", "x")
    view = signed_in(dashboard_app, store, access).view
    people = view.people
    choose(people.person, "Dev Patel")
    people.remove.click()
    assert people.confirm_box.layout.display == "flex"
    assert "Remove <strong>Dev Patel</strong>" in people.question.value
    people.cancel.click()
    assert len(store.participants(access.workshop.code)) == len(PEOPLE)
    people.remove.click()
    people.confirm.click()
    names = [p.name for p in store.participants(access.workshop.code)]
    assert "Dev Patel" not in names and len(names) == len(PEOPLE) - 1
    assert "Dev Patel is removed" in people.outcome.value
    assert "Dev Patel" not in view.roster.value  # redrawn at once
    assert all(not label.startswith("Dev") for label, _ in people.person.options)


def test_merging_asks_which_entry_to_keep_and_moves_the_worksheets(store, access):
    code = access.workshop.code
    walk_in = sign_in(store, code, "Carla D")  # Carla joined again by name
    store.save(
        DocumentKey(code, walk_in.participant.id, "self_assessment"),
        SelfAssessment(career_goal="Lead a team"),
        expected_revision=0,
    )
    view = signed_in(dashboard_app, store, access).view
    people = view.people
    choose(people.person, "Carla D")  # the walk-in entry, listed as "Carla D"
    assert people.person.value == walk_in.participant.id
    people.merge.click()
    people.confirm.click()  # nobody chosen to keep yet: nothing happens but a sentence
    assert "Choose the entry to keep" in view.session.notice.value
    choose(people.keep, "Carla Diaz")
    assert "Move every worksheet of <strong>Carla D</strong>" in people.question.value
    people.confirm.click()
    carla = store.find_participant(code, "carla@example.com")
    moved = store.load(DocumentKey(code, carla.id, "self_assessment"))
    assert moved is not None and moved.document.career_goal == "Lead a team"
    assert walk_in.participant.id not in {p.id for p in store.participants(code)}
    assert "Carla D is merged into Carla Diaz: 1 worksheet moved" in people.outcome.value


# -- matching ------------------------------------------------------------------------------


def pairs_of(view: MatchingView) -> set[tuple[str, str]]:
    names = {p.id: p.name for p in view.participants}
    mentors = {m.email: m.name for m in view.mentors}
    return {(names[str(r.mentee)], mentors[str(r.mentor)]) for r in view.run.pairs.itertuples()}


def ids(view: MatchingView, person: str, mentor: str) -> tuple[str, str]:
    pid = next(p.id for p in view.participants if p.name == person)
    email = next(m.email for m in view.mentors if m.name == mentor)
    return pid, email


@pytest.fixture
def matching(store, access):
    """Carla wants negotiation (Ada), Dev public speaking (Bo); two places for four."""
    for who, area in (("Carla Diaz", "negotiation"), ("Dev Patel", "public-speaking")):
        identity = sign_in_rostered(store, access.workshop.code, email_of(who))
        store.save(
            DocumentKey(access.workshop.code, identity.participant.id, SelfAssessment.kind),
            SelfAssessment(growth_areas=[area], preferences={"formats": ["video"]}),
            expected_revision=0,
        )
    app = signed_in(matching_app, store, access)
    return app


def test_a_run_shows_pairs_with_reasons_and_what_each_mode_gives(matching):
    view = matching.view
    assert view.run is None
    view.run_button.click()
    assert pairs_of(view) == {("Carla Diaz", "Ada Mensah"), ("Dev Patel", "Bo Lindqvist")}
    shown = page_text(view)
    assert "Lock Carla Diaz with Ada Mensah" in shown
    assert "Forbid Dev Patel with Bo Lindqvist" in shown
    assert "covers" in shown and "negotiation" in shown.lower()
    for label in ("Highest total score", "Most people matched", "Stable"):
        assert label in view.comparison.value
    assert "Blocking pairs" in view.comparison.value
    # Eun-ji and the hostile name never started a worksheet: left out, and said so.
    left_out = view.unmatched_box.value
    assert "Everybody has a mentor" not in left_out
    assert "All 2 participants in the matching have a mentor; 2 participants were left out." in (
        left_out
    )
    assert "Eun-ji Seo</strong>: has not started any worksheet" in left_out
    assert "2 participants have not started any worksheet and are left out" in view.status.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in left_out
    find_widget(view, widgets.Checkbox, INCLUDE_NOT_STARTED).value = True
    assert pairs_of(view) == {("Carla Diaz", "Ada Mensah"), ("Dev Patel", "Bo Lindqvist")}
    assert "Eun-ji Seo</strong>: the mentors who fit are full: " in view.unmatched_box.value
    assert "ada@example.org" not in view.unmatched_box.value  # mentors named, not emailed
    assert "&lt;img src=x onerror=alert(1)&gt;" in view.unmatched_box.value
    assert "left out" not in view.unmatched_box.value + view.status.value
    files = downloads(view.downloads.value)
    assert set(files) == {"pairs.csv", "pairs.xlsx", "introductions.csv"}
    assert b"Carla Diaz" in files["pairs.csv"] and b"Introducing" in files["introductions.csv"]


def test_a_lock_holds_when_the_matching_runs_again(matching):
    view = matching.view
    view.run_button.click()
    pid, email = ids(view, "Eun-ji Seo", "Ada Mensah")
    view.pick_participant.value = pid
    view.pick_mentor.value = email
    find_widget(view, widgets.Button, "Lock pair").click()
    assert matching.notice.value == ""
    assert ("Eun-ji Seo", "Ada Mensah") in pairs_of(view)
    assert "Remove lock: Eun-ji Seo with Ada Mensah" in page_text(view)
    for mode in ("participation", "stable", "score"):
        view.mode.value = mode
        view.run_button.click()
        assert ("Eun-ji Seo", "Ada Mensah") in pairs_of(view), mode
        assert ("Carla Diaz", "Ada Mensah") not in pairs_of(view)
    assert find_widget(view, widgets.Checkbox, "Lock Eun-ji Seo with Ada Mensah").value is True
    find_widget(view, widgets.Button, "Remove lock: Eun-ji Seo with Ada Mensah").click()
    assert ("Carla Diaz", "Ada Mensah") in pairs_of(view)


def test_ticking_a_suggested_pair_locks_it(matching):
    view = matching.view
    view.run_button.click()
    find_widget(view, widgets.Checkbox, "Lock Dev Patel with Bo Lindqvist").value = True
    assert view.locked == [ids(view, "Dev Patel", "Bo Lindqvist")]
    view.run_button.click()
    assert find_widget(view, widgets.Checkbox, "Lock Dev Patel with Bo Lindqvist").value is True
    find_widget(view, widgets.Checkbox, "Lock Dev Patel with Bo Lindqvist").value = False
    assert view.locked == []


def test_a_forbidden_pair_disappears_and_stays_away(matching):
    view = matching.view
    view.run_button.click()
    find_widget(view, widgets.Button, "Forbid Carla Diaz with Ada Mensah").click()
    assert ("Carla Diaz", "Ada Mensah") not in pairs_of(view)
    assert "Remove forbid: Carla Diaz with Ada Mensah" in page_text(view)
    view.mode.value = "participation"
    view.run_button.click()
    assert ("Carla Diaz", "Ada Mensah") not in pairs_of(view)
    find_widget(view, widgets.Button, "Remove forbid: Carla Diaz with Ada Mensah").click()
    view.mode.value = "score"
    view.run_button.click()
    assert ("Carla Diaz", "Ada Mensah") in pairs_of(view)


def test_an_impossible_lock_is_a_sentence_and_is_not_kept(store, access, matching):
    view = matching.view
    view.run_button.click()
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Eun-ji Seo", "Ada Mensah")
    find_widget(view, widgets.Button, "Lock pair").click()
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Dev Patel", "Ada Mensah")
    find_widget(view, widgets.Button, "Lock pair").click()
    assert "no capacity left" in matching.notice.value
    assert "Ada Mensah" in matching.notice.value and "ada@example.org" not in matching.notice.value
    assert view.locked == [ids(view, "Eun-ji Seo", "Ada Mensah")]


def test_publishing_writes_matches_and_republishing_updates_and_withdraws(store, access, matching):
    view = matching.view
    code = access.workshop.code
    view.run_button.click()
    find_widget(view, widgets.Button, "Publish").click()
    confirm = find_widget(view, widgets.Button, "Confirm publish 2 matches")
    assert confirm is not None
    assert store.list(code, kind=MentorMatch.kind) == []  # nothing before the confirmation
    confirm.click()
    assert "Published 2 matches." in view.published.value
    published = {s.key.participant: s.document for s in store.list(code, kind=MentorMatch.kind)}
    carla, ada = ids(view, "Carla Diaz", "Ada Mensah")
    eunji, _ = ids(view, "Eun-ji Seo", "Ada Mensah")
    assert set(published) == {carla, ids(view, "Dev Patel", "Bo Lindqvist")[0]}
    match = published[carla]
    assert match.mentor_email == ada and match.published_on == TODAY
    assert "negotiation" in match.reasons.lower()
    assert match.introduction.startswith("Subject: Introducing Carla Diaz and Ada Mensah")

    view.pick_participant.value, view.pick_mentor.value = eunji, ada
    find_widget(view, widgets.Button, "Lock pair").click()
    find_widget(view, widgets.Button, "Publish").click()
    find_widget(view, widgets.Button, "Confirm publish 2 matches").click()
    assert "Withdrew 1 earlier match." in view.published.value
    published = {s.key.participant: s.document for s in store.list(code, kind=MentorMatch.kind)}
    assert carla not in published
    assert published[eunji].mentor_email == ada
    assert store.load(DocumentKey(code, eunji, MentorMatch.kind)).revision == 1


def test_a_publish_that_fails_midway_publishes_nothing_withdraws_nothing_and_says_so(
    store, access, matching
):
    """Republishing writes Eun-ji's new match, then withdraws Carla's: the database refuses
    the withdrawal, after the write. Nobody's match changes, and the page says so."""
    view = matching.view
    code = access.workshop.code
    view.run_button.click()
    confirm_publish(view)
    before = {
        s.key.participant: (s.revision, s.document) for s in store.list(code, kind=MentorMatch.kind)
    }
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Eun-ji Seo", "Ada Mensah")
    find_widget(view, widgets.Button, "Lock pair").click()
    find_widget(view, widgets.Button, "Publish").click()
    refused: list[str] = []

    def refuse_the_withdrawal(conn, cursor, statement, parameters, context, executemany):
        if not refused and statement.lstrip().upper().startswith("DELETE FROM DOCUMENT_HISTORY"):
            refused.append(statement)
            return "DELETE FROM no_such_table_for_this_test", parameters
        return statement, parameters

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", refuse_the_withdrawal, retval=True)
    try:
        find_widget(view, widgets.Button, "Confirm publish 2 matches").click()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", refuse_the_withdrawal)
    assert refused
    after = {
        s.key.participant: (s.revision, s.document) for s in store.list(code, kind=MentorMatch.kind)
    }
    assert after == before
    assert "Nothing was published and no match was withdrawn" in matching.notice.value
    assert "press Publish again" in matching.notice.value
    assert "2 matches are published now" in view.published.value  # not "Published 2 matches."


def test_a_new_run_takes_back_an_unconfirmed_publish(matching):
    view = matching.view
    view.run_button.click()
    find_widget(view, widgets.Button, "Publish").click()
    assert find_widget(view, widgets.Button, "Confirm publish 2 matches") is not None
    view.run_button.click()
    assert find_widget(view, widgets.Button, "Confirm publish 2 matches") is None


def confirm_publish(view: MatchingView) -> None:
    find_widget(view, widgets.Button, "Publish").click()
    confirm = next(
        b for b in view.confirm_box.children[1].children if b.description.startswith("Confirm")
    )
    confirm.click()


def test_a_reopened_page_shows_the_published_pairs_and_the_stored_locks_and_forbids(
    store, access, matching
):
    view = matching.view
    view.run_button.click()
    find_widget(view, widgets.Checkbox, "Lock Dev Patel with Bo Lindqvist").value = True
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Carla Diaz", "Bo Lindqvist")
    find_widget(view, widgets.Button, "Forbid pair").click()
    confirm_publish(view)
    assert "Published 2 matches." in view.published.value

    again = signed_in(matching_app, store, access).view  # a reload: a new kernel, a new view
    assert again.run is None
    assert "Published pairs" in again.pairs_heading.value
    assert "2 pairs are published now" in again.status.value
    assert find_widget(again, widgets.Checkbox, "Lock Dev Patel with Bo Lindqvist").value is True
    assert find_widget(again, widgets.Checkbox, "Lock Carla Diaz with Ada Mensah").value is False
    shown = page_text(again)
    assert "Remove lock: Dev Patel with Bo Lindqvist" in shown
    assert "Remove forbid: Carla Diaz with Bo Lindqvist" in shown
    assert "negotiation" in shown.lower()  # the published reasons
    assert find_widget(again, widgets.Button, "Publish").disabled  # nothing new to publish yet
    assert set(downloads(again.downloads.value)) == {
        "pairs.csv",
        "pairs.xlsx",
        "introductions.csv",
    }
    find_widget(again, widgets.Button, "Remove forbid: Carla Diaz with Bo Lindqvist").click()
    third = signed_in(matching_app, store, access).view
    assert "Remove forbid" not in page_text(third)
    assert "Remove lock: Dev Patel with Bo Lindqvist" in page_text(third)


def test_publishing_again_shows_the_changes_by_name_and_waits_for_confirmation(
    store, access, matching
):
    view = matching.view
    code = access.workshop.code
    view.run_button.click()
    confirm_publish(view)
    before = {s.key.participant: s.revision for s in store.list(code, kind=MentorMatch.kind)}

    view.pick_participant.value, view.pick_mentor.value = ids(view, "Eun-ji Seo", "Ada Mensah")
    find_widget(view, widgets.Button, "Lock pair").click()
    find_widget(view, widgets.Button, "Publish").click()
    review = view.review.value
    assert "1 new match, 1 match withdrawn, 1 match kept as published" in review
    rows = re.findall(
        r"<tr><th scope='row'>(.*?)</th><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>"
        r"<td>(.*?)</td></tr>",
        review,
    )
    assert rows == [
        ("Eun-ji Seo", "New match", "—", "Ada Mensah", ""),
        (
            "Carla Diaz",
            "Match withdrawn",
            "Ada Mensah",
            "—",
            "the mentors who fit are full: Ada Mensah, Bo Lindqvist",
        ),
    ]
    assert "ada@example.org" not in review
    after = {s.key.participant: s.revision for s in store.list(code, kind=MentorMatch.kind)}
    assert after == before  # nothing changes before the confirmation
    find_widget(view, widgets.Button, "Cancel").click()
    assert view.confirm_box.children == ()
    assert {
        s.key.participant: s.revision for s in store.list(code, kind=MentorMatch.kind)
    } == before

    find_widget(view, widgets.Button, "Publish").click()
    find_widget(view, widgets.Button, "Confirm publish 2 matches").click()
    published = {s.key.participant: s for s in store.list(code, kind=MentorMatch.kind)}
    dev = ids(view, "Dev Patel", "Bo Lindqvist")[0]
    assert set(published) == {dev, ids(view, "Eun-ji Seo", "Ada Mensah")[0]}
    assert published[dev].revision == before[dev]  # kept as it was, not written again


def test_a_publish_from_another_page_in_between_is_not_overwritten_unseen(store, access, matching):
    view = matching.view
    view.run_button.click()
    find_widget(view, widgets.Button, "Publish").click()
    other = signed_in(matching_app, store, access).view
    other.run_button.click()
    confirm_publish(other)
    find_widget(view, widgets.Button, "Confirm publish 2 matches").click()
    assert "changed since you reviewed them" in matching.notice.value
    find_widget(view, widgets.Button, "Publish").click()
    assert "Nothing changes" in view.review.value


def test_a_locked_published_pair_is_kept_when_a_better_fit_turns_up(store, access, matching):
    """Carla was published with Ada. Then Eun-ji, who fits Ada better and shortlisted her,
    starts: a re-run would give Ada to Eun-ji and withdraw Carla's match, unless it is locked."""
    view = matching.view
    code = access.workshop.code
    view.run_button.click()
    confirm_publish(view)
    carla, ada = ids(view, "Carla Diaz", "Ada Mensah")
    eunji = ids(view, "Eun-ji Seo", "Ada Mensah")[0]
    published_on = store.load(DocumentKey(code, carla, MentorMatch.kind))
    store.save(
        DocumentKey(code, eunji, SelfAssessment.kind),
        SelfAssessment(growth_areas=["negotiation"], preferences={"formats": ["video"]}),
        expected_revision=0,
    )
    store.save(
        DocumentKey(code, eunji, MentorShortlist.kind),
        MentorShortlist(entries=[ShortlistEntry(mentor_email=ada)]),
        expected_revision=0,
    )

    unlocked = signed_in(matching_app, store, access).view
    unlocked.run_button.click()
    assert ("Eun-ji Seo", "Ada Mensah") in pairs_of(unlocked)  # what happens without the lock
    find_widget(unlocked, widgets.Button, "Publish").click()
    assert "<th scope='row'>Carla Diaz</th><td>Match withdrawn</td>" in unlocked.review.value
    find_widget(unlocked, widgets.Button, "Cancel").click()

    reopened = signed_in(matching_app, store, access).view
    find_widget(reopened, widgets.Checkbox, "Lock Carla Diaz with Ada Mensah").value = True
    for mode in ("score", "participation", "stable"):
        reopened.mode.value = mode
        reopened.run_button.click()
        assert ("Carla Diaz", "Ada Mensah") in pairs_of(reopened), mode
        find_widget(reopened, widgets.Button, "Publish").click()
        assert "Carla Diaz" not in reopened.review.value, mode
    find_widget(reopened, widgets.Button, "Confirm publish 2 matches").click()
    kept = store.load(DocumentKey(code, carla, MentorMatch.kind))
    assert kept.document.mentor_email == ada
    assert kept.revision == published_on.revision  # untouched


def test_pairs_with_no_meeting_format_in_common_are_ruled_out_with_the_reason(
    store, access, matching
):
    """Fay covers Carla's growth area but meets only in person; Carla meets by video."""
    code = access.workshop.code
    fay = MentorProfile(
        name="Fay Okafor",
        email="fay@example.org",
        expertise=["negotiation"],
        capacity=2,
        formats=[MeetingFormat.IN_PERSON],
    )
    store.import_roster(code, mentors=[fay])
    view = signed_in(matching_app, store, access).view
    reason = "no meeting format in common: Carla Diaz meets by video, Fay Okafor in person"
    for mode in ("score", "participation", "stable"):
        view.mode.value = mode
        view.run_button.click()
        assert ("Carla Diaz", "Fay Okafor") not in pairs_of(view), mode
        assert ("Carla Diaz", "Ada Mensah") in pairs_of(view), mode
    shown = page_text(view)
    assert f"Carla Diaz with Fay Okafor: {reason}" in shown
    assert "Ruled out: 2 pairs with no meeting format in common" in shown  # Dev too
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Carla Diaz", "Fay Okafor")
    find_widget(view, widgets.Button, "Lock pair").click()  # the facilitator's decision wins
    assert ("Carla Diaz", "Fay Okafor") in pairs_of(view)
    assert reason not in page_text(view)  # a locked pair is not ruled out
    find_widget(view, widgets.Button, "Remove lock: Carla Diaz with Fay Okafor").click()
    assert reason in page_text(view)
    find_widget(view, widgets.Checkbox, RULE_OUT_FORMATS).value = False
    assert reason not in page_text(view)
    assert "Ruled out:" not in page_text(view)


def test_answered_requests_hold_in_the_matching_say_who_answered_and_can_be_changed(
    store, access, matching
):
    code = access.workshop.code
    view = matching.view
    carla_ada = ids(view, "Carla Diaz", "Ada Mensah")
    dev_bo = ids(view, "Dev Patel", "Bo Lindqvist")
    carla_bo = ids(view, "Carla Diaz", "Bo Lindqvist")
    store.decide_match(code, *carla_bo, "lock", answered_by=Answerer.MENTOR)  # Bo accepted Carla
    store.decide_match(code, *dev_bo, "forbid", answered_by=Answerer.MENTOR, reply="Sorry")
    view = signed_in(matching_app, store, access).view
    view.run_button.click()
    assert ("Carla Diaz", "Bo Lindqvist") in pairs_of(view)  # accepted: kept
    assert ("Dev Patel", "Bo Lindqvist") not in pairs_of(view)  # declined: never made
    shown = page_text(view)
    assert "Locked (accepted by the mentor): Carla Diaz with Bo Lindqvist" in shown
    assert "Forbidden (declined by the mentor): Dev Patel with Bo Lindqvist" in shown
    # The facilitator changes both: their own decisions now, and said so.
    find_widget(view, widgets.Button, "Remove forbid: Dev Patel with Bo Lindqvist").click()
    view.pick_participant.value, view.pick_mentor.value = carla_ada
    find_widget(view, widgets.Button, "Lock pair").click()
    shown = page_text(view)
    assert "Locked: Carla Diaz with Ada Mensah" in shown and "accepted by" not in shown
    (answer,) = store.answers(code, carla_ada[0]).items()  # the lock replaced Bo's
    assert answer[0] == carla_ada[1] and answer[1].by == Answerer.FACILITATOR
    assert store.answers(code, dev_bo[0]) == {}


def close_mentor(store, access, email: str, **changes) -> None:
    """The mentor's own profile switch, as they set it on their page."""
    code = access.workshop.code
    mentor = next(m for m in store.mentors(code) if m.email == email)
    store.save_mentor_profile(
        code, mentor.model_copy(update=changes or {"open_to_new_mentees": False})
    )


def test_a_mentor_not_taking_new_mentees_gets_nobody_new_and_is_said_so(store, access, matching):
    close_mentor(store, access, "ada@example.org")
    later = date.today() + timedelta(days=10)
    close_mentor(store, access, "bo@example.org", open_from=later)
    view = signed_in(matching_app, store, access).view
    assert "2 mentors not taking new mentees" in view.status.value
    mentors = view.mentors_box.value
    assert re.search(
        r"Ada Mensah</th>.*?<td class='num'>0</td><td class='mentorkit-step-none'>"
        r"not taking new mentees</td>",
        mentors,
    )
    assert f"taking new mentees from {long_date(later)}" in mentors
    labels = [label for label, _ in view.pick_mentor.options]
    assert "Ada Mensah (ada@example.org) — not taking new mentees" in labels
    view.run_button.click()
    assert view.run.pairs.empty
    unmatched = view.unmatched_box.value
    assert "Carla Diaz</strong>: the mentors who fit are full: Ada Mensah" in unmatched
    assert "; Ada Mensah, Bo Lindqvist take no new mentees" in unmatched


def test_a_locked_pair_stays_with_a_mentor_who_takes_no_new_mentees(store, access, matching):
    code = access.workshop.code
    view = matching.view
    carla_ada = ids(view, "Carla Diaz", "Ada Mensah")
    store.decide_match(code, *carla_ada, "lock", answered_by=Answerer.MENTOR)  # accepted
    store.import_roster(
        code,
        mentors=[
            *MENTORS,
            MentorProfile(
                name=HOSTILE,
                email="hostile-mentor@example.org",
                expertise=["negotiation"],
                capacity=3,
                formats=[MeetingFormat.VIDEO],
            ),
        ],
    )
    close_mentor(store, access, "ada@example.org")  # capacity 1, one accepted: nobody else
    close_mentor(store, access, "hostile-mentor@example.org")
    view = signed_in(matching_app, store, access).view
    find_widget(view, widgets.Checkbox, INCLUDE_NOT_STARTED).value = True
    view.run_button.click()
    pairs = pairs_of(view)
    assert ("Carla Diaz", "Ada Mensah") in pairs  # the accepted pair stays
    assert not any(
        mentor in {"Ada Mensah", HOSTILE} for person, mentor in pairs if person != "Carla Diaz"
    )
    assert "&lt;img src=x onerror=alert(1)&gt;</th>" in view.mentors_box.value
    assert "<img" not in html_text(view)
    # The facilitator may still lock a new pair to them: a decision of their own.
    view.pick_participant.value, view.pick_mentor.value = ids(view, "Dev Patel", HOSTILE)
    find_widget(view, widgets.Button, "Lock pair").click()
    assert ("Dev Patel", HOSTILE) in pairs_of(view)


# -- the dashboard's mentors ----------------------------------------------------------------


def send_request(store, access, who: str, mentor_email: str, text: str) -> str:
    """`who` (on the roster) signs in and sends `mentor_email` a request saying `text`."""
    identity = sign_in_rostered(store, access.workshop.code, email_of(who))
    key = DocumentKey(access.workshop.code, identity.participant.id, MentorShortlist.kind)
    store.save(
        key,
        MentorShortlist(
            entries=[ShortlistEntry(mentor_email=mentor_email)],
            requests=[
                SentRequest(
                    mentor_email=mentor_email,
                    message=f"request {text}",
                    sent_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                )
            ],
        ),
        expected_revision=0,
    )
    return identity.participant.id


@pytest.fixture
def mentor_activity(store, access):
    """Ada: invited, not signed in, not taking new mentees, one request waiting and one
    declined; Bo: signed in, one accepted; a hostile-named mentor with nothing yet."""
    code = access.workshop.code
    store.import_roster(
        code,
        mentors=[*MENTORS, MentorProfile(name=HOSTILE, email="odd@example.org", capacity=1)],
    )
    send_request(store, access, "Carla Diaz", "ada@example.org", SECRET)
    dev = send_request(store, access, "Dev Patel", "ada@example.org", SECRET)
    eunji = send_request(store, access, "Eun-ji Seo", "bo@example.org", SECRET)
    store.decide_match(
        code, dev, "ada@example.org", "forbid", answered_by=Answerer.MENTOR, reply=SECRET
    )
    store.decide_match(code, eunji, "bo@example.org", "lock", answered_by=Answerer.MENTOR)
    mentors = {m.email: m for m in store.mentors(code)}
    people_module.issue_mentor_invites(store, code, [mentors["ada@example.org"]])
    (bo,) = people_module.issue_mentor_invites(store, code, [mentors["bo@example.org"]])
    claim_mentor_invite(store, bo.code)
    close_mentor(store, access, "ada@example.org")
    return access


def test_the_dashboard_counts_the_agreements_both_sides_confirmed_as_they_stand(
    store, mentor_activity
):
    code = mentor_activity.workshop.code
    (eunji,) = [p for p in store.participants(code) if p.name == "Eun-ji Seo"]
    terms = MentoringAgreement(mentor_email="bo@example.org", boundaries="No calls after 8")
    key = DocumentKey(code, eunji.id, "mentoring_agreement")
    store.save(key, terms, expected_revision=0)
    monday = datetime(2027, 1, 11, 9, tzinfo=UTC)
    store.add_agreement_entry(code, eunji.id, confirm(terms, Side.MENTEE, "Eun-ji", at=monday))
    app = signed_in(dashboard_app, store, mentor_activity)
    assert "0 agreements agreed" in app.view.mentor_activity.value  # the mentor has not yet
    store.add_agreement_entry(code, eunji.id, confirm(terms, Side.MENTOR, "Bo", at=monday))
    app.view.refresh()
    shown = app.view.mentor_activity.value
    assert "1 agreement agreed by mentor and mentee." in shown
    assert "<td class='num'>0</td><td class='num'>0</td><td class='num'>1</td>" in shown
    # A change after both confirmed counts no more until both confirm it again.
    store.save(key, terms.model_copy(update={"boundaries": "Calls any time"}), expected_revision=1)
    app.view.refresh()
    assert "0 agreements agreed" in app.view.mentor_activity.value


def test_the_dashboard_counts_each_mentors_requests_and_sign_in_never_the_words(
    store, mentor_activity
):
    app = signed_in(dashboard_app, store, mentor_activity)
    shown = app.view.mentor_activity.value
    assert (
        "3 mentors: 2 invited, 1 signed in, 2 taking new mentees. 3 requests received: "
        "2 answered (1 accepted, 1 declined), 1 waiting. 0 agreements agreed by mentor and "
        "mentee." in shown
    )
    assert (
        "<tr><th scope='row'>Ada Mensah</th><td>ada@example.org</td><td>yes</td>"
        "<td class='mentorkit-step-none'>no</td><td class='num'>2</td><td class='num'>0</td>"
        "<td class='num'>1</td><td class='num'>1</td><td class='num'>0</td>"
        "<td class='mentorkit-step-none'>not taking new mentees</td></tr>" in shown
    )
    assert (
        "<tr><th scope='row'>Bo Lindqvist</th><td>bo@example.org</td><td>yes</td>"
        "<td class='mentorkit-step-done'>yes</td><td class='num'>1</td><td class='num'>1</td>"
        "<td class='num'>0</td><td class='num'>0</td>" in shown
    )
    assert "<th scope='row'>&lt;img src=x onerror=alert(1)&gt;</th>" in shown
    assert "<img" not in html_text(app)
    assert SECRET not in page_text(app)  # neither the requests nor the reply


def test_the_mentors_section_is_anonymised_with_the_rest_of_the_dashboard(store, mentor_activity):
    view = signed_in(dashboard_app, store, mentor_activity).view
    view.anonymous.value = True
    shown = view.mentor_activity.value
    for secret in [*everybody(store, mentor_activity), HOSTILE, "odd@example.org"]:
        assert secret not in page_text(view), secret
    assert "&lt;img" not in shown
    names = re.findall(r"<tr><th scope='row'>([^<]+)</th>", shown)
    assert names == ["Mentor 1", "Mentor 2", "Mentor 3", "All mentors"]
    assert "Signed in" not in shown and "Invited" not in shown  # who signed in stays off screen
    assert "3 mentors: 2 invited, 1 signed in" in shown  # the counts stay
    view.anonymous.value = False
    assert "Ada Mensah" in view.mentor_activity.value


def test_the_cohorts_growth_per_area_hides_an_area_fewer_than_three_re_rated(store, access):
    code = access.workshop.code
    framework = access.workshop.framework
    first, second = framework.areas[0], framework.areas[1]
    one, other = first.competencies[0].id, second.competencies[0].id
    app = signed_in(dashboard_app, store, access)
    assert "Nobody has rated themselves again yet" in app.view.growth.value
    for number, person in enumerate(store.participants(code)[:3]):
        assessment = SelfAssessment(
            ratings={one: 2, other: 2},
            reassessment={one: 3 + number % 2, **({other: 4} if number == 0 else {})},
        )
        store.save(DocumentKey(code, person.id, "self_assessment"), assessment, expected_revision=0)
    find_widget(app, widgets.Button, "Refresh").click()
    shown = app.view.growth.value
    assert f"{first.name}: +1.33 on average over 3 people" in shown
    assert f"{second.name}: not shown, fewer than 3 people re-rated it (1)" in shown
    assert "<svg " in shown and 'aria-label="The cohort' in shown
    assert second.name not in shown.split("<figcaption>")[0]  # not drawn in the chart
    app.view.anonymous.value = True  # nothing in it names anyone: shown anonymised too
    assert f"{first.name}: +1.33" in app.view.growth.value
    assert not any(name in app.view.growth.value for name in everybody(store, access))


def test_survey_results_show_the_rate_and_only_from_three_answers_the_figures(store, access):
    from datetime import date as day

    from mentorkit.models import SurveyAnswers, SurveyKind, SurveyWindow

    code = access.workshop.code
    workshop = store.workshop(code).model_copy(
        update={"surveys": {SurveyKind.MID: SurveyWindow(opens_on=day(2027, 3, 1))}}
    )
    store.update_workshop(workshop)
    people = store.participants(code)
    secret = f"Only Carla wrote this {HOSTILE}"
    for person, useful in zip(people[:2], (9, 3), strict=True):
        answers = SurveyAnswers(useful=useful, comments=secret)
        store.save(DocumentKey(code, person.id, "survey", "mid"), answers, expected_revision=0)
    app = signed_in(dashboard_app, store, access)
    shown = app.view.surveys.value
    assert "2 of 4 participants answered (50%)" in shown
    assert "Results are shown from 3 answers on" in shown
    assert "Only Carla" not in shown and "Mean" not in shown
    files = downloads(shown)
    assert "Only Carla" not in files["survey-results.csv"].decode()

    third = SurveyAnswers(useful=6, met_as_agreed=7)
    store.save(DocumentKey(code, people[2].id, "survey", "mid"), third, expected_revision=0)
    find_widget(app, widgets.Button, "Refresh").click()
    shown = app.view.surveys.value
    assert "3 of 4 participants answered (75%)" in shown
    assert "How useful is the mentoring to you? Mean 6.0 of 10, median 6 (3 answers)." in shown
    assert "Only Carla wrote this &lt;img" in shown and HOSTILE not in shown
    assert "Only Carla wrote this" in downloads(shown)["survey-results.csv"].decode()
    assert not any(name in shown for name in everybody(store, access))


def test_mentors_survey_answers_are_a_side_of_their_own_with_its_own_threshold(store, access):
    from datetime import date as day

    from mentorkit.models import SurveyAnswers, SurveyKind, SurveyWindow

    code = access.workshop.code
    workshop = store.workshop(code).model_copy(
        update={"surveys": {SurveyKind.END: SurveyWindow(opens_on=day(2027, 6, 1))}}
    )
    store.update_workshop(workshop)
    people = store.participants(code)
    for person, mentor in zip(people, MENTORS, strict=False):
        store.decide_match(code, person.id, mentor.email, "lock")
    secret = f"Only Ada wrote this {HOSTILE}"
    store.save_mentor_survey(code, MENTORS[0].email, SurveyKind.END, SurveyAnswers(comments=secret))
    store.save_mentor_survey(code, MENTORS[1].email, SurveyKind.END, SurveyAnswers(useful=4))
    app = signed_in(dashboard_app, store, access)
    shown = app.view.surveys.value
    assert "0 of 4 participants answered (0%)" in shown
    assert "2 of 2 mentors with a mentee answered (100%)" in shown  # the mentors with a mentee
    assert "Only Ada" not in shown and "Mean" not in shown
    assert "Only Ada" not in downloads(shown)["survey-results.csv"].decode()

    cy = MentorProfile(name="Cy Okoro", email="cy@example.org", capacity=1)
    store.import_roster(code, mentors=[cy])
    store.decide_match(code, people[2].id, cy.email, "lock")
    store.save_mentor_survey(code, cy.email, SurveyKind.END, SurveyAnswers(useful=8))
    find_widget(app, widgets.Button, "Refresh").click()
    shown = app.view.surveys.value
    assert "3 of 3 mentors with a mentee answered (100%)" in shown
    assert (
        "How useful do you think the mentoring is to your mentees? Mean 6.0 of 10, median 6 "
        "(2 answers)." in shown
    )
    assert "Only Ada wrote this &lt;img" in shown and HOSTILE not in shown
    rows = downloads(shown)["survey-results.csv"].decode()
    assert "mentors" in rows and "Only Ada wrote this" in rows
    assert not any(name in shown for name in [*everybody(store, access), cy.name, cy.email])

    # Cy's mentee moves on: Cy was asked all the same, so the rate stays 3 of 3.
    store.decide_match(code, people[2].id, cy.email, None)
    find_widget(app, widgets.Button, "Refresh").click()
    assert "3 of 3 mentors with a mentee answered (100%)" in app.view.surveys.value


def test_offers_to_mentor_are_downloaded_as_a_mentor_roster(store, access):
    from mentorkit.models import Closing

    code = access.workshop.code
    carla = store.participants(code)[0]
    offer = Closing(offer_to_mentor=True, offer_topics="Negotiation", offer_capacity=2)
    store.save(DocumentKey(code, carla.id, "closing"), offer, expected_revision=0)
    app = signed_in(dashboard_app, store, access)
    files = downloads(app.view.downloads.value)
    rows = files["volunteer-mentors.csv"].decode("utf-8-sig").splitlines()
    assert rows[0].startswith("name,email,expertise,capacity")
    assert rows[1].startswith(f"{carla.name},{carla.email},Negotiation,2")
    app.view.anonymous.value = True
    assert "volunteer-mentors" not in app.view.downloads.value
