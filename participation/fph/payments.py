"""After the decision: letters, payments (advance, balance, repayment), the ledger.

* The notification letter and, for a grant, the grant agreement are PDF files
  (``fph.letters``) e-mailed to the contact through the outbox and printable from
  the file's pages; they are private.
* A grant becomes a project of the follow-up (``followup``, source ``fph_grant``).
* Payments: the advance (at most the amount granted) moves the file to
  ``paid_advance``; staff then ask for the bilan (``report_due``); the verdict on
  the bilan pays the balance and closes the file, or asks for a repayment (money
  paid back returns to the fund's balance).
* The ledger of a fund and its monthly statement are built by ``fph.ledger``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..core import audit
from ..core.actors import SYSTEM, Actor, actor_id, is_system
from ..core.database import write_lock
from ..core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.outbox import queue_email
from ..core.permissions import is_staff
from ..core.time import PARIS, today_paris, utcnow
from ..core.workflow import apply_transition
from ..extensions import db
from ..followup import services as followup_services
from ..followup.models import Project
from ..followup.states import SourceKind
from . import ledger, letters
from .models import Application, Fund, Payment
from .states import (
    GRANTED_STATES,
    ApplicationAction,
    ApplicationState,
    PaymentKind,
    Verdict,
)
from .workflow import APPLICATION_WORKFLOW

A = ApplicationAction
S = ApplicationState
ZERO = Decimal("0.00")
#: Share of the grant paid as an advance by default, in per cent.
ADVANCE_PERCENT = 70
#: Days after the action's end for the bilan (stated in the agreement).
REPORT_DAYS = 60


def _staff(actor: Actor) -> None:
    if not (is_system(actor) or is_staff(actor)):
        raise PermissionDenied(_l("Only staff can do this."))


# ---------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------


def letter_data(application: Application) -> letters.LetterData:
    deliberation = application.deliberation
    if deliberation is None or application.decided_at is None:
        raise Conflict(_l("The committee has not decided on this file yet."))
    fund = application.fund
    reglement = application.reglement
    end = application.ends_on or application.starts_on
    minutes_url = ""
    if deliberation.meeting.minutes is not None:
        base = current_app.config.get("PUBLIC_BASE_URL", "")
        minutes_url = f"{base}/councils/meetings/{deliberation.meeting_id}/minutes"
    return letters.LetterData(
        organisation=current_app.config.get("ORGANISATION_NAME", ""),
        fund_name=f"{fund.name} {fund.year}",
        managing_body=fund.managing_body or fund.name,
        reference=application.reference or "",
        project_title=application.title,
        decision=application.state.value
        if application.state in (S.GRANTED, S.GRANTED_PARTIALLY, S.DEFERRED, S.REFUSED)
        else ("granted" if application.amount_granted else "refused"),
        decided_on=application.decided_at.astimezone(PARIS).date(),
        meeting_title=deliberation.meeting.title,
        contact_name=application.contact_name,
        applicant_label=application.applicant_name or application.contact_name,
        amount_requested=application.amount_requested or ZERO,
        amount_granted=application.amount_granted,
        decision_text=application.decision_reason or "",
        votes=(
            deliberation.votes_for,
            deliberation.votes_against,
            deliberation.abstentions,
        ),
        regulation_version=(
            f"version {reglement.version} ({reglement.adopted_by})" if reglement else ""
        ),
        holder_name=application.holder_name or "",
        advance_percent=ADVANCE_PERCENT,
        report_due_on=end + timedelta(days=REPORT_DAYS) if end else None,
        minutes_url=minutes_url,
    )


def notification_pdf(application: Application) -> bytes:
    return letters.notification_letter(letter_data(application))


def agreement_pdf(application: Application) -> bytes:
    if application.amount_granted is None:
        raise Conflict(_l("There is no grant agreement: nothing was granted."))
    return letters.grant_agreement(letter_data(application))


def _address(application: Application) -> str | None:
    return application.contact_email or application.owner.email


def send_letters(application: Application) -> int:
    """Queue the letters to the contact (none without an e-mail: they are printed)."""
    address = _address(application)
    if not address:
        return 0
    reference = application.reference or ""
    queue_email(
        address,
        f"Votre demande {reference} : décision du comité",
        "Bonjour,\n\nVous trouverez ci-joint la lettre de notification de la décision"
        f" du comité sur votre dossier {reference}.\n",
        attachment=(
            f"notification-{reference}.pdf",
            "application/pdf",
            notification_pdf(application),
        ),
    )
    sent = 1
    if application.amount_granted is not None:
        queue_email(
            address,
            f"Votre demande {reference} : convention d'attribution",
            "Bonjour,\n\nVoici la convention d'attribution de votre subvention, à"
            " signer et à rapporter au gestionnaire du fonds.\n",
            attachment=(
                f"convention-{reference}.pdf",
                "application/pdf",
                agreement_pdf(application),
            ),
        )
        sent += 1
    audit.record(
        "fph_application.letters_sent", actor=SYSTEM, obj=application, count=sent
    )
    return sent


# ---------------------------------------------------------------------------
# Follow-up
# ---------------------------------------------------------------------------


def create_followup_project(application: Application, actor: Actor) -> Project:
    """The granted file as a project of the follow-up (idempotent)."""
    existing = db.session.scalar(
        sa.select(Project).where(
            Project.source_kind == SourceKind.FPH_GRANT,
            Project.source_id == application.id,
        )
    )
    if existing is not None:
        return existing
    now = utcnow()
    project = Project(
        title=application.title[:150],
        summary=application.description,
        territory_id=application.fund.territory_id,
        source_kind=SourceKind.FPH_GRANT,
        source_id=application.id,
        decided_on=(application.decided_at or now).astimezone(PARIS).date(),
        amount_voted=application.amount_granted or ZERO,
        amount_committed=application.amount_granted or ZERO,
        place=application.place[:200],
        state_changed_at=now,
        created_at=now,
        created_by_id=actor_id(actor),
    )
    return followup_services.open_project(project, actor, [application.owner], now=now)


def followup_project(application: Application) -> Project | None:
    return db.session.scalar(
        sa.select(Project).where(
            Project.source_kind == SourceKind.FPH_GRANT,
            Project.source_id == application.id,
        )
    )


# ---------------------------------------------------------------------------
# Payments
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentData:
    amount: Decimal | None
    paid_on: date | None
    payer: str
    reference: str = ""


def paid(application: Application) -> Decimal:
    """Paid to the group, less what it paid back."""
    total = ZERO
    for payment in application.payments:
        if payment.kind is PaymentKind.REPAYMENT:
            total -= payment.amount
        else:
            total += payment.amount
    return total


def _payment(
    application: Application,
    kind: PaymentKind,
    data: PaymentData,
    actor: Actor,
    *,
    highest: Decimal,
) -> Payment:
    errors: dict[str, object] = {}
    if data.amount is None or data.amount <= 0:
        errors["amount"] = _l("Enter the amount paid, more than 0 €.")
    elif data.amount > highest:
        errors["amount"] = _l(
            "At most %(limit)s for this payment.", limit=letters.euros(highest)
        )
    if data.paid_on is None:
        errors["paid_on"] = _l("Enter the date of the payment.")
    elif data.paid_on > today_paris():
        errors["paid_on"] = _l("A payment is recorded once made: not a future date.")
    payer = (data.payer or "").strip()
    if not payer:
        errors["payer"] = _l("Who paid (the managing body, the treasury...).")
    elif len(payer) > 200:
        errors["payer"] = _l("At most %(n)d characters.", n=200)
    if errors:
        raise FieldErrors(errors)
    assert data.amount is not None
    assert data.paid_on is not None
    payment = Payment(
        kind=kind,
        amount=data.amount,
        paid_on=data.paid_on,
        payer=payer,
        reference=(data.reference or "").strip()[:100],
        recorded_by_id=actor_id(actor),
    )
    application.payments.append(payment)
    db.session.flush()
    audit.record(
        f"fph_application.payment_{kind.value}",
        actor=actor,
        obj=application,
        amount=str(data.amount),
        paid_on=data.paid_on.isoformat(),
    )
    return payment


def advance_due(application: Application) -> Decimal:
    granted = application.amount_granted or ZERO
    return (granted * ADVANCE_PERCENT / 100).quantize(Decimal("0.01"))


def record_advance(
    application: Application, data: PaymentData, actor: Actor
) -> Payment:
    """The advance paid to the holder: ``paid_advance``."""
    _staff(actor)
    write_lock()
    if application.state not in (S.GRANTED, S.GRANTED_PARTIALLY):
        raise Conflict(_l("The advance is paid once the grant is decided."))
    assert application.amount_granted is not None
    payment = _payment(
        application,
        PaymentKind.ADVANCE,
        data,
        actor,
        highest=application.amount_granted,
    )
    apply_transition(APPLICATION_WORKFLOW, application, A.PAY_ADVANCE, actor)
    return payment


def request_report(application: Application, actor: Actor) -> None:
    """Ask the group for its bilan: ``report_due``."""
    _staff(actor)
    write_lock()
    apply_transition(APPLICATION_WORKFLOW, application, A.REQUEST_REPORT, actor)


@dataclass(frozen=True)
class VerdictData:
    verdict: Verdict | None
    note: str
    #: The balance paid (conform) or the amount to pay back (not conform).
    payment: PaymentData
    repayment_amount: Decimal | None = None


def give_verdict(application: Application, data: VerdictData, actor: Actor) -> None:
    """The committee's verdict on the bilan: close (balance paid) or repayment."""
    _staff(actor)
    write_lock()
    report = application.report
    if application.state is not S.REPORT_SUBMITTED or report is None:
        raise Conflict(_l("The verdict comes once the bilan is submitted."))
    note = (data.note or "").strip()
    if data.verdict is None:
        raise DomainError(_l("Choose the verdict."), field="verdict")
    if len(note) > 5000:
        raise DomainError(_l("At most %(n)d characters.", n=5000), field="note")
    granted = application.amount_granted or ZERO
    if data.verdict is Verdict.CONFORM:
        rest = granted - paid(application)
        if rest > 0:
            _payment(
                application, PaymentKind.BALANCE, data.payment, actor, highest=rest
            )
        action = A.CLOSE
        application.closed_at = utcnow()
    else:
        if not note:
            raise DomainError(_l("Say why the bilan is not conform."), field="note")
        amount = data.repayment_amount
        already = paid(application)
        if amount is None or amount <= 0 or amount > already:
            raise DomainError(
                _l(
                    "The repayment is more than 0 € and at most what was paid"
                    " (%(paid)s).",
                    paid=letters.euros(already),
                ),
                field="repayment_amount",
            )
        report.repayment_amount = amount
        action = A.REQUEST_REPAYMENT
    report.verdict = data.verdict
    report.verdict_note = note or None
    report.verdict_at = utcnow()
    db.session.flush()
    apply_transition(
        APPLICATION_WORKFLOW,
        application,
        action,
        actor,
        comment=note or None,
        audit_details={"verdict": data.verdict.value},
    )


def record_repayment(
    application: Application, data: PaymentData, actor: Actor
) -> Payment:
    """Money paid back by the group: it returns to the fund's balance."""
    _staff(actor)
    write_lock()
    if application.state is not S.REPAYMENT_REQUESTED:
        raise Conflict(_l("No repayment is requested for this file."))
    if any(p.kind is PaymentKind.REPAYMENT for p in application.payments):
        raise Conflict(_l("The repayment is already recorded."))
    fund = db.session.scalars(
        sa.select(Fund)
        .where(Fund.id == application.fund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    payment = _payment(
        application, PaymentKind.REPAYMENT, data, actor, highest=paid(application)
    )
    fund.balance = min(fund.envelope, fund.balance + payment.amount)
    db.session.flush()
    return payment


# ---------------------------------------------------------------------------
# Ledger
# ---------------------------------------------------------------------------


def fund_applications(fund: Fund) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.fund_id == fund.id,
                Application.state.in_(sorted(GRANTED_STATES)),
            )
            .order_by(Application.reference)
        )
    )


def fund_ledger(fund: Fund) -> ledger.Ledger:
    shares = [
        ledger.FunderShare(
            f.name, (fund.envelope * f.share_percent / 100).quantize(Decimal("0.01"))
        )
        for f in fund.funders
    ]
    lines = [
        ledger.GrantLine(a.reference or "", a.amount_granted or ZERO, paid(a))
        for a in fund_applications(fund)
    ]
    return ledger.ledger(fund.envelope, shares, lines)


def month_payments(fund: Fund, year: int, month: int) -> list[ledger.PaymentLine]:
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    rows = db.session.execute(
        sa.select(Payment, Application.reference)
        .join(Application, Application.id == Payment.application_id)
        .where(
            Application.fund_id == fund.id,
            Payment.paid_on >= first,
            Payment.paid_on < after,
        )
    ).all()
    return [
        ledger.PaymentLine(
            paid_on=payment.paid_on,
            reference=reference or "",
            kind=payment.kind.value,
            kind_label=str(payment.kind.label),
            amount=payment.amount,
            payer=payment.payer,
        )
        for payment, reference in rows
    ]


def statement_csv(fund: Fund, year: int, month: int) -> str:
    header = [
        str(_l("Date")),
        str(_l("File")),
        str(_l("Payment")),
        str(_l("Amount (€)")),
        str(_l("Paid by")),
    ]
    return ledger.statement_csv(month_payments(fund, year, month), header=header)
