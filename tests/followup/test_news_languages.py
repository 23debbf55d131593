"""Project news in other languages: staff may give the title and the news in
English and Arabic; readers of that language get them, everyone else the French,
marked as French. The French stays required; the forms keep what was typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.followup.models import ProjectUpdate

TITLE_AR = "بدأت الأشغال"
BODY_AR = "تصل الشركة يوم الاثنين."


def _news_section(client, project, language: str) -> str:
    with client.session_transaction() as session:
        session["lang"] = language
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    start = page.index('id="updates"')
    return page[start : page.index("</section>", start)]


@pytest.mark.french
def test_arabic_readers_get_the_arabic_news_others_the_french_marked(
    db, client, login_as, project, staff
):
    login_as(staff)
    response = client.post(
        f"/projects/{project.id}/updates/new",
        data={
            "title": "Les travaux commencent",
            "body": "L'entreprise arrive lundi.",
            "title_ar": TITLE_AR,
            "body_ar": f" {BODY_AR} ",
            "title_en": "  ",
        },
    )
    assert response.status_code == 302
    update = db.session.scalars(sa.select(ProjectUpdate)).one()
    assert update.texts_by_language == {"ar": {"title": TITLE_AR, "body": BODY_AR}}

    arabic = _news_section(client, project, "ar")
    assert f'-title" dir="auto">{TITLE_AR}</h3>' in arabic
    assert f'<div class="idea-description" dir="auto"><p>{BODY_AR}</p>' in arabic
    assert "Les travaux commencent" not in arabic

    english = _news_section(client, project, "en")
    assert '-title" lang="fr" dir="auto">Les travaux commencent</h3>' in english
    assert (
        '<div class="idea-description" lang="fr" dir="auto">'
        "<p>L&#39;entreprise arrive lundi.</p>" in english
    )
    assert BODY_AR not in english


@pytest.mark.french
def test_a_correction_changes_the_translations_and_the_form_shows_them(
    db, client, login_as, project, staff
):
    login_as(staff)
    client.post(
        f"/projects/{project.id}/updates/new",
        data={"title": "Les travaux", "body": "Ils commencent.", "body_ar": BODY_AR},
    )
    update = db.session.scalars(sa.select(ProjectUpdate)).one()
    url = f"/projects/{project.id}/updates/{update.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert f"{BODY_AR}</textarea>" in form
    assert 'id="update-other-languages" open' in form

    saved = client.post(
        url,
        data={"title": "Les travaux", "body": "Ils commencent.", "title_ar": TITLE_AR},
    )
    assert saved.status_code == 302
    db.session.refresh(update)
    # The Arabic news was emptied: only the Arabic title is left.
    assert update.texts_by_language == {"ar": {"title": TITLE_AR}}
    assert update.edited_at is not None


def test_news_in_arabic_only_is_refused_and_what_was_typed_is_kept(
    db, client, login_as, project, staff
):
    login_as(staff)
    page = client.post(
        f"/projects/{project.id}/updates/new",
        data={"title": "Les travaux", "body": "", "body_ar": BODY_AR},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="body-error"' in text
    assert 'value="Les travaux"' in text
    assert f"{BODY_AR}</textarea>" in text
    assert 'id="update-other-languages" open' in text
    assert db.session.scalar(sa.select(sa.func.count(ProjectUpdate.id))) == 0


@pytest.mark.french
def test_followers_get_the_news_in_their_language_when_given(db, project, staff):
    from participation.core.models import OutboxMessage
    from participation.followup import follows, services

    tokens: list[str] = []

    def link(token: str) -> str:
        tokens.append(token)
        return f"https://example.test/follows/confirm/{token}"

    for address, language in (("ar@suivi.test", "ar"), ("fr@suivi.test", "fr")):
        follows.request_follow_by_email(project, address, language, link)
        follows.confirm_follow(tokens[-1])

    services.publish_update(
        project,
        services.UpdateData(
            title="Les travaux commencent",
            body="L'entreprise arrive lundi.",
            texts_by_language={"ar": {"title": TITLE_AR, "body": BODY_AR}},
        ),
        staff,
    )

    def news_to(address: str) -> OutboxMessage:
        return db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.id.desc())
        ).first()

    arabic, french = news_to("ar@suivi.test"), news_to("fr@suivi.test")
    assert TITLE_AR in arabic.subject
    assert BODY_AR in arabic.body_text
    assert "L'entreprise arrive lundi." not in arabic.body_text
    assert "Les travaux commencent" in french.subject
    assert "L'entreprise arrive lundi." in french.body_text
    assert BODY_AR not in french.body_text
