"""Grid operations: create, copy, edit (with versioning), freeze, fill. Services flush.

The actor is a ``User`` (staff), or ``core.actors.SYSTEM`` for the demo, the CLI and
the review freezing its grid. The modules: ``permissions``, ``reading``,
``validation``, ``editing`` (with the versioning rule), ``assessments``.
"""

from __future__ import annotations

from .assessments import save_assessment
from .editing import (
    add_criterion,
    copy_grid,
    create_default_grid,
    create_grid,
    editable_version,
    freeze_version,
    move_criterion,
    remove_criterion,
    update_criterion,
    update_grid,
)
from .permissions import can_manage_grids
from .reading import (
    get_grid,
    get_version,
    grid_summaries,
    is_read_only,
    used_version_ids,
    version_is_used,
)
from .validation import (
    CODE_PATTERN,
    MAX_POINTS_VALUE,
    CriterionData,
    GridError,
    parse_points,
)

__all__ = [
    "CODE_PATTERN",
    "MAX_POINTS_VALUE",
    "CriterionData",
    "GridError",
    "add_criterion",
    "can_manage_grids",
    "copy_grid",
    "create_default_grid",
    "create_grid",
    "editable_version",
    "freeze_version",
    "get_grid",
    "get_version",
    "grid_summaries",
    "is_read_only",
    "move_criterion",
    "parse_points",
    "remove_criterion",
    "save_assessment",
    "update_criterion",
    "update_grid",
    "used_version_ids",
    "version_is_used",
]
