"""Database behaviour services rely on: savepoints nest on SQLite as on PostgreSQL,
and write_lock() serialises SQLite's writers."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from participation import create_app
from participation.core.database import is_write, write_lock
from participation.extensions import db
from participation.territories.models import Commune
from tests.conftest import base_test_config


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


# --- write_lock: the one place that takes SQLite's write lock -------------------


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch) -> Iterator[Flask]:
    """An app on a SQLite file whatever database the suite runs on: the lock is
    SQLite's (on PostgreSQL write_lock does nothing, see the test below)."""
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        base_test_config(tmp_path, f"sqlite:///{tmp_path / 'lock.sqlite'}")
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _database_file() -> str:
    path = db.engine.url.database
    assert path
    return path


def _other_writer_is_locked_out() -> bool:
    """True when another connection cannot take the write lock right now."""
    other = sqlite3.connect(_database_file(), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    else:
        other.execute("ROLLBACK")
        return False
    finally:
        other.close()


def _rename_elsewhere(commune_id: int, name: str) -> None:
    """Another request renames the commune and commits."""
    with db.engine.begin() as other:
        other.execute(
            sa.update(Commune).where(Commune.id == commune_id).values(name=name)
        )


def test_write_lock_restarts_a_reading_transaction_with_the_lock(sqlite_app):
    db.session.add(Commune(insee_code="11111", name="A"))
    db.session.commit()
    commune = db.session.scalars(sa.select(Commune)).one()  # the request reads first
    _rename_elsewhere(commune.id, "B")
    assert not _other_writer_is_locked_out()

    write_lock()

    # What was read is read again under the lock: the decision uses fresh data.
    assert commune.name == "B"
    assert _other_writer_is_locked_out()
    db.session.rollback()
    assert not _other_writer_is_locked_out()


def test_write_lock_is_a_no_op_once_the_transaction_wrote(sqlite_app):
    written = Commune(insee_code="11111", name="Flushed")
    db.session.add(written)
    db.session.flush()  # the transaction holds the lock from its first write
    later = Commune(insee_code="22222", name="Later")
    db.session.add(later)

    write_lock()

    assert not sa.inspect(written).expired  # nothing was rolled back or reloaded
    assert later in db.session.new  # nor flushed: the lock is already held
    assert _other_writer_is_locked_out()
    db.session.commit()
    assert count_communes() == 2


def test_write_lock_keeps_changes_not_flushed_yet(sqlite_app):
    db.session.add(Commune(insee_code="11111", name="A"))
    db.session.commit()
    commune = db.session.scalars(sa.select(Commune)).one()
    commune.name = "Renamed"  # only in memory so far
    added = Commune(insee_code="22222", name="New")
    db.session.add(added)

    write_lock()

    # The pending changes are writes: flushed, they take the lock, and stay.
    assert added.id is not None
    assert _other_writer_is_locked_out()
    db.session.commit()
    assert {c.name for c in db.session.scalars(sa.select(Commune))} == {
        "Renamed",
        "New",
    }


def test_write_lock_twice_is_harmless(sqlite_app):
    write_lock()
    db.session.add(Commune(insee_code="11111", name="A"))
    write_lock()
    db.session.commit()

    assert count_communes() == 1


def test_two_requests_that_read_then_write_both_succeed_one_after_the_other(
    sqlite_app,
):
    """Without the lock the second would fail ("database is locked") when it
    writes after the first committed; with it, it waits, then reads again."""
    db.session.add(Commune(insee_code="11111", name="Counter", population=0))
    db.session.commit()
    first_holds_the_lock = threading.Event()
    second_has_read = threading.Event()
    outcomes: dict[str, object] = {}

    def request(name: str) -> None:
        with sqlite_app.app_context():
            try:
                counter = db.session.scalars(sa.select(Commune)).one()
                seen_before = counter.population
                if name == "first":
                    second_has_read.wait(10)
                    write_lock()
                    first_holds_the_lock.set()
                    time.sleep(0.3)  # the second asks for the lock meanwhile
                else:
                    second_has_read.set()
                    first_holds_the_lock.wait(10)
                    started = time.monotonic()
                    write_lock()
                    outcomes["waited"] = time.monotonic() - started
                counter.population = (counter.population or 0) + 1
                db.session.commit()
                outcomes[name] = seen_before
            except Exception as error:  # reported by the assertions below
                outcomes[name] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes["first"] == 0
    assert outcomes["second"] == 0  # read before the first wrote...
    assert float(outcomes["waited"]) >= 0.2  # ...waited for the first to commit...
    db.session.expire_all()
    counter = db.session.scalars(sa.select(Commune)).one()
    assert counter.population == 2  # ...and counted again: no update was lost


def test_write_lock_does_nothing_on_other_databases(app):
    """PostgreSQL serialises with row locks and constraints: nothing is restarted."""
    db.session.add(Commune(insee_code="11111", name="A"))
    db.session.commit()
    commune = db.session.scalars(sa.select(Commune)).one()
    _rename_elsewhere(commune.id, "B")

    write_lock()

    if db.engine.dialect.name == "sqlite":
        assert commune.name == "B"
    else:
        assert not sa.inspect(commune).expired
        assert commune.name == "A"


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT 1", False),
        ("  select * from commune", False),
        ("PRAGMA foreign_keys", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("RELEASE SAVEPOINT sa_savepoint_1", False),
        ("WITH last AS (SELECT max(id) AS id FROM t) SELECT updated_at FROM t", False),
        ("INSERT INTO commune (name) VALUES (?)", True),
        ("UPDATE commune SET name=?", True),
        ("DELETE FROM commune", True),
        ("WITH old AS (SELECT id FROM t) DELETE FROM t WHERE id IN old", True),
    ],
)
def test_what_counts_as_a_write(statement, writes):
    assert is_write(statement) is writes


def test_write_lock_refuses_to_drop_a_savepoint_that_only_read(sqlite_app):
    db.session.add(Commune(insee_code="11111", name="A"))
    db.session.commit()
    savepoint = db.session.begin_nested()
    db.session.scalars(sa.select(Commune)).one()

    with pytest.raises(RuntimeError, match="before begin_nested"):
        write_lock()

    assert savepoint.is_active  # the caller's savepoint is still there
    savepoint.rollback()
