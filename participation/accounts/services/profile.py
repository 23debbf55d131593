"""A person's own edits of their profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core import audit
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from .. import rules
from ..models import ResidentVerification, User
from . import checks
from .checks import PersonDetails


@dataclass(frozen=True, kw_only=True)
class ProfileChanges(PersonDetails):
    """The editable part of a profile, as typed."""

    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ProfileResult:
    """What changed; ``email_changed`` means a confirmation must be sent."""

    fields: list[str]
    email_changed: bool


def _email(user: User, typed: str | None) -> str | None:
    """The address to keep: the current one as is, a new one checked."""
    if not typed:
        return None
    if typed.strip().lower() == user.email:
        return user.email
    return checks.normalize_email(typed)


def _profile_values(user: User, data: ProfileChanges) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    if not data.email and not data.phone and not user.is_managed:
        problems["email"] = _l(
            "Keep an e-mail address or a phone number to sign in with."
        )
    values = checks.person_values(
        data,
        more={
            "email": lambda: _email(user, data.email),
            "phone": lambda: rules.normalize_phone(data.phone) if data.phone else None,
        },
        problems=problems,
    )
    checks.check_unique(
        email=values["email"],
        phone=values["phone"],
        pseudonym=values["pseudonym"],
        exclude=user,
    )
    return values


def _revoke_elsewhere(user: User, verifications: list[ResidentVerification]) -> None:
    """A verification vouches for one address: moving ends the others."""
    now = utcnow()
    for verification in verifications:
        if (
            verification.revoked_at is None
            and verification.territory_id != user.territory_id
        ):
            verification.revoked_at = now
            verification.revoked_by_id = user.id


def update_profile(user: User, data: ProfileChanges) -> ProfileResult:
    """Apply the person's own edits; a new e-mail address must be confirmed again.

    :raises FieldErrors: with every field that is wrong or already used.
    """
    new_values = _profile_values(user, data)
    changed = [
        name for name, value in new_values.items() if getattr(user, name) != value
    ]
    old_territory_id = user.territory_id
    # Loaded before any change, so that no autoflush happens outside flush_unique.
    verifications = list(user.verifications)
    for name in changed:
        setattr(user, name, new_values[name])
    if "email" in changed:
        user.email_confirmed_at = None
    if "territory_id" in changed:
        _revoke_elsewhere(user, verifications)
    checks.flush_unique(user, exclude=user)
    if changed:
        moved = (
            {"territory_from": old_territory_id} if "territory_id" in changed else {}
        )
        audit.record(
            "account.profile_updated", actor=user, obj=user, fields=changed, **moved
        )
    return ProfileResult(
        fields=changed,
        email_changed="email" in changed and new_values["email"] is not None,
    )
