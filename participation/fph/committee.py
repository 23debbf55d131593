"""The FPH committee: a council meeting of kind ``fph_committee``.

Each scheduled file is an ``fph_file`` agenda item of the meeting it is assigned
to. Members score it with the eligibility grid (an ``Assessment`` of subject
``fph_application``, one per member); a member who is the applicant or one of the
group is **recused**: they cannot score it and are excluded from the entitled list
of its vote. The decision is the council deliberation on the item (quorum, for /
against / abstention) with a decision text and an amount; when the vote is
recorded (``council.extension.deliberation_recorded``, inside the transaction) the
file moves to granted, granted_partially, deferred or refused and the fund's
balance goes down — under a row lock on the fund (PostgreSQL) and SQLite's write
lock, with the database CHECK ``balance >= 0`` as the last guard.

An adopted motion applies the proposed decision; a rejected motion, or a vote not
held for want of quorum, defers the file to a later committee.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ..core import audit
from ..core.actors import Actor, is_system
from ..core.database import write_lock
from ..core.errors import Conflict, DomainError, PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.permissions import is_staff
from ..core.workflow import apply_transition
from ..council.extension import deliberation_recorded, register_item_link
from ..council.models import AgendaItem, CouncilMember, Deliberation, Meeting
from ..council.permissions import can_run_meeting, membership
from ..council.services.attendance import sheet_members
from ..council.services.deliberations import VoteData, record_deliberation
from ..council.states import (
    AGENDA_EDITABLE_STATES,
    AgendaItemKind,
    MeetingKind,
    Outcome,
    VoteMethod,
)
from ..eligibility.defaults import DEFAULT_GRID_NAME
from ..eligibility.evaluate import AnswerValue, Result
from ..eligibility.models import Assessment, Grid, GridVersion
from ..eligibility.services.assessments import save_assessment
from ..extensions import db
from .amounts import Limits, check_amount
from .models import Application, Fund
from .states import ApplicationAction, ApplicationState
from .workflow import APPLICATION_WORKFLOW

#: ``Assessment.subject_type`` of a member's scoring of a file.
SUBJECT = "fph_application"

A = ApplicationAction
S = ApplicationState


class Proposal(StrEnum):
    """What the motion put to the vote proposes."""

    GRANT = "grant"
    DEFER = "defer"
    REFUSE = "refuse"


def _staff(actor: Actor) -> None:
    if not (is_system(actor) or is_staff(actor)):
        raise PermissionDenied(_l("Only staff can do this."))


def application_of(item: AgendaItem) -> Application | None:
    return db.session.scalar(
        sa.select(Application).where(Application.agenda_item_id == item.id)
    )


# ---------------------------------------------------------------------------
# The agenda
# ---------------------------------------------------------------------------


def put_on_agenda(
    application: Application, actor: Actor, *, meeting: Meeting | None = None
) -> AgendaItem:
    """Put a complete (or deferred) file on its committee's agenda: ``scheduled``.

    :raises DomainError: no committee meeting (field ``meeting_id``).
    :raises Conflict: wrong state, the meeting is not an FPH committee of the
        fund's council, or its agenda is fixed.
    """
    _staff(actor)
    write_lock()
    if application.state not in (S.COMPLETE, S.DEFERRED):
        raise Conflict(_l("Only a complete or deferred file goes on an agenda."))
    if meeting is None:
        meeting = application.meeting
        if meeting is None or meeting.state not in AGENDA_EDITABLE_STATES:
            # A deferred file (or one whose committee has passed): the next one.
            from .services.funds import next_committee

            entry = next_committee(application.fund)
            meeting = entry.meeting if entry is not None else None
    if meeting is None:
        raise DomainError(
            _l("Choose the committee meeting that examines this file."),
            field="meeting_id",
        )
    if meeting.kind is not MeetingKind.FPH_COMMITTEE:
        raise Conflict(_l("This meeting is not an FPH committee."))
    from .services.applications import schedule

    schedule(application, meeting, actor)
    # The relationship may still hold a deferred file's earlier item: reload it.
    db.session.expire(application, ["agenda_item", "meeting"])
    item = application.agenda_item
    assert item is not None
    return item


# ---------------------------------------------------------------------------
# Recusals and scores
# ---------------------------------------------------------------------------


def interested_user_ids(application: Application) -> set[int]:
    """Accounts of the applicant and of the group's members."""
    ids = {application.owner_id}
    ids.update(m.user_id for m in application.members if m.user_id is not None)
    return ids


def recused_members(application: Application, meeting: Meeting) -> list[CouncilMember]:
    """Members of the meeting who are the applicant or in the group."""
    interested = interested_user_ids(application)
    return [m for m in sheet_members(meeting) if m.user_id in interested]


def _meeting_of(application: Application) -> Meeting:
    if application.state is not S.SCHEDULED or application.agenda_item is None:
        raise Conflict(_l("This file is not on a committee agenda."))
    return application.agenda_item.meeting


def grid_version_for(application: Application) -> GridVersion:
    """The grid version the file is scored with: the one of its first score, else
    the latest version of the default grid (or of the newest grid)."""
    first = db.session.scalar(
        sa.select(Assessment)
        .where(Assessment.subject_type == SUBJECT)
        .where(Assessment.subject_id == application.id)
        .order_by(Assessment.id)
        .limit(1)
    )
    if first is not None:
        return first.version
    grid = db.session.scalar(
        sa.select(Grid).order_by(
            (Grid.name == DEFAULT_GRID_NAME).desc(), Grid.id.desc()
        )
    )
    if grid is None or not grid.versions:
        raise Conflict(_l("There is no eligibility grid yet: staff must create one."))
    return grid.latest_version


def scoring_member(application: Application, actor: Actor) -> CouncilMember:
    """The actor's seat if they may score this file; why not otherwise."""
    meeting = _meeting_of(application)
    member = membership(actor, meeting.council_id)
    if member is None or not member.is_voting:
        raise PermissionDenied(_l("Only the committee's voting members score files."))
    if member.user_id in interested_user_ids(application):
        raise PermissionDenied(
            _l("You are recused: you are the applicant or in the group.")
        )
    if meeting.is_locked:
        raise Conflict(_l("This meeting is closed or cancelled: its record is locked."))
    return member


def score(
    application: Application, answers: Mapping[str, AnswerValue], actor: Actor
) -> tuple[Assessment, Result]:
    """Store (or replace) the actor's scoring of the file with the grid."""
    write_lock()
    scoring_member(application, actor)
    version = grid_version_for(application)
    existing = db.session.scalar(
        sa.select(Assessment).where(
            Assessment.subject_type == SUBJECT,
            Assessment.subject_id == application.id,
            Assessment.assessor_id == getattr(actor, "id", None),
        )
    )
    assessment, result = save_assessment(
        version,
        answers,
        subject_type=SUBJECT,
        subject_id=application.id,
        assessor=actor,
        assessment=existing,
    )
    audit.record(
        "fph_application.score",
        actor=actor,
        obj=application,
        score=str(result.score),
        outcome=result.outcome.value,
    )
    return assessment, result


def scores(application: Application) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .where(
                Assessment.subject_type == SUBJECT,
                Assessment.subject_id == application.id,
            )
            .order_by(Assessment.id)
        )
    )


def average_score(application: Application) -> Decimal | None:
    rows = scores(application)
    if not rows:
        return None
    return (sum((r.score for r in rows), Decimal(0)) / len(rows)).quantize(
        Decimal("0.1")
    )


# ---------------------------------------------------------------------------
# The decision
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionData:
    """The motion and its vote, as the secretary records them."""

    proposal: Proposal
    decision_text: str
    amount: Decimal | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    #: Further members who declared an interest (the applicant's are always recused).
    recused: frozenset[int] = field(default_factory=frozenset)
    no_quorum: bool = False
    #: E-mail the letters to the contact (the demo's past decisions do not).
    notify: bool = True


@dataclass(frozen=True)
class _Pending:
    application_id: int
    proposal: Proposal
    amount: Decimal | None
    text: str
    recused: tuple[int, ...]
    notify: bool = True


_pending: ContextVar[_Pending | None] = ContextVar("fph_pending_decision", default=None)


@contextmanager
def _proposing(pending: _Pending) -> Iterator[None]:
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)


def lock_fund(fund: Fund) -> Fund:
    """Hold the fund row until the end of the transaction; its balance read afresh."""
    locked = db.session.scalars(
        sa.select(Fund)
        .where(Fund.id == fund.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return locked


def limits(application: Application, fund: Fund) -> Limits:
    assert application.amount_requested is not None
    return Limits(
        requested=application.amount_requested,
        cap=fund.cap_per_project,
        max_share=Decimal(fund.max_share_percent) / 100,
        total_cost=application.total_expenses,
        balance=fund.balance,
    )


def decide(
    application: Application,
    data: DecisionData,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Deliberation:
    """Record the committee's vote on the file and apply the decision.

    :raises DomainError: bad amount (field ``amount``: over the request, the cap,
        the share or the fund's balance), missing text, bad counts, no quorum.
    :raises Conflict: the file is not on an open committee's agenda.
    """
    write_lock()
    meeting = _meeting_of(application)
    if not can_run_meeting(actor, meeting):
        raise PermissionDenied(
            _l("Only the secretary of the council or staff record votes.")
        )
    fund = lock_fund(application.fund)
    text = (data.decision_text or "").strip()
    if not text:
        raise DomainError(_l("Write the committee's decision."), field="decision_text")
    if len(text) > 5000:
        raise DomainError(
            _l("At most %(n)d characters.", n=5000), field="decision_text"
        )
    amount = None
    if data.proposal is Proposal.GRANT and not data.no_quorum:
        amount = check_amount(data.amount, limits(application, fund))
    recused = (
        frozenset(m.id for m in recused_members(application, meeting)) | data.recused
    )
    motion = _motion(application, data.proposal, amount, text)
    pending = _Pending(
        application.id,
        data.proposal,
        amount,
        text,
        tuple(sorted(recused)),
        notify=data.notify,
    )
    item = application.agenda_item
    assert item is not None
    with _proposing(pending):
        return record_deliberation(
            item,
            VoteData(
                motion=motion,
                method=VoteMethod.SHOW_OF_HANDS,
                recused=recused,
                votes_for=data.votes_for,
                votes_against=data.votes_against,
                abstentions=data.abstentions,
                no_quorum=data.no_quorum,
            ),
            actor,
            now=now,
        )


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",") + " €"


def _motion(
    application: Application, proposal: Proposal, amount: Decimal | None, text: str
) -> str:
    head = {
        Proposal.GRANT: f"Attribuer {_euros(amount)} au dossier {application.reference}"
        if amount is not None
        else f"Attribuer une aide au dossier {application.reference}",
        Proposal.DEFER: f"Reporter le dossier {application.reference}",
        Proposal.REFUSE: f"Refuser le dossier {application.reference}",
    }[proposal]
    return f"{head}. {text}"


def _on_deliberation(deliberation: Deliberation, **_: Any) -> None:
    """Turn the recorded vote on an ``fph_file`` item into the file's decision."""
    item = deliberation.item
    if item.kind is not AgendaItemKind.FPH_FILE:
        return
    application = application_of(item)
    if application is None:
        return
    pending = _pending.get()
    if pending is None or pending.application_id != application.id:
        raise Conflict(
            _l(
                "The vote on an FPH file is recorded from the file's committee page,"
                " with the amount and the decision text."
            )
        )
    apply_decision(application, deliberation, pending)


def apply_decision(
    application: Application, deliberation: Deliberation, pending: _Pending
) -> None:
    from . import payments  # the letters and the follow-up project

    actor_obj = deliberation.recorded_by_id
    now = deliberation.voted_at
    application.deliberation_id = deliberation.id
    application.decided_at = now
    application.decision_reason = pending.text
    if deliberation.outcome is not Outcome.ADOPTED:
        action = A.DEFER
        reason = (
            str(_l("The vote could not be held for want of quorum."))
            if deliberation.outcome is Outcome.NO_QUORUM
            else str(_l("The committee did not adopt the motion."))
        )
        application.decision_reason = f"{reason} {pending.text}"
    elif pending.proposal is Proposal.GRANT:
        assert pending.amount is not None
        assert application.amount_requested is not None
        fund = lock_fund(application.fund)
        if pending.amount > fund.balance:
            raise DomainError(
                _l("What is left in the fund changed: this amount is over it."),
                field="amount",
            )
        fund.balance = fund.balance - pending.amount
        application.amount_granted = pending.amount
        action = (
            A.GRANT
            if pending.amount == application.amount_requested
            else A.GRANT_PARTIALLY
        )
    elif pending.proposal is Proposal.DEFER:
        action = A.DEFER
    else:
        action = A.REFUSE
    db.session.flush()
    apply_transition(
        APPLICATION_WORKFLOW,
        application,
        action,
        _recorder(actor_obj),
        # The vote is the authority: whoever may record it decides the file.
        permission=_by_the_vote,
        comment=application.decision_reason,
        now=now,
        audit_details={
            "deliberation_id": deliberation.id,
            "amount": str(application.amount_granted or ""),
            "recused": list(pending.recused),
        },
    )
    if action in (A.GRANT, A.GRANT_PARTIALLY):
        payments.create_followup_project(application, _recorder(actor_obj))
    if pending.notify and action in (A.GRANT, A.GRANT_PARTIALLY, A.REFUSE):
        payments.send_letters(application)


def _by_the_vote(actor: Actor, application: Application, action: A) -> bool:
    return True


def _recorder(user_id: int | None) -> Actor:
    from ..accounts.models import User
    from ..core.actors import SYSTEM

    user = db.session.get(User, user_id) if user_id is not None else None
    return user if user is not None else SYSTEM


def _item_link(item: AgendaItem) -> tuple[str, str] | None:
    from flask import url_for

    application = application_of(item)
    if application is None:
        return None
    return (
        str(_l("The file %(reference)s", reference=application.reference)),
        url_for("fph2.committee_file", application_id=application.id),
    )


def register() -> None:
    """Connect the committee to the council feature (called once at start-up)."""
    deliberation_recorded.connect(_on_deliberation)
    register_item_link(AgendaItemKind.FPH_FILE, _item_link)
