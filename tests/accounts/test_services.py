"""Account services: registration, sign-in, tokens, profile, managed accounts, roles."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.accounts import services
from participation.accounts.models import ResidentVerification, User
from participation.accounts.passwords import check_password
from participation.accounts.states import (
    Role,
    Sex,
    VerificationLevel,
    VerificationMethod,
)
from participation.core import audit
from participation.core.errors import Conflict, DomainError, PermissionDenied
from participation.core.models import AuditEntry
from participation.core.time import utcnow
from participation.territories.models import TerritoryKind

from .helpers import GOOD_PASSWORD


def _registration(territory_id: int, **changes) -> services.Registration:
    values = {
        "pseudonym": "Leila",
        "password": GOOD_PASSWORD,
        "territory_id": territory_id,
        "email": "Leila@Example.org",
        "accepted_notice": True,
    }
    values.update(changes)
    return services.Registration(**values)


def _actions(db) -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


# --- Normalisation ---


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("04-68-11-22-33", "+33468112233"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_international_form(typed, stored):
    assert services.normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "06 12 34", "0012", "+33 6 12 34 56 78 99", "phone", "<b>06</b>"]
)
def test_wrong_phone_numbers_are_refused_on_the_phone_field(typed):
    with pytest.raises(DomainError) as error:
        services.normalize_phone(typed)

    assert error.value.field == "phone"


def test_email_is_lower_cased(app):
    assert services.normalize_email("  Leila.B@Example.ORG ") == "leila.b@example.org"


@pytest.mark.parametrize(
    "typed", ["leila", "leila@", "@example.org", "a b@example.org"]
)
def test_wrong_email_is_refused(app, typed):
    with pytest.raises(DomainError) as error:
        services.normalize_email(typed)

    assert error.value.field == "email"


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("Amina", True),
        ("  Jean   Paul ", True),
        ("Zoé_du-Viguier 2", True),
        ("أمينة", True),
        ("ab", False),
        ("x" * 41, False),
        ("<script>", False),
        ("amina@example.org", False),
        ("Amina!", False),
    ],
)
def test_pseudonym_rules(app, typed, ok):
    if ok:
        assert services.normalize_pseudonym(typed) == " ".join(typed.split())
    else:
        with pytest.raises(DomainError) as error:
            services.normalize_pseudonym(typed)
        assert error.value.field == "pseudonym"


# --- Registration ---


def test_registration_creates_a_resident_with_a_declared_residence(db, qpv):
    user = services.register(_registration(qpv.id, sex=Sex.FEMALE, birth_year=1990))

    assert user.email == "leila@example.org"
    assert user.role_set == {Role.RESIDENT}
    assert user.verification_level() is VerificationLevel.DECLARED
    assert user.data_notice_accepted_at is not None
    assert user.email_confirmed_at is None
    assert check_password(user.password_hash, GOOD_PASSWORD)
    assert _actions(db) == ["account.registered"]


def test_registration_with_a_phone_only(db, qpv):
    user = services.register(_registration(qpv.id, email=None, phone="06 12 34 56 78"))

    assert user.email is None
    assert user.phone == "+33612345678"


def test_registration_lists_every_wrong_field_at_once(db, qpv):
    data = _registration(
        999_999,
        email=None,
        pseudonym="x",
        password="short",
        birth_year=1850,
        accepted_notice=False,
    )

    with pytest.raises(services.FieldErrors) as error:
        services.register(data)

    assert set(error.value.errors) == {
        "email",
        "pseudonym",
        "password",
        "birth_year",
        "territory",
        "accept_notice",
    }
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_registration_refuses_an_inactive_territory(db, make_territory):
    closed = make_territory(is_active=False)

    with pytest.raises(services.FieldErrors) as error:
        services.register(_registration(closed.id))

    assert "territory" in error.value.errors


def test_duplicates_are_reported_on_each_field(db, qpv, make_user):
    make_user(email="leila@example.org", phone="+33612345678", pseudonym="leila")

    with pytest.raises(services.FieldErrors) as error:
        services.register(_registration(qpv.id, phone="06 12 34 56 78"))

    assert set(error.value.errors) == {"email", "phone", "pseudonym"}


def test_a_concurrent_duplicate_caught_by_the_unique_constraint_is_a_field_error(
    db, qpv, make_user, monkeypatch
):
    make_user(email="leila@example.org", pseudonym="Someone")
    db.session.commit()
    # As if the other request committed between our check and our insert.
    monkeypatch.setattr(services, "check_unique", lambda **kwargs: None)

    with pytest.raises(services.FieldErrors) as error:
        services.register(_registration(qpv.id))

    assert set(error.value.errors) == {"email"}
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


# --- Sign-in ---


def test_sign_in_by_email_phone_or_pseudonym_of_a_managed_account(db, make_user):
    by_email = make_user(email="a@example.org", password="password-one")
    by_phone = make_user(email=None, phone="+33612345678", password="password-two")
    managed = make_user(email=None, pseudonym="Rose", password="password-three")

    assert services.authenticate(" A@Example.org ", "password-one") is by_email
    assert services.authenticate("06 12 34 56 78", "password-two") is by_phone
    assert services.authenticate("rose", "password-three") is managed
    assert by_email.last_signin_at is not None


def test_pseudonym_does_not_sign_in_a_person_who_has_an_email(db, make_user):
    make_user(email="a@example.org", pseudonym="Amina", password="password-one")

    with pytest.raises(DomainError):
        services.authenticate("Amina", "password-one")


@pytest.mark.parametrize(
    ("identifier", "password"),
    [
        ("a@example.org", "wrong password"),
        ("nobody@example.org", "password-one"),
        ("", "x"),
    ],
)
def test_failed_sign_in_says_the_same_whatever_was_wrong(
    db, make_user, identifier, password
):
    make_user(email="a@example.org", password="password-one")

    with pytest.raises(DomainError) as error:
        services.authenticate(identifier, password)

    assert str(error.value) == "The e-mail, phone number or password is not right."


def test_deactivated_account_cannot_sign_in(db, make_user):
    make_user(email="a@example.org", password="password-one", is_active=False)

    with pytest.raises(DomainError):
        services.authenticate("a@example.org", "password-one")


# --- Tokens ---


def test_email_confirmation_token_confirms_the_address(db, make_user):
    user = make_user(email="a@example.org")

    assert services.confirm_email(services.email_confirmation_token(user)) is user
    assert user.email_confirmed_at is not None


def test_confirmation_token_for_an_old_address_is_refused(db, make_user):
    user = make_user(email="a@example.org")
    token = services.email_confirmation_token(user)
    user.email = "b@example.org"

    with pytest.raises(services.TokenError):
        services.confirm_email(token)


def test_tampered_and_expired_tokens_are_refused(app, db, make_user):
    user = make_user(email="a@example.org")
    token = services.email_confirmation_token(user)

    with pytest.raises(services.TokenError, match="not valid"):
        services.confirm_email(
            token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        )
    with pytest.raises(services.TokenError, match="not valid"):
        services.reset_password(token, "a new password!")  # other salt
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    with pytest.raises(services.TokenError, match="expired"):
        services.confirm_email(token)
    assert user.email_confirmed_at is None


def test_password_reset_works_once_and_ends_other_sessions(db, make_user):
    user = make_user(email="a@example.org")
    old_session_id = user.get_id()
    token = services.password_reset_token(user)

    services.reset_password(token, "a brand new password")

    assert check_password(user.password_hash, "a brand new password")
    assert user.get_id() != old_session_id
    assert user.email_confirmed_at is not None
    with pytest.raises(services.TokenError):
        services.reset_password(token, "another new password")
    assert _actions(db) == ["account.password_reset"]


def test_password_reset_request_is_silent_for_unknown_addresses(db, make_user):
    make_user(email="a@example.org", locale="en")
    links: list[str] = []

    services.request_password_reset("nobody@example.org", links.append)
    services.request_password_reset("not an address", links.append)
    services.request_password_reset("A@example.org", lambda token: f"https://x/{token}")

    from participation.core.models import OutboxMessage

    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert links == []
    assert [m.to_address for m in messages] == ["a@example.org"]
    assert messages[0].subject == "Choose a new password"


def test_change_password_needs_the_current_one(db, make_user):
    user = make_user(password="the old password")
    stamp = user.security_stamp

    with pytest.raises(DomainError) as error:
        services.change_password(user, "wrong", "the new password")
    assert error.value.field == "current_password"
    with pytest.raises(DomainError) as error:
        services.change_password(user, "the old password", "short")
    assert error.value.field == "new_password"

    services.change_password(user, "the old password", "the new password")

    assert check_password(user.password_hash, "the new password")
    assert user.security_stamp == stamp + 1


# --- Profile ---


def _changes(user: User, **values) -> services.ProfileChanges:
    data = {
        "pseudonym": user.pseudonym,
        "territory_id": user.territory_id,
        "email": user.email,
        "phone": user.phone,
        "real_name": user.real_name,
        "birth_year": user.birth_year,
        "sex": user.sex,
        "locale": user.locale,
    }
    data.update(values)
    return services.ProfileChanges(**data)


def test_new_email_must_be_confirmed_again(db, make_user):
    user = make_user(email="a@example.org", email_confirmed_at=utcnow())

    result = services.update_profile(user, _changes(user, email="B@example.org"))

    assert result.email_changed
    assert user.email == "b@example.org"
    assert user.email_confirmed_at is None


def test_profile_keeps_a_way_to_sign_in(db, make_user):
    user = make_user(email="a@example.org")

    with pytest.raises(services.FieldErrors) as error:
        services.update_profile(user, _changes(user, email=None, phone=None))

    assert "email" in error.value.errors
    assert user.email == "a@example.org"


def test_moving_ends_the_verification_of_the_old_qpv(db, make_user, make_territory):
    relay = make_user(roles=(Role.RELAY,))
    person = make_user()
    services.verify_resident(
        relay, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
    )
    new_home = make_territory()

    services.update_profile(person, _changes(person, territory_id=new_home.id))

    assert person.verification_level() is VerificationLevel.DECLARED
    assert all(v.revoked_at is not None for v in person.verifications)


def test_profile_pseudonym_taken_by_someone_else(db, make_user):
    make_user(pseudonym="Amina")
    user = make_user()

    with pytest.raises(services.FieldErrors) as error:
        services.update_profile(user, _changes(user, pseudonym="amina"))

    assert set(error.value.errors) == {"pseudonym"}


# --- Managed accounts ---


def _managed(territory_id: int, **changes) -> services.ManagedAccount:
    values = {"pseudonym": "Rose", "territory_id": territory_id, "consent": True}
    values.update(changes)
    return services.ManagedAccount(**values)


def test_setup_codes_are_three_groups_without_ambiguous_characters():
    codes = {services.new_setup_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code) & set("01OILUV")


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

    with pytest.raises(services.FieldErrors) as error:
        services.create_managed_account(relay, _managed(qpv.id, consent=False))
    assert set(error.value.errors) == {"consent"}
    with pytest.raises(PermissionDenied):
        services.create_managed_account(resident, _managed(qpv.id))


def test_managed_account_can_be_verified_at_creation(db, make_user, qpv):
    relay = make_user(roles=(Role.RELAY,))

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

    assert services.can_regenerate_setup_code(relay, person)
    assert not services.can_regenerate_setup_code(other_relay, person)
    with pytest.raises(PermissionDenied):
        services.regenerate_setup_code(other_relay, person)
    services.redeem_setup_code("Rose", code, "my own password")
    # Once the person chose a password, only staff can reissue (account recovery).
    assert not services.can_regenerate_setup_code(relay, person)
    assert services.can_regenerate_setup_code(staff, person)
    assert not services.can_regenerate_setup_code(staff, relay)


def test_managed_account_without_consent_is_refused_by_the_database(db, qpv):
    db.session.add(User(pseudonym="NoConsent", territory_id=qpv.id, is_managed=True))

    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


# --- Resident verification ---


def test_relay_verifies_a_resident_and_who_how_when_are_recorded(db, make_user):
    relay = make_user(roles=(Role.RELAY,))
    person = make_user()

    verification = services.verify_resident(
        relay,
        person,
        person.territory_id,
        VerificationMethod.PROOF_IN_PERSON,
        "  quittance de loyer ",
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


def test_verifying_in_another_qpv_moves_the_residence(db, make_user, make_territory):
    relay = make_user(roles=(Role.RELAY,))
    person = make_user()
    old = person.territory_id
    services.verify_resident(
        relay, person, old, VerificationMethod.PROOF_IN_PERSON, None
    )
    other = make_territory()

    services.verify_resident(
        relay, person, other.id, VerificationMethod.PROOF_IN_PERSON, None
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
            relay, person, outside.id, VerificationMethod.PROOF_IN_PERSON, ""
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


def test_revoking_a_verification(db, make_user):
    relay = make_user(roles=(Role.RELAY,))
    person = make_user()
    verification = services.verify_resident(
        relay, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
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
