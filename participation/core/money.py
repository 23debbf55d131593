"""Money: euros as Decimal with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa

CENT = Decimal("0.01")

#: Column type for every amount of money.
Money = sa.Numeric(12, 2, asdecimal=True)
#: Amounts must stay below this (12 digits, 2 after the point): 10 billion euros.
MONEY_LIMIT = Decimal(10) ** 10


def to_money(value: object) -> Decimal:
    """Parse *value* (str, int, Decimal) into euros rounded to the cent.

    Accepts the French decimal comma and spaces as thousands separators.
    :raises ValueError: when the value is not a number, or one a ``Numeric(12, 2)``
        column cannot hold (``1e30``).
    """
    if isinstance(value, float):
        raise TypeError("money is never a float")
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    text = text.replace("€", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite() or abs(amount) >= MONEY_LIMIT:
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
