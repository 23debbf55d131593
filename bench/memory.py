"""Memory of a worker (``make bench`` line ``memory``): no leak over 50,000 requests.

One gunicorn worker (SQLite, the demo data) gets a steady mix of public pages,
cached and not (sign-in page, idea pages, lists, a few query strings), from 8
keep-alive connections. Its resident memory (``VmRSS``) is read after 1,000
requests and after 50,000; the goal is less than 20 % growth in between.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from pathlib import Path
from typing import Any

from .faults import _workers_of
from .harness import HOST, Result, Settings, gunicorn, prepare_database

FIRST, LAST = 1_000, 50_000


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as file:
        for line in file:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _paths(database_uri: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_uri, poolclass=sa.NullPool)
    with engine.connect() as connection:
        ideas = [
            row[0]
            for row in connection.execute(
                sa.text(
                    "SELECT id FROM idea WHERE submitted_at IS NOT NULL"
                    " ORDER BY id LIMIT 40"
                )
            )
        ]
        rounds = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT id FROM round WHERE published_at IS NOT NULL")
            )
        ]
    engine.dispose()
    paths = ["/", "/ideas", "/rounds", "/territories", "/votes", "/signin"]
    paths += [f"/ideas?page={n}" for n in range(2, 6)]
    paths += [f"/ideas?state=submitted&lang={code}" for code in ("fr", "en", "ar")]
    paths += [f"/ideas/{i}" for i in ideas] + [f"/rounds/{r}" for r in rounds]
    return paths


def run(settings: Settings, scratch: Path) -> list[Result]:
    context = prepare_database("sqlite", scratch / "memory")
    assert context.database_uri is not None
    paths = _paths(context.database_uri)
    one = Settings(**{**settings.__dict__, "workers": 1})
    log = scratch / "gunicorn-memory.log"
    figures: dict[str, Any] = {}
    with gunicorn("participation.wsgi:app", context.env, one, log) as url:
        port = int(url.rsplit(":", 1)[1])
        worker = _workers_of(port)[0]
        counter = itertools.count(1)
        lock = threading.Lock()
        errors = [0]
        marks: dict[int, int] = {}

        def client() -> None:
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            while True:
                with lock:
                    n = next(counter)
                if n > LAST:
                    break
                try:
                    connection.request("GET", paths[n % len(paths)])
                    response = connection.getresponse()
                    response.read()
                    if response.status >= 400:
                        errors[0] += 1
                except (OSError, http.client.HTTPException):
                    errors[0] += 1
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=60)
                if n in (FIRST, LAST):
                    with lock:
                        marks[n] = _rss_kib(worker)
            connection.close()

        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        marks[LAST] = _rss_kib(worker)
        figures = {"first": marks.get(FIRST, 0), "last": marks[LAST]}
    growth = (figures["last"] - figures["first"]) / figures["first"] * 100
    note = (
        f"worker RSS {figures['first'] / 1024:.1f} MiB after {FIRST:,},"
        f" {figures['last'] / 1024:.1f} MiB after {LAST:,} requests:"
        f" {growth:+.1f} % ({'OK' if growth < 20 else 'over 20 %'})"
    )
    print(f"  memory: {note}", flush=True)
    return [
        Result(
            "memory",
            "memory",
            "sqlite",
            f"{LAST:,} requests, 1 worker",
            0,
            0,
            0,
            0,
            requests=LAST,
            errors=errors[0],
            note=note,
        )
    ]


def register_scenarios() -> None:
    from .harness import ReportScenario, register

    register(
        ReportScenario(
            "memory", "resident memory of a worker after 1,000 and 50,000", run
        )
    )
