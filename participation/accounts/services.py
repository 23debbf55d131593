"""Account operations: registration, sign-in, tokens, profile, managed accounts,
resident verification and roles. Services flush; the calling view or command commits.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from ..core.outbox import queue_email
from ..core.permissions import (
    can_create_managed_account,
    can_manage_people,
    can_verify_residents,
    is_relay,
    is_staff,
)
from ..core.time import utcnow
from ..extensions import db
from ..territories.models import Territory, TerritoryKind
from . import queries
from .models import ResidentVerification, User, UserRole
from .passwords import check_password, hash_password
from .states import Role, Sex, VerificationMethod

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
PSEUDONYM_MIN_LENGTH = 3
PSEUDONYM_MAX_LENGTH = 40
REAL_NAME_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 200
#: Letters (any script), digits, spaces, hyphens and underscores.
PSEUDONYM_RE = re.compile(r"[\w \-]+")
#: Setup codes avoid characters people confuse on paper: 0/O, 1/I/L, U/V.
SETUP_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
SETUP_CODE_GROUPS = 3
SETUP_CODE_GROUP_LENGTH = 4
SETUP_CODE_VALIDITY = timedelta(days=60)
#: Token lifetimes in seconds, unless the configuration says otherwise.
DEFAULT_EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
DEFAULT_PASSWORD_RESET_MAX_AGE = 2 * 3600
CONFIRM_SALT = "participation.accounts.confirm-email"
RESET_SALT = "participation.accounts.reset-password"

# Checked when nobody matches, so a wrong login takes as long as a wrong password.
_DUMMY_HASH: str | None = None


class TokenError(DomainError):
    """A link from an e-mail is invalid, already used or too old."""


# --- Permission predicates (views refuse with them, templates hide buttons) ---


def can_search_people(user: Any) -> bool:
    """Relays and staff find people to verify them or create managed accounts."""
    return is_relay(user)


def can_view_person(user: Any, person: User) -> bool:
    return is_relay(user)


def can_verify(user: Any, person: User) -> bool:
    """A relay or staff member verifies residents, never themselves."""
    return can_verify_residents(user) and getattr(user, "id", None) != person.id


def can_regenerate_setup_code(user: Any, person: User) -> bool:
    """Staff always; the relay who created the account until a password is set."""
    if not person.is_managed:
        return False
    if is_staff(user):
        return True
    return (
        is_relay(user)
        and person.managed_by_id == getattr(user, "id", None)
        and person.password_hash is None
    )


def can_get_setup_sheet(user: Any, person: User) -> bool:
    """The printable sheet goes only to staff or to the relay who made the account."""
    if not person.is_managed:
        return False
    return is_staff(user) or (
        is_relay(user) and person.managed_by_id == getattr(user, "id", None)
    )


# --- Normalisation and checks of what people type ---


def normalize_email(raw: str) -> str:
    """Lower-case and check an e-mail address.

    :raises DomainError: (field ``email``) when it is not an address.
    """
    text = raw.strip().lower()
    try:
        # Tests may use the reserved ".test" domain, nothing else may.
        validate_email(
            text,
            check_deliverability=False,
            test_environment=bool(current_app.config.get("TESTING")),
        )
    except EmailNotValidError:
        raise DomainError(_l("Enter a valid e-mail address."), field="email") from None
    if len(text) > 254:
        raise DomainError(_l("This e-mail address is too long."), field="email")
    return text


def normalize_phone(raw: str) -> str:
    """Return the number in international form: ``06 12 34 56 78`` -> ``+33612345678``.

    :raises DomainError: (field ``phone``) when it is not a phone number.
    """
    text = re.sub(r"[\s.\-/()]", "", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if re.fullmatch(r"0[1-9]\d{8}", text):
        return "+33" + text[1:]
    # "+33 (0)6 ..." is a common way of writing French numbers.
    if re.fullmatch(r"\+330[1-9]\d{8}", text):
        return "+33" + text[4:]
    if re.fullmatch(r"\+33[1-9]\d{8}", text):
        return text
    if re.fullmatch(r"\+(?!33)[1-9]\d{7,14}", text):
        return text
    raise DomainError(
        _l("Enter a phone number such as 06 12 34 56 78 or +33 6 12 34 56 78."),
        field="phone",
    )


def normalize_pseudonym(raw: str) -> str:
    """Tidy spaces and check the public pseudonym's length and characters."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not PSEUDONYM_MIN_LENGTH <= len(text) <= PSEUDONYM_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "The pseudonym must have between %(min)d and %(num)d character.",
                "The pseudonym must have between %(min)d and %(num)d characters.",
                PSEUDONYM_MAX_LENGTH,
                min=PSEUDONYM_MIN_LENGTH,
            ),
            field="pseudonym",
        )
    if not PSEUDONYM_RE.fullmatch(text):
        raise DomainError(
            _l("Use only letters, digits, spaces, hyphens (-) and underscores (_)."),
            field="pseudonym",
        )
    return text


def check_password_policy(password: str, field: str = "password") -> None:
    """At least 10 characters (a sentence is easier to remember than symbols)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DomainError(
            ngettext(
                "The password must have at least %(num)d character.",
                "The password must have at least %(num)d characters.",
                PASSWORD_MIN_LENGTH,
            ),
            field=field,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(_l("This password is too long."), field=field)


def check_birth_year(year: int | None) -> None:
    if year is None:
        return
    current = utcnow().year
    if not 1900 <= year <= current:
        raise DomainError(
            _l("Enter a year between %(min)d and %(max)d.", min=1900, max=current),
            field="birth_year",
        )


def _clean_optional(text: str | None, max_length: int, field: str) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if len(text) > max_length:
        raise DomainError(
            ngettext(
                "Use at most %(num)d character.",
                "Use at most %(num)d characters.",
                max_length,
            ),
            field=field,
        )
    return text or None


def _residence(territory_id: int | None) -> Territory:
    territory = db.session.get(Territory, territory_id) if territory_id else None
    if territory is None or not territory.is_active:
        raise DomainError(
            _l("Choose the neighbourhood where you live."), field="territory"
        )
    return territory


def _check_locale(locale: str) -> str:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Choose a language from the list."), field="locale")
    return locale


def _duplicates(
    *,
    email: str | None = None,
    phone: str | None = None,
    pseudonym: str | None = None,
    exclude: User | None = None,
) -> dict[str, Any]:
    errors: dict[str, Any] = {}

    def taken(found: User | None) -> bool:
        return found is not None and (exclude is None or found.id != exclude.id)

    if email and taken(queries.user_by_email(email)):
        errors["email"] = _l("This e-mail address is already used by an account.")
    if phone and taken(queries.user_by_phone(phone)):
        errors["phone"] = _l("This phone number is already used by an account.")
    if pseudonym and taken(queries.user_by_pseudonym(pseudonym)):
        errors["pseudonym"] = _l("This pseudonym is already taken. Choose another one.")
    return errors


def check_unique(
    *,
    email: str | None = None,
    phone: str | None = None,
    pseudonym: str | None = None,
    exclude: User | None = None,
) -> None:
    """Raise FieldErrors naming every value another account already uses."""
    errors = _duplicates(email=email, phone=phone, pseudonym=pseudonym, exclude=exclude)
    if errors:
        raise FieldErrors(errors)


def _flush_unique(
    *,
    email: str | None,
    phone: str | None,
    pseudonym: str | None,
    exclude: User | None = None,
) -> None:
    """Flush; when a concurrent request took a value first, report it on its field.

    The checks before the insert cannot see a row another request has not committed
    yet; the UNIQUE constraints can. The failed insert leaves the session unusable,
    so it is rolled back (nothing else is pending in these account operations).
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        errors = _duplicates(
            email=email, phone=phone, pseudonym=pseudonym, exclude=exclude
        )
        if errors:
            raise FieldErrors(errors) from None
        raise Conflict(
            _l("The account could not be saved. Please try again.")
        ) from None


# --- Registration and sign-in ---


@dataclass(frozen=True)
class Registration:
    """What a person types to open an account."""

    pseudonym: str
    password: str
    territory_id: int | None
    email: str | None = None
    phone: str | None = None
    real_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    locale: str = "fr"
    accepted_notice: bool = False


def register(data: Registration) -> User:
    """Open a resident account with a declared residence.

    :raises FieldErrors: with every field that is wrong or already used.
    """
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("email", lambda: normalize_email(data.email) if data.email else None),
        ("phone", lambda: normalize_phone(data.phone) if data.phone else None),
        ("pseudonym", lambda: normalize_pseudonym(data.pseudonym)),
        ("password", lambda: check_password_policy(data.password)),
        ("territory", lambda: _residence(data.territory_id)),
        ("birth_year", lambda: check_birth_year(data.birth_year)),
        (
            "real_name",
            lambda: _clean_optional(data.real_name, REAL_NAME_MAX_LENGTH, "real_name"),
        ),
        ("locale", lambda: _check_locale(data.locale)),
    ]
    for name, check in checks:
        try:
            values[name] = check()
        except DomainError as error:
            errors[error.field or name] = error.message
    if not data.email and not data.phone:
        errors.setdefault(
            "email", _l("Give an e-mail address or a phone number (or both).")
        )
    if not data.accepted_notice:
        errors["accept_notice"] = _l("Please read and accept the personal data notice.")
    if errors:
        raise FieldErrors(errors)
    check_unique(
        email=values["email"], phone=values["phone"], pseudonym=values["pseudonym"]
    )

    now = utcnow()
    user = User(
        email=values["email"],
        phone=values["phone"],
        pseudonym=values["pseudonym"],
        real_name=values["real_name"],
        territory_id=values["territory"].id,
        birth_year=data.birth_year,
        sex=data.sex,
        locale=values["locale"],
        password_hash=hash_password(data.password),
        data_notice_accepted_at=now,
    )
    user.roles = [UserRole(role=Role.RESIDENT)]
    db.session.add(user)
    _flush_unique(email=user.email, phone=user.phone, pseudonym=user.pseudonym)
    audit.record(
        "account.registered",
        actor=user,
        obj=user,
        contact=[name for name in ("email", "phone") if values[name]],
        territory_id=user.territory_id,
    )
    return user


def find_by_login(identifier: str) -> User | None:
    """The account an e-mail, a phone number or (managed accounts) a pseudonym names."""
    text = identifier.strip()
    if not text:
        return None
    if "@" in text:
        return queries.user_by_email(text.lower())
    try:
        user = queries.user_by_phone(normalize_phone(text))
    except DomainError:
        user = None
    if user is not None:
        return user
    # People without e-mail or phone (managed accounts) sign in with their pseudonym.
    candidate = queries.user_by_pseudonym(" ".join(text.split()))
    if candidate is not None and candidate.email is None and candidate.phone is None:
        return candidate
    return None


def authenticate(identifier: str, password: str) -> User:
    """Check the credentials and note the sign-in time.

    :raises DomainError: with one message whatever was wrong, so that nobody can
        learn from it whether an account exists.
    """
    global _DUMMY_HASH
    user = find_by_login(identifier)
    if user is None or user.password_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
        check_password(_DUMMY_HASH, password)
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


# --- Signed links sent by e-mail ---


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


def email_confirmation_token(user: User) -> str:
    """A signed token proving the holder received mail at the person's address."""
    return str(
        _serializer(CONFIRM_SALT).dumps(
            {"u": user.id, "e": user.email, "s": user.security_stamp}
        )
    )


def password_reset_token(user: User) -> str:
    """A signed token to choose a new password; it works once (the stamp changes)."""
    return str(
        _serializer(RESET_SALT).dumps(
            {"u": user.id, "e": user.email, "s": user.security_stamp}
        )
    )


def send_email_confirmation(user: User, link: str) -> None:
    """Queue the confirmation e-mail in the person's language."""
    if not user.email:
        return
    with force_locale(user.locale):
        subject = _("Confirm your e-mail address")
        body = "\n\n".join(
            [
                _("Hello %(pseudonym)s,", pseudonym=user.pseudonym),
                _("Please confirm your e-mail address by opening this link:"),
                link,
                _(
                    "The link is valid for 3 days. If you did not create an account, "
                    "ignore this message."
                ),
                current_app.config["SITE_NAME"],
            ]
        )
    queue_email(user.email, subject, body)


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
        address = normalize_email(email)
    except DomainError:
        return
    user = queries.user_by_email(address)
    if user is None or not user.is_active or not user.email:
        return
    link = make_link(password_reset_token(user))
    with force_locale(user.locale):
        subject = _("Choose a new password")
        body = "\n\n".join(
            [
                _("Hello %(pseudonym)s,", pseudonym=user.pseudonym),
                _(
                    "Someone asked to change the password of your account. "
                    "To choose a new password, open this link:"
                ),
                link,
                _(
                    "The link is valid for 2 hours and works once. If you did not ask "
                    "for this, ignore this message: your password stays the same."
                ),
                current_app.config["SITE_NAME"],
            ]
        )
    queue_email(user.email, subject, body)


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    # Ends every other session and every pending link of this account.
    user.security_stamp += 1


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    data = _load_token(
        token, RESET_SALT, "PASSWORD_RESET_MAX_AGE", DEFAULT_PASSWORD_RESET_MAX_AGE
    )
    user = _user_for_token(data)
    check_password_policy(new_password)
    _set_password(user, new_password)
    if user.email_confirmed_at is None:
        # The link reached the mailbox: the address is confirmed too.
        user.email_confirmed_at = utcnow()
    audit.record("account.password_reset", actor=user, obj=user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password of a signed-in person, who must know the current one."""
    if not check_password(user.password_hash, current_password):
        raise DomainError(
            _l("The current password is not right."), field="current_password"
        )
    check_password_policy(new_password, field="new_password")
    _set_password(user, new_password)
    audit.record("account.password_changed", actor=user, obj=user)
    db.session.flush()


# --- Profile ---


@dataclass(frozen=True)
class ProfileChanges:
    """The editable part of a profile, as typed."""

    pseudonym: str
    territory_id: int | None
    email: str | None = None
    phone: str | None = None
    real_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    locale: str = "fr"


@dataclass(frozen=True)
class ProfileResult:
    """What changed; ``email_changed`` means a confirmation must be sent."""

    fields: list[str]
    email_changed: bool


def update_profile(user: User, data: ProfileChanges) -> ProfileResult:
    """Apply the person's own edits; a new e-mail address must be confirmed again."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[], Any]]] = [
        (
            "email",
            lambda: (
                None
                if not data.email
                else user.email
                if data.email.strip().lower() == user.email
                else normalize_email(data.email)
            ),
        ),
        ("phone", lambda: normalize_phone(data.phone) if data.phone else None),
        ("pseudonym", lambda: normalize_pseudonym(data.pseudonym)),
        ("territory", lambda: _residence(data.territory_id)),
        ("birth_year", lambda: check_birth_year(data.birth_year)),
        (
            "real_name",
            lambda: _clean_optional(data.real_name, REAL_NAME_MAX_LENGTH, "real_name"),
        ),
        ("locale", lambda: _check_locale(data.locale)),
    ]
    for name, check in checks:
        try:
            values[name] = check()
        except DomainError as error:
            errors[error.field or name] = error.message
    if not data.email and not data.phone and not user.is_managed:
        errors.setdefault(
            "email", _l("Keep an e-mail address or a phone number to sign in with.")
        )
    if errors:
        raise FieldErrors(errors)
    check_unique(
        email=values["email"],
        phone=values["phone"],
        pseudonym=values["pseudonym"],
        exclude=user,
    )

    new_values: dict[str, Any] = {
        "email": values["email"],
        "phone": values["phone"],
        "pseudonym": values["pseudonym"],
        "real_name": values["real_name"],
        "territory_id": values["territory"].id,
        "birth_year": data.birth_year,
        "sex": data.sex,
        "locale": values["locale"],
    }
    changed = [
        name for name, value in new_values.items() if getattr(user, name) != value
    ]
    email_changed = "email" in changed and new_values["email"] is not None
    old_territory_id = user.territory_id
    # Loaded before any change, so that no autoflush happens outside _flush_unique.
    verifications = list(user.verifications)
    for name in changed:
        setattr(user, name, new_values[name])
    if "email" in changed:
        user.email_confirmed_at = None
    if "territory_id" in changed:
        # A verification vouches for the old address only.
        now = utcnow()
        for verification in verifications:
            if (
                verification.revoked_at is None
                and verification.territory_id != user.territory_id
            ):
                verification.revoked_at = now
                verification.revoked_by_id = user.id
    _flush_unique(
        email=user.email, phone=user.phone, pseudonym=user.pseudonym, exclude=user
    )
    if changed:
        audit.record(
            "account.profile_updated",
            actor=user,
            obj=user,
            fields=changed,
            **(
                {"territory_from": old_territory_id}
                if "territory_id" in changed
                else {}
            ),
        )
    return ProfileResult(fields=changed, email_changed=email_changed)


# --- Managed accounts and their one-time setup code ---


def new_setup_code() -> str:
    """A random code such as ``K7PM-3QXR-W9ZC`` (about 58 bits)."""
    groups = (
        "".join(
            secrets.choice(SETUP_CODE_ALPHABET) for _ in range(SETUP_CODE_GROUP_LENGTH)
        )
        for _ in range(SETUP_CODE_GROUPS)
    )
    return "-".join(groups)


def canonical_setup_code(raw: str) -> str:
    """What is hashed and compared: upper case, without spaces or dashes."""
    return re.sub(r"[^0-9A-Z]", "", raw.upper())


def _issue_setup_code(person: User) -> str:
    code = new_setup_code()
    person.setup_code_hash = hash_password(canonical_setup_code(code))
    person.setup_code_expires_at = utcnow() + SETUP_CODE_VALIDITY
    return code


@dataclass(frozen=True)
class ManagedAccount:
    """What a relay types for a person who has no e-mail address or phone."""

    pseudonym: str
    territory_id: int | None
    consent: bool
    real_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    locale: str = "fr"
    verified_in_person: bool = False


def create_managed_account(actor: User, data: ManagedAccount) -> tuple[User, str]:
    """Create the account; return it with its one-time code (shown once, not stored)."""
    if not can_create_managed_account(actor):
        raise PermissionDenied(
            _l("Only relays and staff create accounts for other people.")
        )
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("pseudonym", lambda: normalize_pseudonym(data.pseudonym)),
        ("territory", lambda: _residence(data.territory_id)),
        ("birth_year", lambda: check_birth_year(data.birth_year)),
        (
            "real_name",
            lambda: _clean_optional(data.real_name, REAL_NAME_MAX_LENGTH, "real_name"),
        ),
        ("locale", lambda: _check_locale(data.locale)),
    ]
    for name, check in checks:
        try:
            values[name] = check()
        except DomainError as error:
            errors[error.field or name] = error.message
    if not data.consent:
        errors["consent"] = _l("The person must agree before you create their account.")
    if errors:
        raise FieldErrors(errors)
    check_unique(pseudonym=values["pseudonym"])

    now = utcnow()
    person = User(
        pseudonym=values["pseudonym"],
        real_name=values["real_name"],
        territory_id=values["territory"].id,
        birth_year=data.birth_year,
        sex=data.sex,
        locale=values["locale"],
        is_managed=True,
        managed_by_id=actor.id,
        managed_consent_at=now,
        data_notice_accepted_at=now,
    )
    person.roles = [UserRole(role=Role.RESIDENT, granted_by_id=actor.id)]
    code = _issue_setup_code(person)
    db.session.add(person)
    _flush_unique(email=None, phone=None, pseudonym=person.pseudonym)
    audit.record(
        "account.managed_created",
        actor=actor,
        obj=person,
        territory_id=person.territory_id,
        consent=True,
    )
    if data.verified_in_person:
        verify_resident(
            actor, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
        )
    return person, code


def regenerate_setup_code(actor: User, person: User) -> str:
    """Issue a new code; the previous one stops working."""
    if not can_regenerate_setup_code(actor, person):
        raise PermissionDenied(_l("You cannot issue a code for this account."))
    code = _issue_setup_code(person)
    audit.record("account.setup_code_issued", actor=actor, obj=person)
    db.session.flush()
    return code


def setup_code_matches(person: User, code: str) -> bool:
    """True when *code* is the person's current, unexpired code."""
    if person.setup_code_hash is None or person.setup_code_expires_at is None:
        return False
    if person.setup_code_expires_at <= utcnow():
        return False
    return check_password(person.setup_code_hash, canonical_setup_code(code))


def redeem_setup_code(pseudonym: str, code: str, password: str) -> User:
    """Let a managed person choose a password with their printed code (used once)."""
    check_password_policy(password)
    person = queries.user_by_pseudonym(" ".join(pseudonym.split()))
    if person is None or not person.is_active or not setup_code_matches(person, code):
        raise DomainError(
            _l(
                "The pseudonym or the code is not right, or the code has expired. "
                "Ask the person who gave you the code for a new one."
            ),
            field="code",
        )
    _set_password(person, password)
    person.setup_code_hash = None
    person.setup_code_expires_at = None
    person.last_signin_at = utcnow()
    audit.record("account.setup_code_used", actor=person, obj=person)
    db.session.flush()
    return person


# --- Resident verification ---


def verify_resident(
    actor: User,
    person: User,
    territory_id: int | None,
    method: VerificationMethod,
    note: str | None,
) -> ResidentVerification:
    """Record that *actor* checked that *person* lives in a QPV. No document is kept.

    Verifying for another QPV than the declared one moves the person's residence
    there and ends the verification of the old one. Verifying twice changes nothing.
    """
    if not can_verify(actor, person):
        raise PermissionDenied(_l("You cannot verify this person."))
    territory = db.session.get(Territory, territory_id) if territory_id else None
    if (
        territory is None
        or not territory.is_active
        or territory.kind is not TerritoryKind.QPV
    ):
        raise DomainError(
            _l("Choose the QPV the proof of address is in."), field="territory"
        )
    note = _clean_optional(note, NOTE_MAX_LENGTH, "note")
    existing = person.active_verification(territory.id)
    if existing is not None:
        return existing
    now = utcnow()
    for other in person.verifications:
        if other.revoked_at is None:
            other.revoked_at = now
            other.revoked_by_id = actor.id
    moved_from = person.territory_id if person.territory_id != territory.id else None
    person.territory_id = territory.id
    verification = ResidentVerification(
        territory_id=territory.id,
        method=method,
        verified_by_id=actor.id,
        verified_by_role=Role.STAFF if is_staff(actor) else Role.RELAY,
        verified_at=now,
        note=note,
    )
    person.verifications.append(verification)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request recorded the same verification a moment earlier.
        db.session.rollback()
        raise Conflict(_l("This person was verified a moment ago.")) from None
    audit.record(
        "resident.verified",
        actor=actor,
        obj=person,
        territory_id=territory.id,
        method=method.value,
        verification_id=verification.id,
        **({"territory_from": moved_from} if moved_from is not None else {}),
    )
    return verification


def revoke_verification(actor: User, verification: ResidentVerification) -> None:
    """End a verification (a mistake, a move); revoking twice changes nothing."""
    if not can_verify(actor, verification.user):
        raise PermissionDenied(_l("You cannot change this person's verification."))
    if verification.revoked_at is not None:
        return
    verification.revoked_at = utcnow()
    verification.revoked_by_id = actor.id
    audit.record(
        "resident.verification_revoked",
        actor=actor,
        obj=verification.user,
        territory_id=verification.territory_id,
        verification_id=verification.id,
    )
    db.session.flush()


# --- Roles ---


def grant_role(actor: User, person: User, role: Role) -> bool:
    """Give *role* to *person*; return False when they already had it."""
    if not can_manage_people(actor):
        raise PermissionDenied(_l("Only administrators manage roles."))
    if person.has_role(role):
        return False
    person.roles.append(UserRole(role=role, granted_by_id=actor.id))
    try:
        db.session.flush()
    except IntegrityError:
        # Granted by a concurrent request: the outcome is the same.
        db.session.rollback()
        return False
    audit.record("account.role_granted", actor=actor, obj=person, role=role.value)
    return True


def revoke_role(actor: User, person: User, role: Role) -> bool:
    """Take *role* from *person*; the last administrator keeps theirs.

    :raises Conflict: when it would leave the site without an administrator.
    """
    if not can_manage_people(actor):
        raise PermissionDenied(_l("Only administrators manage roles."))
    held = [user_role for user_role in person.roles if user_role.role == role]
    if not held:
        return False
    if role is Role.ADMIN:
        # Lock the administrators' rows so two admins cannot remove each other at once.
        admins = db.session.scalars(
            sa.select(UserRole.id).where(UserRole.role == Role.ADMIN).with_for_update()
        ).all()
        if len(admins) <= 1:
            raise Conflict(
                _l(
                    "The site needs at least one administrator: give the role to "
                    "someone else first."
                )
            )
    for user_role in held:
        person.roles.remove(user_role)
    db.session.flush()
    audit.record("account.role_revoked", actor=actor, obj=person, role=role.value)
    return True


def setup_code_expiry(person: User) -> datetime | None:
    """When the person's current code stops working (None: no code pending)."""
    return person.setup_code_expires_at if person.setup_code_hash else None
