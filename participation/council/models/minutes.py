"""Minutes of a meeting, their revisions, errata and workflow history.

Database invariants: one set of minutes per meeting; approved minutes name the
meeting whose vote approved them; published ones have a publication date, locked
ones a lock date; revisions and errata are numbered once per minutes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.time import UTCDateTime, utcnow
from ...core.workflow import HistoryMixin
from ...extensions import Base
from ..states import MINUTES_PUBLIC_STATES, MinutesAction, MinutesState
from .councils import values_in

if TYPE_CHECKING:
    from ...accounts.models import User
    from .meetings import Meeting


class Minutes(Base):
    """The compte rendu of a meeting: a text with its revisions, then errata."""

    __tablename__ = "council_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[MinutesState] = mapped_column(default=MinutesState.DRAFT)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: Number of the latest revision (the body is that revision's text).
    revision_number: Mapped[int] = mapped_column(default=1)
    #: The later meeting whose vote approved them.
    approved_at_meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting] = relationship(
        back_populates="minutes", foreign_keys=[meeting_id]
    )
    approved_at_meeting: Mapped[Meeting | None] = relationship(
        foreign_keys=[approved_at_meeting_id]
    )
    history: Mapped[list[MinutesStateChange]] = relationship(
        back_populates="minutes",
        order_by="MinutesStateChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes",
        order_by="MinutesRevision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    errata: Mapped[list[MinutesErratum]] = relationship(
        back_populates="minutes",
        order_by="MinutesErratum.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(values_in("state", MinutesState), name="state_known"),
        sa.CheckConstraint("revision_number >= 1", name="revision_positive"),
        sa.CheckConstraint(
            "state NOT IN ('approved', 'published', 'locked')"
            " OR (approved_at_meeting_id IS NOT NULL AND approved_at IS NOT NULL)",
            name="approved_has_meeting",
        ),
        sa.CheckConstraint(
            "state NOT IN ('published', 'locked') OR published_at IS NOT NULL",
            name="published_has_date",
        ),
        sa.CheckConstraint(
            "(state = 'locked') = (locked_at IS NOT NULL)", name="locked_has_date"
        ),
    )

    @property
    def is_public(self) -> bool:
        """Published (or locked) minutes of a public meeting."""
        return self.state in MINUTES_PUBLIC_STATES and self.meeting.is_public


class MinutesStateChange(HistoryMixin, Base):
    """One step of the minutes' workflow."""

    __tablename__ = "council_minutes_state_change"

    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_minutes.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[MinutesAction]
    from_state: Mapped[MinutesState]
    to_state: Mapped[MinutesState]

    minutes: Mapped[Minutes] = relationship(back_populates="history")


class MinutesRevision(Base):
    """A version of the text: who, when, and the diff from the previous one."""

    __tablename__ = "council_minutes_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_minutes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    #: Unified diff (difflib) from the previous revision; empty for the first.
    diff: Mapped[str] = mapped_column(sa.Text, default="")
    comment: Mapped[str] = mapped_column(sa.String(300), default="")
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("minutes_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )


class MinutesErratum(Base):
    """A correction appended to locked minutes (the text itself never changes)."""

    __tablename__ = "council_minutes_erratum"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_minutes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    #: The later meeting where the correction was noted, when there is one.
    noted_at_meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="errata")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("minutes_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )
