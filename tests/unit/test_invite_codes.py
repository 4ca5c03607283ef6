"""Invite codes: rostered participants claim their entry with a personal code; the join code
and a name only ever add a newcomer; the messages tell nobody who is on the roster; new
participants are counted per page, per client address and per workshop."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import ipywidgets as widgets
import pytest

from mentorkit import people
from mentorkit.access import (
    NEWCOMERS_PER_PAGE,
    TOO_MANY_NEWCOMERS,
    WORKSHOP_BUSY,
    TooManyTries,
    TriesByAddress,
    hash_secret,
    limiter,
    rate_limiter,
)
from mentorkit.backup import backup_workshop, restore_backup
from mentorkit.cli import main
from mentorkit.errors import MentorkitError
from mentorkit.identity import (
    EMAIL_AS_NAME,
    INVITE_CODE_AS_RESUME,
    RESUME_CODE_AS_INVITE,
    UNKNOWN_INVITE,
    USED_INVITE,
    SignInError,
    claim_invite,
    join,
    new_invite_code,
    new_resume_code,
    normalise_invite_code,
    normalise_resume_code,
    reset_invite_code,
    resume,
    sign_in,
)
from mentorkit.models import Participant
from mentorkit.store import open_store
from mentorkit.testing import find_widget
from mentorkit.ui.dashboard import DashboardView
from mentorkit.ui.facilitator import FacilitatorSession
from mentorkit.ui.frame import Notice
from mentorkit.ui.shell import worksheet_app
from mentorkit.workshops import create_workshop, import_roster

ROSTER = "name,email\nAda Quill,ada@example.org\nBo Strand,bo@example.org\n"
CROCKFORD = "[0-9A-HJKMNP-TV-Z]"


def no_pause(*tries) -> None:
    for count in tries:
        count.sleep = lambda _seconds: None


@pytest.fixture
def roster_file(tmp_path) -> Path:
    path = tmp_path / "participants.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


@pytest.fixture
def imported(store, roster_file):
    """A workshop whose participants were imported from a file: their invite codes by email."""
    workshop = create_workshop(store, "Spring cohort").workshop
    outcome = import_roster(store, workshop, "participants", roster_file)
    codes = {invite.participant.email: invite.code for invite in outcome.invites}
    return workshop, codes


# -- the codes -----------------------------------------------------------------------------


def test_an_invite_code_is_three_groups_of_five_without_look_alikes():
    codes = {new_invite_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(rf"{CROCKFORD}{{5}}(-{CROCKFORD}{{5}}){{2}}", code), code
    assert not set("ILOU") & set("".join(codes))


def test_a_typed_invite_code_is_read_as_meant_and_never_as_a_resume_code():
    assert normalise_invite_code(" q8wz3 m4kd7–r2txa ") == "Q8WZ3-M4KD7-R2TXA"
    assert normalise_invite_code("O1WZ3-IlKD7-R2TXA") == "01WZ3-11KD7-R2TXA"
    invite, resume_code = new_invite_code(), new_resume_code()
    assert normalise_resume_code(invite) == "" and normalise_invite_code(resume_code) == ""
    assert normalise_invite_code("Q8WZ3-M4KD7") == normalise_invite_code("U8WZ3-M4KD7-R2TXA") == ""


# -- issued on import, stored only hashed ----------------------------------------------------


def test_importing_participants_issues_each_an_invite_code_stored_only_hashed(store, imported):
    workshop, codes = imported
    assert set(codes) == {"ada@example.org", "bo@example.org"}
    snapshot_hashes = {}
    with store.read_workshop(workshop.code) as snapshot:
        for record in snapshot.participants:
            snapshot_hashes[record.participant.email] = record.invite_code_hash
    for email, code in codes.items():
        assert snapshot_hashes[email] == hash_secret(code) and code not in snapshot_hashes[email]
    assert store.invited(workshop.code) == {p.id for p in store.participants(workshop.code)}


def test_importing_again_keeps_the_codes_and_invites_only_who_has_none(store, imported, tmp_path):
    workshop, codes = imported
    earlier = store.find_participant(workshop.code, "cleo@example.org")
    assert earlier is None
    store.import_roster(  # imported before invite codes existed: no code
        workshop.code, participants=[Participant(name="Cleo Marsh", email="cleo@example.org")]
    )
    bigger = tmp_path / "more.csv"
    bigger.write_text(ROSTER + "Cleo Marsh,cleo@example.org\nDee Ray,dee@example.org\n")
    again = import_roster(store, workshop, "participants", bigger)
    assert sorted(i.participant.email for i in again.invites) == [
        "cleo@example.org",
        "dee@example.org",
    ]
    assert claim_invite(store, codes["ada@example.org"]).participant.name == "Ada Quill"


# -- claiming ------------------------------------------------------------------------------


def test_the_invite_code_alone_claims_the_roster_entry_once(store, imported):
    workshop, codes = imported
    ada = store.find_participant(workshop.code, "ada@example.org")
    identity = sign_in(store, "", "", invite_code=codes["ada@example.org"].lower())
    assert identity.participant == ada and identity.workshop.code == workshop.code
    assert store.resume_code_hash(workshop.code, ada.id) == hash_secret(identity.new_resume_code)
    assert resume(store, identity.new_resume_code).participant == ada
    with pytest.raises(SignInError, match=re.escape(USED_INVITE)):
        claim_invite(store, codes["ada@example.org"])
    # The used code changed nothing: the resume code handed out still signs in.
    assert resume(store, identity.new_resume_code).participant == ada


def test_a_rostered_name_or_email_with_the_join_code_only_adds_a_newcomer(store, imported):
    workshop, codes = imported
    ada = store.find_participant(workshop.code, "ada@example.org")
    stranger = sign_in(store, workshop.code, "Ada Quill")
    assert stranger.participant.id != ada.id and stranger.participant.email is None
    with pytest.raises(SignInError, match=re.escape(EMAIL_AS_NAME)):
        sign_in(store, workshop.code, "ada@example.org")
    assert store.resume_code_hash(workshop.code, ada.id) is None  # Ada is untouched
    assert claim_invite(store, codes["ada@example.org"]).participant == ada


def test_the_messages_are_the_same_whoever_is_on_the_roster(store, imported):
    workshop, _codes = imported
    said = {}
    for email in ("ada@example.org", "nobody@example.org"):
        with pytest.raises(SignInError) as raised:
            sign_in(store, workshop.code, email)
        said[email] = (str(raised.value), raised.value.field)
    assert said["ada@example.org"] == said["nobody@example.org"]
    # A rostered name who signed in already is a newcomer like any other name.
    claim_invite(store, _codes["bo@example.org"])
    for name in ("Bo Strand", "Nobody Here"):
        identity = sign_in(store, workshop.code, name)
        assert identity.participant.email is None and identity.new_resume_code


def test_a_wrong_invite_code_is_counted_and_a_code_in_the_wrong_field_is_named(store, imported):
    tries = limiter(store, "invite code")
    no_pause(tries)
    with pytest.raises(SignInError, match=re.escape(RESUME_CODE_AS_INVITE)):
        claim_invite(store, new_resume_code())
    with pytest.raises(SignInError, match=re.escape(INVITE_CODE_AS_RESUME)):
        resume(store, new_invite_code())
    assert tries.locked_for() == 0
    with pytest.raises(SignInError, match=re.escape(UNKNOWN_INVITE)):
        claim_invite(store, new_invite_code())
    # The wrong code counted as one try: one fewer than the limit is still allowed...
    for _ in range(tries.max_failures - 2):
        tries.failed()
    assert tries.locked_for() == 0
    # ...and the next wrong code is one too many.
    with pytest.raises(TooManyTries):
        claim_invite(store, new_invite_code())


def test_a_new_invite_code_replaces_the_old_one(store, imported):
    workshop, codes = imported
    bo = store.find_participant(workshop.code, "bo@example.org")
    new = reset_invite_code(store, workshop.code, bo.id)
    no_pause(limiter(store, "invite code"))
    with pytest.raises(SignInError, match="not known"):
        claim_invite(store, codes["bo@example.org"])
    assert claim_invite(store, new).participant == bo


def test_nobody_who_signed_in_is_given_an_invite_code(store, imported):
    workshop, codes = imported
    claim_invite(store, codes["ada@example.org"])
    ada = store.find_participant(workshop.code, "ada@example.org")
    bo = store.find_participant(workshop.code, "bo@example.org")
    with pytest.raises(MentorkitError, match=r"Ada Quill signed in already.*Nothing was changed"):
        people.issue_invites(store, workshop.code, [bo, ada])
    assert people.waiting_for_invites(store, workshop.code, again=True) == [bo]
    assert people.waiting_for_invites(store, workshop.code) == []  # Bo holds one


def test_a_newcomer_merged_into_their_roster_entry_keeps_their_resume_code(store, imported):
    workshop, codes = imported
    walk_in = sign_in(store, workshop.code, "Ada Q")
    ada = store.find_participant(workshop.code, "ada@example.org")
    people.merge_people(store, workshop.code, ada, walk_in.participant)
    assert resume(store, walk_in.new_resume_code).participant.id == ada.id
    with pytest.raises(SignInError, match=re.escape(USED_INVITE)):
        claim_invite(store, codes["ada@example.org"])


def test_a_restored_backup_keeps_the_invite_codes_working(store, imported, tmp_path):
    workshop, codes = imported
    backup_workshop(store, workshop.code, tmp_path / "backup.jsonl")
    with open_store(f"sqlite:///{tmp_path / 'restored.db'}") as restored:
        restore_backup(restored, tmp_path / "backup.jsonl")
        ada = claim_invite(restored, codes["ada@example.org"])
        assert ada.participant.email == "ada@example.org"


# -- the mail merge on the command line ------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_an_import_writes_the_invite_codes_for_a_mail_merge(
    tmp_path, roster_file, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with open_store(db) as store:
        code = create_workshop(store, "Spring cohort").workshop.code
    assert main(["--db", db, "import", "participants", str(roster_file)]) == 0
    beside = roster_file.parent / f"invites-{code}.csv"  # beside the roster
    assert f"wrote them to {beside}" in capsys.readouterr().out
    rows = read_csv(beside)
    assert [(r["name"], r["email"]) for r in rows] == [
        ("Ada Quill", "ada@example.org"),
        ("Bo Strand", "bo@example.org"),
    ]
    with open_store(db) as store:
        assert claim_invite(store, rows[1]["invite_code"]).participant.name == "Bo Strand"

    # Issued again: a new file (the first one is kept), Bo (signed in) is left out.
    assert main(["--db", db, "people", "invite", "--again"]) == 0
    assert f"Issued 1 invite codes; wrote them to invites-{code}-2.csv" in capsys.readouterr().out
    (again,) = read_csv(tmp_path / f"invites-{code}-2.csv")
    assert again["name"] == "Ada Quill" and again["invite_code"] != rows[0]["invite_code"]
    with open_store(db) as store:
        no_pause(limiter(store, "invite code"))
        with pytest.raises(SignInError, match="not known"):
            claim_invite(store, rows[0]["invite_code"])
        assert claim_invite(store, again["invite_code"]).participant.name == "Ada Quill"

    # One named participant, to a file of one's choosing; a signed-in one is refused.
    assert main(["--db", db, "people", "invite", "Bo Strand", "-o", "bo.csv"]) == 1
    assert "signed in already" in capsys.readouterr().err
    assert main(["--db", db, "people", "list"]) == 0
    assert "Ada Quill  <ada@example.org>  signed in" in capsys.readouterr().out


# -- counting new participants ----------------------------------------------------------------


def test_a_page_adds_only_a_few_participants_and_then_nobody(store):
    code = create_workshop(store, "Spring cohort").workshop.code
    for number in range(NEWCOMERS_PER_PAGE):
        join(store, code, f"Walk In {number}")
    with pytest.raises(TooManyTries, match=re.escape(TOO_MANY_NEWCOMERS)):
        join(store, code, "One Too Many")
    assert len(store.participants(code)) == NEWCOMERS_PER_PAGE


def test_an_address_and_a_workshop_each_have_their_own_ceiling(store):
    now = [0.0]
    tries = TriesByAddress(newcomers_per_address=2, newcomers_per_workshop=3, clock=lambda: now[0])
    code = create_workshop(store, "Spring cohort").workshop.code

    def counts(address):
        return lambda workshop: [tries.newcomers(address), tries.workshop_newcomers(workshop)]

    join(store, code, "A1", newcomers=counts("10.0.0.1"))
    join(store, code, "A2", newcomers=counts("10.0.0.1"))
    with pytest.raises(TooManyTries, match=re.escape(TOO_MANY_NEWCOMERS)):
        join(store, code, "A3", newcomers=counts("10.0.0.1"))
    join(store, code, "B1", newcomers=counts("10.0.0.2"))
    with pytest.raises(TooManyTries, match=re.escape(WORKSHOP_BUSY)):
        join(store, code, "C1", newcomers=counts("10.0.0.3"))
    assert len(store.participants(code)) == 3
    now[0] += 61  # the workshop's minute has passed; the address's ten minutes have not
    join(store, code, "C1", newcomers=counts("10.0.0.3"))
    with pytest.raises(TooManyTries):
        join(store, code, "A3", newcomers=counts("10.0.0.1"))
    now[0] += 600
    join(store, code, "A3", newcomers=counts("10.0.0.1"))


def test_a_refused_take_counts_nothing():
    now = [0.0]
    count = rate_limiter("new participant", 2, 10.0, "wait", clock=lambda: now[0])
    count.take()
    now[0] = 5.0
    count.take()
    for _ in range(5):
        with pytest.raises(TooManyTries, match="wait"):
            count.take()
    now[0] = 15.0  # 10 s after the last one taken, not after the refusals
    count.take()


def test_an_invite_code_is_not_counted_as_a_new_participant(store, imported):
    workshop, codes = imported
    for number in range(NEWCOMERS_PER_PAGE):
        join(store, workshop.code, f"Walk In {number}")
    assert claim_invite(store, codes["ada@example.org"]).participant.name == "Ada Quill"


# -- the worksheet form and the dashboard ---------------------------------------------------


def test_the_worksheet_form_is_closed_once_signed_in_and_its_clicks_add_nobody(store):
    code = create_workshop(store, "W").workshop.code
    app = worksheet_app("01_self_assessment", lambda s: widgets.HTML(), store=store, environ={})
    start = find_widget(app, widgets.Button, "Start")
    name = find_widget(app, widgets.Text, "Your name")
    find_widget(app, widgets.Text, "Join code").value = code
    name.value = "Ada Quill"
    start.click()
    assert app.session is not None and start.comm is None and name.comm is None
    for number in range(25):  # what a page sending more clicks reaches, if anything
        name.value = f"Someone {number}"
        start.click()
    assert [p.name for p in store.participants(code)] == ["Ada Quill"]


def test_the_worksheet_form_claims_with_an_invite_code(store, imported):
    _workshop, codes = imported
    app = worksheet_app("01_self_assessment", lambda s: widgets.HTML(), store=store, environ={})
    find_widget(app, widgets.Text, "Invite code").value = codes["bo@example.org"]
    find_widget(app, widgets.Button, "Start").click()
    assert app.session.participant.email == "bo@example.org"


def test_the_dashboard_issues_invite_codes_with_a_mail_merge_download(store, roster_file):
    access = create_workshop(store, "Spring cohort")
    import_roster(store, access.workshop, "participants", roster_file)
    sign_in(store, access.workshop.code, "Walk In")
    session = FacilitatorSession(store, access.workshop, Notice())
    view = DashboardView(session)
    assert "invited, not signed in yet" in view.roster.value
    assert "signed in · joined on the day" in view.roster.value
    panel = view.people
    assert "Walk In (joined on the day)" in [label for label, _ in panel.person.options]
    panel.person.value = store.find_participant(access.workshop.code, "ada@example.org").id
    panel.invite.click()
    shown = re.search(r'mentorkit-invite-code">([^<]+)<', panel.outcome.value)[1]
    assert 'download="invites.csv"' in panel.outcome.value
    assert claim_invite(store, shown).participant.name == "Ada Quill"

    panel.invite_all.click()  # asks first: nothing issued yet
    assert "to the 1 rostered participant who" in panel.question.value
    assert panel.outcome.value == ""
    panel.confirm.click()
    assert "Issued 1 new invite codes" in panel.outcome.value
    assert 'download="invites.xlsx"' in panel.outcome.value
