"""The follow-up of a transferred idea: its own small workflow and history.

The idea workflow's TRANSFER sends the idea to the competent service
(:func:`send_to_service`: the follow-up starts at "sent"); staff then record what
the service reports with :func:`update_transfer`, through the applier and the
table ``states.TRANSFER_TRANSITIONS``. The public idea page shows the history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...core.actors import Actor, actor_id, is_system
from ...core.errors import Conflict, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_staff
from ...core.time import utcnow
from ...core.workflow import Workflow, apply_transition
from ..models import Idea, IdeaTransferChange
from ..states import TRANSFER_TRANSITIONS, IdeaState, TransferAction, TransferStatus
from .notifications import notify_transfer

#: Longest name of a competent service (the column's size).
SERVICE_NAME_LENGTH = 120


def can_follow_up_transfer(user: Any, idea: Idea, action: Any = None) -> bool:
    """Staff record the follow-up of a transferred idea."""
    return is_staff(user)


#: The follow-up workflow for the applier (audit entries ``idea_transfer.<action>``).
TRANSFER_WORKFLOW: Workflow[TransferStatus, TransferAction] = Workflow(
    name="idea_transfer",
    transitions=TRANSFER_TRANSITIONS,
    history=IdeaTransferChange,
    history_attr="transfer_history",
    state_attr="transfer_status",
    changed_at_attr="transfer_status_at",
    permission=can_follow_up_transfer,
)


def send_to_service(idea: Idea, service: str, actor: Actor, now: datetime) -> None:
    """Start the follow-up of *idea*, just transferred to *service* (at "sent").

    Entering the follow-up is its first state, the way a new idea is a draft: it
    is no transition of the table. A new transfer (after the review was reopened)
    starts a new follow-up; the earlier one stays in the history. Called by the
    idea workflow's TRANSFER, whose audit entry records it.
    """
    previous = idea.transfer_status
    idea.transfer_service = service.strip()[:SERVICE_NAME_LENGTH]
    idea.transfer_status = TransferStatus.SENT
    idea.transfer_status_at = now
    idea.transfer_history.append(
        IdeaTransferChange(
            action=TransferAction.SEND,
            from_state=previous,
            to_state=TransferStatus.SENT,
            actor_id=actor_id(actor),
            changed_at=now,
        )
    )


def transfer_actions(idea: Idea) -> list[TransferAction]:
    """What staff may record next for *idea* (empty when it is not transferred)."""
    if idea.state is not IdeaState.TRANSFERRED or idea.transfer_status is None:
        return []
    return TRANSFER_WORKFLOW.actions_from(idea.transfer_status)


def update_transfer(
    idea: Idea,
    action: TransferAction,
    actor: Actor,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> TransferStatus:
    """Record what the competent service reported (staff, or the system).

    :raises PermissionDenied: the actor is not staff.
    :raises Conflict: the idea is not transferred, or the follow-up cannot go there.
    """
    if not (is_system(actor) or can_follow_up_transfer(actor, idea)):
        raise PermissionDenied(_l("Only staff can do this."))
    if idea.state is not IdeaState.TRANSFERRED or idea.transfer_status is None:
        raise Conflict(_l("This idea was not transferred."))
    comment = (comment or "").strip() or None
    status = apply_transition(
        TRANSFER_WORKFLOW, idea, action, actor, comment=comment, now=now or utcnow()
    )
    notify_transfer(idea, comment)
    return status
