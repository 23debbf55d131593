"""Locale selection and formatting helpers for templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, Literal, cast

from babel import Locale, dates
from babel.numbers import format_currency, format_percent
from flask import Flask, current_app, g, has_request_context, request, session, url_for
from flask_babel import get_locale, get_timezone, get_translations, to_user_timezone
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup

#: Languages written right to left.
RTL_LANGUAGES = frozenset({"ar"})

#: The query parameter that chooses the language of a page (``?lang=ar``).
LANG_ARG = "lang"


def url_language() -> str | None:
    """The language asked for in the address (``?lang=en``), if it is offered.

    Asked by every ``url_for`` of a page (:func:`keep_language`): the app's request
    answers it once (``Request.url_language``).
    """
    if not has_request_context():
        return None
    return cast(str | None, request.url_language)  # type: ignore[attr-defined]


def language_in_address(args: Any, languages: Any) -> str | None:
    """The ``lang`` argument of *args* if it is one of *languages*."""
    chosen = args.get(LANG_ARG)
    return chosen if chosen in languages else None


def select_locale() -> str:
    """French unless the person chose another language: in the address (the language
    links, cookie-free, so that visitors' pages are the same for everyone), then the
    session, then the profile.

    Outside a request (command line, jobs) it is the default language.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    in_url = url_language()
    if in_url is not None:
        return in_url
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if (
        # Without either, nobody is signed in: skip loading the user (visitors).
        (
            session.get("_user_id") is not None
            or current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            in request.cookies
        )
        and current_user
        and current_user.is_authenticated
        and current_user.locale in languages
    ):
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


#: The locale whose calendar patterns a language of the site writes with, where
#: it is not the language itself: the site's English is read in a French city,
#: so its dates come day first ("3 December 2026"), its hours on 24 hours.
FORMATTING_LOCALES = {"en": "en_GB"}


@cache
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def formatting_locale() -> Locale:
    """The locale dates and times are written in for the page's language."""
    locale = get_locale()
    name = str(locale) if locale is not None else "fr"
    return _parsed(FORMATTING_LOCALES.get(name, name))


DateLength = Literal["short", "medium", "long", "full"]


def format_date(value: date | datetime | None = None, format: str = "medium") -> str:
    """A date in the page's language (the ``date`` filter), Paris day of a moment.

    Use it rather than Flask-Babel's: it writes English dates day first.
    """
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    if value is None:
        value = to_user_timezone(datetime.now(UTC)).date()
    return _date_text(value, format, formatting_locale())


@lru_cache(maxsize=4096)
def _date_text(day: date, format: str, locale: Locale) -> str:
    # A list prints the same few days again and again; Babel reads the pattern
    # each time (issue 14).
    return str(dates.format_date(day, format, locale=locale))


def format_datetime(value: datetime | None = None, format: str = "medium") -> str:
    """A moment in Paris time in the page's language (Babel's patterns)."""
    return str(
        dates.format_datetime(
            value, format, tzinfo=get_timezone(), locale=formatting_locale()
        )
    )


def format_time(value: time | datetime | None = None, format: str = "medium") -> str:
    """The hour of a moment in Paris time in the page's language."""
    return str(
        dates.format_time(
            value, format, tzinfo=get_timezone(), locale=formatting_locale()
        )
    )


def datetime_text(value: datetime | None, format: str = "medium") -> str:
    """A date and time in the page's locale, to the minute (the ``datetime`` filter).

    Babel's ``medium`` and ``long`` date-times carry the seconds ("18:00:00"),
    which nobody reads on a calendar: the date takes that length, the time the
    short one ("3 déc. 2026, 18:00", "3 ديسمبر 2026، 6:00 م"), joined by the
    locale's own pattern. Other formats are Babel's.
    """
    if value is None:
        return ""
    if format not in ("medium", "long", "full"):
        return str(format_datetime(value, format))
    locale = formatting_locale()
    local = to_user_timezone(value)
    return (
        _datetime_pattern(cast(DateLength, format), locale)
        .replace("{1}", _date_text(local.date(), format, locale))
        .replace("{0}", _short_time(local.hour, local.minute, locale))
    )


@lru_cache(maxsize=64)
def _datetime_pattern(length: DateLength, locale: Locale) -> str:
    """How *locale* joins a date ({1}) and a time ({0}), quotes removed."""
    pattern = dates.get_datetime_format(length, locale=locale)
    return re.sub(r"'([^']*)'", r"\1", str(pattern))


@lru_cache(maxsize=8192)
def _short_time(hour: int, minute: int, locale: Locale) -> str:
    # The short time shows neither seconds nor zone: the hour and minute decide it.
    return str(dates.format_time(time(hour, minute), "short", locale=locale))


def text_direction() -> str:
    """``rtl`` for Arabic, ``ltr`` otherwise."""
    return "rtl" if str(get_locale()) in RTL_LANGUAGES else "ltr"


def money(amount: Decimal | int | None, locale: str | None = None) -> str:
    """Format euros for *locale*, by default the page's (``1 234,50 €`` in French)."""
    if amount is None:
        return ""
    return _money(amount, locale or str(get_locale()))


@lru_cache(maxsize=4096)
def _money(amount: Decimal | int, locale: str) -> str:
    # Babel parses the locale's pattern on every call (about 60 µs, issue 14): a
    # page of cards shows the same few amounts again and again.
    return str(format_currency(amount, "EUR", locale=locale))


def percent(ratio: float | Decimal | None) -> str:
    """A ratio as a percentage with at most one decimal (``0,2 %`` in French)."""
    if ratio is None:
        return ""
    return str(
        format_percent(
            round(float(ratio), 3),
            locale=str(get_locale()),
            decimal_quantization=False,
        )
    )


def source_text() -> Markup:
    """Attributes for text people wrote (in French) shown inside the page.

    ``dir="auto"`` always (a text takes its own direction, so its punctuation stays
    at its end inside an Arabic page); ``lang="fr"`` as well when the page is in
    another language, so that screen readers read it with a French voice.
    """
    if str(get_locale()) == current_app.config["BABEL_DEFAULT_LOCALE"]:
        return Markup(' dir="auto"')
    return Markup(' lang="{}" dir="auto"').format(
        current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@dataclass(frozen=True)
class LocalText:
    """A staff-written text in the reader's language when given, else in French."""

    text: str
    #: The attributes of the element that shows it (see :func:`source_text`).
    attrs: Markup
    #: The text is a translation staff gave, not the French original.
    is_translation: bool = False


def localized(obj: Any, name: str) -> LocalText:
    """*obj*'s text *name* for the page's language.

    ``obj.texts_by_language`` may hold ``{locale: {name: text}}``: a reader of
    that language gets that text; everyone else gets the French one, marked as
    French by :func:`source_text`.
    """
    locale = str(get_locale())
    if locale != current_app.config["BABEL_DEFAULT_LOCALE"]:
        texts = getattr(obj, "texts_by_language", None) or {}
        text = str((texts.get(locale) or {}).get(name) or "")
        if text.strip():
            return LocalText(text, Markup(' dir="auto"'), is_translation=True)
    return LocalText(str(getattr(obj, name, "") or ""), source_text())


LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}


def translations() -> Any:
    """The catalog of the current language, looked up once per request and language.

    Flask-Babel finds it again on every call (context, domain, locale: about 40 µs,
    and a page makes dozens, issue 14). Kept beside Flask-Babel's own per-context
    locale, by locale, so ``force_locale`` (e-mails in the recipient's language)
    still gets its own catalog.
    """
    context = g.get("_flask_babel") if g else None
    locale = getattr(context, "babel_locale", None)
    if locale is None:
        if not g:  # no app context: Flask-Babel's own answer
            return get_translations()
        # Nothing chose the language yet (a view translating before it renders):
        # choose it now, which also makes Flask-Babel's context.
        locale = get_locale()
        context = g.get("_flask_babel")
        if context is None or locale is None:
            return get_translations()
    found: dict[Any, Any] = context.__dict__.setdefault("participation_catalogs", {})
    catalog = found.get(locale)
    if catalog is None:
        catalog = found[locale] = get_translations()
    return catalog


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext`` through :func:`translations` (for views that
    translate many texts per request: the same texts, one catalog lookup)."""
    text = str(translations().ugettext(string))
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` translated through :func:`gettext` when shown.

    Every ``_l`` of the package comes from here: state labels, theme names and
    form labels are read on every page, and Flask-Babel's own lazy text looks the
    catalog up again each time (issue 14).
    """
    return LazyString(gettext, string, **variables)


def install_template_gettext(app: Flask) -> None:
    """Templates translate through :func:`translations` (same texts, fewer lookups)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def keep_language(endpoint: str, values: dict[str, Any]) -> None:
    """``url_for`` keeps the address's language in every link (``url_defaults``).

    Only a language other than the default is carried, and not to static files.
    """
    if endpoint == "static" or LANG_ARG in values:
        return
    chosen = url_language()
    if chosen is not None and chosen != current_app.config["BABEL_DEFAULT_LOCALE"]:
        values[LANG_ARG] = chosen


def remember_language() -> None:
    """A signed-in person who follows a language link keeps it: in their session and
    their profile (the e-mails and printed sheets they get use it).

    Visitors keep it in the address only: their pages stay cookie-free.
    """
    chosen = url_language()
    if chosen is None or not current_user.is_authenticated:
        return
    if session.get("lang") != chosen:
        session["lang"] = chosen
    if getattr(current_user, "locale", chosen) != chosen:
        from ..extensions import db
        from .database import write_lock

        write_lock()
        current_user.locale = chosen
        db.session.commit()


def language_url(code: str) -> str:
    """This page in language *code* (the language links of every page)."""
    values: dict[str, Any] = {LANG_ARG: code}
    endpoint = request.endpoint
    if endpoint is None or request.url_rule is None or request.method != "GET":
        return url_for("core.home", **values)
    values.update(request.args.to_dict(flat=False))
    values.update(request.view_args or {})
    values[LANG_ARG] = code
    return url_for(endpoint, **values)
