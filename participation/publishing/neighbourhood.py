"""What a neighbourhood's public page shows beyond its name: the rounds open now,
its envelopes, its projects by year and status, its participation, a map list, and
"what became of our ideas" (every idea submitted there, where it stands now).

The territories page includes ``publishing/_neighbourhood.html`` with the
:func:`neighbourhood` context. The council and FPH features add their sections with
:func:`register_section`; without them nothing is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaState, RoundPhase
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..followup.models import Project
from ..followup.states import STATE_ORDER, ProjectState
from ..territories.models import Territory
from ..voting.models import VoteResult
from ..voting.states import ResultState
from .charts import percent

#: Phases in which a round still asks something of residents (or soon will).
ACTIVE_PHASES = frozenset(
    {
        RoundPhase.UPCOMING,
        RoundPhase.SUBMISSION,
        RoundPhase.REVIEW,
        RoundPhase.ANNOUNCEMENT,
        RoundPhase.VOTE,
        RoundPhase.COUNTING,
    }
)
#: Ideas whose place is shown on the map list (not withdrawn, merged or hidden).
MAPPED_IDEA_STATES = frozenset(
    set(IdeaState)
    - {IdeaState.DRAFT, IdeaState.WITHDRAWN, IdeaState.MERGED}
    - {IdeaState.HIDDEN}
)


@dataclass(frozen=True)
class Section:
    """A block another feature adds to the page: a template and its context."""

    template: str
    context: dict[str, Any]


#: EXTENSION POINT for the council and FPH features: ``provider(territory)``
#: returns a Section, or None when it has nothing to show for this territory.
_PROVIDERS: list[Callable[[Territory], Section | None]] = []


def register_section(provider: Callable[[Territory], Section | None]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


@dataclass(frozen=True)
class EnvelopeLine:
    round: Round
    envelope: Envelope
    phase: RoundPhase
    result: VoteResult | None

    @property
    def rate(self) -> Decimal | None:
        if self.result is None:
            return None
        return percent(self.result.num_sign_ins, self.result.population)

    def channel(self, name: str) -> int:
        figures = (self.result.participation or {}) if self.result else {}
        return int((figures.get(name) or {}).get("sign_ins", 0))


@dataclass(frozen=True)
class MapPoint:
    kind: str
    label: str
    status: str
    endpoint: str
    object_id: int
    latitude: Decimal
    longitude: Decimal

    @property
    def url_values(self) -> dict[str, int]:
        key = "project_id" if self.kind == "project" else "idea_id"
        return {key: self.object_id}


@dataclass
class Neighbourhood:
    territory: Territory
    current: list[EnvelopeLine]
    envelopes: list[EnvelopeLine]
    projects_by_year: list[tuple[int, list[tuple[ProjectState, list[Project]]]]]
    points: list[MapPoint]
    outcome_years: list[int]
    sections: list[Section] = field(default_factory=list)

    @property
    def results(self) -> list[EnvelopeLine]:
        return [line for line in self.envelopes if line.result is not None]


def _envelope_lines(territory: Territory) -> list[EnvelopeLine]:
    now = utcnow()
    rows = db.session.execute(
        sa.select(Round, Envelope, VoteResult)
        .join(Envelope, Envelope.round_id == Round.id)
        .outerjoin(
            VoteResult,
            sa.and_(
                VoteResult.envelope_id == Envelope.id,
                VoteResult.state == ResultState.PUBLISHED,
            ),
        )
        .where(Envelope.territory_id == territory.id, Round.published_at.is_not(None))
        .order_by(Round.vote_closes_at.desc(), Round.id.desc())
    ).all()
    return [
        EnvelopeLine(round_, envelope, round_.phase_at(now), result)
        for round_, envelope, result in rows
    ]


def _projects_by_year(
    territory: Territory,
) -> list[tuple[int, list[tuple[ProjectState, list[Project]]]]]:
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.territory_id == territory.id)
        .order_by(Project.decided_on.desc(), Project.title)
    ).all()
    years: dict[int, dict[ProjectState, list[Project]]] = {}
    for project in projects:
        years.setdefault(project.year, {}).setdefault(project.state, []).append(project)
    return [
        (year, [(state, by_state[state]) for state in STATE_ORDER if state in by_state])
        for year, by_state in sorted(years.items(), reverse=True)
    ]


def _points(territory: Territory) -> list[MapPoint]:
    points = [
        MapPoint(
            "project",
            p.title,
            p.state.label,
            "followup.project_detail",
            p.id,
            p.latitude,
            p.longitude,
        )
        for p in db.session.scalars(
            sa.select(Project)
            .where(Project.territory_id == territory.id, Project.latitude.is_not(None))
            .order_by(Project.title)
        )
        if p.latitude is not None and p.longitude is not None
    ]
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(
            Idea.territory_id == territory.id,
            Idea.latitude.is_not(None),
            Idea.submitted_at.is_not(None),
            Idea.state.in_(MAPPED_IDEA_STATES),
        )
        .order_by(Idea.title)
    )
    points += [
        MapPoint(
            "idea",
            i.title,
            i.state.label,
            "budget.idea_detail",
            i.id,
            i.latitude,
            i.longitude,
        )
        for i in ideas
        if i.latitude is not None and i.longitude is not None
    ]
    return points


def neighbourhood(territory: Territory) -> Neighbourhood:
    """Everything the neighbourhood page shows after the territory's own facts."""
    lines = _envelope_lines(territory)
    hood = Neighbourhood(
        territory=territory,
        current=[line for line in lines if line.phase in ACTIVE_PHASES],
        envelopes=lines,
        projects_by_year=_projects_by_year(territory),
        points=_points(territory),
        outcome_years=outcome_years(territory),
    )
    for provider in _PROVIDERS:
        section = provider(territory)
        if section is not None:
            hood.sections.append(section)
    return hood


# ---------------------------------------------------------------------------
# What became of our ideas
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaOutcome:
    idea: Idea
    project: Project | None

    @property
    def shows_title(self) -> bool:
        return self.idea.state is not IdeaState.HIDDEN


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime(year, 1, 1, tzinfo=PARIS).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=PARIS).astimezone(UTC)
    return start, end


def outcome_years(territory: Territory) -> list[int]:
    """Years (Paris) in which ideas were submitted in *territory*, newest first."""
    moments = db.session.scalars(
        sa.select(Idea.submitted_at).where(
            Idea.territory_id == territory.id, Idea.submitted_at.is_not(None)
        )
    )
    return sorted(
        {m.astimezone(PARIS).year for m in moments if m is not None}, reverse=True
    )


def ideas_outcome(territory: Territory, year: int) -> list[IdeaOutcome]:
    """Every idea submitted in *territory* during *year*, oldest first, with its
    project when it won."""
    start, end = _year_bounds(year)
    rows = db.session.execute(
        sa.select(Idea, Project)
        .outerjoin(Project, Project.idea_id == Idea.id)
        .where(
            Idea.territory_id == territory.id,
            Idea.submitted_at >= start,
            Idea.submitted_at < end,
        )
        .options(selectinload(Idea.round), selectinload(Idea.merged_into))
        .order_by(Idea.submitted_at, Idea.id)
    ).all()
    return [IdeaOutcome(idea, project) for idea, project in rows]
