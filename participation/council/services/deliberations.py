"""Deliberations: the vote on an agenda item, with the frozen list of voters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from .. import quorum
from ..extension import deliberation_recorded
from ..models import AgendaItem, Deliberation, DeliberationVoter
from ..permissions import can_run_meeting
from ..states import AgendaItemKind, MeetingState, Outcome, VoteChoice, VoteMethod
from .attendance import _lock, quorum_at, voters_at
from .common import clean_text, record, require


@dataclass(frozen=True)
class VoteData:
    """What the secretary records: counts (show of hands) or choices (roll call)."""

    motion: str
    method: VoteMethod = VoteMethod.SHOW_OF_HANDS
    recused: frozenset[int] = frozenset()
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    #: member id -> vote, for a roll call (proxies voted by their holder).
    choices: Mapping[int, VoteChoice] = field(default_factory=dict)
    #: Record that the vote could not be held for want of quorum.
    no_quorum: bool = False


def _check_item(item: AgendaItem) -> None:
    meeting = item.meeting
    if meeting.is_locked:
        raise Conflict(_l("This meeting is closed or cancelled: its record is locked."))
    if meeting.state is not MeetingState.OPEN:
        raise Conflict(_l("Votes are recorded once the session is open."))
    if not item.is_voting:
        raise Conflict(_l("This agenda item is for information: there is no vote."))
    # A query, not the relationship: after the lock, what another request committed.
    existing = db.session.scalar(
        sa.select(Deliberation.id).where(Deliberation.agenda_item_id == item.id)
    )
    if existing is not None:
        raise Conflict(_l("The vote on this item is already recorded."))


def _tally(
    data: VoteData, voters: list[quorum.Voter], recused: frozenset[int]
) -> tuple[quorum.Tally, dict[int, VoteChoice]]:
    entitled = [v for v in voters if v.member_id not in recused]
    errors: dict[str, Any] = {}
    if data.method is VoteMethod.ROLL_CALL:
        choices: dict[int, VoteChoice] = {}
        for voter in entitled:
            choice = data.choices.get(voter.member_id)
            if choice is None:
                errors[f"choice_{voter.member_id}"] = _l("Record this member's vote.")
            else:
                choices[voter.member_id] = choice
        if errors:
            raise FieldErrors(errors)
        counts = {c: list(choices.values()).count(c) for c in VoteChoice}
        return (
            quorum.Tally(
                counts[VoteChoice.FOR],
                counts[VoteChoice.AGAINST],
                counts[VoteChoice.ABSTAIN],
            ),
            choices,
        )
    values = {}
    for name in ("votes_for", "votes_against", "abstentions"):
        value = getattr(data, name)
        if value is None or value < 0:
            errors[name] = _l("A number, 0 or more.")
        values[name] = value or 0
    if errors:
        raise FieldErrors(errors)
    tally = quorum.Tally(
        values["votes_for"], values["votes_against"], values["abstentions"]
    )
    if tally.total > len(entitled):
        raise DomainError(
            _l(
                "%(total)d votes for %(entitled)d members entitled to vote: check"
                " the counts.",
                total=tally.total,
                entitled=len(entitled),
            ),
            field="votes_for",
        )
    return tally, {}


def _counts(
    data: VoteData, result: quorum.QuorumResult, voters: list[quorum.Voter]
) -> tuple[quorum.Tally, dict[int, VoteChoice]]:
    """The votes to record, or why they cannot be: recusals, quorum, counts."""
    if not data.recused <= {v.member_id for v in voters}:
        raise DomainError(
            _l("Only members taking part in the vote can be recused."), field="recused"
        )
    if data.no_quorum:
        if result.met:
            raise Conflict(_l("The quorum is reached: record the vote itself."))
        return quorum.Tally(0, 0, 0), {}
    if not result.met:
        raise DomainError(
            _l(
                "No quorum: %(counted)d of the %(required)d members needed are"
                " present or represented. The vote cannot be held; record that it"
                " was not held, or wait for more members.",
                counted=result.counted,
                required=result.required,
            ),
            field="votes_for",
        )
    return _tally(data, voters, data.recused)


def _deliberation(
    item: AgendaItem,
    data: VoteData,
    result: quorum.QuorumResult,
    voters: list[quorum.Voter],
    votes: tuple[quorum.Tally, dict[int, VoteChoice]],
) -> Deliberation:
    """The row and its frozen list, with the outcome under the meeting's rules."""
    meeting = item.meeting
    rules = meeting.rules
    tally, choices = votes
    assert item.decision_kind is not None
    majority = rules.majority_for(item.decision_kind)
    entitled = len(voters) - len(data.recused)
    deliberation = Deliberation(
        item=item,
        meeting=meeting,
        decision_kind=item.decision_kind,
        majority=majority,
        abstentions_count=rules.abstentions_count,
        method=data.method,
        votes_for=tally.votes_for,
        votes_against=tally.votes_against,
        abstentions=tally.abstentions,
        entitled_count=entitled,
        recused_count=len(data.recused),
        quorum_required=result.required,
        quorum_counted=result.counted,
        outcome=quorum.outcome(
            majority,
            tally,
            entitled=entitled,
            quorum_met=result.met,
            abstentions_count=rules.abstentions_count,
        ),
    )
    deliberation.voters = [
        DeliberationVoter(
            member_id=v.member_id,
            holder_id=v.holder_id,
            is_recused=v.member_id in data.recused,
            choice=choices.get(v.member_id),
        )
        for v in voters
    ]
    return deliberation


def record_deliberation(
    item: AgendaItem, data: VoteData, actor: Actor, *, now: datetime | None = None
) -> Deliberation:
    """Record the vote on *item*: quorum taken again, list of voters frozen, outcome.

    :raises DomainError: no quorum for a vote (field ``votes_for``), bad counts.
    :raises Conflict: the meeting is not open, the item takes no vote or has one.
    """
    meeting = item.meeting
    require(
        can_run_meeting(actor, meeting),
        _l("Only the secretary of the council or staff record votes."),
    )
    _lock(meeting)
    _check_item(item)
    now = now or utcnow()
    motion = clean_text(data.motion, "motion", max_length=10_000)
    result = quorum_at(meeting, now)
    voters = voters_at(meeting, now)
    deliberation = _deliberation(
        item, data, result, voters, _counts(data, result, voters)
    )
    deliberation.motion = motion
    deliberation.voted_at = now
    deliberation.recorded_by_id = actor_id(actor)
    db.session.add(deliberation)
    db.session.flush()
    record(
        "deliberation_recorded",
        actor,
        deliberation,
        meeting_id=meeting.id,
        item_id=item.id,
        outcome=deliberation.outcome.value,
        votes=[
            deliberation.votes_for,
            deliberation.votes_against,
            deliberation.abstentions,
        ],
        quorum=[result.counted, result.required],
    )
    if (
        item.kind is AgendaItemKind.MINUTES_APPROVAL
        and deliberation.outcome is Outcome.ADOPTED
    ):
        from .minutes import approve

        assert item.minutes is not None
        approve(item.minutes, deliberation, actor)
    deliberation_recorded.send(deliberation)
    return deliberation
