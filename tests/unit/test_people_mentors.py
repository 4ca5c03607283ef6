"""Mentors' invitations: who is waiting for a code, codes issued in one step (never to a
mentor who signed in), and the mail-merge rows with each mentor's personal link."""

from __future__ import annotations

import csv
import io

import pytest

from mentorkit import people
from mentorkit.errors import MentorkitError
from mentorkit.identity import (
    SignInError,
    claim_mentor_invite,
    mentor_resume,
    reset_mentor_resume_code,
)
from mentorkit.models import MentorProfile
from mentorkit.rosters import write_table
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


def mentor(name: str, email: str) -> MentorProfile:
    return MentorProfile(name=name, email=email, capacity=2)


@pytest.fixture
def code(store) -> str:
    code = create_workshop(store, "Spring cohort").workshop.code
    store.import_roster(
        code,
        mentors=[
            mentor("Bo Lindqvist", "bo@example.org"),
            mentor("Ada Mensah", "ada@example.org"),
            mentor(HOSTILE, "hostile@example.org"),
            mentor(FORMULA, "formula@example.org"),
        ],
    )
    return code


def names(mentors) -> list[str]:
    return [m.name for m in mentors]


def test_every_mentor_waits_for_a_code_until_one_is_issued(store, code):
    assert names(people.mentors_waiting_for_invites(store, code)) == [
        HOSTILE,
        FORMULA,
        "Ada Mensah",
        "Bo Lindqvist",
    ]
    ada = store.mentors(code)[2]
    (invite,) = people.issue_mentor_invites(store, code, [ada, ada])  # named twice: one code
    assert invite.mentor == ada
    assert "ada@example.org" in store.mentors_invited(code)
    assert "Ada Mensah" not in names(people.mentors_waiting_for_invites(store, code))
    assert "Ada Mensah" in names(people.mentors_waiting_for_invites(store, code, again=True))


def test_a_mentors_code_signs_them_in_once_and_a_new_one_replaces_it(store, code):
    ada = store.mentors(code)[2]
    (first,) = people.issue_mentor_invites(store, code, [ada])
    (second,) = people.issue_mentor_invites(store, code, [ada])
    with pytest.raises(SignInError):
        claim_mentor_invite(store, first.code)  # replaced: it no longer works
    identity = claim_mentor_invite(store, second.code)
    assert identity.mentor.email == "ada@example.org" and identity.new_resume_code
    assert store.mentors_signed_in(code) == {"ada@example.org"}
    # Signed in: no longer waiting, even with `again`, and a new code is refused.
    assert "Ada Mensah" not in names(people.mentors_waiting_for_invites(store, code, again=True))


def test_a_mentor_who_signed_in_gets_no_invite_code_and_nothing_changes(store, code):
    ada, bo = store.mentors(code)[2], store.mentors(code)[3]
    (invite,) = people.issue_mentor_invites(store, code, [ada])
    claim_mentor_invite(store, invite.code)
    with pytest.raises(MentorkitError, match="Ada Mensah signed in already as a mentor"):
        people.issue_mentor_invites(store, code, [bo, ada])
    assert "bo@example.org" not in store.mentors_invited(code)  # nobody got a code


def test_a_lost_resume_code_is_replaced_and_the_old_one_stops(store, code):
    ada = store.mentors(code)[2]
    (invite,) = people.issue_mentor_invites(store, code, [ada])
    old = claim_mentor_invite(store, invite.code).new_resume_code
    new = reset_mentor_resume_code(store, code, ada.email)
    assert mentor_resume(store, new).mentor.email == ada.email
    with pytest.raises(SignInError):
        mentor_resume(store, old)


def test_new_mentors_of_an_import_get_codes_and_those_with_one_keep_it(store, code):
    ada = store.mentors(code)[2]
    people.issue_mentor_invites(store, code, [ada])
    store.import_roster(code, mentors=[mentor("Cy Okafor", "cy@example.org")])
    issued = people.invite_new_mentors(store, code, ["CY@example.org", "ada@example.org"])
    assert names(i.mentor for i in issued) == ["Cy Okafor"]
    assert people.invite_new_mentors(store, code, ["cy@example.org"]) == []


@pytest.mark.parametrize(
    ("base", "link"),
    [
        ("https://workshop.example.org/", "https://workshop.example.org/voila/render/mentor.ipynb"),
        (
            "https://hub.example.org/user/ana",
            "https://hub.example.org/user/ana/voila/render/mentor.ipynb",
        ),
        ("", "voila/render/mentor.ipynb"),
    ],
)
def test_the_sheet_has_each_mentors_personal_link_by_name(store, code, base, link):
    invites = people.issue_mentor_invites(store, code, store.mentors(code))
    rows = people.mentor_invites_table(invites, base)
    assert [row["name"] for row in rows] == [HOSTILE, FORMULA, "Ada Mensah", "Bo Lindqvist"]
    assert list(rows[0]) == list(people.MENTOR_INVITE_COLUMNS)
    codes = {invite.mentor.name: invite.code for invite in invites}
    for row in rows:
        assert row["invite_code"] == codes[str(row["name"])]
        assert row["personal_link"] == f"{link}?invite={row['invite_code']}"


def test_hostile_names_are_text_in_the_sheet_never_a_formula(store, code, tmp_path):
    invites = people.issue_mentor_invites(store, code, store.mentors(code))
    path = tmp_path / "mentor-invites.csv"
    write_table(people.mentor_invites_table(invites, ""), people.MENTOR_INVITE_COLUMNS, path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"] == HOSTILE  # text, as typed
    assert rows[1]["name"] == "'" + FORMULA  # shown as typed, never run


def test_a_mentor_is_found_by_email_or_name(store, code):
    assert people.find_mentor(store, code, " ADA@example.org ").name == "Ada Mensah"
    assert people.find_mentor(store, code, "ada  mensah").email == "ada@example.org"
    with pytest.raises(people.MentorNotFound, match="No mentor of workshop"):
        people.find_mentor(store, code, "nobody@example.org")
    store.import_roster(code, mentors=[mentor("Ada Mensah", "ada2@example.org")])
    with pytest.raises(
        people.MentorNotFound, match=r"by email \(ada2@example\.org, ada@example\.org\)"
    ):
        people.find_mentor(store, code, "Ada Mensah")
