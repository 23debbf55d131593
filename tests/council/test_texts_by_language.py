"""A council's presentation in other languages: readers of that language get it,
everyone else the French, marked as French; the French stays required and the
form keeps what was typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.council.models import AgendaItem, Council

PRESENTATION_AR = "يجمع المجلس سكان الحي وجمعياته."


def _form(territory_id: int, **values: str) -> dict[str, str]:
    data = {
        "name": "CC Viguier",
        "scope": "qpv",
        "territory_id": str(territory_id),
        "resident_seats": "10",
        "local_actor_seats": "6",
        "min_residents_share": "50",
        "name_display": "pseudonym",
    }
    data.update(values)
    return data


def _presentation(client, council: Council, language: str) -> str:
    with client.session_transaction() as session:
        session["lang"] = language
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    start = page.index('id="council-presentation"')
    return page[start : page.index("</p>", start)]


@pytest.mark.french
def test_arabic_readers_get_the_arabic_presentation_others_the_french(
    db, client, login_as, staff, make_territory
):
    territory = make_territory()
    login_as(staff)
    created = client.post(
        "/councils/new",
        data=_form(
            territory.id,
            description="Le conseil réunit les habitants du quartier.",
            description_ar=PRESENTATION_AR,
        ),
    )
    assert created.status_code == 302
    council = db.session.scalars(sa.select(Council)).one()
    assert council.texts_by_language == {"ar": {"description": PRESENTATION_AR}}

    arabic = _presentation(client, council, "ar")
    assert arabic.endswith(f'dir="auto">{PRESENTATION_AR}')
    assert 'lang="fr"' not in arabic
    english = _presentation(client, council, "en")
    assert english.endswith(
        'lang="fr" dir="auto">Le conseil réunit les habitants du quartier.'
    )

    with client.session_transaction() as session:
        session["lang"] = "fr"
    edit = client.get(f"/councils/{council.id}/edit").get_data(as_text=True)
    assert f"{PRESENTATION_AR}</textarea>" in edit


def test_a_presentation_in_arabic_only_is_refused_and_kept(
    db, client, login_as, staff, make_territory
):
    territory = make_territory()
    login_as(staff)
    page = client.post(
        "/councils/new", data=_form(territory.id, description_ar=PRESENTATION_AR)
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="description-error"' in text
    assert f"{PRESENTATION_AR}</textarea>" in text
    assert 'value="CC Viguier"' in text
    assert db.session.scalar(sa.select(sa.func.count(Council.id))) == 0


# ------------------------------------------------------------ agenda items

ITEM_TITLE_AR = "حديقة مشتركة في الحي"
ITEM_DETAILS_AR = "عرض المشروع ومناقشته."


def _agenda_item(client, meeting_id: int, language: str) -> str:
    page = client.get(f"/councils/meetings/{meeting_id}?lang={language}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    start = text.index('<ol class="agenda"')
    return text[start : text.index("</ol>", start)]


@pytest.mark.french
def test_an_agenda_item_is_read_in_arabic_by_arabic_readers(
    db, client, login_as, staff, council, make_meeting, convene
):
    meeting = make_meeting(council, items=())
    login_as(staff)
    added = client.post(
        f"/councils/meetings/{meeting.id}/items/new",
        data={
            "kind": "information",
            "title": "Jardin partagé du quartier",
            "title_ar": ITEM_TITLE_AR,
            "description": "Présentation du projet et échange.",
            "description_ar": ITEM_DETAILS_AR,
            "is_public": "y",
        },
    )
    assert added.status_code == 302
    item = db.session.scalars(sa.select(AgendaItem)).one()
    assert item.texts_by_language == {
        "ar": {"title": ITEM_TITLE_AR, "description": ITEM_DETAILS_AR}
    }
    convene(meeting)

    arabic = _agenda_item(client, meeting.id, "ar")
    assert f'<strong class="item-title" dir="auto">{ITEM_TITLE_AR}</strong>' in arabic
    assert f'dir="auto">{ITEM_DETAILS_AR}</p>' in arabic
    assert "Jardin partagé" not in arabic
    english = _agenda_item(client, meeting.id, "en")
    assert 'lang="fr" dir="auto">Jardin partagé du quartier</strong>' in english
    assert ITEM_TITLE_AR not in english
    french = _agenda_item(client, meeting.id, "fr")
    assert ">Jardin partagé du quartier</strong>" in french
    assert 'lang="fr"' not in french


def test_details_in_arabic_only_are_refused_by_the_service_and_kept(
    db, client, login_as, staff, council, make_meeting
):
    """The title is given, the details only in Arabic: the form lets it through
    (the French details are optional), the service refuses it on the French field."""
    meeting = make_meeting(council, items=())
    login_as(staff)
    page = client.post(
        f"/councils/meetings/{meeting.id}/items/new",
        data={
            "kind": "information",
            "title": "Jardin partagé du quartier",
            "title_ar": ITEM_TITLE_AR,
            "description": "",
            "description_ar": ITEM_DETAILS_AR,
        },
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="description-error"' in text
    assert "Write this text in French too" in text
    assert 'value="Jardin partagé du quartier"' in text
    assert f'value="{ITEM_TITLE_AR}"' in text
    assert f"{ITEM_DETAILS_AR}</textarea>" in text
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0
