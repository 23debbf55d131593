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


@click.group("backup")
def backup_group() -> None:
    """Back up and restore the database, uploads and audit anchors."""


@backup_group.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Archive to write (default: instance/backups/participation-<date>.tar.gz).",
)
@with_appcontext
def backup_create(output: str | None) -> None:
    """Write one archive with a signed manifest of SHA-256 hashes."""
    from pathlib import Path

    from .backup import BackupError, create

    try:
        path = create(Path(output) if output else None)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written: {path}")


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def backup_restore(archive: str, yes: bool) -> None:
    """Replace this instance's data by the archive's (refuses a corrupt or
    mismatched archive, and checks every table's rows after the restore)."""
    from pathlib import Path

    from .backup import BackupError, read_manifest, restore

    path = Path(archive)
    try:
        manifest = read_manifest(path)
        if not yes:
            click.confirm(
                f"Replace this instance's data by the backup of "
                f"{manifest['created_at']}?",
                abort=True,
            )
        restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    tables = manifest["tables"]
    rows = sum(int(table["rows"]) for table in tables.values())
    click.echo(
        f"Restored {len(tables)} tables ({rows} rows), identical to the backup of "
        f"{manifest['created_at']}."
    )


@click.group("privacy")
def privacy_group() -> None:
    """Personal data: retention periods."""


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due, remove nothing.")
@with_appcontext
def privacy_purge(dry_run: bool) -> None:
    """Remove what the personal-data page says is kept no longer (run it daily)."""
    from .database import write_lock
    from .privacy import purge, retention_rules

    write_lock()
    removed = purge(dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    descriptions = {rule.name: rule.description for rule in retention_rules()}
    verb = "due" if dry_run else "removed"
    for name, count in removed.items():
        click.echo(f"{name}: {count} {verb} ({descriptions[name]})")


#: Commands and groups registered on `flask --app participation`.
COMMANDS: list[click.Command] = [
    audit_group,
    outbox_group,
    backup_group,
    privacy_group,
]
