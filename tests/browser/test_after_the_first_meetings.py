"""After the first meetings, one participant through the second half of the programme, by
keyboard and across reloads: they missed two planned meetings and see it on Check-ins,
write what they bring to the next one, answer the end survey, review their goals when the
review date has come (told first that an adjustment needs a reason, then adjusting one),
tick a milestone done and are congratulated, rate themselves again and see the growth as
a chart with its words, close well (a thank-you drafted and edited, their circle, an offer
to mentor) and find their wins and growth in My plan. The facilitator then sees the
survey's response rate with the results kept back under three answers, and the offer to
mentor as a roster to download."""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from browser_helpers import (
    HOSTILE,
    Visit,
    answer_the_end_survey,
    facilitator_sign_in,
    first_visit,
    wait_until_saved,
)
from person import Person
from playwright.sync_api import Browser, Page, expect

from mentorkit.models import (
    CheckIn,
    Frequency,
    MentoringAgreement,
    Milestone,
    SmartGoal,
    SurveyKind,
    SurveyWindow,
)
from mentorkit.rendering import long_date
from mentorkit.store import DocumentKey, open_store

pytestmark = pytest.mark.browser

WHO = "Test Second Half Person"
TODAY = date.today()
#: Fortnightly from six weeks ago: the first meeting logged, the next two missed.
START = TODAY - timedelta(days=43)
REASON = f"The meetup moved to May, so the talk moves too. {HOSTILE}"
AGENDA = "How do I ask for a speaking slot?\nBring the outline."
SURVEY_COMMENT = f"More time on salary talks, please. {HOSTILE}"
CHANGED = f"I ask for feedback before a talk, not after. {HOSTILE}"
OWN_LINE = "\nPS: the coffee is on me next time."
CHART = 'svg[role="img"][aria-label^="Ratings at the start and at the end"]'


@pytest.fixture
def end_survey_open(served_demo) -> Iterator[None]:
    """The end survey open from yesterday for two weeks; closed again afterwards (the other
    tests' workshop has no survey open)."""
    with open_store(served_demo.database_url) as store:
        workshop = store.workshop(served_demo.join_code)
        window = SurveyWindow(opens_on=TODAY - timedelta(days=1), closes_on=TODAY + timedelta(13))
        store.update_workshop(workshop.model_copy(update={"surveys": {SurveyKind.END: window}}))
    try:
        yield
    finally:
        with open_store(served_demo.database_url) as store:
            workshop = store.workshop(served_demo.join_code)
            store.update_workshop(workshop.model_copy(update={"surveys": {}}))


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


def test_one_participant_through_the_second_half_and_what_the_facilitator_sees(
    page: Page, person: Person, served_demo, end_survey_open, browser: Browser, people
):
    visit = first_visit(person, served_demo, "05_check_ins.ipynb", WHO)
    seed(served_demo, WHO)
    visit.reload_and_resume()
    check_ins_with_two_missed_meetings_and_the_end_survey(person, visit)
    the_goal_review_and_a_celebration(person, visit)
    rating_myself_again(person, visit)
    closing_well(person, visit)
    my_plan_holds_the_wins_and_the_growth(person, visit)
    visit.assert_clean()
    what_the_facilitator_sees(people(browser.new_context().new_page()), served_demo)


def check_ins_with_two_missed_meetings_and_the_end_survey(person: Person, visit: Visit) -> None:
    page = person.page
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

    # The end survey, at the top of the page while it is open.
    answer_the_end_survey(person, ("6", "10 · completely", "9"), SURVEY_COMMENT)
    person.shot("05_check_ins-survey")


def the_goal_review_and_a_celebration(person: Person, visit: Visit) -> None:
    page = person.page
    app = page.locator(".mentorkit-app")
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

    # Check-ins again: the agenda and the survey's answers were kept; the review is done.
    visit.open_and_resume("05_check_ins.ipynb")
    expect(page.get_by_label("Meeting 2: before the meeting")).to_have_value(AGENDA, timeout=30_000)
    expect(page.get_by_label("End survey: useful")).to_have_value("10 · completely")
    expect(page.get_by_label("End survey: comments")).to_have_value(SURVEY_COMMENT)
    expect(page.locator(".mentorkit-rhythm")).not_to_contain_text("Time to review")


def rating_myself_again(person: Person, visit: Visit) -> None:
    page = person.page
    visit.open_and_resume("01_self_assessment.ipynb")
    person.choose("Public speaking", "2 · Learning")
    person.choose("Negotiation", "3 · Capable")
    wait_until_saved(person)
    person.click(person.button("Rate myself again"))
    person.choose("Public speaking at the end", "4 · Strong")
    person.choose("Negotiation at the end", "3 · Capable")
    wait_until_saved(person)

    grown = page.locator(".mentorkit-growth")
    chart = grown.locator(CHART)
    person.reach(chart)
    expect(chart).to_be_visible(timeout=30_000)
    words = grown.locator("figcaption")  # the chart's text alternative, shown to everyone
    expect(words).to_contain_text(
        "Public speaking: 2 (Learning) at the start, 4 (Strong) at the end (up 2)"
    )
    expect(words).to_contain_text("Negotiation: 3 (Capable) at the start, 3 (Capable) at the end")
    person.shot("01_self_assessment-growth")

    visit.reload_and_resume()
    expect(page.get_by_label("Public speaking at the end")).to_have_value(
        "4 · Strong", timeout=30_000
    )
    expect(page.get_by_label("Public speaking", exact=True)).to_have_value("2 · Learning")
    expect(page.locator(".mentorkit-growth").locator(CHART)).to_have_count(1)


def closing_well(person: Person, visit: Visit) -> None:
    page = person.page
    visit.open_and_resume("07_closing.ipynb")
    person.type("What the advice changed", CHANGED)
    person.type("Staying in touch", "a short update every quarter")
    person.click(person.button("Draft my thank-you"))
    thank_you = page.get_by_label("Thank-you message")
    expect(thank_you).to_have_value(
        re.compile(r"What changed for me: I ask for feedback"), timeout=30_000
    )
    # The draft is built from what they wrote, their wins and their stay-in-touch plan.
    expect(thank_you).to_have_value(re.compile("Outline the talk"))
    person.type(thank_you, OWN_LINE, replace=False)
    person.click(person.button("Add someone to my circle"))
    person.choose("Circle 1: role", "A sponsor (speaks up for you)")
    person.type("Circle 1: who", "My manager's manager")
    person.check("I offer to mentor someone in the next cohort")
    person.type("Email for the next cohort", "second.half@example.org")
    person.type("What I could mentor in", "Public speaking; Asking for feedback")
    person.choose("Mentees I could take", "2 mentees")
    wait_until_saved(person)
    person.shot("07_closing", whole=True)

    visit.reload_and_resume()
    expect(page.get_by_label("What the advice changed")).to_have_value(CHANGED, timeout=30_000)
    expect(page.get_by_label("Thank-you message")).to_have_value(
        re.compile(r"PS: the coffee is on me next time\.$")
    )
    expect(page.get_by_label("Circle 1: who")).to_have_value("My manager's manager")
    expect(page.get_by_label("What I could mentor in")).to_have_value(
        "Public speaking; Asking for feedback"
    )


def my_plan_holds_the_wins_and_the_growth(person: Person, visit: Visit) -> None:
    page = person.page
    visit.open_and_resume("06_my_plan.ipynb")
    wins = page.locator("#my-wins")
    person.reach(wins)
    expect(wins).to_contain_text("Milestone: Outline the talk", timeout=30_000)
    plan = page.locator(".mentorkit-document")
    expect(plan).to_contain_text("How I have grown")
    expect(plan.locator(CHART)).to_have_count(1)
    expect(plan).to_contain_text("Public speaking: 2 (Learning) at the start, 4 (Strong)")


def what_the_facilitator_sees(facilitator: Person, served_demo) -> None:
    page = facilitator.page
    facilitator_sign_in(
        facilitator, served_demo, "facilitator/dashboard.ipynb", served_demo.facilitator_key
    )
    surveys = page.locator(".mentorkit-surveys")
    facilitator.reach(surveys.locator("h3").first)
    expect(surveys).to_contain_text("participants answered", timeout=30_000)
    expect(surveys).to_contain_text("Results are shown from 3 answers on")
    expect(surveys).not_to_contain_text("More time on salary talks")
    expect(surveys).not_to_contain_text("Mean")
    facilitator.shot("dashboard-surveys")
    offers = page.get_by_role("link", name="Offers to mentor the next cohort")
    expect(offers.first).to_be_attached()
    facilitator.reach(offers.first)
    expect(offers.first).to_be_visible()
