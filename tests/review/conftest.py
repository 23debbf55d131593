"""Fixtures of the review tests: a round in its review phase with the default grid.

``make_round``, ``make_idea`` and ``staff`` are the shared ones (tests/conftest.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.budget.models import Round
from participation.core.actors import SYSTEM
from participation.eligibility import services as eligibility
from participation.eligibility.defaults import DEFAULT_CRITERIA
from participation.eligibility.states import Check, CriterionKind
from participation.review import services


@pytest.fixture
def reviewer(make_user):
    return make_user(roles=(Role.REVIEWER,))


@pytest.fixture
def other_reviewer(make_user):
    return make_user(roles=(Role.REVIEWER,))


@pytest.fixture
def territories(make_territory):
    return [make_territory(name="La Conte"), make_territory(name="Le Viguier")]


@pytest.fixture
def grid(db):
    return eligibility.create_default_grid(actor=SYSTEM)


#: What the review tests' rounds have besides their phase: the default grid (set
#: by ``review_round``), two QPV of 40 000 € each, projects of 1 000 to 30 000 €.
REVIEW_ROUND = {
    "amount": Decimal("40000.00"),
    "min_cost": Decimal("1000.00"),
    "max_cost": Decimal("30000.00"),
    "themes": [],
}


@pytest.fixture
def review_round(make_round, territories, grid):
    """A round in its review phase on the two QPV, with the default grid."""
    return make_round(
        "review",
        territories=territories,
        grid_version_id=grid.latest_version.id,
        **REVIEW_ROUND,
    )


@pytest.fixture
def started(db, review_round, staff):
    """Start the review of *review_round* (after its ideas were made)."""

    def _start() -> Round:
        services.start_review(review_round, staff)
        return review_round

    return _start


def passing_answers(**overrides: Any) -> dict[str, Any]:
    """Every criterion of the default grid answered, eligible (14 points of 18)."""
    answers: dict[str, Any] = {}
    for criterion in DEFAULT_CRITERIA:
        if criterion.kind is CriterionKind.MANDATORY:
            answers[criterion.code] = Check.PASS
        elif criterion.kind is CriterionKind.SCORED:
            answers[criterion.code] = 2
    answers["social_link"] = 3
    answers.update(overrides)
    return answers


def count_rows(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
