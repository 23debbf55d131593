"""Fair rate limits: per account, growing delays; per address, failures only.

With PARTICIPATION_TEST_REDIS_URL set (CI starts Debian's redis-server), these
tests run against that Redis, the store several workers share.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from participation.accounts.states import Role
from participation.extensions import limiter

from .conftest import sign_in

REDIS_URL = os.environ.get("PARTICIPATION_TEST_REDIS_URL")


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_SIGNIN"] = "5 per minute"
    app_config["RATELIMIT_KEY_PREFIX"] = f"test-{uuid.uuid4().hex}/"
    if REDIS_URL:
        app_config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    return app_config


@pytest.fixture(autouse=True)
def fresh_limiter(app):
    limiter.reset()
    yield
    limiter.reset()


def test_the_store_is_the_configured_one(app):
    expected = "redis" if REDIS_URL else "memory"
    assert app.config["RATELIMIT_STORAGE_URI"].startswith(expected)


def test_wrong_passwords_on_one_account_meet_growing_delays_whatever_the_address(
    app, make_user
):
    make_user(email="lea@example.org")
    messages = []
    for n in range(6):
        client = app.test_client()
        response = client.post(
            "/signin",
            data={"identifier": "lea@example.org", "password": "wrong password!"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        )
        messages.append(response.get_data(as_text=True))

    assert "Too many wrong passwords" not in messages[2]
    assert "try again in 30 seconds" in messages[3]
    # Even the right password waits now.
    late = sign_in(app.test_client(), "lea@example.org")
    assert late.status_code == 200
    assert "Too many wrong passwords" in late.get_data(as_text=True)


def test_unknown_accounts_meet_the_same_delays(app):
    for _ in range(4):
        response = sign_in(app.test_client(), "nobody@example.org", "whatever123")
    assert "try again in" in response.get_data(as_text=True)


def test_many_right_sign_ins_from_one_address_are_never_refused(app, make_user):
    for n in range(12):
        make_user(email=f"p{n}@example.org")
    for n in range(12):
        assert sign_in(app.test_client(), f"p{n}@example.org").status_code == 302


def test_failures_from_one_address_are_limited_with_the_wait_shown(app, make_user):
    for n in range(6):
        response = sign_in(app.test_client(), f"x{n}@example.org", "nope nope nope")
    assert response.status_code == 429
    assert "Please try again in 1 minute" in response.get_data(as_text=True)


def test_trusted_addresses_are_not_limited_per_address(app):
    app.config["RATELIMIT_TRUSTED_ADDRESSES"] = ["192.0.2.0/24"]
    for n in range(8):
        response = app.test_client().post(
            "/signin",
            data={"identifier": f"x{n}@example.org", "password": "nope nope nope"},
            environ_base={"REMOTE_ADDR": "192.0.2.7"},
        )
        assert response.status_code == 200


def test_the_client_address_comes_from_the_proxy_when_configured(
    app_config, another_app
):
    app = another_app({**app_config, "TRUSTED_PROXIES": 1}, "proxied")
    seen = []

    @app.get("/_address")
    def address() -> str:
        from flask import request

        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get(
        "/_address",
        headers={"X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )

    assert seen == ["203.0.113.9"]


def test_staff_codes_meet_growing_delays(app, make_user, enrol):
    staff = make_user(email="agent@example.org", roles=(Role.STAFF,))
    enrol(staff)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    sign_in(client, "agent@example.org")
    for _ in range(4):
        response = client.post("/signin/code", data={"code": "000000"})
    assert "Too many wrong codes" in response.get_data(as_text=True)
