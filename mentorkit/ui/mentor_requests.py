"""The requests mentees sent a mentor, on the mentors' page: each with what the mentee wrote
and shares of their self-assessment, where it stands, and, while it waits, the mentor's
two answers.

What a participant sent is kept in their shortlist, and the answer with the matching's
decisions (`mentorkit.mentoring`): accepting locks the pair, declining forbids it, both
said to be the mentor's answer, with the mentor's reply, which the participant reads on
their shortlist. Before answering, the page reads the request again: the participant may
have withdrawn it, or the facilitator answered it, since the page showed it; the core
(`mentoring.answer`) then refuses in plain words, shown next to the request.

Everything a participant wrote (their name, message, goal, values, languages) and every
reply is escaped before it reaches the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html import escape

import ipywidgets as widgets
from pydantic import ValidationError

from mentorkit.errors import InvalidInput
from mentorkit.mentoring import (
    Answerer,
    MentoringError,
    MentorRequest,
    RequestState,
    answer,
    decline_reply,
    requests_of,
)
from mentorkit.models import SelfAssessment, problems
from mentorkit.store import Decision, ReceivedRequest
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import html_text, time_html
from mentorkit.ui.mentor_profile import MentorSession

#: How wide the reply boxes are.
REPLY_WIDTH = "40rem"
#: The longest reply the page takes (an answer's reply: `mentoring.Answer`).
REPLY_LIMIT = 2000


def request_as_it_stands(received: ReceivedRequest) -> MentorRequest:
    """The request a mentor received, with its answer if it has one."""
    answers = {received.sent.mentor_email: received.answer} if received.answer else {}
    (request,) = requests_of([received.sent], answers)
    return request


def state_html(request: MentorRequest, mentee: str) -> str:
    """Where a request stands, as the mentor reads it (HTML; the mentee's name and the
    reply escaped). Moments are `time_html`, shown in the reader's own time zone."""
    who = escape(mentee)
    reply = (
        f'<p class="mentorkit-reply">{html_text(request.reply)}</p>'
        if request.reply.strip()
        else ""
    )
    if request.state == RequestState.SENT:
        return "<p><strong>Waiting for your answer</strong></p>"
    if request.state == RequestState.WITHDRAWN:
        assert request.withdrawn_at is not None
        return (
            f"<p><strong>Withdrawn by {who}</strong> at {time_html(request.withdrawn_at)}: "
            "nothing to answer.</p>"
        )
    assert request.answered_at is not None
    when = time_html(request.answered_at)
    by_facilitator = request.answered_by == Answerer.FACILITATOR
    if request.state == RequestState.ACCEPTED:
        opening = f"Your facilitator paired you with {who}" if by_facilitator else "You accepted"
        return f"<p><strong>{opening}</strong> at {when}.</p>{reply}"
    opening = (
        f"Your facilitator has not paired you with {who}" if by_facilitator else "You declined"
    )
    return f"<p><strong>{opening}</strong> at {when}.</p>{reply}"


def shared_html(assessment: SelfAssessment | None, names: Mapping[str, str], mentee: str) -> str:
    """What a request shares of the mentee's self-assessment (never their ratings), as a
    list of terms; competencies by their names in the workshop's framework."""
    if assessment is None:
        return (
            f'<p class="mentorkit-muted">{escape(mentee)} has not filled in a '
            "self-assessment yet.</p>"
        )

    def competencies(ids: Iterable[str]) -> str:
        return ", ".join(names.get(cid) or cid.replace("-", " ") for cid in ids)

    preferences = assessment.preferences
    meets = ", ".join(fmt.value for fmt in preferences.formats)
    if preferences.frequency is not None:
        meets = f"{meets}, {preferences.frequency.value}" if meets else preferences.frequency.value
    terms = [
        ("Career goal", assessment.career_goal),
        ("Strengths", competencies(assessment.strengths)),
        ("Growth areas", competencies(assessment.growth_areas)),
        ("Values", ", ".join(assessment.values)),
        ("Would like to meet", meets),
        ("Time zone", preferences.time_zone or ""),
        ("Languages", ", ".join(preferences.languages)),
    ]
    shown = "".join(
        f"<dt>{escape(term)}</dt><dd>{html_text(text)}</dd>" for term, text in terms if text.strip()
    )
    if not shown:
        return (
            f'<p class="mentorkit-muted">{escape(mentee)} has left their self-assessment '
            "blank so far.</p>"
        )
    return (
        f'<p class="mentorkit-muted">What {escape(mentee)} shares from their self-assessment:'
        f'</p><dl class="mentorkit-shared">{shown}</dl>'
    )


class RequestCard(widgets.VBox):
    """One request: what the mentee sent and shares, where it stands, and while it waits
    the mentor's answers. The reply boxes keep what is typed in them while the list is
    drawn again."""

    def __init__(self, view: MentorRequestsView, participant_id: str, mentee: str) -> None:
        super().__init__()
        self.add_class("mentorkit-card").add_class("mentorkit-request-card")
        self.participant_id = participant_id
        self.mentee = mentee
        guard = guarded(view.session.notice)
        self.details = widgets.HTML()
        self.state = widgets.HTML()
        self.accept_reply = widgets.Textarea(
            description="A short reply (optional)",
            placeholder="e.g. when and how you could first meet",
            style={"description_width": "13rem"},
            layout=widgets.Layout(width=REPLY_WIDTH, height="4rem"),
        ).add_class(f"mentorkit-max-{REPLY_LIMIT}")
        self.accept = widgets.Button(
            description=f"Accept {mentee}",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.decline = widgets.Button(
            description=f"Decline {mentee}…", layout=widgets.Layout(width="auto")
        )
        self.answers = widgets.VBox(
            [self.accept_reply, widgets.HBox([self.accept, self.decline])]
        ).add_class("mentorkit-request-actions")
        self.decline_text = widgets.Textarea(
            description=f"Your reply to {mentee}",
            style={"description_width": "13rem"},
            layout=widgets.Layout(width=REPLY_WIDTH, height="12rem"),
        ).add_class(f"mentorkit-max-{REPLY_LIMIT}")
        self.send_decline = widgets.Button(
            description="Send the reply and decline",
            button_style="warning",
            layout=widgets.Layout(width="auto"),
        )
        self.cancel_decline = widgets.Button(
            description="Cancel", layout=widgets.Layout(width="auto")
        )
        self.decline_box = widgets.VBox(
            [self.decline_text, widgets.HBox([self.send_decline, self.cancel_decline])],
            layout=widgets.Layout(display="none"),
        ).add_class("mentorkit-decline-box")
        self.accept.on_click(guard(lambda _button: view.accept(participant_id)))
        self.decline.on_click(guard(lambda _button: self.open_decline(view.mentor_name)))
        self.send_decline.on_click(guard(lambda _button: view.decline(participant_id)))
        self.cancel_decline.on_click(guard(lambda _button: self.close_decline()))
        self.waiting = False
        self.children = [self.details, self.state, self.answers, self.decline_box]

    def open_decline(self, mentor_name: str) -> None:
        """Open the reply box of a decline, with a kind reply to edit (what was typed
        before, if the box was opened already)."""
        if not self.waiting:
            return
        if not self.decline_text.value.strip():
            self.decline_text.value = decline_reply(self.mentee, mentor_name)
        self.decline_box.layout.display = "flex"
        self.decline.layout.display = "none"

    def close_decline(self) -> None:
        """Close the reply box; what was typed in it stays for the next time it opens."""
        self.decline_box.layout.display = "none"
        self.decline.layout.display = ""

    def show(
        self, received: ReceivedRequest, request: MentorRequest, names: Mapping[str, str]
    ) -> None:
        """Draw the request as it stands (the reply boxes keep their text)."""
        mentee = received.participant.name
        if mentee != self.mentee:  # renamed on the roster since the card was made
            self.mentee = mentee
            self.accept.description = f"Accept {mentee}"
            self.decline.description = f"Decline {mentee}…"
            self.decline_text.description = f"Your reply to {mentee}"
        sent = received.sent
        self.details.value = (
            f"<h3>{escape(mentee)}</h3>"
            f'<p class="mentorkit-muted">Sent at {time_html(sent.sent_at)}</p>'
            f'<blockquote class="mentorkit-request-message">{html_text(sent.message)}'
            f"</blockquote>{shared_html(received.assessment, names, mentee)}"
        )
        self.show_state(request)
        self.waiting = request.state == RequestState.SENT
        self.answers.layout.display = "" if self.waiting else "none"
        if not self.waiting:
            self.close_decline()
            self.decline.layout.display = ""

    def show_state(self, request: MentorRequest, problem: str = "") -> None:
        """Where the request stands, and `problem` (plain text) under it."""
        line = f'<p class="mentorkit-problem" role="alert">{escape(problem)}</p>' if problem else ""
        self.state.value = (
            f'<div class="mentorkit-request-state mentorkit-request-{request.state.value}">'
            f"{state_html(request, self.mentee)}{line}</div>"
        )


class MentorRequestsView(widgets.VBox):
    """Every request sent to the signed-in mentor, waiting ones first, each with its
    answers."""

    def __init__(self, session: MentorSession) -> None:
        super().__init__()
        self.add_class("mentorkit-mentor-requests")
        self.session = session
        framework = session.workshop.framework
        self.names = {cid: c.name for cid, c in framework.competencies().items()}
        self.summary = widgets.HTML()
        self.cards: dict[str, RequestCard] = {}
        self.list = widgets.VBox().add_class("mentorkit-request-list")
        self.children = [self.summary, self.list]
        self.refresh()

    @property
    def mentor_name(self) -> str:
        return self.session.profile.name

    def received(self) -> list[ReceivedRequest]:
        """The requests to this mentor as stored now."""
        return self.session.store.requests_to_mentor(self.session.workshop.code, self.session.email)

    def refresh(self, received: list[ReceivedRequest] | None = None) -> None:
        """Draw the requests as stored now (or as `received`), waiting ones first."""
        found = self.received() if received is None else received
        standing = [(item, request_as_it_stands(item)) for item in found]
        # Waiting first, oldest first among them (the one asked longest ago is answered
        # first); then the rest, latest first.
        waiting = [pair for pair in standing if pair[1].state == RequestState.SENT]
        done = [pair for pair in standing if pair[1].state != RequestState.SENT]
        ordered = waiting + done[::-1]
        shown: list[RequestCard] = []
        for item, request in ordered:
            key = item.participant.id
            card = self.cards.get(key)
            if card is None:
                card = self.cards[key] = RequestCard(self, key, item.participant.name)
            card.show(item, request, self.names)
            shown.append(card)
        for key in [k for k in self.cards if k not in {c.participant_id for c in shown}]:
            close_tree(self.cards.pop(key))
        self.list.children = shown
        self._summarise(len(waiting), len(standing))

    def _summarise(self, waiting: int, total: int) -> None:
        if total == 0:
            text = (
                "No requests yet. Participants find you in the mentor directory of their "
                "shortlist and can send you a request there: it shows here."
            )
        elif waiting == 0:
            text = "No request is waiting for your answer."
        elif waiting == 1:
            text = "1 request is waiting for your answer."
        else:
            text = f"{waiting} requests are waiting for your answer."
        capacity = self.session.profile.capacity
        left = capacity - self.session.places_taken()
        places = (
            f"Places left for new mentees: {left} of {capacity}."
            if left > 0
            else "You have no place left for a new mentee."
        )
        self.summary.value = f'<p role="status">{escape(text)} {escape(places)}</p>'

    # -- answering --------------------------------------------------------------------------

    def _current(self, participant_id: str) -> tuple[ReceivedRequest, MentorRequest] | None:
        """The request from `participant_id` as stored now (the list drawn again from it),
        or None when it is gone (the participant left the workshop)."""
        found = self.received()
        self.refresh(found)
        item = next((r for r in found if r.participant.id == participant_id), None)
        return None if item is None else (item, request_as_it_stands(item))

    def accept(self, participant_id: str) -> None:
        """Accept the request from `participant_id`: the pair is locked, as the mentor's
        answer with their reply; refused in words when the request is no longer waiting,
        when the mentor has no place left, or when the mentee is paired with someone else."""
        found = self._answered(participant_id, RequestState.ACCEPTED)
        if found is None:
            return
        card, item, request, answered = found
        name = item.participant.name
        capacity = self.session.profile.capacity
        taken = self.session.places_taken()
        if taken >= capacity:
            card.show_state(request, _no_place_left(name, capacity, taken))
            return
        code = self.session.workshop.code
        others = self.session.store.answers(code, participant_id)
        if any(
            given.state == RequestState.ACCEPTED and email != self.session.email
            for email, given in others.items()
        ):
            card.show_state(
                request,
                f"{name} has been paired with another mentor since sending this request, so "
                "it cannot be accepted. Decline it with a kind word instead.",
            )
            return
        self._decide(card, request, item, "lock", answered.reply)

    def decline(self, participant_id: str) -> None:
        """Decline the request from `participant_id` with the reply in its box: the pair is
        forbidden, as the mentor's answer; refused in words when it is no longer waiting."""
        found = self._answered(participant_id, RequestState.DECLINED)
        if found is not None:
            card, item, request, answered = found
            self._decide(card, request, item, "forbid", answered.reply)

    def _answered(
        self, participant_id: str, state: RequestState
    ) -> tuple[RequestCard, ReceivedRequest, MentorRequest, MentorRequest] | None:
        """The request from `participant_id`, read again now, and the mentor's answer
        `state` to it with the reply typed on its card (the accept box or the decline
        box); None when it cannot be answered, which its card or the notice says."""
        card = self.cards.get(participant_id)
        if card is None:
            return None
        accepting = state == RequestState.ACCEPTED
        reply = card.accept_reply.value if accepting else card.decline_text.value
        current = self._current(participant_id)
        if current is None:
            self.session.notice.show("That request is no longer there.", kind="error")
            return None
        item, request = current
        try:
            answered = answer(request, state, at=datetime.now(UTC), by=Answerer.MENTOR, reply=reply)
        except MentoringError as refused:
            card.show_state(request, str(refused))
            return None
        except ValidationError as exc:
            card.show_state(request, "; ".join(problems(MentorRequest, exc)))
            return None
        return card, item, request, answered

    def _decide(
        self,
        card: RequestCard,
        request: MentorRequest,
        item: ReceivedRequest,
        decision: Decision,
        reply: str,
    ) -> None:
        """Store the mentor's answer and draw the list again."""
        session = self.session
        try:
            session.store.decide_match(
                session.workshop.code,
                item.participant.id,
                session.email,
                decision,
                answered_by=Answerer.MENTOR,
                reply=reply,
            )
        except InvalidInput as exc:  # a reply the store refuses: said next to the request
            card.show_state(request, str(exc))
            return
        card.accept_reply.value = ""
        card.decline_text.value = ""
        self.refresh()
        session.answered()
        name = item.participant.name
        done = "accepted" if decision == "lock" else "declined"
        session.notice.show(
            f"You {done} {name}'s request. They see your answer on their shortlist.",
            kind="success",
        )


def _no_place_left(name: str, capacity: int, taken: int) -> str:
    """Why a request cannot be accepted while the mentor's places are all taken."""
    places = f"{capacity} place" + ("" if capacity == 1 else "s")
    paired = f"{taken} mentee" + (" is" if taken == 1 else "s are")
    return (
        f"You have no place left: you offer {places} and {paired} paired with you already. "
        f"To accept {name}, raise the number of mentees you can take under My mentor "
        "profile first, or decline."
    )
