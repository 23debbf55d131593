"""After the grant: payments to the holder, and the report (bilan) with its expenses
and files."""

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
from ..states import PaymentKind, ReportFileKind, Verdict

if TYPE_CHECKING:
    from .applications import Application, BudgetLine


class Payment(Base):
    """An instalment paid to the holder (advance, balance), or money paid back."""

    __tablename__ = "fph_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_application.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[PaymentKind]
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date]
    #: Who paid (the managing body, the town's treasury...).
    payer: Mapped[str] = mapped_column(sa.String(200))
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    application: Mapped[Application] = relationship(back_populates="payments")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(values_in("kind", PaymentKind), name="kind_known"),
    )


class Report(Base):
    """The bilan of a granted action, and the committee's conformity verdict."""

    __tablename__ = "fph_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_application.id", ondelete="CASCADE"), unique=True
    )
    held_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    actual_participants: Mapped[int | None]
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    #: The group agreed that its photos are shown in public.
    is_photo_consent: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    verdict: Mapped[Verdict | None]
    verdict_note: Mapped[str | None] = mapped_column(sa.Text)
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The committee meeting that gave the verdict.
    verdict_meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="SET NULL")
    )
    #: What the group must pay back when the report is not conform.
    repayment_amount: Mapped[Decimal | None] = mapped_column(Money)

    application: Mapped[Application] = relationship(back_populates="report")
    expenses: Mapped[list[ReportExpense]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="ReportExpense.id",
    )
    files: Mapped[list[ReportFile]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportFile.id"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "actual_participants IS NULL OR actual_participants >= 0",
            name="participants_positive",
        ),
        sa.CheckConstraint(
            "(verdict IS NULL) = (verdict_at IS NULL)", name="verdict_dated"
        ),
        sa.CheckConstraint(
            "verdict IS NULL OR verdict IN ('conform', 'not_conform')",
            name="verdict_known",
        ),
        sa.CheckConstraint(
            "repayment_amount IS NULL OR (repayment_amount > 0"
            " AND verdict = 'not_conform')",
            name="repayment_when_not_conform",
        ),
    )


class ReportExpense(Base):
    """An actual expense of the action, against a forecast line when there is one."""

    __tablename__ = "fph_report_expense"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_report.id", ondelete="CASCADE"), index=True
    )
    budget_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fph_budget_line.id", ondelete="SET NULL")
    )
    label: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[Decimal] = mapped_column(Money)

    report: Mapped[Report] = relationship(back_populates="expenses")
    budget_line: Mapped[BudgetLine | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_positive"),)


class ReportFile(Base):
    """A receipt (always private) or a photo (public once the group consented)."""

    __tablename__ = "fph_report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_report.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ReportFileKind]
    #: Name of the stored file under the uploads folder.
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size_bytes: Mapped[int]
    caption: Mapped[str] = mapped_column(sa.String(200), default="")
    is_public: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    report: Mapped[Report] = relationship(back_populates="files")

    __table_args__ = (
        sa.CheckConstraint(values_in("kind", ReportFileKind), name="kind_known"),
        sa.CheckConstraint(
            "kind = 'photo' OR NOT is_public", name="receipt_never_public"
        ),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png',"
            " 'image/webp')",
            name="content_type_known",
        ),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )
