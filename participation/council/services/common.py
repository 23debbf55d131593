"""Small helpers shared by the council services: audit, permission, text checks."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ...core import audit
from ...core.actors import Actor
from ...core.errors import DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS


def record(action: str, actor: Actor, obj: Any, **details: Any) -> None:
    """Audit entry ``council.<action>`` by *actor* (no actor id for the system)."""
    audit.record(f"council.{action}", actor=actor, obj=obj, **details)


def require(allowed: bool, message: Any = None) -> None:
    """Raise :class:`PermissionDenied` unless *allowed*."""
    if not allowed:
        raise PermissionDenied(message or _l("You may not do this."))


def clean_text(
    value: str | None,
    field: str,
    *,
    max_length: int,
    required: bool = True,
) -> str:
    """Trimmed text; a field error when missing (if required) or too long."""
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_l("This field is required."), field=field)
    if len(text) > max_length:
        raise DomainError(_l("At most %(n)d characters.", n=max_length), field=field)
    return text


def paris_moment(day: date, at: time) -> datetime:
    """The UTC-aware moment of *at* o'clock in Paris on *day*."""
    return datetime.combine(day, at, tzinfo=PARIS)


def collect(errors: dict[str, Any], field: str, check: Any) -> Any:
    """Run *check*; on a DomainError, keep its message under its field, return None."""
    try:
        return check()
    except DomainError as error:
        errors[error.field or field] = error.message
        return None
