"""Migrations: an empty database upgrades to head, matches the models, downgrades.

Runs on a SQLite file, and on a scratch PostgreSQL database when
PARTICIPATION_TEST_DATABASE_URI is set (never the truncated test database).
Autogenerate does not compare CHECK constraints, so they are compared here by name
(and by text on SQLite, which keeps it verbatim).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from participation import PROJECT_ROOT, create_app
from participation.extensions import db

PG_ENV = "PARTICIPATION_TEST_DATABASE_URI"
#: Same comparison options as migrations/env.py uses for autogenerate.
COMPARE_OPTIONS = {"compare_type": True, "compare_server_default": True}


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """env.py runs logging.config.fileConfig(alembic.ini); undo it after each test."""
    names = ("", "alembic", "flask_migrate", "sqlalchemy.engine")
    saved = {
        name: (logging.getLogger(name).level, logging.getLogger(name).handlers[:])
        for name in names
    }
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


#: SQLite always; PostgreSQL too when configured (no skipped test either way).
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])


@pytest.fixture(params=DATABASES)
def database_uri(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    pg_scratch_database: Callable[[str], str],
) -> str:
    if request.param == "postgresql":
        return pg_scratch_database("migr")
    return f"sqlite:///{tmp_path / 'migrations.sqlite'}"


@contextmanager
def app_on_empty_database(uri: str, instance: Path) -> Iterator[Flask]:
    """The app on an empty database: no create_all(), only migrations build it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTICIPATION_INSTANCE_PATH", str(instance))
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": uri}
        )
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def empty_app(database_uri: str, tmp_path: Path) -> Iterator[Flask]:
    with app_on_empty_database(database_uri, tmp_path / "instance") as app:
        yield app


def _normalise(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _model_checks() -> dict[tuple[str, str], str]:
    checks: dict[tuple[str, str], str] = {}
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                assert isinstance(constraint.name, str), (
                    f"unnamed CHECK on {table.name}"
                )
                text = str(constraint.sqltext.compile(dialect=db.engine.dialect))
                checks[(table.name, constraint.name)] = _normalise(text)
    return checks


def _database_checks(connection: sa.Connection) -> dict[tuple[str, str], str]:
    inspector = sa.inspect(connection)
    return {
        (table, check["name"]): _normalise(check["sqltext"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }


def schema_drift(connection: sa.Connection) -> list[Any]:
    """What differs between the migrated database and the models (empty: no drift)."""
    context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
    diff: list[Any] = list(compare_metadata(context, db.metadata))
    model_checks = _model_checks()
    database_checks = _database_checks(connection)
    for key in sorted(model_checks.keys() - database_checks.keys()):
        diff.append(("missing CHECK in migrations", *key))
    for key in sorted(database_checks.keys() - model_checks.keys()):
        diff.append(("CHECK absent from the models", *key))
    if connection.dialect.name == "sqlite":  # PostgreSQL rewrites the expression
        for key in sorted(model_checks.keys() & database_checks.keys()):
            if model_checks[key] != database_checks[key]:
                diff.append(("CHECK text differs", *key, database_checks[key]))
    return diff


def describe(change: Any) -> str:
    """One short line per difference (compare_metadata's reprs run to pages)."""
    if isinstance(change, list):  # modify_* operations on one column come grouped
        return "; ".join(describe(item) for item in change)
    if not isinstance(change, tuple) or not change:
        return repr(change)[:200]
    operation, *rest = change
    if operation.startswith("modify_"):
        _schema, table, column, _existing, old, new = rest
        return f"{operation} {table}.{column}: {old!r} -> {new!r}"
    if operation in ("add_column", "remove_column"):
        _schema, table, column = rest
        return f"{operation} {table}.{column.name}"
    target = rest[0] if rest else None
    name = getattr(target, "name", None)
    table = getattr(getattr(target, "table", None), "name", None)
    if name is not None:
        return f"{operation} {table + '.' if table else ''}{name}"
    return " ".join(str(part) for part in change)[:200]


def test_migrations_have_a_single_head():
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))

    heads = script.get_heads()

    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_upgrade_matches_the_models_and_downgrades_to_base(empty_app: Flask):
    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        drift = schema_drift(connection)
        tables = set(sa.inspect(connection).get_table_names())
    assert not drift, "models and migrations differ; add a revision:\n" + "\n".join(
        map(describe, drift)
    )
    assert set(db.metadata.tables) <= tables
    assert installed_triggers() == expected_triggers(), "voting guards missing"

    flask_migrate.downgrade(revision="base")

    with db.engine.connect() as connection:
        left = set(sa.inspect(connection).get_table_names())
    assert left <= {"alembic_version"}, f"downgrade left tables behind: {left}"


def test_migrated_sqlite_keeps_foreign_keys_on(tmp_path: Path):
    """env.py turns foreign keys off for batch mode, then on again for the pool."""
    uri = f"sqlite:///{tmp_path / 'fk.sqlite'}"
    with app_on_empty_database(uri, tmp_path / "instance"):
        flask_migrate.upgrade()

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def installed_triggers() -> set[str]:
    """Names of the triggers in the database (the voting guards live there)."""
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = (
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
    with db.engine.connect() as connection:
        return set(connection.scalars(sa.text(query)))


def expected_triggers() -> set[str]:
    from participation.voting.models import TRIGGERS

    statements = TRIGGERS[db.engine.dialect.name]
    return {s.split()[2] for s in statements if s.startswith("CREATE TRIGGER")}
