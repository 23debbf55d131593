"""Two-factor sign-in: a TOTP authenticator app, and single-use recovery codes.

Required for staff and administrators (enrolment is forced at their next sign-in),
optional for everyone else. The TOTP secret is stored encrypted with a key derived
from the instance secret; recovery codes are stored as SHA-256 hashes (they are
long random strings, so a fast hash is enough) and each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from ...core import audit
from ...core.errors import DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_staff
from ...core.ratelimits import Delays
from ...core.time import utcnow
from ...extensions import db
from ..models import RecoveryCode, User
from ..passwords import check_password

RECOVERY_CODE_COUNT = 10
#: Codes such as ``K7PM-3QXR``: the setup-code alphabet, without look-alikes.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
TOTP_PERIOD = 30
#: The code of the previous and of the next 30 seconds also count (clock drift).
TOTP_WINDOW = 1


def requires_second_factor(user: User) -> bool:
    """Staff and administrators must sign in with a second factor."""
    return is_staff(user)


def _box() -> SecretBox:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hmac.new(secret, b"participation.totp-secret", hashlib.sha256).digest()
    return SecretBox(key)


def encrypt_secret(secret: str) -> str:
    return base64.urlsafe_b64encode(_box().encrypt(secret.encode())).decode()


def decrypt_secret(stored: str | None) -> str | None:
    """The TOTP secret, or None when missing or not readable with this key."""
    if not stored:
        return None
    try:
        return _box().decrypt(base64.urlsafe_b64decode(stored)).decode()
    except (CryptoError, ValueError):
        return None


def set_secret(user: User, secret: str, *, confirmed: bool) -> None:
    """Store *secret* (encrypted); the demo loader enrols its staff this way."""
    user.totp_secret = encrypt_secret(secret)
    user.totp_confirmed_at = utcnow() if confirmed else None
    user.totp_last_step = None


def start_enrolment(user: User) -> str:
    """A new secret for *user*'s authenticator app, to confirm with a first code."""
    if user.has_second_factor:
        raise DomainError(_l("Two-factor sign-in is already on for this account."))
    secret = pyotp.random_base32()
    set_secret(user, secret, confirmed=False)
    db.session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The secret being enrolled (shown as a QR code until confirmed)."""
    if user.has_second_factor:
        return None
    return decrypt_secret(user.totp_secret)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    name = user.email or user.phone or user.pseudonym
    return pyotp.TOTP(secret).provisioning_uri(
        name=name, issuer_name=str(current_app.config["TOTP_ISSUER"])
    )


def qr_code_data_uri(text: str) -> str:
    """*text* as an SVG QR code in a ``data:`` URI (the CSP allows data images)."""
    return str(segno.make(text, error="m").svg_data_uri(scale=5, border=2))


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code is *code*, if it is recent and not used yet."""
    if not (code.isascii() and code.isdecimal() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // TOTP_PERIOD
    for step in range(now_step - TOTP_WINDOW, now_step + TOTP_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace *user*'s recovery codes by ten new ones (shown once, kept hashed)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code)))
    db.session.flush()
    return codes


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code; return the recovery codes."""
    secret = pending_secret(user)
    if secret is None:
        raise DomainError(_l("Start again: scan a new QR code."), field="code")
    step = _matching_step(secret, _clean(code), None)
    if step is None:
        raise DomainError(
            _l("This code is not right. Type the 6 digits your app shows now."),
            field="code",
        )
    user.totp_confirmed_at = utcnow()
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    audit.record("account.second_factor_enabled", actor=user, obj=user)
    return codes


def _delays() -> Delays:
    return Delays.from_config("second-factor")


def _too_soon(seconds: int) -> DomainError:
    minutes = max(1, (seconds + 59) // 60)
    return DomainError(
        ngettext(
            "Too many wrong codes: try again in %(num)d minute.",
            "Too many wrong codes: try again in %(num)d minutes.",
            minutes,
        ),
        field="code",
    )


def check_second_factor(user: User, code: str) -> str:
    """Accept a current TOTP code or an unused recovery code; return which ("totp"
    or "recovery"). Wrong codes make the person wait longer and longer.

    :raises DomainError: (field ``code``) when the code is wrong, used or too soon.
    """
    subject = str(user.id)
    wait = _delays().wait_seconds(subject)
    if wait:
        raise _too_soon(wait)
    cleaned = _clean(code)
    secret = decrypt_secret(user.totp_secret) if user.has_second_factor else None
    if secret is not None and cleaned.isascii() and cleaned.isdecimal():
        step = _matching_step(secret, cleaned, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            _delays().succeeded(subject)
            db.session.flush()
            return "totp"
    elif cleaned:
        recovery = db.session.scalar(
            sa.select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _recovery_hash(cleaned),
                RecoveryCode.used_at.is_(None),
            )
        )
        if recovery is not None:
            recovery.used_at = utcnow()
            _delays().succeeded(subject)
            audit.record("account.recovery_code_used", actor=user, obj=user)
            return "recovery"
    wait = _delays().failed(subject)
    if wait:
        raise _too_soon(wait)
    raise DomainError(
        _l("This code is not right, or it was already used."), field="code"
    )


def unused_recovery_codes(user: User) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def disable(user: User, password: str) -> None:
    """Turn two-factor sign-in off (not for staff, who must keep it)."""
    if requires_second_factor(user):
        raise PermissionDenied(
            _l("Staff and administrators must keep two-factor sign-in.")
        )
    if not check_password(user.password_hash, password):
        raise DomainError(_l("The password is not right."), field="password")
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("account.second_factor_disabled", actor=user, obj=user)


def regenerate_recovery_codes(user: User, password: str) -> list[str]:
    """New recovery codes (the old ones stop working); the password is asked."""
    if not user.has_second_factor:
        raise DomainError(_l("Turn two-factor sign-in on first."))
    if not check_password(user.password_hash, password):
        raise DomainError(_l("The password is not right."), field="password")
    codes = new_recovery_codes(user)
    audit.record("account.recovery_codes_renewed", actor=user, obj=user)
    return codes
