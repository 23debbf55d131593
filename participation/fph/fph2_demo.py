"""Demo data of the committee, payments and bilan (after ``fph.demo``).

Per demo fund: a past FPH committee (40 days ago) with three files submitted in
time, scored by two members, one member recused from the file of her own group;
the committee grants one file in full, defers one and refuses the third, its
minutes are proposed; the full grant is then paid (advance and balance) with its
bilan and a receipt, and closed. Past steps are dated in the past; the letters
are not e-mailed (the demo's decisions were taken before the site).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..accounts.demo import RELAY_EMAIL
from ..core.actors import SYSTEM
from ..core.pdf import Document
from ..core.time import PARIS
from ..council.models import CouncilMember, Meeting
from ..council.services import attendance, meetings, minutes
from ..council.states import AttendanceStatus, MeetingKind, MinutesAction
from ..eligibility.evaluate import AnswerValue
from ..eligibility.states import Check, CriterionKind
from ..extensions import db
from . import committee, payments, reports
from . import demo as base
from .models import Application, ApplicationMember, Fund
from .services import applications as app_services
from .states import Verdict

DAYS_AGO = 40


def _paris(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def _titulars(meeting: Meeting) -> list[CouncilMember]:
    return [m for m in attendance.sheet_members(meeting) if m.is_voting]


def _answers(application: Application, points: int) -> dict[str, AnswerValue]:
    version = committee.grid_version_for(application)
    answers: dict[str, AnswerValue] = {}
    for criterion in version.criteria:
        if criterion.kind is CriterionKind.MANDATORY:
            answers[criterion.code] = Check.PASS
        elif criterion.kind is CriterionKind.SCORED:
            answers[criterion.code] = points
    return answers


def _receipt() -> bytes:
    doc = Document("Facture")
    doc.heading("Facture n° 2026-118")
    doc.paragraph("Location de tables et de chaises, barnum : 240,00 €")
    doc.paragraph("Courses pour le repas partagé : 310,00 €")
    return doc.output()


def _past_committee(fund: Fund, today: date) -> None:
    assert fund.council is not None
    starts = _paris(today - timedelta(days=DAYS_AGO), 18)
    meeting = meetings.create_meeting(
        fund.council,
        meetings.MeetingData(
            title="Commission FPH d'automne",
            kind=MeetingKind.FPH_COMMITTEE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Centre social, salle polyvalente",
        ),
        SYSTEM,
        now=starts - timedelta(days=60),
    )
    titulars = _titulars(meeting)
    if len(titulars) < 4:
        return
    relay = base._by_email(RELAY_EMAIL)
    if relay is None:
        return
    filed = starts - timedelta(days=38)
    files = []
    for n in range(3):
        application = base._application(fund, relay, 10 + n, today)
        app_services.submit_application(application, relay, now=filed)
        files.append(application)
    # A member of the council is in the first group: she is recused on it.
    files[0].members.append(
        ApplicationMember(name="Membre du conseil", user_id=titulars[2].user_id)
    )
    db.session.flush()
    for application in files:
        app_services.mark_complete(application, SYSTEM, now=filed + timedelta(days=3))
    meetings.convene(
        meeting,
        SYSTEM,
        meeting_url=lambda m: f"/councils/meetings/{m.id}",
        now=starts - timedelta(days=12),
        send_emails=False,
    )
    attendance.record_attendance(
        meeting,
        [
            attendance.LineData(m.id, AttendanceStatus.PRESENT)
            for m in attendance.sheet_members(meeting)
        ],
        SYSTEM,
    )
    meetings.open_meeting(meeting, SYSTEM, now=starts + timedelta(minutes=10))
    for application, points in zip(files, (3, 2, 1), strict=True):
        for member in titulars[:2]:
            committee.score(application, _answers(application, points), member.user)
    present = len(_titulars(meeting))
    decisions = [
        (
            committee.Proposal.GRANT,
            files[0].amount_requested,
            "Le comité soutient ce projet qui rassemble tout le quartier.",
        ),
        (
            committee.Proposal.DEFER,
            None,
            "Reporté : le groupe doit préciser le lieu et avoir l'accord du bailleur.",
        ),
        (
            committee.Proposal.REFUSE,
            None,
            "Refus : ce projet relève du contrat de ville (fonctionnement).",
        ),
    ]
    for n, (application, (proposal, amount, text)) in enumerate(
        zip(files, decisions, strict=True)
    ):
        recused = len(committee.recused_members(application, meeting))
        committee.decide(
            application,
            committee.DecisionData(
                proposal=proposal,
                decision_text=text,
                amount=amount,
                votes_for=present - recused - 2,
                votes_against=1,
                abstentions=1,
                notify=False,
            ),
            SYSTEM,
            now=starts + timedelta(minutes=30 + 20 * n),
        )
    meetings.close_meeting(meeting, SYSTEM, now=starts + timedelta(hours=2))
    record = minutes.start_minutes(meeting, SYSTEM)
    minutes.transition(
        record, MinutesAction.PROPOSE, SYSTEM, now=meeting.ends_at, notify=False
    )
    _paid_and_closed(files[0], starts.date())


def _paid_and_closed(application: Application, decided: date) -> None:
    body = application.fund.managing_body or "Gestionnaire du fonds"
    payments.record_advance(
        application,
        payments.PaymentData(
            payments.advance_due(application), decided + timedelta(days=5), body
        ),
        SYSTEM,
    )
    payments.request_report(application, SYSTEM)
    reports.submit_report(
        application,
        reports.ReportData(
            held_on=decided + timedelta(days=20),
            actual_participants=112,
            narrative=(
                "Le repas a réuni plus de cent voisins au pied des immeubles ;"
                " les enfants ont tenu le stand des desserts et de nouveaux"
                " habitants ont rejoint le groupe."
            ),
            actual={
                line.id: line.amount
                for line in application.budget_lines
                if line.kind.value == "expense"
            },
            receipts=(reports.Upload(_receipt(), "facture-2026-118.pdf"),),
        ),
        SYSTEM,
    )
    granted = application.amount_granted or Decimal(0)
    payments.give_verdict(
        application,
        payments.VerdictData(
            verdict=Verdict.CONFORM,
            note="Action conforme au projet présenté.",
            payment=payments.PaymentData(
                granted - payments.paid(application),
                decided + timedelta(days=30),
                body,
            ),
        ),
        SYSTEM,
    )


def load() -> None:
    """A past committee per demo fund (nothing when the fund already has decisions)."""
    today = datetime.now(PARIS).date()
    funds = db.session.scalars(
        sa.select(Fund).where(Fund.year == today.year).order_by(Fund.id)
    ).all()
    for fund in funds:
        decided = db.session.scalar(
            sa.select(Application.id).where(
                Application.fund_id == fund.id, Application.decided_at.is_not(None)
            )
        )
        if decided is None and fund.council is not None:
            _past_committee(fund, today)
            db.session.flush()
