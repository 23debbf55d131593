"""Factories of the follow-up tests: a vote whose results are published, projects."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from participation.accounts.models import ResidentVerification, User
from participation.accounts.states import Role, Sex, VerificationMethod
from participation.budget.models import Envelope, Idea, Round
from participation.budget.states import IdeaState
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.followup import services
from participation.followup.models import Project
from participation.territories.models import Territory
from participation.voting import services as voting
from participation.voting.states import ResultAction

DAY = timedelta(days=1)


@dataclass
class Published:
    """A round with two QPV whose vote is counted and published.

    ``here`` has four projects (costs 3000, 4000, 5000, 6000; 10,000 € to spend): the
    ballots make the first two win. ``there`` has two (2000 and 4000; 5,000 € to
    spend): the first wins.
    """

    round: Round
    here: Territory
    there: Territory
    ideas: list[Idea]
    other: Idea
    author: User
    staff: User

    @property
    def winners(self) -> list[Idea]:
        return [self.ideas[0], self.ideas[1], self.other]


@pytest.fixture
def staff(make_user) -> User:
    return make_user(
        roles=(Role.STAFF,), pseudonym="agent_suivi", email="agent@suivi.test"
    )


@pytest.fixture
def resident(make_user) -> User:
    return make_user(pseudonym="yasmine", email="yasmine@suivi.test")


def _verified(db, make_user, territory: Territory, staff: User, **values: Any) -> User:
    values.setdefault("birth_year", 1990)
    person = make_user(territory=territory, **values)
    person.verifications.append(
        ResidentVerification(
            territory_id=territory.id,
            method=VerificationMethod.PROOF_IN_PERSON,
            verified_by_id=staff.id,
            verified_by_role=Role.STAFF,
        )
    )
    return person


@pytest.fixture
def make_published(db, make_territory, make_user, staff) -> Callable[..., Published]:
    """Build a closed vote through the voting services and publish its results."""
    numbers = itertools.count(1)

    def _make(*, publish: bool = True, voters: int = 4) -> Published:
        n = next(numbers)
        now = utcnow()
        here = make_territory(name=f"Quartier Ici {n}", population=2000)
        there = make_territory(name=f"Quartier Là {n}", population=1000)
        round_ = Round(
            title=f"Budget participatif {n}",
            min_cost=Decimal("100.00"),
            max_cost=Decimal("20000.00"),
            published_at=now - 100 * DAY,
            submission_opens_at=now - 60 * DAY,
            submission_closes_at=now - 50 * DAY,
            review_closes_at=now - 45 * DAY,
            announcement_at=now - 40 * DAY,
            vote_opens_at=now - 15 * DAY,
            vote_closes_at=now - 5 * DAY,
        )
        round_.envelopes = [
            Envelope(territory=here, amount=Decimal("10000.00")),
            Envelope(territory=there, amount=Decimal("5000.00")),
        ]
        db.session.add(round_)
        db.session.flush()
        author = make_user(territory=here, pseudonym=f"autrice{n}")

        def idea(territory: Territory, cost: str, k: int) -> Idea:
            item = Idea(
                round=round_,
                author_id=author.id,
                territory_id=territory.id,
                title=f"Projet {n}-{k}",
                description=f"Description du projet {k}.",
                place="Square de la Conte",
                latitude=Decimal("43.206500"),
                longitude=Decimal("2.366000"),
                accepted_rules_at=now - 55 * DAY,
                submitted_at=now - 55 * DAY + k * timedelta(minutes=1),
                state=IdeaState.ELIGIBLE,
                final_cost=Decimal(cost),
            )
            db.session.add(item)
            return item

        ideas = [
            idea(here, c, k) for k, c in enumerate(("3000", "4000", "5000", "6000"))
        ]
        other = idea(there, "2000", 9)
        other_loser = idea(there, "4000", 10)
        db.session.flush()
        voting.save_rules(
            round_,
            voting.RulesData(max_projects=2),
            staff,
            now=round_.announcement_at,
        )
        shares = voting.completed_ceremony(round_, staff, round_.vote_opens_at.date())
        during = round_.vote_opens_at + DAY
        choices = [(0, 1), (0, 2), (0, 1), (1,)]
        for k in range(voters):
            person = _verified(
                db,
                make_user,
                here,
                staff,
                birth_year=1950 + 5 * k,
                sex=Sex.FEMALE if k % 2 else Sex.MALE,
            )
            picks = choices[k % len(choices)]
            voting.cast_ballot(
                person, round_, [(ideas[i].id, 1) for i in picks], now=during
            )
        for picks in ([other], [other, other_loser]):
            neighbour = _verified(db, make_user, there, staff)
            voting.cast_ballot(
                neighbour, round_, [(i.id, 1) for i in picks], now=during
            )
        if publish:
            voting.open_sealed_box(round_, list(shares[:2]), staff)
            # Four eyes: a second staff member publishes what the first certified.
            publisher = make_user(roles=(Role.STAFF,))
            for result in voting.compute_round(round_, staff):
                voting.transition_result(result, ResultAction.CERTIFY, staff)
                # Without the automatic projects: the tests make them when they
                # need them (tests/followup/test_demo.py covers the automatic way).
                voting.transition_result(
                    result, ResultAction.PUBLISH, publisher, follow_up=False
                )
        db.session.commit()
        return Published(round_, here, there, ideas, other, author, staff)

    return _make


@pytest.fixture
def published(make_published) -> Published:
    return make_published()


@pytest.fixture
def projects(db, published) -> list[Project]:
    """The projects of ``published`` (three), created by the system."""
    created = services.create_projects_for_round(published.round, SYSTEM)
    db.session.commit()
    return created


@pytest.fixture
def project(projects) -> Project:
    """The first winner of ``here`` as a project, planned."""
    return projects[0]


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (30, 120, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
