"""The FPH's public pages are visitors' pages of the page cache (issue 14).

No time is measured: the tests check which answer comes from the cache and that the
fund page changes right after the write that should change it.
"""

from __future__ import annotations

from typing import Any

import pytest


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.mark.parametrize("path", ["/fph/", "/fph/funds/{fund}"])
def test_fph_visitor_pages_set_no_cookie_and_are_stored(client, fund, path):
    url = path.format(fund=fund.id)
    first = _get(client, url)
    assert "Set-Cookie" not in first.headers, url
    assert first.headers["X-Page-Cache"] == "miss", url
    second = _get(client, url)
    assert second.headers["X-Page-Cache"] == "hit", url
    assert second.data == first.data


def test_a_write_changes_the_cached_fund_page_at_once(client, db, fund):
    _get(client, f"/fph/funds/{fund.id}")
    assert _get(client, f"/fph/funds/{fund.id}").headers["X-Page-Cache"] == "hit"

    fund.name = "Fonds des habitants du Bas-Chantenay"
    db.session.commit()

    after = _get(client, f"/fph/funds/{fund.id}")
    assert after.headers["X-Page-Cache"] == "miss"
    assert "Fonds des habitants du Bas-Chantenay" in after.get_data(as_text=True)
    listed = _get(client, "/fph/")
    assert "Fonds des habitants du Bas-Chantenay" in listed.get_data(as_text=True)


def test_signed_in_fund_page_is_not_stored_and_has_the_form(
    client, login_as, resident, fund
):
    login_as(resident)
    response = _get(client, f"/fph/funds/{fund.id}")
    assert _get(client, f"/fph/funds/{fund.id}").headers.get("X-Page-Cache") is None
    assert "no-store" in response.headers["Cache-Control"]
    assert 'id="start-form"' in response.get_data(as_text=True)
