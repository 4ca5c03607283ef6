"""Feedback surveys: open on the facilitator's dates, answered by participants, and shown
to the facilitator as response rates, with results only from three answers on."""

from datetime import date

import pytest

from mentorkit.catalog import load_framework
from mentorkit.errors import InvalidInput
from mentorkit.models import SurveyAnswers, SurveyKind, SurveyWindow, Workshop, validate
from mentorkit.surveys import (
    Respondents,
    answered,
    open_surveys,
    result_rows,
    result_sentences,
    survey_result,
)

MARCH = SurveyWindow(opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 14))


def workshop(**surveys: SurveyWindow) -> Workshop:
    return Workshop(name="W", framework=load_framework(), surveys=surveys)


def test_a_survey_is_open_from_its_first_day_to_its_last():
    w = workshop(mid=MARCH, end=SurveyWindow(opens_on=date(2027, 6, 1)))
    assert open_surveys(w, date(2027, 2, 28)) == []
    assert open_surveys(w, date(2027, 3, 1)) == [SurveyKind.MID]
    assert open_surveys(w, date(2027, 3, 14)) == [SurveyKind.MID]
    assert open_surveys(w, date(2027, 3, 15)) == []
    assert open_surveys(w, date(2030, 1, 1)) == [SurveyKind.END]
    assert open_surveys(workshop(), date(2027, 3, 5)) == []


def test_a_survey_cannot_close_before_it_opens():
    with pytest.raises(InvalidInput, match="closing date is before the opening date"):
        validate(SurveyWindow, {"opens_on": "2027-03-14", "closes_on": "2027-03-01"})


def test_scores_are_zero_to_ten():
    with pytest.raises(InvalidInput, match="We meet as agreed"):
        validate(SurveyAnswers, {"met_as_agreed": 11})
    assert not answered(SurveyAnswers()) and answered(SurveyAnswers(comments="Great"))
    assert answered(SurveyAnswers(useful=0))


def test_under_three_answers_only_the_response_rate_is_shown():
    two = [SurveyAnswers(useful=9, comments="Only my mentor knows this"), SurveyAnswers(useful=2)]
    result = survey_result(SurveyKind.MID, [*two, SurveyAnswers()], asked=10)
    assert (result.answered, result.asked, result.rate) == (2, 10, 20)
    assert result.suppressed and result.comments is None
    words = result_sentences(result)
    assert words[0] == "Mid-point survey: 2 of 10 participants answered (20%)."
    assert "shown from 3 answers on" in words[1]
    assert "Only my mentor" not in str(result_rows([result]))


def test_from_three_answers_the_means_medians_and_sorted_comments_are_shown():
    answers = [
        SurveyAnswers(met_as_agreed=8, useful=9, would_recommend=10, comments="Zesty"),
        SurveyAnswers(met_as_agreed=4, useful=7, comments="  Also good  "),
        SurveyAnswers(met_as_agreed=6, useful=8, would_recommend=6),
    ]
    result = survey_result(SurveyKind.END, answers, asked=4)
    assert result.rate == 75 and not result.suppressed
    assert [(q.mean, q.median, q.answers) for q in result.questions] == [
        (6.0, 6, 3),  # meeting as agreed
        (8.0, 8, 3),  # useful
        (8.0, 8, 2),  # would recommend: one did not say
    ]
    assert result.comments == ("Also good", "Zesty")
    words = result_sentences(result)
    assert "How useful is the mentoring to you? Mean 8.0 of 10, median 8 (3 answers)." in words
    rows = result_rows([result])
    assert [r["question"] for r in rows][-2:] == ["Comment", "Comment"]


def test_mentors_results_are_worded_for_mentors_and_suppressed_on_their_own():
    mentors = [SurveyAnswers(useful=7, comments="My mentee is shy"), SurveyAnswers(useful=9)]
    held_back = survey_result(SurveyKind.END, mentors, asked=2, respondents=Respondents.MENTORS)
    assert held_back.suppressed and held_back.rate == 100
    assert result_sentences(held_back)[0] == "End survey: 2 of 2 mentors answered (100%)."
    rows = result_rows([held_back])
    assert [row["respondents"] for row in rows] == ["mentors"]
    assert "shy" not in str(rows)

    shown = survey_result(
        SurveyKind.END,
        [*mentors, SurveyAnswers(useful=5)],
        asked=4,
        respondents=Respondents.MENTORS,
    )
    assert shown.respondents is Respondents.MENTORS and not shown.suppressed
    assert shown.questions is not None
    (useful,) = shown.questions
    assert useful.question == "How useful do you think the mentoring is to your mentees?"
    assert (useful.mean, useful.median, useful.answers) == (7.0, 7, 3)
    assert shown.comments == ("My mentee is shy",)
    assert {row["respondents"] for row in result_rows([shown])} == {"mentors"}


def test_one_answer_to_a_question_is_said_in_the_singular():
    answers = [SurveyAnswers(useful=7, would_recommend=9), SurveyAnswers(useful=5), SurveyAnswers()]
    result = survey_result(SurveyKind.END, [*answers, SurveyAnswers(comments="ok")], asked=4)
    words = result_sentences(result)
    assert any(line.endswith("Mean 9.0 of 10, median 9 (1 answer).") for line in words)
    assert any(line.endswith("Mean 6.0 of 10, median 6 (2 answers).") for line in words)
