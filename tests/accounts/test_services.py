"""Account services a person uses for themselves: registration, sign-in, e-mailed
links, profile."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts import services
from participation.accounts.models import User
from participation.accounts.passwords import check_password
from participation.accounts.services import checks
from participation.accounts.states import (
    Role,
    Sex,
    VerificationLevel,
    VerificationMethod,
)
from participation.core.errors import DomainError, FieldErrors
from participation.core.models import AuditEntry
from participation.core.time import utcnow

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

    with pytest.raises(FieldErrors) as error:
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

    with pytest.raises(FieldErrors) as error:
        services.register(_registration(closed.id))

    assert "territory" in error.value.errors


def test_duplicates_are_reported_on_each_field(db, qpv, make_user):
    make_user(email="leila@example.org", phone="+33612345678", pseudonym="leila")

    with pytest.raises(FieldErrors) as error:
        services.register(_registration(qpv.id, phone="06 12 34 56 78"))

    assert set(error.value.errors) == {"email", "phone", "pseudonym"}


def test_a_concurrent_duplicate_caught_by_the_unique_constraint_is_a_field_error(
    db, qpv, make_user, monkeypatch
):
    make_user(email="leila@example.org", pseudonym="Someone")
    db.session.commit()
    # As if the other request committed between our check and our insert.
    monkeypatch.setattr(checks, "check_unique", lambda **kwargs: None)

    with pytest.raises(FieldErrors) as error:
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

    with pytest.raises(FieldErrors) as error:
        services.update_profile(user, _changes(user, email=None, phone=None))

    assert "email" in error.value.errors
    assert user.email == "a@example.org"


def test_moving_ends_the_verification_of_the_old_qpv(
    db, make_user, make_territory, make_relay
):
    person = make_user()
    relay = make_relay(person.territory)
    services.verify_resident(
        relay,
        person,
        person.territory_id,
        VerificationMethod.PROOF_IN_PERSON,
        None,
        found=True,
    )
    new_home = make_territory()

    services.update_profile(person, _changes(person, territory_id=new_home.id))

    assert person.verification_level() is VerificationLevel.DECLARED
    assert all(v.revoked_at is not None for v in person.verifications)


def test_profile_pseudonym_taken_by_someone_else(db, make_user):
    make_user(pseudonym="Amina")
    user = make_user()

    with pytest.raises(FieldErrors) as error:
        services.update_profile(user, _changes(user, pseudonym="amina"))

    assert set(error.value.errors) == {"pseudonym"}
