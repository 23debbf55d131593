"""The benchmark harness: scenario registry, gunicorn servers, wrk runs, the report.

Two kinds of scenario:

- :class:`HttpScenario`: a GET path loaded with wrk against the app under gunicorn,
  on each database (a freshly migrated SQLite file with the demo data, then the
  PostgreSQL database ``participation_bench``), or against the bare Flask app;
- :class:`PythonScenario`: a function timed in this process (pure algorithms,
  services, the test client), optionally inside the app on each database.

Every figure comes with the bare endpoint's so that machines can be compared: the
ratio column is ``requests per second of the scenario / of the bare endpoint``.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import importlib
import json
import os
import pkgutil
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # all traffic stays on this machine
DEFAULT_PG_URI = (
    "postgresql+psycopg://participation:participation@127.0.0.1/participation_bench"
)
PG_URI_ENV = "PARTICIPATION_BENCH_DATABASE_URI"

#: A wrk script printing one JSON line with the totals and latency percentiles (µs).
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"errors": %d, "non_2xx_3xx": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


# ------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class BenchContext:
    """What a scenario may use: the database it runs on and an app bound to it."""

    database: str | None
    database_uri: str | None
    env: dict[str, str]

    def create_app(self) -> Any:
        """The real app on this scenario's database (configured like the server)."""
        from participation import create_app

        with _environment(self.env):
            return create_app()


@dataclass(frozen=True)
class HttpScenario:
    """GET *path* under load. ``app`` is ``"participation"`` or ``"hello"``.

    *path* may be a callable receiving the app (e.g. to find the first QPV's URL).
    """

    name: str
    description: str
    path: str | Callable[[Any], str]
    app: str = "participation"


@dataclass(frozen=True)
class PythonScenario:
    """Time ``setup(context)()`` repeatedly in this process.

    ``setup`` prepares data and returns the function to time. With
    ``needs_database`` it runs once per database, inside an app context.
    """

    name: str
    description: str
    setup: Callable[[BenchContext], Callable[[], object]]
    needs_database: bool = False
    max_calls: int = 2000


@dataclass(frozen=True)
class ReportScenario:
    """A run that measures several things itself and returns its table lines.

    For figures that are not one request repeated: ballots cast by concurrent voters
    against a minimal vote endpoint, faults during casting, memory of a worker.
    ``run(settings, scratch)`` returns :class:`Result` lines whose ``reference`` names
    the line their ratio is computed against (in the same run).
    """

    name: str
    description: str
    run: Callable[[Settings, Path], list[Result]]


Scenario = HttpScenario | PythonScenario | ReportScenario

#: Every scenario, by name, in registration order.
SCENARIOS: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    """Add *scenario* to the registry (names are unique)."""
    if scenario.name in SCENARIOS:
        raise ValueError(f"duplicate benchmark scenario {scenario.name!r}")
    SCENARIOS[scenario.name] = scenario
    return scenario


def load_scenarios() -> None:
    """Import every module of bench/scenarios/; each registers its scenarios."""
    package = importlib.import_module("bench.scenarios")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"bench.scenarios.{module.name}")


# --------------------------------------------------------------------------- results


@dataclass
class Result:
    """One line of the report."""

    scenario: str
    kind: str
    database: str | None
    target: str
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int = 0
    errors: int = 0
    ratio_to_hello: float | None = None
    note: str = ""
    #: The scenario the ratio is computed against ("hello" unless said otherwise).
    reference: str = "hello"


@dataclass
class Settings:
    """How the run was made (written with the results)."""

    connections: int
    duration_s: int
    warmup_s: int
    workers: int
    worker_class: str
    threads: int
    wrk_threads: int
    databases: list[str]
    only: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _app_env(database_uri: str, instance: Path) -> dict[str, str]:
    """Production-like: no demo passwords, rate limits on, the real config layers."""
    return {
        "PARTICIPATION_INSTANCE_PATH": str(instance),
        "PARTICIPATION_SECRET_KEY": "bench-secret-key-not-for-production",
        "PARTICIPATION_SQLALCHEMY_DATABASE_URI": database_uri,
        "PARTICIPATION_DEMO": "false",
        # No SMTP in a benchmark; the outbox writes .eml files in the scratch instance.
        "PARTICIPATION_MAIL_SERVER": "",
    }


def _flask(env: dict[str, str], *args: str) -> None:
    command = [str(BIN / "flask"), "--app", "participation", *args]
    # S603: every argument is ours (venv binaries, fixed options), none from input.
    completed = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}"
        )


def ensure_postgresql_database(uri: str) -> None:
    """Create the database of *uri* when it is missing (the role needs CREATEDB),
    through the server's ``postgres`` maintenance database; a fresh machine then
    needs only the role, as the tests do."""
    import sqlalchemy as sa

    url = sa.make_url(uri)
    admin = sa.create_engine(
        url.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.NullPool,
    )
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": url.database},
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        admin.dispose()


def _empty_postgresql(uri: str) -> None:
    """Drop every table of the bench database (so migrations start from nothing)."""
    import sqlalchemy as sa

    ensure_postgresql_database(uri)
    engine = sa.create_engine(uri, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            tables = sa.inspect(connection).get_table_names()
            if tables:
                names = ", ".join(f'"{name}"' for name in tables)
                connection.exec_driver_sql(f"DROP TABLE {names} CASCADE")
    finally:
        engine.dispose()


def prepare_database(database: str, scratch: Path) -> BenchContext:
    """A freshly migrated database with the demo data; raise if it is unavailable."""
    instance = scratch / f"instance-{database}"
    instance.mkdir(parents=True, exist_ok=True)
    if database == "sqlite":
        uri = f"sqlite:///{scratch / 'bench.sqlite'}"
    else:
        uri = os.environ.get(PG_URI_ENV, DEFAULT_PG_URI)
        _empty_postgresql(uri)
    env = _app_env(uri, instance)
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    return BenchContext(database, uri, env)


@contextlib.contextmanager
def gunicorn(
    app_spec: str, env: dict[str, str], settings: Settings, log: Path
) -> Iterator[str]:
    """Serve *app_spec* with gunicorn on a free local port; yield its base URL."""
    port = _free_port()
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(settings.workers),
        "--worker-class",
        settings.worker_class,
        "--bind",
        f"{HOST}:{port}",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
        # As `make serve` and the README's deployment: without it, 6 of 16 page
        # figures of four short runs here fell to 0.12-0.16 of the bare endpoint
        # (the others 0.37-0.47; with it all 16 at 0.36-0.47), which looks like the
        # keep-alive connections spread unevenly over the workers.
        "--reuse-port",
    ]
    if settings.worker_class == "gthread":
        command += ["--threads", str(settings.threads)]
    process = subprocess.Popen(  # noqa: S603 (our own arguments)
        [*command, app_spec],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://{HOST}:{port}"
    try:
        _wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:  # noqa: S310
                response.read()
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {url} within 60 s")


def wrk(
    url: str, settings: Settings, *, duration_s: int, script: Path | None
) -> dict[str, Any]:
    """Run wrk against *url*; return its JSON report (when *script* is the reporter)."""
    command = [
        "wrk",
        f"-t{settings.wrk_threads}",
        f"-c{settings.connections}",
        f"-d{duration_s}s",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    completed = subprocess.run(  # noqa: S603 (our own arguments)
        [*command, url],
        capture_output=True,
        text=True,
        check=False,
        timeout=duration_s + 60,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed: {completed.stderr or completed.stdout}")
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            report: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
            return report
    return {}


def _check_status(url: str) -> str:
    """The page must answer 200 before it is worth loading."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)


def run_http(
    scenario: HttpScenario,
    base_url: str,
    path: str,
    database: str | None,
    settings: Settings,
    script: Path,
) -> Result:
    url = base_url + path
    status = _check_status(url)
    note = "" if status == "200" else f"answers {status}"
    if settings.warmup_s:
        wrk(url, settings, duration_s=settings.warmup_s, script=None)
    report = wrk(url, settings, duration_s=settings.duration_s, script=script)
    seconds = report["duration_us"] / 1e6
    return Result(
        scenario=scenario.name,
        kind="http",
        database=database,
        target=path,
        requests_per_s=report["requests"] / seconds,
        p50_ms=report["p50_us"] / 1000,
        p95_ms=report["p95_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        requests=report["requests"],
        errors=report["errors"] + report["non_2xx_3xx"],
        note=note,
    )


def run_python(
    scenario: PythonScenario, context: BenchContext, settings: Settings
) -> Result:
    """Call the scenario's function up to max_calls times within the duration."""
    app = context.create_app() if scenario.needs_database else None
    with app.app_context() if app is not None else contextlib.nullcontext():
        function = scenario.setup(context)
        function()  # warm caches, as the HTTP warm-up does
        timings: list[float] = []
        cpu: list[float] = []
        started = time.perf_counter()
        while len(timings) < scenario.max_calls and (
            time.perf_counter() - started < settings.duration_s
        ):
            before, before_cpu = time.perf_counter(), time.process_time()
            function()
            timings.append(time.perf_counter() - before)
            cpu.append(time.process_time() - before_cpu)
        elapsed = time.perf_counter() - started
    quantiles = (
        statistics.quantiles(timings, n=100) if len(timings) > 1 else timings * 99
    )
    return Result(
        scenario=scenario.name,
        kind="python",
        database=context.database,
        target="in-process",
        requests_per_s=len(timings) / elapsed,
        p50_ms=quantiles[49] * 1000,
        p95_ms=quantiles[94] * 1000,
        p99_ms=quantiles[98] * 1000,
        requests=len(timings),
        # CPU time does not count the other processes of a busy machine.
        note=f"CPU {statistics.median(cpu) * 1000:.2f} ms per call (median)"
        if cpu
        else "",
    )


# ----------------------------------------------------------------------------- report


def format_table(results: list[Result]) -> str:
    headers = [
        "scenario",
        "db",
        "target",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "ratio",
        "to",
        "note",
    ]
    rows = [
        [
            r.scenario,
            r.database or "-",
            r.target,
            f"{r.requests_per_s:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p95_ms:.2f}",
            f"{r.p99_ms:.2f}",
            str(r.errors),
            "-" if r.ratio_to_hello is None else f"{r.ratio_to_hello:.2f}",
            "-" if r.ratio_to_hello is None else r.reference,
            r.note,
        ]
        for r in results
    ]
    widths = [
        max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)
    ]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


def write_json(results: list[Result], settings: Settings, started: datetime) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    payload = {
        "started_at": started.isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other processes share the CPUs: figures from a busy machine are lower.
            "load_average_at_end": os.getloadavg(),
        },
        "settings": asdict(settings),
        "results": [asdict(r) for r in results],
    }
    path = RESULTS_DIR / f"bench-{started:%Y%m%dT%H%M%SZ}.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


# ------------------------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds measured (10)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up (2)")
    parser.add_argument(
        "--connections", type=int, default=32, help="open connections (32)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["gthread", "sync"],
        help="gunicorn worker class (gthread: keeps connections alive)",
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gthread worker"
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated (sqlite,postgresql)",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="scenario name or glob"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scenarios and stop"
    )
    return parser.parse_args(argv)


def _selected(only: list[str]) -> list[Scenario]:
    chosen = [
        s
        for s in SCENARIOS.values()
        if not only or any(fnmatch.fnmatch(s.name, pattern) for pattern in only)
    ]
    hello = SCENARIOS.get("hello")
    if hello is not None and hello not in chosen:
        chosen.insert(0, hello)  # the reference is always measured
    return chosen


def _describe(settings: Settings) -> str:
    server = f"gunicorn {settings.workers} {settings.worker_class} workers"
    if settings.worker_class == "gthread":
        server += f" ({settings.threads} threads each)"
    return (
        f"{server}; wrk {settings.connections} connections,"
        f" {settings.wrk_threads} thread(s), {settings.warmup_s} s warm-up"
        f" + {settings.duration_s} s; {os.cpu_count()} CPUs,"
        f" load average {os.getloadavg()[0]:.1f}"
    )


def _run_database(
    database: str,
    scenarios: list[Scenario],
    settings: Settings,
    scratch: Path,
    script: Path,
) -> list[Result]:
    """Every app scenario on one database (one line saying so if it is unavailable)."""
    try:
        context = prepare_database(database, scratch)
    except Exception as error:  # PostgreSQL down, no role, no database: say so, go on
        reason = (str(error).strip().splitlines() or [""])[0]
        print(f"  {database}: unavailable, skipped ({type(error).__name__}: {reason})")
        return [
            Result("(all)", "-", database, "-", 0, 0, 0, 0, note="database unavailable")
        ]
    results: list[Result] = []
    served = [
        s for s in scenarios if isinstance(s, HttpScenario) and s.app == "participation"
    ]
    if served:
        app = context.create_app()
        log = scratch / f"gunicorn-{database}.log"
        with gunicorn("participation.wsgi:app", context.env, settings, log) as url:
            for page in served:
                path = page.path
                if not isinstance(path, str):
                    with app.app_context(), app.test_request_context():
                        path = path(app)
                results.append(run_http(page, url, path, database, settings, script))
                print(f"  {database} {page.name} {path}: done", flush=True)
    for timed in scenarios:
        if isinstance(timed, PythonScenario) and timed.needs_database:
            results.append(run_python(timed, context, settings))
            print(f"  {database} {timed.name}: done", flush=True)
    return results


def run(scenarios: list[Scenario], settings: Settings) -> list[Result]:
    """Measure *scenarios*: the bare app, pure-Python ones, then each database."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="participation-bench-") as scratch_name:
        scratch = Path(scratch_name)
        script = scratch / "report.lua"
        script.write_text(WRK_REPORT_LUA)
        bare = [
            s for s in scenarios if isinstance(s, HttpScenario) and s.app == "hello"
        ]
        if bare:
            with gunicorn(
                "bench.hello:app", {}, settings, scratch / "hello.log"
            ) as url:
                for page in bare:
                    assert isinstance(page.path, str)
                    results.append(
                        run_http(page, url, page.path, None, settings, script)
                    )
                    print(f"  {page.name}: done", flush=True)
        for timed in scenarios:
            if isinstance(timed, PythonScenario) and not timed.needs_database:
                results.append(
                    run_python(timed, BenchContext(None, None, {}), settings)
                )
        for database in settings.databases:
            results += _run_database(database, scenarios, settings, scratch, script)
        for report in scenarios:
            if isinstance(report, ReportScenario):
                try:
                    lines = report.run(settings, scratch)
                except Exception as error:  # one failed run must not lose the table
                    reason = (str(error).strip().splitlines() or [""])[0]
                    lines = [
                        Result(report.name, "-", None, "-", 0, 0, 0, 0, note=reason)
                    ]
                    print(f"  {report.name}: failed ({reason})", flush=True)
                results += lines
                print(f"  {report.name}: done", flush=True)
    set_ratios(results)
    return results


def set_ratios(results: list[Result]) -> None:
    """Each line's ratio to its reference line of the same run (and database)."""
    for result in results:
        if not result.requests_per_s or result.kind not in ("http", "ballots"):
            continue
        reference = next(
            (
                r
                for r in results
                if r.scenario == result.reference
                and r.database in (None, result.database)
                and r.requests_per_s
            ),
            None,
        )
        if reference is not None and reference is not result:
            result.ratio_to_hello = result.requests_per_s / reference.requests_per_s


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    load_scenarios()
    if args.list:
        for scenario in SCENARIOS.values():
            kind = type(scenario).__name__
            print(f"{scenario.name:24} {kind:15} {scenario.description}")
        return 0
    if shutil.which("wrk") is None:
        print(
            "wrk is missing: apt-get install wrk (`make bench` does it as root)",
            file=sys.stderr,
        )
        return 2
    settings = Settings(
        connections=args.connections,
        duration_s=args.duration,
        warmup_s=args.warmup,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        wrk_threads=args.wrk_threads,
        databases=[d for d in args.databases.split(",") if d],
        only=args.only,
    )
    started = datetime.now(UTC)
    print(_describe(settings), flush=True)
    results = run(_selected(args.only), settings)
    print()
    print(format_table(results))
    path = write_json(results, settings, started)
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0
