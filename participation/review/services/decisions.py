"""Staff decisions on a reviewed idea, each through ``budget.services.transition``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ...budget import services as budget
from ...budget.models import Idea
from ...budget.states import IdeaAction, IdeaState
from ...core.actors import Actor
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...eligibility.states import Outcome
from ...extensions import db
from ..models import IdeaReview
from .permissions import require_staff
from .starting import review_of

#: Competent services an idea can be transferred to: code -> label for staff.
#: The stored name is the service's usual French name (it is a proper name).
TRANSFER_SERVICES: dict[str, tuple[Any, str]] = {
    "voirie": (_l("Roads (voirie)"), "Voirie"),
    "proprete": (_l("Street cleaning (propreté)"), "Propreté urbaine"),
    "bailleur": (_l("Social housing landlord (bailleur)"), "Bailleur social"),
    "gup": (
        _l("Local urban management (GUP)"),
        "Gestion urbaine de proximité (GUP)",
    ),
}
#: Code of the "another service" choice, whose name staff type.
OTHER_SERVICE = "other"


def _submitted_review(idea: Idea) -> IdeaReview:
    review = review_of(idea)
    if review is None or not review.is_done:
        raise Conflict(_l("The review of this idea has not been handed in yet."))
    return review


def retain(
    idea: Idea,
    actor: Actor,
    *,
    final_cost: Decimal | None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Retain the idea for the vote with its final cost (within the round's bounds)."""
    require_staff(actor)
    review = _submitted_review(idea)
    if (
        review.assessment is not None
        and review.assessment.outcome is Outcome.INELIGIBLE
    ):
        raise FieldErrors(
            {
                "final_cost": _l(
                    "The grid found the idea ineligible: reopen the review "
                    "or declare it ineligible."
                )
            }
        )
    if final_cost is None:
        raise FieldErrors({"final_cost": _l("Give the final cost of the project.")})
    return budget.transition(
        idea, IdeaAction.RETAIN, actor, final_cost=final_cost, comment=comment, now=now
    )


def declare_ineligible(
    idea: Idea, actor: Actor, *, comment: str | None, now: datetime | None = None
) -> IdeaState:
    """Declare the idea ineligible; the failed criteria and *comment* are published."""
    require_staff(actor)
    _submitted_review(idea)
    return budget.transition(
        idea, IdeaAction.DECLARE_INELIGIBLE, actor, comment=comment, now=now
    )


def transfer_service_name(code: str, other_name: str | None) -> str:
    """The name stored for a transfer: a known service, or the one staff typed."""
    if code in TRANSFER_SERVICES:
        return TRANSFER_SERVICES[code][1]
    if code == OTHER_SERVICE:
        name = (other_name or "").strip()
        if not name:
            raise FieldErrors({"other_service": _l("Name the competent service.")})
        if len(name) > 120:
            raise FieldErrors(
                {"other_service": _l("The name is too long (120 characters at most).")}
            )
        return name
    raise FieldErrors({"transfer_service": _l("Choose the competent service.")})


def transfer(
    idea: Idea,
    actor: Actor,
    *,
    service: str,
    other_name: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Send the idea to the competent service (its follow-up is updated later)."""
    require_staff(actor)
    name = transfer_service_name(service, other_name)
    return budget.transition(
        idea,
        IdeaAction.TRANSFER,
        actor,
        transfer_service=name,
        comment=comment,
        now=now,
    )


def merge(
    idea: Idea,
    actor: Actor,
    *,
    into_id: int | None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Merge the idea into another of its round and QPV (budget keeps the authors)."""
    require_staff(actor)
    target = db.session.get(Idea, into_id) if into_id is not None else None
    return budget.transition(
        idea, IdeaAction.MERGE, actor, into=target, comment=comment, now=now
    )


def reopen(idea: Idea, actor: Actor, *, now: datetime | None = None) -> IdeaState:
    """Take a decision back (before the vote): the idea is under review again."""
    require_staff(actor)
    return budget.transition(idea, IdeaAction.REOPEN, actor, now=now)
