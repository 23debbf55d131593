"""The SCDL Subventions export of the decided FPH files (see ``fph.scdl``).

Granted and refused files of every fund; never the payment holder, the contact or
the members, and an informal group without any name. The attribuant is a setting:
``FPH_ATTRIBUANT_NAME`` and ``FPH_ATTRIBUANT_SIRET`` (with its checksum).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..core.errors import Conflict
from ..core.i18n import lazy_gettext as _l
from ..core.time import PARIS, today_paris
from ..extensions import db
from . import scdl
from .models import Application
from .states import GRANTED_STATES, ApplicationState, PaymentKind

ZERO = Decimal("0.00")
DECIDED = sorted({*GRANTED_STATES, ApplicationState.REFUSED})


def attribuant() -> scdl.Attribuant:
    """The granting body from the settings; :class:`Conflict` when not set right."""
    config = current_app.config
    siret = str(config.get("FPH_ATTRIBUANT_SIRET") or "")
    if not scdl.siret_is_valid(siret):
        raise Conflict(
            _l(
                "The SIRET of the granting body is not set (or is wrong): set"
                " FPH_ATTRIBUANT_SIRET in the configuration."
            )
        )
    return scdl.Attribuant(
        name=str(config.get("FPH_ATTRIBUANT_NAME") or config["ORGANISATION_NAME"]),
        siret=siret,
        service_name=str(config.get("FPH_SERVICE_NAME") or ""),
        service_siret=str(config.get("FPH_SERVICE_SIRET") or ""),
    )


def record(application: Application) -> scdl.GrantRecord:
    fund = application.fund
    days = tuple(
        sorted(
            p.paid_on
            for p in application.payments
            if p.kind is not PaymentKind.REPAYMENT
        )
    )
    decided = (
        application.decided_at.astimezone(PARIS).date()
        if application.decided_at
        else None
    )
    report = application.report
    actual = (
        sum((e.amount for e in report.expenses), start=ZERO)
        if report is not None and report.submitted_at is not None
        else None
    )
    evaluation = ""
    if report is not None and report.verdict is not None:
        evaluation = (
            "Bilan conforme"
            if report.verdict.value == "conform"
            else "Bilan non conforme"
        )
    return scdl.GrantRecord(
        reference=application.reference or "",
        year=fund.year,
        is_association=not application.is_group,
        association_name=application.public_name or "",
        siret=application.siret,
        rna=application.rna,
        title=application.title,
        amount_requested=application.amount_requested or ZERO,
        amount_granted=application.amount_granted,
        decided_on=decided,
        agreement_on=decided,
        submitted_on=application.submitted_at.astimezone(PARIS).date()
        if application.submitted_at
        else None,
        project_on=application.starts_on,
        granted=application.state in GRANTED_STATES,
        payment_days=days,
        funders=tuple(f.name for f in fund.funders),
        evaluation=evaluation,
        actual_cost=actual,
    )


def rows() -> list[dict[str, str]]:
    granting = attribuant()
    applications = db.session.scalars(
        sa.select(Application)
        .where(Application.state.in_(DECIDED))
        .order_by(Application.reference)
    )
    today = today_paris()
    return [scdl.row(record(a), granting, updated_on=today) for a in applications]


def csv_text() -> str:
    return scdl.to_csv(rows())
