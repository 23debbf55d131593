"""Quorum, presence and majorities on their boundaries: pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from participation.council import quorum as q
from participation.council.states import (
    AttendanceStatus,
    MajorityRule,
    Outcome,
    QuorumKind,
)

pytestmark = pytest.mark.db_independent

HALF = q.QuorumRule(QuorumKind.FRACTION, numerator=1, denominator=2)
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


def presence(present: int, represented: int = 0, in_office: int = 10) -> q.Presence:
    return q.Presence(in_office=in_office, present=present, represented=represented)


@pytest.mark.parametrize(
    ("in_office", "required"), [(10, 5), (11, 6), (1, 1), (0, 1), (15, 8)]
)
def test_half_of_the_members_in_office_rounded_up(in_office, required):
    assert q.quorum_required(HALF, in_office) == required


def test_exactly_at_quorum_is_enough_and_one_less_is_not():
    assert q.quorum(HALF, presence(5)).met
    result = q.quorum(HALF, presence(4))
    assert not result.met
    assert result.missing == 1


def test_a_two_thirds_quorum_and_a_number_quorum():
    two_thirds = q.QuorumRule(QuorumKind.FRACTION, numerator=2, denominator=3)
    assert q.quorum_required(two_thirds, 9) == 6
    assert q.quorum_required(two_thirds, 10) == 7
    seven = q.QuorumRule(QuorumKind.NUMBER, number=7)
    assert q.quorum(seven, presence(7, in_office=30)).met
    assert not q.quorum(seven, presence(6, in_office=30)).met


def test_proxies_count_for_the_quorum_only_when_the_rules_say_so():
    with_proxies = q.QuorumRule(QuorumKind.FRACTION, counts_proxies=True)
    without = q.QuorumRule(QuorumKind.FRACTION, counts_proxies=False)

    assert q.quorum(with_proxies, presence(4, represented=1)).met
    assert not q.quorum(without, presence(4, represented=1)).met


def test_presence_follows_arrivals_departures_and_proxy_holders():
    sheet = [
        q.Attendee(1, True, AttendanceStatus.PRESENT),
        q.Attendee(
            2, True, AttendanceStatus.PRESENT, arrived_at=T0 + timedelta(minutes=30)
        ),
        q.Attendee(3, True, AttendanceStatus.PRESENT, left_at=T0 + timedelta(hours=1)),
        q.Attendee(4, True, AttendanceStatus.REPRESENTED, proxy_holder_id=3),
        q.Attendee(5, True, AttendanceStatus.EXCUSED),
        q.Attendee(6, False, AttendanceStatus.PRESENT),
        q.Attendee(7, True, None),
    ]

    at_start = q.presence_at(sheet, T0, in_office=6, proxies_allowed=True)
    later = q.presence_at(
        sheet, T0 + timedelta(minutes=45), in_office=6, proxies_allowed=True
    )
    after_3_left = q.presence_at(
        sheet, T0 + timedelta(hours=1), in_office=6, proxies_allowed=True
    )

    assert (at_start.present, at_start.represented) == (2, 1)
    assert (later.present, later.represented) == (3, 1)
    # The holder left: their proxy lapses with them.
    assert (after_3_left.present, after_3_left.represented) == (2, 0)
    voters = q.voters_at(sheet, T0, proxies_allowed=True)
    assert voters == [q.Voter(1), q.Voter(3), q.Voter(4, holder_id=3)]
    assert q.voters_at(sheet, T0, proxies_allowed=False) == [q.Voter(1), q.Voter(3)]


def tally(yes: int, no: int, abstain: int = 0) -> q.Tally:
    return q.Tally(yes, no, abstain)


@pytest.mark.parametrize(
    ("votes", "outcome"),
    [
        (tally(5, 4), Outcome.ADOPTED),
        (tally(4, 4), Outcome.REJECTED),  # a tie is rejected
        (tally(3, 2, 5), Outcome.ADOPTED),  # abstentions are not cast
        (tally(0, 0, 6), Outcome.REJECTED),
    ],
)
def test_simple_majority(votes, outcome):
    assert (
        q.outcome(MajorityRule.SIMPLE, votes, entitled=10, quorum_met=True) is outcome
    )


def test_simple_majority_when_abstentions_count_as_cast():
    assert (
        q.outcome(
            MajorityRule.SIMPLE,
            tally(3, 2, 1),
            entitled=10,
            quorum_met=True,
            abstentions_count=True,
        )
        is Outcome.REJECTED
    )
    assert (
        q.outcome(
            MajorityRule.SIMPLE,
            tally(4, 2, 1),
            entitled=10,
            quorum_met=True,
            abstentions_count=True,
        )
        is Outcome.ADOPTED
    )


@pytest.mark.parametrize(
    ("votes", "entitled", "outcome"),
    [
        (tally(6, 0, 4), 10, Outcome.ADOPTED),
        (tally(5, 0, 5), 10, Outcome.REJECTED),  # exactly half is not more than half
        (tally(5, 1), 9, Outcome.ADOPTED),
        (tally(4, 1), 9, Outcome.REJECTED),  # absent votes weigh against
    ],
)
def test_absolute_majority_of_the_members_entitled(votes, entitled, outcome):
    assert (
        q.outcome(MajorityRule.ABSOLUTE, votes, entitled=entitled, quorum_met=True)
        is outcome
    )


@pytest.mark.parametrize(
    ("votes", "outcome"),
    [
        (tally(6, 3), Outcome.ADOPTED),  # exactly two thirds
        (tally(5, 3), Outcome.REJECTED),
        (tally(2, 1, 7), Outcome.ADOPTED),
        (tally(0, 0, 5), Outcome.REJECTED),
    ],
)
def test_two_thirds_majority(votes, outcome):
    assert (
        q.outcome(MajorityRule.TWO_THIRDS, votes, entitled=10, quorum_met=True)
        is outcome
    )


def test_without_quorum_nothing_is_decided():
    assert (
        q.outcome(MajorityRule.SIMPLE, tally(0, 0), entitled=3, quorum_met=False)
        is Outcome.NO_QUORUM
    )


def test_counts_cannot_be_negative_nor_exceed_the_voters():
    with pytest.raises(ValueError, match="negative"):
        q.Tally(-1, 0, 0)
    with pytest.raises(ValueError, match="more votes"):
        q.outcome(MajorityRule.SIMPLE, tally(3, 3), entitled=5, quorum_met=True)


def test_a_proxy_counts_once_in_the_voters_and_the_quorum():
    sheet = [
        q.Attendee(1, True, AttendanceStatus.PRESENT),
        q.Attendee(2, True, AttendanceStatus.REPRESENTED, proxy_holder_id=1),
        q.Attendee(3, True, AttendanceStatus.ABSENT),
        q.Attendee(4, True, AttendanceStatus.ABSENT),
    ]
    found = q.presence_at(sheet, T0, in_office=4, proxies_allowed=True)

    assert q.quorum(HALF, found).met  # 1 present + 1 represented = 2 of 4
    assert not q.quorum(
        q.QuorumRule(QuorumKind.FRACTION, counts_proxies=False), found
    ).met
