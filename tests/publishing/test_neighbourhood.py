"""The neighbourhood page and "what became of our ideas"."""

from __future__ import annotations

from participation.budget.states import IdeaState, TransferStatus
from participation.core.actors import SYSTEM
from participation.core.time import utcnow
from participation.followup import services
from participation.followup.states import ProjectAction


def test_territories_slash_id_serves_the_neighbourhood_page(
    db, client, projects, published
):
    services.transition_project(projects[0], ProjectAction.START, SYSTEM)
    db.session.commit()

    page = client.get(f"/territories/{published.here.id}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert published.here.name in text
    assert 'id="projects-' in text
    assert f'href="/projects/{projects[0].id}"' in text
    assert 'id="participation"' in text
    assert 'id="envelopes"' in text
    assert 'id="no-current-round"' in text
    assert f'href="/territories/{published.here.id}/ideas?year=' in text
    assert 'id="place-list"' in text
    assert "vendor/leaflet/leaflet.js" in text


def test_an_unknown_or_inactive_territory_is_a_404(db, client, make_territory):
    hidden = make_territory(is_active=False)

    assert client.get("/territories/9999").status_code == 404
    assert client.get(f"/territories/{hidden.id}").status_code == 404
    assert client.get(f"/territories/{hidden.id}/ideas").status_code == 404


def test_the_territory_list_links_to_each_page(db, client, make_territory):
    territory = make_territory()

    text = client.get("/territories").get_data(as_text=True)

    assert f'href="/territories/{territory.id}"' in text


def test_a_round_open_for_ideas_shows_what_to_do_now(db, client, make_territory):
    from datetime import timedelta
    from decimal import Decimal

    from participation.budget.models import Envelope, Round

    territory = make_territory()
    now = utcnow()
    round_ = Round(
        title="Budget participatif ouvert",
        max_cost=Decimal("1000"),
        published_at=now - timedelta(days=3),
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=10),
        review_closes_at=now + timedelta(days=20),
        announcement_at=now + timedelta(days=25),
        vote_opens_at=now + timedelta(days=30),
        vote_closes_at=now + timedelta(days=40),
    )
    round_.envelopes = [Envelope(territory=territory, amount=Decimal("5000"))]
    db.session.add(round_)
    db.session.commit()

    text = client.get(f"/territories/{territory.id}").get_data(as_text=True)

    assert f'id="current-round-{round_.id}"' in text
    assert f'href="/rounds/{round_.id}/ideas/new"' in text


def test_what_became_of_our_ideas_has_one_line_per_idea(
    db, client, projects, published
):
    transferred = published.ideas[3]
    transferred.state = IdeaState.TRANSFERRED  # as the review feature would leave it
    transferred.final_cost = None
    transferred.transfer_service = "Service voirie"
    transferred.transfer_status = TransferStatus.IN_PROGRESS
    db.session.commit()
    year = published.ideas[0].submitted_at.year

    page = client.get(f"/territories/{published.here.id}/ideas?year={year}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for idea in published.ideas:
        assert f'id="outcome-idea-{idea.id}"' in text
    assert text.count('id="outcome-idea-') == 4
    assert f'href="/projects/{projects[0].id}"' in text
    assert "Service voirie" in text
    assert "In progress" in text
    assert "Not selected by the vote" in text


def test_the_outcome_page_without_ideas_still_answers(db, client, make_territory):
    territory = make_territory()

    page = client.get(f"/territories/{territory.id}/ideas?year=1999")

    assert page.status_code == 200
    assert "No idea has been proposed here yet." in page.get_data(as_text=True)
