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
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from hub_harness import ROOT, Hub, admin_database_url, running_hub

from mentorkit import pg_access
from mentorkit.access import hash_secret
from mentorkit.mentoring import Answerer
from mentorkit.models import MentorProfile, Participant, SelfAssessment
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
        store.import_roster(
            code,
            mentors=[MentorProfile(name="Maya Okafor", email=MAYA, capacity=2)],
            participants=[amelia, bruno, cleo],
            hub_users={
                amelia.email or "": AMELIA,
                bruno.email or "": BRUNO,
                cleo.email or "": CLEO,
            },
        )
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
        with running_hub(
            tmp_path_factory.mktemp("attack-hub"), admin_url, code, newcomers=False
        ) as hub:
            yield Scene(hub, admin_url, code, access.facilitator_key, amelia.id, bruno.id, goal)
    finally:
        store.delete_workshop(code)
        store.close()


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

    assert outcome["read_documents"]["rows"] == []
    assert outcome["read_history"]["rows"] == []
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
        "places_taken": {MAYA: 1},
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
        assert len(store.participants(scene.code)) == 3  # Amelia, Bruno and Cleo
    finally:
        store.close()


FACILITATOR_VIEW = """
import json, os
from mentorkit.access import hash_secret
from mentorkit.identity import reset_mentor_invite_codes
from mentorkit.store import open_store

store = open_store()
code = os.environ["MENTORKIT_WORKSHOP"]
print(json.dumps({
    "mentor_invites": len(reset_mentor_invite_codes(store, code, [MAYA])),
    "mentors_invited": sorted(store.mentors_invited(code)),
    "roster": sorted(p.name for p in store.participants(code)),
    "documents": sorted(s.key.participant for s in store.list(code)),
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
    assert view["roster"] == ["Amelia Hartley", "Bruno Diaz", "Cleo Martin"]
    assert scene.amelia in view["documents"]
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
