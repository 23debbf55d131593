"""Shared fixtures: an app with a fresh database per test, a client, factories.

The database is SQLite (a new file per test) unless PARTICIPATION_TEST_DATABASE_URI
points at PostgreSQL; there the schema is created once per session and every table
is emptied before each test, so tests that commit from several threads still work.
Under pytest-xdist each worker uses its own PostgreSQL database, ``<name>_<worker>``,
created on the fly through the same role (it needs CREATEDB).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, current_app
from flask.testing import FlaskClient

from participation import create_app
from participation.accounts.models import User, UserRole
from participation.accounts.states import Role
from participation.budget.models import Envelope, Idea, Round
from participation.budget.services import CALENDAR
from participation.budget.states import COSTED_STATES, IdeaState, TransferStatus
from participation.core.time import utcnow
from participation.extensions import db as _db
from participation.territories.models import Commune, Territory, TerritoryKind, Theme

#: The PostgreSQL database named by the environment (also the admin connection's).
PG_BASE_URI = os.environ.get("PARTICIPATION_TEST_DATABASE_URI")
#: pytest-xdist sets this in its workers ("gw0", "gw1", ...).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
SHARED_DIR = Path(__file__).resolve().parent.parent.parent / "shared"
#: A fast hash for tests only: argon2's production cost would dominate the suite.
TEST_PASSWORD = "correct horse battery staple"


def base_test_config(tmp_path: Path, database_uri: str) -> dict[str, Any]:
    """Configuration every test app starts from (also used by the live server)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_FAST": True,
    }


def pg_database_uri(base_uri: str, suffix: str) -> str:
    """URI of the database ``<base name>_<suffix>`` on the same server, same role."""
    url = sa.make_url(base_uri)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(
        hide_password=False
    )


#: The database this process's tests use: one per xdist worker.
PG_URI = (
    pg_database_uri(PG_BASE_URI, XDIST_WORKER)
    if PG_BASE_URI and XDIST_WORKER
    else PG_BASE_URI
)


def _pg_admin(statements: Callable[[sa.Connection], None]) -> None:
    """Run *statements* on an autocommit connection to the base test database."""
    assert PG_BASE_URI is not None
    engine = sa.create_engine(
        PG_BASE_URI, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    try:
        with engine.connect() as connection:
            statements(connection)
    finally:
        engine.dispose()


def create_pg_database(uri: str, *, replace: bool = False) -> None:
    """Create the database of *uri* if missing (dropped first when *replace*)."""
    assert PG_BASE_URI is not None
    name = sa.make_url(uri).database
    if name == sa.make_url(PG_BASE_URI).database:
        return  # the base database is made by whoever set the URI (.ci/run)

    def statements(connection: sa.Connection) -> None:
        if replace:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    _pg_admin(statements)


def drop_pg_database(uri: str) -> None:
    """Drop the database of *uri*, ending the sessions still connected to it."""
    name = sa.make_url(uri).database
    _pg_admin(
        lambda connection: connection.exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        )
    )


def _pg_engine_options() -> dict[str, Any]:
    return {"pool_size": 5, "max_overflow": 30}


_pg_schema_ready = False


def _reset_postgresql(app: Flask) -> None:
    """Create the schema once per session, then empty every table before each test."""
    global _pg_schema_ready
    if not _pg_schema_ready:
        assert PG_URI is not None
        create_pg_database(PG_URI)
        # Drop every table, also those of models renamed or removed since the last run.
        with _db.engine.begin() as connection:
            stale = sa.inspect(connection).get_table_names()
            if stale:
                names = ", ".join(f'"{name}"' for name in stale)
                connection.exec_driver_sql(f"DROP TABLE {names} CASCADE")
        _db.create_all()
        _pg_schema_ready = True
        return
    tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test configuration; a test may change it before asking for ``app``.

    Pages and messages come out in English (the msgids), so that tests read the
    texts they assert whatever the state of the catalogs; a test marked
    ``@pytest.mark.french`` keeps the production default, French.
    """
    uri = PG_URI or f"sqlite:///{tmp_path / 'test.sqlite'}"
    config = base_test_config(tmp_path, uri)
    if request.node.get_closest_marker("french") is None:
        config["BABEL_DEFAULT_LOCALE"] = "en"
    if PG_URI:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = _pg_engine_options()
    return config


@pytest.fixture
def app(app_config: dict[str, Any], tmp_path: Path, monkeypatch) -> Iterator[Flask]:
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    with app.app_context():
        if PG_URI:
            _reset_postgresql(app)
        else:
            _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def another_app(tmp_path: Path, monkeypatch) -> Iterator[Callable[..., Flask]]:
    """Make further app instances (a second server, another setting); their
    database connections are closed at the end of the test, never left to the
    garbage collector (psycopg warns, and the warning fails a later test)."""
    made: list[Flask] = []

    def _another_app(config: dict[str, Any], instance: str = "other") -> Flask:
        monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path / instance))
        made.append(create_app(config))
        return made[-1]

    yield _another_app
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def db(app: Flask):
    return _db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def session_cookie_id(user: User) -> str:
    """Open a server-side session for *user* (second factor done) and commit it;
    the identifier a signed-in browser's cookie carries."""
    from participation.accounts.services.sessions import open_session

    user_id = f"{user.id}:{open_session(user)}"
    _db.session.commit()
    return user_id


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign *user* in on the test client without going through the form (a staff
    member's second factor counts as given)."""

    def _login_as(user: User) -> FlaskClient:
        user_id = session_cookie_id(user)
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client

    return _login_as


@pytest.fixture
def make_commune(db) -> Callable[..., Commune]:
    numbers = itertools.count(1)

    def _make_commune(**values: Any) -> Commune:
        n = next(numbers)
        values.setdefault("insee_code", f"99{n:03d}")
        values.setdefault("name", f"Commune {n}")
        values.setdefault("population", 40000)
        commune = Commune(**values)
        db.session.add(commune)
        db.session.flush()
        return commune

    return _make_commune


@pytest.fixture
def make_territory(db, make_commune) -> Callable[..., Territory]:
    numbers = itertools.count(1)
    commune_holder: list[Commune] = []

    def _make_territory(**values: Any) -> Territory:
        n = next(numbers)
        if "commune" not in values and "commune_id" not in values:
            if not commune_holder:
                commune_holder.append(make_commune())
            values["commune"] = commune_holder[0]
        kind = values.setdefault("kind", TerritoryKind.QPV)
        if kind is TerritoryKind.QPV:
            values.setdefault("code", f"QN99{n:03d}T")
        values.setdefault("name", f"Quartier {n}")
        values.setdefault("population", 1500)
        territory = Territory(**values)
        db.session.add(territory)
        db.session.flush()
        return territory

    return _make_territory


@pytest.fixture
def make_theme(db) -> Callable[..., Theme]:
    numbers = itertools.count(1)

    def _make_theme(**values: Any) -> Theme:
        n = next(numbers)
        values.setdefault("code", f"theme_{n}")
        values.setdefault("name", f"Thème {n}")
        values.setdefault("position", n)
        theme = Theme(**values)
        db.session.add(theme)
        db.session.flush()
        return theme

    return _make_theme


@pytest.fixture
def make_user(db, make_territory) -> Callable[..., User]:
    """Build a person; ``roles`` defaults to resident, ``territory`` to a new QPV."""
    numbers = itertools.count(1)

    def _make_user(
        *, roles: tuple[Role, ...] = (Role.RESIDENT,), **values: Any
    ) -> User:
        from participation.accounts.passwords import hash_password

        n = next(numbers)
        values.setdefault("pseudonym", f"habitant{n}")
        values.setdefault("email", f"person{n}@example.test")
        # The person speaks the test's language (English unless marked french).
        values.setdefault("locale", current_app.config["BABEL_DEFAULT_LOCALE"])
        if "territory" not in values and "territory_id" not in values:
            values["territory"] = make_territory()
        password = values.pop("password", TEST_PASSWORD)
        user = User(**values)
        if password is not None:
            user.password_hash = hash_password(password)
        user.roles = [UserRole(role=role) for role in roles]
        db.session.add(user)
        db.session.flush()
        return user

    return _make_user


@pytest.fixture
def staff(make_user) -> User:
    """A staff member (politique de la ville), for every feature's tests."""
    return make_user(
        roles=(Role.STAFF,), pseudonym="agent_pv", real_name="Agent Politique"
    )


DAY = timedelta(days=1)

#: Offsets in days from now of (submission opens, closes, review closes,
#: announcement, vote opens, vote closes) putting a round in each phase.
PHASE_OFFSETS: dict[str, tuple[int, int, int, int, int, int]] = {
    "upcoming": (5, 15, 20, 25, 30, 40),
    "submission": (-10, 10, 20, 30, 40, 50),
    "review": (-20, -10, -5, 5, 10, 20),
    "announcement": (-40, -30, -25, -20, 5, 15),
    "vote": (-40, -30, -25, -20, -5, 5),
    "counting": (-60, -50, -45, -40, -15, -5),
}


def round_dates(phase: str, now: datetime | None = None) -> dict[str, datetime]:
    """Dates that put a round in *phase* (results/delivery: after a closed vote)."""
    now = now or utcnow()
    key = "counting" if phase in ("results", "delivery") else phase
    return {
        name: now + offset * DAY
        for name, offset in zip(CALENDAR, PHASE_OFFSETS[key], strict=True)
    }


@pytest.fixture
def make_round(db, make_territory, make_theme) -> Callable[..., Round]:
    """A published, committed round in *phase*, one envelope per territory.

    Territories default to a new one, themes to two new ones; ``values`` set any
    other column (``grid_version_id``, ``min_cost``...).
    """
    numbers = itertools.count(1)

    def _make_round(
        phase: str = "submission",
        *,
        territories: list[Territory] | None = None,
        amount: Decimal = Decimal("10000.00"),
        themes: list[Theme] | None = None,
        published: bool = True,
        **values: Any,
    ) -> Round:
        n = next(numbers)
        now = utcnow()
        territories = territories if territories is not None else [make_territory()]
        fields: dict[str, Any] = {
            "title": f"Budget participatif {n}",
            "min_cost": Decimal("500.00"),
            "max_cost": Decimal("20000.00"),
            "rules_text": "Règlement : projets d'intérêt général.",
            "published_at": now - 100 * DAY if published else None,
            **round_dates(phase, now),
        }
        if phase in ("results", "delivery"):
            fields["results_published_at"] = now - DAY
        if phase == "delivery":
            fields["delivery_starts_at"] = now - DAY / 2
        fields.update(values)
        round_ = Round(**fields)
        round_.themes = themes if themes is not None else [make_theme(), make_theme()]
        round_.envelopes = [Envelope(territory=t, amount=amount) for t in territories]
        _db.session.add(round_)
        # Committed: a view that rolls back after a refused form must not take it away.
        _db.session.commit()
        return round_

    return _make_round


@pytest.fixture
def make_idea(db, make_user) -> Callable[..., Idea]:
    """A committed idea put straight into *state*, with consistent columns.

    No history: a test that needs one walks the workflow. The territory defaults to
    the round's first envelope, the author to a new resident of that territory.
    """
    numbers = itertools.count(1)

    def _make_idea(
        round_: Round,
        *,
        state: IdeaState = IdeaState.SUBMITTED,
        author: User | None = None,
        territory: Territory | None = None,
        themes: Iterable[Theme] = (),
        **values: Any,
    ) -> Idea:
        n = next(numbers)
        now = utcnow()
        territory_id = values.pop("territory_id", None) or (
            territory.id if territory is not None else round_.envelopes[0].territory_id
        )
        if "author_id" not in values:
            author = author or make_user(territory_id=territory_id)
            values["author_id"] = author.id
        fields: dict[str, Any] = {
            "round": round_,
            "territory_id": territory_id,
            "title": f"Idée {n}",
            "description": f"Description de l'idée {n}.",
            "place": "Square de la Conte",
            "estimated_cost": Decimal("3000.00"),
            "accepted_rules_at": now,
            "state": state,
        }
        if state is not IdeaState.DRAFT:
            fields["submitted_at"] = now
        if state in COSTED_STATES:
            fields["final_cost"] = Decimal("3000.00")
        if state is IdeaState.HIDDEN:
            fields["hidden_reason"] = "Propos injurieux."
        if state is IdeaState.MERGED and "merged_into" not in values:
            fields["merged_into"] = _make_idea(round_, territory_id=territory_id)
        if state is IdeaState.TRANSFERRED and "transfer_status" not in values:
            fields["transfer_service"] = "Voirie"
            fields["transfer_status"] = TransferStatus.SENT
        fields.update(values)
        idea = Idea(**fields)
        idea.themes = list(themes)
        _db.session.add(idea)
        _db.session.commit()
        return idea

    return _make_idea


@pytest.fixture
def make_relay(make_user) -> Callable[..., User]:
    """A relay attached to the QPV *territories* (where they may verify addresses)."""
    from participation.accounts.models import RelayTerritory

    def _make_relay(*territories: Territory, **values: Any) -> User:
        values.setdefault("roles", (Role.RELAY,))
        relay = make_user(**values)
        for territory in territories:
            _db.session.add(
                RelayTerritory(relay_id=relay.id, territory_id=territory.id)
            )
        _db.session.flush()
        return relay

    return _make_relay


@pytest.fixture(scope="session")
def pg_scratch_database() -> Iterator[Callable[[str], str]]:
    """Factory: a new empty PostgreSQL database ``<test db>_<suffix>``, dropped at exit.

    For what must not share the truncated test database (migrations, the live server).
    """
    created: list[str] = []

    def _make(suffix: str) -> str:
        if PG_URI is None:
            pytest.skip("PARTICIPATION_TEST_DATABASE_URI is not set")
        uri = pg_database_uri(PG_URI, suffix)
        create_pg_database(uri, replace=True)
        created.append(uri)
        return uri

    yield _make
    for uri in created:
        drop_pg_database(uri)


def shared_file(relative: str) -> Path:
    """Path of a file in ../shared/; skip (or fail in CI) when it is absent."""
    path = SHARED_DIR / relative
    if not path.exists():
        if os.environ.get("PARTICIPATION_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{path} is required (PARTICIPATION_REQUIRE_SHARED_DATA=1)")
        pytest.skip(f"{path} is absent: the shared test data is not beside this clone")
    return path


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tests about one database's internals run in that database's pass only:
    deselected (not skipped) in the other, like ``db_independent`` ones."""
    other = "sqlite_only" if PG_BASE_URI else "postgresql_only"
    dropped = [item for item in items if item.get_closest_marker(other)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker(other)]
