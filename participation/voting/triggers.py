"""Guards of the voting tables: the last line of defence behind the services.

Triggers refuse to change vote rules once frozen, a ballot or a choice ever, or to add
or remove a ballot (or remove a choice) once the envelope's result is published. They
are created with the tables (create_all, :func:`install_triggers` is registered in
:mod:`.models`); an Alembic revision must execute the same statements.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

_PUBLISHED = (
    "EXISTS (SELECT 1 FROM vote_result r WHERE r.envelope_id = {envelope}"
    " AND r.state = 'published')"
)
_CHOICE_PUBLISHED = (
    "EXISTS (SELECT 1 FROM ballot b JOIN vote_result r ON r.envelope_id = b.envelope_id"
    " WHERE b.id = {ballot} AND r.state = 'published')"
)

#: (name, table, timing/event, condition, message) of each guard.
_GUARDS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "vote_rules_frozen",
        "vote_rules",
        "UPDATE",
        "OLD.frozen_at IS NOT NULL",
        "vote rules are frozen once the first ballot is cast",
    ),
    (
        "vote_result_published_update",
        "vote_result",
        "UPDATE",
        "OLD.state = 'published'",
        "a published result cannot change",
    ),
    (
        "vote_result_published_delete",
        "vote_result",
        "DELETE",
        "OLD.state = 'published'",
        "a published result cannot be deleted",
    ),
    ("ballot_update", "ballot", "UPDATE", "1 = 1", "a ballot is final"),
    (
        "ballot_insert_published",
        "ballot",
        "INSERT",
        _PUBLISHED.format(envelope="NEW.envelope_id"),
        "the result of this envelope is published",
    ),
    (
        "ballot_delete_published",
        "ballot",
        "DELETE",
        _PUBLISHED.format(envelope="OLD.envelope_id"),
        "the result of this envelope is published",
    ),
    ("ballot_choice_update", "ballot_choice", "UPDATE", "1 = 1", "a ballot is final"),
    (
        "ballot_choice_delete_published",
        "ballot_choice",
        "DELETE",
        _CHOICE_PUBLISHED.format(ballot="OLD.ballot_id"),
        "the result of this envelope is published",
    ),
)


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table} FOR EACH ROW"
        f" WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for name, table, event, condition, message in _GUARDS
    ]


def _postgresql_triggers() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION voting_refuse() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN"
        " RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'check_violation';"
        " END $$"
    ]
    for name, table, event, condition, message in _GUARDS:
        # PostgreSQL forbids subqueries in a trigger's WHEN: those go in a wrapper.
        if "SELECT" in condition:
            function = f"voting_guard_{name}"
            row = "OLD" if event == "DELETE" else "NEW"
            statements.append(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger"
                f" LANGUAGE plpgsql AS $$ BEGIN IF {condition} THEN"
                f" RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';"
                f" END IF; RETURN {row}; END $$"
            )
            statements.append(
                f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        else:
            statements.append(
                f"CREATE TRIGGER trg_{name} BEFORE {event} ON {table}"
                f" FOR EACH ROW WHEN ({condition})"
                f" EXECUTE FUNCTION voting_refuse('{message}')"
            )
    return statements


#: Statements creating the guards, per dialect (for the Alembic revision too).
TRIGGERS: dict[str, list[str]] = {
    "sqlite": _sqlite_triggers(),
    "postgresql": _postgresql_triggers(),
}
#: Statements dropping them (the revision's downgrade).
DROP_TRIGGERS: dict[str, list[str]] = {
    "sqlite": [f"DROP TRIGGER IF EXISTS trg_{g[0]}" for g in _GUARDS],
    "postgresql": [f"DROP TRIGGER IF EXISTS trg_{g[0]} ON {g[1]}" for g in _GUARDS]
    + [
        f"DROP FUNCTION IF EXISTS voting_guard_{g[0]}()"
        for g in _GUARDS
        if "SELECT" in g[3]
    ]
    + ["DROP FUNCTION IF EXISTS voting_refuse()"],
}


def install_triggers(target: sa.MetaData, connection: sa.Connection, **kw: Any) -> None:
    created = {table.name for table in kw.get("tables") or target.sorted_tables}
    if not {g[1] for g in _GUARDS} <= created:
        return  # a partial create_all: the guarded tables were not all made now
    for statement in TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
