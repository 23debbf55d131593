"""Pure checks of an application: identifiers, bank account, budget and caps.

Plain data in, a translatable message (or None) out: tested without an app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..core.i18n import lazy_gettext as _l

RNA_PATTERN = re.compile(r"W\d{9}")
SIRET_PATTERN = re.compile(r"\d{14}")
IBAN_PATTERN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
BIC_PATTERN = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
#: La Poste's SIRET numbers do not follow the Luhn rule; their digits add up to
#: a multiple of 5 instead (INSEE).
LA_POSTE_SIREN = "356000000"


def compact(text: str | None) -> str:
    """Upper case without spaces, dots or dashes (how people type numbers)."""
    return re.sub(r"[\s.\-]", "", text or "").upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_ok(siret: str) -> bool:
    """14 digits whose Luhn checksum holds (La Poste's rule for its own)."""
    if not SIRET_PATTERN.fullmatch(siret):
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)


def rna_ok(rna: str) -> bool:
    """The RNA number of an association: W and nine digits."""
    return RNA_PATTERN.fullmatch(rna) is not None


def iban_ok(iban: str) -> bool:
    """An IBAN whose ISO 13616 check digits hold (mod 97 = 1)."""
    if not IBAN_PATTERN.fullmatch(iban):
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def bic_ok(bic: str) -> bool:
    return BIC_PATTERN.fullmatch(bic) is not None


def budget_problems(
    expenses: Iterable[Decimal],
    resources: Iterable[Decimal],
    requested: Decimal | None,
    *,
    cap: Decimal,
    max_share_percent: int,
) -> dict[str, Any]:
    """Messages by field for a forecast budget; empty when it holds.

    *resources* are the resources other than the fund; expenses must equal them
    plus the amount requested. The amount requested stays within the cap and the
    fund's share of the total cost.
    """
    problems: dict[str, Any] = {}
    total_cost = sum(expenses, Decimal("0"))
    other = sum(resources, Decimal("0"))
    if total_cost <= 0:
        problems["expenses"] = _l("Give at least one expense of the project.")
    if requested is None or requested <= 0:
        problems["amount_requested"] = _l("Give the amount you ask the fund for.")
        return problems
    if requested > cap:
        problems["amount_requested"] = _l(
            "The fund gives at most %(cap)s € per project.", cap=_euros(cap)
        )
    elif total_cost > 0 and requested * 100 > total_cost * max_share_percent:
        problems["amount_requested"] = _l(
            "The fund pays at most %(share)d %% of the project's total cost, that"
            " is %(most)s € for a cost of %(cost)s €.",
            share=max_share_percent,
            most=_euros(
                (total_cost * max_share_percent / 100).quantize(Decimal("0.01"))
            ),
            cost=_euros(total_cost),
        )
    if total_cost > 0 and total_cost != other + requested:
        problems["resources"] = _l(
            "The budget does not balance: the expenses come to %(cost)s €, the"
            " resources with the amount asked of the fund to %(resources)s €.",
            cost=_euros(total_cost),
            resources=_euros(other + requested),
        )
    return problems


def _euros(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")


def deadline_of(meeting_day: date, deadline_days: int) -> date:
    """The last day a file may be submitted to be examined at a meeting on that day."""
    return meeting_day - timedelta(days=deadline_days)
