"""Demo data of the eligibility feature: the default grid of PRODUCT.md §3.3."""

from __future__ import annotations

import sqlalchemy as sa

from ..core.actors import SYSTEM
from ..extensions import db
from .defaults import DEFAULT_GRID_NAME
from .models import Grid, GridVersion
from .services import create_default_grid


def demo_grid() -> Grid | None:
    """The demo's default grid, once loaded (the budget demo gives it to its rounds)."""
    return db.session.scalar(sa.select(Grid).where(Grid.name == DEFAULT_GRID_NAME))


def demo_grid_version() -> GridVersion | None:
    """The latest version of the demo's default grid, if loaded."""
    grid = demo_grid()
    return grid.latest_version if grid is not None else None


def load() -> None:
    """Create the default grid (called once by participation.demo)."""
    if demo_grid() is None:
        create_default_grid(actor=SYSTEM)
