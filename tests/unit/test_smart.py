"""SMART goal feedback: each check fires on a goal made to trigger it, and not on a good one."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorkit.models import Milestone, SmartGoal
from mentorkit.smart import (
    EVIDENCE_WORDS,
    PARTS,
    VAGUE_WORDS,
    Feedback,
    Severity,
    check_goal,
    format_day,
    is_complete,
    overdue_milestones,
)

TODAY = date(2027, 1, 15)
AGREEMENT_END = date(2027, 6, 30)
GROWTH = ("public-speaking", "negotiation")

GOOD = {
    "title": "Give two talks on our release process",
    "specific": "Give a 10-minute talk on our release process at two monthly team meetings.",
    "measurable": "2 talks given, with written feedback from at least 3 listeners.",
    "achievable": "I have 2 hours a week for preparation and my manager has agreed.",
    "relevant": "Public speaking is one of my growth areas.",
    "time_bound": "Outline by February, first talk in March, second talk in May.",
    "deadline": date(2027, 5, 31),
    "competencies": ["public-speaking"],
    "milestones": [
        {"title": "Outline the talk", "due_on": date(2027, 2, 15)},
        {"title": "Give the first talk", "due_on": date(2027, 3, 20)},
        {"title": "Give the second talk", "due_on": date(2027, 5, 20)},
    ],
}


def goal(**changes) -> SmartGoal:
    return SmartGoal.model_validate({**GOOD, **changes})


def feedback(g: SmartGoal, **kwargs) -> list[Feedback]:
    kwargs.setdefault("today", TODAY)
    return check_goal(g, **kwargs)


def of_part(items: list[Feedback], part: str) -> list[Feedback]:
    return [item for item in items if item.part == part]


def only(items: list[Feedback], part: str) -> Feedback:
    found = of_part(items, part)
    assert len(found) == 1, found
    return found[0]


# --- the good goal ------------------------------------------------------------------------


def test_good_goal_gets_no_feedback_at_all(framework):
    assert (
        feedback(
            goal(),
            growth_areas=GROWTH,
            framework=framework,
            agreement_end=AGREEMENT_END,
        )
        == []
    )


def test_good_goal_is_complete(framework):
    assert is_complete(
        goal(), today=TODAY, growth_areas=GROWTH, framework=framework, agreement_end=AGREEMENT_END
    )


def test_format_day_reads_like_12_mar_2027():
    assert format_day(date(2027, 3, 12)) == "12 Mar 2027"
    assert format_day(date(2027, 12, 1)) == "1 Dec 2027"


# --- empty parts ----------------------------------------------------------------------------

LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
}


@pytest.mark.parametrize("part", LABELS)
def test_an_empty_part_gets_a_tip_with_an_example(part):
    tip = only(feedback(goal(**{part: "  "})), part)
    assert tip.severity is Severity.TIP
    assert tip.message.startswith(f"{LABELS[part]}: ")
    assert "for example '" in tip.message


@pytest.mark.parametrize("part", LABELS)
def test_a_goal_with_an_empty_part_is_not_complete(part):
    assert not is_complete(goal(**{part: ""}), today=TODAY)


# --- measurable -----------------------------------------------------------------------------

MEASURE_WARNING = (
    "Measurable: add a number or a piece of evidence you could show, "
    "such as '3 talks' or 'a signed-off plan'."
)


@pytest.mark.parametrize(
    "text",
    [
        "I will feel confident in meetings",
        "Someone notices my progress",  # 'one' inside 'someone' is not a number
        "Done when it feels right",  # nor inside 'done'
        "My manager is happy with it",
    ],
)
def test_measurable_without_number_or_evidence_warns(text):
    warning = only(feedback(goal(measurable=text)), "measurable")
    assert warning == Feedback("measurable", Severity.WARNING, MEASURE_WARNING)
    assert not is_complete(goal(measurable=text), today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "3 talks",
        "Three talks to the team",
        "Present twice",
        "Ask once a month",
        "Cut build time by 50%",
        "Ten percent fewer bugs",
        "A certificate from the course",
        "Article published on the blog",
        "Plan signed off by my manager",
        "A portfolio my mentor has seen",
        "Positive FEEDBACK from the team",
    ],
)
def test_measurable_with_number_or_evidence_is_fine(text):
    assert of_part(feedback(goal(measurable=text)), "measurable") == []


@pytest.mark.parametrize("word", EVIDENCE_WORDS)
def test_every_evidence_word_counts_as_a_measure(word):
    assert of_part(feedback(goal(measurable=f"I have a {word} to show")), "measurable") == []


def test_empty_measurable_gets_only_the_fill_in_tip():
    (tip,) = of_part(feedback(goal(measurable="")), "measurable")
    assert tip.severity is Severity.TIP


# --- time-bound -----------------------------------------------------------------------------


def test_missing_deadline_warns():
    warning = only(feedback(goal(deadline=None, milestones=[])), "time_bound")
    assert warning.severity is Severity.WARNING
    assert "deadline" in warning.message
    assert not is_complete(goal(deadline=None), today=TODAY)


def test_deadline_in_the_past_warns_naming_the_date():
    warning = only(feedback(goal(deadline=date(2027, 1, 14), milestones=[])), "time_bound")
    assert warning.severity is Severity.WARNING
    assert "14 Jan 2027" in warning.message
    assert "passed" in warning.message


@pytest.mark.parametrize("deadline", [TODAY, date(2027, 1, 16), date(2030, 1, 1)])
def test_deadline_today_or_later_is_fine(deadline):
    assert of_part(feedback(goal(deadline=deadline, milestones=[])), "time_bound") == []


def test_deadline_after_the_agreement_ends_warns_naming_both_dates():
    g = goal(deadline=date(2027, 8, 1))
    warning = only(feedback(g, agreement_end=AGREEMENT_END), "time_bound")
    assert warning.severity is Severity.WARNING
    assert "1 Aug 2027" in warning.message
    assert "30 Jun 2027" in warning.message


@pytest.mark.parametrize("end", [date(2027, 5, 31), date(2027, 12, 31), None])
def test_deadline_on_or_before_the_agreement_end_is_fine(end):
    assert of_part(feedback(goal(), agreement_end=end), "time_bound") == []


def test_past_deadline_after_an_earlier_agreement_end_gets_both_warnings():
    g = goal(deadline=date(2026, 12, 1), milestones=[])
    warnings = of_part(feedback(g, agreement_end=date(2026, 11, 1)), "time_bound")
    assert [w.severity for w in warnings] == [Severity.WARNING, Severity.WARNING]
    assert "passed" in warnings[0].message
    assert "1 Nov 2026" in warnings[1].message


# --- vague wording --------------------------------------------------------------------------


def test_vague_word_in_title_gets_a_tip_quoting_it():
    tip = only(feedback(goal(title="Get better at public speaking")), "title")
    assert tip.severity is Severity.TIP
    assert "'better'" in tip.message
    assert "exactly" in tip.message


def test_vague_words_in_specific_are_quoted_as_typed_in_reading_order():
    tip = only(feedback(goal(specific="Work on stuff, try harder, etc.")), "specific")
    assert "'Work on', 'stuff', 'try' and 'etc'" in tip.message


def test_vague_words_are_matched_whole_word_only():
    text = "Moreover, sometimes I tried; somebody improved the thingstore."
    assert feedback(goal(title=text, specific=text), today=TODAY) == []


def test_vague_words_are_case_insensitive_and_listed_once():
    tip = only(feedback(goal(specific="MORE talks, more demos, More.")), "specific")
    assert tip.message.count("'MORE'") == 1
    assert "'more'" not in tip.message


def test_vague_phrase_across_a_line_break_is_found():
    tip = only(feedback(goal(specific="Practise as much\nas possible")), "specific")
    assert "'as much as possible'" in tip.message


@pytest.mark.parametrize("word", VAGUE_WORDS)
def test_every_vague_word_is_found(word):
    tip = only(feedback(goal(title=f"Plan: {word}.")), "title")
    assert f"'{word}'" in tip.message


def test_vague_wording_is_only_a_tip_and_the_goal_stays_complete():
    assert is_complete(goal(title="Give more talks"), today=TODAY)


# --- relevant -------------------------------------------------------------------------------


def test_goal_not_tied_to_growth_areas_warns_naming_them(framework):
    g = goal(competencies=["delegation"], relevant="My team needs it.")
    warning = only(feedback(g, growth_areas=GROWTH, framework=framework), "relevant")
    assert warning.severity is Severity.WARNING
    assert "'Public speaking' or 'Negotiation'" in warning.message
    assert not is_complete(g, today=TODAY, growth_areas=GROWTH, framework=framework)


def test_growth_areas_are_named_by_id_without_a_framework():
    g = goal(competencies=[], relevant="My team needs it.")
    warning = only(feedback(g, growth_areas=GROWTH), "relevant")
    assert "'public-speaking' or 'negotiation'" in warning.message


def test_unknown_growth_area_id_is_named_by_its_id(framework):
    g = goal(competencies=[], relevant="My team needs it.")
    warning = only(feedback(g, growth_areas=["made-up"], framework=framework), "relevant")
    assert "'made-up'" in warning.message


def test_goal_tagged_with_a_growth_area_is_relevant(framework):
    g = goal(competencies=["delegation", "negotiation"], relevant="")
    items = feedback(g, growth_areas=GROWTH, framework=framework)
    assert [i.severity for i in of_part(items, "relevant")] == [Severity.TIP]  # only: fill it


@pytest.mark.parametrize(
    "relevant",
    [
        "I want to get confident at NEGOTIATION.",
        "My public speaking is weak.",
        "My public-speaking is weak.",
    ],
)
def test_goal_naming_a_growth_area_is_relevant(framework, relevant):
    g = goal(competencies=[], relevant=relevant)
    assert of_part(feedback(g, growth_areas=GROWTH, framework=framework), "relevant") == []


def test_growth_area_name_must_be_a_whole_word(framework):
    g = goal(competencies=[], relevant="Renegotiations are coming.")
    assert of_part(feedback(g, growth_areas=["negotiation"], framework=framework), "relevant")


def test_without_growth_areas_relevance_is_not_checked(framework):
    g = goal(competencies=[], relevant="My team needs it.")
    assert of_part(feedback(g, framework=framework), "relevant") == []


# --- milestones -----------------------------------------------------------------------------


def test_goal_without_milestones_gets_a_tip_to_add_two_or_three():
    tip = only(feedback(goal(milestones=[])), "milestones")
    assert tip.severity is Severity.TIP
    assert "two or three" in tip.message
    assert is_complete(goal(milestones=[]), today=TODAY)


def test_milestone_dated_before_the_one_above_it_warns_naming_both():
    milestones = [
        {"title": "Give the first talk", "due_on": date(2027, 3, 20)},
        {"title": "Outline the talk", "due_on": date(2027, 2, 15)},
    ]
    warning = only(feedback(goal(milestones=milestones)), "milestones")
    assert warning.severity is Severity.WARNING
    assert "'Outline the talk' (15 Feb 2027)" in warning.message
    assert "'Give the first talk' (20 Mar 2027)" in warning.message


def test_milestone_order_skips_undated_ones_but_still_compares_around_them():
    milestones = [
        {"title": "B", "due_on": date(2027, 3, 1)},
        {"title": "undated"},
        {"title": "A", "due_on": date(2027, 2, 1)},
    ]
    items = of_part(feedback(goal(milestones=milestones)), "milestones")
    assert [i.severity for i in items] == [Severity.WARNING, Severity.TIP]
    assert "'A'" in items[0].message and "'B'" in items[0].message
    assert "'undated'" in items[1].message


def test_milestones_on_the_same_day_are_in_order():
    milestones = [
        {"title": "A", "due_on": date(2027, 3, 1)},
        {"title": "B", "due_on": date(2027, 3, 1)},
    ]
    assert of_part(feedback(goal(milestones=milestones)), "milestones") == []


def test_milestone_after_the_goal_deadline_warns():
    milestones = [{"title": "Celebrate", "due_on": date(2027, 6, 2)}]
    warning = only(feedback(goal(milestones=milestones)), "milestones")
    assert warning.severity is Severity.WARNING
    assert "'Celebrate' is due 2 Jun 2027" in warning.message
    assert "31 May 2027" in warning.message


def test_milestones_without_a_date_get_one_tip_naming_them():
    milestones = [{"title": "Read a book"}, {"title": "Ask for feedback"}]
    tip = only(feedback(goal(milestones=milestones)), "milestones")
    assert tip.severity is Severity.TIP
    assert "'Read a book' and 'Ask for feedback'" in tip.message


def test_a_milestone_not_done_and_due_before_today_is_flagged_in_words():
    milestones = [
        {"title": "Outline the talk", "due_on": date(2027, 1, 10), "done": True},
        {"title": "Book a room", "due_on": date(2027, 1, 14)},
        {"title": "Give the first talk", "due_on": date(2027, 3, 20)},
    ]
    g = goal(milestones=milestones)
    warning = only(feedback(g), "milestones")
    assert warning.severity is Severity.WARNING
    assert warning.message == (
        "Milestone 2 ('Book a room') is due 14 January 2027, before today: "
        "move the date or mark it done."
    )
    assert overdue_milestones(g, TODAY) == [2]
    assert not is_complete(g, today=TODAY)


def test_a_milestone_due_today_or_done_is_not_overdue():
    due_today = goal(milestones=[{"title": "Book a room", "due_on": TODAY}])
    assert of_part(feedback(due_today), "milestones") == []
    done = goal(milestones=[{"title": "Book a room", "due_on": date(2026, 3, 3), "done": True}])
    assert of_part(feedback(done), "milestones") == []
    assert overdue_milestones(done, TODAY) == []


def test_every_overdue_milestone_is_named_by_its_number():
    milestones = [
        {"title": "A", "due_on": date(2026, 3, 3)},
        {"title": "B"},
        {"title": "C", "due_on": date(2026, 12, 1)},
    ]
    items = [i.message for i in of_part(feedback(goal(milestones=milestones)), "milestones")]
    assert items[0].startswith("Milestone 1 ('A') is due 3 March 2026, before today")
    assert items[1].startswith("Milestone 3 ('C') is due 1 December 2026, before today")


def test_long_milestone_titles_are_shortened_in_messages():
    tip = only(feedback(goal(milestones=[{"title": "x" * 200}])), "milestones")
    assert "x" * 59 + "…'" in tip.message
    assert "x" * 60 not in tip.message


# --- order and robustness -------------------------------------------------------------------


def test_feedback_follows_the_order_of_the_parts(framework):
    g = SmartGoal(
        title="Improve things",
        specific="Work on stuff",
        measurable="Feel good",
        competencies=[],
        milestones=[],
    )
    items = feedback(g, growth_areas=GROWTH, framework=framework)
    parts = [item.part for item in items]
    assert parts == sorted(parts, key=PARTS.index)
    assert set(parts) == set(PARTS)
    assert items == feedback(g, growth_areas=GROWTH, framework=framework)


def test_a_bare_draft_gets_one_tip_per_empty_part_and_a_deadline_warning():
    items = feedback(SmartGoal(title="Speak at a conference"))
    assert [(i.part, i.severity) for i in items] == [
        ("specific", Severity.TIP),
        ("measurable", Severity.TIP),
        ("achievable", Severity.TIP),
        ("relevant", Severity.TIP),
        ("time_bound", Severity.TIP),
        ("time_bound", Severity.WARNING),
        ("milestones", Severity.TIP),
    ]


TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
    st.lists(st.sampled_from([*VAGUE_WORDS, *EVIDENCE_WORDS, "3", "x", "-", "é"]), max_size=8).map(
        " ".join
    ),
)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
IDS = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fullmatch=True)
MILESTONES = st.lists(
    st.fixed_dictionaries(
        {"title": TEXT.filter(str.strip), "due_on": st.none() | DAYS, "done": st.booleans()}
    ).map(Milestone.model_validate),
    max_size=6,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    title=TEXT.filter(str.strip),
    parts=st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
    deadline=st.none() | DAYS,
    competencies=st.lists(IDS | st.sampled_from(GROWTH), unique=True, max_size=4),
    milestones=MILESTONES,
    today=DAYS,
    growth_areas=st.lists(IDS | st.sampled_from(GROWTH), max_size=4),
    use_framework=st.booleans(),
    agreement_end=st.none() | DAYS,
)
def test_check_goal_never_raises_on_any_valid_goal(
    framework,
    title,
    parts,
    deadline,
    competencies,
    milestones,
    today,
    growth_areas,
    use_framework,
    agreement_end,
):
    g = SmartGoal(
        title=title,
        **dict(zip(LABELS, parts, strict=True)),
        deadline=deadline,
        competencies=competencies,
        milestones=milestones,
    )
    kwargs = {
        "today": today,
        "growth_areas": growth_areas,
        "framework": framework if use_framework else None,
        "agreement_end": agreement_end,
    }
    items = check_goal(g, **kwargs)
    assert all(isinstance(item, Feedback) and item.message for item in items)
    assert all(item.part in PARTS and item.severity in Severity for item in items)
    assert [item.part for item in items] == sorted((i.part for i in items), key=PARTS.index)
    assert is_complete(g, **kwargs) in (True, False)
