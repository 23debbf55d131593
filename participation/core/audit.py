"""The append-only, hash-chained audit log. record() flushes; the caller commits.

Each entry stores the hash of the one before it, so editing, deleting or inserting
a row anywhere breaks the chain and :func:`verify` reports it. Writers are
serialised (a transaction-scoped advisory lock on PostgreSQL, the database write
lock on SQLite) and ``prev_hash`` is unique, so two concurrent requests can never
both append after the same entry: the chain cannot fork.

Tamper evidence against someone who can write to the database:

- entries are keyed: their hash is an HMAC-SHA256 whose key is not in the database
  (``AUDIT_HMAC_KEY``, else derived from ``SECRET_KEY``), so an edited entry cannot
  be re-chained by recomputing the hashes after it;
- the chain's head is anchored outside the database: a signed statement (entry id,
  hash, count) rewritten under ``instance/audit-anchors/head.json`` after every
  commit that added entries, and kept by date by ``flask audit anchor`` and with
  every backup. An anchored entry that is gone (the newest entries deleted) or
  changed is reported.

Entries written before keying have ``scheme`` 1 (plain SHA-256) and are still
checked as such; the first ``scheme`` 2 entry marks the switch, and no plain
entry may follow a keyed one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from ..extensions import db
from .actors import Actor, actor_id
from .database import write_lock
from .models import AuditEntry
from .time import utcnow

#: Plain SHA-256 entries (before the keyed chain), keyed HMAC-SHA256 entries.
LEGACY_SCHEME = 1
KEYED_SCHEME = 2
ANCHOR_FORMAT = "participation-audit-anchor/1"
HEAD_ANCHOR = "head.json"
#: Session.info key: the newest entry added in this transaction, for the anchor.
_HEAD_KEY = "audit_head"

#: Advisory lock key that serialises writers of the chain on PostgreSQL.
_PG_LOCK_KEY = 0x4A5D17


def canonical_json(data: Any) -> str:
    """Serialise *data* deterministically (sorted keys, no spaces, str for the rest)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def audit_key() -> bytes:
    """The HMAC key of the chain: ``AUDIT_HMAC_KEY``, else derived from SECRET_KEY."""
    configured = current_app.config.get("AUDIT_HMAC_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"participation.audit-chain", hashlib.sha256).digest()


def sign(data: Any) -> str:
    """HMAC-SHA256 of *data*'s canonical JSON with the chain's key."""
    return hmac.new(
        audit_key(), canonical_json(data).encode(), hashlib.sha256
    ).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """Compute the hash that chains *entry* to its predecessor (by its scheme)."""
    fields = [
        entry.prev_hash,
        entry.at.isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.details,
    ]
    if entry.scheme == LEGACY_SCHEME:
        return hashlib.sha256(canonical_json(fields).encode()).hexdigest()
    return sign([entry.scheme, *fields])


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
        scheme=KEYED_SCHEME,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    session.info[_HEAD_KEY] = (entry, entry.id, entry.hash)
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """A place where the chain does not hold."""

    entry_id: int
    reason: str


def verify() -> Iterator[ChainProblem]:
    """Walk the whole log in order and yield every entry that breaks the chain,
    then every anchor the log no longer matches.

    An edited entry fails its own hash; a deleted or inserted entry breaks the
    link of the entry after it; an entry re-chained without the key fails its
    HMAC; deleted newest entries miss their anchor.
    """
    previous = ""
    keyed = False
    rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars()
    for entry in rows.yield_per(2000):
        if entry.prev_hash != previous:
            yield ChainProblem(
                entry.id, "previous hash does not match the entry before it"
            )
        if entry.scheme == KEYED_SCHEME:
            keyed = True
        elif keyed or entry.scheme != LEGACY_SCHEME:
            yield ChainProblem(entry.id, "unkeyed entry after the keyed chain began")
        if entry_hash(entry) != entry.hash:
            yield ChainProblem(entry.id, "content does not match its hash (edited)")
        previous = entry.hash
    yield from verify_anchors()


# ---------------------------------------------------------------------------
# Anchors: the chain's head, signed, outside the database
# ---------------------------------------------------------------------------


def anchor_dir() -> Path:
    """Folder of the anchors (``instance/audit-anchors`` unless configured)."""
    return Path(current_app.instance_path) / str(current_app.config["AUDIT_ANCHOR_DIR"])


def head_statement() -> dict[str, Any] | None:
    """The signed statement of the chain's current head (None for an empty log)."""
    head = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.hash)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if head is None:
        return None
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    return _statement(head[0], head[1], count)


def _statement(entry_id: int, entry_hash_: str, count: int | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "format": ANCHOR_FORMAT,
        "entry_id": entry_id,
        "hash": entry_hash_,
        "count": count,
        "written_at": utcnow().isoformat(timespec="seconds"),
    }
    statement["signature"] = sign(statement)
    return statement


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write *data* to *path* atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".anchor-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)
    os.replace(temporary, path)


def write_anchor(path: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """Write the head's statement to *path* (default ``<anchors>/<date>.json``)."""
    statement = head_statement()
    if statement is None:
        return None
    target = path or anchor_dir() / f"{utcnow():%Y-%m-%dT%H%M%S}.json"
    _write_json(target, statement)
    _write_head(statement["entry_id"], statement["hash"], statement["count"])
    return target, statement


def _write_head(entry_id: int, entry_hash_: str, count: int | None) -> None:
    """Move the live anchor forward (never back: workers commit in any order)."""
    path = anchor_dir() / HEAD_ANCHOR
    current = _read_anchor(path)
    if current is not None and int(current.get("entry_id", 0)) > entry_id:
        return
    _write_json(path, _statement(entry_id, entry_hash_, count))


def _read_anchor(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def anchor_is_signed(statement: dict[str, Any]) -> bool:
    """The statement's signature holds with this instance's key."""
    claimed = statement.get("signature")
    body = {key: value for key, value in statement.items() if key != "signature"}
    return isinstance(claimed, str) and hmac.compare_digest(claimed, sign(body))


def verify_anchors() -> Iterator[ChainProblem]:
    """Every anchor must name an entry that is still there, with the same hash."""
    folder = anchor_dir()
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        statement = _read_anchor(path)
        if statement is None or not anchor_is_signed(statement):
            yield ChainProblem(0, f"anchor {path.name}: unreadable or wrongly signed")
            continue
        entry_id = statement.get("entry_id")
        if not isinstance(entry_id, int):
            yield ChainProblem(0, f"anchor {path.name}: no entry id")
            continue
        found = db.session.get(AuditEntry, entry_id)
        if found is None:
            yield ChainProblem(
                entry_id,
                f"anchored by {path.name} but missing (newest entries deleted?)",
            )
        elif found.hash != statement.get("hash"):
            yield ChainProblem(
                entry_id, f"hash differs from the one anchored by {path.name}"
            )


def _anchor_after_commit(session: Session) -> None:
    head = session.info.pop(_HEAD_KEY, None)
    if head is None or not has_app_context():
        return
    entry, entry_id, entry_hash_ = head
    if not sa.inspect(entry).persistent:
        return  # added in a savepoint that was rolled back: not in the log
    try:
        _write_head(entry_id, entry_hash_, None)
    except OSError:  # the commit stands; the next one writes the anchor again
        current_app.logger.exception("could not write the audit anchor")


def _forget_head(session: Session) -> None:
    session.info.pop(_HEAD_KEY, None)


def init_app(app: Flask) -> None:
    """Anchor the chain's head after every commit that added entries."""
    if not sa.event.contains(Session, "after_commit", _anchor_after_commit):
        sa.event.listen(Session, "after_commit", _anchor_after_commit)
        sa.event.listen(Session, "after_rollback", _forget_head)
