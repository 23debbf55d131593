"""Read-only queries of the review feature: a fixed number of queries per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..budget.models import Envelope, Idea, Round
from ..budget.states import COSTED_STATES, IdeaState
from ..eligibility.models import Assessment, Criterion
from ..extensions import db
from ..territories.models import Territory
from .models import IdeaReview, RoundReview, ThemeRule

ZERO = Decimal("0.00")

#: States shown as columns of the overview, in workflow order.
OVERVIEW_STATES = (
    IdeaState.SUBMITTED,
    IdeaState.IN_REVIEW,
    IdeaState.ELIGIBLE,
    IdeaState.INELIGIBLE,
    IdeaState.TRANSFERRED,
    IdeaState.MERGED,
    IdeaState.WITHDRAWN,
    IdeaState.HIDDEN,
    IdeaState.SELECTED,
    IdeaState.NOT_SELECTED,
)


@dataclass(frozen=True)
class ReviewerLoad:
    """How far one reviewer is in a round."""

    reviewer: User
    done: int
    pending: int


@dataclass(frozen=True)
class EnvelopeUse:
    """An envelope against the final costs of the ideas retained in its QPV."""

    envelope: Envelope
    retained: int
    retained_cost: Decimal

    @property
    def remaining(self) -> Decimal:
        """Envelope (with carry-over) minus retained costs; negative when over."""
        return self.envelope.total - self.retained_cost

    @property
    def ratio(self) -> Decimal:
        """Retained costs as a multiple of the envelope (2 = twice the money)."""
        if self.envelope.total == 0:
            return ZERO
        return (self.retained_cost / self.envelope.total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Overview:
    """Everything the staff overview of a round's review shows."""

    started: RoundReview | None
    territories: list[Territory]
    counts: dict[tuple[int, IdeaState], int]
    state_totals: dict[IdeaState, int]
    states: tuple[IdeaState, ...]
    reviewer_loads: list[ReviewerLoad]
    unassigned: int
    envelopes: list[EnvelopeUse]

    def count(self, territory_id: int, state: IdeaState) -> int:
        return self.counts.get((territory_id, state), 0)

    def territory_total(self, territory_id: int) -> int:
        return sum(n for (tid, _state), n in self.counts.items() if tid == territory_id)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _state_counts(
    round_: Round,
) -> tuple[dict[tuple[int, IdeaState], int], dict[IdeaState, int]]:
    """Submitted ideas by (QPV, state), and by state (one query)."""
    counts: dict[tuple[int, IdeaState], int] = {}
    state_totals: dict[IdeaState, int] = defaultdict(int)
    for territory_id, state, number in db.session.execute(
        sa.select(Idea.territory_id, Idea.state, sa.func.count(Idea.id))
        .where(Idea.round_id == round_.id, Idea.submitted_at.is_not(None))
        .group_by(Idea.territory_id, Idea.state)
    ):
        if territory_id is None:  # only drafts lack a QPV, and drafts are excluded
            continue
        counts[(territory_id, state)] = number
        state_totals[state] += number
    return counts, dict(state_totals)


def _reviewer_loads(round_: Round) -> list[ReviewerLoad]:
    """Reviews handed in and waiting, per reviewer, by pseudonym (two queries)."""
    pending = sa.and_(
        IdeaReview.submitted_at.is_(None), Idea.state == IdeaState.IN_REVIEW
    )
    loads_rows = db.session.execute(
        sa.select(
            IdeaReview.reviewer_id,
            sa.func.count(IdeaReview.submitted_at),
            sa.func.count(sa.case((pending, 1))),
        )
        .join(Idea, Idea.id == IdeaReview.idea_id)
        .where(Idea.round_id == round_.id)
        .group_by(IdeaReview.reviewer_id)
    ).all()
    if not loads_rows:
        return []
    people = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User)
            .where(User.id.in_([row[0] for row in loads_rows]))
            .options(selectinload(User.roles))
        )
    }
    return sorted(
        (ReviewerLoad(people[rid], done, waiting) for rid, done, waiting in loads_rows),
        key=lambda load: load.reviewer.pseudonym.lower(),
    )


def _envelope_uses(round_: Round, envelopes: list[Envelope]) -> list[EnvelopeUse]:
    """What the retained ideas cost against each envelope (one query)."""
    retained = {
        territory_id: (number, total or ZERO)
        for territory_id, number, total in db.session.execute(
            sa.select(
                Idea.territory_id, sa.func.count(Idea.id), sa.func.sum(Idea.final_cost)
            )
            .where(Idea.round_id == round_.id, Idea.state.in_(COSTED_STATES))
            .group_by(Idea.territory_id)
        )
    }
    return [
        EnvelopeUse(
            envelope=envelope,
            retained=retained.get(envelope.territory_id, (0, ZERO))[0],
            retained_cost=Decimal(retained.get(envelope.territory_id, (0, ZERO))[1]),
        )
        for envelope in envelopes
    ]


def overview(round_: Round) -> Overview:
    """The round's review at a glance, in seven queries at most whatever the ideas."""
    started = db.session.scalar(
        sa.select(RoundReview)
        .where(RoundReview.round_id == round_.id)
        .options(joinedload(RoundReview.grid_version))
    )
    envelopes = list(
        db.session.scalars(
            sa.select(Envelope)
            .where(Envelope.round_id == round_.id)
            .options(joinedload(Envelope.territory))
            .join(Territory, Territory.id == Envelope.territory_id)
            .order_by(Territory.name)
        )
    )
    counts, state_totals = _state_counts(round_)
    unassigned = (
        db.session.scalar(
            sa.select(sa.func.count(Idea.id)).where(
                Idea.round_id == round_.id,
                Idea.state == IdeaState.IN_REVIEW,
                ~sa.exists().where(IdeaReview.idea_id == Idea.id),
            )
        )
        or 0
    )
    return Overview(
        started=started,
        territories=[e.territory for e in envelopes],
        counts=counts,
        state_totals=state_totals,
        states=tuple(s for s in OVERVIEW_STATES if state_totals.get(s))
        or (IdeaState.SUBMITTED, IdeaState.IN_REVIEW),
        reviewer_loads=_reviewer_loads(round_),
        unassigned=unassigned,
        envelopes=_envelope_uses(round_, envelopes),
    )


@dataclass(frozen=True)
class IdeaRow:
    """One idea of the assignment page with its review, if any."""

    idea: Idea
    review: IdeaReview | None


def assignment_rows(round_: Round) -> list[IdeaRow]:
    """Ideas of the round that can be (or were) reviewed, with reviewer and outcome.

    A fixed number of queries: ideas joined to their review, reviewer and
    assessment; then the themes and the reviewers' roles, each in one query.
    """
    rows = db.session.execute(
        sa.select(Idea, IdeaReview)
        .outerjoin(IdeaReview, IdeaReview.idea_id == Idea.id)
        .where(
            Idea.round_id == round_.id,
            Idea.submitted_at.is_not(None),
            Idea.state.not_in((IdeaState.WITHDRAWN, IdeaState.HIDDEN)),
        )
        .options(
            joinedload(Idea.territory),
            selectinload(Idea.themes),
            joinedload(IdeaReview.reviewer),
            joinedload(IdeaReview.assessment),
        )
        .order_by(Idea.territory_id, Idea.id)
    ).all()
    return [IdeaRow(idea, review) for idea, review in rows]


def theme_rules(round_: Round) -> list[ThemeRule]:
    return list(
        db.session.scalars(
            sa.select(ThemeRule)
            .where(ThemeRule.round_id == round_.id)
            .options(joinedload(ThemeRule.theme), joinedload(ThemeRule.reviewer))
            .order_by(ThemeRule.id)
        ).unique()
    )


def reviews_of(reviewer: User) -> list[IdeaReview]:
    """The reviewer's assignments, pending first, with idea, round, QPV and outcome."""
    return list(
        db.session.scalars(
            sa.select(IdeaReview)
            .join(Idea, Idea.id == IdeaReview.idea_id)
            .where(IdeaReview.reviewer_id == reviewer.id)
            .options(
                joinedload(IdeaReview.idea).joinedload(Idea.round),
                joinedload(IdeaReview.idea).joinedload(Idea.territory),
                joinedload(IdeaReview.assessment),
            )
            .order_by(
                IdeaReview.submitted_at.is_not(None), Idea.round_id.desc(), Idea.id
            )
        ).unique()
    )


def failed_criteria_by_idea(idea_ids: Iterable[int]) -> dict[int, list[Criterion]]:
    """Failed mandatory criteria of each idea's review, for public pages (2 queries).

    Only ideas declared ineligible are returned: before the decision the
    reviewer's answers are not public.
    """
    ids = list(set(idea_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            IdeaReview.idea_id, Assessment.grid_version_id, Assessment.failed_codes
        )
        .join(Assessment, Assessment.id == IdeaReview.assessment_id)
        .join(Idea, Idea.id == IdeaReview.idea_id)
        .where(IdeaReview.idea_id.in_(ids), Idea.state == IdeaState.INELIGIBLE)
    ).all()
    version_ids = {version_id for _idea, version_id, failed in rows if failed}
    if not version_ids:
        return {}
    criteria: dict[tuple[int, str], Criterion] = {
        (c.version_id, c.code): c
        for c in db.session.scalars(
            sa.select(Criterion)
            .where(Criterion.version_id.in_(version_ids))
            .order_by(Criterion.position, Criterion.id)
        )
    }
    result: dict[int, list[Criterion]] = {}
    for idea_id, version_id, failed in rows:
        found = [
            criteria[(version_id, code)]
            for code in failed or ()
            if (version_id, code) in criteria
        ]
        if found:
            result[idea_id] = found
    return result


def rounds_for_review() -> Sequence[tuple[Round, RoundReview | None]]:
    """Rounds, newest first, with the start of their review if it started."""
    return db.session.execute(
        sa.select(Round, RoundReview)
        .outerjoin(RoundReview, RoundReview.round_id == Round.id)
        .order_by(Round.submission_opens_at.desc(), Round.id.desc())
    ).all()
