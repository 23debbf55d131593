"""Who may see and change whom: views refuse with these, templates hide buttons,
services check them again before writing.

Relays see the people they created an account for or record helping, and anyone
else only after finding them by an exact identifier (a short-lived pass, see
:mod:`.services.lookup`). Real names, birth years and contact details are for
staff, and for the relay who created the account.
"""

from __future__ import annotations

from ..core.permissions import (
    Visitor,
    can_verify_residents,
    is_relay,
    is_staff,
    person_id,
)
from . import queries
from .models import ResidentVerification, User


def can_search_people(user: Visitor) -> bool:
    """Relays and staff find people to verify them or create managed accounts."""
    return is_relay(user)


def created_by(user: Visitor, person: User) -> bool:
    """*user* is the relay who opened *person*'s managed account."""
    me = person_id(user)
    return me is not None and person.managed_by_id == me


def helps(user: Visitor, person: User) -> bool:
    """*user* created *person*'s account or records helping them."""
    me = person_id(user)
    if me is None or not is_relay(user):
        return False
    return created_by(user, person) or queries.is_helped_by(person.id, me)


def can_view_person(user: Visitor, person: User, *, found: bool = False) -> bool:
    """Staff; a relay for the people they help, or just found (*found*)."""
    if is_staff(user):
        return True
    return (
        is_relay(user)
        and person_id(user) != person.id
        and (found or helps(user, person))
    )


def can_see_identity(user: Visitor, person: User) -> bool:
    """Real name, birth year, e-mail and phone: staff, the creating relay, oneself."""
    return is_staff(user) or created_by(user, person) or person_id(user) == person.id


def can_act_for(user: Visitor, person: User) -> bool:
    """File, sign or vote-desk work on *person*'s behalf: themselves, staff, or a
    relay who created their account or records helping them (with consent)."""
    if person_id(user) == person.id:
        return True
    return is_staff(user) or helps(user, person)


def can_record_help(user: Visitor, person: User, *, found: bool = False) -> bool:
    """A relay who found a person records that they help them (consent)."""
    return (
        is_relay(user)
        and not is_staff(user)
        and person_id(user) != person.id
        and found
        and not helps(user, person)
    )


def can_verify(user: Visitor, person: User, *, found: bool = False) -> bool:
    """A relay or staff member verifies residents they may see, never themselves.

    The QPV must be one the relay serves (checked by the service, which knows the
    QPV of the proof).
    """
    return (
        can_verify_residents(user)
        and person_id(user) != person.id
        and can_view_person(user, person, found=found)
    )


def serves(user: Visitor, territory_id: int) -> bool:
    """Staff anywhere; a relay in the QPV they are attached to."""
    if is_staff(user):
        return True
    me = person_id(user)
    return (
        me is not None
        and is_relay(user)
        and territory_id in queries.relay_territory_ids(me)
    )


def can_revoke_verification(user: Visitor, verification: ResidentVerification) -> bool:
    """Staff; a relay only their own verifications (never someone else's)."""
    if person_id(user) == verification.user_id:
        return False
    if is_staff(user):
        return True
    return is_relay(user) and verification.verified_by_id == person_id(user)


def can_manage_data_of(user: Visitor, person: User) -> bool:
    """Download the data of, or delete, *person*'s account: themselves; staff or
    the creating relay for a managed account."""
    if person_id(user) == person.id:
        return True
    return person.is_managed and (is_staff(user) or created_by(user, person))


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
