"""One open feedback survey as a form: three questions from 0 to 10 and comments, each
input bound to its field of `SurveyAnswers` (a `FieldSet`: a bad value is said next to
its input and kept in the answers' draft, never a reason not to save the rest).

Participants answer it on Check-ins (saved as a document of their own) and mentors on the
mentors' page (saved apart, `Store.save_mentor_survey`); each side reads questions worded
for it (`mentorkit.surveys.QUESTIONS_FOR`). The form says what the facilitator sees, and
hands the answers, as the page holds them, to whoever saves them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import ipywidgets as widgets

from mentorkit.models import SurveyAnswers, SurveyKind, SurveyWindow
from mentorkit.surveys import MIN_ANSWERS, QUESTIONS_FOR, SURVEY_TITLES, Respondents, window_words
from mentorkit.ui.autosave import SaveStatus
from mentorkit.ui.fields import Fields, FieldSet
from mentorkit.ui.frame import Notice, guarded

LABEL_WIDTH = "13rem"
#: Each question's short name, in its input's label (the question itself is above it).
SURVEY_LABELS = {
    "met_as_agreed": "meeting as agreed",
    "useful": "useful",
    "would_recommend": "would recommend",
}
#: The answers to a question from 0 to 10, its two ends named.
SCORE_ENDS = {0: "0 · not at all", 10: "10 · completely"}
SCORES = [("— choose —", None), *((SCORE_ENDS.get(n, str(n)), n) for n in range(11))]

#: Who sees what, as each side is told under the survey's title.
PRIVACY = {
    Respondents.PARTICIPANTS: "Your facilitator sees the group's results only, from "
    f"{MIN_ANSWERS} answers on, never your own answers alone.",
    Respondents.MENTORS: "Your facilitator sees the mentors' results as a group only, from "
    f"{MIN_ANSWERS} answers on, never your own answers alone; your mentees do not see them.",
}


class SurveyForm(widgets.VBox):
    """One open survey's inputs, showing `start` (saved answers, their draft restored);
    `on_change` gets the answers the inputs make at every change."""

    def __init__(
        self,
        kind: SurveyKind,
        window: SurveyWindow,
        respondents: Respondents,
        start: SurveyAnswers | None,
        *,
        status: SaveStatus,
        notice: Notice,
        document_key: object,
        on_change: Callable[[SurveyAnswers], None],
        heading: str = "h2",
    ) -> None:
        super().__init__()
        self.add_class("mentorkit-card")
        self.add_class("mentorkit-survey")
        self.kind = kind
        self.on_change = on_change
        start = start or SurveyAnswers()
        title = SURVEY_TITLES[kind]
        self.fields = FieldSet(SurveyAnswers, status, document_key, f"survey-{kind}")
        fields = Fields(LABEL_WIDTH)
        parts: list[widgets.Widget] = []
        self.scores: dict[str, widgets.Dropdown] = {}
        for field, question in QUESTIONS_FOR[respondents]:
            self.scores[field] = self.fields.field(
                field,
                fields.dropdown(
                    f"{title}: {SURVEY_LABELS[field]}", SCORES, getattr(start, field), width="26rem"
                ),
            )
            parts += [
                widgets.HTML(f"<p><strong>{escape(question)}</strong></p>"),
                self.fields.placed(field),
            ]
        self.comments = self.fields.field(
            "comments",
            fields.textarea(
                f"{title}: comments",
                start.comments,
                "What works, what could be better, for you or for the programme",
            ),
        )
        self.children = [
            widgets.HTML(
                f"<{heading}>{escape(title)}</{heading}><p>Open "
                f"{escape(window_words(window))}. {escape(PRIVACY[respondents])} Every "
                "answer is optional.</p>"
            ),
            *parts,
            self.fields.placed("comments"),
        ]
        self.fields.restore(start.draft)
        self.fields.observe(guarded(notice)(self._changed))

    def answers(self) -> SurveyAnswers:
        """The answers as the inputs hold them: what validates, and a draft of the rest."""
        document = self.fields.document(self.fields.data())
        assert isinstance(document, SurveyAnswers)
        return document

    def _changed(self, _change: object = None) -> None:
        self.on_change(self.answers())
