"""`mentorkit mentors …`: invite codes into a mail-merge sheet with personal links, and a
new resume code for a mentor who lost theirs."""

from __future__ import annotations

import csv
import re

import pytest
from openpyxl import load_workbook

from mentorkit.cli import main
from mentorkit.identity import SignInError, claim_mentor_invite, mentor_resume
from mentorkit.models import MentorProfile
from mentorkit.store import open_store
from mentorkit.workshops import create_workshop

HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'mentors.db'}"


@pytest.fixture
def code(db) -> str:
    with open_store(db) as store:
        code = create_workshop(store, "Spring cohort").workshop.code
        store.import_roster(
            code,
            mentors=[
                MentorProfile(name="Ada Mensah", email="ada@example.org", capacity=2),
                MentorProfile(name=HOSTILE, email="hostile@example.org", capacity=1),
                MentorProfile(name=FORMULA, email="formula@example.org", capacity=1),
            ],
        )
    return code


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def sheet(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("action", ["invite", "reset-code"])
def test_every_mentors_action_has_help(capsys, action):
    with pytest.raises(SystemExit) as caught:
        main(["mentors", action, "--help"])
    assert caught.value.code == 0
    assert f"usage: mentorkit mentors {action}" in capsys.readouterr().out


def test_invite_writes_the_sheet_with_personal_links_and_the_codes_sign_in(
    capsys, db, code, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(
        capsys, "--db", db, "mentors", "invite", "--base", "https://workshop.example.org"
    )
    assert status == 0, err
    output = tmp_path / f"mentor-invites-{code}.csv"
    assert "Issued 3 mentor invite codes; wrote them, with each mentor's personal link" in out
    assert f"to {output.name}." in out
    rows = sheet(output)
    assert list(rows[0]) == ["name", "email", "invite_code", "personal_link"]
    assert [row["name"] for row in rows] == [HOSTILE, "'" + FORMULA, "Ada Mensah"]
    for row in rows:
        assert row["personal_link"] == (
            f"https://workshop.example.org/voila/render/mentor.ipynb?invite={row['invite_code']}"
        )
    with open_store(db) as store:
        assert claim_mentor_invite(store, rows[2]["invite_code"]).mentor.name == "Ada Mensah"
    # Nobody is left without a code; --again replaces those not used yet, into a new file.
    status, out, _ = run(capsys, "--db", db, "mentors", "invite")
    assert status == 0 and "Nobody to invite" in out
    status, out, _ = run(capsys, "--db", db, "mentors", "invite", "--again")
    assert status == 0 and "Issued 2 mentor invite codes" in out
    again = sheet(tmp_path / f"mentor-invites-{code}-2.csv")
    assert [row["name"] for row in again] == [HOSTILE, "'" + FORMULA]
    assert again[0]["personal_link"].startswith("voila/render/mentor.ipynb?invite=")
    assert "relative: pass --base" in out
    with open_store(db) as store, pytest.raises(SignInError):
        claim_mentor_invite(store, rows[0]["invite_code"])  # replaced


def test_invite_named_mentors_into_an_excel_file(capsys, db, code, tmp_path):
    output = tmp_path / "mentors.xlsx"
    status, _, err = run(
        capsys, "--db", db, "mentors", "invite", "ADA@example.org", "-o", str(output)
    )
    assert status == 0, err
    (header, ada) = list(load_workbook(output).active.iter_rows(values_only=True))
    assert header == ("name", "email", "invite_code", "personal_link")
    assert ada[:2] == ("Ada Mensah", "ada@example.org")


def test_a_mentor_who_signed_in_is_refused_an_invite_in_one_line(capsys, db, code, tmp_path):
    run(capsys, "--db", db, "mentors", "invite", "ada@example.org", "-o", str(tmp_path / "a.csv"))
    (row,) = sheet(tmp_path / "a.csv")
    with open_store(db) as store:
        claim_mentor_invite(store, row["invite_code"])
    status, _, err = run(
        capsys, "--db", db, "mentors", "invite", "Ada Mensah", "-o", str(tmp_path / "b.csv")
    )
    assert status == 1 and err.count("\n") == 1
    assert "Ada Mensah signed in already as a mentor" in err
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize("base", ["workshop.example.org", "ftp://x.example/", "https://x/?a=1"])
def test_a_base_that_is_not_an_address_is_one_line_and_issues_nothing(capsys, db, code, base):
    status, _, err = run(capsys, "--db", db, "mentors", "invite", "--base", base)
    assert status == 1 and err.count("\n") == 1 and "--base" in err
    with open_store(db) as store:
        assert store.mentors_invited(code) == set()


def test_reset_code_prints_a_new_code_that_signs_in_and_the_old_one_stops(
    capsys, db, code, tmp_path
):
    run(capsys, "--db", db, "mentors", "invite", "-o", str(tmp_path / "a.csv"))
    ada = next(row for row in sheet(tmp_path / "a.csv") if row["email"] == "ada@example.org")
    with open_store(db) as store:
        old = claim_mentor_invite(store, ada["invite_code"]).new_resume_code
    status, out, _ = run(capsys, "--db", db, "mentors", "reset-code", "ada@example.org")
    assert status == 0
    new = re.search(r"New resume code for Ada Mensah \(ada@example.org\): (\S+)", out)[1]
    assert "not shown again" in out
    with open_store(db) as store:
        assert mentor_resume(store, new).mentor.email == "ada@example.org"
        with pytest.raises(SignInError):
            mentor_resume(store, old)


def test_reset_code_of_an_unknown_mentor_is_one_line(capsys, db, code):
    status, _, err = run(capsys, "--db", db, "mentors", "reset-code", "nobody@example.org")
    assert status == 1 and err.count("\n") == 1 and "No mentor of workshop" in err


def test_importing_mentors_says_how_many_have_no_code_and_who_kept_their_profile(
    capsys, db, code, tmp_path
):
    roster = tmp_path / "mentors.csv"
    roster.write_text(
        "name,email,capacity,expertise\nAda Mensah,ada@example.org,3,Negotiation\n"
        "Cy Okafor,cy@example.org,1,Negotiation\n",
        encoding="utf-8",
    )
    with open_store(db) as store:
        ada = next(m for m in store.mentors(code) if m.email == "ada@example.org")
        store.save_mentor_profile(code, ada.model_copy(update={"bio": "My own words"}))
    status, out, err = run(capsys, "--db", db, "import", "mentors", str(roster))
    assert status == 0, err
    assert "1 added, 0 updated, 0 unchanged, 1 kept the profile they edited themselves" in out
    assert "4 mentors have no invite code yet" in out and "mentorkit mentors invite" in out
    assert list(tmp_path.glob("*invites*")) == []  # no sheet without `mentors invite`
