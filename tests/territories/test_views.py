"""Territory pages: the public QPV list, the admin of territories and themes."""

# ruff: noqa: RUF001 (the names of the QPV take an en dash)

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from core.html import headings_in_order, read
from core.querycount import count_queries

from participation.accounts.states import Role
from participation.core.models import AuditEntry
from participation.territories.models import Commune, Territory, TerritoryKind, Theme

ADMIN_PAGES = [
    "/admin/territories",
    "/admin/communes/new",
    "/admin/territories/new",
    "/admin/themes",
]


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def commune(db, make_commune) -> Commune:
    commune = make_commune(insee_code="11069", name="Carcassonne")
    db.session.commit()
    return commune


# --- Public list ----------------------------------------------------------------


@pytest.mark.french  # numbers are checked in their French form (3 873)
def test_public_page_lists_active_qpv_with_their_population(
    db, client, commune, make_territory
):
    make_territory(commune=commune, code="QN01105M", name="Grazailles", population=949)
    make_territory(commune=commune, code="QN01101M", name="Bastide", population=3873)
    make_territory(commune=commune, code="QN01109M", name="Ancien", is_active=False)
    make_territory(
        commune=commune, kind=TerritoryKind.OUTSIDE, name="Hors QPV", code=None
    )
    db.session.commit()

    response = client.get("/territories")

    html = response.data.decode()
    assert response.status_code == 200
    # Each name links to the neighbourhood's page.
    assert re.findall(
        r'<th scope="row"><a href="/territories/\d+">([^<]+)</a></th>', html
    )[:2] == ["Bastide", "Grazailles"]
    assert "Ancien" not in html
    assert "3\u202f873" in html or "3 873" in html or "3\xa0873" in html
    assert "4\u202f822" in html or "4 822" in html or "4\xa0822" in html  # the total
    assert "Hors QPV" in html
    page = read(response.data)
    assert len(page.h1) == 1
    assert headings_in_order(page)


def test_public_page_does_not_query_per_territory(
    db, client, make_commune, make_territory
):
    def add(n: int) -> None:
        commune = make_commune()
        for _ in range(n):
            make_territory(commune=commune)
        db.session.commit()

    client.application.config["PAGE_CACHE_ENABLED"] = False  # count the rendering
    add(2)
    client.get("/territories")
    with count_queries(db) as few:
        client.get("/territories")
    add(10)
    with count_queries(db) as many:
        client.get("/territories")

    assert len(many) == len(few)


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_open_for_an_administrator(admin, login_as, commune, url):
    response = login_as(admin).get(url)

    assert response.status_code == 200
    page = read(response.data)
    assert len(page.h1) == 1
    assert headings_in_order(page)
    assert (page.inline_scripts, page.style_attributes) == (0, 0)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.STAFF, Role.RELAY])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_refused_to_others(person, login_as, role, url):
    assert login_as(person(role)).get(url).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/territories")

    assert response.status_code == 302
    assert "/signin" in response.location


def test_a_staff_member_cannot_post_a_territory(db, person, login_as, commune):
    client = login_as(person(Role.STAFF))
    before = _count(db, Territory)

    response = client.post(
        "/admin/territories/new",
        data={"commune_id": commune.id, "kind": "qpv", "code": "QN01101M", "name": "X"},
    )

    assert response.status_code == 403
    assert _count(db, Territory) == before


# --- Communes and territories -----------------------------------------------------


def test_admin_adds_a_commune(db, admin, login_as):
    response = login_as(admin).post(
        "/admin/communes/new",
        data={"insee_code": "11069", "name": "Carcassonne", "population": "46000"},
    )

    assert response.status_code == 302
    commune = db.session.scalar(sa.select(Commune))
    assert (commune.insee_code, commune.population) == ("11069", 46000)
    assert db.session.scalar(sa.select(AuditEntry.actor_id)) == admin.id


def test_admin_adds_a_qpv_to_a_commune(db, admin, login_as, commune):
    response = login_as(admin).post(
        "/admin/territories/new",
        data={
            "commune_id": str(commune.id),
            "kind": "qpv",
            "code": "qn01105m",
            "name": "Grazailles",
            "population": "949",
            "is_active": "y",
        },
    )

    assert response.status_code == 302
    territory = db.session.scalar(sa.select(Territory))
    assert (territory.code, territory.name, territory.is_active) == (
        "QN01105M",
        "Grazailles",
        True,
    )


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no error shown next to {field}"
    return match.group(1)


def test_duplicate_code_is_reported_next_to_the_field_and_input_kept(
    db, admin, login_as, commune, make_territory
):
    make_territory(commune=commune, code="QN01101M", name="Bastide")
    db.session.commit()

    response = login_as(admin).post(
        "/admin/territories/new",
        data={
            "commune_id": commune.id,
            "kind": "qpv",
            "code": "QN01101M",
            "name": "Nouveau quartier",
            "population": "1200",
        },
    )

    html = response.data.decode()
    assert response.status_code == 200
    assert "Bastide" in _field_error(html, "code")
    assert 'value="Nouveau quartier"' in html
    assert 'value="1200"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#code"' in html  # the error summary links to the field
    assert _count(db, Territory) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "XX123"}, "code"),
        ({"code": ""}, "code"),
        ({"kind": "outside", "code": "QN01102M"}, "code"),
        ({"population": "beaucoup"}, "population"),
        ({"population": "-5"}, "population"),
        ({"name": ""}, "name"),
        ({"name": "N" * 200}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"commune_id": "abc"}, "commune_id"),
    ],
)
def test_bad_input_is_reported_by_the_field(db, admin, login_as, commune, data, field):
    values = {
        "commune_id": commune.id,
        "kind": "qpv",
        "code": "QN01102M",
        "name": "La Conte",
        "population": "2525",
    } | data

    response = login_as(admin).post("/admin/territories/new", data=values)

    assert response.status_code == 200
    assert _field_error(response.data.decode(), field)
    assert _count(db, Territory) == 0


def test_html_typed_in_a_name_is_shown_as_text(db, admin, login_as, commune):
    client = login_as(admin)

    client.post(
        "/admin/territories/new",
        data={
            "commune_id": commune.id,
            "kind": "outside",
            "name": "<script>alert(1)</script>",
        },
    )
    html = client.get("/admin/territories").data.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_duplicate_insee_code_is_reported_by_the_field(db, admin, login_as, commune):
    response = login_as(admin).post(
        "/admin/communes/new", data={"insee_code": "11069", "name": "Doublon"}
    )

    assert "Carcassonne" in _field_error(response.data.decode(), "insee_code")
    assert _count(db, Commune) == 1


def test_editing_a_territory_can_deactivate_it(
    db, admin, login_as, commune, make_territory
):
    territory = make_territory(commune=commune, code="QN01103M", name="Le Viguier")
    db.session.commit()
    client = login_as(admin)

    form = client.get(f"/admin/territories/{territory.id}/edit").data.decode()
    response = client.post(
        f"/admin/territories/{territory.id}/edit",
        data={
            "commune_id": commune.id,
            "kind": "qpv",
            "code": "QN01103M",
            "name": "Le Viguier – Saint-Jacques",
            "population": "1757",
        },
    )

    assert 'value="Le Viguier"' in form
    assert 'value="QN01103M"' in form
    assert response.status_code == 302
    db.session.refresh(territory)
    assert (territory.name, territory.is_active) == (
        "Le Viguier – Saint-Jacques",
        False,
    )
    assert (
        f'id="territory-{territory.id}"' not in client.get("/territories").data.decode()
    )


def test_unknown_territory_gives_404(admin, login_as):
    assert login_as(admin).get("/admin/territories/999/edit").status_code == 404


# --- Themes ---------------------------------------------------------------------


def test_admin_adds_renames_moves_and_deactivates_themes(db, admin, login_as):
    client = login_as(admin)

    client.post("/admin/themes/defaults")
    client.post("/admin/themes", data={"name": "Numérique"})
    numerique = db.session.scalar(sa.select(Theme).where(Theme.name == "Numérique"))
    client.post(f"/admin/themes/{numerique.id}/move/up")
    client.post(
        f"/admin/themes/{numerique.id}/edit", data={"name": "Inclusion numérique"}
    )
    client.post(f"/admin/themes/{numerique.id}/deactivate")

    db.session.expire_all()
    themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.position)))
    assert len(themes) == 12
    assert themes[-2].id == numerique.id  # moved above the last default theme
    assert (numerique.name, numerique.is_active) == ("Inclusion numérique", False)
    page = client.get("/admin/themes").data.decode()
    assert "Inclusion numérique" in page
    assert "Offer again" in page
    actions = list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )
    assert actions == [
        "theme.defaults",
        "theme.create",
        "theme.move",
        "theme.rename",
        "theme.deactivate",
    ]


def test_duplicate_theme_name_is_reported_by_the_field(db, admin, login_as, make_theme):
    make_theme(name="Sport")
    db.session.commit()

    response = login_as(admin).post("/admin/themes", data={"name": "sport"})

    assert _field_error(response.data.decode(), "name")
    assert _count(db, Theme) == 1


def test_default_themes_are_shown_in_the_visitor_language(db, admin, login_as):
    client = login_as(admin)
    client.post("/admin/themes/defaults")

    client.post("/language", data={"language": "en"})
    english = client.get("/admin/themes").data.decode()

    assert "Equality between women and men" in english


def test_theme_actions_are_refused_to_staff(db, person, login_as, make_theme):
    theme = make_theme()
    db.session.commit()
    client = login_as(person(Role.STAFF))

    responses = [
        client.post(f"/admin/themes/{theme.id}/deactivate"),
        client.post(f"/admin/themes/{theme.id}/move/down"),
        client.post("/admin/themes/defaults"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    db.session.refresh(theme)
    assert theme.is_active is True
    assert _count(db, Theme) == 1
