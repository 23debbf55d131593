"""The keyed audit chain and its anchors: truncation and re-chaining are detected."""

from __future__ import annotations

import json

import sqlalchemy as sa

from participation.core import audit
from participation.core.actors import SYSTEM
from participation.core.models import AuditEntry
from participation.extensions import db as _db


def _entries(n: int) -> list[AuditEntry]:
    entries = [
        audit.record("thing.update", actor=SYSTEM, object_type="thing", object_id=i)
        for i in range(1, n + 1)
    ]
    _db.session.commit()
    return entries


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_deleting_the_newest_entry_is_reported(app, db):
    entries = _entries(4)
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[-1].id))
    db.session.commit()

    result = _verify(app)

    assert result.exit_code == 1
    assert f"entry {entries[-1].id}" in result.output
    assert "missing" in result.output


def test_an_edit_rechained_with_recomputed_hashes_is_reported(app, db):
    """Rewrite one entry, then recompute every hash after it, as an attacker with
    the database but without the key would (plain SHA-256, or a guessed key)."""
    _entries(4)
    rows = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    rows[1].details = '{"amount":1}'
    previous = rows[0].hash
    for row in rows[1:]:
        row.prev_hash = previous
        row.hash = "0" * 64  # free the unique value first
        db.session.flush()
        row.scheme = audit.LEGACY_SCHEME
        row.hash = audit.entry_hash(row)
        previous = row.hash
    db.session.commit()

    result = _verify(app)

    assert result.exit_code == 1
    assert "unkeyed entry after the keyed chain began" in result.output
    assert "anchored by head.json" in result.output


def test_an_edit_rechained_with_another_key_is_reported(app, db):
    _entries(3)
    rows = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    app.config["AUDIT_HMAC_KEY"] = "a key the attacker chose"
    rows[1].details = '{"amount":1}'
    rows[1].hash = audit.entry_hash(rows[1])
    rows[2].prev_hash = rows[1].hash
    rows[2].hash = audit.entry_hash(rows[2])
    db.session.commit()
    app.config["AUDIT_HMAC_KEY"] = None

    result = _verify(app)

    assert result.exit_code == 1
    assert "edited" in result.output


def test_entries_written_before_keying_are_still_checked(app, db):
    legacy = AuditEntry(
        at=audit.utcnow(),
        actor_id=None,
        action="old.thing",
        object_type="thing",
        object_id="1",
        details="{}",
        prev_hash="",
        scheme=audit.LEGACY_SCHEME,
    )
    legacy.hash = audit.entry_hash(legacy)
    db.session.add(legacy)
    db.session.commit()
    [keyed] = _entries(1)

    assert keyed.prev_hash == legacy.hash
    assert keyed.scheme == audit.KEYED_SCHEME
    assert _verify(app).exit_code == 0
    legacy.details = '{"x":1}'
    db.session.commit()
    assert _verify(app).exit_code == 1


def test_anchor_command_writes_a_signed_statement(app, db, tmp_path):
    _entries(2)
    target = tmp_path / "anchor.json"

    result = app.test_cli_runner().invoke(args=["audit", "anchor", "--output", target])

    assert result.exit_code == 0, result.output
    statement = json.loads(target.read_text())
    assert statement["count"] == 2
    assert audit.anchor_is_signed(statement)
    statement["count"] = 1
    assert not audit.anchor_is_signed(statement)


def test_a_forged_anchor_is_reported(app, db):
    _entries(1)
    head = audit.anchor_dir() / audit.HEAD_ANCHOR
    statement = json.loads(head.read_text())
    statement["entry_id"] = 99
    head.write_text(json.dumps(statement))

    result = _verify(app)

    assert result.exit_code == 1
    assert "wrongly signed" in result.output
