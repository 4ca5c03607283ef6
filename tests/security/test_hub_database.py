"""A curious participant with code, on the shared JupyterHub: their kernel runs SQL and
Python against the database and the apps' folder and gets nothing of anyone else's.

One real hub (deploy/jupyterhub/jupyterhub_config.py, the dummy authenticator, every
server as this OS user) and the real PostgreSQL of MENTORKIT_TEST_PG, for the whole module.
Each attack is what a participant could type in JupyterLab, sent the way JupyterLab sends
it: `POST /user/<name>/api/kernels` with their token, then an execute_request on the
kernel's websocket.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hub_harness import ROOT, Hub, admin_database_url, running_hub

from mentorkit import pg_access
from mentorkit.access import hash_secret
from mentorkit.mentoring import Answerer
from mentorkit.models import (
    CheckIn,
    MentoringAgreement,
    MentorProfile,
    MentorShortlist,
    Participant,
    ProgressSharing,
    SelfAssessment,
    SentRequest,
    SmartGoal,
    SurveyAnswers,
    SurveyKind,
)
from mentorkit.store import DocumentKey, open_store
from mentorkit.workshops import create_workshop

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]

#: The participant whose answers the others try to reach, and the curious one.
AMELIA = "ahartley"
BRUNO = "bdiaz"
#: A participant who deletes her own data.
CLEO = "cmartin"
#: Someone who registers Amelia's email prefix on an open-sign-up hub.
LOOK_ALIKE = "amelia.hartley"
FACILITATOR = "facilitator"
#: A mentor, and her answer to Amelia's request.
MAYA = "maya.okafor@example.org"
MAYAS_REPLY = "Yes, Amelia: let us meet on Monday."
#: Maya's hub user: she signs in to the mentor's page as the hub's user, and her kernel is
#: the curious mentor's.
MAYA_HUB = "mokafor"
#: Another mentor, paired with Fay, asked by Eli; Maya reaches none of it.
NOAH = "noah.berg@example.org"
#: Something Amelia keeps to herself: in her unshared goal, her unshared check-in, the
#: ratings of her self-assessment and her drafts.
SECRET = "SECRET-" + uuid.uuid4().hex
NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Scene:
    """The workshop, the hub, and what Amelia wrote before anyone else came."""

    hub: Hub
    admin_url: str
    code: str
    facilitator_key: str
    amelia: str  # participant ids
    bruno: str
    amelia_goal: str
    dana: str  # asked Maya; waits for her answer
    eli: str  # asked Noah only
    fay: str  # paired with Noah, asked Maya too


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    admin_url = admin_database_url()
    store = open_store(admin_url)
    access = create_workshop(store, "Hub attack workshop")
    code = access.workshop.code
    try:
        amelia = Participant(name="Amelia Hartley", email=f"{LOOK_ALIKE}@example.org")
        bruno = Participant(name="Bruno Diaz", email="bruno.diaz@example.org")
        cleo = Participant(name="Cleo Martin", email="cleo.martin@example.org")
        dana, eli, fay = (
            Participant(name=f"{name} Test", email=f"{name.lower()}@example.org")
            for name in ("Dana", "Eli", "Fay")
        )
        store.import_roster(
            code,
            mentors=[
                MentorProfile(name="Maya Okafor", email=MAYA, capacity=2),
                MentorProfile(name="Noah Berg", email=NOAH, capacity=2),
            ],
            participants=[amelia, bruno, cleo, dana, eli, fay],
            hub_users={
                amelia.email or "": AMELIA,
                bruno.email or "": BRUNO,
                cleo.email or "": CLEO,
                MAYA: MAYA_HUB,
            },
        )
        _requests_and_progress(store, code, amelia, bruno, cleo, dana, eli, fay)
        # Maya declined Bruno's request and Cleo's: pairs the matching must never make.
        for declined in (bruno, cleo):
            store.decide_match(code, declined.id, MAYA, "forbid", answered_by=Answerer.MENTOR)
        # Maya accepted Amelia's request, with a reply that is Amelia's to read.
        store.decide_match(
            code, amelia.id, MAYA, "lock", answered_by=Answerer.MENTOR, reply=MAYAS_REPLY
        )
        goal = f"Amelia's private goal {uuid.uuid4().hex}"
        store.save(
            DocumentKey(code, amelia.id, "self_assessment"),
            SelfAssessment(career_goal=goal),
            expected_revision=0,
        )
        store.set_resume_code_hash(code, amelia.id, hash_secret("AMELIA-RESUME"))
        # Noah's own answers to the end survey: no other mentor, no participant reads them.
        store.save_mentor_survey(
            code, NOAH, SurveyKind.END, SurveyAnswers(useful=3, comments=f"Noah: {SECRET}")
        )
        with running_hub(
            tmp_path_factory.mktemp("attack-hub"), admin_url, code, newcomers=False
        ) as hub:
            yield Scene(
                hub,
                admin_url,
                code,
                access.facilitator_key,
                amelia.id,
                bruno.id,
                goal,
                dana.id,
                eli.id,
                fay.id,
            )
    finally:
        store.delete_workshop(code)
        store.close()


def _requests_and_progress(store: Any, code: str, *people: Participant) -> None:
    """Who asked whom (Amelia, Bruno, Cleo, Dana and Fay asked Maya; Eli asked Noah), Fay
    paired with Noah, and what Amelia shares with Maya (goal 1, meeting 1) and keeps."""
    amelia, _, _, dana, eli, fay = people
    at = datetime(2027, 1, 4, 9, tzinfo=UTC)
    for person in people:
        to = NOAH if person is eli else MAYA
        sent = SentRequest(mentor_email=to, message=f"Hello from {person.name}", sent_at=at)
        draft = {"entries.0.message": f"{SECRET} draft to someone else"}
        shortlist = MentorShortlist(requests=[sent], draft=draft)
        store.save(DocumentKey(code, person.id, "mentor_shortlist"), shortlist, expected_revision=0)
    store.decide_match(code, fay.id, NOAH, "lock")
    for name, title in (("goal-1", "Lead a project"), ("goal-2", f"{SECRET} salary talk")):
        key = DocumentKey(code, amelia.id, "smart_goal", name)
        store.save(key, SmartGoal(title=title), expected_revision=0)
    for name, learned in (("check-in-1", "Shared learning"), ("check-in-2", f"{SECRET} note")):
        key = DocumentKey(code, amelia.id, "check_in", name)
        store.save(key, CheckIn(met_on=date(2027, 1, 11), learned=learned), expected_revision=0)
    sharing = ProgressSharing(shared=["goal-1", "check-in-1"])
    store.save(DocumentKey(code, amelia.id, "progress_sharing"), sharing, expected_revision=0)
    terms = MentoringAgreement(mentor_email=MAYA, meeting_minutes=45, draft={"goals": SECRET})
    store.save(DocumentKey(code, amelia.id, "mentoring_agreement"), terms, expected_revision=0)
    assessment = SelfAssessment(
        ratings={"public-speaking": 1}, career_goal="Speak at a conference", draft={"x": SECRET}
    )
    store.save(DocumentKey(code, dana.id, "self_assessment"), assessment, expected_revision=0)


#: Run in a kernel: each SQL statement on the kernel's own MENTORKIT_DB, in its own
#: transaction; prints {name: {"rows": [...], "rowcount": n} or {"error": "..."}} as JSON.
#: Every transaction is rolled back: what a statement could do shows in its outcome, and
#: should a defence ever fail, the database other tests share is left as it was.
ATTEMPTS = """
import json, os
import sqlalchemy as sa

engine = sa.create_engine(os.environ["MENTORKIT_DB"])
results = {}
for name, statement in ATTACKS.items():
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = conn.execute(sa.text(statement), PARAMS)
            rows = [[str(v) for v in row] for row in result] if result.returns_rows else None
            results[name] = {"rows": rows, "rowcount": result.rowcount}
        except Exception as exc:
            results[name] = {"error": str(getattr(exc, "orig", exc)).splitlines()[0]}
        finally:
            transaction.rollback()
engine.dispose()
print(json.dumps(results))
"""


def attempt(hub: Hub, user: str, attacks: dict[str, str], params: dict[str, str]) -> dict:
    """Run `attacks` (name → SQL) in a kernel of `user`'s, with `params`."""
    code = f"ATTACKS = {attacks!r}\nPARAMS = {params!r}\n{ATTEMPTS}"
    return json.loads(hub.execute(user, code))


def refused(outcome: dict[str, Any]) -> bool:
    """Whether PostgreSQL refused the statement for lack of a right."""
    error = outcome.get("error", "")
    return any(words in error for words in ("permission denied", "must be owner", "must be super"))


def admin_scalar(scene: Scene, statement: str, **params: str) -> Any:
    engine = sa.create_engine(scene.admin_url)
    try:
        with engine.begin() as conn:
            return conn.execute(sa.text(statement), params).scalar()
    finally:
        engine.dispose()


def test_a_participants_kernel_holds_only_their_own_database_role(scene):
    printed = scene.hub.execute(BRUNO, "import json, os; print(json.dumps(dict(os.environ)))")
    environ = json.loads(printed)
    url = sa.make_url(environ["MENTORKIT_DB"])
    assert url.username == pg_access.role_name(BRUNO, scene.hub.role_prefix)
    everything = "\n".join(f"{k}={v}" for k, v in environ.items())
    assert "MENTORKIT_HUB_ADMIN_DB" not in everything
    assert scene.admin_url not in everything
    for other in (AMELIA, LOOK_ALIKE, FACILITATOR):
        assert pg_access.role_name(other, scene.hub.role_prefix) not in everything
    # The role is an ordinary login: no superuser, no role creation, no bypassing RLS.
    attributes = admin_scalar(
        scene,
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls FROM pg_roles "
        "WHERE rolname = :role",
        role=url.username,
    )
    assert attributes is False


def test_a_participant_with_sql_reaches_nothing_of_another_participant_nor_any_key_hash(scene):
    planted = hash_secret("a key Bruno chose")
    attacks = {
        "read_documents": "SELECT participant, body::text FROM documents WHERE workshop = :code",
        "read_history": "SELECT body::text FROM document_history WHERE participant = :amelia",
        "read_people": "SELECT id, email FROM participants WHERE workshop = :code",
        "overwrite_answer": 'UPDATE documents SET body = \'{"career_goal": "Bruno was here"}\''
        " WHERE participant = :amelia",
        "erase_amelia": "DELETE FROM participants WHERE id = :amelia",
        "read_facilitator_key_hash": "SELECT facilitator_key_hash FROM workshops",
        "read_all_workshop_columns": "SELECT * FROM workshops",
        "read_resume_hashes": "SELECT resume_code_hash FROM participants",
        "read_invite_hashes": "SELECT invite_code_hash FROM participants",
        "filter_on_resume_hash": "SELECT id FROM participants WHERE resume_code_hash IS NOT NULL",
        "read_mentor_hashes": "SELECT invite_code_hash, resume_code_hash FROM mentors",
        "read_all_mentor_columns": "SELECT * FROM mentors",
        "plant_a_mentor_code": "UPDATE mentors SET resume_code_hash = :planted",
        "edit_a_mentor_profile": "UPDATE mentors SET body = '{}' WHERE email = :maya",
        "replace_facilitator_key_hash": "UPDATE workshops SET facilitator_key_hash = :planted"
        " WHERE code = :code",
        "take_amelias_hub_user": "UPDATE participants SET hub_user = :amelia_hub WHERE id = :bruno",
        "add_a_participant": "INSERT INTO participants (workshop, id, body, hub_user) VALUES "
        "(:code, 'ffffffffffffffffffffffffffffffff', '{}', :amelia_hub)",
        "plant_a_match": "INSERT INTO match_decisions VALUES (:code, :bruno, 'x@example.org',"
        " 'lock', now())",
        "read_answers": "SELECT participant, reply FROM match_decisions WHERE workshop = :code",
        "accept_own_request": "INSERT INTO match_decisions (workshop, participant, mentor,"
        " decision, decided_at, answered_by, reply) VALUES (:code, :bruno, :maya, 'lock', now(),"
        " 'mentor', 'Of course, Bruno!')",
        "rewrite_an_answer": "UPDATE match_decisions SET reply = 'changed', answered_by ="
        " 'facilitator' WHERE workshop = :code",
        "delete_the_decline": "DELETE FROM match_decisions WHERE participant = :bruno",
        "forge_the_mentors_confirmation": "INSERT INTO agreement_entries (workshop, participant,"
        " side, kind, at, body) VALUES (:code, :bruno, 'mentor', 'confirmation', now(), '{}')",
        "add_to_amelias_record": "INSERT INTO agreement_entries (workshop, participant, side,"
        " kind, at, body) VALUES (:code, :amelia, 'mentee', 'confirmation', now(), '{}')",
        "rewrite_a_record": "UPDATE agreement_entries SET body = '{}' WHERE workshop = :code",
        "erase_a_record": "DELETE FROM agreement_entries WHERE workshop = :code",
        "read_records": "SELECT participant FROM agreement_entries WHERE workshop = :code",
        "forge_a_mentor_note": "INSERT INTO mentor_notes (workshop, participant, mentor, at,"
        ' body) VALUES (:code, :bruno, :maya, now(), \'{"text": "Great work!"}\')',
        "read_mentor_notes": "SELECT participant FROM mentor_notes WHERE workshop = :code",
        "rewrite_a_mentor_note": "UPDATE mentor_notes SET body = '{}' WHERE workshop = :code",
        "read_mentor_surveys": "SELECT body::text FROM mentor_surveys",
        "answer_as_a_mentor": "INSERT INTO mentor_surveys (workshop, mentor, survey, body,"
        " saved_at) VALUES (:code, :maya, 'mid', '{}', now())",
        "create_role": "CREATE ROLE bruno_second LOGIN PASSWORD 'x'",
        "create_superuser": "CREATE ROLE bruno_superuser SUPERUSER LOGIN",
        "disable_rls": "ALTER TABLE documents DISABLE ROW LEVEL SECURITY",
        "drop_policies": "DROP TABLE documents",
        "become_facilitator": f"SET ROLE {pg_access.groups(scene.hub.role_prefix).facilitator}",
        "read_role_map": "SELECT * FROM mentorkit_db_roles",
        "map_to_amelia": "INSERT INTO mentorkit_db_roles VALUES (session_user, :amelia_hub,"
        " 'participant', now())",
    }
    params = {
        "code": scene.code,
        "amelia": scene.amelia,
        "bruno": scene.bruno,
        "amelia_hub": AMELIA,
        "planted": planted,
        "maya": MAYA,
    }
    outcome = attempt(scene.hub, BRUNO, attacks, params)

    assert {row[0] for row in outcome["read_documents"]["rows"]} <= {scene.bruno}
    assert all(row[0] == scene.bruno for row in outcome["read_history"]["rows"])
    assert outcome["read_people"]["rows"] == [[scene.bruno, "bruno.diaz@example.org"]]
    # Maya's answer to Amelia is not his to read; her answer to him is.
    assert outcome["read_answers"]["rows"] == [[scene.bruno, ""]]
    assert outcome["overwrite_answer"]["rowcount"] == 0
    # The agreement's record: his own only, and nothing in it rewritten or removed.
    assert all(row == [scene.bruno] for row in outcome["read_records"]["rows"])
    assert all(row == [scene.bruno] for row in outcome["read_mentor_notes"]["rows"])
    for name in ("rewrite_a_record", "erase_a_record"):
        assert refused(outcome[name]), outcome[name]
    for name in ("forge_the_mentors_confirmation", "add_to_amelias_record"):
        assert "row-level security" in outcome[name].get("error", ""), outcome[name]
    assert outcome["erase_amelia"]["rowcount"] == 0
    for name in (
        "read_facilitator_key_hash",
        "read_all_workshop_columns",
        "read_resume_hashes",
        "read_invite_hashes",
        "filter_on_resume_hash",
        "read_mentor_hashes",
        "read_all_mentor_columns",
        "plant_a_mentor_code",
        "edit_a_mentor_profile",
        "replace_facilitator_key_hash",
        "take_amelias_hub_user",
        "add_a_participant",
        "plant_a_match",
        "accept_own_request",
        "rewrite_an_answer",
        "delete_the_decline",
        "forge_a_mentor_note",
        "rewrite_a_mentor_note",
        "read_mentor_surveys",
        "answer_as_a_mentor",
        "create_role",
        "create_superuser",
        "disable_rls",
        "drop_policies",
        "become_facilitator",
        "read_role_map",
        "map_to_amelia",
    ):
        assert refused(outcome[name]), (name, outcome[name])


OWN_WORKSHEET = """
import json, os
from datetime import UTC, datetime
from mentorkit.identity import hub_sign_in
from mentorkit.mentoring import Confirmation
from mentorkit.models import SelfAssessment
from mentorkit.store import DocumentKey, open_store

store = open_store()
me = hub_sign_in(store, os.environ["JUPYTERHUB_USER"], os.environ.get("MENTORKIT_WORKSHOP"))
key = DocumentKey(me.workshop.code, me.participant.id, "self_assessment")
current = store.load(key)
revision = current.revision if current else 0
store.save(key, SelfAssessment(career_goal=GOAL), expected_revision=revision)
code = me.workshop.code
if not store.agreement_entries(code, me.participant.id):
    mine = Confirmation(side="mentee", name="Bruno", at=datetime.now(UTC), fingerprint="0" * 64)
    store.add_agreement_entry(code, me.participant.id, mine)
print(json.dumps({
    "me": me.participant.id,
    "loaded": store.load(key).document.career_goal,
    "everyone_listed": sorted({s.key.participant for s in store.list(me.workshop.code)}),
    "roster": [p.id for p in store.participants(me.workshop.code)],
    "mentors_readable": isinstance(store.mentors(me.workshop.code), list),
    "places_taken": store.places_taken(me.workshop.code),
    "my_answers": list(store.answers(me.workshop.code, me.participant.id)),
    "whose_code": store.code_holder("any hash"),
    "my_record": [type(e).__name__ for e in store.agreement_entries(code, me.participant.id)],
}))
"""


def test_a_participant_still_saves_and_loads_their_own_worksheet_through_the_store(scene):
    goal = f"Bruno's own goal {uuid.uuid4().hex}"
    printed = scene.hub.execute(BRUNO, f"GOAL = {goal!r}\n{OWN_WORKSHEET}")
    outcome = json.loads(printed)
    assert outcome == {
        "me": scene.bruno,
        "loaded": goal,
        "everyone_listed": [scene.bruno],
        "roster": [scene.bruno],
        "mentors_readable": True,
        # The places mentors have left count everyone's accepted requests, though whose
        # they are stays out of reach.
        "places_taken": {MAYA: 1, NOAH: 1},
        "my_answers": [MAYA],
        # Asking whose a code is reads no hash it may not read: simply nobody's.
        "whose_code": None,
        # He may add his own side's confirmation to his agreement's record.
        "my_record": ["Confirmation"],
    }


def test_a_participant_cannot_write_a_notebook_into_the_folder_everyone_is_served(scene):
    hub = scene.hub
    hub.start_server(BRUNO)
    name = f"x-{uuid.uuid4().hex[:8]}.ipynb"
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": "import os; print(os.environ['JUPYTERHUB_API_TOKEN'])",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    headers = hub.headers(BRUNO)
    for path in (name, f"facilitator/{name}"):
        try:
            response = requests.put(
                hub.user_url(BRUNO, f"api/contents/{path}"),
                json={"type": "notebook", "format": "json", "content": notebook},
                headers=headers,
                timeout=60,
            )
            assert response.status_code == 403, response.text
            assert not (NOTEBOOKS / path).exists()
        finally:  # should the defence ever fail, leave the folder as it was
            written = NOTEBOOKS / path
            written.unlink(missing_ok=True)
            checkpoint = written.parent / ".ipynb_checkpoints" / f"{written.stem}-checkpoint.ipynb"
            checkpoint.unlink(missing_ok=True)
    # Nor replace or remove what is there.
    response = requests.patch(
        hub.user_url(BRUNO, "api/contents/index.ipynb"),
        json={"path": "old-index.ipynb"},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 403, response.text
    response = requests.delete(
        hub.user_url(BRUNO, "api/contents/01_self_assessment.ipynb"), headers=headers, timeout=60
    )
    assert response.status_code == 403, response.text
    assert (NOTEBOOKS / "index.ipynb").is_file()
    assert (NOTEBOOKS / "01_self_assessment.ipynb").is_file()
    # Reading still works: Voilà and the apps need it.
    response = requests.get(hub.user_url(BRUNO, "api/contents/index.ipynb"), headers=headers)
    assert response.status_code == 200


LOOK_ALIKE_SIGN_IN = """
import json, os
from mentorkit.errors import MentorkitError
from mentorkit.identity import hub_sign_in
from mentorkit.store import open_store

store = open_store()
try:
    hub_sign_in(store, os.environ["JUPYTERHUB_USER"], os.environ.get("MENTORKIT_WORKSHOP"))
    message = None
except MentorkitError as exc:
    message = str(exc)
print(json.dumps({"message": message}))
"""


def test_a_hub_user_named_like_a_participants_email_does_not_get_their_answers(scene):
    outcome = json.loads(scene.hub.execute(LOOK_ALIKE, LOOK_ALIKE_SIGN_IN))
    assert outcome["message"] is not None
    assert "no participant of Hub attack workshop has that hub user name" in outcome["message"]
    seen = attempt(
        scene.hub,
        LOOK_ALIKE,
        {
            "people": "SELECT id FROM participants",
            "documents": "SELECT body::text FROM documents",
        },
        {},
    )
    assert seen["people"]["rows"] == [] and seen["documents"]["rows"] == []
    # The workshop does not take newcomers: the hub added nobody for them.
    store = open_store(scene.admin_url)
    try:
        assert store.participant_by_hub_user(scene.code, LOOK_ALIKE) is None
        assert len(store.participants(scene.code)) == 6  # the roster: Amelia to Fay
    finally:
        store.close()


FACILITATOR_VIEW = """
import json, os
from mentorkit.access import hash_secret
from mentorkit.identity import reset_mentor_invite_codes
from mentorkit.models import SurveyKind
from mentorkit.store import open_store

store = open_store()
code = os.environ["MENTORKIT_WORKSHOP"]
print(json.dumps({
    "mentor_invites": len(reset_mentor_invite_codes(store, code, [MAYA])),
    "mentors_invited": sorted(store.mentors_invited(code)),
    "roster": sorted(p.name for p in store.participants(code)),
    "documents": sorted(s.key.participant for s in store.list(code)),
    "mentor_surveys": len(store.mentors_survey_answers(code, SurveyKind.END)),
    "key_matches": store.facilitator_key_matches(code, hash_secret(KEY)),
    "wrong_key_matches": store.facilitator_key_matches(code, hash_secret("guess")),
}))
"""


def test_the_facilitator_reads_the_dashboards_data_and_no_key_hash(scene):
    printed = scene.hub.execute(
        FACILITATOR, f"KEY = {scene.facilitator_key!r}\nMAYA = {MAYA!r}\n{FACILITATOR_VIEW}"
    )
    view = json.loads(printed)
    assert view["mentor_invites"] == 1 and view["mentors_invited"] == [MAYA]
    assert view["roster"] == [
        "Amelia Hartley",
        "Bruno Diaz",
        "Cleo Martin",
        "Dana Test",
        "Eli Test",
        "Fay Test",
    ]
    assert scene.amelia in view["documents"]
    assert view["mentor_surveys"] >= 1  # every mentor's answers, for the group's results
    assert view["key_matches"] is True and view["wrong_key_matches"] is False
    outcome = attempt(
        scene.hub,
        FACILITATOR,
        {
            "read_facilitator_key_hash": "SELECT facilitator_key_hash FROM workshops",
            "read_resume_hashes": "SELECT resume_code_hash FROM participants",
            "read_invite_hashes": "SELECT invite_code_hash FROM participants",
            "read_mentor_hashes": "SELECT invite_code_hash, resume_code_hash FROM mentors",
            "replace_facilitator_key_hash": "UPDATE workshops SET facilitator_key_hash = 'x'"
            " WHERE code = :code",
            "disable_rls": "ALTER TABLE participants DISABLE ROW LEVEL SECURITY",
            "read_role_map": "SELECT * FROM mentorkit_db_roles",
        },
        {"code": scene.code},
    )
    for name, result in outcome.items():
        assert refused(result), (name, result)


MENTOR_PAGE = """
import json, os
from datetime import UTC, datetime
from mentorkit.identity import mentor_hub_sign_in
from mentorkit.mentoring import Answerer, Confirmation, MentorNote
from mentorkit.models import SurveyAnswers, SurveyKind
from mentorkit.store import open_store

store = open_store()
me = mentor_hub_sign_in(store, os.environ["JUPYTERHUB_USER"])
code, email = me.workshop.code, me.mentor.email
received = store.requests_to_mentor(code, email)
dana = next(r.participant.id for r in received if r.participant.name == "Dana Test")
store.decide_match(code, dana, email, "lock", answered_by=Answerer.MENTOR, reply="Gladly")
amelia = next(p.id for p in store.mentees(code, email) if p.name == "Amelia Hartley")
shared = store.mentee_progress(code, email, amelia)
note = MentorNote(item="goal-1", text="Good start", by="Maya", at=datetime.now(UTC))
store.add_mentor_note(code, email, amelia, note)
mine = Confirmation(side="mentor", name="Maya", at=datetime.now(UTC), fingerprint="0" * 64)
store.add_agreement_entry(code, amelia, mine)
store.save_mentor_profile(code, me.mentor.model_copy(update={"bio": "Saved on the hub"}))
agreement = store.mentee_agreement(code, email, amelia)
mine_now = SurveyAnswers(useful=9, comments="Going well")
store.save_mentor_survey(code, email, SurveyKind.END, mine_now)
survey = store.mentor_survey(code, email, SurveyKind.END)
everyones_answers = store.mentors_survey_answers(code, SurveyKind.END)
print(json.dumps({
    "me": email,
    "requests": sorted(r.participant.name for r in received),
    "shared_assessments": sorted(r.participant.name for r in received if r.assessment),
    "any_ratings": any(r.assessment.ratings for r in received if r.assessment),
    "mentees": sorted(p.name for p in store.mentees(code, email)),
    "goals": list(shared.goals),
    "check_ins": list(shared.check_ins),
    "agreement_minutes": agreement.meeting_minutes if agreement else None,
    "notes": [n.note.text for n in store.mentor_notes(code, amelia)],
    "record": [e.side.value for e in store.agreement_entries(code, amelia)],
    "bio": next(m.bio for m in store.mentors(code) if m.email == email),
    "survey": [survey.useful, survey.comments],
    "surveys_she_reads": {m: a.comments for m, a in everyones_answers.items()},
    "everything": repr((received, shared, agreement)),
}))
"""


def test_a_mentor_signs_in_as_the_hub_user_and_does_a_mentors_work_through_the_store(scene):
    """The mentor's page as the hub's user, on a mentor's role: requests (with what each
    shares), accepting one, the mentees, what a mentee shares, a comment, a confirmation,
    her own profile; nothing a mentee keeps to themselves."""
    outcome = json.loads(scene.hub.execute(MAYA_HUB, MENTOR_PAGE))
    everything = outcome.pop("everything")
    assert SECRET not in everything
    assert {"Amelia Hartley", "Dana Test"} <= set(outcome.pop("shared_assessments"))
    assert outcome == {
        "me": MAYA,
        "requests": [
            "Amelia Hartley",
            "Bruno Diaz",
            "Cleo Martin",
            "Dana Test",
            "Fay Test",
        ],
        "any_ratings": False,  # their self-assessments come without their ratings
        "mentees": ["Amelia Hartley", "Dana Test"],
        "goals": ["goal-1"],
        "check_ins": ["check-in-1"],
        "agreement_minutes": 45,
        "notes": ["Good start"],
        "record": ["mentor"],
        "bio": "Saved on the hub",
        "survey": [9, "Going well"],
        "surveys_she_reads": {MAYA: "Going well"},  # her own: never Noah's answers
    }
    url = sa.make_url(json.loads(scene.hub.execute(MAYA_HUB, ENVIRON))["MENTORKIT_DB"])
    assert url.username == pg_access.role_name(MAYA_HUB, scene.hub.role_prefix)
    # The hub gave her role the mentor's group, and a participant's.
    groups = pg_access.groups(scene.hub.role_prefix)
    joined = admin_scalar(
        scene,
        "SELECT array_agg(g.rolname ORDER BY g.rolname) FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles u ON u.oid = a.member "
        "WHERE u.rolname = :role",
        role=url.username,
    )
    assert joined == sorted([groups.mentor, groups.participant])


ENVIRON = "import json, os; print(json.dumps(dict(os.environ)))"


def test_a_mentor_with_sql_reaches_only_what_a_mentor_may(scene):
    """A mentor's kernel, typing SQL: nothing a mentee keeps to themselves, nobody who did
    not ask her, no pair she was not asked into, no other mentor's profile or notes."""
    attacks = {
        "read_documents": "SELECT participant, body::text FROM documents WHERE workshop = :code",
        "read_history": "SELECT body::text FROM document_history WHERE workshop = :code",
        "read_people": "SELECT name FROM (SELECT body ->> 'name' AS name FROM participants"
        " WHERE workshop = :code) p ORDER BY name",
        "amelias_documents": "SELECT kind || '/' || name, body::text FROM"
        " mentorkit_mentee_documents(:code, :maya, :amelia) ORDER BY 1",
        "fays_documents_as_noah": "SELECT kind FROM mentorkit_mentee_documents(:code, :noah, :fay)",
        "documents_of_one_who_is_not_hers": "SELECT kind FROM mentorkit_mentee_documents("
        ":code, :maya, :eli)",
        "requests_to_me": "SELECT participant, assessment::text FROM"
        " mentorkit_requests_to(:code, :maya)",
        "requests_to_noah": "SELECT participant FROM mentorkit_requests_to(:code, :noah)",
        "pair_with_someone_who_did_not_ask": "INSERT INTO match_decisions (workshop,"
        " participant, mentor, decision, decided_at, answered_by) VALUES (:code, :eli, :maya,"
        " 'lock', now(), 'mentor')",
        "take_fay_from_noah": "INSERT INTO match_decisions (workshop, participant, mentor,"
        " decision, decided_at, answered_by) VALUES (:code, :fay, :maya, 'lock', now(),"
        " 'mentor')",
        "answer_for_noah": "INSERT INTO match_decisions (workshop, participant, mentor,"
        " decision, decided_at, answered_by) VALUES (:code, :eli, :noah, 'forbid', now(),"
        " 'mentor')",
        "answer_as_the_facilitator": "INSERT INTO match_decisions (workshop, participant,"
        " mentor, decision, decided_at, answered_by) VALUES (:code, :dana, :maya, 'lock', now(),"
        " NULL)",
        "read_decisions": "SELECT participant, mentor FROM match_decisions WHERE workshop = :code",
        "undo_the_facilitators_lock": "DELETE FROM match_decisions WHERE participant = :fay",
        "rewrite_an_answer": "UPDATE match_decisions SET reply = 'changed' WHERE mentor = :maya",
        "forge_the_mentees_confirmation": "INSERT INTO agreement_entries (workshop, participant,"
        " side, kind, at, body) VALUES (:code, :amelia, 'mentee', 'confirmation', now(), '{}')",
        "confirm_for_a_stranger": "INSERT INTO agreement_entries (workshop, participant, side,"
        " kind, at, body) VALUES (:code, :eli, 'mentor', 'confirmation', now(), '{}')",
        "confirm_for_fay": "INSERT INTO agreement_entries (workshop, participant, side, kind,"
        " at, body) VALUES (:code, :fay, 'mentor', 'confirmation', now(), '{}')",
        "note_about_a_stranger": "INSERT INTO mentor_notes (workshop, participant, mentor, at,"
        " body) VALUES (:code, :eli, :maya, now(), '{}')",
        "note_in_noahs_name": "INSERT INTO mentor_notes (workshop, participant, mentor, at,"
        " body) VALUES (:code, :amelia, :noah, now(), '{}')",
        "edit_noahs_profile": "UPDATE mentors SET body = jsonb_set(body, '{bio}', '\"x\"')"
        " WHERE email = :noah",
        "take_noahs_email": "UPDATE mentors SET body = jsonb_set(body, '{email}', to_jsonb("
        "CAST(:noah AS text))) WHERE email = :maya",
        "take_another_hub_user": "UPDATE mentors SET hub_user = 'someone' WHERE email = :maya",
        "read_mentor_hashes": "SELECT invite_code_hash, resume_code_hash FROM mentors",
        "plant_a_mentor_code": "UPDATE mentors SET resume_code_hash = 'x' WHERE email = :maya",
        "read_role_map": "SELECT * FROM mentorkit_db_roles",
        "become_facilitator": f"SET ROLE {pg_access.groups(scene.hub.role_prefix).facilitator}",
        "read_mentor_surveys": "SELECT mentor, body::text FROM mentor_surveys",
        "answer_the_survey_as_noah": "INSERT INTO mentor_surveys (workshop, mentor, survey,"
        " body, saved_at) VALUES (:code, :noah, 'mid', '{\"useful\": 0}', now())",
        "rewrite_noahs_answers": "UPDATE mentor_surveys SET body = '{}' WHERE mentor = :noah",
        "move_my_answers_to_noah": "UPDATE mentor_surveys SET mentor = :noah WHERE mentor = :maya",
        "erase_the_answers": "DELETE FROM mentor_surveys",
    }
    params = {
        "code": scene.code,
        "maya": MAYA,
        "noah": NOAH,
        "amelia": scene.amelia,
        "dana": scene.dana,
        "eli": scene.eli,
        "fay": scene.fay,
    }
    outcome = attempt(scene.hub, MAYA_HUB, attacks, params)

    # No document at all, directly: only what the functions give her.
    assert outcome["read_documents"]["rows"] == []
    assert outcome["read_history"]["rows"] == []
    # Whoever asked her or is paired with her; never Eli, who asked Noah.
    assert "Eli Test" not in str(outcome["read_people"]["rows"])
    assert ["Amelia Hartley"] in outcome["read_people"]["rows"]
    shared = outcome["amelias_documents"]["rows"]
    assert [row[0] for row in shared] == [
        "check_in/check-in-1",
        "mentoring_agreement/main",
        "progress_sharing/main",
        "smart_goal/goal-1",
    ]
    assert SECRET not in str(shared)  # the unshared goal and meeting, and every draft
    assert outcome["fays_documents_as_noah"]["rows"] == []
    assert outcome["documents_of_one_who_is_not_hers"]["rows"] == []
    asked = outcome["requests_to_me"]["rows"]
    assert sorted(row[0] for row in asked) == sorted(
        [scene.amelia, scene.bruno, scene.dana, scene.fay, *_cleo(scene)]
    )
    assert SECRET not in str(asked) and "ratings" not in str(asked)
    assert outcome["requests_to_noah"]["rows"] == []
    assert all(row[1] == MAYA for row in outcome["read_decisions"]["rows"])
    for name in ("undo_the_facilitators_lock", "rewrite_an_answer"):
        assert outcome[name].get("rowcount") == 0 or refused(outcome[name]), outcome[name]
    for name in (
        "pair_with_someone_who_did_not_ask",
        "take_fay_from_noah",
        "answer_for_noah",
        "answer_as_the_facilitator",
        "forge_the_mentees_confirmation",
        "confirm_for_a_stranger",
        "confirm_for_fay",
        "note_about_a_stranger",
        "note_in_noahs_name",
        "take_noahs_email",
    ):
        assert "row-level security" in outcome[name].get("error", ""), (name, outcome[name])
    assert outcome["edit_noahs_profile"]["rowcount"] == 0
    # The surveys: her own answers only, never written in another mentor's name.
    assert all(row[0] == MAYA for row in outcome["read_mentor_surveys"]["rows"])
    assert SECRET not in str(outcome["read_mentor_surveys"])
    assert outcome["rewrite_noahs_answers"]["rowcount"] == 0
    for name in ("answer_the_survey_as_noah", "move_my_answers_to_noah"):
        assert outcome[name].get("rowcount") == 0 or "row-level security" in outcome[name].get(
            "error", ""
        ), (name, outcome[name])
    for name in (
        "erase_the_answers",
        "take_another_hub_user",
        "read_mentor_hashes",
        "plant_a_mentor_code",
        "read_role_map",
        "become_facilitator",
    ):
        assert refused(outcome[name]), (name, outcome[name])


def _cleo(scene: Scene) -> list[str]:
    """Cleo's id while she is on the roster (she erases her data in a later test)."""
    return [
        row
        for row in [
            admin_scalar(
                scene,
                "SELECT id FROM participants WHERE workshop = :code AND email = :email",
                code=scene.code,
                email="cleo.martin@example.org",
            )
        ]
        if row
    ]


def test_a_new_password_at_each_server_start_shuts_out_the_old_one(scene):
    """Credentials copied out of a kernel stop working once the server starts again."""
    first = pg_access.grant_hub_user(
        scene.admin_url, "rotated", "participant", prefix=scene.hub.role_prefix
    )
    second = pg_access.grant_hub_user(
        scene.admin_url, "rotated", "participant", prefix=scene.hub.role_prefix
    )
    assert sa.make_url(first).username == sa.make_url(second).username
    engine = sa.create_engine(second)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == sa.make_url(second).username
    engine.dispose()
    engine = sa.create_engine(first)
    with (
        pytest.raises(sa.exc.OperationalError, match="password authentication failed"),
        engine.connect(),
    ):
        pass
    engine.dispose()


ERASE_MY_DATA = """
import json, os
from mentorkit.identity import hub_sign_in
from mentorkit.store import open_store

store = open_store()
me = hub_sign_in(store, os.environ["JUPYTERHUB_USER"], os.environ.get("MENTORKIT_WORKSHOP"))
store.erase_participant(me.workshop.code, me.participant.id)
print(json.dumps({"erased": me.participant.name}))
"""


def test_a_participant_erases_their_data_and_a_decline_goes_with_it_not_before(scene):
    """A participant may not delete a decision about them (a mentor's decline would be
    gone, and the matching free to make that pair), yet "Delete my data" takes them all."""
    cleo = admin_scalar(
        scene,
        "SELECT id FROM participants WHERE workshop = :code AND hub_user = :hub",
        code=scene.code,
        hub=CLEO,
    )
    outcome = attempt(
        scene.hub,
        CLEO,
        {"delete_the_decline": "DELETE FROM match_decisions WHERE participant = :cleo"},
        {"cleo": cleo},
    )
    assert refused(outcome["delete_the_decline"]), outcome
    assert json.loads(scene.hub.execute(CLEO, ERASE_MY_DATA)) == {"erased": "Cleo Martin"}
    count = "SELECT count(*) FROM {} WHERE workshop = :code AND participant = :cleo"
    for table in ("match_decisions", "documents"):
        assert admin_scalar(scene, count.format(table), code=scene.code, cleo=cleo) == 0
    assert admin_scalar(scene, "SELECT count(*) FROM participants WHERE id = :cleo", cleo=cleo) == 0
