"""Opening one's own resident account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core import audit
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from .. import rules
from ..models import User, UserRole
from ..passwords import hash_password
from ..states import Role
from . import checks
from .checks import PersonDetails


@dataclass(frozen=True, kw_only=True)
class Registration(PersonDetails):
    """What a person types to open an account."""

    password: str
    email: str | None = None
    phone: str | None = None
    accepted_notice: bool = False


def register(data: Registration) -> User:
    """Open a resident account with a declared residence.

    :raises FieldErrors: with every field that is wrong or already used.
    """
    problems: dict[str, Any] = {}
    if not data.email and not data.phone:
        problems["email"] = _l("Give an e-mail address or a phone number (or both).")
    if not data.accepted_notice:
        problems["accept_notice"] = _l(
            "Please read and accept the personal data notice."
        )
    values = checks.person_values(
        data,
        more={
            "email": lambda: checks.normalize_email(data.email) if data.email else None,
            "phone": lambda: rules.normalize_phone(data.phone) if data.phone else None,
            "password": lambda: rules.check_password_policy(data.password),
        },
        problems=problems,
    )
    del values["password"]  # checked only; the hash is stored
    checks.check_unique(
        email=values["email"], phone=values["phone"], pseudonym=values["pseudonym"]
    )
    user = User(
        **values,
        password_hash=hash_password(data.password),
        data_notice_accepted_at=utcnow(),
    )
    user.roles = [UserRole(role=Role.RESIDENT)]
    db.session.add(user)
    checks.flush_unique(user)
    audit.record(
        "account.registered",
        actor=user,
        obj=user,
        contact=[name for name in ("email", "phone") if values[name]],
        territory_id=user.territory_id,
    )
    return user
