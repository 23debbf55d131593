"""Database engine hooks and the one place that takes SQLite's write lock.

SQLite lets one writer at a time. A transaction that began by reading and then
writes fails at once ("database is locked") if another writer committed in
between; one that *begins* with the write lock (``BEGIN IMMEDIATE``) waits its
turn through the busy timeout instead. So every unit of work that will write
calls :func:`write_lock` before it reads what it decides on: the submit helper of
the views does it for every form, services that serialise (the vote, the audit
chain) do it themselves. PostgreSQL needs nothing here (row locks, constraints).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ..extensions import db
from .errors import Conflict
from .i18n import lazy_gettext as _l

#: Set by write_lock() for the BEGIN it is about to cause; read by _sqlite_begin.
_begin_immediate: ContextVar[bool] = ContextVar("begin_immediate", default=False)
#: Connection.info key: this connection's transaction holds SQLite's write lock.
_LOCKED = "sqlite_write_locked"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL and a busy timeout for SQLite; nothing for other engines."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    # pysqlite's own transaction handling breaks SAVEPOINT (begin_nested would commit
    # the outer transaction): let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """Start SQLite transactions explicitly, so savepoints nest as on PostgreSQL.

    ``BEGIN IMMEDIATE`` when :func:`write_lock` asked for it, a deferred ``BEGIN``
    otherwise (readers never wait for a writer in WAL mode).
    """
    if connection.dialect.name != "sqlite":
        return
    # On the raw connection: this is transaction control, not a statement of the
    # request (statement counters and logs stay about the work itself).
    immediate = _begin_immediate.get()
    connection.connection.driver_connection.execute(
        "BEGIN IMMEDIATE" if immediate else "BEGIN"
    )
    connection.info[_LOCKED] = immediate


#: Statements that never take SQLite's write lock; anything else counts as a write.
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK")
#: What makes a statement that starts with a common table expression a write.
_WRITE_WORDS = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def is_write(statement: str) -> bool:
    """Whether *statement* takes SQLite's write lock (``WITH ... SELECT`` does not)."""
    text = statement.lstrip()
    head = text[:9].upper()
    if head.startswith("WITH"):
        return _WRITE_WORDS.search(text) is not None
    return not head.startswith(_READS)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(
    connection: Any, cursor: Any, statement: str, *args: Any, **kwargs: Any
) -> None:
    if connection.dialect.name == "sqlite" and is_write(statement):
        connection.info[_LOCKED] = True


def write_lock() -> None:
    """Hold the database's write lock for the rest of this transaction (SQLite).

    If the transaction has only read so far, it is restarted as ``BEGIN
    IMMEDIATE``: loaded objects are expired and reload under the lock, so what the
    caller decides on is what it writes against. If it has already written, it
    holds the lock already. Waiting longer than the busy timeout gives a
    :class:`Conflict` asking to try again (never a 500).
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.connection().info.get(_LOCKED):
            return
        if session.new or session.dirty or session.deleted:
            session.flush()  # pending changes are writes: the flush takes the lock
            if session.connection().info.get(_LOCKED):
                return
        if session.in_nested_transaction():
            # Restarting would drop the caller's SAVEPOINT: a mistake in the code.
            raise RuntimeError("call write_lock() before begin_nested(), not inside")
        session.rollback()  # it only read: start again, this time with the lock
    token = _begin_immediate.set(True)
    try:
        session.connection()  # emits BEGIN IMMEDIATE, waiting for the lock
    except OperationalError:
        session.rollback()
        raise Conflict(
            _l("Many people are using the site right now: please try again.")
        ) from None
    finally:
        _begin_immediate.reset(token)
