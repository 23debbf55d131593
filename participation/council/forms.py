"""Forms of the council pages. Validators read (formats, choices), never write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..accounts.states import Sex
from ..core.enums import LabelledEnum
from ..core.forms import IdempotentForm, TranslatedTextsMixin, translations
from ..core.i18n import lazy_gettext as _l
from .models import CouncilMember
from .names import staff_name
from .states import (
    AgendaItemKind,
    AttendanceStatus,
    College,
    CouncilScope,
    DecisionKind,
    LeaveReason,
    MajorityRule,
    MeetingKind,
    NameDisplay,
    QuorumKind,
    VoteChoice,
    VoteMethod,
)

CHOOSE_FROM_LIST = _l("Choose a value from the list.")
PARITY_SEXES = (Sex.FEMALE, Sex.MALE)


def sex_choices() -> list[tuple[str, str]]:
    return [(sex.value, sex.label) for sex in Sex]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes in a fieldset (the form macro renders it with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ActionForm(FlaskForm):
    """An empty form: the CSRF token of a one-button action."""


#: Field name -> function giving its (value, label) pairs in the reader's language.
ChoiceMap = dict[str, Callable[[], list[tuple[str, str]]]]


class ChoicesForm(FlaskForm):
    """A form whose select and radio choices come from enums, translated per request.

    ``CHOICES`` maps a field name to a function giving its ``(value, label)`` pairs
    (class attributes are built at import, before any language is known).
    """

    CHOICES: ClassVar[ChoiceMap] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in self.CHOICES.items():
            self[name].choices = choices()


def options(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    """Choices as WTForms wants them when a field is declared with them."""
    return [SelectChoice(value, label) for value, label in pairs]


def _with_blank(enum: type[LabelledEnum]) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [("", "—"), *enum.choices()]


class CouncilForm(TranslatedTextsMixin, ChoicesForm, IdempotentForm):
    translated_texts = ("description",)
    CHOICES: ClassVar[ChoiceMap] = {
        "scope": CouncilScope.choices,
        "name_display": NameDisplay.choices,
    }

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Give the council a name.")), Length(max=160)],
    )
    scope = RadioField(
        _l("The council covers"),
        choices=[],
        default=CouncilScope.QPV.value,
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    territory_id = SelectField(
        _l("Priority neighbourhood (QPV)"),
        choices=[],
        validate_choice=False,
        coerce=str,
    )
    description = TextAreaField(_l("Presentation"), validators=[Length(max=5000)])
    description_en, description_ar = translations(
        _l("Presentation in English"), _l("Presentation in Arabic"), max_length=5000
    )
    resident_seats = IntegerField(
        _l("Seats of the residents' college"),
        default=10,
        validators=[InputRequired(_l("Give a number of seats.")), NumberRange(0, 100)],
    )
    local_actor_seats = IntegerField(
        _l("Seats of the associations and local actors' college"),
        default=6,
        validators=[InputRequired(_l("Give a number of seats.")), NumberRange(0, 100)],
    )
    is_draw_required = BooleanField(_l("Residents are drawn by lot"), default=True)
    is_parity_required = BooleanField(
        _l("Parity between women and men among the residents"), default=True
    )
    min_residents_share = IntegerField(
        _l("Least share of residents among the members (%)"),
        default=50,
        validators=[
            InputRequired(_l("Give a share in per cent.")),
            NumberRange(0, 100),
        ],
    )
    is_recognition_required = BooleanField(
        _l("The composition is recognised by the préfet"), default=True
    )
    name_display = RadioField(
        _l("In published minutes, residents appear with"),
        choices=[],
        default=NameDisplay.PSEUDONYM.value,
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    submit = SubmitField(_l("Save the council"))


class RulesForm(ChoicesForm):
    CHOICES: ClassVar[ChoiceMap] = {
        "quorum_kind": QuorumKind.choices,
        "majority_ordinary": MajorityRule.choices,
        "majority_minutes_approval": MajorityRule.choices,
        "majority_fph_grant": MajorityRule.choices,
        "majority_rules_change": MajorityRule.choices,
    }

    text = TextAreaField(
        _l("Text of the internal rules"),
        validators=[InputRequired(_l("Give the text of the rules."))],
    )
    adopted_on = DateField(_l("Adopted on"), validators=[Optional()])
    quorum_kind = RadioField(
        _l("Quorum"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    quorum_number = IntegerField(_l("Number of members"), validators=[Optional()])
    quorum_numerator = IntegerField(
        _l("Fraction: numerator"), default=1, validators=[Optional()]
    )
    quorum_denominator = IntegerField(
        _l("Fraction: denominator"), default=2, validators=[Optional()]
    )
    quorum_counts_proxies = BooleanField(_l("Represented members count for the quorum"))
    are_proxies_allowed = BooleanField(_l("Proxies are allowed"))
    max_proxies_per_holder = IntegerField(
        _l("Most proxies one member may hold"),
        validators=[InputRequired(_l("Give a number.")), NumberRange(0, 10)],
    )
    abstentions_count = BooleanField(_l("Abstentions count as votes cast"))
    majority_ordinary = SelectField(_l("Majority for ordinary decisions"), choices=[])
    majority_minutes_approval = SelectField(
        _l("Majority to approve minutes"), choices=[]
    )
    majority_fph_grant = SelectField(
        _l("Majority for residents' fund (FPH) decisions"), choices=[]
    )
    majority_rules_change = SelectField(
        _l("Majority to change the internal rules"), choices=[]
    )
    notice_days = IntegerField(
        _l("Notice period of the convocation (days)"),
        validators=[InputRequired(_l("Give a number of days.")), NumberRange(0, 90)],
    )
    submit = SubmitField(_l("Adopt this version"))


class MemberForm(ChoicesForm):
    CHOICES: ClassVar[ChoiceMap] = {"college": College.choices, "sex": sex_choices}

    person = StringField(
        _l("Account of the person (e-mail address or pseudonym)"),
        validators=[InputRequired(_l("Say who takes the seat.")), Length(max=254)],
    )
    college = RadioField(
        _l("College"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    sex = SelectField(
        _l("Sex (for parity)"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    organisation = StringField(
        _l("Association or structure represented"), validators=[Length(max=160)]
    )
    mandate_starts_on = DateField(
        _l("Mandate starts on"),
        validators=[InputRequired(_l("Give the start of the mandate."))],
    )
    mandate_ends_on = DateField(_l("Mandate ends on"), validators=[Optional()])
    is_voting = BooleanField(_l("Votes in the council"), default=True)
    substitute_rank = IntegerField(
        _l("Rank among the substitutes (leave empty for a titular member)"),
        validators=[Optional(), NumberRange(1, 500)],
    )
    is_secretary = BooleanField(_l("Secretary of the council"))
    draw_entry_id = HiddenField()
    submit = SubmitField(_l("Seat this person"))


class SeatForm(FlaskForm):
    organisation = StringField(
        _l("Association or structure represented"), validators=[Length(max=160)]
    )
    mandate_starts_on = DateField(
        _l("Mandate starts on"),
        validators=[InputRequired(_l("Give the start of the mandate."))],
    )
    mandate_ends_on = DateField(_l("Mandate ends on"), validators=[Optional()])
    is_voting = BooleanField(_l("Votes in the council"))
    substitute_rank = IntegerField(
        _l("Rank among the substitutes (leave empty for a titular member)"),
        validators=[Optional(), NumberRange(1, 500)],
    )
    is_secretary = BooleanField(_l("Secretary of the council"))
    submit = SubmitField(_l("Save the seat"))


class LeaveForm(ChoicesForm):
    CHOICES: ClassVar[ChoiceMap] = {"reason": LeaveReason.choices}

    reason = SelectField(
        _l("Reason"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    left_on = DateField(
        _l("Left on"), validators=[InputRequired(_l("Give the date of departure."))]
    )
    submit = SubmitField(_l("Record the departure"))


class PromoteForm(FlaskForm):
    substitute = SelectField(
        _l("Substitute who takes the seat"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    starts_on = DateField(
        _l("Sits from"), validators=[InputRequired(_l("Give the date."))]
    )
    submit = SubmitField(_l("Seat the substitute"))


class FacilitatorForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Give the name.")), Length(max=120)]
    )
    organisation = StringField(_l("Organisation"), validators=[Length(max=160)])
    starts_on = DateField(
        _l("Facilitates from"), validators=[InputRequired(_l("Give the date."))]
    )
    ends_on = DateField(
        _l("Until"), validators=[InputRequired(_l("Give the end date."))]
    )
    submit = SubmitField(_l("Add the facilitator"))


class CompositionForm(FlaskForm):
    recognition_reference = StringField(
        _l("Reference of the recognising act (arrêté)"), validators=[Length(max=120)]
    )
    recognised_on = DateField(_l("Date of the act"), validators=[Optional()])
    submit = SubmitField(_l("Record this composition"))


class PoolForm(IdempotentForm):
    title = StringField(
        _l("Title of the draw"),
        validators=[InputRequired(_l("Give the draw a title.")), Length(max=160)],
    )
    source = StringField(_l("Lists the pool comes from"), validators=[Length(max=300)])
    pool_file = FileField(_l("List of people (CSV file)"))
    by_sex = BooleanField(_l("By sex (parity)"), default=True)
    by_age_band = BooleanField(_l("By age band"))
    by_qpv = BooleanField(_l("By neighbourhood (QPV)"))
    titulars_per_stratum = IntegerField(
        _l("Titular members drawn per stratum"),
        default=4,
        validators=[InputRequired(_l("Give a number.")), NumberRange(1, 50)],
    )
    substitutes_per_stratum = IntegerField(
        _l("Substitutes drawn per stratum"),
        default=3,
        validators=[InputRequired(_l("Give a number.")), NumberRange(0, 50)],
    )
    submit = SubmitField(_l("Import the pool"))


class DrawForm(FlaskForm):
    seed = StringField(
        _l("Public seed"),
        validators=[
            InputRequired(_l("Type the seed chosen in front of the witnesses.")),
            Length(max=200),
        ],
    )
    witnesses = TextAreaField(
        _l("Witnesses (one name per line)"),
        validators=[InputRequired(_l("Name at least two witnesses, one per line."))],
    )
    submit = SubmitField(_l("Draw"))


class MeetingForm(ChoicesForm, IdempotentForm):
    CHOICES: ClassVar[ChoiceMap] = {"kind": MeetingKind.choices}

    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the meeting a title.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind of meeting"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    day = DateField(_l("Day"), validators=[InputRequired(_l("Give the day."))])
    starts = TimeField(
        _l("Starts at"), validators=[InputRequired(_l("Give the time it starts."))]
    )
    ends = TimeField(
        _l("Ends at"), validators=[InputRequired(_l("Give the time it ends."))]
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    video_url = StringField(_l("Video link"), validators=[Length(max=500)])
    is_public = BooleanField(_l("Public meeting"), default=True)
    submit = SubmitField(_l("Save the meeting"))


class ItemForm(TranslatedTextsMixin, ChoicesForm, IdempotentForm):
    translated_texts = ("title", "description")
    CHOICES: ClassVar[ChoiceMap] = {
        "kind": AgendaItemKind.choices,
        "decision_kind": _with_blank(DecisionKind),
    }

    kind = SelectField(
        _l("Kind of item"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the item a title.")), Length(max=200)],
    )
    description = TextAreaField(_l("Details"), validators=[Length(max=10_000)])
    title_en, title_ar = translations(
        _l("Title in English"),
        _l("Title in Arabic"),
        max_length=200,
        field_class=StringField,
    )
    description_en, description_ar = translations(
        _l("Details in English"), _l("Details in Arabic"), max_length=10_000
    )
    is_public = BooleanField(_l("Public item"), default=True)
    decision_kind = SelectField(
        _l("Kind of decision (for a vote)"),
        choices=[],
        validate_choice=False,
    )
    minutes_id = SelectField(
        _l("Minutes to approve"), choices=[], validate_choice=False
    )
    submit = SubmitField(_l("Add to the agenda"))


class CancelForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Say why the meeting is cancelled.")),
            Length(max=300),
        ],
    )
    submit = SubmitField(_l("Cancel the meeting"))


def _holder_choices(members: list[CouncilMember]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(m.id), staff_name(m)) for m in members]


def attendance_form_class(members: list[CouncilMember]) -> type[FlaskForm]:
    """A form with, for each member, a status, a proxy holder and times."""

    class AttendanceForm(FlaskForm):
        submit = SubmitField(_l("Save the attendance"))

    statuses = options([("", _l("Not recorded")), *AttendanceStatus.choices()])
    holders = options(_holder_choices(members))
    for member in members:
        name = staff_name(member)
        setattr(
            AttendanceForm,
            f"status_{member.id}",
            SelectField(
                _l("Attendance of %(name)s", name=name),
                choices=statuses,
                validate_choice=True,
            ),
        )
        setattr(
            AttendanceForm,
            f"holder_{member.id}",
            SelectField(
                _l("Proxy holder for %(name)s", name=name),
                choices=holders,
                validate_choice=True,
            ),
        )
        setattr(
            AttendanceForm,
            f"arrived_{member.id}",
            TimeField(_l("Arrival of %(name)s", name=name), validators=[Optional()]),
        )
        setattr(
            AttendanceForm,
            f"left_{member.id}",
            TimeField(_l("Departure of %(name)s", name=name), validators=[Optional()]),
        )
    return AttendanceForm


def vote_form_class(voters: list[tuple[int, str]]) -> type[FlaskForm]:
    """The vote on an item; one select per entitled member for a roll call."""

    class VoteForm(FlaskForm):
        motion = TextAreaField(
            _l("Motion put to the vote"),
            validators=[InputRequired(_l("Give the text put to the vote."))],
        )
        method = RadioField(
            _l("How the members voted"),
            choices=options(VoteMethod.choices()),  # built per request: translated
            default=VoteMethod.SHOW_OF_HANDS.value,
            validators=[InputRequired(CHOOSE_FROM_LIST)],
        )
        recused = MultiCheckboxField(
            _l("Members who do not take part (conflict of interest)"),
            choices=options([(str(mid), name) for mid, name in voters]),
            validate_choice=True,
        )
        votes_for = IntegerField(_l("Votes for"), validators=[Optional()])
        votes_against = IntegerField(_l("Votes against"), validators=[Optional()])
        abstentions = IntegerField(_l("Abstentions"), validators=[Optional()])
        submit = SubmitField(_l("Record the vote"))
        no_quorum = SubmitField(_l("Record that the vote could not be held"))

    choices = options([("", "—"), *VoteChoice.choices()])
    for member_id, name in voters:
        setattr(
            VoteForm,
            f"choice_{member_id}",
            # Not submitted in a show of hands: the service asks for missing votes.
            SelectField(
                _l("Vote of %(name)s", name=name),
                choices=choices,
                validate_choice=False,
            ),
        )
    return VoteForm


class ProxyForm(FlaskForm):
    holder = SelectField(
        _l("Member who votes for you"),
        choices=[],
        validators=[InputRequired(CHOOSE_FROM_LIST)],
    )
    submit = SubmitField(_l("Give my proxy"))


class MinutesForm(FlaskForm):
    body = TextAreaField(
        _l("Text of the minutes"),
        validators=[InputRequired(_l("The minutes cannot be empty."))],
    )
    comment = StringField(_l("What changed (optional)"), validators=[Length(max=300)])
    submit = SubmitField(_l("Save a new revision"))


class ErratumForm(FlaskForm):
    text = TextAreaField(
        _l("Correction"),
        validators=[InputRequired(_l("Write the correction.")), Length(max=5000)],
    )
    noted_at_meeting_id = SelectField(
        _l("Noted at the meeting of"), choices=[], validate_choice=False
    )
    submit = SubmitField(_l("Append the erratum"))


class ArchiveForm(FlaskForm):
    """Search of the public archive (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Words"), validators=[Optional(), Length(max=100)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
