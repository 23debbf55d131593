"""Small forms used by the site frame and the audit log page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from .errors import DomainError


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
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(
        _l("Person (pseudonym)"), validators=[Optional(), Length(max=60)]
    )


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
