"""Signing in (password, then the second factor when needed), and choosing or
changing a password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from flask_babel import ngettext

from ...core import audit
from ...core.errors import DomainError
from ...core.i18n import lazy_gettext as _l
from ...core.ratelimits import Delays
from ...core.time import utcnow
from ...extensions import db
from .. import queries, rules
from ..models import User
from ..passwords import check_password, hash_password
from . import sessions, twofactor

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


def _login_key(identifier: str) -> str:
    """What the per-account delays count: the identifier as the person typed it,
    tidied (known or not, so that the delays say nothing about who has an account)."""
    return " ".join(identifier.split()).casefold()


def _wait_message(seconds: int) -> DomainError:
    minutes = max(1, (seconds + 59) // 60)
    if seconds < 60:
        message = ngettext(
            "Too many wrong passwords for this account: try again in %(num)d second.",
            "Too many wrong passwords for this account: try again in %(num)d seconds.",
            seconds,
        )
    else:
        message = ngettext(
            "Too many wrong passwords for this account: try again in %(num)d minute.",
            "Too many wrong passwords for this account: try again in %(num)d minutes.",
            minutes,
        )
    return DomainError(message, field="password")


def authenticate(identifier: str, password: str) -> User:
    """Check the credentials and note the sign-in time.

    After a few wrong passwords for one identifier, each further try must wait
    longer (30 s, 1 min, 2 min... up to an hour), whatever address it comes from;
    the message gives the real wait.

    :raises DomainError: with one message whatever was wrong, so that nobody can
        learn from it whether an account exists.
    """
    delays = Delays.from_config("signin")
    key = _login_key(identifier)
    wait = delays.wait_seconds(key)
    if wait:
        raise _wait_message(wait)
    user = find_by_login(identifier)
    if user is None or user.password_hash is None:
        _waste_a_check(password)
    if (
        user is None
        or not user.is_active
        or not check_password(user.password_hash, password)
    ):
        wait = delays.failed(key)
        if wait:
            raise _wait_message(wait)
        raise DomainError(
            _l("The e-mail, phone number or password is not right."), field="password"
        )
    delays.succeeded(key)
    user.last_signin_at = utcnow()
    db.session.flush()
    return user


class NextStep(Enum):
    """What follows a right password."""

    SIGNED_IN = "signed_in"
    #: Type the code of the authenticator app (or a recovery code).
    CODE = "code"
    #: Staff without a second factor yet: set it up now.
    ENROL = "enrol"


@dataclass(frozen=True)
class SignInStep:
    user: User
    next: NextStep


def next_step(user: User) -> NextStep:
    """After a right password (or a reset link, or a setup code): what comes next."""
    if user.has_second_factor:
        return NextStep.CODE
    if twofactor.requires_second_factor(user):
        return NextStep.ENROL
    return NextStep.SIGNED_IN


def sign_in(identifier: str, password: str) -> SignInStep:
    """The password step; the session opens now or after the second factor."""
    user = authenticate(identifier, password)
    step = next_step(user)
    if step is NextStep.SIGNED_IN:
        audit_sign_in(user, "password")
    return SignInStep(user, step)


def complete_second_factor(user: User, code: str) -> User:
    """The code step: the session may open once the code is right."""
    method = twofactor.check_second_factor(user, code)
    audit_sign_in(user, method)
    return user


def audit_sign_in(user: User, method: str) -> None:
    """Staff sign-ins are logged (residents' are not: minimal data)."""
    if twofactor.requires_second_factor(user):
        audit.record("account.signed_in", actor=user, obj=user, method=method)


def set_password(user: User, password: str) -> None:
    """Store a new password hash and end every other session and pending link."""
    user.password_hash = hash_password(password)
    user.security_stamp += 1
    # Every session ends, also this one: the caller signs the person in again.
    sessions.end_all_sessions(user)


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
