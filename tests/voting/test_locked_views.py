"""The locked vote process through the staff pages: refusals, confirmations."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.budget.forms import paris_to_utc, utc_to_paris_naive
from participation.core.time import utcnow
from participation.extensions import db
from participation.voting import services
from participation.voting.models import VoteResult
from participation.voting.states import ResultState

pytestmark = pytest.mark.usefixtures("english")

CONFIRM = {"confirm": "y"}


@pytest.fixture
def closed(vote):
    vote.round.vote_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return vote


def test_a_sealed_box_shows_the_refusal_instead_of_the_count_button(closed, login_as):
    client = login_as(closed.staff)

    page = client.get(f"/rounds/{closed.round.id}/results").get_data(as_text=True)
    confirm = client.get(f"/rounds/{closed.round.id}/results/compute")

    assert 'id="count-refusals"' in page
    assert "still sealed" in page
    assert 'id="compute-results"' not in page
    assert "still sealed" in confirm.get_data(as_text=True)
    assert 'id="confirm-form"' not in confirm.get_data(as_text=True)


def test_count_certify_publish_each_go_through_a_confirmation(closed, login_as):
    closed.open_box()
    client = login_as(closed.staff)

    page = client.get(f"/rounds/{closed.round.id}/results").get_data(as_text=True)
    assert f'href="/rounds/{closed.round.id}/results/compute"' in page
    confirm = client.get(f"/rounds/{closed.round.id}/results/compute")
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteResult)) == 0

    counted = client.post(f"/rounds/{closed.round.id}/results/compute", data=CONFIRM)
    assert counted.status_code == 302
    certify = client.get(f"/results/{closed.envelope.id}/certify")
    assert certify.status_code == 200
    assert "Another staff member must then publish" in certify.get_data(as_text=True)
    client.post(f"/results/{closed.envelope.id}/certify", data=CONFIRM)

    refused = client.post(
        f"/results/{closed.envelope.id}/publish", data=CONFIRM, follow_redirects=True
    )
    assert refused.status_code == 200
    assert "another staff member must publish" in refused.get_data(as_text=True)
    result = services.result_of(closed.envelope.id)
    assert result is not None
    assert result.state is ResultState.CERTIFIED

    publisher = login_as(closed.publisher)
    publish = publisher.get(f"/results/{closed.envelope.id}/publish")
    assert "Publishing is final" in publish.get_data(as_text=True)
    publisher.post(f"/results/{closed.envelope.id}/publish", data=CONFIRM)
    db.session.expire_all()
    assert services.result_of(closed.envelope.id).state is ResultState.PUBLISHED


def test_residents_cannot_see_the_confirmation_pages(closed, voter, login_as):
    client = login_as(voter)
    assert client.get(f"/rounds/{closed.round.id}/results/compute").status_code == 403
    assert client.get(f"/results/{closed.envelope.id}/certify").status_code == 403


def test_an_early_close_without_a_reason_is_refused_next_to_the_field(vote, login_as):
    client = login_as(vote.staff)
    before = vote.round.vote_closes_at
    new_end = utc_to_paris_naive(utcnow() + timedelta(days=9))
    typed = new_end.strftime("%Y-%m-%dT%H:%M")

    form = client.get(f"/rounds/{vote.round.id}/vote/end")
    refused = client.post(
        f"/rounds/{vote.round.id}/vote/end", data={"closes_at": typed, "reason": " "}
    )

    assert form.status_code == 200
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert 'id="reason-error"' in html
    assert "Write why the vote closes early or is extended" in html
    assert f'value="{typed}"' in html  # nothing typed is lost
    db.session.expire_all()
    assert vote.round.vote_closes_at == before


def test_extending_the_vote_with_a_reason_moves_its_end(vote, login_as):
    client = login_as(vote.staff)
    new_end = utc_to_paris_naive(utcnow() + timedelta(days=9)).replace(
        second=0, microsecond=0
    )

    moved = client.post(
        f"/rounds/{vote.round.id}/vote/end",
        data={
            "closes_at": new_end.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Panne du réseau dans le quartier pendant deux jours.",
        },
    )

    assert moved.status_code == 302
    db.session.expire_all()
    assert vote.round.vote_closes_at == paris_to_utc(new_end)


def test_residents_cannot_move_the_end_of_the_vote(vote, voter, login_as):
    assert login_as(voter).get(f"/rounds/{vote.round.id}/vote/end").status_code == 403
