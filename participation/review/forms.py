"""Forms of the review feature; the grid part is built per version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    Field,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..budget.states import TransferAction
from ..core.i18n import lazy_gettext as _l
from ..core.money import to_money
from ..eligibility.evaluate import AnswerValue
from ..eligibility.models import GridVersion
from ..eligibility.states import POINT_LABELS, POINTS, Check, CriterionKind
from .services import OTHER_SERVICE, TRANSFER_SERVICES, criterion_field


def parse_amount(field: Field) -> Decimal | None:
    """The amount typed in *field* (French comma accepted), None when empty.

    :raises ValidationError: when the text is not an amount.
    """
    text = (field.data or "").strip()
    if not text:
        return None
    try:
        return to_money(text)
    except ValueError:
        raise ValidationError(
            _l("Enter an amount in euros, for example 12500 or 12 500,50.")
        ) from None


class AmountField(StringField):
    """Euros typed as text; ``amount`` holds the parsed Decimal after validation."""

    amount: Decimal | None = None

    def pre_validate(self, form: Any) -> None:
        self.amount = parse_amount(self)
        if self.amount is not None and self.amount < 0:
            raise ValidationError(_l("The amount cannot be negative."))


class ReviewForm(FlaskForm):
    """What every review holds besides the grid answers."""

    cost_estimate = AmountField(
        _l("Cost estimated by the services (euros)"), validators=[Length(max=20)]
    )
    feasibility_note = TextAreaField(
        _l("Feasibility note"), validators=[Optional(), Length(max=5000)]
    )
    land_owner = StringField(
        _l("Who owns the place"), validators=[Optional(), Length(max=200)]
    )
    land_maintainer = StringField(
        _l("Who will maintain it"), validators=[Optional(), Length(max=200)]
    )
    public_justification = TextAreaField(
        _l("Justification for residents, in plain words"),
        validators=[Optional(), Length(max=5000)],
    )
    save = SubmitField(_l("Save the draft"))
    hand_in = SubmitField(_l("Hand in the review"))

    def answers(self, version: GridVersion) -> dict[str, AnswerValue]:
        """The grid answers as evaluate() takes them (after validation)."""
        values: dict[str, AnswerValue] = {}
        for criterion in version.criteria:
            data = self[criterion_field(criterion.code)].data
            if data in (None, "", "None"):
                continue
            if criterion.kind is CriterionKind.MANDATORY:
                values[criterion.code] = Check(data)
            elif criterion.kind is CriterionKind.SCORED:
                values[criterion.code] = int(data)
            else:
                values[criterion.code] = str(data)
        return values


class _ChoiceOrNothing:
    """Accept no answer or one of the field's choices (a forged value is refused)."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.data in (None, "", "None"):
            return
        if str(field.data) not in {str(choice.value) for choice in field.choices}:
            raise ValidationError(_l("Choose one of the answers."))


def review_form_class(version: GridVersion) -> type[ReviewForm]:
    """A ReviewForm with one field per criterion of *version*, in the grid's order."""

    class GridReviewForm(ReviewForm):
        pass

    for criterion in version.criteria:
        label = criterion.public_label
        name = criterion_field(criterion.code)
        field: Any
        if criterion.kind is CriterionKind.MANDATORY:
            field = RadioField(
                label,
                choices=[
                    SelectChoice(value, label) for value, label in Check.choices()
                ],
                validators=[_ChoiceOrNothing()],
                validate_choice=False,
            )
        elif criterion.kind is CriterionKind.SCORED:
            field = RadioField(
                label,
                choices=[SelectChoice(str(p), POINT_LABELS[p]) for p in POINTS],
                validators=[_ChoiceOrNothing()],
                validate_choice=False,
            )
        else:
            field = TextAreaField(label, validators=[Optional(), Length(max=4000)])
        setattr(GridReviewForm, name, field)
    return GridReviewForm


class RetainForm(FlaskForm):
    """Retain the idea for the vote."""

    final_cost = AmountField(
        _l("Final cost (euros)"),
        validators=[DataRequired(message=_l("Give the final cost of the project."))],
    )
    comment = TextAreaField(
        _l("Public comment (optional)"), validators=[Optional(), Length(max=5000)]
    )


class IneligibleForm(FlaskForm):
    """Declare the idea ineligible."""

    comment = TextAreaField(
        _l("Public justification"),
        validators=[
            DataRequired(message=_l("Explain publicly why the idea is ineligible.")),
            Length(max=5000),
        ],
    )


class TransferForm(FlaskForm):
    """Send the idea to the competent service."""

    transfer_service = RadioField(
        _l("Competent service"),
        choices=[
            SelectChoice(code, label)
            for code, (label, _name) in TRANSFER_SERVICES.items()
        ]
        + [SelectChoice(OTHER_SERVICE, _l("Another service (name it below)"))],
        validators=[DataRequired(message=_l("Choose the competent service."))],
        # The service refuses an unknown code by this field; one message is enough.
        validate_choice=False,
    )
    other_service = StringField(
        _l("Name of the other service"), validators=[Optional(), Length(max=120)]
    )
    comment = TextAreaField(
        _l("Public explanation (optional)"), validators=[Optional(), Length(max=5000)]
    )


class MergeForm(FlaskForm):
    """Merge the idea into a similar one."""

    into = SelectField(
        _l("Merge into"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the idea to merge into."))],
    )
    comment = TextAreaField(
        _l("Public explanation (optional)"), validators=[Optional(), Length(max=5000)]
    )


class TransferFollowUpForm(FlaskForm):
    """Follow-up of a transferred idea: what the competent service reported."""

    action = SelectField(
        _l("Follow-up by the service"),
        validators=[DataRequired(message=_l("Choose what the service reported."))],
    )
    comment = TextAreaField(
        _l("Public note (optional)"), validators=[Optional(), Length(max=2000)]
    )

    def offer(self, actions: list[TransferAction]) -> None:
        """Offer the steps the follow-up may take now, in the reader's language."""
        self.action.choices = [SelectChoice(a.value, a.label) for a in actions]


def assignment_form_class(keys: list[str]) -> type[FlaskForm]:
    """A form with one reviewer field (``idea_<id>``) per idea row posted.

    A field holds a reviewer's id, or nothing to leave the idea as it is. The CSRF
    token is checked by the page's ActionForm.
    """

    class AssignmentForm(FlaskForm):
        class Meta:
            csrf = False

    for key in keys:
        setattr(
            AssignmentForm,
            key,
            StringField(
                validators=[
                    Optional(),
                    Regexp(
                        r"^[0-9]{1,9}$", message=_l("Choose a reviewer from the list.")
                    ),
                ]
            ),
        )
    return AssignmentForm


class ThemeRuleForm(FlaskForm):
    """ "Ideas of this theme go to this reviewer"."""

    theme_id = SelectField(_l("Theme"), coerce=int, validators=[DataRequired()])
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
