"""Demo data of the territories feature: Carcassonne Agglomération and its five QPV."""

from __future__ import annotations

import sqlalchemy as sa

from ..core.actors import SYSTEM
from ..extensions import db
from . import services
from .models import Commune, Territory, TerritoryKind

#: Carcassonne (INSEE 11069); population rounded (about 46,000 residents).
#: participation.demo looks for this INSEE code to know whether the demo is loaded.
CARCASSONNE = services.CommuneData(
    insee_code="11069", name="Carcassonne", population=46_000
)

#: The five QPV of Carcassonne with their 2018 populations (PRODUCT.md §10).
#: The codes have the shape of the 2024 national list (QN + département 011 + a
#: number + a letter), but the official 2024 codes of these neighbourhoods are not
#: in our references: these are placeholders to replace with the real ones.
QPV = (
    ("QN01101M", "Bastide – Pont-Vieux", 3_873),  # noqa: RUF001 (the names take an en dash)
    ("QN01102M", "La Conte – Ozanam", 2_525),  # noqa: RUF001 (the names take an en dash)
    ("QN01103M", "Le Viguier – Saint-Jacques", 1_757),  # noqa: RUF001 (the names take an en dash)
    ("QN01104M", "Fleming – La Reille", 1_159),  # noqa: RUF001 (the names take an en dash)
    ("QN01105M", "Grazailles", 949),
)

#: The area for poverty pockets and neighbourhoods as residents live them.
OUTSIDE_NAME = "Hors QPV"


def load() -> None:
    """Add the commune, its QPV, the "hors QPV" area and the default themes.

    Idempotent: what already exists (same INSEE code, QPV code or name) is kept.
    """
    commune = db.session.scalar(
        sa.select(Commune).where(Commune.insee_code == CARCASSONNE.insee_code)
    )
    if commune is None:
        commune = services.create_commune(SYSTEM, CARCASSONNE)
    existing = {
        t.code or t.name
        for t in db.session.scalars(
            sa.select(Territory).where(Territory.commune_id == commune.id)
        )
    }
    for code, name, population in QPV:
        if code not in existing:
            services.create_territory(
                SYSTEM,
                services.TerritoryData(
                    commune_id=commune.id,
                    kind=TerritoryKind.QPV,
                    code=code,
                    name=name,
                    population=population,
                ),
            )
    if OUTSIDE_NAME not in existing:
        services.create_territory(
            SYSTEM,
            services.TerritoryData(
                commune_id=commune.id, kind=TerritoryKind.OUTSIDE, name=OUTSIDE_NAME
            ),
        )
    services.ensure_default_themes(SYSTEM)
