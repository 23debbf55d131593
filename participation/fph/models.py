"""Tables of the FPH: funds and funders, règlements, applications and their budget,
payments, reports (bilans) with their expenses and files.

Invariants that matter are database constraints: one fund per territory and year;
its balance never below zero nor above the envelope; one règlement in force per
fund; an amount granted never above the amount requested; a filed application has
a receipt number; an association names its RNA or SIRET; receipts are never public.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import Money
from ..core.time import UTCDateTime, utcnow
from ..core.workflow import HistoryMixin
from ..council.models.councils import values_in
from ..extensions import Base
from .states import (
    GRANTED_STATES,
    ApplicantKind,
    ApplicationAction,
    ApplicationState,
    BudgetLineKind,
    Channel,
    FunderKind,
    PaymentKind,
    ReportFileKind,
    Verdict,
)

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..council.models import AgendaItem, Council, Deliberation, Meeting
    from ..territories.models import Territory, Theme

ZERO = Decimal("0.00")

#: The themes an application declares.
application_theme = sa.Table(
    "fph_application_theme",
    Base.metadata,
    sa.Column(
        "application_id",
        sa.ForeignKey("fph_application.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    ),
)


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


class Application(Base):
    """An application (*dossier*) to a fund, filled in steps and then decided.

    The payment holder's details (``holder_*``) and the members' names are private:
    they never appear on public pages, the public history or exports.
    """

    __tablename__ = "fph_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_fund.id", ondelete="RESTRICT"), index=True
    )
    #: Receipt number given at submission, e.g. "FPH-2026-0007".
    reference: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    state: Mapped[ApplicationState] = mapped_column(
        default=ApplicationState.DRAFT, index=True
    )
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The last step of the form saved (1..5); the form resumes after it.
    step: Mapped[int] = mapped_column(default=0)
    channel: Mapped[Channel] = mapped_column(default=Channel.ONLINE)

    #: The account the file belongs to (the named contact's, or a managed account).
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    #: The relay who filed on the group's behalf, or the staff member who keyed a
    #: paper file in.
    filed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: How the group agreed that a relay files for it.
    consent_note: Mapped[str | None] = mapped_column(sa.String(300))

    reglement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fph_reglement.id", ondelete="RESTRICT")
    )
    reglement_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    applicant_kind: Mapped[ApplicantKind | None]
    #: The group's or the association's name (a group's name is never published).
    applicant_name: Mapped[str] = mapped_column(sa.String(200), default="")
    rna: Mapped[str | None] = mapped_column(sa.String(10))
    siret: Mapped[str | None] = mapped_column(sa.String(14))
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    members_count: Mapped[int | None]
    adults_count: Mapped[int | None]

    title: Mapped[str] = mapped_column(sa.String(150), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    expected_participants: Mapped[int | None]
    amount_requested: Mapped[Decimal | None] = mapped_column(Money)

    holder_name: Mapped[str | None] = mapped_column(sa.String(200))
    holder_iban: Mapped[str | None] = mapped_column(sa.String(34))
    holder_bic: Mapped[str | None] = mapped_column(sa.String(11))
    holder_address: Mapped[str | None] = mapped_column(sa.String(300))

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What is missing, told to the applicant when the file is incomplete.
    missing_note: Mapped[str | None] = mapped_column(sa.Text)
    #: The committee meeting the file is assigned to (told to the applicant).
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="SET NULL"), index=True
    )
    #: The agenda item the committee examines it under.
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_agenda_item.id", ondelete="SET NULL"), unique=True
    )
    #: The committee's vote that decided it.
    deliberation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_deliberation.id", ondelete="SET NULL")
    )
    amount_granted: Mapped[Decimal | None] = mapped_column(Money)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )

    fund: Mapped[Fund] = relationship(back_populates="applications")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    reglement: Mapped[Reglement | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
    deliberation: Mapped[Deliberation | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(
        secondary=application_theme, order_by="Theme.position"
    )
    members: Mapped[list[ApplicationMember]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationMember.id",
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="BudgetLine.position",
    )
    history: Mapped[list[ApplicationStateChange]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationStateChange.id",
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="Payment.id",
    )
    report: Mapped[Report | None] = relationship(
        back_populates="application", uselist=False, cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(values_in("state", ApplicationState), name="state_known"),
        sa.CheckConstraint(values_in("channel", Channel), name="channel_known"),
        sa.CheckConstraint(
            "state IN ('draft', 'withdrawn')"
            " OR (reference IS NOT NULL AND submitted_at IS NOT NULL)",
            name="filed_has_reference",
        ),
        sa.CheckConstraint("step BETWEEN 0 AND 6", name="step_range"),
        sa.CheckConstraint(
            "applicant_kind IS NULL OR applicant_kind <> 'association'"
            " OR rna IS NOT NULL OR siret IS NOT NULL",
            name="association_identified",
        ),
        sa.CheckConstraint(
            "adults_count IS NULL OR members_count IS NULL"
            " OR (adults_count >= 0 AND adults_count <= members_count)",
            name="adults_within_members",
        ),
        sa.CheckConstraint(
            "expected_participants IS NULL OR expected_participants >= 0",
            name="participants_positive",
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
            name="dates_ordered",
        ),
        sa.CheckConstraint(
            "amount_requested IS NULL OR amount_requested > 0",
            name="requested_positive",
        ),
        sa.CheckConstraint(
            "amount_granted IS NULL OR (amount_granted > 0"
            " AND amount_requested IS NOT NULL AND amount_granted <= amount_requested)",
            name="granted_within_requested",
        ),
        sa.CheckConstraint(
            f"NOT ({values_in('state', sorted(GRANTED_STATES))})"
            " OR amount_granted IS NOT NULL",
            name="granted_has_amount",
        ),
        sa.CheckConstraint(
            "reglement_id IS NULL OR reglement_accepted_at IS NOT NULL",
            name="reglement_acceptance_dated",
        ),
    )

    @property
    def is_group(self) -> bool:
        return self.applicant_kind == ApplicantKind.INFORMAL_GROUP

    @property
    def total_expenses(self) -> Decimal:
        return sum(
            (
                line.amount
                for line in self.budget_lines
                if line.kind == BudgetLineKind.EXPENSE
            ),
            ZERO,
        )

    @property
    def total_resources(self) -> Decimal:
        """Other resources (own money, other funders), without the FPH request."""
        return sum(
            (
                line.amount
                for line in self.budget_lines
                if line.kind == BudgetLineKind.RESOURCE
            ),
            ZERO,
        )

    @property
    def public_name(self) -> str | None:
        """The name published: an association's; never an informal group's."""
        if self.applicant_kind == ApplicantKind.ASSOCIATION:
            return self.applicant_name
        return None

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state.value} {self.reference!r}>"


class ApplicationMember(Base):
    """An adult member of an informal group (private; used for recusals)."""

    __tablename__ = "fph_application_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_application.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    #: The member's account when staff or the contact linked it.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()


class BudgetLine(Base):
    """A line of the forecast budget: an expense, or a resource other than the FPH."""

    __tablename__ = "fph_budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[BudgetLineKind]
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[Decimal] = mapped_column(Money)

    application: Mapped[Application] = relationship(back_populates="budget_lines")

    __table_args__ = (
        sa.UniqueConstraint("application_id", "kind", "position"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(values_in("kind", BudgetLineKind), name="kind_known"),
    )


class ApplicationStateChange(HistoryMixin, Base):
    """One dated step of an application; dates and states are public."""

    __tablename__ = "fph_application_state_change"

    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fph_application.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[ApplicationAction]
    from_state: Mapped[ApplicationState]
    to_state: Mapped[ApplicationState]

    application: Mapped[Application] = relationship(back_populates="history")


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
