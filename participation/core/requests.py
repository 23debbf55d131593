"""The app's request class: answers asked many times per request, computed once."""

from __future__ import annotations

from functools import cache, cached_property

from babel import support
from flask import Request as FlaskRequest
from flask import current_app
from flask_babel import get_locale
from wtforms.i18n import messages_path

from .i18n import language_in_address


@cache
def wtforms_catalogue(locale: str) -> support.NullTranslations:
    """WTForms' own messages ("Not a valid choice.") in *locale*, read once."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Request(FlaskRequest):
    """The app's request (``app.request_class``)."""

    @property
    def wtforms_translations(self) -> support.NullTranslations:
        """Flask-WTF reads WTForms' message catalogue from disk again in every
        request that builds a form and keeps it under this name; here it answers
        from a catalogue read once per process and language."""
        return wtforms_catalogue(str(get_locale()))

    @cached_property
    def url_language(self) -> str | None:
        """The language the address asks for (``?lang=en``), if offered: every
        link of a page asks it (:func:`.i18n.keep_language`)."""
        return language_in_address(self.args, current_app.config["LANGUAGES"])
