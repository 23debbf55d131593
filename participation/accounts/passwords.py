"""Password hashing with argon2id (a fast profile only when testing)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_STRONG = PasswordHasher()
# Tests create thousands of hashes; the strong profile would dominate the suite.
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("PASSWORD_HASH_FAST"):
        return _FAST
    return _STRONG


def hash_password(password: str) -> str:
    """Return the argon2id hash of *password*."""
    return _hasher().hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """True when *password* matches *password_hash* (False for a missing hash)."""
    if not password_hash:
        return False
    try:
        return _STRONG.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
