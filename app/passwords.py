"""Password hashing: argon2id at OWASP ASVS strength (werkzeug's scrypt default is below it)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP cheat sheet / ASVS: argon2id with m = 19 MiB, t = 2, p = 1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the email is unknown, so a login takes as long either way.
DUMMY_HASH = hash_password("calldesk-timing-equaliser")
