"""Dates and times in the page's locale, to the minute, with the locale's patterns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from participation.core.i18n import datetime_text

#: 17:00 UTC in December is 18:00 in Paris.
MOMENT = datetime(2026, 12, 3, 17, 0, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "medium", "long"),
    [
        ("fr", "3 déc. 2026, 18:00", "3 décembre 2026, 18:00"),
        ("en", "Dec 3, 2026, 6:00 PM", "December 3, 2026, 6:00 PM"),
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
