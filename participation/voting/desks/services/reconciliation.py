"""Reconciliation: where the two keyings of a batch differ, and how it is settled.

A third person (staff or relay) who keyed neither pass settles each difference with
the paper in hand; once all are settled the batch is reconciled, its counts fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext

from ....accounts.models import User
from ....core import audit
from ....core.errors import Conflict, PermissionDenied
from ....core.i18n import lazy_gettext as _l
from ....core.time import utcnow
from ....extensions import db
from ...services.permissions import require
from ..models import PaperBatch, PaperKeyedBallot, PaperKeying, PaperResolution
from ..readings import Reading, ReadingInvalid, Typed, read_ballot
from ..states import BatchAction, BatchState, Mark
from .desks import BallotContext
from .permissions import can_resolve, can_run_desks
from .workflow import transition


def reading_of(row: PaperKeyedBallot | PaperResolution) -> Reading:
    return Reading(mark=row.mark, choices=row.choices, void_reason=row.void_reason)


def readings_of(keying: PaperKeying) -> dict[int, Reading]:
    rows = db.session.scalars(
        sa.select(PaperKeyedBallot).where(PaperKeyedBallot.keying_id == keying.id)
    )
    return {row.position: reading_of(row) for row in rows}


def resolutions_of(batch: PaperBatch) -> dict[int, Reading]:
    rows = db.session.scalars(
        sa.select(PaperResolution).where(PaperResolution.batch_id == batch.id)
    )
    return {row.position: reading_of(row) for row in rows}


@dataclass(frozen=True)
class Mismatch:
    """A position where the two keyings differ, and what was settled (if so)."""

    position: int
    first: Reading | None
    second: Reading | None
    settled: Reading | None

    @property
    def is_resolved(self) -> bool:
        return self.settled is not None


def _passes(batch: PaperBatch) -> tuple[dict[int, Reading], dict[int, Reading]]:
    """The readings of pass 1 and pass 2, once both are finished."""
    keyings = sorted(batch.keyings, key=lambda k: k.pass_number)
    if len(keyings) != 2 or not all(k.is_finished for k in keyings):
        raise Conflict(_l("Both keyings of this batch must be finished first."))
    return readings_of(keyings[0]), readings_of(keyings[1])


def mismatches(batch: PaperBatch) -> list[Mismatch]:
    """Every position where pass 1 and pass 2 read different ballots."""
    one, two = _passes(batch)
    settled = resolutions_of(batch)
    out = []
    for position in range(1, batch.declared_count + 1):
        a, b = one.get(position), two.get(position)
        if a is None or b is None or a.key != b.key:
            out.append(Mismatch(position, a, b, settled.get(position)))
    return out


def final_readings(batch: PaperBatch) -> dict[int, Reading]:
    """The reading of every position: the agreed one, or the one settled."""
    one, two = _passes(batch)
    settled = resolutions_of(batch)
    out: dict[int, Reading] = {}
    for position in range(1, batch.declared_count + 1):
        a, b = one.get(position), two.get(position)
        if position in settled:
            out[position] = settled[position]
        elif a is not None and b is not None and a.key == b.key:
            out[position] = a
        else:
            raise Conflict(
                _l(
                    "Ballot n° %(n)d still has two different readings:"
                    " settle it first.",
                    n=position,
                )
            )
    return out


def _chosen_reading(
    batch: PaperBatch,
    mismatch: Mismatch,
    source: str,
    typed: Typed | None,
    context: BallotContext | None,
) -> Reading:
    """The reading *source* names: pass 1's, pass 2's, or the one typed now."""
    reading: Reading | None = None
    if source == "first":
        reading = mismatch.first
    elif source == "second":
        reading = mismatch.second
    elif source == "other":
        context = context or BallotContext.of(batch.desk)
        entry = typed or Typed()
        reading = read_ballot(entry.choices, entry.mark, context.sheet, context.numbers)
        if reading is None:
            raise ReadingInvalid(
                [_l("Type the projects read on the paper, or choose blank or void.")]
            )
    if reading is None:  # an unknown source (both passes are complete)
        raise ReadingInvalid([_l("Choose one of the readings.")], field="source")
    return reading


def resolve_position(
    batch: PaperBatch,
    position: int,
    actor: User,
    *,
    source: str,
    typed: Typed | None = None,
    context: BallotContext | None = None,
    now: datetime | None = None,
) -> Reading:
    """Settle the ballot at *position*: pass 1's reading, pass 2's, or another one.

    *source* is ``first``, ``second`` or ``other`` (then *typed* is what the third
    person read on the paper, checked like any keyed ballot). Can be changed until
    the batch is reconciled.
    """
    if not can_resolve(actor, batch):
        if batch.state is not BatchState.SECOND_KEYED:
            raise Conflict(_l("This batch has no differences to settle now."))
        raise PermissionDenied(
            _l(
                "Differences are settled by a third person, not by someone who"
                " keyed the batch."
            )
        )
    now = now or utcnow()
    mismatch = next((m for m in mismatches(batch) if m.position == position), None)
    if mismatch is None:
        raise Conflict(_l("The two keyings agree on this ballot: nothing to settle."))
    reading = _chosen_reading(batch, mismatch, source, typed, context)
    row = db.session.scalar(
        sa.select(PaperResolution).where(
            PaperResolution.batch_id == batch.id, PaperResolution.position == position
        )
    )
    if row is None:
        row = PaperResolution(batch_id=batch.id, position=position)
        db.session.add(row)
    row.mark = reading.mark
    row.choices = reading.choices
    row.void_reason = reading.void_reason
    row.resolved_by_id = actor.id
    row.resolved_at = now
    db.session.flush()
    audit.record(
        "paper_batch.resolve",
        actor=actor,
        obj=batch,
        position=position,
        source=source,
    )
    return reading


def settle(
    batch: PaperBatch, actor: User, now: datetime, comment: str | None = None
) -> None:
    """Reconcile *batch*: its final readings give the valid, blank and void counts."""
    counts = {mark: 0 for mark in Mark}
    for reading in final_readings(batch).values():
        counts[reading.mark] += 1
    transition(
        batch,
        BatchAction.RECONCILE,
        actor,
        comment=comment,
        now=now,
        values={
            "valid_count": counts[Mark.VALID],
            "blank_count": counts[Mark.BLANK],
            "void_count": counts[Mark.VOID],
        },
    )


def reconcile_batch(
    batch: PaperBatch, actor: User, now: datetime | None = None
) -> None:
    """Fix the batch's readings once every difference is settled."""
    require(can_run_desks(actor), _l("Only relays and staff reconcile batches."))
    now = now or utcnow()
    if batch.state is not BatchState.SECOND_KEYED:
        raise Conflict(_l("This is not possible in the batch's current state."))
    left = [m.position for m in mismatches(batch) if not m.is_resolved]
    if left:
        raise Conflict(
            ngettext(
                "%(num)d difference still to settle (ballot n° %(numbers)s).",
                "%(num)d differences still to settle (ballots n° %(numbers)s).",
                len(left),
                numbers=", ".join(str(p) for p in left[:10]),
            )
        )
    settle(batch, actor, now)


def describe(
    reading: Reading | None, titles: Mapping[int, str], numbers: Mapping[int, int]
) -> str:
    """A reading in words for staff: each project by its ballot number and title.

    *titles* and *numbers* are by idea id (``BallotContext.titles``/``numbers``).
    """
    if reading is None:
        return str(_l("Not keyed"))
    if reading.mark is Mark.BLANK:
        return str(_l("Blank"))
    if reading.mark is Mark.VOID:
        reason = reading.void_reason.label if reading.void_reason else ""
        return str(_l("Void: %(reason)s", reason=reason))
    parts = []
    pairs = sorted(reading.pairs, key=lambda pair: numbers.get(pair[0], 0))
    for idea_id, points in pairs:
        title = titles.get(idea_id, "")
        number = numbers.get(idea_id)
        if number is None:  # a project that left the ballot since: its title only
            parts.append(title)
        elif reading.is_plain:
            parts.append(str(_l("n° %(n)d %(title)s", n=number, title=title)))
        else:
            parts.append(
                ngettext(
                    "n° %(n)d %(title)s: %(num)d point",
                    "n° %(n)d %(title)s: %(num)d points",
                    points,
                    n=number,
                    title=title,
                )
            )
    return "; ".join(parts)
