"""``get_rules`` reads a round's rules once per transaction, and never answers stale."""

from __future__ import annotations

import sqlalchemy as sa
from core.querycount import count_queries

from participation.extensions import db as _db
from participation.voting import services


def _rules_reads(statements: list[str]) -> int:
    return sum("FROM vote_rules" in s for s in statements)


def test_the_rules_are_read_once_then_again_after_a_commit(
    db, make_round, staff
) -> None:
    round_ = make_round("announcement")
    services.save_rules(round_, services.RulesData(max_projects=3), staff)
    _db.session.commit()
    with count_queries(_db) as statements:
        first = services.get_rules(round_)
        again = services.get_rules(round_)
    assert first is not None
    assert again is first
    assert _rules_reads(statements) == 1
    # Changed behind the ORM's back (as another server would): once the
    # transaction ends, the rules are read again.
    _db.session.execute(
        sa.text("UPDATE vote_rules SET max_projects = 5 WHERE round_id = :r"),
        {"r": round_.id},
    )
    _db.session.commit()
    with count_queries(_db) as statements:
        found = services.get_rules(round_)
    assert _rules_reads(statements) == 1
    assert found.max_projects == 5  # type: ignore[union-attr]


def test_rules_rolled_back_are_not_answered(db, make_round, staff) -> None:
    round_ = make_round("announcement")
    assert services.get_rules(round_) is None
    services.save_rules(round_, services.RulesData(max_projects=2), staff)
    assert services.get_rules(round_) is not None
    _db.session.rollback()
    assert services.get_rules(round_) is None
