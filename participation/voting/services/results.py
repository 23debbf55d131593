"""Counting an envelope, then certifying and publishing its result: one workflow.

The first count creates the result in its initial state (``computed``); from then on
every change of state goes through ``core.workflow.apply_transition`` with the
table of ``states.TRANSITIONS`` (:data:`RESULT_WORKFLOW`): recount, certify,
publish, each with a history row and an audit entry. A published result never
changes (the services refuse, and so do the database triggers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from ...budget import services as budget_services
from ...budget.models import Envelope, Idea, Round
from ...budget.states import IdeaAction, IdeaState
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...core.workflow import Workflow, apply_transition
from ...extensions import db
from .. import tally
from ..counting import CountingRule
from ..models import VoteResult, VoteResultStateChange, VoteRules
from ..states import TRANSITIONS, BallotType, ResultAction, ResultState
from .ballot_box import (
    box_hash,
    load_ballots,
    participation_of,
    result_of,
    seal_ballot_box,
)
from .ceremony import is_sealed, key_of
from .choices import ballot_projects
from .permissions import can_manage_votes, require
from .rules import get_rules

#: The result's workflow: the table, the history rows, the per-action dates.
RESULT_WORKFLOW: Workflow[ResultState, ResultAction] = Workflow(
    name="vote_result",
    transitions=TRANSITIONS,
    history=VoteResultStateChange,
    changed_at_attr=None,
    stamps={
        ResultAction.CERTIFY: "certified_at",
        ResultAction.PUBLISH: "published_at",
    },
    permission=lambda actor, result, action: can_manage_votes(actor),
)

_PUBLISHED = _l("This result is published: it can no longer change.")


def _tally_input(
    rules: VoteRules, projects: Sequence[Idea], ballots: Sequence[dict[int, int]]
) -> tuple[list[tally.Project], list[Any]]:
    items = [
        tally.Project(id=str(idea.id), cost=idea.final_cost or Decimal(0), order=n)
        for n, idea in enumerate(projects)
    ]
    if rules.ballot_type is BallotType.CUMULATIVE:
        return items, [{str(i): p for i, p in b.items()} for b in ballots]
    return items, [frozenset(str(i) for i in b) for b in ballots]


def _params(rules: VoteRules, threshold: int) -> dict[str, Any]:
    """The count's and the ballot's parameters, kept with the result."""
    return {
        "threshold": threshold,
        "ballot_type": rules.ballot_type.value,
        "min_projects": rules.min_projects,
        "max_projects": rules.max_projects,
        "min_spend_percent": rules.min_spend_percent,
        "total_points": rules.total_points,
        "max_points_per_project": rules.max_points_per_project,
    }


def count_envelope(envelope: Envelope, rules: VoteRules) -> dict[str, Any]:
    """Count *envelope* now (pure engine on the stored ballots); the result's fields."""
    stored = load_ballots(envelope.id)
    items, ballots = _tally_input(
        rules, ballot_projects(envelope), [b for _, _, b in stored]
    )
    threshold = (
        rules.threshold if rules.counting_rule is CountingRule.GREEDY_THRESHOLD else 0
    )
    outcome = tally.tally(
        items,
        ballots,
        envelope.total,
        rules.counting_rule,
        threshold=threshold,
        tie_break=rules.tie_break,
    )
    participation = participation_of(envelope)
    key = key_of(envelope.round)
    # The opened box's fingerprints (as receipt hashes): one per online ballot.
    sealed_receipts = (key.fingerprints if key else {}).get(str(envelope.id), [])
    return {
        "rule": rules.counting_rule,
        "tie_break": rules.tie_break,
        "params": _params(rules, threshold),
        "engine_version": outcome.engine_version,
        "budget": outcome.budget,
        "allocated": outcome.total_cost,
        "amount_left": outcome.budget - outcome.total_cost,
        "num_ballots": outcome.num_ballots,
        "num_sign_ins": sum(c["sign_ins"] for c in participation.values()),
        "population": envelope.territory.population,
        "participation": participation,
        "support": {k: int(v) for k, v in outcome.support.items()},
        "winners": list(outcome.winners),
        "trace": [step.to_dict() for step in outcome.steps],
        "ballot_set_hash": box_hash(stored),
        "receipt_hashes": sorted(
            [h for h, _, _ in stored if h] + list(sealed_receipts)
        ),
    }


def _check_closed(round_: Round, now: datetime) -> None:
    if round_.published_at is None or now < round_.vote_closes_at:
        raise Conflict(_l("The vote is not closed yet: no count before the close."))


def count_refusals(round_: Round) -> list[str]:
    """Why *round_* cannot be counted now (empty: it can), one message per reason.

    A desk still open, a paper batch neither in the ballot box nor cancelled (with
    its reason), or a closed desk with fewer paper ballots than sign-ins whose
    minutes do not explain the difference, or the online box still sealed: each is
    named.
    """
    # Imported here: the desks build on the vote, not the other way round.
    from ..desks.models import PaperBatch
    from ..desks.states import BatchState
    from ..models import PollingDesk, SignIn

    messages: list[str] = []
    desks = db.session.scalars(
        sa.select(PollingDesk)
        .where(PollingDesk.round_id == round_.id)
        .order_by(PollingDesk.opens_on, PollingDesk.id)
    ).all()
    for desk in desks:
        if desk.is_open:
            messages.append(
                str(
                    _l(
                        "The desk “%(place)s” (%(day)s) is still open: close it"
                        " before the count.",
                        place=desk.place,
                        day=desk.opens_on.isoformat(),
                    )
                )
            )
            continue
        batches = db.session.scalars(
            sa.select(PaperBatch)
            .where(PaperBatch.desk_id == desk.id)
            .order_by(PaperBatch.number)
        ).all()
        for batch in batches:
            if batch.state not in (BatchState.DEPOSITED, BatchState.CANCELLED):
                messages.append(
                    str(
                        _l(
                            "Batch n° %(number)d of the desk “%(place)s” is neither in"
                            " the ballot box nor cancelled (%(state)s).",
                            number=batch.number,
                            place=desk.place,
                            state=batch.state.label,
                        )
                    )
                )
        sign_ins = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(SignIn)
                .where(SignIn.desk_id == desk.id)
            )
            or 0
        )
        ballots = sum(
            b.declared_count for b in batches if b.state is BatchState.DEPOSITED
        )
        if ballots < sign_ins and not (desk.minutes_note or "").strip():
            messages.append(
                str(
                    _l(
                        "The desk “%(place)s”: %(sign_ins)s but %(ballots)s in the"
                        " box: explain the difference in its minutes before the"
                        " count.",
                        place=desk.place,
                        sign_ins=ngettext(
                            "%(num)d sign-in", "%(num)d sign-ins", sign_ins
                        ),
                        ballots=ngettext(
                            "%(num)d paper ballot", "%(num)d paper ballots", ballots
                        ),
                    )
                )
            )
    if is_sealed(round_):
        messages.append(
            str(
                _l(
                    "The online ballot box is still sealed: the trustees open it"
                    " before the count."
                )
            )
        )
    return messages


def _check_countable(round_: Round) -> None:
    refusals = count_refusals(round_)
    if refusals:
        raise Conflict(" ".join(refusals))


def compute_result(
    envelope: Envelope, actor: Actor, now: datetime | None = None, *, seal: bool = True
) -> VoteResult:
    """Seal and count *envelope* after the close; a new count resets certification.

    The first count creates the result; a later one is the ``recompute`` action.
    *seal* False skips ``seal_ballot_box``: for ballots all written in this very
    transaction (an import), which already share one ``xmin``.
    """
    require(can_manage_votes(actor), _l("Only staff can count the votes."))
    now = now or utcnow()
    _check_closed(envelope.round, now)
    _check_countable(envelope.round)
    rules = get_rules(envelope.round)
    if rules is None:
        raise Conflict(_l("The rules of this vote are not set."))
    result = result_of(envelope.id)
    if result is not None and not RESULT_WORKFLOW.allows(
        result.state, ResultAction.RECOMPUTE
    ):
        raise Conflict(_PUBLISHED)
    if seal:
        seal_ballot_box(envelope)
    fields = count_envelope(envelope, rules)
    details = {
        "winners": fields["winners"],
        "ballot_set_hash": fields["ballot_set_hash"],
        "num_ballots": fields["num_ballots"],
    }
    if result is None:
        result = VoteResult(envelope_id=envelope.id, **_counted(fields, actor, now))
        db.session.add(result)
        db.session.flush()
        audit.record("vote_result.compute", actor=actor, obj=result, **details)
        return result
    apply_transition(
        RESULT_WORKFLOW,
        result,
        ResultAction.RECOMPUTE,
        actor,
        now=now,
        audit_details=details,
    )
    for name, value in _counted(fields, actor, now).items():
        setattr(result, name, value)
    result.certified_at = result.certified_by_id = None
    db.session.flush()
    return result


def _counted(fields: dict[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    return {**fields, "computed_at": now, "computed_by_id": actor_id(actor)}


def compute_round(
    round_: Round, actor: Actor, now: datetime | None = None
) -> list[VoteResult]:
    """Count every envelope of *round_* whose result is not published yet."""
    out = []
    for envelope in round_.envelopes:
        existing = result_of(envelope.id)
        if existing is not None and existing.is_published:
            continue
        out.append(compute_result(envelope, actor, now))
    return out


def transition_result(
    result: VoteResult,
    action: ResultAction,
    actor: Actor,
    *,
    now: datetime | None = None,
    winners: Sequence[str] | None = None,
    verify_box: bool = True,
    follow_up: bool = True,
) -> ResultState:
    """Apply *action* (certify, publish, recompute) to *result*.

    Certifying and publishing first check that the ballot box still holds exactly the
    ballots counted. Publishing moves the winning ideas to ``selected`` and the others
    to ``not_selected`` (budget's transition), and once every envelope of the round is
    published, records the round's results as published (carry-over). *winners*
    overrides the count's winners for the ideas' states (an imported archive whose
    file records the official selection). *verify_box* False skips re-reading the
    ballot box, for a result counted in this very transaction (an import).
    Publishing makes a followed-up project of each winner (``followup``); *follow_up*
    False leaves that out (an imported archive of another city's vote).
    """
    now = now or utcnow()
    require(can_manage_votes(actor), _l("Only staff can certify and publish results."))
    # Lock the row (PostgreSQL): a paper ballot being deposited now goes first or
    # finds the box closed; two clicks certify once.
    db.session.refresh(result, with_for_update=True)
    if not RESULT_WORKFLOW.allows(result.state, action):
        if result.is_published:
            raise Conflict(_PUBLISHED)
        raise Conflict(_l("This action is not possible in the result's current state."))
    envelope = result.envelope
    if action is ResultAction.RECOMPUTE:
        compute_result(envelope, actor, now)
        return result.state
    if verify_box and box_hash(load_ballots(envelope.id)) != result.ballot_set_hash:
        raise Conflict(
            _l("The ballot box changed since this count: count again before going on.")
        )
    if action is ResultAction.CERTIFY:
        result.certified_by_id = actor_id(actor)
    else:
        _check_four_eyes(result, actor)
        result.published_by_id = actor_id(actor)
    state = apply_transition(
        RESULT_WORKFLOW,
        result,
        action,
        actor,
        now=now,
        audit_details={"ballot_set_hash": result.ballot_set_hash},
    )
    if action is ResultAction.PUBLISH:
        _select_projects(
            envelope, result.winners if winners is None else winners, actor, now
        )
        _close_round_if_all_published(envelope.round, actor, now)
        if follow_up:
            # Imported here: the follow-up builds on the vote, not the other way.
            from ...followup import services as followup_services

            followup_services.create_projects_for_round(envelope.round, actor, now=now)
    return state


def _check_four_eyes(result: VoteResult, actor: Actor) -> None:
    """Certify and publish are done by two different people (the system excepted)."""
    me = actor_id(actor)
    if me is not None and me == result.certified_by_id:
        raise Conflict(
            _l(
                "You certified this result: another staff member must publish it"
                " (four eyes on every result)."
            )
        )


def _select_projects(
    envelope: Envelope, winners: Sequence[str], actor: Actor, now: datetime
) -> None:
    """The winners become ``selected``, the other projects ``not_selected``."""
    chosen = set(winners)
    for idea in ballot_projects(envelope):
        if idea.state is not IdeaState.ELIGIBLE:
            continue
        budget_services.transition(
            idea,
            IdeaAction.SELECT if str(idea.id) in chosen else IdeaAction.NOT_SELECT,
            actor,
            now=now,
        )


def _close_round_if_all_published(round_: Round, actor: Actor, now: datetime) -> None:
    """Once every envelope of *round_* is published, so are the round's results."""
    published = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VoteResult)
        .join(Envelope, Envelope.id == VoteResult.envelope_id)
        .where(
            Envelope.round_id == round_.id,
            VoteResult.state == ResultState.PUBLISHED,
        )
    )
    if published == len(round_.envelopes) and round_.results_published_at is None:
        budget_services.mark_results_published(round_, actor, now)
