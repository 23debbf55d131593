"""Registration and e-mail confirmation pages, with every kind of bad input."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.accounts.services import checks
from participation.accounts.states import Role, VerificationLevel

from .helpers import GOOD_PASSWORD, link_path


def _count_users(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(User.id))) or 0


@pytest.mark.french
def test_registration_page_is_french_by_default(client, qpv, outside):
    response = client.get("/register")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert 'id="register-form"' in html
    # Active QPV and the "hors QPV" territory are offered.
    assert f'value="{qpv.id}"' in html
    assert f'value="{outside.id}"' in html
    assert "Sert seulement aux statistiques sur la parité" in html


def test_inactive_territories_are_not_offered(client, qpv, make_territory):
    closed = make_territory(is_active=False)

    html = client.get("/register").get_data(as_text=True)

    assert f'value="{closed.id}"' not in html


def test_registration_signs_in_and_sends_a_confirmation_in_the_persons_language(
    client, db, registration, outbox
):
    response = client.post("/register", data=registration(locale="en"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    user = db.session.scalars(sa.select(User)).one()
    assert user.email == "leila@example.org"
    assert user.role_set == {Role.RESIDENT}
    assert user.verification_level() is VerificationLevel.DECLARED
    assert user.real_name == "Leïla Benali"
    assert user.birth_year == 1990
    [message] = outbox()
    assert message.to_address == "leila@example.org"
    assert message.subject == "Confirm your e-mail address"
    assert message.sent_at is not None  # delivered after the commit
    profile = client.get("/account").get_data(as_text=True)
    assert "Leila du Pont" in profile
    assert 'lang="en"' in profile


def test_phone_only_registration_has_no_email_step(client, db, registration, outbox):
    response = client.post(
        "/register",
        data=registration(email="", phone="06 12 34 56 78"),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Phone numbers are not checked by message" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(User)).one().phone == "+33612345678"
    assert outbox() == []


def test_confirmation_link_from_the_outbox_confirms_the_address(
    client, db, registration, outbox
):
    client.post("/register", data=registration())
    client.post("/signout")
    path = link_path(outbox()[0].body_text, "/account/confirm/")

    page = client.get(path)
    assert page.status_code == 200
    assert 'id="email-confirm-submit"' in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(User)).one().email_confirmed_at is None
    response = client.post(path)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(User)).one().email_confirmed_at is not None


def test_tampered_confirmation_link_is_refused_without_error_page(
    client, db, registration, outbox
):
    client.post("/register", data=registration())
    path = link_path(outbox()[0].body_text, "/account/confirm/")

    response = client.post(path[:-3] + "xyz")

    assert response.status_code == 400
    assert 'id="token-problem"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(User)).one().email_confirmed_at is None


def test_resend_confirmation(client, db, registration, outbox):
    client.post("/register", data=registration())

    response = client.post("/account/confirm/resend")

    assert response.status_code == 302
    assert len(outbox()) == 2


BAD_INPUTS = [
    ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number"),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
    ({"email": "a" * 250 + "@example.org"}, "email", None),
    ({"phone": "12 34"}, "phone", "Enter a phone number such as"),
    ({"phone": "0" * 40}, "phone", None),
    (
        {"password": "short", "password_confirm": "short"},
        "password",
        "between 10 and 200",
    ),
    (
        {"password": "x" * 201, "password_confirm": "x" * 201},
        "password",
        "between 10 and 200",
    ),
    ({"password_confirm": "something else entirely"}, "password_confirm", "different"),
    ({"password": ""}, "password", "Choose a password."),
    ({"pseudonym": ""}, "pseudonym", "Choose a pseudonym."),
    ({"pseudonym": "ab"}, "pseudonym", "between 3 and 40"),
    ({"pseudonym": "p" * 41}, "pseudonym", None),
    ({"pseudonym": "<b>Amina</b>"}, "pseudonym", "Use only letters"),
    ({"real_name": "r" * 121}, "real_name", None),
    ({"territory": ""}, "territory", "Choose the neighbourhood where you live."),
    ({"territory": "999999"}, "territory", None),
    ({"territory": "abc"}, "territory", None),
    ({"birth_year": "19x0"}, "birth_year", "Enter a year with 4 digits"),
    ({"birth_year": "1850"}, "birth_year", "Enter a year between 1900"),
    ({"birth_year": "3000"}, "birth_year", "Enter a year between 1900"),
    ({"sex": "robot"}, "sex", None),
    ({"locale": "de"}, "locale", None),
    ({"accept_notice": None}, "accept_notice", "accept the personal data notice"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUTS)
def test_bad_input_is_reported_next_to_its_field_and_kept(
    client, db, registration, changes, field, message
):
    data = registration(**changes)

    response = client.post("/register", data=data)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert 'id="error-summary"' in html
    if message:
        assert message in html
    assert _count_users(db) == 0
    # What was typed is kept, except the passwords.
    if field != "pseudonym":
        assert 'value="Leila du Pont"' in html
    assert GOOD_PASSWORD not in html


def test_passwords_are_never_echoed_back(client, registration):
    secret = "my very secret passphrase"

    html = client.post(
        "/register",
        data=registration(password=secret, password_confirm=secret, pseudonym="x"),
    ).get_data(as_text=True)

    assert secret not in html
    assert 'id="pseudonym-error"' in html


def test_html_in_text_fields_is_stored_as_typed_and_shown_escaped(
    client, db, registration
):
    hostile = '<script>alert("x")</script>'

    client.post("/register", data=registration(real_name=hostile))
    html = client.get("/account").get_data(as_text=True)

    assert db.session.scalars(sa.select(User)).one().real_name == hostile
    assert hostile not in html
    assert "&lt;script&gt;alert(" in html


def test_hostile_pseudonym_is_refused_and_echoed_escaped(client, registration):
    html = client.post(
        "/register", data=registration(pseudonym='"><img src=x onerror=alert(1)>')
    ).get_data(as_text=True)

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    ("existing", "field", "message"),
    [
        (
            {"email": "leila@example.org"},
            "email",
            "This e-mail address is already used",
        ),
        (
            {"email": "LEILA@example.org"},
            "email",
            "This e-mail address is already used",
        ),
        ({"phone": "+33612345678"}, "phone", "This phone number is already used"),
        (
            {"pseudonym": "leila du pont"},
            "pseudonym",
            "This pseudonym is already taken",
        ),
    ],
)
def test_duplicates_are_reported_next_to_the_field(
    client, db, make_user, registration, existing, field, message
):
    existing = {"email": None, **existing}
    if existing["email"]:
        existing["email"] = existing["email"].lower()
    make_user(**existing)
    db.session.commit()

    response = client.post("/register", data=registration(phone="06 12 34 56 78"))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html
    assert message in html
    assert _count_users(db) == 1


def test_double_submitted_registration_creates_one_account(app, db, registration):
    first, second = app.test_client(), app.test_client()
    data = registration()

    assert first.post("/register", data=data).status_code == 302
    again = first.post("/register", data=data)  # same browser: already signed in
    other = second.post("/register", data=data)  # a second tab without the cookie

    assert again.status_code == 302
    assert other.status_code == 200
    assert 'id="email-error"' in other.get_data(as_text=True)
    assert _count_users(db) == 1


def test_two_concurrent_registrations_give_one_account_and_one_field_error(
    app, db, registration, monkeypatch
):
    """On PostgreSQL both requests pass the duplicate check before either inserts;
    the UNIQUE constraint then turns the second insert into a message next to the
    field. SQLite serialises writing requests (BEGIN IMMEDIATE): the second waits
    for the first to commit, so the duplicate check itself catches it (a barrier
    there would only wait for a request that cannot start)."""
    if db.engine.dialect.name != "sqlite":
        barrier = threading.Barrier(2, timeout=20)
        check = checks.check_unique

        def check_then_wait(**kwargs):
            check(**kwargs)
            barrier.wait()

        monkeypatch.setattr(checks, "check_unique", check_then_wait)
    data = registration()
    db.session.commit()  # the territory, for the other threads' connections
    results: list[tuple[int, str]] = []

    def post() -> None:
        response = app.test_client().post("/register", data=data)
        results.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(code for code, _html in results) == [200, 302]
    [html] = [html for code, html in results if code == 200]
    assert 'id="email-error"' in html
    assert "This e-mail address is already used" in html
    assert _count_users(db) == 1


@pytest.mark.french
def test_a_20_mb_body_gets_the_friendly_413_page(client, db, registration):
    response = client.post(
        "/register", data=registration(real_name="x" * (20 * 1024 * 1024))
    )

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Ce que vous avez envoyé est trop lourd" in html
    assert '<html lang="fr"' in html
    assert _count_users(db) == 0


def test_signed_in_person_is_sent_to_their_account(client, make_user, login_as):
    login_as(make_user())

    response = client.get("/register")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
