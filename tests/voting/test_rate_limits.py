"""Rate limits on the ballot pages: per person, so a shared computer still works."""

from __future__ import annotations

import pytest

from participation.extensions import limiter


@pytest.fixture
def tight_vote_limit(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_VOTE"] = "2 per minute"


def _review(client, vote):
    return client.post(
        f"/rounds/{vote.round.id}/vote/review",
        data={"project": [str(vote.projects[0].id)]},
    )


def test_too_many_ballot_reviews_get_the_friendly_429(
    tight_vote_limit, app, vote, voter, login_as
):
    limiter.reset()
    client = login_as(voter)

    codes = [_review(client, vote).status_code for _ in range(3)]

    assert codes[:2] == [200, 200]
    assert codes[2] == 429


def test_the_vote_limit_counts_each_person_apart(
    tight_vote_limit, app, vote, voter, make_voter, login_as
):
    limiter.reset()
    client = login_as(voter)
    first = [_review(client, vote).status_code for _ in range(3)]

    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = make_voter(voter.territory).get_id()
        session["_fresh"] = True
    # Same address (the test client's), another person: a limit of their own.
    second = [_review(other, vote).status_code for _ in range(3)]

    # The limit applies (the third review of each is refused), once per person: a
    # limit shared by the address, or by everyone, would refuse all of the second's.
    assert first == [200, 200, 429]
    assert second == [200, 200, 429]
