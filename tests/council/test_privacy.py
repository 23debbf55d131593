"""The council's retention rule: a draw's pool goes once its members have left."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from participation.core import privacy
from participation.council.models import DrawEntry
from participation.council.services import draws, seats
from participation.council.states import College, DrawOutcome

from .test_draws import csv_pool, import_data


def _pool_lines(db, draw_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DrawEntry)
        .where(DrawEntry.draw_id == draw_id)
    )


def test_draw_pools_are_purged_once_the_drawn_members_left(
    app, db, make_council, make_user, staff
):
    assert "council_draw_pools" in {rule.name for rule in privacy.retention_rules()}
    council = make_council(is_draw_required=True)
    draw = draws.import_pool(council, import_data(csv_pool()), staff)
    draws.perform_draw(draw, "3", "A\nB", staff)
    titular = next(e for e in draw.entries if e.outcome is DrawOutcome.TITULAR)
    undrawn = draws.import_pool(council, import_data(csv_pool()), staff)
    member = seats.add_member(
        council,
        seats.MemberData(
            person=make_user().email,
            college=College.RESIDENTS,
            sex=titular.sex,
            mandate_starts_on=date(2024, 1, 1),
            mandate_ends_on=date(2026, 6, 30),
            draw_entry_id=titular.id,
        ),
        staff,
    )
    db.session.commit()
    during = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    after = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)

    assert privacy.purge(now=during, dry_run=True)["council_draw_pools"] == 0
    assert privacy.purge(now=after, dry_run=True)["council_draw_pools"] == 16
    assert _pool_lines(db, draw.id) == 16  # a dry run removes nothing

    assert privacy.purge(now=after)["council_draw_pools"] == 16
    db.session.commit()
    assert _pool_lines(db, draw.id) == 0
    assert member.draw_entry_id is None  # the seat keeps its history
    # A pool nobody was seated from (not drawn yet) is kept.
    assert _pool_lines(db, undrawn.id) == 16
