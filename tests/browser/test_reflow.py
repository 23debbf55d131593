"""Every page of the demo reflows on a phone and passes axe-core, in French and Arabic.

For a visitor, a resident who can vote and the administrator (who sees every staff
page), the test walks the demo from the home page: it follows the site's own links
(one page per URL shape, ``/ideas/1`` standing for ``/ideas/<id>``) and, on each
page, checks

- reflow (WCAG 1.4.10): at 320 px, 390 px and 1280 px wide the document is no wider
  than the viewport (no horizontal scroll);
- axe-core with the WCAG 2.0 A/AA and 2.1 AA rules at 390 px and 1280 px.

It visits every page, then fails once with the list of all problems found.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from .conftest import CHROMIUM, TIMEOUT_MS, LiveServer, format_violations, sign_in

pytestmark = pytest.mark.browser

#: Widths checked for reflow; axe-core runs at the phone and the desktop widths.
REFLOW_WIDTHS = (320, 390, 1280)
AXE_WIDTHS = (390, 1280)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]},
    "resultTypes": ["violations"],
}
#: Pages per person and language: every page shape a visitor or a resident meets,
#: and the first 60 of the administrator's (a full walk of theirs takes minutes).
MAX_PAGES = 60

#: Links that are not pages to read: files, exports, feeds, actions.
NOT_A_PAGE = re.compile(
    r"\.(csv|pdf|ics|json|geojson|xml|atom|rss|png|jpe?g|svg|zip)$"
    r"|/static/|/uploads?/|/export|/download|/feed|/opendata/.+|/ical|/language"
    r"|/signout|/print|/sheet|/receipt\.pdf"
)

PEOPLE = {
    "visitor": None,
    "voter": ("samir@example.org", "votant-conte-demo"),
    "admin": ("admin@example.org", "admin-demo-1"),
}


def _shape(path: str) -> str:
    """The URL's shape: its path with every number as ``N``."""
    return re.sub(r"\d+", "N", path)


def _same_site_links(page: Any, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(a => a.href)"
    )
    links = []
    for href in hrefs:
        url = urldefrag(href).url
        if not url.startswith(base):
            continue
        path = urlsplit(url).path
        if NOT_A_PAGE.search(path):
            continue
        links.append(url)
    return links


def _document_width(page: Any) -> int:
    width: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    return width


def _axe(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def check_page(page: Any) -> list[str]:
    """The reflow and axe-core problems of the current page, at every width."""
    problems = []
    for width in REFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        document_width = _document_width(page)
        if document_width > width:
            problems.append(
                f"reflow at {width}px: the document is {document_width}px wide"
            )
        if width in AXE_WIDTHS:
            violations = _axe(page)
            if violations:
                problems.append(
                    f"at {width}px "
                    + format_violations(page.url, page.title(), violations)
                )
    return problems


def walk(
    page: Any, base: str, start: list[str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Visit the site from *start*, one page per URL shape: pages, problems by URL."""
    queue = deque(start)
    seen_shapes: set[str] = set()
    problems: dict[str, list[str]] = {}
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        shape = _shape(urlsplit(url).path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        page.set_viewport_size({"width": 1280, "height": 900})
        try:
            response = page.goto(url)
        except Exception as error:  # a download rather than a page
            if "Download" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            continue
        visited.append(page.url)
        found = check_page(page)
        if found:
            problems[page.url] = found
        queue.extend(_same_site_links(page, base))
    return visited, problems


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("person", list(PEOPLE))
def test_every_page_reflows_and_is_accessible(
    playwright_browser: Any, live_server: LiveServer, person: str, language: str
) -> None:
    assert CHROMIUM.exists()
    context = playwright_browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        credentials = PEOPLE[person]
        if credentials is not None:
            sign_in(page, *credentials)
        page.goto("/")
        page.locator(f".lang-switch [lang='{language}']").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        start = [live_server.url + "/"]
        if credentials is not None:
            start.append(live_server.url + "/account")
        visited, problems = walk(page, live_server.url, start)
    finally:
        context.close()
    # The walk reached the pages of the demo, not only the home page.
    assert len(visited) >= 10, visited
    assert not problems, (
        f"{len(problems)} of {len(visited)} pages with problems:\n"
        + "\n".join(
            f"{url}\n  " + "\n  ".join(found) for url, found in problems.items()
        )
    )
