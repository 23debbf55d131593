"""The catalogs are complete: every message in the code has a French, English and
Arabic translation that is neither missing nor fuzzy, and placeholders survive."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


@cache
def source_messages() -> frozenset[tuple[str | None, str]]:
    """(context, msgid) of every message in the package, extracted from the source."""
    method_map = [
        ("participation/**.py", "python"),
        ("participation/templates/**.html", "jinja2"),
    ]
    options = {
        "participation/templates/**.html": {
            "trimmed": "true",
            "extensions": "jinja2.ext.do",
        }
    }
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple | list) else message
        found.add((context, msgid))
    return frozenset(found)


def catalog(language: str):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as f:
        return read_po(f)


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_every_message_is_translated_and_not_fuzzy(language):
    po = catalog(language)
    problems = []
    for context, msgid in sorted(source_messages(), key=lambda m: m[1]):
        entry = po.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        else:
            text = (
                entry.string[0]
                if isinstance(entry.string, tuple | list)
                else entry.string
            )
            if not text:
                problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{len(problems)} problems in {language}:\n" + "\n".join(
        problems[:40]
    )


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_translations_keep_their_placeholders(language):
    problems = []
    for entry in catalog(language):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
        strings = (
            entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        )
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"{ids[0]!r} -> {text!r}")
    assert not problems, "\n".join(problems[:40])


def test_french_puts_a_non_breaking_space_before_double_punctuation():
    """French typography: ``Code : x``, ``Pourquoi ?`` with a space that never breaks.

    A plain space before ``: ; ! ?`` would let the mark start a new line; the
    catalog uses U+00A0 before ``:`` and the narrow U+202F before ``; ! ?``.
    """
    problems = []
    for entry in catalog("fr"):
        strings = (
            entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        )
        for text in strings:
            if text and re.search(r"[ \t\n][:;!?]", text):
                problems.append(repr(text))
    assert not problems, f"{len(problems)} strings:\n" + "\n".join(problems[:40])


@pytest.mark.french
def test_french_page_is_served_in_french(client):
    """The home page comes out in French by default (the compiled catalog is used)."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="fr"' in html
    assert "Aller au contenu principal" in html  # "Skip to main content"
