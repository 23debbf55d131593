"""Read-only queries of the polling desks: listings and each desk's figures.

Every listing loads what its page shows in a fixed number of queries, whatever the
number of desks, batches or people (no N+1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...budget.models import Round
from ...extensions import db
from ..models import PollingDesk, SignIn, VoteRules
from .models import PaperBatch, PaperKeyedBallot, PaperKeying
from .states import BatchState


@dataclass
class DeskFigures:
    """A desk's paper sign-ins against its paper ballots (PRODUCT.md §4.3).

    ``ballots`` counts every paper ballot in a batch not cancelled (as counted by
    hand, blank and void included); ``valid``/``blank``/``void`` those of settled
    batches; ``deposited`` the valid ones in the ballot box.
    """

    sign_ins: int = 0
    batches: int = 0
    ballots: int = 0
    unsettled_batches: int = 0
    valid: int = 0
    blank: int = 0
    void: int = 0
    deposited: int = 0
    undeposited_batches: int = 0

    @property
    def difference(self) -> int:
        """Paper ballots minus sign-ins: 0 when they match."""
        return self.ballots - self.sign_ins

    @property
    def matches(self) -> bool:
        return self.difference == 0

    @property
    def is_counted(self) -> bool:
        """Every batch is settled (reconciled or deposited)."""
        return self.unsettled_batches == 0

    def add(self, other: DeskFigures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def figures_by_desk(desk_ids: Sequence[int]) -> dict[int, DeskFigures]:
    """The figures of each desk in *desk_ids*, in two grouped queries."""
    out = {desk_id: DeskFigures() for desk_id in desk_ids}
    if not out:
        return out
    sign_ins = db.session.execute(
        sa.select(SignIn.desk_id, sa.func.count())
        .where(SignIn.desk_id.in_(list(out)))
        .group_by(SignIn.desk_id)
    )
    for desk_id, count in sign_ins:
        if desk_id is not None:
            out[desk_id].sign_ins = count
    settled = PaperBatch.state.in_([BatchState.RECONCILED, BatchState.DEPOSITED])
    deposited = PaperBatch.state == BatchState.DEPOSITED

    def total(column: Any) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(column), 0)

    batches = db.session.execute(
        sa.select(
            PaperBatch.desk_id,
            sa.func.count(),
            total(PaperBatch.declared_count),
            total(sa.case((settled, 0), else_=1)),
            total(PaperBatch.valid_count),
            total(PaperBatch.blank_count),
            total(PaperBatch.void_count),
            total(sa.case((deposited, PaperBatch.valid_count), else_=0)),
            total(sa.case((deposited, 0), else_=1)),
        )
        .where(
            PaperBatch.desk_id.in_(list(out)),
            PaperBatch.state != BatchState.CANCELLED,
        )
        .group_by(PaperBatch.desk_id)
    )
    for row in batches:
        figures = out[row[0]]
        (
            figures.batches,
            figures.ballots,
            figures.unsettled_batches,
            figures.valid,
            figures.blank,
            figures.void,
            figures.deposited,
            figures.undeposited_batches,
        ) = (int(value) for value in row[1:])
    return out


def desk_figures(desk: PollingDesk) -> DeskFigures:
    return figures_by_desk([desk.id])[desk.id]


def paper_figures_by_territory(round_id: int) -> dict[int, DeskFigures]:
    """The paper figures of *round_id* summed per QPV (territory id).

    For the results page: paper sign-ins include the voters whose ballot was blank
    or void, which never reach the ballot box; ``blank`` and ``void`` explain the gap.
    """
    desks = db.session.execute(
        sa.select(PollingDesk.id, PollingDesk.territory_id).where(
            PollingDesk.round_id == round_id
        )
    ).all()
    figures = figures_by_desk([desk_id for desk_id, _ in desks])
    out: dict[int, DeskFigures] = {}
    for desk_id, territory_id in desks:
        out.setdefault(territory_id, DeskFigures()).add(figures[desk_id])
    return out


def desks_of_round(round_id: int) -> list[PollingDesk]:
    """The round's desks by day, neighbourhood and place, with their QPV loaded."""
    return list(
        db.session.scalars(
            sa.select(PollingDesk)
            .options(selectinload(PollingDesk.territory))
            .where(PollingDesk.round_id == round_id)
            .order_by(PollingDesk.opens_on, PollingDesk.territory_id, PollingDesk.place)
        )
    )


def paper_rounds() -> list[tuple[Round, int]]:
    """Published rounds voted on paper, latest vote first, with their desk count."""
    desks = (
        sa.select(sa.func.count())
        .where(PollingDesk.round_id == Round.id)
        .correlate(Round)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Round, desks)
        .join(VoteRules, VoteRules.round_id == Round.id)
        .where(Round.published_at.is_not(None), VoteRules.is_paper_enabled.is_(True))
        .order_by(Round.vote_opens_at.desc(), Round.id.desc())
        .limit(50)
    )
    return [(round_, int(count)) for round_, count in rows]


def sign_ins_at(desk: PollingDesk) -> list[SignIn]:
    """The desk's sign-in list, by pseudonym (there is no time to order by)."""
    return list(
        db.session.scalars(
            sa.select(SignIn)
            .join(User, User.id == SignIn.person_id)
            .options(selectinload(SignIn.person))
            .where(SignIn.desk_id == desk.id)
            .order_by(sa.func.lower(User.pseudonym), User.id)
        )
    )


def batches_of(desk: PollingDesk) -> list[PaperBatch]:
    """The desk's batches by number, with their keyings and keyers."""
    return list(
        db.session.scalars(
            sa.select(PaperBatch)
            .options(
                selectinload(PaperBatch.keyings).selectinload(PaperKeying.keyer),
            )
            .where(PaperBatch.desk_id == desk.id)
            .order_by(PaperBatch.number)
        )
    )


def sign_ins_of_people(round_id: int, people: Iterable[User]) -> dict[int, SignIn]:
    """Sign-ins in *round_id* of the listed people (one query), by person id."""
    ids = [p.id for p in people]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(SignIn)
        .options(selectinload(SignIn.desk))
        .where(SignIn.round_id == round_id, SignIn.person_id.in_(ids))
    )
    return {row.person_id: row for row in rows}


def keyed_counts(batch: PaperBatch) -> dict[int, int]:
    """How many ballots each keying of *batch* has keyed so far (keying id → count)."""
    rows = db.session.execute(
        sa.select(PaperKeyedBallot.keying_id, sa.func.count())
        .join(PaperKeying, PaperKeying.id == PaperKeyedBallot.keying_id)
        .where(PaperKeying.batch_id == batch.id)
        .group_by(PaperKeyedBallot.keying_id)
    )
    return {keying_id: count for keying_id, count in rows}
