"""Who may set the rules, count, certify and publish: the vote's permission predicates.

Views refuse with them, templates hide buttons with them, and the services check
them again before writing. The system actor (imports, the demo) passes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...budget.models import Round
from ...core.actors import is_system
from ...core.errors import PermissionDenied
from ...core.permissions import is_staff
from ...core.time import utcnow
from ...extensions import db
from ..models import VoteResult, VoteRules
from ..states import TRANSITIONS, ResultAction


def can_manage_votes(user: Any) -> bool:
    """Set the rules, count, certify and publish: staff only (and the system)."""
    return is_system(user) or is_staff(user)


def can_view_result(user: Any, result: VoteResult | None) -> bool:
    """Everyone once published; staff before."""
    if result is None:
        return False
    return result.is_published or can_manage_votes(user)


def can_perform_result(user: Any, result: VoteResult, action: ResultAction) -> bool:
    """*action* is legal on *result* now and *user* may do it."""
    return (result.state, action) in TRANSITIONS and can_manage_votes(user)


def can_recompute(user: Any, result: VoteResult) -> bool:
    return can_perform_result(user, result, ResultAction.RECOMPUTE)


def can_certify(user: Any, result: VoteResult) -> bool:
    return can_perform_result(user, result, ResultAction.CERTIFY)


def can_publish(user: Any, result: VoteResult) -> bool:
    """Four eyes: the staff member who certified *result* does not publish it."""
    if result.certified_by_id is not None and result.certified_by_id == getattr(
        user, "id", None
    ):
        return False
    return can_perform_result(user, result, ResultAction.PUBLISH)


def can_count(user: Any, round_: Round) -> bool:
    """Count *round_*'s votes: staff, once the vote is closed, until published."""
    if not can_manage_votes(user) or round_.results_published_at is not None:
        return False
    if utcnow() < round_.vote_closes_at:
        return False
    rules = sa.select(VoteRules.id).where(VoteRules.round_id == round_.id)
    return db.session.scalar(rules) is not None


def require(allowed: bool, message: Any) -> None:
    """Raise PermissionDenied with *message* unless *allowed*."""
    if not allowed:
        raise PermissionDenied(message)
