"""Migrations: an empty database upgrades to head, matches the models, downgrades;
a populated database at the previous head upgrades and keeps its rows.

Runs on a SQLite file, and on a scratch PostgreSQL database when
PARTICIPATION_TEST_DATABASE_URI is set (never the truncated test database).
Autogenerate does not compare CHECK constraints, so they are compared here by name
(and by text on SQLite, which keeps it verbatim). Nor does it see triggers: their
SQL (and on PostgreSQL their functions' SQL) is compared with what the models
install on a database built by ``create_all()``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
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
from tests.conftest import create_pg_database, drop_pg_database

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
    migrated = trigger_definitions()
    assert migrated, "the voting guards are missing"
    assert migrated == model_trigger_definitions(), "triggers differ from the models"

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


def trigger_definitions(engine: sa.Engine | None = None) -> dict[str, str]:
    """Every trigger of the database with its SQL (on PostgreSQL: and its function)."""
    engine = engine or db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(
                sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            )
            return {name: _normalise(sql) for name, sql in rows}
        rows = connection.execute(
            sa.text(
                "SELECT t.tgname, pg_get_triggerdef(t.oid), pg_get_functiondef(p.oid)"
                " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
        )
        return {
            name: _normalise(trigger) + " || " + _normalise(function)
            for name, trigger, function in rows
        }


def model_trigger_definitions() -> dict[str, str]:
    """The triggers the models install (``create_all``) on a scratch database."""
    uri = db.engine.url.render_as_string(hide_password=False)
    if db.engine.dialect.name == "sqlite":
        scratch = sa.create_engine("sqlite://")
    else:
        scratch_uri = uri.rsplit("/", 1)[0] + "/" + db.engine.url.database + "_models"
        create_pg_database(scratch_uri, replace=True)
        scratch = sa.create_engine(scratch_uri)
    try:
        db.metadata.create_all(scratch)
        return trigger_definitions(scratch)
    finally:
        scratch.dispose()
        if db.engine.dialect.name != "sqlite":
            drop_pg_database(scratch_uri)


def test_trigger_comparison_sees_a_changed_trigger(empty_app: Flask):
    """The comparison above can fail: a guard replaced by a weaker one is reported."""
    flask_migrate.upgrade()
    before = trigger_definitions()
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER trg_ballot_update")
            connection.exec_driver_sql(
                "CREATE TRIGGER trg_ballot_update BEFORE UPDATE ON ballot"
                " FOR EACH ROW WHEN 1 = 0 BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION voting_refuse() RETURNS trigger"
                " LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
            )

    after = trigger_definitions()

    assert after.keys() == before.keys()
    assert after != before
    assert after != model_trigger_definitions()


# ---------------------------------------------------------------------------
# Upgrading a populated database
# ---------------------------------------------------------------------------


def _previous_head() -> str:
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    head = script.get_revision(script.get_current_head())
    assert head is not None
    assert isinstance(head.down_revision, str), "the head has no single parent"
    return head.down_revision


#: Values that satisfy the CHECK constraints of the tables the demo leaves empty.
FILL_VALUES: dict[str, dict[str, Any]] = {
    "paper_resolution": {"mark": "blank", "choices": ""},
}


def _fill_empty_tables(connection: sa.Connection) -> None:
    """Give a row to each table the demo leaves empty (reflected, generic values).

    The demo should fill every table; this covers the few it has no story for.
    """
    metadata = sa.MetaData()
    metadata.reflect(connection)
    for table in metadata.sorted_tables:
        if table.name == "alembic_version" or connection.scalar(
            sa.select(sa.func.count()).select_from(table)
        ):
            continue
        row: dict[str, Any] = dict(FILL_VALUES.get(table.name, {}))
        for column in table.columns:
            if column.name in row:
                continue
            foreign = next(iter(column.foreign_keys), None)
            if foreign is not None:
                target = foreign.column
                row[column.name] = connection.scalar(
                    sa.select(target).order_by(target).limit(1)
                )
            elif column.primary_key and isinstance(column.type, sa.Integer):
                continue
            elif column.nullable:
                row[column.name] = None
            elif isinstance(column.type, sa.Boolean):
                row[column.name] = False
            elif isinstance(column.type, sa.Integer | sa.Numeric):
                row[column.name] = 1
            elif isinstance(column.type, sa.String | sa.Text):
                row[column.name] = "1"
            elif isinstance(column.type, sa.DateTime):
                row[column.name] = datetime(2026, 1, 1, tzinfo=UTC)
            elif isinstance(column.type, sa.Date):
                row[column.name] = date(2026, 1, 1)
            else:
                raise AssertionError(
                    f"cannot fill {table.name}.{column.name}: add rows in the demo"
                )
        connection.execute(table.insert().values(**row))


def _columns(connection: sa.Connection) -> dict[str, list[str]]:
    inspector = sa.inspect(connection)
    return {
        name: sorted(column["name"] for column in inspector.get_columns(name))
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }


def _snapshot(
    connection: sa.Connection, columns: dict[str, list[str]]
) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row (by primary key) of the given columns.

    Only the columns that existed before count: a revision may add columns.
    """
    metadata = sa.MetaData()
    metadata.reflect(connection)
    out: dict[str, tuple[int, str]] = {}
    for name, names in columns.items():
        table = metadata.tables[name]
        order = list(table.primary_key.columns) or [table.c[n] for n in names]
        query = sa.select(*(table.c[n] for n in names)).order_by(*order)
        rows = connection.execute(query).mappings().all()
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(sorted((k, str(v)) for k, v in row.items())).encode())
        out[table.name] = (len(rows), digest.hexdigest())
    return out


def test_a_populated_database_at_the_previous_head_upgrades_and_keeps_its_rows(
    empty_app: Flask,
):
    from participation.demo import load_demo

    flask_migrate.upgrade()
    assert load_demo()
    db.session.remove()
    previous = _previous_head()
    flask_migrate.downgrade(revision=previous)
    with db.engine.begin() as connection:
        _fill_empty_tables(connection)
        columns = _columns(connection)
        before = _snapshot(connection, columns)
    empty = sorted(name for name, (count, _) in before.items() if count == 0)
    assert not empty, f"tables without rows at {previous}: {empty}"

    flask_migrate.upgrade()

    with db.engine.connect() as connection:
        kept = set(sa.inspect(connection).get_table_names())
        after = _snapshot(connection, {t: c for t, c in columns.items() if t in kept})
    lost = {
        name: (before[name], after.get(name))
        for name in before
        if after.get(name) != before[name]
    }
    assert not lost, f"rows changed or lost by the upgrade from {previous}: {lost}"
    assert trigger_definitions() == model_trigger_definitions()
