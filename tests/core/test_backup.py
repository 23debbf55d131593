"""Backup and restore: one archive, a signed manifest, identical rows after."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.accounts.states import Role
from participation.core import audit, backup
from participation.core.actors import SYSTEM
from participation.core.uploads import uploads_root
from participation.extensions import db as _db


def _populate(make_user) -> None:
    make_user(roles=(Role.STAFF,), real_name="Claire Martin")
    make_user()
    audit.record("thing.update", actor=SYSTEM, object_type="thing", object_id=1)
    _db.session.commit()
    photo = uploads_root() / "idea_photos" / "abcdefghijklmnopqrstuvwx.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8not really a jpeg")


@pytest.fixture
def fresh_instance(app_config, tmp_path, monkeypatch, request):
    """A second, empty instance (its own database and folder), same secret."""
    if os.environ.get("PARTICIPATION_TEST_DATABASE_URI"):
        uri = request.getfixturevalue("pg_scratch_database")("restore")
    else:
        uri = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    monkeypatch.setenv("PARTICIPATION_INSTANCE_PATH", str(tmp_path / "fresh"))
    other = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": uri})
    yield other
    with other.app_context():
        _db.engine.dispose()


def test_backup_then_restore_on_a_fresh_instance_gives_identical_rows(
    app, db, make_user, tmp_path, fresh_instance
):
    _populate(make_user)
    before = backup.table_summaries()
    archive = tmp_path / "backup.tar.gz"
    result = app.test_cli_runner().invoke(
        args=["backup", "create", "--output", str(archive)]
    )
    assert result.exit_code == 0, result.output
    manifest = backup.read_manifest(archive)
    assert manifest["tables"]["user"]["rows"] == 2
    assert "uploads/idea_photos/abcdefghijklmnopqrstuvwx.jpg" in manifest["files"]
    _db.session.remove()

    with fresh_instance.app_context():
        restored = fresh_instance.test_cli_runner().invoke(
            args=["backup", "restore", "--yes", str(archive)]
        )
        assert restored.exit_code == 0, restored.output
        after = backup.table_summaries()
        photo = uploads_root() / "idea_photos" / "abcdefghijklmnopqrstuvwx.jpg"
        assert photo.read_bytes() == b"\xff\xd8not really a jpeg"
        assert list(audit.verify()) == []
        _db.session.remove()
        _db.engine.dispose()

    assert {k: (v.rows, v.sha256) for k, v in after.items()} == {
        k: (v.rows, v.sha256) for k, v in before.items()
    }
    assert sum(v.rows for v in after.values()) > 0


def _rewrite(archive: Path, target: Path, change) -> None:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            data = change(info.name, data)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_restore_refuses_a_corrupt_or_foreign_archive(app, db, make_user, tmp_path):
    _populate(make_user)
    archive = backup.create(tmp_path / "backup.tar.gz")
    corrupt = tmp_path / "corrupt.tar.gz"
    _rewrite(
        archive,
        corrupt,
        lambda name, data: data + b"x" if name.startswith("uploads/") else data,
    )
    runner = app.test_cli_runner()

    bad = runner.invoke(args=["backup", "restore", "--yes", str(corrupt)])
    assert bad.exit_code != 0
    assert "corrupt" in bad.output

    app.config["AUDIT_HMAC_KEY"] = "another instance"
    foreign = runner.invoke(args=["backup", "restore", "--yes", str(archive)])
    assert foreign.exit_code != 0
    assert "not signed with this instance's key" in foreign.output

    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    assert runner.invoke(args=["backup", "restore", "--yes", str(garbage)]).exit_code


def test_a_backup_carries_the_audit_anchor(app, db, make_user, tmp_path):
    _populate(make_user)
    archive = backup.create(tmp_path / "backup.tar.gz")

    files = backup.read_manifest(archive)["files"]

    assert any(name.startswith("audit-anchors/") for name in files)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("user")))
