"""What staff type for a grid, checked: names, codes, labels, weights, thresholds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ...core.errors import DomainError
from ...core.i18n import lazy_gettext as _l
from ...extensions import db
from ..models import Grid
from ..states import CriterionKind

#: Criterion codes: short, stable, lower-case identifiers.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: The largest weight or threshold the columns hold.
MAX_POINTS_VALUE = Decimal("9999.99")


class GridError(DomainError):
    """A grid edit that breaks a rule; ``field`` names the form field."""


@dataclass(frozen=True)
class CriterionData:
    """What a staff member types for a criterion."""

    code: str
    kind: CriterionKind
    label: str
    help_text: str = ""
    weight: Decimal | None = None


def parse_points(value: object, *, field: str) -> Decimal:
    """A weight or threshold: a number ≥ 0 with at most two decimals."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise GridError(
                _l("Enter a number, for example 2 or 1.5."), field=field
            ) from None
    if not amount.is_finite():
        raise GridError(_l("Enter a number, for example 2 or 1.5."), field=field)
    if amount < 0:
        raise GridError(_l("The number cannot be negative."), field=field)
    if amount > MAX_POINTS_VALUE:
        raise GridError(_l("The number is too large."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise GridError(_l("Use at most two decimals."), field=field)
    return amount


def check_name(name: str, *, exclude_id: int | None = None) -> str:
    """The grid's name, trimmed; unique among grids (other than *exclude_id*)."""
    name = name.strip()
    if not name:
        raise GridError(_l("Give the grid a name."), field="name")
    if len(name) > 120:
        raise GridError(
            _l("The name is too long (120 characters at most)."), field="name"
        )
    query = sa.select(Grid.id).where(sa.func.lower(Grid.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Grid.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise GridError(_l("Another grid already has this name."), field="name")
    return name


def clean_criterion(data: CriterionData) -> CriterionData:
    """*data* trimmed and checked (the weight only for a scored criterion)."""
    code = data.code.strip().lower()
    if not CODE_PATTERN.match(code):
        raise GridError(
            _l("Use lower-case letters, digits and _ only, starting with a letter."),
            field="code",
        )
    label = data.label.strip()
    if not label:
        raise GridError(_l("Write the label residents will read."), field="label")
    if len(label) > 300:
        raise GridError(
            _l("The label is too long (300 characters at most)."), field="label"
        )
    weight: Decimal | None = None
    if data.kind is CriterionKind.SCORED:
        if data.weight is None:
            raise GridError(_l("A scored criterion needs a weight."), field="weight")
        weight = parse_points(data.weight, field="weight")
    return CriterionData(
        code=code,
        kind=data.kind,
        label=label,
        help_text=data.help_text.strip(),
        weight=weight,
    )
