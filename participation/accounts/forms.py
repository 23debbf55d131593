"""Forms of the accounts feature. Validators read (choices, formats), never write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..core.converters import ascii_int
from ..core.errors import DomainError
from ..core.forms import IdempotentForm
from ..core.i18n import LANGUAGE_NAMES
from ..core.i18n import lazy_gettext as _l
from ..territories.models import TerritoryKind
from . import queries, rules, services
from .states import Sex, VerificationMethod

CHOOSE_FROM_LIST = _l("Choose a value from the list.")


def _service_check(check: Callable[[str], Any]) -> Callable[[Any, Any], None]:
    """Run a service normaliser as a field validator, so both agree on the rules."""

    def validator(form: Any, field: Any) -> None:
        if field.data:
            try:
                check(field.data)
            except DomainError as error:
                raise ValidationError(str(error.message)) from None

    return validator


def _birth_year(form: Any, field: Any) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    if ascii_int(text) is None or len(text) != 4:
        raise ValidationError(str(_l("Enter a year with 4 digits, for example 1980.")))
    try:
        rules.check_birth_year(int(text))
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


def sex_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", _l("I prefer not to say")),
        *(SelectChoice(value, label) for value, label in Sex.choices()),
    ]


def language_choices() -> list[tuple[str, str]]:
    return [
        (code, LANGUAGE_NAMES.get(code, code))
        for code in current_app.config["LANGUAGES"]
    ]


#: Words that show a name already says "outside the priority neighbourhoods".
OUTSIDE_WORDS = re.compile(r"\b(qpv|hors|outside)\b", re.IGNORECASE)


def _says_outside(name: str) -> bool:
    """Whether an area's own name already tells it is outside the QPV
    ("Hors QPV", "Reste de la commune hors quartiers prioritaires")."""
    return OUTSIDE_WORDS.search(name) is not None


def residence_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _l("Choose a neighbourhood"))]
    for territory in queries.residence_territories():
        label: Any = territory.name
        if territory.kind is TerritoryKind.OUTSIDE and not _says_outside(
            territory.name
        ):
            label = _l("%(name)s (outside the QPV)", name=territory.name)
        choices.append(SelectChoice(str(territory.id), label))
    return choices


def optional_int(text: str | None) -> int | None:
    """The integer typed in a validated optional field."""
    text = (text or "").strip()
    return int(text) if text else None


def optional_sex(value: str | None) -> Sex | None:
    return Sex(value) if value else None


def _email_field(presence: Any, *checks: Any) -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[presence, Length(max=rules.EMAIL_MAX_LENGTH), *checks],
    )


def _phone_field() -> TelField:
    return TelField(
        _l("Mobile phone number"),
        validators=[Optional(), Length(max=30), _service_check(rules.normalize_phone)],
    )


def _pseudonym_field(label: Any) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired(_l("Choose a pseudonym.")),
            Length(max=rules.PSEUDONYM_MAX_LENGTH),
            _service_check(rules.normalize_pseudonym),
        ],
    )


def _real_name_field(label: Any) -> StringField:
    return StringField(
        label, validators=[Optional(), Length(max=rules.REAL_NAME_MAX_LENGTH)]
    )


def _residence_field(label: Any, required: Any) -> SelectField:
    return SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST,
        label=label,
        validators=[DataRequired(required)],
    )


def _birth_year_field() -> StringField:
    return StringField(
        _l("Year of birth (optional)"),
        validators=[Optional(), _birth_year],
        render_kw={"inputmode": "numeric", "maxlength": 4},
    )


def _sex_field() -> SelectField:
    return SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST, label=_l("Sex (optional)"), default=""
    )


def _locale_field() -> SelectField:
    return SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST, label=_l("Preferred language")
    )


def _new_password_field(label: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(
                min=rules.PASSWORD_MIN_LENGTH,
                max=rules.PASSWORD_MAX_LENGTH,
                message=_l("The password must have between 10 and 200 characters."),
            ),
        ],
    )


def _password_again_field(label: Any, first: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Type the password a second time.")),
            EqualTo(first, _l("The two passwords are different.")),
        ],
    )


def _known_password_field(label: Any, required: Any) -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(required), Length(max=rules.PASSWORD_MAX_LENGTH)],
    )


class PersonFieldsMixin:
    """Choices and values shared by every form that describes a person."""

    pseudonym: Any
    real_name: Any
    territory: Any
    birth_year: Any
    sex: Any
    locale: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fill_choices()

    def _fill_choices(self) -> None:
        self.territory.choices = residence_choices()
        self.sex.choices = sex_choices()
        self.locale.choices = language_choices()

    def person_details(self) -> dict[str, Any]:
        """The typed values a service's ``PersonDetails`` takes."""
        return {
            "pseudonym": self.pseudonym.data,
            "real_name": self.real_name.data,
            "territory_id": optional_int(self.territory.data),
            "birth_year": optional_int(self.birth_year.data),
            "sex": optional_sex(self.sex.data),
            "locale": self.locale.data,
        }


class RegistrationForm(PersonFieldsMixin, IdempotentForm):
    """Open an account with an e-mail address or a phone number (or both)."""

    email = _email_field(Optional(), _service_check(services.normalize_email))
    phone = _phone_field()
    password = _new_password_field(_l("Password"))
    password_confirm = _password_again_field(_l("Password again"), "password")
    pseudonym = _pseudonym_field(_l("Public pseudonym"))
    real_name = _real_name_field(_l("Real name (optional)"))
    territory = _residence_field(
        _l("Neighbourhood where you live"),
        _l("Choose the neighbourhood where you live."),
    )
    birth_year = _birth_year_field()
    sex = _sex_field()
    locale = _locale_field()
    accept_notice = BooleanField(
        _l("I have read the personal data notice and I accept it."),
        validators=[
            DataRequired(_l("Please read and accept the personal data notice."))
        ],
    )
    submit = SubmitField(_l("Create my account"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = [
                *self.email.errors,
                str(_l("Give an e-mail address or a phone number (or both).")),
            ]
            valid = False
        return valid


class SignInForm(FlaskForm):
    """Sign in with an e-mail, a phone number or (managed accounts) a pseudonym."""

    identifier = StringField(
        _l("E-mail address or phone number"),
        validators=[
            InputRequired(_l("Enter your e-mail address or phone number.")),
            Length(max=rules.EMAIL_MAX_LENGTH),
        ],
    )
    password = _known_password_field(_l("Password"), _l("Enter your password."))
    remember = BooleanField(_l("Stay signed in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class PasswordForgotForm(FlaskForm):
    """Ask for a reset link; the answer never says whether the address is known."""

    email = _email_field(
        InputRequired(_l("Enter your e-mail address.")),
        _service_check(services.normalize_email),
    )
    submit = SubmitField(_l("Send me a link"))


class NewPasswordForm(FlaskForm):
    """Choose a new password (from a reset link or a setup code)."""

    password = _new_password_field(_l("New password"))
    password_confirm = _password_again_field(_l("New password again"), "password")
    submit = SubmitField(_l("Save the new password"))


class SetupCodeForm(NewPasswordForm):
    """A managed person sets their password with the code printed by a relay."""

    pseudonym = StringField(
        _l("Your pseudonym"),
        validators=[
            InputRequired(_l("Enter the pseudonym written on your sheet.")),
            Length(max=60),
        ],
    )
    code = StringField(
        _l("Your code"),
        validators=[
            InputRequired(_l("Enter the code written on your sheet.")),
            Length(max=40),
        ],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )


class PasswordChangeForm(FlaskForm):
    """Change one's password, knowing the current one."""

    current_password = _known_password_field(
        _l("Current password"), _l("Enter your current password.")
    )
    new_password = _new_password_field(_l("New password"))
    new_password_confirm = _password_again_field(
        _l("New password again"), "new_password"
    )
    submit = SubmitField(_l("Change my password"))


class ProfileForm(PersonFieldsMixin, FlaskForm):
    """The person's own details."""

    pseudonym = _pseudonym_field(_l("Public pseudonym"))
    real_name = _real_name_field(_l("Real name (optional)"))
    email = _email_field(Optional())
    phone = _phone_field()
    territory = _residence_field(
        _l("Neighbourhood where you live"),
        _l("Choose the neighbourhood where you live."),
    )
    birth_year = _birth_year_field()
    sex = _sex_field()
    locale = _locale_field()
    submit = SubmitField(_l("Save my details"))


class ManagedAccountForm(PersonFieldsMixin, IdempotentForm):
    """A relay opens an account for a person who has no e-mail address or phone."""

    pseudonym = _pseudonym_field(_l("Public pseudonym chosen by the person"))
    real_name = _real_name_field(
        _l("Real name (optional, seen by staff and relays only)")
    )
    territory = _residence_field(
        _l("Neighbourhood where the person lives"),
        _l("Choose the neighbourhood where the person lives."),
    )
    birth_year = _birth_year_field()
    sex = _sex_field()
    locale = _locale_field()
    verified_in_person = BooleanField(
        _l("I checked a proof of address in person (mark the residence as verified)")
    )
    consent = BooleanField(
        _l(
            "The person agreed to have an account created for them and was told "
            "how their personal data is used."
        ),
        validators=[
            DataRequired(_l("The person must agree before you create their account."))
        ],
    )
    submit = SubmitField(_l("Create the account"))


class VerificationForm(FlaskForm):
    """Record that a proof of address was checked in person. No document is kept."""

    territory = SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST,
        label=_l("QPV shown on the proof of address"),
        validators=[DataRequired(_l("Choose the QPV the proof of address is in."))],
    )
    method = SelectField(
        invalid_choice_message=CHOOSE_FROM_LIST,
        label=_l("How was it checked?"),
        choices=VerificationMethod.choices,
        default=VerificationMethod.PROOF_IN_PERSON.value,
    )
    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=rules.NOTE_MAX_LENGTH)],
    )
    submit = SubmitField(_l("Mark as verified"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory.choices = [SelectChoice("", _l("Choose a QPV"))] + [
            SelectChoice(str(territory.id), territory.name)
            for territory in queries.qpv_territories()
        ]


class PeopleSearchForm(FlaskForm):
    """Search people (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("E-mail, phone number or account code"), validators=[Length(max=100)]
    )


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of a one-button action."""
