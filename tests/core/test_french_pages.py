"""The demo's pages in French show no English msgid and no raw enum code.

A visitor, a resident who can vote and the administrator walk the demo from the
home page (one page per URL shape, as the browser reflow test does). In the visible
text of every page (scripts, styles, inline code and passages marked in another
language left out) the test looks for

- an English msgid of the catalog that French translates differently: a string
  that reached the page without going through the catalog (or a lazy string
  rendered outside a request);
- a stored enum code with an underscore (``in_progress``, ``no_quorum``) where the
  member's label belongs.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.pofile import read_po

import participation
from participation import PROJECT_ROOT
from participation.core.enums import LabelledEnum

pytestmark = pytest.mark.french

MAX_PAGES = 150
NOT_A_PAGE = re.compile(
    r"\.(csv|pdf|ics|json|geojson|xml|atom|rss|png|jpe?g|svg|zip)$"
    r"|/static/|/uploads?/|/export|/download|/feed|/opendata/.+|/ical|/language"
    r"|/signout"
)
PEOPLE = {
    "visitor": None,
    "voter": ("samir@example.org", "votant-conte-demo"),
    "admin": ("admin@example.org", "admin-demo-1"),
}
#: Text elements whose content is not prose of the site.
SKIPPED = frozenset({"script", "style", "code", "pre", "textarea", "option"})
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"source", "track", "wbr"}
)


class _Text(HTMLParser):
    """The visible text of a page, without what another language or code holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: is its text skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(str(attributes["href"]))
        if tag in VOID:
            return
        lang = attributes.get("lang")
        skipped = (
            (bool(self._stack) and self._stack[-1])
            or tag in SKIPPED
            or (tag != "html" and lang is not None and not lang.startswith("fr"))
        )
        self._stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def english_msgids() -> list[str]:
    """Catalog strings French translates differently, as fragments worth finding."""
    path = PROJECT_ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalog = read_po(file)
    fragments = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string
        french = msgstr[0] if isinstance(msgstr, tuple) else msgstr
        if not french or french == msgid:
            continue
        # The longest literal part between placeholders, squashed like the page.
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid):
            words = " ".join(part.split())
            if len(words) >= 18 and words.count(" ") >= 2 and words not in french:
                fragments.add(words)
    return sorted(fragments)


def enum_codes() -> set[str]:
    """Every enum value that is a code (with an underscore) rather than a word."""
    for module in pkgutil.walk_packages(participation.__path__, "participation."):
        if module.name.endswith(("states", "models", "roles", "counting")):
            importlib.import_module(module.name)
    codes = set()
    pending = list(LabelledEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        codes.update(member.value for member in cls if "_" in member.value)
    return codes


def walk(client, problems: dict[str, list[str]], who: str) -> int:
    fragments = english_msgids()
    codes = enum_codes()
    assert codes
    assert fragments
    code_pattern = re.compile(
        r"(?<![\w/.-])(" + "|".join(map(re.escape, sorted(codes))) + r")(?![\w/.-])"
    )
    queue, shapes, visited = deque(["/", "/account"]), set(), 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        shape = re.sub(r"\d+", "N", path)
        if shape in shapes or NOT_A_PAGE.search(path):
            continue
        shapes.add(shape)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        visited += 1
        reader = _Text()
        reader.feed(response.get_data(as_text=True))
        text = reader.text
        found = [f"English text: {f!r}" for f in fragments if f in text]
        # The open-data dictionary lists the codes of the files on purpose.
        found += (
            []
            if path.startswith("/opendata")
            else [
                f"raw code: {m.group(1)!r} in "
                f"{text[max(m.start() - 40, 0) : m.end() + 40]!r}"
                for m in code_pattern.finditer(text)
            ]
        )
        if found:
            problems[f"{who} {url}"] = found
        for href in reader.links:
            link = urldefrag(href).url
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)
    return visited


def test_french_pages_show_no_english_msgid_nor_enum_code(app, db):
    from participation.demo import load_demo

    app.config["DEMO"] = True
    assert load_demo()
    problems: dict[str, list[str]] = {}
    for who, credentials in PEOPLE.items():
        client = app.test_client()
        if credentials is not None:
            response = client.post(
                "/signin",
                data={"identifier": credentials[0], "password": credentials[1]},
            )
            assert response.status_code == 302, who
        visited = walk(client, problems, who)
        assert visited >= 10, (who, visited)
    assert not problems, f"{len(problems)} page(s):\n" + "\n".join(
        f"{url}\n  " + "\n  ".join(found) for url, found in problems.items()
    )
