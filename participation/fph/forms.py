"""Forms of the FPH: the fund and its règlement, the steps of an application, review."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from ..budget.forms import MoneyField, MultiCheckboxField, optional_int
from ..core.enums import LabelledEnum
from ..core.forms import IdempotentForm, TranslatedTextsMixin, translations
from ..core.i18n import lazy_gettext as _l
from .services.applications import MAX_BUDGET_LINES
from .states import ApplicantKind, FunderKind

#: Rows of funders on the fund form (blank rows are ignored).
FUNDER_ROWS = 5

NUMBER = _l("Type a whole number.")


def _choices(enum: type[LabelledEnum]) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum]


class FundForm(TranslatedTextsMixin, IdempotentForm):
    """A fund's settings and its funders."""

    translated_texts = ("help_text",)

    name = StringField(_l("Name of the fund"), validators=[Length(max=160)])
    year = IntegerField(_l("Year"), validators=[Optional()])
    territory_id = SelectField(_l("Neighbourhood"), coerce=int, validate_choice=False)
    council_id = SelectField(
        _l("Council whose committee decides"),
        coerce=optional_int,
        validate_choice=False,
    )
    managing_body = StringField(
        _l("Managing body"), validators=[Optional(), Length(max=200)]
    )
    envelope = MoneyField(_l("Envelope (euros)"))
    cap_per_project = MoneyField(_l("Cap per project (euros)"))
    max_share_percent = IntegerField(
        _l("Highest share of a project's total cost (%)"), validators=[Optional()]
    )
    max_grants_per_group = IntegerField(
        _l("Grants per group and per year"), validators=[Optional()]
    )
    min_group_adults = IntegerField(
        _l("Least number of adults in an informal group"), validators=[Optional()]
    )
    deadline_days = IntegerField(
        _l("Days before a committee a file is due"), validators=[Optional()]
    )
    help_text = TextAreaField(
        _l("Where to get help and a paper form"),
        validators=[Optional(), Length(max=5000)],
    )
    help_text_en, help_text_ar = translations(
        _l("Where to get help, in English"),
        _l("Where to get help, in Arabic"),
        max_length=5000,
    )
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
    is_open = BooleanField(_l("The fund takes applications"), default=True)
    funders = HiddenField()
    submit = SubmitField(_l("Save the fund"))


for _i in range(FUNDER_ROWS):
    setattr(
        FundForm,
        f"funder_name_{_i}",
        StringField(_l("Funder"), validators=[Optional(), Length(max=160)]),
    )
    setattr(
        FundForm,
        f"funder_kind_{_i}",
        SelectField(
            _l("Kind"),
            choices=lambda: _choices(FunderKind),
            default=FunderKind.STATE.value,
        ),
    )
    setattr(FundForm, f"funder_share_{_i}", MoneyField(_l("Share (%)")))


class ReglementForm(TranslatedTextsMixin, FlaskForm):
    """A new version of the règlement, put in force."""

    translated_texts = ("text",)

    text = TextAreaField(_l("Text of the règlement"), validators=[Length(max=50_000)])
    text_en, text_ar = translations(
        _l("Text of the règlement in English"),
        _l("Text of the règlement in Arabic"),
        max_length=50_000,
    )
    adopted_by = StringField(
        _l("Adopting decision"), validators=[Optional(), Length(max=300)]
    )
    adopted_on = DateField(_l("Date of the decision"), validators=[Optional()])
    submit = SubmitField(_l("Adopt and put in force"))


class StartForm(IdempotentForm):
    """Start an application (a relay may file for a group); one per click."""

    for_group = BooleanField(_l("I file for a group that has no account"))
    consent_note = StringField(
        _l("How the group agreed"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Start my application"))


class ReglementStepForm(FlaskForm):
    accept = BooleanField(_l("I have read and accept the règlement of the fund"))
    submit = SubmitField(_l("Save and continue"))


class ApplicantForm(FlaskForm):
    kind = RadioField(_l("You apply as"), choices=lambda: _choices(ApplicantKind))
    name = StringField(
        _l("Name of the association or of the group"),
        validators=[Optional(), Length(max=200)],
    )
    rna = StringField(_l("RNA number"), validators=[Optional(), Length(max=20)])
    siret = StringField(_l("SIRET"), validators=[Optional(), Length(max=30)])
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=120)]
    )
    contact_email = StringField(
        _l("Contact e-mail"), validators=[Optional(), Length(max=254)]
    )
    contact_phone = StringField(
        _l("Contact phone"), validators=[Optional(), Length(max=20)]
    )
    members_count = IntegerField(
        _l("Number of members of the group, children included"),
        validators=[Optional(), NumberRange(min=0, max=10_000, message=NUMBER)],
    )
    adult_names = TextAreaField(
        _l("Names of the adult members, one per line"),
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField(_l("Save and continue"))


class ProjectForm(FlaskForm):
    title = StringField(_l("Title of the project"), validators=[Length(max=150)])
    description = TextAreaField(
        _l("What you want to do"), validators=[Optional(), Length(max=10_000)]
    )
    audience = TextAreaField(_l("For whom"), validators=[Optional(), Length(max=5000)])
    starts_on = DateField(_l("Date of the action"), validators=[Optional()])
    ends_on = DateField(_l("End date (if it lasts)"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    expected_participants = IntegerField(
        _l("Number of people expected"),
        validators=[Optional(), NumberRange(min=0, max=100_000, message=NUMBER)],
    )
    theme_ids = MultiCheckboxField(_l("Themes"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Save and continue"))


class BudgetForm(FlaskForm):
    """Expense and resource lines (fixed rows: works without JavaScript)."""

    expenses = HiddenField()
    resources = HiddenField()
    amount_requested = MoneyField(_l("Amount asked of the fund (euros)"))
    submit = SubmitField(_l("Save and continue"))

    def lines(self, kind: str) -> list[tuple[Any, Any]]:
        """The (label, amount) field pairs of *kind* ("expense" or "resource")."""
        return [
            (self[f"{kind}_label_{i}"], self[f"{kind}_amount_{i}"])
            for i in range(MAX_BUDGET_LINES)
        ]


for _kind in ("expense", "resource"):
    for _i in range(MAX_BUDGET_LINES):
        setattr(
            BudgetForm,
            f"{_kind}_label_{_i}",
            StringField(_l("What for"), validators=[Optional(), Length(max=200)]),
        )
        setattr(BudgetForm, f"{_kind}_amount_{_i}", MoneyField(_l("Amount (euros)")))


class HolderForm(FlaskForm):
    holder_name = StringField(
        _l("Account holder"), validators=[Optional(), Length(max=200)]
    )
    holder_iban = StringField(_l("IBAN"), validators=[Optional(), Length(max=50)])
    holder_bic = StringField(_l("BIC"), validators=[Optional(), Length(max=20)])
    holder_address = StringField(
        _l("Holder's address"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Save and continue"))


class SubmitForm(FlaskForm):
    submit = SubmitField(_l("Submit my application"))


class IncompleteForm(FlaskForm):
    missing = TextAreaField(
        _l("What is missing"), validators=[Optional(), Length(max=5000)]
    )
    submit = SubmitField(_l("Send back to the applicant"))


class ActionForm(FlaskForm):
    """A button that changes the state (the CSRF token only)."""

    submit = SubmitField(_l("Confirm"))


class PaperStartForm(IdempotentForm):
    """Open a file for an application received on paper (one per click)."""

    submit = SubmitField(_l("Confirm"))


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("Withdraw the application"))


class ScheduleForm(FlaskForm):
    """Put a complete (or deferred) file on a coming committee's agenda."""

    meeting_id = SelectField(
        _l("Committee"), coerce=optional_int, validate_choice=False
    )
    submit = SubmitField(_l("Put on a committee agenda"))
