"""Ballot numbers (desks.services.numbers): given once, in ballot order, kept."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from participation.budget.states import IdeaState
from participation.voting.desks import services
from participation.voting.desks.models import BallotNumber


def stored(db, envelope) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(BallotNumber.idea_id, BallotNumber.number).where(
            BallotNumber.envelope_id == envelope.id
        )
    )
    return dict(rows.all())


def test_an_announced_round_gets_its_numbers_on_first_use(db, vote):
    assert stored(db, vote.envelope) == {}

    numbers = services.ballot_numbers(vote.envelope)
    db.session.commit()

    expected = {idea.id: n for n, idea in enumerate(vote.projects, start=1)}
    assert numbers == expected
    assert list(numbers) == [idea.id for idea in vote.projects]  # ballot order
    assert stored(db, vote.envelope) == expected
    assert services.ballot_numbers(vote.other_envelope) == {vote.other_project.id: 1}


def test_numbers_never_change_once_given(db, vote):
    services.ballot_numbers(vote.envelope)
    db.session.commit()
    first, second = vote.projects[0], vote.projects[1]

    # The first project leaves the ballot, a new one joins it.
    first.state = IdeaState.IN_REVIEW
    vote.not_retained.state = IdeaState.ELIGIBLE
    vote.not_retained.final_cost = Decimal("1000.00")
    db.session.commit()
    numbers = services.ballot_numbers(vote.envelope)
    db.session.commit()

    assert first.id not in numbers
    assert numbers[second.id] == 2
    assert numbers[vote.not_retained.id] == 5  # the next free number, not 1
    assert stored(db, vote.envelope)[first.id] == 1  # nobody else gets it


def test_before_the_announcement_numbers_are_provisional_and_not_stored(db, vote):
    vote.round.published_at = None  # not announced: the round is not even open
    db.session.commit()

    numbers = services.ballot_numbers(vote.envelope)

    assert sorted(numbers.values()) == [1, 2, 3, 4]
    assert stored(db, vote.envelope) == {}
    assert not services.is_numbering_final(vote.round)


def test_the_announcement_page_fixes_the_numbers(db, client, vote):
    response = client.get(
        f"/rounds/{vote.round.id}/announcement/{vote.here.id}",
    )

    assert response.status_code == 200
    assert stored(db, vote.envelope) == {
        idea.id: n for n, idea in enumerate(vote.projects, start=1)
    }
