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


def add_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's DomainError next to its field (or atop the form if none)."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
