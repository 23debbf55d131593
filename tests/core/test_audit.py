"""The hash-chained audit log: chaining, tampering, `flask audit verify`, forks."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from participation.accounts.states import Role
from participation.core import audit
from participation.core.actors import SYSTEM
from participation.core.models import AuditEntry
from participation.extensions import db as _db


def _entries(n: int) -> list[AuditEntry]:
    entries = [
        audit.record(
            "thing.update",
            actor=SYSTEM,
            object_type="thing",
            object_id=i,
            amount=i * 10,
        )
        for i in range(1, n + 1)
    ]
    _db.session.commit()
    return entries


def test_each_entry_carries_the_hash_of_the_previous_one(db):
    first, second, third = _entries(3)

    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert list(audit.verify()) == []


def test_record_stores_actor_object_and_details(db, make_user, make_territory):
    staff = make_user(roles=(Role.STAFF,))
    territory = make_territory()

    entry = audit.record("territory.update", actor=staff, obj=territory, name="Nord")
    db.session.commit()

    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        staff.id,
        "territory",
        str(territory.id),
    )
    assert entry.details == '{"name":"Nord"}'


def test_verify_command_passes_on_an_intact_chain(app, db):
    _entries(3)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "intact: 3 entries" in result.output


def test_verify_command_reports_a_row_edited_in_the_database(app, db):
    entries = _entries(4)
    tampered = entries[1]
    db.session.execute(
        sa.text("UPDATE audit_entry SET details = :details WHERE id = :id"),
        {"details": '{"amount":999999}', "id": tampered.id},
    )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"entry {tampered.id}: content does not match its hash" in result.output
    assert "TAMPERED: 1 of 4 entries" in result.output
    for other in (entries[0], entries[2], entries[3]):
        assert f"entry {other.id}:" not in result.output


def test_verify_lists_every_tampered_entry(app, db):
    entries = _entries(5)
    for entry in (entries[0], entries[3]):
        db.session.execute(
            sa.text("UPDATE audit_entry SET action = 'forged' WHERE id = :id"),
            {"id": entry.id},
        )
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 1
    assert f"ids {entries[0].id}, {entries[3].id})" in result.output


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(db):
    entries = _entries(3)
    forged = db.session.get(AuditEntry, entries[1].id)
    forged.details = '{"amount":1}'
    forged.hash = audit.entry_hash(forged)  # the forger recomputes this entry's hash
    db.session.commit()

    problems = list(audit.verify())

    assert [(p.entry_id, p.reason) for p in problems] == [
        (entries[2].id, "previous hash does not match the entry before it")
    ]


def test_a_deleted_entry_is_detected(db):
    entries = _entries(3)
    db.session.execute(
        sa.text("DELETE FROM audit_entry WHERE id = :id"), {"id": entries[1].id}
    )
    db.session.commit()

    assert [p.entry_id for p in audit.verify()] == [entries[2].id]


def test_deleting_an_account_leaves_the_chain_intact(db, make_user):
    person = make_user(roles=(Role.STAFF,))
    audit.record("thing.create", actor=person, object_type="thing", object_id=1)
    db.session.commit()
    person_id = person.id

    db.session.delete(person)
    db.session.commit()

    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.actor_id == person_id  # not nulled: that would rewrite the log
    assert list(audit.verify()) == []


def test_the_same_previous_hash_cannot_be_used_twice(db):
    (first,) = _entries(1)
    fork = AuditEntry(
        at=first.at,
        action="fork",
        object_type="thing",
        details="{}",
        prev_hash=first.prev_hash,
        hash="0" * 64,
    )
    db.session.add(fork)

    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a second entry after the same predecessor was stored")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1


def test_concurrent_appends_never_fork_the_chain(app, db):
    """Threads each commit entries at once; the chain stays one straight line.

    Runs on PostgreSQL (advisory lock) and on SQLite (the database write lock).
    """
    on_postgresql = db.engine.dialect.name == "postgresql"
    threads_count, per_thread = (8, 6) if on_postgresql else (4, 5)
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                for i in range(per_thread):
                    audit.record(
                        "thread.write",
                        actor=SYSTEM,
                        object_type="thread",
                        object_id=n,
                        i=i,
                    )
                    _db.session.commit()
        except BaseException as error:  # reported to the main thread below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    db.session.expire_all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert total == threads_count * per_thread
    assert list(audit.verify()) == []
