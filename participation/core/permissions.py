"""Role predicates shared by every feature. Feature predicates build on these."""

from __future__ import annotations

from typing import Any

from .roles import Role


def _roles(user: Any) -> frozenset[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(user.role_set)


def is_staff(user: Any) -> bool:
    """Staff or admin: runs rounds, funds, decisions and publication."""
    return not _roles(user).isdisjoint({Role.STAFF, Role.ADMIN})


def is_admin(user: Any) -> bool:
    """Administrator: territories, users and roles, site settings."""
    return Role.ADMIN in _roles(user)


def is_relay(user: Any) -> bool:
    """Relay (or staff): acts for people without e-mail or computer."""
    return not _roles(user).isdisjoint({Role.RELAY, Role.STAFF, Role.ADMIN})


def is_reviewer(user: Any) -> bool:
    """Reviewer: a city technician who reviews assigned ideas."""
    return Role.REVIEWER in _roles(user)


def can_view_audit(user: Any) -> bool:
    return is_staff(user)


def can_manage_territories(user: Any) -> bool:
    return is_admin(user)


def can_manage_people(user: Any) -> bool:
    return is_admin(user)


def can_verify_residents(user: Any) -> bool:
    return is_relay(user)


def can_create_managed_account(user: Any) -> bool:
    return is_relay(user)
