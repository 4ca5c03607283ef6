"""07 Closing well: what the mentoring changed, a thank-you to the mentor, staying in
touch, widening one's circle, and an offer to mentor the next cohort.

One document (kind "closing"), saved as typed like every worksheet. The thank-you is
drafted from what the participant wrote and the wins of their goals
(`mentorkit.closing.thank_you_draft`) when they ask for it, never over their own words
unasked. An offer to mentor becomes a row of the facilitator's next mentor roster
(`mentorkit.closing.volunteer_rows`, downloaded from the dashboard).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.agreement import AgreementMentor, agreement_mentor
from mentorkit.closing import thank_you_draft
from mentorkit.models import (
    CircleMember,
    CircleRole,
    Closing,
    MentoringAgreement,
    MentorShortlist,
    SmartGoal,
)
from mentorkit.rhythm import wins
from mentorkit.store import Store
from mentorkit.ui.fields import Fields, FieldSet, choices
from mentorkit.ui.frame import guarded
from mentorkit.ui.html import copy_button
from mentorkit.ui.parts import Row, RowList, the_mentor
from mentorkit.ui.shell import Session, WorksheetApp, worksheet_app

LABEL_WIDTH = "14rem"
MAX_CIRCLE = 10
#: How each role reads in its drop-down.
ROLE_LABELS: dict[CircleRole, str] = {
    CircleRole.SECOND_MENTOR: "A second mentor",
    CircleRole.SPONSOR: "A sponsor (speaks up for you)",
    CircleRole.PEER: "A peer (learns alongside you)",
}
CSS = """
.mentorkit-closing .widget-button { width: auto; min-width: 8rem; padding: 0 1rem; }
.mentorkit-closing .mentorkit-circle { border-top: 1px dashed #d9e2ec; padding-top: 0.3rem; }
"""
CAPACITIES = choices({n: f"{n} mentee" + ("" if n == 1 else "s") for n in range(1, 6)})


class CircleRow(Row):
    """One person to add to the circle: their role, who, and why them."""

    def __init__(self, number: int, member: CircleMember | None = None) -> None:
        super().__init__()
        self.add_class("mentorkit-circle")
        fields = Fields(LABEL_WIDTH)
        self.role = fields.dropdown(
            "", choices(ROLE_LABELS), member.role if member else None, width="30rem"
        )
        self.name = fields.text("", member.name if member else "", "A name, or where to look")
        self.why = fields.text("", member.why if member else "", "What they would bring")
        self.remove = widgets.Button(layout=widgets.Layout(width="auto"))
        self.problem = widgets.HTML().add_class("mentorkit-problem-line")
        self.renumber(number)
        self.children = [*self.inputs(), self.problem, widgets.HBox([self.remove])]

    def renumber(self, number: int) -> None:
        prefix = f"Circle {number}"
        self.role.description = f"{prefix}: role"
        self.name.description = f"{prefix}: who"
        self.why.description = f"{prefix}: why them"
        self.remove.description = f"Remove person {number} of my circle"

    def fields(self) -> dict[str, widgets.Widget]:
        return {"role": self.role, "name": self.name, "why": self.why}

    def is_blank(self) -> bool:
        return (
            self.role.value is None and not self.name.value.strip() and not self.why.value.strip()
        )

    def data(self) -> dict[str, Any]:
        return {"role": self.role.value, "name": self.name.value, "why": self.why.value}


class ClosingView(widgets.VBox):
    """The closing worksheet, saved as typed."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.add_class("mentorkit-closing")
        self.session = session
        self.autosaver = session.autosaver(Closing.kind)
        saved = self.autosaver.document
        start = saved if isinstance(saved, Closing) else Closing()
        self.fields = FieldSet(Closing, session.status, self.autosaver.key)
        bind = self.fields.field
        fields = Fields(LABEL_WIDTH)
        notice = session.notice
        self.mentor_name = _mentor_name(session)

        self.what_changed = bind(
            "what_changed",
            fields.textarea(
                "What the advice changed",
                start.what_changed,
                "What you do differently now, and what made the difference",
            ),
        )
        self.thank_you = bind(
            "thank_you",
            fields.textarea(
                "Thank-you message", start.thank_you, "Your words to your mentor", height="14rem"
            ),
        )
        self.draft_button = widgets.Button(
            description="Draft my thank-you", layout=widgets.Layout(width="auto")
        )
        self.draft_button.on_click(guarded(notice)(lambda _button: self.draft_thank_you()))
        self.copy = widgets.HTML()
        self.stay_in_touch = bind(
            "stay_in_touch",
            fields.textarea(
                "Staying in touch",
                start.stay_in_touch,
                "e.g. A short update every quarter, and coffee when I am in town",
                height="4rem",
            ),
        )
        self.circle: RowList[CircleMember, CircleRow] = RowList(
            CircleRow,
            saved=start.circle,
            add=widgets.Button(description="Add someone to my circle"),
            maximum=MAX_CIRCLE,
            notice=notice,
            on_change=self._changed,
            full_note=f"{MAX_CIRCLE} people is the most this list holds.",
        )
        self.fields.computed("circle", self.circle.data)
        self.offer = bind(
            "offer_to_mentor",
            widgets.Checkbox(
                value=start.offer_to_mentor,
                description="I offer to mentor someone in the next cohort",
                indent=False,
                layout=widgets.Layout(width="auto"),
            ),
        )
        self.offer_email = bind(
            "offer_email",
            fields.text(
                "Email for the next cohort",
                start.offer_email or session.participant.email or "",
                "Where the facilitator can reach you",
                width="34rem",
            ),
            read=lambda text: text.strip() or None,
        )
        self.offer_topics = bind(
            "offer_topics",
            fields.text(
                "What I could mentor in",
                start.offer_topics,
                "e.g. Public speaking; Changing careers",
            ),
        )
        self.offer_capacity = bind(
            "offer_capacity",
            fields.dropdown("Mentees I could take", CAPACITIES, start.offer_capacity),
        )
        self.offer_bio = bind(
            "offer_bio",
            fields.textarea(
                "A few words about me", start.offer_bio, "For the mentor directory", height="4rem"
            ),
        )
        placed = self.fields.placed
        self.offer_box = widgets.VBox(
            [
                placed("offer_email"),
                placed("offer_topics"),
                placed("offer_capacity"),
                placed("offer_bio"),
                widgets.HTML(
                    '<p class="mentorkit-muted">Your facilitator receives this as a draft mentor '
                    "profile for the next cohort, with your strengths from your self-assessment "
                    "and how you like to meet. Untick to withdraw the offer.</p>"
                ),
            ]
        )
        self.fields.bind_rows("circle", self.circle.bindings("circle"))
        self.fields.restore(start.draft)
        mentor = self.mentor_name or "your mentor"
        self.children = [
            widgets.HTML(f"<style>{CSS}</style>"),
            widgets.HTML("<h2>What the mentoring changed</h2>"),
            placed("what_changed"),
            widgets.HTML(
                f"<h2>Thank {escape(mentor)}</h2><p>Say what their advice changed for you: "
                "specific thanks mean the most. Draft it from what you wrote, then make it "
                "your own.</p>"
            ),
            widgets.HBox([self.draft_button, self.copy]).add_class("mentorkit-actions"),
            placed("thank_you"),
            widgets.HTML("<h2>After the formal end</h2>"),
            placed("stay_in_touch"),
            widgets.HTML(
                "<h2>Widen your circle</h2><p>One mentor is a start. Who else would help: a "
                "second mentor for another need, a sponsor who speaks up for you, peers to "
                "learn alongside?</p>"
            ),
            self.circle,
            widgets.HBox([self.circle.add, self.circle.note]),
            widgets.HTML(
                "<h2>Give back: become a mentor</h2><p>You know now what a good mentor "
                "does. Offer to mentor someone in the next cohort.</p>"
            ),
            self.offer,
            self.offer_box,
        ]
        self.fields.observe(guarded(notice)(self._changed))
        self._show_offer()
        self._show_copy()

    def document(self) -> Closing:
        self.fields.bind_rows("circle", self.circle.bindings("circle"))
        document = self.fields.document(self.fields.data())
        assert isinstance(document, Closing)
        return document

    def _changed(self, _change: object = None) -> None:
        document = self.document()
        self.autosaver.request(lambda: document)
        self._show_offer()
        self._show_copy()

    def _show_offer(self) -> None:
        self.offer_box.layout.display = None if self.offer.value else "none"

    def _show_copy(self) -> None:
        text = self.thank_you.value
        self.copy.value = copy_button(text, "Copy my thank-you") if text.strip() else ""

    def draft_thank_you(self) -> None:
        """Put a draft in the thank-you box, made from what is written on this page."""
        goals = self.session.documents(SmartGoal)
        self.thank_you.value = thank_you_draft(
            self.session.participant, self.mentor_name, self.document(), wins(goals)
        )


def _mentor_name(session: Session) -> str:
    """The participant's mentor (`the_mentor`), else the agreement's: one of the directory
    or one they found themselves ('' when none is known by name)."""
    mentors = {m.email: m for m in session.store.mentors(session.workshop.code)}
    mentor: AgreementMentor | None = the_mentor(session, mentors)
    if mentor is None and (agreement := session.document(MentoringAgreement)) is not None:
        shortlist = session.document(MentorShortlist)
        found = shortlist.prospects if shortlist is not None else ()
        mentor = agreement_mentor(agreement, mentors, found)
    return mentor.name if mentor else ""


def closing_app(
    *, store: Store | None = None, environ: Mapping[str, str] | None = None
) -> WorksheetApp:
    """The Closing well app (the notebook 07_closing calls this)."""
    return worksheet_app("07_closing", ClosingView, store=store, environ=environ)
