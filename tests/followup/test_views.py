"""Follow-up pages: public project page, following, staff tools and permissions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.models import OutboxMessage
from participation.core.time import PARIS
from participation.followup.models import Milestone, Project, ProjectFollow
from participation.followup.states import ProjectState

from .conftest import png_bytes

STAFF_PAGES = [
    "/projects/{id}/edit",
    "/projects/{id}/milestones/new",
    "/projects/{id}/updates/new",
    "/projects/{id}/status/start",
    "/framework",
    "/framework/new",
]


def test_the_project_page_is_public(db, client, project, published):
    page = client.get(f"/projects/{project.id}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert project.title in text
    assert published.author.pseudonym in text  # the authors stay credited
    assert f'href="/ideas/{project.idea_id}"' in text
    assert 'id="follow-form"' in text


def test_an_unknown_project_is_a_404(db, client):
    assert client.get("/projects/999").status_code == 404


def test_the_project_list_filters_by_status(db, client, projects, staff):
    from participation.core.actors import SYSTEM
    from participation.followup import services
    from participation.followup.states import ProjectAction

    services.transition_project(projects[0], ProjectAction.START, SYSTEM)
    db.session.commit()

    text = client.get("/projects?state=in_progress").get_data(as_text=True)

    assert f'id="project-{projects[0].id}"' in text
    assert f'id="project-{projects[1].id}"' not in text


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_residents_get_a_403_on_staff_pages(
    db, client, login_as, project, resident, path
):
    login_as(resident)

    assert client.get(path.format(id=project.id)).status_code == 403


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_visitors_are_sent_to_sign_in_from_staff_pages(db, client, project, path):
    response = client.get(path.format(id=project.id))

    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_residents_cannot_post_to_staff_actions(
    db, client, login_as, project, resident
):
    login_as(resident)

    assert client.post(f"/projects/{project.id}/status/start").status_code == 403
    assert (
        client.post("/projects/create-from-results", data={"round_id": 1}).status_code
        == 403
    )
    assert project.state is ProjectState.PLANNED


def test_staff_create_the_projects_of_the_published_results(
    db, client, login_as, published, staff
):
    login_as(staff)
    page = client.get("/projects").get_data(as_text=True)
    assert 'id="create-projects"' in page
    assert f'value="{published.round.id}"' in page

    response = client.post(
        "/projects/create-from-results", data={"round_id": published.round.id}
    )

    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 3
    page = client.get("/projects").get_data(as_text=True)
    assert "3 projects created." in page
    assert 'id="nothing-to-create"' in page


def test_a_progress_over_100_is_shown_next_to_the_field_and_keeps_the_input(
    db, client, login_as, project, staff
):
    login_as(staff)

    page = client.post(
        f"/projects/{project.id}/edit",
        data={
            "title": "Un titre changé",
            "progress_percent": "150",
            "amount_committed": "1 000",
            "amount_spent": "200",
        },
    )

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="progress_percent-error"' in text
    assert "between 0 and 100" in text
    assert 'value="Un titre changé"' in text
    assert 'value="1 000"' in text
    db.session.refresh(project)
    assert project.title != "Un titre changé"


def test_spent_above_committed_without_reason_is_shown_next_to_the_fields(
    db, client, login_as, project, staff
):
    login_as(staff)

    text = client.post(
        f"/projects/{project.id}/edit",
        data={
            "title": project.title,
            "progress_percent": "20",
            "amount_committed": "1000",
            "amount_spent": "1500",
        },
    ).get_data(as_text=True)

    assert 'id="amount_spent-error"' in text
    assert 'id="overspend_reason-error"' in text
    assert 'value="1500"' in text


def test_staff_edit_money_and_progress(db, client, login_as, project, staff):
    login_as(staff)

    response = client.post(
        f"/projects/{project.id}/edit",
        data={
            "title": project.title,
            "progress_percent": "40",
            "amount_committed": "2 900,50",
            "amount_spent": "1000",
            "service_in_charge": "Service des sports",
        },
    )

    assert response.status_code == 302
    db.session.refresh(project)
    assert project.progress_percent == 40
    assert str(project.amount_committed) == "2900.50"


def test_a_milestone_before_the_round_is_refused_with_a_message(
    db, client, login_as, project, published, staff
):
    login_as(staff)
    before = published.round.vote_closes_at.astimezone(PARIS).date() - timedelta(days=3)

    page = client.post(
        f"/projects/{project.id}/milestones/new",
        data={"title": "Étude", "planned_on": before.isoformat()},
    )

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="planned_on-error"' in text
    assert "cannot be dated before the vote" in text
    assert 'value="Étude"' in text
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 0


def test_news_with_a_file_that_is_not_an_image_is_refused_next_to_the_field(
    db, client, login_as, project, staff
):
    login_as(staff)

    page = client.post(
        f"/projects/{project.id}/updates/new",
        data={
            "title": "Les travaux",
            "body": "Ils commencent.",
            "photo": (io.BytesIO(b"#!/bin/sh\necho not a photo"), "photo.jpg"),
            "photo_alt": "Un square",
            "photo_consent": "y",
        },
        content_type="multipart/form-data",
    )

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="photo-error"' in text
    assert 'value="Les travaux"' in text
    assert "Ils commencent." in text


def test_news_with_a_photo_is_published_and_the_photo_served(
    db, client, login_as, project, staff
):
    login_as(staff)

    response = client.post(
        f"/projects/{project.id}/updates/new",
        data={
            "title": "Les travaux",
            "body": "Ils commencent.",
            "photo": (io.BytesIO(png_bytes()), "chantier.png"),
            "photo_alt": "Le chantier",
            "photo_consent": "y",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    db.session.refresh(project)
    photo = project.photos[0]
    text = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/projects/{project.id}/photos/{photo.id}" in text
    served = client.get(f"/projects/{project.id}/photos/{photo.id}")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    served.close()
    assert (
        client.get(f"/projects/{project.id + 1}/photos/{photo.id}").status_code == 404
    )


def test_staff_change_the_status_and_an_abandon_needs_a_reason(
    db, client, login_as, project, staff
):
    login_as(staff)

    page = client.post(f"/projects/{project.id}/status/abandon", data={"comment": ""})
    assert page.status_code == 200
    assert 'id="comment-error"' in page.get_data(as_text=True)

    response = client.post(f"/projects/{project.id}/status/start", data={})
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.state is ProjectState.IN_PROGRESS
    assert client.get(f"/projects/{project.id}/status/start").status_code == 409


def test_a_follow_request_with_a_malformed_address_shows_the_message(
    db, client, project
):
    page = client.post(f"/projects/{project.id}/follow", data={"email": "amina@@x"})

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="email-error"' in text
    assert 'value="amina@@x"' in text


def test_a_visitor_follows_by_address_and_confirms(db, client, project):
    response = client.post(
        f"/projects/{project.id}/follow", data={"email": "voisin@suivi.test"}
    )
    assert response.status_code == 302
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "voisin@suivi.test")
    )
    assert message is not None
    link = next(w for w in message.body_text.split() if "/follows/confirm/" in w)
    path = link[link.index("/follows/") :]

    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302

    follow = db.session.scalar(
        sa.select(ProjectFollow).where(ProjectFollow.email == "voisin@suivi.test")
    )
    assert follow is not None
    assert follow.is_confirmed


def test_a_signed_in_resident_follows_and_stops(
    db, client, login_as, project, resident
):
    login_as(resident)

    client.post(f"/projects/{project.id}/follow")
    assert 'id="following"' in client.get(f"/projects/{project.id}").get_data(
        as_text=True
    )

    client.post(f"/projects/{project.id}/unfollow")
    assert 'id="follow-button"' in client.get(f"/projects/{project.id}").get_data(
        as_text=True
    )


def test_the_unsubscribe_link_works_without_signing_in(db, client, project, published):
    from participation.followup import follows

    follow = follows.follow_of(project, published.author)
    assert follow is not None
    path = f"/follows/unsubscribe/{follows.unsubscribe_token(follow)}"

    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert follows.follow_of(project, published.author) is None
    assert 'id="already-gone"' in client.get(path).get_data(as_text=True)
    assert client.get("/follows/unsubscribe/garbage").status_code == 404


def test_the_idea_page_helper_finds_the_project(db, app, project, published):
    with app.test_request_context():
        template = app.jinja_env.from_string(
            "{{ project_for_idea(idea).id if project_for_idea(idea) else 'none' }}"
        )
        assert template.render(idea=published.ideas[0]) == str(project.id)
        assert template.render(idea=published.ideas[2]) == "none"
