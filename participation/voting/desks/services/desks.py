"""Polling desks: opening one for a QPV and a day, closing it; what its ballots are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from ....accounts.models import User
from ....budget.models import Envelope, Idea, Round
from ....core import audit
from ....core.errors import Conflict, FieldErrors
from ....core.i18n import format_date
from ....core.i18n import lazy_gettext as _l
from ....core.time import PARIS, utcnow
from ....extensions import db
from ... import services as voting
from ...ballots import BallotSheet
from ...models import PollingDesk, SignIn, VoteRules
from ...services.permissions import require
from ...states import BallotType
from .numbers import ballot_numbers
from .permissions import can_run_desks

PLACE_MIN_LENGTH = 3
PLACE_MAX_LENGTH = 200


def paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def long_date(day: date) -> str:
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


@dataclass(frozen=True)
class BallotContext:
    """What checking a desk's paper ballots needs, loaded once per page.

    ``projects`` are in ballot-number order; ``numbers`` maps each one's idea id to
    the number printed on the ballot (what keyers type). Loading it gives the
    envelope its numbers if it has none yet: a view showing it commits.
    """

    rules: VoteRules
    envelope: Envelope
    projects: list[Idea]
    #: The envelope's ballot paper, for the pure check (``readings.read_ballot``).
    sheet: BallotSheet = field(compare=False)
    #: ``{idea_id: ballot number}`` of the projects on the ballot.
    numbers: dict[int, int] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, desk: PollingDesk) -> BallotContext:
        # First: numbering may take the write lock, which reloads what was read.
        numbers = ballot_numbers(desk_envelope(desk))
        rules = paper_rules(desk.round)
        envelope = desk_envelope(desk)
        by_id = {idea.id: idea for idea in voting.ballot_projects(envelope)}
        projects = [by_id[idea_id] for idea_id in numbers if idea_id in by_id]
        sheet = voting.ballot_sheet(rules, envelope, projects)
        return cls(rules, envelope, projects, sheet, numbers)

    @property
    def is_cumulative(self) -> bool:
        return self.rules.ballot_type is BallotType.CUMULATIVE

    @property
    def last_number(self) -> int:
        """The highest number on the ballot (n of "1 to n")."""
        return max(self.numbers.values(), default=0)

    def number_of(self, idea: Idea) -> int | None:
        return self.numbers.get(idea.id)

    @property
    def titles(self) -> dict[int, str]:
        """``{idea_id: title}`` of the projects on the ballot."""
        return {idea.id: idea.title for idea in self.projects}


def _desk_errors(
    round_: Round,
    envelope: Envelope | None,
    place: str,
    opens_on: date | None,
    now: datetime,
) -> dict[str, Any]:
    """What is wrong with a new desk's neighbourhood, place and day."""
    errors: dict[str, Any] = {}
    if envelope is None:
        errors["territory"] = _l("Choose one of the neighbourhoods of this vote.")
    if not PLACE_MIN_LENGTH <= len(place) <= PLACE_MAX_LENGTH:
        errors["place"] = ngettext(
            "Give the place in %(min)d to %(num)d character"
            " (for example “Centre social La Conte, salle 2”).",
            "Give the place in %(min)d to %(num)d characters"
            " (for example “Centre social La Conte, salle 2”).",
            PLACE_MAX_LENGTH,
            min=PLACE_MIN_LENGTH,
        )
    first_day = paris_date(round_.vote_opens_at)
    last_day = paris_date(round_.vote_closes_at)
    if opens_on is None:
        errors["opens_on"] = _l("Give the day of the desk.")
    elif not first_day <= opens_on <= last_day:
        errors["opens_on"] = _l(
            "The vote runs from %(first)s to %(last)s: choose a day in between.",
            first=long_date(first_day),
            last=long_date(last_day),
        )
    elif opens_on < paris_date(now):
        errors["opens_on"] = _l("This day is past: choose today or a later day.")
    return errors


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
    require(can_run_desks(actor), _l("Only relays and staff open polling desks."))
    now = now or utcnow()
    paper_rules(round_)
    if round_.published_at is None or now >= round_.vote_closes_at:
        raise Conflict(_l("The vote of this round is over: no new desk."))
    envelope = voting.envelope_of(round_, territory_id)
    place = " ".join((place or "").split())
    errors = _desk_errors(round_, envelope, place, opens_on, now)
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
    require(can_run_desks(actor), _l("Only relays and staff close polling desks."))
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


MINUTES_MAX_LENGTH = 2000


def record_minutes(
    desk: PollingDesk, actor: User, note: str, now: datetime | None = None
) -> None:
    """Write the desk's minutes: what explains a difference of ballots and sign-ins.

    Once the desk is closed and until the count; a desk with fewer paper ballots
    than sign-ins cannot be counted without it.
    """
    require(can_run_desks(actor), _l("Only relays and staff write a desk's minutes."))
    if desk.is_open:
        raise Conflict(_l("Close the desk first: its minutes are written after."))
    if voting.result_exists(desk.round):
        raise Conflict(_l("The votes are counted: the minutes can no longer change."))
    note = (note or "").strip()
    if not 3 <= len(note) <= MINUTES_MAX_LENGTH:
        raise FieldErrors(
            {
                "note": ngettext(
                    "Write what happened in a few words (at most %(num)d character).",
                    "Write what happened in a few words (at most %(num)d characters).",
                    MINUTES_MAX_LENGTH,
                )
            }
        )
    before = desk.minutes_note
    desk.minutes_note = note
    db.session.flush()
    audit.record(
        "polling_desk.minutes", actor=actor, obj=desk, before=before, after=note
    )
