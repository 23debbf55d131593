"""Bench data and pages of the budget: the idea list with 10,000 ideas, an idea page.

Standalone: ``load_ideas(database_uri)`` fills a migrated database with one bench
round (five QPV, in review) and 10,000 submitted ideas with themes and a history
row each, in bulk, idempotently. ``URLS`` are the pages to load; ``paths(app)``
gives them concretely. Registering with the ``make bench`` harness takes one
module, ``bench/scenarios/budget.py``::

    from ..bench_ideas import register_scenarios

    register_scenarios()

Run alone: ``python -m bench.bench_ideas --uri sqlite:////tmp/b.sqlite [--count N]``
loads the ideas and prints the in-process timings of both pages (test client).
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from participation.core.runtime import settle_for_serving

#: Pages loaded by the benchmark: the public list (first page), the list filtered by
#: round, QPV, theme and state, and one idea.
URLS = (
    "/ideas",
    "/ideas?round={round_id}&qpv={territory_id}&theme={theme_id}&state=submitted",
    "/ideas/{idea_id}",
)
BENCH_TITLE = "Budget participatif — banc d'essai"
DEFAULT_COUNT = 10_000

_WORDS = (
    "jardin partagé",
    "aire de jeux",
    "bancs à l'ombre",
    "éclairage",
    "fresque",
    "city stade",
    "composteurs",
    "cours de français",
    "fête de quartier",
    "arceaux vélos",
    "boîte à livres",
    "tables de pique-nique",
)


def _app(database_uri: str) -> Any:
    from participation import create_app

    return create_app(
        {
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "OUTBOX_SEND_AFTER_COMMIT": False,
        }
    )


def load_into_current_app(count: int = DEFAULT_COUNT) -> dict[str, Any]:
    """Add the bench round and *count* ideas to the app's database (idempotent).

    Runs inside an app context. Returns the round id, the first idea id and how
    many ideas the round holds.
    """
    import sqlalchemy as sa

    from participation.accounts.models import User, UserRole
    from participation.accounts.states import Role
    from participation.budget.models import (
        Envelope,
        Idea,
        IdeaStateChange,
        Round,
        idea_theme,
    )
    from participation.budget.states import IdeaAction, IdeaState
    from participation.core.time import utcnow
    from participation.extensions import db
    from participation.territories.models import (
        Commune,
        Territory,
        TerritoryKind,
        Theme,
    )

    session = db.session
    round_ = session.scalar(sa.select(Round).where(Round.title == BENCH_TITLE))
    if round_ is not None:
        existing = session.scalar(
            sa.select(sa.func.count(Idea.id)).where(Idea.round_id == round_.id)
        )
        first = session.scalar(
            sa.select(sa.func.min(Idea.id)).where(Idea.round_id == round_.id)
        )
        return {
            "round_id": round_.id,
            "first_idea_id": first,
            "ideas": existing,
            "territory_id": round_.envelopes[0].territory_id,
            "theme_id": round_.themes[0].id,
        }

    now = utcnow()
    day = timedelta(days=1)
    territories = list(
        session.scalars(
            sa.select(Territory).where(Territory.kind == TerritoryKind.QPV).limit(5)
        )
    )
    if not territories:
        commune = Commune(insee_code="99999", name="Bench", population=10000)
        territories = [
            Territory(commune=commune, code=f"QNBENCH{i}", name=f"Bench QPV {i}")
            for i in range(5)
        ]
        session.add_all(territories)
    themes = list(session.scalars(sa.select(Theme).order_by(Theme.position).limit(6)))
    if not themes:
        themes = [
            Theme(code=f"bench_{i}", name=f"Bench {i}", position=i) for i in range(6)
        ]
        session.add_all(themes)
    author = User(pseudonym=f"bench-{secrets.token_hex(4)}")
    author.roles = [UserRole(role=Role.RESIDENT)]
    session.add(author)
    round_ = Round(
        title=BENCH_TITLE,
        submission_opens_at=now - 60 * day,
        submission_closes_at=now - 30 * day,
        review_closes_at=now + 10 * day,
        announcement_at=now + 20 * day,
        vote_opens_at=now + 30 * day,
        vote_closes_at=now + 40 * day,
        min_cost=Decimal("500"),
        max_cost=Decimal("20000"),
        published_at=now - 90 * day,
    )
    round_.themes = themes
    round_.envelopes = [
        Envelope(territory=t, amount=Decimal("10000")) for t in territories
    ]
    session.add(round_)
    session.flush()

    rng = random.Random(2027)  # noqa: S311 (bench data, not security)
    start_id = (session.scalar(sa.select(sa.func.max(Idea.id))) or 0) + 1
    idea_rows: list[dict[str, Any]] = []
    theme_rows: list[dict[str, Any]] = []
    history_rows: list[dict[str, Any]] = []
    states = (
        [IdeaState.SUBMITTED] * 6 + [IdeaState.IN_REVIEW] * 3 + [IdeaState.WITHDRAWN]
    )
    for n in range(count):
        idea_id = start_id + n
        state = rng.choice(states)
        submitted = now - (30 + n % 30) * day + timedelta(seconds=n)
        words = rng.choice(_WORDS)
        idea_rows.append(
            {
                "id": idea_id,
                "round_id": round_.id,
                "territory_id": territories[n % len(territories)].id,
                "title": f"Idée {n + 1} : {words}",
                "description": f"Proposition d'habitants : {words}, pour le quartier. "
                * 4,
                "place": "Place du marché",
                "estimated_cost": Decimal(rng.randrange(500, 15000)),
                "author_id": author.id,
                "accepted_rules_at": submitted,
                "state": state.value,
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted,
                "state_changed_at": submitted,
            }
        )
        for theme in rng.sample(themes, k=min(2, len(themes))):
            theme_rows.append({"idea_id": idea_id, "theme_id": theme.id})
        history_rows.append(
            {
                "idea_id": idea_id,
                "action": IdeaAction.SUBMIT.value,
                "from_state": IdeaState.DRAFT.value,
                "to_state": IdeaState.SUBMITTED.value,
                "changed_at": submitted,
            }
        )
    # Core inserts: executemany batches, no ORM unit of work for 10,000 rows.
    for start in range(0, count, 2000):
        session.execute(sa.insert(Idea.__table__), idea_rows[start : start + 2000])
    session.execute(sa.insert(idea_theme), theme_rows)
    session.execute(sa.insert(IdeaStateChange.__table__), history_rows)
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids were inserted: move the sequence past them.
        session.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('idea', 'id'),"
                " (SELECT MAX(id) FROM idea))"
            )
        )
    session.commit()
    return {
        "round_id": round_.id,
        "first_idea_id": start_id,
        "ideas": count,
        "territory_id": territories[0].id,
        "theme_id": themes[0].id,
    }


def load_ideas(database_uri: str, count: int = DEFAULT_COUNT) -> dict[str, Any]:
    """Load the bench round and *count* ideas into the database at *database_uri*."""
    app = _app(database_uri)
    with app.app_context():
        return load_into_current_app(count)


def paths(app: Any, count: int = DEFAULT_COUNT) -> list[str]:
    """The concrete URLS for *app*'s database, loading the ideas first if needed."""
    with app.app_context():
        loaded = load_into_current_app(count)
    return [
        url.format(
            idea_id=loaded["first_idea_id"],
            round_id=loaded["round_id"],
            territory_id=loaded["territory_id"],
            theme_id=loaded["theme_id"],
        )
        for url in URLS
    ]


def register_scenarios(count: int = DEFAULT_COUNT) -> None:
    """Register the pages with the ``make bench`` harness, over HTTP and in process.

    The in-process timings render without the page cache (``PAGE_CACHE_ENABLED``
    off): they are the cost of a first request or of a signed-in person's page.
    """
    from .harness import BenchContext, HttpScenario, PythonScenario, register

    def path_of(index: int) -> Any:
        return lambda app: paths(app, count)[index]

    def in_process(index: int) -> Any:
        def setup(context: BenchContext) -> Any:
            # A second app of the same configuration: the harness calls inside an
            # app context of its own app, which the test client would share across
            # requests (one database session, one ``g``); this one's requests each
            # get their own context, as in a served worker.
            app = context.create_app()
            app.config["PAGE_CACHE_ENABLED"] = False
            url = paths(app, count)[index]
            client = app.test_client()
            # As a served worker runs (participation/wsgi.py).
            settle_for_serving()

            def get() -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            return get

        return setup

    names = (
        ("idea-list", f"public idea list, first page, with {count:,} ideas"),
        ("idea-list-filtered", "the idea list filtered by round, QPV, theme, state"),
        ("idea-page", "one idea's public page"),
    )
    for index, (name, description) in enumerate(names):
        register(HttpScenario(name, description, path_of(index)))
    for index, (name, description) in enumerate(names):
        register(
            PythonScenario(
                f"{name}-in-process",
                f"{description}: rendered in process, uncached (test client)",
                in_process(index),
                needs_database=True,
            )
        )


def _time_in_process(app: Any, url: str, calls: int) -> dict[str, float]:
    client = app.test_client()
    assert client.get(url).status_code == 200
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    timings.sort()
    return {
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95) - 1] * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", required=True, help="database URI (migrated or empty)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--create-tables",
        action="store_true",
        help="create the schema first (no Alembic)",
    )
    args = parser.parse_args(argv)
    app = _app(args.uri)
    if args.create_tables:
        from participation.extensions import db

        with app.app_context():
            db.create_all()
    started = time.perf_counter()
    with app.app_context():
        loaded = load_into_current_app(args.count)
    print(f"loaded {loaded} in {time.perf_counter() - started:.1f} s")
    app.config["PAGE_CACHE_ENABLED"] = False
    settle_for_serving()  # as a served worker runs (participation/wsgi.py)
    for url in paths(app, args.count):
        print(url, _time_in_process(app, url, args.calls))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
