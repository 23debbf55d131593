"""Funds, their funders and the versions of their règlement."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.money import Money
from ...core.time import UTCDateTime, utcnow
from ...council.models.councils import values_in
from ...extensions import Base
from ..states import FunderKind

if TYPE_CHECKING:
    from ...council.models import Council
    from ...territories.models import Territory
    from .applications import Application


class Fund(Base):
    """A *fonds de participation des habitants* of one territory for one year."""

    __tablename__ = "fph_fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Label as the territory calls it (FPH, FIH, PIC...).
    name: Mapped[str] = mapped_column(sa.String(160))
    year: Mapped[int]
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"), index=True)
    #: The council whose FPH committee meetings decide (None: not yet set).
    council_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council.id", ondelete="SET NULL"), index=True
    )
    #: Who manages the money (a conseil citoyen, an association, the town).
    managing_body: Mapped[str] = mapped_column(sa.String(200), default="")
    envelope: Mapped[Decimal] = mapped_column(Money)
    #: What is left to grant: the envelope minus the amounts granted (plus repaid).
    balance: Mapped[Decimal] = mapped_column(Money)
    cap_per_project: Mapped[Decimal] = mapped_column(Money, default=Decimal("1000.00"))
    #: Highest share of a project's total cost the fund may pay, in per cent.
    max_share_percent: Mapped[int] = mapped_column(default=80)
    #: Grants one group (or association) may receive from the fund in its year.
    max_grants_per_group: Mapped[int] = mapped_column(default=2)
    #: Least number of adult residents in an informal group.
    min_group_adults: Mapped[int] = mapped_column(default=3)
    #: A file must be submitted this many days before a committee to be examined.
    deadline_days: Mapped[int] = mapped_column(default=30)
    #: Where residents get help or a paper form (the relays), in plain language.
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: The help text in other languages, when staff gave it:
    #: ``{"en": {"help_text": ...}, "ar": {...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    territory: Mapped[Territory] = relationship()
    council: Mapped[Council | None] = relationship()
    funders: Mapped[list[FundFunder]] = relationship(
        back_populates="fund", cascade="all, delete-orphan", order_by="FundFunder.id"
    )
    reglements: Mapped[list[Reglement]] = relationship(
        back_populates="fund",
        cascade="all, delete-orphan",
        order_by="Reglement.version",
    )
    applications: Mapped[list[Application]] = relationship(back_populates="fund")

    __table_args__ = (
        sa.UniqueConstraint("territory_id", "year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("envelope >= 0", name="envelope_positive"),
        sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
        sa.CheckConstraint("balance <= envelope", name="balance_within_envelope"),
        sa.CheckConstraint("cap_per_project > 0", name="cap_positive"),
        sa.CheckConstraint(
            "max_share_percent BETWEEN 1 AND 100", name="max_share_range"
        ),
        sa.CheckConstraint("max_grants_per_group >= 1", name="max_grants_positive"),
        sa.CheckConstraint("min_group_adults >= 1", name="min_adults_positive"),
        sa.CheckConstraint("deadline_days BETWEEN 0 AND 365", name="deadline_range"),
    )

    @property
    def reglement_in_force(self) -> Reglement | None:
        for reglement in self.reglements:
            if reglement.is_in_force:
                return reglement
        return None

    @property
    def granted_total(self) -> Decimal:
        return self.envelope - self.balance

    def __repr__(self) -> str:
        return f"<Fund {self.id} {self.year} territory={self.territory_id}>"


class FundFunder(Base):
    """One funder of a fund and its share of the envelope, in per cent."""

    __tablename__ = "fph_fund_funder"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_fund.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    kind: Mapped[FunderKind]
    share_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))

    fund: Mapped[Fund] = relationship(back_populates="funders")

    __table_args__ = (
        sa.UniqueConstraint("fund_id", "name"),
        sa.CheckConstraint(
            "share_percent > 0 AND share_percent <= 100", name="share_range"
        ),
        sa.CheckConstraint(values_in("kind", FunderKind), name="kind_known"),
    )


class Reglement(Base):
    """One version of a fund's règlement, with the decision that adopted it."""

    __tablename__ = "fph_reglement"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_fund.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    #: The text in other languages, for reading (the French one is adopted):
    #: ``{"en": {"text": ...}, "ar": {...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)
    #: The adopting decision, e.g. "Délibération du conseil municipal n° 2026-41".
    adopted_by: Mapped[str] = mapped_column(sa.String(300))
    adopted_on: Mapped[date]
    is_in_force: Mapped[bool] = mapped_column(default=False)
    in_force_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    fund: Mapped[Fund] = relationship(back_populates="reglements")

    __table_args__ = (
        sa.UniqueConstraint("fund_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "NOT is_in_force OR in_force_at IS NOT NULL", name="in_force_has_date"
        ),
        sa.Index(
            "uq_fph_reglement_one_in_force",
            "fund_id",
            unique=True,
            sqlite_where=sa.text("is_in_force"),
            postgresql_where=sa.text("is_in_force"),
        ),
    )
