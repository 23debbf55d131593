"""Meetings, their agenda, convocations, attendance and deliberations.

Database invariants: one agenda position per meeting; an approval item names the
minutes it approves and only voting items carry a decision kind; one convocation
and one attendance line per member and meeting; a represented member names a proxy
holder who is someone else; vote counts are never negative nor above the members
entitled to vote; one deliberation per agenda item; one line per member in the
frozen list of a deliberation (so one vote per member in a roll call), and a recused
member casts no vote.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.time import PARIS, UTCDateTime, utcnow
from ...core.workflow import HistoryMixin
from ...extensions import Base
from ..states import (
    VOTING_ITEM_KINDS,
    AgendaItemKind,
    AttendanceStatus,
    ConvocationChannel,
    DecisionKind,
    MajorityRule,
    MeetingAction,
    MeetingKind,
    MeetingState,
    Outcome,
    VoteChoice,
    VoteMethod,
)
from .councils import Council, CouncilMember, CouncilRules, values_in

if TYPE_CHECKING:
    from ...accounts.models import User
    from .minutes import Minutes


class Meeting(Base):
    """A meeting of a council: plenary, FPH committee or working group."""

    __tablename__ = "council_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MeetingKind] = mapped_column(default=MeetingKind.PLENARY)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_public: Mapped[bool] = mapped_column(default=True)
    state: Mapped[MeetingState] = mapped_column(default=MeetingState.PLANNED)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The rules version the meeting runs under (fixed when it is convened).
    rules_id: Mapped[int] = mapped_column(sa.ForeignKey("council_rules.id"))
    convened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The convocation left later than the notice period of the rules.
    is_notice_late: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The quorum as taken at the opening.
    opening_quorum_required: Mapped[int | None]
    opening_quorum_counted: Mapped[int | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))
    #: Bumped on every change of date or place (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    council: Mapped[Council] = relationship()
    rules: Mapped[CouncilRules] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    history: Mapped[list[MeetingStateChange]] = relationship(
        back_populates="meeting",
        order_by="MeetingStateChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    minutes: Mapped[Minutes | None] = relationship(
        back_populates="meeting",
        uselist=False,
        foreign_keys="Minutes.meeting_id",
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="meeting_dates"),
        sa.CheckConstraint(
            "place <> '' OR video_url IS NOT NULL", name="place_or_video"
        ),
        sa.CheckConstraint(values_in("state", MeetingState), name="state_known"),
        sa.CheckConstraint(values_in("kind", MeetingKind), name="kind_known"),
        sa.CheckConstraint(
            "state IN ('planned', 'cancelled') OR convened_at IS NOT NULL",
            name="convened_has_date",
        ),
        sa.CheckConstraint(
            "state NOT IN ('open', 'closed')"
            " OR (opened_at IS NOT NULL AND opening_quorum_required IS NOT NULL)",
            name="open_has_quorum",
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"
        ),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)",
            name="cancelled_has_date",
        ),
    )

    @property
    def starts_paris(self) -> datetime:
        return self.starts_at.astimezone(PARIS)

    @property
    def is_locked(self) -> bool:
        """A closed or cancelled meeting's record no longer changes."""
        return self.state in (MeetingState.CLOSED, MeetingState.CANCELLED)

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.kind.value} {self.starts_at:%Y-%m-%d}>"


class MeetingStateChange(HistoryMixin, Base):
    """One step of a meeting's workflow."""

    __tablename__ = "council_meeting_state_change"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[MeetingAction]
    from_state: Mapped[MeetingState]
    to_state: Mapped[MeetingState]

    meeting: Mapped[Meeting] = relationship(back_populates="history")


class AgendaItem(Base):
    """One item of the agenda (*ordre du jour*), in order.

    Extension point: the FPH feature links its applications to items of kind
    ``fph_file`` by a foreign key on its own table (see ``council.extension``).
    """

    __tablename__ = "council_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[AgendaItemKind]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The title and details in other languages: ``{"ar": {"title": ...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)
    #: Internal items stay out of the public agenda and the published minutes.
    is_public: Mapped[bool] = mapped_column(default=True)
    decision_kind: Mapped[DecisionKind | None]
    #: The earlier minutes an approval item puts to the vote.
    minutes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_minutes.id", ondelete="CASCADE"), index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    deliberation: Mapped[Deliberation | None] = relationship(
        back_populates="item", uselist=False
    )
    minutes: Mapped[Minutes | None] = relationship(foreign_keys=[minutes_id])

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint(values_in("kind", AgendaItemKind), name="kind_known"),
        sa.CheckConstraint(
            "(kind = 'minutes_approval') = (minutes_id IS NOT NULL)",
            name="approval_names_minutes",
        ),
        sa.CheckConstraint(
            f"({values_in('kind', VOTING_ITEM_KINDS)}) = (decision_kind IS NOT NULL)",
            name="decision_kind_when_voting",
        ),
    )

    @property
    def is_voting(self) -> bool:
        return self.kind in VOTING_ITEM_KINDS


class Convocation(Base):
    """The convocation of one member: by e-mail (.ics attached) or on paper."""

    __tablename__ = "council_convocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="CASCADE")
    )
    channel: Mapped[ConvocationChannel]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    #: Who hands a paper convocation over (the relay who made the account).
    relay_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    member: Mapped[CouncilMember] = relationship()
    relay: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("meeting_id", "member_id"),)


class Attendance(Base):
    """One line of the attendance sheet (*émargement*)."""

    __tablename__ = "council_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="CASCADE")
    )
    status: Mapped[AttendanceStatus]
    proxy_holder_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="SET NULL")
    )
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The member gave the proxy themselves, from their member space.
    is_declared_by_member: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting] = relationship()
    member: Mapped[CouncilMember] = relationship(foreign_keys=[member_id])
    proxy_holder: Mapped[CouncilMember | None] = relationship(
        foreign_keys=[proxy_holder_id]
    )

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "member_id"),
        sa.CheckConstraint(values_in("status", AttendanceStatus), name="status_known"),
        sa.CheckConstraint(
            "(status = 'represented') = (proxy_holder_id IS NOT NULL)",
            name="represented_has_holder",
        ),
        sa.CheckConstraint(
            "proxy_holder_id IS NULL OR proxy_holder_id <> member_id",
            name="holder_not_self",
        ),
        sa.CheckConstraint(
            "status = 'present' OR (arrived_at IS NULL AND left_at IS NULL)",
            name="times_when_present",
        ),
        sa.CheckConstraint(
            "arrived_at IS NULL OR left_at IS NULL OR left_at > arrived_at",
            name="leaves_after_arrival",
        ),
    )


class Deliberation(Base):
    """The vote on one agenda item, with the frozen list of who could vote."""

    __tablename__ = "council_deliberation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_agenda_item.id", ondelete="CASCADE"), unique=True
    )
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_meeting.id", ondelete="CASCADE"), index=True
    )
    motion: Mapped[str] = mapped_column(sa.Text)
    decision_kind: Mapped[DecisionKind]
    majority: Mapped[MajorityRule]
    abstentions_count: Mapped[bool]
    method: Mapped[VoteMethod]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    abstentions: Mapped[int]
    #: Members entitled to vote at the moment of the vote (present or represented,
    #: recusals excluded).
    entitled_count: Mapped[int]
    recused_count: Mapped[int]
    quorum_required: Mapped[int]
    quorum_counted: Mapped[int]
    outcome: Mapped[Outcome]
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    item: Mapped[AgendaItem] = relationship(back_populates="deliberation")
    meeting: Mapped[Meeting] = relationship()
    voters: Mapped[list[DeliberationVoter]] = relationship(
        back_populates="deliberation",
        order_by="DeliberationVoter.member_id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0",
            name="counts_positive",
        ),
        sa.CheckConstraint(
            "entitled_count >= 0 AND recused_count >= 0", name="entitled_positive"
        ),
        sa.CheckConstraint(
            "votes_for + votes_against + abstentions <= entitled_count",
            name="counts_within_entitled",
        ),
        sa.CheckConstraint(
            "(outcome = 'no_quorum') = (quorum_counted < quorum_required)",
            name="outcome_follows_quorum",
        ),
        sa.CheckConstraint(
            "outcome <> 'no_quorum'"
            " OR (votes_for = 0 AND votes_against = 0 AND abstentions = 0)",
            name="no_votes_without_quorum",
        ),
        sa.CheckConstraint(values_in("outcome", Outcome), name="outcome_known"),
    )

    @property
    def is_adopted(self) -> bool:
        return self.outcome is Outcome.ADOPTED


class DeliberationVoter(Base):
    """One member of the frozen list of a deliberation, and their roll-call vote."""

    __tablename__ = "council_deliberation_voter"

    id: Mapped[int] = mapped_column(primary_key=True)
    deliberation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_deliberation.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="CASCADE")
    )
    #: The present member who votes for them (their proxy holder).
    holder_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="SET NULL")
    )
    is_recused: Mapped[bool] = mapped_column(default=False)
    #: The vote in a roll call; None in a show of hands or when recused.
    choice: Mapped[VoteChoice | None]

    deliberation: Mapped[Deliberation] = relationship(back_populates="voters")
    member: Mapped[CouncilMember] = relationship(foreign_keys=[member_id])
    holder: Mapped[CouncilMember | None] = relationship(foreign_keys=[holder_id])

    __table_args__ = (
        sa.UniqueConstraint("deliberation_id", "member_id"),
        sa.CheckConstraint(
            "NOT is_recused OR choice IS NULL", name="recused_does_not_vote"
        ),
    )
