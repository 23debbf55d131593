"""Signed links sent by e-mail: confirming an address, resetting a password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ...core import audit
from ...core.errors import DomainError
from ...core.i18n import lazy_gettext as _l
from ...core.outbox import queue_email
from ...core.time import utcnow
from ...extensions import db
from .. import queries, rules
from ..models import User
from . import checks
from .signin import set_password

#: Token lifetimes in seconds, unless the configuration says otherwise.
DEFAULT_EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
DEFAULT_PASSWORD_RESET_MAX_AGE = 2 * 3600
CONFIRM_SALT = "participation.accounts.confirm-email"
RESET_SALT = "participation.accounts.reset-password"


class TokenError(DomainError):
    """A link from an e-mail is invalid, already used or too old."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load_token(
    token: str, salt: str, max_age_key: str, default_max_age: int
) -> dict[str, Any]:
    max_age = int(current_app.config.get(max_age_key, default_max_age))
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(
            _l("This link has expired. Please ask for a new one.")
        ) from None
    except BadSignature:
        raise TokenError(
            _l("This link is not valid. Please ask for a new one.")
        ) from None
    if not isinstance(data, dict):
        raise TokenError(_l("This link is not valid. Please ask for a new one."))
    return data


def _user_for_token(data: dict[str, Any]) -> User:
    user = (
        db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    )
    if (
        user is None
        or not user.is_active
        or data.get("s") != user.security_stamp
        or data.get("e") != user.email
    ):
        raise TokenError(_l("This link is no longer valid. Please ask for a new one."))
    return user


def _token(user: User, salt: str) -> str:
    """Signed with the address and the security stamp: a new one voids the link."""
    return str(
        _serializer(salt).dumps(
            {"u": user.id, "e": user.email, "s": user.security_stamp}
        )
    )


def email_confirmation_token(user: User) -> str:
    """A signed token proving the holder received mail at the person's address."""
    return _token(user, CONFIRM_SALT)


def password_reset_token(user: User) -> str:
    """A signed token to choose a new password; it works once (the stamp changes)."""
    return _token(user, RESET_SALT)


def _queue_letter(
    user: User, address: str, compose: Callable[[], tuple[str, list[str]]]
) -> None:
    """Queue an e-mail to *user* in their language: greeting, subject and text, site."""
    with force_locale(user.locale):
        subject, paragraphs = compose()
        body = "\n\n".join(
            [
                _("Hello %(pseudonym)s,", pseudonym=user.pseudonym),
                *paragraphs,
                current_app.config["SITE_NAME"],
            ]
        )
    queue_email(address, subject, body)


def send_email_confirmation(user: User, link: str) -> None:
    """Queue the confirmation e-mail in the person's language."""
    if not user.email:
        return
    _queue_letter(
        user,
        user.email,
        lambda: (
            _("Confirm your e-mail address"),
            [
                _("Please confirm your e-mail address by opening this link:"),
                link,
                _(
                    "The link is valid for 3 days. If you did not create an account, "
                    "ignore this message."
                ),
            ],
        ),
    )


def confirm_email(token: str) -> User:
    """Mark the address in *token* as confirmed (confirming twice changes nothing)."""
    data = _load_token(
        token, CONFIRM_SALT, "EMAIL_CONFIRM_MAX_AGE", DEFAULT_EMAIL_CONFIRM_MAX_AGE
    )
    user = _user_for_token(data)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record("account.email_confirmed", actor=user, obj=user)
    db.session.flush()
    return user


def request_password_reset(email: str, make_link: Callable[[str], str]) -> None:
    """Send a reset link when *email* belongs to an account; say nothing otherwise."""
    try:
        address = checks.normalize_email(email)
    except DomainError:
        return
    user = queries.user_by_email(address)
    if user is None or not user.is_active or not user.email:
        return
    link = make_link(password_reset_token(user))
    _queue_letter(
        user,
        user.email,
        lambda: (
            _("Choose a new password"),
            [
                _(
                    "Someone asked to change the password of your account. "
                    "To choose a new password, open this link:"
                ),
                link,
                _(
                    "The link is valid for 2 hours and works once. If you did not ask "
                    "for this, ignore this message: your password stays the same."
                ),
            ],
        ),
    )


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    data = _load_token(
        token, RESET_SALT, "PASSWORD_RESET_MAX_AGE", DEFAULT_PASSWORD_RESET_MAX_AGE
    )
    user = _user_for_token(data)
    rules.check_password_policy(new_password)
    set_password(user, new_password)
    if user.email_confirmed_at is None:
        # The link reached the mailbox: the address is confirmed too.
        user.email_confirmed_at = utcnow()
    audit.record("account.password_reset", actor=user, obj=user)
    return user
