"""My mentees, on the mentors' page: each mentee's mentoring agreement as last saved, where
it stands, and the mentor's side of agreeing it (confirming it, or suggesting a change).

A mentee appears once the two are paired (the mentor accepted their request, or the
facilitator paired them): `Store.mentees` lists them and `Store.mentee_agreement` is the
only way the page reads an agreement, so an unpaired participant's never reaches it. The
agreement is shown as saved, never the mentee's unfinished input; while there is some, the
card says the mentee is still filling in parts of it, and nothing can be confirmed or
suggested (the core refuses it too).

Before confirming or suggesting, the page reads the agreement again: the mentee may have
changed it since the card was drawn. A confirmation is then of the agreement as stored,
and the card is drawn again and says so. A suggestion carries only the terms the mentor
changed in the form, laid on the agreement as stored (`mentoring.suggest` keeps those that
differ), so a term the mentee changed meanwhile is not turned back.

Each card also says when the next planned meeting is (from the agreement, once it names
this mentor), and holds the mentee's shared progress: the goals and check-ins they share,
the mentor's comments on them and the mentor's own action items
(`mentorkit.ui.mentor_progress`).

Everything a mentee wrote (their name, every term of the agreement) is escaped before it
reaches the page: the agreement through the escaping templates of `mentorkit.agreement`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from html import escape
from typing import Any

import ipywidgets as widgets

from mentorkit.agreement import (
    DEFAULT_BOUNDARIES,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXIT_CLAUSE,
    DEFAULT_FEEDBACK_STYLE,
    DEFAULT_MEETING_MINUTES,
    agreement_html,
    meeting_dates,
    term_words,
)
from mentorkit.errors import InvalidInput, MentorkitError, NotFound
from mentorkit.mentoring import (
    SUGGESTABLE_TERMS,
    AgreementEntry,
    AgreementState,
    AgreementStatus,
    AgreementSuggestion,
    MentoringError,
    Side,
    SuggestionAnswer,
    agreement_fingerprint,
    agreement_record,
    agreement_status,
    confirm,
    suggest,
)
from mentorkit.models import (
    Frequency,
    MeetingFormat,
    MentoringAgreement,
    Participant,
    text_limit,
    validate,
)
from mentorkit.rendering import weekday_date
from mentorkit.ui.fields import Fields, choices
from mentorkit.ui.frame import close_tree, guarded
from mentorkit.ui.html import DOCUMENT_CSS, embedded_document, html_text, time_html
from mentorkit.ui.mentor_profile import MentorSession
from mentorkit.ui.mentor_progress import MenteeProgress

LABEL_WIDTH = "16rem"
WIDE = "44rem"
MIN_MINUTES, MAX_MINUTES = 15, 240
DEFAULT_NOTE = "Left empty, the standard wording is used:\n\n"

NO_MENTEES = (
    "No mentees yet. A mentee appears here once you accept their request, or once the "
    "workshop's facilitator pairs you with them."
)

#: The terms the suggestion form offers, in the agreement's order (a subset of
#: `SUGGESTABLE_TERMS`: the rest are kept as the mentee wrote them).
FORM_TERMS = (
    "frequency",
    "meeting_minutes",
    "channel",
    "start_on",
    "review_on",
    "end_on",
    "confidentiality",
    "feedback_style",
    "boundaries",
    "exit_clause",
)
assert set(FORM_TERMS) <= set(SUGGESTABLE_TERMS)

NOTE_LIMIT = 2000


def _term_label(name: str) -> str:
    field = MentoringAgreement.model_fields[name]
    return field.title or name.replace("_", " ")


def _confirmed_at(status: AgreementStatus, side: Side) -> str:
    return time_html(status.current[side].at)


def status_html(
    agreement: MentoringAgreement | None,
    status: AgreementStatus | None,
    mentee: str,
    mentor_email: str,
) -> str:
    """Where a mentee's agreement stands, as its mentor reads it (HTML; the name escaped).
    Moments are `time_html`, shown in the reader's own time zone."""
    who = escape(mentee)
    if agreement is None or status is None:
        return f"<p><strong>{who} has not started the agreement yet.</strong></p>"
    if agreement.mentor_email != mentor_email:
        named = "names another mentor" if agreement.mentor_email else "does not name a mentor yet"
        return (
            f"<p><strong>{who}'s agreement {named}.</strong> Once {who} chooses you as "
            "their mentor in it, you can confirm it here.</p>"
        )
    lines: list[str] = []
    changed = status.changed_since_confirmed
    if status.state == AgreementState.AGREED:
        last = max(c.at for c in status.current.values())
        lines.append(f"<strong>Agreed by both</strong> on {time_html(last)}.")
    elif status.state == AgreementState.WAITING_FOR_MENTOR:
        again = " It has changed since you confirmed it." if changed else ""
        lines.append(
            f"<strong>{who} confirmed this version on {_confirmed_at(status, Side.MENTEE)}: "
            f"waiting for you.</strong>{again}"
        )
    elif status.state == AgreementState.WAITING_FOR_MENTEE:
        again = f" It has changed since {who} confirmed it." if changed else ""
        lines.append(
            f"<strong>You confirmed on {_confirmed_at(status, Side.MENTOR)}: waiting for "
            f"{who}.</strong>{again}"
        )
    elif changed:
        lines.append(
            "<strong>The agreement has changed since it was confirmed: both confirm again.</strong>"
        )
    else:
        lines.append("<strong>Draft: not confirmed yet.</strong>")
    if agreement.needs_attention:
        lines.append(
            f"{who} is still filling in parts of it: you can confirm it, or suggest a "
            "change, once they have."
        )
    return "".join(f"<p>{line}</p>" for line in lines)


def next_meeting_html(agreement: MentoringAgreement | None, today: date) -> str:
    """'Next meeting: Thu 14 January 2027 at 14:00 (Europe/Berlin)', the first planned
    meeting of the agreement on or after `today` (HTML), or '' when none is planned."""
    if agreement is None:
        return ""
    upcoming = [day for day in meeting_dates(agreement) if day >= today]
    if not upcoming:
        return ""
    when = weekday_date(upcoming[0])
    if agreement.meeting_time is not None:
        when += f" at {agreement.meeting_time:%H:%M}"
        if agreement.time_zone:
            when += f" ({agreement.time_zone})"
    return f'<p class="mentorkit-next-meeting"><strong>Next meeting:</strong> {escape(when)}</p>'


def _terms_html(suggestion: AgreementSuggestion) -> str:
    changes = [
        f"<li>{escape(_term_label(name))}: {html_text(term_words(name, suggestion.terms[name]))}"
        "</li>"
        for name in SUGGESTABLE_TERMS
        if name in suggestion.terms
    ]
    return f"<ul>{''.join(changes)}</ul>" if changes else ""


def suggestions_html(
    suggestions: Sequence[AgreementSuggestion],
    answers: Mapping[datetime, SuggestionAnswer],
    mentee: str,
) -> str:
    """The mentor's suggestions, latest first: what each changes, its note, and whether
    the mentee has answered it (HTML; everything typed escaped)."""
    who = escape(mentee)
    items: list[str] = []
    for suggestion in sorted(suggestions, key=lambda s: s.at, reverse=True):
        what = "a change" if suggestion.terms else "a note"
        when = time_html(suggestion.at)
        given = answers.get(suggestion.at)
        if given is None:
            line = f"You suggested {what} on {when}: waiting for {who}."
            kind = "open"
        elif given.accepted:
            line = f"You suggested {what} on {when}: {who} accepted it on {time_html(given.at)}."
            kind = "accepted"
        else:
            line = (
                f"You suggested {what} on {when}: {who} kept their version ({time_html(given.at)})."
            )
            kind = "kept"
        note = (
            f'<p class="mentorkit-reply">{html_text(suggestion.note)}</p>'
            if suggestion.note.strip()
            else ""
        )
        items.append(
            f'<li class="mentorkit-suggestion mentorkit-suggestion-{kind}"><p>{line}</p>'
            f"{_terms_html(suggestion)}{note}</li>"
        )
    if not items:
        return ""
    return f'<ul class="mentorkit-suggestions">{"".join(items)}</ul>'


class SuggestionForm(widgets.VBox):
    """The terms of an agreement a mentor may suggest changing, prefilled with the
    agreement's, a note to the mentee, and the buttons that send or cancel it."""

    def __init__(self, mentee: str) -> None:
        super().__init__(layout=widgets.Layout(display="none"))
        self.add_class("mentorkit-suggestion-form")
        fields = Fields(LABEL_WIDTH)
        self.inputs: dict[str, widgets.ValueWidget] = {
            "frequency": fields.dropdown(
                "Meeting frequency",
                choices({f: f.value.capitalize() for f in Frequency}, blank="— not set —"),
                None,
            ),
            "meeting_minutes": fields.make(
                widgets.BoundedIntText,
                "Meeting length (minutes)",
                width="24rem",
                value=DEFAULT_MEETING_MINUTES,
                min=MIN_MINUTES,
                max=MAX_MINUTES,
                step=5,
            ),
            "channel": fields.dropdown(
                "Channel",
                choices({m: m.value.capitalize() for m in MeetingFormat}, blank="— not set —"),
                None,
            ),
            "start_on": fields.date_picker("Start date", None, width="30rem"),
            "review_on": fields.date_picker("Review date", None, width="30rem"),
            "end_on": fields.date_picker("End date", None, width="30rem"),
        }
        defaults = {
            "confidentiality": DEFAULT_CONFIDENTIALITY,
            "feedback_style": DEFAULT_FEEDBACK_STYLE,
            "boundaries": DEFAULT_BOUNDARIES,
            "exit_clause": DEFAULT_EXIT_CLAUSE,
        }
        for name, default in defaults.items():
            box = fields.textarea(_term_label(name), "", DEFAULT_NOTE + default, width=WIDE)
            box.add_class(f"mentorkit-max-{text_limit(MentoringAgreement, name)}")
            self.inputs[name] = box
        self.note = fields.textarea(
            f"Note to {mentee}",
            "",
            "Why you suggest this change",
            width=WIDE,
        ).add_class(f"mentorkit-max-{NOTE_LIMIT}")
        self.send = widgets.Button(
            description="Send the suggestion",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.cancel = widgets.Button(description="Cancel", layout=widgets.Layout(width="auto"))
        self.problem = widgets.HTML()
        #: What each input held when the form was opened: a term left as it was is no change.
        self.prefilled: dict[str, Any] = {}
        self.children = [
            widgets.HTML(
                '<p class="mentorkit-muted">Change the terms you would like to agree '
                "differently and say why. Your mentee sees each change beside the term as "
                "it is, and can take it into the agreement in one step.</p>"
            ),
            *(self.inputs[name] for name in FORM_TERMS),
            self.note,
            self.problem,
            widgets.HBox([self.send, self.cancel]),
        ]

    @property
    def is_open(self) -> bool:
        display: str | None = self.layout.display
        return display != "none"

    def show_terms(self, agreement: MentoringAgreement) -> None:
        """Show the form with the agreement's current terms (what is typed in an open form
        stays)."""
        if self.is_open:
            return
        for name in FORM_TERMS:
            value = getattr(agreement, name)
            if name == "meeting_minutes" and value is None:
                value = DEFAULT_MEETING_MINUTES
            self.inputs[name].value = value
        self.prefilled = {name: self.inputs[name].value for name in FORM_TERMS}
        self.note.value = ""
        self.show_problem("")
        self.layout.display = "flex"

    def hide(self) -> None:
        """Close the form (its widgets stay, to be opened again)."""
        self.layout.display = "none"
        self.show_problem("")

    def edits(self) -> dict[str, Any]:
        """The terms the mentor changed in the form, by name."""
        changed: dict[str, Any] = {}
        for name in FORM_TERMS:
            value = self.inputs[name].value
            if name in self.prefilled and value == self.prefilled[name]:
                continue
            changed[name] = value
        return changed

    def show_problem(self, text: str) -> None:
        self.problem.value = (
            f'<p class="mentorkit-problem" role="alert">{escape(text)}</p>' if text else ""
        )


class MenteeCard(widgets.VBox):
    """One mentee: who they are, where their agreement stands, the agreement itself, and
    the mentor's two steps (confirm it, suggest a change)."""

    def __init__(self, view: MentorMenteesView, participant_id: str, mentee: str) -> None:
        super().__init__()
        self.add_class("mentorkit-card").add_class("mentorkit-mentee-card")
        self.participant_id = participant_id
        self.mentee = mentee
        guard = guarded(view.session.notice)
        self.details = widgets.HTML()
        self.next_meeting = widgets.HTML()
        self.state = widgets.HTML()
        self.document = widgets.HTML()
        #: What the mentee shares, the mentor's comments and action items.
        self.progress = MenteeProgress(
            view.session, participant_id, mentee, unpaired=lambda: view.unpaired(participant_id)
        )
        self.confirm = widgets.Button(
            description="Confirm this agreement",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.suggest = widgets.Button(
            description="Suggest a change…", layout=widgets.Layout(width="auto")
        )
        self.problem = widgets.HTML()
        self.actions = widgets.VBox(
            [widgets.HBox([self.confirm, self.suggest]), self.problem]
        ).add_class("mentorkit-mentee-actions")
        self.form = SuggestionForm(mentee)
        self.suggestions = widgets.HTML()
        self.confirm.on_click(guard(lambda _button: view.confirm(participant_id)))
        self.suggest.on_click(guard(lambda _button: view.open_suggestion(participant_id)))
        self.form.send.on_click(guard(lambda _button: view.send_suggestion(participant_id)))
        self.form.cancel.on_click(guard(lambda _button: self.close_form()))
        #: The agreement as the card shows it (None before the mentee starts it).
        self.agreement: MentoringAgreement | None = None
        #: Whether the mentor may confirm it, or suggest a change to it, as it is shown.
        self.can_confirm = False
        self.can_suggest = False
        self.children = [
            self.details,
            self.next_meeting,
            self.state,
            self.actions,
            self.form,
            self.suggestions,
            self.document,
            self.progress,
        ]

    def close_form(self) -> None:
        self.form.hide()
        self.suggest.layout.display = "" if self.can_suggest else "none"

    def show(
        self,
        participant: Participant,
        agreement: MentoringAgreement | None,
        entries: Iterable[AgreementEntry],
        session: MentorSession,
    ) -> None:
        """Draw the mentee's agreement as stored (an open form keeps what is typed)."""
        mentee = participant.name
        email = (
            f'<p class="mentorkit-muted">{escape(participant.email)}</p>'
            if participant.email
            else ""
        )
        self.details.value = f"<h3>{escape(mentee)}</h3>{email}"
        entries = list(entries)
        record = agreement_record(entries)
        status = None if agreement is None else agreement_status(agreement, record.confirmations)
        state = "none" if status is None else status.state.value.replace(" ", "-")
        self.state.value = (
            f'<div class="mentorkit-agreement-state mentorkit-agreement-{state}">'
            f"{status_html(agreement, status, mentee, session.email)}</div>"
        )
        self.agreement = agreement
        ours = agreement is not None and agreement.mentor_email == session.email
        self.next_meeting.value = next_meeting_html(agreement if ours else None, session.today)
        ready = ours and agreement is not None and not agreement.needs_attention
        self.can_confirm = bool(
            ready
            and status is not None
            and status.state in (AgreementState.DRAFT, AgreementState.WAITING_FOR_MENTOR)
        )
        self.can_suggest = ready
        self.confirm.layout.display = "" if self.can_confirm else "none"
        if not ready:
            self.form.hide()
        if self.form.is_open:
            self.suggest.layout.display = "none"
        else:
            self.suggest.layout.display = "" if self.can_suggest else "none"
        self.actions.layout.display = "" if ready else "none"
        if agreement is None or not ours:
            self.document.value = ""
        else:
            # The agreement as saved: the mentee's unfinished input is never part of it.
            shown = agreement.model_copy(update={"draft": {}})
            document = agreement_html(
                shown,
                participant=participant,
                mentor=session.profile,
                workshop=session.workshop,
                confirmations=record.confirmations,
            )
            self.document.value = (
                '<details class="mentorkit-mentee-agreement"><summary>Read the agreement'
                f"</summary>{embedded_document(document, f'The agreement with {mentee}')}"
                "</details>"
            )
        mine = [s for s in record.suggestions if s.by == session.profile.name]
        answers = {e.suggested_at: e for e in entries if isinstance(e, SuggestionAnswer)}
        self.suggestions.value = suggestions_html(mine, answers, mentee)

    def show_problem(self, text: str) -> None:
        """`text` (plain words) next to the buttons; '' clears it."""
        self.problem.value = (
            f'<p class="mentorkit-problem" role="alert">{escape(text)}</p>' if text else ""
        )


class MentorMenteesView(widgets.VBox):
    """The signed-in mentor's mentees, by name, each with their agreement."""

    def __init__(self, session: MentorSession) -> None:
        super().__init__()
        self.add_class("mentorkit-mentor-mentees")
        self.session = session
        self.summary = widgets.HTML()
        self.cards: dict[str, MenteeCard] = {}
        self.list = widgets.VBox().add_class("mentorkit-mentee-list")
        self.children = [widgets.HTML(DOCUMENT_CSS), self.summary, self.list]
        # Accepting a request above makes a new mentee.
        session.on_answer.append(guarded(session.notice)(self.refresh))
        self.refresh()

    @property
    def mentor_name(self) -> str:
        return self.session.profile.name

    def refresh(self) -> None:
        """Draw every mentee as stored now."""
        session = self.session
        code = session.workshop.code
        mentees = session.store.mentees(code, session.email)
        shown: list[MenteeCard] = []
        for participant in mentees:
            key = participant.id
            card = self.cards.get(key)
            if card is None or card.mentee != participant.name:
                typed = card.progress.typed_texts() if card is not None else {}
                if card is not None:
                    close_tree(card)
                card = MenteeCard(self, key, participant.name)
                card.progress.keep_typed(typed)
                self.cards[key] = card
            agreement = session.store.mentee_agreement(code, session.email, key)
            card.show(participant, agreement, session.store.agreement_entries(code, key), session)
            card.progress.refresh()
            shown.append(card)
        for key in [k for k in self.cards if k not in {c.participant_id for c in shown}]:
            close_tree(self.cards.pop(key))
        self.list.children = shown
        if not shown:
            text = NO_MENTEES
        elif len(shown) == 1:
            text = "You have 1 mentee. Read their agreement, and confirm it or suggest a change."
        else:
            text = (
                f"You have {len(shown)} mentees. Read each agreement, and confirm it or "
                "suggest a change."
            )
        self.summary.value = f'<p role="status">{escape(text)}</p>'

    def unpaired(self, participant_id: str) -> None:
        """The store says the mentee is no longer paired with this mentor: the list drawn
        again, and why in the notice."""
        card = self.cards.get(participant_id)
        self.refresh()
        if card is not None:
            self.session.notice.show(
                f"{card.mentee} is no longer paired with you: their progress is not shown.",
                kind="error",
            )

    # -- reading again ----------------------------------------------------------------------

    def _current(self, participant_id: str) -> tuple[MenteeCard, MentoringAgreement | None] | None:
        """The mentee's card and their agreement as stored now, or None (said in the notice,
        the list drawn again) when the two are no longer paired."""
        session = self.session
        card = self.cards.get(participant_id)
        if card is None:
            return None
        try:
            agreement = session.store.mentee_agreement(
                session.workshop.code, session.email, participant_id
            )
        except NotFound:
            self.refresh()
            session.notice.show(
                f"{card.mentee} is no longer paired with you: their agreement is not shown.",
                kind="error",
            )
            return None
        return card, agreement

    def _redraw(self, card: MenteeCard, agreement: MentoringAgreement | None) -> None:
        """Draw `card` again with `agreement` and the record as stored now."""
        session = self.session
        participant = next(
            (
                p
                for p in session.store.mentees(session.workshop.code, session.email)
                if p.id == card.participant_id
            ),
            None,
        )
        if participant is None:
            self.refresh()
            return
        entries = session.store.agreement_entries(session.workshop.code, card.participant_id)
        card.show(participant, agreement, entries, session)

    # -- confirming -------------------------------------------------------------------------

    def confirm(self, participant_id: str) -> None:
        """Confirm the mentee's agreement as stored now; refused in words when it cannot
        be (not started, unfinished input, another mentor named, confirmed already)."""
        current = self._current(participant_id)
        if current is None:
            return
        card, agreement = current
        shown = card.agreement
        changed = agreement is not None and (
            shown is None or agreement_fingerprint(agreement) != agreement_fingerprint(shown)
        )
        session = self.session
        mentee = card.mentee
        problem = ""
        if agreement is None:
            problem = f"{mentee} has not started the agreement yet: there is nothing to confirm."
        elif agreement.mentor_email != session.email:
            problem = f"{mentee}'s agreement does not name you as their mentor yet."
        elif agreement.needs_attention:
            problem = (
                f"{mentee} is still filling in parts of the agreement: confirm it once they have."
            )
        if problem or agreement is None:
            self._redraw(card, agreement)
            card.show_problem(problem)
            return
        code = session.workshop.code
        record = agreement_record(session.store.agreement_entries(code, participant_id))
        status = agreement_status(agreement, record.confirmations)
        if Side.MENTOR in status.current:
            self._redraw(card, agreement)
            card.show_problem("You have confirmed this version of the agreement already.")
            return
        try:
            confirmation = confirm(agreement, Side.MENTOR, self.mentor_name, at=datetime.now(UTC))
        except MentoringError as refused:
            self._redraw(card, agreement)
            card.show_problem(str(refused))
            return
        session.store.add_agreement_entry(code, participant_id, confirmation)
        self._redraw(card, agreement)
        card.show_problem("")
        if changed:
            session.notice.show(
                f"{mentee} had changed the agreement since the page showed it: you confirmed "
                "the version now shown. Read it again, and suggest a change if needed.",
                kind="info",
            )
        else:
            session.notice.show(f"You confirmed the agreement with {mentee}.", kind="success")

    # -- suggesting -------------------------------------------------------------------------

    def open_suggestion(self, participant_id: str) -> None:
        """Open the suggestion form prefilled with the agreement's terms as stored now."""
        current = self._current(participant_id)
        if current is None:
            return
        card, agreement = current
        self._redraw(card, agreement)
        if agreement is None or not card.can_suggest:
            card.show_problem(
                f"{card.mentee} is still filling in parts of the agreement: suggest a change "
                "once they have."
                if agreement is not None and agreement.needs_attention
                else f"There is no agreement of {card.mentee}'s with you to suggest a change to."
            )
            return
        card.show_problem("")
        card.form.show_terms(agreement)
        card.suggest.layout.display = "none"

    def send_suggestion(self, participant_id: str) -> None:
        """Store the mentor's suggestion: the terms changed in the form, laid on the
        agreement as stored now, with the note; refused in words next to the form."""
        card = self.cards.get(participant_id)
        if card is None or not card.form.is_open:
            return
        edits = card.form.edits()
        note = card.form.note.value
        current = self._current(participant_id)
        if current is None:
            return
        card, agreement = current
        session = self.session
        if agreement is None or agreement.mentor_email != session.email:
            self._redraw(card, agreement)
            card.show_problem(
                f"There is no agreement of {card.mentee}'s with you to suggest a change to."
            )
            return
        try:
            proposed = validate(
                MentoringAgreement, {**agreement.model_dump(exclude={"draft"}), **edits}
            )
            suggestion = suggest(
                agreement, proposed, by=self.mentor_name, note=note, at=datetime.now(UTC)
            )
        except InvalidInput as exc:
            card.form.show_problem("; ".join(exc.problems))
            return
        except MentorkitError as refused:
            card.form.show_problem(str(refused))
            return
        session.store.add_agreement_entry(session.workshop.code, participant_id, suggestion)
        card.form.hide()
        self._redraw(card, agreement)
        session.notice.show(
            f"Your suggestion is sent: {card.mentee} sees it with their agreement.",
            kind="success",
        )
