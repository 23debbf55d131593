"""Backup and restore: the database, the uploads and the audit anchors in one
archive, with a signed manifest of SHA-256 hashes.

SQLite is copied through its online backup API (a consistent copy while the site
runs); PostgreSQL through ``pg_dump --format=custom`` and ``pg_restore``. The
manifest lists each file's hash and, for every table, its row count and a hash
of its rows, so a restore can prove it gave back the same data. Restoring refuses
an archive whose files do not match their hashes, whose manifest was not signed
with this instance's key, or that was made from another kind of database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from . import audit
from .time import utcnow
from .uploads import uploads_root

FORMAT = "participation-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.dump"


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cell(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date | Decimal):
        return str(value)
    return value


def table_summaries() -> dict[str, TableSummary]:
    """Row count and a hash of the rows (in primary-key order) of every table."""
    summaries: dict[str, TableSummary] = {}
    existing = set(sa.inspect(db.engine).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        rows = 0
        with db.engine.connect() as connection:
            result = connection.execute(sa.select(table).order_by(*order))
            for row in result:
                digest.update(audit.canonical_json([_cell(v) for v in row]).encode())
                digest.update(b"\n")
                rows += 1
        summaries[table.name] = TableSummary(rows, digest.hexdigest())
    return summaries


def _dialect() -> str:
    return db.engine.dialect.name


def _revision() -> str | None:
    try:
        with db.engine.connect() as connection:
            value = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar()
    except sa.exc.DBAPIError:
        return None
    return str(value) if value else None


def _pg_tool(name: str) -> str:
    configured = current_app.config.get("PG_BIN_DIR")
    if configured:
        return str(Path(configured) / name)
    with db.engine.connect() as connection:
        number = int(
            str(connection.execute(sa.text("SHOW server_version_num")).scalar())
        )
    folder = Path(f"/usr/lib/postgresql/{number // 10000}/bin")
    return str(folder / name) if (folder / name).exists() else name


def _pg_env() -> dict[str, str]:
    url = db.engine.url
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _dump_database(folder: Path) -> Path:
    if _dialect() == "sqlite":
        target = folder / SQLITE_FILE
        source = db.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                source.driver_connection.backup(destination)  # type: ignore[union-attr]
            finally:
                destination.close()
        finally:
            source.close()
        return target
    if _dialect() == "postgresql":
        target = folder / PG_FILE
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(target)])
        return target
    raise BackupError(f"no backup for the {_dialect()} database")


def _run(command: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 (fixed tool, arguments are ours)
        command, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _signed(manifest: dict[str, Any]) -> dict[str, Any]:
    manifest["signature"] = audit.sign(manifest)
    return manifest


def create(output: Path | None = None) -> Path:
    """Write an archive of the database, uploads and audit anchors; its path."""
    stamp = f"{utcnow():%Y%m%dT%H%M%SZ}"
    target = output or (
        Path(current_app.instance_path)
        / str(current_app.config["BACKUP_DIR"])
        / f"participation-{stamp}.tar.gz"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    audit.write_anchor()  # the head of the chain goes with the backup
    with tempfile.TemporaryDirectory(prefix="backup-") as temporary:
        folder = Path(temporary)
        database_file = _dump_database(folder)
        files: dict[str, Path] = {database_file.name: database_file}
        for prefix, root in (
            ("uploads", uploads_root()),
            ("audit-anchors", audit.anchor_dir()),
        ):
            if root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
        manifest = _signed(
            {
                "format": FORMAT,
                "created_at": utcnow().isoformat(timespec="seconds"),
                "dialect": _dialect(),
                "revision": _revision(),
                "files": {name: _file_hash(path) for name, path in files.items()},
                "tables": {
                    name: {"rows": s.rows, "sha256": s.sha256}
                    for name, s in table_summaries().items()
                },
            }
        )
        partial = target.with_name(target.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
            for name, path in files.items():
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, target)
    return target


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def read_manifest(archive_path: Path) -> dict[str, Any]:
    """The archive's manifest, checked: format, signature and every file's hash.

    :raises BackupError: when the archive is corrupt or not from this instance.
    """
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise BackupError("no manifest in the archive")
            manifest = json.loads(member.read())
            seen = {}
            for info in archive.getmembers():
                if info.name == MANIFEST or not info.isfile():
                    continue
                handle = archive.extractfile(info)
                assert handle is not None
                seen[info.name] = hashlib.sha256(handle.read()).hexdigest()
    except (OSError, tarfile.TarError, ValueError, EOFError) as error:
        raise BackupError(f"the archive cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a participation backup")
    body = {key: value for key, value in manifest.items() if key != "signature"}
    if manifest.get("signature") != audit.sign(body):
        raise BackupError(
            "the manifest is not signed with this instance's key (another "
            "instance, or a changed AUDIT_HMAC_KEY / SECRET_KEY)"
        )
    if seen != manifest.get("files"):
        raise BackupError("the archive's files do not match the manifest (corrupt)")
    return manifest


def restore(archive_path: Path) -> dict[str, Any]:
    """Replace the database, uploads and anchors by the archive's; its manifest.

    :raises BackupError: when the archive is corrupt, mismatched, or the restored
        tables do not hash as the manifest says.
    """
    manifest = read_manifest(archive_path)
    if manifest.get("dialect") != _dialect():
        raise BackupError(
            f"the archive holds a {manifest.get('dialect')} database; this instance "
            f"uses {_dialect()}"
        )
    with tempfile.TemporaryDirectory(prefix="restore-") as temporary:
        folder = Path(temporary)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(folder, filter="data")
        db.session.remove()
        _restore_database(folder)
        _replace_folder(folder / "uploads", uploads_root())
        anchors = folder / "audit-anchors"
        if anchors.is_dir():
            shutil.copytree(anchors, audit.anchor_dir(), dirs_exist_ok=True)
    restored = {
        name: {"rows": s.rows, "sha256": s.sha256}
        for name, s in table_summaries().items()
    }
    if restored != manifest["tables"]:
        raise BackupError("the restored tables differ from the manifest")
    return manifest


def _restore_database(folder: Path) -> None:
    if _dialect() == "sqlite":
        database = db.engine.url.database
        if not database:
            raise BackupError("an in-memory SQLite database cannot be restored")
        db.engine.dispose()
        source = sqlite3.connect(folder / SQLITE_FILE)
        try:
            destination = sqlite3.connect(database)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
        return
    db.engine.dispose()
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "-d",
            str(db.engine.url.database),
            str(folder / PG_FILE),
        ]
    )


def _replace_folder(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
