"""After the first meetings: a participant who missed two meetings sees them on Check-ins,
writes what they bring to the next one, reviews their goals when the review date has come
(adjusts one with a reason, after being told a reason is needed), ticks a milestone done
and is congratulated, and finds the wins in My plan, across reloads."""

from datetime import date, timedelta

import pytest
from browser_helpers import HOSTILE, first_visit, wait_until_saved
from person import Person
from playwright.sync_api import Page, expect

from mentorkit.models import CheckIn, Frequency, MentoringAgreement, Milestone, SmartGoal
from mentorkit.rendering import long_date
from mentorkit.store import DocumentKey, open_store

pytestmark = pytest.mark.browser

TODAY = date.today()
#: Fortnightly from six weeks ago: the first meeting logged, the next two missed.
START = TODAY - timedelta(days=43)
REASON = f"The meetup moved to May, so the talk moves too. {HOSTILE}"
AGENDA = "How do I ask for a speaking slot?\nBring the outline."


def seed(served, who: str) -> None:
    """What the participant wrote before: the agreement, two goals, the first meeting."""
    with open_store(served.database_url) as store:
        code = store.workshop(served.join_code).code
        (me,) = [p for p in store.participants(code) if p.name == who]
        agreement = MentoringAgreement(
            frequency=Frequency.FORTNIGHTLY,
            start_on=START,
            review_on=TODAY - timedelta(days=1),
            end_on=TODAY + timedelta(days=120),
        )
        documents = [
            (DocumentKey(code, me.id, "mentoring_agreement"), agreement),
            (
                DocumentKey(code, me.id, "smart_goal", "goal-1"),
                SmartGoal(
                    title="Give a talk at the spring meetup",
                    milestones=[Milestone(title="Outline the talk")],
                ),
            ),
            (DocumentKey(code, me.id, "smart_goal", "goal-2"), SmartGoal(title="Lead a retro")),
            (DocumentKey(code, me.id, "check_in", "check-in-1"), CheckIn(met_on=START)),
        ]
        for key, document in documents:
            store.save(key, document, expected_revision=0)


def test_missed_meetings_the_goal_review_a_celebration_and_the_wins(
    page: Page, person: Person, served_demo
):
    who = "Test Rhythm Person"
    visit = first_visit(person, served_demo, "05_check_ins.ipynb", who)
    seed(served_demo, who)
    visit.reload_and_resume()
    app = page.locator(".mentorkit-app")
    rhythm = page.locator(".mentorkit-rhythm")
    person.reach(rhythm)
    expect(rhythm).to_contain_text("Meetings held as planned: 1.", timeout=30_000)
    expect(rhythm).to_contain_text("Missed: 2 planned meetings with no check-in logged")
    expect(rhythm).to_contain_text("Next meeting:")
    expect(rhythm).to_contain_text("Time to review your goals")

    # The next meeting: what the participant brings, written before it.
    person.click(person.button("Log a meeting"))
    person.type("Meeting 2: before the meeting", AGENDA)
    wait_until_saved(person)
    person.shot("05_check_ins-rhythm", whole=True)

    visit.open_and_resume("04_smart_goals.ipynb")
    review = page.locator(".mentorkit-review")
    person.reach(review)
    expect(review).to_contain_text("Time to review your goals", timeout=30_000)
    person.choose("Goal 1: decision", "Adjust it")
    person.choose("Goal 2: decision", "Keep it as it is")
    person.click(person.button("Save my review"))
    expect(review).to_contain_text("Say why you adjust this goal")  # nothing saved yet
    person.type("Goal 1: why", REASON)
    person.click(person.button("Save my review"))
    expect(app).to_contain_text("Now adjust goal 1 below.", timeout=30_000)
    expect(review).not_to_contain_text("Time to review your goals")
    # The adjustment itself: a later deadline.
    person.set_date("Goal 1: deadline", (TODAY + timedelta(days=90)).isoformat())
    person.check("Goal 1 milestone 1 done")
    expect(app).to_contain_text("Well done: milestone “Outline the talk” done!")
    win = page.locator(".mentorkit-goal .mentorkit-win")  # said where the tick was made
    expect(win).to_have_text(f"Done on {long_date(TODAY)}: well done!")
    person.assert_usable(win)
    wait_until_saved(person)
    person.shot("04_smart_goals-reviewed", whole=True)

    visit.reload_and_resume()
    history = page.locator(".mentorkit-goal").first
    person.reach(history.locator(".mentorkit-muted").first)
    expect(history).to_contain_text(f"adjusted: {REASON}", timeout=30_000)
    expect(page.locator(".mentorkit-review")).not_to_contain_text("Time to review your goals")
    expect(page.get_by_label("Goal 1 milestone 1 done")).to_be_checked()

    visit.open_and_resume("05_check_ins.ipynb")
    expect(page.get_by_label("Meeting 2: before the meeting")).to_have_value(AGENDA, timeout=30_000)
    expect(page.locator(".mentorkit-rhythm")).not_to_contain_text("Time to review")

    visit.open_and_resume("06_my_plan.ipynb")
    wins = page.locator("#my-wins")
    person.reach(wins)
    expect(wins).to_contain_text("Milestone: Outline the talk", timeout=30_000)
    visit.assert_clean()
