"""Forms of the follow-up: project, status, milestones, news, follow, framework."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..budget.forms import CoordinateField, MoneyField, MultiCheckboxField, optional_int
from ..core.forms import IdempotentForm, TranslatedTextsMixin, translations
from ..core.i18n import lazy_gettext as _l

PERCENT_MESSAGE = _l("The progress is a percentage between 0 and 100.")
CONSENT_LABEL = _l(
    "Nobody can be recognised on this photo, or everyone who can agreed to its"
    " publication"
)


class ProjectForm(FlaskForm):
    """What staff keep up to date on a project."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Give the project a title.")), Length(max=150)],
    )
    summary = TextAreaField(
        _l("What the project is"), validators=[Optional(), Length(max=5000)]
    )
    service_in_charge = StringField(
        _l("Service in charge"), validators=[Optional(), Length(max=120)]
    )
    progress_percent = IntegerField(
        _l("Progress (%)"),
        validators=[
            InputRequired(PERCENT_MESSAGE),
            NumberRange(min=0, max=100, message=PERCENT_MESSAGE),
        ],
    )
    amount_committed = MoneyField(_l("Money committed (euros)"))
    amount_spent = MoneyField(_l("Money spent (euros)"))
    overspend_reason = TextAreaField(
        _l("Why more is spent than committed"),
        validators=[Optional(), Length(max=2000)],
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    latitude = CoordinateField(_l("Latitude"), limit=90)
    longitude = CoordinateField(_l("Longitude"), limit=180)
    objective_ids = MultiCheckboxField(
        _l("Objectives of the contrat de ville"), coerce=int, validate_choice=False
    )
    submit = SubmitField(_l("Save the project"))


class TransitionForm(FlaskForm):
    """A status change, with the public reason when it needs one."""

    comment = TextAreaField(
        _l("Public comment or reason"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Confirm"))


class MilestoneForm(IdempotentForm):
    title = StringField(
        _l("Milestone"),
        validators=[DataRequired(_l("Give the milestone a title.")), Length(max=150)],
    )
    planned_on = DateField(
        _l("Planned date"), validators=[InputRequired(_l("Give the planned date."))]
    )
    actual_on = DateField(_l("Date reached"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save the milestone"))


#: The title and the news in English and Arabic (optional), on both news forms.
NEWS_TRANSLATIONS = (
    translations(
        _l("Title in English"),
        _l("Title in Arabic"),
        max_length=150,
        field_class=StringField,
    ),
    translations(_l("The news in English"), _l("The news in Arabic"), max_length=10000),
)


class UpdateEditForm(TranslatedTextsMixin, FlaskForm):
    """A correction of published news (followers are not written to again)."""

    translated_texts = ("title", "body")

    title = StringField(
        _l("Title of the news"),
        validators=[DataRequired(_l("Give the news a title.")), Length(max=150)],
    )
    body = TextAreaField(
        _l("The news"),
        validators=[DataRequired(_l("Write the news.")), Length(max=10000)],
    )
    title_en, title_ar = NEWS_TRANSLATIONS[0]
    body_en, body_ar = NEWS_TRANSLATIONS[1]
    submit = SubmitField(_l("Save the correction"))


class UpdateForm(IdempotentForm, UpdateEditForm):
    """News to publish: the text of :class:`UpdateEditForm`, an optional photo."""

    photo = FileField(_l("Photo (optional)"))
    photo_alt = StringField(
        _l("What the photo shows"), validators=[Optional(), Length(max=200)]
    )
    photo_consent = BooleanField(CONSENT_LABEL)
    submit = SubmitField(_l("Publish and tell the followers"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the news is withdrawn (kept for the staff)"),
        validators=[Optional(), Length(max=300)],
    )
    submit = SubmitField(_l("Withdraw the news"))


class PhotoAddForm(FlaskForm):
    photo = FileField(_l("Photo"))
    photo_alt = StringField(
        _l("What the photo shows"), validators=[Optional(), Length(max=200)]
    )
    photo_consent = BooleanField(CONSENT_LABEL)
    submit = SubmitField(_l("Add the photo"))


class PhotoEditForm(FlaskForm):
    photo_alt = StringField(
        _l("What the photo shows"), validators=[Optional(), Length(max=200)]
    )
    photo_consent = BooleanField(CONSENT_LABEL)
    submit = SubmitField(_l("Save the photo"))


class FollowForm(FlaskForm):
    """Follow without an account: an address, confirmed by a link."""

    email = StringField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Type your e-mail address.")),
            Length(max=254, message=_l("This e-mail address is too long.")),
        ],
    )
    submit = SubmitField(_l("Follow this project"))


class ActionForm(FlaskForm):
    """A button that changes something (CSRF only)."""


class CreateProjectsForm(FlaskForm):
    round_id = SelectField(
        _l("Round"),
        coerce=optional_int,
        validators=[DataRequired(_l("Choose a round."))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Create the projects of the published results"))


class ObjectiveForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Give a code, for example 1.3.")), Length(max=20)],
    )
    label = TextAreaField(
        _l("Wording"),
        validators=[
            DataRequired(_l("Give the objective's wording.")),
            Length(max=300),
        ],
    )
    parent_id = SelectField(
        _l("Placed under"), coerce=optional_int, validate_choice=False
    )
    position = IntegerField(
        _l("Order among its siblings"), default=0, validators=[Optional()]
    )
    is_active = BooleanField(_l("Offered for tagging"), default=True)
    submit = SubmitField(_l("Save the objective"))


class ProjectFilterForm(FlaskForm):
    """Filters of the public list (a GET form: nothing changes, no CSRF token)."""

    class Meta:
        csrf = False

    territory = SelectField(
        _l("Neighbourhood"), coerce=optional_int, validate_choice=False
    )
    state = SelectField(_l("Status"), validate_choice=False)
    year = SelectField(_l("Year"), coerce=optional_int, validate_choice=False)
