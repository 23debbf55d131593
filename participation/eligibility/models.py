"""Eligibility grids, their versions and criteria, and the assessments that fill them.

A grid stands alone: rounds and funds point at it, it never points at them. What an
assessment used is a *version*; a version that has been used or frozen is never
edited again (editing the grid then makes a new version), so an assessment always
shows the criteria it was filled with.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.time import UTCDateTime, utcnow
from ..extensions import Base
from .defaults import translated_text
from .evaluate import CriterionSpec, GridSpec
from .states import Check, CriterionKind, Outcome

if TYPE_CHECKING:
    from ..accounts.models import User

#: Weights and thresholds: up to 9999.99, two decimals.
Points = sa.Numeric(6, 2, asdecimal=True)


class Grid(Base):
    """A named eligibility grid; what it contains lives in its versions."""

    __tablename__ = "grid"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    #: The grid this one was copied from, if any.
    copied_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL")
    )

    versions: Mapped[list[GridVersion]] = relationship(
        back_populates="grid",
        order_by="GridVersion.number",
        cascade="all, delete-orphan",
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    copied_from: Mapped[Grid | None] = relationship(remote_side=[id])

    @property
    def latest_version(self) -> GridVersion:
        """The newest version, the one an edit starts from."""
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Grid {self.id} {self.name!r}>"


class GridVersion(Base):
    """One state of a grid's criteria and threshold. Used or frozen means read-only."""

    __tablename__ = "grid_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grid.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: Compared with Σ weight * points (0 to 3 per scored criterion); equal is enough.
    threshold: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    #: Set when a round's review starts (or a committee scores with it): no more edits.
    is_frozen: Mapped[bool] = mapped_column(default=False)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )

    grid: Mapped[Grid] = relationship(back_populates="versions")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version",
        order_by="(Criterion.position, Criterion.id)",
        cascade="all, delete-orphan",
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        sa.UniqueConstraint("grid_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("threshold >= 0", name="threshold_positive"),
        sa.CheckConstraint(
            "(is_frozen AND frozen_at IS NOT NULL)"
            " OR (NOT is_frozen AND frozen_at IS NULL)",
            name="frozen_has_date",
        ),
    )

    @property
    def max_score(self) -> Decimal:
        """Σ weight * 3 over the scored criteria."""
        return sum(
            (c.weight or Decimal(0)) * 3
            for c in self.criteria
            if c.kind is CriterionKind.SCORED
        ) or Decimal(0)

    def spec(self) -> GridSpec:
        """This version as plain data for evaluate()."""
        return GridSpec(
            criteria=tuple(
                CriterionSpec(code=c.code, kind=c.kind, weight=c.weight or Decimal(0))
                for c in self.criteria
            ),
            threshold=self.threshold,
        )

    def criterion(self, code: str) -> Criterion | None:
        """The criterion with this code in this version, if any."""
        return next((c for c in self.criteria if c.code == code), None)

    def __repr__(self) -> str:
        return f"<GridVersion {self.grid_id}v{self.number}>"


class Criterion(Base):
    """One question of a grid version, with its public plain-language label."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grid_version.id", ondelete="CASCADE"), index=True
    )
    #: Stable across versions (edits are addressed by code), unique within a version.
    code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[CriterionKind]
    #: Shown to residents; default texts are translated on display.
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    #: Scored criteria only (NULL otherwise).
    weight: Mapped[Decimal | None] = mapped_column(Points)
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[GridVersion] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("version_id", "code"),
        # Target of the answers' composite key: an answer's kind and version match
        # its criterion's, so the answers' CHECK constraints can rely on the kind.
        sa.UniqueConstraint(
            "id", "version_id", "kind", name="uq_criterion_id_version_kind"
        ),
        sa.CheckConstraint(
            "(kind = 'scored' AND weight IS NOT NULL AND weight >= 0)"
            " OR (kind <> 'scored' AND weight IS NULL)",
            name="weight_for_scored",
        ),
        sa.CheckConstraint("code <> ''", name="code_not_empty"),
        sa.CheckConstraint("label <> ''", name="label_not_empty"),
    )

    @property
    def public_label(self) -> str:
        """The label in the reader's language when it is one of the default texts."""
        return translated_text(self.label)

    @property
    def public_help(self) -> str:
        return translated_text(self.help_text)

    def __repr__(self) -> str:
        return f"<Criterion {self.code} {self.kind.value}>"


class Assessment(Base):
    """A grid version filled for one subject (an idea, an FPH application, ...).

    The subject is a generic (type, id) pair so that any feature can be assessed;
    the owning feature keeps the link back (for example the review of an idea).
    """

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("grid_version.id", ondelete="RESTRICT"), index=True
    )
    #: Table name of the subject, for example "idea".
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int]
    outcome: Mapped[Outcome]
    score: Mapped[Decimal] = mapped_column(Points)
    max_score: Mapped[Decimal] = mapped_column(Points)
    #: Codes of the failed mandatory criteria, in grid order (also in the answers).
    failed_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Codes of the mandatory and scored criteria left unanswered.
    missing_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    assessor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[GridVersion] = relationship()
    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])
    answers: Mapped[list[AssessmentAnswer]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        foreign_keys="[AssessmentAnswer.assessment_id,"
        " AssessmentAnswer.grid_version_id]",
    )

    __table_args__ = (
        sa.Index("ix_assessment_subject", "subject_type", "subject_id"),
        # Target of the answers' composite key (answers belong to the same version).
        sa.UniqueConstraint("id", "grid_version_id", name="uq_assessment_id_version"),
        sa.CheckConstraint("score >= 0 AND max_score >= 0", name="scores_positive"),
    )

    def answer_values(self) -> dict[str, Any]:
        """Answers by criterion code, as evaluate() takes them."""
        # Codes from the version's criteria (one query), not one lazy load per answer.
        codes = {criterion.id: criterion.code for criterion in self.version.criteria}
        return {codes[answer.criterion_id]: answer.value for answer in self.answers}

    def failed_criteria(self) -> list[Criterion]:
        """The failed mandatory criteria, in grid order."""
        failed = set(self.failed_codes)
        return [c for c in self.version.criteria if c.code in failed]


class AssessmentAnswer(Base):
    """One answer of an assessment; the database checks the value fits the kind."""

    __tablename__ = "assessment_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column()
    criterion_id: Mapped[int] = mapped_column()
    #: Copies of the assessment's version and the criterion's kind, tied by composite
    #: foreign keys, so that the CHECK below can test the value against the kind.
    grid_version_id: Mapped[int] = mapped_column()
    kind: Mapped[CriterionKind] = mapped_column()
    choice: Mapped[Check | None]
    points: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(sa.Text)

    assessment: Mapped[Assessment] = relationship(
        back_populates="answers", foreign_keys=[assessment_id, grid_version_id]
    )
    criterion: Mapped[Criterion] = relationship(
        foreign_keys=[criterion_id, grid_version_id, kind], viewonly=True
    )

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["assessment_id", "grid_version_id"],
            ["assessment.id", "assessment.grid_version_id"],
            ondelete="CASCADE",
            name="fk_assessment_answer_assessment",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id", "grid_version_id", "kind"],
            ["criterion.id", "criterion.version_id", "criterion.kind"],
            ondelete="RESTRICT",
            name="fk_assessment_answer_criterion",
        ),
        sa.UniqueConstraint("assessment_id", "criterion_id"),
        sa.Index("ix_assessment_answer_criterion_id", "criterion_id"),
        sa.CheckConstraint(
            # IS NOT NULL spelled out: a NULL inside IN or >= would let the CHECK pass.
            "(kind = 'mandatory' AND points IS NULL AND text IS NULL"
            " AND choice IS NOT NULL AND choice IN ('pass', 'fail', 'na'))"
            " OR (kind = 'scored' AND choice IS NULL AND text IS NULL"
            " AND points IS NOT NULL AND points >= 0 AND points <= 3)"
            " OR (kind = 'informational' AND choice IS NULL AND points IS NULL"
            " AND text IS NOT NULL)",
            name="value_fits_kind",
        ),
    )

    @property
    def value(self) -> Check | int | str | None:
        """The answer whatever its kind."""
        if self.kind is CriterionKind.MANDATORY:
            return self.choice
        if self.kind is CriterionKind.SCORED:
            return self.points
        return self.text
