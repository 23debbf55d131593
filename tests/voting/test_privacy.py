"""The vote's personal data: sign-ins exported, their lists purged two months after
the results."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.time import today_paris, utcnow
from participation.voting import services
from participation.voting.models import Ballot, SignIn
from participation.voting.privacy import export_sign_ins, purge_sign_in_lists
from participation.voting.states import Channel, ResultAction


def _signed(db, vote, voter) -> None:
    db.session.add(
        SignIn(
            round_id=vote.round.id,
            person_id=voter.id,
            territory_id=vote.here.id,
            channel=Channel.ONLINE,
            signed_on=today_paris(),
        )
    )
    db.session.flush()


def test_sign_ins_are_exported_without_what_was_voted(db, vote, voter):
    _signed(db, vote, voter)

    [row] = export_sign_ins(voter)["sign_ins"]

    assert row["channel"] == "online"
    assert set(row) == {"round_id", "neighbourhood", "channel", "signed_on"}


def test_sign_in_lists_go_two_months_after_the_results(db, make_vote, make_voter):
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    services.cast_ballot(make_voter(vote.here), vote.round, vote.ids(0), now=during)
    vote.open_box()
    for result in services.compute_round(vote.round, vote.staff):
        services.transition_result(result, ResultAction.CERTIFY, vote.staff)
        services.transition_result(result, ResultAction.PUBLISH, vote.publisher)
    db.session.commit()
    now = utcnow()

    assert purge_sign_in_lists(now + timedelta(days=30), dry_run=False) == 0
    assert purge_sign_in_lists(now + timedelta(days=62), dry_run=True) == 1
    assert purge_sign_in_lists(now + timedelta(days=62), dry_run=False) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
