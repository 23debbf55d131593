"""Casting: the sign-in list (who voted) and the ballot box (what was voted).

Casting is not written to the audit log on purpose: an entry with the voter and the
exact time would sit beside the ballot's transaction; the sign-in list is the record.
Both writers take the database's write lock first (``core.database.write_lock``):
what they decide on (the person has not voted, the box is open) is read under it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...budget.models import Envelope, Round
from ...core.database import write_lock
from ...core.errors import Conflict
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, utcnow
from ...extensions import db
from ..models import (
    Ballot,
    BallotChoice,
    PollingDesk,
    SealedBallot,
    SignIn,
    VoteResult,
    VoteRules,
    new_ballot_id,
)
from ..receipts import receipt_hash
from ..states import Channel, ResultState
from .ceremony import require_ready_key, seal_ballot
from .choices import validate_choices
from .eligibility import already_voted, can_vote, check_can_vote, check_vote_window
from .rules import freeze_rules, get_rules


@dataclass(frozen=True)
class CastReceipt:
    """What the voter takes away: the code (shown once) and where it was cast."""

    code: str
    round_id: int
    envelope_id: int


def sign_in_voter(
    person: User,
    round_: Round,
    *,
    channel: Channel,
    desk: PollingDesk | None = None,
    recorded_by: User | None = None,
    now: datetime | None = None,
) -> SignIn:
    """Add *person* to the sign-in list of *round_* (checks eligibility first).

    For a walk-in voter at a desk: ``channel=Channel.PAPER``, the desk and the relay.
    A second sign-in of the same person in the round (another tab, another channel,
    a desk after an online vote) hits the primary key and raises VoteRefused; nothing
    of this call remains (a savepoint).
    """
    now = now or utcnow()
    write_lock()
    envelope = check_can_vote(person, round_, channel=channel, now=now)
    if channel is Channel.PAPER:
        if desk is None or desk.round_id != round_.id:
            raise Conflict(_l("A paper sign-in is made at a desk of this round."))
        if desk.territory_id != envelope.territory_id:
            raise Conflict(
                _l("This desk serves another neighbourhood than the voter's.")
            )
        if not desk.is_open:
            raise Conflict(_l("This desk is closed."))
    elif desk is not None:
        raise Conflict(_l("An online vote has no desk."))
    _insert_sign_in(person, envelope, channel, desk, recorded_by, now)
    sign_in = db.session.get(SignIn, (round_.id, person.id))
    assert sign_in is not None
    return sign_in


def _insert_sign_in(
    person: User,
    envelope: Envelope,
    channel: Channel,
    desk: PollingDesk | None,
    recorded_by: User | None,
    now: datetime,
) -> None:
    """Insert the sign-in row; VoteRefused(ALREADY_VOTED) if the key exists.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` in one round trip: a concurrent
    insert of the same (round, person) makes PostgreSQL wait for the other
    transaction, then insert nothing. The primary key decides, not the earlier check.
    """
    values = {
        "round_id": envelope.round_id,
        "person_id": person.id,
        "territory_id": envelope.territory_id,
        "channel": channel,
        "desk_id": desk.id if desk is not None else None,
        "recorded_by_id": recorded_by.id if recorded_by is not None else None,
        "signed_on": now.astimezone(PARIS).date(),
    }
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(SignIn)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["round_id", "person_id"])
            .returning(SignIn.person_id)
        )
        inserted = db.session.execute(statement).first() is not None
    else:  # pragma: no cover - the two supported databases are above
        try:
            with db.session.begin_nested():
                db.session.add(SignIn(**values))
            inserted = True
        except IntegrityError:
            inserted = False
    if not inserted:
        existing = db.session.get(SignIn, (envelope.round_id, person.id))
        if existing is None:  # pragma: no cover - a constraint other than the key
            raise Conflict(_l("The sign-in list refused this voter."))
        raise already_voted(existing)


def open_box(
    envelope: Envelope,
    channel: Channel,
    now: datetime,
    rules: VoteRules | None = None,
) -> VoteRules:
    """The frozen rules of *envelope*'s round, once the box may take this ballot.

    The envelope's result row, if any, is locked (PostgreSQL): a certification
    waits for this ballot, then sees that the box changed since the count.
    """
    round_ = envelope.round
    rules = rules or get_rules(round_)
    if rules is None:
        raise Conflict(_l("The rules of this vote are not set yet."))
    if channel is Channel.ONLINE:
        check_vote_window(round_, now)
    elif now < round_.vote_opens_at:
        raise Conflict(_l("The vote has not opened yet."))
    state = db.session.scalar(_result_state_statement(), {"envelope_id": envelope.id})
    if state is not None and state is not ResultState.COMPUTED:
        raise Conflict(
            _l("The result of this vote is certified: the ballot box is closed.")
        )
    # Freeze before validating: the choices are checked against the final rules.
    freeze_rules(rules, now)
    return rules


@cache
def _result_state_statement() -> sa.Select[ResultState]:
    return (
        sa.select(VoteResult.state)
        .where(VoteResult.envelope_id == sa.bindparam("envelope_id", type_=sa.Integer))
        .with_for_update()
    )


def _insert_ballot(
    envelope: Envelope,
    chosen: Mapping[int, int],
    channel: Channel,
    receipt_code: str | None,
) -> Ballot:
    ballot = Ballot(
        id=new_ballot_id(),
        envelope_id=envelope.id,
        channel=channel,
        receipt_hash=receipt_hash(receipt_code) if receipt_code else None,
    )
    db.session.add(ballot)
    db.session.flush()
    if chosen:
        db.session.execute(
            sa.insert(BallotChoice),
            [
                {"ballot_id": ballot.id, "idea_id": i, "points": p}
                for i, p in chosen.items()
            ],
        )
    return ballot


def deposit_ballot(
    envelope: Envelope,
    choices: Iterable[tuple[int, int]],
    *,
    channel: Channel,
    receipt_code: str | None = None,
    now: datetime | None = None,
) -> Ballot:
    """Put a ballot in *envelope*'s box alone: validated, linked to no one.

    For the desks: a reconciled paper ballot (``channel=Channel.PAPER``), which may be
    keyed after the close, until the count is certified. Online ballots come through
    ``cast_ballot``, during the vote only.
    """
    now = now or utcnow()
    write_lock()
    rules = open_box(envelope, channel, now)
    chosen = validate_choices(rules, envelope, choices)
    return _insert_ballot(envelope, chosen, channel, receipt_code)


def cast_ballot(
    person: User | None,
    round_: Round,
    choices: Iterable[tuple[int, int]],
    *,
    now: datetime | None = None,
) -> CastReceipt:
    """Cast *person*'s online ballot: sign-in row and sealed ballot, one transaction.

    The ballot is sealed for the round's public key (``ceremony.seal_ballot``): no
    plaintext, no running total; the receipt code is the sealed box's fingerprint.

    The choices are validated before anything is written. A second ballot of the same
    person (another request at the same instant included) is refused by the sign-in
    list's primary key: VoteRefused(ALREADY_VOTED), nothing stored.
    """
    now = now or utcnow()
    write_lock()
    envelope, rules = can_vote(person, round_, Channel.ONLINE, now)
    assert person is not None  # can_vote refuses nobody
    key = require_ready_key(round_)
    rules = open_box(envelope, Channel.ONLINE, now, rules)
    chosen = validate_choices(rules, envelope, list(choices))
    # Nothing is written before this point; if the ballot fails after the sign-in,
    # the caller rolls the whole transaction back (services never commit).
    _insert_sign_in(person, envelope, Channel.ONLINE, None, None, now)
    code = seal_ballot(key, envelope, chosen)
    return CastReceipt(code=code, round_id=round_.id, envelope_id=envelope.id)


def ballot_with_receipt(envelope_id: int, code: str) -> bool:
    """Whether *envelope_id*'s box holds the ballot of receipt *code* (a sealed
    ballot's fingerprint, or a receipt code kept as a hash)."""
    fingerprint = "".join(code.split()).lower()
    if (
        db.session.scalar(
            sa.select(SealedBallot.id).where(
                SealedBallot.envelope_id == envelope_id,
                SealedBallot.fingerprint == fingerprint,
            )
        )
        is not None
    ):
        return True
    return (
        db.session.scalar(
            sa.select(Ballot.id).where(
                Ballot.envelope_id == envelope_id,
                Ballot.receipt_hash == receipt_hash(code),
            )
        )
        is not None
    )
