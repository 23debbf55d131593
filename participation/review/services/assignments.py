"""Assignments: who reviews which idea, by hand or by the round's theme rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...accounts.models import User, UserRole
from ...budget import services as budget
from ...budget.models import Idea, Round
from ...budget.states import IdeaAction, IdeaState
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.roles import Role
from ...core.time import utcnow
from ...extensions import db
from ...territories.models import Theme
from ..models import IdeaReview, ThemeRule
from .permissions import can_be_assigned, require_staff
from .starting import review_of, round_review


def _reviewer(reviewer_id: int, field_name: str) -> User:
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or not can_be_assigned(reviewer):
        raise FieldErrors({field_name: _l("Choose a reviewer from the list.")})
    return reviewer


def assign(
    idea: Idea,
    reviewer: User,
    actor: Actor,
    *,
    rule: ThemeRule | None = None,
    field_name: str = "reviewer_id",
    now: datetime | None = None,
) -> IdeaReview:
    """Assign *idea* to *reviewer* (or reassign it; the work done is kept)."""
    require_staff(actor)
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
    review.assigned_by_id = actor_id(actor)
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


def assign_many(round_: Round, choices: Mapping[int, int | None], actor: Actor) -> int:
    """Apply the assignment page: idea id -> reviewer id (None leaves it as it is).

    Returns the number of ideas whose reviewer changed.
    """
    require_staff(actor)
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
    round_: Round, theme_id: int, reviewer_id: int, actor: Actor
) -> ThemeRule:
    """Record "ideas of this theme go to this reviewer" for the round (replaces)."""
    require_staff(actor)
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


def delete_theme_rule(rule: ThemeRule, actor: Actor) -> None:
    """Remove a theme rule (assignments it made stay)."""
    require_staff(actor)
    db.session.delete(rule)
    db.session.flush()
    audit.record(
        "review.theme_rule_delete",
        actor=actor,
        object_type="round",
        object_id=rule.round_id,
        theme=rule.theme_id,
    )


def apply_theme_rules(round_: Round, actor: Actor, now: datetime | None = None) -> int:
    """Assign every unassigned idea under review by the round's theme rules.

    An idea with several themes goes by the first of its themes (in the themes'
    order) that has a rule. Returns the number of ideas assigned.
    """
    require_staff(actor)
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
