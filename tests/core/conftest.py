"""Fixtures of the core tests: committed people and test-only routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

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
def add_route(app: Flask) -> Callable[..., None]:
    """Register a throw-away view (before the first request of the test)."""

    def _add_route(rule: str, view: Callable[..., Any], **options: Any) -> None:
        app.add_url_rule(
            rule, endpoint=f"test_{view.__name__}", view_func=view, **options
        )

    return _add_route
