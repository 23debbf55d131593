"""Global roles: administrators give and take them; the last administrator stays."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import can_manage_people
from ...extensions import db
from ..models import User, UserRole
from ..states import Role


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
        # Lock the administrators' rows so two admins cannot remove each other at
        # once (PostgreSQL; on SQLite the caller holds the database write lock).
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
