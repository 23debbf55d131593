"""The key ceremony and the opening of the sealed box (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.core.errors import Conflict, FieldErrors
from participation.voting import services
from participation.voting.models import Ballot, BallotKey, SealedBallot

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def trustees(make_user, staff):
    return [staff] + [make_user(roles=(Role.STAFF,)) for _ in range(2)]


def test_a_ceremony_stores_only_the_public_key_and_is_checked_by_k_shares(
    db, make_vote, make_voter, trustees, staff
):
    vote = make_vote("vote")
    db.session.delete(services.key_of(vote.round))
    db.session.commit()

    key, shares = services.start_ceremony(vote.round, trustees, 2, staff)
    db.session.commit()

    assert len(shares) == 3
    stored = db.session.execute(sa.select(BallotKey.__table__)).one()
    for share in shares:
        assert share not in repr(stored)
    assert not key.is_ready
    voter = make_voter(vote.here)
    with pytest.raises(Conflict, match="key ceremony"):
        services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.rollback()
    services.check_ceremony(vote.round, [shares[2], shares[0]], staff)
    db.session.commit()
    assert key.is_ready


def test_bad_duplicated_and_other_round_shares_are_named_and_change_nothing(
    db, make_vote, make_voter
):
    vote = make_vote("counting")
    other = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    services.cast_ballot(make_voter(vote.here), vote.round, vote.ids(0), now=during)
    db.session.commit()
    cases = {
        "share_2": [vote.shares[0], vote.shares[0]],
        "share_1": [other.shares[0], vote.shares[1]],
    }
    for field, shares in cases.items():
        with pytest.raises(FieldErrors) as error:
            services.open_sealed_box(vote.round, shares, vote.staff)
        assert field in error.value.errors
        db.session.rollback()
    with pytest.raises(FieldErrors, match="Share 1 is not a share"):
        services.open_sealed_box(vote.round, ["nonsense", vote.shares[1]], vote.staff)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot)) == 1
    assert services.is_sealed(vote.round)


def test_the_count_is_refused_while_sealed_then_counts_the_opened_ballots(
    db, make_vote, make_voter
):
    vote = make_vote("counting")
    during = vote.round.vote_opens_at + timedelta(days=1)
    codes = [
        services.cast_ballot(
            make_voter(vote.here), vote.round, vote.ids(n % 2), now=during
        ).code
        for n in range(4)
    ]
    db.session.commit()
    assert sorted(codes) == services.public_fingerprints(vote.round)
    with pytest.raises(Conflict, match="still sealed"):
        services.compute_result(vote.envelope, vote.staff)
    db.session.rollback()

    assert vote.open_box() == 4
    result = services.compute_result(vote.envelope, vote.staff)
    db.session.commit()

    assert result.num_ballots == 4
    assert result.participation["online"]["ballots"] == 4
    assert len(result.receipt_hashes) == 4  # fingerprints = online ballots counted
    assert {services.receipt_hash(c) for c in codes} == set(result.receipt_hashes)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 4
    key = services.key_of(vote.round)
    assert key is not None
    assert [t["index"] for t in key.opened_by] == [1, 2]
    with pytest.raises(Conflict, match="already open"):
        services.open_sealed_box(vote.round, list(vote.shares[1:]), vote.staff)


def test_ceremony_open_and_fingerprint_pages(db, make_vote, trustees, login_as):
    vote = make_vote("vote")
    db.session.delete(services.key_of(vote.round))
    db.session.commit()
    client = login_as(vote.staff)
    url = f"/rounds/{vote.round.id}/vote/ceremony"

    assert "can never be counted" in client.get(url).get_data(as_text=True)
    page = client.post(
        url,
        data={
            "step": "start",
            "trustees": [str(t.id) for t in trustees],
            "threshold": "2",
        },
    ).get_data(as_text=True)

    assert page.count('class="share-code"') == 3
    assert services.key_of(vote.round) is not None
    assert "PB1-" not in repr(db.session.execute(sa.select(BallotKey.__table__)).all())
    bad = client.post(url, data={"step": "check", "share_1": "PB1-1-AAAA-BBBB"})
    assert bad.status_code == 400
    assert "Share 1" in bad.get_data(as_text=True)
    assert client.get(f"/rounds/{vote.round.id}/vote/open").status_code == 404
    assert client.get(f"/rounds/{vote.round.id}/vote/fingerprints").status_code == 200


def test_staff_signed_in_with_the_second_factor_name_enrolled_trustees(
    app, db, make_vote, trustees
):
    """The ceremony through the real sign-in: password, then the staff's code; the
    trustees are staff who have a second factor too (as the demo's have)."""
    from participation.accounts.services import twofactor
    from tests.security.conftest import SECRET, TEST_PASSWORD, current_code

    for trustee in trustees:
        twofactor.set_secret(trustee, SECRET, confirmed=True)
    vote = make_vote("vote")
    db.session.delete(services.key_of(vote.round))
    db.session.commit()
    client = app.test_client()
    staff = trustees[0]
    signed = client.post(
        "/signin", data={"identifier": staff.email, "password": TEST_PASSWORD}
    )
    assert signed.headers["Location"].endswith("/signin/code")
    url = f"/rounds/{vote.round.id}/vote/ceremony"
    assert client.get(url).status_code == 302  # not signed in before the code
    assert client.post("/signin/code", data={"code": current_code()}).status_code == 302

    page = client.get(url).get_data(as_text=True)
    for trustee in trustees:
        assert f'value="{trustee.id}"' in page
    started = client.post(
        url,
        data={
            "step": "start",
            "trustees": [str(t.id) for t in trustees],
            "threshold": "2",
        },
    )

    assert started.status_code == 200
    assert started.get_data(as_text=True).count('class="share-code"') == 3
    key = services.key_of(vote.round)
    assert key is not None
    assert sorted(t["user_id"] for t in key.trustees) == sorted(t.id for t in trustees)
