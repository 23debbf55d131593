"""Factories of the voting tests: a round in its vote week, projects, voters."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import current_app

from participation.accounts.models import ResidentVerification, User
from participation.accounts.states import Role, VerificationMethod
from participation.budget.models import Envelope, Idea, Round
from participation.budget.states import IdeaState
from participation.core.time import utcnow
from participation.extensions import db
from participation.territories.models import Territory
from participation.voting import services
from participation.voting.desks import services as desk_services
from participation.voting.states import BallotType, CountingRule

DAY = timedelta(days=1)

#: Offsets in days from now of (submission opens, closes, review closes,
#: announcement, vote opens, vote closes) putting a round in each phase.
PHASE_OFFSETS: dict[str, tuple[int, int, int, int, int, int]] = {
    "announcement": (-40, -30, -25, -20, 5, 15),
    "vote": (-40, -30, -25, -20, -5, 5),
    "counting": (-60, -50, -45, -40, -15, -5),
}
_NAMES = (
    "submission_opens_at",
    "submission_closes_at",
    "review_closes_at",
    "announcement_at",
    "vote_opens_at",
    "vote_closes_at",
)


def round_dates(phase: str, now: datetime | None = None) -> dict[str, datetime]:
    now = now or utcnow()
    return {
        name: now + offset * DAY
        for name, offset in zip(_NAMES, PHASE_OFFSETS[phase], strict=True)
    }


@dataclass
class Vote:
    """A round with two QPV (``here`` with four retained projects, ``there`` one)."""

    round: Round
    here: Territory
    there: Territory
    envelope: Envelope
    other_envelope: Envelope
    projects: list[Idea]
    other_project: Idea
    not_retained: Idea
    staff: User
    #: A second staff member: publishes what ``staff`` certified (four eyes).
    publisher: User
    #: The shares of the round's key ceremony (2 of 3), as the trustees hold them.
    shares: tuple[str, ...] = ()

    def open_box(self, now: datetime | None = None) -> int:
        """Open the sealed online box with two shares and commit (before a count)."""
        opened = services.open_sealed_box(
            self.round, list(self.shares[:2]), self.staff, now
        )
        db.session.commit()
        return opened

    def numbers(self, *indexes: int) -> str:
        """The ballot numbers of the projects at *indexes*, as a keyer types them.

        Gives the envelope its numbers on first use (committed).
        """
        numbers = desk_services.ballot_numbers(self.envelope)
        db.session.commit()
        return ", ".join(str(numbers[self.projects[i].id]) for i in indexes)

    def ids(self, *indexes: int) -> list[tuple[int, int]]:
        """Approval choices naming the projects at *indexes*."""
        return [(self.projects[i].id, 1) for i in indexes]


@pytest.fixture
def english(app_config):
    """Pages and messages in English (the msgids), whatever catalogs are compiled.

    Modules opt in with ``pytestmark = pytest.mark.usefixtures("english")``; people
    made by ``staff`` and ``make_voter`` then also prefer English.
    """
    app_config["BABEL_DEFAULT_LOCALE"] = "en"
    return app_config


def _locale() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


@pytest.fixture
def staff(make_user) -> User:
    return make_user(
        roles=(Role.STAFF,),
        pseudonym="agent_vote",
        email="agent@v.test",
        locale=_locale(),
    )


@pytest.fixture
def make_vote(db, make_territory, make_user, staff) -> Callable[..., Vote]:
    """A published round in *phase* with rules, projects and two envelopes."""
    numbers = itertools.count(1)

    def _make_vote(
        phase: str = "vote",
        *,
        costs: tuple[str, ...] = ("3000", "4000", "5000", "6000"),
        amount: Decimal = Decimal("10000.00"),
        rules: dict[str, Any] | None = None,
    ) -> Vote:
        n = next(numbers)
        now = utcnow()
        here = make_territory(name=f"Quartier Ici {n}", population=2000)
        there = make_territory(name=f"Quartier Là {n}", population=1000)
        round_ = Round(
            title=f"Budget participatif {n}",
            min_cost=Decimal("100.00"),
            max_cost=Decimal("20000.00"),
            published_at=now - 100 * DAY,
            **round_dates(phase, now),
        )
        round_.envelopes = [
            Envelope(territory=here, amount=amount),
            Envelope(territory=there, amount=Decimal("5000.00")),
        ]
        db.session.add(round_)
        db.session.flush()
        author = make_user(territory=here)

        def idea(territory: Territory, state: IdeaState, cost: str, k: int) -> Idea:
            item = Idea(
                round=round_,
                author_id=author.id,
                territory_id=territory.id,
                title=f"Projet {n}-{k}",
                description=f"Description du projet {k}.",
                accepted_rules_at=now - 50 * DAY,
                submitted_at=now - 50 * DAY + k * timedelta(minutes=1),
                state=state,
                final_cost=Decimal(cost) if state is IdeaState.ELIGIBLE else None,
            )
            db.session.add(item)
            return item

        # Created first, so no project's id equals its ballot number (1, 2, ...):
        # a paper ballot keyed with ids instead of numbers is caught.
        not_retained = idea(here, IdeaState.IN_REVIEW, "0", 91)
        db.session.flush()
        projects = [
            idea(here, IdeaState.ELIGIBLE, cost, k) for k, cost in enumerate(costs)
        ]
        other = idea(there, IdeaState.ELIGIBLE, "2000", 90)
        db.session.flush()
        data = services.RulesData(**(rules or {"max_projects": 3}))
        services.save_rules(round_, data, staff, now=round_.announcement_at)
        shares = services.completed_ceremony(round_, staff, now.date())
        db.session.commit()
        return Vote(
            round=round_,
            here=here,
            there=there,
            envelope=round_.envelopes[0],
            other_envelope=round_.envelopes[1],
            projects=projects,
            other_project=other,
            not_retained=not_retained,
            staff=staff,
            shares=shares,
            publisher=make_user(roles=(Role.STAFF,), locale=_locale()),
        )

    return _make_vote


@pytest.fixture
def vote(make_vote) -> Vote:
    return make_vote()


@pytest.fixture
def make_voter(db, make_user, staff) -> Callable[..., User]:
    """A resident of *territory*, verified there unless ``verified=False``."""

    def _make_voter(
        territory: Territory, *, verified: bool = True, **values: Any
    ) -> User:
        values.setdefault("birth_year", 1990)
        values.setdefault("locale", _locale())
        person = make_user(territory=territory, **values)
        if verified:
            person.verifications.append(
                ResidentVerification(
                    territory_id=territory.id,
                    method=VerificationMethod.PROOF_IN_PERSON,
                    verified_by_id=staff.id,
                    verified_by_role=Role.STAFF,
                )
            )
        db.session.commit()
        return person

    return _make_voter


@pytest.fixture
def voter(vote, make_voter) -> User:
    return make_voter(vote.here)


__all__ = ["BallotType", "CountingRule", "Vote"]
