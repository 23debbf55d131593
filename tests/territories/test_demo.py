"""Demo data: Carcassonne Agglomération's commune, five QPV, "hors QPV" and themes."""

# ruff: noqa: RUF001 (the names of the QPV take an en dash)

from __future__ import annotations

import sqlalchemy as sa

from participation.core import audit
from participation.demo import load_demo
from participation.territories import demo
from participation.territories.models import (
    DEFAULT_THEMES,
    Commune,
    Territory,
    TerritoryKind,
    Theme,
)


def test_demo_loads_carcassonne_and_its_five_qpv(db):
    demo.load()
    db.session.commit()

    commune = db.session.scalar(sa.select(Commune))
    territories = list(db.session.scalars(sa.select(Territory)))
    qpv = {t.name: t for t in territories if t.kind is TerritoryKind.QPV}
    assert (commune.insee_code, commune.name) == ("11069", "Carcassonne")
    assert 45_000 <= commune.population <= 47_000
    assert {name: t.population for name, t in qpv.items()} == {
        "Bastide – Pont-Vieux": 3873,
        "La Conte – Ozanam": 2525,
        "Le Viguier – Saint-Jacques": 1757,
        "Fleming – La Reille": 1159,
        "Grazailles": 949,
    }
    assert sum(t.population for t in qpv.values()) == 10_263
    assert all(t.code.startswith("QN011") for t in qpv.values())
    assert [t.name for t in territories if t.kind is TerritoryKind.OUTSIDE] == [
        "Hors QPV"
    ]
    assert {t.code for t in db.session.scalars(sa.select(Theme))} == set(DEFAULT_THEMES)
    assert list(audit.verify()) == []


def test_loading_the_demo_twice_changes_nothing(db):
    demo.load()
    db.session.commit()
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Commune, Territory, Theme)
    ]

    demo.load()
    db.session.commit()

    assert [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Commune, Territory, Theme)
    ] == counts


def test_the_site_demo_sees_carcassonne_as_already_loaded(db):
    demo.load()
    db.session.commit()

    assert load_demo() is False
