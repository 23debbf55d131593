"""Factories of the desk tests: relays, a desk of the vote fixture, paper batches.

The voting fixtures (``make_vote``, ``vote``, ``make_voter``, ``voter``, ``staff``)
come from ``tests/voting/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from participation.accounts import services as account_services
from participation.accounts.models import RelayTerritory, User
from participation.accounts.states import Role
from participation.core.time import today_paris
from participation.voting.desks import services
from participation.voting.desks.models import PaperBatch
from participation.voting.desks.states import BatchState
from participation.voting.models import PollingDesk


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Messages in English (the msgids), whatever the catalogs compiled."""
    app_config["BABEL_DEFAULT_LOCALE"] = "en"
    return app_config


@pytest.fixture
def login_as(login_as: Callable[[User], FlaskClient]) -> Callable[[User], FlaskClient]:
    """Sign in with the pages in English (the session's language wins)."""

    def _login_as(user: User) -> FlaskClient:
        client = login_as(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return _login_as


@pytest.fixture
def relay(make_user) -> User:
    return make_user(roles=(Role.RELAY,), pseudonym="relais_un", real_name="Nadia B.")


@pytest.fixture
def relay2(make_user) -> User:
    return make_user(roles=(Role.RELAY,), pseudonym="relais_deux")


@pytest.fixture
def resident(make_user) -> User:
    return make_user(pseudonym="simple_habitante")


@pytest.fixture
def make_desk(db, relay, relay2) -> Callable[..., PollingDesk]:
    def _make_desk(
        vote: Any, *, place: str = "Centre social Jean Moulin"
    ) -> PollingDesk:
        # The relays serve the desk's QPV: they may verify addresses there.
        for serving in (relay, relay2):
            link = {"relay_id": serving.id, "territory_id": vote.here.id}
            if db.session.scalars(sa.select(RelayTerritory).filter_by(**link)).first():
                continue
            db.session.add(RelayTerritory(**link))
        desk = services.open_desk(
            vote.round,
            relay,
            territory_id=vote.here.id,
            place=place,
            opens_on=today_paris(),
        )
        db.session.commit()
        return desk

    return _make_desk


@pytest.fixture
def desk(vote, make_desk) -> PollingDesk:
    return make_desk(vote)


@pytest.fixture
def signed_desk(db, vote, desk, make_voter, relay) -> Callable[[int], PollingDesk]:
    """The desk with *n* voters signed in, then closed."""

    def _signed(n: int) -> PollingDesk:
        for _ in range(n):
            services.sign_in_at_desk(desk, make_voter(vote.here), relay)
        services.close_desk(desk, relay)
        db.session.commit()
        return desk

    return _signed


def voter_url(desk: PollingDesk, person: User, relay: User) -> str:
    """The desk's page for *person*, with the pass a search by exact identifier
    gives *relay* (relays open only the people they found or help)."""
    found = account_services.issue_pass(relay, person)
    return f"/desks/{desk.id}/voters/{person.id}?found={found}"


def typed(*readings: str | tuple[str, str]) -> dict[int, services.Typed]:
    """Grid input: ``"12, 15"`` (valid) or ``("", "blank")`` per position from 1."""
    out = {}
    for position, reading in enumerate(readings, start=1):
        if isinstance(reading, tuple):
            out[position] = services.Typed(choices=reading[0], mark=reading[1])
        else:
            out[position] = services.Typed(choices=reading)
    return out


@pytest.fixture
def key_batch(db) -> Callable[..., None]:
    """*keyer* keys *readings* into *batch* and finishes the pass."""

    def _key(batch: PaperBatch, keyer: User, readings: Sequence[Any]) -> None:
        keying = services.start_keying(batch, keyer)
        services.save_readings(keying, keyer, typed(*readings))
        services.finish_keying(keying, keyer)
        db.session.commit()

    return _key


@pytest.fixture
def make_batch(db, relay) -> Callable[..., PaperBatch]:
    def _make_batch(desk: PollingDesk, count: int) -> PaperBatch:
        batch = services.create_batch(desk, relay, declared_count=count)
        db.session.commit()
        assert batch.state is BatchState.OPEN
        return batch

    return _make_batch
