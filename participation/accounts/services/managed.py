"""Managed accounts, opened by a relay for a person without e-mail or phone, and
the printed one-time code with which that person chooses a password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ...core import audit
from ...core.errors import DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import can_create_managed_account
from ...core.time import utcnow
from ...extensions import db
from .. import queries, rules
from ..models import User, UserRole
from ..passwords import check_password, hash_password
from ..permissions import can_regenerate_setup_code
from ..states import Role, VerificationMethod
from . import checks
from .checks import PersonDetails
from .signin import set_password
from .verification import verify_resident

SETUP_CODE_VALIDITY = timedelta(days=60)


@dataclass(frozen=True, kw_only=True)
class ManagedAccount(PersonDetails):
    """What a relay types for a person who has no e-mail address or phone."""

    consent: bool
    verified_in_person: bool = False


def _issue_setup_code(person: User) -> str:
    code = rules.new_setup_code()
    person.setup_code_hash = hash_password(rules.canonical_setup_code(code))
    person.setup_code_expires_at = utcnow() + SETUP_CODE_VALIDITY
    return code


def create_managed_account(actor: User, data: ManagedAccount) -> tuple[User, str]:
    """Create the account; return it with its one-time code (shown once, not stored)."""
    if not can_create_managed_account(actor):
        raise PermissionDenied(
            _l("Only relays and staff create accounts for other people.")
        )
    problems: dict[str, Any] = {}
    if not data.consent:
        problems["consent"] = _l(
            "The person must agree before you create their account."
        )
    values = checks.person_values(data, problems=problems)
    checks.check_unique(pseudonym=values["pseudonym"])
    now = utcnow()
    person = User(
        **values,
        is_managed=True,
        managed_by_id=actor.id,
        managed_consent_at=now,
        data_notice_accepted_at=now,
        account_code=rules.new_account_code(),
    )
    person.roles = [UserRole(role=Role.RESIDENT, granted_by_id=actor.id)]
    code = _issue_setup_code(person)
    db.session.add(person)
    checks.flush_unique(person)
    audit.record(
        "account.managed_created",
        actor=actor,
        obj=person,
        territory_id=person.territory_id,
        consent=True,
    )
    if data.verified_in_person:
        verify_resident(
            actor, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
        )
    return person, code


def regenerate_setup_code(actor: User, person: User) -> str:
    """Issue a new code; the previous one stops working."""
    if not can_regenerate_setup_code(actor, person):
        raise PermissionDenied(_l("You cannot issue a code for this account."))
    code = _issue_setup_code(person)
    audit.record("account.setup_code_issued", actor=actor, obj=person)
    db.session.flush()
    return code


def setup_code_matches(person: User, code: str) -> bool:
    """True when *code* is the person's current, unexpired code."""
    if person.setup_code_hash is None or person.setup_code_expires_at is None:
        return False
    if person.setup_code_expires_at <= utcnow():
        return False
    return check_password(person.setup_code_hash, rules.canonical_setup_code(code))


def redeem_setup_code(pseudonym: str, code: str, password: str) -> User:
    """Let a managed person choose a password with their printed code (used once)."""
    rules.check_password_policy(password)
    person = queries.user_by_pseudonym(rules.tidy_pseudonym(pseudonym))
    if person is None or not person.is_active or not setup_code_matches(person, code):
        raise DomainError(
            _l(
                "The pseudonym or the code is not right, or the code has expired. "
                "Ask the person who gave you the code for a new one."
            ),
            field="code",
        )
    set_password(person, password)
    person.setup_code_hash = None
    person.setup_code_expires_at = None
    person.last_signin_at = utcnow()
    audit.record("account.setup_code_used", actor=person, obj=person)
    db.session.flush()
    return person
