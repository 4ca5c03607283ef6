"""The relationship from both sides: request states, the agreement confirmed by both, and
what a mentee's sharing lets their mentor see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from mentorkit.errors import InvalidInput
from mentorkit.mentoring import (
    MAX_WAITING_REQUESTS,
    AgreementState,
    AgreementSuggestion,
    Answer,
    Answerer,
    MentoringError,
    MentorRequest,
    RequestState,
    Side,
    accept_suggestion,
    accepted_mentees,
    agreement_fingerprint,
    agreement_status,
    answer,
    confirm,
    decline_reply,
    pair_constraints,
    requests_of,
    send_request,
    sent_part,
    shared_with_mentor,
    suggest,
    suggested_changes,
    withdraw,
)
from mentorkit.models import (
    CheckIn,
    Frequency,
    MentoringAgreement,
    ProgressSharing,
    SmartGoal,
    validate,
)

MONDAY = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ASTRID = "astrid@example.com"
BJORN = "bjorn@example.com"
CARMEN = "carmen@example.com"


def sent(mentor: str = ASTRID, at: datetime = MONDAY) -> MentorRequest:
    return send_request(mentor, "Dear Astrid, would you mentor me?", at=at)


# -- requests ------------------------------------------------------------------------------


def test_a_request_is_sent_waiting_for_its_answer():
    request = sent(" Astrid@Example.com ")
    assert request.state == RequestState.SENT
    assert request.mentor_email == ASTRID
    assert request.answered_at is None and request.reply == ""


def test_the_mentor_accepts_or_declines_a_waiting_request_once():
    accepted = answer(sent(), RequestState.ACCEPTED, at=MONDAY + timedelta(hours=2))
    assert accepted.state == RequestState.ACCEPTED
    assert accepted.answered_by == Answerer.MENTOR
    assert accepted.answered_at == MONDAY + timedelta(hours=2)
    with pytest.raises(MentoringError, match="accepted already"):
        answer(accepted, RequestState.DECLINED, at=MONDAY + timedelta(hours=3))

    declined = answer(sent(), RequestState.DECLINED, at=MONDAY, reply="Not now, sorry.")
    assert declined.state == RequestState.DECLINED and declined.reply == "Not now, sorry."
    with pytest.raises(MentoringError, match="declined already"):
        answer(declined, RequestState.ACCEPTED, at=MONDAY)


def test_a_mentor_cannot_answer_a_withdrawn_request_nor_withdraw_one():
    withdrawn = withdraw(sent(), at=MONDAY)
    assert withdrawn.state == RequestState.WITHDRAWN
    with pytest.raises(MentoringError, match="withdrawn"):
        answer(withdrawn, RequestState.ACCEPTED, at=MONDAY)
    with pytest.raises(MentoringError, match="accepts or declines"):
        answer(sent(), RequestState.WITHDRAWN, at=MONDAY)


def test_only_a_waiting_request_can_be_withdrawn():
    accepted = answer(sent(), RequestState.ACCEPTED, at=MONDAY)
    with pytest.raises(MentoringError, match="accepted: it cannot be withdrawn"):
        withdraw(accepted, at=MONDAY)


def test_the_facilitator_may_set_any_answer_and_take_one_back():
    declined = answer(sent(), RequestState.DECLINED, at=MONDAY, reply="Full this term.")
    reopened = answer(declined, RequestState.ACCEPTED, at=MONDAY, by=Answerer.FACILITATOR)
    assert reopened.state == RequestState.ACCEPTED
    assert reopened.answered_by == Answerer.FACILITATOR
    waiting = answer(reopened, RequestState.SENT, at=MONDAY, by=Answerer.FACILITATOR)
    assert waiting.state == RequestState.SENT
    assert waiting.answered_at is None and waiting.answered_by is None and waiting.reply == ""


def test_a_request_holds_no_answer_it_was_not_given():
    with pytest.raises(ValidationError, match="answer to an unanswered request"):
        MentorRequest(mentor_email=ASTRID, message="Hi", sent_at=MONDAY, reply="Yes")
    with pytest.raises(ValidationError, match="not said when or by whom"):
        MentorRequest(mentor_email=ASTRID, message="Hi", sent_at=MONDAY, state="accepted")
    with pytest.raises(ValidationError, match="answered before it was sent"):
        answer(sent(), RequestState.ACCEPTED, at=MONDAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="time zone"):
        MentorRequest(mentor_email=ASTRID, message="Hi", sent_at=datetime(2026, 12, 7))


@pytest.mark.parametrize(
    ("earlier", "mentor_open", "refusal"),
    [
        ([sent()], True, "waiting for an answer already"),
        ([answer(sent(), RequestState.ACCEPTED, at=MONDAY)], True, "accepted you already"),
        ([answer(sent(), RequestState.DECLINED, at=MONDAY)], True, "talk to your facilitator"),
        ([], False, "takes no new mentees"),
        ([answer(sent(BJORN), RequestState.ACCEPTED, at=MONDAY)], True, "has accepted you"),
        (
            [sent(f"m{n}@example.com") for n in range(MAX_WAITING_REQUESTS)],
            True,
            f"{MAX_WAITING_REQUESTS} requests waiting",
        ),
    ],
)
def test_a_request_that_should_not_be_sent_is_refused_in_plain_words(earlier, mentor_open, refusal):
    with pytest.raises(MentoringError, match=refusal):
        send_request(ASTRID, "Dear Astrid", at=MONDAY, earlier=earlier, mentor_open=mentor_open)


def test_a_withdrawn_request_can_be_sent_again_and_an_empty_message_cannot():
    again = send_request(ASTRID, "Me again", at=MONDAY, earlier=[withdraw(sent(), at=MONDAY)])
    assert again.state == RequestState.SENT
    with pytest.raises(MentoringError, match="Write a message"):
        send_request(BJORN, "  \n ", at=MONDAY)


def test_declining_drafts_a_kind_reply_that_keeps_the_door_open():
    reply = decline_reply("Amelia Hartley", "Astrid Lindqvist")
    assert reply.startswith("Dear Amelia,")
    assert "Thank you" in reply and "get in touch again" in reply
    assert reply.endswith("Astrid Lindqvist")
    answer(sent(), RequestState.DECLINED, at=MONDAY, reply=reply)  # fits a reply


def test_matching_keeps_accepted_pairs_and_never_makes_declined_ones():
    requests = {
        "p1": [answer(sent(ASTRID), RequestState.ACCEPTED, at=MONDAY)],
        "p2": [answer(sent(ASTRID), RequestState.DECLINED, at=MONDAY), sent(BJORN)],
        "p3": [withdraw(sent(BJORN), at=MONDAY)],
    }
    constraints = pair_constraints(requests)
    assert constraints.locked == {("p1", ASTRID)}
    assert constraints.forbidden == {("p2", ASTRID)}
    assert accepted_mentees(requests, ASTRID.upper()) == 1
    assert accepted_mentees(requests, BJORN) == 0


# -- the agreement, confirmed by both --------------------------------------------------------


def agreement(**terms: object) -> MentoringAgreement:
    return MentoringAgreement(
        mentor_email=ASTRID,
        relationship_goals=["Lead my first project"],
        frequency=Frequency.FORTNIGHTLY,
        start_on=date(2027, 1, 11),
        **terms,
    )


def test_both_confirmations_of_the_same_version_make_an_agreement():
    terms = agreement()
    mentee = confirm(terms, Side.MENTEE, "Amelia Hartley", at=MONDAY)
    assert agreement_status(terms, [mentee]).state == AgreementState.WAITING_FOR_MENTOR
    mentor = confirm(terms, Side.MENTOR, "Astrid Lindqvist", at=MONDAY + timedelta(hours=1))
    status = agreement_status(terms, [mentee, mentor])
    assert status.agreed and not status.changed_since_confirmed
    assert status.current[Side.MENTOR].name == "Astrid Lindqvist"
    assert status.current[Side.MENTEE].at == MONDAY


def test_a_changed_agreement_needs_confirming_again():
    terms = agreement()
    both = [
        confirm(terms, Side.MENTEE, "Amelia Hartley", at=MONDAY),
        confirm(terms, Side.MENTOR, "Astrid Lindqvist", at=MONDAY),
    ]
    changed = terms.model_copy(update={"meeting_minutes": 45})
    status = agreement_status(changed, both)
    assert status.state == AgreementState.DRAFT and status.changed_since_confirmed
    # The mentor suggested the change, so confirms it first; then the mentee.
    later = MONDAY + timedelta(days=1)
    mentor_again = confirm(changed, Side.MENTOR, "Astrid Lindqvist", at=later)
    assert agreement_status(changed, [*both, mentor_again]).state == (
        AgreementState.WAITING_FOR_MENTEE
    )
    mentee_again = confirm(changed, Side.MENTEE, "Amelia Hartley", at=later)
    assert agreement_status(changed, [*both, mentor_again, mentee_again]).agreed


def test_the_fingerprint_is_the_terms_not_the_page():
    terms = agreement()
    same_terms_other_page = terms.model_copy(update={"draft": {"review_on": "30.2.2027"}})
    assert agreement_fingerprint(same_terms_other_page) == agreement_fingerprint(terms)
    assert agreement_fingerprint(
        terms.model_copy(update={"boundaries": "No calls after 8"})
    ) != agreement_fingerprint(terms)


def test_an_agreement_with_unfinished_input_or_no_mentor_cannot_be_confirmed():
    with pytest.raises(MentoringError, match="fields to fix first"):
        confirm(agreement(draft={"review_on": "30.2.2027"}), Side.MENTEE, "Amelia", at=MONDAY)
    with pytest.raises(MentoringError, match="Name your mentor"):
        confirm(MentoringAgreement(), Side.MENTEE, "Amelia", at=MONDAY)


# -- sharing with the mentor -----------------------------------------------------------------


GOALS = {
    "goal-1": SmartGoal(title="Lead a project", specific="Shared with Astrid"),
    "goal-2": SmartGoal(title="Private: salary talk", specific="Only for me"),
}
CHECK_INS = {
    "check-in-1": CheckIn(met_on=date(2027, 1, 11), learned="Shared learning"),
    "check-in-2": CheckIn(met_on=date(2027, 1, 25), learned="Private note about my manager"),
}


def test_nothing_is_shared_until_the_mentee_chooses():
    for sharing in (None, ProgressSharing()):
        seen = shared_with_mentor(sharing, GOALS, CHECK_INS)
        assert not seen.goals and not seen.check_ins


def test_the_mentor_sees_exactly_the_items_shared_and_no_draft():
    sharing = ProgressSharing().with_item("goal-1", True).with_item("check-in-1", True)
    goals = {**GOALS, "goal-1": GOALS["goal-1"].model_copy(update={"draft": {"title": "x"}})}
    seen = shared_with_mentor(sharing, goals, CHECK_INS)
    assert list(seen.goals) == ["goal-1"] and list(seen.check_ins) == ["check-in-1"]
    assert seen.goals["goal-1"].draft == {}
    shown = repr(seen)
    assert "Private" not in shown and "Only for me" not in shown


def test_sharing_can_be_taken_back_and_names_only_goals_and_check_ins():
    sharing = ProgressSharing().with_item("goal-2", True).with_item("goal-2", True)
    assert sharing.shared == ["goal-2"]
    assert sharing.with_item("goal-2", False).shared == []
    assert not shared_with_mentor(sharing.with_item("goal-2", False), GOALS, CHECK_INS).goals
    with pytest.raises(InvalidInput, match="must name a goal or a check-in, like goal-1"):
        validate(ProgressSharing, {"shared": ["self_assessment"]})


def test_a_request_is_what_the_participant_sent_with_the_answer_stored_apart():
    tuesday = MONDAY + timedelta(days=1)
    waiting, declined, withdrawn = sent(ASTRID), sent(BJORN), withdraw(sent(CARMEN), at=tuesday)
    kept = [sent_part(r) for r in (waiting, declined, withdrawn)]
    assert [k.withdrawn_at for k in kept] == [None, None, tuesday]
    answers = {
        BJORN: Answer(state=RequestState.DECLINED, at=tuesday, by=Answerer.MENTOR, reply="Sorry"),
        "someone-else@example.com": Answer(
            state=RequestState.ACCEPTED, at=tuesday, by=Answerer.FACILITATOR
        ),
    }
    found = requests_of(kept, answers)
    assert found[0] == waiting
    assert found[1] == answer(declined, RequestState.DECLINED, at=tuesday, reply="Sorry")
    assert found[2] == withdrawn
    # An answer stands even over a withdrawal the apps would have refused; a pair ruled
    # out before the request was sent counts as answered when it was sent.
    early = MONDAY - timedelta(days=3)
    late = Answer(state=RequestState.ACCEPTED, at=early, by=Answerer.FACILITATOR)
    (overruled,) = requests_of([sent_part(withdrawn)], {CARMEN: late})
    assert overruled.state == RequestState.ACCEPTED and overruled.withdrawn_at is None
    assert overruled.answered_at == withdrawn.sent_at


def test_a_request_is_withdrawn_with_its_time_or_not_at_all():
    with pytest.raises(ValidationError, match="withdrawn but not said when"):
        MentorRequest.model_validate({**sent().model_dump(), "state": "withdrawn"})
    with pytest.raises(ValidationError, match="withdrawn but not said when"):
        MentorRequest.model_validate({**sent().model_dump(), "withdrawn_at": MONDAY})
    withdrawn = withdraw(sent(), at=MONDAY)
    reopened = answer(withdrawn, RequestState.SENT, at=MONDAY, by=Answerer.FACILITATOR)
    assert reopened.state == RequestState.SENT and reopened.withdrawn_at is None


# -- the mentor suggests a change, the mentee accepts it ---------------------------------------


def test_a_suggestion_keeps_only_the_changed_terms_and_accepting_it_needs_new_confirmations():
    terms = agreement(meeting_minutes=60)
    both = [
        confirm(terms, Side.MENTEE, "Amelia Hartley", at=MONDAY),
        confirm(terms, Side.MENTOR, "Astrid Lindqvist", at=MONDAY),
    ]
    proposed = terms.model_copy(update={"meeting_minutes": 45, "boundaries": "No calls after 8"})
    idea = suggest(terms, proposed, by="Astrid Lindqvist", note="Shorter is easier.", at=MONDAY)
    assert idea.terms == {"meeting_minutes": 45, "boundaries": "No calls after 8"}
    assert idea.based_on == agreement_fingerprint(terms)
    changes = suggested_changes(terms, idea)
    assert [(c.label, c.now, c.suggested) for c in changes] == [
        ("Meeting length", 60, 45),
        ("Boundaries", "", "No calls after 8"),
    ]
    accepted = accept_suggestion(terms, idea)
    assert accepted.meeting_minutes == 45 and accepted.boundaries == "No calls after 8"
    assert accepted.mentor_email == ASTRID
    status = agreement_status(accepted, both)
    assert status.state == AgreementState.DRAFT and status.changed_since_confirmed
    # Once in place, the suggestion changes nothing more.
    assert suggested_changes(accepted, idea) == []


def test_an_empty_suggestion_or_one_on_unfinished_input_is_refused_in_words():
    terms = agreement()
    with pytest.raises(MentoringError, match="Change a term or write a note"):
        suggest(terms, terms, by="Astrid", note="  ", at=MONDAY)
    note_only = suggest(terms, terms, by="Astrid", note="Can we talk about goals?", at=MONDAY)
    assert note_only.terms == {} and suggested_changes(terms, note_only) == []
    with pytest.raises(MentoringError, match="still filling in"):
        suggest(agreement(draft={"review_on": "x"}), terms, by="Astrid", note="n", at=MONDAY)


def test_a_suggestion_that_no_longer_fits_is_refused_and_a_crafted_one_never_built():
    terms = agreement()
    idea = suggest(
        terms, terms.model_copy(update={"end_on": date(2027, 2, 1)}), by="A", note="", at=MONDAY
    )
    moved = terms.model_copy(update={"start_on": date(2027, 3, 1)})
    with pytest.raises(MentoringError, match="no longer fits your agreement"):
        accept_suggestion(moved, idea)
    with pytest.raises(ValidationError, match="names no term of the agreement"):
        AgreementSuggestion(
            terms={"mentor_email": "me@example.com"}, by="A", at=MONDAY, based_on="0" * 64
        )
