"""Budget operations: rounds, envelopes, carry-over, ideas and the idea workflow.

Services flush; the calling view (or CLI command) commits. They never read the
request: the actor and the inputs are arguments. ``actor=None`` means the system
(CLI, demo, vote results) and is allowed for staff actions only.

Other features call:

- ``transition(idea, action, actor, comment=..., final_cost=..., transfer_service=...,
  into=...)``: the only way to change an idea's state (review decisions, vote results);
- ``can_perform(idea, action, actor)``: the predicate behind it, for buttons and 403s;
- ``set_transfer_status(idea, status, actor)``: follow-up of a transferred idea;
- ``mark_results_published(round, actor)``: the explicit "results published" step
  (voting feature), which also finalises the carry-over into the next round;
- ``unspent(envelope)`` and ``refresh_carry_over(round)``.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts import queries as account_queries
from ..accounts.models import User
from ..accounts.permissions import can_act_for
from ..core import audit
from ..core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from ..core.i18n import money
from ..core.outbox import queue_email
from ..core.permissions import is_relay, is_staff
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..territories.models import Territory, Theme
from .models import ZERO, Envelope, Idea, IdeaCoAuthor, IdeaStateChange, Round
from .states import (
    AUTHOR_ACTIONS,
    EDITABLE_STATES,
    TRANSITIONS,
    IdeaAction,
    IdeaState,
    RoundPhase,
    TransferStatus,
    phase_rank,
)

#: Upload folder of idea photos (core.uploads).
PHOTO_FOLDER = "ideas"
#: How far the next round's calendar moves.
NEXT_ROUND_MONTHS = 3


# ---------------------------------------------------------------------------
# Permission predicates (views use them for 403s, templates to hide buttons)
# ---------------------------------------------------------------------------


def _is_signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can_manage_rounds(user: Any) -> bool:
    """Create, edit and open rounds, set envelopes, moderate ideas."""
    return is_staff(user)


can_moderate = can_manage_rounds


def can_view_round(user: Any, round_: Round) -> bool:
    return round_.is_published or can_manage_rounds(user)


def is_owner(user: Any, idea: Idea) -> bool:
    """The author, or the relay who entered the idea for them."""
    if not _is_signed_in(user):
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


def check_can_perform(
    idea: Idea, action: IdeaAction, actor: Any, now: datetime | None = None
) -> None:
    """Raise unless *actor* may apply *action* to *idea* now.

    :raises Conflict: the transition table or the round's phase does not allow it.
    :raises PermissionDenied: the actor does not have the right.
    """
    now = now or utcnow()
    if (idea.state, action) not in TRANSITIONS:
        raise Conflict(_l("This action is not possible in the idea's current state."))
    if action in AUTHOR_ACTIONS:
        if not is_owner(actor, idea):
            raise PermissionDenied(_l("Only the author of the idea can do this."))
    elif actor is not None and not is_staff(actor):
        raise PermissionDenied(_l("Only staff can do this."))
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


def refusal(
    idea: Idea, action: IdeaAction, actor: Any, now: datetime | None = None
) -> str | None:
    """Why *actor* may not apply *action* to *idea* now, or None when they may."""
    try:
        check_can_perform(idea, action, actor, now)
    except DomainError as error:
        return str(error)
    return None


def can_perform(
    idea: Idea, action: IdeaAction, actor: Any, now: datetime | None = None
) -> bool:
    """The table allows *action* from the idea's state and *actor* may do it now."""
    return refusal(idea, action, actor, now) is None


# ---------------------------------------------------------------------------
# Rounds and envelopes
# ---------------------------------------------------------------------------


@dataclass
class RoundData:
    """What staff type for a round (the view unpacks its form into this)."""

    title: str
    submission_opens_at: datetime
    submission_closes_at: datetime
    review_closes_at: datetime
    announcement_at: datetime
    vote_opens_at: datetime
    vote_closes_at: datetime
    max_cost: Decimal
    min_cost: Decimal = ZERO
    description: str = ""
    rules_text: str = ""
    delivery_starts_at: datetime | None = None
    is_carry_over_enabled: bool = True
    theme_ids: list[int] = field(default_factory=list)
    grid_version_id: int | None = None


def _check_round_data(data: RoundData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the round a title.")
    order = [
        ("submission_opens_at", data.submission_opens_at),
        ("submission_closes_at", data.submission_closes_at),
        ("review_closes_at", data.review_closes_at),
        ("announcement_at", data.announcement_at),
        ("vote_opens_at", data.vote_opens_at),
        ("vote_closes_at", data.vote_closes_at),
    ]
    for (_name, earlier), (later_name, later) in itertools.pairwise(order):
        strictly = later_name in ("submission_closes_at", "vote_closes_at")
        if later < earlier or (strictly and later == earlier):
            errors[later_name] = _l("This date must come after the previous phase.")
            break
    if (
        data.delivery_starts_at is not None
        and data.delivery_starts_at < data.vote_closes_at
    ):
        errors["delivery_starts_at"] = _l("Delivery starts after the vote.")
    if data.min_cost < 0:
        errors["min_cost"] = _l("The amount cannot be negative.")
    if data.max_cost < data.min_cost or data.max_cost <= 0:
        errors["max_cost"] = _l("The maximum cost must be above the minimum cost.")
    if errors:
        raise FieldErrors(errors)


def _themes(theme_ids: Iterable[int]) -> list[Theme]:
    ids = sorted(set(theme_ids))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids))).all())


def _apply_round_data(round_: Round, data: RoundData) -> None:
    for name in (
        "title",
        "description",
        "rules_text",
        "submission_opens_at",
        "submission_closes_at",
        "review_closes_at",
        "announcement_at",
        "vote_opens_at",
        "vote_closes_at",
        "delivery_starts_at",
        "min_cost",
        "max_cost",
        "is_carry_over_enabled",
        "grid_version_id",
    ):
        setattr(round_, name, getattr(data, name))
    round_.title = data.title.strip()
    round_.themes = _themes(data.theme_ids)


def create_round(data: RoundData, actor: Any) -> Round:
    """Create a round (not public until opened)."""
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can manage rounds."))
    _check_round_data(data)
    round_ = Round(created_by_id=getattr(actor, "id", None))
    _apply_round_data(round_, data)
    db.session.add(round_)
    db.session.flush()
    audit.record("round.create", actor=actor, obj=round_, title=round_.title)
    return round_


def update_round(
    round_: Round, data: RoundData, actor: Any, now: datetime | None = None
) -> Round:
    """Change a round's settings; the grid is frozen once the review has started."""
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can manage rounds."))
    _check_round_data(data)
    phase = round_.phase_at(now or utcnow())
    if (
        data.grid_version_id != round_.grid_version_id
        and round_.is_published
        and phase_rank(phase) >= phase_rank(RoundPhase.REVIEW)
    ):
        raise FieldErrors(
            {
                "grid_version_id": _l(
                    "The review has started: the grid can no longer change."
                )
            }
        )
    _apply_round_data(round_, data)
    db.session.flush()
    audit.record("round.update", actor=actor, obj=round_, title=round_.title)
    return round_


def publish_round(round_: Round, actor: Any, now: datetime | None = None) -> Round:
    """Open a round to the public (needs at least one envelope)."""
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can manage rounds."))
    if round_.is_published:
        raise Conflict(_l("The round is already open."))
    if not round_.envelopes:
        raise Conflict(_l("Set at least one envelope before opening the round."))
    round_.published_at = now or utcnow()
    db.session.flush()
    audit.record("round.publish", actor=actor, obj=round_)
    return round_


def set_envelopes(
    round_: Round, amounts: Mapping[int, Decimal | None], actor: Any
) -> list[Envelope]:
    """Set the envelope of each QPV (territory id -> amount; None removes it).

    A QPV that already has ideas keeps its envelope.
    """
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can manage rounds."))
    errors = {
        f"amount_{tid}": _l("The amount cannot be negative.")
        for tid, amount in amounts.items()
        if amount is not None and amount < 0
    }
    if errors:
        raise FieldErrors(errors)
    by_territory = {e.territory_id: e for e in round_.envelopes}
    for territory_id, amount in amounts.items():
        envelope = by_territory.get(territory_id)
        if amount is None:
            if envelope is None:
                continue
            used = db.session.scalar(
                sa.select(sa.func.count(Idea.id)).where(
                    Idea.round_id == round_.id, Idea.territory_id == territory_id
                )
            )
            if used:
                raise FieldErrors(
                    {
                        f"amount_{territory_id}": _l(
                            "Ideas were submitted here: keep an envelope."
                        )
                    }
                )
            round_.envelopes.remove(envelope)
            continue
        if envelope is None:
            if db.session.get(Territory, territory_id) is None:
                raise FieldErrors(
                    {f"amount_{territory_id}": _l("Unknown neighbourhood.")}
                )
            round_.envelopes.append(Envelope(territory_id=territory_id, amount=amount))
        else:
            envelope.amount = amount
    db.session.flush()
    audit.record(
        "round.envelopes",
        actor=actor,
        obj=round_,
        amounts={str(e.territory_id): str(e.amount) for e in round_.envelopes},
    )
    return list(round_.envelopes)


def add_months(moment: datetime, months: int) -> datetime:
    """Move *moment* by calendar months, in Paris wall-clock time, clamping the day.

    31 January + 1 month is 28 (or 29) February; a 18:00 Paris deadline stays at
    18:00 across daylight-saving changes.
    """
    local = moment.astimezone(PARIS)
    month_index = local.month - 1 + months
    year = local.year + month_index // 12
    month = month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day, tzinfo=None).replace(
        tzinfo=PARIS
    )
    return moved.astimezone(moment.tzinfo)


def next_round_title(opens_at: datetime) -> str:
    """Default title of a round opening at *opens_at*: the quarter it belongs to."""
    local = opens_at.astimezone(PARIS)
    return str(
        _(
            "Participatory budget — quarter %(quarter)d, %(year)d",
            quarter=(local.month - 1) // 3 + 1,
            year=local.year,
        )
    )


def unspent(envelope: Envelope) -> Decimal | None:
    """Money left in *envelope* after the vote, or None before the results.

    unspent = amount + carried-over - final cost of the winning ideas, never below 0.
    Before the results are published nothing is known to be spent, so nothing is
    carried yet (carrying the whole envelope would promise money twice);
    ``refresh_carry_over`` completes the next round once the results are out.
    """
    if envelope.round.results_published_at is None:
        return None
    spent = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Idea.final_cost), 0)).where(
            Idea.round_id == envelope.round_id,
            Idea.territory_id == envelope.territory_id,
            Idea.state == IdeaState.SELECTED,
        )
    )
    left = envelope.total - Decimal(spent or 0)
    return max(left, ZERO)


def refresh_carry_over(round_: Round, actor: Any = None) -> list[Envelope]:
    """Recompute the carry-over into *round_*'s envelopes from the previous round.

    Final once the previous round's results are published; 0 (pending) before.
    Does nothing once *round_*'s vote has opened: its envelopes are then fixed.
    """
    previous = round_.previous_round
    changed: list[Envelope] = []
    if previous is None or phase_rank(round_.phase) >= phase_rank(RoundPhase.VOTE):
        return changed
    previous_by_territory = {e.territory_id: e for e in previous.envelopes}
    for envelope in round_.envelopes:
        source = previous_by_territory.get(envelope.territory_id)
        if source is None:
            continue
        envelope.carried_from = source
        if not previous.is_carry_over_enabled:
            amount, final = ZERO, True
        else:
            left = unspent(source)
            amount, final = (ZERO, False) if left is None else (left, True)
        if envelope.carried_over_in != amount or envelope.is_carry_over_final != final:
            envelope.carried_over_in = amount
            envelope.is_carry_over_final = final
            changed.append(envelope)
    db.session.flush()
    if changed:
        audit.record(
            "round.carry_over",
            actor=actor,
            obj=round_,
            carried={str(e.territory_id): str(e.carried_over_in) for e in changed},
        )
    return changed


def create_next_round(previous: Round, actor: Any) -> Round:
    """Create the next quarter's round from *previous* in one action.

    Same settings, envelopes and themes; every date moved by three calendar months;
    the carry-over computed (see ``unspent``). The new round is not open yet.
    """
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can manage rounds."))
    existing = db.session.scalar(
        sa.select(Round).where(Round.previous_round_id == previous.id)
    )
    if existing is not None:
        raise Conflict(_l("The next round of this one already exists."))

    def shift(moment: datetime) -> datetime:
        return add_months(moment, NEXT_ROUND_MONTHS)

    round_ = Round(
        title=next_round_title(shift(previous.submission_opens_at)),
        description=previous.description,
        rules_text=previous.rules_text,
        submission_opens_at=shift(previous.submission_opens_at),
        submission_closes_at=shift(previous.submission_closes_at),
        review_closes_at=shift(previous.review_closes_at),
        announcement_at=shift(previous.announcement_at),
        vote_opens_at=shift(previous.vote_opens_at),
        vote_closes_at=shift(previous.vote_closes_at),
        delivery_starts_at=(
            shift(previous.delivery_starts_at) if previous.delivery_starts_at else None
        ),
        min_cost=previous.min_cost,
        max_cost=previous.max_cost,
        is_carry_over_enabled=previous.is_carry_over_enabled,
        grid_version_id=previous.grid_version_id,
        previous_round=previous,
        created_by_id=getattr(actor, "id", None),
    )
    round_.themes = list(previous.themes)
    round_.envelopes = [
        Envelope(territory_id=e.territory_id, amount=e.amount)
        for e in previous.envelopes
    ]
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "round.create_next", actor=actor, obj=round_, previous_round_id=previous.id
    )
    refresh_carry_over(round_, actor)
    return round_


def mark_results_published(
    round_: Round, actor: Any, now: datetime | None = None
) -> Round:
    """Record that the vote's results are published (explicit staff step).

    Called by the voting feature once it has published the certified result;
    finalises the carry-over into the next round if it already exists.
    """
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_l("Only staff can publish results."))
    now = now or utcnow()
    if now < round_.vote_closes_at:
        raise Conflict(_l("The vote is not closed yet."))
    if round_.results_published_at is not None:
        raise Conflict(_l("The results are already published."))
    round_.results_published_at = now
    db.session.flush()
    audit.record("round.results_published", actor=actor, obj=round_)
    successor = db.session.scalar(
        sa.select(Round).where(Round.previous_round_id == round_.id)
    )
    if successor is not None:
        refresh_carry_over(successor, actor)
    return round_


# ---------------------------------------------------------------------------
# Ideas
# ---------------------------------------------------------------------------


@dataclass
class IdeaData:
    """What a person typed for an idea (the view unpacks its form into this)."""

    title: str
    description: str = ""
    territory_id: int | None = None
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    theme_ids: list[int] = field(default_factory=list)
    estimated_cost: Decimal | None = None
    association_name: str | None = None
    co_author_ids: list[int] = field(default_factory=list)
    accepted_rules: bool = False
    #: A newly stored photo (core.uploads name) and its text alternative.
    photo_name: str | None = None
    photo_alt: str | None = None
    remove_photo: bool = False


def check_idea_data(round_: Round, data: IdeaData, *, complete: bool) -> None:
    """Raise FieldErrors with every problem (*complete*: a submission, not a draft)."""
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give your idea a title.")
    if complete and not data.description.strip():
        errors["description"] = _l("Describe your idea.")
    covered = {e.territory_id for e in round_.envelopes}
    if data.territory_id is None:
        if complete:
            errors["territory_id"] = _l("Choose the neighbourhood of your idea.")
    elif data.territory_id not in covered:
        errors["territory_id"] = _l("This round does not cover this neighbourhood.")
    allowed = {t.id for t in round_.themes}
    if set(data.theme_ids) - allowed:
        errors["theme_ids"] = _l("Choose themes from the list of this round.")
    if data.estimated_cost is not None:
        if data.estimated_cost < 0:
            errors["estimated_cost"] = _l("The cost cannot be negative.")
        elif data.estimated_cost > round_.max_cost:
            errors["estimated_cost"] = _l(
                "Projects of this round cost at most %(max)s.",
                max=money(round_.max_cost),
            )
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _l("Give both latitude and longitude, or neither.")
    if complete and not data.accepted_rules:
        errors["accepted_rules"] = _l(
            "You must accept the rules of the round to submit."
        )
    if errors:
        raise FieldErrors(errors)


def _apply_idea_data(
    idea: Idea, data: IdeaData, actor: Any, now: datetime
) -> str | None:
    """Copy *data* onto *idea*; return the name of a replaced photo to delete."""
    idea.title = data.title.strip()
    idea.description = data.description.strip()
    idea.territory_id = data.territory_id
    idea.place = data.place.strip()
    idea.latitude = data.latitude
    idea.longitude = data.longitude
    idea.estimated_cost = data.estimated_cost
    idea.association_name = (data.association_name or "").strip() or None
    idea.themes = _themes(data.theme_ids)
    if data.accepted_rules and idea.accepted_rules_at is None:
        idea.accepted_rules_at = now
    wanted = [uid for uid in dict.fromkeys(data.co_author_ids) if uid != idea.author_id]
    current = {c.user_id: c for c in idea.co_authors}
    for uid, link in current.items():
        if uid not in wanted and link.merged_from_idea_id is None:
            idea.co_authors.remove(link)
    for uid in wanted:
        if uid not in current:
            idea.co_authors.append(IdeaCoAuthor(user_id=uid))
    old_photo = None
    if data.photo_name is not None or data.remove_photo:
        old_photo = idea.photo_name
        idea.photo_name = data.photo_name
    if idea.photo_name:
        idea.photo_alt = (data.photo_alt or "").strip() or idea.title
    else:
        idea.photo_alt = None
    return old_photo


def find_by_token(token: str | None) -> Idea | None:
    """The idea an earlier POST of the same form created, if any."""
    if not token:
        return None
    return db.session.scalar(sa.select(Idea).where(Idea.submission_token == token))


def create_idea(
    round_: Round,
    data: IdeaData,
    *,
    author: User,
    actor: User,
    submit: bool,
    token: str | None = None,
    consent_note: str | None = None,
    now: datetime | None = None,
) -> Idea:
    """Create an idea as a draft, and submit it when *submit*.

    When *actor* is not *author*, the actor must be a relay entering it on the
    author's behalf with their consent (*consent_note* says how it was given).
    A repeated *token* returns the idea created the first time.
    """
    now = now or utcnow()
    existing = find_by_token(token)
    if existing is not None:
        if is_owner(actor, existing):
            return existing
        raise Conflict(_l("This form was already used. Please reload it."))
    if not can_submit_ideas(actor, round_, now):
        raise FieldErrors(
            {"round": _l("The submission of ideas is closed for this round.")}
        )
    on_behalf = actor.id != author.id
    if on_behalf:
        if not can_submit_on_behalf(actor) or not can_act_for(actor, author):
            raise PermissionDenied(
                _l("Only relays can enter an idea for someone else.")
            )
        if not (consent_note or "").strip():
            raise FieldErrors({"consent": _l("Record the person's consent.")})
    check_idea_data(round_, data, complete=submit)
    idea = Idea(
        round=round_,
        author_id=author.id,
        title=data.title,
        submission_token=token,
        state=IdeaState.DRAFT,
        state_changed_at=now,
        created_at=now,
    )
    if on_behalf:
        idea.submitted_on_behalf_by_id = actor.id
        idea.consent_recorded_at = now
        idea.consent_note = (consent_note or "").strip()[:200]
    _apply_idea_data(idea, data, actor, now)
    db.session.add(idea)
    db.session.flush()
    audit.record(
        "idea.create",
        actor=actor,
        obj=idea,
        round_id=round_.id,
        on_behalf_of=author.id if on_behalf else None,
    )
    if submit:
        transition(idea, IdeaAction.SUBMIT, actor, now=now)
    return idea


def update_idea(
    idea: Idea,
    data: IdeaData,
    actor: User,
    *,
    submit: bool,
    now: datetime | None = None,
) -> tuple[Idea, str | None]:
    """Save the owner's changes (until the deadline); submit a draft when *submit*.

    :returns: the idea and the name of a replaced photo, to delete after commit.
    """
    now = now or utcnow()
    if not can_edit_idea(actor, idea, now):
        if is_owner(actor, idea):
            raise FieldErrors(
                {"round": _l("The submission of ideas is closed for this round.")}
            )
        raise PermissionDenied(_l("Only the author of the idea can change it."))
    complete = submit or idea.state is not IdeaState.DRAFT
    check_idea_data(idea.round, data, complete=complete)
    old_photo = _apply_idea_data(idea, data, actor, now)
    db.session.flush()
    audit.record("idea.update", actor=actor, obj=idea)
    if submit and idea.state is IdeaState.DRAFT:
        transition(idea, IdeaAction.SUBMIT, actor, now=now)
    return idea, old_photo


def _check_submission_complete(idea: Idea) -> None:
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


def _merge_into(idea: Idea, target: Idea | None) -> Idea:
    if target is None:
        raise FieldErrors({"into": _l("Choose the idea to merge into.")})
    if target.id == idea.id:
        raise FieldErrors({"into": _l("An idea cannot be merged into itself.")})
    if target.round_id != idea.round_id or target.territory_id != idea.territory_id:
        raise FieldErrors(
            {"into": _l("Merge only ideas of the same round and neighbourhood.")}
        )
    if target.state not in (
        IdeaState.SUBMITTED,
        IdeaState.IN_REVIEW,
        IdeaState.ELIGIBLE,
    ):
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
    return target


def transition(
    idea: Idea,
    action: IdeaAction,
    actor: Any,
    *,
    comment: str | None = None,
    final_cost: Decimal | None = None,
    transfer_service: str | None = None,
    into: Idea | None = None,
    now: datetime | None = None,
) -> IdeaState:
    """Apply *action* to *idea*: the one place that changes an idea's state.

    Checks the transition table and the actor's rights, sets the state and the
    timestamps, writes the public history and an audit entry, and notifies the
    author by e-mail in their language.

    - ``RETAIN`` needs ``final_cost`` (or an estimate) within the round's bounds;
    - ``DECLARE_INELIGIBLE`` and ``HIDE`` need a public ``comment`` (the reason);
    - ``TRANSFER`` needs ``transfer_service``;
    - ``MERGE`` needs ``into``, an idea of the same round and QPV.

    :raises PermissionDenied: the actor may not do this.
    :raises Conflict: the state or the phase does not allow it.
    :raises FieldErrors: a required field is missing or wrong.
    """
    now = now or utcnow()
    check_can_perform(idea, action, actor, now)
    comment = (comment or "").strip() or None
    old_state = idea.state
    new_state = TRANSITIONS[(old_state, action)]

    if action is IdeaAction.SUBMIT:
        _check_submission_complete(idea)
        idea.submitted_at = now
    elif action is IdeaAction.RETAIN:
        cost = (
            final_cost
            if final_cost is not None
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
    elif action is IdeaAction.DECLARE_INELIGIBLE and comment is None:
        raise FieldErrors(
            {"comment": _l("Explain publicly why the idea is ineligible.")}
        )
    elif action is IdeaAction.TRANSFER:
        service = (transfer_service or "").strip()
        if not service:
            raise FieldErrors({"transfer_service": _l("Name the competent service.")})
        idea.transfer_service = service[:120]
        idea.transfer_status = TransferStatus.SENT
        idea.transfer_status_at = now
    elif action is IdeaAction.MERGE:
        _merge_into(idea, into)
    elif action is IdeaAction.HIDE:
        if comment is None:
            raise FieldErrors(
                {"comment": _l("Give the public reason for hiding the idea.")}
            )
        idea.hidden_reason = comment
    elif action is IdeaAction.UNHIDE:
        idea.hidden_reason = None
    elif action is IdeaAction.REOPEN:
        idea.public_reason = None

    if action in (
        IdeaAction.RETAIN,
        IdeaAction.DECLARE_INELIGIBLE,
        IdeaAction.TRANSFER,
    ):
        idea.decided_at = now
        idea.public_reason = comment
    elif action is IdeaAction.MERGE:
        idea.decided_at = now

    idea.state = new_state
    idea.state_changed_at = now
    idea.history.append(
        IdeaStateChange(
            action=action,
            from_state=old_state,
            to_state=new_state,
            actor_id=getattr(actor, "id", None),
            comment=comment,
            changed_at=now,
        )
    )
    db.session.flush()
    audit.record(
        f"idea.{action.value}",
        actor=actor,
        obj=idea,
        from_state=old_state.value,
        to_state=new_state.value,
        comment=comment,
        final_cost=str(idea.final_cost) if action is IdeaAction.RETAIN else None,
        into=idea.merged_into_id if action is IdeaAction.MERGE else None,
    )
    if old_state is not IdeaState.DRAFT or action is IdeaAction.SUBMIT:
        notify_author(idea, action, comment)
    return new_state


def set_transfer_status(
    idea: Idea, status: TransferStatus, actor: Any, now: datetime | None = None
) -> Idea:
    """Update the follow-up of a transferred idea (staff)."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied(_l("Only staff can do this."))
    if idea.state is not IdeaState.TRANSFERRED:
        raise Conflict(_l("This idea was not transferred."))
    idea.transfer_status = status
    idea.transfer_status_at = now or utcnow()
    db.session.flush()
    audit.record("idea.transfer_status", actor=actor, obj=idea, status=status.value)
    return idea


# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------


def idea_url(idea: Idea) -> str:
    """Absolute link when a request or SERVER_NAME allows it, else the path."""
    try:
        if has_request_context() or current_app.config.get("SERVER_NAME"):
            return url_for("budget.idea_detail", idea_id=idea.id, _external=True)
    except RuntimeError:  # no SERVER_NAME outside a request
        pass
    return f"/ideas/{idea.id}"


_SUBJECTS: dict[IdeaAction, Any] = {
    IdeaAction.SUBMIT: _l("Your idea “%(title)s” has been submitted"),
    IdeaAction.WITHDRAW: _l("Your idea “%(title)s” has been withdrawn"),
    IdeaAction.START_REVIEW: _l("Your idea “%(title)s” is under review"),
    IdeaAction.RETAIN: _l("Your idea “%(title)s” is retained for the vote"),
    IdeaAction.DECLARE_INELIGIBLE: _l("Your idea “%(title)s” is ineligible"),
    IdeaAction.TRANSFER: _l("Your idea “%(title)s” was sent to the competent service"),
    IdeaAction.MERGE: _l("Your idea “%(title)s” was merged with a similar idea"),
    IdeaAction.HIDE: _l("Your idea “%(title)s” was hidden"),
    IdeaAction.UNHIDE: _l("Your idea “%(title)s” is visible again"),
    IdeaAction.REOPEN: _l("The review of your idea “%(title)s” has been reopened"),
    IdeaAction.SELECT: _l("Your idea “%(title)s” won the vote"),
    IdeaAction.NOT_SELECT: _l("Your idea “%(title)s” was not selected by the vote"),
}


def notify_author(idea: Idea, action: IdeaAction, comment: str | None) -> None:
    """E-mail the author in their language; nothing for an account without e-mail.

    A managed account's relay sees the state on their "ideas I entered" page.
    """
    author = idea.author
    if not author.email:
        return
    with force_locale(author.locale or "fr"):
        subject = str(_SUBJECTS[action]) % {"title": idea.title[:80]}
        lines = [
            _("Hello %(name)s,", name=author.pseudonym),
            "",
            _("Your idea is now: %(state)s.", state=idea.state.label),
        ]
        if comment:
            lines += ["", _("Reason given: %(reason)s", reason=comment)]
        if idea.state is IdeaState.MERGED and idea.merged_into is not None:
            lines += [
                "",
                _("It continues as: %(link)s", link=idea_url(idea.merged_into)),
            ]
        lines += ["", _("Follow it here: %(link)s", link=idea_url(idea))]
        queue_email(author.email, subject, "\n".join(lines))


# ---------------------------------------------------------------------------
# Helpers for the relay's search
# ---------------------------------------------------------------------------


def search_people(query: str, relay: User, limit: int = 20) -> list[User]:
    """People a relay can enter an idea for: those they created or help (accounts'
    scoped search: anyone else only by an exact e-mail, phone or account code)."""
    found = account_queries.search_people(query, viewer=relay, per_page=limit)
    return [person for person in found.items if can_act_for(relay, person)]


def seconds_left(round_: Round, now: datetime | None = None) -> float:
    """Seconds before the submission deadline (negative once passed)."""
    delta: timedelta = round_.submission_closes_at - (now or utcnow())
    return delta.total_seconds()
