"""The append-only, hash-chained audit log. record() flushes; the caller commits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .models import AuditEntry
from .time import utcnow

#: Advisory lock key that serialises writers of the chain on PostgreSQL.
_PG_LOCK_KEY = 0x4A5D17


def canonical_json(data: Any) -> str:
    """Serialise *data* deterministically (sorted keys, no spaces, str for the rest)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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


def record(
    action: str,
    *,
    actor: Any | None = None,
    obj: Any | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry for *action* on *obj* (or object_type/object_id) by *actor*.

    Runs inside the caller's transaction, so the entry lands with the change it
    describes or not at all.
    """
    session = db.session
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last_hash = session.scalar(
        sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "-",
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
    """Walk the whole log in order and yield every entry that breaks the chain."""
    previous = ""
    rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows.yield_per(2000):
        if entry.prev_hash != previous:
            yield ChainProblem(entry.id, "previous hash does not match the entry before it")
        if entry_hash(entry) != entry.hash:
            yield ChainProblem(entry.id, "content does not match its hash (edited)")
        previous = entry.hash
