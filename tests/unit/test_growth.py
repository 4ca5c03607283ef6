"""Growth you can see: the re-assessment against the first ratings, per person and for the
cohort (small groups left out), as a chart with its text alternative."""

import re

from mentorkit.catalog import load_framework
from mentorkit.growth import (
    MIN_GROUP,
    cohort_area_changes,
    cohort_chart,
    cohort_sentences,
    growth,
    growth_chart,
    growth_sentences,
)
from mentorkit.models import SelfAssessment

FRAMEWORK = load_framework()
SPEAKING, NEGOTIATION = "public-speaking", "negotiation"


def rated(before: dict[str, int], after: dict[str, int]) -> SelfAssessment:
    return SelfAssessment(ratings=before, reassessment=after)


def test_only_competencies_rated_twice_are_compared_in_the_frameworks_order():
    assessment = rated(
        {NEGOTIATION: 2, SPEAKING: 3, "delegation": 4}, {SPEAKING: 5, NEGOTIATION: 1}
    )
    found = growth(assessment, FRAMEWORK)
    assert {(g.competency_id, g.before, g.after, g.change) for g in found} == {
        (SPEAKING, 3, 5, 2),
        (NEGOTIATION, 2, 1, -1),
    }
    order = [c.id for area in FRAMEWORK.areas for c in area.competencies]
    assert [g.competency_id for g in found] == sorted(
        (g.competency_id for g in found), key=order.index
    )
    assert growth(None, FRAMEWORK) == [] and growth(SelfAssessment(), FRAMEWORK) == []


def test_the_text_alternative_says_each_change_in_words():
    lines = growth_sentences(growth(rated({SPEAKING: 2}, {SPEAKING: 4}), FRAMEWORK))
    assert lines == ["Public speaking: 2 (Learning) at the start, 4 (Strong) at the end (up 2)"]


def test_the_chart_is_inline_svg_labelled_for_screen_readers_with_no_style_leaking():
    svg = growth_chart(
        growth(rated({SPEAKING: 2, NEGOTIATION: 3}, {SPEAKING: 4, NEGOTIATION: 3}), FRAMEWORK)
    )
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert 'role="img"' in svg and 'aria-label="Ratings at the start and at the end' in svg
    assert "<style" not in svg and "<?xml" not in svg and "<script" not in svg
    assert "Public speaking" in svg and "At the end" in svg
    assert growth_chart([]) == ""


def test_the_cohort_change_per_area_hides_groups_smaller_than_three():
    first, second = FRAMEWORK.areas[0], FRAMEWORK.areas[1]
    one, other = first.competencies[0].id, second.competencies[0].id
    speakers = [rated({one: 2}, {one: 2 + n}) for n in range(MIN_GROUP)]
    one_negotiator = [rated({other: 1}, {other: 5})]
    changes = {c.area: c for c in cohort_area_changes([*speakers, *one_negotiator], FRAMEWORK)}
    speaking_area, negotiation_area = first.name, second.name
    assert changes[speaking_area].people == 3 and changes[speaking_area].change == 1.0
    assert changes[negotiation_area].people == 1 and changes[negotiation_area].change is None
    words = cohort_sentences(list(changes.values()))
    assert f"{speaking_area}: +1.00 on average over 3 people" in words
    assert any(re.match(rf"{negotiation_area}: not shown, fewer than 3", w) for w in words)
    chart = cohort_chart(list(changes.values()))
    assert speaking_area in chart and negotiation_area not in chart


def test_a_chart_is_the_same_each_time_and_leaves_matplotlibs_settings_alone():
    import matplotlib

    before = dict(matplotlib.rcParams)
    found = growth(rated({SPEAKING: 2}, {SPEAKING: 4}), FRAMEWORK)
    first = growth_chart(found)
    assert growth_chart(found) == first  # ids salted alike: the same ratings, the same SVG
    assert "<text" in first and ">Public speaking<" in first  # text kept as text
    assert dict(matplotlib.rcParams) == before
