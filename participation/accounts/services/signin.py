"""Signing in, and choosing or changing a password."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l

from ...core import audit
from ...core.errors import DomainError
from ...core.time import utcnow
from ...extensions import db
from .. import queries, rules
from ..models import User
from ..passwords import check_password, hash_password

# Checked when nobody matches, so a wrong login takes as long as a wrong password.
_DUMMY_HASH: str | None = None


def find_by_login(identifier: str) -> User | None:
    """The account an e-mail, a phone number or (managed accounts) a pseudonym names."""
    text = identifier.strip()
    if not text:
        return None
    if "@" in text:
        return queries.user_by_email(text.lower())
    try:
        user = queries.user_by_phone(rules.normalize_phone(text))
    except DomainError:
        user = None
    if user is not None:
        return user
    # People without e-mail or phone (managed accounts) sign in with their pseudonym.
    candidate = queries.user_by_pseudonym(rules.tidy_pseudonym(text))
    if candidate is not None and candidate.email is None and candidate.phone is None:
        return candidate
    return None


def _waste_a_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    check_password(_DUMMY_HASH, password)


def authenticate(identifier: str, password: str) -> User:
    """Check the credentials and note the sign-in time.

    :raises DomainError: with one message whatever was wrong, so that nobody can
        learn from it whether an account exists.
    """
    user = find_by_login(identifier)
    if user is None or user.password_hash is None:
        _waste_a_check(password)
    if (
        user is None
        or not user.is_active
        or not check_password(user.password_hash, password)
    ):
        raise DomainError(
            _l("The e-mail, phone number or password is not right."), field="password"
        )
    user.last_signin_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password hash and end every other session and pending link."""
    user.password_hash = hash_password(password)
    user.security_stamp += 1


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password of a signed-in person, who must know the current one."""
    if not check_password(user.password_hash, current_password):
        raise DomainError(
            _l("The current password is not right."), field="current_password"
        )
    rules.check_password_policy(new_password, field="new_password")
    set_password(user, new_password)
    audit.record("account.password_changed", actor=user, obj=user)
    db.session.flush()
