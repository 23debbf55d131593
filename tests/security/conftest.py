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


def build_demo_app(folder, uri):
    """An app with the whole demo loaded (yields inside its app context)."""
    import os

    from participation import create_app
    from participation.demo import load_demo
    from participation.extensions import db as _db

    os.environ["PARTICIPATION_INSTANCE_PATH"] = str(folder / "instance")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "OUTBOX_SEND_AFTER_COMMIT": False,
        # The SCDL export answers 503 ("not set up") without the granting body's
        # SIRET (tests/fph checks that page); the matrix sees it set up.
        "FPH_ATTRIBUANT_SIRET": "73282932000074",
    }
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        load_demo()
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.engine.dispose()
    os.environ.pop("PARTICIPATION_INSTANCE_PATH", None)


def demo_database_uri(request, folder, name: str) -> str:
    """A fresh database for one demo app: SQLite in *folder*, or PostgreSQL."""
    import os

    if os.environ.get("PARTICIPATION_TEST_DATABASE_URI"):
        return str(request.getfixturevalue("pg_scratch_database")(name))
    return f"sqlite:///{folder / 'demo.sqlite'}"


@pytest.fixture(scope="module")
def demo_app(request, tmp_path_factory):
    """An app with the demo loaded, shared by one module's tests."""
    folder = tmp_path_factory.mktemp("demo")
    name = request.module.__name__.rsplit(".", 1)[-1]
    yield from build_demo_app(folder, demo_database_uri(request, folder, name))
