"""Territory and theme services: validation, permissions, uniqueness, audit entries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts.states import Role
from participation.core import audit
from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, DomainError, PermissionDenied
from participation.core.models import AuditEntry
from participation.territories import queries, rules, services
from participation.territories.models import (
    DEFAULT_THEMES,
    Territory,
    TerritoryKind,
    Theme,
)
from participation.territories.services import CommuneData, TerritoryData


def _qpv(commune_id: int, code: str = "QN01101M", name: str = "Grazailles", **values):
    return TerritoryData(
        commune_id=commune_id, kind=TerritoryKind.QPV, code=code, name=name, **values
    )


def _actions(db) -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id))
    )


@pytest.mark.parametrize(
    "code",
    ["QN01101M", "QP011001", "QP02A001", "QN9710001", "qn 011 01 m", "QN-01101-M"],
)
def test_official_qpv_codes_are_accepted(code):
    assert rules.is_valid_qpv_code(rules.normalise_qpv_code(code))


@pytest.mark.parametrize(
    "code", ["", "QX01101M", "01101M", "QN0", "QN01101MM", "QNAB101M", "QN011<b>M"]
)
def test_malformed_qpv_codes_are_refused(code):
    assert not rules.is_valid_qpv_code(rules.normalise_qpv_code(code))


def test_admin_creates_a_commune_and_its_qpv_with_an_audit_trail(db, make_user):
    admin = make_user(roles=(Role.ADMIN,))

    commune = services.create_commune(
        admin,
        CommuneData(insee_code=" 11069 ", name="  Carcassonne ", population=46000),
    )
    qpv = services.create_territory(
        admin, _qpv(commune.id, code="qn 01101 m", population=949)
    )

    assert (commune.insee_code, commune.name) == ("11069", "Carcassonne")
    assert (qpv.code, qpv.kind, qpv.population) == ("QN01101M", TerritoryKind.QPV, 949)
    assert _actions(db) == ["commune.create", "territory.create"]
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.actor_id, entry.object_id) == (admin.id, str(qpv.id))
    assert list(audit.verify()) == []


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.RELAY, Role.REVIEWER, Role.STAFF])
def test_only_administrators_manage_territories(db, make_user, make_commune, role):
    someone = make_user(roles=(role,))
    commune = make_commune()

    with pytest.raises(PermissionDenied):
        services.create_commune(someone, CommuneData(insee_code="11001", name="X"))
    with pytest.raises(PermissionDenied):
        services.create_territory(someone, _qpv(commune.id))
    with pytest.raises(PermissionDenied):
        services.create_theme(someone, "Sport")
    assert _actions(db) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CommuneData(insee_code="1106", name="X"), "insee_code"),
        (CommuneData(insee_code="ABCDE", name="X"), "insee_code"),
        (CommuneData(insee_code="11069", name="   "), "name"),
        (CommuneData(insee_code="11069", name="X" * 121), "name"),
        (CommuneData(insee_code="11069", name="X", population=-1), "population"),
    ],
)
def test_bad_commune_data_is_refused_by_the_field(db, data, field):
    with pytest.raises(DomainError) as raised:
        services.create_commune(SYSTEM, data)

    assert raised.value.field == field


def test_duplicate_insee_code_is_a_conflict_on_that_field(db, make_commune):
    make_commune(insee_code="11069", name="Carcassonne")

    with pytest.raises(Conflict) as raised:
        services.create_commune(SYSTEM, CommuneData(insee_code="11069", name="Autre"))

    assert raised.value.field == "insee_code"
    assert "Carcassonne" in str(raised.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "NOTACODE"}, "code"),
        ({"kind": TerritoryKind.OUTSIDE, "code": "QN01101M"}, "code"),
        ({"population": 10_000_000}, "population"),
        ({"commune_id": 999_999}, "commune_id"),
    ],
)
def test_bad_territory_data_is_refused_by_the_field(db, make_commune, changes, field):
    commune = make_commune()
    values = {
        "commune_id": commune.id,
        "kind": TerritoryKind.QPV,
        "code": "QN01101M",
        "name": "Grazailles",
    } | changes

    with pytest.raises(DomainError) as raised:
        services.create_territory(SYSTEM, TerritoryData(**values))

    assert raised.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Territory)) == 0


def test_duplicate_qpv_code_is_a_conflict_on_the_code(db, make_commune):
    commune = make_commune()
    services.create_territory(SYSTEM, _qpv(commune.id, code="QN01101M", name="A"))

    with pytest.raises(Conflict) as raised:
        services.create_territory(SYSTEM, _qpv(commune.id, code="QN01101M", name="B"))

    assert raised.value.field == "code"


def test_duplicate_name_in_a_commune_is_a_conflict_on_the_name(db, make_commune):
    commune = make_commune()
    services.create_territory(
        SYSTEM, _qpv(commune.id, code="QN01101M", name="La Conte")
    )

    with pytest.raises(Conflict) as raised:
        services.create_territory(
            SYSTEM, _qpv(commune.id, code="QN01102M", name="la conte")
        )

    assert raised.value.field == "name"


def test_hors_qpv_territory_has_no_code(db, make_commune):
    commune = make_commune()

    outside = services.create_territory(
        SYSTEM,
        TerritoryData(
            commune_id=commune.id, kind=TerritoryKind.OUTSIDE, name="Hors QPV"
        ),
    )

    assert (outside.kind, outside.code) == (TerritoryKind.OUTSIDE, None)


def test_update_records_only_what_changed(db, make_commune):
    commune = make_commune()
    qpv = services.create_territory(SYSTEM, _qpv(commune.id, population=900))

    services.update_territory(
        SYSTEM, qpv, _qpv(commune.id, population=949, is_active=False)
    )
    services.update_territory(
        SYSTEM, qpv, _qpv(commune.id, population=949, is_active=False)
    )

    entries = list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "territory.update")
        )
    )
    assert len(entries) == 1
    assert (
        entries[0].details
        == '{"changes":{"is_active":[true,false],"population":[900,949]}}'
    )
    assert (qpv.population, qpv.is_active) == (949, False)


def test_a_territory_keeps_its_own_code_when_edited(db, make_commune):
    commune = make_commune()
    qpv = services.create_territory(SYSTEM, _qpv(commune.id))

    services.update_territory(SYSTEM, qpv, _qpv(commune.id, name="Grazailles Nord"))

    assert qpv.name == "Grazailles Nord"


# --- Themes ---------------------------------------------------------------------


def test_default_themes_are_added_once_in_order(db):
    added = services.ensure_default_themes(SYSTEM)
    again = services.ensure_default_themes(SYSTEM)

    themes = queries.ordered_themes()
    assert (added, again) == (len(DEFAULT_THEMES), 0)
    assert [t.code for t in themes] == list(DEFAULT_THEMES)
    assert [t.label for t in themes] == [
        str(label) for label in DEFAULT_THEMES.values()
    ]
    assert _actions(db) == ["theme.defaults"]


def test_new_theme_gets_a_unique_code_and_goes_last(db, make_theme):
    make_theme(code="sport", name="Sport ancien", position=5)

    theme = services.create_theme(SYSTEM, "  Sport  ")

    assert (theme.code, theme.name, theme.position) == ("sport_2", "Sport", 6)


def test_theme_names_are_unique_whatever_the_case(db, make_theme):
    make_theme(name="Mobilité")

    with pytest.raises(Conflict) as raised:
        services.create_theme(SYSTEM, "mobilité")

    assert raised.value.field == "name"


def test_renaming_a_default_theme_replaces_its_translated_label(db):
    services.ensure_default_themes(SYSTEM)
    health = db.session.scalar(sa.select(Theme).where(Theme.code == "health"))

    services.rename_theme(SYSTEM, health, "Santé et accès aux soins")
    renamed_label = health.label
    services.rename_theme(SYSTEM, health, str(DEFAULT_THEMES["health"]))

    assert renamed_label == "Santé et accès aux soins"
    assert health.has_custom_name is False
    assert health.label == str(DEFAULT_THEMES["health"])
    assert _actions(db)[-2:] == ["theme.rename", "theme.rename"]


def test_moving_themes_swaps_neighbours_and_stops_at_the_ends(db, make_theme):
    first, second, third = (
        make_theme(position=1),
        make_theme(position=1),
        make_theme(position=7),
    )

    moved_down = services.move_theme(SYSTEM, first, "down")
    blocked = services.move_theme(SYSTEM, third, "down")
    moved_up = services.move_theme(SYSTEM, third, "up")

    assert (moved_down, blocked, moved_up) == (True, False, True)
    assert [t.id for t in queries.ordered_themes()] == [second.id, third.id, first.id]
    assert [t.position for t in queries.ordered_themes()] == [1, 2, 3]


def test_deactivated_theme_is_no_longer_offered(db, make_theme):
    kept, dropped = make_theme(), make_theme()

    services.set_theme_active(SYSTEM, dropped, False)

    assert queries.ordered_themes(active_only=True) == [kept]
    assert _actions(db) == ["theme.deactivate"]
