"""Privacy and sign-in security in a real browser: a resident turns two-factor
sign-in on, downloads their data, deletes their account; a relay's list shows only
the people they created or help; staff sign in with the demo second factor.

Elements are found by id, name or URL, never by text: the pages are translated.
Every page visited is scanned by axe-core through the ``page`` fixture.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from participation.accounts.demo import (
    DEMO_PEOPLE,
    RELAY_EMAIL,
    RESIDENT_PHONE,
    STAFF_EMAIL,
)
from participation.accounts.models import User
from participation.extensions import db

from .conftest import pass_second_factor, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "une phrase assez longue"
PASSWORDS = {person.login: person.password for person in DEMO_PEOPLE}
_numbers = itertools.count(1)


def _person(live_server, **where) -> User:
    with live_server.app.app_context():
        user = db.session.scalars(sa.select(User).filter_by(**where)).one()
        db.session.expunge(user)
        return user


def _register(page, email: str, pseudonym: str) -> None:
    page.goto("/register")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.locator("#pseudonym").fill(pseudonym)
    page.locator("#real_name").fill("Léa Martin")
    page.locator("#territory").select_option(index=1)
    page.locator("#accept_notice").check()
    page.locator("#register-form #submit").click()


def test_resident_secures_downloads_and_deletes_their_account(page, live_server):
    n = next(_numbers)
    email = f"privacy{n}@example.org"
    _register(page, email, f"Voisine privée {n}")
    expect(page).to_have_url(live_server.url_for("/account"))

    # Two-factor sign-in, optional for a resident: QR code, first code, codes.
    page.locator("#security-link").click()
    page.locator("#two-factor-setup-link").click()
    expect(page.locator("#two-factor-qr")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#two-factor-setup-submit").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#recovery-codes-done").click()

    # Download my data: a ZIP with the profile.
    page.locator("#my-data-link").click()
    with page.expect_download() as download_info:
        page.locator("#data-download").click()
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["data"]["accounts"]["profile"][0]["email"] == email
    assert "Léa Martin" in archive.read("accounts/profile.csv").decode()

    # Delete my account: without the confirmation, the form says what is missing.
    page.locator("#password").fill(PASSWORD)
    page.locator("#account-delete").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.locator("#contributions-0").check()
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").check()
    page.locator("#account-delete").click()
    expect(page).to_have_url(live_server.url_for("/"))
    expect(page.locator('header a[href="/signin"]')).to_be_visible()

    sign_in(page, email, PASSWORD)
    expect(page.locator("#password-error")).to_be_visible()


def test_a_relay_sees_only_their_people_and_staff_sign_in_with_a_code(
    page, live_server
):
    karim = _person(live_server, phone=RESIDENT_PHONE)
    sign_in(page, RELAY_EMAIL, PASSWORDS[RELAY_EMAIL])
    page.goto("/people")
    expect(page.locator("#relay-scope")).to_be_visible()
    # Exact links: a prefix would also match /people/6x of the relay's own people.
    karim_links = (
        f'#people-table a[href="/people/{karim.id}"],'
        f' #people-table a[href^="/people/{karim.id}?"]'
    )
    expect(page.locator(karim_links)).to_have_count(0)
    page.locator("#q").fill("06 12 34 56 78")
    page.locator("#search-submit").click()
    page.locator(f'#people-table a[href^="/people/{karim.id}?found="]').click()
    expect(page.locator("#identity-hidden")).to_be_visible()
    expect(page.locator("#help-form")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, STAFF_EMAIL, PASSWORDS[STAFF_EMAIL], second_factor=False)
    expect(page).to_have_url(re.compile(r"/signin/code$"))
    page.locator("#code").fill("000000")
    page.locator("#signin-code-submit").click()
    expect(page.locator("#code-error")).to_be_visible()
    pass_second_factor(page, STAFF_EMAIL)
    expect(page.locator("#signout-button")).to_be_visible()
    page.goto(f"/people/{karim.id}")
    expect(page.locator("#person-real-name")).to_be_visible()
