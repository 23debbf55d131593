"""Budget operations: rounds, envelopes, carry-over, ideas and the idea workflow.

Services flush; the calling view (or CLI command) commits. They never read the
request: the actor (a ``User``, or ``core.actors.SYSTEM`` for the CLI, the demo and
the vote results) and the inputs are arguments.

The modules: ``permissions`` (predicates), ``rounds`` (rounds, envelopes,
carry-over), ``ideas`` (creating and editing), ``workflow`` (the one transition
service), ``transfer`` (the follow-up of a transferred idea), ``notifications``.
What other features call is gathered here:

- ``transition(idea, action, actor, comment=..., final_cost=..., transfer_service=...,
  into=...)``: the only way to change an idea's state (review decisions, vote results);
- ``can_perform(idea, action, actor)``: the predicate behind it, for buttons and 403s;
- ``update_transfer(idea, action, actor)``: follow-up of a transferred idea;
- ``mark_results_published(round, actor)``: the explicit "results published" step
  (voting feature), which also finalises the carry-over into the next round;
- ``unspent(envelope)`` and ``refresh_carry_over(round, actor)``.
"""

from __future__ import annotations

from .ideas import (
    PHOTO_FOLDER,
    IdeaData,
    check_idea_data,
    create_idea,
    find_by_token,
    search_people,
    seconds_left,
    update_idea,
)
from .notifications import idea_url, notify_author
from .permissions import (
    can_edit_idea,
    can_manage_rounds,
    can_moderate,
    can_perform,
    can_submit_ideas,
    can_submit_on_behalf,
    can_view_idea,
    can_view_idea_content,
    can_view_round,
    check_can_perform,
    is_owner,
    refusal,
)
from .rounds import (
    CALENDAR,
    NEXT_ROUND_MONTHS,
    RoundData,
    add_months,
    create_next_round,
    create_round,
    mark_results_published,
    next_round_title,
    publish_round,
    refresh_carry_over,
    set_envelopes,
    unspent,
    update_round,
)
from .transfer import (
    TRANSFER_WORKFLOW,
    can_follow_up_transfer,
    transfer_actions,
    update_transfer,
)
from .workflow import IDEA_WORKFLOW, transition

__all__ = [
    "CALENDAR",
    "IDEA_WORKFLOW",
    "NEXT_ROUND_MONTHS",
    "PHOTO_FOLDER",
    "TRANSFER_WORKFLOW",
    "IdeaData",
    "RoundData",
    "add_months",
    "can_edit_idea",
    "can_follow_up_transfer",
    "can_manage_rounds",
    "can_moderate",
    "can_perform",
    "can_submit_ideas",
    "can_submit_on_behalf",
    "can_view_idea",
    "can_view_idea_content",
    "can_view_round",
    "check_can_perform",
    "check_idea_data",
    "create_idea",
    "create_next_round",
    "create_round",
    "find_by_token",
    "idea_url",
    "is_owner",
    "mark_results_published",
    "next_round_title",
    "notify_author",
    "publish_round",
    "refresh_carry_over",
    "refusal",
    "search_people",
    "seconds_left",
    "set_envelopes",
    "transfer_actions",
    "transition",
    "unspent",
    "update_idea",
    "update_round",
    "update_transfer",
]
