"""Review operations: start a round's review, assign, fill the grid, decide.

Services flush; the calling view commits.

Every change of an idea's state goes through ``budget.services.transition()``,
which writes the public history and the audit entry and notifies the author.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..accounts.states import Role
from ..budget import services as budget
from ..budget.models import Idea, Round
from ..budget.states import (
    IdeaAction,
    IdeaState,
    RoundPhase,
    TransferStatus,
    phase_rank,
)
from ..core import audit
from ..core.errors import Conflict, FieldErrors, PermissionDenied
from ..core.permissions import is_reviewer, is_staff
from ..core.time import utcnow
from ..eligibility import services as eligibility
from ..eligibility.evaluate import AnswerValue, Result
from ..eligibility.models import GridVersion
from ..eligibility.states import CriterionKind, Outcome
from ..extensions import db
from ..territories.models import Theme
from .models import IdeaReview, RoundReview, ThemeRule

#: Subject type of the assessments made by the review.
SUBJECT_TYPE = "idea"

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


# ---------------------------------------------------------------------------
# Permission predicates
# ---------------------------------------------------------------------------


def can_manage_review(user: Any) -> bool:
    """Staff start reviews, assign ideas, see every review and decide."""
    return is_staff(user)


def can_be_assigned(user: Any) -> bool:
    """Reviewers (and staff) can receive ideas to review."""
    return bool(getattr(user, "is_active", False)) and (
        is_reviewer(user) or is_staff(user)
    )


def can_see_own_reviews(user: Any) -> bool:
    """Reviewers and staff have a "my reviews" page."""
    return is_reviewer(user) or is_staff(user)


def can_fill_review(user: Any, review: IdeaReview) -> bool:
    """Only the reviewer the idea is assigned to fills its review."""
    return (
        bool(getattr(user, "is_authenticated", False)) and review.reviewer_id == user.id
    )


def can_view_review(user: Any, review: IdeaReview) -> bool:
    """The assigned reviewer and staff read a review; nobody else."""
    return can_fill_review(user, review) or can_manage_review(user)


def _require_staff(actor: Any) -> None:
    if actor is not None and not can_manage_review(actor):
        raise PermissionDenied(_l("Only staff can do this."))


# ---------------------------------------------------------------------------
# Reading helpers
# ---------------------------------------------------------------------------


def round_review(round_: Round) -> RoundReview | None:
    """The record of the round's review start, if it started."""
    return db.session.scalar(
        sa.select(RoundReview).where(RoundReview.round_id == round_.id)
    )


def review_of(idea: Idea) -> IdeaReview | None:
    return db.session.scalar(sa.select(IdeaReview).where(IdeaReview.idea_id == idea.id))


def grid_version_of(round_: Round) -> GridVersion | None:
    """The grid version a round's review uses (frozen once the review started)."""
    started = round_review(round_)
    if started is not None:
        return started.grid_version
    if round_.grid_version_id is None:
        return None
    return db.session.get(GridVersion, round_.grid_version_id)


def review_can_start(round_: Round, now: datetime | None = None) -> bool:
    """Submissions are closed and the vote has not opened."""
    rank = phase_rank(round_.phase_at(now or utcnow()))
    return phase_rank(RoundPhase.REVIEW) <= rank < phase_rank(RoundPhase.VOTE)


# ---------------------------------------------------------------------------
# Starting the review
# ---------------------------------------------------------------------------


def start_review(round_: Round, actor: Any, now: datetime | None = None) -> int:
    """Freeze the round's grid version and put its submitted ideas under review.

    Running it again (after an idea was shown again by moderation, for example)
    puts the remaining submitted ideas under review. Returns how many moved.
    :raises Conflict: submissions still open, vote opened, or no grid chosen.
    """
    _require_staff(actor)
    now = now or utcnow()
    if not review_can_start(round_, now):
        raise Conflict(
            _l(
                "The review starts once the submission of ideas is closed, "
                "before the vote."
            )
        )
    started = round_review(round_)
    if started is None:
        if round_.grid_version_id is None:
            raise Conflict(
                _l("Choose the round's eligibility grid before starting the review.")
            )
        version = db.session.get(GridVersion, round_.grid_version_id)
        assert version is not None
        eligibility.freeze_version(
            version, actor=None, reason=f"review of round {round_.id}"
        )
        started = RoundReview(
            round_id=round_.id,
            grid_version_id=version.id,
            started_at=now,
            started_by_id=getattr(actor, "id", None),
        )
        db.session.add(started)
        db.session.flush()
        audit.record(
            "review.start",
            actor=actor,
            obj=round_,
            grid_version=version.id,
            grid=version.grid_id,
            number=version.number,
        )
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(Idea.round_id == round_.id, Idea.state == IdeaState.SUBMITTED)
        .order_by(Idea.id)
    ).all()
    for idea in ideas:
        budget.transition(idea, IdeaAction.START_REVIEW, actor, now=now)
    return len(ideas)


# ---------------------------------------------------------------------------
# Assignments
# ---------------------------------------------------------------------------


def _reviewer(reviewer_id: int, field_name: str) -> User:
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or not can_be_assigned(reviewer):
        raise FieldErrors({field_name: _l("Choose a reviewer from the list.")})
    return reviewer


def assign(
    idea: Idea,
    reviewer: User,
    actor: Any,
    *,
    rule: ThemeRule | None = None,
    field_name: str = "reviewer_id",
    now: datetime | None = None,
) -> IdeaReview:
    """Assign *idea* to *reviewer* (or reassign it; the work done is kept)."""
    _require_staff(actor)
    now = now or utcnow()
    if not can_be_assigned(reviewer):
        raise FieldErrors({field_name: _l("This person is not a reviewer.")})
    if round_review(idea.round) is None:
        raise Conflict(_l("Start the review of the round before assigning ideas."))
    if idea.state is IdeaState.SUBMITTED:
        budget.transition(idea, IdeaAction.START_REVIEW, actor, now=now)
    if idea.state is not IdeaState.IN_REVIEW:
        raise Conflict(_l("This idea is not under review any more."))
    review = review_of(idea)
    previous = None
    if review is None:
        review = IdeaReview(idea_id=idea.id, reviewer_id=reviewer.id)
        db.session.add(review)
    elif review.reviewer_id == reviewer.id:
        return review
    else:
        previous = review.reviewer_id
        review.reviewer_id = reviewer.id
    review.assigned_at = now
    review.assigned_by_id = getattr(actor, "id", None)
    review.theme_rule_id = rule.id if rule is not None else None
    db.session.flush()
    audit.record(
        "review.assign",
        actor=actor,
        obj=idea,
        reviewer=reviewer.id,
        previous_reviewer=previous,
        theme_rule=review.theme_rule_id,
    )
    return review


def assign_many(round_: Round, choices: Mapping[int, int | None], actor: Any) -> int:
    """Apply the assignment page: idea id -> reviewer id (None leaves it as it is).

    Returns the number of ideas whose reviewer changed.
    """
    _require_staff(actor)
    wanted = {idea_id: rid for idea_id, rid in choices.items() if rid is not None}
    if not wanted:
        return 0
    ideas = db.session.scalars(
        sa.select(Idea).where(Idea.id.in_(wanted), Idea.round_id == round_.id)
    ).all()
    current = {
        r.idea_id: r.reviewer_id
        for r in db.session.scalars(
            sa.select(IdeaReview).where(IdeaReview.idea_id.in_(wanted))
        )
    }
    changed = 0
    for idea in ideas:
        reviewer_id = wanted[idea.id]
        if current.get(idea.id) == reviewer_id:
            continue
        reviewer = _reviewer(reviewer_id, f"idea_{idea.id}")
        assign(idea, reviewer, actor, field_name=f"idea_{idea.id}")
        changed += 1
    return changed


def set_theme_rule(
    round_: Round, theme_id: int, reviewer_id: int, actor: Any
) -> ThemeRule:
    """Record "ideas of this theme go to this reviewer" for the round (replaces)."""
    _require_staff(actor)
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise FieldErrors({"theme_id": _l("Choose a theme from the list.")})
    reviewer = _reviewer(reviewer_id, "reviewer_id")
    rule = db.session.scalar(
        sa.select(ThemeRule).where(
            ThemeRule.round_id == round_.id, ThemeRule.theme_id == theme.id
        )
    )
    if rule is None:
        rule = ThemeRule(round_id=round_.id, theme_id=theme.id, reviewer_id=reviewer.id)
        db.session.add(rule)
    else:
        rule.reviewer_id = reviewer.id
    db.session.flush()
    audit.record(
        "review.theme_rule",
        actor=actor,
        obj=round_,
        theme=theme.code,
        reviewer=reviewer.id,
    )
    return rule


def delete_theme_rule(rule: ThemeRule, actor: Any) -> None:
    _require_staff(actor)
    db.session.delete(rule)
    db.session.flush()
    audit.record(
        "review.theme_rule_delete",
        actor=actor,
        object_type="round",
        object_id=rule.round_id,
        theme=rule.theme_id,
    )


def apply_theme_rules(round_: Round, actor: Any, now: datetime | None = None) -> int:
    """Assign every unassigned idea under review by the round's theme rules.

    An idea with several themes goes by the first of its themes (in the themes'
    order) that has a rule. Returns the number of ideas assigned.
    """
    _require_staff(actor)
    rules = {
        rule.theme_id: rule
        for rule in db.session.scalars(
            sa.select(ThemeRule)
            .where(ThemeRule.round_id == round_.id)
            .options(selectinload(ThemeRule.reviewer).selectinload(User.roles))
        )
    }
    if not rules:
        return 0
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(
            Idea.round_id == round_.id,
            Idea.state.in_((IdeaState.SUBMITTED, IdeaState.IN_REVIEW)),
            ~sa.exists().where(IdeaReview.idea_id == Idea.id),
        )
        .options(selectinload(Idea.themes))
        .order_by(Idea.id)
    ).all()
    assigned = 0
    for idea in ideas:
        rule = next((rules[t.id] for t in idea.themes if t.id in rules), None)
        if rule is None or not can_be_assigned(rule.reviewer):
            continue
        assign(idea, rule.reviewer, actor, rule=rule, now=now)
        assigned += 1
    audit.record("review.apply_theme_rules", actor=actor, obj=round_, assigned=assigned)
    return assigned


# ---------------------------------------------------------------------------
# The reviewer's form
# ---------------------------------------------------------------------------


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


def save_review(
    review: IdeaReview,
    data: ReviewData,
    actor: Any,
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


# ---------------------------------------------------------------------------
# Staff decisions (each one through budget.transition)
# ---------------------------------------------------------------------------


def _submitted_review(idea: Idea) -> IdeaReview:
    review = review_of(idea)
    if review is None or not review.is_done:
        raise Conflict(_l("The review of this idea has not been handed in yet."))
    return review


def retain(
    idea: Idea,
    actor: Any,
    *,
    final_cost: Decimal | None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Retain the idea for the vote with its final cost (within the round's bounds)."""
    _require_staff(actor)
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
    idea: Idea, actor: Any, *, comment: str | None, now: datetime | None = None
) -> IdeaState:
    """Declare the idea ineligible; the failed criteria and *comment* are published."""
    _require_staff(actor)
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
    actor: Any,
    *,
    service: str,
    other_name: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Send the idea to the competent service (its follow-up is updated later)."""
    _require_staff(actor)
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
    actor: Any,
    *,
    into_id: int | None,
    comment: str | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Merge the idea into another of its round and QPV (budget keeps the authors)."""
    _require_staff(actor)
    target = db.session.get(Idea, into_id) if into_id is not None else None
    return budget.transition(
        idea, IdeaAction.MERGE, actor, into=target, comment=comment, now=now
    )


def set_transfer_status(idea: Idea, status: TransferStatus, actor: Any) -> Idea:
    """Update the follow-up of a transferred idea (delegates to the budget feature)."""
    _require_staff(actor)
    return budget.set_transfer_status(idea, status, actor)


def reopen(idea: Idea, actor: Any, *, now: datetime | None = None) -> IdeaState:
    """Take a decision back (before the vote): the idea is under review again."""
    _require_staff(actor)
    return budget.transition(idea, IdeaAction.REOPEN, actor, now=now)


def merge_targets(idea: Idea) -> list[Idea]:
    """Ideas *idea* may be merged into: same round and QPV, still in the running."""
    return list(
        db.session.scalars(
            sa.select(Idea)
            .where(
                Idea.round_id == idea.round_id,
                Idea.territory_id == idea.territory_id,
                Idea.id != idea.id,
                Idea.state.in_(
                    (IdeaState.SUBMITTED, IdeaState.IN_REVIEW, IdeaState.ELIGIBLE)
                ),
            )
            .order_by(Idea.title)
        )
    )


def reviewers() -> list[User]:
    """People ideas can be assigned to: active reviewers and staff, by pseudonym."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.is_active.is_(True),
                User.roles.any(
                    UserRole.role.in_([Role.REVIEWER, Role.STAFF, Role.ADMIN])
                ),
            )
            .order_by(User.pseudonym)
        )
    )
