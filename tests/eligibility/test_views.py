"""Grid pages: staff only, errors by the field, versioning through the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.core.actors import SYSTEM
from participation.core.models import AuditEntry
from participation.eligibility import services
from participation.eligibility.models import Grid


@pytest.fixture
def grid(db):
    grid = services.create_default_grid(actor=SYSTEM)
    db.session.commit()
    return grid


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.REVIEWER, Role.RELAY])
def test_grid_pages_are_for_staff_only(db, client, login_as, make_user, grid, role):
    login_as(make_user(roles=(role,)))

    assert client.get("/grids/").status_code == 403
    assert client.get(f"/grids/{grid.id}").status_code == 403
    post = client.post(f"/grids/{grid.id}/criteria/in_qpv/delete")
    assert post.status_code == 403
    db.session.expire_all()
    assert grid.latest_version.criterion("in_qpv") is not None


def test_staff_list_and_read_grids(client, login_as, staff, grid):
    login_as(staff)

    listing = client.get("/grids/")
    detail = client.get(f"/grids/{grid.id}")

    assert listing.status_code == detail.status_code == 200
    assert b"Participatory budget grid" in listing.data
    # Public labels, the threshold and the highest score are on the version page.
    assert b"The place can be used and its manager agrees" in detail.data
    assert b"criterion-social_link" in detail.data
    assert b"18" in detail.data


def test_staff_create_a_grid_then_add_a_criterion(db, client, login_as, staff):
    login_as(staff)

    created = client.post(
        "/grids/new", data={"name": "Grille FPH", "threshold": "4,5", "description": ""}
    )
    grid = db.session.scalar(sa.select(Grid).where(Grid.name == "Grille FPH"))
    added = client.post(
        f"/grids/{grid.id}/criteria/new",
        data={"code": "utile", "kind": "scored", "label": "Utile", "weight": "1,5"},
    )

    assert created.status_code == added.status_code == 302
    db.session.expire_all()
    version = grid.latest_version
    assert version.threshold == Decimal("4.5")
    assert version.criterion("utile").weight == Decimal("1.5")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "x", "kind": "scored", "label": "X", "weight": ""}, "weight"),
        ({"code": "x", "kind": "scored", "label": "X", "weight": "-1"}, "weight"),
        ({"code": "x", "kind": "scored", "label": "X", "weight": "beaucoup"}, "weight"),
        ({"code": "Bad code", "kind": "mandatory", "label": "X"}, "code"),
        ({"code": "in_qpv", "kind": "mandatory", "label": "X"}, "code"),
        ({"code": "x", "kind": "mandatory", "label": ""}, "label"),
    ],
)
def test_bad_criterion_input_is_shown_next_to_the_field(
    db, client, login_as, staff, grid, data, field
):
    page = login_as(staff).post(f"/grids/{grid.id}/criteria/new", data=data)

    assert page.status_code == 200
    assert f'id="{field}-error"'.encode() in page.data
    db.session.expire_all()
    assert len(grid.latest_version.criteria) == 13


def test_bad_threshold_is_shown_next_to_the_field_and_the_name_kept(
    client, login_as, staff
):
    page = login_as(staff).post(
        "/grids/new", data={"name": "Grille à garder", "threshold": "-3"}
    )

    assert page.status_code == 200
    assert b'id="threshold-error"' in page.data
    assert "Grille à garder".encode() in page.data


def test_editing_a_frozen_grid_through_the_pages_makes_a_new_version(
    db, client, login_as, staff, grid
):
    services.freeze_version(grid.latest_version, actor=SYSTEM, reason="test")
    db.session.commit()
    login_as(staff)

    client.post(
        f"/grids/{grid.id}/criteria/social_link/edit",
        data={"kind": "scored", "label": "Ça crée du lien", "weight": "3"},
    )
    client.post(f"/grids/{grid.id}/criteria/links/move/up")

    db.session.expire_all()
    assert [v.number for v in grid.versions] == [1, 2]
    old, new = grid.versions
    assert old.criterion("social_link").weight == Decimal(2)
    assert new.criterion("social_link").weight == Decimal(3)
    assert new.criterion("social_link").label == "Ça crée du lien"
    assert [c.code for c in new.criteria][-2:] == ["links", "sustainability"]
    assert client.get(f"/grids/{grid.id}/versions/1").status_code == 200
    assert client.get(f"/grids/{grid.id}/versions/9").status_code == 404


def test_saving_a_default_label_unchanged_keeps_it_translatable(
    db, client, login_as, staff, grid
):
    login_as(staff)
    form = client.get(f"/grids/{grid.id}/criteria/in_qpv/edit")
    assert form.status_code == 200

    client.post(
        f"/grids/{grid.id}/criteria/in_qpv/edit",
        data={
            "kind": "mandatory",
            "label": "It is in the neighbourhood, or mainly for its residents",
            "help_text": "Changed help.",
        },
    )

    db.session.expire_all()
    criterion = grid.latest_version.criterion("in_qpv")
    assert criterion.label == "It is in the neighbourhood, or mainly for its residents"
    assert criterion.help_text == "Changed help."


def test_copy_a_grid(db, client, login_as, staff, grid):
    page = login_as(staff).post(
        f"/grids/{grid.id}/versions/1/copy", data={"name": "Grille 2027"}
    )

    assert page.status_code == 302
    copy = db.session.scalar(sa.select(Grid).where(Grid.name == "Grille 2027"))
    assert len(copy.latest_version.criteria) == 13
    assert copy.copied_from_id == grid.id


def test_removing_a_criterion_is_audited(db, client, login_as, staff, grid):
    page = login_as(staff).post(f"/grids/{grid.id}/criteria/links/delete")

    assert page.status_code == 302
    action = db.session.scalar(
        sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)
    )
    assert action == "grid.criterion_remove"


def test_unknown_criterion_gives_404(client, login_as, staff, grid):
    login_as(staff)

    assert client.get(f"/grids/{grid.id}/criteria/nope/edit").status_code == 404
    assert client.post(f"/grids/{grid.id}/criteria/nope/delete").status_code == 404
