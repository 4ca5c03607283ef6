"""Backups, restores, workshop deletion and participant erasure on SQLite and PostgreSQL.

The round trip goes SQLite → PostgreSQL → SQLite and compares everything at every step.
PostgreSQL needs MENTORKIT_TEST_PG (e.g. postgresql+psycopg:///mentorkit_test); without it
those tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mentorkit import store as store_module
from mentorkit.access import hash_secret, verify_secret
from mentorkit.backup import (
    BackupError,
    backup_workshop,
    read_backup,
    restore_backup,
    write_backup,
)
from mentorkit.catalog import load_framework
from mentorkit.errors import ConflictError, NotFound, StoreError
from mentorkit.identity import (
    SignInError,
    claim_mentor_invite,
    mentor_resume,
    reset_mentor_invite_codes,
    resume,
    sign_in,
)
from mentorkit.mentoring import MentorNote, NoteKind, Side, SuggestionAnswer, confirm, suggest
from mentorkit.models import (
    ActionItem,
    CheckIn,
    MentoringAgreement,
    MentoringPreferences,
    MentorMatch,
    MentorProfile,
    MentorShortlist,
    Participant,
    PlanSharing,
    ProgressSharing,
    SelfAssessment,
    ShortlistEntry,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
    Workshop,
)
from mentorkit.store import (
    DocumentKey,
    MatchDecision,
    SqlStore,
    StoredMentorSurvey,
    open_store,
)
from mentorkit.testing import sign_in_rostered

FRAMEWORK = load_framework()
FACILITATOR_KEY = "facilitator-key-for-the-backup-tests"
#: A backup written by mentorkit 0.1.0 in format 1, before backups carried match decisions.
FORMAT_1_BACKUP = Path(__file__).parents[1] / "unit" / "data" / "backup-format-1.jsonl"
#: A backup written in format 5 (a mentor who signed in, an agreement entry, a mentor's
#: note), before backups carried mentors' survey answers.
FORMAT_5_BACKUP = Path(__file__).parents[1] / "unit" / "data" / "backup-format-5.jsonl"

#: Text that has broken storage, JSON and line-based formats elsewhere: markup, quotes,
#: SQL, a line and a paragraph separator (JSON Lines readers that split on them break),
#: right-to-left text, combining marks, emoji with joiners, a byte order mark, and a
#: character outside the Basic Multilingual Plane.
HOSTILE_TEXTS = [
    "<img src=x onerror=alert(1)> & \"quotes\" 'single' `back`",
    "Robert'); DROP TABLE document_history;--",
    "line one\u2028line two\u2029paragraph",
    "שלום עולם مرحبا بالعالم",
    "e\u0301 ñ ü ß Ωmega 😀 👩\u200d👩\u200d👧 \ufeff 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    '{"type": "end"}\n{"type": "header"}',
    '=HYPERLINK("http://evil")\t+1 -1 @SUM',
]


# ---------------------------------------------------------------------------------------
# Fixtures


def fill_workshop(store: SqlStore, name: str = "Spring cohort") -> dict[str, object]:
    """A workshop with mentors, participants (some signed in), documents saved several
    times each, hostile text in every free-text field, and pairs locked and forbidden for
    the matching (one of them about somebody who never signed in); returns the codes
    handed out."""
    workshop = Workshop(
        name=f"{name} {HOSTILE_TEXTS[3]}",
        description="\n".join(HOSTILE_TEXTS),
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 6, 30),
        framework=FRAMEWORK,
    )
    store.create_workshop(workshop, hash_secret(FACILITATOR_KEY))
    competency = next(iter(FRAMEWORK.competencies()))
    mentors = [
        MentorProfile(
            name=f"Mentor {i} {HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)][:40]}",
            email=f"mentor{i}@example.org",
            expertise=[competency],
            capacity=2,
            bio=HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)],
        )
        for i in range(3)
    ]
    people = [
        Participant(name="Zoë Ångström", email="zoe@example.org", department=HOSTILE_TEXTS[1]),
        Participant(name="Amelia Hartley", email="amelia@example.org"),
        Participant(name="Борис Пастернак", email="boris@example.org"),
    ]
    store.import_roster(workshop.code, mentors=mentors, participants=people)
    codes = {}
    for person in people[:2]:
        codes[person.id] = sign_in_rostered(store, workshop.code, person.email).new_resume_code
    walk_in = sign_in(store, workshop.code, "Walk-in 😀 Person")
    codes[walk_in.participant.id] = walk_in.new_resume_code
    signed_in = [*people[:2], walk_in.participant]
    for number, person in enumerate(signed_in):
        texts = HOSTILE_TEXTS[number:] + HOSTILE_TEXTS[:number]
        save_revisions(
            store,
            DocumentKey(workshop.code, person.id, "self_assessment"),
            [
                SelfAssessment(
                    career_goal=text,
                    values=["Curiosity", "Ünïcödé"],
                    growth_areas=[competency],
                    preferences=MentoringPreferences(time_zone="Europe/Berlin"),
                )
                for text in texts[:4]
            ],
        )
        for goal in ("goal-1", "goal-2", "goal-10"):
            save_revisions(
                store,
                DocumentKey(workshop.code, person.id, "smart_goal", goal),
                [SmartGoal(title=f"{goal} {text[:60]}", specific=text) for text in texts[:3]],
            )
        save_revisions(
            store,
            DocumentKey(workshop.code, person.id, "check_in", "2026-04-01"),
            [
                CheckIn(
                    met_on=date(2026, 4, 1),
                    learned=texts[0],
                    action_items=[ActionItem(text=texts[1][:300])],
                )
            ],
        )
    first = signed_in[0]
    save_revisions(
        store,
        DocumentKey(workshop.code, first.id, "mentor_shortlist"),
        [
            MentorShortlist(
                entries=[ShortlistEntry(mentor_email="mentor1@example.org", note=HOSTILE_TEXTS[0])]
            )
        ],
    )
    save_revisions(
        store,
        DocumentKey(workshop.code, first.id, "mentor_match"),
        [
            MentorMatch(
                mentor_email="mentor1@example.org",
                score=0.1 + 0.2,  # a float that does not print short
                reasons=HOSTILE_TEXTS[2],
                introduction=HOSTILE_TEXTS[4],
                published_on=date(2026, 4, 2),
            )
        ],
    )
    save_revisions(
        store,
        DocumentKey(workshop.code, first.id, "plan_sharing"),
        [PlanSharing(shared=True), PlanSharing(shared=False)],
    )
    for person, mentor_email, decision in (
        (first, "mentor1@example.org", "lock"),
        (first, "mentor2@example.org", "forbid"),
        (signed_in[1], "mentor0@example.org", "forbid"),
        (people[2], "mentor0@example.org", "lock"),
    ):
        store.decide_match(workshop.code, person.id, mentor_email, decision)
    # Mentor 0 has signed in, mentor 1 holds an invite code, mentor 2 wrote their own profile.
    invites = reset_mentor_invite_codes(store, workshop.code, [m.email for m in mentors[:2]])
    mentor_code = claim_mentor_invite(store, invites[mentors[0].email]).new_resume_code
    own = mentors[2].model_copy(update={"bio": HOSTILE_TEXTS[0], "open_to_new_mentees": False})
    store.save_mentor_profile(workshop.code, own)
    # The first participant's agreement: both confirmed, then a suggestion, answered.
    terms = MentoringAgreement(mentor_email="mentor1@example.org", boundaries=HOSTILE_TEXTS[1])
    monday = datetime(2026, 4, 6, 9, tzinfo=UTC)
    idea = suggest(
        terms,
        terms.model_copy(update={"meeting_minutes": 45}),
        by=mentors[1].name,
        note=HOSTILE_TEXTS[2],
        at=monday + timedelta(days=1),
    )
    for entry in (
        confirm(terms, Side.MENTEE, first.name, at=monday),
        confirm(terms, Side.MENTOR, mentors[1].name, at=monday + timedelta(hours=2)),
        idea,
        SuggestionAnswer(suggested_at=idea.at, accepted=False, by=first.name, at=idea.at),
    ):
        store.add_agreement_entry(workshop.code, first.id, entry)
    # Mentor 1 (paired with the first participant by a lock above) comments and acts.
    store.save(
        DocumentKey(workshop.code, first.id, "progress_sharing"),
        ProgressSharing(shared=["goal-1"]),
        expected_revision=0,
    )
    for note in (
        MentorNote(item="goal-1", text=HOSTILE_TEXTS[3], by=mentors[1].name, at=monday),
        MentorNote(
            kind=NoteKind.ACTION, text="Intro 😀", due_on=date(2026, 4, 20), by="M", at=monday
        ),
    ):
        store.add_mentor_note(workshop.code, "mentor1@example.org", first.id, note)
    # Mentors answer the feedback surveys (saved out of the backup's order): mentor 0 both,
    # the end survey with a draft of what did not validate; mentor 2 the mid one.
    for email, kind, answers in (
        (
            mentors[2].email,
            SurveyKind.MID,
            SurveyAnswers(met_as_agreed=7, comments=HOSTILE_TEXTS[5]),
        ),
        (
            mentors[0].email,
            SurveyKind.END,
            SurveyAnswers(
                useful=9,
                would_recommend=0,
                comments="\n".join(HOSTILE_TEXTS),
                draft={"met_as_agreed": HOSTILE_TEXTS[2], "comments.0": [HOSTILE_TEXTS[4]]},
            ),
        ),
        (mentors[0].email, SurveyKind.MID, SurveyAnswers()),
    ):
        store.save_mentor_survey(workshop.code, email, kind, answers)
    return {
        "code": workshop.code,
        "resume_codes": codes,
        "mentor_codes": {mentors[0].email: mentor_code},
        "mentor_invites": {mentors[1].email: invites[mentors[1].email]},
        "mentors": mentors,
    }


def save_revisions(store: SqlStore, key: DocumentKey, documents: list) -> None:
    for revision, document in enumerate(documents):
        store.save(key, document, expected_revision=revision)


def everything(store: SqlStore, code: str) -> dict[str, object]:
    """All a workshop holds, read through the ordinary interface (not the backup code)."""
    documents = store.list(code)
    return {
        "workshop": store.workshop(code),
        "facilitator_key_hash": store.facilitator_key_hash(code),
        "mentors": store.mentors(code),
        "participants": store.participants(code),
        "resume_code_hashes": {
            p.id: store.resume_code_hash(code, p.id) for p in store.participants(code)
        },
        "match_decisions": store.match_decisions(code),
        "mentors_signed_in": store.mentors_signed_in(code),
        "mentors_invited": store.mentors_invited(code),
        "agreement_entries": {
            p.id: store.agreement_entries(code, p.id) for p in store.participants(code)
        },
        "mentor_notes": {
            p.id: [(n.mentor_email, n.note) for n in store.mentor_notes(code, p.id)]
            for p in store.participants(code)
        },
        "mentor_surveys": {
            (m.email, kind): store.mentor_survey(code, m.email, kind)
            for m in store.mentors(code)
            for kind in SurveyKind
        },
        "documents": [(s.key, s.revision, s.saved_at, s.document) for s in documents],
        "history": {
            s.key: [(h.revision, h.saved_at, h.document) for h in store.history(s.key)]
            for s in documents
        },
    }


def table_rows(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in store_module.metadata.sorted_tables
                if table.name != "mentorkit_schema"
            }
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------
# Round trip


@pytest.mark.postgres
def test_a_workshop_backed_up_from_sqlite_restores_into_postgresql_and_back_identically(
    tmp_path: Path, empty_pg: str
):
    urls = [
        f"sqlite:///{tmp_path / 'first.db'}",
        empty_pg,
        f"sqlite:///{tmp_path / 'last.db'}",
    ]
    with open_store(urls[0]) as first:
        filled = fill_workshop(first)
        code = str(filled["code"])
        expected = everything(first, code)
        backup_workshop(first, code, tmp_path / "0.jsonl")
    # Each signed-in person, and the first: a shortlist, a match, plan and progress sharing.
    assert len(expected["documents"]) == 3 * 5 + 4
    assert sum(len(revisions) for revisions in expected["history"].values()) == 3 * 14 + 5
    assert [d.decision for d in expected["match_decisions"]] == ["lock", "forbid", "forbid", "lock"]
    answered = {key: answers for key, answers in expected["mentor_surveys"].items() if answers}
    assert len(answered) == 3
    assert answered["mentor0@example.org", SurveyKind.END].draft, "a draft travels too"

    for step, url in enumerate(urls[1:], start=1):
        with open_store(url) as target:
            restore_backup(target, tmp_path / f"{step - 1}.jsonl")
            assert everything(target, code) == expected, f"step {step}: {url}"
            backup_workshop(target, code, tmp_path / f"{step}.jsonl")
        assert (tmp_path / f"{step}.jsonl").read_bytes() == (tmp_path / "0.jsonl").read_bytes()

    with open_store(urls[-1]) as last:
        # Everyone can go on: resume codes and the facilitator key still work.
        for participant_id, resume_code in dict(filled["resume_codes"]).items():
            assert resume(last, resume_code).participant.id == participant_id
        # Mentors too: a signed-in mentor's resume code, another's unused invite code, and
        # a profile a mentor wrote themselves stays theirs when the roster comes again.
        for email, mentor_code in dict(filled["mentor_codes"]).items():
            assert mentor_resume(last, mentor_code).mentor.email == email
        for email, invite in dict(filled["mentor_invites"]).items():
            assert claim_mentor_invite(last, invite).mentor.email == email
        assert last.import_roster(code, mentors=list(filled["mentors"])).kept == 1
        assert verify_secret(FACILITATOR_KEY, last.facilitator_key_hash(code))
        # And go on saving where they left off.
        key = expected["documents"][0][0]
        latest = last.load(key)
        last.save(key, latest.document, expected_revision=latest.revision)
        with pytest.raises(ConflictError):
            last.save(key, latest.document, expected_revision=latest.revision)


def test_the_backup_keeps_the_workshops_creation_time_and_every_timestamp(
    store: SqlStore, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    backup_workshop(store, code, tmp_path / "b.jsonl")
    with store.read_workshop(code) as original:
        created_at = original.created_at
        decisions = original.decisions
        surveys = original.mentor_surveys
        history = list(original.history)
    store.delete_workshop(code)
    restore_backup(store, tmp_path / "b.jsonl")
    with store.read_workshop(code) as restored:
        assert restored.created_at == created_at
        assert restored.decisions == decisions and len(decisions) == 4
        assert restored.mentor_surveys == surveys and len(surveys) == 3
        assert all(s.saved_at.tzinfo is not None for s in surveys)
        assert list(restored.history) == history


# ---------------------------------------------------------------------------------------
# Refusals: nothing is half-written


def test_restoring_a_workshop_the_database_has_is_refused_and_changes_nothing(
    store: SqlStore, db_url: str, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    backup_workshop(store, code, tmp_path / "b.jsonl")
    before = table_rows(db_url)
    with pytest.raises(StoreError, match=f"already has a workshop with join code {code}"):
        restore_backup(store, tmp_path / "b.jsonl")
    assert table_rows(db_url) == before


def test_a_backup_damaged_near_its_end_restores_nothing(
    store: SqlStore, db_url: str, tmp_path: Path
):
    """The checksum is checked after the last revision, so the rows before it are written
    first: they must all be rolled back."""
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    lines = path.read_bytes().splitlines(keepends=True)
    # A revision that still reads as valid: only the checksum can tell.
    damaged = max(n for n, line in enumerate(lines) if b'"shared":false' in line)
    assert lines[damaged].startswith(b'{"type":"revision"')
    lines[damaged] = lines[damaged].replace(b'"shared":false', b'"shared":true')
    path.write_bytes(b"".join(lines))
    with pytest.raises(BackupError, match=rf"line {len(lines)}: the checksum"):
        restore_backup(store, path)
    assert set(table_rows(db_url).values()) == {0}


def test_a_backup_cut_short_restores_nothing_and_names_the_line(
    store: SqlStore, db_url: str, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    data = path.read_bytes()
    lines = data.count(b"\n")
    path.write_bytes(data[: len(data) - len(data.splitlines()[-1]) - 1])  # no closing line
    with pytest.raises(BackupError, match=rf"line {lines - 1}: the file ends here"):
        restore_backup(store, path)
    assert set(table_rows(db_url).values()) == {0}


def test_a_participant_id_another_workshop_uses_refuses_the_whole_restore(
    store: SqlStore, db_url: str, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    backup_workshop(store, code, tmp_path / "b.jsonl")
    with store.read_workshop(code) as snapshot:
        someone = snapshot.participants[0].participant
    store.delete_workshop(code)
    other = Workshop(name="Other", framework=FRAMEWORK)
    store.create_workshop(other, "hash")
    store.import_roster(other.code, participants=[someone])
    before = table_rows(db_url)
    same_id = f"Workshop {other.code} in this database already has a participant with the same id"
    with pytest.raises(StoreError, match=re.escape(same_id)):
        restore_backup(store, tmp_path / "b.jsonl")
    assert table_rows(db_url) == before


def test_a_resume_code_another_workshop_uses_refuses_the_whole_restore(
    store: SqlStore, db_url: str, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    backup_workshop(store, code, tmp_path / "b.jsonl")
    with store.read_workshop(code) as snapshot:
        code_hash = next(r.resume_code_hash for r in snapshot.participants if r.resume_code_hash)
    store.delete_workshop(code)
    other = Workshop(name="Other", framework=FRAMEWORK)
    store.create_workshop(other, "hash")
    someone_else = Participant(name="Someone Else")
    store.add_participant(other.code, someone_else)
    store.set_resume_code_hash(other.code, someone_else.id, code_hash)
    before = table_rows(db_url)
    with pytest.raises(StoreError, match="with the same resume code as one in the backup"):
        restore_backup(store, tmp_path / "b.jsonl")
    assert table_rows(db_url) == before


NOW = datetime(2026, 4, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"participant": "0" * 32},
            r"participant 0{32} is not on the workshop's roster",
        ),
        (
            {"mentor": "nobody@example.org"},
            r"mentor nobody@example\.org is not on the workshop's roster",
        ),
        ({"decision": "prefer"}, r"a pair is locked or forbidden, not 'prefer'"),
        ({"decided_at": datetime(2026, 4, 1, 10)}, r"the time of the decision has no time zone"),
        ({"mentor": "mentor2@example.org"}, r"the pair is decided twice"),
        (
            {"decision": "lock"},
            r"the participant is locked to mentor mentor1@example\.org already",
        ),
    ],
    ids=[
        "unknown participant",
        "unknown mentor",
        "unknown decision",
        "time without zone",
        "a pair twice",
        "two locks",
    ],
)
def test_a_bad_matching_decision_refuses_the_whole_restore_and_writes_nothing(
    store: SqlStore, db_url: str, tmp_path: Path, extra: dict[str, object], message: str
):
    """The store checks the decisions it restores itself, whoever built the snapshot: here
    one more decision about the first participant (who locked mentor1, forbade mentor2)."""
    filled = fill_workshop(store)
    code = str(filled["code"])
    first = next(iter(dict(filled["resume_codes"])))
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    before = table_rows(db_url)
    decided = MatchDecision(first, "mentor0@example.org", "forbid", NOW)
    with read_backup(path) as snapshot:
        spoiled = dataclasses.replace(
            snapshot, decisions=(*snapshot.decisions, dataclasses.replace(decided, **extra))
        )
        with pytest.raises(StoreError, match=message) as refused:
            store.restore_workshop(spoiled)
    assert "The matching decision about participant" in str(refused.value)
    assert str(refused.value).endswith("Nothing was restored.")
    assert table_rows(db_url) == before
    with pytest.raises(NotFound):
        store.workshop(code)


def test_a_backup_of_format_1_restores_without_decisions_and_backs_up_in_the_new_format(
    store: SqlStore, tmp_path: Path
):
    workshop, counts = restore_backup(store, FORMAT_1_BACKUP)
    assert (counts.participants, counts.documents, counts.revisions, counts.decisions) == (
        1,
        1,
        2,
        0,
    )
    assert store.match_decisions(workshop.code) == []
    ines = store.participants(workshop.code)[0].id
    store.decide_match(workshop.code, ines, "maya@example.org", "forbid")
    backup_workshop(store, workshop.code, tmp_path / "now.jsonl")
    store.delete_workshop(workshop.code)
    restore_backup(store, tmp_path / "now.jsonl")
    assert [
        (d.participant, d.mentor, d.decision) for d in store.match_decisions(workshop.code)
    ] == [(ines, "maya@example.org", "forbid")]
    assert all(d.decided_at.tzinfo is UTC for d in store.match_decisions(workshop.code))
    assert counts.mentor_surveys == 0


# ---------------------------------------------------------------------------------------
# Mentors' survey answers


def survey_lines(lines: list[bytes]) -> list[int]:
    """The indexes of the mentor survey lines, in file order."""
    return [i for i, line in enumerate(lines) if line.startswith(b'{"type":"mentor_survey"')]


def changed(line: bytes, **fields: object) -> bytes:
    return json.dumps({**json.loads(line), **fields}, ensure_ascii=False).encode() + b"\n"


def sealed(lines: list[bytes]) -> list[bytes]:
    """`lines` with the closing line's checksum made to match them again, as a backup
    written that way (by a faulty writer, or edited with care) would have it."""
    *body, end = lines
    return [*body, changed(end, sha256=hashlib.sha256(b"".join(body)).hexdigest())]


def test_mentors_survey_answers_are_lines_of_their_own_by_mentor_and_survey(
    store: SqlStore, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    _, counts = backup_workshop(store, code, path)
    lines = path.read_bytes().splitlines(keepends=True)
    found = [json.loads(line) for line in lines]
    types = [record["type"] for record in found]
    surveys = [record for record in found if record["type"] == "mentor_survey"]
    # After the notes, before the documents; counted on the closing line.
    assert types.index("mentor_survey") == types.index("note") + types.count("note")
    assert types.index("document") == types.index("mentor_survey") + len(surveys)
    assert found[0]["format_version"] == 6
    assert found[-1]["counts"]["mentor_surveys"] == counts.mentor_surveys == 3
    assert [(r["mentor"], r["survey"]) for r in surveys] == [
        ("mentor0@example.org", "end"),
        ("mentor0@example.org", "mid"),
        ("mentor2@example.org", "mid"),
    ]
    assert all(list(r) == ["type", "mentor", "survey", "saved_at", "body"] for r in surveys)
    assert all(r["saved_at"].endswith("+00:00") for r in surveys)
    for record in surveys:
        assert list(record["body"]) == sorted(record["body"]), "the body is canonical"
        stored = store.mentor_survey(code, record["mentor"], SurveyKind(record["survey"]))
        assert SurveyAnswers.model_validate(record["body"]) == stored
    end = surveys[0]["body"]
    assert end["draft"]["met_as_agreed"] == HOSTILE_TEXTS[2]
    assert HOSTILE_TEXTS[1] in end["comments"] and "\u2028" in end["comments"]


@pytest.mark.postgres
def test_mentors_survey_answers_give_the_same_bytes_from_sqlite_and_postgresql(
    tmp_path: Path, empty_pg: str
):
    """Restored into a fresh store of the other kind and backed up again, byte for byte."""
    with open_store(f"sqlite:///{tmp_path / 'a.db'}") as first:
        code = str(fill_workshop(first)["code"])
        backup_workshop(first, code, tmp_path / "a.jsonl")
    with open_store(empty_pg) as second:
        _, counts = restore_backup(second, tmp_path / "a.jsonl")
        assert counts.mentor_surveys == 3
        backup_workshop(second, code, tmp_path / "b.jsonl")
    assert (tmp_path / "b.jsonl").read_bytes() == (tmp_path / "a.jsonl").read_bytes()
    assert b'"type":"mentor_survey"' in (tmp_path / "b.jsonl").read_bytes()


def test_a_backup_of_format_5_restores_without_survey_answers_and_the_next_carries_them(
    store: SqlStore, tmp_path: Path
):
    workshop, counts = restore_backup(store, FORMAT_5_BACKUP)
    assert (counts.mentors, counts.decisions, counts.agreement_entries, counts.notes) == (
        1,
        1,
        1,
        1,
    )
    assert counts.mentor_surveys == 0
    code = workshop.code
    (maya,) = store.mentors(code)
    assert store.mentor_survey(code, maya.email, SurveyKind.END) is None
    # Answered after the restore, and carried by the next backup (in format 6).
    answers = SurveyAnswers(useful=8, comments=HOSTILE_TEXTS[0])
    store.save_mentor_survey(code, maya.email, SurveyKind.END, answers)
    backup_workshop(store, code, tmp_path / "now.jsonl")
    store.delete_workshop(code)
    _, counts = restore_backup(store, tmp_path / "now.jsonl")
    assert (counts.notes, counts.mentor_surveys) == (1, 1)
    assert store.mentor_survey(code, maya.email, SurveyKind.END) == answers


def assert_restores_nothing(store: SqlStore, db_url: str, path: Path, message: str) -> None:
    with pytest.raises(BackupError, match=message) as refused:
        restore_backup(store, path)
    assert str(refused.value).endswith("Nothing was restored.")
    assert set(table_rows(db_url).values()) == {0}


def test_a_survey_answers_line_in_a_backup_of_format_5_is_refused(
    store: SqlStore, db_url: str, tmp_path: Path
):
    lines = FORMAT_5_BACKUP.read_bytes().splitlines(keepends=True)
    documents = next(i for i, line in enumerate(lines) if line.startswith(b'{"type":"document"'))
    survey = {
        "type": "mentor_survey",
        "mentor": "maya@example.org",
        "survey": "end",
        "saved_at": "2026-04-01T10:00:00+00:00",
        "body": SurveyAnswers(useful=8).model_dump(mode="json"),
    }
    line = json.dumps(survey).encode() + b"\n"
    path = tmp_path / "format-5.jsonl"
    path.write_bytes(b"".join(sealed([*lines[:documents], line, *lines[documents:]])))
    assert_restores_nothing(
        store,
        db_url,
        path,
        rf"line {documents + 1}: a 'mentor_survey' record in a backup of format 5, which has none",
    )


#: How a refusal names the first survey answers line of `fill_workshop`'s backup.
ANSWERS_OF_MENTOR_0 = r"the answers of mentor mentor0@example\.org to the 'end' survey are "


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"mentor": "nobody@example.org"},
            r"the answers of mentor nobody@example\.org to the 'end' survey name a mentor who "
            r"is not in the backup's mentors",
        ),
        ({"survey": "midterm"}, r"mentor_survey record: Survey"),
        ({"survey": None}, r"mentor_survey record: Survey"),
        ({"saved_at": "2026-04-01T10:00:00"}, r"mentor_survey record: Saved at"),
        ({"mentor": ""}, r"mentor_survey record: Mentor"),
        ({"participant": "0" * 32}, r"mentor_survey record: "),
        ({"body": {"useful": 11}}, ANSWERS_OF_MENTOR_0 + r"not valid: The mentoring is useful"),
        ({"body": {"feedback": "x"}}, ANSWERS_OF_MENTOR_0 + r"not valid: feedback"),
        ({"body": {"comments": "x" * 2001}}, ANSWERS_OF_MENTOR_0 + r"not valid: Comments"),
    ],
    ids=[
        "unknown mentor",
        "unknown survey",
        "no survey",
        "time without zone",
        "empty mentor",
        "unknown field",
        "score out of range",
        "unknown answer",
        "comments too long",
    ],
)
def test_a_bad_survey_answers_line_refuses_the_whole_restore_naming_it(
    store: SqlStore, db_url: str, tmp_path: Path, change: dict[str, object], message: str
):
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    lines = path.read_bytes().splitlines(keepends=True)
    first = survey_lines(lines)[0]
    lines[first] = changed(lines[first], **change)
    path.write_bytes(b"".join(sealed(lines)))
    assert_restores_nothing(store, db_url, path, rf"line {first + 1}: {message}")


def test_survey_answers_twice_out_of_order_or_out_of_place_are_refused(
    store: SqlStore, db_url: str, tmp_path: Path
):
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    lines = path.read_bytes().splitlines(keepends=True)
    first, second, third = survey_lines(lines)
    documents = third + 1
    for spoiled, message in (
        (
            [*lines[:second], lines[first], *lines[second:]],
            rf"line {second + 1}: the answers of mentor mentor0@example\.org to the 'end' "
            r"survey are listed twice \(a mentor answers a survey once\)",
        ),
        (
            [*lines[:first], lines[second], lines[first], *lines[third:]],
            rf"line {second + 1}: the answers of mentor mentor0@example\.org to the 'end' "
            r"survey are out of order",
        ),
        (
            [*lines[:first], lines[third], lines[first], lines[second], *lines[documents:]],
            rf"line {second + 1}: the answers of mentor mentor0@example\.org to the 'end' "
            r"survey are out of order",
        ),
        (
            [
                *lines[:first],
                *lines[second:documents],
                lines[documents],
                lines[first],
                *lines[documents + 1 :],
            ],
            rf"line {documents + 1}: a 'mentor_survey' record out of place",
        ),
        (
            [*lines[:first], *lines[second:]],
            r"the closing line counts .*, 3 mentors' survey answers, .* but the file holds "
            r".*, 2 mentors' survey answers,",
        ),
    ):
        path.write_bytes(b"".join(sealed(spoiled)))
        assert_restores_nothing(store, db_url, path, message)


ANSWERS = SurveyAnswers(useful=8, comments=HOSTILE_TEXTS[0])


@pytest.mark.parametrize(
    ("survey", "message"),
    [
        (
            StoredMentorSurvey("nobody@example.org", SurveyKind.MID, ANSWERS, NOW),
            r"mentor nobody@example\.org is not on the workshop's roster",
        ),
        (
            StoredMentorSurvey("mentor0@example.org", SurveyKind.END, ANSWERS, NOW),
            r"the mentor answers this survey twice",
        ),
        (
            StoredMentorSurvey("mentor1@example.org", "midterm", ANSWERS, NOW),  # type: ignore[arg-type]
            r"the survey is one of mid, end, not 'midterm'",
        ),
        (
            StoredMentorSurvey(
                "mentor1@example.org", SurveyKind.END, ANSWERS, NOW.replace(tzinfo=None)
            ),
            r"the time they were saved has no time zone",
        ),
        (
            StoredMentorSurvey(
                "mentor1@example.org", SurveyKind.END, SurveyAnswers.model_construct(useful=99), NOW
            ),
            r"they are not valid: The mentoring is useful",
        ),
    ],
    ids=["unknown mentor", "twice", "unknown survey", "time without zone", "invalid answers"],
)
def test_bad_survey_answers_refuse_the_whole_restore_and_write_nothing(
    store: SqlStore, db_url: str, tmp_path: Path, survey: StoredMentorSurvey, message: str
):
    """The store checks the survey answers it restores itself, whoever built the snapshot."""
    code = str(fill_workshop(store)["code"])
    path = tmp_path / "b.jsonl"
    backup_workshop(store, code, path)
    store.delete_workshop(code)
    before = table_rows(db_url)
    with read_backup(path) as snapshot:
        spoiled = dataclasses.replace(snapshot, mentor_surveys=(*snapshot.mentor_surveys, survey))
        with pytest.raises(StoreError, match=message) as refused:
            store.restore_workshop(spoiled)
    assert str(refused.value).startswith(f"The answers of mentor {survey.mentor_email} to")
    assert str(refused.value).endswith("Nothing was restored.")
    assert table_rows(db_url) == before
    with pytest.raises(NotFound):
        store.workshop(code)


# ---------------------------------------------------------------------------------------
# Deleting a workshop, erasing a participant


def test_deleting_a_workshop_removes_every_row_under_it_and_nothing_else(
    store: SqlStore, db_url: str
):
    code = str(fill_workshop(store, "First")["code"])
    kept = str(fill_workshop(store, "Second")["code"])
    kept_before = everything(store, kept)
    store.delete_workshop(code)
    with pytest.raises(NotFound):
        store.workshop(code)
    assert everything(store, kept) == kept_before
    with store.read_workshop(kept) as snapshot:
        kept_rows = 1 + len(snapshot.mentors) + len(snapshot.participants)
        kept_rows += len(snapshot.decisions) + len(snapshot.documents)
        kept_rows += len(snapshot.agreement) + len(snapshot.notes)
        kept_rows += len(snapshot.mentor_surveys)
        kept_rows += sum(1 for _ in snapshot.history)
    assert sum(table_rows(db_url).values()) == kept_rows


def test_erasing_a_participant_removes_their_rows_and_code_and_nobody_elses(
    store: SqlStore, db_url: str
):
    filled = fill_workshop(store)
    code = str(filled["code"])
    resume_codes = dict(filled["resume_codes"])
    erased, *others = resume_codes
    others_before = {
        pid: [(s.key, s.revision, s.document) for s in store.list(code, participant=pid)]
        for pid in others
    }
    rows_before = table_rows(db_url)
    with store.read_workshop(code, participant=erased) as theirs:
        their_documents = len(theirs.documents)
        their_decisions = theirs.decisions
        their_revisions = sum(1 for _ in theirs.history)
    assert [d.participant for d in their_decisions] == [erased, erased]
    others_decisions = [d for d in store.match_decisions(code) if d.participant != erased]
    store.erase_participant(code, erased)
    assert store.list(code, participant=erased) == []
    with pytest.raises(NotFound):
        store.participant(code, erased)
    with pytest.raises(SignInError, match="not known"):
        resume(store, resume_codes[erased])
    for pid in others:
        assert [
            (s.key, s.revision, s.document) for s in store.list(code, participant=pid)
        ] == others_before[pid]
        assert resume(store, resume_codes[pid]).participant.id == pid
    rows_after = table_rows(db_url)
    assert rows_after["participants"] == rows_before["participants"] - 1
    assert rows_after["documents"] == rows_before["documents"] - their_documents
    assert rows_after["document_history"] == rows_before["document_history"] - their_revisions
    assert rows_after["match_decisions"] == rows_before["match_decisions"] - len(their_decisions)
    # Mentors' survey answers are the mentors': erasing a participant leaves them.
    assert rows_after["mentor_surveys"] == rows_before["mentor_surveys"] == 3
    assert store.match_decisions(code) == others_decisions
    with pytest.raises(NotFound):
        store.erase_participant(code, erased)


def test_merging_participants_leaves_the_mentors_survey_answers(store: SqlStore):
    filled = fill_workshop(store)
    code = str(filled["code"])
    keep, absorb, _ = dict(filled["resume_codes"])
    before = everything(store, code)["mentor_surveys"]
    store.merge_participants(code, keep, absorb)
    assert everything(store, code)["mentor_surveys"] == before


# ---------------------------------------------------------------------------------------
# Consistency while people type


def test_a_backup_taken_while_people_save_is_one_consistent_state(
    store: SqlStore, db_url: str, tmp_path: Path
):
    """Every document's latest revision in the file is the last of its history, even while
    another connection keeps saving (the reader checks this, so restoring proves it)."""
    code = str(fill_workshop(store)["code"])
    with store.read_workshop(code) as snapshot:
        busy = snapshot.documents[0].key
    stop = threading.Event()
    saves: list[int] = []

    def keep_saving() -> None:
        with SqlStore(db_url) as writer:
            while not stop.is_set():
                latest = writer.load(busy)
                writer.save(busy, latest.document, expected_revision=latest.revision)
                saves.append(latest.revision + 1)

    def wait_for_saves(count: int) -> None:
        deadline = time.monotonic() + 60
        while len(saves) < count:
            assert saver.is_alive() and time.monotonic() < deadline, "the saves stopped"
            time.sleep(0.01)

    saver = threading.Thread(target=keep_saving)
    saver.start()
    try:
        paths = []
        for attempt in range(5):
            paths.append(tmp_path / f"{attempt}.jsonl")
            with store.read_workshop(code) as snapshot:
                # Saves land between reading the documents and streaming the history: a few
                # more than had landed when this snapshot began (one may have been under way).
                wait_for_saves(len(saves) + 3)
                write_backup(snapshot, paths[-1])
    finally:
        stop.set()
        saver.join()
    assert len(saves) >= 15
    with SqlStore(f"sqlite:///{tmp_path / 'check.db'}") as check:
        for path in paths:
            with read_backup(path) as snapshot:
                busy_latest = next(s for s in snapshot.documents if s.key == busy)
                # Saved on after this backup read its documents, before it read the history.
                assert busy_latest.revision < saves[-1]
            restore_backup(check, path)  # refuses a file whose latest and history disagree
            check.delete_workshop(code)
