"""Database behaviour services rely on: savepoints nest on SQLite as on PostgreSQL."""

import sqlalchemy as sa

from participation.extensions import db
from participation.territories.models import Commune


def count_communes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Commune))


def test_released_savepoint_is_undone_by_the_outer_rollback(app):
    # pysqlite alone would run this SAVEPOINT outside any transaction, so its
    # RELEASE would commit the row for good.
    with db.session.begin_nested():
        db.session.add(Commune(insee_code="11111", name="A"))
    db.session.rollback()
    assert count_communes() == 0


def test_failed_savepoint_keeps_the_outer_transaction(app):
    db.session.add(Commune(insee_code="11111", name="A"))
    db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(Commune(insee_code="11111", name="B"))
            db.session.flush()
    except sa.exc.IntegrityError:
        pass
    db.session.add(Commune(insee_code="22222", name="C"))
    db.session.commit()
    assert {c.name for c in db.session.scalars(sa.select(Commune))} == {"A", "C"}
