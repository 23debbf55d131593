"""A person's data: download it, delete the account, retention purge."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import User, UserSession
from participation.accounts.states import Role
from participation.core.models import AuditEntry, OutboxMessage
from participation.core.time import utcnow


def _actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action)))


def test_download_my_data_gives_a_zip_of_everything_and_is_logged(
    client, db, make_user, login_as
):
    user = make_user(real_name="Leïla Benali", birth_year=1990)
    login_as(user)

    response = client.post("/account/data/download")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    [profile] = data["data"]["accounts"]["profile"]
    assert profile["real_name"] == "Leïla Benali"
    assert "accounts/profile.csv" in archive.namelist()
    assert "budget/ideas.csv" in archive.namelist()
    assert "voting/sign_ins.csv" in archive.namelist()
    assert "Leïla Benali" in archive.read("accounts/profile.csv").decode()
    assert "privacy.exported" in _actions(db)


def test_delete_my_account_keeps_a_former_account_without_personal_data(
    client, db, make_user, login_as
):
    user = make_user(real_name="Leïla Benali", phone="+33611223344")
    login_as(user)

    response = client.post(
        "/account/delete",
        data={
            "contributions": "keep",
            "password": "correct horse battery staple",
            "confirm": "y",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.deleted_at is not None
    assert (gone.email, gone.phone, gone.real_name, gone.password_hash) == (
        None,
        None,
        None,
        None,
    )
    assert gone.pseudonym == f"Ancien compte {user.id}"
    assert not gone.is_active
    assert gone.roles == []
    assert db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 0
    assert client.get("/account").status_code == 302
    assert "account.deleted" in _actions(db)


def test_deleting_needs_the_password_and_the_confirmation(
    client, db, make_user, login_as
):
    user = make_user()
    login_as(user)

    response = client.post(
        "/account/delete",
        data={"contributions": "keep", "password": "wrong", "confirm": "y"},
    )
    unconfirmed = client.post(
        "/account/delete",
        data={"contributions": "keep", "password": "correct horse battery staple"},
    )

    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert unconfirmed.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).deleted_at is None


def test_the_relay_who_created_an_account_may_download_and_delete_it(
    client, db, make_user, login_as, qpv
):
    relay = make_user(roles=(Role.RELAY,))
    other_relay = make_user(roles=(Role.RELAY,))
    person = make_user(
        email=None, is_managed=True, managed_by_id=relay.id, managed_consent_at=utcnow()
    )
    login_as(other_relay)
    assert client.get(f"/people/{person.id}/data").status_code == 403
    assert client.post(f"/people/{person.id}/data/download").status_code == 403
    login_as(relay)

    assert client.post(f"/people/{person.id}/data/download").status_code == 200
    response = client.post(
        f"/people/{person.id}/delete", data={"contributions": "remove", "confirm": "y"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).deleted_at is not None


def test_staff_cannot_delete_an_account_that_is_not_managed(
    client, make_user, login_as
):
    person = make_user()
    login_as(make_user(roles=(Role.STAFF,)))

    assert client.get(f"/people/{person.id}/data").status_code == 403


def test_purge_deletes_inactive_accounts_after_a_warning(app, db, make_user):
    long_ago = utcnow() - timedelta(days=3 * 365 + 10)
    warned = make_user(email="old@example.org", created_at=long_ago)
    warned.inactivity_warned_at = utcnow() - timedelta(days=40)
    not_warned = make_user(email="older@example.org", created_at=long_ago)
    recent = make_user(email="new@example.org")
    staff = make_user(roles=(Role.STAFF,), created_at=long_ago)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert "inactive_accounts: 1 removed" in result.output
    db.session.expire_all()
    assert db.session.get(User, warned.id).deleted_at is not None
    assert db.session.get(User, not_warned.id).deleted_at is None
    assert db.session.get(User, not_warned.id).inactivity_warned_at is not None
    assert db.session.get(User, recent.id).deleted_at is None
    assert db.session.get(User, staff.id).deleted_at is None
    to = set(db.session.scalars(sa.select(OutboxMessage.to_address)))
    assert "older@example.org" in to
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.purged")
    ).one()
    assert json.loads(entry.details)["removed"]["inactive_accounts"] == 1


def test_a_dry_run_removes_nothing(app, db, make_user):
    make_user(created_at=utcnow() - timedelta(days=4 * 365), email=None, phone=None)

    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])

    assert "inactive_accounts: 1 due" in result.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count(User.id)).where(User.deleted_at.is_not(None))
        )
        == 0
    )
