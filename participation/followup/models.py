"""Projects after the vote: status history, milestones, money, photos, updates,
followers; and the contrat de ville's strategic framework they are tagged to.

Invariants that matter are database constraints: one project per source (an idea,
later an FPH grant), a progress between 0 and 100 (100 once delivered), money never
negative and spent above committed only with a recorded reason, an abandoned project
has a public reason, one follow per address (or account) per project.
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
from ..extensions import Base
from .states import ProjectAction, ProjectState, SourceKind

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..budget.models import Idea, Round
    from ..territories.models import Territory

ZERO = Decimal("0.00")

#: Objectives of the strategic framework a funded project contributes to.
project_objective = sa.Table(
    "project_objective",
    Base.metadata,
    sa.Column(
        "project_id", sa.ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "objective_id",
        sa.ForeignKey("framework_objective.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Objective(Base):
    """A node of the contrat de ville's tree: axe → objectif stratégique → ...

    Any depth; the code ("1.3.2") and the label are kept apart. Staff manage it.
    """

    __tablename__ = "framework_objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_objective.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    label: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Objective | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Objective]] = relationship(
        back_populates="parent", order_by=lambda: (Objective.position, Objective.code)
    )

    __table_args__ = (
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="not_own_parent"
        ),
    )

    @property
    def depth(self) -> int:
        """0 for an axis, 1 for a strategic objective, 2 for an operational one..."""
        depth, node = 0, self.parent
        while node is not None:
            depth, node = depth + 1, node.parent
        return depth

    def __repr__(self) -> str:
        return f"<Objective {self.code!r}>"


class Project(Base):
    """A funded project followed up in public until delivered (or abandoned)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"), index=True)
    #: The round whose vote decided the project (None for other sources).
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id"), index=True)
    #: Where the project comes from: a kind and the id of the source row. FPH grants
    #: will add a kind (and their own foreign key column, like ``idea_id``).
    source_kind: Mapped[SourceKind | None]
    source_id: Mapped[int | None]
    #: The winning idea, when the source is the participatory budget.
    idea_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="RESTRICT"), unique=True
    )
    #: Day the project was decided (results published): its year on public pages.
    decided_on: Mapped[date]

    state: Mapped[ProjectState] = mapped_column(
        default=ProjectState.PLANNED, index=True
    )
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Public reason of the abandonment, in plain language.
    abandon_reason: Mapped[str | None] = mapped_column(sa.Text)

    progress_percent: Mapped[int] = mapped_column(default=0)
    #: Money voted (the cost retained for the vote), committed, spent.
    amount_voted: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    amount_committed: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    amount_spent: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: Why more was spent than committed (required when it is the case).
    overspend_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The city service (or partner) in charge of the works.
    service_in_charge: Mapped[str] = mapped_column(sa.String(120), default="")
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    territory: Mapped[Territory] = relationship()
    round: Mapped[Round | None] = relationship()
    idea: Mapped[Idea | None] = relationship()
    history: Mapped[list[ProjectStateChange]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="ProjectStateChange.id",
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by=lambda: (Milestone.planned_on, Milestone.id),
    )
    updates: Mapped[list[ProjectUpdate]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by=lambda: ProjectUpdate.published_at.desc(),
    )
    photos: Mapped[list[ProjectPhoto]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="ProjectPhoto.id",
    )
    follows: Mapped[list[ProjectFollow]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    objectives: Mapped[list[Objective]] = relationship(
        secondary=project_objective, order_by="Objective.code"
    )

    __table_args__ = (
        sa.UniqueConstraint("source_kind", "source_id"),
        sa.CheckConstraint(
            "(source_kind IS NULL) = (source_id IS NULL)", name="source_complete"
        ),
        sa.CheckConstraint(
            "CASE WHEN source_kind = 'budget_idea'"
            " THEN idea_id IS NOT NULL AND idea_id = source_id"
            " ELSE idea_id IS NULL END",
            name="idea_is_source",
        ),
        sa.CheckConstraint(
            "progress_percent BETWEEN 0 AND 100", name="progress_percent_range"
        ),
        sa.CheckConstraint(
            "state <> 'delivered' OR progress_percent = 100",
            name="delivered_is_complete",
        ),
        sa.CheckConstraint(
            "state <> 'abandoned' OR abandon_reason IS NOT NULL",
            name="abandoned_has_reason",
        ),
        sa.CheckConstraint(
            "amount_voted >= 0 AND amount_committed >= 0 AND amount_spent >= 0",
            name="money_positive",
        ),
        sa.CheckConstraint(
            "amount_spent <= amount_committed OR overspend_reason IS NOT NULL",
            name="overspend_has_reason",
        ),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name="point_complete"
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90"
            " AND longitude BETWEEN -180 AND 180)",
            name="point_range",
        ),
    )

    @property
    def year(self) -> int:
        """The year the project was decided."""
        return self.decided_on.year

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.state.value} {self.title!r}>"


class ProjectStateChange(HistoryMixin, Base):
    """One dated step of a project's public status history."""

    __tablename__ = "project_state_change"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[ProjectAction]
    from_state: Mapped[ProjectState]
    to_state: Mapped[ProjectState]

    project: Mapped[Project] = relationship(back_populates="history")


class Milestone(Base):
    """A dated step of the works: planned date, and the actual one once reached."""

    __tablename__ = "project_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(150))
    planned_on: Mapped[date]
    actual_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")

    project: Mapped[Project] = relationship(back_populates="milestones")

    @property
    def is_done(self) -> bool:
        return self.actual_on is not None


class ProjectUpdate(Base):
    """A dated piece of news written by staff; followers get it by e-mail."""

    __tablename__ = "project_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(150))
    body: Mapped[str] = mapped_column(sa.Text)
    #: The title and news in other languages, when staff gave them:
    #: ``{"en": {"title": ..., "body": ...}, "ar": {...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Who wrote it (staff); never shown publicly: updates speak for the city.
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: Last correction of the text (shown: "corrected on").
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A withdrawn update leaves the public page, the feed and the open data; the
    #: staff still see it, with its reason.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdraw_reason: Mapped[str | None] = mapped_column(sa.String(300))

    project: Mapped[Project] = relationship(back_populates="updates")
    photos: Mapped[list[ProjectPhoto]] = relationship(
        back_populates="update", order_by="ProjectPhoto.id"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (withdraw_reason IS NULL)",
            name="withdrawn_has_reason",
        ),
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def public_photos(self) -> list[ProjectPhoto]:
        return [photo for photo in self.photos if photo.is_public]


class ProjectPhoto(Base):
    """A photo of the works (checked by content, re-encoded without metadata)."""

    __tablename__ = "project_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    #: The update it came with, if any.
    update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("project_update.id", ondelete="SET NULL"), index=True
    )
    #: Random stored name under instance/uploads/ (see core.uploads).
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Text alternative, required: the photo says something the text may not.
    alt: Mapped[str] = mapped_column(sa.String(200))
    width: Mapped[int]
    height: Mapped[int]
    #: Staff confirmed that nobody can be recognised, or that everyone who can
    #: agreed to its publication. Unconfirmed photos are shown to staff only.
    is_consent_confirmed: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    project: Mapped[Project] = relationship(back_populates="photos")
    update: Mapped[ProjectUpdate | None] = relationship(back_populates="photos")

    __table_args__ = (
        sa.CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    @property
    def is_public(self) -> bool:
        """Shown to everyone: consent confirmed and its update not withdrawn."""
        update = self.update
        return self.is_consent_confirmed and not (update and update.is_withdrawn)


class ProjectFollow(Base):
    """A person following a project: by account, or by an address confirmed by link.

    One follow per account and one per address per project (unique constraints).
    An address follow counts only once confirmed; an account follow at once.
    """

    __tablename__ = "project_follow"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    #: Lower-cased address of a follower without account (personal data: never
    #: exported, never shown publicly).
    email: Mapped[str | None] = mapped_column(sa.String(254))
    #: Language of the messages for an address follow (the page's language then).
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    #: Set when the address was confirmed (at once for an account).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: True for the authors of the original idea, who follow by default.
    is_automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    project: Mapped[Project] = relationship(back_populates="follows")
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("project_id", "user_id"),
        sa.UniqueConstraint("project_id", "email"),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (email IS NULL)", name="account_or_address"
        ),
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def address(self) -> str | None:
        """Where messages go: the account's address, or the one given."""
        if self.user is not None:
            return self.user.email if self.user.is_active else None
        return self.email
