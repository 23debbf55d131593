"""Account services relays, staff and administrators use on other people: managed
accounts and their setup codes, resident verification, roles."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.accounts import services
from participation.accounts.models import ResidentVerification, User
from participation.accounts.passwords import check_password
from participation.accounts.permissions import can_regenerate_setup_code
from participation.accounts.states import Role, VerificationLevel, VerificationMethod
from participation.core import audit
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    PermissionDenied,
)
from participation.core.models import AuditEntry
from participation.core.time import utcnow
from participation.territories.models import TerritoryKind


def _actions(db) -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


# --- Managed accounts ---


def _managed(territory_id: int, **changes) -> services.ManagedAccount:
    values = {"pseudonym": "Rose", "territory_id": territory_id, "consent": True}
    values.update(changes)
    return services.ManagedAccount(**values)


def test_relay_creates_a_managed_account_with_a_hashed_code(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))

    person, code = services.create_managed_account(relay, _managed(qpv.id))

    assert person.is_managed
    assert person.managed_by_id == relay.id
    assert person.managed_consent_at is not None
    assert person.password_hash is None
    assert person.role_set == {Role.RESIDENT}
    assert code.replace("-", "") not in (person.setup_code_hash or "")
    assert services.setup_code_matches(person, code)
    assert services.setup_code_matches(person, code.lower().replace("-", " "))
    expires = person.setup_code_expires_at
    assert expires is not None
    assert timedelta(days=59) < expires - utcnow() <= timedelta(days=60)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "account.managed_created"
    assert entry.actor_id == relay.id
    assert code not in entry.details


def test_managed_account_needs_consent_and_a_relay(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))
    resident = make_user()

    with pytest.raises(FieldErrors) as error:
        services.create_managed_account(relay, _managed(qpv.id, consent=False))
    assert set(error.value.errors) == {"consent"}
    with pytest.raises(PermissionDenied):
        services.create_managed_account(resident, _managed(qpv.id))


def test_managed_account_can_be_verified_at_creation(db, make_relay, qpv):
    relay = make_relay(qpv)

    person, _code = services.create_managed_account(
        relay, _managed(qpv.id, verified_in_person=True)
    )

    assert person.verification_level() is VerificationLevel.VERIFIED


def test_code_sets_the_password_once(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))
    person, code = services.create_managed_account(relay, _managed(qpv.id))

    assert (
        services.redeem_setup_code(" rose ", code.lower(), "my own password") is person
    )

    assert check_password(person.password_hash, "my own password")
    assert person.setup_code_hash is None
    with pytest.raises(DomainError) as error:
        services.redeem_setup_code("Rose", code, "another password")
    assert error.value.field == "code"


def test_expired_or_wrong_code_is_refused(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))
    person, code = services.create_managed_account(relay, _managed(qpv.id))

    with pytest.raises(DomainError):
        services.redeem_setup_code("Rose", "AAAA-BBBB-CCCC", "my own password")
    with pytest.raises(DomainError):
        services.redeem_setup_code("Someone", code, "my own password")
    person.setup_code_expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(DomainError):
        services.redeem_setup_code("Rose", code, "my own password")
    assert person.password_hash is None


def test_a_new_code_invalidates_the_old_one(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))
    person, old_code = services.create_managed_account(relay, _managed(qpv.id))

    new_code = services.regenerate_setup_code(relay, person)

    assert not services.setup_code_matches(person, old_code)
    assert services.setup_code_matches(person, new_code)


def test_who_may_issue_a_new_code(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))
    other_relay = make_user(roles=(Role.RELAY,))
    staff = make_user(roles=(Role.STAFF,))
    person, code = services.create_managed_account(relay, _managed(qpv.id))

    assert can_regenerate_setup_code(relay, person)
    assert not can_regenerate_setup_code(other_relay, person)
    with pytest.raises(PermissionDenied):
        services.regenerate_setup_code(other_relay, person)
    services.redeem_setup_code("Rose", code, "my own password")
    # Once the person chose a password, only staff can reissue (account recovery).
    assert not can_regenerate_setup_code(relay, person)
    assert can_regenerate_setup_code(staff, person)
    assert not can_regenerate_setup_code(staff, relay)


def test_managed_account_without_consent_is_refused_by_the_database(db, qpv):
    db.session.add(User(pseudonym="NoConsent", territory_id=qpv.id, is_managed=True))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


# --- Resident verification ---


def test_relay_verifies_a_resident_and_who_how_when_are_recorded(
    db, make_user, make_relay
):
    person = make_user()
    relay = make_relay(person.territory)

    verification = services.verify_resident(
        relay,
        person,
        person.territory_id,
        VerificationMethod.PROOF_IN_PERSON,
        "  quittance de loyer ",
        found=True,
    )

    assert person.verification_level() is VerificationLevel.VERIFIED
    assert verification.verified_by_id == relay.id
    assert verification.verified_by_role is Role.RELAY
    assert verification.note == "quittance de loyer"
    assert verification.verified_at is not None
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "resident.verified"
    assert json.loads(entry.details)["method"] == "proof_in_person"


def test_verifying_twice_keeps_one_verification(db, make_user):
    staff = make_user(roles=(Role.STAFF,))
    person = make_user()

    first = services.verify_resident(
        staff, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
    )
    second = services.verify_resident(
        staff, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
    )

    assert first is second
    assert first.verified_by_role is Role.STAFF
    assert db.session.scalar(sa.select(sa.func.count(ResidentVerification.id))) == 1


def test_database_refuses_two_standing_verifications_for_one_qpv(db, make_user):
    person = make_user()
    for _ in range(2):
        db.session.add(
            ResidentVerification(
                user_id=person.id,
                territory_id=person.territory_id,
                method=VerificationMethod.PROOF_IN_PERSON,
            )
        )

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_verifying_in_another_qpv_moves_the_residence(
    db, make_user, make_territory, make_relay
):
    person = make_user()
    other = make_territory()
    relay = make_relay(person.territory, other)
    old = person.territory_id
    services.verify_resident(
        relay, person, old, VerificationMethod.PROOF_IN_PERSON, None, found=True
    )

    services.verify_resident(
        relay, person, other.id, VerificationMethod.PROOF_IN_PERSON, None, found=True
    )

    assert person.territory_id == other.id
    assert person.verification_level(other.id) is VerificationLevel.VERIFIED
    assert person.verification_level(old) is None


def test_verification_only_for_an_active_qpv(db, make_user, make_territory):
    relay = make_user(roles=(Role.RELAY,))
    person = make_user()
    outside = make_territory(kind=TerritoryKind.OUTSIDE, code=None)

    with pytest.raises(DomainError) as error:
        services.verify_resident(
            relay,
            person,
            outside.id,
            VerificationMethod.PROOF_IN_PERSON,
            "",
            found=True,
        )

    assert error.value.field == "territory"


@pytest.mark.parametrize("roles", [(Role.RESIDENT,), (Role.REVIEWER,)])
def test_residents_and_reviewers_cannot_verify(db, make_user, roles):
    actor = make_user(roles=roles)
    person = make_user()

    with pytest.raises(PermissionDenied):
        services.verify_resident(
            actor, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
        )


def test_nobody_verifies_themselves(db, make_user):
    relay = make_user(roles=(Role.RELAY, Role.RESIDENT))

    with pytest.raises(PermissionDenied):
        services.verify_resident(
            relay, relay, relay.territory_id, VerificationMethod.PROOF_IN_PERSON, None
        )


def test_revoking_a_verification(db, make_user, make_relay):
    person = make_user()
    relay = make_relay(person.territory)
    verification = services.verify_resident(
        relay,
        person,
        person.territory_id,
        VerificationMethod.PROOF_IN_PERSON,
        None,
        found=True,
    )

    services.revoke_verification(relay, verification)
    services.revoke_verification(relay, verification)

    assert person.verification_level() is VerificationLevel.DECLARED
    assert verification.revoked_by_id == relay.id
    assert _actions(db) == ["resident.verified", "resident.verification_revoked"]


# --- Roles ---


def test_admin_grants_and_revokes_roles_with_audit(db, make_user):
    admin = make_user(roles=(Role.ADMIN,))
    person = make_user()

    assert services.grant_role(admin, person, Role.RELAY)
    assert not services.grant_role(admin, person, Role.RELAY)
    assert person.has_role(Role.RELAY)
    assert services.revoke_role(admin, person, Role.RELAY)
    assert not services.revoke_role(admin, person, Role.RELAY)

    assert not person.has_role(Role.RELAY)
    assert _actions(db) == ["account.role_granted", "account.role_revoked"]
    assert list(audit.verify()) == []


@pytest.mark.parametrize("roles", [(Role.STAFF,), (Role.RELAY,), (Role.RESIDENT,)])
def test_only_admins_change_roles(db, make_user, roles):
    actor = make_user(roles=roles)
    person = make_user()

    with pytest.raises(PermissionDenied):
        services.grant_role(actor, person, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.revoke_role(actor, person, Role.RESIDENT)
    assert person.role_set == {Role.RESIDENT}


def test_the_last_admin_keeps_the_role(db, make_user):
    admin = make_user(roles=(Role.ADMIN,))

    with pytest.raises(Conflict):
        services.revoke_role(admin, admin, Role.ADMIN)

    assert admin.has_role(Role.ADMIN)


def test_an_admin_can_step_down_when_another_remains(db, make_user):
    admin = make_user(roles=(Role.ADMIN,))
    other = make_user(roles=(Role.ADMIN,))

    assert services.revoke_role(admin, admin, Role.ADMIN)

    assert not admin.has_role(Role.ADMIN)
    with pytest.raises(Conflict):
        services.revoke_role(other, other, Role.ADMIN)
