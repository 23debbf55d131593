"""Shared form pieces: fields that refuse what the database cannot hold, the
idempotency token of create forms, and the small forms of the site frame.

Every feature takes its numbers, amounts and dates from here: ``1e30`` euros, the
year 0001, ``²`` or an integer too large for its column get a message by the
field, never a 500.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms import fields as wtf_fields
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from .converters import ascii_int
from .errors import DomainError
from .i18n import lazy_gettext as _l
from .money import to_money
from .texts import OTHER_LANGUAGES, TextsByLanguage

#: Integers typed in a form fit a 32-bit column (counts, years, points, ages).
FORM_INT_MAX = 2**31 - 1
#: Dates before or after these years are typing mistakes (and overflow UTC maths).
YEAR_MIN = 1900
YEAR_MAX = 2200


class IntegerField(wtf_fields.IntegerField):
    """A whole number typed with ASCII digits (an optional minus), within 32 bits."""

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        if not text:
            self.data = None
            return
        negative = text.startswith("-")
        number = ascii_int(text[1:] if negative else text, maximum=FORM_INT_MAX)
        if number is None:
            self.data = None
            raise ValueError(_l("Type a whole number with the digits 0 to 9."))
        self.data = -number if negative else number


class MoneyField(StringField):
    """Euros typed as text ("1 500,50" or "1500.5"); data is a Decimal or None.

    Refuses what a ``Numeric(12, 2)`` column cannot hold (``1e30``, ``NaN``).
    """

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        try:
            self.data = to_money(text)
        except (ValueError, TypeError):
            raise ValueError(
                _l("Type an amount in euros, for example 1500 or 1 500,50.")
            ) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


def _check_year(value: date | datetime | None) -> None:
    if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(
            _l(
                "Choose a date between the years %(min)d and %(max)d.",
                min=YEAR_MIN,
                max=YEAR_MAX,
            )
        )


class DateField(wtf_fields.DateField):
    """A date between the years 1900 and 2200."""

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        try:
            _check_year(self.data)
        except ValueError:
            self.data = None
            raise


class DateTimeLocalField(wtf_fields.DateTimeLocalField):
    """A wall-clock date and time between the years 1900 and 2200."""

    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        try:
            _check_year(self.data)
        except ValueError:
            self.data = None
            raise


class IdempotentForm(FlaskForm):
    """A create form whose hidden token makes a double click create one record.

    The view calls :func:`participation.core.idempotency.once` with the token; the
    second POST of the same token finds the first one's result instead of creating
    another record.
    """

    form_token = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.form_token.data:
            self.form_token.data = secrets.token_urlsafe(24)


def translations(
    label_en: Any,
    label_ar: Any,
    *,
    max_length: int,
    field_class: type[Field] = TextAreaField,
) -> tuple[Any, Any]:
    """The optional English and Arabic fields of a text (``<name>_en, <name>_ar``).

    ``description_en, description_ar = translations(_l(...), _l(...), max_length=5000)``
    in a :class:`TranslatedTextsMixin` form that names ``description`` among its
    ``translated_texts``. Each field carries its language, so that the browser
    spells and writes it in that language and direction.
    """
    return (
        field_class(
            label_en,
            validators=[Optional(), Length(max=max_length)],
            render_kw={"lang": "en", "dir": "ltr"},
        ),
        field_class(
            label_ar,
            validators=[Optional(), Length(max=max_length)],
            render_kw={"lang": "ar", "dir": "rtl"},
        ),
    )


class TranslatedTextsMixin:
    """A form whose French texts ``translated_texts`` have versions per language.

    The fields ``<name>_<language>`` come from :func:`translations`; the macro
    ``other_languages`` of ``_macros.html`` shows them folded away.
    """

    #: Names of the French fields that may be given in other languages.
    translated_texts: ClassVar[tuple[str, ...]] = ()

    def translation_fields(self) -> list[Field]:
        """The fields of the other languages, language by language."""
        return [
            getattr(self, f"{name}_{language}")
            for language in OTHER_LANGUAGES
            for name in self.translated_texts
        ]

    def has_translations(self) -> bool:
        return any((f.data or "").strip() for f in self.translation_fields())

    def texts_by_language(self) -> TextsByLanguage:
        """What was typed, for the service (which trims and checks it)."""
        return {
            language: {
                name: getattr(self, f"{name}_{language}").data or ""
                for name in self.translated_texts
            }
            for language in OTHER_LANGUAGES
        }

    def fill_translations(self, stored: TextsByLanguage | None) -> None:
        """Show the stored translations (a form opened to edit)."""
        for language in OTHER_LANGUAGES:
            texts = (stored or {}).get(language) or {}
            for name in self.translated_texts:
                getattr(self, f"{name}_{language}").data = texts.get(name, "")


class LanguageForm(FlaskForm):
    """The language switcher: one submit button per language, works without JS.

    The pressed button sends ``language=<code>``; ``next`` is the page to go back to.
    """

    language = HiddenField()
    next = HiddenField()


class AuditFilterForm(FlaskForm):
    """Filters of the audit log page (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    object_type = SelectField(_l("Object type"), choices=[], validate_choice=False)
    object_id = IntegerField(
        _l("Object number"),
        validators=[Optional(), NumberRange(min=1, message=_l("A positive number."))],
    )
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(
        _l("Person (pseudonym)"), validators=[Optional(), Length(max=60)]
    )
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("To (date, included)"), validators=[Optional()])

    def validate_until(self, field: Any) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end comes before the start."))


def show_errors(form: FlaskForm | None, error: DomainError) -> list[str]:
    """Put a service's messages next to their fields; the rest atop the form.

    The one helper that turns a :class:`DomainError` (or :class:`FieldErrors`)
    into form errors. Returns the messages that belong to no field of *form*
    (all of them when there is no form), for a flash or an error summary.
    """
    leftover: list[str] = []
    for name, message in error.messages_by_field().items():
        field = form._fields.get(name) if (form is not None and name) else None
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            leftover.append(str(message))
            if form is not None:
                form.form_errors.append(str(message))
    return leftover
