"""Read-only queries of the voting pages (no N+1: each page loads in a few queries)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..budget.models import Envelope, Idea, Round
from ..core.converters import ascii_int
from ..core.time import utcnow
from ..extensions import db
from .counting import Outcome
from .models import Ballot, SignIn, VoteResult, VoteRules
from .services import ballot_projects
from .states import ResultState


def rounds_in_vote() -> list[Round]:
    """Published rounds whose vote is open now."""
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(
                Round.published_at.is_not(None),
                Round.vote_opens_at <= now,
                Round.vote_closes_at > now,
                Round.results_published_at.is_(None),
            )
            .options(selectinload(Round.envelopes).joinedload(Envelope.territory))
            .order_by(Round.vote_closes_at)
        )
    )


def rounds_with_results(limit: int = 50) -> list[Round]:
    """Rounds with at least one published result, newest first."""
    published = (
        sa.select(Envelope.round_id)
        .join(VoteResult, VoteResult.envelope_id == Envelope.id)
        .where(VoteResult.published_at.is_not(None))
    )
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.id.in_(published))
            .options(selectinload(Round.envelopes).joinedload(Envelope.territory))
            .order_by(Round.vote_closes_at.desc())
            .limit(limit)
        )
    )


def rounds_to_count() -> list[Round]:
    """Closed votes with rules whose results are not all published (staff)."""
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(Round)
            .join(VoteRules, VoteRules.round_id == Round.id)
            .where(
                Round.published_at.is_not(None),
                Round.vote_closes_at <= now,
                Round.results_published_at.is_(None),
            )
            .order_by(Round.vote_closes_at)
        )
    )


def results_by_envelope(round_: Round) -> dict[int, VoteResult]:
    rows = db.session.scalars(
        sa.select(VoteResult)
        .join(Envelope, Envelope.id == VoteResult.envelope_id)
        .where(Envelope.round_id == round_.id)
    )
    return {r.envelope_id: r for r in rows}


def load_envelope(envelope_id: int) -> Envelope | None:
    return db.session.scalar(
        sa.select(Envelope)
        .where(Envelope.id == envelope_id)
        .options(joinedload(Envelope.territory), joinedload(Envelope.round))
    )


def result_of(envelope_id: int) -> VoteResult | None:
    return db.session.scalar(
        sa.select(VoteResult).where(VoteResult.envelope_id == envelope_id)
    )


def projects_of(envelope: Envelope) -> dict[int, Idea]:
    """The projects put to the vote in *envelope*, by id (submission order)."""
    return {idea.id: idea for idea in ballot_projects(envelope)}


@dataclass
class ProjectLine:
    """One project of a published result: its support, and why it won or lost."""

    idea: Idea | None
    project_id: str
    title: str
    cost: Decimal
    support: int
    won: bool
    #: Why it finally won or lost (None: no step of the count names it).
    outcome: Outcome | None
    step: dict[str, Any] | None


def project_lines(result: VoteResult, ideas: dict[int, Idea]) -> list[ProjectLine]:
    """Every project of *result*, winners first in selection order, then by support."""
    last_step: dict[str, dict[str, Any]] = {}
    step: dict[str, Any] | None
    for step in result.trace:
        last_step[step["project_id"]] = step
    winners = list(result.winners)
    lines = []
    for project_id, support in result.support.items():
        number = ascii_int(project_id)
        idea = ideas.get(number) if number is not None else None
        step = last_step.get(project_id)
        lines.append(
            ProjectLine(
                idea=idea,
                project_id=project_id,
                title=idea.title if idea is not None else project_id,
                cost=Decimal(step["cost"]) if step else Decimal(0),
                support=int(support),
                won=project_id in winners,
                outcome=Outcome(step["outcome"]) if step else None,
                step=step,
            )
        )

    def order(line: ProjectLine) -> tuple[int, int, int]:
        if line.won:
            return (0, winners.index(line.project_id), 0)
        return (1, -line.support, 0)

    return sorted(lines, key=order)


def turnout(round_: Round) -> dict[int, int]:
    """Sign-ins per QPV of *round_* (who voted, never what): staff during the vote."""
    rows = db.session.execute(
        sa.select(SignIn.territory_id, sa.func.count())
        .where(SignIn.round_id == round_.id)
        .group_by(SignIn.territory_id)
    )
    return {territory_id: n for territory_id, n in rows}


def ballots_in_box(envelope: Envelope) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Ballot)
            .where(Ballot.envelope_id == envelope.id)
        )
        or 0
    )


def published_support() -> dict[int, int]:
    """``{idea id: support}`` from every published result (the idea list's order)."""
    support: dict[int, int] = {}
    for row in db.session.scalars(
        sa.select(VoteResult.support).where(VoteResult.state == ResultState.PUBLISHED)
    ):
        for key, value in (row or {}).items():
            idea_id = ascii_int(str(key))
            if idea_id is not None and isinstance(value, int | float):
                support[idea_id] = int(value)
    return support
