"""Keeping the rhythm: planned meetings against check-ins, the goal review, the wins."""

from datetime import date

import pytest

from mentorkit.models import (
    CheckIn,
    Frequency,
    GoalStatus,
    MentoringAgreement,
    Milestone,
    ReviewDecision,
    SmartGoal,
)
from mentorkit.rhythm import (
    MeetingState,
    ReviewError,
    compare_schedule,
    planned_days,
    review_due,
    review_goal,
    schedule_words,
    wins,
)

FORTNIGHTLY = MentoringAgreement(frequency=Frequency.FORTNIGHTLY, start_on=date(2027, 1, 4))


def met(*days: date) -> dict[str, CheckIn]:
    return {f"check-in-{n}": CheckIn(met_on=day) for n, day in enumerate(days, start=1)}


def test_months_keep_their_day_or_the_last_one_of_a_shorter_month():
    assert planned_days(Frequency.MONTHLY, date(2027, 1, 31), date(2027, 4, 30)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert planned_days(Frequency.QUARTERLY, date(2027, 1, 15), date(2027, 12, 31))[-1] == date(
        2027, 10, 15
    )


def test_two_missed_meetings_one_not_logged_yet_and_the_next_to_come():
    schedule = compare_schedule(
        FORTNIGHTLY, met(date(2027, 1, 5), date(2027, 2, 2)), today=date(2027, 3, 3)
    )
    assert schedule is not None
    assert [(m.on, m.state, m.check_in) for m in schedule.meetings] == [
        (date(2027, 1, 4), MeetingState.HELD, "check-in-1"),
        (date(2027, 1, 18), MeetingState.MISSED, None),
        (date(2027, 2, 1), MeetingState.HELD, "check-in-2"),
        (date(2027, 2, 15), MeetingState.MISSED, None),
        (date(2027, 3, 1), MeetingState.NOT_LOGGED, None),
        (date(2027, 3, 15), MeetingState.UPCOMING, None),
    ]
    words = schedule_words(schedule)
    assert words[0] == "Agreed: meet every two weeks. Meetings held as planned: 2."
    assert "Missed: 2 planned meetings with no check-in logged" in words[1]
    assert "18 January 2027" in words[1] and "15 February 2027" in words[1]
    assert words[-1] == "Next meeting: 15 March 2027."


def test_one_check_in_holds_one_meeting_and_far_ones_are_extra():
    schedule = compare_schedule(
        FORTNIGHTLY,
        met(date(2027, 1, 4), date(2027, 1, 6), date(2027, 5, 1)),
        today=date(2027, 1, 12),
    )
    assert schedule is not None
    assert [(m.state, m.check_in) for m in schedule.meetings] == [
        (MeetingState.HELD, "check-in-1"),
        (MeetingState.UPCOMING, None),
    ]
    assert schedule.extra == ("check-in-2", "check-in-3")


def test_no_schedule_without_a_frequency_and_a_start_and_none_after_the_end():
    assert compare_schedule(None, {}, date(2027, 1, 1)) is None
    assert (
        compare_schedule(MentoringAgreement(frequency=Frequency.WEEKLY), {}, date.today()) is None
    )
    ended = FORTNIGHTLY.model_copy(update={"end_on": date(2027, 1, 20)})
    schedule = compare_schedule(ended, {}, today=date(2027, 6, 1))
    assert schedule is not None and schedule.upcoming is None
    assert [m.state for m in schedule.meetings] == [MeetingState.MISSED, MeetingState.MISSED]


def test_the_review_is_due_from_its_date_until_a_goal_is_reviewed():
    agreement = FORTNIGHTLY.model_copy(update={"review_on": date(2027, 3, 1)})
    goals = {"goal-1": SmartGoal(title="Speak at a meetup"), "goal-2": SmartGoal(title="Lead")}
    assert review_due(agreement, goals, date(2027, 2, 28)) is None
    assert review_due(agreement, goals, date(2027, 3, 1)) == date(2027, 3, 1)
    goals["goal-1"] = review_goal(goals["goal-1"], ReviewDecision.KEEP, "", date(2027, 3, 2))
    assert review_due(agreement, goals, date(2027, 3, 9)) is None
    assert review_due(None, goals, date(2027, 3, 9)) is None


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (ReviewDecision.KEEP, GoalStatus.ACTIVE),
        (ReviewDecision.ADJUST, GoalStatus.ACTIVE),
        (ReviewDecision.DONE, GoalStatus.DONE),
        (ReviewDecision.DROP, GoalStatus.DROPPED),
    ],
)
def test_each_review_decision_is_kept_in_history_with_its_reason(decision, status):
    goal = SmartGoal(title="Speak at a meetup")
    on = date(2027, 3, 2)
    reviewed = review_goal(goal, decision, "  The meetup moved to May  ", on)
    assert reviewed.status == status
    assert [(r.on, r.decision, r.reason) for r in reviewed.reviews] == [
        (on, decision, "The meetup moved to May")
    ]
    assert reviewed.done_on == (on if status == GoalStatus.DONE else None)
    again = review_goal(reviewed, ReviewDecision.KEEP, "", date(2027, 4, 1))
    assert len(again.reviews) == 2 and again.status == GoalStatus.ACTIVE


@pytest.mark.parametrize("decision", [ReviewDecision.ADJUST, ReviewDecision.DROP])
def test_adjusting_or_dropping_needs_a_reason(decision):
    with pytest.raises(ReviewError, match="Say why you"):
        review_goal(SmartGoal(title="T"), decision, "   ", date(2027, 3, 2))


def test_wins_are_the_milestones_done_and_the_goals_reached_newest_first():
    goals = {
        "goal-1": SmartGoal(
            title="Speak at a meetup",
            milestones=[
                Milestone(title="Outline", done=True, done_on=date(2027, 2, 1)),
                Milestone(title="Rehearse", done=False),
                Milestone(title="Old tick", done=True),
            ],
            status=GoalStatus.DONE,
            done_on=date(2027, 3, 2),
        )
    }
    assert [(w.on, w.what) for w in wins(goals)] == [
        (date(2027, 3, 2), "Goal reached: Speak at a meetup"),
        (date(2027, 2, 1), "Milestone: Outline"),
        (None, "Milestone: Old tick"),
    ]
