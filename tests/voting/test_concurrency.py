"""Voters casting at the same instant: one sign-in and one ballot per person, exactly.

On PostgreSQL: 200 threads for 100 voters (each voter twice at once), each thread with
its own connection, as gunicorn workers would. SQLite serialises writers on one file;
it runs a smaller version of the same test (20 threads, 10 voters).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.extensions import db as _db
from participation.voting import services
from participation.voting.models import Ballot, SealedBallot, SignIn
from participation.voting.services import VoteRefused


@pytest.fixture
def app_config(app_config):
    # Enough connections for the threads to really overlap, within PostgreSQL's
    # default max_connections (100) shared with other test runs.
    options = dict(app_config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    options.update(pool_size=20, max_overflow=20, pool_timeout=120)
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    return app_config


def test_each_voter_twice_at_once_gives_one_ballot_each(app, db, make_vote, make_voter):
    postgresql = db.engine.dialect.name == "postgresql"
    voters_count = 100 if postgresql else 10
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    voter_ids = [make_voter(vote.here).id for _ in range(voters_count)]
    round_id = vote.round.id
    choice = [(vote.projects[0].id, 1)]
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(2 * voters_count, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def cast(person_id: int) -> None:
        with app.app_context():
            from participation.accounts.models import User
            from participation.budget.models import Round

            barrier.wait()  # every thread starts together; connections come after
            try:
                person = _db.session.get(User, person_id)
                round_ = _db.session.get(Round, round_id)
                # No lock taken here: the cast takes the write lock itself (SQLite)
                # before it reads what it decides on, as a request would.
                services.cast_ballot(person, round_, choice, now=during)
                _db.session.commit()
                outcome = "cast"
            except VoteRefused as refusal:
                _db.session.rollback()
                outcome = refusal.reason.value
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [
        threading.Thread(target=cast, args=(pid,))
        for pid in voter_ids
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    assert outcomes.count("cast") == voters_count
    assert outcomes.count("already_voted") == voters_count
    assert count(SignIn) == voters_count
    assert count(SealedBallot) == voters_count  # one sealed ballot per voter
    assert count(Ballot) == 0  # nothing readable before the count
