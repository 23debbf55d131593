"""The ballot box as a whole: reading it for the count, sealing it, its turnout."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa

from ...budget.models import Envelope, Round
from ...extensions import db
from ..ballots import ballot_set_hash, canonical_ballot
from ..models import Ballot, BallotChoice, SignIn, VoteResult
from ..states import Channel

#: One stored ballot: its receipt hash, its channel and ``{idea_id: points}``.
StoredBallot = tuple[str | None, Channel, dict[int, int]]


def load_ballots(envelope_id: int) -> list[StoredBallot]:
    """Every ballot of the envelope: (receipt hash, channel, {idea_id: points}).

    One query of plain tuples (ids and channels as text): a city's 90,000 ballots and
    450,000 choices load in about a second.
    """
    rows = db.session.connection().execute(
        sa.select(
            sa.cast(Ballot.id, sa.String),
            Ballot.receipt_hash,
            sa.cast(Ballot.channel, sa.String),
            BallotChoice.idea_id,
            BallotChoice.points,
        )
        .select_from(Ballot)
        .outerjoin(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.envelope_id == envelope_id)
    )
    ballots: dict[str, StoredBallot] = {}
    channels = {c.value: c for c in Channel}
    for ballot_id, receipt, channel, idea_id, points in rows:
        entry = ballots.get(ballot_id)
        if entry is None:
            entry = ballots[ballot_id] = (receipt, channels[channel], {})
        if idea_id is not None:
            entry[2][idea_id] = points
    return list(ballots.values())


def box_hash(stored: list[StoredBallot]) -> str:
    """The ballot-set hash of *stored* ballots (``ballots.ballot_set_hash``)."""
    return ballot_set_hash(canonical_ballot(b.items()) for _, _, b in stored)


def result_of(envelope_id: int) -> VoteResult | None:
    return db.session.scalar(
        sa.select(VoteResult).where(VoteResult.envelope_id == envelope_id)
    )


def seal_ballot_box(envelope: Envelope) -> int:
    """Rewrite *envelope*'s ballots in random order in this transaction (PostgreSQL).

    On PostgreSQL a row keeps the id of the transaction that wrote it (``xmin``), the
    same as its sign-in's, and sits where it was appended. Re-inserting every ballot in
    one transaction, shuffled, gives them one ``xmin`` and a random position; the old
    row versions go with the next VACUUM (``vacuum_ballot_box``). SQLite stores the
    ballot tables by their random key (WITHOUT ROWID): nothing to do there.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return 0
    heads = db.session.execute(
        sa.select(Ballot.id, Ballot.channel, Ballot.receipt_hash).where(
            Ballot.envelope_id == envelope.id
        )
    ).all()
    if not heads:
        return 0
    choices = db.session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.idea_id, BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.envelope_id == envelope.id)
    ).all()
    db.session.execute(
        sa.delete(Ballot)
        .where(Ballot.envelope_id == envelope.id)
        .execution_options(synchronize_session=False)
    )
    shuffled = list(heads)
    random.SystemRandom().shuffle(shuffled)
    db.session.execute(
        sa.insert(Ballot),
        [
            {
                "id": h.id,
                "envelope_id": envelope.id,
                "channel": h.channel,
                "receipt_hash": h.receipt_hash,
            }
            for h in shuffled
        ],
    )
    rows = [
        {"ballot_id": c.ballot_id, "idea_id": c.idea_id, "points": c.points}
        for c in choices
    ]
    random.SystemRandom().shuffle(rows)
    if rows:
        db.session.execute(sa.insert(BallotChoice), rows)
    db.session.expire_all()
    return len(heads)


def vacuum_ballot_box() -> None:
    """After a seal has been committed, drop the old row versions now (PostgreSQL)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ballot, ballot_choice")


def participation_of(envelope: Envelope) -> dict[str, dict[str, int]]:
    """``{channel: {"sign_ins": n, "ballots": n}}`` of *envelope*."""
    out: dict[str, dict[str, int]] = {}
    sign_ins = db.session.execute(
        sa.select(SignIn.channel, sa.func.count())
        .where(
            SignIn.round_id == envelope.round_id,
            SignIn.territory_id == envelope.territory_id,
        )
        .group_by(SignIn.channel)
    )
    for channel, n in sign_ins:
        out.setdefault(channel.value, {"sign_ins": 0, "ballots": 0})["sign_ins"] = n
    ballots = db.session.execute(
        sa.select(Ballot.channel, sa.func.count())
        .where(Ballot.envelope_id == envelope.id)
        .group_by(Ballot.channel)
    )
    for channel, n in ballots:
        out.setdefault(channel.value, {"sign_ins": 0, "ballots": 0})["ballots"] = n
    return out


def counts_by_channel(round_: Round) -> Counter[str]:
    """Sign-ins per channel of *round_* (staff dashboard; never choices)."""
    rows = db.session.execute(
        sa.select(SignIn.channel, sa.func.count())
        .where(SignIn.round_id == round_.id)
        .group_by(SignIn.channel)
    )
    return Counter({channel.value: n for channel, n in rows})
