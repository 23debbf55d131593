"""Fixtures of the review tests: a round in its review phase with the default grid."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.budget.models import Envelope, Idea, Round
from participation.budget.states import IdeaState
from participation.core.time import utcnow
from participation.eligibility import services as eligibility
from participation.eligibility.defaults import DEFAULT_CRITERIA
from participation.eligibility.states import Check, CriterionKind
from participation.review import services


@pytest.fixture
def staff(make_user):
    return make_user(roles=(Role.STAFF,), real_name="Agent Politique")


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
    return eligibility.create_default_grid()


@pytest.fixture
def make_round(db, territories, grid) -> Callable[..., Round]:
    """A published round; ``phase`` ("review" or "submission") sets the dates."""
    numbers = itertools.count(1)

    def _make_round(*, phase: str = "review", **values: Any) -> Round:
        now = utcnow()
        day = timedelta(days=1)
        if phase == "submission":
            opens, closes = now - 5 * day, now + 5 * day
        else:
            opens, closes = now - 30 * day, now - day
        values.setdefault("title", f"Budget participatif {next(numbers)}")
        values.setdefault("grid_version_id", grid.latest_version.id)
        round_ = Round(
            submission_opens_at=opens,
            submission_closes_at=closes,
            review_closes_at=closes + 10 * day,
            announcement_at=closes + 20 * day,
            vote_opens_at=closes + 30 * day,
            vote_closes_at=closes + 40 * day,
            min_cost=Decimal("1000.00"),
            max_cost=Decimal("30000.00"),
            published_at=opens - day,
            **values,
        )
        round_.envelopes = [
            Envelope(territory_id=t.id, amount=Decimal("40000.00")) for t in territories
        ]
        db.session.add(round_)
        db.session.flush()
        return round_

    return _make_round


@pytest.fixture
def review_round(make_round):
    return make_round()


@pytest.fixture
def make_idea(db, make_user, territories) -> Callable[..., Idea]:
    """A submitted idea (built directly, as if it had gone through the form)."""
    numbers = itertools.count(1)

    def _make_idea(round_: Round, *, territory=None, themes=(), **values: Any) -> Idea:
        n = next(numbers)
        now = utcnow()
        territory = territory or territories[0]
        values.setdefault("author_id", make_user(territory=territory).id)
        idea = Idea(
            round_id=round_.id,
            territory_id=territory.id,
            title=values.pop("title", f"Idée {n}"),
            description="Des bancs et de l'ombre près de l'aire de jeux.",
            state=IdeaState.SUBMITTED,
            submitted_at=now,
            accepted_rules_at=now,
            estimated_cost=Decimal("8000.00"),
            **values,
        )
        idea.themes = list(themes)
        db.session.add(idea)
        db.session.flush()
        return idea

    return _make_idea


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
