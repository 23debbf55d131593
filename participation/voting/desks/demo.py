"""Demo data of the polling desks: a desk at a social centre, counted in two batches.

Runs after the voting demo (``participation.demo.load_demo``: the desks
after ``"voting"``) and does nothing when no published round is voting on paper now.
In the round's QPV with the most projects (La Conte preferred, so that the main
QPV's online demo stays untouched), the demo relay opens a desk for today, signs in
five walk-in voters (managed accounts, proof of address checked), and closes it.
Batch 1 (3 ballots) is keyed by the relay and by staff, who agree: it is reconciled
and waits for the deposit. Batch 2 (2 ballots) was read differently on one ballot:
it waits for a third person. Demo content is data (French), not translatable text.
"""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from ...accounts.models import User
from ...accounts.states import Sex
from ...budget.models import Envelope, Round
from ...budget.states import RoundPhase
from ...core.time import PARIS, utcnow
from ...extensions import db
from .. import services as voting
from ..models import PollingDesk, VoteRules
from . import services
from .models import PaperBatch

RELAY_EMAIL = "relais@example.org"
STAFF_EMAIL = "agent@example.org"
#: Preferred QPV of the desk (compared without case): the relay's social centre.
PREFERRED_QPV = "conte"
#: (pseudonym, real name, year of birth, sex) of the walk-in voters.
WALK_INS = (
    ("Josefa G", "Josefa Garcia", 1948, Sex.FEMALE),
    ("Ahmed du Viguier", "Ahmed Benslimane", 1971, Sex.MALE),
    ("Mireille 11", "Mireille Roques", 1956, Sex.FEMALE),
    ("Samir B", "Samir Bouzid", 1990, Sex.MALE),
    ("Lucienne", "Lucienne Fabre", 1939, Sex.FEMALE),
)


def _by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _voting_round() -> Round | None:
    now = utcnow()
    rounds = db.session.scalars(
        sa.select(Round)
        .join(VoteRules, VoteRules.round_id == Round.id)
        .where(VoteRules.is_paper_enabled.is_(True), Round.published_at.is_not(None))
        .order_by(Round.vote_opens_at.desc())
    )
    for round_ in rounds:
        if round_.phase_at(now) is RoundPhase.VOTE:
            return round_
    return None


def _envelope(round_: Round) -> Envelope | None:
    """The preferred QPV if it has projects, else the one with the most."""
    ranked = []
    for envelope in round_.envelopes:
        projects = len(voting.ballot_projects(envelope))
        if projects:
            preferred = PREFERRED_QPV in envelope.territory.name.lower()
            ranked.append((not preferred, -projects, envelope.id, envelope))
    return min(ranked)[3] if ranked else None


def _valid_texts(context: services.BallotContext, wanted: int) -> list[str]:
    """Ballots as a keyer types them that the round's rules accept."""
    numbers = sorted(context.numbers.values())
    out: list[str] = []
    for size in (1, 2, 3):
        for combo in itertools.combinations(numbers, size):
            text = ", ".join(str(n) for n in combo)
            try:
                reading = services.read_ballot(
                    text, "valid", context.sheet, context.numbers
                )
                if reading is not None:
                    out.append(text)
            except services.ReadingInvalid:
                continue
            if len(out) >= wanted:
                return out
    return out


def number_ballots() -> None:
    """Give every announced round's envelopes their ballot numbers (printed, keyed).

    Run by ``load`` for the rounds of the vote, and again once the whole demo is
    loaded for the rounds later features add (the archived vote).
    """
    for round_ in list(db.session.scalars(sa.select(Round).order_by(Round.id))):
        services.number_round(round_)


def load() -> None:
    """Add the demo desk (called once by participation.demo, after voting)."""
    number_ballots()
    if db.session.scalar(sa.select(sa.func.count(PollingDesk.id))):
        return
    relay, staff = _by_email(RELAY_EMAIL), _by_email(STAFF_EMAIL)
    round_ = _voting_round()
    if relay is None or staff is None or round_ is None:
        return
    envelope = _envelope(round_)
    if envelope is None:
        return
    now = utcnow()
    desk = services.open_desk(
        round_,
        relay,
        territory_id=envelope.territory_id,
        place="Centre social, salle polyvalente",
        opens_on=now.astimezone(PARIS).date(),
        now=now,
    )
    for pseudonym, real_name, birth_year, sex in WALK_INS:
        services.sign_in_walk_in(
            desk,
            relay,
            services.WalkIn(
                pseudonym=pseudonym,
                real_name=real_name,
                birth_year=birth_year,
                sex=sex,
                consent=True,
                proof_checked=True,
            ),
            now=now,
        )
    services.close_desk(desk, relay, now=now)

    context = services.BallotContext.of(desk)
    texts = _valid_texts(context, 3)
    if not texts:
        return
    first: list[str | tuple[str, str]] = [texts[0], texts[-1], ("", "blank")]
    batch = services.create_batch(desk, relay, declared_count=3, now=now)
    for keyer in (relay, staff):
        _key(batch, keyer, first, context)

    second = services.create_batch(desk, relay, declared_count=2, now=now)
    _key(second, relay, [texts[0], texts[0]], context)
    _key(second, staff, [texts[0], ("", "void-unreadable")], context)
    db.session.flush()


def _key(
    batch: PaperBatch,
    keyer: User,
    readings: list[str | tuple[str, str]],
    context: services.BallotContext,
) -> None:
    keying = services.start_keying(batch, keyer)
    typed = {
        position: (
            services.Typed(choices=reading[0], mark=reading[1])
            if isinstance(reading, tuple)
            else services.Typed(choices=reading)
        )
        for position, reading in enumerate(readings, start=1)
    }
    services.save_readings(keying, keyer, typed, context)
    services.finish_keying(keying, keyer)
