"""Review (instruction) records: when a round's review started, theme rules, reviews.

The idea's state, final cost, public reason and transfer follow-up belong to the
budget feature (``budget.models.Idea``) and change only through its
``transition()``; this feature keeps who reviews what and what they found.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import Money
from ..core.time import UTCDateTime, utcnow
from ..extensions import Base

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..budget.models import Idea, Round
    from ..eligibility.models import Assessment, GridVersion
    from ..territories.models import Theme


class RoundReview(Base):
    """The start of a round's review: the grid version it froze, who started it."""

    __tablename__ = "round_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), unique=True
    )
    grid_version_id: Mapped[int] = mapped_column(sa.ForeignKey("grid_version.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    round: Mapped[Round] = relationship()
    grid_version: Mapped[GridVersion] = relationship()


class ThemeRule(Base):
    """ "Ideas of theme X go to reviewer Y", applied to a round's unassigned ideas."""

    __tablename__ = "review_theme_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("round.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    theme: Mapped[Theme] = relationship()
    reviewer: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "theme_id"),)


class IdeaReview(Base):
    """The assignment of one idea to one reviewer, and what the reviewer found.

    One row per idea: reassigning changes the reviewer and keeps the work done.
    The grid answers and the computed outcome live in the linked assessment.
    """

    __tablename__ = "idea_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="CASCADE"), unique=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The theme rule that made the assignment, if it was not made by hand.
    theme_rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("review_theme_rule.id", ondelete="SET NULL")
    )
    assessment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="SET NULL"), unique=True
    )
    #: Cost estimated by the city's services (euros).
    cost_estimate: Mapped[Decimal | None] = mapped_column(Money)
    feasibility_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Domanialité: who owns the place, and who will maintain what is built.
    land_owner: Mapped[str] = mapped_column(sa.String(200), default="")
    land_maintainer: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Plain-language justification, published with the decision.
    public_justification: Mapped[str] = mapped_column(sa.Text, default="")
    #: Set when the reviewer hands the review in (done); None while pending.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    idea: Mapped[Idea] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    assessment: Mapped[Assessment | None] = relationship()
    theme_rule: Mapped[ThemeRule | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "cost_estimate IS NULL OR cost_estimate >= 0", name="cost_positive"
        ),
        # A review is handed in with its grid filled.
        sa.CheckConstraint(
            "submitted_at IS NULL OR assessment_id IS NOT NULL",
            name="submitted_has_assessment",
        ),
    )

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None
