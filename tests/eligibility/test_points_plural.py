"""Numbers of points pick the right plural form, whole or not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

from participation.eligibility.views import plural_count_filter

TEMPLATE = (
    '{{ ngettext("%(points)s point", "%(points)s points", value|plural_count,'
    " points=value|points) }}"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), (0, 0), (1, 1), (Decimal("12.00"), 12), (Decimal("1.5"), 100)],
)
def test_plural_count_is_the_number_or_the_general_plural(value, expected):
    assert plural_count_filter(value) == expected


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("fr", Decimal(1), "1 point"),
        ("fr", Decimal(9), "9 points"),
        ("en", Decimal(1), "1 point"),
        ("en", Decimal("1.5"), "1.5 points"),
        ("ar", Decimal(2), "2 نقطتان"),
        ("ar", Decimal(9), "9 نقاط"),
    ],
)
def test_points_are_counted_in_the_reader_language(app, locale, value, expected):
    with app.test_request_context(), force_locale(locale):
        assert render_template_string(TEMPLATE, value=value) == expected
