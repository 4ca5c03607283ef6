"""The SMART goals and Check-ins views: documents built from widgets, feedback, the log."""

from dataclasses import replace
from datetime import date, timedelta

import ipywidgets as widgets
import pytest

from mentorkit.identity import sign_in
from mentorkit.models import (
    CheckIn,
    Frequency,
    GoalStatus,
    MentoringAgreement,
    Owner,
    ReviewDecision,
    SelfAssessment,
    SmartGoal,
)
from mentorkit.testing import page_visit, widget_tree
from mentorkit.ui.check_ins import CheckInsView, check_ins_app
from mentorkit.ui.shell import Session
from mentorkit.ui.smart_goals import SmartGoalsView, smart_goals_app
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
TODAY = date.today()


@pytest.fixture
def identity(store):
    access = create_workshop(store, "Spring cohort")
    return sign_in(store, access.workshop.code, "Ada Lovelace")


def new_session(store, identity) -> Session:
    """A fresh page visit: a new session with nothing cached."""
    return page_visit(store, identity)


@pytest.fixture
def session(store, identity) -> Session:
    return new_session(store, identity)


def saved_goals(session: Session) -> dict[str, SmartGoal]:
    listed = session.store.list(
        session.workshop.code, participant=session.participant.id, kind="smart_goal"
    )
    return {s.key.name: s.document for s in listed}


def save(session: Session, kind: str, name: str, document) -> None:
    session.store.save(session.key(kind, name), document, expected_revision=0)


# -- SMART goals -------------------------------------------------------------------------


def test_a_first_visit_shows_one_empty_goal_and_saves_nothing(session):
    view = SmartGoalsView(session)
    assert [card.name for card in view.cards] == ["goal-1"]
    assert view.cards[0].title.description == "Goal 1 title"
    assert saved_goals(session) == {}


def test_a_goal_built_from_the_widgets_validates_and_is_saved(session):
    view = SmartGoalsView(session)
    card = view.cards[0]
    card.title.value = "Speak up in team meetings"
    card.parts["specific"].value = "Give a 10-minute talk on our release process"
    card.parts["measurable"].value = "3 talks given\nwith written feedback"
    card.parts["achievable"].value = "2 hours a week, manager agreed"
    card.parts["relevant"].value = "Public speaking is a growth area"
    card.parts["time_bound"].value = "Outline in March, talks by June"
    card.deadline.value = TODAY + timedelta(days=90)
    card.competencies.value = ("public-speaking", "negotiation")
    card.milestones.add.click()
    row = card.milestones.rows[0]
    assert row.title.description == "Goal 1 milestone 1"
    assert row.due.description == "Goal 1 milestone 1 due"
    assert row.done.description == "Goal 1 milestone 1 done"
    row.title.value = "Outline the talk"
    row.due.value = TODAY + timedelta(days=30)
    row.done.value = True
    card.autosaver.flush()

    goal = saved_goals(session)["goal-1"]
    assert goal == card.document()
    assert goal.measurable == "3 talks given\nwith written feedback"
    assert goal.competencies == ["public-speaking", "negotiation"]
    assert [(m.title, m.due_on, m.done) for m in goal.milestones] == [
        ("Outline the talk", TODAY + timedelta(days=30), True)
    ]
    assert session.status.state == "saved"

    again = SmartGoalsView(new_session(session.store, session.identity))
    back = again.cards[0]
    assert back.title.value == "Speak up in team meetings"
    assert back.deadline.value == TODAY + timedelta(days=90)
    assert back.competencies.value == ("public-speaking", "negotiation")
    assert back.milestones.rows[0].title.value == "Outline the talk"
    assert back.milestones.rows[0].done.value is True


def test_a_goal_with_only_a_title_is_saved_as_a_draft(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "A draft"
    assert saved_goals(session)["goal-1"].title == "A draft"
    assert session.status.state == "saved"


def test_a_goal_without_a_title_is_saved_and_the_feedback_asks_for_one(session):
    card = SmartGoalsView(session).cards[0]
    card.parts["specific"].value = "Give a talk"
    saved = saved_goals(session)["goal-1"]
    assert saved.title == "" and saved.specific == "Give a talk"
    assert session.status.state == "saved"
    assert "give this goal a title" in card.feedback.value
    again = SmartGoalsView(new_session(session.store, session.identity)).cards[0]
    assert again.parts["specific"].value == "Give a talk"


def test_a_blank_milestone_row_is_left_out_and_a_dated_untitled_one_is_kept(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "Goal"
    card.milestones.add.click()
    card.parts["specific"].value = "Something"
    assert saved_goals(session)["goal-1"].milestones == []
    card.milestones.rows[0].due.value = TODAY
    assert saved_goals(session)["goal-1"].milestones[0].due_on == TODAY
    assert session.status.state == "saved"


def test_a_milestone_date_out_of_range_is_kept_as_typed_and_marked(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "Goal"
    card.milestones.add.click()
    row = card.milestones.rows[0]
    row.title.value = "Outline the talk"
    row.due.value = date(1999, 12, 31)
    goal = saved_goals(session)["goal-1"]
    assert goal.milestones[0].title == "Outline the talk"
    assert goal.milestones[0].due_on is None
    assert goal.draft == {"milestones.0.due_on": "1999-12-31"}
    assert "mentorkit-invalid" in row.due._dom_classes
    assert 'id="mentorkit-problem-goal-1-milestones-0-due-on"' in row.problem.value
    assert "between 2000 and 2100" in row.problem.value
    assert "Goal 1 milestone 1 due" in session.status.value

    again = SmartGoalsView(new_session(session.store, session.identity)).cards[0]
    assert again.milestones.rows[0].due.value == date(1999, 12, 31)
    again.milestones.rows[0].due.value = TODAY
    fixed = saved_goals(session)["goal-1"]
    assert fixed.draft == {} and fixed.milestones[0].due_on == TODAY
    assert "mentorkit-invalid" not in again.milestones.rows[0].due._dom_classes


def test_a_removed_goal_is_closed_and_a_late_edit_does_not_bring_it_back(session):
    view = SmartGoalsView(session)
    view.add_goal.click()
    second = view.cards[1]
    second.title.value = "Short-lived"
    assert "goal-2" in saved_goals(session)
    view.remove_goal(second)
    assert "goal-2" not in saved_goals(session)
    assert second.title.comm is None and second.comm is None
    second.title.value = "A message that arrived late"  # the browser had it in flight
    second._changed()
    assert "goal-2" not in saved_goals(session)


def test_feedback_updates_as_the_participant_types(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "Present at the all-hands"
    card.parts["measurable"].value = "People like it"
    assert "Measurable: add a number or a piece of evidence" in card.feedback.value
    assert 'role="status"' in card.feedback.value
    card.parts["measurable"].value = "3 people give written feedback"
    assert "Measurable: add a number" not in card.feedback.value
    card.deadline.value = TODAY - timedelta(days=1)
    assert "has already passed" in card.feedback.value


def test_a_milestone_dated_in_the_past_is_flagged_on_its_row_and_in_the_feedback(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "Speak up"
    card.milestones.add.click()
    row = card.milestones.rows[0]
    row.title.value = "Book a room"
    past = TODAY - timedelta(days=3)
    row.due.value = past
    day = f"{past.day} {past:%B} {past.year}"
    assert f"Overdue: due {day}, before today" in row.overdue.value
    assert f"Milestone 1 (&#x27;Book a room&#x27;) is due {day}, before today" in (
        card.feedback.value
    )
    row.done.value = True  # no longer overdue: a win, said on its row
    assert "Overdue" not in row.overdue.value and "well done" in row.overdue.value
    assert "before today" not in card.feedback.value
    row.done.value = False
    row.due.value = TODAY
    assert row.overdue.value == ""


def test_a_saved_overdue_milestone_is_flagged_when_the_page_opens(session):
    past = TODAY - timedelta(days=40)
    save(
        session,
        "smart_goal",
        "goal-1",
        SmartGoal(title="Speak up", milestones=[{"title": "Book a room", "due_on": past}]),
    )
    card = SmartGoalsView(session).cards[0]
    assert "Overdue" in card.milestones.rows[0].overdue.value
    assert "before today" in card.feedback.value


def test_feedback_quotes_what_was_typed_escaped(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = f"{HOSTILE} better"
    card.milestones.add.click()
    card.milestones.rows[0].title.value = HOSTILE
    assert "<img" not in card.feedback.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in card.feedback.value
    assert saved_goals(session)["goal-1"].title == f"{HOSTILE} better"


def test_feedback_uses_growth_areas_and_the_agreement_end(session):
    save(session, "self_assessment", "main", SelfAssessment(growth_areas=["negotiation"]))
    end = TODAY + timedelta(days=60)
    save(session, "mentoring_agreement", "main", MentoringAgreement(end_on=end))
    view = SmartGoalsView(session)
    card = view.cards[0]
    card.title.value = "Run a workshop"
    card.parts["relevant"].value = "My boss asked"
    card.deadline.value = TODAY + timedelta(days=90)
    assert "not linked to your growth areas" in card.feedback.value
    assert "&#x27;Negotiation&#x27;" in card.feedback.value
    assert "after your mentoring agreement ends" in card.feedback.value
    card.competencies.value = ("negotiation",)
    assert "not linked to your growth areas" not in card.feedback.value


def test_removing_a_goal_asks_first_then_deletes_its_document(session):
    view = SmartGoalsView(session)
    view.cards[0].title.value = "First"
    view.add_goal.click()
    second = view.cards[1]
    assert second.name == "goal-2"
    second.title.value = "Second"
    assert set(saved_goals(session)) == {"goal-1", "goal-2"}

    second.removal.remove.click()
    assert second.removal.layout.display == "flex"
    assert set(saved_goals(session)) == {"goal-1", "goal-2"}
    second.removal.keep.click()
    assert second.removal.layout.display == "none"
    second.removal.remove.click()
    second.removal.confirm.click()
    assert set(saved_goals(session)) == {"goal-1"}
    assert [card.name for card in view.cards] == ["goal-1"]
    assert session.store.history(session.key("smart_goal", "goal-2")) == []

    view.add_goal.click()  # the freed name is used again, from a clean slate
    again = view.cards[1]
    assert again.name == "goal-2"
    assert again.title.value == ""
    again.title.value = "Another second"
    assert saved_goals(session)["goal-2"].title == "Another second"
    assert session.status.state == "saved"


def test_no_more_than_five_goals(session):
    view = SmartGoalsView(session)
    for _ in range(4):
        assert not view.add_goal.disabled
        view.add_goal.click()
    assert [card.name for card in view.cards] == [f"goal-{n}" for n in range(1, 6)]
    assert view.add_goal.disabled
    assert "the most this worksheet holds" in view.limit_note.value
    view.add_goal.click()  # a client can still send the click
    assert len(view.cards) == 5
    labels = [
        w.description
        for w in widget_tree(view)
        if isinstance(w, widgets.ValueWidget) and w.description
    ]
    assert len(labels) >= 5 * 3  # several labelled inputs on each goal
    assert len(labels) == len(set(labels))


def test_saved_goals_come_back_in_order_and_no_empty_card_is_added(session):
    save(session, "smart_goal", "goal-3", SmartGoal(title="Third"))
    save(session, "smart_goal", "goal-1", SmartGoal(title="First"))
    view = SmartGoalsView(session)
    assert [(c.name, c.title.value) for c in view.cards] == [
        ("goal-1", "First"),
        ("goal-3", "Third"),
    ]
    assert view.cards[1].title.description == "Goal 3 title"
    view.add_goal.click()
    assert [c.name for c in view.cards] == ["goal-1", "goal-2", "goal-3"]


def test_removing_a_milestone_renumbers_the_rest(session):
    card = SmartGoalsView(session).cards[0]
    card.title.value = "Goal"
    for title in ("One", "Two", "Three"):
        card.milestones.add.click()
        card.milestones.rows[-1].title.value = title
    card.milestones.rows[0].remove.click()
    assert [r.title.description for r in card.milestones.rows] == [
        "Goal 1 milestone 1",
        "Goal 1 milestone 2",
    ]
    assert [m.title for m in saved_goals(session)["goal-1"].milestones] == ["Two", "Three"]


# -- Check-ins ---------------------------------------------------------------------------


def test_meetings_are_listed_newest_first(session):
    save(session, "check_in", "check-in-1", CheckIn(met_on=date(2027, 1, 10)))
    save(session, "check_in", "check-in-2", CheckIn(met_on=date(2027, 3, 10)))
    save(session, "check_in", "check-in-3", CheckIn(met_on=date(2027, 2, 10)))
    view = CheckInsView(session)
    assert [card.name for card in view.cards] == ["check-in-2", "check-in-3", "check-in-1"]
    assert view.cards[0].met_on.description == "Meeting 2 date"
    assert "Meeting 2 · 10 Mar 2027" in view.cards[0].heading.value


def test_logging_a_meeting_saves_it_dated_today(session):
    view = CheckInsView(session)
    assert "No meetings logged yet" in view.empty_log.value
    view.log_meeting.click()
    card = view.cards[0]
    assert card.name == "check-in-1"
    assert session.store.load(session.key("check_in", "check-in-1")).document.met_on == TODAY
    card.topics.value = "Salary talk,  team nerves, Salary talk"
    card.learned.value = f"Ask early.\n{HOSTILE}"
    view.log_meeting.click()
    assert [c.name for c in view.cards] == ["check-in-2", "check-in-1"]
    saved = session.store.load(session.key("check_in", "check-in-1")).document
    assert saved.topics == ["Salary talk", "team nerves", "Salary talk"]  # as typed
    assert saved.learned == f"Ask early.\n{HOSTILE}"


def test_an_action_item_built_from_the_widgets_is_saved(session):
    view = CheckInsView(session)
    view.log_meeting.click()
    card = view.cards[0]
    card.action_items.add.click()
    row = card.action_items.rows[0]
    assert row.owner.description == "Meeting 1 action 1 owner"
    row.text.value = "Send slides"
    row.owner.value = Owner.BOTH
    row.due.value = TODAY + timedelta(days=7)
    row.done.value = True
    card.autosaver.flush()
    saved = session.store.load(session.key("check_in", "check-in-1")).document
    assert [(a.text, a.owner, a.due_on, a.done) for a in saved.action_items] == [
        ("Send slides", Owner.BOTH, TODAY + timedelta(days=7), True)
    ]


def test_a_meeting_without_a_date_is_saved_and_asks_for_the_date(session):
    view = CheckInsView(session)
    view.log_meeting.click()
    card = view.cards[0]
    card.learned.value = "Ask for feedback early"
    card.met_on.value = None
    saved = session.store.load(session.key("check_in", "check-in-1")).document
    assert saved.learned == "Ask for feedback early" and saved.met_on is None
    assert saved.needs_attention
    assert session.status.state == "saved"
    assert "Meeting 1 date" in session.status.value
    assert "choose the day you met" in card.fields.message("met_on").value


def test_open_actions_come_first_and_overdue_ones_are_marked(session):
    items = [
        {"text": "Finished thing", "due_on": TODAY - timedelta(days=20), "done": True},
        {"text": "Later thing", "due_on": TODAY + timedelta(days=5)},
        {"text": HOSTILE, "owner": "mentor", "due_on": TODAY - timedelta(days=3)},
    ]
    met = TODAY - timedelta(days=30)
    save(session, "check_in", "check-in-1", CheckIn(met_on=met, action_items=items))
    view = CheckInsView(session)
    html = view.actions.value
    assert html.index("&lt;img") < html.index("Later thing") < html.index("Finished thing")
    assert "<img" not in html
    assert '<span class="mentorkit-overdue">overdue by 3 days</span>' in html
    assert "2 open" in html and "1 overdue" in html
    assert "owner: My mentor" in html
    assert "Done: " in html

    row = view.cards[0].action_items.rows[2]
    row.done.value = True  # the page follows the change at once
    assert "overdue by" not in view.actions.value


def test_an_action_from_a_meeting_without_a_date_is_listed_with_its_meeting(session):
    items = [{"text": "Read the handbook", "due_on": TODAY + timedelta(days=5)}]
    save(session, "check_in", "check-in-1", CheckIn(action_items=items))
    html = CheckInsView(session).actions.value
    assert "Read the handbook" in html
    assert "(from meeting 1, date not set yet)" in html


def test_goal_progress_is_shown_for_each_goal(session):
    goal = SmartGoal(
        title=f"Speak up {HOSTILE}",
        milestones=[
            {"title": "Outline", "due_on": TODAY - timedelta(days=1), "done": True},
            {"title": "First talk", "due_on": TODAY + timedelta(days=10)},
        ],
    )
    save(session, "smart_goal", "goal-1", goal)
    save(session, "smart_goal", "goal-2", SmartGoal(title="Negotiate my salary"))
    html = CheckInsView(session).progress.value
    assert "50%" in html
    assert "1 of 2 milestones done; next: &#x27;First talk&#x27;" in html
    assert "no milestones yet" in html
    assert html.index("Speak up") < html.index("Negotiate my salary")
    assert "<img" not in html


def test_without_goals_progress_links_to_the_smart_goals_app(session):
    html = CheckInsView(session).progress.value
    assert "No SMART goals yet" in html
    assert 'href="04_smart_goals.ipynb"' in html


def test_removing_a_meeting_asks_first_then_deletes_its_document(session):
    view = CheckInsView(session)
    view.log_meeting.click()
    card = view.cards[0]
    card.removal.remove.click()
    assert session.store.load(session.key("check_in", "check-in-1")) is not None
    card.removal.confirm.click()
    assert session.store.load(session.key("check_in", "check-in-1")) is None
    assert view.cards == []
    view.log_meeting.click()
    assert session.status.state == "saved"


def test_both_apps_open_from_their_functions(store, identity):
    environ = {"QUERY_STRING": f"resume={identity.new_resume_code}"}
    goals = smart_goals_app(store=store, environ=environ)
    assert isinstance(goals.view, SmartGoalsView)
    check_ins = check_ins_app(store=store, environ=environ)
    assert isinstance(check_ins.view, CheckInsView)


# -- Keeping the rhythm ------------------------------------------------------------------


def test_a_milestone_ticked_done_is_celebrated_and_kept_with_its_day(session):
    view = SmartGoalsView(session)
    card = view.cards[0]
    card.title.value = "Speak at a meetup"
    card.milestones.add.click()
    row = card.milestones.rows[0]
    row.title.value = "Outline the talk"
    row.done.value = True
    assert "Well done: milestone “Outline the talk” done!" in session.notice.value
    card.autosaver.flush()
    assert saved_goals(session)["goal-1"].milestones[0].done_on == TODAY
    row.done.value = False
    card.autosaver.flush()
    assert saved_goals(session)["goal-1"].milestones[0].done_on is None


def test_the_review_when_due_keeps_adjusts_and_marks_done_with_reasons_in_history(session):
    agreement = MentoringAgreement(review_on=TODAY - timedelta(days=1))
    save(session, "mentoring_agreement", "main", agreement)
    for name, title in (("goal-1", "Speak at a meetup"), ("goal-2", "Lead a retro")):
        save(session, "smart_goal", name, SmartGoal(title=title))
    view = SmartGoalsView(session)
    panel = view.review
    assert "Time to review your goals" in panel.intro.value
    assert set(panel.decisions) == {"goal-1", "goal-2"}
    panel.decisions["goal-1"].value = ReviewDecision.ADJUST
    panel.decisions["goal-2"].value = ReviewDecision.DONE
    panel.save_button.click()  # an adjustment needs its reason: nothing is saved yet
    assert "Say why you adjust this goal" in panel.problems["goal-1"].value
    assert all(not goal.reviews for goal in saved_goals(session).values())

    panel.reasons["goal-1"].value = f"The meetup moved to May {HOSTILE}"
    panel.save_button.click()
    goals = saved_goals(session)
    assert [(r.decision, r.reason) for r in goals["goal-1"].reviews] == [
        (ReviewDecision.ADJUST, f"The meetup moved to May {HOSTILE}")
    ]
    assert goals["goal-2"].status == GoalStatus.DONE and goals["goal-2"].done_on == TODAY
    assert "Well done: goal “Lead a retro” reached!" in session.notice.value
    assert "Now adjust goal 1 below." in session.notice.value
    assert "Time to review" not in panel.intro.value and not panel.is_open
    history = view.cards[0].status_line.value
    assert "adjusted: The meetup moved to May &lt;img" in history and HOSTILE not in history
    assert "Reached on" in view.cards[1].status_line.value

    reopened = SmartGoalsView(new_session(session.store, session.identity))
    assert not reopened.review.is_open
    assert "Reached on" in reopened.cards[1].status_line.value


def test_check_ins_show_missed_meetings_the_next_one_and_the_review_due(session):
    start = TODAY - timedelta(days=43)
    agreement = MentoringAgreement(
        frequency=Frequency.FORTNIGHTLY, start_on=start, review_on=TODAY - timedelta(days=2)
    )
    save(session, "mentoring_agreement", "main", agreement)
    save(session, "smart_goal", "goal-1", SmartGoal(title="Speak at a meetup"))
    save(session, "check_in", "check-in-1", CheckIn(met_on=start, agenda="Ask about talks"))
    view = CheckInsView(session)
    rhythm = view.rhythm.value
    assert "Meetings held as planned: 1." in rhythm
    assert "Missed: 2 planned meetings" in rhythm
    assert "Next meeting:" in rhythm
    assert "Time to review your goals" in rhythm and "Review now" in rhythm
    assert view.cards[0].agenda.value == "Ask about talks"
    assert view.cards[0].agenda.description == "Meeting 1: before the meeting"


def test_without_an_agreed_rhythm_the_check_ins_say_where_to_agree_it(session):
    view = CheckInsView(session)
    assert "Agree how often you meet" in view.rhythm.value


def test_an_open_survey_is_answered_on_the_check_ins_and_kept(session):
    from mentorkit.models import SurveyKind, SurveyWindow

    workshop = session.workshop.model_copy(
        update={"surveys": {SurveyKind.MID: SurveyWindow(opens_on=TODAY - timedelta(days=1))}}
    )
    session.store.update_workshop(workshop)
    session = new_session(session.store, replace(session.identity, workshop=workshop))
    view = CheckInsView(session)
    (card,) = view.surveys
    assert card.scores["useful"].description == "Mid-point survey: useful"
    card.scores["useful"].value = 8
    card.comments.value = f"More time for questions {HOSTILE}"
    saved = session.store.load(session.key("survey", "mid")).document
    assert saved.useful == 8 and saved.comments == f"More time for questions {HOSTILE}"
    again = CheckInsView(new_session(session.store, session.identity))
    assert again.surveys[0].scores["useful"].value == 8


def test_no_survey_shows_while_none_is_open(session):
    from mentorkit.models import SurveyKind, SurveyWindow

    later = SurveyWindow(opens_on=TODAY + timedelta(days=3))
    workshop = session.workshop.model_copy(update={"surveys": {SurveyKind.END: later}})
    session.store.update_workshop(workshop)
    identity = replace(session.identity, workshop=workshop)
    assert CheckInsView(new_session(session.store, identity)).surveys == []
