"""Forms of the budget pages: rounds, envelopes, ideas, moderation."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.converters import ascii_int
from ..core.forms import (
    DateTimeLocalField,
    IdempotentForm,
    TranslatedTextsMixin,
    translations,
)
from ..core.i18n import lazy_gettext as _l
from ..core.money import to_money
from ..core.time import PARIS


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes in a fieldset (the form macro renders it with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MoneyField(StringField):
    """Euros typed as text ("1 500,50" or "1500.5"); data is a Decimal or None."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        self.raw_text = valuelist[0] if valuelist else ""
        text = str(self.raw_text).strip()
        if not text:
            return
        try:
            self.data = to_money(text)
        except (ValueError, TypeError):
            self.data = None
            raise ValueError(
                _l("Type an amount in euros, for example 1500 or 1 500,50.")
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class CoordinateField(StringField):
    """A latitude or longitude in decimal degrees; data is a Decimal or None."""

    def __init__(self, *args: Any, limit: int = 90, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip().replace(",", ".") if valuelist else ""
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(
                _l("Type a number of degrees, for example 43.2130.")
            ) from None
        if not value.is_finite() or abs(value) > self.limit:
            raise ValueError(_l("This position is outside the map."))
        self.data = value.quantize(Decimal("0.000001"))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


def optional_int(value: Any) -> int | None:
    """Coerce a select value to int, the empty choice to None.

    Only ASCII digits a database column holds: anything else (a number past
    2⁶³, "-1e30", Arabic-Indic digits) is the select's "could not coerce" error,
    never an overflow in the query.
    """
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    number = ascii_int(str(value).strip())
    if number is None:
        raise ValueError(value)
    return number


def paris_to_utc(value: datetime | None) -> datetime | None:
    """A datetime-local typed in Paris wall-clock time, as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=PARIS).astimezone(UTC)


def utc_to_paris_naive(value: datetime | None) -> datetime | None:
    """A stored UTC datetime as the naive Paris time a datetime-local input shows."""
    if value is None:
        return None
    return value.astimezone(PARIS).replace(tzinfo=None)


_DATETIME_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class RoundForm(TranslatedTextsMixin, IdempotentForm):
    """A round's settings; dates are typed in Paris time."""

    translated_texts = ("description", "rules_text")

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Presentation"), validators=[Optional(), Length(max=5000)]
    )
    rules_text = TextAreaField(
        _l("Rules residents accept"), validators=[Optional(), Length(max=20000)]
    )
    # The same texts in other languages (optional): shown to readers of that
    # language; everyone else reads the French.
    description_en, description_ar = translations(
        _l("Presentation in English"), _l("Presentation in Arabic"), max_length=5000
    )
    rules_text_en, rules_text_ar = translations(
        _l("Rules in English"), _l("Rules in Arabic"), max_length=20000
    )
    submission_opens_at = DateTimeLocalField(
        _l("Submission of ideas opens"),
        format=_DATETIME_FORMAT,
        validators=[DataRequired()],
    )
    submission_closes_at = DateTimeLocalField(
        _l("Submission of ideas closes"),
        format=_DATETIME_FORMAT,
        validators=[DataRequired()],
    )
    review_closes_at = DateTimeLocalField(
        _l("Technical review ends"),
        format=_DATETIME_FORMAT,
        validators=[DataRequired()],
    )
    announcement_at = DateTimeLocalField(
        _l("Announcement of the projects"),
        format=_DATETIME_FORMAT,
        validators=[DataRequired()],
    )
    vote_opens_at = DateTimeLocalField(
        _l("Vote opens"), format=_DATETIME_FORMAT, validators=[DataRequired()]
    )
    vote_closes_at = DateTimeLocalField(
        _l("Vote closes"), format=_DATETIME_FORMAT, validators=[DataRequired()]
    )
    delivery_starts_at = DateTimeLocalField(
        _l("Delivery of the projects starts"),
        format=_DATETIME_FORMAT,
        validators=[Optional()],
    )
    min_cost = MoneyField(
        _l("Minimum cost of a project (euros)"), validators=[Optional()]
    )
    max_cost = MoneyField(
        _l("Maximum cost of a project (euros)"), validators=[DataRequired()]
    )
    is_carry_over_enabled = BooleanField(
        _l("Carry unspent money over to the next round of the same neighbourhood")
    )
    theme_ids = MultiCheckboxField(_l("Themes accepted"), coerce=int)
    grid_version_id = SelectField(
        _l("Eligibility grid"), coerce=optional_int, validate_choice=True
    )
    save = SubmitField(_l("Save"))


class IdeaForm(FlaskForm):
    """An idea: everything typed is kept when something is wrong."""

    #: Random per form display: a second identical POST finds the first idea.
    token = HiddenField()
    title = StringField(
        _l("Title of the idea"), validators=[DataRequired(), Length(max=150)]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)]
    )
    territory_id = SelectField(
        _l("Neighbourhood (QPV)"), coerce=optional_int, validate_choice=True
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    latitude = CoordinateField(_l("Latitude (optional)"), limit=90)
    longitude = CoordinateField(_l("Longitude (optional)"), limit=180)
    theme_ids = MultiCheckboxField(_l("Themes"), coerce=int)
    estimated_cost = MoneyField(_l("Estimated cost in euros (optional)"))
    photo = FileField(_l("Photo (optional)"))
    photo_alt = StringField(
        _l("Short description of the photo"), validators=[Optional(), Length(max=200)]
    )
    remove_photo = BooleanField(_l("Remove the current photo"))
    co_authors = StringField(
        _l("Co-authors (pseudonyms, separated by commas)"),
        validators=[Optional(), Length(max=500)],
    )
    association_name = StringField(
        _l("Association or collective (optional)"),
        validators=[Optional(), Length(max=200)],
    )
    accepted_rules = BooleanField(_l("I have read and accept the rules of this round"))
    consent = BooleanField(_l("The person agrees that I enter this idea for them"))
    consent_note = StringField(
        _l("How the consent was given"), validators=[Optional(), Length(max=200)]
    )
    save_draft = SubmitField(_l("Save as draft"))
    submit = SubmitField(_l("Submit the idea"))

    def ensure_token(self) -> None:
        """Give the form a fresh idempotency token when it has none."""
        if not self.token.data:
            self.token.data = secrets.token_urlsafe(24)


class PersonSearchForm(FlaskForm):
    """The relay's search (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Pseudonym, e-mail or phone"), validators=[Optional(), Length(max=120)]
    )


class HideForm(FlaskForm):
    """Staff hide an idea with a public reason."""

    comment = TextAreaField(
        _l("Public reason"), validators=[DataRequired(), Length(max=2000)]
    )
    hide = SubmitField(_l("Hide the idea"))


class MergeForm(FlaskForm):
    """Staff merge a duplicate into another idea."""

    into = SelectField(_l("Merge into"), coerce=optional_int, validate_choice=True)
    comment = TextAreaField(
        _l("Public comment"), validators=[Optional(), Length(max=2000)]
    )
    merge = SubmitField(_l("Merge"))

    def validate_into(self, field: Field) -> None:
        if field.data is None:
            raise ValidationError(_l("Choose the idea to merge into."))


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token (publish, withdraw, show again...)."""
