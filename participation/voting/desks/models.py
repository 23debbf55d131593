"""Paper batches of a polling desk, their two keyings and the settled readings.

The desk itself (:class:`participation.voting.models.PollingDesk`) and the sign-in
list belong to the voting feature. Here: the bundles of paper ballots counted at a
desk, each keyed *as ballots* twice by two different people, and the readings a
third person settled where the two keyings differ. None of these rows names a voter:
a keyed ballot is known by its batch and its sequence number (written on the paper
before keying), never by who cast it.

Invariants held by the database: one batch number per desk; one keying per pass and
per keyer of a batch, so the two passes come from two different people
(``uq_paper_keying_batch_id_keyer_id``); one reading per position of a keying and
one settled reading per position of a batch; a valid reading names projects, a
blank one none, a void one gives a reason; a settled batch's counts add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.time import UTCDateTime, utcnow
from ...core.workflow import HistoryMixin
from ...extensions import Base
from ..models import PollingDesk
from .states import MAX_BATCH_SIZE, BatchAction, BatchState, Mark, VoidReason

if TYPE_CHECKING:
    from ...accounts.models import User


def _in(column: str, values: Iterable[StrEnum]) -> str:
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({listed})"


class PaperBatch(Base):
    """A bundle of at most 100 paper ballots of one desk, counted by hand first."""

    __tablename__ = "paper_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(
        sa.ForeignKey("polling_desk.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3... within the desk (written on the bundle).
    number: Mapped[int]
    #: How many paper ballots the bundle holds, counted by hand before keying.
    declared_count: Mapped[int]
    state: Mapped[BatchState] = mapped_column(default=BatchState.OPEN)
    #: Random token of the creation form: a double click makes one batch.
    form_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: Settled counts, fixed when the batch is reconciled.
    valid_count: Mapped[int | None]
    blank_count: Mapped[int | None]
    void_count: Mapped[int | None]
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))

    desk: Mapped[PollingDesk] = relationship()
    created_by: Mapped[User | None] = relationship()
    keyings: Mapped[list[PaperKeying]] = relationship(
        back_populates="batch",
        order_by="PaperKeying.pass_number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    history: Mapped[list[PaperBatchStateChange]] = relationship(
        back_populates="batch",
        order_by="PaperBatchStateChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("desk_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint(
            f"declared_count BETWEEN 1 AND {MAX_BATCH_SIZE}",
            name="declared_count_range",
        ),
        sa.CheckConstraint(_in("state", BatchState), name="state_known"),
        sa.CheckConstraint(
            "(valid_count IS NULL AND blank_count IS NULL AND void_count IS NULL)"
            " OR (valid_count >= 0 AND blank_count >= 0 AND void_count >= 0"
            " AND valid_count + blank_count + void_count = declared_count)",
            name="counts_add_up",
        ),
        sa.CheckConstraint(
            "state NOT IN ('reconciled', 'deposited')"
            " OR (valid_count IS NOT NULL AND reconciled_at IS NOT NULL)",
            name="settled_has_counts",
        ),
        sa.CheckConstraint(
            "(state = 'deposited') = (deposited_at IS NOT NULL)",
            name="deposited_has_date",
        ),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)",
            name="cancelled_has_date",
        ),
    )

    @property
    def is_settled(self) -> bool:
        return self.state in (BatchState.RECONCILED, BatchState.DEPOSITED)

    @property
    def is_final(self) -> bool:
        return self.state in (BatchState.DEPOSITED, BatchState.CANCELLED)

    def keying_of(self, user_id: int | None) -> PaperKeying | None:
        for keying in self.keyings:
            if user_id is not None and keying.keyer_id == user_id:
                return keying
        return None

    def __repr__(self) -> str:
        return f"<PaperBatch {self.id} desk={self.desk_id} n°{self.number}>"


class PaperBatchStateChange(HistoryMixin, Base):
    """One step of a batch's history: who moved it from which state to which."""

    __tablename__ = "paper_batch_state_change"

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("paper_batch.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[BatchAction]
    from_state: Mapped[BatchState]
    to_state: Mapped[BatchState]
    #: The mixin's Text, kept at the batch's 300 characters (a cancel reason).
    comment: Mapped[str | None] = mapped_column(sa.String(300))

    batch: Mapped[PaperBatch] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class PaperKeying(Base):
    """One pass (1 or 2) of keying a batch, by one person.

    UNIQUE(batch, pass) and UNIQUE(batch, keyer): a batch has two passes at most, and
    the same person cannot key both.
    """

    __tablename__ = "paper_keying"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("paper_batch.id", ondelete="CASCADE")
    )
    pass_number: Mapped[int]
    keyer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the keyer said the pass was complete; None while in progress.
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[PaperBatch] = relationship(back_populates="keyings")
    keyer: Mapped[User | None] = relationship()
    ballots: Mapped[list[PaperKeyedBallot]] = relationship(
        back_populates="keying",
        order_by="PaperKeyedBallot.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("batch_id", "pass_number"),
        sa.UniqueConstraint("batch_id", "keyer_id"),
        sa.CheckConstraint("pass_number IN (1, 2)", name="pass_number_known"),
    )

    @property
    def is_finished(self) -> bool:
        return self.entered_at is not None

    def __repr__(self) -> str:
        return f"<PaperKeying batch={self.batch_id} pass={self.pass_number}>"


def _reading_checks() -> tuple[sa.CheckConstraint, ...]:
    """A reading (keyed or settled) is valid with projects, blank, or void with why."""
    return (
        sa.CheckConstraint(_in("mark", Mark), name="mark_known"),
        sa.CheckConstraint(
            "(mark = 'valid') = (choices <> '')", name="valid_has_choices"
        ),
        sa.CheckConstraint(
            "(mark = 'void') = (void_reason IS NOT NULL)", name="void_has_reason"
        ),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )


class PaperKeyedBallot(Base):
    """What one keyer read on the paper ballot numbered *position* of the batch.

    ``choices`` is the canonical ballot text ``idea_id:points,...`` sorted by idea
    (``voting.services.canonical_ballot``); empty for a blank or void ballot.
    """

    __tablename__ = "paper_keyed_ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    keying_id: Mapped[int] = mapped_column(
        sa.ForeignKey("paper_keying.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    mark: Mapped[Mark]
    choices: Mapped[str] = mapped_column(sa.String(2000), default="")
    void_reason: Mapped[VoidReason | None]

    keying: Mapped[PaperKeying] = relationship(back_populates="ballots")

    __table_args__ = (sa.UniqueConstraint("keying_id", "position"), *_reading_checks())

    def __repr__(self) -> str:
        return f"<PaperKeyedBallot keying={self.keying_id} n°{self.position}>"


class PaperResolution(Base):
    """The reading a third person settled, paper in hand, where the keyings differ."""

    __tablename__ = "paper_resolution"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("paper_batch.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    mark: Mapped[Mark]
    choices: Mapped[str] = mapped_column(sa.String(2000), default="")
    void_reason: Mapped[VoidReason | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    resolved_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("batch_id", "position"),
        *_reading_checks(),
    )


class BallotNumber(Base):
    """The short number (1..n) a project bears on the printed ballots of its envelope.

    Assigned once, at the announcement, and never changed: keyers type these
    numbers, not database ids. One number per project and per envelope.
    """

    __tablename__ = "ballot_number"

    envelope_id: Mapped[int] = mapped_column(
        sa.ForeignKey("envelope.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("envelope_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    def __repr__(self) -> str:
        return f"<BallotNumber envelope={self.envelope_id} n°{self.number}>"
