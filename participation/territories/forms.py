"""Forms of the territories feature: communes, QPV and "hors QPV" areas, themes."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..core.forms import IntegerField
from ..core.i18n import lazy_gettext as _l
from .models import TerritoryKind
from .rules import (
    MAX_POPULATION,
    is_valid_insee_code,
    is_valid_qpv_code,
    normalise_insee_code,
    normalise_qpv_code,
)


def _population_field(label: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_POPULATION,
                message=_l("Enter a number of residents between 0 and %(max)s."),
            ),
        ],
    )


class CommuneForm(FlaskForm):
    """Create or edit a commune."""

    insee_code = StringField(
        _l("INSEE code"),
        validators=[
            DataRequired(_l("Enter the INSEE code of the commune.")),
            Length(max=10),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=120)],
    )
    population = _population_field(_l("Population"))

    def validate_insee_code(self, field: StringField) -> None:
        if not is_valid_insee_code(normalise_insee_code(field.data)):
            raise ValidationError(
                _l(
                    "Enter five digits (2A or 2B then three digits in Corsica), "
                    "for example 11069."
                )
            )


class TerritoryForm(FlaskForm):
    """Create or edit a QPV or a "hors QPV" territory."""

    commune_id = SelectField(
        _l("Commune"),
        coerce=int,
        validators=[DataRequired(_l("Choose a commune."))],
    )
    kind = RadioField(
        _l("Kind of territory"),
        choices=TerritoryKind.choices,
        default=TerritoryKind.QPV.value,
        validators=[DataRequired(_l("Choose the kind of territory."))],
    )
    code = StringField(_l("Official QPV code"), validators=[Length(max=20)])
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=120)],
    )
    population = _population_field(_l("Population (residents)"))
    is_active = BooleanField(
        _l("Active (offered in new rounds, funds and forms)"), default=True
    )

    def validate_code(self, field: StringField) -> None:
        code = normalise_qpv_code(field.data)
        if self.kind.data == TerritoryKind.QPV.value:
            if not code:
                raise ValidationError(
                    _l("Enter the official code of the QPV, for example QN01101M.")
                )
            if not is_valid_qpv_code(code):
                raise ValidationError(
                    _l(
                        "This does not look like a QPV code: QN or QP, the "
                        "département, then digits and sometimes a letter, "
                        "for example QN01101M."
                    )
                )
        elif code:
            raise ValidationError(
                _l("Only a QPV has an official code: leave this field empty.")
            )


class ThemeForm(FlaskForm):
    """Add or rename a theme."""

    name = StringField(
        _l("Name of the theme"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=120)],
    )


class ActionForm(FlaskForm):
    """An empty form for one-button POST actions (move, activate): the CSRF token."""
