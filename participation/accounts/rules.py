"""What people may type about themselves: pure normalisers and checks.

No application, no database: plain values in, the tidy value out, or a
:class:`~participation.core.errors.DomainError` naming the form field. The
services and the form validators both use these, so they agree on the rules.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask_babel import ngettext

from ..core.errors import DomainError
from ..core.i18n import lazy_gettext as _l
from ..core.time import utcnow

T = TypeVar("T")

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
PSEUDONYM_MIN_LENGTH = 3
PSEUDONYM_MAX_LENGTH = 40
REAL_NAME_MAX_LENGTH = 120
NOTE_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
BIRTH_YEAR_MIN = 1900
#: Letters (any script), digits, spaces, hyphens and underscores.
PSEUDONYM_RE = re.compile(r"[\w \-]+")
#: Setup codes avoid characters people confuse on paper: 0/O, 1/I/L, U/V.
SETUP_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
SETUP_CODE_GROUPS = 3
SETUP_CODE_GROUP_LENGTH = 4
#: A managed account's code, printed on its sheet: two groups of four.
ACCOUNT_CODE_LENGTH = 8


def normalize_email(raw: str, *, allow_test_domains: bool = False) -> str:
    """Lower-case and check an e-mail address.

    *allow_test_domains* accepts the reserved ``.test`` domain (tests only).

    :raises DomainError: (field ``email``) when it is not an address.
    """
    text = raw.strip().lower()
    try:
        validate_email(
            text, check_deliverability=False, test_environment=allow_test_domains
        )
    except EmailNotValidError:
        raise DomainError(_l("Enter a valid e-mail address."), field="email") from None
    if len(text) > EMAIL_MAX_LENGTH:
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


def tidy_pseudonym(raw: str) -> str:
    """The pseudonym as compared and stored: NFC, single spaces, no edges."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def normalize_pseudonym(raw: str) -> str:
    """Tidy spaces and check the public pseudonym's length and characters."""
    text = tidy_pseudonym(raw)
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


def check_birth_year(
    year: int | None, *, current_year: int | None = None
) -> int | None:
    """The year of birth, between 1900 and this year (None: not given)."""
    if year is None:
        return None
    current = current_year if current_year is not None else utcnow().year
    if not BIRTH_YEAR_MIN <= year <= current:
        raise DomainError(
            _l(
                "Enter a year between %(min)d and %(max)d.",
                min=BIRTH_YEAR_MIN,
                max=current,
            ),
            field="birth_year",
        )
    return year


def clean_optional(text: str | None, max_length: int, field: str) -> str | None:
    """An optional free text, stripped; None when empty, refused when too long."""
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


def check_locale(locale: str, languages: Collection[str]) -> str:
    """One of the site's *languages*."""
    if locale not in languages:
        raise DomainError(_l("Choose a language from the list."), field="locale")
    return locale


def new_setup_code() -> str:
    """A random code such as ``K7PM-3QXR-W9ZC`` (about 58 bits)."""
    groups = (
        "".join(
            secrets.choice(SETUP_CODE_ALPHABET) for _ in range(SETUP_CODE_GROUP_LENGTH)
        )
        for _ in range(SETUP_CODE_GROUPS)
    )
    return "-".join(groups)


def new_account_code() -> str:
    """A managed account's code such as ``K7PM-3QXR``, by which a relay finds it."""
    raw = "".join(
        secrets.choice(SETUP_CODE_ALPHABET) for _ in range(ACCOUNT_CODE_LENGTH)
    )
    return format_account_code(raw)


def format_account_code(canonical: str) -> str:
    """``K7PM3QXR`` as stored and printed: ``K7PM-3QXR``."""
    half = ACCOUNT_CODE_LENGTH // 2
    return f"{canonical[:half]}-{canonical[half:ACCOUNT_CODE_LENGTH]}"


def canonical_setup_code(raw: str) -> str:
    """What is hashed and compared: upper case, without spaces or dashes."""
    return re.sub(r"[^0-9A-Z]", "", raw.upper())


def exact_code(raw: str) -> str | None:
    """*raw* as an account code when it has exactly its length, else None."""
    canonical = canonical_setup_code(raw)
    if len(canonical) != ACCOUNT_CODE_LENGTH:
        return None
    return format_account_code(canonical)


def collect(
    checks: Mapping[str, Callable[[], T]],
) -> tuple[dict[str, T], dict[str, Any]]:
    """Run every check; return the values and the messages, both by field.

    A check's value is kept under its name; a :class:`DomainError` it raises is
    kept under the error's field (or the check's name), so that one form shows
    every wrong field at once.
    """
    values: dict[str, T] = {}
    errors: dict[str, Any] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except DomainError as error:
            errors[error.field or name] = error.message
    return values, errors
