"""The desks' demo: a desk at a social centre with sign-ins and two keyed batches."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.states import Role
from participation.voting.desks import demo, queries, services
from participation.voting.desks.models import BallotNumber, PaperBatch
from participation.voting.desks.states import BatchState
from participation.voting.models import Ballot, PollingDesk


def test_demo_desk_has_sign_ins_a_reconciled_batch_and_one_to_settle(
    db, make_vote, make_user, make_relay
):
    vote = make_vote()
    # The demo relay serves the QPV of the desk (the accounts demo attaches it).
    make_relay(vote.here, email=demo.RELAY_EMAIL, pseudonym="relais_demo")
    make_user(roles=(Role.STAFF,), email=demo.STAFF_EMAIL, pseudonym="agent_demo")

    demo.load()
    db.session.commit()
    demo.load()  # a second run adds nothing

    desk = db.session.scalars(sa.select(PollingDesk)).one()
    assert desk.territory_id == vote.here.id
    assert not desk.is_open
    batches = db.session.scalars(
        sa.select(PaperBatch).order_by(PaperBatch.number)
    ).all()
    assert [b.state for b in batches] == [
        BatchState.RECONCILED,
        BatchState.SECOND_KEYED,
    ]
    assert [m.position for m in services.mismatches(batches[1])] == [2]
    figures = queries.desk_figures(desk)
    assert (figures.sign_ins, figures.ballots, figures.blank) == (5, 5, 1)
    assert figures.matches
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


def test_demo_does_nothing_without_a_paper_vote(db, make_vote, make_user):
    make_vote("announcement")
    make_user(roles=(Role.RELAY,), email=demo.RELAY_EMAIL, pseudonym="relais_demo")
    make_user(roles=(Role.STAFF,), email=demo.STAFF_EMAIL, pseudonym="agent_demo")

    demo.load()

    assert db.session.scalar(sa.select(sa.func.count(PollingDesk.id))) == 0


def test_demo_gives_the_envelopes_of_announced_rounds_their_ballot_numbers(
    db, make_vote
):
    vote = make_vote()

    demo.number_ballots()
    db.session.commit()

    rows = db.session.execute(
        sa.select(BallotNumber.idea_id, BallotNumber.number).where(
            BallotNumber.envelope_id == vote.envelope.id
        )
    ).all()
    assert dict(rows) == {idea.id: n for n, idea in enumerate(vote.projects, start=1)}
    other = db.session.scalars(
        sa.select(BallotNumber).where(
            BallotNumber.envelope_id == vote.other_envelope.id
        )
    ).one()
    assert (other.idea_id, other.number) == (vote.other_project.id, 1)
