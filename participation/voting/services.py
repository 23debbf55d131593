"""Voting operations: rules, who may vote, casting, sealing, counting, publishing.

Services flush; the calling view (or CLI command) commits. They never read the request:
the voter, the actor and the inputs are arguments.

Other parts of the product (the polling desks above all) call:

- ``check_can_vote(person, round_, channel=..., now=...)`` → the person's envelope, or
  :class:`VoteRefused` with a ``reason`` code and a message saying exactly why not;
- ``sign_in_voter(person, round_, channel=Channel.PAPER, desk=desk,
  recorded_by=relay)``: the émargement alone (a walk-in voter at a desk), refused
  if they already voted;
- ``deposit_ballot(envelope, choices, channel=Channel.PAPER)``: a ballot in the box
  alone (a reconciled paper ballot), validated against the round's rules, until
  the count is certified;
- ``cast_ballot(person, round_, choices, ...)``: both, in one transaction (online);
- ``compute_result``, ``transition_result`` (certify, publish) for the results.

Casting is not written to the audit log on purpose: an entry with the voter and the
exact time would sit beside the ballot's transaction; the sign-in list is the record.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.states import VerificationLevel
from ..budget import services as budget_services
from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaAction, IdeaState, RoundPhase
from ..core import audit
from ..core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from ..core.permissions import is_staff
from ..core.time import PARIS, utcnow
from ..extensions import db
from . import tally
from .models import (
    Ballot,
    BallotChoice,
    PollingDesk,
    SignIn,
    VoteResult,
    VoteRules,
    new_ballot_id,
)
from .states import (
    TRANSITIONS,
    BallotType,
    Channel,
    CountingRule,
    ResultAction,
    ResultState,
    TieBreak,
)

#: Idea states of the projects put to the vote (before and after the results).
VOTED_STATES = (IdeaState.ELIGIBLE, IdeaState.SELECTED, IdeaState.NOT_SELECTED)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


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


class BallotInvalid(DomainError):
    """The choices break the rules; ``errors`` pairs a field (or None) with a message.

    Fields are ``idea-<id>`` for one project, None for the ballot as a whole.
    """

    status_code = 400

    def __init__(self, errors: Sequence[tuple[str | None, Any]]) -> None:
        super().__init__(errors[0][1], field=errors[0][0])
        self.errors = list(errors)

    @property
    def general(self) -> list[str]:
        return [str(m) for f, m in self.errors if f is None]

    @property
    def by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for f, m in self.errors:
            if f is not None:
                out.setdefault(f, []).append(str(m))
        return out


# ---------------------------------------------------------------------------
# Permission predicates
# ---------------------------------------------------------------------------


def can_manage_votes(user: Any) -> bool:
    """Set the rules, count, certify and publish: staff only."""
    return is_staff(user)


def can_view_result(user: Any, result: VoteResult | None) -> bool:
    """Everyone once published; staff before."""
    if result is None:
        return False
    return result.is_published or can_manage_votes(user)


def can_perform_result(user: Any, result: VoteResult, action: ResultAction) -> bool:
    return (result.state, action) in TRANSITIONS and can_manage_votes(user)


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


@dataclass
class RulesData:
    """What staff set for a round's vote (the view unpacks its form into this)."""

    ballot_type: BallotType = BallotType.APPROVAL
    min_projects: int = 1
    max_projects: int | None = None
    min_spend_percent: int = 0
    total_points: int | None = None
    max_points_per_project: int | None = None
    min_age: int = 0
    required_level: VerificationLevel = VerificationLevel.VERIFIED
    is_online_enabled: bool = True
    is_paper_enabled: bool = True
    counting_rule: CountingRule = CountingRule.GREEDY
    threshold: int = 0
    tie_break: TieBreak = TieBreak.SUPPORT_COST_ORDER

    @classmethod
    def of(cls, rules: VoteRules) -> RulesData:
        return cls(**{name: getattr(rules, name) for name in cls.__dataclass_fields__})


def get_rules(round_: Round) -> VoteRules | None:
    return db.session.scalar(
        sa.select(VoteRules).where(VoteRules.round_id == round_.id)
    )


def check_rules_data(data: RulesData) -> None:
    """Raise FieldErrors with every inconsistency of *data*."""
    errors: dict[str, Any] = {}
    if data.min_projects < 0:
        errors["min_projects"] = _l("The minimum cannot be negative.")
    if data.max_projects is not None:
        if data.max_projects < 1:
            errors["max_projects"] = _l("The maximum must be at least 1.")
        elif data.max_projects < data.min_projects:
            errors["max_projects"] = _l("The maximum must not be below the minimum.")
    if not 0 <= data.min_spend_percent <= 100:
        errors["min_spend_percent"] = _l("Give a share between 0 and 100 %.")
    elif data.min_spend_percent and data.ballot_type is not BallotType.KNAPSACK:
        errors["min_spend_percent"] = _l(
            "A minimum share to spend only applies to a budget (knapsack) ballot."
        )
    if data.ballot_type is BallotType.CUMULATIVE:
        if not data.total_points or data.total_points < 1:
            errors["total_points"] = _l("Give the number of points of each voter.")
        if not data.max_points_per_project or data.max_points_per_project < 1:
            errors["max_points_per_project"] = _l(
                "Give the most points a voter may put on one project."
            )
        elif data.total_points and data.max_points_per_project > data.total_points:
            errors["max_points_per_project"] = _l(
                "This cannot exceed the number of points of each voter."
            )
    if not 0 <= data.min_age <= 120:
        errors["min_age"] = _l("Give an age between 0 and 120.")
    if not (data.is_online_enabled or data.is_paper_enabled):
        errors["is_online_enabled"] = _l("Offer at least one way to vote.")
    if data.threshold < 0:
        errors["threshold"] = _l("The minimum support cannot be negative.")
    elif data.threshold and data.counting_rule is not CountingRule.GREEDY_THRESHOLD:
        errors["threshold"] = _l(
            "A minimum support only applies to the rule with a threshold."
        )
    elif data.counting_rule is CountingRule.GREEDY_THRESHOLD and data.threshold < 1:
        errors["threshold"] = _l("Give the minimum support a project needs.")
    if errors:
        raise FieldErrors(errors)


def save_rules(
    round_: Round, data: RulesData, actor: Any, now: datetime | None = None
) -> VoteRules:
    """Create or change the rules of *round_*; refused once the first ballot is cast."""
    if actor is not None and not can_manage_votes(actor):
        raise PermissionDenied(_l("Only staff can set the rules of a vote."))
    rules = get_rules(round_)
    if rules is not None:
        # Lock the row: a first ballot being cast right now freezes it first or waits.
        db.session.refresh(rules, with_for_update=True)
        if rules.is_frozen:
            raise Conflict(
                _l("The first ballot has been cast: the rules of this vote are frozen.")
            )
    check_rules_data(data)
    if data.ballot_type is not BallotType.CUMULATIVE:
        data.total_points = data.max_points_per_project = None
    if rules is None:
        rules = VoteRules(round_id=round_.id)
        db.session.add(rules)
    for name in RulesData.__dataclass_fields__:
        setattr(rules, name, getattr(data, name))
    rules.updated_by_id = getattr(actor, "id", None)
    rules.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        "vote_rules.save",
        actor=actor,
        obj=rules,
        round_id=round_.id,
        **{k: str(v) for k, v in vars(data).items()},
    )
    return rules


def _freeze_rules(rules: VoteRules, now: datetime) -> None:
    """Freeze the rules with the first ballot (one UPDATE, a no-op once frozen)."""
    if rules.frozen_at is not None:
        return
    db.session.execute(
        sa.update(VoteRules)
        .where(VoteRules.id == rules.id, VoteRules.frozen_at.is_(None))
        .values(frozen_at=now)
        .execution_options(synchronize_session=False)
    )
    # Re-read what is now frozen: staff may have saved a change just before.
    db.session.refresh(rules)


# ---------------------------------------------------------------------------
# Who may vote
# ---------------------------------------------------------------------------


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
    person: Any,
    round_: Round,
    *,
    channel: Channel = Channel.ONLINE,
    now: datetime | None = None,
) -> Envelope:
    """The envelope *person* votes in, or VoteRefused saying exactly why not.

    The order of the checks is the order in which a resident can act on them.
    """
    return _can_vote(person, round_, channel, now or utcnow())[0]


def _can_vote(
    person: Any, round_: Round, channel: Channel, now: datetime
) -> tuple[Envelope, VoteRules]:
    """check_can_vote's work; also returns the rules it read."""
    if person is None or not getattr(person, "is_authenticated", False):
        raise VoteRefused(RefusalReason.NOT_SIGNED_IN, _l("Sign in to vote."))
    rules = get_rules(round_)
    if rules is None:
        raise VoteRefused(
            RefusalReason.NO_RULES, _l("The rules of this vote are not set yet.")
        )
    check_vote_window(round_, now)
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
    existing = find_sign_in(person.id, round_.id)
    if existing is not None:
        raise already_voted(existing)
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
    if rules.min_age:
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
    return envelope, rules


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
    person: Any,
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


# ---------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------


def ballot_projects(envelope: Envelope) -> list[Idea]:
    """The projects put to the vote in *envelope*, in submission order."""
    return list(
        db.session.scalars(
            sa.select(Idea)
            .where(
                Idea.round_id == envelope.round_id,
                Idea.territory_id == envelope.territory_id,
                Idea.state.in_(VOTED_STATES),
            )
            .order_by(Idea.submitted_at, Idea.id)
        )
    )


def validate_choices(
    rules: VoteRules,
    envelope: Envelope,
    choices: Iterable[tuple[int, int]],
    projects: Sequence[Idea] | None = None,
) -> dict[int, int]:
    """Check *choices* (idea id, points) against the rules; ``{idea_id: points}``.

    Pairs with 0 points are dropped (a cumulative field left at 0). Every problem is
    reported at once, each next to its project when it has one.
    """
    projects = ballot_projects(envelope) if projects is None else projects
    by_id = {idea.id: idea for idea in projects}
    errors: list[tuple[str | None, Any]] = []
    chosen: dict[int, int] = {}
    for idea_id, points in choices:
        name = f"idea-{idea_id}"
        if idea_id in chosen:
            errors.append((name, _l("This project is named twice on the ballot.")))
            continue
        if idea_id not in by_id:
            errors.append((None, _not_on_ballot(idea_id, envelope)))
            continue
        if points < 0:
            errors.append((name, _l("Points cannot be negative.")))
            continue
        if rules.ballot_type is not BallotType.CUMULATIVE and points not in (0, 1):
            errors.append((name, _l("Tick the project or leave it unticked.")))
            continue
        if points:
            chosen[idea_id] = points
    if errors:
        raise BallotInvalid(errors)
    count = len(chosen)
    if count < rules.min_projects:
        errors.append(
            (
                None,
                _l(
                    "Choose at least %(min)d project(s); you chose %(count)d.",
                    min=rules.min_projects,
                    count=count,
                ),
            )
        )
    if rules.max_projects is not None and count > rules.max_projects:
        errors.append(
            (
                None,
                _l(
                    "Choose at most %(max)d project(s); you chose %(count)d.",
                    max=rules.max_projects,
                    count=count,
                ),
            )
        )
    if rules.ballot_type is BallotType.KNAPSACK:
        total = sum((by_id[i].final_cost or Decimal(0) for i in chosen), Decimal(0))
        budget = envelope.total
        if total > budget:
            errors.append(
                (
                    None,
                    _l(
                        "Your projects cost %(total)s € together, more than the"
                        " envelope of %(budget)s €: untick one or more projects.",
                        total=_euros(total),
                        budget=_euros(budget),
                    ),
                )
            )
        minimum = budget * rules.min_spend_percent / 100
        if rules.min_spend_percent and total < minimum:
            errors.append(
                (
                    None,
                    _l(
                        "Your projects cost %(total)s € together: choose projects"
                        " for at least %(minimum)s € (%(percent)d %% of the envelope).",
                        total=_euros(total),
                        minimum=_euros(minimum),
                        percent=rules.min_spend_percent,
                    ),
                )
            )
    if rules.ballot_type is BallotType.CUMULATIVE:
        cap = rules.max_points_per_project or 0
        for idea_id, points in chosen.items():
            if points > cap:
                errors.append(
                    (
                        f"idea-{idea_id}",
                        _l("At most %(max)d points on one project.", max=cap),
                    )
                )
        spent = sum(chosen.values())
        if spent > (rules.total_points or 0):
            errors.append(
                (
                    None,
                    _l(
                        "You gave %(spent)d points; you have %(total)d.",
                        spent=spent,
                        total=rules.total_points or 0,
                    ),
                )
            )
    if errors:
        raise BallotInvalid(errors)
    return chosen


def _euros(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,.2f}".replace(",", "\u202f")


def _not_on_ballot(idea_id: int, envelope: Envelope) -> Any:
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.round_id != envelope.round_id:
        return _l("A project on this ballot does not exist in this vote.")
    if idea.territory_id != envelope.territory_id:
        return _l(
            "“%(title)s” is a project of another neighbourhood: you vote for the"
            " projects of yours.",
            title=idea.title,
        )
    return _l("“%(title)s” was not retained for the vote.", title=idea.title)


# ---------------------------------------------------------------------------
# Receipts
# ---------------------------------------------------------------------------

#: Crockford's base-32 alphabet: no I, L, O or U to misread.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 20 characters of base 32: 100 bits, out of reach of a guess.
RECEIPT_LENGTH = 20


def _format_receipt(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(RECEIPT_LENGTH):
        number, digit = divmod(number, 32)
        chars.append(_RECEIPT_ALPHABET[digit])
    code = "".join(chars)
    return "-".join(code[i : i + 5] for i in range(0, RECEIPT_LENGTH, 5))


def new_receipt_code() -> str:
    """A random receipt code such as ``7KQ2M-...`` (shown once, never stored)."""
    return _format_receipt(secrets.token_bytes(16))


def receipt_code_for(token: str, secret: str | bytes) -> str:
    """The receipt code of a confirmation *token* (the random nonce of a review page).

    Derived with a keyed hash so that a repeated confirmation (double click, reload)
    finds the same code, while nothing but the voter's page ever holds the token.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, b"receipt:" + token.encode(), hashlib.sha256).digest()
    return _format_receipt(digest[:16])


_MISREAD = str.maketrans("OIL", "011")


def normalise_receipt(code: str) -> str:
    """Upper case, without spaces or dashes, with the misreadable letters mapped."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    return text.translate(_MISREAD)


def receipt_hash(code: str) -> str:
    """SHA-256 (hex) of the normalised receipt code: what the ballot box keeps."""
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def ballot_with_receipt(envelope_id: int, code: str) -> bool:
    return (
        db.session.scalar(
            sa.select(Ballot.id).where(
                Ballot.envelope_id == envelope_id,
                Ballot.receipt_hash == receipt_hash(code),
            )
        )
        is not None
    )


# ---------------------------------------------------------------------------
# Casting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CastReceipt:
    """What the voter takes away: the code (shown once) and where it was cast."""

    code: str
    round_id: int
    envelope_id: int


def take_write_lock() -> None:
    """On SQLite, take the database's write lock now, before reading anything.

    SQLite lets one writer at a time; a transaction that has read and then writes
    fails at once ("database is locked") if another writer committed in between,
    without waiting. Writing first makes it wait its turn (busy_timeout) instead.
    The caller should start a fresh transaction first (the voting views roll back
    their read-only one). Nothing to do on PostgreSQL (row locks).
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return
    try:
        db.session.execute(sa.text("UPDATE vote_rules SET id = id WHERE 0 = 1"))
    except sa.exc.OperationalError:
        db.session.rollback()
        raise Conflict(
            _l("Many people are voting right now: please confirm again.")
        ) from None


def sign_in_voter(
    person: User,
    round_: Round,
    *,
    channel: Channel,
    desk: PollingDesk | None = None,
    recorded_by: User | None = None,
    now: datetime | None = None,
) -> SignIn:
    """Add *person* to the sign-in list of *round_* (checks eligibility first).

    For a walk-in voter at a desk: ``channel=Channel.PAPER``, the desk and the relay.
    A second sign-in of the same person in the round (another tab, another channel,
    a desk after an online vote) hits the primary key and raises VoteRefused; nothing
    of this call remains (a savepoint).
    """
    now = now or utcnow()
    take_write_lock()
    envelope = check_can_vote(person, round_, channel=channel, now=now)
    if channel is Channel.PAPER:
        if desk is None or desk.round_id != round_.id:
            raise Conflict(_l("A paper sign-in is made at a desk of this round."))
        if desk.territory_id != envelope.territory_id:
            raise Conflict(
                _l("This desk serves another neighbourhood than the voter's.")
            )
        if not desk.is_open:
            raise Conflict(_l("This desk is closed."))
    elif desk is not None:
        raise Conflict(_l("An online vote has no desk."))
    _insert_sign_in(person, envelope, channel, desk, recorded_by, now)
    sign_in = db.session.get(SignIn, (round_.id, person.id))
    assert sign_in is not None
    return sign_in


def _insert_sign_in(
    person: User,
    envelope: Envelope,
    channel: Channel,
    desk: PollingDesk | None,
    recorded_by: User | None,
    now: datetime,
) -> None:
    """Insert the sign-in row; VoteRefused(ALREADY_VOTED) if the key exists.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` in one round trip: a concurrent
    insert of the same (round, person) makes PostgreSQL wait for the other
    transaction, then insert nothing. The primary key decides, not the earlier check.
    """
    values = {
        "round_id": envelope.round_id,
        "person_id": person.id,
        "territory_id": envelope.territory_id,
        "channel": channel,
        "desk_id": desk.id if desk is not None else None,
        "recorded_by_id": recorded_by.id if recorded_by is not None else None,
        "signed_on": now.astimezone(PARIS).date(),
    }
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(SignIn)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["round_id", "person_id"])
            .returning(SignIn.person_id)
        )
        inserted = db.session.execute(statement).first() is not None
    else:  # pragma: no cover - the two supported databases are above
        try:
            with db.session.begin_nested():
                db.session.add(SignIn(**values))
            inserted = True
        except IntegrityError:
            inserted = False
    if not inserted:
        existing = db.session.get(SignIn, (envelope.round_id, person.id))
        if existing is None:  # pragma: no cover - a constraint other than the key
            raise Conflict(_l("The sign-in list refused this voter."))
        raise already_voted(existing)


def _result_of(envelope_id: int) -> VoteResult | None:
    return db.session.scalar(
        sa.select(VoteResult).where(VoteResult.envelope_id == envelope_id)
    )


def _open_box(
    envelope: Envelope,
    channel: Channel,
    now: datetime,
    rules: VoteRules | None = None,
) -> VoteRules:
    """The frozen rules of *envelope*'s round, once the box may take this ballot."""
    round_ = envelope.round
    rules = rules or get_rules(round_)
    if rules is None:
        raise Conflict(_l("The rules of this vote are not set yet."))
    if channel is Channel.ONLINE:
        check_vote_window(round_, now)
    elif now < round_.vote_opens_at:
        raise Conflict(_l("The vote has not opened yet."))
    result = _result_of(envelope.id)
    if result is not None and result.state is not ResultState.COMPUTED:
        raise Conflict(
            _l("The result of this vote is certified: the ballot box is closed.")
        )
    # Freeze before validating: the choices are checked against the final rules.
    _freeze_rules(rules, now)
    return rules


def _insert_ballot(
    envelope: Envelope,
    chosen: Mapping[int, int],
    channel: Channel,
    receipt_code: str | None,
) -> Ballot:
    ballot = Ballot(
        id=new_ballot_id(),
        envelope_id=envelope.id,
        channel=channel,
        receipt_hash=receipt_hash(receipt_code) if receipt_code else None,
    )
    db.session.add(ballot)
    db.session.flush()
    if chosen:
        db.session.execute(
            sa.insert(BallotChoice),
            [
                {"ballot_id": ballot.id, "idea_id": i, "points": p}
                for i, p in chosen.items()
            ],
        )
    return ballot


def deposit_ballot(
    envelope: Envelope,
    choices: Iterable[tuple[int, int]],
    *,
    channel: Channel,
    receipt_code: str | None = None,
    now: datetime | None = None,
) -> Ballot:
    """Put a ballot in *envelope*'s box alone: validated, linked to no one.

    For the desks: a reconciled paper ballot (``channel=Channel.PAPER``), which may be
    keyed after the close, until the count is certified. Online ballots come through
    ``cast_ballot``, during the vote only.
    """
    now = now or utcnow()
    rules = _open_box(envelope, channel, now)
    chosen = validate_choices(rules, envelope, choices)
    return _insert_ballot(envelope, chosen, channel, receipt_code)


def cast_ballot(
    person: User,
    round_: Round,
    choices: Iterable[tuple[int, int]],
    *,
    receipt_code: str | None = None,
    now: datetime | None = None,
) -> CastReceipt:
    """Cast *person*'s online ballot: sign-in row and ballot row in one transaction.

    The choices are validated before anything is written. A second ballot of the same
    person (another request at the same instant included) is refused by the sign-in
    list's primary key: VoteRefused(ALREADY_VOTED), nothing stored.
    """
    now = now or utcnow()
    take_write_lock()
    envelope, rules = _can_vote(person, round_, Channel.ONLINE, now)
    rules = _open_box(envelope, Channel.ONLINE, now, rules)
    chosen = validate_choices(rules, envelope, list(choices))
    code = receipt_code or new_receipt_code()
    # Nothing is written before this point; if the ballot fails after the sign-in,
    # the caller rolls the whole transaction back (services never commit).
    _insert_sign_in(person, envelope, Channel.ONLINE, None, None, now)
    _insert_ballot(envelope, chosen, Channel.ONLINE, code)
    return CastReceipt(code=code, round_id=round_.id, envelope_id=envelope.id)


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


def canonical_ballot(choices: Iterable[tuple[int | str, int]]) -> str:
    """One ballot as text: ``id:points`` pairs sorted by project id, comma-separated."""
    return ",".join(f"{i}:{p}" for i, p in sorted((int(i), p) for i, p in choices))


def ballot_set_hash(ballots: Iterable[str]) -> str:
    """SHA-256 of the canonical ballot set: the sorted canonical ballots, one per line.

    Anyone can recompute it from the published ``.pb`` export (project id = idea id).
    """
    text = "\n".join(sorted(ballots))
    return hashlib.sha256(text.encode()).hexdigest()


def load_ballots(envelope_id: int) -> list[tuple[str | None, Channel, dict[int, int]]]:
    """Every ballot of the envelope: (receipt hash, channel, {idea_id: points}).

    One query of plain tuples (ids and channels as text): a city's 90,000 ballots and
    450,000 choices load in about a second.
    """
    rows = db.session.connection().execute(
        sa.select(
            sa.cast(Ballot.id, sa.String),
            Ballot.receipt_hash,
            sa.cast(Ballot.channel, sa.String),
            BallotChoice.idea_id,
            BallotChoice.points,
        )
        .select_from(Ballot)
        .outerjoin(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.envelope_id == envelope_id)
    )
    ballots: dict[str, tuple[str | None, Channel, dict[int, int]]] = {}
    channels = {c.value: c for c in Channel}
    for ballot_id, receipt, channel, idea_id, points in rows:
        entry = ballots.get(ballot_id)
        if entry is None:
            entry = ballots[ballot_id] = (receipt, channels[channel], {})
        if idea_id is not None:
            entry[2][idea_id] = points
    return list(ballots.values())


def seal_ballot_box(envelope: Envelope) -> int:
    """Rewrite *envelope*'s ballots in random order in this transaction (PostgreSQL).

    On PostgreSQL a row keeps the id of the transaction that wrote it (``xmin``), the
    same as its sign-in's, and sits where it was appended. Re-inserting every ballot in
    one transaction, shuffled, gives them one ``xmin`` and a random position; the old
    row versions go with the next VACUUM (``vacuum_ballot_box``). SQLite stores the
    ballot tables by their random key (WITHOUT ROWID): nothing to do there.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return 0
    heads = db.session.execute(
        sa.select(Ballot.id, Ballot.channel, Ballot.receipt_hash).where(
            Ballot.envelope_id == envelope.id
        )
    ).all()
    if not heads:
        return 0
    choices = db.session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.idea_id, BallotChoice.points)
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .where(Ballot.envelope_id == envelope.id)
    ).all()
    db.session.execute(
        sa.delete(Ballot)
        .where(Ballot.envelope_id == envelope.id)
        .execution_options(synchronize_session=False)
    )
    shuffled = list(heads)
    random.SystemRandom().shuffle(shuffled)
    db.session.execute(
        sa.insert(Ballot),
        [
            {
                "id": h.id,
                "envelope_id": envelope.id,
                "channel": h.channel,
                "receipt_hash": h.receipt_hash,
            }
            for h in shuffled
        ],
    )
    rows = [
        {"ballot_id": c.ballot_id, "idea_id": c.idea_id, "points": c.points}
        for c in choices
    ]
    random.SystemRandom().shuffle(rows)
    if rows:
        db.session.execute(sa.insert(BallotChoice), rows)
    db.session.expire_all()
    return len(heads)


def vacuum_ballot_box() -> None:
    """After a seal has been committed, drop the old row versions now (PostgreSQL)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ballot, ballot_choice")


def _tally_input(
    rules: VoteRules | None, projects: Sequence[Idea], ballots: Sequence[dict[int, int]]
) -> tuple[list[tally.Project], list[Any]]:
    items = [
        tally.Project(id=str(idea.id), cost=idea.final_cost or Decimal(0), order=n)
        for n, idea in enumerate(projects)
    ]
    cumulative = rules is not None and rules.ballot_type is BallotType.CUMULATIVE
    if cumulative:
        return items, [{str(i): p for i, p in b.items()} for b in ballots]
    return items, [frozenset(str(i) for i in b) for b in ballots]


def participation_of(envelope: Envelope) -> dict[str, dict[str, int]]:
    """``{channel: {"sign_ins": n, "ballots": n}}`` of *envelope*."""
    out: dict[str, dict[str, int]] = {}
    sign_ins = db.session.execute(
        sa.select(SignIn.channel, sa.func.count())
        .where(
            SignIn.round_id == envelope.round_id,
            SignIn.territory_id == envelope.territory_id,
        )
        .group_by(SignIn.channel)
    )
    for channel, n in sign_ins:
        out.setdefault(channel.value, {"sign_ins": 0, "ballots": 0})["sign_ins"] = n
    ballots = db.session.execute(
        sa.select(Ballot.channel, sa.func.count())
        .where(Ballot.envelope_id == envelope.id)
        .group_by(Ballot.channel)
    )
    for channel, n in ballots:
        out.setdefault(channel.value, {"sign_ins": 0, "ballots": 0})["ballots"] = n
    return out


def count_envelope(envelope: Envelope, rules: VoteRules) -> dict[str, Any]:
    """Count *envelope* now (pure engine on the stored ballots); the result's fields."""
    projects = ballot_projects(envelope)
    stored = load_ballots(envelope.id)
    items, ballots = _tally_input(rules, projects, [b for _, _, b in stored])
    threshold = (
        rules.threshold if rules.counting_rule is CountingRule.GREEDY_THRESHOLD else 0
    )
    outcome = tally.tally(
        items,
        ballots,
        envelope.total,
        rules.counting_rule,
        threshold=threshold,
        tie_break=rules.tie_break,
    )
    participation = participation_of(envelope)
    return {
        "rule": rules.counting_rule,
        "tie_break": rules.tie_break,
        "params": {
            "threshold": threshold,
            "ballot_type": rules.ballot_type.value,
            "min_projects": rules.min_projects,
            "max_projects": rules.max_projects,
            "min_spend_percent": rules.min_spend_percent,
            "total_points": rules.total_points,
            "max_points_per_project": rules.max_points_per_project,
        },
        "engine_version": outcome.engine_version,
        "budget": outcome.budget,
        "allocated": outcome.total_cost,
        "amount_left": outcome.budget - outcome.total_cost,
        "num_ballots": outcome.num_ballots,
        "num_sign_ins": sum(c["sign_ins"] for c in participation.values()),
        "population": envelope.territory.population,
        "participation": participation,
        "support": {k: int(v) for k, v in outcome.support.items()},
        "winners": list(outcome.winners),
        "trace": [step.to_dict() for step in outcome.steps],
        "ballot_set_hash": ballot_set_hash(
            canonical_ballot(b.items()) for _, _, b in stored
        ),
        "receipt_hashes": sorted(h for h, _, _ in stored if h),
    }


def _check_closed(round_: Round, now: datetime) -> None:
    if round_.published_at is None or now < round_.vote_closes_at:
        raise Conflict(_l("The vote is not closed yet: no count before the close."))


def compute_result(
    envelope: Envelope, actor: Any, now: datetime | None = None, *, seal: bool = True
) -> VoteResult:
    """Seal and count *envelope* after the close; a new count resets certification.

    *seal* False skips ``seal_ballot_box``: for ballots all written in this very
    transaction (an import), which already share one ``xmin``.
    """
    if actor is not None and not can_manage_votes(actor):
        raise PermissionDenied(_l("Only staff can count the votes."))
    now = now or utcnow()
    round_ = envelope.round
    _check_closed(round_, now)
    rules = get_rules(round_)
    if rules is None:
        raise Conflict(_l("The rules of this vote are not set."))
    result = _result_of(envelope.id)
    if result is not None and (result.state, ResultAction.RECOMPUTE) not in TRANSITIONS:
        raise Conflict(_l("This result is published: it can no longer change."))
    if seal:
        seal_ballot_box(envelope)
    fields = count_envelope(envelope, rules)
    if result is None:
        result = VoteResult(envelope_id=envelope.id)
        db.session.add(result)
    old = result.state
    for name, value in fields.items():
        setattr(result, name, value)
    result.state = ResultState.COMPUTED
    result.computed_at = now
    result.computed_by_id = getattr(actor, "id", None)
    result.certified_at = result.certified_by_id = None
    db.session.flush()
    audit.record(
        "vote_result.compute",
        actor=actor,
        obj=result,
        from_state=old.value if old else None,
        winners=fields["winners"],
        ballot_set_hash=fields["ballot_set_hash"],
        num_ballots=fields["num_ballots"],
    )
    return result


def compute_round(
    round_: Round, actor: Any, now: datetime | None = None
) -> list[VoteResult]:
    """Count every envelope of *round_* whose result is not published yet."""
    out = []
    for envelope in round_.envelopes:
        existing = _result_of(envelope.id)
        if existing is not None and existing.is_published:
            continue
        out.append(compute_result(envelope, actor, now))
    return out


def transition_result(
    result: VoteResult,
    action: ResultAction,
    actor: Any,
    *,
    now: datetime | None = None,
    winners: Sequence[str] | None = None,
    verify_box: bool = True,
) -> ResultState:
    """Apply *action* (certify, publish, recompute) to *result*: the one state writer.

    Certifying and publishing first check that the ballot box still holds exactly the
    ballots counted. Publishing moves the winning ideas to ``selected`` and the others
    to ``not_selected`` (budget's transition), and once every envelope of the round is
    published, records the round's results as published (carry-over). *winners*
    overrides the count's winners for the ideas' states (an imported archive whose
    file records the official selection). *verify_box* False skips re-reading the
    ballot box, for a result counted in this very transaction (an import).
    """
    now = now or utcnow()
    if actor is not None and not can_manage_votes(actor):
        raise PermissionDenied(_l("Only staff can certify and publish results."))
    if (result.state, action) not in TRANSITIONS:
        if result.is_published:
            raise Conflict(_l("This result is published: it can no longer change."))
        raise Conflict(_l("This action is not possible in the result's current state."))
    envelope = result.envelope
    if action is ResultAction.RECOMPUTE:
        compute_result(envelope, actor, now)
        return result.state
    if verify_box:
        stored = load_ballots(envelope.id)
        current = ballot_set_hash(canonical_ballot(b.items()) for _, _, b in stored)
        if current != result.ballot_set_hash:
            raise Conflict(
                _l(
                    "The ballot box changed since this count:"
                    " count again before going on."
                )
            )
    old = result.state
    result.state = TRANSITIONS[(old, action)]
    if action is ResultAction.CERTIFY:
        result.certified_at = now
        result.certified_by_id = getattr(actor, "id", None)
    elif action is ResultAction.PUBLISH:
        result.published_at = now
        result.published_by_id = getattr(actor, "id", None)
        chosen = set(result.winners if winners is None else winners)
        for idea in ballot_projects(envelope):
            if idea.state is not IdeaState.ELIGIBLE:
                continue
            budget_services.transition(
                idea,
                IdeaAction.SELECT if str(idea.id) in chosen else IdeaAction.NOT_SELECT,
                actor,
                now=now,
            )
    db.session.flush()
    audit.record(
        f"vote_result.{action.value}",
        actor=actor,
        obj=result,
        from_state=old.value,
        to_state=result.state.value,
        ballot_set_hash=result.ballot_set_hash,
    )
    if action is ResultAction.PUBLISH:
        round_ = envelope.round
        published = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(VoteResult)
            .join(Envelope, Envelope.id == VoteResult.envelope_id)
            .where(
                Envelope.round_id == round_.id,
                VoteResult.state == ResultState.PUBLISHED,
            )
        )
        if published == len(round_.envelopes) and round_.results_published_at is None:
            budget_services.mark_results_published(round_, actor, now)
    return result.state


# ---------------------------------------------------------------------------
# Ballot page helpers
# ---------------------------------------------------------------------------


@dataclass
class BallotSummary:
    """What the review page shows: the chosen projects and the totals."""

    projects: list[tuple[Idea, int]] = field(default_factory=list)
    total_cost: Decimal = Decimal(0)
    total_points: int = 0


def summarise(envelope: Envelope, chosen: Mapping[int, int]) -> BallotSummary:
    summary = BallotSummary()
    for idea in ballot_projects(envelope):
        points = chosen.get(idea.id)
        if points:
            summary.projects.append((idea, points))
            summary.total_cost += idea.final_cost or Decimal(0)
            summary.total_points += points
    return summary


def counts_by_channel(round_: Round) -> Counter[str]:
    """Sign-ins per channel of *round_* (staff dashboard; never choices)."""
    rows = db.session.execute(
        sa.select(SignIn.channel, sa.func.count())
        .where(SignIn.round_id == round_.id)
        .group_by(SignIn.channel)
    )
    return Counter({channel.value: n for channel, n in rows})
