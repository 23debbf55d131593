"""Who may do what in the review: staff run it, reviewers fill what they are given."""

from __future__ import annotations

from typing import Any

from ...core.actors import Actor, is_system
from ...core.errors import PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_reviewer, is_staff
from ..models import IdeaReview


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


def require_staff(actor: Actor) -> None:
    """:raises PermissionDenied: unless *actor* is staff or the system (demo, CLI)."""
    if not (is_system(actor) or can_manage_review(actor)):
        raise PermissionDenied(_l("Only staff can do this."))
