"""Fixtures of the territories tests: committed people of each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from participation.accounts.models import User
from participation.accounts.states import Role


@pytest.fixture
def person(db, make_user) -> Callable[..., User]:
    """Make a person and commit, so requests that roll back do not lose them."""

    def _person(*roles: Role, **values: Any) -> User:
        user = make_user(roles=roles or (Role.RESIDENT,), **values)
        db.session.commit()
        return user

    return _person


@pytest.fixture
def admin(person) -> User:
    # No territory of residence: counts of territories in tests start at zero.
    return person(Role.ADMIN, pseudonym="admin-territoires", territory=None)
