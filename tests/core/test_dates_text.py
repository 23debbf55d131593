"""Dates and times in the page's locale, to the minute, with the locale's patterns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from participation.core.i18n import datetime_text, format_date, format_time

#: 17:00 UTC in December is 18:00 in Paris.
MOMENT = datetime(2026, 12, 3, 17, 0, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "medium", "long"),
    [
        ("fr", "3 déc. 2026, 18:00", "3 décembre 2026, 18:00"),
        ("en", "3 Dec 2026, 18:00", "3 December 2026, 18:00"),
        ("ar", "03\u200f/12\u200f/2026، 6:00 م", "3 ديسمبر 2026، 6:00 م"),
    ],
)
def test_dates_and_times_are_shown_to_the_minute_in_the_locale(
    app, locale, medium, long
):
    with app.test_request_context(), force_locale(locale):
        shown_medium = datetime_text(MOMENT, "medium")
        shown_long = datetime_text(MOMENT, "long")
        short = datetime_text(MOMENT, "short")

    assert shown_medium.replace("\u202f", " ") == medium.replace("\u202f", " ")
    assert shown_long.replace("\u202f", " ") == long.replace("\u202f", " ")
    assert ":42" not in shown_medium + shown_long
    assert short  # Babel's own short pattern
    assert datetime_text(None) == ""


def test_english_dates_come_day_first_as_in_a_french_city(app):
    with app.test_request_context(), force_locale("en"):
        long = format_date(MOMENT, "long")
        short = format_date(MOMENT, "short")
        hour = format_time(MOMENT, "short")
        page_language = str(app.jinja_env.globals["get_locale"]())

    assert long == "3 December 2026"
    assert short == "03/12/2026"
    assert hour == "18:00"
    # Only the dates: the page stays in English, not British English.
    assert page_language == "en"


def test_english_date_filter_of_templates_is_day_first(app):
    with app.test_request_context(), force_locale("en"):
        shown = app.jinja_env.from_string('{{ when|date("long") }}').render(when=MOMENT)
    assert shown == "3 December 2026"


def test_no_module_formats_dates_with_flask_babel_directly():
    # Flask-Babel's formatters would write English dates the American way.
    package = Path(__file__).parents[2] / "participation"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(
            line.startswith("from flask_babel import")
            and any(
                name in line
                for name in ("format_date", "format_datetime", "format_time")
            )
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
