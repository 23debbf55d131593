"""Forms of the eligibility feature (grids, criteria). Services do the real checks."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..core.i18n import lazy_gettext as _l
from .states import CriterionKind


class GridForm(FlaskForm):
    """Create a grid or change its name, description and threshold."""

    name = StringField(
        _l("Name of the grid"), validators=[DataRequired(), Length(max=120)]
    )
    description = TextAreaField(
        _l("What the grid is for"), validators=[Optional(), Length(max=2000)]
    )
    #: Text, parsed by the service: accepts "9", "9.5" and the French "9,5".
    threshold = StringField(
        _l("Threshold, in points"),
        validators=[DataRequired(), Length(max=12)],
        default="0",
    )


class CopyGridForm(FlaskForm):
    """Copy a grid version into a new grid."""

    name = StringField(
        _l("Name of the new grid"), validators=[DataRequired(), Length(max=120)]
    )


class CriterionForm(FlaskForm):
    """Add or change a criterion."""

    code = StringField(
        _l("Short code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example in_qpv. It cannot be changed later."),
    )
    kind = RadioField(
        _l("Kind of criterion"),
        validators=[DataRequired()],
        default=CriterionKind.MANDATORY.value,
    )
    label = StringField(
        _l("Label residents will read"), validators=[DataRequired(), Length(max=300)]
    )
    help_text = TextAreaField(
        _l("Explanation in plain words"), validators=[Optional(), Length(max=2000)]
    )
    weight = StringField(
        _l("Weight (scored criteria only)"), validators=[Length(max=12)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form: the labels are translated in the reader's language.
        self.kind.choices = [
            SelectChoice(v, label) for v, label in CriterionKind.choices()
        ]


class ActionForm(FlaskForm):
    """A button that changes something (remove, move): only the CSRF token."""
