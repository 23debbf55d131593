"""Forms of the polling desks. Validators read (formats, choices), never write."""

from __future__ import annotations

from typing import Any

from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ...accounts.forms import ManagedAccountForm, language_choices, sex_choices
from ...budget.models import Round
from ...core.forms import DateField, IntegerField
from ...core.i18n import lazy_gettext as _l
from .services import (
    CHOICES_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
)
from .states import MAX_BATCH_SIZE, Mark, VoidReason

CHOOSE_FROM_LIST = _l("Choose a value from the list.")


def batch_size(form: FlaskForm, field: IntegerField) -> None:
    """From 1 to MAX_BATCH_SIZE ballots (the message counts them in the reader's
    language, so it is built when the form is checked)."""
    if field.data is not None and not 1 <= field.data <= MAX_BATCH_SIZE:
        raise ValidationError(
            ngettext(
                "A batch holds from 1 to %(num)d ballot.",
                "A batch holds from 1 to %(num)d ballots.",
                MAX_BATCH_SIZE,
            )
        )


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of a one-button action."""


class DeskForm(FlaskForm):
    """Open a polling desk: which neighbourhood, where, which day."""

    territory = SelectField(
        _l("Neighbourhood (QPV) of the desk"),
        invalid_choice_message=CHOOSE_FROM_LIST,
        validators=[DataRequired(_l("Choose the neighbourhood of the desk."))],
    )
    place = StringField(
        _l("Place"),
        validators=[
            InputRequired(_l("Give the place of the desk.")),
            Length(max=PLACE_MAX_LENGTH),
        ],
    )
    opens_on = DateField(
        _l("Day"), validators=[InputRequired(_l("Give the day of the desk."))]
    )
    submit = SubmitField(_l("Open the desk"))

    def __init__(self, round_: Round, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [SelectChoice("", _l("Choose a neighbourhood"))]
        for envelope in sorted(round_.envelopes, key=lambda e: e.territory.name):
            choices.append(
                SelectChoice(str(envelope.territory_id), envelope.territory.name)
            )
        self.territory.choices = choices


class VoterSearchForm(FlaskForm):
    """Find a walk-in voter (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Pseudonym, e-mail, phone or real name"), validators=[Length(max=100)]
    )
    submit = SubmitField(_l("Search"))


class SignInForm(FlaskForm):
    """Sign a found person in; optionally record the proof of address just checked."""

    proof_checked = BooleanField(
        _l("I checked a proof of address in this neighbourhood with the person now")
    )
    submit = SubmitField(_l("Sign in (émargement)"))


class WalkInForm(ManagedAccountForm):
    """A walk-in voter without an account: a managed account of the desk's QPV."""

    # The neighbourhood is the desk's, proved by the document the relay checks.
    territory = None
    verified_in_person = None
    proof_checked = BooleanField(
        _l(
            "I checked a proof of address in this neighbourhood with the person"
            " (the document is not kept)"
        ),
        validators=[
            DataRequired(_l("Check a proof of address in this neighbourhood first."))
        ],
    )
    submit = SubmitField(_l("Create the account and sign in"))

    def _fill_choices(self) -> None:
        self.sex.choices = sex_choices()
        self.locale.choices = language_choices()


class BatchForm(FlaskForm):
    """Register a bundle of paper ballots counted by hand."""

    declared_count = IntegerField(
        _l("Number of paper ballots in the batch"),
        validators=[
            InputRequired(_l("Give the number of ballots counted in the batch.")),
            batch_size,
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_BATCH_SIZE},
    )
    form_token = HiddenField()
    submit = SubmitField(_l("Register the batch"))


class MinutesForm(FlaskForm):
    """The desk's minutes: what explains fewer paper ballots than sign-ins."""

    note = TextAreaField(
        _l("Minutes of the desk"),
        validators=[Optional(), Length(max=MINUTES_MAX_LENGTH)],
    )


class CancelForm(FlaskForm):
    """Cancel a batch, saying why."""

    reason = StringField(
        _l("Why is the batch cancelled?"),
        validators=[
            InputRequired(_l("Say why the batch is cancelled.")),
            Length(max=REASON_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Cancel the batch"))


def mark_choices() -> list[SelectChoice]:
    """What a paper ballot can be: valid, blank, or void for one of the reasons."""
    choices = [
        SelectChoice(Mark.VALID.value, _l("Valid: the projects typed")),
        SelectChoice(Mark.BLANK.value, _l("Blank: no project chosen")),
    ]
    for reason in VoidReason:
        choices.append(
            SelectChoice(f"void-{reason.value}", _l("Void: %(why)s", why=reason.label))
        )
    return choices


def choices_field(label: Any) -> StringField:
    return StringField(
        label,
        validators=[Optional(), Length(max=CHOICES_MAX_LENGTH)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


def keying_form_class(size: int) -> type[FlaskForm]:
    """A grid of *size* paper ballots: for each, the projects and the reading."""
    fields: dict[str, Any] = {}
    for n in range(1, size + 1):
        fields[f"b{n}_choices"] = choices_field(_l("Projects of ballot n° %(n)d", n=n))
        fields[f"b{n}_mark"] = SelectField(
            _l("Reading of ballot n° %(n)d", n=n),
            choices=mark_choices(),
            default=Mark.VALID.value,
            invalid_choice_message=CHOOSE_FROM_LIST,
        )
    fields["save"] = SubmitField(_l("Save"))
    fields["finish"] = SubmitField(_l("Save and finish my keying"))
    return type("KeyingForm", (FlaskForm,), fields)


class ResolveForm(FlaskForm):
    """Settle one difference: pass 1's reading, pass 2's, or what the paper says."""

    source = RadioField(
        _l("Which reading matches the paper ballot?"),
        choices=[
            SelectChoice("first", _l("Pass 1")),
            SelectChoice("second", _l("Pass 2")),
            SelectChoice("other", _l("Neither: the reading below")),
        ],
        validators=[InputRequired(_l("Choose the reading that matches the paper."))],
    )
    choices = choices_field(_l("Projects read on the paper"))
    mark = SelectField(
        _l("Reading"),
        choices=[],
        default=Mark.VALID.value,
        invalid_choice_message=CHOOSE_FROM_LIST,
    )
    submit = SubmitField(_l("Keep this reading"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark.choices = mark_choices()
