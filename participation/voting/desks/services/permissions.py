"""Who may run desks, key, settle and deposit: the desks' permission predicates.

Views refuse with them, templates hide buttons with them, and every service checks
them again before writing.
"""

from __future__ import annotations

from typing import Any

from ....core.permissions import is_relay, is_staff
from ...models import PollingDesk
from ..models import PaperBatch
from ..states import KEYING_STATES, TRANSITIONS, BatchAction, BatchState


def can_run_desks(user: Any) -> bool:
    """Relays and staff open desks, sign voters in and key paper ballots."""
    return is_relay(user)


def can_close_desk(user: Any, desk: PollingDesk) -> bool:
    return can_run_desks(user) and desk.is_open


def can_sign_in_at(user: Any, desk: PollingDesk) -> bool:
    """A closed desk refuses new sign-ins."""
    return can_run_desks(user) and desk.is_open


def can_create_batch(user: Any, desk: PollingDesk) -> bool:
    """The count starts once the desk is closed, as in a French bureau de vote."""
    return can_run_desks(user) and not desk.is_open


def _user_id(user: Any) -> int | None:
    return getattr(user, "id", None)


def can_key(user: Any, batch: PaperBatch) -> bool:
    """Start or go on with a pass: never both passes of one batch."""
    if not can_run_desks(user) or batch.state not in KEYING_STATES:
        return False
    mine = batch.keying_of(_user_id(user))
    if mine is not None:
        return not mine.is_finished
    return len(batch.keyings) < 2


def is_keyer_of(user: Any, batch: PaperBatch) -> bool:
    return batch.keying_of(_user_id(user)) is not None


def can_resolve(user: Any, batch: PaperBatch) -> bool:
    """Settle differences: a third person (staff or relay) who keyed neither pass."""
    if batch.state is not BatchState.SECOND_KEYED:
        return False
    return can_run_desks(user) and not is_keyer_of(user, batch)


def can_view_mismatches(user: Any, batch: PaperBatch) -> bool:
    """The two readings are shown once both passes are finished."""
    return can_run_desks(user) and batch.state in (
        BatchState.SECOND_KEYED,
        BatchState.RECONCILED,
        BatchState.DEPOSITED,
    )


def can_perform(user: Any, batch: PaperBatch, action: BatchAction) -> bool:
    """*action* is legal now and *user* may do it (role level; services add rules)."""
    if (batch.state, action) not in TRANSITIONS or not can_run_desks(user):
        return False
    if action is BatchAction.CANCEL:
        # Staff cancel any batch not yet in the box; the relay who made a batch can
        # withdraw it while nobody has finished keying it (a wrong count).
        return is_staff(user) or (
            batch.state is BatchState.OPEN
            and batch.created_by_id is not None
            and batch.created_by_id == _user_id(user)
        )
    return True


def can_deposit(user: Any, batch: PaperBatch) -> bool:
    return can_perform(user, batch, BatchAction.DEPOSIT)


def can_cancel(user: Any, batch: PaperBatch) -> bool:
    return can_perform(user, batch, BatchAction.CANCEL)


def can_reconcile(user: Any, batch: PaperBatch) -> bool:
    return can_perform(user, batch, BatchAction.RECONCILE)
