"""Deliberations: quorum again before the vote, frozen voters, outcome, locks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, DomainError, FieldErrors
from participation.council.extension import deliberation_recorded
from participation.council.models import Deliberation, DeliberationVoter
from participation.council.services import attendance, councils, deliberations, meetings
from participation.council.states import (
    AgendaItemKind,
    AttendanceStatus,
    MajorityRule,
    Outcome,
    VoteChoice,
    VoteMethod,
)

from .conftest import voting_item


def vote(item, **values):
    return deliberations.record_deliberation(
        item,
        deliberations.VoteData(
            motion=values.pop("motion", "Adopter le projet."), **values
        ),
        SYSTEM,
    )


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_show_of_hands_is_adopted_and_freezes_the_voters(
    db, council, members, make_meeting, open_meeting
):
    a, b, c, d, e, _f = members
    meeting = open_meeting(make_meeting(council), [a, b, c], proxies={d.id: a.id})
    item = voting_item(meeting)

    deliberation = vote(item, votes_for=3, votes_against=1, abstentions=0)

    assert deliberation.outcome is Outcome.ADOPTED
    assert (deliberation.quorum_counted, deliberation.quorum_required) == (4, 3)
    assert deliberation.entitled_count == 4
    assert deliberation.majority is MajorityRule.SIMPLE
    frozen = {(v.member_id, v.holder_id) for v in deliberation.voters}
    assert frozen == {(a.id, None), (b.id, None), (c.id, None), (d.id, a.id)}
    # A later change of the sheet does not change the frozen list.
    attendance.record_attendance(
        meeting, [attendance.LineData(e.id, AttendanceStatus.PRESENT)], SYSTEM
    )
    db.session.refresh(deliberation)
    assert len(deliberation.voters) == 4


def test_a_vote_without_quorum_is_refused_and_nothing_is_written(
    db, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members[:2])
    item = voting_item(meeting)

    with pytest.raises(DomainError) as raised:
        vote(item, votes_for=2, votes_against=0, abstentions=0)

    assert raised.value.field == "votes_for"
    assert "No quorum: 2 of the 3" in str(raised.value)
    assert count(db, Deliberation) == 0
    recorded = vote(item, no_quorum=True)
    assert recorded.outcome is Outcome.NO_QUORUM
    assert (recorded.votes_for, recorded.votes_against) == (0, 0)


def test_not_held_is_refused_when_the_quorum_is_reached(
    council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)

    with pytest.raises(Conflict):
        vote(voting_item(meeting), no_quorum=True)


def test_counts_above_the_voters_or_negative_are_refused(
    db, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members[:4])
    item = voting_item(meeting)

    with pytest.raises(DomainError, match="5 votes for 4 members"):
        vote(item, votes_for=3, votes_against=2, abstentions=0)
    with pytest.raises(FieldErrors) as raised:
        vote(item, votes_for=-1, votes_against=None, abstentions=0)
    assert set(raised.value.errors) == {"votes_for", "votes_against"}
    assert count(db, Deliberation) == 0


def test_a_tie_is_rejected(council, members, make_meeting, open_meeting):
    meeting = open_meeting(make_meeting(council), members[:4])

    result = vote(voting_item(meeting), votes_for=2, votes_against=2, abstentions=0)

    assert result.outcome is Outcome.REJECTED


def test_a_roll_call_records_each_vote_and_recusals(
    db, council, members, make_meeting, open_meeting
):
    a, b, c, d, *_ = members
    meeting = open_meeting(make_meeting(council), [a, b, c, d])
    item = voting_item(meeting)

    with pytest.raises(FieldErrors) as raised:
        vote(item, method=VoteMethod.ROLL_CALL, choices={a.id: VoteChoice.FOR})
    assert set(raised.value.errors) == {f"choice_{m.id}" for m in (b, c, d)}

    result = vote(
        item,
        method=VoteMethod.ROLL_CALL,
        recused=frozenset({d.id}),
        choices={a.id: VoteChoice.FOR, b.id: VoteChoice.FOR, c.id: VoteChoice.ABSTAIN},
    )

    assert (result.votes_for, result.votes_against, result.abstentions) == (2, 0, 1)
    assert (result.entitled_count, result.recused_count) == (3, 1)
    recused = db.session.scalars(
        sa.select(DeliberationVoter).where(DeliberationVoter.member_id == d.id)
    ).one()
    assert recused.is_recused
    assert recused.choice is None


def test_the_database_allows_one_vote_per_member_per_deliberation(
    db, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)
    result = vote(voting_item(meeting), votes_for=6, votes_against=0, abstentions=0)

    db.session.add(
        DeliberationVoter(
            deliberation_id=result.id,
            member_id=members[0].id,
            choice=VoteChoice.AGAINST,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_the_database_refuses_negative_counts(
    db, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)
    result = vote(voting_item(meeting), votes_for=6, votes_against=0, abstentions=0)

    result.votes_against = -1
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_no_deliberation_on_a_closed_meeting_nor_twice(
    db, council, members, make_meeting, open_meeting
):
    meeting = open_meeting(
        make_meeting(council, items=(AgendaItemKind.DELIBERATION,) * 2),
        members,
    )
    first, second = meeting.items
    vote(first, votes_for=4, votes_against=2, abstentions=0)
    with pytest.raises(Conflict, match="already recorded"):
        vote(first, votes_for=4, votes_against=2, abstentions=0)

    meetings.close_meeting(meeting, SYSTEM)

    with pytest.raises(Conflict, match="locked"):
        vote(second, votes_for=4, votes_against=2, abstentions=0)
    assert count(db, Deliberation) == 1


def test_an_information_item_takes_no_vote(
    council, members, make_meeting, open_meeting
):
    meeting = open_meeting(make_meeting(council), members)

    with pytest.raises(Conflict, match="information"):
        vote(meeting.items[0], votes_for=1, votes_against=0, abstentions=0)


def test_the_majority_comes_from_the_rules_the_meeting_was_convened_under(
    council, members, make_meeting, open_meeting
):
    councils.adopt_rules(
        council,
        councils.RulesData(
            text="Majorité absolue.", majority_ordinary=MajorityRule.ABSOLUTE
        ),
        SYSTEM,
    )
    meeting = open_meeting(make_meeting(council), members)

    result = vote(voting_item(meeting), votes_for=3, votes_against=0, abstentions=3)

    assert result.majority is MajorityRule.ABSOLUTE
    assert result.outcome is Outcome.REJECTED  # 3 of 6 is not more than half


def test_extensions_hear_each_recorded_vote(
    council, members, make_meeting, open_meeting
):
    heard = []

    def listener(deliberation, **_extra):
        heard.append(deliberation.outcome)

    meeting = open_meeting(make_meeting(council), members)
    with deliberation_recorded.connected_to(listener):
        vote(voting_item(meeting), votes_for=5, votes_against=1, abstentions=0)

    assert heard == [Outcome.ADOPTED]
