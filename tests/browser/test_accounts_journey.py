"""Accounts in a real browser: register, confirm by e-mail, sign in, Arabic, sign out;
a relay creates a managed account, prints its sheet, and the person sets a password.

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import itertools
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import DEMO_PEOPLE, RELAY_EMAIL
from participation.accounts.models import User
from participation.extensions import db

from .conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "une phrase assez longue"
_numbers = itertools.count(1)


def _person(live_server, **where) -> User:
    with live_server.app.app_context():
        user = db.session.scalars(sa.select(User).filter_by(**where)).one()
        db.session.expunge(user)
        return user


def _sign_out(page) -> None:
    page.locator('form[action*="/signout"] button[type="submit"]').click()


def _sign_in(page, identifier: str, password: str) -> None:
    sign_in(page, identifier, password)


def test_resident_registers_confirms_email_signs_in_reads_arabic_and_signs_out(
    page, live_server
):
    n = next(_numbers)
    email = f"journey{n}@example.org"
    page.goto("/")
    page.locator('header a[href="/register"]').click()
    expect(page).to_have_url(live_server.url_for("/register"))

    # Sending the empty form shows the error summary (and that page is scanned too).
    page.locator("#register-form #submit").click()
    expect(page.locator("#error-summary")).to_be_visible()

    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#pseudonym").fill(f"Voisine {n}")
    page.locator("#territory").select_option(index=1)
    page.locator("#accept_notice").check()
    page.locator("#register-form #submit").click()
    expect(page).to_have_url(live_server.url_for("/account"))
    assert _person(live_server, email=email).email_confirmed_at is None

    _sign_out(page)
    expect(page.locator('header a[href="/signin"]')).to_be_visible()
    [link] = live_server.links_in(live_server.last_email_to(email))
    page.goto(link)
    page.locator("#email-confirm-submit").click()
    assert _person(live_server, email=email).email_confirmed_at is not None

    _sign_in(page, email, PASSWORD)
    expect(page).to_have_url(live_server.url_for("/account"))
    page.locator(".lang-switch").get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert _person(live_server, email=email).locale == "ar"

    _sign_out(page)
    # The choice of language outlives the session (in the address, cookie-free).
    expect(page).to_have_url(live_server.url_for("/?lang=ar"))
    expect(page.locator('header a[href="/signin?lang=ar"]')).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_relay_creates_a_managed_account_whose_sheet_lets_the_person_choose_a_password(
    page, live_server
):
    relay_password = next(p.password for p in DEMO_PEOPLE if p.login == RELAY_EMAIL)
    pseudonym = f"Voisin sans mail {next(_numbers)}"
    _sign_in(page, RELAY_EMAIL, relay_password)
    expect(page).to_have_url(live_server.url_for("/account"))

    page.locator('main a[href="/people/new"]').click()
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#territory").select_option(index=1)
    page.locator("#consent").check()
    page.locator("#managed-form #submit").click()
    expect(page).to_have_url(re.compile(r"/people/\d+/sheet$"))
    code = page.locator("#setup-code").inner_text().strip()
    assert code

    pdf_url = page.locator("#sheet-pdf-link").get_attribute("href")
    assert pdf_url is not None
    pdf = page.request.get(live_server.url_for(pdf_url))  # the browser's own cookies
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    page.locator("#sheet-done").click()
    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    assert _person(live_server, pseudonym=pseudonym).is_managed

    _sign_out(page)
    page.goto("/setup-code")
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#code").fill(code)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#setup-code-form #submit").click()
    expect(page).to_have_url(live_server.url_for("/account"))
    assert _person(live_server, pseudonym=pseudonym).password_hash is not None
