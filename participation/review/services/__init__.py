"""Review operations: start a round's review, assign, fill the grid, decide.

Services flush; the calling view commits. The actor is a ``User``, or
``core.actors.SYSTEM`` for the demo and the CLI. Every change of an idea's state
goes through ``budget.services.transition()``, which writes the public history and
the audit entry and notifies the author.

The modules: ``permissions``, ``starting`` (the review's start and what pages read
about it), ``assignments``, ``reviews`` (the reviewer's form), ``decisions``.
"""

from __future__ import annotations

from .assignments import (
    apply_theme_rules,
    assign,
    assign_many,
    delete_theme_rule,
    reviewers,
    set_theme_rule,
)
from .decisions import (
    OTHER_SERVICE,
    TRANSFER_SERVICES,
    declare_ineligible,
    merge,
    reopen,
    retain,
    transfer,
    transfer_service_name,
)
from .permissions import (
    can_be_assigned,
    can_fill_review,
    can_manage_review,
    can_see_own_reviews,
    can_view_review,
)
from .reviews import SUBJECT_TYPE, ReviewData, criterion_field, save_review
from .starting import (
    grid_version_of,
    review_can_start,
    review_of,
    round_review,
    start_review,
)

__all__ = [
    "OTHER_SERVICE",
    "SUBJECT_TYPE",
    "TRANSFER_SERVICES",
    "ReviewData",
    "apply_theme_rules",
    "assign",
    "assign_many",
    "can_be_assigned",
    "can_fill_review",
    "can_manage_review",
    "can_see_own_reviews",
    "can_view_review",
    "criterion_field",
    "declare_ineligible",
    "delete_theme_rule",
    "grid_version_of",
    "merge",
    "reopen",
    "retain",
    "review_can_start",
    "review_of",
    "reviewers",
    "round_review",
    "save_review",
    "set_theme_rule",
    "start_review",
    "transfer",
    "transfer_service_name",
]
