"""Forms of the voting pages: the vote rules, the ballot, the receipt check.

The ballot's project fields depend on the round, so the views read them from the
request (``parse_choices``); the form itself carries the CSRF token and the one-time
confirmation token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..accounts.states import VerificationLevel
from ..budget.models import Idea
from ..core.converters import ascii_int
from ..core.forms import DateTimeLocalField, IntegerField
from ..core.i18n import lazy_gettext as _l
from .ballots import field_name
from .states import BallotType, CountingRule, TieBreak

_WHOLE = _l("Type a whole number.")


class _Labelled(Protocol):
    @property
    def value(self) -> str: ...
    @property
    def label(self) -> str: ...


def _options(members: Iterable[_Labelled]) -> Callable[[], list[SelectChoice]]:
    """A select's options from enum members that carry a ``label``, built when the
    form is shown (so in the reader's language)."""
    return lambda: [SelectChoice(member.value, member.label) for member in members]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes in a fieldset (the form macro renders it with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RulesForm(FlaskForm):
    """Staff set how a round votes (frozen at the first ballot)."""

    ballot_type = SelectField(
        _l("Ballot"),
        choices=_options(BallotType),
        validators=[InputRequired()],
    )
    min_projects = IntegerField(
        _l("Fewest projects on a ballot"),
        default=1,
        validators=[InputRequired(_WHOLE), NumberRange(min=0)],
    )
    max_projects = IntegerField(
        _l("Most projects on a ballot (empty: no limit)"),
        validators=[Optional(), NumberRange(min=1)],
    )
    min_spend_percent = IntegerField(
        _l("Budget ballot: least share of the envelope to spend (%)"),
        default=0,
        validators=[InputRequired(_WHOLE), NumberRange(min=0, max=100)],
    )
    total_points = IntegerField(
        _l("Points ballot: points of each voter"),
        validators=[Optional(), NumberRange(min=1)],
    )
    max_points_per_project = IntegerField(
        _l("Points ballot: most points on one project"),
        validators=[Optional(), NumberRange(min=1)],
    )
    min_age = IntegerField(
        _l("Minimum age (0: no limit)"),
        default=0,
        validators=[InputRequired(_WHOLE), NumberRange(min=0, max=120)],
    )
    required_level = SelectField(
        _l("Residence check required"),
        choices=_options(VerificationLevel),
        default=VerificationLevel.VERIFIED.value,
    )
    is_online_enabled = BooleanField(_l("Vote online"), default=True)
    is_paper_enabled = BooleanField(_l("Vote on paper at a polling desk"), default=True)
    counting_rule = SelectField(
        _l("Counting rule"),
        choices=_options(CountingRule),
    )
    threshold = IntegerField(
        _l("Minimum support of a funded project (rule with a threshold)"),
        default=0,
        validators=[InputRequired(_WHOLE), NumberRange(min=0)],
    )
    tie_break = SelectField(
        _l("Tie-break"),
        choices=_options(TieBreak),
        default=TieBreak.SUPPORT_COST_ORDER.value,
    )

    def data_kwargs(self) -> dict[str, Any]:
        """The fields as ``services.RulesData`` arguments."""
        return {
            "ballot_type": BallotType(self.ballot_type.data),
            "min_projects": self.min_projects.data or 0,
            "max_projects": self.max_projects.data,
            "min_spend_percent": self.min_spend_percent.data or 0,
            "total_points": self.total_points.data,
            "max_points_per_project": self.max_points_per_project.data,
            "min_age": self.min_age.data or 0,
            "required_level": VerificationLevel(self.required_level.data),
            "is_online_enabled": bool(self.is_online_enabled.data),
            "is_paper_enabled": bool(self.is_paper_enabled.data),
            "counting_rule": CountingRule(self.counting_rule.data),
            "threshold": self.threshold.data or 0,
            "tie_break": TieBreak(self.tie_break.data),
        }


class BallotForm(FlaskForm):
    """CSRF and confirmation tokens of a ballot (choices: see parse_choices)."""

    token = HiddenField()


def ballot_form(projects: Sequence[Idea], **kwargs: Any) -> BallotForm:
    """A BallotForm with one field per project (``idea-<id>``), never rendered as an
    input: the place where ``core.forms.show_errors`` puts a project's messages."""
    fields = {field_name(idea.id): Field() for idea in projects}
    form_class = type("ProjectBallotForm", (BallotForm,), fields)
    form: BallotForm = form_class(**kwargs)
    return form


def project_errors(form: FlaskForm) -> dict[str, list[str]]:
    """The messages of each project's field of a :func:`ballot_form`, by field name."""
    return {
        name: list(field.errors)
        for name, field in form._fields.items()
        if name.startswith("idea-") and field.errors
    }


class ConfirmForm(FlaskForm):
    """A POST button with its CSRF token (count, certify, publish)."""


class VoteCloseForm(FlaskForm):
    """Close the vote early or extend it: the new end and the written reason.

    Both are checked by ``change_vote_close``, whose messages go next to them.
    """

    closes_at = DateTimeLocalField(
        _l("New end of the vote (Paris time)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Why the end of the vote changes"),
        validators=[Optional(), Length(max=2000)],
    )


class ReceiptCheckForm(FlaskForm):
    """A voter types their receipt code to see whether it is in the published list.

    No CSRF token: the check changes nothing, and the result page it sits on is the
    same for every visitor (cached, issue 14).
    """

    class Meta:
        csrf = False

    code = StringField(
        _l("Your receipt code"),
        validators=[
            InputRequired(_l("Type the code printed on your receipt.")),
            # A fingerprint is 64 hex digits (with spaces if typed in groups).
            Length(max=160),
        ],
    )


class CeremonyForm(FlaskForm):
    """Staff name the trustees and how many shares open the box (k of n)."""

    trustees = MultiCheckboxField(_l("Trustees"), choices=[], coerce=int)
    threshold = IntegerField(
        _l("Shares needed to open the box"),
        default=2,
        validators=[InputRequired(_WHOLE), NumberRange(min=2, max=20)],
    )


def shares_form(threshold: int) -> FlaskForm:
    """A form of *threshold* text areas, one per trustee's share (``share_1``...)."""

    class SharesForm(FlaskForm):
        pass

    for n in range(1, threshold + 1):
        setattr(
            SharesForm,
            f"share_{n}",
            TextAreaField(
                _l("Share %(n)d", n=n),
                validators=[Length(max=200)],
                render_kw={"rows": 2, "spellcheck": "false", "autocomplete": "off"},
            ),
        )
    return SharesForm()


def parse_choices(
    form: MultiDict[str, str], cumulative: bool
) -> tuple[list[tuple[int, int]], dict[str, str]]:
    """Read the ballot fields of a POST: (idea id, points) pairs and typing errors
    (by field: ``idea-<id>``, or ``ballot`` for the ballot as a whole).

    Approval and knapsack ballots send ``project`` once per ticked box; cumulative
    ballots send ``points-<idea id>``. Anything else a forged request adds (an unknown
    id, a repeated box) is passed on for the service to refuse with its reason.
    """
    pairs: list[tuple[int, int]] = []
    errors: dict[str, str] = {}
    if cumulative:
        for key, values in form.lists():
            if not key.startswith("points-"):
                continue
            raw_id = key.removeprefix("points-")
            for value in values:
                text = value.strip()
                if ascii_int(raw_id) is None:
                    errors["ballot"] = str(
                        _l("A project on this ballot does not exist in this vote.")
                    )
                    continue
                if not text:
                    continue
                try:
                    points = int(text)
                except ValueError:
                    errors[f"idea-{raw_id}"] = str(_WHOLE)
                    continue
                pairs.append((int(raw_id), points))
    else:
        for value in form.getlist("project"):
            if ascii_int(value) is None:
                errors["ballot"] = str(
                    _l("A project on this ballot does not exist in this vote.")
                )
                continue
            pairs.append((int(value), 1))
    return pairs, errors
