"""Who may vote, where and when: each refusal says exactly why, in the voter's words.

The order of the checks is the order in which a resident can act on them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from ...accounts.models import User
from ...accounts.states import VerificationLevel
from ...budget.models import Envelope, Round
from ...budget.states import RoundPhase
from ...core.errors import DomainError
from ...core.i18n import format_date
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, utcnow
from ...extensions import db
from ..models import SignIn, VoteRules
from ..states import Channel
from .rules import get_rules


class RefusalReason(StrEnum):
    """Why a person may not vote (views and tests rely on the code, not the text)."""

    NOT_SIGNED_IN = "not_signed_in"
    NO_RULES = "no_rules"
    NOT_OPEN = "not_open"
    CLOSED = "closed"
    CHANNEL_CLOSED = "channel_closed"
    NO_TERRITORY = "no_territory"
    WRONG_QPV = "wrong_qpv"
    NOT_VERIFIED = "not_verified"
    NO_BIRTH_YEAR = "no_birth_year"
    TOO_YOUNG = "too_young"
    ALREADY_VOTED = "already_voted"


class VoteRefused(DomainError):
    """This person may not vote (now, here); ``reason`` says which rule."""

    status_code = 403

    def __init__(self, reason: RefusalReason, message: Any) -> None:
        super().__init__(message)
        self.reason = reason


def voter_age(person: User, round_: Round) -> int | None:
    """Age reached in the year the vote closes (only the birth year is known)."""
    if person.birth_year is None:
        return None
    return round_.vote_closes_at.astimezone(PARIS).year - person.birth_year


def envelope_of(round_: Round, territory_id: int | None) -> Envelope | None:
    for envelope in round_.envelopes:
        if envelope.territory_id == territory_id:
            return envelope
    return None


def find_sign_in(person_id: int, round_id: int) -> SignIn | None:
    return db.session.get(SignIn, (round_id, person_id))


def _date(moment: datetime) -> str:
    return str(format_date(moment.astimezone(PARIS).date(), "long"))


def check_vote_window(round_: Round, now: datetime) -> None:
    """Raise VoteRefused unless *round_*'s vote is open at *now*."""
    phase = round_.phase_at(now)
    if phase is RoundPhase.VOTE:
        return
    if round_.published_at is not None and now >= round_.vote_closes_at:
        raise VoteRefused(
            RefusalReason.CLOSED,
            _l("The vote closed on %(date)s.", date=_date(round_.vote_closes_at)),
        )
    raise VoteRefused(
        RefusalReason.NOT_OPEN,
        _l(
            "The vote is not open: it opens on %(date)s.",
            date=_date(round_.vote_opens_at),
        ),
    )


def check_can_vote(
    person: User | None,
    round_: Round,
    *,
    channel: Channel = Channel.ONLINE,
    now: datetime | None = None,
) -> Envelope:
    """The envelope *person* votes in, or VoteRefused saying exactly why not."""
    return can_vote(person, round_, channel, now or utcnow())[0]


def can_vote(
    person: User | None, round_: Round, channel: Channel, now: datetime
) -> tuple[Envelope, VoteRules]:
    """check_can_vote's work; also returns the rules it read."""
    if person is None or not person.is_authenticated:
        raise VoteRefused(RefusalReason.NOT_SIGNED_IN, _l("Sign in to vote."))
    rules = get_rules(round_)
    if rules is None:
        raise VoteRefused(
            RefusalReason.NO_RULES, _l("The rules of this vote are not set yet.")
        )
    check_vote_window(round_, now)
    _check_channel(rules, channel)
    existing = find_sign_in(person.id, round_.id)
    if existing is not None:
        raise already_voted(existing)
    envelope = _envelope_of_voter(person, round_)
    _check_verified(person, rules, envelope)
    _check_age(person, rules, round_)
    return envelope, rules


def _check_channel(rules: VoteRules, channel: Channel) -> None:
    if channel is Channel.ONLINE and not rules.is_online_enabled:
        raise VoteRefused(
            RefusalReason.CHANNEL_CLOSED,
            _l(
                "This vote is not held online: vote at a polling desk"
                " of your neighbourhood."
            ),
        )
    if channel is Channel.PAPER and not rules.is_paper_enabled:
        raise VoteRefused(
            RefusalReason.CHANNEL_CLOSED,
            _l(
                "This vote is held online only: the person can vote"
                " with a relay's help."
            ),
        )


def _envelope_of_voter(person: User, round_: Round) -> Envelope:
    if person.territory_id is None:
        raise VoteRefused(
            RefusalReason.NO_TERRITORY,
            _l(
                "Your profile does not say which neighbourhood you live in:"
                " add it to your profile, then come back."
            ),
        )
    envelope = envelope_of(round_, person.territory_id)
    if envelope is None:
        names = ", ".join(e.territory.name for e in round_.envelopes)
        yours = person.territory.name if person.territory else ""
        raise VoteRefused(
            RefusalReason.WRONG_QPV,
            _l(
                "This vote is for the residents of %(names)s. Your profile says you"
                " live in %(yours)s: each resident votes for the projects of their"
                " own neighbourhood.",
                names=names,
                yours=yours,
            ),
        )
    return envelope


def _check_verified(person: User, rules: VoteRules, envelope: Envelope) -> None:
    if rules.required_level is VerificationLevel.VERIFIED and (
        person.verification_level(envelope.territory_id)
        is not VerificationLevel.VERIFIED
    ):
        raise VoteRefused(
            RefusalReason.NOT_VERIFIED,
            _l(
                "This vote needs a verified address. A relay (social centre,"
                " France Services desk) or the city's politique de la ville team"
                " checks a proof of address with you in a few minutes; the document"
                " is not kept."
            ),
        )


def _check_age(person: User, rules: VoteRules, round_: Round) -> None:
    if not rules.min_age:
        return
    age = voter_age(person, round_)
    if age is None:
        raise VoteRefused(
            RefusalReason.NO_BIRTH_YEAR,
            _l(
                "This vote is open from the age of %(age)d: add your year of birth"
                " to your profile.",
                age=rules.min_age,
            ),
        )
    if age < rules.min_age:
        raise VoteRefused(
            RefusalReason.TOO_YOUNG,
            _l(
                "This vote is open to people who are %(age)d or older this year.",
                age=rules.min_age,
            ),
        )


def already_voted(sign_in: SignIn) -> VoteRefused:
    return VoteRefused(
        RefusalReason.ALREADY_VOTED,
        _l(
            "You have already voted in this round (%(channel)s, on %(date)s)."
            " Each resident votes once.",
            channel=sign_in.channel.label.lower(),
            date=format_date(sign_in.signed_on, "long"),
        ),
    )


def refusal_to_vote(
    person: User | None,
    round_: Round,
    *,
    channel: Channel = Channel.ONLINE,
    now: datetime | None = None,
) -> VoteRefused | None:
    """Why *person* may not vote now, or None when they may."""
    try:
        check_can_vote(person, round_, channel=channel, now=now)
    except VoteRefused as refusal:
        return refusal
    return None
