"""The PDF helper: Arabic is shaped right to left, French draws as it always did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fpdf.enums import Align

from participation.core.pdf import Document, unicode_font

pytestmark = [
    pytest.mark.db_independent,
    pytest.mark.skipif(unicode_font() is None, reason="fonts-dejavu-core missing"),
]

ARABIC = "محضر مكتب التصويت"
FIXED = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def glyph_names(document: Document) -> set[str]:
    """The names of the glyphs the document drew with its regular font."""
    document.output()
    font = document.pdf.fonts["dejavu"]
    return {glyph.glyph_name for glyph, _code in font.subset.items()}


def draw(document: Document) -> Document:
    document.heading(ARABIC)
    document.paragraph(ARABIC)
    document.label_value("مكتب:", "المركز الاجتماعي")
    return document


def fixed_bytes(document: Document) -> bytes:
    document.pdf.set_creation_date(FIXED)
    return document.output()


def test_arabic_document_uses_the_joined_forms_of_the_letters():
    shaped = draw(Document("محضر", language="ar"))
    plain = draw(Document("محضر"))

    shaped_glyphs = glyph_names(shaped)
    plain_glyphs = glyph_names(plain)
    # Joined (contextual) forms live in DejaVu's Arabic presentation forms,
    # U+FE70-U+FEFF; unshaped text only draws the isolated letters U+0600-U+06FF.
    assert any(name.startswith("uniFE") for name in shaped_glyphs)
    assert not any(name.startswith("uniFE") for name in plain_glyphs)
    assert shaped.rtl
    assert not plain.rtl
    assert b"/Lang (ar)" in shaped.output()


def test_arabic_lines_are_aligned_to_the_right():
    shaped = Document("محضر", language="ar")
    shaped.paragraph("نص")
    plain = Document("Fiche")

    assert shaped.align is Align.R
    assert plain.align is Align.L
    # Finished, so that the font files are closed.
    assert shaped.output().startswith(b"%PDF-")
    assert plain.output().startswith(b"%PDF-")


def test_french_document_is_unchanged_by_the_language_keyword():
    def french(document: Document) -> Document:
        document.heading("Procès-verbal — Zoé")
        document.paragraph("Bureau de vote du centre social")
        document.label_value("Bureau :", "Centre social Jean Moulin")
        document.steps(["Ouvrir", "Fermer"])
        document.boxed("K7PM-3QXR")
        return document

    document = french(Document("Fiche"))
    assert document.pdf.text_shaping is None
    default = fixed_bytes(document)
    explicit = fixed_bytes(french(Document("Fiche", language="fr")))

    assert default == explicit
    assert b"/Lang" not in default


def test_arabic_without_the_font_falls_back_without_shaping(monkeypatch):
    monkeypatch.setattr("participation.core.pdf.FONT_CANDIDATES", ())
    document = Document("محضر", language="ar")
    document.paragraph(ARABIC)

    assert not document.unicode
    assert not document.rtl
    assert document.output().startswith(b"%PDF-")
