"""A council's presentation in other languages: readers of that language get it,
everyone else the French, marked as French; the French stays required and the
form keeps what was typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.council.models import Council

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
