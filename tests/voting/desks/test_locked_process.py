"""The locked process around the paper vote: deposits bounded by sign-ins, the count
refused while a desk is open, a batch outside the box or a difference unexplained."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.audit import AuditEntry
from participation.core.errors import Conflict, FieldErrors
from participation.core.time import utcnow
from participation.voting import services as voting
from participation.voting.desks import services
from participation.voting.desks.states import BatchState
from participation.voting.models import Ballot, VoteResult

pytestmark = pytest.mark.usefixtures("english")


def _keyed(vote, batch, relay, relay2, key_batch, count):
    readings = [vote.numbers(0)] * count
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)
    return batch


def _close_vote(db, vote, *, open_box=True):
    """Close the vote; the trustees then open its sealed online box."""
    vote.round.vote_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    if open_box:
        vote.open_box()


def test_the_count_is_refused_while_the_online_box_is_sealed(db, vote, staff):
    _close_vote(db, vote, open_box=False)

    assert voting.count_refusals(vote.round) == [
        "The online ballot box is still sealed: the trustees open it before the count."
    ]
    with pytest.raises(Conflict, match="still sealed"):
        voting.compute_round(vote.round, staff)
    db.session.rollback()
    vote.open_box()
    assert voting.count_refusals(vote.round) == []


def test_a_deposit_beyond_the_sign_ins_is_refused_and_changes_nothing(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    desk = signed_desk(2)
    batch = _keyed(vote, make_batch(desk, 3), relay, relay2, key_batch, 3)

    with pytest.raises(Conflict, match="2 paper sign-ins") as refused:
        services.deposit_batch(batch, relay)
    db.session.rollback()

    assert "batch n° 1" in str(refused.value)
    assert db.session.get(type(batch), batch.id).state is BatchState.RECONCILED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


def test_the_count_is_refused_while_a_desk_is_open(db, vote, desk, staff):
    _close_vote(db, vote)

    assert voting.count_refusals(vote.round) == [
        f"The desk “{desk.place}” ({desk.opens_on.isoformat()}) is still open:"
        " close it before the count."
    ]
    with pytest.raises(Conflict, match="still open"):
        voting.compute_round(vote.round, staff)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteResult)) == 0


def test_the_count_waits_for_every_batch_then_for_the_minutes(
    db, vote, signed_desk, make_batch, relay, relay2, key_batch, staff
):
    desk = signed_desk(3)
    batch = _keyed(vote, make_batch(desk, 2), relay, relay2, key_batch, 2)
    _close_vote(db, vote)

    outside, *_unexplained = voting.count_refusals(vote.round)
    assert "Batch n° 1" in outside
    assert "neither in the ballot box nor cancelled" in outside

    services.deposit_batch(batch, relay)
    db.session.commit()
    (unexplained,) = voting.count_refusals(vote.round)
    assert "3 sign-ins but 2 paper ballots" in unexplained
    with pytest.raises(Conflict, match="explain the difference"):
        voting.compute_round(vote.round, staff)
    db.session.rollback()

    with pytest.raises(FieldErrors):
        services.record_minutes(desk, relay, " ")
    services.record_minutes(desk, relay, "Une électrice est repartie sans voter.")
    db.session.commit()
    assert voting.count_refusals(vote.round) == []
    voting.compute_round(vote.round, staff)
    db.session.commit()
    with pytest.raises(Conflict, match="counted"):
        services.record_minutes(desk, relay, "Changé après le dépouillement.")


def test_a_cancelled_batch_does_not_hold_the_count(
    db, vote, signed_desk, make_batch, relay, staff
):
    desk = signed_desk(1)
    batch = make_batch(desk, 1)
    services.cancel_batch(batch, relay, "Mauvais bureau")
    services.record_minutes(desk, relay, "Le paquet a été recompté ailleurs.")
    db.session.commit()
    _close_vote(db, vote)

    assert voting.count_refusals(vote.round) == []
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "polling_desk.minutes")
    )
    assert entry is not None


def test_the_unexplained_difference_says_one_sign_in_in_the_singular(
    db, vote, signed_desk
):
    signed_desk(1)
    _close_vote(db, vote)

    (unexplained,) = voting.count_refusals(vote.round)
    assert "1 sign-in but 0 paper ballots in the box" in unexplained
