"""Security headers, strict CSP, secure cookies, no open redirect after a form."""

from __future__ import annotations

import pytest

from participation.config import DefaultConfig


@pytest.mark.parametrize("url", ["/", "/accessibility", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers

    csp = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split("; ")
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_static_files_are_served_with_nosniff(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_production_defaults_ask_for_secure_cookies():
    assert DefaultConfig.SESSION_COOKIE_SECURE is True
    assert DefaultConfig.SESSION_COOKIE_HTTPONLY is True
    assert DefaultConfig.SESSION_COOKIE_SAMESITE == "Lax"
    assert DefaultConfig.REMEMBER_COOKIE_SECURE is True


@pytest.fixture
def secure_cookies(app_config):
    app_config["SESSION_COOKIE_SECURE"] = True


def test_session_cookie_is_secure_httponly_and_samesite(secure_cookies, client):
    response = client.post("/language", data={"language": "en", "next": "/"})

    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x", ""],
)
def test_language_form_never_redirects_elsewhere(client, target):
    response = client.post("/language", data={"language": "en", "next": target})

    assert response.status_code == 302
    assert response.location == "/"


def test_language_form_returns_to_the_same_page_with_its_query(client):
    response = client.post(
        "/language", data={"language": "en", "next": "/audit?page=2&action=x"}
    )

    assert response.location == "/audit?page=2&action=x"


@pytest.mark.french
@pytest.mark.parametrize("data", [{"language": "de"}, {"language": ""}, {}])
def test_unknown_language_is_refused(client, data):
    response = client.post("/language", data=data)

    assert response.status_code == 404
    assert b'lang="fr"' in client.get("/").data
