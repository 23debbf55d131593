"""Factories of the fph2 tests: a fund with its council, a committee, files on it."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from participation.accounts.models import User
from participation.accounts.states import Sex
from participation.core.actors import SYSTEM
from participation.core.time import today_paris, utcnow
from participation.core.workflow import apply_transition
from participation.council.models import Council, CouncilMember, Meeting
from participation.council.services import attendance, councils, meetings, seats
from participation.council.states import AttendanceStatus, College, MeetingKind
from participation.extensions import db
from participation.fph import committee
from participation.fph.models import (
    Application,
    ApplicationMember,
    BudgetLine,
    Fund,
    FundFunder,
)
from participation.fph.states import (
    ApplicantKind,
    ApplicationAction,
    BudgetLineKind,
    FunderKind,
)
from participation.fph.workflow import APPLICATION_WORKFLOW

_numbers = itertools.count(1)


@dataclass
class Committee:
    council: Council
    fund: Fund
    meeting: Meeting
    members: list[CouncilMember]
    users: list[User]


def make_committee(
    make_user: Callable[..., User],
    make_territory: Callable[..., Any],
    *,
    envelope: Decimal = Decimal("3000.00"),
    members: int = 5,
) -> Committee:
    territory = make_territory()
    council = councils.create_council(
        councils.CouncilData(
            name=f"Conseil citoyen {territory.name}",
            territory_id=territory.id,
            is_draw_required=False,
        ),
        SYSTEM,
    )
    users = [make_user(real_name=f"Membre{n} Nom") for n in range(members)]
    seated = [
        seats.add_member(
            council,
            seats.MemberData(
                person=user.email or user.pseudonym,
                college=College.RESIDENTS,
                sex=Sex.FEMALE if n % 2 else Sex.MALE,
                mandate_starts_on=date(2024, 1, 1),
                is_secretary=n == 0,
            ),
            SYSTEM,
        )
        for n, user in enumerate(users)
    ]
    fund = Fund(
        name="FPH",
        year=utcnow().year,
        territory_id=territory.id,
        council_id=council.id,
        managing_body="Centre social Les Prés",
        envelope=envelope,
        balance=envelope,
    )
    fund.funders = [
        FundFunder(name="État", kind=FunderKind.STATE, share_percent=Decimal("50")),
        FundFunder(name="Ville", kind=FunderKind.COMMUNE, share_percent=Decimal("50")),
    ]
    db.session.add(fund)
    starts = (utcnow() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    meeting = meetings.create_meeting(
        council,
        meetings.MeetingData(
            title="Comité FPH",
            kind=MeetingKind.FPH_COMMITTEE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Centre social",
        ),
        SYSTEM,
    )
    db.session.flush()
    return Committee(council, fund, meeting, seated, users)


def make_application(
    fund: Fund,
    owner: User,
    *,
    requested: Decimal = Decimal("800.00"),
    expenses: Sequence[Decimal] = (Decimal("1000.00"),),
    meeting: Meeting | None = None,
    member_users: Sequence[User] = (),
    association: bool = False,
) -> Application:
    n = next(_numbers)
    application = Application(
        fund=fund,
        owner_id=owner.id,
        reference=f"FPH-{fund.year}-{n:04d}",
        submitted_at=utcnow(),
        applicant_kind=(
            ApplicantKind.ASSOCIATION if association else ApplicantKind.INFORMAL_GROUP
        ),
        applicant_name="Les Jardins partagés" if association else "Les voisins du 12",
        rna="W302001234" if association else None,
        contact_name="Awa Diallo",
        contact_email=owner.email,
        members_count=4,
        adults_count=3,
        title=f"Repas de quartier {n}",
        description="Un grand repas partagé au pied des immeubles.",
        place="Square Jean-Moulin",
        starts_on=today_paris() + timedelta(days=40),
        expected_participants=80,
        amount_requested=requested,
        meeting_id=meeting.id if meeting else None,
        holder_name="Awa Diallo (titulaire)",
        holder_iban="FR7630006000011234567890189",
        holder_address="12 rue Secrète",
    )
    application.budget_lines = [
        BudgetLine(
            kind=BudgetLineKind.EXPENSE, position=i, label=f"Dépense {i}", amount=a
        )
        for i, a in enumerate(expenses, start=1)
    ]
    application.members = [
        ApplicationMember(name=user.real_name or "x", user_id=user.id)
        for user in member_users
    ]
    db.session.add(application)
    db.session.flush()
    apply_transition(
        APPLICATION_WORKFLOW, application, ApplicationAction.SUBMIT, SYSTEM
    )
    apply_transition(
        APPLICATION_WORKFLOW, application, ApplicationAction.MARK_COMPLETE, SYSTEM
    )
    return application


def open_committee(
    c: Committee, present: Sequence[CouncilMember] | None = None
) -> None:
    """Convene, mark *present* (all by default) and open the meeting."""
    present = list(c.members if present is None else present)
    meetings.convene(
        c.meeting, SYSTEM, meeting_url=lambda m: f"http://localhost/m/{m.id}"
    )
    attendance.record_attendance(
        c.meeting,
        [
            attendance.LineData(
                member_id=m.id,
                status=AttendanceStatus.PRESENT
                if m in present
                else AttendanceStatus.ABSENT,
            )
            for m in attendance.sheet_members(c.meeting)
        ],
        SYSTEM,
    )
    meetings.open_meeting(c.meeting, SYSTEM)
    db.session.flush()


def grant(amount: str, **votes: int) -> committee.DecisionData:
    return committee.DecisionData(
        proposal=committee.Proposal.GRANT,
        decision_text="Le comité soutient ce projet fédérateur.",
        amount=Decimal(amount),
        votes_for=votes.get("votes_for", 3),
        votes_against=votes.get("votes_against", 0),
        abstentions=votes.get("abstentions", 1),
    )
