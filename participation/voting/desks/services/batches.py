"""Paper batches: registering a bundle of a closed desk, cancelling it, depositing it.

A reconciled batch is deposited: each valid ballot through the vote's
``deposit_ballot``, in random order, all in one transaction. Blank and void ballots
stay in the batch's counts (see ``states``) and never reach the box.
"""

from __future__ import annotations

import random
from datetime import datetime

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ....accounts.models import User
from ....budget.models import Envelope
from ....core import audit
from ....core.database import write_lock
from ....core.errors import Conflict, FieldErrors
from ....core.i18n import lazy_gettext as _l
from ....core.time import utcnow
from ....extensions import db
from ... import services as voting
from ...models import PollingDesk, VoteResult
from ...services.permissions import require
from ...states import Channel, ResultState
from ..models import PaperBatch
from ..readings import Reading
from ..states import MAX_BATCH_SIZE, BatchAction, BatchState, Mark
from .desks import count_sign_ins, desk_envelope, paper_rules
from .permissions import can_run_desks
from .reconciliation import final_readings
from .workflow import transition

REASON_MAX_LENGTH = 300


def _result_state(envelope: Envelope) -> ResultState | None:
    return db.session.scalar(
        sa.select(VoteResult.state).where(VoteResult.envelope_id == envelope.id)
    )


def _check_declared_count(declared_count: int | None) -> int:
    if declared_count is None or not 1 <= declared_count <= MAX_BATCH_SIZE:
        raise FieldErrors(
            {
                "declared_count": ngettext(
                    "A batch holds from 1 to %(num)d ballot: make several batches"
                    " for more.",
                    "A batch holds from 1 to %(num)d ballots: make several batches"
                    " for more.",
                    MAX_BATCH_SIZE,
                )
            }
        )
    return declared_count


def create_batch(
    desk: PollingDesk,
    actor: User,
    *,
    declared_count: int | None,
    form_token: str | None = None,
    now: datetime | None = None,
) -> PaperBatch:
    """Register a bundle of *declared_count* paper ballots of the (closed) desk.

    The number is the next one of the desk. The same *form_token* (a double click)
    gives back the batch already made.
    """
    require(can_run_desks(actor), _l("Only relays and staff count paper ballots."))
    now = now or utcnow()
    if form_token:
        existing = db.session.scalar(
            sa.select(PaperBatch).where(PaperBatch.form_token == form_token)
        )
        if existing is not None and existing.desk_id == desk.id:
            return existing
    if desk.is_open:
        raise Conflict(
            _l("Close the desk first: its paper ballots are counted once it is closed.")
        )
    paper_rules(desk.round)
    if _result_state(desk_envelope(desk)) not in (None, ResultState.COMPUTED):
        raise Conflict(
            _l("The result of this vote is certified: no more paper ballots.")
        )
    count = _check_declared_count(declared_count)
    number = (
        db.session.scalar(
            sa.select(sa.func.max(PaperBatch.number)).where(
                PaperBatch.desk_id == desk.id
            )
        )
        or 0
    ) + 1
    batch = PaperBatch(
        desk_id=desk.id,
        number=number,
        declared_count=count,
        form_token=form_token or None,
        created_at=now,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
    except IntegrityError:
        raise Conflict(
            _l("Another batch was registered at the same moment: please try again.")
        ) from None
    audit.record(
        "paper_batch.create",
        actor=actor,
        obj=batch,
        desk_id=desk.id,
        number=number,
        declared_count=count,
    )
    return batch


def cancel_batch(
    batch: PaperBatch, actor: User, reason: str, now: datetime | None = None
) -> None:
    """Cancel a batch not yet in the box (a wrong count, the wrong desk)."""
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= REASON_MAX_LENGTH:
        raise FieldErrors(
            {
                "reason": ngettext(
                    "Say in a few words why (at most %(num)d character).",
                    "Say in a few words why (at most %(num)d characters).",
                    REASON_MAX_LENGTH,
                )
            }
        )
    transition(
        batch,
        BatchAction.CANCEL,
        actor,
        comment=reason,
        now=now,
        values={"cancel_reason": reason},
    )


def _valid_ballots(batch: PaperBatch) -> list[tuple[int, Reading]]:
    """The batch's valid readings, shuffled: nothing in the box follows the paper."""
    valid = [
        (position, reading)
        for position, reading in final_readings(batch).items()
        if reading.mark is Mark.VALID
    ]
    random.SystemRandom().shuffle(valid)
    return valid


def deposited_count(desk: PollingDesk) -> int:
    """How many paper ballots (valid, blank and void) of *desk* are in the box."""
    return (
        db.session.scalar(
            sa.select(sa.func.sum(PaperBatch.declared_count)).where(
                PaperBatch.desk_id == desk.id,
                PaperBatch.state == BatchState.DEPOSITED,
            )
        )
        or 0
    )


def _check_within_sign_ins(batch: PaperBatch) -> None:
    """Refuse a deposit that would put more paper ballots than sign-ins in the box.

    The desk's row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite's write
    lock is already held): two deposits of the same desk at once are checked one
    after the other, so the bound holds whatever the timing.
    """
    desk = db.session.scalar(
        sa.select(PollingDesk)
        .where(PollingDesk.id == batch.desk_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert desk is not None
    db.session.refresh(batch)
    if batch.state is BatchState.DEPOSITED:
        raise Conflict(_l("This batch is already in the ballot box."))
    sign_ins = count_sign_ins(desk)
    already = deposited_count(desk)
    if already + batch.declared_count > sign_ins:
        raise Conflict(
            _l(
                "This desk has %(sign_ins)d paper sign-ins and %(already)d paper"
                " ballots already in the box: the %(count)d ballots of batch"
                " n° %(number)d would exceed them. Check the count of the batch"
                " (or cancel it): nothing was put in the ballot box.",
                sign_ins=sign_ins,
                already=already,
                count=batch.declared_count,
                number=batch.number,
            )
        )


def deposit_batch(batch: PaperBatch, actor: User, now: datetime | None = None) -> int:
    """Put every valid ballot of the reconciled *batch* in the box, all or nothing.

    Each goes through the vote's ``deposit_ballot`` (checked again against the
    frozen rules), in random order. Returns the number of ballots deposited. If any
    is refused, nothing of the batch is in the box (a savepoint) and a Conflict
    says which ballot.
    """
    require(can_run_desks(actor), _l("Only relays and staff deposit paper ballots."))
    now = now or utcnow()
    write_lock()  # before the savepoint: it may start the transaction again
    if batch.state is not BatchState.RECONCILED:
        if batch.state is BatchState.DEPOSITED:
            raise Conflict(_l("This batch is already in the ballot box."))
        raise Conflict(_l("Only a reconciled batch can go in the ballot box."))
    _check_within_sign_ins(batch)
    envelope = desk_envelope(batch.desk)
    valid = _valid_ballots(batch)
    with db.session.begin_nested():
        # The state first: a second click waits here, then finds it deposited.
        transition(batch, BatchAction.DEPOSIT, actor, now=now)
        for position, reading in valid:
            try:
                voting.deposit_ballot(
                    envelope, reading.pairs, channel=Channel.PAPER, now=now
                )
            except FieldErrors as invalid:
                raise Conflict(
                    _l(
                        "Ballot n° %(n)d of this batch no longer fits the rules of the"
                        " vote (%(message)s): nothing was put in the ballot box.",
                        n=position,
                        message=str(invalid.message),
                    )
                ) from None
    return len(valid)
