"""The council's retention rule: a draw's pool is kept until the end of the term of
the members drawn from it (the personal-data page: "Lists of volunteers for a draw
by lot: until the end of the council's term")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..core.privacy import RetentionRule
from ..core.time import PARIS
from ..extensions import db
from .models import CouncilDraw, CouncilMember, DrawEntry


def _expired_draws(now: datetime) -> sa.Select[Any]:
    """Drawn draws that seated someone, none of whom still sits on the council."""
    today = now.astimezone(PARIS).date()
    seated = (
        sa.select(DrawEntry.draw_id)
        .join(CouncilMember, CouncilMember.draw_entry_id == DrawEntry.id)
        .where(DrawEntry.draw_id == CouncilDraw.id)
    )
    sitting = seated.where(
        CouncilMember.left_on.is_(None),
        sa.or_(
            CouncilMember.mandate_ends_on.is_(None),
            CouncilMember.mandate_ends_on >= today,
        ),
    )
    return sa.select(CouncilDraw.id).where(
        CouncilDraw.drawn_at.is_not(None),
        seated.exists(),
        ~sitting.exists(),
    )


def purge_draw_pools(now: datetime, dry_run: bool) -> int:
    """Pool lines of the draws whose drawn members' mandates have all ended."""
    # The ids first: unlinking the seats below changes what the query finds.
    expired = list(db.session.scalars(_expired_draws(now)))
    condition = DrawEntry.draw_id.in_(expired)
    if dry_run:
        return int(
            db.session.scalar(
                sa.select(sa.func.count()).select_from(DrawEntry).where(condition)
            )
            or 0
        )
    # The seats keep their history; only their link to the pool line goes.
    db.session.execute(
        sa.update(CouncilMember)
        .where(
            CouncilMember.draw_entry_id.in_(sa.select(DrawEntry.id).where(condition))
        )
        .values(draw_entry_id=None)
    )
    result = db.session.execute(sa.delete(DrawEntry).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


DRAW_POOLS = RetentionRule(
    "council_draw_pools",
    "Pools of a draw by lot, once every member drawn from it has left the council.",
    purge_draw_pools,
)
