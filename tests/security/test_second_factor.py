"""Two-factor sign-in: required for staff and admin, optional for others."""

from __future__ import annotations

import re

import pyotp
import sqlalchemy as sa

from participation.accounts.models import RecoveryCode, User
from participation.accounts.states import Role

from .conftest import current_code, sign_in


def test_staff_cannot_finish_signing_in_without_the_second_factor(
    client, make_user, enrol
):
    staff = make_user(email="agent@example.org", roles=(Role.STAFF,))
    enrol(staff)

    response = sign_in(client, "agent@example.org")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signin/code")
    assert client.get("/account").status_code == 302  # not signed in yet
    assert client.get("/audit").status_code == 302
    wrong = client.post("/signin/code", data={"code": "000000"})
    assert wrong.status_code == 200
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert client.get("/account").status_code == 302

    right = client.post("/signin/code", data={"code": current_code()})

    assert right.status_code == 302
    assert client.get("/audit").status_code == 200


def test_a_code_works_once(app, client, make_user, enrol):
    staff = make_user(email="agent@example.org", roles=(Role.STAFF,))
    enrol(staff)
    code = current_code()
    sign_in(client, "agent@example.org")
    assert client.post("/signin/code", data={"code": code}).status_code == 302

    other = app.test_client()
    sign_in(other, "agent@example.org")
    again = other.post("/signin/code", data={"code": code})

    assert again.status_code == 200
    assert other.get("/account").status_code == 302


def test_staff_without_a_second_factor_must_enrol_at_sign_in(client, db, make_user):
    staff = make_user(email="admin@example.org", roles=(Role.ADMIN,))

    response = sign_in(client, "admin@example.org")
    assert response.headers["Location"].endswith("/signin/two-factor-setup")
    page = client.get("/signin/two-factor-setup").get_data(as_text=True)
    assert 'id="two-factor-qr"' in page
    assert 'src="data:image/svg+xml' in page
    assert client.get("/account").status_code == 302
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)

    done = client.post(
        "/signin/two-factor-setup", data={"code": pyotp.TOTP(secret).now()}
    )

    assert done.headers["Location"].endswith("/account/recovery-codes")
    codes_page = client.get("/account/recovery-codes").get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z0-9-]{11})</code>", codes_page)
    assert len(codes) == 10
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)
    ).all()
    assert codes[0] not in stored  # kept hashed
    assert len(stored) == 10
    assert client.get("/account").status_code == 200


def test_a_recovery_code_replaces_the_app_once(app, client, db, make_user, enrol):
    from participation.accounts.services import twofactor

    staff = make_user(email="agent@example.org", roles=(Role.STAFF,))
    enrol(staff)
    [code, *_rest] = twofactor.new_recovery_codes(db.session.get(User, staff.id))
    db.session.commit()
    sign_in(client, "agent@example.org")
    assert client.post("/signin/code", data={"code": code.lower()}).status_code == 302

    other = app.test_client()
    sign_in(other, "agent@example.org")
    assert other.post("/signin/code", data={"code": code}).status_code == 200


def test_residents_sign_in_with_a_password_and_may_add_a_second_factor(
    client, make_user, login_as
):
    make_user(email="lea@example.org")
    response = sign_in(client, "lea@example.org")
    assert response.status_code == 302
    assert client.get("/account/two-factor").status_code == 200
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', page).group(1)
    client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    client.post("/signout")

    again = sign_in(client, "lea@example.org")

    assert again.headers["Location"].endswith("/signin/code")


def test_demo_home_page_shows_the_demo_staff_code(app, client):
    app.config["DEMO"] = True
    from participation.accounts.demo import DEMO_TOTP_SECRET

    page = client.get("/").get_data(as_text=True)

    assert DEMO_TOTP_SECRET in page
    assert pyotp.TOTP(DEMO_TOTP_SECRET).now() in page
