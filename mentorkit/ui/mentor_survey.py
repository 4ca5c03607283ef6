"""The feedback surveys on the mentors' page: while the facilitator has a survey open, a
mentor with a mentee answers it too, to questions worded for a mentor. Each answer is
saved a moment after it is given (`MentorSaver`), under the mentor's email, in a table of
the mentors' own: no participant reads it, and the facilitator sees only the mentors'
results as a group (`mentorkit.surveys`).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from mentorkit.models import SurveyAnswers, SurveyKind
from mentorkit.surveys import Respondents, open_surveys
from mentorkit.ui.mentor_profile import MentorSaver, MentorSession
from mentorkit.ui.survey_form import SurveyForm


def asks_mentor(session: MentorSession) -> bool:
    """Whether the mentor's page asks them a survey today: one is open and they have a
    mentee (the questions are about mentoring someone)."""
    return bool(open_surveys(session.workshop, session.today)) and session.places_taken() > 0


class MentorSurveyView(widgets.VBox):
    """Each survey open today, showing the mentor's saved answers, saved as they go."""

    def __init__(self, session: MentorSession) -> None:
        super().__init__()
        self.add_class("mentorkit-mentor-survey")
        self.forms: list[SurveyForm] = []
        for kind in open_surveys(session.workshop, session.today):
            self.forms.append(
                SurveyForm(
                    kind,
                    session.workshop.surveys[kind],
                    Respondents.MENTORS,
                    session.store.mentor_survey(session.workshop.code, session.email, kind),
                    status=session.status,
                    notice=session.notice,
                    document_key=("mentor_survey", session.email, kind.value),
                    on_change=self._saving(session, kind),
                    heading="h3",
                )
            )
        self.children = self.forms

    @staticmethod
    def _saving(session: MentorSession, kind: SurveyKind) -> Callable[[SurveyAnswers], None]:
        """What a survey's form calls at each change: its answers saved a moment later."""
        code, email = session.workshop.code, session.email

        def save(answers: SurveyAnswers) -> None:
            session.store.save_mentor_survey(code, email, kind, answers)

        saver: MentorSaver[SurveyAnswers] = MentorSaver(save, session.status)
        session.savers.append(saver)

        def changed(answers: SurveyAnswers) -> None:
            saver.request(lambda: answers)

        return changed
