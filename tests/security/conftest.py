"""Fixtures of the security tests: signing in through the forms, second factor."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest
from flask.testing import FlaskClient

from participation.accounts.models import User
from participation.accounts.services import twofactor

TEST_PASSWORD = "correct horse battery staple"  # tests/conftest.py's factory default

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def enrol(db) -> Callable[[User], str]:
    """Give *user* a confirmed authenticator secret; return it."""

    def _enrol(user: User) -> str:
        twofactor.set_secret(user, SECRET, confirmed=True)
        db.session.commit()
        return SECRET

    return _enrol


def sign_in(client: FlaskClient, login: str, password: str = TEST_PASSWORD, **extra):
    return client.post(
        "/signin", data={"identifier": login, "password": password, **extra}
    )


def current_code(secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).now()
