"""Walk-in voters at a desk: signing in a found person, or a new managed account.

Individual sign-ins are not written to the audit log (as for online votes): the
sign-in list itself records who signed whom in, and only the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import ngettext

from ....accounts import services as account_services
from ....accounts.models import User
from ....accounts.states import Sex, VerificationLevel, VerificationMethod
from ....core.errors import DomainError, FieldErrors, PermissionDenied
from ....core.i18n import lazy_gettext as _l
from ....core.time import utcnow
from ... import services as voting
from ...models import PollingDesk, SignIn
from ...services.permissions import require
from ...states import Channel
from .desks import long_date, paris_date
from .permissions import can_run_desks

Why = voting.RefusalReason


class SignInRefused(DomainError):
    """This person cannot be signed in here; the message is written for the relay."""

    status_code = 409

    def __init__(
        self,
        message: Any,
        *,
        reason: voting.RefusalReason | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.reason = reason


def _check_desk_takes_sign_ins(desk: PollingDesk, now: datetime) -> None:
    if not desk.is_open:
        raise SignInRefused(_l("This desk is closed: it takes no more sign-ins."))
    if desk.opens_on != paris_date(now):
        raise SignInRefused(
            _l(
                "This desk is for %(date)s: open a desk for today to sign voters in.",
                date=long_date(desk.opens_on),
            )
        )


def _already_voted_here(person: User, desk: PollingDesk) -> Any:
    existing = voting.find_sign_in(person.id, desk.round_id)
    if existing is not None and existing.channel is Channel.PAPER:
        return _l(
            "%(name)s has already voted in this round, at the desk “%(place)s”"
            " on %(date)s: each person votes once.",
            name=person.pseudonym,
            place=existing.desk.place if existing.desk is not None else "",
            date=long_date(existing.signed_on),
        )
    return _l(
        "%(name)s has already voted online in this round (on %(date)s):"
        " a paper ballot is refused, each person votes once.",
        name=person.pseudonym,
        date=long_date(existing.signed_on) if existing else "",
    )


def refusal_for_relay(
    refusal: voting.VoteRefused, person: User, desk: PollingDesk
) -> SignInRefused:
    """The vote's refusals speak to the voter ("you"); a desk's relay reads these."""
    reason, name, qpv = refusal.reason, person.pseudonym, desk.territory.name
    message: Any = refusal.message
    field: str | None = None
    if reason is Why.ALREADY_VOTED:
        message = _already_voted_here(person, desk)
    elif reason is Why.NOT_VERIFIED:
        field = "proof_checked"
        message = _l(
            "This vote needs an address verified in %(qpv)s: check a proof of"
            " address with %(name)s (a bill, a rent receipt) and tick the box.",
            qpv=qpv,
            name=name,
        )
    elif reason in (Why.WRONG_QPV, Why.NO_TERRITORY):
        field = "proof_checked"
        message = _l(
            "%(name)s's profile does not say they live in %(qpv)s, the neighbourhood"
            " of this desk. If their proof of address is in %(qpv)s, tick the box;"
            " otherwise they vote in their own neighbourhood.",
            name=name,
            qpv=qpv,
        )
    elif reason is Why.NO_BIRTH_YEAR:
        message = _l(
            "This vote has a minimum age: add %(name)s's year of birth to their"
            " profile first.",
            name=name,
        )
    elif reason is Why.TOO_YOUNG:
        message = ngettext(
            "%(name)s is too young for this vote (%(num)d year old or older this"
            " year).",
            "%(name)s is too young for this vote (%(num)d years old or older this"
            " year).",
            getattr(voting.get_rules(desk.round), "min_age", 0) or 0,
            name=name,
        )
    return SignInRefused(message, reason=reason, field=field)


def _verify_here(desk: PollingDesk, person: User, actor: User) -> None:
    """Record the proof of address *actor* checked now (no document kept)."""
    if person.verification_level(desk.territory_id) is VerificationLevel.VERIFIED:
        return
    try:
        account_services.verify_resident(
            actor,
            person,
            desk.territory_id,
            VerificationMethod.PROOF_IN_PERSON,
            None,
            found=True,  # the desk's page checked the relay's pass to the person
        )
    except PermissionDenied:
        raise SignInRefused(
            _l("You cannot verify your own address: ask another relay."),
            field="proof_checked",
        ) from None
    except DomainError as error:  # not a QPV the relay serves, or moved by staff
        raise SignInRefused(error.message, field="proof_checked") from None


def _check_lives_here(desk: PollingDesk, person: User) -> None:
    """Refuse a resident of another QPV of the round: they vote at their own desk."""
    if person.territory_id == desk.territory_id or person.territory_id is None:
        return
    envelope = voting.envelope_of(desk.round, person.territory_id)
    if envelope is None:
        return
    raise SignInRefused(
        _l(
            "%(name)s lives in %(theirs)s according to their profile: they"
            " vote at a desk of %(theirs)s. If their proof of address is in"
            " %(qpv)s, the neighbourhood of this desk, tick the box.",
            name=person.pseudonym,
            theirs=envelope.territory.name,
            qpv=desk.territory.name,
        ),
        reason=Why.WRONG_QPV,
        field="proof_checked",
    )


def sign_in_at_desk(
    desk: PollingDesk,
    person: User,
    actor: User,
    *,
    proof_checked: bool = False,
    now: datetime | None = None,
) -> SignIn:
    """Sign *person* in at *desk* (émargement, channel paper).

    When *proof_checked*, *actor* says they checked a proof of address in the desk's
    QPV now: the residence is recorded as verified there first (accounts service;
    no document kept). Refused, with a message for the relay, when the person
    already voted (online or at any desk), may not vote, or the desk is closed.
    On a refusal the caller rolls back: nothing of this call remains.
    """
    require(can_run_desks(actor), _l("Only relays and staff sign voters in."))
    now = now or utcnow()
    _check_desk_takes_sign_ins(desk, now)
    existing = voting.find_sign_in(person.id, desk.round_id)
    if existing is not None:
        raise refusal_for_relay(voting.already_voted(existing), person, desk)
    if proof_checked:
        _verify_here(desk, person, actor)
    _check_lives_here(desk, person)
    try:
        return voting.sign_in_voter(
            person,
            desk.round,
            channel=Channel.PAPER,
            desk=desk,
            recorded_by=actor,
            now=now,
        )
    except voting.VoteRefused as refusal:
        raise refusal_for_relay(refusal, person, desk) from None


@dataclass(frozen=True)
class WalkIn:
    """What a relay types for a walk-in voter who has no account."""

    pseudonym: str
    consent: bool
    proof_checked: bool
    real_name: str | None = None
    birth_year: int | None = None
    sex: Sex | None = None
    locale: str = "fr"


def sign_in_walk_in(
    desk: PollingDesk, actor: User, data: WalkIn, now: datetime | None = None
) -> tuple[User, str, SignIn]:
    """Create a managed account for a walk-in voter of the desk's QPV, then sign in.

    The relay must have checked a proof of address in the desk's QPV: the account is
    created verified there (method: proof in person, no document kept). Returns the
    person, their one-time setup code (to print, never stored) and the sign-in.
    On any refusal the caller rolls back: no account is left behind.
    """
    require(
        can_run_desks(actor),
        _l("Only relays and staff create accounts for walk-in voters."),
    )
    now = now or utcnow()
    _check_desk_takes_sign_ins(desk, now)
    if not data.proof_checked:
        raise FieldErrors(
            {
                "proof_checked": _l(
                    "Check a proof of address in %(qpv)s before creating the account.",
                    qpv=desk.territory.name,
                )
            }
        )
    person, code = account_services.create_managed_account(
        actor,
        account_services.ManagedAccount(
            pseudonym=data.pseudonym,
            territory_id=desk.territory_id,
            consent=data.consent,
            real_name=data.real_name,
            birth_year=data.birth_year,
            sex=data.sex,
            locale=data.locale,
            verified_in_person=True,
        ),
    )
    sign_in = sign_in_at_desk(desk, person, actor, now=now)
    return person, code, sign_in
