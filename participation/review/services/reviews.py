"""The reviewer's form: answers to the grid, costs, domanialité, the justification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...accounts.models import User
from ...budget.states import IdeaState
from ...core import audit
from ...core.errors import Conflict, FieldErrors, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...eligibility import services as eligibility
from ...eligibility.evaluate import AnswerValue, Result
from ...eligibility.models import GridVersion
from ...eligibility.states import CriterionKind
from ...extensions import db
from ..models import IdeaReview
from .permissions import can_fill_review
from .starting import grid_version_of

#: Subject type of the assessments made by the review.
SUBJECT_TYPE = "idea"


def criterion_field(code: str) -> str:
    """Name of the form field (and error key) of a criterion's answer."""
    return f"criterion_{code}"


@dataclass
class ReviewData:
    """What a reviewer enters (the view unpacks its form into this)."""

    answers: dict[str, AnswerValue] = field(default_factory=dict)
    cost_estimate: Decimal | None = None
    feasibility_note: str = ""
    land_owner: str = ""
    land_maintainer: str = ""
    public_justification: str = ""


def _check_review(version: GridVersion, data: ReviewData, *, submit: bool) -> None:
    """Raise FieldErrors with every problem (*submit*: handing in, not a draft)."""
    errors: dict[str, Any] = {}
    if data.cost_estimate is not None and data.cost_estimate < 0:
        errors["cost_estimate"] = _l("The cost cannot be negative.")
    if submit:
        for criterion in version.criteria:
            if criterion.kind is CriterionKind.INFORMATIONAL:
                continue
            if data.answers.get(criterion.code) is None:
                errors[criterion_field(criterion.code)] = _l(
                    "Answer this criterion before handing in the review."
                )
        if data.cost_estimate is None:
            errors["cost_estimate"] = _l("Give the cost estimated by the services.")
        if not data.public_justification.strip():
            errors["public_justification"] = _l(
                "Write the justification residents will read."
            )
    if errors:
        raise FieldErrors(errors)


def save_review(
    review: IdeaReview,
    data: ReviewData,
    actor: User,
    *,
    submit: bool,
    now: datetime | None = None,
) -> Result:
    """Save the reviewer's work and compute the grid's outcome; hand it in if *submit*.

    A draft may leave answers out (the outcome is then "to discuss"); handing in
    needs every mandatory and scored answer, the cost estimate and the public
    justification.
    :raises PermissionDenied: *actor* is not the assigned reviewer.
    :raises Conflict: the idea is no longer under review (a decision was taken).
    :raises FieldErrors: missing or wrong fields, by field.
    """
    if not can_fill_review(actor, review):
        raise PermissionDenied(_l("This idea is not assigned to you."))
    idea = review.idea
    if idea.state is not IdeaState.IN_REVIEW:
        raise Conflict(_l("A decision was taken: the review can no longer change."))
    version = grid_version_of(idea.round)
    assert version is not None  # an idea is under review only once the review started
    now = now or utcnow()
    _check_review(version, data, submit=submit)
    known = {c.code for c in version.criteria}
    answers = {code: value for code, value in data.answers.items() if code in known}
    assessment, result = eligibility.save_assessment(
        version,
        answers,
        subject_type=SUBJECT_TYPE,
        subject_id=idea.id,
        assessor=actor,
        assessment=review.assessment,
    )
    review.assessment = assessment
    review.cost_estimate = data.cost_estimate
    review.feasibility_note = data.feasibility_note.strip()
    review.land_owner = data.land_owner.strip()[:200]
    review.land_maintainer = data.land_maintainer.strip()[:200]
    review.public_justification = data.public_justification.strip()
    review.updated_at = now
    if submit:
        review.submitted_at = now
    db.session.flush()
    audit.record(
        "review.submit" if submit else "review.save",
        actor=actor,
        obj=idea,
        outcome=result.outcome.value,
        score=str(result.score),
        failed=list(result.failed),
        cost_estimate=None if data.cost_estimate is None else str(data.cost_estimate),
    )
    return result
