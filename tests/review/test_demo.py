"""The demo: both reviewed rounds are started, reviewed and consistent."""

from __future__ import annotations

import sqlalchemy as sa

from participation.budget.models import Idea, Round
from participation.budget.states import IdeaState, RoundPhase
from participation.core.audit import verify
from participation.demo import load_demo
from participation.eligibility.demo import demo_grid_version
from participation.eligibility.states import Outcome
from participation.review import queries
from participation.review.models import IdeaReview, RoundReview


def test_demo_reviews_the_announced_round_and_the_round_in_review(db):
    assert load_demo()

    rounds = {r.phase: r for r in db.session.scalars(sa.select(Round))}
    version = demo_grid_version()
    assert version.is_frozen
    started = {s.round_id for s in db.session.scalars(sa.select(RoundReview))}
    announced = rounds[RoundPhase.ANNOUNCEMENT]
    in_review = rounds[RoundPhase.REVIEW]
    assert started == {announced.id, in_review.id}

    # Every decision of the announced round rests on a handed-in review that agrees.
    decided = db.session.scalars(
        sa.select(Idea).where(
            Idea.round_id == announced.id,
            Idea.state.in_((IdeaState.ELIGIBLE, IdeaState.INELIGIBLE)),
        )
    ).all()
    reviews = {
        r.idea_id: r
        for r in db.session.scalars(
            sa.select(IdeaReview).where(IdeaReview.idea_id.in_([i.id for i in decided]))
        )
    }
    assert decided
    for idea in decided:
        review = reviews[idea.id]
        assert review.is_done
        expected = (
            Outcome.ELIGIBLE if idea.state is IdeaState.ELIGIBLE else Outcome.INELIGIBLE
        )
        assert review.assessment.outcome is expected
    ineligible = [i.id for i in decided if i.state is IdeaState.INELIGIBLE]
    assert set(queries.failed_criteria_by_idea(ineligible)) == set(ineligible)

    overview = queries.overview(in_review)
    assert overview.unassigned == 1
    assert sum(load.pending for load in overview.reviewer_loads) >= 1
    assert sum(load.done for load in overview.reviewer_loads) >= 2
    assert list(verify()) == []
