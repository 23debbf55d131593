"""Printable PDF documents (fpdf2) with a Unicode font, for sheets, letters and minutes.

The font is Debian's DejaVu Sans (package ``fonts-dejavu-core``). Without it the
document falls back to a core PDF font, which only knows Latin-1: other characters
are replaced by ``?`` rather than failing.

An Arabic document (``language="ar"``) is shaped by HarfBuzz (``uharfbuzz``): the
letters take their joined forms, lines run right to left and align to the right.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.errors import FPDFException

#: Where Debian installs DejaVu Sans; the first pair found is used.
FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
)
FONT_FAMILY = "DejaVu"
FALLBACK_FAMILY = "Helvetica"

#: Languages written right to left, with their OpenType script and language tags.
SHAPED_LANGUAGES: dict[str, tuple[str, str]] = {"ar": ("arab", "ara")}


def unicode_font() -> tuple[Path, Path] | None:
    """Return the (regular, bold) Unicode font files, or None when not installed."""
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class Document:
    """A simple A4 document: title, paragraphs, numbered steps, a boxed large text.

    *language* is the document's language code: ``"ar"`` shapes the text and
    writes it right to left; any other language draws as before.
    """

    def __init__(self, title: str, *, author: str = "", language: str = "fr") -> None:
        self.language = language
        self.pdf = FPDF(format="A4")
        self.pdf.set_title(title)
        if author:
            self.pdf.set_author(author)
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(auto=True, margin=20)
        font = unicode_font()
        if font is not None:
            self.pdf.add_font(FONT_FAMILY, "", str(font[0]))
            self.pdf.add_font(FONT_FAMILY, "B", str(font[1]))
            self.family = FONT_FAMILY
            self.unicode = True
        else:
            self.family = FALLBACK_FAMILY
            self.unicode = False
        #: Whether the text is shaped right to left (Arabic with its font).
        self.rtl = False
        tags = SHAPED_LANGUAGES.get(language)
        if tags is not None and self.unicode:
            try:
                self.pdf.set_text_shaping(
                    use_shaping_engine=True,
                    script=tags[0],
                    language=tags[1],
                    direction="rtl",
                )
                self.pdf.set_lang(language)
                self.rtl = True
            except FPDFException:
                # uharfbuzz missing: the letters print unjoined, left aligned.
                self.rtl = False
        self.pdf.add_page()

    @property
    def align(self) -> Align:
        """Where lines of text start: the right margin for a right-to-left text."""
        return Align.R if self.rtl else Align.L

    def _text(self, text: str) -> str:
        if self.unicode:
            return text
        # Core fonts are Latin-1 only; replace what they cannot draw.
        return text.encode("latin-1", "replace").decode("latin-1")

    def _write(
        self, text: str, *, size: float, bold: bool = False, height: float
    ) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(
            0,
            height,
            self._text(text),
            align=self.align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def heading(self, text: str, *, size: float = 18) -> None:
        """A bold title line."""
        self._write(text, size=size, bold=True, height=size * 0.6)
        self.space(3)

    def paragraph(self, text: str, *, size: float = 12, bold: bool = False) -> None:
        """A block of text wrapped to the page width."""
        self._write(text, size=size, bold=bold, height=size * 0.55)
        self.space(2)

    def label_value(self, label: str, value: str, *, size: float = 13) -> None:
        """A line "label: value" with the value in bold."""
        if self.rtl:
            self._label_value_rtl(label, value, size=size)
            return
        self.pdf.set_font(self.family, "", size)
        self.pdf.write(size * 0.55, self._text(label + " "))
        self.pdf.set_font(self.family, "B", size)
        self.pdf.write(size * 0.55, self._text(value))
        self.pdf.ln(size * 0.55)
        self.space(2)

    def _label_value_rtl(self, label: str, value: str, *, size: float) -> None:
        """The label at the right margin, the value on its left (two lines if long)."""
        pdf = self.pdf
        height = size * 0.55
        pdf.set_font(self.family, "", size)
        label_width = pdf.get_string_width(label + " ")
        pdf.set_font(self.family, "B", size)
        value_width = pdf.get_string_width(value)
        if label_width + value_width > pdf.epw:
            self._write(label, size=size, height=height)
            self._write(value, size=size, bold=True, height=height)
        else:
            right = pdf.w - pdf.r_margin
            pdf.set_font(self.family, "", size)
            pdf.set_x(right - label_width)
            pdf.cell(label_width, height, label, align=Align.R)
            pdf.set_font(self.family, "B", size)
            pdf.set_x(right - label_width - value_width)
            pdf.cell(value_width, height, value, align=Align.R)
            pdf.ln(height)
        self.space(2)

    def boxed(self, text: str, *, size: float = 26) -> None:
        """A large centred text in a box (a code to copy)."""
        self.pdf.set_font(self.family, "B", size)
        self.pdf.cell(
            0,
            size * 0.75,
            self._text(text),
            border=1,
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.space(4)

    def steps(self, items: list[str], *, size: float = 12) -> None:
        """A numbered list."""
        for number, item in enumerate(items, start=1):
            self._write(f"{number}. {item}", size=size, height=size * 0.55)
            self.space(1)
        self.space(2)

    def space(self, height: float) -> None:
        """Vertical space in millimetres."""
        self.pdf.ln(height)

    def output(self) -> bytes:
        """The finished PDF file."""
        return bytes(self.pdf.output())
