"""Sign-in: a participant only ever reaches their own answers."""

import re

import pytest

from mentorkit.access import hash_secret
from mentorkit.identity import (
    SignInError,
    facilitator_sign_in,
    hub_sign_in,
    new_resume_code,
    normalise_resume_code,
    reset_invite_code,
    reset_resume_code,
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


def test_a_resume_code_is_four_groups_of_four_without_look_alikes():
    codes = {new_resume_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) <= 20
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code), code
    assert not set("ILOU") & set("".join(codes))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("7kqm-2xpa-h9rd-4tzb", "7KQM-2XPA-H9RD-4TZB"),
        (" 7KQM 2XPA  H9RD 4TZB ", "7KQM-2XPA-H9RD-4TZB"),
        ("7KQM2XPAH9RD4TZB", "7KQM-2XPA-H9RD-4TZB"),
        ("O1KQ-IlPA-H9RD-4TZB", "01KQ-11PA-H9RD-4TZB"),  # O as 0, I and l as 1
        ("o1kq–11pa—h9rd.4tzb", "01KQ-11PA-H9RD-4TZB"),  # other dashes, a dot
    ],
)
def test_a_typed_resume_code_is_read_as_meant(typed, meant):
    assert normalise_resume_code(typed) == meant


@pytest.mark.parametrize(
    "typed", ["", "7KQM-2XPA-H9RD", "7KQM-2XPA-H9RD-4TZBX", "UUUU-2XPA-H9RD-4TZB"]
)
def test_what_cannot_be_a_resume_code_normalises_to_nothing(typed):
    assert normalise_resume_code(typed) == ""


def test_a_resume_code_with_look_alikes_and_lower_case_signs_in(store, workshop):
    first = sign_in(store, workshop.code, "Bo Strand")
    code = first.new_resume_code
    typed = code.lower().replace("0", "o").replace("1", "l").replace("-", " ")
    assert resume(store, typed).participant == first.participant


def test_a_resume_code_of_the_earlier_28_character_format_still_signs_in(store, workshop):
    """Databases hold hashes of codes issued before the short format: they keep working."""
    ada = store.find_participant(workshop.code, "ada@example.org")
    legacy = "KOQM-2XPA-LIRD-4TZB-ABCD-EFGH-IJ7Q"  # RFC 4648 base32: O, I and L are letters
    store.set_resume_code_hash(workshop.code, ada.id, hash_secret(legacy))
    assert resume(store, legacy.lower().replace("-", " ")).participant == ada
    with pytest.raises(SignInError, match="not known"):
        resume(store, legacy.replace("O", "0"))  # its O is a letter, not a look-alike


def test_a_facilitator_reset_issues_a_new_code_and_the_old_one_stops_working(store, workshop):
    first = sign_in(store, workshop.code, "Bo Strand")
    new = reset_resume_code(store, workshop.code, first.participant.id)
    assert new != first.new_resume_code
    assert resume(store, new).participant == first.participant
    with pytest.raises(SignInError, match="not known"):
        resume(store, first.new_resume_code)


def test_first_sign_in_with_an_invite_code_issues_a_resume_code_stored_only_hashed(store, workshop):
    ada = store.find_participant(workshop.code, "ada@example.org")
    invite = reset_invite_code(store, workshop.code, ada.id)
    identity = sign_in(store, "", "", invite_code=f"  {invite.lower()} ")
    assert identity.participant == ada
    code = identity.new_resume_code
    assert code is not None
    stored = store.resume_code_hash(workshop.code, identity.participant.id)
    assert stored == hash_secret(code) and code not in stored


def test_a_name_alone_cannot_reopen_someone_elses_answers(store, workshop):
    first = sign_in(store, workshop.code, "Ada Quill")
    again = sign_in(store, workshop.code, "ada quill")
    assert again.participant.id != first.participant.id  # a new participant, not Ada
    with pytest.raises(SignInError, match="not an email address"):
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


def test_an_email_or_unknown_join_code_says_what_to_do(store, workshop):
    with pytest.raises(SignInError, match="not an email address"):
        sign_in(store, workshop.code, "nobody@example.org")
    with pytest.raises(SignInError, match="No workshop has the join code 'ZZZZ-ZZZZ'"):
        sign_in(store, "zzzz-zzzz", "Ada Quill")
    with pytest.raises(SignInError, match="Enter your name"):
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


def test_jupyterhub_users_are_signed_in_by_the_hub_user_name_the_roster_assigns(store, workshop):
    store.import_roster(
        workshop.code,
        participants=[Participant(name="Ada Quill", email="ada@example.org")],
        hub_users={"ada@example.org": "aquill"},
    )
    ada = hub_sign_in(store, "aquill")
    assert ada.participant.email == "ada@example.org"
    assert hub_sign_in(store, "aquill", workshop.code).participant.id == ada.participant.id


@pytest.mark.parametrize("look_alike", ["ada", "Ada Quill", "ada@example.org", "AQUILL", "bo"])
def test_a_hub_user_named_like_a_participant_is_not_that_participant(store, workshop, look_alike):
    store.import_roster(
        workshop.code,
        participants=[Participant(name="Ada Quill", email="ada@example.org")],
        hub_users={"ada@example.org": "aquill"},
    )
    with pytest.raises(SignInError, match="no participant of Spring cohort has that hub user"):
        hub_sign_in(store, look_alike)


def test_a_newcomer_the_hub_added_signs_in_under_their_hub_user_name(store, workshop):
    store.add_participant(workshop.code, Participant(name="dmitri"), hub_user="dmitri")
    assert hub_sign_in(store, "dmitri", workshop.code).participant.name == "dmitri"


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


def test_a_facilitator_signs_in_with_the_code_and_key_and_a_wrong_one_reads_the_same_either_way(
    store,
):
    from mentorkit.access import MAX_FAILURES, TooManyTries

    access = create_workshop(store, "Spring cohort")
    code, key = access.workshop.code, access.facilitator_key
    assert facilitator_sign_in(store, code.lower(), f" {key} ", pause=0) == access.workshop
    said = set()
    for typed_code, typed_key in [(code, "wrong-key"), ("ZZZZ-ZZZZ", key)]:
        with pytest.raises(SignInError) as refused:
            facilitator_sign_in(store, typed_code, typed_key, pause=0)
        said.add((str(refused.value), refused.value.field))
    assert said == {("That join code and facilitator key do not match.", "facilitator key")}
    with pytest.raises(
        SignInError, match=re.escape("Enter the join code and the facilitator key.")
    ):
        facilitator_sign_in(store, code, "  ", pause=0)
    # Two refusals counted (the empty key was not a try): the wrong try that reaches the
    # limit is refused as one too many, and then even the right key waits.
    for _ in range(MAX_FAILURES - 3):
        with pytest.raises(SignInError):
            facilitator_sign_in(store, code, "wrong-key", pause=0)
    with pytest.raises(TooManyTries):
        facilitator_sign_in(store, code, "wrong-key", pause=0)
    with pytest.raises(TooManyTries):
        facilitator_sign_in(store, code, key, pause=0)
