"""Password hashing (argon2id) and opaque bearer tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended profile (argon2id, t=3, 64 MiB, p=4): ~0.1-0.3 s a hash.
DEFAULT_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(DEFAULT_PARAMETERS)
# An account without a usable password (waiting for its activation code): verified against
# the dummy hash, so it answers like a wrong password, in the same time.
NO_PASSWORD = ""


def use_parameters(parameters: Parameters) -> None:
    """Hash new passwords with other argon2 parameters. The test suite takes argon2's
    cheapest profile: the same code, thousands of times faster (a sign-in cost 0.3 s, most
    of the time of a test that signs three agents in). A stored hash carries its own
    parameters, so the ones already made keep verifying."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy_hash.cache_clear()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so timing does not reveal which
    agents exist; made with the current parameters, on first use (not at import: every
    command of the CLI would pay for it)."""
    return _hasher.hash("relais-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
