"""A fund's help text and règlement in other languages: Arabic readers get the
Arabic when staff gave it, everyone else the French marked as French; the French
stays required and the forms keep what was typed."""

from __future__ import annotations

import pytest

from participation.fph.models import Fund

HELP_AR = "يساعدكم المركز الاجتماعي يوم الثلاثاء."
RULES_AR = "المادة 1. يساعد الصندوق مشاريع السكان."


def _page(client, fund: Fund, language: str) -> str:
    with client.session_transaction() as session:
        session["lang"] = language
    return client.get(f"/fph/funds/{fund.id}").get_data(as_text=True)


def _fund_form(fund: Fund, **values: str) -> dict[str, str]:
    data = {
        "name": fund.name,
        "year": str(fund.year),
        "territory_id": str(fund.territory_id),
        "council_id": str(fund.council_id),
        "envelope": "3000",
        "cap_per_project": "1000",
        "max_share_percent": "80",
        "max_grants_per_group": "2",
        "min_group_adults": "3",
        "deadline_days": "30",
        "is_open": "y",
        "funder_name_0": "État",
        "funder_kind_0": "state",
        "funder_share_0": "100",
    }
    data.update(values)
    return data


@pytest.mark.french
def test_arabic_readers_get_the_arabic_help_and_reglement_others_the_french(
    client, db, fund, staff, login_as
) -> None:
    db.session.commit()
    login_as(staff)
    saved = client.post(
        f"/fph/manage/funds/{fund.id}/edit",
        data=_fund_form(
            fund,
            help_text="Le centre social aide le mardi.",
            help_text_ar=f"  {HELP_AR}  ",
        ),
    )
    assert saved.status_code == 302
    adopted = client.post(
        f"/fph/manage/funds/{fund.id}/reglement",
        data={
            "text": "Article 1. Le fonds aide les projets d'habitants.",
            "text_ar": RULES_AR,
            "adopted_by": "Délibération 12",
            "adopted_on": "2026-11-30",
        },
    )
    assert adopted.status_code == 302
    db.session.refresh(fund)
    assert fund.texts_by_language == {"ar": {"help_text": HELP_AR}}
    assert fund.reglement_in_force.texts_by_language == {"ar": {"text": RULES_AR}}

    arabic = _page(client, fund, "ar")
    assert f'<p dir="auto">{HELP_AR}</p>' in arabic
    assert f'<p dir="auto">{RULES_AR}</p>' in arabic
    assert 'id="reglement-translation"' in arabic
    assert "Le centre social aide le mardi." not in arabic

    english = _page(client, fund, "en")
    assert '<p lang="fr" dir="auto">Le centre social aide le mardi.</p>' in english
    assert (
        '<p lang="fr" dir="auto">Article 1. Le fonds aide les projets'
        " d&#39;habitants.</p>" in english
    )
    assert 'id="reglement-translation"' not in english
    assert HELP_AR not in english

    french = _page(client, fund, "fr")
    assert '<p dir="auto">Le centre social aide le mardi.</p>' in french

    # The edit form shows the stored translation, unfolded.
    with client.session_transaction() as session:
        session["lang"] = "fr"
    edit = client.get(f"/fph/manage/funds/{fund.id}/edit").get_data(as_text=True)
    assert f"{HELP_AR}</textarea>" in edit
    assert 'id="fund-other-languages" open' in edit
    again = client.get(f"/fph/manage/funds/{fund.id}/reglement").get_data(as_text=True)
    assert f"{RULES_AR}</textarea>" in again


def test_a_translation_without_its_french_text_is_refused_and_kept(
    client, db, fund, staff, login_as
) -> None:
    db.session.commit()
    login_as(staff)
    page = client.post(
        f"/fph/manage/funds/{fund.id}/edit",
        data=_fund_form(fund, help_text="", help_text_ar=HELP_AR),
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="help_text-error"' in text
    assert "Write this text in French too" in text
    assert f"{HELP_AR}</textarea>" in text
    db.session.refresh(fund)
    assert fund.texts_by_language is None


def test_the_reglement_needs_its_french_text_even_with_a_translation(
    client, db, fund, staff, login_as
) -> None:
    db.session.commit()
    login_as(staff)
    page = client.post(
        f"/fph/manage/funds/{fund.id}/reglement",
        data={
            "text": "",
            "text_ar": RULES_AR,
            "adopted_by": "Délibération 12",
            "adopted_on": "2026-11-30",
        },
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="text-error"' in text
    assert "Give the text of the règlement." in text
    assert f"{RULES_AR}</textarea>" in text
    db.session.refresh(fund)
    assert fund.reglement_in_force.version == 1
