"""The key ceremony of a round and the opening of its sealed ballot box.

1. ``start_ceremony``: staff name the trustees (staff and council members) and the
   threshold *k* of *n*; the round's key pair is made, its private key split into one
   share per trustee (``voting.sealing``); only the public key and the trustee list
   are stored. The shares are returned once, to be shown, printed or downloaded.
2. ``check_ceremony``: *k* trustees type their shares back; if they rebuild the key,
   the ceremony is complete and online voting may start. Lost shares below *k* mean
   the round cannot be counted: the ceremony page says so.
3. ``open_sealed_box``: after the close, *k* trustees type their shares; the key is
   rebuilt in memory, every sealed ballot of the round opened, the ballots shuffled
   with a cryptographic RNG and written as plain ballots in ONE transaction in that
   order, without fingerprint; the sealed boxes are deleted. ``erase_traces`` (after the
   commit) then wipes what the deleted rows left: ``secure_delete``, ``VACUUM`` and a
   truncating WAL checkpoint on SQLite, ``VACUUM FULL`` on PostgreSQL.

Nothing here ever stores the private key or a share.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...accounts.models import User
from ...budget.models import Envelope, Round
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.database import write_lock
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.roles import Role
from ...core.time import PARIS, utcnow
from ...extensions import db
from .. import sealing
from ..models import Ballot, BallotChoice, BallotKey, SealedBallot, new_ballot_id
from ..receipts import receipt_hash
from ..states import Channel
from .permissions import can_manage_votes, require

_SHARE_MESSAGES: dict[str, Callable[[int], Any]] = {
    "malformed": lambda n: _l(
        "Share %(n)s is not a share: it reads PB1-number-letters-check.", n=n
    ),
    "wrong": lambda n: _l(
        "Share %(n)s is wrong: a typing mistake, or a share of another round.", n=n
    ),
    "duplicate": lambda n: _l(
        "Share %(n)s was already given: each trustee types their own.", n=n
    ),
}


def share_field(position: int) -> str:
    """The form field of the share at *position* (from 1)."""
    return f"share_{position}"


def key_of(round_: Round) -> BallotKey | None:
    return db.session.scalar(
        sa.select(BallotKey).where(BallotKey.round_id == round_.id)
    )


def is_sealed(round_: Round) -> bool:
    """Whether *round_*'s online ballot box is still sealed (no count possible)."""
    key = key_of(round_)
    return key is not None and key.is_sealed


def may_be_trustee(user: User) -> bool:
    """Staff and members of a council may hold a share."""
    if not user.is_active:
        return False
    if user.has_role(Role.STAFF, Role.ADMIN):
        return True
    from ...council.models.councils import CouncilMember

    return (
        db.session.scalar(
            sa.select(CouncilMember.id).where(
                CouncilMember.user_id == user.id, CouncilMember.left_on.is_(None)
            )
        )
        is not None
    )


def trustee_candidates() -> list[User]:
    """Everyone who may be a trustee, by pseudonym."""
    people = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True)).order_by(User.pseudonym)
    )
    return [p for p in people if may_be_trustee(p)]


def start_ceremony(
    round_: Round,
    trustees: Sequence[User],
    threshold: int,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[BallotKey, tuple[str, ...]]:
    """Make *round_*'s key pair and one share per trustee (returned, never stored).

    A ceremony not yet checked is replaced by a new one (its shares are void).
    """
    require(can_manage_votes(actor), _l("Only staff can hold a key ceremony."))
    now = now or utcnow()
    write_lock()
    errors: dict[str | None, Any] = {}
    people = list(dict.fromkeys(trustees))
    if len(people) < 2:
        errors["trustees"] = _l("Name at least two trustees.")
    elif len(people) > sealing.MAX_TRUSTEES:
        errors["trustees"] = _l("Name at most 20 trustees.")
    elif any(not may_be_trustee(p) for p in people):
        errors["trustees"] = _l("A trustee is a staff or council member.")
    if not errors and not 2 <= threshold <= len(people):
        errors["threshold"] = _l(
            "The number of shares needed is between 2 and the number of trustees."
        )
    if errors:
        raise FieldErrors(errors)
    key = key_of(round_)
    if key is not None and key.is_ready:
        raise Conflict(_l("The key ceremony of this vote is already complete."))
    if now >= round_.vote_closes_at:
        raise Conflict(_l("The vote is closed: too late for a key ceremony."))
    ceremony = sealing.new_ceremony(threshold, len(people))
    listed = [
        {"index": n, "user_id": p.id, "name": p.pseudonym}
        for n, p in enumerate(people, start=1)
    ]
    if key is None:
        key = BallotKey(round_id=round_.id)
        db.session.add(key)
    key.public_key = ceremony.public_key
    key.threshold = threshold
    key.trustees = listed
    key.created_on = now.astimezone(PARIS).date()
    key.created_by_id = actor_id(actor)
    key.checked_on = None
    db.session.flush()
    audit.record(
        "vote_key.create",
        actor=actor,
        obj=round_,
        threshold=threshold,
        trustees=[t["user_id"] for t in listed],
    )
    return key, ceremony.shares


def _recover(key: BallotKey, shares: Sequence[str]) -> Any:
    """The private key from typed *shares*, or FieldErrors naming the bad one."""
    try:
        return sealing.recover_private_key(shares, key.public_key, key.threshold)
    except sealing.ShareError as error:
        if error.kind in _SHARE_MESSAGES and error.position is not None:
            message = _SHARE_MESSAGES[error.kind](error.position)
            raise FieldErrors({share_field(error.position): message}) from None
        if error.kind == "too_few":
            raise FieldErrors(
                {share_field(1): _l("Type %(k)s different shares.", k=key.threshold)}
            ) from None
        raise FieldErrors(
            {share_field(1): _l("These shares do not rebuild this round's key.")}
        ) from None


def _used_indices(key: BallotKey, shares: Sequence[str]) -> list[dict[str, Any]]:
    by_index = {t["index"]: t for t in key.trustees}
    used: list[dict[str, Any]] = []
    for position, text in enumerate(shares, start=1):
        if text.strip():
            index, _ = sealing.parse_share(text, key.public_key, position)
            if index in by_index:
                used.append(by_index[index])
    return sorted(used, key=lambda t: int(t["index"]))[: key.threshold]


def check_ceremony(
    round_: Round, shares: Sequence[str], actor: Actor, now: datetime | None = None
) -> BallotKey:
    """*k* trustees typed their shares back: they rebuild the key, voting may start."""
    require(can_manage_votes(actor), _l("Only staff can hold a key ceremony."))
    now = now or utcnow()
    write_lock()
    key = key_of(round_)
    if key is None:
        raise Conflict(_l("No key ceremony was held for this vote."))
    if key.is_ready:
        raise Conflict(_l("The key ceremony of this vote is already complete."))
    _recover(key, shares)
    key.checked_on = now.astimezone(PARIS).date()
    db.session.flush()
    audit.record(
        "vote_key.check",
        actor=actor,
        obj=round_,
        trustees=[t["user_id"] for t in _used_indices(key, shares)],
    )
    return key


def require_ready_key(round_: Round) -> BallotKey:
    """The round's completed ceremony, or Conflict: online voting needs one."""
    key = key_of(round_)
    if key is None or not key.is_ready:
        raise Conflict(
            _l("Online voting opens once the key ceremony of this vote is complete.")
        )
    if not key.is_sealed:
        raise Conflict(_l("The online ballot box is opened: the vote is over."))
    return key


def seal_ballot(key: BallotKey, envelope: Envelope, choices: dict[int, int]) -> str:
    """Store *choices* sealed for *key*; the fingerprint (the voter's receipt)."""
    sealed = sealing.seal(key.public_key, choices)
    fingerprint = sealing.fingerprint(sealed)
    db.session.execute(
        sa.insert(SealedBallot).values(
            id=new_ballot_id(),
            envelope_id=envelope.id,
            sealed=sealed,
            fingerprint=fingerprint,
        )
    )
    return fingerprint


def public_fingerprints(round_: Round) -> list[str]:
    """The fingerprints of the sealed ballots of *round_*, sorted (the public list)."""
    return list(
        db.session.scalars(
            sa.select(SealedBallot.fingerprint)
            .join(Envelope, Envelope.id == SealedBallot.envelope_id)
            .where(Envelope.round_id == round_.id)
            .order_by(SealedBallot.fingerprint)
        )
    )


def open_sealed_box(
    round_: Round, shares: Sequence[str], actor: Actor, now: datetime | None = None
) -> int:
    """Open *round_*'s sealed box with *k* shares; the number of ballots opened.

    Bad, duplicated or other-round shares raise FieldErrors naming the share, before
    anything changes. Call ``erase_traces`` once the transaction is committed.
    """
    require(can_manage_votes(actor), _l("Only staff can open the ballot box."))
    now = now or utcnow()
    write_lock()
    key = key_of(round_)
    if key is None or not key.is_ready:
        raise Conflict(_l("No key ceremony was held for this vote."))
    if not key.is_sealed:
        raise Conflict(_l("The online ballot box of this vote is already open."))
    if now < round_.vote_closes_at:
        raise Conflict(_l("The vote is not closed yet: the box stays sealed."))
    private_key = _recover(key, shares)
    envelope_ids = [e.id for e in round_.envelopes]
    rows = db.session.execute(
        sa.select(
            SealedBallot.envelope_id, SealedBallot.sealed, SealedBallot.fingerprint
        ).where(SealedBallot.envelope_id.in_(envelope_ids))
    ).all()
    opened: list[tuple[int, dict[int, int]]] = []
    fingerprints: dict[str, list[str]] = {str(i): [] for i in envelope_ids}
    for envelope_id, sealed, fingerprint in rows:
        (choices,) = sealing.open_all(private_key, [sealed])
        opened.append((envelope_id, choices))
        fingerprints[str(envelope_id)].append(receipt_hash(fingerprint))
    del private_key
    rng = secrets.SystemRandom()
    rng.shuffle(opened)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA secure_delete=ON"))
    db.session.execute(
        sa.delete(SealedBallot)
        .where(SealedBallot.envelope_id.in_(envelope_ids))
        .execution_options(synchronize_session=False)
    )
    heads = []
    choice_rows: list[dict[str, Any]] = []
    for envelope_id, choices in opened:
        ballot_id = new_ballot_id()
        heads.append(
            {
                "id": ballot_id,
                "envelope_id": envelope_id,
                "channel": Channel.ONLINE,
                "receipt_hash": None,
            }
        )
        choice_rows.extend(
            {"ballot_id": ballot_id, "idea_id": i, "points": p}
            for i, p in choices.items()
        )
    rng.shuffle(choice_rows)
    if heads:
        db.session.execute(sa.insert(Ballot), heads)
    if choice_rows:
        db.session.execute(sa.insert(BallotChoice), choice_rows)
    key.opened_on = now.astimezone(PARIS).date()
    key.opened_by = _used_indices(key, shares)
    key.fingerprints = {k: sorted(v) for k, v in fingerprints.items()}
    db.session.flush()
    audit.record(
        "vote_key.open",
        actor=actor,
        obj=round_,
        trustees=[t["user_id"] for t in key.opened_by],
        ballots=len(heads),
    )
    return len(heads)


def erase_traces() -> None:
    """After ``open_sealed_box`` is committed: wipe what the deleted sealed boxes left.

    SQLite: the deleted cells were zeroed (``secure_delete``); ``VACUUM`` rebuilds
    every table in key order (cell order no longer follows insertion), and a
    truncating checkpoint empties the ``-wal`` file. PostgreSQL: ``VACUUM FULL``
    rewrites the ballot tables (dead row versions of the sealed boxes go).
    """
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # On the driver's connection, outside any transaction (VACUUM needs it).
        raw = engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            driver.commit()
            level = driver.isolation_level
            driver.isolation_level = None
            try:
                driver.execute("PRAGMA secure_delete=ON")
                driver.execute("VACUUM")
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                driver.isolation_level = level
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM FULL sealed_ballot, ballot, ballot_choice")


def completed_ceremony(
    round_: Round, created_by: User | None, on: date, threshold: int = 2, n: int = 3
) -> tuple[str, ...]:
    """A ceremony made and checked at once, for demo data and tests: the shares.

    A real ceremony is ``start_ceremony`` then ``check_ceremony`` in front of the
    trustees; this one names *n* placeholder trustees (held by *created_by*).
    """
    ceremony = sealing.new_ceremony(threshold, n)
    db.session.add(
        BallotKey(
            round_id=round_.id,
            public_key=ceremony.public_key,
            threshold=threshold,
            trustees=[
                {
                    "index": i,
                    "user_id": created_by.id if created_by else None,
                    "name": f"#{i}",
                }
                for i in range(1, n + 1)
            ],
            created_on=on,
            created_by_id=created_by.id if created_by else None,
            checked_on=on,
        )
    )
    db.session.flush()
    return ceremony.shares
