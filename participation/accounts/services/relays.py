"""What ties a relay to the people and places they serve: the QPV they are
attached to (by an administrator), and the people who asked for their help."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core import audit
from ...core.errors import DomainError, PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.outbox import queue_email
from ...core.permissions import can_manage_people, is_relay
from ...extensions import db
from ...territories.models import Territory, TerritoryKind
from .. import rules
from ..models import RelayHelp, RelayTerritory, User
from ..permissions import can_record_help


def record_help(
    relay: User, person: User, consent_note: str, *, found: bool
) -> RelayHelp:
    """Record that *person* asked *relay* for help (after finding them exactly).

    The person is told by e-mail when they have an address, so that help they did
    not ask for does not go unnoticed.
    """
    if not can_record_help(relay, person, found=found):
        raise PermissionDenied(_l("You cannot record help for this person."))
    note = rules.clean_optional(consent_note, rules.NOTE_MAX_LENGTH, "consent_note")
    if not note:
        raise DomainError(_l("Say how the person agreed."), field="consent_note")
    link = RelayHelp(relay_id=relay.id, person_id=person.id, consent_note=note)
    db.session.add(link)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("This help was recorded a moment ago.")) from None
    audit.record("relay.help_recorded", actor=relay, obj=person, relay_help_id=link.id)
    if person.email:
        with force_locale(person.locale):
            queue_email(
                person.email,
                _("A relay now helps you with your account"),
                _(
                    "Hello %(pseudonym)s,\n\n%(relay)s recorded that you asked for "
                    "their help with your account (ideas, verification of your "
                    "address, voting at a desk). If you did not ask for it, tell the "
                    "staff of the city.",
                    pseudonym=person.pseudonym,
                    relay=relay.pseudonym,
                ),
            )
    return link


def _qpv(territory_id: int | None) -> Territory:
    territory = db.session.get(Territory, territory_id) if territory_id else None
    if territory is None or territory.kind is not TerritoryKind.QPV:
        raise DomainError(_l("Choose a QPV."), field="territory")
    return territory


def attach_territory(
    actor: User, relay: User, territory_id: int | None
) -> RelayTerritory | None:
    """Attach *relay* to a QPV they serve; None when they already were."""
    if not can_manage_people(actor):
        raise PermissionDenied(_l("Only administrators attach relays to a QPV."))
    if not is_relay(relay):
        raise DomainError(_l("Give this person the relay role first."))
    territory = _qpv(territory_id)
    if any(link.territory_id == territory.id for link in _links(relay)):
        return None
    link = RelayTerritory(
        relay_id=relay.id, territory_id=territory.id, granted_by_id=actor.id
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "relay.territory_attached", actor=actor, obj=relay, territory_id=territory.id
    )
    return link


def detach_territory(actor: User, relay: User, territory_id: int) -> bool:
    """Detach *relay* from a QPV; False when they were not attached."""
    if not can_manage_people(actor):
        raise PermissionDenied(_l("Only administrators attach relays to a QPV."))
    for link in _links(relay):
        if link.territory_id == territory_id:
            db.session.delete(link)
            db.session.flush()
            audit.record(
                "relay.territory_detached",
                actor=actor,
                obj=relay,
                territory_id=territory_id,
            )
            return True
    return False


def _links(relay: User) -> list[RelayTerritory]:
    return list(
        db.session.scalars(
            sa.select(RelayTerritory).where(RelayTerritory.relay_id == relay.id)
        )
    )


def served_territories(relay: User) -> list[Territory]:
    """The QPV *relay* is attached to, by name."""
    return sorted((link.territory for link in _links(relay)), key=lambda t: t.name)
