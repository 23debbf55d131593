"""Rounds (campagnes), envelopes per QPV, ideas, co-authors and the public history.

Invariants that matter are database constraints: envelope amounts never negative,
one envelope per (round, QPV), an idea's QPV must be one of its round's envelopes
(composite foreign key), a retained idea has a final cost, a merged idea points to
its target, a hidden idea has a public reason, a relay's entry records consent,
one idea per submission token (a double click creates one idea).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.money import Money
from ..core.time import UTCDateTime, utcnow
from ..core.workflow import HistoryMixin
from ..extensions import Base
from .states import IdeaAction, IdeaState, RoundPhase, TransferAction, TransferStatus

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..territories.models import Territory, Theme

ZERO = Decimal("0.00")

#: Themes a round accepts ideas for.
round_theme = sa.Table(
    "round_theme",
    Base.metadata,
    sa.Column(
        "round_id", sa.ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    ),
)

#: Themes of an idea (a subset of its round's themes, checked by the services).
idea_theme = sa.Table(
    "idea_theme",
    Base.metadata,
    sa.Column(
        "idea_id", sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Round(Base):
    """A campagne of the budget participatif, usually one per quarter.

    The QPV it covers are the territories of its envelopes (one envelope per QPV).
    The current phase is derived from the dates; publishing the results is an
    explicit staff action that sets ``results_published_at``.
    """

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The rules a resident accepts when submitting (règlement, plain language).
    rules_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: The presentation and rules in other languages, when staff gave them:
    #: ``{"en": {"description": ..., "rules_text": ...}, "ar": {...}}``.
    texts_by_language: Mapped[dict[str, dict[str, str]] | None] = mapped_column(sa.JSON)

    # Calendar (UTC). dépôt → instruction → annonce → vote → résultats → réalisation.
    submission_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submission_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Deadline for reviewers; the review phase itself lasts until the announcement.
    review_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    announcement_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vote_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vote_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set by the explicit "publish results" action (voting feature), never by a date.
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Planned start of the delivery (réalisation) phase; after the results.
    delivery_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    min_cost: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    max_cost: Mapped[Decimal] = mapped_column(Money)
    #: Unspent money of each envelope goes to the next round of the same QPV.
    is_carry_over_enabled: Mapped[bool] = mapped_column(default=True)
    #: Eligibility grid version used by the review (frozen once review starts).
    grid_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid_version.id")
    )
    #: The round this one was created from (unique: one successor per round).
    previous_round_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("round.id", ondelete="SET NULL"), unique=True
    )
    #: Set when staff open (publish) the round; before that only staff see it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    envelopes: Mapped[list[Envelope]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Envelope.id"
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=round_theme, order_by="Theme.position"
    )
    territories: Mapped[list[Territory]] = relationship(
        secondary="envelope", viewonly=True, order_by="Territory.name"
    )
    previous_round: Mapped[Round | None] = relationship(
        remote_side=[id], foreign_keys=[previous_round_id]
    )

    __table_args__ = (
        sa.CheckConstraint("min_cost >= 0", name="min_cost_positive"),
        sa.CheckConstraint("max_cost >= min_cost", name="max_cost_above_min"),
        sa.CheckConstraint(
            "submission_opens_at < submission_closes_at", name="submission_dates"
        ),
        sa.CheckConstraint(
            "submission_closes_at <= review_closes_at"
            " AND review_closes_at <= announcement_at"
            " AND announcement_at <= vote_opens_at",
            name="phase_order",
        ),
        sa.CheckConstraint("vote_opens_at < vote_closes_at", name="vote_dates"),
        sa.CheckConstraint(
            "results_published_at IS NULL OR results_published_at >= vote_closes_at",
            name="results_after_vote",
        ),
        sa.CheckConstraint(
            "previous_round_id IS NULL OR previous_round_id <> id",
            name="not_own_previous",
        ),
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def phase_at(self, now: datetime) -> RoundPhase:
        """The phase at *now* (UTC-aware), from the dates and the results."""
        if self.published_at is None:
            return RoundPhase.DRAFT
        if self.results_published_at is not None:
            if self.delivery_starts_at is not None and now >= self.delivery_starts_at:
                return RoundPhase.DELIVERY
            return RoundPhase.RESULTS
        if now < self.submission_opens_at:
            return RoundPhase.UPCOMING
        if now < self.submission_closes_at:
            return RoundPhase.SUBMISSION
        if now < self.announcement_at:
            return RoundPhase.REVIEW
        if now < self.vote_opens_at:
            return RoundPhase.ANNOUNCEMENT
        if now < self.vote_closes_at:
            return RoundPhase.VOTE
        return RoundPhase.COUNTING

    @property
    def phase(self) -> RoundPhase:
        """The phase now."""
        return self.phase_at(utcnow())

    @property
    def is_announced(self) -> bool:
        """The announcement page is public from the announcement date on."""
        return self.is_published and utcnow() >= self.announcement_at

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.title!r}>"


class Envelope(Base):
    """The money of one QPV in one round, plus what the previous round left unspent."""

    __tablename__ = "envelope"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territory.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    #: Unspent money carried over from the previous round's envelope of the same QPV.
    carried_over_in: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: The envelope the carry-over came from (its "carried out" shows on that round).
    carried_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("envelope.id", ondelete="SET NULL"), unique=True
    )
    #: True once the carry-over was computed from published results (final).
    is_carry_over_final: Mapped[bool] = mapped_column(default=False)

    round: Mapped[Round] = relationship(back_populates="envelopes")
    territory: Mapped[Territory] = relationship()
    carried_from: Mapped[Envelope | None] = relationship(
        remote_side=[id], foreign_keys=[carried_from_id], back_populates="carried_to"
    )
    carried_to: Mapped[Envelope | None] = relationship(
        foreign_keys=[carried_from_id], back_populates="carried_from", uselist=False
    )

    __table_args__ = (
        sa.UniqueConstraint("round_id", "territory_id"),
        sa.CheckConstraint("amount >= 0", name="amount_positive"),
        sa.CheckConstraint("carried_over_in >= 0", name="carried_over_in_positive"),
    )

    @property
    def total(self) -> Decimal:
        """Money available to the vote: amount plus the carry-over."""
        return self.amount + self.carried_over_in

    def __repr__(self) -> str:
        return f"<Envelope {self.round_id}/{self.territory_id} {self.amount}>"


class Idea(Base):
    """An idea submitted by a resident (or entered by a relay for them)."""

    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id", ondelete="CASCADE"))
    #: The QPV; may be empty on a draft only.
    territory_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("territory.id"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(150))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    #: Author's estimate, optional.
    estimated_cost: Mapped[Decimal | None] = mapped_column(Money)
    #: Cost set by staff when the idea is retained for the vote.
    final_cost: Mapped[Decimal | None] = mapped_column(Money)
    #: Random stored name of the photo under instance/uploads/ (see core.uploads).
    photo_name: Mapped[str | None] = mapped_column(sa.String(80))
    #: Text alternative of the photo, given by the author.
    photo_alt: Mapped[str | None] = mapped_column(sa.String(200))
    #: Association or collectif carrying the idea with the author, if any.
    association_name: Mapped[str | None] = mapped_column(sa.String(200))

    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    #: The relay who entered the idea for the author (desk, social centre).
    submitted_on_behalf_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: When the relay recorded the person's consent, and how (short note).
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_note: Mapped[str | None] = mapped_column(sa.String(200))
    accepted_rules_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    state: Mapped[IdeaState] = mapped_column(default=IdeaState.DRAFT, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Last staff decision (retained, ineligible, transferred, merged).
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    #: Public justification of the last decision (ineligible, transferred, retained).
    public_reason: Mapped[str | None] = mapped_column(sa.Text)
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="SET NULL"), index=True
    )
    #: Competent service the idea was sent to, and its follow-up (its own workflow,
    #: ``services.transfer``; the history is ``transfer_history``).
    transfer_service: Mapped[str | None] = mapped_column(sa.String(120))
    transfer_status: Mapped[TransferStatus | None]
    transfer_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    #: Random token carried by the form: a second identical POST finds this idea.
    submission_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    round: Mapped[Round] = relationship()
    territory: Mapped[Territory | None] = relationship()
    envelope: Mapped[Envelope | None] = relationship(
        primaryjoin="and_(Idea.round_id == foreign(Envelope.round_id),"
        " Idea.territory_id == foreign(Envelope.territory_id))",
        viewonly=True,
        uselist=False,
    )
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    submitted_on_behalf_by: Mapped[User | None] = relationship(
        foreign_keys=[submitted_on_behalf_by_id]
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=idea_theme, order_by="Theme.position"
    )
    co_authors: Mapped[list[IdeaCoAuthor]] = relationship(
        back_populates="idea",
        cascade="all, delete-orphan",
        order_by="IdeaCoAuthor.id",
        foreign_keys="IdeaCoAuthor.idea_id",
    )
    history: Mapped[list[IdeaStateChange]] = relationship(
        back_populates="idea",
        cascade="all, delete-orphan",
        order_by="IdeaStateChange.id",
    )
    transfer_history: Mapped[list[IdeaTransferChange]] = relationship(
        back_populates="idea",
        cascade="all, delete-orphan",
        order_by="IdeaTransferChange.id",
    )
    merged_into: Mapped[Idea | None] = relationship(
        remote_side=[id], foreign_keys=[merged_into_id], back_populates="merged_ideas"
    )
    merged_ideas: Mapped[list[Idea]] = relationship(
        foreign_keys=[merged_into_id], back_populates="merged_into", order_by="Idea.id"
    )

    __table_args__ = (
        # The QPV must be one the round covers (has an envelope for).
        sa.ForeignKeyConstraint(
            ["round_id", "territory_id"],
            ["envelope.round_id", "envelope.territory_id"],
            name="fk_idea_round_territory_envelope",
        ),
        sa.Index("ix_idea_round_id_state", "round_id", "state"),
        # The public list filtered by round, QPV and status, newest first: read in
        # order from the index, not sorted (issue 14: 12.5 -> 6 ms on 10,000 ideas).
        sa.Index(
            "ix_idea_round_territory_state_submitted",
            "round_id",
            "territory_id",
            "state",
            "submitted_at",
        ),
        # The public list: newest first, read straight from the index.
        sa.Index("ix_idea_submitted_at_id", "submitted_at", "id"),
        sa.CheckConstraint(
            "estimated_cost IS NULL OR estimated_cost >= 0",
            name="estimated_cost_positive",
        ),
        sa.CheckConstraint(
            "final_cost IS NULL OR final_cost >= 0", name="final_cost_positive"
        ),
        sa.CheckConstraint(
            "state NOT IN ('eligible', 'selected', 'not_selected')"
            " OR final_cost IS NOT NULL",
            name="retained_has_final_cost",
        ),
        sa.CheckConstraint(
            "state = 'draft' OR (state = 'withdrawn' AND submitted_at IS NULL)"
            " OR (territory_id IS NOT NULL AND submitted_at IS NOT NULL"
            " AND accepted_rules_at IS NOT NULL)",
            name="submitted_is_complete",
        ),
        sa.CheckConstraint(
            "(state = 'merged') = (merged_into_id IS NOT NULL)",
            name="merged_has_target",
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name="not_merged_into_self",
        ),
        sa.CheckConstraint(
            "state <> 'hidden' OR hidden_reason IS NOT NULL", name="hidden_has_reason"
        ),
        sa.CheckConstraint(
            "submitted_on_behalf_by_id IS NULL OR consent_recorded_at IS NOT NULL",
            name="relay_records_consent",
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
    def accepted_co_authors(self) -> list[IdeaCoAuthor]:
        """The co-authors shown: those who accepted the invitation."""
        return [c for c in self.co_authors if c.accepted_at is not None]

    @property
    def is_public(self) -> bool:
        """Listed publicly: submitted at some point (drafts never are)."""
        return self.submitted_at is not None

    @property
    def shows_content(self) -> bool:
        """Content is public (a hidden idea shows only its state and reason)."""
        return self.is_public and self.state is not IdeaState.HIDDEN

    @property
    def display_reason(self) -> str | None:
        """Public reason of the current state: hiding, decision, or last comment.

        The review feature may keep a fuller assessment; this is the hook pages use.
        """
        return display_reason(self, self.history)

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.state.value} {self.title!r}>"


class _Step(Protocol):
    """A step of an idea's history: the model's row or a plain row of it."""

    @property
    def to_state(self) -> IdeaState: ...

    @property
    def comment(self) -> str | None: ...


def display_reason(idea: Idea, history: Sequence[_Step]) -> str | None:
    """``Idea.display_reason`` from *history* (the idea's steps, oldest first), which
    a page may have read as plain rows."""
    if idea.state is IdeaState.HIDDEN:
        return idea.hidden_reason
    if idea.public_reason:
        return idea.public_reason
    for change in reversed(history):
        if change.to_state is idea.state and change.comment:
            return change.comment
    return None


class IdeaCoAuthor(Base):
    """Another resident carrying the idea with its author (also gained by a merge)."""

    __tablename__ = "idea_co_author"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when the person came with an idea merged into this one.
    merged_from_idea_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="SET NULL")
    )
    #: When the person accepted to be named (invited until then; see coauthors.py).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    idea: Mapped[Idea] = relationship(
        back_populates="co_authors", foreign_keys=[idea_id]
    )
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("idea_id", "user_id"),)


class IdeaStateChange(HistoryMixin, Base):
    """One dated step of an idea's public history (written by the workflow applier).

    ``actor_id`` (the mixin's) is None for the system (vote results, CLI) and never
    shown publicly; ``comment`` is the public comment or reason, in plain language.
    """

    __tablename__ = "idea_state_change"

    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[IdeaAction]
    from_state: Mapped[IdeaState]
    to_state: Mapped[IdeaState]

    idea: Mapped[Idea] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class IdeaTransferChange(HistoryMixin, Base):
    """One dated step of the follow-up of a transferred idea, shown on its page.

    The first row of a follow-up is the sending (``from_state`` None, or the
    previous follow-up's last state when the idea is transferred again).
    """

    __tablename__ = "idea_transfer_change"

    idea_id: Mapped[int] = mapped_column(
        sa.ForeignKey("idea.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[TransferAction]
    from_state: Mapped[TransferStatus | None]
    to_state: Mapped[TransferStatus]

    idea: Mapped[Idea] = relationship(back_populates="transfer_history")
