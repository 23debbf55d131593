"""The projects on an envelope's ballot, and checking choices against the rules.

The check itself is pure (``voting.ballots``); here it gets its data from the
database: the projects put to the vote, their cost, and why an id is not on the
ballot (another neighbourhood, not retained, unknown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa

from ...budget.models import Envelope, Idea
from ...budget.states import IdeaState
from ...core.i18n import lazy_gettext as _l
from ...extensions import db
from ..ballots import BallotRules, BallotSheet

#: Idea states of the projects put to the vote (before and after the results).
VOTED_STATES = (IdeaState.ELIGIBLE, IdeaState.SELECTED, IdeaState.NOT_SELECTED)


def ballot_projects(envelope: Envelope) -> list[Idea]:
    """The projects put to the vote in *envelope*, in submission order."""
    return list(
        db.session.scalars(
            _projects_statement(),
            {"round_id": envelope.round_id, "territory_id": envelope.territory_id},
        )
    )


@cache
def _projects_statement() -> sa.Select[Idea]:
    """:func:`ballot_projects`' statement, built once (both steps of every vote)."""
    return (
        sa.select(Idea)
        .where(
            Idea.round_id == sa.bindparam("round_id", type_=sa.Integer),
            Idea.territory_id == sa.bindparam("territory_id", type_=sa.Integer),
            Idea.state.in_(VOTED_STATES),
        )
        .order_by(Idea.submitted_at, Idea.id)
    )


def ballot_sheet(
    rules: BallotRules, envelope: Envelope, projects: Sequence[Idea] | None = None
) -> BallotSheet:
    """The ballot paper of *envelope* under *rules* (projects read if not given)."""
    projects = ballot_projects(envelope) if projects is None else projects
    return BallotSheet(
        rules=rules,
        costs={idea.id: idea.final_cost or Decimal(0) for idea in projects},
        budget=envelope.total,
        not_on_ballot=lambda idea_id: not_on_ballot(idea_id, envelope),
    )


def validate_choices(
    rules: BallotRules,
    envelope: Envelope,
    choices: Iterable[tuple[int, int]],
    projects: Sequence[Idea] | None = None,
) -> dict[int, int]:
    """Check *choices* (idea id, points) against the rules; ``{idea_id: points}``.

    :raises FieldErrors: every problem at once (see ``voting.ballots``).
    """
    return ballot_sheet(rules, envelope, projects).check(choices)


def not_on_ballot(idea_id: int, envelope: Envelope) -> Any:
    """Why *idea_id* is not on *envelope*'s ballot, in the voter's words."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.round_id != envelope.round_id:
        return _l("A project on this ballot does not exist in this vote.")
    if idea.territory_id != envelope.territory_id:
        return _l(
            "“%(title)s” is a project of another neighbourhood: you vote for the"
            " projects of yours.",
            title=idea.title,
        )
    return _l("“%(title)s” was not retained for the vote.", title=idea.title)


@dataclass
class BallotSummary:
    """What the review page shows: the chosen projects and the totals."""

    projects: list[tuple[Idea, int]] = field(default_factory=list)
    total_cost: Decimal = Decimal(0)
    total_points: int = 0


def summarise(
    envelope: Envelope,
    chosen: Mapping[int, int],
    projects: Sequence[Idea] | None = None,
) -> BallotSummary:
    summary = BallotSummary()
    for idea in ballot_projects(envelope) if projects is None else projects:
        points = chosen.get(idea.id)
        if points:
            summary.projects.append((idea, points))
            summary.total_cost += idea.final_cost or Decimal(0)
            summary.total_points += points
    return summary
