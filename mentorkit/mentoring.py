"""The relationship from both sides, pure: requests to a mentor and their answers, the
agreement confirmed by both, and what a mentee shares with their mentor.

No widgets, no store: the mentor's apps, the participant's worksheets, the dashboard,
matching and exports all decide with these functions, so that each rule lives once.

* **Requests.** A participant sends a shortlisted mentor a request (the outreach message,
  as edited). The mentor accepts or declines it, the participant may withdraw it while it
  waits, and the facilitator may set any answer. Each change is a new `MentorRequest`
  (nothing is edited in place), and a change the state does not allow raises
  `MentoringError` in plain words. Matching reads the answers as constraints: an accepted
  pair is locked, a declined one forbidden (`pair_constraints`).
* **The agreement, agreed together.** A confirmation records who confirmed which version
  of the agreement (its `agreement_fingerprint`) and when; a changed agreement changes the
  fingerprint, so both confirmations must be given again (`agreement_status`).
* **Sharing, by choice.** The participant chooses, item by item, which goals and
  check-ins their mentor sees; nothing is shared by default (`ProgressSharing`).
  `shared_with_mentor` is the only way the mentor's side reads a mentee's goals and
  check-ins, so an unshared item cannot reach a mentor's page, download or export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, JsonValue, model_validator
from pydantic_core import PydanticCustomError

from mentorkit.errors import InvalidInput, MentorkitError
from mentorkit.models import (
    CheckIn,
    Day,
    Email,
    FilledLine120,
    MentoringAgreement,
    MentorProfile,
    Model,
    Moment,
    ProgressSharing,
    SentRequest,
    ShareableItem,
    SmartGoal,
    Text2000,
    Text5000,
    validate,
)
from mentorkit.rendering import long_date

# ---------------------------------------------------------------------------------------
# Requests


class RequestState(StrEnum):
    SENT = "sent"  # waiting for the mentor's answer
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # taken back by the participant before an answer


class Answerer(StrEnum):
    MENTOR = "mentor"
    FACILITATOR = "facilitator"


class MentorRequest(Model):
    """One participant's request to one mentor, and its answer."""

    mentor_email: Email = Field(title="Mentor")
    message: Text5000 = Field(min_length=1, title="Message")
    state: RequestState = Field(default=RequestState.SENT, title="State")
    sent_at: Moment = Field(title="Sent")
    withdrawn_at: Moment | None = Field(default=None, title="Withdrawn")
    answered_at: Moment | None = Field(default=None, title="Answered")
    answered_by: Answerer | None = Field(default=None, title="Answered by")
    reply: Text2000 = Field(default="", title="Reply")

    @model_validator(mode="after")
    def _answered_only_when_answered(self) -> Self:
        waiting = self.state in (RequestState.SENT, RequestState.WITHDRAWN)
        if waiting and (self.answered_by is not None or self.reply):
            raise PydanticCustomError("unanswered", "holds an answer to an unanswered request")
        if not waiting and (self.answered_at is None or self.answered_by is None):
            raise PydanticCustomError("answer_time", "is answered but not said when or by whom")
        if (self.withdrawn_at is not None) != (self.state == RequestState.WITHDRAWN):
            raise PydanticCustomError(
                "withdrawal", "is withdrawn but not said when, or not withdrawn"
            )
        if self.answered_at is not None and self.answered_at < self.sent_at:
            raise PydanticCustomError("answer_order", "is answered before it was sent")
        return self


def taking_new_mentees(mentor: MentorProfile, today: date) -> bool:
    """Whether the mentor takes new mentees on `today`: their own switch is on, and the day
    they gave (if any) has come. Places left are counted apart (`mentorkit.fit`)."""
    return mentor.open_to_new_mentees and (mentor.open_from is None or mentor.open_from <= today)


def availability_words(mentor: MentorProfile, today: date) -> str:
    """Why a mentor takes no new mentees now, as the directory and matching say it ('not
    taking new mentees', 'taking new mentees from Monday 4 January 2027'), or ''."""
    if taking_new_mentees(mentor, today):
        return ""
    if mentor.open_to_new_mentees and mentor.open_from is not None:
        return f"taking new mentees from {long_date(mentor.open_from)}"
    return "not taking new mentees"


class MentoringError(MentorkitError, ValueError):
    """A change to a request its state does not allow, in plain words."""


#: The most requests a participant may have waiting at once: the source advice is to
#: approach a few mentors, one conversation at a time, not to mail the whole list.
MAX_WAITING_REQUESTS = 3


def send_request(
    mentor_email: str,
    message: str,
    *,
    at: datetime,
    earlier: Iterable[MentorRequest] = (),
    mentor_open: bool = True,
) -> MentorRequest:
    """A new request to `mentor_email` with `message`, given the participant's `earlier`
    requests (to any mentor) and whether the mentor takes new mentees now."""
    earlier = list(earlier)
    to_this_mentor = [r for r in earlier if r.mentor_email == mentor_email.strip().lower()]
    if any(r.state == RequestState.SENT for r in to_this_mentor):
        raise MentoringError("Your request to this mentor is waiting for an answer already.")
    if any(r.state == RequestState.ACCEPTED for r in to_this_mentor):
        raise MentoringError("This mentor has accepted you already.")
    if any(r.state == RequestState.DECLINED for r in to_this_mentor):
        raise MentoringError(
            "This mentor has answered your request. To ask again, talk to your facilitator."
        )
    if not mentor_open:
        raise MentoringError("This mentor takes no new mentees at the moment.")
    if any(r.state == RequestState.ACCEPTED for r in earlier):
        raise MentoringError("A mentor has accepted you already: agree your expectations next.")
    if sum(r.state == RequestState.SENT for r in earlier) >= MAX_WAITING_REQUESTS:
        raise MentoringError(
            f"You have {MAX_WAITING_REQUESTS} requests waiting for an answer: wait for one, "
            "or withdraw one, before sending another."
        )
    if not message.strip():
        raise MentoringError("Write a message to the mentor before sending the request.")
    # `InvalidInput` in plain words for a message the page could not have sent (too long).
    return validate(
        MentorRequest, {"mentor_email": mentor_email, "message": message, "sent_at": at}
    )


def answer(
    request: MentorRequest,
    state: RequestState,
    *,
    at: datetime,
    by: Answerer = Answerer.MENTOR,
    reply: str = "",
) -> MentorRequest:
    """`request` answered `state` (accepted or declined) by `by`, with `reply`.

    A mentor answers a waiting request once; the facilitator may set any state at any
    time (a declined pair the two have since agreed on, an accepted one that did not work
    out), withdrawn included, which clears the answer."""
    if by == Answerer.MENTOR:
        if state not in (RequestState.ACCEPTED, RequestState.DECLINED):
            raise MentoringError("A mentor accepts or declines a request.")
        if request.state == RequestState.WITHDRAWN:
            raise MentoringError("The participant has withdrawn this request.")
        if request.state != RequestState.SENT:
            raise MentoringError(f"This request is {request.state.value} already.")
    if state in (RequestState.SENT, RequestState.WITHDRAWN):
        withdrawn_at = at if state == RequestState.WITHDRAWN else None
        return request.model_copy(
            update={
                "state": state,
                "withdrawn_at": withdrawn_at,
                "answered_at": None,
                "answered_by": None,
                "reply": "",
            }
        )
    return MentorRequest.model_validate(
        {
            **request.model_dump(),
            "state": state,
            "answered_at": at,
            "answered_by": by,
            "reply": reply,
        }
    )


def withdraw(request: MentorRequest, *, at: datetime) -> MentorRequest:
    """The participant takes back a request that is still waiting for an answer."""
    if request.state != RequestState.SENT:
        raise MentoringError(f"This request is {request.state.value}: it cannot be withdrawn.")
    return request.model_copy(update={"state": RequestState.WITHDRAWN, "withdrawn_at": at})


def _an_answer(state: RequestState) -> RequestState:
    if state not in (RequestState.ACCEPTED, RequestState.DECLINED):
        raise PydanticCustomError("not_an_answer", "must be accepted or declined")
    return state


class Answer(Model):
    """The answer to a participant's request, as stored with the matching's decisions: an
    accepted pair is locked, a declined one forbidden."""

    state: Annotated[RequestState, AfterValidator(_an_answer)] = Field(title="Answer")
    at: Moment = Field(title="Answered")
    by: Answerer = Field(title="Answered by")
    reply: Text2000 = Field(default="", title="Reply")


def requests_of(sent: Iterable[SentRequest], answers: Mapping[str, Answer]) -> list[MentorRequest]:
    """A participant's requests as they stand: what they sent (their shortlist keeps it)
    with the answers given (by mentor email). An answer outweighs a withdrawal (a request
    withdrawn after its answer, which the apps never allow, changes nothing), and a pair
    the facilitator ruled out or locked before the request was sent counts as answered
    when it was sent."""
    found: list[MentorRequest] = []
    for request in sent:
        given = answers.get(request.mentor_email)
        state = RequestState.WITHDRAWN if request.withdrawn_at else RequestState.SENT
        update: dict[str, object] = {"state": state}
        if given is not None:
            update = {
                "state": given.state,
                "withdrawn_at": None,
                "answered_at": max(given.at, request.sent_at),
                "answered_by": given.by,
                "reply": given.reply,
            }
        found.append(MentorRequest.model_validate({**request.model_dump(), **update}))
    return found


def sent_part(request: MentorRequest) -> SentRequest:
    """What the participant's shortlist keeps of `request`: the answer is kept elsewhere."""
    return SentRequest(
        mentor_email=request.mentor_email,
        message=request.message,
        sent_at=request.sent_at,
        withdrawn_at=request.withdrawn_at if request.state == RequestState.WITHDRAWN else None,
    )


def decline_reply(mentee: str, mentor: str) -> str:
    """A kind reply a mentor can edit before declining: thanks, the reason left open, and
    the door kept open, as the source advice asks of a mentor who cannot take someone on."""
    first = mentee.split()[0] if mentee.split() else mentee
    return (
        f"Dear {first},\n\n"
        "Thank you for asking me, and for telling me what you are working on: it was a "
        "pleasure to read. I cannot take on a new mentee at the moment, and I would rather "
        "say so now than give you less time than you deserve.\n\n"
        "Please don't let this stop you: ask the next mentor on your list, and feel free to "
        "get in touch again later in the programme, or with a specific question I might "
        "help with.\n\n"
        f"With best wishes,\n{mentor}"
    )


Pair = tuple[str, str]  # (participant id, mentor email)


@dataclass(frozen=True)
class PairConstraints:
    """What matching must respect: pairs it must keep, and pairs it must not make."""

    locked: frozenset[Pair]
    forbidden: frozenset[Pair]


def pair_constraints(requests: Mapping[str, Iterable[MentorRequest]]) -> PairConstraints:
    """From each participant's requests (by participant id): an accepted pair is locked,
    a declined pair forbidden. A waiting or withdrawn request constrains nothing."""
    locked: set[Pair] = set()
    forbidden: set[Pair] = set()
    for participant_id, theirs in requests.items():
        for request in theirs:
            pair = (participant_id, request.mentor_email)
            if request.state == RequestState.ACCEPTED:
                locked.add(pair)
            elif request.state == RequestState.DECLINED:
                forbidden.add(pair)
    return PairConstraints(frozenset(locked), frozenset(forbidden - locked))


def accepted_mentees(requests: Mapping[str, Iterable[MentorRequest]], mentor_email: str) -> int:
    """How many participants `mentor_email` has accepted (their places taken)."""
    email = mentor_email.strip().lower()
    return sum(
        any(r.mentor_email == email and r.state == RequestState.ACCEPTED for r in theirs)
        for theirs in requests.values()
    )


# ---------------------------------------------------------------------------------------
# The agreement, confirmed by both


class Side(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class Confirmation(Model):
    """One side's confirmation of one version of the agreement."""

    side: Side = Field(title="Side")
    name: FilledLine120 = Field(title="Name")
    at: Moment = Field(title="Confirmed")
    fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$", title="Version")


#: What is not part of the agreed terms: the unfinished input of the page, and the version
#: of the stored form.
_NOT_TERMS = {"draft", "schema_version"}
#: Terms added to the agreement later: left out of its version while unset, so that an
#: agreement confirmed before they existed stays confirmed.
_LATER_TERMS = ("mentor_prospect",)


def agreement_fingerprint(agreement: MentoringAgreement) -> str:
    """The version of the agreement's terms: the same terms, the same fingerprint; any
    change to a term, another one."""
    terms = agreement.model_dump(mode="json", exclude=_NOT_TERMS)
    for term in _LATER_TERMS:  # unset, as in the versions confirmed before it existed
        if terms.get(term) is None:
            terms.pop(term, None)
    text = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def not_on_the_list(mentor_name: str) -> str:
    """Why an agreement with a mentor the participant found cannot be confirmed here: they
    are not on the workshop's roster, so they have no mentor page to confirm it on."""
    who = mentor_name.strip() or "The mentor you found"
    return (
        f"{who} is not on this workshop's list of mentors, so they cannot confirm here: "
        "print the agreement and go through it together."
    )


def confirm(agreement: MentoringAgreement, side: Side, name: str, *, at: datetime) -> Confirmation:
    """`side`'s confirmation, by `name`, of the agreement as it is now. An agreement with
    unfinished input cannot be confirmed: the other side would agree to what is not there;
    nor can one with a mentor the participant found, who could never confirm it here."""
    if agreement.needs_attention:
        raise MentoringError("The agreement has fields to fix first: it cannot be confirmed yet.")
    if agreement.mentor_prospect is not None:
        raise MentoringError(not_on_the_list(""))
    if agreement.mentor_email is None:
        raise MentoringError("Name your mentor in the agreement before confirming it.")
    return Confirmation(side=side, name=name, at=at, fingerprint=agreement_fingerprint(agreement))


class AgreementState(StrEnum):
    DRAFT = "draft"  # nobody has confirmed this version
    WAITING_FOR_MENTOR = "waiting for the mentor"
    WAITING_FOR_MENTEE = "waiting for the mentee"
    AGREED = "agreed"


@dataclass(frozen=True)
class AgreementStatus:
    """Where the agreement stands: its state, the confirmations of this version, and
    whether an earlier version was confirmed (so a change needs confirming again)."""

    state: AgreementState
    current: Mapping[Side, Confirmation]
    changed_since_confirmed: bool

    @property
    def agreed(self) -> bool:
        return self.state == AgreementState.AGREED


def agreement_status(
    agreement: MentoringAgreement, confirmations: Iterable[Confirmation]
) -> AgreementStatus:
    """The status of `agreement` given every confirmation ever given (the latest of each
    side counts)."""
    latest: dict[Side, Confirmation] = {}
    for confirmation in confirmations:
        known = latest.get(confirmation.side)
        if known is None or confirmation.at >= known.at:
            latest[confirmation.side] = confirmation
    fingerprint = agreement_fingerprint(agreement)
    current = {side: c for side, c in latest.items() if c.fingerprint == fingerprint}
    if len(current) == 2:
        state = AgreementState.AGREED
    elif Side.MENTEE in current:
        state = AgreementState.WAITING_FOR_MENTOR
    elif Side.MENTOR in current:
        state = AgreementState.WAITING_FOR_MENTEE
    else:
        state = AgreementState.DRAFT
    return AgreementStatus(state, current, changed_since_confirmed=len(latest) > len(current))


#: The terms a mentor may suggest changing: everything but whose agreement it is.
SUGGESTABLE_TERMS = tuple(
    name
    for name in MentoringAgreement.model_fields
    if name not in {*_NOT_TERMS, "mentor_email", "mentor_prospect"}
)


class AgreementSuggestion(Model):
    """A change to the agreement the mentor suggests: the terms as they would read (only
    those the mentor changed), a note saying why, and the version it was made on."""

    terms: dict[str, JsonValue] = Field(default_factory=dict, max_length=50, title="Changes")
    note: Text2000 = Field(default="", title="Note")
    by: FilledLine120 = Field(title="Suggested by")
    at: Moment = Field(title="Suggested")
    based_on: str = Field(pattern=r"^[0-9a-f]{64}$", title="Version")

    @model_validator(mode="after")
    def _known_terms(self) -> Self:
        unknown = sorted(set(self.terms) - set(SUGGESTABLE_TERMS))
        if unknown:
            raise PydanticCustomError(
                "unknown_terms", "names no term of the agreement: {names}", {"names": unknown}
            )
        return self


@dataclass(frozen=True)
class TermChange:
    """One term a suggestion changes: its label, and the term as it is and as suggested."""

    term: str
    label: str
    now: object
    suggested: object


def suggest(
    agreement: MentoringAgreement,
    proposed: MentoringAgreement,
    *,
    by: str,
    note: str,
    at: datetime,
) -> AgreementSuggestion:
    """The mentor's suggestion to change `agreement` into `proposed` (only the terms that
    differ are kept), with a note. A suggestion that changes nothing and says nothing is
    refused in words, as is one made on an agreement with unfinished input."""
    if agreement.needs_attention:
        raise MentoringError(
            "Your mentee is still filling in parts of the agreement: suggest a change once "
            "they have."
        )
    now = agreement.model_dump(mode="json")
    wanted = proposed.model_dump(mode="json")
    terms = {name: wanted[name] for name in SUGGESTABLE_TERMS if wanted[name] != now[name]}
    if not terms and not note.strip():
        raise MentoringError("Change a term or write a note before suggesting a change.")
    return validate(
        AgreementSuggestion,
        {
            "terms": terms,
            "note": note,
            "by": by,
            "at": at,
            "based_on": agreement_fingerprint(agreement),
        },
    )


def suggested_changes(
    agreement: MentoringAgreement, suggestion: AgreementSuggestion
) -> list[TermChange]:
    """The terms `suggestion` would change in `agreement` as it is now, in the order of the
    agreement (a term the mentee has since set as suggested is left out)."""
    now = agreement.model_dump(mode="json")
    fields = MentoringAgreement.model_fields
    return [
        TermChange(name, fields[name].title or name, now[name], suggestion.terms[name])
        for name in SUGGESTABLE_TERMS
        if name in suggestion.terms and suggestion.terms[name] != now[name]
    ]


def accept_suggestion(
    agreement: MentoringAgreement, suggestion: AgreementSuggestion
) -> MentoringAgreement:
    """`agreement` with the suggested terms in place: a new version, which both confirm
    again. A suggestion that no longer fits the agreement (dates now out of order) is
    refused in words and changes nothing."""
    body = {**agreement.model_dump(mode="json"), **suggestion.terms}
    try:
        return validate(MentoringAgreement, body)
    except InvalidInput as exc:
        raise MentoringError(
            "The suggestion no longer fits your agreement ("
            + "; ".join(exc.problems)
            + "): change the agreement yourself, or ask your mentor for a new suggestion."
        ) from None


class SuggestionAnswer(Model):
    """The mentee's answer to a suggestion (named by when it was made): taken into the
    agreement, or not."""

    suggested_at: Moment = Field(title="Suggestion")
    accepted: bool = Field(title="Accepted")
    by: FilledLine120 = Field(title="Answered by")
    at: Moment = Field(title="Answered")


#: What the agreement's record holds, oldest first: each side's confirmations, the
#: mentor's suggestions and the mentee's answers to them.
AgreementEntry = Confirmation | AgreementSuggestion | SuggestionAnswer


@dataclass(frozen=True)
class AgreementRecord:
    """An agreement's record read as it stands: every confirmation, and the suggestions
    waiting for the mentee's answer (oldest first)."""

    confirmations: tuple[Confirmation, ...]
    open_suggestions: tuple[AgreementSuggestion, ...]
    suggestions: tuple[AgreementSuggestion, ...]


def agreement_record(entries: Iterable[AgreementEntry]) -> AgreementRecord:
    """The confirmations and suggestions of `entries`, and which suggestions are open."""
    entries = sorted(entries, key=lambda entry: entry.at)
    answered = {entry.suggested_at for entry in entries if isinstance(entry, SuggestionAnswer)}
    suggestions = tuple(e for e in entries if isinstance(e, AgreementSuggestion))
    return AgreementRecord(
        confirmations=tuple(e for e in entries if isinstance(e, Confirmation)),
        open_suggestions=tuple(s for s in suggestions if s.at not in answered),
        suggestions=suggestions,
    )


def answer_suggestion(
    record: AgreementRecord, suggested_at: datetime, *, accepted: bool, by: str, at: datetime
) -> SuggestionAnswer:
    """The mentee's answer to the open suggestion made at `suggested_at`; an answered or
    unknown one is refused in words (a second tab answered it already)."""
    if not any(s.at == suggested_at for s in record.open_suggestions):
        raise MentoringError("This suggestion has been answered already.")
    return SuggestionAnswer(suggested_at=suggested_at, accepted=accepted, by=by, at=at)


# ---------------------------------------------------------------------------------------
# Sharing progress with the mentor


class NoteKind(StrEnum):
    COMMENT = "comment"  # on a shared goal or check-in, or on the mentee's progress
    ACTION = "action"  # something the mentor will do for the mentee


class MentorNote(Model):
    """What a mentor writes for their mentee: a comment (on a shared goal or check-in, or
    in general) or an action item of the mentor's own. The mentee reads them all."""

    item: ShareableItem | None = Field(default=None, title="About")
    kind: NoteKind = Field(default=NoteKind.COMMENT, title="Kind")
    text: Text2000 = Field(min_length=1, title="Text")
    due_on: Day | None = Field(default=None, title="Due date")
    done: bool = Field(default=False, title="Done")
    by: FilledLine120 = Field(title="Written by")
    at: Moment = Field(title="Written")


@dataclass(frozen=True)
class SharedProgress:
    """What a mentor sees of one mentee: only the items the mentee shared."""

    goals: Mapping[str, SmartGoal]
    check_ins: Mapping[str, CheckIn]


def shared_with_mentor(
    sharing: ProgressSharing | None,
    goals: Mapping[str, SmartGoal],
    check_ins: Mapping[str, CheckIn],
) -> SharedProgress:
    """The mentee's goals and check-ins their mentor may see: those shared, nothing else.
    A document with unfinished input is shown as last saved without its draft: the draft
    is the mentee's page, not their answer."""
    chosen = set(sharing.shared if sharing is not None else ())
    return SharedProgress(
        goals={
            name: goal.model_copy(update={"draft": {}})
            for name, goal in goals.items()
            if name in chosen
        },
        check_ins={
            name: check_in.model_copy(update={"draft": {}})
            for name, check_in in check_ins.items()
            if name in chosen
        },
    )
