"""Past one machine (``make scale``): two app servers, one PostgreSQL, one Redis.

Starts a Redis of its own (``redis-server`` on a free port), migrates and seeds the
PostgreSQL bench database, serves the app with **two gunicorn instances on two
ports** configured like two machines of a city (``CACHE_REDIS_URL`` for the page
cache and the data version, ``RATELIMIT_STORAGE_URI`` for the rate-limit counters,
the same ``SECRET_KEY`` for the signed-cookie sessions, nothing else shared), then:

1. loads both at once with wrk (home and idea list) and prints the figures;
2. checks the page cache across servers: a page cached on both, a write committed
   by another process of the same configuration (as server A would), and server B
   serves the new page on the very next request;
3. checks the rate limit across servers: wrong sign-ins sent in turn to A and B are
   counted together (the 11th in a minute is refused whichever server gets it).

Run: ``make scale`` (or ``python -m bench.scale --duration 10``).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .harness import (
    HOST,
    ROOT,
    WRK_REPORT_LUA,
    Result,
    Settings,
    _environment,
    _free_port,
    format_table,
    gunicorn,
    prepare_database,
    wrk,
)


@contextlib.contextmanager
def redis_server(scratch: Path) -> Iterator[str]:
    """A throw-away Redis on a free local port; yields its URL base."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is missing (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (our own arguments)
        [binary, "--port", str(port), "--bind", HOST, "--save", "", "--dir", scratch],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host=HOST, port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://{HOST}:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str, Any]:
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def _post(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str]) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(  # noqa: S310 (a local URL)
        url, data=body, headers={"Referer": url}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def check_cache_across(
    servers: list[str], env: dict[str, str], round_id: int
) -> dict[str, Any]:
    """Cache a round page on both servers, write elsewhere, read from each at once."""
    import sqlalchemy as sa

    from participation import create_app
    from participation.budget.models import Round
    from participation.extensions import db

    visitor = urllib.request.build_opener()
    path = f"/rounds/{round_id}"
    before = []
    for base in servers:
        _get(visitor, base + path)
        status, _body, headers = _get(visitor, base + path)
        before.append(headers.get("X-Page-Cache"))
    title = f"Budget participatif — vérifié {time.time():.0f}"
    with _environment(env):
        app = create_app()
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.id == round_id))
        assert round_ is not None
        old_title = round_.title
        round_.title = title
        db.session.commit()
    after = []
    for base in servers:
        status, body, headers = _get(visitor, base + path)
        after.append((status, headers.get("X-Page-Cache"), title in body))
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_ is not None
        round_.title = old_title
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    fresh = all(found for _status, _cache, found in after)
    return {"cached_before": before, "after_write": after, "ok": fresh}


#: Wrong sign-ins a minute both servers allow for the check (the default limit,
#: 30 per 10 minutes, would need more attempts than the check makes).
SIGNIN_LIMIT_PER_MINUTE = 10
SIGNIN_LIMIT = f"{SIGNIN_LIMIT_PER_MINUTE} per minute"


def check_rate_limit_across(
    servers: list[str], attempts: int = SIGNIN_LIMIT_PER_MINUTE + 2
) -> dict[str, Any]:
    """Wrong sign-ins in turn on each server: one shared counter refuses the one
    past the limit, whichever server gets it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    statuses = []
    for n in range(attempts):
        base = servers[n % len(servers)]
        _status, body, _headers = _get(opener, base + "/signin")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        token = match.group(1) if match else ""
        statuses.append(
            _post(
                opener,
                base + "/signin",
                {
                    "csrf_token": token,
                    "identifier": "nobody-at-all",
                    "password": "wrong password",
                },
            )
        )
    refused = [i + 1 for i, status in enumerate(statuses) if status == 429]
    return {
        "statuses": statuses,
        "first_refused": refused[0] if refused else None,
        "ok": bool(refused) and refused[0] == SIGNIN_LIMIT_PER_MINUTE + 1,
    }


def run(args: argparse.Namespace) -> int:
    settings = Settings(
        connections=args.connections,
        duration_s=args.duration,
        warmup_s=args.warmup,
        workers=args.workers,
        worker_class="gthread",
        threads=args.threads,
        wrk_threads=1,
        databases=["postgresql"],
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="participation-scale-") as name:
        scratch = Path(name)
        script = scratch / "report.lua"
        script.write_text(WRK_REPORT_LUA)
        with redis_server(scratch) as redis_url:
            context = prepare_database("postgresql", scratch)
            env = {
                **context.env,
                "PARTICIPATION_CACHE_REDIS_URL": f"{redis_url}/0",
                "PARTICIPATION_RATELIMIT_STORAGE_URI": f"{redis_url}/1",
                "PARTICIPATION_RATELIMIT_SIGNIN": SIGNIN_LIMIT,
                # Plain HTTP here: the sign-in checks need the session cookie back.
                "PARTICIPATION_SESSION_COOKIE_SECURE": "false",
            }
            import sqlalchemy as sa

            engine = sa.create_engine(str(context.database_uri), poolclass=sa.NullPool)
            with engine.connect() as connection:
                round_id = int(
                    connection.scalar(
                        sa.text(
                            "SELECT min(id) FROM round WHERE published_at IS NOT NULL"
                        )
                    )
                )
            engine.dispose()
            with contextlib.ExitStack() as stack:
                servers = [
                    stack.enter_context(
                        gunicorn(
                            "participation.wsgi:app",
                            env,
                            settings,
                            scratch / f"gunicorn-{n}.log",
                        )
                    )
                    for n in ("a", "b")
                ]
                print(f"servers: {servers}, redis: {redis_url}", flush=True)
                for path in ("/", "/ideas", f"/rounds/{round_id}"):
                    reports: dict[str, dict[str, Any]] = {}

                    def load(url: str, base: str, into: dict[str, Any]) -> None:
                        into[base] = wrk(
                            url,
                            settings,
                            duration_s=settings.duration_s,
                            script=script,
                        )

                    for base in servers:  # warm: the first renders fill the cache
                        wrk(
                            base + path,
                            settings,
                            duration_s=settings.warmup_s,
                            script=None,
                        )
                    threads = [
                        threading.Thread(target=load, args=(base + path, base, reports))
                        for base in servers
                    ]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                    for n, base in enumerate(servers):
                        report = reports[base]
                        seconds = report["duration_us"] / 1e6
                        results.append(
                            Result(
                                f"scale-{'ab'[n]}",
                                "http",
                                "postgresql",
                                path,
                                report["requests"] / seconds,
                                report["p50_us"] / 1000,
                                report["p95_us"] / 1000,
                                report["p99_us"] / 1000,
                                requests=report["requests"],
                                errors=report["errors"] + report["non_2xx_3xx"],
                                note=f"both servers loaded at once ({base})",
                            )
                        )
                    print(f"  {path}: done", flush=True)
                cache = check_cache_across(servers, env, round_id)
                limits = check_rate_limit_across(servers)
    print()
    print(format_table(results))
    print()
    total = {}
    for result in results:
        total[result.target] = total.get(result.target, 0.0) + result.requests_per_s
    for path, rate in total.items():
        print(f"both servers together on {path}: {rate:,.0f} req/s")
    print(
        "cache across servers:",
        "OK" if cache["ok"] else "STALE",
        f"(cached before: {cache['cached_before']},"
        f" after the write: {cache['after_write']})",
    )
    print(
        "rate limit across servers:",
        "OK" if limits["ok"] else "NOT SHARED",
        f"(statuses {limits['statuses']}, first refused: {limits['first_refused']})",
    )
    return 0 if cache["ok"] and limits["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["ROOT", "main"]
