"""Role predicates shared by every feature. Feature predicates build on these.

A predicate answers for whoever asks: a signed-in person, the system actor, an
anonymous visitor (Flask-Login's ``AnonymousUserMixin``, what ``current_user`` is
before signing in) or nobody. Only people hold roles: the system actor passes
the checks of services through :func:`~participation.core.actors.is_system`, not
through these predicates, and an anonymous visitor may do nothing they guard.
"""

from __future__ import annotations

from typing import TypeAlias

from flask_login import AnonymousUserMixin

from .actors import Actor
from .roles import Role

#: Whom a permission predicate is asked about.
Visitor: TypeAlias = Actor | AnonymousUserMixin | None


def _roles(user: Visitor) -> frozenset[Role]:
    if user is None or not user.is_authenticated:
        return frozenset()  # nobody, or an anonymous visitor
    return frozenset(user.role_set)


def person_id(user: Visitor) -> int | None:
    """The id of a signed-in person; None for the system, a visitor or nobody."""
    if user is None or not user.is_authenticated:
        return None
    return user.id


def is_staff(user: Visitor) -> bool:
    """Staff or admin: runs rounds, funds, decisions and publication."""
    return not _roles(user).isdisjoint({Role.STAFF, Role.ADMIN})


def is_admin(user: Visitor) -> bool:
    """Administrator: territories, users and roles, site settings."""
    return Role.ADMIN in _roles(user)


def is_relay(user: Visitor) -> bool:
    """Relay (or staff): acts for people without e-mail or computer."""
    return not _roles(user).isdisjoint({Role.RELAY, Role.STAFF, Role.ADMIN})


def is_reviewer(user: Visitor) -> bool:
    """Reviewer: a city technician who reviews assigned ideas."""
    return Role.REVIEWER in _roles(user)


def can_view_audit(user: Visitor) -> bool:
    return is_staff(user)


def can_manage_territories(user: Visitor) -> bool:
    return is_admin(user)


def can_manage_people(user: Visitor) -> bool:
    return is_admin(user)


def can_verify_residents(user: Visitor) -> bool:
    return is_relay(user)


def can_create_managed_account(user: Visitor) -> bool:
    return is_relay(user)
