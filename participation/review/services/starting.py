"""Starting a round's review, and what the review pages read about it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...budget import services as budget
from ...budget.models import Idea, Round
from ...budget.states import IdeaAction, IdeaState, RoundPhase, phase_rank
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...eligibility import services as eligibility
from ...eligibility.models import GridVersion
from ...extensions import db
from ..models import IdeaReview, RoundReview
from .permissions import require_staff


def round_review(round_: Round) -> RoundReview | None:
    """The record of the round's review start, if it started."""
    return db.session.scalar(
        sa.select(RoundReview).where(RoundReview.round_id == round_.id)
    )


def review_of(idea: Idea) -> IdeaReview | None:
    """The idea's review (its assignment and what the reviewer found), if any."""
    return db.session.scalar(sa.select(IdeaReview).where(IdeaReview.idea_id == idea.id))


def grid_version_of(round_: Round) -> GridVersion | None:
    """The grid version a round's review uses (frozen once the review started)."""
    started = round_review(round_)
    if started is not None:
        return started.grid_version
    if round_.grid_version_id is None:
        return None
    return db.session.get(GridVersion, round_.grid_version_id)


def review_can_start(round_: Round, now: datetime | None = None) -> bool:
    """Submissions are closed and the vote has not opened."""
    rank = phase_rank(round_.phase_at(now or utcnow()))
    return phase_rank(RoundPhase.REVIEW) <= rank < phase_rank(RoundPhase.VOTE)


def start_review(round_: Round, actor: Actor, now: datetime | None = None) -> int:
    """Freeze the round's grid version and put its submitted ideas under review.

    Running it again (after an idea was shown again by moderation, for example)
    puts the remaining submitted ideas under review. Returns how many moved.
    :raises Conflict: submissions still open, vote opened, or no grid chosen.
    """
    require_staff(actor)
    now = now or utcnow()
    if not review_can_start(round_, now):
        raise Conflict(
            _l(
                "The review starts once the submission of ideas is closed, "
                "before the vote."
            )
        )
    started = round_review(round_)
    if started is None:
        if round_.grid_version_id is None:
            raise Conflict(
                _l("Choose the round's eligibility grid before starting the review.")
            )
        version = db.session.get(GridVersion, round_.grid_version_id)
        assert version is not None
        eligibility.freeze_version(
            version, actor=actor, reason=f"review of round {round_.id}"
        )
        started = RoundReview(
            round_id=round_.id,
            grid_version_id=version.id,
            started_at=now,
            started_by_id=actor_id(actor),
        )
        db.session.add(started)
        db.session.flush()
        audit.record(
            "review.start",
            actor=actor,
            obj=round_,
            grid_version=version.id,
            grid=version.grid_id,
            number=version.number,
        )
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(Idea.round_id == round_.id, Idea.state == IdeaState.SUBMITTED)
        .order_by(Idea.id)
    ).all()
    for idea in ideas:
        budget.transition(idea, IdeaAction.START_REVIEW, actor, now=now)
    return len(ideas)
