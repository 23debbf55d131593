"""Staff-written texts in several languages: French required, English, Arabic optional.

A model that carries such texts has a JSON ``texts_by_language`` column holding
``{locale: {name: text}}`` beside its French columns; templates show them with
``localized(obj, name)`` (see :mod:`participation.core.i18n`), forms give the
optional fields with :func:`participation.core.forms.translations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import FieldErrors
from .i18n import lazy_gettext as _l

#: Languages a staff-written text may be given in besides French.
OTHER_LANGUAGES = ("en", "ar")

#: ``{"en": {"description": ...}, "ar": {...}}``.
TextsByLanguage = dict[str, dict[str, str]]


def clean_texts_by_language(
    given: Mapping[str, Mapping[str, str]] | None,
    french: Mapping[str, str],
    errors: dict[str, Any] | None = None,
) -> TextsByLanguage | None:
    """The translations of the texts of *french* (name: French text) to store.

    Only known languages and names are kept, trimmed; None when there is none.
    A translation needs its French text (readers of every other language get
    the French one): without it, a :class:`FieldErrors` on the French field,
    or that message added to *errors* when the caller collects them (a field
    that already has an error keeps it).
    """
    given = given or {}
    kept: TextsByLanguage = {}
    for language in OTHER_LANGUAGES:
        texts = {
            name: text.strip()
            for name in french
            if (text := (given.get(language) or {}).get(name) or "").strip()
        }
        if texts:
            kept[language] = texts
    missing = {
        name: _l("Write this text in French too: it is the one everyone else reads.")
        for name, text in french.items()
        if not text.strip() and any(name in texts for texts in kept.values())
    }
    if missing and errors is not None:
        for name, message in missing.items():
            errors.setdefault(name, message)
    elif missing:
        raise FieldErrors(missing)
    return kept or None
