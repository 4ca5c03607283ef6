"""Secrets a workshop hands out: facilitator keys (and later resume codes), stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

FACILITATOR_KEY_BYTES = 24  # 192 bits of randomness


def new_facilitator_key() -> str:
    """A fresh facilitator key, shown once and stored only as `hash_secret(key)`."""
    return secrets.token_urlsafe(FACILITATOR_KEY_BYTES)


def hash_secret(secret: str) -> str:
    """The stored form of a random secret.

    A plain SHA-256 is enough here (no salt, no slow hash): the secrets are at least
    128 random bits, so there is nothing a dictionary or brute-force attack could guess.
    """
    return "sha256:" + hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()


def verify_secret(secret: str, stored_hash: str) -> bool:
    """Whether `secret` matches `stored_hash`, compared in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
