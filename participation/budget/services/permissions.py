"""Permission predicates of the budget feature: views refuse, services check.

``check_can_perform`` is the one rule of the idea workflow besides its table: who
may take an action (author or staff; the system takes staff actions) and when the
round's phase allows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...core.actors import Actor, is_system
from ...core.errors import Conflict, DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_relay, is_staff
from ...core.time import utcnow
from ..models import Idea, Round
from ..states import (
    AUTHOR_ACTIONS,
    EDITABLE_STATES,
    TRANSITIONS,
    IdeaAction,
    IdeaState,
    RoundPhase,
    phase_rank,
)


def _is_signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can_manage_rounds(user: Any) -> bool:
    """Create, edit and open rounds, set envelopes, moderate ideas."""
    return is_staff(user)


can_moderate = can_manage_rounds


def may_manage(actor: Actor) -> bool:
    """Staff, or the system (CLI, demo, vote results), may run rounds and decide."""
    return is_system(actor) or can_manage_rounds(actor)


def require_manager(actor: Actor, message: Any = None) -> None:
    """:raises PermissionDenied: unless *actor* is staff or the system."""
    if not may_manage(actor):
        raise PermissionDenied(message or _l("Only staff can manage rounds."))


def can_view_round(user: Any, round_: Round) -> bool:
    return round_.is_published or can_manage_rounds(user)


def is_owner(user: Any, idea: Idea) -> bool:
    """The author, or the relay who entered the idea for them."""
    if not _is_signed_in(user) or is_system(user):
        return False
    return user.id in (idea.author_id, idea.submitted_on_behalf_by_id)


def can_view_idea(user: Any, idea: Idea) -> bool:
    """Public once submitted; drafts only to their owner and staff."""
    return idea.is_public or is_owner(user, idea) or is_staff(user)


def can_view_idea_content(user: Any, idea: Idea) -> bool:
    """A hidden idea shows only its reason, except to its owner and staff."""
    if idea.state is IdeaState.HIDDEN:
        return is_owner(user, idea) or is_staff(user)
    return can_view_idea(user, idea)


def can_submit_ideas(user: Any, round_: Round, now: datetime | None = None) -> bool:
    """A signed-in person may submit during the round's submission phase."""
    return (
        _is_signed_in(user)
        and not is_system(user)
        and round_.phase_at(now or utcnow()) is RoundPhase.SUBMISSION
    )


def can_submit_on_behalf(user: Any) -> bool:
    """Relays (and staff) enter ideas for people without e-mail or computer."""
    return is_relay(user)


def can_edit_idea(user: Any, idea: Idea, now: datetime | None = None) -> bool:
    """The owner edits a draft or a submitted idea until the submission deadline."""
    return (
        is_owner(user, idea)
        and idea.state in EDITABLE_STATES
        and idea.round.phase_at(now or utcnow()) is RoundPhase.SUBMISSION
    )


#: Staff decisions that freeze once the vote opens.
_BEFORE_VOTE = frozenset(
    {
        IdeaAction.START_REVIEW,
        IdeaAction.RETAIN,
        IdeaAction.DECLARE_INELIGIBLE,
        IdeaAction.TRANSFER,
        IdeaAction.MERGE,
        IdeaAction.REOPEN,
    }
)


def may_take(actor: Actor, idea: Idea, action: IdeaAction) -> bool:
    """Who may take *action*: the owner for author actions, staff for the others.

    The workflow's permission check (the applier lets the system through).
    """
    if action in AUTHOR_ACTIONS:
        return is_owner(actor, idea)
    return is_staff(actor)


def _check_phase(idea: Idea, action: IdeaAction, now: datetime) -> None:
    phase = idea.round.phase_at(now)
    if action is IdeaAction.SUBMIT and phase is not RoundPhase.SUBMISSION:
        raise Conflict(_l("The submission of ideas is closed for this round."))
    if action is IdeaAction.WITHDRAW and phase_rank(phase) >= phase_rank(
        RoundPhase.ANNOUNCEMENT
    ):
        raise Conflict(_l("The idea can no longer be withdrawn."))
    if action in _BEFORE_VOTE and phase_rank(phase) >= phase_rank(RoundPhase.VOTE):
        raise Conflict(_l("The vote has started: the list of projects is frozen."))
    if (
        action in (IdeaAction.SELECT, IdeaAction.NOT_SELECT)
        and now < idea.round.vote_closes_at
    ):
        raise Conflict(_l("The vote is not closed yet."))


def check_can_perform(
    idea: Idea, action: IdeaAction, actor: Actor, now: datetime | None = None
) -> None:
    """Raise unless *actor* may apply *action* to *idea* now.

    The system actor may take staff actions, never an author's.

    :raises Conflict: the transition table or the round's phase does not allow it.
    :raises PermissionDenied: the actor does not have the right.
    """
    if (idea.state, action) not in TRANSITIONS:
        raise Conflict(_l("This action is not possible in the idea's current state."))
    if action in AUTHOR_ACTIONS:
        if not is_owner(actor, idea):
            raise PermissionDenied(_l("Only the author of the idea can do this."))
    elif not (is_system(actor) or may_take(actor, idea, action)):
        raise PermissionDenied(_l("Only staff can do this."))
    _check_phase(idea, action, now or utcnow())


def refusal(
    idea: Idea, action: IdeaAction, actor: Actor, now: datetime | None = None
) -> str | None:
    """Why *actor* may not apply *action* to *idea* now, or None when they may."""
    try:
        check_can_perform(idea, action, actor, now)
    except DomainError as error:
        return str(error)
    return None


def can_perform(
    idea: Idea, action: IdeaAction, actor: Actor, now: datetime | None = None
) -> bool:
    """The table allows *action* from the idea's state and *actor* may do it now."""
    try:
        check_can_perform(idea, action, actor, now)
    except DomainError:
        return False
    return True
