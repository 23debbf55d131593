"""A person's rights over their data: download it, delete the account; and the
retention of inactive accounts (three years, after a warning message)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core import audit, privacy
from ...core.actors import SYSTEM, Actor, Person
from ...core.errors import DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.models import AuditEntry
from ...core.outbox import queue_email
from ...core.roles import Role
from ...core.time import utcnow
from ...extensions import db
from ..models import (
    RecoveryCode,
    RelayHelp,
    RelayTerritory,
    ResidentVerification,
    User,
    UserRole,
    UserSession,
)
from ..passwords import check_password
from ..permissions import can_manage_data_of

#: An account unused this long is deleted (after a warning, when one can be sent).
INACTIVE_AFTER = timedelta(days=3 * 365)
#: The warning goes this long before.
WARNING_BEFORE = timedelta(days=30)
#: Roles whose accounts the administrators manage: never purged for inactivity.
_WORK_ROLES = (Role.RELAY, Role.REVIEWER, Role.STAFF, Role.ADMIN)


def _row(obj: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def export_account(person: Person) -> privacy.Tables:
    """The accounts feature's rows about *person*."""
    user = db.session.get(User, person.id)
    if user is None:
        return {}
    profile = _row(
        user,
        "id",
        "pseudonym",
        "real_name",
        "email",
        "phone",
        "birth_year",
        "locale",
        "created_at",
        "email_confirmed_at",
        "last_signin_at",
        "is_managed",
        "managed_consent_at",
        "data_notice_accepted_at",
        "account_code",
    )
    profile["sex"] = user.sex.value if user.sex else None
    profile["territory"] = user.territory.name if user.territory else None
    profile["two_factor"] = user.has_second_factor
    return {
        "profile": [profile],
        "roles": [_row(r, "role", "granted_at") for r in user.roles],
        "verifications": [
            {
                **_row(v, "method", "verified_at", "revoked_at", "note"),
                "territory": v.territory.name,
                "verified_by_role": v.verified_by_role,
            }
            for v in user.verifications
        ],
        "sessions": [
            _row(s, "created_at", "last_seen_at", "is_remembered")
            for s in db.session.scalars(
                sa.select(UserSession).where(UserSession.user_id == user.id)
            )
        ],
        "relays_helping": [
            {"relay": h.relay.pseudonym, **_row(h, "created_at", "consent_note")}
            for h in db.session.scalars(
                sa.select(RelayHelp).where(RelayHelp.person_id == user.id)
            )
        ],
    }


def export_actions(person: Person) -> privacy.Tables:
    """The audit log's entries of what *person* did."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.actor_id == person.id)
        .order_by(AuditEntry.id)
    )
    return {
        "actions": [
            _row(e, "at", "action", "object_type", "object_id", "details")
            for e in entries
        ]
    }


def download_my_data(actor: User, person: User) -> bytes:
    """The ZIP of everything about *person* (audited as an export)."""
    if not can_manage_data_of(actor, person) or person.deleted_at is not None:
        raise PermissionDenied(_l("You cannot download this person's data."))
    return privacy.export_archive(person, actor=actor)


def delete_account(
    actor: User | Actor, person: User, *, keep_public: bool, password: str | None
) -> None:
    """Delete *person*'s account, keeping or removing their public contributions.

    What remains is a "former account" with no personal data: no contact, name,
    birth year, password, roles or verification. Ballots are anonymous and stay;
    the sign-in lists keep the line until their own retention end. The person
    confirms with their password; staff or the creating relay delete a managed
    account without it.
    """
    if actor is not SYSTEM:
        if not can_manage_data_of(actor, person):
            raise PermissionDenied(_l("You cannot delete this account."))
        if getattr(actor, "id", None) == person.id and not check_password(
            person.password_hash, password or ""
        ):
            raise DomainError(_l("The password is not right."), field="password")
    if person.deleted_at is not None:
        return
    if person.has_role(Role.ADMIN) and _admin_count() <= 1:
        raise DomainError(
            _l("The site's last administrator cannot delete their account.")
        )
    privacy.erase(person, keep_public=keep_public)
    _anonymise(person)
    audit.record(
        "account.deleted", actor=actor, obj=person, kept_contributions=keep_public
    )


def _admin_count() -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserRole)
            .where(UserRole.role == Role.ADMIN)
        )
        or 0
    )


def _anonymise(person: User) -> None:
    for table, column in (
        (UserSession, UserSession.user_id),
        (RecoveryCode, RecoveryCode.user_id),
        (ResidentVerification, ResidentVerification.user_id),
        (RelayTerritory, RelayTerritory.relay_id),
        (RelayHelp, RelayHelp.person_id),
        (RelayHelp, RelayHelp.relay_id),
    ):
        db.session.execute(sa.delete(table).where(column == person.id))
    db.session.expire(person, ["verifications"])
    person.roles = []
    person.pseudonym = f"Ancien compte {person.id}"
    for name in (
        "email",
        "phone",
        "password_hash",
        "real_name",
        "territory_id",
        "birth_year",
        "sex",
        "email_confirmed_at",
        "setup_code_hash",
        "setup_code_expires_at",
        "totp_secret",
        "totp_confirmed_at",
        "totp_last_step",
        "account_code",
        "managed_by_id",
        "data_notice_accepted_at",
        "inactivity_warned_at",
    ):
        setattr(person, name, None)
    person.is_active = False
    person.security_stamp += 1
    person.deleted_at = utcnow()
    db.session.flush()


def _last_activity() -> sa.ColumnElement[datetime]:
    seen = (
        sa.select(sa.func.max(UserSession.last_seen_at))
        .where(UserSession.user_id == User.id)
        .scalar_subquery()
    )
    return sa.func.coalesce(seen, User.last_signin_at, User.created_at)


def _inactive_residents(before: datetime) -> sa.Select[Any]:
    working = sa.select(UserRole.user_id).where(UserRole.role.in_(_WORK_ROLES))
    return sa.select(User).where(
        User.deleted_at.is_(None),
        User.id.not_in(working),
        sa.func.coalesce(User.last_signin_at, User.created_at) < before,
        _last_activity() < before,
    )


def purge_inactive_accounts(now: datetime, dry_run: bool) -> int:
    """Warn the residents inactive for almost three years; delete those inactive
    for three years who were warned a month ago (or cannot be warned)."""
    due: list[User] = list(
        db.session.scalars(_inactive_residents(now - INACTIVE_AFTER))
    )
    deletable = [
        user
        for user in due
        if not user.email
        or (
            user.inactivity_warned_at is not None
            and user.inactivity_warned_at <= now - WARNING_BEFORE
        )
    ]
    if dry_run:
        return len(deletable)
    for user in deletable:
        delete_account(SYSTEM, user, keep_public=True, password=None)
    soon: list[User] = list(
        db.session.scalars(
            _inactive_residents(now - INACTIVE_AFTER + WARNING_BEFORE).where(
                User.email.is_not(None), User.inactivity_warned_at.is_(None)
            )
        )
    )
    for user in soon:
        _warn(user)
        user.inactivity_warned_at = now
    db.session.flush()
    return len(deletable)


def _warn(user: User) -> None:
    assert user.email is not None
    with force_locale(user.locale):
        queue_email(
            user.email,
            _("Your account will be deleted"),
            _(
                "Hello %(pseudonym)s,\n\nYou have not used your account on %(site)s "
                "for almost three years. As our personal-data notice says, it will "
                "be deleted in a month. To keep it, simply sign in before then.",
                pseudonym=user.pseudonym,
                site=current_app.config["SITE_NAME"],
            ),
        )


ACCOUNT_DATA = privacy.PersonalData("accounts", export_account)
ACTIONS_DATA = privacy.PersonalData("audit", export_actions)
INACTIVE_ACCOUNTS = privacy.RetentionRule(
    "inactive_accounts",
    "Resident accounts unused for three years, a month after a warning e-mail "
    "(contributions kept under 'former account').",
    purge_inactive_accounts,
)
