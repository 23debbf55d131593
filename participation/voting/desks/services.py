"""Polling desk operations: desks, walk-in sign-ins, paper batches keyed twice.

Services flush; the calling view (or CLI command, or the demo) commits. They never
read the request: the actor and the inputs are arguments, and every one re-checks
its permission predicate.

The sign-in list and the ballot box belong to the voting feature, whose services do
the real work: ``sign_in_voter`` (one sign-in per person and round, whatever the
channel), ``validate_choices`` (a keyed ballot against the frozen rules) and
``deposit_ballot`` (a reconciled paper ballot into the box). Managed accounts and
resident verification belong to the accounts feature.

How a desk counts (PRODUCT.md §4.3):

1. a relay or staff member opens a desk (round, QPV, place, day) and signs walk-in
   voters in (finding them, or creating a managed account after checking a proof
   of address), then closes the desk;
2. the paper ballots are bundled in batches of at most 100, counted by hand and
   numbered 1 to N in pencil;
3. two different people key every ballot of a batch (pass 1 and pass 2), each
   blind to the other's entries;
4. the positions where the two readings differ are listed; a third person (staff
   or relay) who keyed neither pass settles each with the paper in hand;
5. a reconciled batch is deposited: each valid ballot through ``deposit_ballot``,
   in random order, all in one transaction. Blank and void ballots stay in the
   batch's counts (see ``states``) and never reach the box.

Individual sign-ins are not written to the audit log (as for online votes): the
sign-in list itself records who signed whom in, and only the day.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...accounts import services as account_services
from ...accounts.models import User
from ...accounts.states import Sex, VerificationLevel, VerificationMethod
from ...budget.models import Envelope, Idea, Round
from ...core import audit
from ...core.actors import SYSTEM
from ...core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from ...core.permissions import is_relay, is_staff
from ...core.time import PARIS, utcnow
from ...extensions import db
from .. import services as voting
from ..models import PollingDesk, SignIn, VoteResult, VoteRules
from ..states import BallotType, Channel, ResultState
from .models import (
    PaperBatch,
    PaperBatchStateChange,
    PaperKeyedBallot,
    PaperKeying,
    PaperResolution,
)
from .states import (
    KEYING_STATES,
    MAX_BATCH_SIZE,
    TRANSITIONS,
    BatchAction,
    BatchState,
    Mark,
    VoidReason,
)

PLACE_MIN_LENGTH = 3
PLACE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 300
#: What a keyer may type for one ballot (a few dozen project numbers).
CHOICES_MAX_LENGTH = 400


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


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


class ReadingInvalid(DomainError):
    """What was typed for one paper ballot cannot be recorded; ``messages`` says why."""

    def __init__(self, messages: Sequence[Any]) -> None:
        super().__init__(messages[0])
        self.messages = [str(m) for m in messages]


class ReadingsInvalid(DomainError):
    """Some ballots of a keying grid are wrong; ``errors`` maps a position to why."""

    def __init__(self, errors: Mapping[int, list[str]]) -> None:
        first = min(errors)
        super().__init__(errors[first][0], field=f"b{first}_choices")
        self.errors = dict(errors)


# ---------------------------------------------------------------------------
# Permission predicates (views refuse with them, templates hide buttons)
# ---------------------------------------------------------------------------


def can_run_desks(user: Any) -> bool:
    """Relays and staff open desks, sign voters in and key paper ballots."""
    return is_relay(user)


def can_close_desk(user: Any, desk: PollingDesk) -> bool:
    return can_run_desks(user) and desk.is_open


def can_sign_in_at(user: Any, desk: PollingDesk) -> bool:
    """A closed desk refuses new sign-ins."""
    return can_run_desks(user) and desk.is_open


def can_create_batch(user: Any, desk: PollingDesk) -> bool:
    """The count starts once the desk is closed, as in a French bureau de vote."""
    return can_run_desks(user) and not desk.is_open


def _user_id(user: Any) -> int | None:
    return getattr(user, "id", None)


def can_key(user: Any, batch: PaperBatch) -> bool:
    """Start or go on with a pass: never both passes of one batch."""
    if not can_run_desks(user) or batch.state not in KEYING_STATES:
        return False
    mine = batch.keying_of(_user_id(user))
    if mine is not None:
        return not mine.is_finished
    return len(batch.keyings) < 2


def is_keyer_of(user: Any, batch: PaperBatch) -> bool:
    return batch.keying_of(_user_id(user)) is not None


def can_resolve(user: Any, batch: PaperBatch) -> bool:
    """Settle differences: a third person (staff or relay) who keyed neither pass."""
    if batch.state is not BatchState.SECOND_KEYED:
        return False
    return can_run_desks(user) and not is_keyer_of(user, batch)


def can_view_mismatches(user: Any, batch: PaperBatch) -> bool:
    """The two readings are shown once both passes are finished."""
    return can_run_desks(user) and batch.state in (
        BatchState.SECOND_KEYED,
        BatchState.RECONCILED,
        BatchState.DEPOSITED,
    )


def can_perform(user: Any, batch: PaperBatch, action: BatchAction) -> bool:
    """*action* is legal now and *user* may do it (role level; services add rules)."""
    if (batch.state, action) not in TRANSITIONS or not can_run_desks(user):
        return False
    if action is BatchAction.CANCEL:
        # Staff cancel any batch not yet in the box; the relay who made a batch can
        # withdraw it while nobody has finished keying it (a wrong count).
        return is_staff(user) or (
            batch.state is BatchState.OPEN
            and batch.created_by_id is not None
            and batch.created_by_id == _user_id(user)
        )
    return True


def _require(allowed: bool, message: Any) -> None:
    if not allowed:
        raise PermissionDenied(message)


# ---------------------------------------------------------------------------
# Desks
# ---------------------------------------------------------------------------


def _paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def _long_date(day: date) -> str:
    return str(format_date(day, "long"))


def paper_rules(round_: Round) -> VoteRules:
    """The round's rules when it is voted on paper, else a Conflict saying why not."""
    rules = voting.get_rules(round_)
    if rules is None:
        raise Conflict(_l("The rules of this vote are not set yet."))
    if not rules.is_paper_enabled:
        raise Conflict(_l("This vote is held online only: it has no polling desks."))
    return rules


def desk_envelope(desk: PollingDesk) -> Envelope:
    """The envelope (the round's money for the desk's QPV) the desk's ballots go to."""
    envelope = voting.envelope_of(desk.round, desk.territory_id)
    if envelope is None:  # pragma: no cover - the foreign key forbids it
        raise Conflict(_l("This desk serves no neighbourhood of the round."))
    return envelope


def open_desk(
    round_: Round,
    actor: User,
    *,
    territory_id: int | None,
    place: str,
    opens_on: date | None,
    now: datetime | None = None,
) -> PollingDesk:
    """Open a polling desk of *round_* for one QPV, at *place*, on *opens_on*.

    The day lies within the vote, today or later. Opening the same desk twice (a
    double click) gives back the first one.
    """
    _require(can_run_desks(actor), _l("Only relays and staff open polling desks."))
    now = now or utcnow()
    paper_rules(round_)
    if round_.published_at is None or now >= round_.vote_closes_at:
        raise Conflict(_l("The vote of this round is over: no new desk."))
    errors: dict[str, Any] = {}
    envelope = voting.envelope_of(round_, territory_id)
    if envelope is None:
        errors["territory"] = _l("Choose one of the neighbourhoods of this vote.")
    place = " ".join((place or "").split())
    if not PLACE_MIN_LENGTH <= len(place) <= PLACE_MAX_LENGTH:
        errors["place"] = ngettext(
            "Give the place in %(min)d to %(num)d character"
            " (for example “Centre social La Conte, salle 2”).",
            "Give the place in %(min)d to %(num)d characters"
            " (for example “Centre social La Conte, salle 2”).",
            PLACE_MAX_LENGTH,
            min=PLACE_MIN_LENGTH,
        )
    first_day = _paris_date(round_.vote_opens_at)
    last_day = _paris_date(round_.vote_closes_at)
    if opens_on is None:
        errors["opens_on"] = _l("Give the day of the desk.")
    elif not first_day <= opens_on <= last_day:
        errors["opens_on"] = _l(
            "The vote runs from %(first)s to %(last)s: choose a day in between.",
            first=_long_date(first_day),
            last=_long_date(last_day),
        )
    elif opens_on < _paris_date(now):
        errors["opens_on"] = _l("This day is past: choose today or a later day.")
    if errors:
        raise FieldErrors(errors)
    assert envelope is not None
    assert opens_on is not None
    existing = db.session.scalar(
        sa.select(PollingDesk).where(
            PollingDesk.round_id == round_.id,
            PollingDesk.territory_id == envelope.territory_id,
            sa.func.lower(PollingDesk.place) == place.lower(),
            PollingDesk.opens_on == opens_on,
            PollingDesk.closed_at.is_(None),
        )
    )
    if existing is not None:
        return existing
    desk = PollingDesk(
        round_id=round_.id,
        territory_id=envelope.territory_id,
        place=place,
        opens_on=opens_on,
        opened_by_id=actor.id,
    )
    db.session.add(desk)
    db.session.flush()
    audit.record(
        "polling_desk.open",
        actor=actor,
        obj=desk,
        round_id=round_.id,
        territory_id=desk.territory_id,
        place=place,
        opens_on=opens_on.isoformat(),
    )
    return desk


def close_desk(desk: PollingDesk, actor: User, now: datetime | None = None) -> None:
    """Close *desk*: no more sign-ins; its paper ballots can now be counted."""
    _require(can_run_desks(actor), _l("Only relays and staff close polling desks."))
    now = now or utcnow()
    # One UPDATE guarded by the current state: two clicks close the desk once.
    closed = db.session.execute(
        sa.update(PollingDesk)
        .where(PollingDesk.id == desk.id, PollingDesk.closed_at.is_(None))
        .values(closed_at=now, closed_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(closed, "rowcount", 1) != 1:
        raise Conflict(_l("This desk is already closed."))
    db.session.refresh(desk)
    audit.record(
        "polling_desk.close",
        actor=actor,
        obj=desk,
        sign_ins=count_sign_ins(desk),
    )


def count_sign_ins(desk: PollingDesk) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SignIn)
            .where(SignIn.desk_id == desk.id)
        )
        or 0
    )


# ---------------------------------------------------------------------------
# Walk-in sign-ins
# ---------------------------------------------------------------------------


def _check_desk_takes_sign_ins(desk: PollingDesk, now: datetime) -> None:
    if not desk.is_open:
        raise SignInRefused(_l("This desk is closed: it takes no more sign-ins."))
    if desk.opens_on != _paris_date(now):
        raise SignInRefused(
            _l(
                "This desk is for %(date)s: open a desk for today to sign voters in.",
                date=_long_date(desk.opens_on),
            )
        )


def _name(person: User) -> str:
    return person.pseudonym


def refusal_for_relay(
    refusal: voting.VoteRefused, person: User, desk: PollingDesk
) -> SignInRefused:
    """G's refusals speak to the voter ("you"); at a desk the relay reads them."""
    reason = refusal.reason
    why = voting.RefusalReason
    qpv = desk.territory.name
    message: Any
    field: str | None = None
    if reason is why.ALREADY_VOTED:
        existing = voting.find_sign_in(person.id, desk.round_id)
        if existing is not None and existing.channel is Channel.PAPER:
            place = existing.desk.place if existing.desk is not None else ""
            message = _l(
                "%(name)s has already voted in this round, at the desk “%(place)s”"
                " on %(date)s: each person votes once.",
                name=_name(person),
                place=place,
                date=_long_date(existing.signed_on),
            )
        else:
            message = _l(
                "%(name)s has already voted online in this round (on %(date)s):"
                " a paper ballot is refused, each person votes once.",
                name=_name(person),
                date=_long_date(existing.signed_on) if existing else "",
            )
    elif reason is why.NOT_VERIFIED:
        field = "proof_checked"
        message = _l(
            "This vote needs an address verified in %(qpv)s: check a proof of"
            " address with %(name)s (a bill, a rent receipt) and tick the box.",
            qpv=qpv,
            name=_name(person),
        )
    elif reason in (why.WRONG_QPV, why.NO_TERRITORY):
        field = "proof_checked"
        message = _l(
            "%(name)s's profile does not say they live in %(qpv)s, the neighbourhood"
            " of this desk. If their proof of address is in %(qpv)s, tick the box;"
            " otherwise they vote in their own neighbourhood.",
            name=_name(person),
            qpv=qpv,
        )
    elif reason is why.NO_BIRTH_YEAR:
        message = _l(
            "This vote has a minimum age: add %(name)s's year of birth to their"
            " profile first.",
            name=_name(person),
        )
    elif reason is why.TOO_YOUNG:
        message = ngettext(
            "%(name)s is too young for this vote (%(num)d year old or older this"
            " year).",
            "%(name)s is too young for this vote (%(num)d years old or older this"
            " year).",
            getattr(voting.get_rules(desk.round), "min_age", 0) or 0,
            name=_name(person),
        )
    else:
        message = refusal.message
    return SignInRefused(message, reason=reason, field=field)


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
    _require(can_run_desks(actor), _l("Only relays and staff sign voters in."))
    now = now or utcnow()
    _check_desk_takes_sign_ins(desk, now)
    existing = voting.find_sign_in(person.id, desk.round_id)
    if existing is not None:
        raise refusal_for_relay(voting.already_voted(existing), person, desk)
    if proof_checked and (
        person.verification_level(desk.territory_id) is not VerificationLevel.VERIFIED
    ):
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
    if person.territory_id != desk.territory_id and person.territory_id is not None:
        envelope = voting.envelope_of(desk.round, person.territory_id)
        if envelope is not None:
            raise SignInRefused(
                _l(
                    "%(name)s lives in %(theirs)s according to their profile: they"
                    " vote at a desk of %(theirs)s. If their proof of address is in"
                    " %(qpv)s, the neighbourhood of this desk, tick the box.",
                    name=_name(person),
                    theirs=envelope.territory.name,
                    qpv=desk.territory.name,
                ),
                reason=voting.RefusalReason.WRONG_QPV,
                field="proof_checked",
            )
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
    _require(
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
    try:
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
    except FieldErrors as error:
        raise FieldErrors(error.errors) from None
    sign_in = sign_in_at_desk(desk, person, actor, now=now)
    return person, code, sign_in


# ---------------------------------------------------------------------------
# Readings: what a keyer typed for one paper ballot
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One paper ballot as read: a mark and, when valid, the canonical choices."""

    mark: Mark
    choices: str = ""
    void_reason: VoidReason | None = None

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """``[(idea_id, points), ...]`` of a valid reading."""
        out = []
        for item in self.choices.split(","):
            if item:
                idea, _sep, points = item.partition(":")
                out.append((int(idea), int(points or 1)))
        return out

    @property
    def key(self) -> tuple[Mark, str]:
        """What two readings must share to agree (the grounds of a void don't count)."""
        return (self.mark, self.choices)

    @property
    def form_value(self) -> str:
        """The mark as the keying form's select names it."""
        return mark_value(self.mark, self.void_reason)

    @property
    def typed(self) -> str:
        """The choices as a keyer types them: ``12, 15`` or ``12:3, 15:2``."""
        return ", ".join(str(i) if self.is_plain else f"{i}:{p}" for i, p in self.pairs)

    @property
    def is_plain(self) -> bool:
        """Every project with one point (an approval ballot)."""
        return all(p == 1 for _, p in self.pairs)

    @classmethod
    def of(cls, row: PaperKeyedBallot | PaperResolution) -> Reading:
        return cls(mark=row.mark, choices=row.choices, void_reason=row.void_reason)


def mark_value(mark: Mark, reason: VoidReason | None = None) -> str:
    if mark is Mark.VOID:
        return f"void-{(reason or VoidReason.UNREADABLE).value}"
    return mark.value


def parse_mark(value: str) -> tuple[Mark, VoidReason | None]:
    """``valid``, ``blank`` or ``void-<reason>`` (the keying form's values)."""
    head, _sep, tail = (value or Mark.VALID.value).partition("-")
    try:
        mark = Mark(head)
        reason = VoidReason(tail) if mark is Mark.VOID else None
    except ValueError:
        raise ReadingInvalid([_l("Choose what the ballot is from the list.")]) from None
    if mark is not Mark.VOID and tail:
        raise ReadingInvalid([_l("Choose what the ballot is from the list.")])
    return mark, reason


#: One project on a typed ballot: ``12`` or ``12:3`` (points), ``n°12`` or ``#12``.
_TOKEN = re.compile(r"(?:n°|no|#)?(\d{1,9})(?::(\d{1,6}))?", re.IGNORECASE)


def parse_choices(text: str) -> list[tuple[int, int]]:
    """``12, 15`` → ``[(12, 1), (15, 1)]``; ``12:3 15:2`` → points. Raises on junk."""
    text = re.sub(r"\s*:\s*", ":", (text or "").strip())
    pairs: list[tuple[int, int]] = []
    bad: list[str] = []
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        match = _TOKEN.fullmatch(token)
        if match is None:
            bad.append(token)
            continue
        pairs.append((int(match.group(1)), int(match.group(2) or 1)))
    if bad:
        raise ReadingInvalid(
            [
                _l(
                    "“%(text)s” is not a project number: type the numbers printed on"
                    " the ballot, separated by commas (with points: 12:3).",
                    text=bad[0][:30],
                )
            ]
        )
    return pairs


@dataclass(frozen=True)
class BallotContext:
    """What checking a keyed ballot needs, loaded once per page."""

    rules: VoteRules
    envelope: Envelope
    projects: list[Idea]

    @classmethod
    def of(cls, desk: PollingDesk) -> BallotContext:
        rules = paper_rules(desk.round)
        envelope = desk_envelope(desk)
        return cls(rules, envelope, voting.ballot_projects(envelope))


def read_ballot(text: str, mark_text: str, context: BallotContext) -> Reading | None:
    """Check what was typed for one paper ballot; None when nothing was typed yet.

    A valid ballot goes through the vote's own ``validate_choices``: a project of
    another QPV, one not put to the vote, an unknown number, too many projects or
    points are refused with the vote's message. If the paper itself breaks the
    rules, the keyer records it as void.
    """
    if len(text or "") > CHOICES_MAX_LENGTH:
        raise ReadingInvalid([_l("This is too long for one ballot.")])
    mark, reason = parse_mark(mark_text)
    pairs = parse_choices(text)
    if mark is Mark.BLANK:
        if pairs:
            raise ReadingInvalid(
                [
                    _l(
                        "A blank ballot names no project: clear the numbers"
                        " or choose another reading."
                    )
                ]
            )
        return Reading(Mark.BLANK)
    if mark is Mark.VOID:
        # The projects read on a void ballot do not count: they are not kept.
        return Reading(Mark.VOID, void_reason=reason)
    if not pairs:
        return None
    try:
        chosen = voting.validate_choices(
            context.rules, context.envelope, pairs, context.projects
        )
    except voting.BallotInvalid as invalid:
        messages: list[Any] = []
        for field, message in invalid.errors:
            if field and field.startswith("idea-"):
                messages.append(
                    _l("n° %(number)s: %(message)s", number=field[5:], message=message)
                )
            else:
                messages.append(message)
        messages.append(
            _l("If the paper ballot itself breaks the rules, record it as void.")
        )
        raise ReadingInvalid(messages) from None
    if not chosen:
        raise ReadingInvalid(
            [_l("No project is chosen on this ballot: record it as blank.")]
        )
    return Reading(Mark.VALID, voting.canonical_ballot(chosen.items()))


def describe(reading: Reading | None, titles: Mapping[int, str]) -> str:
    """A reading in words for the reconciliation page."""
    if reading is None:
        return str(_l("Not keyed"))
    if reading.mark is Mark.BLANK:
        return str(_l("Blank"))
    if reading.mark is Mark.VOID:
        reason = reading.void_reason.label if reading.void_reason else ""
        return str(_l("Void: %(reason)s", reason=reason))
    parts = []
    for idea_id, points in reading.pairs:
        title = titles.get(idea_id, "")
        if reading.is_plain:
            parts.append(str(_l("n° %(n)d %(title)s", n=idea_id, title=title)))
        else:
            parts.append(
                ngettext(
                    "n° %(n)d %(title)s: %(num)d point",
                    "n° %(n)d %(title)s: %(num)d points",
                    points,
                    n=idea_id,
                    title=title,
                )
            )
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# Batches and the one transition function
# ---------------------------------------------------------------------------


def transition(
    batch: PaperBatch,
    action: BatchAction,
    actor: User | None,
    *,
    comment: str | None = None,
    now: datetime | None = None,
    values: Mapping[str, Any] | None = None,
) -> BatchState:
    """Apply *action* to *batch*: the only writer of ``PaperBatch.state``.

    Checks the table and the permission, then moves the state with one UPDATE
    guarded by the state it read, so two people acting at the same instant (two
    clicks on "deposit") cannot both succeed: the second gets a Conflict. Writes the
    history row and the audit entry. *values* are other columns set with the state
    (timestamps, settled counts).
    """
    now = now or utcnow()
    old = batch.state
    if (old, action) not in TRANSITIONS:
        raise Conflict(_l("This is not possible in the batch's current state."))
    if actor is not None and not can_perform(actor, batch, action):
        raise PermissionDenied(_l("You cannot do this to this batch."))
    new = TRANSITIONS[(old, action)]
    changed = db.session.execute(
        sa.update(PaperBatch)
        .where(PaperBatch.id == batch.id, PaperBatch.state == old)
        .values(state=new, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 1) != 1:
        raise Conflict(
            _l("Someone changed this batch a moment ago: reload the page and check.")
        )
    db.session.refresh(batch)
    db.session.add(
        PaperBatchStateChange(
            batch_id=batch.id,
            action=action,
            from_state=old,
            to_state=new,
            actor_id=_user_id(actor),
            comment=comment,
            changed_at=now,
        )
    )
    db.session.flush()
    audit.record(
        f"paper_batch.{action.value}",
        actor=actor or SYSTEM,
        obj=batch,
        desk_id=batch.desk_id,
        number=batch.number,
        from_state=old.value,
        to_state=new.value,
        **({"comment": comment} if comment else {}),
    )
    return new


def _result_state(envelope: Envelope) -> ResultState | None:
    return db.session.scalar(
        sa.select(VoteResult.state).where(VoteResult.envelope_id == envelope.id)
    )


def create_batch(
    desk: PollingDesk,
    actor: User,
    *,
    declared_count: int | None,
    form_token: str | None = None,
    now: datetime | None = None,
) -> PaperBatch:
    """Register a bundle of *declared_count* paper ballots of the (closed) desk.

    The number is the next one of the desk. The same *form_token* (a double click)
    gives back the batch already made.
    """
    _require(can_run_desks(actor), _l("Only relays and staff count paper ballots."))
    now = now or utcnow()
    if form_token:
        existing = db.session.scalar(
            sa.select(PaperBatch).where(PaperBatch.form_token == form_token)
        )
        if existing is not None and existing.desk_id == desk.id:
            return existing
    if desk.is_open:
        raise Conflict(
            _l("Close the desk first: its paper ballots are counted once it is closed.")
        )
    paper_rules(desk.round)
    if _result_state(desk_envelope(desk)) not in (None, ResultState.COMPUTED):
        raise Conflict(
            _l("The result of this vote is certified: no more paper ballots.")
        )
    if declared_count is None or not 1 <= declared_count <= MAX_BATCH_SIZE:
        raise FieldErrors(
            {
                "declared_count": ngettext(
                    "A batch holds from 1 to %(num)d ballot: make several batches"
                    " for more.",
                    "A batch holds from 1 to %(num)d ballots: make several batches"
                    " for more.",
                    MAX_BATCH_SIZE,
                )
            }
        )
    number = (
        db.session.scalar(
            sa.select(sa.func.max(PaperBatch.number)).where(
                PaperBatch.desk_id == desk.id
            )
        )
        or 0
    ) + 1
    batch = PaperBatch(
        desk_id=desk.id,
        number=number,
        declared_count=declared_count,
        form_token=form_token or None,
        created_at=now,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
    except IntegrityError:
        raise Conflict(
            _l("Another batch was registered at the same moment: please try again.")
        ) from None
    audit.record(
        "paper_batch.create",
        actor=actor,
        obj=batch,
        desk_id=desk.id,
        number=number,
        declared_count=declared_count,
    )
    return batch


def cancel_batch(
    batch: PaperBatch, actor: User, reason: str, now: datetime | None = None
) -> None:
    """Cancel a batch not yet in the box (a wrong count, the wrong desk)."""
    now = now or utcnow()
    reason = " ".join((reason or "").split())
    if not 3 <= len(reason) <= REASON_MAX_LENGTH:
        raise FieldErrors(
            {
                "reason": ngettext(
                    "Say in a few words why (at most %(num)d character).",
                    "Say in a few words why (at most %(num)d characters).",
                    REASON_MAX_LENGTH,
                )
            }
        )
    transition(
        batch,
        BatchAction.CANCEL,
        actor,
        comment=reason,
        now=now,
        values={"cancelled_at": now, "cancel_reason": reason},
    )


# ---------------------------------------------------------------------------
# Keying
# ---------------------------------------------------------------------------


def start_keying(
    batch: PaperBatch, actor: User, now: datetime | None = None
) -> PaperKeying:
    """Take the next pass of *batch* for *actor*, or give back the one they have.

    The database refuses a second keying of the same batch by the same person
    (UNIQUE batch, keyer) and a third pass (UNIQUE batch, pass).
    """
    _require(can_run_desks(actor), _l("Only relays and staff key paper ballots."))
    now = now or utcnow()
    mine = batch.keying_of(actor.id)
    if mine is not None:
        if mine.is_finished:
            raise PermissionDenied(
                _l(
                    "You keyed pass %(n)d of this batch: the other pass must be keyed"
                    " by another person.",
                    n=mine.pass_number,
                )
            )
        return mine
    if batch.state not in KEYING_STATES:
        raise Conflict(_l("This batch is no longer being keyed."))
    taken = {k.pass_number for k in batch.keyings}
    if len(taken) >= 2:
        raise Conflict(_l("Two people are already keying this batch."))
    keying = PaperKeying(
        batch_id=batch.id,
        pass_number=1 if 1 not in taken else 2,
        keyer_id=actor.id,
        started_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(keying)
    except IntegrityError:
        raise Conflict(
            _l("Someone took this pass a moment ago: reload the page.")
        ) from None
    db.session.refresh(batch)
    audit.record(
        "paper_keying.start",
        actor=actor,
        obj=keying,
        batch_id=batch.id,
        pass_number=keying.pass_number,
    )
    return keying


def _check_keyer(keying: PaperKeying, actor: User) -> None:
    _require(can_run_desks(actor), _l("Only relays and staff key paper ballots."))
    if keying.keyer_id != actor.id:
        raise PermissionDenied(_l("Only the person keying this pass can change it."))
    if keying.is_finished:
        raise Conflict(_l("This keying is finished: it can no longer change."))
    if keying.batch.state not in KEYING_STATES:
        raise Conflict(_l("This batch is no longer being keyed."))


@dataclass(frozen=True)
class Typed:
    """What the keying grid sent for one position."""

    choices: str = ""
    mark: str = Mark.VALID.value


def save_readings(
    keying: PaperKeying,
    actor: User,
    typed: Mapping[int, Typed],
    context: BallotContext | None = None,
) -> int:
    """Record what *actor* typed for the positions in *typed* (all or nothing).

    A position left empty is not keyed yet (its earlier reading is removed).
    Raises ReadingsInvalid with a message per wrong position; returns how many
    positions of the keying are keyed now.
    """
    _check_keyer(keying, actor)
    batch = keying.batch
    context = context or BallotContext.of(batch.desk)
    errors: dict[int, list[str]] = {}
    readings: dict[int, Reading | None] = {}
    for position, entry in sorted(typed.items()):
        if not 1 <= position <= batch.declared_count:
            errors[position] = [str(_l("This batch has no ballot with this number."))]
            continue
        try:
            readings[position] = read_ballot(entry.choices, entry.mark, context)
        except ReadingInvalid as invalid:
            errors[position] = invalid.messages
    if errors:
        raise ReadingsInvalid(errors)
    if readings:
        db.session.execute(
            sa.delete(PaperKeyedBallot)
            .where(
                PaperKeyedBallot.keying_id == keying.id,
                PaperKeyedBallot.position.in_(list(readings)),
            )
            .execution_options(synchronize_session=False)
        )
        rows = [
            {
                "keying_id": keying.id,
                "position": position,
                "mark": reading.mark,
                "choices": reading.choices,
                "void_reason": reading.void_reason,
            }
            for position, reading in readings.items()
            if reading is not None
        ]
        if rows:
            db.session.execute(sa.insert(PaperKeyedBallot), rows)
        db.session.expire(keying, ["ballots"])
    return keyed_count(keying)


def keyed_count(keying: PaperKeying) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PaperKeyedBallot)
            .where(PaperKeyedBallot.keying_id == keying.id)
        )
        or 0
    )


def readings_of(keying: PaperKeying) -> dict[int, Reading]:
    rows = db.session.scalars(
        sa.select(PaperKeyedBallot).where(PaperKeyedBallot.keying_id == keying.id)
    )
    return {row.position: Reading.of(row) for row in rows}


def finish_keying(
    keying: PaperKeying, actor: User, now: datetime | None = None
) -> BatchState:
    """Close *actor*'s pass once every ballot of the batch is keyed.

    After the second pass, a batch whose two keyings agree everywhere is
    reconciled at once; otherwise its differences wait for a third person.
    """
    _check_keyer(keying, actor)
    now = now or utcnow()
    batch = keying.batch
    keyed = set(readings_of(keying))
    missing = [p for p in range(1, batch.declared_count + 1) if p not in keyed]
    if missing:
        shown = ", ".join(str(p) for p in missing[:10])
        raise Conflict(
            ngettext(
                "%(num)d ballot is not keyed yet (n° %(numbers)s): key every"
                " ballot of the batch before finishing.",
                "%(num)d ballots are not keyed yet (n° %(numbers)s): key every"
                " ballot of the batch before finishing.",
                len(missing),
                numbers=shown + (", …" if len(missing) > 10 else ""),
            )
        )
    keying.entered_at = now
    db.session.flush()
    audit.record(
        "paper_keying.finish",
        actor=actor,
        obj=keying,
        batch_id=batch.id,
        pass_number=keying.pass_number,
    )
    state = transition(batch, BatchAction.FINISH_KEYING, actor, now=now)
    if state is BatchState.SECOND_KEYED and not mismatches(batch):
        _settle(
            batch,
            actor,
            now,
            comment=str(_l("The two keyings agree on every ballot.")),
        )
    return batch.state


# ---------------------------------------------------------------------------
# Reconciliation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A position where the two keyings differ, and what was settled (if so)."""

    position: int
    first: Reading | None
    second: Reading | None
    settled: Reading | None

    @property
    def is_resolved(self) -> bool:
        return self.settled is not None


def _passes(batch: PaperBatch) -> tuple[PaperKeying, PaperKeying]:
    keyings = sorted(batch.keyings, key=lambda k: k.pass_number)
    if len(keyings) != 2 or not all(k.is_finished for k in keyings):
        raise Conflict(_l("Both keyings of this batch must be finished first."))
    return keyings[0], keyings[1]


def resolutions_of(batch: PaperBatch) -> dict[int, Reading]:
    rows = db.session.scalars(
        sa.select(PaperResolution).where(PaperResolution.batch_id == batch.id)
    )
    return {row.position: Reading.of(row) for row in rows}


def mismatches(batch: PaperBatch) -> list[Mismatch]:
    """Every position where pass 1 and pass 2 read different ballots."""
    first, second = _passes(batch)
    one, two = readings_of(first), readings_of(second)
    settled = resolutions_of(batch)
    out = []
    for position in range(1, batch.declared_count + 1):
        a, b = one.get(position), two.get(position)
        if a is None or b is None or a.key != b.key:
            out.append(Mismatch(position, a, b, settled.get(position)))
    return out


def final_readings(batch: PaperBatch) -> dict[int, Reading]:
    """The reading of every position: the agreed one, or the one settled."""
    first, second = _passes(batch)
    one, two = readings_of(first), readings_of(second)
    settled = resolutions_of(batch)
    out: dict[int, Reading] = {}
    for position in range(1, batch.declared_count + 1):
        a, b = one.get(position), two.get(position)
        if position in settled:
            out[position] = settled[position]
        elif a is not None and b is not None and a.key == b.key:
            out[position] = a
        else:
            raise Conflict(
                _l(
                    "Ballot n° %(n)d still has two different readings:"
                    " settle it first.",
                    n=position,
                )
            )
    return out


def resolve_position(
    batch: PaperBatch,
    position: int,
    actor: User,
    *,
    source: str,
    typed: Typed | None = None,
    context: BallotContext | None = None,
    now: datetime | None = None,
) -> Reading:
    """Settle the ballot at *position*: pass 1's reading, pass 2's, or another one.

    *source* is ``first``, ``second`` or ``other`` (then *typed* is what the third
    person read on the paper, checked like any keyed ballot). Can be changed until
    the batch is reconciled.
    """
    if not can_resolve(actor, batch):
        if batch.state is not BatchState.SECOND_KEYED:
            raise Conflict(_l("This batch has no differences to settle now."))
        raise PermissionDenied(
            _l(
                "Differences are settled by a third person, not by someone who"
                " keyed the batch."
            )
        )
    now = now or utcnow()
    mismatch = next((m for m in mismatches(batch) if m.position == position), None)
    if mismatch is None:
        raise Conflict(_l("The two keyings agree on this ballot: nothing to settle."))
    reading: Reading | None
    if source == "first":
        reading = mismatch.first
    elif source == "second":
        reading = mismatch.second
    elif source == "other":
        context = context or BallotContext.of(batch.desk)
        entry = typed or Typed()
        reading = read_ballot(entry.choices, entry.mark, context)
        if reading is None:
            raise ReadingInvalid(
                [_l("Type the projects read on the paper, or choose blank or void.")]
            )
    else:
        raise ReadingInvalid([_l("Choose one of the readings.")])
    if reading is None:  # pragma: no cover - both passes are complete
        raise ReadingInvalid([_l("Choose one of the readings.")])
    row = db.session.scalar(
        sa.select(PaperResolution).where(
            PaperResolution.batch_id == batch.id, PaperResolution.position == position
        )
    )
    if row is None:
        row = PaperResolution(batch_id=batch.id, position=position)
        db.session.add(row)
    row.mark = reading.mark
    row.choices = reading.choices
    row.void_reason = reading.void_reason
    row.resolved_by_id = actor.id
    row.resolved_at = now
    db.session.flush()
    audit.record(
        "paper_batch.resolve",
        actor=actor,
        obj=batch,
        position=position,
        source=source,
    )
    return reading


def _settle(
    batch: PaperBatch, actor: User, now: datetime, comment: str | None = None
) -> None:
    readings = final_readings(batch)
    counts = {mark: 0 for mark in Mark}
    for reading in readings.values():
        counts[reading.mark] += 1
    transition(
        batch,
        BatchAction.RECONCILE,
        actor,
        comment=comment,
        now=now,
        values={
            "valid_count": counts[Mark.VALID],
            "blank_count": counts[Mark.BLANK],
            "void_count": counts[Mark.VOID],
            "reconciled_at": now,
        },
    )


def reconcile_batch(
    batch: PaperBatch, actor: User, now: datetime | None = None
) -> None:
    """Fix the batch's readings once every difference is settled."""
    _require(can_run_desks(actor), _l("Only relays and staff reconcile batches."))
    now = now or utcnow()
    if batch.state is not BatchState.SECOND_KEYED:
        raise Conflict(_l("This is not possible in the batch's current state."))
    left = [m.position for m in mismatches(batch) if not m.is_resolved]
    if left:
        raise Conflict(
            ngettext(
                "%(num)d difference still to settle (ballot n° %(numbers)s).",
                "%(num)d differences still to settle (ballots n° %(numbers)s).",
                len(left),
                numbers=", ".join(str(p) for p in left[:10]),
            )
        )
    _settle(batch, actor, now)


# ---------------------------------------------------------------------------
# Deposit
# ---------------------------------------------------------------------------


def deposit_batch(batch: PaperBatch, actor: User, now: datetime | None = None) -> int:
    """Put every valid ballot of the reconciled *batch* in the box, all or nothing.

    Each goes through the vote's ``deposit_ballot`` (checked again against the
    frozen rules), in random order so that nothing in the box follows the paper
    order. Returns the number of ballots deposited. If any is refused, nothing of
    the batch is in the box (a savepoint) and a DomainError says which ballot.
    """
    _require(can_run_desks(actor), _l("Only relays and staff deposit paper ballots."))
    now = now or utcnow()
    if batch.state is not BatchState.RECONCILED:
        if batch.state is BatchState.DEPOSITED:
            raise Conflict(_l("This batch is already in the ballot box."))
        raise Conflict(_l("Only a reconciled batch can go in the ballot box."))
    envelope = desk_envelope(batch.desk)
    valid = [
        (position, reading.pairs)
        for position, reading in final_readings(batch).items()
        if reading.mark is Mark.VALID
    ]
    random.SystemRandom().shuffle(valid)
    with db.session.begin_nested():
        # The state first: a second click waits here, then finds it deposited.
        transition(
            batch, BatchAction.DEPOSIT, actor, now=now, values={"deposited_at": now}
        )
        for position, pairs in valid:
            try:
                voting.deposit_ballot(envelope, pairs, channel=Channel.PAPER, now=now)
            except voting.BallotInvalid as invalid:
                raise Conflict(
                    _l(
                        "Ballot n° %(n)d of this batch no longer fits the rules of the"
                        " vote (%(message)s): nothing was put in the ballot box.",
                        n=position,
                        message=str(invalid.message),
                    )
                ) from None
    return len(valid)


def is_cumulative(context: BallotContext) -> bool:
    return context.rules.ballot_type is BallotType.CUMULATIVE
