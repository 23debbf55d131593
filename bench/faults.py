"""Faults survived during a casting run (``make faults``).

The casting benchmark of ``bench_voting`` (review + confirm, 16 concurrent voters,
gunicorn, PostgreSQL) runs while this module, a few seconds in:

1. kills one gunicorn worker with SIGKILL (the master starts another);
2. cuts PostgreSQL: by default every connection of the bench database is
   terminated (``pg_terminate_backend``, what the app sees of a restart, without
   stopping the server other people use); with ``--restart-command 'systemctl
   restart postgresql'`` (or ``pg_ctlcluster 15 main restart``) a real restart.

A voter whose request failed (connection reset, or an error page) does what the
page tells them, once or twice: confirm again, with the same review token. A ballot
that did go in is never cast twice: the sign-in list refuses the second one and the
page says the vote is already in the box, which counts as "recorded" (the sealed
box keeps no receipt code to show again). Printed afterwards:
sign-ins, ballots, answers that said "recorded", duplicates, failures and whether
each failed answer carried a "please try again" message.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import time
from typing import Any

from .bench_voting import DEFAULT_PG_URI, run_casting


def _workers_of(port: int) -> list[int]:
    """The gunicorn workers listening on *port* (children of its master)."""
    masters = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read().split(b"\0")
        except OSError:
            continue
        if any(b"gunicorn" in part for part in command[:2]) and (
            f"127.0.0.1:{port}".encode() in command
        ):
            masters.append(int(entry))
    workers = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                parent = int(file.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in masters:
            workers.append(int(entry))
    return sorted(workers)


def _cut_postgresql(uri: str, command: str | None) -> str:
    if command:
        completed = subprocess.run(  # noqa: S603 (the operator's own command)
            shlex.split(command), capture_output=True, text=True, check=False
        )
        return f"ran {command!r}: exit {completed.returncode}"
    import sqlalchemy as sa

    engine = sa.create_engine(uri, poolclass=sa.NullPool)
    with engine.connect() as connection:
        cut = connection.scalar(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()
    return f"terminated {cut} connections of the bench database"


def run(args: argparse.Namespace) -> dict[str, Any]:
    uri = args.uri or os.environ.get("PARTICIPATION_BENCH_DATABASE_URI", DEFAULT_PG_URI)
    events: list[str] = []

    def faults(url: str) -> None:
        port = int(url.rsplit(":", 1)[1])
        time.sleep(args.kill_after)
        workers = _workers_of(port)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            events.append(f"SIGKILL worker {workers[0]} (of {workers})")
        else:
            events.append("no worker found to kill")
        time.sleep(args.cut_after)
        events.append(_cut_postgresql(uri, args.restart_command))

    figures = run_casting(args.voters, args.concurrency, uri, during=faults)
    figures["faults"] = events
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults")
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--uri", default=None)
    parser.add_argument("--kill-after", type=float, default=3.0)
    parser.add_argument("--cut-after", type=float, default=3.0)
    parser.add_argument(
        "--restart-command",
        default=None,
        help="restart PostgreSQL with this command instead of cutting connections",
    )
    figures = run(parser.parse_args(argv))
    for key in (
        "faults",
        "full",
        "full_recorded",
        "full_statuses",
        "failed",
        "failed_with_retry_message",
        "failed_connection",
        "sign_ins",
        "ballots",
        "duplicate_receipts",
        "counts_ok",
    ):
        print(f"{key:26} {figures[key]}")
    ok = (
        figures["counts_ok"]
        and figures["failed"]
        == figures["failed_with_retry_message"] + figures["failed_connection"]
    )
    print("faults survived:", "OK" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
