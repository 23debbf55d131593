"""Councils, their versioned rules, members, facilitators, compositions and draws.

Database invariants: one council per QPV and one for the agglomeration; one rules
version number per council; one standing membership per person and council; one
substitute per rank, college and sex; a member seated from a draw is seated once;
one pool line per reference of a draw; mandates end after they start.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...accounts.states import Sex
from ...core.time import UTCDateTime, utcnow
from ...extensions import Base
from ..quorum import QuorumRule
from ..states import (
    College,
    CouncilScope,
    DecisionKind,
    DrawOutcome,
    LeaveReason,
    MajorityRule,
    NameDisplay,
    QuorumKind,
)

if TYPE_CHECKING:
    from ...accounts.models import User
    from ...territories.models import Territory


def values_in(column: str, values: Iterable[StrEnum]) -> str:
    """SQL ``column IN ('a', 'b')`` for a CHECK constraint."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({listed})"


class Council(Base):
    """A conseil citoyen: of one QPV, or of the whole agglomeration.

    The policy columns are the choices the 2024 decrees left to each territory;
    their defaults are the 2014-2017 rules (draw by lot, parity, residents at least
    half of the members, recognition by the préfet).
    """

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    scope: Mapped[CouncilScope] = mapped_column(default=CouncilScope.QPV)
    territory_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("territory.id"), unique=True
    )
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The description in other languages, when staff gave it:
    #: ``{"en": {"description": ...}, "ar": {...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)
    #: Seats the contrat de ville plans for each college (vacancies are measured
    #: against them).
    resident_seats: Mapped[int] = mapped_column(default=10)
    local_actor_seats: Mapped[int] = mapped_column(default=6)
    is_draw_required: Mapped[bool] = mapped_column(default=True)
    is_parity_required: Mapped[bool] = mapped_column(default=True)
    #: Least share of residents among the titular members, in per cent.
    min_residents_share: Mapped[int] = mapped_column(default=50)
    is_recognition_required: Mapped[bool] = mapped_column(default=True)
    #: How residents are named in published minutes.
    name_display: Mapped[NameDisplay] = mapped_column(default=NameDisplay.PSEUDONYM)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    territory: Mapped[Territory | None] = relationship()
    rules_versions: Mapped[list[CouncilRules]] = relationship(
        back_populates="council",
        order_by="CouncilRules.version",
        cascade="all, delete-orphan",
    )
    members: Mapped[list[CouncilMember]] = relationship(
        back_populates="council",
        order_by="CouncilMember.id",
        cascade="all, delete-orphan",
    )
    facilitators: Mapped[list[CouncilFacilitator]] = relationship(
        back_populates="council",
        order_by="CouncilFacilitator.starts_on",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(scope = 'qpv') = (territory_id IS NOT NULL)", name="scope_territory"
        ),
        sa.CheckConstraint(values_in("scope", CouncilScope), name="scope_known"),
        sa.CheckConstraint(
            "resident_seats >= 0 AND local_actor_seats >= 0", name="seats_positive"
        ),
        sa.CheckConstraint(
            "min_residents_share BETWEEN 0 AND 100", name="residents_share_range"
        ),
        # One council for the whole agglomeration at most.
        sa.Index(
            "uq_council_agglomeration",
            "scope",
            unique=True,
            sqlite_where=sa.text("scope = 'agglomeration'"),
            postgresql_where=sa.text("scope = 'agglomeration'"),
        ),
    )

    @property
    def rules(self) -> CouncilRules:
        """The rules in force: the latest version (a council always has one)."""
        return self.rules_versions[-1]

    @property
    def seats(self) -> int:
        return self.resident_seats + self.local_actor_seats

    def __repr__(self) -> str:
        return f"<Council {self.id} {self.name!r}>"


class CouncilRules(Base):
    """One version of the règlement intérieur: its text and the rules it sets."""

    __tablename__ = "council_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    adopted_on: Mapped[date | None]
    quorum_kind: Mapped[QuorumKind] = mapped_column(default=QuorumKind.FRACTION)
    quorum_number: Mapped[int | None]
    quorum_numerator: Mapped[int] = mapped_column(default=1)
    quorum_denominator: Mapped[int] = mapped_column(default=2)
    quorum_counts_proxies: Mapped[bool] = mapped_column(default=True)
    are_proxies_allowed: Mapped[bool] = mapped_column(default=True)
    max_proxies_per_holder: Mapped[int] = mapped_column(default=1)
    #: Whether abstentions count as votes cast (simple and two-thirds majorities).
    abstentions_count: Mapped[bool] = mapped_column(default=False)
    majority_ordinary: Mapped[MajorityRule] = mapped_column(default=MajorityRule.SIMPLE)
    majority_minutes_approval: Mapped[MajorityRule] = mapped_column(
        default=MajorityRule.SIMPLE
    )
    majority_fph_grant: Mapped[MajorityRule] = mapped_column(
        default=MajorityRule.SIMPLE
    )
    majority_rules_change: Mapped[MajorityRule] = mapped_column(
        default=MajorityRule.TWO_THIRDS
    )
    #: Days between the convocation and the meeting.
    notice_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    council: Mapped[Council] = relationship(back_populates="rules_versions")

    __table_args__ = (
        sa.UniqueConstraint("council_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "quorum_kind <> 'number' OR quorum_number >= 1", name="quorum_number"
        ),
        sa.CheckConstraint(
            "quorum_numerator >= 1 AND quorum_numerator <= quorum_denominator",
            name="quorum_fraction",
        ),
        sa.CheckConstraint(
            "max_proxies_per_holder BETWEEN 0 AND 10", name="max_proxies_range"
        ),
        sa.CheckConstraint("notice_days BETWEEN 0 AND 90", name="notice_days_range"),
    )

    def majority_for(self, kind: DecisionKind) -> MajorityRule:
        """The majority rule this version sets for *kind* of decision."""
        rule: MajorityRule = getattr(self, f"majority_{kind.value}")
        return rule

    @property
    def quorum_rule(self) -> QuorumRule:
        return QuorumRule(
            kind=self.quorum_kind,
            number=self.quorum_number,
            numerator=self.quorum_numerator,
            denominator=self.quorum_denominator,
            counts_proxies=self.quorum_counts_proxies,
        )


class CouncilMember(Base):
    """A seat held by a person: titular (no rank) or substitute (ordered by rank)."""

    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    college: Mapped[College]
    sex: Mapped[Sex]
    #: The association or structure a local actor represents.
    organisation: Mapped[str | None] = mapped_column(sa.String(160))
    mandate_starts_on: Mapped[date]
    mandate_ends_on: Mapped[date | None]
    is_voting: Mapped[bool] = mapped_column(default=True)
    #: None for a titular member; 1, 2, ... in the substitutes list of the same
    #: college and sex.
    substitute_rank: Mapped[int | None]
    #: Records attendance and votes, drafts the minutes (secrétaire de séance).
    is_secretary: Mapped[bool] = mapped_column(default=False)
    draw_entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_draw_entry.id", ondelete="SET NULL"), unique=True
    )
    #: The member this one replaced when promoted from the substitutes.
    replaces_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("council_member.id", ondelete="SET NULL")
    )
    left_on: Mapped[date | None]
    leave_reason: Mapped[LeaveReason | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    council: Mapped[Council] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    draw_entry: Mapped[DrawEntry | None] = relationship()
    replaces: Mapped[CouncilMember | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id]
    )

    __table_args__ = (
        sa.CheckConstraint(values_in("college", College), name="college_known"),
        sa.CheckConstraint(
            "substitute_rank IS NULL OR substitute_rank >= 1", name="rank_positive"
        ),
        sa.CheckConstraint(
            "mandate_ends_on IS NULL OR mandate_ends_on >= mandate_starts_on",
            name="mandate_dates",
        ),
        sa.CheckConstraint(
            "(left_on IS NULL) = (leave_reason IS NULL)", name="leave_has_reason"
        ),
        sa.CheckConstraint(
            "NOT is_secretary OR substitute_rank IS NULL", name="secretary_titular"
        ),
        # One standing seat per person and council.
        sa.Index(
            "uq_council_member_active",
            "council_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("left_on IS NULL"),
            postgresql_where=sa.text("left_on IS NULL"),
        ),
        # One substitute per rank in each list (college and sex).
        sa.Index(
            "uq_council_member_rank",
            "council_id",
            "college",
            "sex",
            "substitute_rank",
            unique=True,
            sqlite_where=sa.text("substitute_rank IS NOT NULL AND left_on IS NULL"),
            postgresql_where=sa.text("substitute_rank IS NOT NULL AND left_on IS NULL"),
        ),
    )

    @property
    def is_titular(self) -> bool:
        return self.substitute_rank is None

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    def in_office_on(self, day: date) -> bool:
        """A titular member whose mandate covers *day* and who has not left."""
        return (
            self.is_titular
            and self.mandate_starts_on <= day
            and (self.mandate_ends_on is None or self.mandate_ends_on >= day)
            and (self.left_on is None or self.left_on > day)
        )

    def __repr__(self) -> str:
        return f"<CouncilMember {self.id} user={self.user_id} {self.college.value}>"


class CouncilFacilitator(Base):
    """A facilitator who is not a member (délégué du préfet, municipal agent).

    The 2017 circular allows it during a start-up phase of at most one year: the
    end date is required and the dashboard warns beyond twelve months.
    """

    __tablename__ = "council_facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str] = mapped_column(sa.String(160), default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    council: Mapped[Council] = relationship(back_populates="facilitators")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="facilitation_dates"),
    )


class CouncilComposition(Base):
    """A recorded composition (e.g. sent to the préfet) and the policy that applied."""

    __tablename__ = "council_composition"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    # The policy in force when the composition was recorded.
    is_draw_required: Mapped[bool]
    is_parity_required: Mapped[bool]
    min_residents_share: Mapped[int]
    is_recognition_required: Mapped[bool]
    size: Mapped[int]
    residents: Mapped[int]
    women: Mapped[int]
    men: Mapped[int]
    #: JSON list of the titular members: id, college, sex, voting.
    members_json: Mapped[str] = mapped_column(sa.Text)
    #: The recognising act (arrêté préfectoral), when there is one.
    recognition_reference: Mapped[str | None] = mapped_column(sa.String(120))
    recognised_on: Mapped[date | None]

    __table_args__ = (
        sa.UniqueConstraint("council_id", "version"),
        sa.CheckConstraint(
            "size >= 0 AND residents >= 0 AND women >= 0 AND men >= 0",
            name="counts_positive",
        ),
    )


class CouncilDraw(Base):
    """A draw by lot among an imported, pseudonymised pool, for the residents' college.

    The pool is imported first (its fingerprint fixed); the seed and the witnesses
    are typed at the public draw, which then cannot change.
    """

    __tablename__ = "council_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(160))
    #: The lists the pool comes from (landlords, volunteers...).
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    by_sex: Mapped[bool] = mapped_column(default=True)
    by_age_band: Mapped[bool] = mapped_column(default=False)
    by_qpv: Mapped[bool] = mapped_column(default=False)
    titulars_per_stratum: Mapped[int]
    substitutes_per_stratum: Mapped[int]
    pool_size: Mapped[int]
    pool_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # The policy in force at the import.
    is_draw_required: Mapped[bool]
    is_parity_required: Mapped[bool]
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    seed: Mapped[str | None] = mapped_column(sa.String(200))
    #: One name per line.
    witnesses: Mapped[str | None] = mapped_column(sa.Text)
    master_key: Mapped[str | None] = mapped_column(sa.String(64))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    council: Mapped[Council] = relationship()
    entries: Mapped[list[DrawEntry]] = relationship(
        back_populates="draw",
        order_by="DrawEntry.line_number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint("titulars_per_stratum >= 1", name="titulars_positive"),
        sa.CheckConstraint("substitutes_per_stratum >= 0", name="substitutes_positive"),
        sa.CheckConstraint("pool_size >= 1", name="pool_not_empty"),
        sa.CheckConstraint(
            "(drawn_at IS NULL) = (seed IS NULL)"
            " AND (drawn_at IS NULL) = (master_key IS NULL)"
            " AND (drawn_at IS NULL) = (witnesses IS NULL)",
            name="drawn_complete",
        ),
        sa.CheckConstraint("by_sex OR NOT is_parity_required", name="parity_by_sex"),
    )

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def witness_names(self) -> list[str]:
        return [line for line in (self.witnesses or "").splitlines() if line.strip()]


class DrawEntry(Base):
    """One person of a draw's pool: a reference and the strata values, no name."""

    __tablename__ = "council_draw_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(
        sa.ForeignKey("council_draw.id", ondelete="CASCADE"), index=True
    )
    line_number: Mapped[int]
    reference: Mapped[str] = mapped_column(sa.String(64))
    sex: Mapped[Sex]
    age_band: Mapped[str | None] = mapped_column(sa.String(30))
    qpv: Mapped[str | None] = mapped_column(sa.String(30))
    #: The stratum's values joined with "|" (see council.draw).
    stratum: Mapped[str] = mapped_column(sa.String(100))
    outcome: Mapped[DrawOutcome | None]
    #: Rank among the titular members or the substitutes of the stratum.
    rank: Mapped[int | None]

    draw: Mapped[CouncilDraw] = relationship(back_populates="entries")

    __table_args__ = (
        sa.UniqueConstraint("draw_id", "reference"),
        sa.UniqueConstraint("draw_id", "line_number"),
        sa.CheckConstraint(
            "outcome IS NULL OR (outcome = 'not_drawn') = (rank IS NULL)",
            name="rank_when_drawn",
        ),
        sa.CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
    )
