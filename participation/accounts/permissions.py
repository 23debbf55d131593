"""Who may see and change whom: views refuse with these, templates hide buttons,
services check them again before writing."""

from __future__ import annotations

from ..core.permissions import (
    Visitor,
    can_verify_residents,
    is_relay,
    is_staff,
    person_id,
)
from .models import User


def can_search_people(user: Visitor) -> bool:
    """Relays and staff find people to verify them or create managed accounts."""
    return is_relay(user)


def can_view_person(user: Visitor, person: User) -> bool:
    return is_relay(user)


def can_verify(user: Visitor, person: User) -> bool:
    """A relay or staff member verifies residents, never themselves."""
    return can_verify_residents(user) and person_id(user) != person.id


def can_regenerate_setup_code(user: Visitor, person: User) -> bool:
    """Staff always; the relay who created the account until a password is set."""
    if not person.is_managed:
        return False
    if is_staff(user):
        return True
    return (
        is_relay(user)
        and person.managed_by_id == person_id(user)
        and person.password_hash is None
    )


def can_get_setup_sheet(user: Visitor, person: User) -> bool:
    """The printable sheet goes only to staff or to the relay who made the account."""
    if not person.is_managed:
        return False
    return is_staff(user) or (
        is_relay(user) and person.managed_by_id == person_id(user)
    )
