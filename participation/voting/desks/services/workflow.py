"""The paper batch's workflow: every change of its state goes through here.

``transition`` locks the batch's row, checks that nobody moved it since it was read,
then lets ``core.workflow.apply_transition`` check the table and the permission, set
the state and its date, write the history row and the audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ....accounts.models import User
from ....core.database import write_lock
from ....core.errors import Conflict
from ....core.i18n import lazy_gettext as _l
from ....core.time import utcnow
from ....core.workflow import Workflow, apply_transition
from ....extensions import db
from ...services.permissions import require
from ..models import PaperBatch, PaperBatchStateChange
from ..states import TRANSITIONS, BatchAction, BatchState
from .permissions import can_perform

#: The batch's workflow: the table, the history rows, the per-action dates.
BATCH_WORKFLOW: Workflow[BatchState, BatchAction] = Workflow(
    name="paper_batch",
    transitions=TRANSITIONS,
    history=PaperBatchStateChange,
    changed_at_attr=None,
    stamps={
        BatchAction.RECONCILE: "reconciled_at",
        BatchAction.DEPOSIT: "deposited_at",
        BatchAction.CANCEL: "cancelled_at",
    },
    permission=can_perform,
)


def lock_batch(batch: PaperBatch) -> BatchState:
    """Re-read *batch* under a row lock (and SQLite's write lock); its state then.

    Raises Conflict when the state differs from the one the caller read: someone
    moved the batch in between (two clicks on "deposit" at the same instant).
    """
    seen = batch.state
    write_lock()
    db.session.refresh(batch, with_for_update=True)
    if batch.state is not seen:
        raise Conflict(
            _l("Someone changed this batch a moment ago: reload the page and check.")
        )
    return seen


def transition(
    batch: PaperBatch,
    action: BatchAction,
    actor: User,
    *,
    comment: str | None = None,
    now: datetime | None = None,
    values: Mapping[str, Any] | None = None,
) -> BatchState:
    """Apply *action* to *batch*; *values* are other columns set with the state
    (the settled counts, the reason of a cancellation)."""
    state = lock_batch(batch)
    if not BATCH_WORKFLOW.allows(state, action):
        raise Conflict(_l("This is not possible in the batch's current state."))
    require(can_perform(actor, batch, action), _l("You cannot do this to this batch."))
    for name, value in (values or {}).items():
        setattr(batch, name, value)
    return apply_transition(
        BATCH_WORKFLOW,
        batch,
        action,
        actor,
        comment=comment,
        now=now or utcnow(),
        audit_details={"desk_id": batch.desk_id, "number": batch.number},
    )
