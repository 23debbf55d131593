"""The rules of a round's vote: set by staff, frozen for good by the first ballot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction

from ...accounts.states import VerificationLevel
from ...budget.models import Envelope, Round
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, utcnow
from ...extensions import db
from ..counting import CountingRule, TieBreak
from ..models import VoteResult, VoteRules
from ..states import BallotType
from .permissions import can_manage_votes, require


@dataclass
class RulesData:
    """What staff set for a round's vote (the view unpacks its form into this)."""

    ballot_type: BallotType = BallotType.APPROVAL
    min_projects: int = 1
    max_projects: int | None = None
    min_spend_percent: int = 0
    total_points: int | None = None
    max_points_per_project: int | None = None
    min_age: int = 0
    required_level: VerificationLevel = VerificationLevel.VERIFIED
    is_online_enabled: bool = True
    is_paper_enabled: bool = True
    counting_rule: CountingRule = CountingRule.GREEDY
    threshold: int = 0
    tie_break: TieBreak = TieBreak.SUPPORT_COST_ORDER

    @classmethod
    def of(cls, rules: VoteRules) -> RulesData:
        return cls(**{name: getattr(rules, name) for name in cls.__dataclass_fields__})


#: ``db.session.info`` key: round id -> its rules, once read in this transaction.
_KNOWN_RULES = "vote_rules_of_round"


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_known_rules(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_KNOWN_RULES, None)


@cache
def _rules_statement() -> sa.Select[VoteRules]:
    return sa.select(VoteRules).where(
        VoteRules.round_id == sa.bindparam("round_id", type_=sa.Integer)
    )


def get_rules(round_: Round) -> VoteRules | None:
    """The rules of *round_*, or None.

    A request asks several times (the view, the eligibility, the box): the rules
    read first are kept with the session (the identity map alone holds them weakly)
    and answer again with no query until the transaction ends (commit or rollback:
    then they are read again, so another transaction's change or a rolled-back
    insert is never answered).
    """
    known: dict[int, VoteRules] = db.session.info.setdefault(_KNOWN_RULES, {})
    rules = known.get(round_.id)
    if rules is not None and sa.inspect(rules).persistent:
        return rules
    rules = db.session.scalar(_rules_statement(), {"round_id": round_.id})
    if rules is not None:
        known[round_.id] = rules
    return rules


def vote_has_opened(round_: Round, now: datetime | None = None) -> bool:
    """The round's vote is open or over: its rules and dates are locked."""
    return round_.published_at is not None and (now or utcnow()) >= round_.vote_opens_at


def result_exists(round_: Round) -> bool:
    """Some envelope of *round_* has been counted."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(VoteResult)
            .join(Envelope, Envelope.id == VoteResult.envelope_id)
            .where(Envelope.round_id == round_.id)
        )
        or 0
    ) > 0


_OPENED = _l(
    "Voting has opened: the rules of this vote are locked. Only closing early or"
    " extending the vote, with a written reason, remains possible."
)


def _ballot_errors(data: RulesData) -> dict[str, Any]:
    """Inconsistencies of the ballot's shape: how many projects, money, points."""
    errors: dict[str, Any] = {}
    if data.min_projects < 0:
        errors["min_projects"] = _l("The minimum cannot be negative.")
    if data.max_projects is not None:
        if data.max_projects < 1:
            errors["max_projects"] = _l("The maximum must be at least 1.")
        elif data.max_projects < data.min_projects:
            errors["max_projects"] = _l("The maximum must not be below the minimum.")
    if not 0 <= data.min_spend_percent <= 100:
        errors["min_spend_percent"] = _l("Give a share between 0 and 100 %.")
    elif data.min_spend_percent and data.ballot_type is not BallotType.KNAPSACK:
        errors["min_spend_percent"] = _l(
            "A minimum share to spend only applies to a budget (knapsack) ballot."
        )
    if data.ballot_type is BallotType.CUMULATIVE:
        if not data.total_points or data.total_points < 1:
            errors["total_points"] = _l("Give the number of points of each voter.")
        if not data.max_points_per_project or data.max_points_per_project < 1:
            errors["max_points_per_project"] = _l(
                "Give the most points a voter may put on one project."
            )
        elif data.total_points and data.max_points_per_project > data.total_points:
            errors["max_points_per_project"] = _l(
                "This cannot exceed the number of points of each voter."
            )
    return errors


def _voter_and_count_errors(data: RulesData) -> dict[str, Any]:
    """Inconsistencies of who votes, how, and how the votes are counted."""
    errors: dict[str, Any] = {}
    if not 0 <= data.min_age <= 120:
        errors["min_age"] = _l("Give an age between 0 and 120.")
    if not (data.is_online_enabled or data.is_paper_enabled):
        errors["is_online_enabled"] = _l("Offer at least one way to vote.")
    if data.threshold < 0:
        errors["threshold"] = _l("The minimum support cannot be negative.")
    elif data.threshold and data.counting_rule is not CountingRule.GREEDY_THRESHOLD:
        errors["threshold"] = _l(
            "A minimum support only applies to the rule with a threshold."
        )
    elif data.counting_rule is CountingRule.GREEDY_THRESHOLD and data.threshold < 1:
        errors["threshold"] = _l("Give the minimum support a project needs.")
    return errors


def check_rules_data(data: RulesData) -> None:
    """Raise FieldErrors with every inconsistency of *data*."""
    errors = {**_ballot_errors(data), **_voter_and_count_errors(data)}
    if errors:
        raise FieldErrors(errors)


def save_rules(
    round_: Round, data: RulesData, actor: Actor, now: datetime | None = None
) -> VoteRules:
    """Create or change the rules of *round_*; refused once the first ballot is cast."""
    require(can_manage_votes(actor), _l("Only staff can set the rules of a vote."))
    if vote_has_opened(round_, now):
        raise Conflict(_OPENED)
    rules = get_rules(round_)
    if rules is not None:
        # Lock the row: a first ballot being cast right now freezes it first or waits.
        db.session.refresh(rules, with_for_update=True)
        if rules.is_frozen:
            raise Conflict(
                _l("The first ballot has been cast: the rules of this vote are frozen.")
            )
    check_rules_data(data)
    if data.ballot_type is not BallotType.CUMULATIVE:
        data.total_points = data.max_points_per_project = None
    if rules is None:
        rules = VoteRules(round_id=round_.id)
        db.session.add(rules)
    for name in RulesData.__dataclass_fields__:
        setattr(rules, name, getattr(data, name))
    rules.updated_by_id = actor_id(actor)
    rules.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        "vote_rules.save",
        actor=actor,
        obj=rules,
        round_id=round_.id,
        **{k: str(v) for k, v in vars(data).items()},
    )
    return rules


def freeze_rules(rules: VoteRules, now: datetime) -> None:
    """Freeze the rules with the first ballot (one UPDATE, a no-op once frozen).

    Only the day is kept (midnight UTC of the Paris date), and ``updated_at`` is left
    as it was: the exact time of the first ballot is written nowhere.
    """
    if rules.frozen_at is not None:
        return
    day = datetime.combine(now.astimezone(PARIS).date(), time(), tzinfo=UTC)
    db.session.execute(
        sa.update(VoteRules)
        .where(VoteRules.id == rules.id, VoteRules.frozen_at.is_(None))
        .values(frozen_at=day, updated_at=VoteRules.updated_at)
        .execution_options(synchronize_session=False)
    )
    # Re-read what is now frozen: staff may have saved a change just before.
    db.session.refresh(rules)


#: The early close form gives minutes: a time within the last minute means now.
CURRENT_MINUTE = timedelta(minutes=1)
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1000


def change_vote_close(
    round_: Round,
    closes_at: datetime | None,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> Round:
    """Close the vote early or extend it: an explicit, reasoned and audited action.

    Once voting has opened this is the only way the vote's dates move. The new
    close is not in the past and comes after the opening; a written reason is
    required; nothing moves once a result is counted. The audit entry keeps the old
    and the new close and the reason.
    """
    require(can_manage_votes(actor), _l("Only staff can close or extend a vote."))
    now = now or utcnow()
    errors: dict[str, Any] = {}
    reason = " ".join((reason or "").split())
    if not REASON_MIN_LENGTH <= len(reason) <= REASON_MAX_LENGTH:
        errors["reason"] = _l(
            "Write why the vote closes early or is extended"
            " (%(min)d to %(max)d characters).",
            min=REASON_MIN_LENGTH,
            max=REASON_MAX_LENGTH,
        )
    if not vote_has_opened(round_, now):
        raise Conflict(
            _l("Voting has not opened yet: change its dates in the round's settings.")
        )
    # Lock the round's row (PostgreSQL): a count starting now goes first or waits.
    db.session.refresh(round_, with_for_update=True)
    if result_exists(round_):
        raise Conflict(
            _l("The votes are counted: the dates of this vote can no longer change.")
        )
    if closes_at is not None and now - CURRENT_MINUTE < closes_at < now:
        # The form takes minutes: the current minute, typed to close now, is now.
        closes_at = now
    if closes_at is None:
        errors["closes_at"] = _l("Give the new end of the vote.")
    elif closes_at < now:
        errors["closes_at"] = _l(
            "The new end cannot be in the past: to close now, give the current time."
        )
    elif closes_at <= round_.vote_opens_at:
        errors["closes_at"] = _l("The new end must come after the opening of the vote.")
    elif closes_at == round_.vote_closes_at:
        errors["closes_at"] = _l("This is already the end of the vote.")
    elif (
        round_.delivery_starts_at is not None and closes_at > round_.delivery_starts_at
    ):
        errors["closes_at"] = _l("The vote must end before the delivery starts.")
    if errors:
        raise FieldErrors(errors)
    assert closes_at is not None
    before = round_.vote_closes_at
    round_.vote_closes_at = closes_at
    db.session.flush()
    audit.record(
        "round.vote_close_change",
        actor=actor,
        obj=round_,
        change="close_early" if closes_at < before else "extend",
        before=before.isoformat(),
        after=closes_at.isoformat(),
        reason=reason,
    )
    return round_
