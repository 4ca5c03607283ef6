"""The names and secrets mentorkit.pg_access gives PostgreSQL (the database itself is
attacked in tests/security/test_hub_database.py)."""

import base64
import hashlib
import hmac

import pytest

from mentorkit import pg_access
from mentorkit.access import hash_secret
from mentorkit.workshops import create_workshop


@pytest.mark.parametrize("prefix", ["", "Mentorkit_", "1abc_", "a-b_", "a b", "x" * 32, 'a";'])
def test_a_role_prefix_that_is_not_a_plain_lowercase_name_is_refused(prefix):
    with pytest.raises(pg_access.AccessError, match="role prefix"):
        pg_access.role_name("ada", prefix)


def test_each_hub_user_has_one_plain_role_name_whatever_their_name_holds():
    names = ["ada", "Ada", "ada.l@example.org", "ådа", 'x"; DROP ROLE y; --', "a" * 100]
    roles = [pg_access.role_name(name, "mentorkit_") for name in names]
    assert len(set(roles)) == len(names)
    assert roles == [pg_access.role_name(name, "mentorkit_") for name in names]
    for role in roles:
        assert len(role) <= 63  # PostgreSQL's limit on names
        assert role.startswith("mentorkit_u_") and role[12:].isalnum()


def test_the_password_verifier_is_the_scram_sha_256_postgresql_checks():
    salt = b"0123456789abcdef"
    verifier = pg_access.scram_verifier("s3cret", salt=salt)
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, encoded_salt = iterations_salt.split(":")
    stored_key, server_key = (base64.b64decode(part) for part in keys.split(":"))
    assert method == "SCRAM-SHA-256" and int(iterations) == 4096
    assert base64.b64decode(encoded_salt) == salt
    salted = hashlib.pbkdf2_hmac("sha256", b"s3cret", salt, 4096)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    assert stored_key == hashlib.sha256(client_key).digest()
    assert server_key == hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    assert "s3cret" not in verifier
    assert pg_access.scram_verifier("s3cret") != pg_access.scram_verifier("s3cret")  # salted


def test_only_postgresql_can_keep_participants_apart():
    with pytest.raises(pg_access.AccessError, match="needs PostgreSQL"):
        pg_access.prepare_database("sqlite:///x.db")


def test_the_facilitator_key_is_checked_without_handing_out_its_hash(store):
    access = create_workshop(store, "Spring cohort")
    code = access.workshop.code
    assert store.facilitator_key_matches(code, hash_secret(access.facilitator_key))
    assert store.facilitator_key_matches(code.lower(), hash_secret(access.facilitator_key))
    assert not store.facilitator_key_matches(code, hash_secret("a guess"))
    assert not store.facilitator_key_matches("ZZZZ-ZZZZ", hash_secret(access.facilitator_key))
