"""Ballot numbers: the short number (1..n) each project bears on its envelope's ballot.

Keyers type these numbers, the printed ballots show them; a database id never
reaches paper. They are given once the round is announced (its projects are then
known), in the order the ballot shows the projects (``voting.ballot_projects``),
and never change: a project put to the vote later takes the next free number, a
project withdrawn keeps its own (nobody else gets it). Before the announcement the
numbers are only provisional and nothing is stored.

A round announced before the numbers existed (demo data, archives, test
factories) gets them on first use, under the write lock (SQLite) and a row lock on
the envelope (PostgreSQL), so two requests at once give the same numbers.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ....budget.models import Envelope, Round
from ....core.database import write_lock
from ....core.time import utcnow
from ....extensions import db
from ... import services as voting
from ..models import BallotNumber

#: Session info key: this transaction gave ballot numbers (a reading page commits).
_ASSIGNED = "ballot_numbers_assigned"


def is_numbering_final(round_: Round, now: datetime | None = None) -> bool:
    """Whether *round_*'s ballot numbers are final: the round is announced."""
    return round_.published_at is not None and (now or utcnow()) >= (
        round_.announcement_at
    )


def _stored(envelope_id: int) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(BallotNumber.idea_id, BallotNumber.number).where(
            BallotNumber.envelope_id == envelope_id
        )
    )
    return {idea_id: number for idea_id, number in rows}


def stored_numbers(envelope: Envelope) -> dict[int, int]:
    """Every number given in *envelope*, withdrawn projects' included (read only)."""
    return _stored(envelope.id)


def ballot_numbers(envelope: Envelope, now: datetime | None = None) -> dict[int, int]:
    """``{idea_id: number}`` of the projects on *envelope*'s ballot, in ballot order.

    Once the round is announced, the numbers are stored the first time they are
    asked for (the caller commits, as after any service) and read back afterwards.
    Before, they are provisional: 1..n in ballot order, nothing stored.
    """
    envelope_id, round_ = envelope.id, envelope.round
    projects = [idea.id for idea in voting.ballot_projects(envelope)]
    if not is_numbering_final(round_, now):
        return {idea_id: n for n, idea_id in enumerate(projects, start=1)}
    stored = _stored(envelope_id)
    if any(idea_id not in stored for idea_id in projects):
        stored = _assign(envelope_id)
    ordered = sorted(
        (idea_id for idea_id in projects if idea_id in stored),
        key=lambda idea_id: stored[idea_id],
    )
    return {idea_id: stored[idea_id] for idea_id in ordered}


def _assign(envelope_id: int) -> dict[int, int]:
    """Number the envelope's projects that have no number yet; all its numbers."""
    write_lock()
    # PostgreSQL: one assigner per envelope at a time (no-op on SQLite, locked above).
    envelope = db.session.scalar(
        sa.select(Envelope).where(Envelope.id == envelope_id).with_for_update()
    )
    assert envelope is not None
    stored = _stored(envelope_id)
    following = max(stored.values(), default=0) + 1
    rows = []
    for idea in voting.ballot_projects(envelope):
        if idea.id not in stored:
            stored[idea.id] = following
            rows.append(
                {"envelope_id": envelope_id, "idea_id": idea.id, "number": following}
            )
            following += 1
    if rows:
        db.session.execute(sa.insert(BallotNumber), rows)
        db.session.info[_ASSIGNED] = True
    return stored


def keep_assigned_numbers() -> None:
    """Commit numbers just given by a page that only reads (a GET view calls it)."""
    if db.session.info.pop(_ASSIGNED, False):
        db.session.commit()


def number_round(round_: Round, now: datetime | None = None) -> None:
    """Give every envelope of an announced *round_* its ballot numbers (idempotent)."""
    if is_numbering_final(round_, now):
        for envelope in round_.envelopes:
            ballot_numbers(envelope, now)
