"""Keying: two different people key every ballot of a batch, each blind to the other.

Finishing the second pass reconciles the batch at once when the two keyings agree
everywhere; otherwise its differences wait for a third person (``reconciliation``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ....accounts.models import User
from ....core import audit
from ....core.errors import Conflict, FieldErrors, PermissionDenied
from ....core.i18n import lazy_gettext as _l
from ....core.time import utcnow
from ....extensions import db
from ...services.permissions import require
from ..models import PaperBatch, PaperKeyedBallot, PaperKeying
from ..readings import Reading, ReadingInvalid, Typed, read_ballot
from ..states import KEYING_STATES, BatchAction, BatchState
from .desks import BallotContext
from .permissions import can_run_desks
from .reconciliation import mismatches, readings_of, settle
from .workflow import transition

_ONLY_DESKS = _l("Only relays and staff key paper ballots.")


def start_keying(
    batch: PaperBatch, actor: User, now: datetime | None = None
) -> PaperKeying:
    """Take the next pass of *batch* for *actor*, or give back the one they have.

    The database refuses a second keying of the same batch by the same person
    (UNIQUE batch, keyer) and a third pass (UNIQUE batch, pass).
    """
    require(can_run_desks(actor), _ONLY_DESKS)
    now = now or utcnow()
    mine = batch.keying_of(actor.id)
    if mine is not None:
        if mine.is_finished:
            raise PermissionDenied(
                _l(
                    "You keyed pass %(n)d of this batch: the other pass must be keyed"
                    " by another person.",
                    n=mine.pass_number,
                )
            )
        return mine
    if batch.state not in KEYING_STATES:
        raise Conflict(_l("This batch is no longer being keyed."))
    taken = {k.pass_number for k in batch.keyings}
    if len(taken) >= 2:
        raise Conflict(_l("Two people are already keying this batch."))
    keying = PaperKeying(
        batch_id=batch.id,
        pass_number=1 if 1 not in taken else 2,
        keyer_id=actor.id,
        started_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(keying)
    except IntegrityError:
        raise Conflict(
            _l("Someone took this pass a moment ago: reload the page.")
        ) from None
    db.session.refresh(batch)
    audit.record(
        "paper_keying.start",
        actor=actor,
        obj=keying,
        batch_id=batch.id,
        pass_number=keying.pass_number,
    )
    return keying


def _check_keyer(keying: PaperKeying, actor: User) -> None:
    require(can_run_desks(actor), _ONLY_DESKS)
    if keying.keyer_id != actor.id:
        raise PermissionDenied(_l("Only the person keying this pass can change it."))
    if keying.is_finished:
        raise Conflict(_l("This keying is finished: it can no longer change."))
    if keying.batch.state not in KEYING_STATES:
        raise Conflict(_l("This batch is no longer being keyed."))


def _read_grid(
    batch: PaperBatch, typed: Mapping[int, Typed], context: BallotContext
) -> dict[int, Reading | None]:
    """Every typed position read and checked; FieldErrors naming the wrong ones."""
    errors: dict[str, str] = {}
    readings: dict[int, Reading | None] = {}
    for position, entry in sorted(typed.items()):
        if not 1 <= position <= batch.declared_count:
            errors[f"b{position}_choices"] = str(
                _l("This batch has no ballot with this number.")
            )
            continue
        try:
            readings[position] = read_ballot(
                entry.choices, entry.mark, context.sheet, context.numbers
            )
        except ReadingInvalid as invalid:
            errors[f"b{position}_choices"] = str(invalid.message)
    if errors:
        raise FieldErrors(errors)
    return readings


def save_readings(
    keying: PaperKeying,
    actor: User,
    typed: Mapping[int, Typed],
    context: BallotContext | None = None,
) -> int:
    """Record what *actor* typed for the positions in *typed* (all or nothing).

    A position left empty is not keyed yet (its earlier reading is removed).
    Raises FieldErrors with a message per wrong position (field ``b<n>_choices``);
    returns how many positions of the keying are keyed now.
    """
    _check_keyer(keying, actor)
    batch = keying.batch
    readings = _read_grid(batch, typed, context or BallotContext.of(batch.desk))
    if readings:
        db.session.execute(
            sa.delete(PaperKeyedBallot)
            .where(
                PaperKeyedBallot.keying_id == keying.id,
                PaperKeyedBallot.position.in_(list(readings)),
            )
            .execution_options(synchronize_session=False)
        )
        rows = [
            {
                "keying_id": keying.id,
                "position": position,
                "mark": reading.mark,
                "choices": reading.choices,
                "void_reason": reading.void_reason,
            }
            for position, reading in readings.items()
            if reading is not None
        ]
        if rows:
            db.session.execute(sa.insert(PaperKeyedBallot), rows)
        db.session.expire(keying, ["ballots"])
    return keyed_count(keying)


def keyed_count(keying: PaperKeying) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PaperKeyedBallot)
            .where(PaperKeyedBallot.keying_id == keying.id)
        )
        or 0
    )


def finish_keying(
    keying: PaperKeying, actor: User, now: datetime | None = None
) -> BatchState:
    """Close *actor*'s pass once every ballot of the batch is keyed.

    After the second pass, a batch whose two keyings agree everywhere is
    reconciled at once; otherwise its differences wait for a third person.
    """
    _check_keyer(keying, actor)
    now = now or utcnow()
    batch = keying.batch
    keyed = set(readings_of(keying))
    missing = [p for p in range(1, batch.declared_count + 1) if p not in keyed]
    if missing:
        shown = ", ".join(str(p) for p in missing[:10])
        raise Conflict(
            ngettext(
                "%(num)d ballot is not keyed yet (n° %(numbers)s): key every"
                " ballot of the batch before finishing.",
                "%(num)d ballots are not keyed yet (n° %(numbers)s): key every"
                " ballot of the batch before finishing.",
                len(missing),
                numbers=shown + (", …" if len(missing) > 10 else ""),
            )
        )
    keying.entered_at = now
    db.session.flush()
    audit.record(
        "paper_keying.finish",
        actor=actor,
        obj=keying,
        batch_id=batch.id,
        pass_number=keying.pass_number,
    )
    state = transition(batch, BatchAction.FINISH_KEYING, actor, now=now)
    if state is BatchState.SECOND_KEYED and not mismatches(batch):
        settle(
            batch,
            actor,
            now,
            comment=str(_l("The two keyings agree on every ballot.")),
        )
    return batch.state


@dataclass(frozen=True)
class KeyingSaved:
    """What saving a keying grid did: how many ballots are keyed, the batch's state
    when the keyer also finished their pass (None otherwise)."""

    keyed: int
    finished: BatchState | None


def key_ballots(
    keying: PaperKeying,
    actor: User,
    typed: Mapping[int, Typed],
    *,
    finish: bool,
    context: BallotContext | None = None,
) -> KeyingSaved:
    """Save the keying grid, then finish the pass when *finish* (the grid's buttons)."""
    keyed = save_readings(keying, actor, typed, context)
    return KeyingSaved(keyed, finish_keying(keying, actor) if finish else None)
