"""Benchmarks of the vote: (b) importing Łódź 2022, (c) ballots cast over HTTP.

(b) ``import``: parse and import ``Poland_Lodz_2022.pb`` (90,494 voters, 160 projects)
into a fresh SQLite file (``flask voting import-pb`` minus the command line), as one
transaction. The goal of issue 4: under 10 s. CPU seconds are given beside the wall
clock (on a shared machine the wall clock counts other processes too).

(c) ``casting``: a round in its vote week on the PostgreSQL database
``participation_bench`` (``PARTICIPATION_BENCH_DATABASE_URI``), with N verified voters
already signed in (session cookies and CSRF tokens made with the app's own secret, so
that no password hashing is measured), a completed key ceremony (ballots go to the
sealed box), served by gunicorn like the harness does. C concurrent clients each run
the full path per voter: POST the review (the real form: CSRF token, choices), then
POST the confirmation with the review page's one-time token and the session cookie
that page sent back (the token is bound to it). Compared with the minimal same-stack
endpoint (``bench/minimal_vote.py``: a sign-in and a sealed ballot in one
transaction) in the same run. Reported: ballots per second, p50/p95/p99 latency, the
ratio, the CPU time that sealing one ballot takes (the same ballots sealed in the
bench process) and the share of the server's CPU it is at the measured rate, then
a check that sign-ins = sealed ballots = answers that said "recorded".

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
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.harness import HOST

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


@dataclass
class CastingSetup:
    """What the casting run needs: the round, its envelope, voters with sessions."""

    round_id: int
    envelope_id: int
    territory_id: int
    idea_ids: list[int]
    #: (session cookie, CSRF token) of the voters of the full path.
    cookies: list[tuple[str, str]]
    #: Ids of the other voters, for the minimal endpoint.
    minimal_ids: list[int]


def _prepare_casting(uri: str, voters: int) -> CastingSetup:
    """A round in its vote week with 2 x *voters* verified voters.

    The first half get a session cookie and a CSRF token (the full path), the other
    half vote through the minimal endpoint.
    """
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

    from .harness import ensure_postgresql_database

    ensure_postgresql_database(uri)
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
        envelope = Envelope(territory=territory, amount=Decimal("50000"))
        round_.envelopes = [envelope]
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
        for n in range(2 * voters):
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
        for identity in identities[:voters]:
            with app.test_request_context():
                g.pop("csrf_token", None)  # generate_csrf caches it in the app context
                session["_user_id"] = identity
                session["_fresh"] = True
                # No confirmation token here: the review page puts it in the
                # session (its Set-Cookie) and the full path sends that back.
                token = generate_csrf()
                cookies.append((serializer.dumps(dict(session)), token))
        result = CastingSetup(
            round_id=round_.id,
            envelope_id=envelope.id,
            territory_id=territory.id,
            idea_ids=[i.id for i in ideas],
            cookies=cookies,
            minimal_ids=[p.id for p in people[voters:]],
        )
        db.session.remove()
        db.engine.dispose()
    return result


def _signed_in_identity(person: Any) -> str:
    """What Flask-Login keeps in the cookie for *person*, on a fresh session."""
    from participation.accounts.services.sessions import open_session

    open_session(person)
    return str(person.get_id())


#: The message every refused or failed vote must carry (retry, not a lost ballot).
RETRY_WORDS = ("try again", "réessayer", "réessayez")
#: The review page's one-time token.
_TOKEN = re.compile(
    r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"'
)


@dataclass
class Outcome:
    """What one voter's run ended with."""

    latency: float
    recorded: bool
    status: int
    retry_message: bool = False
    error: str = ""


@dataclass
class LoadReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def recorded(self) -> int:
        return sum(o.recorded for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.recorded]

    def statuses(self) -> dict[int, int]:
        counted: dict[int, int] = {}
        for outcome in self.outcomes:
            counted[outcome.status] = counted.get(outcome.status, 0) + 1
        return counted


class _Client:
    """One keep-alive HTTP connection that reconnects after a close or an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], str]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=60
            )
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        found: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            # Several Set-Cookie headers are kept, one a line.
            found[key] = f"{found[key]}\n{value}" if key in found else value
        if found.get("connection", "").lower() == "close":
            self.close()
        return response.status, found, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


Job = Callable[[_Client], Outcome]


def _load_jobs(host: str, port: int, jobs: list[Job], concurrency: int) -> LoadReport:
    """Run *jobs* (one voter each) from *concurrency* threads, one connection each."""
    lock = threading.Lock()
    queue = list(reversed(jobs))
    report = LoadReport()

    def worker() -> None:
        client = _Client(host, port)
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            outcome = job(client)
            with lock:
                report.outcomes.append(outcome)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.perf_counter() - started
    return report


#: The session cookie of a Set-Cookie header.
_SESSION_COOKIE = re.compile(r"(?:^|\n)session=([^;\s]+)")
#: What the ballot page says to a voter whose ballot is already in the box.
ALREADY_WORDS = ("already voted", "déjà voté")


def _says_already_voted(text: str) -> bool:
    lowered = text.lower()
    return any(words in lowered for words in ALREADY_WORDS)


def _says_retry(text: str) -> bool:
    lowered = text.lower()
    return any(words in lowered for words in RETRY_WORDS)


def _full_vote_job(setup: CastingSetup, n: int) -> Job:
    """Review then confirm, as the ballot page's two buttons do."""
    cookie, csrf = setup.cookies[n]
    chosen = [setup.idea_ids[(n + k) % len(setup.idea_ids)] for k in range(1 + n % 4)]
    headers = {
        "Cookie": f"session={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://{HOST}/",
    }
    base = f"/rounds/{setup.round_id}/vote"
    choices = [("project", str(i)) for i in chosen]

    def send(
        client: _Client, path: str, body: str
    ) -> tuple[int, dict[str, str], str, str]:
        """One POST, again (up to 3 times) after a lost connection or an error page:
        what a voter does after "please try again"; the same review token finds a
        ballot that did go in."""
        status, found, text, error = 0, {}, "", ""
        for attempt in range(3):
            try:
                status, found, text = client.request("POST", path, body, headers)
                error = ""
            except (OSError, http.client.HTTPException) as failure:
                status, error = 0, str(failure) or type(failure).__name__
            if (error == "" and status < 500) or attempt == 2:
                break
            time.sleep(0.5)
        return status, found, text, error

    def job(client: _Client) -> Outcome:
        started = time.perf_counter()
        review = urlencode([("csrf_token", csrf), *choices])
        status, _found, text, error = send(client, f"{base}/review", review)
        if status != 200:
            return Outcome(
                time.perf_counter() - started,
                False,
                status,
                _says_retry(text),
                error,
            )
        match = _TOKEN.search(text)
        token = (match.group(1) or match.group(2)) if match else ""
        # The sealed box's confirmation token is bound to the session the review
        # page sent back: confirm with that cookie, as a browser does.
        renewed = _SESSION_COOKIE.search(_found.get("set-cookie", ""))
        if renewed:
            headers["Cookie"] = f"session={renewed.group(1)}"
        body = urlencode([("csrf_token", csrf), ("token", token), *choices])
        status, found, text, error = send(client, f"{base}/confirm", body)
        recorded = status == 302 and "/vote/receipt" in found.get("location", "")
        if not recorded and status == 409 and _says_already_voted(text):
            # A retried confirmation whose first try went in (its answer lost): the
            # page tells the voter the vote is in the box.
            recorded = True
        return Outcome(
            time.perf_counter() - started,
            recorded,
            status,
            not recorded and _says_retry(text),
            error,
        )

    return job


def _minimal_vote_job(setup: CastingSetup, n: int) -> Job:
    body = urlencode(
        {
            "round": setup.round_id,
            "person": setup.minimal_ids[n],
            "territory": setup.territory_id,
            "envelope": setup.envelope_id,
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def job(client: _Client) -> Outcome:
        started = time.perf_counter()
        try:
            status, _found, _text = client.request("POST", "/vote", body, headers)
        except (OSError, http.client.HTTPException) as error:
            return Outcome(time.perf_counter() - started, False, 0, error=str(error))
        return Outcome(time.perf_counter() - started, status == 201, status)

    return job


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "per_s": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def _casting_env(uri: str, instance: Path) -> dict[str, str]:
    return {
        "PARTICIPATION_SECRET_KEY": SECRET,
        "PARTICIPATION_SQLALCHEMY_DATABASE_URI": uri,
        "PARTICIPATION_SESSION_COOKIE_SECURE": "false",
        "PARTICIPATION_DEMO": "false",
        "PARTICIPATION_MAIL_SERVER": "",
        "PARTICIPATION_INSTANCE_PATH": str(instance),
        # A bench voter votes once; the per-person limits are not what is measured.
        "PARTICIPATION_RATELIMIT_VOTE": "1000 per minute",
    }


def count_rows(uri: str, round_id: int, envelope_id: int) -> dict[str, int]:
    """Sign-ins and ballots of the bench round, and duplicated receipts."""
    import sqlalchemy as sa

    engine = sa.create_engine(uri, poolclass=sa.NullPool)
    with engine.connect() as connection:
        sign_ins = connection.scalar(
            sa.text("SELECT count(*) FROM sign_in WHERE round_id = :r"),
            {"r": round_id},
        )
        # Online ballots stay in the sealed box until the count opens it.
        ballots = connection.scalar(
            sa.text("SELECT count(*) FROM sealed_ballot WHERE envelope_id = :e"),
            {"e": envelope_id},
        )
        duplicates = connection.scalar(
            sa.text(
                "SELECT count(*) FROM (SELECT fingerprint FROM sealed_ballot"
                " GROUP BY fingerprint HAVING count(*) > 1) AS d"
            )
        )
    engine.dispose()
    return {
        "sign_ins": int(sign_ins or 0),
        "ballots": int(ballots or 0),
        "duplicates": int(duplicates or 0),
    }


def run_casting(
    voters: int = 2000,
    concurrency: int = 16,
    uri: str | None = None,
    workers: int = 2,
    threads: int = 4,
    during: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Cast one ballot per voter over HTTP (gunicorn, PostgreSQL); check the counts.

    First the minimal endpoint (``bench/minimal_vote.py``) with half the voters,
    then the full path (review + confirm) with the other half, on the same gunicorn
    settings and database. *during*, if given, runs in a thread beside the full
    path's load with the gunicorn process (the fault run uses it).
    """
    from bench.harness import HOST as _host
    from bench.harness import Settings, gunicorn

    uri = uri or os.environ.get("PARTICIPATION_BENCH_DATABASE_URI", DEFAULT_PG_URI)
    setup = _prepare_casting(uri, voters)
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
    with tempfile.TemporaryDirectory(prefix="bench-voting-") as scratch:
        instance = Path(scratch) / "instance"
        instance.mkdir()
        env = _casting_env(uri, instance)
        minimal_env = {"PARTICIPATION_SQLALCHEMY_DATABASE_URI": uri}
        with gunicorn(
            "bench.minimal_vote:app", minimal_env, settings, Path(scratch) / "min.log"
        ) as url:
            port = int(url.rsplit(":", 1)[1])
            minimal = _load_jobs(
                _host,
                port,
                [_minimal_vote_job(setup, n) for n in range(voters)],
                concurrency,
            )
        log = Path(scratch) / "app.log"
        with gunicorn("participation.wsgi:app", env, settings, log) as url:
            port = int(url.rsplit(":", 1)[1])
            jobs = [_full_vote_job(setup, n) for n in range(voters)]
            helper = None
            if during is not None:
                helper = threading.Thread(target=during, args=(url,))
                helper.start()
            full = _load_jobs(_host, port, jobs, concurrency)
            if helper is not None:
                helper.join()
    counts = count_rows(uri, setup.round_id, setup.envelope_id)
    seal_s = _sealing_seconds(
        [
            {setup.idea_ids[(n + k) % len(setup.idea_ids)]: 1 for k in range(1 + n % 4)}
            for n in range(voters)
        ]
    )
    full_summary = _summary([o.latency for o in full.outcomes], full.seconds)
    minimal_summary = _summary([o.latency for o in minimal.outcomes], minimal.seconds)
    # The minimal endpoint's rows are in the same tables: subtract them.
    sign_ins = counts["sign_ins"] - minimal.recorded
    ballots = counts["ballots"] - minimal.recorded
    failed = full.failed
    return {
        "voters": voters,
        "concurrency": concurrency,
        "gunicorn": f"{workers} workers x {threads} threads",
        "seal_us_per_ballot": round(seal_s * 1e6, 1),
        # The share of the server's CPU that sealing takes at the measured rate:
        # seconds of sealing per ballot x ballots per second / cores.
        "seal_share_pct": round(100 * seal_s * full_summary["per_s"] / CORES, 2),
        "minimal": minimal_summary,
        "minimal_recorded": minimal.recorded,
        "minimal_errors": len(minimal.failed),
        "full": full_summary,
        "full_recorded": full.recorded,
        "full_statuses": full.statuses(),
        "failed": len(failed),
        "failed_with_retry_message": sum(o.retry_message for o in failed),
        "failed_connection": sum(1 for o in failed if o.error),
        "sign_ins": sign_ins,
        "ballots": ballots,
        "duplicate_receipts": counts["duplicates"],
        "ratio_to_minimal": round(full_summary["per_s"] / minimal_summary["per_s"], 3)
        if minimal_summary["per_s"]
        else None,
        "counts_ok": sign_ins == ballots == full.recorded and counts["duplicates"] == 0,
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


def casting_results(figures: dict[str, Any]) -> list[Any]:
    """The two table lines of a casting run (the full path against the minimal)."""
    from bench.harness import Result

    minimal, full = figures["minimal"], figures["full"]
    counts = (
        f"sign-ins={figures['sign_ins']} ballots={figures['ballots']}"
        f" recorded={figures['full_recorded']}"
        f" {'OK' if figures['counts_ok'] else 'MISMATCH'}"
    )
    return [
        Result(
            "vote-minimal",
            "ballots",
            "postgresql",
            f"{figures['concurrency']} voters, 1 POST",
            minimal["per_s"],
            minimal["p50_ms"],
            minimal["p95_ms"],
            minimal["p99_ms"],
            requests=figures["voters"],
            errors=figures["minimal_errors"],
            note="sign-in + ballot, one transaction",
        ),
        Result(
            "vote-full",
            "ballots",
            "postgresql",
            f"{figures['concurrency']} voters, review+confirm",
            full["per_s"],
            full["p50_ms"],
            full["p95_ms"],
            full["p99_ms"],
            requests=figures["voters"],
            errors=figures["failed"],
            note=counts,
            reference="vote-minimal",
        ),
    ]


# ------------------------------------------------------------------------- harness


def register_scenarios() -> None:
    """Add the vote's scenarios to the ``make bench`` harness (see the docstring)."""
    from bench.harness import PythonScenario, ReportScenario, register

    def import_setup(_context: Any) -> Any:
        return lambda: print("  voting-import-lodz:", run_import(), flush=True)

    def casting(_settings: Any, _scratch: Path) -> list[Any]:
        figures = run_casting()
        print("  voting-cast-http:", figures, flush=True)
        return casting_results(figures)

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
        ReportScenario(
            "voting-cast-http",
            "ballots over HTTP on PostgreSQL: full path against the minimal endpoint",
            casting,
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
