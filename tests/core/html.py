"""A tiny HTML reader for page tests: headings, ids, attributes, inline code."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    """What the frame tests look at in a rendered page."""

    html_attrs: dict[str, str | None] = field(default_factory=dict)
    headings: list[tuple[int, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    inline_scripts: int = 0
    style_attributes: int = 0
    style_elements: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)
    forms: list[dict[str, str | None]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)

    @property
    def h1(self) -> list[str]:
        return [text for level, text in self.headings if level == 1]


class _Reader(HTMLParser):
    LANDMARKS = frozenset({"header", "nav", "main", "footer"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._heading: int | None = None
        self._heading_text: list[str] = []
        self._link: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.page.html_attrs = attributes
        if attributes.get("id"):
            self.page.ids.append(str(attributes["id"]))
        if "style" in attributes:
            self.page.style_attributes += 1
        if tag == "style":
            self.page.style_elements += 1
        if tag == "script" and not attributes.get("src"):
            self.page.inline_scripts += 1
        if tag in self.LANDMARKS:
            self.page.landmarks.append(tag)
        if tag == "form":
            self.page.forms.append(attributes)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self._heading, self._heading_text = int(tag[1]), []
        if tag == "a":
            self._link, self._link_text = attributes.get("href") or "", []

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            text = " ".join("".join(self._heading_text).split())
            self.page.headings.append((self._heading, text))
            self._heading = None
        if tag == "a" and self._link is not None:
            self.page.links.append(
                (self._link, " ".join("".join(self._link_text).split()))
            )
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading_text.append(data)
        if self._link is not None:
            self._link_text.append(data)


def read(html: bytes | str) -> Page:
    """Parse *html* into a :class:`Page`."""
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return reader.page


def headings_in_order(page: Page) -> bool:
    """True when no heading skips a level going down (h1 then h3 is a skip)."""
    previous = 0
    for level, _text in page.headings:
        if level > previous + 1:
            return False
        previous = level
    return True
