"""Forms of the committee, payments and bilan pages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..budget.forms import MoneyField
from ..core.i18n import lazy_gettext as _l
from ..eligibility.models import GridVersion
from ..eligibility.states import POINTS, Check, CriterionKind
from .committee import Proposal
from .states import Verdict


class ActionForm(FlaskForm):
    """A button that changes the file (put on the agenda, ask for the bilan)."""

    submit = SubmitField(_l("Confirm"))


def score_form(version: GridVersion, data: dict[str, Any] | None = None) -> FlaskForm:
    """A form with one field per criterion of *version* (named by its code)."""

    class ScoreForm(FlaskForm):
        submit = SubmitField(_l("Save my scores"))

    for criterion in version.criteria:
        name = f"c_{criterion.code}"
        label = criterion.public_label
        if criterion.kind is CriterionKind.MANDATORY:
            field: Any = RadioField(
                label,
                choices=[
                    SelectChoice(Check.PASS.value, _l("Met")),
                    SelectChoice(Check.FAIL.value, _l("Not met")),
                    SelectChoice(Check.NOT_APPLICABLE.value, _l("Not applicable")),
                ],
                validators=[Optional()],
            )
        elif criterion.kind is CriterionKind.SCORED:
            field = SelectField(
                label,
                choices=[SelectChoice("", _l("Not scored yet"))]
                + [SelectChoice(str(p), str(p)) for p in POINTS],
                validators=[Optional()],
            )
        else:
            field = TextAreaField(label, validators=[Optional(), Length(max=2000)])
        setattr(ScoreForm, name, field)
    return ScoreForm(data=data or {})


class DecisionForm(FlaskForm):
    proposal = RadioField(
        _l("Motion put to the vote"),
        choices=[
            SelectChoice(Proposal.GRANT.value, _l("Grant an amount")),
            SelectChoice(Proposal.DEFER.value, _l("Defer to a later committee")),
            SelectChoice(Proposal.REFUSE.value, _l("Refuse")),
        ],
        default=Proposal.GRANT.value,
        validators=[InputRequired(message=_l("Choose the motion."))],
    )
    amount = MoneyField(_l("Amount granted (euros)"))
    decision_text = TextAreaField(
        _l("Decision of the committee"),
        validators=[InputRequired(message=_l("Write the committee's decision."))],
    )
    votes_for = IntegerField(_l("Votes for"), validators=[Optional(), NumberRange(0)])
    votes_against = IntegerField(
        _l("Votes against"), validators=[Optional(), NumberRange(0)]
    )
    abstentions = IntegerField(
        _l("Abstentions"), validators=[Optional(), NumberRange(0)]
    )
    no_quorum = BooleanField(_l("The vote could not be held: no quorum"))
    submit = SubmitField(_l("Record the vote"))


class PaymentForm(FlaskForm):
    amount = MoneyField(_l("Amount paid (euros)"))
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    payer = StringField(_l("Paid by"), validators=[Length(max=200)])
    reference = StringField(
        _l("Payment reference (optional)"), validators=[Length(max=100)]
    )
    submit = SubmitField(_l("Record the payment"))


class VerdictForm(FlaskForm):
    verdict = RadioField(
        _l("Verdict of the committee on the bilan"),
        choices=[
            SelectChoice(
                Verdict.CONFORM.value, _l("Conform: pay the balance and close")
            ),
            SelectChoice(
                Verdict.NOT_CONFORM.value, _l("Not conform: ask for a repayment")
            ),
        ],
        validators=[Optional()],
    )
    note = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    amount = MoneyField(_l("Balance paid (euros)"))
    paid_on = DateField(_l("Balance paid on"), validators=[Optional()])
    payer = StringField(_l("Paid by"), validators=[Length(max=200)])
    repayment_amount = MoneyField(_l("Amount to pay back (euros)"))
    submit = SubmitField(_l("Record the verdict"))


class ReportForm(FlaskForm):
    held_on = DateField(_l("Day of the action"), validators=[Optional()])
    actual_participants = IntegerField(
        _l("People who took part"), validators=[Optional(), NumberRange(0)]
    )
    narrative = TextAreaField(
        _l("How the action went"), validators=[Length(max=10_000)]
    )
    receipts = MultipleFileField(_l("Receipts and invoices (PDF or photo)"))
    photos = MultipleFileField(_l("Photos of the action (optional)"))
    is_photo_consent = BooleanField(
        _l("The people in the photos agree that they are shown on the public page")
    )
    submit = SubmitField(_l("Send the bilan"))


def report_form(lines: list[tuple[int, str]]) -> ReportForm:
    """The bilan form with one "actually spent" field per forecast expense line."""

    class LinesReportForm(ReportForm):
        pass

    for line_id, label in lines:
        setattr(
            LinesReportForm,
            f"actual_{line_id}",
            MoneyField(_l("Actually spent: %(label)s (euros)", label=label)),
        )
    return LinesReportForm()
