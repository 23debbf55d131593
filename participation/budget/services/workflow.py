"""The idea workflow: its one transition service, ``transition()``.

Every change of an idea's state goes through :func:`transition` (review decisions,
moderation, vote results, the demo): it checks who may act and when, runs the
action's own checks and side effects, then lets ``core.workflow.apply_transition``
set the state, stamp the dates, write the public history and the audit entry,
and finally tells the author.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...core.actors import Actor
from ...core.errors import FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.i18n import money
from ...core.time import utcnow
from ...core.workflow import Workflow, apply_transition
from ..models import Idea, IdeaCoAuthor, IdeaStateChange
from ..states import MERGE_TARGET_STATES, TRANSITIONS, IdeaAction, IdeaState
from .notifications import notify_author
from .permissions import check_can_perform, may_take
from .transfer import send_to_service

A = IdeaAction

#: The idea workflow for the applier: table, history rows, dates, permission.
IDEA_WORKFLOW: Workflow[IdeaState, IdeaAction] = Workflow(
    name="idea",
    transitions=TRANSITIONS,
    history=IdeaStateChange,
    stamps={
        A.SUBMIT: "submitted_at",
        A.RETAIN: "decided_at",
        A.DECLARE_INELIGIBLE: "decided_at",
        A.TRANSFER: "decided_at",
        A.MERGE: "decided_at",
    },
    permission=may_take,
)

#: Decisions whose comment becomes the idea's public reason.
_PUBLIC_REASON = frozenset({A.RETAIN, A.DECLARE_INELIGIBLE, A.TRANSFER})


@dataclass(frozen=True)
class Arguments:
    """What an action may take besides the actor (see :func:`transition`)."""

    comment: str | None = None
    final_cost: Decimal | None = None
    transfer_service: str | None = None
    into: Idea | None = None


def _check_submission_complete(idea: Idea, args: Arguments) -> None:
    errors: dict[str, Any] = {}
    if idea.territory_id is None:
        errors["territory_id"] = _l("Choose the neighbourhood of your idea.")
    if not idea.description.strip():
        errors["description"] = _l("Describe your idea.")
    if idea.accepted_rules_at is None:
        errors["accepted_rules"] = _l(
            "You must accept the rules of the round to submit."
        )
    if errors:
        raise FieldErrors(errors)


def _retain(idea: Idea, args: Arguments) -> None:
    cost = (
        args.final_cost
        if args.final_cost is not None
        else idea.final_cost or idea.estimated_cost
    )
    round_ = idea.round
    if cost is None:
        raise FieldErrors({"final_cost": _l("Give the final cost of the project.")})
    if not round_.min_cost <= cost <= round_.max_cost:
        raise FieldErrors(
            {
                "final_cost": _l(
                    "The cost must be between %(min)s and %(max)s.",
                    min=money(round_.min_cost),
                    max=money(round_.max_cost),
                )
            }
        )
    idea.final_cost = cost


def _declare_ineligible(idea: Idea, args: Arguments) -> None:
    if args.comment is None:
        raise FieldErrors(
            {"comment": _l("Explain publicly why the idea is ineligible.")}
        )


def _transfer(idea: Idea, args: Arguments) -> None:
    if not (args.transfer_service or "").strip():
        raise FieldErrors({"transfer_service": _l("Name the competent service.")})


def _merge(idea: Idea, args: Arguments) -> None:
    target = args.into
    if target is None:
        raise FieldErrors({"into": _l("Choose the idea to merge into.")})
    if target.id == idea.id:
        raise FieldErrors({"into": _l("An idea cannot be merged into itself.")})
    if target.round_id != idea.round_id or target.territory_id != idea.territory_id:
        raise FieldErrors(
            {"into": _l("Merge only ideas of the same round and neighbourhood.")}
        )
    if target.state not in MERGE_TARGET_STATES:
        raise FieldErrors(
            {"into": _l("This idea cannot receive a merge in its state.")}
        )
    # The target keeps every author: the original's author and its co-authors.
    present = {target.author_id} | {c.user_id for c in target.co_authors}
    authors: list[tuple[int, datetime | None]] = [(idea.author_id, utcnow())]
    authors += [(c.user_id, c.accepted_at) for c in idea.co_authors]
    for user_id, accepted_at in authors:
        if user_id not in present:
            target.co_authors.append(
                IdeaCoAuthor(
                    user_id=user_id,
                    merged_from_idea_id=idea.id,
                    accepted_at=accepted_at,
                )
            )
            present.add(user_id)
    if not target.association_name and idea.association_name:
        target.association_name = idea.association_name
    idea.merged_into = target


def _hide(idea: Idea, args: Arguments) -> None:
    if args.comment is None:
        raise FieldErrors(
            {"comment": _l("Give the public reason for hiding the idea.")}
        )
    idea.hidden_reason = args.comment


def _unhide(idea: Idea, args: Arguments) -> None:
    idea.hidden_reason = None


def _reopen(idea: Idea, args: Arguments) -> None:
    idea.public_reason = None


#: Each action's own checks and changes, run before the state moves.
_STEPS: dict[IdeaAction, Callable[[Idea, Arguments], None]] = {
    A.SUBMIT: _check_submission_complete,
    A.RETAIN: _retain,
    A.DECLARE_INELIGIBLE: _declare_ineligible,
    A.TRANSFER: _transfer,
    A.MERGE: _merge,
    A.HIDE: _hide,
    A.UNHIDE: _unhide,
    A.REOPEN: _reopen,
}


def transition(
    idea: Idea,
    action: IdeaAction,
    actor: Actor,
    *,
    comment: str | None = None,
    final_cost: Decimal | None = None,
    transfer_service: str | None = None,
    into: Idea | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Apply *action* to *idea*: the one place that changes an idea's state.

    Checks the transition table, the actor's rights and the round's phase, runs
    the action's checks, applies the transition (state, dates, public history,
    audit) and notifies the author by e-mail in their language.

    - ``RETAIN`` needs ``final_cost`` (or an estimate) within the round's bounds;
    - ``DECLARE_INELIGIBLE`` and ``HIDE`` need a public ``comment`` (the reason);
    - ``TRANSFER`` needs ``transfer_service``, and starts its follow-up;
    - ``MERGE`` needs ``into``, an idea of the same round and QPV.

    :raises PermissionDenied: the actor may not do this.
    :raises Conflict: the state or the phase does not allow it.
    :raises FieldErrors: a required field is missing or wrong.
    """
    now = now or utcnow()
    check_can_perform(idea, action, actor, now)
    args = Arguments(
        comment=(comment or "").strip() or None,
        final_cost=final_cost,
        transfer_service=transfer_service,
        into=into,
    )
    step = _STEPS.get(action)
    if step is not None:
        step(idea, args)
    if action in _PUBLIC_REASON:
        idea.public_reason = args.comment
    old_state = idea.state
    new_state = apply_transition(
        IDEA_WORKFLOW,
        idea,
        action,
        actor,
        comment=args.comment,
        now=now,
        audit_details={
            "final_cost": str(idea.final_cost) if action is A.RETAIN else None,
            "into": args.into.id if action is A.MERGE and args.into else None,
        },
    )
    if action is A.TRANSFER:
        send_to_service(idea, str(args.transfer_service), actor, now)
    if old_state is not IdeaState.DRAFT or action is A.SUBMIT:
        notify_author(idea, action, args.comment)
    return new_state
