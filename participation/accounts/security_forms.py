"""Forms of sign-in security (second factor), personal data and relays' work."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..core.i18n import lazy_gettext as _l
from . import queries, rules

CHOOSE_FROM_LIST = _l("Choose a value from the list.")


class SecondFactorForm(FlaskForm):
    """The code of the authenticator app, or one recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            InputRequired(_l("Type the code of your app or a recovery code.")),
            Length(max=20),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "spellcheck": "false",
            "autocapitalize": "characters",
        },
    )
    submit = SubmitField(_l("Continue"))


class EnrolmentForm(FlaskForm):
    """The first code of a newly scanned authenticator app."""

    code = StringField(
        _l("Code shown by the app"),
        validators=[
            InputRequired(_l("Type the 6 digits your app shows.")),
            Length(max=10),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class PasswordConfirmForm(FlaskForm):
    """Confirm a sensitive action with one's password."""

    password = PasswordField(
        _l("Your password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=rules.PASSWORD_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Confirm"))


#: What becomes of a deleted account's public contributions.
KEEP = "keep"
REMOVE = "remove"


class AccountDeletionForm(FlaskForm):
    """Delete an account; the person chooses what becomes of what they published."""

    contributions = RadioField(
        _l("What you published (ideas, applications, comments)"),
        choices=[
            SelectChoice(KEEP, _l("Keep it, under the name “former account”")),
            SelectChoice(REMOVE, _l("Remove it where it can be removed")),
        ],
        default=KEEP,
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    password = PasswordField(
        _l("Your password"), validators=[Length(max=rules.PASSWORD_MAX_LENGTH)]
    )
    confirm = BooleanField(
        _l("I understand that the account cannot be recovered."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete the account"))


class HelpRecordForm(FlaskForm):
    """A relay records that a person asked for their help (consent)."""

    consent_note = StringField(
        _l("How the person agreed"),
        default="",
        validators=[
            InputRequired(_l("Say how the person agreed.")),
            Length(max=rules.NOTE_MAX_LENGTH),
        ],
    )
    consent = BooleanField(
        _l(
            "The person is with me and asked me to help them with their account "
            "(ideas, verification, voting at a desk)."
        ),
        validators=[DataRequired(_l("The person must agree first."))],
    )
    submit = SubmitField(_l("Record that I help this person"))


class RelayTerritoryForm(FlaskForm):
    """An administrator attaches a relay to a QPV they serve."""

    territory = SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST,
        label=_l("QPV served by the relay"),
        validators=[DataRequired(_l("Choose a QPV."))],
    )
    submit = SubmitField(_l("Attach"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory.choices = [SelectChoice("", _l("Choose a QPV"))] + [
            SelectChoice(str(territory.id), territory.name)
            for territory in queries.qpv_territories()
        ]
