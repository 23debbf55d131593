"""The ballot pages through the test client: ballot, review, confirm, receipt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.time import utcnow
from participation.voting import services
from participation.voting.models import Ballot, SealedBallot, SignIn
from participation.voting.states import BallotType

pytestmark = pytest.mark.usefixtures("english")


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _review(client, vote, ids):
    return client.post(
        f"/rounds/{vote.round.id}/vote/review",
        data={"project": [str(vote.projects[i].id) for i in ids]},
    )


def _token(html: str) -> str:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="token"', html
    )
    assert match, "no confirmation token on the review page"
    return match.group(1)


def _cast(client, vote, ids):
    review = _review(client, vote, ids)
    assert review.status_code == 200
    return client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={
            "token": _token(review.get_data(as_text=True)),
            "project": [str(vote.projects[i].id) for i in ids],
        },
    )


def test_ballot_page_lists_retained_projects_of_the_voters_qpv(vote, voter, login_as):
    client = login_as(voter)

    page = client.get(f"/rounds/{vote.round.id}/vote")

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for project in vote.projects:
        assert f'value="{project.id}"' in html
    assert f'value="{vote.other_project.id}"' not in html
    assert f'value="{vote.not_retained.id}"' not in html
    assert "ballot.js" in html
    assert page.headers["Cache-Control"] == "no-store"


def test_anonymous_visitor_is_asked_to_sign_in(client, vote):
    page = client.get(f"/rounds/{vote.round.id}/vote")

    assert page.status_code == 200
    assert 'data-reason="not_signed_in"' in page.get_data(as_text=True)


def test_not_verified_resident_is_told_where_to_get_verified(
    client, vote, make_voter, login_as
):
    login_as(make_voter(vote.here, verified=False))

    page = client.get(f"/rounds/{vote.round.id}/vote")

    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert 'data-reason="not_verified"' in html
    assert "proof of address" in html


def test_review_then_confirm_casts_once_and_shows_the_receipt_once(
    db, vote, voter, login_as
):
    client = login_as(voter)

    review = _review(client, vote, [0, 1])
    html = review.get_data(as_text=True)
    assert vote.projects[0].title in html
    assert vote.projects[1].title in html
    assert count(db, Ballot) == 0  # nothing stored by the review
    confirm = client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={
            "token": _token(html),
            "project": [str(vote.projects[0].id), str(vote.projects[1].id)],
        },
    )
    assert confirm.status_code == 302
    receipt = client.get(confirm.headers["Location"])
    again = client.get(confirm.headers["Location"])

    code = re.search(r'id="receipt-code">([^<]+)<', receipt.get_data(as_text=True))
    assert code is not None
    sealed = db.session.scalars(sa.select(SealedBallot)).one()
    assert sealed.fingerprint == code.group(1)  # the receipt: the box's fingerprint
    assert count(db, Ballot) == 0  # no plaintext before the count
    assert receipt.headers["Cache-Control"] == "no-store"
    assert 'id="receipt-code"' not in again.get_data(as_text=True)
    assert 'id="receipt-shown"' in again.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_vote_receipt" not in session


def test_second_attempt_is_refused_and_nothing_more_is_stored(
    db, vote, voter, login_as
):
    client = login_as(voter)
    _cast(client, vote, [0])

    review = _review(client, vote, [1])
    confirm = client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={"token": "another-token", "project": [str(vote.projects[1].id)]},
    )

    assert review.status_code == 403
    assert 'data-reason="already_voted"' in review.get_data(as_text=True)
    # A token this session was not given: refused with a message, nothing stored.
    assert confirm.status_code == 302
    page = client.get(confirm.headers["Location"]).get_data(as_text=True)
    assert "not prepared in your session" in page
    assert count(db, SealedBallot) == 1
    assert count(db, SignIn) == 1


def test_repeated_confirmation_shows_the_same_receipt(db, vote, voter, login_as):
    client = login_as(voter)
    review = _review(client, vote, [2])
    data = {
        "token": _token(review.get_data(as_text=True)),
        "project": [str(vote.projects[2].id)],
    }

    first = client.post(f"/rounds/{vote.round.id}/vote/confirm", data=data)
    code_one = re.search(
        r'id="receipt-code">([^<]+)<',
        client.get(first.headers["Location"]).get_data(as_text=True),
    )
    second = client.post(f"/rounds/{vote.round.id}/vote/confirm", data=data)
    replayed = client.get(second.headers["Location"]).get_data(as_text=True)
    code_two = re.search(r'id="receipt-code">([^<]+)<', replayed)
    assert "already confirmed" in replayed

    assert second.status_code == 302
    assert code_one
    assert code_two is None  # shown once; the replay changes nothing
    assert count(db, SealedBallot) == 1


def test_forged_project_of_another_qpv_is_refused_next_to_the_form(
    db, vote, voter, login_as
):
    client = login_as(voter)
    review = _review(client, vote, [0])

    page = client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={
            "token": _token(review.get_data(as_text=True)),
            "project": [str(vote.other_project.id)],
        },
    )

    assert page.status_code == 400
    assert "another neighbourhood" in page.get_data(as_text=True)
    assert count(db, SealedBallot) == 0


def test_forged_non_numeric_project_is_refused(db, vote, voter, login_as):
    client = login_as(voter)

    page = client.post(
        f"/rounds/{vote.round.id}/vote/review", data={"project": ["1; DROP TABLE"]}
    )

    assert page.status_code == 400
    assert count(db, Ballot) == 0


def test_knapsack_over_budget_is_explained_and_choices_kept(
    db, make_vote, make_voter, login_as
):
    vote = make_vote(rules={"ballot_type": BallotType.KNAPSACK})
    client = login_as(make_voter(vote.here))

    page = _review(client, vote, [2, 3])

    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="error-summary"' in html
    assert "more than the envelope" in html
    assert html.count("checked") == 2


def test_cumulative_ballot_with_points_and_a_typing_error(
    db, make_vote, make_voter, login_as
):
    vote = make_vote(
        rules={
            "ballot_type": BallotType.CUMULATIVE,
            "total_points": 5,
            "max_points_per_project": 3,
            "max_projects": None,
        }
    )
    client = login_as(make_voter(vote.here))
    first = vote.projects[0].id

    typo = client.post(
        f"/rounds/{vote.round.id}/vote/review", data={f"points-{first}": "deux"}
    )
    negative = client.post(
        f"/rounds/{vote.round.id}/vote/review", data={f"points-{first}": "-3"}
    )
    fine = client.post(
        f"/rounds/{vote.round.id}/vote/review",
        data={f"points-{first}": "3", f"points-{vote.projects[1].id}": "2"},
    )

    assert typo.status_code == 400
    assert "whole number" in typo.get_data(as_text=True)
    assert negative.status_code == 400
    assert fine.status_code == 200
    assert f'name="points-{first}" value="3"' in fine.get_data(as_text=True)


def test_closed_round_refuses_a_forged_confirmation(
    db, make_vote, make_voter, login_as
):
    vote = make_vote("counting")
    client = login_as(make_voter(vote.here))

    page = client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={"token": "x", "project": [str(vote.projects[0].id)]},
    )

    # A token this session was never given: a message, never a 500; nothing stored.
    assert page.status_code == 302
    shown = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "not prepared in your session" in shown
    assert 'data-reason="closed"' in shown
    assert count(db, Ballot) == 0
    assert count(db, SealedBallot) == 0


def test_confirm_requires_the_csrf_token_when_csrf_is_on(
    app, db, vote, voter, login_as
):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login_as(voter)

    page = client.post(
        f"/rounds/{vote.round.id}/vote/confirm",
        data={"token": "x", "project": [str(vote.projects[0].id)]},
    )

    assert page.status_code == 400
    assert count(db, Ballot) == 0


def test_no_page_shows_counts_while_the_vote_is_open(db, vote, voter, login_as, client):
    services.cast_ballot(voter, vote.round, vote.ids(0))
    db.session.commit()

    index = client.get(f"/rounds/{vote.round.id}/results")
    detail = client.get(f"/results/{vote.envelope.id}")

    assert 'id="vote-still-open"' in index.get_data(as_text=True)
    assert detail.status_code == 404


def test_staff_edit_rules_until_frozen(db, make_vote, make_voter, login_as):
    vote = make_vote("announcement")
    client = login_as(vote.staff)
    data = {
        "ballot_type": "approval",
        "min_projects": "1",
        "max_projects": "2",
        "min_spend_percent": "0",
        "min_age": "16",
        "required_level": "verified",
        "is_online_enabled": "y",
        "counting_rule": "greedy",
        "threshold": "0",
        "tie_break": "support-cost-order",
    }

    saved = client.post(f"/rounds/{vote.round.id}/vote/rules", data=data)
    assert saved.status_code == 302
    assert services.get_rules(vote.round).max_projects == 2
    vote.round.vote_opens_at = utcnow() - timedelta(days=1)  # voting opens
    services.cast_ballot(make_voter(vote.here), vote.round, vote.ids(0))
    db.session.commit()
    refused = client.post(
        f"/rounds/{vote.round.id}/vote/rules", data={**data, "max_projects": "4"}
    )
    page = client.get(f"/rounds/{vote.round.id}/vote/rules")

    assert refused.status_code == 302
    db.session.expire_all()
    assert services.get_rules(vote.round).max_projects == 2
    assert 'id="rules-frozen"' in page.get_data(as_text=True)


def test_rules_form_errors_sit_next_to_fields(db, make_vote, login_as):
    vote = make_vote("announcement")
    client = login_as(vote.staff)

    page = client.post(
        f"/rounds/{vote.round.id}/vote/rules",
        data={
            "ballot_type": "cumulative",
            "min_projects": "1",
            "min_spend_percent": "0",
            "min_age": "0",
            "required_level": "verified",
            "counting_rule": "greedy",
            "threshold": "0",
            "tie_break": "support-cost-order",
        },
    )

    assert page.status_code == 200
    assert "Give the number of points" in page.get_data(as_text=True)


def test_residents_cannot_open_the_rules_page(vote, voter, login_as):
    assert login_as(voter).get(f"/rounds/{vote.round.id}/vote/rules").status_code == 403


def test_vote_index_lists_open_votes(client, vote):
    page = client.get("/votes")

    assert page.status_code == 200
    assert f"/rounds/{vote.round.id}/vote" in page.get_data(as_text=True)


def test_ballot_page_says_the_range_of_projects_in_the_plural_of_its_top(
    make_vote, make_voter, login_as
):
    vote = make_vote(rules={"min_projects": 1, "max_projects": 3})
    client = login_as(make_voter(vote.here))

    html = client.get(f"/rounds/{vote.round.id}/vote").get_data(as_text=True)

    assert "Tick between 1 and 3 projects." in html
