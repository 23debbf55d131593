"""Site frame in a real browser: home, accessibility statement, language switcher, RTL.

Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_visitor_reads_the_accessibility_statement_and_switches_to_arabic_and_back(
    page, axe_scanner, live_server
):
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_count(1)

    page.get_by_role("contentinfo").get_by_role(
        "link", name=re.compile("Accessib")
    ).click()
    expect(page).to_have_url(live_server.url_for("/accessibility"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.locator(".lang-switch").get_by_role("link", name="العربية").click()
    # The language is in the address (a visitor's page is the same for everyone).
    expect(page).to_have_url(live_server.url_for("/accessibility?lang=ar"))
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")

    page.locator(".lang-switch").get_by_role("link", name="Français").click()
    expect(html).to_have_attribute("lang", "fr")
    expect(html).to_have_attribute("dir", "ltr")
    assert axe_scanner.scanned == [
        live_server.url_for("/"),
        live_server.url_for("/accessibility"),
        live_server.url_for("/accessibility?lang=ar"),
        live_server.url_for("/accessibility?lang=fr"),
    ]


def test_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    skip_link.press("Enter")

    expect(page.locator("main#main")).to_be_focused()


def test_unknown_page_shows_the_friendly_404(page):
    response = page.goto("/no-such-page")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
