"""The yearly indicators file of the contrat de ville's evaluation.

Per year, QPV and objective of the strategic framework: projects decided that year,
delivered and abandoned, money voted, committed and spent, and participants (voters
of the votes that decided them). A project tagged to an objective also counts for
the objective's parents; a line without objective counts every project of the QPV
(tagged or not) and the voters of every vote published there that year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..budget.models import Envelope
from ..core.time import PARIS
from ..extensions import db
from ..followup.framework import ancestors
from ..followup.models import Objective, Project
from ..followup.states import ProjectState
from ..territories.models import Territory
from ..voting.models import VoteResult
from ..voting.states import ResultState
from .opendata import Row

ZERO = Decimal("0.00")


@dataclass
class _Line:
    projects: int = 0
    delivered: int = 0
    abandoned: int = 0
    voted: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    envelopes: set[tuple[int, int]] = field(default_factory=set)

    def add(self, project: Project) -> None:
        self.projects += 1
        self.delivered += project.state is ProjectState.DELIVERED
        self.abandoned += project.state is ProjectState.ABANDONED
        self.voted += project.amount_voted
        self.committed += project.amount_committed
        self.spent += project.amount_spent
        if project.round_id is not None:
            self.envelopes.add((project.round_id, project.territory_id))


def years() -> list[int]:
    """Years with projects decided or votes published, newest first."""
    found = {d.year for d in db.session.scalars(sa.select(Project.decided_on))}
    for moment in db.session.scalars(
        sa.select(VoteResult.published_at).where(
            VoteResult.state == ResultState.PUBLISHED
        )
    ):
        if moment is not None:
            found.add(moment.astimezone(PARIS).year)
    return sorted(found, reverse=True)


def _voters(year: int) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Voters per (round, territory) envelope, and per territory for votes of *year*."""
    per_envelope: dict[tuple[int, int], int] = {}
    per_territory: dict[int, int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(
            Envelope.round_id,
            Envelope.territory_id,
            VoteResult.num_sign_ins,
            VoteResult.published_at,
        )
        .join(Envelope, Envelope.id == VoteResult.envelope_id)
        .where(VoteResult.state == ResultState.PUBLISHED)
    )
    for round_id, territory_id, voters, published_at in rows:
        per_envelope[(round_id, territory_id)] = voters
        if published_at is not None and published_at.astimezone(PARIS).year == year:
            per_territory[territory_id] += voters
    return per_envelope, per_territory


def rows(year: int) -> Iterator[Row]:
    """The lines of *year*: per territory, all its projects, then each objective."""
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.decided_on.between(date(year, 1, 1), date(year, 12, 31)))
        .options(selectinload(Project.objectives))
        .order_by(Project.id)
    ).all()
    per_envelope, per_territory = _voters(year)
    totals: dict[int, _Line] = defaultdict(_Line)
    by_objective: dict[tuple[int, int], _Line] = defaultdict(_Line)
    for project in projects:
        totals[project.territory_id].add(project)
        tagged: set[int] = set()
        for objective in project.objectives:
            tagged.add(objective.id)
            tagged.update(a.id for a in ancestors(objective))
        for objective_id in tagged:
            by_objective[(project.territory_id, objective_id)].add(project)
    territory_ids = set(totals) | set(per_territory)
    territories = {
        t.id: t
        for t in db.session.scalars(
            sa.select(Territory).where(Territory.id.in_(territory_ids))
        )
    }
    objectives = {o.id: o for o in db.session.scalars(sa.select(Objective))}
    for territory in sorted(territories.values(), key=lambda t: t.name):
        line = totals.get(territory.id, _Line())
        yield _row(year, territory, None, line, per_territory.get(territory.id, 0))
        keys = sorted(
            (k for k in by_objective if k[0] == territory.id),
            key=lambda k: objectives[k[1]].code,
        )
        for key in keys:
            line = by_objective[key]
            voters = sum(per_envelope.get(e, 0) for e in line.envelopes)
            yield _row(year, territory, objectives[key[1]], line, voters)


def _row(
    year: int,
    territory: Territory,
    objective: Objective | None,
    line: _Line,
    participants: int,
) -> Row:
    rate = (
        (Decimal(line.delivered) * 100 / line.projects).quantize(Decimal("0.1"))
        if line.projects
        else None
    )
    return {
        "year": year,
        "territory_code": territory.code,
        "territory_name": territory.name,
        "objective_code": objective.code if objective else None,
        "objective_label": objective.label if objective else None,
        "objective_level": objective.depth if objective else None,
        "projects": line.projects,
        "projects_delivered": line.delivered,
        "projects_abandoned": line.abandoned,
        "delivery_rate": rate,
        "amount_voted": line.voted,
        "amount_committed": line.committed,
        "amount_spent": line.spent,
        "participants": participants,
    }
