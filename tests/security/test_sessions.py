"""Sessions that end: sign-out, sign out everywhere, password change, idle staff."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import UserSession
from participation.accounts.states import Role
from participation.core.time import utcnow

from .conftest import current_code, sign_in


def _cookies(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app, cookies: dict[str, str]):
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, client, make_user):
    user = make_user(email="lea@example.org")
    assert sign_in(client, "lea@example.org", remember="y").status_code == 302
    cookies = _cookies(client)
    assert "remember_token" in cookies
    assert client.get("/account").status_code == 200

    client.post("/signout")

    for replayed in (cookies, {"remember_token": cookies["remember_token"]}):
        response = _replay(app, replayed).get("/account")
        assert response.status_code == 302, replayed.keys()
        assert "/signin" in response.headers["Location"]
    assert user.id not in set(
        app.extensions["sqlalchemy"].session.scalars(sa.select(UserSession.user_id))
    )


def test_sign_out_everywhere_ends_every_device(app, client, make_user):
    make_user(email="lea@example.org")
    sign_in(client, "lea@example.org")
    phone = app.test_client()
    sign_in(phone, "lea@example.org")
    assert phone.get("/account").status_code == 200

    client.post("/account/sessions/end-all")

    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_a_password_change_ends_the_other_sessions_but_not_this_one(
    app, client, make_user
):
    make_user(email="lea@example.org")
    sign_in(client, "lea@example.org")
    phone = app.test_client()
    sign_in(phone, "lea@example.org")

    response = client.post(
        "/account/password",
        data={
            "current_password": "correct horse battery staple",
            "new_password": "une autre phrase facile",
            "new_password_confirm": "une autre phrase facile",
        },
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_an_idle_staff_session_ends(app, db, client, make_user, enrol):
    staff = make_user(email="agent@example.org", roles=(Role.STAFF,))
    enrol(staff)
    sign_in(client, "agent@example.org")
    client.post("/signin/code", data={"code": current_code()})
    assert client.get("/account").status_code == 200
    db.session.execute(
        sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()

    response = client.get("/account")

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 0


def test_pages_of_a_signed_in_person_are_not_stored(client, make_user, login_as):
    login_as(make_user())

    for path in ("/account", "/"):
        directives = client.get(path).headers["Cache-Control"].split(", ")
        assert "no-store" in directives  # nor any shared cache: "private" too
        assert "public" not in directives


def test_sign_in_page_is_not_stored_but_public_pages_may_be(client):
    assert client.get("/signin").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/legal").headers.get("Cache-Control", "")
