"""`mentorkit people …`: list, reset a resume code, merge two participants, remove one."""

import io
import re

import pytest

from mentorkit.cli import main
from mentorkit.identity import SignInError, resume, sign_in
from mentorkit.models import Participant, SelfAssessment
from mentorkit.store import DocumentKey, open_store
from mentorkit.testing import sign_in_rostered
from mentorkit.workshops import create_workshop


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'people.db'}"


@pytest.fixture
def cohort(db):
    """A workshop where Ada is on the list twice (roster email, then a walk-in by name)."""
    with open_store(db) as store:
        code = create_workshop(store, "Spring cohort").workshop.code
        store.import_roster(code, participants=[Participant(name="Ada Quill", email="ada@x.org")])
        first = sign_in_rostered(store, code, "ada@x.org")
        again = sign_in(store, code, "Ada Q")
        key = DocumentKey(code, again.participant.id, "self_assessment")
        store.save(key, SelfAssessment(career_goal="Lead a team"), expected_revision=0)
    return {"code": code, "first": first, "again": again}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("action", ["list", "invite", "reset", "merge", "remove"])
def test_every_people_action_has_help(capsys, action):
    with pytest.raises(SystemExit) as caught:
        main(["people", action, "--help"])
    assert caught.value.code == 0
    assert f"usage: mentorkit people {action}" in capsys.readouterr().out


def test_people_list_shows_names_codes_and_ids(capsys, db, cohort):
    status, out, _ = run(capsys, "--db", db, "people", "list")
    assert status == 0
    assert "Ada Quill  <ada@x.org>  signed in, 0 worksheets" in out
    assert (
        f"Ada Q (joined on the day)  <no email>  signed in, 1 worksheets  id "
        f"{cohort['again'].participant.id}" in out
    )


def test_reset_prints_a_new_code_that_signs_in_and_the_old_one_stops(capsys, db, cohort):
    status, out, _ = run(capsys, "--db", db, "people", "reset", "ADA@x.org")
    assert status == 0
    code = re.search(r"New resume code for Ada Quill: (\S+)", out)[1]
    with open_store(db) as store:
        assert resume(store, code).participant == cohort["first"].participant
        with pytest.raises(SignInError):
            resume(store, cohort["first"].new_resume_code)


def test_merge_asks_first_and_then_moves_the_worksheets(capsys, db, cohort, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    status, _, err = run(capsys, "--db", db, "people", "merge", "ada@x.org", "Ada Q")
    assert status == 1 and "nothing was changed" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("merge\n"))
    status, out, err = run(capsys, "--db", db, "people", "merge", "ada@x.org", "Ada Q")
    assert status == 0, err
    assert "Merged Ada Q into Ada Quill: 1 worksheet moved" in out
    with open_store(db) as store:
        (kept,) = store.participants(cohort["code"])
        assert kept == cohort["first"].participant
        moved = store.load(DocumentKey(cohort["code"], kept.id, "self_assessment"))
        assert moved.document.career_goal == "Lead a team"
        assert resume(store, cohort["first"].new_resume_code).participant == kept


def test_remove_with_yes_erases_the_participant(capsys, db, cohort):
    status, out, _ = run(capsys, "--db", db, "people", "remove", "Ada Q", "--yes")
    assert status == 0 and "Removed Ada Q" in out
    with open_store(db) as store:
        assert [p.name for p in store.participants(cohort["code"])] == ["Ada Quill"]
        assert store.list(cohort["code"]) == []


def test_an_unknown_or_ambiguous_participant_is_one_line(capsys, db, cohort):
    status, _, err = run(capsys, "--db", db, "people", "reset", "Nobody")
    assert status == 1
    assert err.count("\n") == 1 and "mentorkit people list" in err
    status, _, err = run(capsys, "--db", db, "people", "merge", "Ada Q", "ada q", "--yes")
    assert status == 1 and "same participant" in err
