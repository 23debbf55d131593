"""The details that describe a person, checked against the configuration and the
database: residence, language, and values no other account may use."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...extensions import db
from ...territories.models import Territory
from .. import queries, rules
from ..models import User
from ..states import Sex


@dataclass(frozen=True, kw_only=True)
class PersonDetails:
    """What describes a person, whoever types it (the person or a relay)."""

    pseudonym: str
    territory_id: int | None
    real_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    locale: str = "fr"


def normalize_email(raw: str) -> str:
    """:func:`rules.normalize_email`; tests may use the reserved ``.test`` domain."""
    return rules.normalize_email(
        raw, allow_test_domains=bool(current_app.config.get("TESTING"))
    )


def residence(territory_id: int | None) -> Territory:
    """The active territory a person declares to live in."""
    territory = db.session.get(Territory, territory_id) if territory_id else None
    if territory is None or not territory.is_active:
        raise DomainError(
            _l("Choose the neighbourhood where you live."), field="territory"
        )
    return territory


def check_locale(locale: str) -> str:
    return rules.check_locale(locale, current_app.config["LANGUAGES"])


def person_values(
    data: PersonDetails,
    *,
    more: Mapping[str, Callable[[], Any]] | None = None,
    problems: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check *data*; return the person's column values, or raise every wrong field.

    *more* adds checks (e-mail, phone) whose results join the values under their
    names. *problems* are messages the caller found itself (a missing consent),
    kept unless a check already reported on that field.

    :raises FieldErrors: naming every field that is wrong.
    """
    values, errors = rules.collect(
        {
            **(more or {}),
            "pseudonym": lambda: rules.normalize_pseudonym(data.pseudonym),
            "territory_id": lambda: residence(data.territory_id).id,
            "birth_year": lambda: rules.check_birth_year(data.birth_year),
            "real_name": lambda: rules.clean_optional(
                data.real_name, rules.REAL_NAME_MAX_LENGTH, "real_name"
            ),
            "locale": lambda: check_locale(data.locale),
        }
    )
    for field, message in (problems or {}).items():
        errors.setdefault(field, message)
    if errors:
        raise FieldErrors(errors)
    columns = {name: values[name] for name in more or {}}
    columns.update(
        pseudonym=values["pseudonym"],
        real_name=values["real_name"],
        territory_id=values["territory_id"],
        birth_year=values["birth_year"],
        sex=data.sex,
        locale=values["locale"],
    )
    return columns


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


def flush_unique(user: User, *, exclude: User | None = None) -> None:
    """Flush; when a concurrent request took a value first, report it on its field.

    The checks before the insert cannot see a row another request has not committed
    yet; the UNIQUE constraints can. The failed insert leaves the session unusable,
    so it is rolled back (nothing else is pending in these account operations).
    """
    email, phone, pseudonym = user.email, user.phone, user.pseudonym
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
