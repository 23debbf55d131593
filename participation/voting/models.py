"""Vote rules, the sign-in list (émargement), the ballot box (urne), desks and results.

Secret ballot (PRODUCT.md §4.2, CNIL): the sign-in list says *who* voted (person, round,
QPV, channel, desk, date only) and the ballot box says *what* was voted (envelope,
channel, choices, receipt hash). Nothing in a ballot row can be joined to a sign-in row:

- an online ballot is stored sealed (:class:`SealedBallot`, libsodium sealed box for
  the round's public key, :class:`BallotKey`) in the transaction of its sign-in: no
  plaintext, no running total before the count. The count opens the box with k
  trustees' shares and writes the ballots as :class:`Ballot` rows in a random order,
  without fingerprint, in one transaction; the sealed rows are erased
  (``services.ceremony``);
- a ballot's id is a random UUID and no ballot table has an insertion counter: on SQLite
  the ballot tables and the sign-in list are ``WITHOUT ROWID`` (rows stored in key
  order); the sign-in list's key is (round, person), so it is ordered by person;
- no timestamp, session, IP or person column on a ballot;
- on PostgreSQL a row's ``xmin`` ties a sign-in to its *sealed* ballot until the
  count (unreadable without k shares); the opened ballots carry the count's ``xmin``
  and a shuffled position, and ``VACUUM FULL`` drops the sealed rows' old versions.
  tests/voting/test_ballot_secrecy.py is the attack (file, WAL, cells, xmin, ctid).

Invariants held by the database: one sign-in per (person, round) (the primary key), a
choice per (ballot, project) at most once with points >= 0, one result per envelope, and
triggers (:mod:`.triggers`) that refuse to change rules once frozen, a ballot or a
choice ever, or to add or remove a ballot (or remove a choice) once the envelope's
result is published. Adding a choice to an existing ballot is not guarded by a trigger
(it would cost a lookup per inserted choice, 450,000 for a city's import); it would
change the ballot-set hash, which certifying and publishing check and which is public.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.states import VerificationLevel
from ..core.money import Money
from ..core.time import UTCDateTime, utcnow
from ..core.workflow import HistoryMixin
from ..extensions import Base
from .counting import CountingRule, TieBreak
from .states import BallotType, Channel, ResultAction, ResultState
from .triggers import DROP_TRIGGERS as DROP_TRIGGERS  # the revision's downgrade
from .triggers import TRIGGERS as TRIGGERS  # the revision's upgrade
from .triggers import install_triggers

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..budget.models import Envelope, Idea, Round
    from ..territories.models import Territory


class VoteRules(Base):
    """How one round votes. Editable until the first ballot, then frozen for good."""

    __tablename__ = "vote_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), unique=True
    )
    ballot_type: Mapped[BallotType] = mapped_column(default=BallotType.APPROVAL)
    #: Approval and knapsack: fewest projects a ballot must name (0: a blank ballot).
    min_projects: Mapped[int] = mapped_column(default=1)
    #: Approval and knapsack: most projects a ballot may name (None: no limit).
    max_projects: Mapped[int | None]
    #: Knapsack: the ballot must spend at least this share of the envelope (0-100 %).
    min_spend_percent: Mapped[int] = mapped_column(default=0)
    #: Cumulative: points each voter shares out, and the most on one project.
    total_points: Mapped[int | None]
    max_points_per_project: Mapped[int | None]

    #: Voters must be at least this old in the year the vote closes (0: no limit).
    min_age: Mapped[int] = mapped_column(default=0)
    required_level: Mapped[VerificationLevel] = mapped_column(
        default=VerificationLevel.VERIFIED
    )
    is_online_enabled: Mapped[bool] = mapped_column(default=True)
    is_paper_enabled: Mapped[bool] = mapped_column(default=True)

    counting_rule: Mapped[CountingRule] = mapped_column(default=CountingRule.GREEDY)
    #: Greedy with threshold: minimum support (approvals or points) to be funded.
    threshold: Mapped[int] = mapped_column(default=0)
    tie_break: Mapped[TieBreak] = mapped_column(default=TieBreak.SUPPORT_COST_ORDER)

    #: Set in the transaction of the first ballot; from then on nothing changes.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    round: Mapped[Round] = relationship()

    __table_args__ = (
        sa.CheckConstraint("min_projects >= 0", name="min_projects_positive"),
        sa.CheckConstraint(
            "max_projects IS NULL"
            " OR (max_projects >= 1 AND max_projects >= min_projects)",
            name="max_projects_above_min",
        ),
        sa.CheckConstraint(
            "min_spend_percent BETWEEN 0 AND 100", name="min_spend_percent_range"
        ),
        sa.CheckConstraint(
            "ballot_type <> 'cumulative' OR (total_points >= 1"
            " AND max_points_per_project >= 1"
            " AND max_points_per_project <= total_points)",
            name="cumulative_has_points",
        ),
        sa.CheckConstraint("min_age BETWEEN 0 AND 120", name="min_age_range"),
        sa.CheckConstraint(
            "is_online_enabled OR is_paper_enabled", name="at_least_one_channel"
        ),
        sa.CheckConstraint(
            "threshold >= 0 AND (threshold = 0 OR counting_rule = 'greedy-threshold')",
            name="threshold_with_rule",
        ),
    )

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def __repr__(self) -> str:
        return f"<VoteRules round={self.round_id} {self.ballot_type.value}>"


class PollingDesk(Base):
    """A bureau de vote: a place and a day where a relay or staff signs voters in.

    The desks subpackage (``voting/desks``) adds paper batches and reconciliation.
    """

    __tablename__ = "polling_desk"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"))
    place: Mapped[str] = mapped_column(sa.String(200))
    opens_on: Mapped[date]
    opened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The desk's minutes (procès-verbal): what explains fewer ballots than sign-ins.
    minutes_note: Mapped[str | None] = mapped_column(sa.String(2000))

    round: Mapped[Round] = relationship()
    territory: Mapped[Territory] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])

    __table_args__ = (
        # The desk serves one of the round's envelopes.
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_polling_desk_round_territory_envelope",
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        return f"<PollingDesk {self.id} {self.place!r} {self.opens_on}>"


class SignIn(Base):
    """One line of the émargement: this person voted in this round. No time, no choice.

    The primary key (round, person) is the database's guarantee of one vote per person
    per round, whatever the channel; it also orders the table by person, not by time.
    """

    __tablename__ = "sign_in"

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    #: The QPV whose envelope the person voted in.
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"))
    channel: Mapped[Channel]
    desk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("polling_desk.id", ondelete="RESTRICT"), index=True
    )
    #: Who signed the person in at a desk (None online).
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The day only (Europe/Paris): an exact time could be matched with a ballot.
    signed_on: Mapped[date]

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    territory: Mapped[Territory] = relationship()
    desk: Mapped[PollingDesk | None] = relationship()

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_sign_in_round_territory_envelope",
        ),
        sa.CheckConstraint("channel IN ('online', 'paper')", name="channel_known"),
        sa.CheckConstraint(
            "(channel = 'paper') = (desk_id IS NOT NULL)", name="paper_at_a_desk"
        ),
        sa.Index("ix_sign_in_round_id_territory_id", "round_id", "territory_id"),
        # No rowid: the table is stored in (round, person) order, never in the order
        # people voted (a rowid would be an insertion counter).
        {"sqlite_with_rowid": False},
    )

    def __repr__(self) -> str:
        return f"<SignIn round={self.round_id} person={self.person_id}>"


def new_ballot_id() -> uuid.UUID:
    """A random (version 4) id: says nothing about when or by whom."""
    return uuid.uuid4()


class Ballot(Base):
    """One ballot in the urne: what was voted, in which envelope, by which channel.

    Deliberately no person, time, session, address or sequence column (see the module
    docstring).
    """

    __tablename__ = "ballot"

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), primary_key=True, default=new_ballot_id
    )
    envelope_id: Mapped[int] = mapped_column(
        sa.ForeignKey("envelope.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel]
    #: SHA-256 (hex) of the receipt code given to the voter; None for imported or
    #: paper ballots without receipt.
    receipt_hash: Mapped[str | None] = mapped_column(sa.String(64))

    choices: Mapped[list[BallotChoice]] = relationship(
        back_populates="ballot", cascade="all, delete-orphan", passive_deletes=True
    )
    envelope: Mapped[Envelope] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "receipt_hash IS NULL OR length(receipt_hash) = 64", name="receipt_hash_hex"
        ),
        # Unique where present; ballots without receipt (imports) add no index entry.
        sa.Index(
            "uq_ballot_receipt_hash",
            "receipt_hash",
            unique=True,
            sqlite_where=sa.text("receipt_hash IS NOT NULL"),
            postgresql_where=sa.text("receipt_hash IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},
    )

    def __repr__(self) -> str:
        return f"<Ballot {self.id}>"


class BallotChoice(Base):
    """One project named on a ballot, with its points (1 for approval and knapsack)."""

    __tablename__ = "ballot_choice"

    ballot_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(default=1)

    ballot: Mapped[Ballot] = relationship(back_populates="choices")
    idea: Mapped[Idea] = relationship()

    __table_args__ = (
        sa.CheckConstraint("points >= 0", name="points_positive"),
        {"sqlite_with_rowid": False},
    )


class BallotKey(Base):
    """The key ceremony of a round: its public key and who holds the shares.

    The private key is never stored: it exists in memory at the ceremony (split into
    shares, one per trustee) and at the count (rebuilt from *threshold* shares).
    Dates only: an exact time would sit beside the first ballots.
    """

    __tablename__ = "ballot_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), unique=True
    )
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    threshold: Mapped[int]
    #: ``[{"index": n, "user_id": id, "name": text}]``: share *n* is this trustee's.
    trustees: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The day the trustees checked their shares: online voting may start.
    checked_on: Mapped[date | None]
    #: The day the box was opened for the count, and the trustees who opened it.
    opened_on: Mapped[date | None]
    opened_by: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: ``{envelope_id: [receipt hashes of the fingerprints]}`` of the opened box.
    fingerprints: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    round: Mapped[Round] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "threshold >= 1 AND threshold <= 20", name="threshold_range"
        ),
        sa.CheckConstraint(
            "opened_on IS NULL OR checked_on IS NOT NULL", name="opened_after_check"
        ),
    )

    @property
    def is_ready(self) -> bool:
        return self.checked_on is not None

    @property
    def is_sealed(self) -> bool:
        return self.opened_on is None

    def __repr__(self) -> str:
        n = len(self.trustees)
        return f"<BallotKey round={self.round_id} {self.threshold}/{n}>"


class SealedBallot(Base):
    """An online ballot as cast: a sealed box only the round's private key opens.

    Random key, no rowid (SQLite stores the rows in random-key order), no person, no
    time, no plaintext. Deleted when the box is opened for the count: the ballot is
    then a plain :class:`Ballot`, written with the others in a random order, with no
    fingerprint.
    """

    __tablename__ = "sealed_ballot"

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid(), primary_key=True, default=new_ballot_id
    )
    envelope_id: Mapped[int] = mapped_column(
        sa.ForeignKey("envelope.id", ondelete="CASCADE"), index=True
    )
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary())
    #: SHA-256 (hex) of *sealed*: the voter's receipt, on the public list.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (
        sa.CheckConstraint("length(fingerprint) = 64", name="fingerprint_hex"),
        {"sqlite_with_rowid": False},
    )


class VoteResult(Base):
    """The count of one envelope: computed, certified by staff, then published for good.

    Once published, the services refuse any change and so do the database triggers.
    """

    __tablename__ = "vote_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_id: Mapped[int] = mapped_column(
        sa.ForeignKey("envelope.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[ResultState] = mapped_column(default=ResultState.COMPUTED)

    rule: Mapped[CountingRule]
    #: Parameters of the count and of the ballot (threshold, ballot type, limits).
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    tie_break: Mapped[TieBreak]
    engine_version: Mapped[str] = mapped_column(sa.String(20))

    #: Money put to the vote (envelope amount plus carry-over), allocated, left.
    budget: Mapped[Decimal] = mapped_column(Money)
    allocated: Mapped[Decimal] = mapped_column(Money)
    amount_left: Mapped[Decimal] = mapped_column(Money)
    num_ballots: Mapped[int]
    num_sign_ins: Mapped[int]
    #: The QPV's population when the result was computed (participation rate).
    population: Mapped[int | None]
    #: ``{channel: {"sign_ins": n, "ballots": n}}``.
    participation: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: ``{idea_id (text): support}`` for every project put to the vote.
    support: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Winning idea ids (text), in the order they were selected.
    winners: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The engine's steps (``tally.Step.to_dict()``): the round-by-round table.
    trace: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: SHA-256 of the canonical ballot set (``ballots.ballot_set_hash``).
    ballot_set_hash: Mapped[str] = mapped_column(sa.String(64))
    #: Sorted receipt hashes of the ballots counted.
    receipt_hashes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    envelope: Mapped[Envelope] = relationship()
    certified_by: Mapped[User | None] = relationship(foreign_keys=[certified_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    history: Mapped[list[VoteResultStateChange]] = relationship(
        back_populates="result",
        order_by="VoteResultStateChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(
            "state = 'computed' OR certified_at IS NOT NULL", name="certified_has_date"
        ),
        sa.CheckConstraint(
            "(state = 'published') = (published_at IS NOT NULL)",
            name="published_has_date",
        ),
        sa.CheckConstraint(
            "allocated >= 0 AND amount_left >= 0 AND allocated + amount_left = budget",
            name="money_adds_up",
        ),
        sa.CheckConstraint("num_ballots >= 0 AND num_sign_ins >= 0", name="counts"),
    )

    @property
    def is_published(self) -> bool:
        return self.state is ResultState.PUBLISHED

    def __repr__(self) -> str:
        return f"<VoteResult envelope={self.envelope_id} {self.state.value}>"


class VoteResultStateChange(HistoryMixin, Base):
    """One step of a result's history: recounted, certified, published; by whom."""

    __tablename__ = "vote_result_state_change"

    result_id: Mapped[int] = mapped_column(
        sa.ForeignKey("vote_result.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[ResultAction]
    from_state: Mapped[ResultState]
    to_state: Mapped[ResultState]

    result: Mapped[VoteResult] = relationship(back_populates="history")


# Once every table exists (create_all), install the guards (:mod:`.triggers`).
sa.event.listen(Base.metadata, "after_create", install_triggers)
