"""Revision b2e3f4a50003: results counted before it get their history back.

Upgrades a database holding a published and a computed result (written at the
previous head, in raw SQL: the baseline's schema never changes) and checks the
history rows made from the dates and people stored on the results.
"""

from __future__ import annotations

from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from participation.extensions import db
from participation.voting.states import ResultAction, ResultState
from tests.test_migrations import (  # _keep_logging: an autouse fixture, used here too
    DATABASES,
    _keep_logging,  # noqa: F401
    app_on_empty_database,
)

REVISION = "b2e3f4a50003"
BASELINE = "7b3741c4526c"

_ROWS = [
    "INSERT INTO commune (id, insee_code, name) VALUES (1, '11069', 'Carcassonne')",
    "INSERT INTO territory (id, commune_id, kind, name, is_active)"
    " VALUES (1, 1, 'outside', 'Hors QPV', true), (2, 1, 'outside', 'Autre', true)",
    'INSERT INTO "user" (id, pseudonym, locale, created_at, is_active, is_managed,'
    " security_stamp) VALUES (1, 'agent', 'fr', :at, true, false, 1)",
    "INSERT INTO round (id, title, description, rules_text, submission_opens_at,"
    " submission_closes_at, review_closes_at, announcement_at, vote_opens_at,"
    " vote_closes_at, min_cost, max_cost, is_carry_over_enabled, created_at,"
    " updated_at, published_at) VALUES (1, 'Budget 2025', '', '', '2025-01-01',"
    " '2025-02-01', '2025-03-01', '2025-04-01', '2025-05-01', '2025-05-31', 0, 1000,"
    " false, :at, :at, '2024-12-01')",
    "INSERT INTO envelope (id, round_id, territory_id, amount, carried_over_in,"
    " is_carry_over_final) VALUES (1, 1, 1, 1000, 0, false), (2, 1, 2, 500, 0, false)",
]
_RESULT = (
    "INSERT INTO vote_result (id, envelope_id, state, rule, params, tie_break,"
    " engine_version, budget, allocated, amount_left, num_ballots, num_sign_ins,"
    " participation, support, winners, trace, ballot_set_hash, receipt_hashes,"
    " computed_at, certified_at, certified_by_id, published_at, published_by_id)"
    " VALUES (:id, :envelope, :state, 'greedy', '{}', 'support-cost-order', '1.0',"
    " 1000, 0, 1000, 0, 0, '{}', '{}', '[]', '[]', :hash, '[]', :at, :certified,"
    " :by, :published, :by)"
)


def _populate_baseline(connection: sa.Connection) -> None:
    at = "2025-06-01 10:00:00"
    for statement in _ROWS:
        connection.execute(sa.text(statement), {"at": at})
    connection.execute(
        sa.text(_RESULT),
        [
            {
                "id": 1,
                "envelope": 1,
                "state": "published",
                "hash": "a" * 64,
                "at": at,
                "certified": "2025-06-02 10:00:00",
                "published": "2025-06-03 10:00:00",
                "by": 1,
            },
            {
                "id": 2,
                "envelope": 2,
                "state": "computed",
                "hash": "b" * 64,
                "at": at,
                "certified": None,
                "published": None,
                "by": None,
            },
        ],
    )


def _history(connection: sa.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for row in connection.execute(
            sa.text(
                "SELECT result_id, action, from_state, to_state, actor_id"
                " FROM vote_result_state_change ORDER BY id"
            )
        )
    ]


def _check(app: Flask) -> None:
    flask_migrate.upgrade(revision=BASELINE)
    with db.engine.begin() as connection:
        _populate_baseline(connection)

    flask_migrate.upgrade(revision=REVISION)

    with db.engine.connect() as connection:
        assert _history(connection) == [
            (1, ResultAction.CERTIFY, ResultState.COMPUTED, ResultState.CERTIFIED, 1),
            (1, ResultAction.PUBLISH, ResultState.CERTIFIED, ResultState.PUBLISHED, 1),
        ]
    flask_migrate.downgrade(revision=BASELINE)
    with db.engine.connect() as connection:
        assert (
            "vote_result_state_change" not in sa.inspect(connection).get_table_names()
        )
        assert connection.scalar(sa.text("SELECT count(*) FROM vote_result")) == 2


@pytest.fixture(params=DATABASES)
def database(
    request: pytest.FixtureRequest, tmp_path: Path, pg_scratch_database
) -> str:
    if request.param == "postgresql":
        return str(pg_scratch_database("hist"))
    return f"sqlite:///{tmp_path / 'history.sqlite'}"


def test_upgrade_gives_existing_results_their_history(database: str, tmp_path: Path):
    with app_on_empty_database(database, tmp_path / "instance") as app:
        _check(app)
