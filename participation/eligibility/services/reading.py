"""Reading grids: one grid or version, whether a version was used, the grid list."""

from __future__ import annotations

import sqlalchemy as sa

from ...core.errors import NotFound
from ...core.i18n import lazy_gettext as _l
from ...extensions import db
from ..models import Assessment, Criterion, Grid, GridVersion


def get_grid(grid_id: int) -> Grid:
    """The grid, or NotFound."""
    grid = db.session.get(Grid, grid_id)
    if grid is None:
        raise NotFound(_l("This grid does not exist."))
    return grid


def get_version(grid: Grid, number: int) -> GridVersion:
    """Version *number* of *grid*, or NotFound."""
    version = db.session.scalar(
        sa.select(GridVersion).where(
            GridVersion.grid_id == grid.id, GridVersion.number == number
        )
    )
    if version is None:
        raise NotFound(_l("This version of the grid does not exist."))
    return version


def version_is_used(version: GridVersion) -> bool:
    """True when at least one assessment was made with *version*."""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Assessment.grid_version_id == version.id))
        )
    )


def used_version_ids(version_ids: list[int]) -> set[int]:
    """Which of *version_ids* have assessments (one query for a whole list)."""
    if not version_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Assessment.grid_version_id)
            .where(Assessment.grid_version_id.in_(version_ids))
            .distinct()
        )
    )


def is_read_only(version: GridVersion) -> bool:
    """A frozen or used version is never edited in place."""
    return version.is_frozen or version_is_used(version)


def grid_summaries() -> list[tuple[Grid, GridVersion, int, bool]]:
    """Every grid with its latest version, criteria count and whether it is read-only.

    Three queries whatever the number of grids.
    """
    latest = (
        sa.select(GridVersion.grid_id, sa.func.max(GridVersion.number).label("number"))
        .group_by(GridVersion.grid_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Grid, GridVersion)
        .join(GridVersion, GridVersion.grid_id == Grid.id)
        .join(
            latest,
            sa.and_(
                latest.c.grid_id == GridVersion.grid_id,
                latest.c.number == GridVersion.number,
            ),
        )
        .order_by(Grid.name)
    ).all()
    version_ids = [version.id for _grid, version in rows]
    counts: dict[int, int] = {}
    if version_ids:
        counts = {
            version_id: count
            for version_id, count in db.session.execute(
                sa.select(Criterion.version_id, sa.func.count())
                .where(Criterion.version_id.in_(version_ids))
                .group_by(Criterion.version_id)
            ).all()
        }
    used = used_version_ids(version_ids)
    return [
        (
            grid,
            version,
            counts.get(version.id, 0),
            version.is_frozen or version.id in used,
        )
        for grid, version in rows
    ]
