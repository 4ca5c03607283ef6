"""Feedback the facilitator can act on: a mid-point and an end survey of how each pair is
going, opened on dates the facilitator sets, and their results for the cohort.

Each participant answers on their Check-ins page while a survey is open (a document of
their own, `SurveyAnswers`, named after the survey), and each mentor with a mentee on the
mentors' page (the same answers, kept apart: `Store.save_mentor_survey`), to questions
worded for their side. The facilitator sees each side's response rate always, and its
results (means, spread, comments) only once at least `MIN_ANSWERS` people of that side
have answered, so that no one's answers can be told apart; never who answered what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from statistics import fmean, median

from mentorkit.models import SurveyAnswers, SurveyKind, SurveyWindow, Workshop
from mentorkit.rendering import long_date

#: Results are shown from this many answers on.
MIN_ANSWERS = 3

#: The surveys' names, as people read them.
SURVEY_TITLES: Mapping[SurveyKind, str] = {
    SurveyKind.MID: "Mid-point survey",
    SurveyKind.END: "End survey",
}


class Respondents(StrEnum):
    """Who answers a survey: each side has its own wording, rate and results."""

    PARTICIPANTS = "participants"
    MENTORS = "mentors"


#: Each 0–10 question: the answer's field and the question as asked, for each side (the
#: same fields, so that the two sides' results read side by side).
QUESTIONS_FOR: Mapping[Respondents, tuple[tuple[str, str], ...]] = {
    Respondents.PARTICIPANTS: (
        ("met_as_agreed", "How well do you and your mentor meet as you agreed?"),
        ("useful", "How useful is the mentoring to you?"),
        ("would_recommend", "How likely are you to recommend this mentoring to a colleague?"),
    ),
    Respondents.MENTORS: (
        ("met_as_agreed", "How well do you and your mentees meet as you agreed?"),
        ("useful", "How useful do you think the mentoring is to your mentees?"),
        (
            "would_recommend",
            "How likely are you to recommend mentoring in this programme to a colleague?",
        ),
    ),
}
#: The participants' questions.
QUESTIONS = QUESTIONS_FOR[Respondents.PARTICIPANTS]


def is_open(window: SurveyWindow, today: date) -> bool:
    """Whether a survey with this window takes answers today (both days included)."""
    return window.opens_on <= today and (window.closes_on is None or today <= window.closes_on)


def open_surveys(workshop: Workshop, today: date) -> list[SurveyKind]:
    """The workshop's surveys open today, in programme order."""
    return [kind for kind in SurveyKind if (w := workshop.surveys.get(kind)) and is_open(w, today)]


def window_words(window: SurveyWindow) -> str:
    """'open from 1 March 2027 to 14 March 2027' (or 'from 1 March 2027')."""
    words = f"from {long_date(window.opens_on)}"
    return words + (f" to {long_date(window.closes_on)}" if window.closes_on else "")


def answered(answers: SurveyAnswers) -> bool:
    """Whether a participant has answered at least one question (comments alone count)."""
    return any(getattr(answers, field) is not None for field, _ in QUESTIONS) or bool(
        answers.comments.strip()
    )


@dataclass(frozen=True)
class QuestionResult:
    question: str
    answers: int
    mean: float
    median: float


@dataclass(frozen=True)
class SurveyResult:
    """One survey's figures for the cohort: the response rate always; the results only
    from `MIN_ANSWERS` answers on (else `questions` and `comments` are None)."""

    kind: SurveyKind
    answered: int
    asked: int
    questions: tuple[QuestionResult, ...] | None
    comments: tuple[str, ...] | None
    respondents: Respondents = Respondents.PARTICIPANTS

    @property
    def rate(self) -> int:
        """The share who answered, in whole percent."""
        return round(100 * self.answered / self.asked) if self.asked else 0

    @property
    def suppressed(self) -> bool:
        return self.questions is None


def survey_result(
    kind: SurveyKind,
    answers: Iterable[SurveyAnswers],
    asked: int,
    *,
    respondents: Respondents = Respondents.PARTICIPANTS,
    min_answers: int = MIN_ANSWERS,
) -> SurveyResult:
    """One side's result for one survey, from the answers of everyone on that side
    (`asked`: how many of them the survey asks)."""
    given = [item for item in answers if answered(item)]
    if len(given) < min_answers:
        return SurveyResult(kind, len(given), asked, None, None, respondents)
    questions = []
    for field, question in QUESTIONS_FOR[respondents]:
        scores = [score for item in given if (score := getattr(item, field)) is not None]
        if scores:
            questions.append(
                QuestionResult(question, len(scores), round(fmean(scores), 1), median(scores))
            )
    # Sorted, so that the order says nothing about who wrote which.
    comments = tuple(sorted(item.comments.strip() for item in given if item.comments.strip()))
    return SurveyResult(kind, len(given), asked, tuple(questions), comments, respondents)


def result_sentences(result: SurveyResult, min_answers: int = MIN_ANSWERS) -> list[str]:
    """The result in sentences, for the dashboard and its export."""
    title = SURVEY_TITLES[result.kind]
    lines = [
        f"{title}: {result.answered} of {result.asked} {result.respondents} answered "
        f"({result.rate}%)."
    ]
    if result.questions is None:
        lines.append(
            f"Results are shown from {min_answers} answers on, so that nobody can be identified."
        )
        return lines
    for item in result.questions:
        lines.append(
            f"{item.question} Mean {item.mean} of 10, median {item.median:g} "
            f"({item.answers} answer{'' if item.answers == 1 else 's'})."
        )
    return lines


#: The columns of `result_rows`.
RESULT_COLUMNS = (
    "survey",
    "respondents",
    "answered",
    "asked",
    "response rate (%)",
    "question",
    "mean",
    "median",
    "comment",
)


def result_rows(results: Sequence[SurveyResult]) -> list[dict[str, object]]:
    """One row per survey, side and question, then one per comment, for a spreadsheet (a
    suppressed result gives its response rate only)."""
    rows: list[dict[str, object]] = []
    for result in results:
        base = {
            "survey": SURVEY_TITLES[result.kind],
            "respondents": result.respondents.value,
            "answered": result.answered,
            "asked": result.asked,
            "response rate (%)": result.rate,
        }
        if result.questions is None:
            rows.append({**base, "question": f"(fewer than {MIN_ANSWERS} answers: not shown)"})
            continue
        for item in result.questions:
            rows.append(
                {**base, "question": item.question, "mean": item.mean, "median": item.median}
            )
        rows += [{**base, "question": "Comment", "comment": text} for text in result.comments or ()]
    return rows
