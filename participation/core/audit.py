"""The append-only, hash-chained audit log. record() flushes; the caller commits.

Each entry stores the hash of the one before it, so editing, deleting or inserting
a row anywhere breaks the chain and :func:`verify` reports it. Writers are
serialised (a transaction-scoped advisory lock on PostgreSQL, the database write
lock on SQLite) and ``prev_hash`` is unique, so two concurrent requests can never
both append after the same entry: the chain cannot fork.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .actors import Actor, actor_id
from .database import write_lock
from .models import AuditEntry
from .time import utcnow

#: Advisory lock key that serialises writers of the chain on PostgreSQL.
_PG_LOCK_KEY = 0x4A5D17


def canonical_json(data: Any) -> str:
    """Serialise *data* deterministically (sorted keys, no spaces, str for the rest)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_hash(entry: AuditEntry) -> str:
    """Compute the SHA-256 that chains *entry* to its predecessor."""
    payload = canonical_json(
        [
            entry.prev_hash,
            entry.at.isoformat(timespec="microseconds"),
            entry.actor_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.details,
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    """Hold the chain's write lock until the caller's transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the database write
    lock (:func:`~participation.core.database.write_lock`), so that the last hash
    is read by the only writer.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY}
        )
    else:
        write_lock()


def record(
    action: str,
    *,
    actor: Actor,
    obj: Any | None = None,
    object_type: Any = None,
    object_id: Any = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry for *action* on *obj* (or object_type/object_id) by *actor*.

    *actor* is the person who acted, or :data:`~participation.core.actors.SYSTEM`
    for jobs, imports and commands (stored as no one). ``object_type`` and
    ``object_id`` are typed loosely so that callers may pass ``**details``
    dictionaries; they are stored as text. Runs inside the caller's transaction,
    so the entry lands with the change it describes or not at all. Call it last in
    a service: the chain stays locked until the caller commits.
    """
    session = db.session
    session.flush()  # the caller's changes first, so obj.id is known
    _lock_chain()
    last_hash = session.scalar(
        sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id(actor),
        action=action,
        object_type=str(object_type or "-"),
        object_id=None if object_id is None else str(object_id),
        details=canonical_json(details),
        prev_hash=last_hash or "",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """A place where the chain does not hold."""

    entry_id: int
    reason: str


def verify() -> Iterator[ChainProblem]:
    """Walk the whole log in order and yield every entry that breaks the chain.

    An edited entry fails its own hash; a deleted or inserted entry (or an edited
    one whose hash was recomputed) breaks the link of the entry after it.
    """
    previous = ""
    rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows.yield_per(2000):
        if entry.prev_hash != previous:
            yield ChainProblem(
                entry.id, "previous hash does not match the entry before it"
            )
        if entry_hash(entry) != entry.hash:
            yield ChainProblem(entry.id, "content does not match its hash (edited)")
        previous = entry.hash
