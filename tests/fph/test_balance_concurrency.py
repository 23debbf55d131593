"""Two committee decisions at once that together would overdraw the fund.

Each thread has its own connection, as two gunicorn workers would: the fund row is
locked during a decision (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite's write
lock), so the second decision reads the balance the first one left and is refused
with a message on the amount. Run on SQLite by default and on PostgreSQL with
PARTICIPATION_TEST_DATABASE_URI.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from participation.core.actors import SYSTEM
from participation.core.errors import DomainError
from participation.extensions import db as _db
from participation.fph import committee
from participation.fph.models import Application, Fund
from participation.fph.states import ApplicationState

from .fph2_support import grant, make_application, make_committee, open_committee


@pytest.fixture
def app_config(app_config):
    options = dict(app_config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    options.update(pool_size=5, max_overflow=5, pool_timeout=60)
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    return app_config


def test_two_decisions_at_once_never_overdraw_the_fund(
    app, db, make_user, make_territory
):
    c = make_committee(make_user, make_territory, envelope=Decimal("1000.00"))
    files = [make_application(c.fund, make_user(), meeting=c.meeting) for _ in range(2)]
    for application in files:
        committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    secretary_id = c.users[0].id
    fund_id = c.fund.id
    file_ids = [a.id for a in files]
    db.session.commit()
    db.session.remove()

    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[str] = []
    messages: list[str] = []
    lock = threading.Lock()

    def decide(application_id: int) -> None:
        with app.app_context():
            from participation.accounts.models import User

            barrier.wait()
            try:
                application = _db.session.get(Application, application_id)
                secretary = _db.session.get(User, secretary_id)
                committee.decide(application, grant("800.00"), secretary)
                _db.session.commit()
                outcome = "granted"
            except DomainError as error:
                _db.session.rollback()
                outcome = "refused"
                with lock:
                    messages.append(f"{error.field}: {error}")
            finally:
                _db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=decide, args=(i,)) for i in file_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["granted", "refused"]
    assert len(messages) == 1
    assert messages[0].startswith("amount: ")
    assert "left in the fund" in messages[0]
    fund = _db.session.get(Fund, fund_id)
    assert fund.balance == Decimal("200.00")
    assert fund.balance >= 0
    states = sorted(_db.session.get(Application, i).state.value for i in file_ids)
    assert states == [ApplicationState.GRANTED.value, ApplicationState.SCHEDULED.value]


def test_the_database_refuses_a_negative_balance(db, make_user, make_territory):
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    c = make_committee(make_user, make_territory, envelope=Decimal("100.00"))
    db.session.flush()
    negative = sa.update(Fund).where(Fund.id == c.fund.id).values(balance=-1)
    with pytest.raises(IntegrityError):
        db.session.execute(negative)
    db.session.rollback()
