"""Applications (dossiers), their members, forecast budget lines and history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.money import Money
from ...core.time import UTCDateTime, utcnow
from ...core.workflow import HistoryMixin
from ...council.models.councils import values_in
from ...extensions import Base
from ..states import (
    GRANTED_STATES,
    ApplicantKind,
    ApplicationAction,
    ApplicationState,
    BudgetLineKind,
    Channel,
)

if TYPE_CHECKING:
    from ...accounts.models import User
    from ...council.models import AgendaItem, Deliberation, Meeting
    from ...territories.models import Theme
    from .funds import Fund, Reglement
    from .reports import Payment, Report

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
