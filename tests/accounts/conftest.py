"""Fixtures of the accounts tests: territories, valid form data, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import current_app

from participation.core.models import OutboxMessage
from participation.territories.models import Territory, TerritoryKind

from .helpers import GOOD_PASSWORD


@pytest.fixture
def qpv(make_territory) -> Territory:
    return make_territory(
        name="Bastide \u2013 Pont-Vieux", code="QN01101M", population=3873
    )


@pytest.fixture
def outside(make_territory) -> Territory:
    return make_territory(kind=TerritoryKind.OUTSIDE, code=None, name="Hors QPV")


@pytest.fixture
def registration(qpv) -> Callable[..., dict[str, Any]]:
    """Valid registration form data; keyword arguments replace fields."""

    def _registration(**changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "email": "leila@example.org",
            "phone": "",
            "password": GOOD_PASSWORD,
            "password_confirm": GOOD_PASSWORD,
            "pseudonym": "Leila du Pont",
            "real_name": "Leïla Benali",
            "territory": str(qpv.id),
            "birth_year": "1990",
            "sex": "female",
            # The test's language (English unless marked french).
            "locale": current_app.config["BABEL_DEFAULT_LOCALE"],
            "accept_notice": "y",
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return _registration


@pytest.fixture
def outbox(db) -> Callable[[], list[OutboxMessage]]:
    """The e-mails queued so far, oldest first."""

    def _outbox() -> list[OutboxMessage]:
        db.session.expire_all()
        return list(
            db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        )

    return _outbox


@pytest.fixture
def make_user(make_user, db) -> Callable[..., Any]:
    """The shared factory, committed: a view that fails validation rolls back the
    session, which the test client shares with the test."""

    def _make_user(**values: Any) -> Any:
        user = make_user(**values)
        db.session.commit()
        return user

    return _make_user
