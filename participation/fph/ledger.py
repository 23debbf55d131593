"""The ledger of a fund and its monthly statement, as pure functions.

Granted, paid and remaining amounts of a fund, and the part of each borne by each
funder according to its share of the envelope. The monthly statement is the list of
the month's payments (and repayments), written as a spreadsheet-safe CSV: UTF-8
with a byte-order mark, ``;`` between cells, decimal comma, formulas neutralised.
No name of a resident or of the payment holder is in it: the file is its reference.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..core.money import CENT
from ..publishing.opendata import neutralise

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FunderShare:
    name: str
    #: The funder's contribution to the envelope, in euros.
    amount: Decimal


@dataclass(frozen=True)
class GrantLine:
    reference: str
    amount_granted: Decimal
    #: Sum of the payments made (advance and balance), less repayments.
    paid: Decimal


@dataclass(frozen=True)
class PaymentLine:
    paid_on: date
    reference: str
    #: "advance", "balance" or "repayment".
    kind: str
    kind_label: str
    amount: Decimal
    payer: str


@dataclass(frozen=True)
class FunderFigures:
    name: str
    share: Decimal
    granted: Decimal
    paid: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Ledger:
    envelope: Decimal
    granted: Decimal
    paid: Decimal
    #: Granted but not paid yet.
    to_pay: Decimal
    #: Envelope not granted yet (the fund's balance).
    remaining: Decimal
    funders: tuple[FunderFigures, ...]


def _part(total: Decimal, share: Decimal) -> Decimal:
    return (total * share).quantize(CENT, rounding=ROUND_HALF_UP)


def ledger(
    envelope: Decimal, funders: Sequence[FunderShare], grants: Iterable[GrantLine]
) -> Ledger:
    """The figures of a fund; each funder bears its share of the envelope."""
    lines = list(grants)
    granted = sum((g.amount_granted for g in lines), ZERO)
    paid = sum((g.paid for g in lines), ZERO)
    remaining = envelope - granted
    figures = []
    for funder in funders:
        share = funder.amount / envelope if envelope else ZERO
        figures.append(
            FunderFigures(
                name=funder.name,
                share=share,
                granted=_part(granted, share),
                paid=_part(paid, share),
                remaining=_part(remaining, share),
            )
        )
    return Ledger(
        envelope=envelope,
        granted=granted,
        paid=paid,
        to_pay=granted - paid,
        remaining=remaining,
        funders=tuple(figures),
    )


def _number(value: Decimal) -> str:
    return format(value.quantize(CENT), "f").replace(".", ",")


STATEMENT_HEADER = ("date", "dossier", "type", "montant", "payeur")


def statement_csv(payments: Iterable[PaymentLine], *, header: Sequence[str]) -> str:
    """The month's payments as CSV (repayments as negative amounts), then a total."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    total = ZERO
    for line in sorted(payments, key=lambda p: (p.paid_on, p.reference)):
        signed = -line.amount if line.kind == "repayment" else line.amount
        total += signed
        writer.writerow(
            [
                line.paid_on.isoformat(),
                neutralise(line.reference),
                neutralise(line.kind_label),
                _number(signed),
                neutralise(line.payer),
            ]
        )
    writer.writerow(["", "", "Total", _number(total), ""])
    return out.getvalue()
