"""The financial rules of a grant decision, as a pure function (no database).

An amount granted is positive and at most: the amount requested, the fund's cap per
project, the fund's maximum share of the project's total cost, and what is left of
the envelope. Every rule broken gets its own message, on the ``amount`` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from ..core.errors import DomainError
from ..core.i18n import lazy_gettext as _l
from ..core.money import CENT


@dataclass(frozen=True)
class Limits:
    """What bounds a grant: the request, the fund's rules, the fund's balance."""

    requested: Decimal
    cap: Decimal
    #: Maximum share of the project's total cost, 0 < share <= 1.
    max_share: Decimal
    total_cost: Decimal
    balance: Decimal

    @property
    def share_limit(self) -> Decimal:
        return (self.total_cost * self.max_share).quantize(CENT, rounding=ROUND_DOWN)

    @property
    def highest(self) -> Decimal:
        """The most that could be granted (may be 0 or less: nothing can be)."""
        return min(self.requested, self.cap, self.share_limit, self.balance)


def _euros(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


def check_amount(amount: Decimal | None, limits: Limits) -> Decimal:
    """Return *amount* when it can be granted; :class:`DomainError` otherwise."""
    if amount is None or amount <= 0:
        raise DomainError(
            _l("Enter the amount granted, more than 0 €."), field="amount"
        )
    if amount != amount.quantize(CENT):
        raise DomainError(_l("An amount in euros and cents."), field="amount")
    if amount > limits.requested:
        raise DomainError(
            _l(
                "%(amount)s is more than the %(limit)s requested.",
                amount=_euros(amount),
                limit=_euros(limits.requested),
            ),
            field="amount",
        )
    if amount > limits.cap:
        raise DomainError(
            _l(
                "%(amount)s is over the fund's cap of %(limit)s per project.",
                amount=_euros(amount),
                limit=_euros(limits.cap),
            ),
            field="amount",
        )
    if amount > limits.share_limit:
        percent = str(int(limits.max_share * 100))
        raise DomainError(
            _l(
                "%(amount)s is more than %(percent)s %% of the project's total cost"
                " (%(limit)s at most).",
                amount=_euros(amount),
                percent=percent,
                limit=_euros(limits.share_limit),
            ),
            field="amount",
        )
    if amount > limits.balance:
        raise DomainError(
            _l(
                "%(amount)s is more than what is left in the fund (%(limit)s).",
                amount=_euros(amount),
                limit=_euros(max(limits.balance, Decimal(0))),
            ),
            field="amount",
        )
    return amount
