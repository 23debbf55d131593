"""Sign-in, sign-out, password reset and change, profile, rate limits."""

from __future__ import annotations

import pytest

from participation.accounts import services
from participation.accounts.models import User
from participation.accounts.passwords import check_password
from participation.accounts.states import Role, VerificationMethod

from .helpers import link_path

PASSWORD = "correct horse battery staple"


def _signed_in_as(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


@pytest.mark.french
def test_sign_in_page_is_french_by_default(client):
    response = client.get("/signin")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.get_data(as_text=True)


@pytest.mark.parametrize("identifier", ["amina@example.org", "AMINA@example.org "])
def test_sign_in_with_email(client, db, make_user, identifier):
    user = make_user(email="amina@example.org", locale="en")
    db.session.commit()

    response = client.post(
        "/signin", data={"identifier": identifier, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert _signed_in_as(client) == user.get_id()
    db.session.expire_all()
    assert db.session.get(User, user.id).last_signin_at is not None
    # The person's language follows them.
    assert '<html lang="en"' in client.get("/account").get_data(as_text=True)


@pytest.mark.french
@pytest.mark.parametrize("has_neighbourhood", [True, False])
def test_the_welcome_speaks_the_language_of_the_person_signing_in(
    client, db, make_user, has_neighbourhood
):
    extra = {} if has_neighbourhood else {"territory": None}
    make_user(email="leila@example.org", locale="ar", **extra)
    db.session.commit()
    assert '<html lang="fr"' in client.get("/signin").get_data(as_text=True)

    page = client.post(
        "/signin",
        data={"identifier": "leila@example.org", "password": PASSWORD},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert '<html lang="ar"' in page
    assert "تم تسجيل دخولك." in page
    assert "Vous êtes connecté" not in page


def test_sign_in_with_phone_and_follow_a_safe_next(client, db, make_user):
    user = make_user(email=None, phone="+33612345678")
    db.session.commit()

    response = client.post(
        "/signin",
        data={
            "identifier": "06 12 34 56 78",
            "password": PASSWORD,
            "next": "/account/edit",
        },
    )

    assert response.headers["Location"].endswith("/account/edit")
    assert _signed_in_as(client) == user.get_id()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "javascript:x", "/\\\\evil.example"],
)
def test_sign_in_never_redirects_elsewhere(client, db, make_user, target):
    make_user(email="amina@example.org")
    db.session.commit()

    response = client.post(
        "/signin",
        data={"identifier": "amina@example.org", "password": PASSWORD, "next": target},
    )

    assert response.headers["Location"].endswith("/account")


def test_wrong_password_is_reported_and_not_echoed(client, db, make_user):
    make_user(email="amina@example.org")
    db.session.commit()

    response = client.post(
        "/signin",
        data={"identifier": "amina@example.org", "password": "a wrong secret"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="password-error"' in html
    assert "a wrong secret" not in html
    assert 'value="amina@example.org"' in html
    assert _signed_in_as(client) is None


def test_missing_values_on_sign_in(client):
    html = client.post("/signin", data={}).get_data(as_text=True)

    assert 'id="identifier-error"' in html
    assert 'id="password-error"' in html


def test_remember_me_sets_a_lasting_cookie(client, db, make_user):
    make_user(email="amina@example.org")
    db.session.commit()

    response = client.post(
        "/signin",
        data={"identifier": "amina@example.org", "password": PASSWORD, "remember": "y"},
    )

    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_sign_out_is_post_only(client, db, make_user, login_as):
    login_as(make_user())

    assert client.get("/signout").status_code == 405
    assert _signed_in_as(client) is not None
    response = client.post("/signout")

    assert response.status_code == 302
    assert _signed_in_as(client) is None


def test_password_reset_by_email(client, db, make_user, outbox):
    user = make_user(email="amina@example.org", locale="en")
    db.session.commit()

    response = client.post("/password/forgot", data={"email": "Amina@example.org"})
    assert response.status_code == 302
    path = link_path(outbox()[0].body_text, "/password/reset/")
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        data={"password": "my new password", "password_confirm": "my new password"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert check_password(user.password_hash, "my new password")
    assert _signed_in_as(client) == user.get_id()
    # The link works once.
    again = client.post(
        path,
        data={"password": "third password!", "password_confirm": "third password!"},
    )
    assert again.status_code == 400
    assert 'id="token-problem"' in again.get_data(as_text=True)


def test_password_reset_request_does_not_reveal_whether_the_address_exists(
    client, db, make_user, outbox
):
    make_user(email="amina@example.org")
    db.session.commit()

    known = client.post("/password/forgot", data={"email": "amina@example.org"})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert len(outbox()) == 1
    flashed_known = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "If an account uses this address" in flashed_known


def test_expired_reset_link_is_refused(app, client, db, make_user):
    user = make_user(email="amina@example.org")
    db.session.commit()
    token = services.password_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1

    response = client.post(
        f"/password/reset/{token}",
        data={"password": "my new password", "password_confirm": "my new password"},
    )

    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert check_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_changing_the_password_ends_other_sessions(
    app, db, make_user, login_as, client
):
    user = make_user()
    db.session.commit()
    login_as(user)
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["_user_id"] = user.get_id()

    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "new_password_confirm": "a new long password",
        },
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302  # sent to sign in


def test_wrong_current_password_is_reported_on_its_field(
    client, db, make_user, login_as
):
    login_as(make_user())

    html = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "a new long password",
            "new_password_confirm": "a new long password",
        },
    ).get_data(as_text=True)

    assert 'id="current_password-error"' in html
    assert "a new long password" not in html


def test_profile_shows_roles_and_verification(
    client, db, make_user, make_relay, login_as
):
    person = make_user(roles=(Role.RESIDENT, Role.REVIEWER))
    relay = make_relay(person.territory)
    services.verify_resident(
        relay,
        person,
        person.territory_id,
        VerificationMethod.PROOF_IN_PERSON,
        "bail",
        found=True,
    )
    login_as(person)

    html = client.get("/account").get_data(as_text=True)

    assert "Reviewer" in html
    assert "Resident" in html
    assert "Verified" in html
    assert "a relay" in html
    assert "Proof of address checked in person" in html


def test_profile_needs_sign_in(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_profile_edit_keeps_typed_values_on_error(client, db, make_user, login_as, qpv):
    login_as(make_user(email="amina@example.org"))
    data = {
        "pseudonym": "Nouvelle Amina",
        "real_name": "<i>Amina</i>",
        "email": "amina@example.org",
        "phone": "not a phone",
        "territory": str(qpv.id),
        "birth_year": "1980",
        "sex": "",
        "locale": "fr",
    }

    html = client.post("/account/edit", data=data).get_data(as_text=True)

    assert 'id="phone-error"' in html
    assert 'value="Nouvelle Amina"' in html
    assert 'value="&lt;i&gt;Amina&lt;/i&gt;"' in html


def test_profile_edit_saves_and_reconfirms_a_new_email(
    client, db, make_user, login_as, qpv, outbox
):
    user = make_user(email="amina@example.org")
    login_as(user)

    response = client.post(
        "/account/edit",
        data={
            "pseudonym": "Amina B",
            "real_name": "",
            "email": "new@example.org",
            "phone": "",
            "territory": str(qpv.id),
            "birth_year": "",
            "sex": "female",
            "locale": "ar",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.pseudonym, user.email, user.locale) == (
        "Amina B",
        "new@example.org",
        "ar",
    )
    assert user.territory_id == qpv.id
    assert [m.to_address for m in outbox()] == ["new@example.org"]
    assert 'dir="rtl"' in client.get("/account").get_data(as_text=True)


def test_profile_edit_refuses_a_taken_phone(client, db, make_user, login_as, qpv):
    make_user(phone="+33612345678")
    user = make_user(email="amina@example.org")
    login_as(user)

    html = client.post(
        "/account/edit",
        data={
            "pseudonym": user.pseudonym,
            "email": "amina@example.org",
            "phone": "06 12 34 56 78",
            "territory": str(qpv.id),
            "locale": "fr",
        },
    ).get_data(as_text=True)

    assert 'id="phone-error"' in html
    assert "This phone number is already used" in html


@pytest.mark.parametrize(
    ("path", "data", "config_key"),
    [
        (
            "/signin",
            {"identifier": "x@example.org", "password": "wrong password"},
            "RATELIMIT_SIGNIN",
        ),
        ("/register", {"pseudonym": "x"}, "RATELIMIT_REGISTER"),
        ("/password/forgot", {"email": "x@example.org"}, "RATELIMIT_PASSWORD_RESET"),
    ],
)
@pytest.mark.french
def test_rate_limit_gives_a_friendly_429_page(
    app_config, path, data, config_key, request
):
    app_config["RATELIMIT_ENABLED"] = True
    app_config[config_key] = "2 per minute"
    client = request.getfixturevalue("client")

    codes = [client.post(path, data=data).status_code for _ in range(3)]
    page = client.get(path)

    assert 429 not in codes[:2]
    assert codes[2] == 429
    assert page.status_code == 200  # only POSTs are limited
    last = client.post(path, data=data)
    assert "Trop de tentatives" in last.get_data(as_text=True)
    assert '<html lang="fr"' in last.get_data(as_text=True)
