"""The site frame: landmarks, headings, language switcher, footer, frame pages."""

from __future__ import annotations

from collections import Counter

import pytest

from participation.accounts.states import Role

from .html import headings_in_order, read

FRAME_PAGES = ["/", "/accessibility", "/legal", "/personal-data", "/territories"]


@pytest.mark.parametrize("url", FRAME_PAGES)
def test_frame_page_is_well_formed(client, url):
    response = client.get(url)

    assert response.status_code == 200
    page = read(response.data)
    assert len(page.h1) == 1
    assert headings_in_order(page)
    assert page.html_attrs == {"lang": "en", "dir": "ltr"}  # tests run in English
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicates == []
    assert page.links[0] == ("#main", "Skip to main content")
    assert "main" in page.ids
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in page.landmarks
    # The CSP forbids inline code: a page using it would break in browsers.
    assert (page.inline_scripts, page.style_attributes, page.style_elements) == (
        0,
        0,
        0,
    )


@pytest.mark.parametrize("url", FRAME_PAGES)
def test_footer_links_to_the_accessibility_statement(client, url):
    page = read(client.get(url).data)

    assert ("/accessibility", "Accessibility: partially compliant") in page.links
    assert ("/legal", "Legal notice") in page.links
    assert ("/personal-data", "Personal data") in page.links


def test_language_switcher_is_one_link_per_language_without_a_token(client):
    """Links, not a form: a visitor's page carries no per-session CSRF token and is
    the same for everyone (issue 14: cacheable)."""
    html = client.get("/legal").data.decode()
    page = read(html)

    assert not [f for f in page.forms if f.get("class") == "lang-switch"]
    assert '<nav class="lang-switch" aria-label="Language">' in html
    for code in ("fr", "en", "ar"):
        assert f'href="/legal?lang={code}" lang="{code}" hreflang="{code}"' in html
    assert "csrf_token" not in html


@pytest.mark.parametrize(
    ("code", "direction"), [("ar", "rtl"), ("en", "ltr"), ("fr", "ltr")]
)
@pytest.mark.parametrize("url", FRAME_PAGES)
def test_switching_language_sets_lang_and_direction(client, url, code, direction):
    if code == "fr":  # coming back to French from Arabic
        client.post("/language", data={"language": "ar"})

    posted = client.post("/language", data={"language": code, "next": url})
    page = read(client.get(url).data)

    assert posted.status_code == 302
    assert posted.location == url
    assert page.html_attrs == {"lang": code, "dir": direction}
    assert len(page.h1) == 1


def test_the_address_form_of_the_switcher_still_works(client):
    response = client.post("/language/ar", data={"next": "/"})

    assert response.status_code == 302
    assert b'dir="rtl"' in client.get("/").data


def test_current_language_is_marked(client):
    client.post("/language", data={"language": "ar"})

    html = client.get("/").data.decode()

    assert 'lang="ar" hreflang="ar" aria-current="true" class="current"' in html
    assert 'lang="fr" hreflang="fr">' in html


def test_a_language_link_changes_the_language_and_keeps_it_in_links(client):
    html = client.get("/legal?lang=ar").data.decode()

    assert 'dir="rtl"' in html
    assert 'lang="ar" hreflang="ar" aria-current="true" class="current"' in html
    assert 'href="/accessibility?lang=ar"' in html


def test_signed_in_person_keeps_the_language_in_their_profile(db, person, login_as):
    resident = person(Role.RESIDENT)
    client = login_as(resident)

    client.post("/language", data={"language": "ar", "next": "/"})

    db.session.refresh(resident)
    assert resident.locale == "ar"


def test_home_page_presents_the_three_instruments(client):
    page = read(client.get("/").data)

    assert {"instrument-budget", "instrument-fund", "instrument-council"} <= set(
        page.ids
    )
    assert [text for level, text in page.headings if level == 3] == [
        "Participatory budget",
        "Residents' fund (FPH)",
        "Citizens' council",
    ]


@pytest.fixture
def site_settings(app_config):
    app_config.update(
        ORGANISATION_NAME="Ville d'Exemple",
        DPO_CONTACT="dpo@exemple.test",
        HOSTING_PROVIDER="Hébergeur Exemple SAS",
        CONTACT_EMAIL="contact@exemple.test",
        SOURCE_CODE_URL="https://code.exemple.test/participation",
    )


def test_legal_notice_names_publisher_host_and_source(site_settings, client):
    html = client.get("/legal").data.decode()

    assert "Ville d&#39;Exemple" in html
    assert "Hébergeur Exemple SAS" in html
    assert 'href="https://code.exemple.test/participation"' in html
    assert "AGPL-3.0-or-later" in html


def test_personal_data_page_gives_the_dpo_contact_and_the_rights(site_settings, client):
    page = read(client.get("/personal-data").data)
    html = client.get("/personal-data").data.decode()

    assert "dpo@exemple.test" in html
    assert "https://www.cnil.fr/fr/plaintes" in html
    heading_ids = {
        "controller",
        "purposes",
        "legal-basis",
        "data",
        "retention",
        "rights",
    }
    assert heading_ids <= set(page.ids)


def test_missing_settings_are_shown_as_to_be_completed(client):
    html = client.get("/legal").data.decode()

    assert "to be completed by the collectivité" in html


def test_accessibility_statement_has_the_required_sections(client):
    page = read(client.get("/accessibility").data)
    html = client.get("/accessibility").data.decode()

    assert {"status", "results", "gaps", "preparation", "contact", "remedies"} <= set(
        page.ids
    )
    assert "RGAA" in html
    assert "4.1" in html
    assert "Défenseur des droits" in html
    assert "Libre réponse 71120" in html
