"""Lazy texts (``core.i18n.lazy_gettext``, every ``_l`` of the package) read in the
page's language, through the request's catalog, and follow ``force_locale``."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from participation.budget.states import IdeaState
from participation.core.i18n import format_date, lazy_gettext


def test_a_label_is_read_in_the_language_of_each_request(app):
    seen = {}
    for lang in ("fr", "en", "ar"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            seen[lang] = IdeaState.INELIGIBLE.label

    assert seen == {"fr": "Irrecevable", "en": "Ineligible", "ar": "غير مقبولة"}


def test_force_locale_changes_the_language_inside_a_request(app):
    text = lazy_gettext("Idea no. %(id)d", id=7)

    with app.app_context(), app.test_request_context("/?lang=en"):
        before = str(text)
        with force_locale("fr"):  # an e-mail in the recipient's language
            during = str(text)
        after = str(text)

    assert (before, during, after) == ("Idea no. 7", "Idée n° 7", "Idea no. 7")


def test_dates_are_written_in_each_language_however_often_asked(app):
    day = date(2026, 12, 3)
    seen = {}
    for lang in ("fr", "en", "fr"):
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            seen.setdefault(lang, []).append(format_date(day, "long"))

    assert seen == {"fr": ["3 décembre 2026"] * 2, "en": ["3 December 2026"]}
