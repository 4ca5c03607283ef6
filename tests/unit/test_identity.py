"""Sign-in: a participant only ever reaches their own answers."""

import pytest

from mentorkit.access import hash_secret
from mentorkit.identity import (
    SignInError,
    hub_sign_in,
    new_resume_code,
    normalise_resume_code,
    resume,
    sign_in,
)
from mentorkit.models import Participant, SelfAssessment
from mentorkit.workshops import create_workshop


@pytest.fixture
def workshop(store):
    access = create_workshop(store, "Spring cohort")
    store.import_roster(
        access.workshop.code,
        participants=[
            Participant(name="Ada Quill", email="ada@example.org"),
            Participant(name="Bo Strand", email="bo@example.org"),
        ],
    )
    return access.workshop


def test_resume_codes_carry_128_random_bits():
    codes = {new_resume_code() for _ in range(500)}
    assert len(codes) == 500
    raw = next(iter(codes)).replace("-", "")
    assert len(raw) * 5 >= 128
    assert normalise_resume_code(next(iter(codes)).lower().replace("-", " ")) in codes


def test_first_sign_in_by_email_issues_a_resume_code_stored_only_hashed(store, workshop):
    identity = sign_in(store, workshop.code.lower(), "  ADA@example.org ")
    assert identity.participant.name == "Ada Quill"
    code = identity.new_resume_code
    assert code is not None
    stored = store.resume_code_hash(workshop.code, identity.participant.id)
    assert stored == hash_secret(code) and code not in stored


def test_a_name_alone_cannot_reopen_someone_elses_answers(store, workshop):
    sign_in(store, workshop.code, "Ada Quill")
    with pytest.raises(SignInError, match="has signed in before: enter the resume code"):
        sign_in(store, workshop.code, "ada quill")
    with pytest.raises(SignInError, match="has signed in before"):
        sign_in(store, workshop.code, "ada@example.org")


def test_the_resume_code_signs_in_from_any_browser(store, workshop):
    first = sign_in(store, workshop.code, "Bo Strand")
    again = resume(store, first.new_resume_code.lower())
    assert again.participant == first.participant
    assert again.workshop.code == workshop.code
    assert again.new_resume_code is None


def test_a_wrong_resume_code_is_refused(store, workshop):
    sign_in(store, workshop.code, "Bo Strand")
    with pytest.raises(SignInError, match="not known"):
        resume(store, new_resume_code())
    with pytest.raises(SignInError, match="Enter your resume code"):
        resume(store, "  ")


def test_someone_not_on_the_list_joins_by_name(store, workshop):
    identity = sign_in(store, workshop.code, "Cleo  Marsh")
    assert identity.participant.name == "Cleo Marsh" and identity.participant.email is None
    assert identity.participant in store.participants(workshop.code)


def test_an_unknown_email_or_join_code_says_what_to_do(store, workshop):
    with pytest.raises(SignInError, match="not on this workshop's list"):
        sign_in(store, workshop.code, "nobody@example.org")
    with pytest.raises(SignInError, match="No workshop has the join code 'ZZZZ-ZZZZ'"):
        sign_in(store, "zzzz-zzzz", "Ada Quill")
    with pytest.raises(SignInError, match="Enter your name or email"):
        sign_in(store, workshop.code, "   ")


def test_two_participants_never_share_documents(store, workshop):
    ada = sign_in(store, workshop.code, "Ada Quill")
    bo = sign_in(store, workshop.code, "Bo Strand")
    from mentorkit.store import DocumentKey

    ada_key = DocumentKey(workshop.code, ada.participant.id, "self_assessment")
    store.save(ada_key, SelfAssessment(career_goal="Ada's secret plan"), expected_revision=0)
    bo_key = DocumentKey(workshop.code, bo.participant.id, "self_assessment")
    assert store.load(bo_key) is None
    assert store.list(workshop.code, participant=bo.participant.id) == []


def test_jupyterhub_users_are_signed_in_without_a_form(store, workshop):
    ada = hub_sign_in(store, "ada")
    assert ada.participant.email == "ada@example.org"
    newcomer = hub_sign_in(store, "dmitri", workshop.code)
    assert newcomer.participant.name == "dmitri"
    assert hub_sign_in(store, "dmitri").participant.id == newcomer.participant.id


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd-efgh", "ABCD-EFGH"),
        (" ABCD EFGH ", "ABCD-EFGH"),
        ("abcdefgh", "ABCD-EFGH"),
        ("ABCD–EFGH", "ABCD-EFGH"),  # an en dash, as word processors write it
        ("ABCD-EFG", ""),
        ("ABC0-EFGH", ""),  # 0 is not in join codes (it reads like O)
        ("x" * 1_000_000, ""),
    ],
)
def test_a_typed_join_code_is_read_leniently_or_not_at_all(typed, expected):
    from mentorkit.identity import normalise_join_code

    assert normalise_join_code(typed) == expected
