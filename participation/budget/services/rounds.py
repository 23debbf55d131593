"""Rounds and envelopes: settings, opening, the next quarter's round, the carry-over.

Staff (or the system: CLI, demo, vote results) manage rounds; services flush and
the caller commits.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.texts import TextsByLanguage, clean_texts_by_language
from ...core.time import PARIS, utcnow
from ...extensions import db
from ...territories.models import Territory, Theme
from ..models import ZERO, Envelope, Idea, Round
from ..states import IdeaState, RoundPhase, phase_rank
from .permissions import require_manager

#: How far the next round's calendar moves.
NEXT_ROUND_MONTHS = 3
#: The dates of a round's calendar, in the order they must come.
CALENDAR = (
    "submission_opens_at",
    "submission_closes_at",
    "review_closes_at",
    "announcement_at",
    "vote_opens_at",
    "vote_closes_at",
)
#: Calendar dates that must come strictly after the one before.
_STRICTLY_AFTER = frozenset({"submission_closes_at", "vote_closes_at"})


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
    #: ``{"en": {"description": ..., "rules_text": ...}, "ar": {...}}`` (optional).
    texts_by_language: TextsByLanguage | None = field(default_factory=dict)
    delivery_starts_at: datetime | None = None
    is_carry_over_enabled: bool = True
    theme_ids: list[int] = field(default_factory=list)
    grid_version_id: int | None = None


def _check_round_data(data: RoundData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the round a title.")
    order = [(name, getattr(data, name)) for name in CALENDAR]
    for (_name, earlier), (later_name, later) in itertools.pairwise(order):
        strictly = later_name in _STRICTLY_AFTER
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


def themes_by_id(theme_ids: Iterable[int]) -> list[Theme]:
    """The themes of *theme_ids* (unknown ids are left out)."""
    ids = sorted(set(theme_ids))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids))).all())


def _apply_round_data(round_: Round, data: RoundData) -> None:
    for name in (
        "title",
        "description",
        "rules_text",
        *CALENDAR,
        "delivery_starts_at",
        "min_cost",
        "max_cost",
        "is_carry_over_enabled",
        "grid_version_id",
    ):
        setattr(round_, name, getattr(data, name))
    round_.title = data.title.strip()
    round_.texts_by_language = clean_texts_by_language(
        data.texts_by_language,
        {"description": data.description, "rules_text": data.rules_text},
    )
    round_.themes = themes_by_id(data.theme_ids)


def create_round(data: RoundData, actor: Actor) -> Round:
    """Create a round (not public until opened)."""
    require_manager(actor)
    _check_round_data(data)
    round_ = Round(created_by_id=actor_id(actor))
    _apply_round_data(round_, data)
    db.session.add(round_)
    db.session.flush()
    audit.record("round.create", actor=actor, obj=round_, title=round_.title)
    return round_


def update_round(
    round_: Round, data: RoundData, actor: Actor, now: datetime | None = None
) -> Round:
    """Change a round's settings; the grid is frozen once the review has started."""
    require_manager(actor)
    _check_round_data(data)
    _check_calendar_locked(round_, data, now or utcnow())
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
    changed = _date_changes(round_, data)
    _apply_round_data(round_, data)
    db.session.flush()
    audit.record(
        "round.update", actor=actor, obj=round_, title=round_.title, dates=changed
    )
    return round_


def _date_changes(round_: Round, data: RoundData) -> dict[str, list[str | None]]:
    """``{date: [old, new]}`` of every calendar date *data* changes (the audit)."""
    out: dict[str, list[str | None]] = {}
    for name in (*CALENDAR, "delivery_starts_at"):
        old, new = getattr(round_, name), getattr(data, name)
        if old != new:
            out[name] = [
                old.isoformat() if old else None,
                new.isoformat() if new else None,
            ]
    return out


def _check_calendar_locked(round_: Round, data: RoundData, now: datetime) -> None:
    """Once voting has opened, the calendar up to the close is locked.

    Closing early or extending is the vote's own reasoned action
    (``voting.services.change_vote_close``).
    """
    if round_.published_at is None or now < round_.vote_opens_at:
        return
    errors: dict[str, Any] = {}
    for name in CALENDAR:
        old, new = getattr(round_, name), getattr(data, name)
        if _to_minute(old) != _to_minute(new):
            errors[name] = _l(
                "Voting has opened: this date is locked. Close the vote early or"
                " extend it from the vote's page, with a written reason."
            )
        else:  # the form's minute precision: keep the stored moment as it is
            setattr(data, name, old)
    if errors:
        raise FieldErrors(errors)


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def publish_round(round_: Round, actor: Actor, now: datetime | None = None) -> Round:
    """Open a round to the public (needs at least one envelope)."""
    require_manager(actor)
    if round_.is_published:
        raise Conflict(_l("The round is already open."))
    if not round_.envelopes:
        raise Conflict(_l("Set at least one envelope before opening the round."))
    round_.published_at = now or utcnow()
    db.session.flush()
    audit.record("round.publish", actor=actor, obj=round_)
    return round_


def set_envelopes(
    round_: Round, amounts: Mapping[int, Decimal | None], actor: Actor
) -> list[Envelope]:
    """Set the envelope of each QPV (territory id -> amount; None removes it).

    A QPV that already has ideas keeps its envelope.
    """
    require_manager(actor)
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


def refresh_carry_over(round_: Round, actor: Actor) -> list[Envelope]:
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


def create_next_round(previous: Round, actor: Actor) -> Round:
    """Create the next quarter's round from *previous* in one action.

    Same settings, envelopes and themes; every date moved by three calendar months;
    the carry-over computed (see ``unspent``). The new round is not open yet.
    """
    require_manager(actor)
    # Two clicks at once: the second waits here for the first (row lock on
    # PostgreSQL; SQLite's write lock, taken by the view, already serialises them),
    # then finds its round.
    db.session.execute(
        sa.select(Round.id).where(Round.id == previous.id).with_for_update()
    )
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
        texts_by_language=previous.texts_by_language,
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
        created_by_id=actor_id(actor),
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
    round_: Round, actor: Actor, now: datetime | None = None
) -> Round:
    """Record that the vote's results are published (explicit staff step).

    Called by the voting feature once it has published the certified result;
    finalises the carry-over into the next round if it already exists.
    """
    require_manager(actor, _l("Only staff can publish results."))
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
