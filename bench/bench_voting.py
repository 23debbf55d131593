"""Benchmarks of the vote: (b) importing Łódź 2022, (c) ballots cast over HTTP.

(b) ``import``: parse and import ``Poland_Lodz_2022.pb`` (90,494 voters, 160 projects)
into a fresh SQLite file (``flask voting import-pb`` minus the command line), as one
transaction. The goal of issue 4: under 10 s. CPU seconds are given beside the wall
clock (on a shared machine the wall clock counts other processes too).

(c) ``casting``: a round in its vote week on the PostgreSQL database
``participation_bench`` (``PARTICIPATION_BENCH_DATABASE_URI``), with N verified voters
already signed in (session cookies and CSRF tokens made with the app's own secret, so
that no password hashing is measured), served by gunicorn like the harness does. C
concurrent clients each POST one confirmation per voter (the real form: CSRF token,
choices, review token) and follow nothing else. Reported: ballots per second, p50 and
p95 latency, the same client against the bare Flask endpoint (``bench/hello.py``) and
the ratio, the CPU time that sealing one ballot takes (the same ballots sealed in
the bench process) and the share of the server's CPU it is at the measured rate,
then a check that sign-ins = ballots = voters in the database.

Run alone::

    python -m bench.bench_voting import [--file PATH]
    python -m bench.bench_voting casting [--voters 2000] [--concurrency 16]

Registering with the ``make bench`` harness takes one module,
``bench/scenarios/voting.py``::

    from ..bench_voting import register_scenarios

    register_scenarios()

which adds ``voting-import-lodz`` (a PythonScenario timing one import) and
``voting-cast-http`` (a PythonScenario whose single call runs the whole casting
benchmark and prints its report; its own figures are in that report).
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LODZ = ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"
GOAL_IMPORT_SECONDS = 10.0
DEFAULT_PG_URI = (
    "postgresql+psycopg://participation:participation@127.0.0.1/participation_bench"
)
CORES = os.cpu_count() or 1
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 - a bench-only key


# --------------------------------------------------------------------------- import


def run_import(path: Path = LODZ) -> dict[str, Any]:
    """Import *path* into a new SQLite file; return the timings and counts."""
    import sqlalchemy as sa

    from participation import create_app
    from participation.extensions import db
    from participation.voting import archive, pabulib
    from participation.voting.models import Ballot, BallotChoice

    with tempfile.TemporaryDirectory(prefix="bench-voting-") as scratch:
        app = create_app(
            {
                "SECRET_KEY": SECRET,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/import.sqlite",
            }
        )
        with app.app_context():
            db.create_all()
            wall, cpu = time.perf_counter(), time.process_time()
            election = pabulib.read(path)
            parsed_wall = time.perf_counter() - wall
            report = archive.import_election(election)
            db.session.commit()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
            choices = db.session.scalar(
                sa.select(sa.func.count()).select_from(BallotChoice)
            )
            db.session.remove()
            db.engine.dispose()
    return {
        "file": path.name,
        "voters": len(election.votes),
        "ballots": ballots,
        "choices": choices,
        "winners": len(report.winners),
        "matches_file": report.file_selected is None
        or set(report.file_selected) == set(report.winners),
        "parse_s": round(parsed_wall, 3),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "goal_s": GOAL_IMPORT_SECONDS,
        "ok": wall < GOAL_IMPORT_SECONDS,
    }


# -------------------------------------------------------------------------- casting


def _prepare_casting(
    uri: str, voters: int
) -> tuple[int, list[int], list[tuple[str, str, str]]]:
    """A round in its vote week with *voters* verified voters; their cookies + CSRF."""
    from datetime import timedelta
    from decimal import Decimal

    import sqlalchemy as sa
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from participation import create_app
    from participation.accounts.models import ResidentVerification, User, UserRole
    from participation.accounts.states import Role, VerificationMethod
    from participation.budget.models import Envelope, Idea, Round
    from participation.budget.states import IdeaState
    from participation.core.actors import SYSTEM
    from participation.core.time import utcnow
    from participation.extensions import db
    from participation.territories.models import Commune, Territory
    from participation.voting import services
    from participation.voting.states import BallotType

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        with db.engine.begin() as connection:
            tables = sa.inspect(connection).get_table_names()
            if tables:
                names = ", ".join(f'"{t}"' for t in tables)
                connection.exec_driver_sql(f"DROP TABLE {names} CASCADE")
        db.create_all()
        now = utcnow()
        day = timedelta(days=1)
        commune = Commune(insee_code="11069", name="Carcassonne")
        territory = Territory(commune=commune, code="QN01101M", name="Bastide")
        round_ = Round(
            title="Banc d'essai du vote",
            min_cost=Decimal("100"),
            max_cost=Decimal("20000"),
            published_at=now - 60 * day,
            submission_opens_at=now - 50 * day,
            submission_closes_at=now - 40 * day,
            review_closes_at=now - 30 * day,
            announcement_at=now - 20 * day,
            # Rules lock when voting opens: they are saved first, then the
            # vote is opened below by moving its opening into the past.
            vote_opens_at=now + day,
            vote_closes_at=now + 7 * day,
        )
        round_.envelopes = [Envelope(territory=territory, amount=Decimal("50000"))]
        db.session.add(round_)
        author = User(pseudonym="bench-author", territory=territory)
        db.session.add(author)
        db.session.flush()
        ideas = [
            Idea(
                round=round_,
                author_id=author.id,
                territory_id=territory.id,
                title=f"Projet {k}",
                description="Projet du banc d'essai.",
                accepted_rules_at=now - 45 * day,
                submitted_at=now - 45 * day,
                state=IdeaState.ELIGIBLE,
                final_cost=Decimal(1000 + 500 * k),
            )
            for k in range(12)
        ]
        db.session.add_all(ideas)
        db.session.flush()
        services.save_rules(
            round_,
            services.RulesData(ballot_type=BallotType.APPROVAL, max_projects=4),
            SYSTEM,
        )
        round_.vote_opens_at = now - day
        db.session.flush()
        # Online voting needs a completed key ceremony: ballots are sealed.
        services.completed_ceremony(round_, None, round_.vote_opens_at.date())
        people = []
        for n in range(voters):
            person = User(
                pseudonym=f"votant-{n:05d}", territory=territory, birth_year=1980
            )
            person.roles = [UserRole(role=Role.RESIDENT)]
            person.verifications = [
                ResidentVerification(
                    territory=territory, method=VerificationMethod.IMPORTED_LIST
                )
            ]
            people.append(person)
        db.session.add_all(people)
        db.session.flush()
        # Server-side sessions, as a sign-in opens them (a cookie names one).
        identities = [_signed_in_identity(person) for person in people]
        db.session.commit()
        cookies = []
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        for identity in identities:
            with app.test_request_context():
                g.pop("csrf_token", None)  # generate_csrf caches it in the app context
                session["_user_id"] = identity
                session["_fresh"] = True
                # The confirmation token is bound to the session (review page).
                confirm = secrets.token_urlsafe(24)
                session["_vote_pending"] = {"round_id": round_.id, "token": confirm}
                token = generate_csrf()
                cookies.append((serializer.dumps(dict(session)), token, confirm))
        result = (round_.id, [i.id for i in ideas], cookies)
        db.session.remove()
        db.engine.dispose()
    return result


def _signed_in_identity(person: Any) -> str:
    """What Flask-Login keeps in the cookie for *person*, on a fresh session."""
    from participation.accounts.services.sessions import open_session

    open_session(person)
    return str(person.get_id())


def _load(
    host: str,
    port: int,
    requests: list[tuple[str, str, dict[str, str]]],
    concurrency: int,
) -> tuple[list[float], dict[int, int], float]:
    """Send *requests* (method, path, headers+body) from *concurrency* threads."""
    lock = threading.Lock()
    queue = list(reversed(requests))
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                method, path, spec = queue.pop()
            body = spec.pop("__body__", None)
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=spec)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
    }


def run_casting(
    voters: int = 2000,
    concurrency: int = 16,
    uri: str | None = None,
    workers: int = 2,
    threads: int = 4,
) -> dict[str, Any]:
    """Cast one ballot per voter over HTTP (gunicorn, PostgreSQL); check the counts."""
    import sqlalchemy as sa

    from bench.harness import HOST, Settings, gunicorn

    uri = uri or os.environ.get("PARTICIPATION_BENCH_DATABASE_URI", DEFAULT_PG_URI)
    round_id, idea_ids, cookies = _prepare_casting(uri, voters)
    settings = Settings(
        connections=concurrency,
        duration_s=0,
        warmup_s=0,
        workers=workers,
        worker_class="gthread",
        threads=threads,
        wrk_threads=1,
        databases=["postgresql"],
    )
    env = {
        "PARTICIPATION_SECRET_KEY": SECRET,
        "PARTICIPATION_SQLALCHEMY_DATABASE_URI": uri,
        "PARTICIPATION_SESSION_COOKIE_SECURE": "false",
        "PARTICIPATION_DEMO": "false",
        "PARTICIPATION_MAIL_SERVER": "",
    }
    path = f"/rounds/{round_id}/vote/confirm"
    requests = []
    for n, (cookie, csrf, confirm) in enumerate(cookies):
        chosen = [idea_ids[(n + k) % len(idea_ids)] for k in range(1 + n % 4)]
        body = urlencode(
            [("csrf_token", csrf), ("token", confirm)]
            + [("project", str(i)) for i in chosen]
        )
        requests.append(
            (
                "POST",
                path,
                {
                    "Cookie": f"session={cookie}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://{HOST}/",
                    "__body__": body,
                },
            )
        )
    hello_requests = [("GET", "/", {}) for _ in range(voters)]
    with tempfile.TemporaryDirectory(prefix="bench-voting-") as scratch:
        instance = Path(scratch) / "instance"
        instance.mkdir()
        env["PARTICIPATION_INSTANCE_PATH"] = str(instance)
        with gunicorn(
            "bench.hello:app", {}, settings, Path(scratch) / "hello.log"
        ) as url:
            port = int(url.rsplit(":", 1)[1])
            hello_lat, hello_status, hello_s = _load(
                HOST, port, hello_requests, concurrency
            )
        log = Path(scratch) / "app.log"
        with gunicorn("participation:create_app()", env, settings, log) as url:
            port = int(url.rsplit(":", 1)[1])
            cast_lat, cast_status, cast_s = _load(HOST, port, requests, concurrency)
    seal_s = _sealing_seconds(
        [
            {idea_ids[(n + k) % len(idea_ids)]: 1 for k in range(1 + n % 4)}
            for n in range(voters)
        ]
    )
    engine = sa.create_engine(uri, poolclass=sa.NullPool)
    with engine.connect() as connection:
        sign_ins = connection.scalar(sa.text("SELECT count(*) FROM sign_in"))
        ballots = connection.scalar(sa.text("SELECT count(*) FROM sealed_ballot"))
    engine.dispose()
    cast = _summary(cast_lat, cast_s)
    hello = _summary(hello_lat, hello_s)
    return {
        "voters": voters,
        "concurrency": concurrency,
        "gunicorn": f"{workers} workers x {threads} threads",
        "ballots_per_s": cast["per_s"],
        "p50_ms": cast["p50_ms"],
        "p95_ms": cast["p95_ms"],
        "statuses": cast_status,
        "hello_per_s": hello["per_s"],
        "hello_p95_ms": hello["p95_ms"],
        "hello_statuses": hello_status,
        "ratio_to_hello": round(cast["per_s"] / hello["per_s"], 3)
        if hello["per_s"]
        else None,
        "seal_us_per_ballot": round(seal_s * 1e6, 1),
        # The share of the server's CPU that sealing takes at the measured rate:
        # seconds of sealing per ballot x ballots per second / cores.
        "seal_share_pct": round(100 * seal_s * cast["per_s"] / CORES, 2),
        "sign_ins": sign_ins,
        "ballots": ballots,
        "counts_ok": sign_ins == ballots == voters,
    }


def _sealing_seconds(ballots: list[dict[int, int]]) -> float:
    """CPU seconds that sealing and fingerprinting take per ballot, in this process.

    The same ballots as the HTTP run, sealed as the vote does it
    (:func:`participation.voting.sealing.seal` then ``fingerprint``), so the
    casting report can say what part of a ballot's cost the sealed box is.
    """
    from nacl.public import PrivateKey

    from participation.voting.sealing import fingerprint, seal

    public_key = bytes(PrivateKey.generate().public_key)
    started = time.process_time()
    for choices in ballots:
        fingerprint(seal(public_key, choices))
    return (time.process_time() - started) / max(len(ballots), 1)


# ------------------------------------------------------------------------- harness


def register_scenarios() -> None:
    """Add the vote's scenarios to the ``make bench`` harness (see the docstring)."""
    from bench.harness import PythonScenario, register

    def import_setup(_context: Any) -> Any:
        return lambda: print("  voting-import-lodz:", run_import(), flush=True)

    def casting_setup(_context: Any) -> Any:
        return lambda: print("  voting-cast-http:", run_casting(), flush=True)

    if LODZ.exists():
        register(
            PythonScenario(
                "voting-import-lodz",
                "import-pb of Łódź 2022 (90,494 ballots) into SQLite",
                import_setup,
                max_calls=1,
            )
        )
    register(
        PythonScenario(
            "voting-cast-http",
            "ballots cast over HTTP on gunicorn + PostgreSQL, then counts checked",
            casting_setup,
            max_calls=1,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_voting")
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("import", help="(b) import Łódź into SQLite")
    one.add_argument("--file", type=Path, default=LODZ)
    two = sub.add_parser("casting", help="(c) ballots over HTTP on PostgreSQL")
    two.add_argument("--voters", type=int, default=2000)
    two.add_argument("--concurrency", type=int, default=16)
    two.add_argument("--uri", default=None)
    two.add_argument("--workers", type=int, default=2)
    two.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    if args.what == "import":
        if not args.file.exists():
            print(f"{args.file} is absent: nothing to import")
            return 0
        figures = run_import(args.file)
    else:
        figures = run_casting(
            args.voters, args.concurrency, args.uri, args.workers, args.threads
        )
    for key, value in figures.items():
        print(f"{key:16} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
