"""Views on the check-in log: open actions, meeting order, goal progress and next names."""

from datetime import date

import pytest

from mentorkit.checkins import (
    GoalProgress,
    action_items,
    goal_progress,
    next_check_in_name,
    next_goal_name,
    ordered_check_ins,
)
from mentorkit.models import CheckIn, Milestone, SmartGoal

TODAY = date(2027, 3, 10)


def check_in(met_on: date, *items: tuple[str, date | None, bool]) -> CheckIn:
    return CheckIn(
        met_on=met_on,
        action_items=[{"text": text, "due_on": due, "done": done} for text, due, done in items],
    )


LOG = {
    "check-in-1": check_in(
        date(2027, 1, 10),
        ("Draft outline", date(2027, 2, 1), False),  # 37 days overdue
        ("Book a room", date(2027, 1, 20), True),
        ("Read the style guide", None, False),
    ),
    "check-in-2": check_in(
        date(2027, 2, 10),
        ("Send slides", date(2027, 3, 1), False),  # 9 days overdue
        ("Rehearse", TODAY, False),  # due today: not overdue
        ("Ask for feedback", date(2027, 4, 1), False),
        ("Pick a topic", date(2027, 2, 12), True),
    ),
}


def texts(items) -> list[str]:
    return [entry.item.text for entry in items]


# --- action items ---------------------------------------------------------------------------


def test_open_items_come_first_most_overdue_first_then_by_due_date_undated_last_then_done():
    assert texts(action_items(LOG, today=TODAY)) == [
        "Draft outline",
        "Send slides",
        "Rehearse",
        "Ask for feedback",
        "Read the style guide",
        "Pick a topic",  # done, newer meeting first
        "Book a room",
    ]


def test_overdue_flag_and_days_overdue():
    by_text = {entry.item.text: entry for entry in action_items(LOG, today=TODAY)}
    assert (by_text["Draft outline"].overdue, by_text["Draft outline"].days_overdue) == (True, 37)
    assert (by_text["Send slides"].overdue, by_text["Send slides"].days_overdue) == (True, 9)
    assert (by_text["Rehearse"].overdue, by_text["Rehearse"].days_overdue) == (False, 0)
    assert (
        by_text["Read the style guide"].overdue,
        by_text["Read the style guide"].days_overdue,
    ) == (
        False,
        0,
    )
    # a done item is never overdue, even when its date has passed
    assert (by_text["Book a room"].overdue, by_text["Book a room"].days_overdue) == (False, 0)


def test_items_carry_their_check_in_name_and_meeting_date():
    first = action_items(LOG, today=TODAY)[0]
    assert (first.check_in_name, first.met_on) == ("check-in-1", date(2027, 1, 10))


def test_order_does_not_depend_on_the_order_of_the_mapping():
    reversed_log = dict(reversed(list(LOG.items())))
    assert action_items(reversed_log, today=TODAY) == action_items(LOG, today=TODAY)


def test_items_due_the_same_day_go_older_meeting_first_then_in_written_order():
    due = date(2027, 4, 1)
    log = {  # check-in-5 was logged late, for a meeting before the others
        "check-in-2": check_in(date(2027, 2, 1), ("late-a", due, False), ("late-b", due, False)),
        "check-in-5": check_in(date(2027, 1, 1), ("early-b", due, False)),
        "check-in-10": check_in(date(2027, 2, 1), ("later-a", due, False)),
    }
    assert texts(action_items(log, today=TODAY)) == ["early-b", "late-a", "late-b", "later-a"]


def test_done_items_keep_their_written_order_within_a_check_in():
    log = {"c": check_in(date(2027, 1, 1), ("one", None, True), ("two", None, True))}
    assert texts(action_items(log, today=TODAY)) == ["one", "two"]


def test_no_check_ins_means_no_items():
    assert action_items({}, today=TODAY) == []


# --- check-in order -------------------------------------------------------------------------


def test_check_ins_are_listed_newest_meeting_first():
    log = {
        "check-in-1": check_in(date(2027, 1, 10)),
        "check-in-3": check_in(date(2027, 3, 1)),
        "check-in-2": check_in(date(2027, 2, 10)),
    }
    assert [name for name, _ in ordered_check_ins(log)] == [
        "check-in-3",
        "check-in-2",
        "check-in-1",
    ]


def test_check_ins_on_the_same_day_list_the_higher_number_first():
    same_day = date(2027, 1, 10)
    log = {name: check_in(same_day) for name in ("check-in-2", "check-in-10", "check-in-9")}
    assert [name for name, _ in ordered_check_ins(log)] == [
        "check-in-10",
        "check-in-9",
        "check-in-2",
    ]


# --- goal progress --------------------------------------------------------------------------


def smart_goal(title: str, *milestones: tuple[str, date | None, bool]) -> SmartGoal:
    return SmartGoal(
        title=title,
        milestones=[{"title": t, "due_on": due, "done": done} for t, due, done in milestones],
    )


def test_progress_summary_names_the_next_milestone_and_its_date():
    goal = smart_goal(
        "Speak up",
        ("Outline", date(2027, 2, 1), True),
        ("Give a team talk", date(2027, 3, 12), False),
        ("Rehearse", date(2027, 3, 5), True),
        ("Give a conference talk", date(2027, 5, 1), False),
    )
    (progress,) = goal_progress({"goal-1": goal}, today=TODAY)
    assert (progress.goal_name, progress.title, progress.done, progress.total) == (
        "goal-1",
        "Speak up",
        2,
        4,
    )
    assert progress.percent == 50
    assert progress.summary == "2 of 4 milestones done; next: 'Give a team talk' by 12 Mar 2027"


def test_goal_without_milestones_has_no_progress_yet():
    (progress,) = goal_progress({"goal-1": smart_goal("Speak up")}, today=TODAY)
    assert progress.percent == 0
    assert progress.next_milestone is None
    assert progress.summary == "no milestones yet"


def test_next_milestone_is_the_open_one_due_soonest_even_if_listed_later():
    goal = smart_goal("G", ("Later", date(2027, 6, 1), False), ("Sooner", date(2027, 4, 1), False))
    (progress,) = goal_progress({"g": goal}, today=TODAY)
    assert progress.next_milestone == Milestone(title="Sooner", due_on=date(2027, 4, 1))


def test_undated_milestone_is_next_only_when_no_open_one_has_a_date():
    goal = smart_goal("G", ("Undated", None, False), ("Dated", date(2027, 4, 1), False))
    (progress,) = goal_progress({"g": goal}, today=TODAY)
    assert progress.next_milestone.title == "Dated"
    goal = smart_goal("G", ("Done", date(2027, 4, 1), True), ("Undated", None, False))
    (progress,) = goal_progress({"g": goal}, today=TODAY)
    assert progress.summary == "1 of 2 milestones done; next: 'Undated'"


def test_overdue_milestones_are_listed_and_counted_in_the_summary():
    goal = smart_goal(
        "G",
        ("Late", date(2027, 3, 1), False),
        ("Due today", TODAY, False),
        ("Late but done", date(2027, 1, 1), True),
    )
    (progress,) = goal_progress({"g": goal}, today=TODAY)
    assert [m.title for m in progress.overdue] == ["Late"]
    assert progress.summary == "1 of 3 milestones done; next: 'Late' by 1 Mar 2027; 1 overdue"


def test_all_milestones_done():
    goal = smart_goal("G", ("Only", date(2027, 1, 1), True))
    (progress,) = goal_progress({"g": goal}, today=TODAY)
    assert progress.percent == 100
    assert progress.summary == "1 of 1 milestone done"
    assert progress.overdue == ()


@pytest.mark.parametrize(
    ("done", "total", "percent"), [(0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (3, 3, 100)]
)
def test_percent_is_rounded_half_up(done, total, percent):
    progress = GoalProgress("g", "G", done, total, None, ())
    assert progress.percent == percent


def test_goal_progress_keeps_the_order_of_the_mapping():
    goals = {name: smart_goal(name) for name in ("goal-3", "goal-1", "goal-2")}
    assert [p.goal_name for p in goal_progress(goals, today=TODAY)] == [
        "goal-3",
        "goal-1",
        "goal-2",
    ]


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "check-in-1"),
        (["check-in-1", "check-in-2"], "check-in-3"),
        (["check-in-1", "check-in-3"], "check-in-2"),
        (["check-in-2", "notes"], "check-in-1"),
    ],
)
def test_next_check_in_name_takes_the_first_free_number(existing, expected):
    assert next_check_in_name(iter(existing)) == expected


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "goal-1"),
        (["goal-1"], "goal-2"),
        (["goal-2", "goal-4"], "goal-1"),
        (["goal-1", "goal-2", "goal-3", "goal-5"], "goal-4"),
    ],
)
def test_next_goal_name_takes_the_first_free_number(existing, expected):
    assert next_goal_name(iter(existing)) == expected


def test_a_sixth_goal_is_refused():
    with pytest.raises(ValueError, match=r"^You can have up to five goals\.$"):
        next_goal_name(f"goal-{n}" for n in range(1, 6))
