"""Alembic environment: runs against the app's engine, batch mode for SQLite."""

import logging
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from flask import current_app
from sqlalchemy.types import TypeDecorator

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine() -> Any:
    # Flask-SQLAlchemy 3: db.engine (db.get_engine() is deprecated and warns).
    return current_app.extensions["migrate"].db.engine


target_db = current_app.extensions["migrate"].db


def get_metadata() -> Any:
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our own column types (UTCDateTime, ...) as their plain SQLAlchemy type.

    Revisions must never import the app: its code changes, a revision must not.
    """
    if (
        type_ == "type"
        and isinstance(obj, TypeDecorator)
        and type(obj).__module__.startswith("participation.")
    ):
        return f"sa.{obj.impl!r}"
    if type_ == "server_default" and isinstance(obj, sa.DefaultClause):
        # Autogenerate compiles expressions for the dialect it runs on (SQLite): keep
        # portable ones portable, or sa.false() becomes '0', an error on PostgreSQL.
        if isinstance(obj.arg, sa.sql.elements.True_):
            return "sa.true()"
        if isinstance(obj.arg, sa.sql.elements.False_):
            return "sa.false()"
        if (
            isinstance(obj.arg, sa.sql.functions.FunctionElement)
            and not obj.arg.clauses
        ):
            return f"sa.func.{obj.arg.name}()"
    return False


def run_migrations_offline() -> None:
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(
        context: Any, revision: Any, directives: Any
    ) -> None:
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    # Flask-Migrate passes compare_type and render_as_batch itself: set, never repeat.
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    conf_args["compare_type"] = True
    # Off by default in Alembic: without it a changed server_default is no drift.
    conf_args["compare_server_default"] = True
    connectable = get_engine()
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode recreates a table and drops the old copy; with foreign keys
            # on, that DROP would cascade deletes into child tables. Checked at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        # Batch mode (copy-and-move tables) only where ALTER is too weak: SQLite.
        conf_args["render_as_batch"] = sqlite
        context.configure(
            connection=connection, target_metadata=get_metadata(), **conf_args
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(
                    f"foreign keys broken by the migration: {broken[:10]}"
                )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
