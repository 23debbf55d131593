"""Editing published news and its photos (staff): correct the text, withdraw with a
reason, add a photo later, change its text alternative, confirm or lift the consent
of the people shown, delete it with its file. Every change is in the audit log;
nothing is sent again to the followers; withdrawn news and unconfirmed photos leave
the public page, the feed and the open data."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import AuditEntry, OutboxMessage
from participation.core.time import utcnow
from participation.core.uploads import upload_path
from participation.followup import services
from participation.followup.models import ProjectPhoto, ProjectUpdate

from .conftest import png_bytes


@pytest.fixture
def news(db, project, staff):
    update = services.publish_update(
        project,
        services.UpdateData(
            title="Les travaux commencent",
            body="L'entreprise arrive lundi.",
            photo=png_bytes(),
            photo_alt="Le square avant les travaux",
            photo_consent=True,
        ),
        staff,
    )
    db.session.commit()
    return update


def audit_actions(db, project) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "project",
                AuditEntry.object_id == str(project.id),
            )
            .order_by(AuditEntry.id)
        )
    )


def status(client, url: str) -> int:
    """GET *url* and close the response (a served photo holds its file open)."""
    response = client.get(url)
    response.close()
    return response.status_code


def outbox_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


def test_a_correction_changes_the_text_is_audited_and_sends_nothing(
    db, project, staff, news
):
    sent = outbox_count(db)

    services.edit_update(news, "Les travaux ont commencé", news.body, staff)

    assert news.title == "Les travaux ont commencé"
    assert news.edited_at is not None
    assert outbox_count(db) == sent
    assert audit_actions(db, project)[-1] == "project.update_edited"
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert json.loads(entry.details)["changed"] == ["title"]


def test_a_correction_needs_a_title_and_a_text_and_unchanged_is_no_edit(
    db, project, staff, news
):
    with pytest.raises(FieldErrors) as error:
        services.edit_update(news, " ", "", staff)
    assert set(error.value.messages_by_field()) == {"title", "body"}

    services.edit_update(news, news.title, news.body, staff)

    assert news.edited_at is None
    assert "project.update_edited" not in audit_actions(db, project)


def test_only_staff_edit_withdraw_or_change_photos(db, news, resident):
    photo = news.photos[0]
    with pytest.raises(PermissionDenied):
        services.edit_update(news, "Autre", "Autre", resident)
    with pytest.raises(PermissionDenied):
        services.withdraw_update(news, "Erreur", resident)
    with pytest.raises(PermissionDenied):
        services.edit_photo(photo, "Autre", True, resident)
    with pytest.raises(PermissionDenied):
        services.remove_photo(photo, resident)


def test_withdrawal_needs_a_reason_then_locks_the_news(db, project, staff, news):
    with pytest.raises(FieldErrors) as error:
        services.withdraw_update(news, "  ", staff)
    assert set(error.value.messages_by_field()) == {"reason"}
    with pytest.raises(FieldErrors):
        services.withdraw_update(news, "x" * 301, staff)

    services.withdraw_update(news, "Annoncée par erreur.", staff)

    assert news.is_withdrawn
    assert not news.photos[0].is_public
    assert audit_actions(db, project)[-1] == "project.update_withdrawn"
    with pytest.raises(Conflict):
        services.edit_update(news, "Autre", "Autre", staff)
    with pytest.raises(Conflict):
        services.withdraw_update(news, "Encore", staff)
    with pytest.raises(Conflict):
        services.add_photo(news, png_bytes(), "Une photo", True, staff)


def test_the_database_refuses_a_withdrawal_without_reason(db, news):
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(ProjectUpdate)
            .where(ProjectUpdate.id == news.id)
            .values(withdrawn_at=utcnow())
        )
    db.session.rollback()


def test_a_photo_added_later_is_checked_like_the_first(db, project, staff, news):
    with pytest.raises(FieldErrors) as error:
        services.add_photo(news, b"%PDF-1.4 not an image", "Un plan", True, staff)
    assert set(error.value.messages_by_field()) == {"photo"}
    with pytest.raises(FieldErrors) as error:
        services.add_photo(news, png_bytes(), "", False, staff)
    assert set(error.value.messages_by_field()) == {"photo_alt", "photo_consent"}
    with pytest.raises(FieldErrors) as error:
        services.add_photo(news, None, "Un plan", True, staff)
    assert set(error.value.messages_by_field()) == {"photo"}

    photo = services.add_photo(news, png_bytes((40, 30)), "Le plan", True, staff)

    assert (photo.width, photo.height) == (40, 30)
    assert [p.id for p in news.photos][-1] == photo.id
    assert audit_actions(db, project)[-1] == "project.photo_added"


def test_a_photo_alternative_and_consent_can_change(db, project, staff, news):
    photo = news.photos[0]
    with pytest.raises(FieldErrors) as error:
        services.edit_photo(photo, "", True, staff)
    assert set(error.value.messages_by_field()) == {"photo_alt"}

    services.edit_photo(photo, "Le square, côté rue", True, staff)
    assert photo.alt == "Le square, côté rue"
    assert photo.is_public


def test_removing_a_photo_deletes_its_row_and_file(db, project, staff, news):
    photo = news.photos[0]
    path = upload_path(services.PHOTO_FOLDER, photo.name)
    assert path.exists()

    services.remove_photo(photo, staff)
    db.session.commit()

    assert not path.exists()
    assert db.session.scalar(sa.select(sa.func.count(ProjectPhoto.id))) == 0
    assert audit_actions(db, project)[-1] == "project.photo_removed"


# --- Pages -------------------------------------------------------------------


def test_staff_correct_the_news_and_the_page_says_so(
    db, app, client, login_as, project, staff, news
):
    login_as(staff)

    edit = client.get(f"/projects/{project.id}/updates/{news.id}/edit")
    response = client.post(
        f"/projects/{project.id}/updates/{news.id}/edit",
        data={"title": "Les travaux ont commencé", "body": news.body},
    )

    assert edit.status_code == 200
    assert 'id="update-edit-form"' in edit.get_data(as_text=True)
    assert response.status_code == 302
    visitor = app.test_client().get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Les travaux ont commencé" in visitor
    assert f'id="update-{news.id}-corrected"' in visitor
    assert f'id="edit-update-{news.id}"' not in visitor


def test_an_empty_correction_is_refused_next_to_the_field(
    db, client, login_as, project, staff, news
):
    login_as(staff)

    page = client.post(
        f"/projects/{project.id}/updates/{news.id}/edit",
        data={"title": "", "body": "Texte gardé"},
    )

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="title-error"' in text
    assert "Texte gardé" in text


def test_residents_cannot_reach_the_editing_pages(
    db, client, login_as, project, resident, news
):
    login_as(resident)
    photo = news.photos[0]

    for url in (
        f"/projects/{project.id}/updates/{news.id}/edit",
        f"/projects/{project.id}/updates/{news.id}/withdraw",
        f"/projects/{project.id}/updates/{news.id}/photos/new",
        f"/projects/{project.id}/photos/{photo.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(f"/projects/{project.id}/photos/{photo.id}/remove").status_code
        == 403
    )


def test_withdrawn_news_leaves_the_page_the_feed_and_the_open_data(
    db, app, client, login_as, project, staff, news
):
    photo_url = f"/projects/{project.id}/photos/{news.photos[0].id}"
    login_as(staff)
    missing = client.post(
        f"/projects/{project.id}/updates/{news.id}/withdraw", data={"reason": ""}
    )
    assert 'id="reason-error"' in missing.get_data(as_text=True)

    response = client.post(
        f"/projects/{project.id}/updates/{news.id}/withdraw",
        data={"reason": "Annoncée par erreur."},
    )

    assert response.status_code == 302
    staff_page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'id="update-{news.id}-withdrawn"' in staff_page
    assert status(client, photo_url) == 200, "staff still see it"
    visitor = app.test_client()
    page = visitor.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Les travaux commencent" not in page
    assert status(visitor, photo_url) == 404
    assert "Les travaux commencent" not in visitor.get("/opendata/feed.atom").get_data(
        as_text=True
    )
    rows = visitor.get("/opendata/project_updates.json").get_json()["rows"]
    assert news.id not in {r["update_id"] for r in rows}
    projects = visitor.get("/opendata/projects.json").get_json()["rows"]
    assert next(r for r in projects if r["project_id"] == project.id)["updates"] == 0


def test_a_photo_without_confirmed_consent_is_shown_to_staff_only(
    db, app, client, login_as, project, staff, news
):
    photo = news.photos[0]
    photo_url = f"/projects/{project.id}/photos/{photo.id}"
    login_as(staff)

    refused = client.post(
        f"/projects/{project.id}/photos/{photo.id}/edit",
        data={"photo_alt": "Le square"},
    )
    assert 'id="photo_consent-error"' in refused.get_data(as_text=True)
    db.session.refresh(photo)
    assert photo.is_consent_confirmed
    # A photo from before the consent was asked (the migration's default).
    photo.is_consent_confirmed = False
    db.session.commit()

    visitor = app.test_client()
    assert status(visitor, photo_url) == 404
    assert photo_url not in visitor.get(f"/projects/{project.id}").get_data(
        as_text=True
    )
    assert status(client, photo_url) == 200
    assert f'id="photo-{photo.id}-hidden"' in client.get(
        f"/projects/{project.id}/updates/{news.id}/edit"
    ).get_data(as_text=True)
    client.post(
        f"/projects/{project.id}/photos/{photo.id}/edit",
        data={"photo_alt": "Le square", "photo_consent": "y"},
    )
    assert status(visitor, photo_url) == 200
    rows = visitor.get("/opendata/project_updates.json").get_json()["rows"]
    assert next(r for r in rows if r["update_id"] == news.id)["photos"] == 1


def test_staff_add_a_photo_later_and_delete_one(
    db, client, login_as, project, staff, news
):
    login_as(staff)
    first = news.photos[0]
    path = upload_path(services.PHOTO_FOLDER, first.name)

    bad = client.post(
        f"/projects/{project.id}/updates/{news.id}/photos/new",
        data={
            "photo": (io.BytesIO(b"not a picture"), "plan.jpg"),
            "photo_alt": "Le plan",
            "photo_consent": "y",
        },
        content_type="multipart/form-data",
    )
    added = client.post(
        f"/projects/{project.id}/updates/{news.id}/photos/new",
        data={
            "photo": (io.BytesIO(png_bytes()), "plan.png"),
            "photo_alt": "Le plan",
            "photo_consent": "y",
        },
        content_type="multipart/form-data",
    )
    removed = client.post(f"/projects/{project.id}/photos/{first.id}/remove")

    assert bad.status_code == 200
    assert 'id="photo-error"' in bad.get_data(as_text=True)
    assert added.status_code == 302
    assert removed.status_code == 302
    assert not path.exists()
    db.session.expire_all()
    assert [p.alt for p in db.session.get(ProjectUpdate, news.id).photos] == ["Le plan"]


def test_the_news_keeps_its_date_when_corrected(db, project, staff, news):
    published = news.published_at

    services.edit_update(
        news, news.title, "Texte corrigé.", staff, now=utcnow() + timedelta(days=2)
    )

    assert news.published_at == published
    assert news.edited_at > published
