"""Residence choices and counted messages read right in every language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms.fields.choices import SelectChoice

from participation.accounts import rules
from participation.accounts.forms import residence_choices
from participation.core.errors import DomainError
from participation.territories.models import TerritoryKind


def _labels() -> dict[str, str]:
    """Value -> label of the territory choices (the empty prompt left out)."""
    return {
        choice.value: str(choice.label)
        for choice in residence_choices()
        if isinstance(choice, SelectChoice)
    }


def test_outside_area_named_hors_qpv_gets_no_second_suffix(app, qpv, outside):
    with app.test_request_context(), force_locale("fr"):
        labels = _labels()

    assert labels[str(outside.id)] == "Hors QPV"
    assert labels[str(qpv.id)] == qpv.name


def test_outside_area_with_another_name_says_it_is_outside(app, make_territory):
    rest = make_territory(
        kind=TerritoryKind.OUTSIDE, code=None, name="Reste de la commune"
    )

    with app.test_request_context(), force_locale("en"):
        label = _labels()[str(rest.id)]

    assert label == "Reste de la commune (outside the QPV)"


@pytest.mark.parametrize(
    ("locale", "limit", "expected"),
    [
        ("fr", 1, "Utilisez 1 caractère au maximum."),
        ("fr", 2, "Utilisez 2 caractères au maximum."),
        ("en", 1, "Use at most 1 character."),
        ("en", 80, "Use at most 80 characters."),
        ("ar", 2, "استعمل 2 حرفين كحد أقصى."),
        ("ar", 5, "استعمل 5 أحرف كحد أقصى."),
        ("ar", 80, "استعمل 80 حرفًا كحد أقصى."),
        ("ar", 100, "استعمل 100 حرف كحد أقصى."),
    ],
)
def test_length_limit_message_agrees_with_the_number(app, locale, limit, expected):
    with (
        app.test_request_context(),
        force_locale(locale),
        pytest.raises(DomainError) as caught,
    ):
        rules.clean_optional("x" * (limit + 1), limit, "real_name")

    assert str(caught.value) == expected
    assert caught.value.field == "real_name"
