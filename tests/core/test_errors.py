"""Friendly error pages: 403, 404, 405, 413, 429, 500, CSRF and domain errors."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.core.errors import PermissionDenied
from participation.extensions import db as _db
from participation.extensions import limiter
from participation.territories.models import Commune

from .html import read


def _assert_friendly(response, code: int, title: str) -> None:
    assert response.status_code == code
    assert response.mimetype == "text/html"
    page = read(response.data)
    assert page.h1 == [title]
    assert f"Error code: {code}".encode() in response.data
    assert page.html_attrs.get("lang") == "en"  # tests run in English
    assert "main" in page.landmarks
    assert "footer" in page.landmarks


def test_unknown_page_gives_the_friendly_404(client):
    _assert_friendly(client.get("/no-such-page"), 404, "Page not found")


def test_wrong_method_gives_the_friendly_405(client):
    _assert_friendly(client.get("/language"), 405, "Action not allowed")


def test_staff_page_gives_the_friendly_403_to_a_resident(person, login_as):
    client = login_as(person(Role.RESIDENT))

    _assert_friendly(client.get("/audit"), 403, "Access refused")


def test_permission_denied_from_a_service_gives_403_with_its_message(client, add_route):
    def forbidden():
        raise PermissionDenied("Only the council may do this.")

    add_route("/_test/forbidden", forbidden)

    response = client.get("/_test/forbidden")

    _assert_friendly(response, 403, "Access refused")
    assert b"Only the council may do this." in response.data


@pytest.fixture
def small_bodies(app_config):
    app_config["MAX_CONTENT_LENGTH"] = 1024


@pytest.fixture
def rate_limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_a_body_over_the_limit_gives_the_friendly_413(small_bodies, client):
    response = client.post(
        "/language", data={"language": "ar", "next": "/", "padding": "x" * 5000}
    )

    _assert_friendly(response, 413, "What you sent is too large")


def test_too_many_attempts_give_the_friendly_429(rate_limits_on, app):
    @limiter.limit("2 per minute")
    def limited():
        return "ok"

    app.add_url_rule("/_test/limited", "test_limited", limited)
    client = app.test_client()

    statuses = [client.get("/_test/limited").status_code for _ in range(2)]

    assert statuses == [200, 200]
    _assert_friendly(client.get("/_test/limited"), 429, "Too many attempts")


def test_unexpected_error_shows_no_stack_trace_and_rolls_back(db, client, add_route):
    def crash():
        _db.session.add(Commune(insee_code="11069", name="Carcassonne"))
        _db.session.flush()
        raise RuntimeError("secret internals: password=hunter2")

    add_route("/_test/crash", crash)

    response = client.get("/_test/crash")

    _assert_friendly(response, 500, "Something went wrong on our side")
    for leak in (b"Traceback", b"RuntimeError", b"hunter2", b"site-packages"):
        assert leak not in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 0


def test_csrf_failure_shows_the_friendly_page_and_changes_nothing(csrf_on, client):
    response = client.post("/language", data={"language": "ar", "next": "/"})

    _assert_friendly(response, 400, "The request could not be understood")
    assert b"The form expired or was sent from elsewhere" in response.data
    assert b'lang="en"' in client.get("/").data  # still the default language


def test_the_language_form_works_with_its_csrf_token(csrf_on, client):
    # The home page has no form any more (the language switch is links); the
    # sign-in form carries the session's token.
    signin = client.get("/signin").data
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', signin) or (
        re.search(rb'name="csrf_token" value="([^"]+)"', signin)
    )
    assert token is not None

    response = client.post(
        "/language",
        data={
            "csrf_token": token.group(1).decode(),
            "language": "ar",
            "next": "/legal",
        },
    )

    assert response.status_code == 302
    assert response.location == "/legal"
    assert b'dir="rtl"' in client.get("/legal").data
