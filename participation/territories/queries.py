"""Read-only queries of the territories feature, for pages and forms."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..extensions import db
from .models import DEFAULT_THEMES, Commune, Territory, Theme


def territories_with_communes(*, active_only: bool = False) -> list[Territory]:
    """Every territory with its commune loaded in the same query (no N+1)."""
    stmt = (
        sa.select(Territory)
        .join(Territory.commune)
        .options(contains_eager(Territory.commune))
        .order_by(Commune.name, Territory.kind, Territory.name)
    )
    if active_only:
        stmt = stmt.where(Territory.is_active.is_(True))
    return list(db.session.scalars(stmt))


def communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune).order_by(Commune.name)))


def ordered_themes(*, active_only: bool = False) -> list[Theme]:
    """Themes in their display order."""
    stmt = sa.select(Theme).order_by(Theme.position, Theme.id)
    if active_only:
        stmt = stmt.where(Theme.is_active.is_(True))
    return list(db.session.scalars(stmt))


def missing_default_themes() -> list[str]:
    """Codes of the default themes not in the table (deleted or never loaded)."""
    existing = set(db.session.scalars(sa.select(Theme.code)))
    return [code for code in DEFAULT_THEMES if code not in existing]
