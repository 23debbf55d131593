"""Resident verification: a relay or staff member checked a proof of address."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import Conflict, DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_staff
from ...core.time import utcnow
from ...extensions import db
from ...territories.models import Territory, TerritoryKind
from .. import rules
from ..models import ResidentVerification, User
from ..permissions import can_revoke_verification, can_verify, serves
from ..states import Role, VerificationMethod


def _verifiable_qpv(territory_id: int | None) -> Territory:
    territory = db.session.get(Territory, territory_id) if territory_id else None
    if (
        territory is None
        or not territory.is_active
        or territory.kind is not TerritoryKind.QPV
    ):
        raise DomainError(
            _l("Choose the QPV the proof of address is in."), field="territory"
        )
    return territory


def verify_resident(
    actor: User,
    person: User,
    territory_id: int | None,
    method: VerificationMethod,
    note: str | None,
    *,
    found: bool = False,
) -> ResidentVerification:
    """Record that *actor* checked that *person* lives in a QPV. No document is kept.

    Verifying for another QPV than the declared one moves the person's residence
    there and ends the verification of the old one. Verifying twice changes nothing.
    A relay verifies only in a QPV they serve, people they help or just found by an
    exact identifier (*found*), and never ends a verification someone else made.
    """
    if not can_verify(actor, person, found=found):
        raise PermissionDenied(_l("You cannot verify this person."))
    territory = _verifiable_qpv(territory_id)
    if not serves(actor, territory.id):
        raise DomainError(
            _l(
                "You can verify addresses only in the QPV you serve. Ask the staff "
                "to attach you to %(qpv)s.",
                qpv=territory.name,
            ),
            field="territory",
        )
    note = rules.clean_optional(note, rules.NOTE_MAX_LENGTH, "note")
    existing = person.active_verification(territory.id)
    if existing is not None:
        return existing
    others = [v for v in person.verifications if v.revoked_at is None]
    if any(not can_revoke_verification(actor, other) for other in others):
        raise DomainError(
            _l(
                "This person's address is verified in another QPV by someone else: "
                "only the staff can move it."
            ),
            field="territory",
        )
    now = utcnow()
    for other in others:
        other.revoked_at = now
        other.revoked_by_id = actor.id
    moved_from = person.territory_id if person.territory_id != territory.id else None
    person.territory_id = territory.id
    verification = ResidentVerification(
        territory_id=territory.id,
        method=method,
        verified_by_id=actor.id,
        verified_by_role=Role.STAFF if is_staff(actor) else Role.RELAY,
        verified_at=now,
        note=note,
    )
    person.verifications.append(verification)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request recorded the same verification a moment earlier.
        db.session.rollback()
        raise Conflict(_l("This person was verified a moment ago.")) from None
    audit.record(
        "resident.verified",
        actor=actor,
        obj=person,
        territory_id=territory.id,
        method=method.value,
        verification_id=verification.id,
        **({"territory_from": moved_from} if moved_from is not None else {}),
    )
    return verification


def revoke_verification(actor: User, verification: ResidentVerification) -> None:
    """End a verification (a mistake, a move); revoking twice changes nothing.

    Staff revoke any; a relay only one they made.
    """
    if not can_revoke_verification(actor, verification):
        raise PermissionDenied(_l("You cannot change this person's verification."))
    if verification.revoked_at is not None:
        return
    verification.revoked_at = utcnow()
    verification.revoked_by_id = actor.id
    audit.record(
        "resident.verification_revoked",
        actor=actor,
        obj=verification.user,
        territory_id=verification.territory_id,
        verification_id=verification.id,
    )
    db.session.flush()
