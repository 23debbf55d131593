"""Read-only queries of the follow-up pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaState
from ..extensions import db
from ..territories.models import Territory
from ..voting.models import VoteResult
from ..voting.states import ResultState
from .models import Project, ProjectUpdate
from .states import ProjectState


@dataclass
class ProjectFilters:
    territory_id: int | None = None
    state: ProjectState | None = None
    year: int | None = None


def load_project(project_id: int) -> Project | None:
    return db.session.scalar(
        sa.select(Project)
        .where(Project.id == project_id)
        .options(
            selectinload(Project.milestones),
            selectinload(Project.updates).selectinload(ProjectUpdate.photos),
            selectinload(Project.history),
            selectinload(Project.objectives),
        )
    )


def project_for_idea(idea: Idea) -> Project | None:
    """The project a winning idea became, if any."""
    return db.session.scalar(sa.select(Project).where(Project.idea_id == idea.id))


def projects(filters: ProjectFilters) -> list[Project]:
    """Public list, newest decisions first."""
    stmt = sa.select(Project).options(selectinload(Project.territory))
    if filters.territory_id is not None:
        stmt = stmt.where(Project.territory_id == filters.territory_id)
    if filters.state is not None:
        stmt = stmt.where(Project.state == filters.state)
    if filters.year is not None:
        stmt = stmt.where(
            Project.decided_on.between(
                date(filters.year, 1, 1), date(filters.year, 12, 31)
            )
        )
    return list(
        db.session.scalars(stmt.order_by(Project.decided_on.desc(), Project.id.desc()))
    )


def project_years() -> list[int]:
    days = db.session.scalars(sa.select(Project.decided_on).distinct())
    return sorted({day.year for day in days}, reverse=True)


def project_territories() -> Sequence[Territory]:
    return db.session.scalars(
        sa.select(Territory)
        .where(Territory.id.in_(sa.select(Project.territory_id)))
        .order_by(Territory.name)
    ).all()


def rounds_with_pending_winners() -> list[tuple[Round, int]]:
    """Rounds with published winners that are not projects yet, and how many."""
    rows = db.session.execute(
        sa.select(Round, sa.func.count(Idea.id))
        .join(Idea, Idea.round_id == Round.id)
        .join(
            Envelope,
            sa.and_(
                Envelope.round_id == Idea.round_id,
                Envelope.territory_id == Idea.territory_id,
            ),
        )
        .join(VoteResult, VoteResult.envelope_id == Envelope.id)
        .join(Territory, Territory.id == Envelope.territory_id)
        .outerjoin(Project, Project.idea_id == Idea.id)
        .where(
            Idea.state == IdeaState.SELECTED,
            VoteResult.state == ResultState.PUBLISHED,
            Project.id.is_(None),
            Territory.is_active.is_(True),
        )
        .group_by(Round.id)
        .order_by(Round.vote_closes_at.desc())
    ).all()
    return [(round_, count) for round_, count in rows]
