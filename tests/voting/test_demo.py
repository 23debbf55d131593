"""The voting demo: a vote in progress the demo residents can use, a published one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts.demo import DEMO_PEOPLE, RESIDENT_EMAIL
from participation.accounts.models import User
from participation.budget.models import Round
from participation.budget.states import RoundPhase
from participation.voting import services
from participation.voting.demo import CONTE_VOTER_EMAIL
from participation.voting.models import VoteResult
from participation.voting.states import ResultState

pytestmark = pytest.mark.usefixtures("english")


def test_demo_has_an_open_vote_and_published_results(db):
    from participation.demo import load_demo

    assert load_demo()

    rounds = list(db.session.scalars(sa.select(Round)))
    open_votes = [r for r in rounds if r.phase is RoundPhase.VOTE]
    assert len(open_votes) == 1
    open_vote = open_votes[0]
    for email in (RESIDENT_EMAIL, CONTE_VOTER_EMAIL):
        person = db.session.scalar(sa.select(User).where(User.email == email))
        assert services.refusal_to_vote(person, open_vote) is None, email
    assert CONTE_VOTER_EMAIL in {p.login for p in DEMO_PEOPLE}
    published = db.session.scalars(
        sa.select(VoteResult).where(VoteResult.state == ResultState.PUBLISHED)
    ).all()
    assert len(published) >= 2
    assert any(r.phase is RoundPhase.RESULTS for r in rounds)
