"""Command-line commands of the core feature: audit log checks and anchors,
outbox delivery, backup and restore, retention purge."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..extensions import db


@click.group("audit")
def audit_group() -> None:
    """Inspect the hash-chained audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Walk the whole chain; list every broken entry and exit 1 if there is one."""
    from .audit import verify
    from .models import AuditEntry

    problems = list(verify())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0
    if not problems:
        click.echo(f"Audit log intact: {total} entries checked.")
        return
    broken = sorted({problem.entry_id for problem in problems})
    for problem in problems:
        click.echo(f"entry {problem.entry_id}: {problem.reason}", err=True)
    click.echo(
        f"Audit log TAMPERED: {len(broken)} of {total} entries do not hold "
        f"(ids {', '.join(map(str, broken))}).",
        err=True,
    )
    raise SystemExit(1)


@audit_group.command("anchor")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: instance/audit-anchors/<date>.json).",
)
@with_appcontext
def audit_anchor(output: str | None) -> None:
    """Write a signed statement of the chain's head (id, hash, count).

    Keep these files away from the database (another disk, a mail to the data
    protection officer): `flask audit verify` then detects newest entries deleted
    or the chain rewritten, not only edits.
    """
    from pathlib import Path

    from .audit import write_anchor

    written = write_anchor(Path(output) if output else None)
    if written is None:
        click.echo("The audit log is empty: nothing to anchor.")
        return
    path, statement = written
    click.echo(
        f"Anchored entry {statement['entry_id']} ({statement['count']} entries) "
        f"in {path}."
    )


@click.group("outbox")
def outbox_group() -> None:
    """Deliver the queued e-mails."""


@outbox_group.command("send")
@click.option(
    "--limit", default=1000, show_default=True, help="At most this many messages."
)
@with_appcontext
def outbox_send(limit: int) -> None:
    """Send the messages that are due (run it from cron every few minutes).

    Failed messages stay queued with their error and are retried later with an
    increasing delay. Exits 1 when at least one delivery failed.
    """
    from .outbox import pending_count, send_pending

    sent, failed = send_pending(limit=limit)
    waiting = pending_count()
    click.echo(f"Sent {sent}, failed {failed}, still queued {waiting}.")
    if failed:
        raise SystemExit(1)


#: Commands and groups registered on `flask --app participation`.
COMMANDS: list[click.Command] = [audit_group, outbox_group]
