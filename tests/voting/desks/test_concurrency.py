"""Two people acting on the same batch at the same instant: it happens once.

Each thread has its own application context, session and connection, as two
requests on two workers would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa

from participation.accounts.models import User
from participation.budget.models import Envelope
from participation.core.database import write_lock
from participation.core.errors import DomainError
from participation.extensions import db as _db
from participation.voting.desks import services
from participation.voting.desks.models import BallotNumber, PaperBatch, PaperKeying
from participation.voting.models import Ballot


def race(app, work: Callable[[], object], times: int = 2) -> list[str]:
    """Run *work* in *times* threads released together; their outcomes."""
    barrier = threading.Barrier(times, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    # SQLite has one writer at a time: a request that writes takes the lock first
    # (core.database.write_lock, as core.web.submit does), so there the two
    # "requests" load after the barrier and the second waits for the first.
    # PostgreSQL lets both load first and race on the rows.
    sqlite = _db.engine.dialect.name == "sqlite"

    def run() -> None:
        with app.app_context():
            try:
                if sqlite:
                    barrier.wait()
                    write_lock()
                prepared = work()
                if not sqlite:
                    barrier.wait()
                assert callable(prepared)
                prepared()
                _db.session.commit()
                outcome = "ok"
            except DomainError as error:
                _db.session.rollback()
                outcome = type(error).__name__
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_deposits_at_once_put_the_batch_in_the_box_once(
    app, db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    readings = [vote.numbers(0), vote.numbers(1)]
    batch = make_batch(signed_desk(2), 2)
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)
    batch_id, relay_id = batch.id, relay.id
    db.session.remove()

    def deposit() -> Callable[[], object]:
        loaded = _db.session.get(PaperBatch, batch_id)
        actor = _db.session.get(User, relay_id)
        _ = loaded.desk.round.envelopes, loaded.keyings  # load before the race
        return lambda: services.deposit_batch(loaded, actor)

    assert race(app, deposit) == ["Conflict", "ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 2


def test_two_people_taking_the_first_pass_at_once_get_one_pass_each(
    app, db, signed_desk, make_batch, relay, relay2
):
    batch = make_batch(signed_desk(1), 1)
    batch_id = batch.id
    keyers = iter([relay.id, relay2.id])
    lock = threading.Lock()
    db.session.remove()

    def start() -> Callable[[], object]:
        with lock:
            keyer_id = next(keyers)
        loaded = _db.session.get(PaperBatch, batch_id)
        actor = _db.session.get(User, keyer_id)
        _ = loaded.keyings
        return lambda: services.start_keying(loaded, actor)

    outcomes = race(app, start)

    passes = db.session.scalars(
        sa.select(PaperKeying.pass_number).where(PaperKeying.batch_id == batch_id)
    ).all()
    # Both saw pass 1 free: one takes it, the other is told to reload (no pass 1 twice).
    assert outcomes in (["Conflict", "ok"], ["ok", "ok"])
    assert sorted(passes) == [1, 2][: outcomes.count("ok")]


def test_two_batches_deposited_at_once_never_exceed_the_desks_sign_ins(
    app, db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    """3 sign-ins, two batches of 2: one goes in the box, the other is refused."""
    desk = signed_desk(3)
    readings = [vote.numbers(0), vote.numbers(1)]
    batches = [make_batch(desk, 2), make_batch(desk, 2)]
    for batch in batches:
        key_batch(batch, relay, readings)
        key_batch(batch, relay2, readings)
    ids = iter([b.id for b in batches])
    relay_id = relay.id
    lock = threading.Lock()
    db.session.remove()

    def deposit() -> Callable[[], object]:
        with lock:
            batch_id = next(ids)
        loaded = _db.session.get(PaperBatch, batch_id)
        actor = _db.session.get(User, relay_id)
        _ = loaded.desk.round.envelopes, loaded.keyings  # load before the race
        return lambda: services.deposit_batch(loaded, actor)

    assert race(app, deposit) == ["Conflict", "ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 2


def test_two_first_uses_at_once_give_the_ballot_numbers_once(app, db, vote):
    envelope_id = vote.envelope.id
    expected = {idea.id: n for n, idea in enumerate(vote.projects, start=1)}
    db.session.remove()
    barrier = threading.Barrier(2, timeout=60)
    results: list[dict[int, int]] = []
    lock = threading.Lock()

    def run() -> None:
        with app.app_context():
            try:
                envelope = _db.session.get(Envelope, envelope_id)
                assert envelope is not None
                barrier.wait()
                numbers = services.ballot_numbers(envelope)
                _db.session.commit()
                with lock:
                    results.append(numbers)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [expected, expected]
    stored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(BallotNumber)
        .where(BallotNumber.envelope_id == envelope_id)
    )
    assert stored == len(expected)
