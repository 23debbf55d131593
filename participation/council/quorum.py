"""Quorum, presence and majority: pure functions of plain data, no database.

Who counts (R-11, R-15, R-16 of the reference notes):

* the **in office** members are the titular voting members whose mandate covers the
  meeting day (the caller counts them);
* a member is **present at** a moment when marked present, arrived by then (or no
  arrival time) and not yet gone (or no departure time);
* a **represented** member counts only while the holder of their proxy is present;
  for the quorum only when the rules say proxies count;
* the members **entitled to vote** at a moment are the present voting members and,
  when proxies are allowed, the represented ones whose holder is present. A recused
  member stays present for the quorum but takes no part in the vote.

Majority rules (``outcome``), with ``cast = for + against`` (plus abstentions when the
rules say abstentions count as votes cast):

* ``simple``: adopted when ``2·for > cast`` — with abstentions not counted, more for
  than against; a tie is rejected;
* ``absolute``: adopted when ``2·for > entitled``, the members entitled to vote at
  that moment (present or represented, recusals excluded): abstaining or not voting
  weighs like a vote against;
* ``two_thirds``: adopted when ``3·for ≥ 2·cast`` and at least one vote for.

Without quorum nothing is adopted or rejected: the outcome is ``no_quorum``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .states import AttendanceStatus, MajorityRule, Outcome, QuorumKind


@dataclass(frozen=True)
class QuorumRule:
    """The quorum of a council's rules: a number, or ``numerator/denominator``."""

    kind: QuorumKind
    number: int | None = None
    numerator: int = 1
    denominator: int = 2
    counts_proxies: bool = True


def quorum_required(rule: QuorumRule, in_office: int) -> int:
    """Members needed for the quorum: the number, or at least the fraction (rounded up).

    Never less than one: a council with nobody present cannot decide.
    """
    if rule.kind is QuorumKind.NUMBER:
        return max(1, rule.number or 0)
    # The smallest n with n / in_office >= numerator / denominator.
    needed = -(-(in_office * rule.numerator) // rule.denominator)
    return max(1, needed)


@dataclass(frozen=True)
class Presence:
    """Counts of voting members at one moment."""

    in_office: int
    present: int
    #: Represented members whose proxy holder is present.
    represented: int


@dataclass(frozen=True)
class QuorumResult:
    required: int
    counted: int
    in_office: int
    present: int
    represented: int
    counts_proxies: bool

    @property
    def met(self) -> bool:
        return self.counted >= self.required

    @property
    def missing(self) -> int:
        return max(0, self.required - self.counted)


def quorum(rule: QuorumRule, presence: Presence) -> QuorumResult:
    """Is the quorum reached with this presence?"""
    counted = presence.present + (presence.represented if rule.counts_proxies else 0)
    return QuorumResult(
        required=quorum_required(rule, presence.in_office),
        counted=counted,
        in_office=presence.in_office,
        present=presence.present,
        represented=presence.represented,
        counts_proxies=rule.counts_proxies,
    )


@dataclass(frozen=True)
class Attendee:
    """One line of the attendance sheet, as plain data."""

    member_id: int
    is_voting: bool
    status: AttendanceStatus | None
    proxy_holder_id: int | None = None
    arrived_at: datetime | None = None
    left_at: datetime | None = None


def is_present_at(attendee: Attendee, at: datetime) -> bool:
    """Marked present, arrived by *at* and not yet gone."""
    if attendee.status is not AttendanceStatus.PRESENT:
        return False
    if attendee.arrived_at is not None and attendee.arrived_at > at:
        return False
    return attendee.left_at is None or attendee.left_at > at


@dataclass(frozen=True)
class Voter:
    """A member entitled to vote; ``holder_id`` votes for them (their proxy)."""

    member_id: int
    holder_id: int | None = None


def voters_at(
    attendees: Iterable[Attendee], at: datetime, *, proxies_allowed: bool
) -> list[Voter]:
    """The voting members entitled to vote at *at*, in member order."""
    sheet = list(attendees)
    present = {a.member_id for a in sheet if is_present_at(a, at)}
    voters = []
    for attendee in sorted(sheet, key=lambda a: a.member_id):
        if not attendee.is_voting:
            continue
        if attendee.member_id in present:
            voters.append(Voter(attendee.member_id))
        elif (
            proxies_allowed
            and attendee.status is AttendanceStatus.REPRESENTED
            and attendee.proxy_holder_id in present
        ):
            voters.append(Voter(attendee.member_id, attendee.proxy_holder_id))
    return voters


def presence_at(
    attendees: Sequence[Attendee],
    at: datetime,
    *,
    in_office: int,
    proxies_allowed: bool,
) -> Presence:
    """Counts of present and validly represented voting members at *at*."""
    voters = voters_at(attendees, at, proxies_allowed=proxies_allowed)
    represented = sum(1 for v in voters if v.holder_id is not None)
    return Presence(
        in_office=in_office,
        present=len(voters) - represented,
        represented=represented,
    )


@dataclass(frozen=True)
class Tally:
    """Votes of a deliberation: for, against, abstentions (all ≥ 0)."""

    votes_for: int
    votes_against: int
    abstentions: int

    def __post_init__(self) -> None:
        if min(self.votes_for, self.votes_against, self.abstentions) < 0:
            raise ValueError("vote counts cannot be negative")

    @property
    def total(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


def votes_cast(tally: Tally, *, abstentions_count: bool) -> int:
    """For and against, plus the abstentions when the rules count them as cast."""
    cast = tally.votes_for + tally.votes_against
    return cast + tally.abstentions if abstentions_count else cast


def outcome(
    majority: MajorityRule,
    tally: Tally,
    *,
    entitled: int,
    quorum_met: bool,
    abstentions_count: bool = False,
) -> Outcome:
    """Adopted, rejected or not held, by the rule (see the module docstring)."""
    if not quorum_met:
        return Outcome.NO_QUORUM
    if tally.total > entitled:
        raise ValueError("more votes than members entitled to vote")
    cast = votes_cast(tally, abstentions_count=abstentions_count)
    if majority is MajorityRule.SIMPLE:
        adopted = 2 * tally.votes_for > cast
    elif majority is MajorityRule.ABSOLUTE:
        adopted = 2 * tally.votes_for > entitled
    else:
        adopted = tally.votes_for > 0 and 3 * tally.votes_for >= 2 * cast
    return Outcome.ADOPTED if adopted else Outcome.REJECTED
