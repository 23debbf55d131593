"""Editing grids, with versioning; freezing a version; the default grid.

Versioning rule: an edit goes to the grid's latest version when nobody has used it
yet; when that version is frozen or an assessment used it, the edit first creates a
new version (a copy), so what was assessed keeps the criteria it was assessed with.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa

from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import NotFound
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from ..defaults import (
    DEFAULT_CRITERIA,
    DEFAULT_GRID_DESCRIPTION,
    DEFAULT_GRID_NAME,
    DEFAULT_THRESHOLD,
)
from ..models import Criterion, Grid, GridVersion
from .permissions import require_manager
from .reading import is_read_only
from .validation import (
    CriterionData,
    GridError,
    check_name,
    clean_criterion,
    parse_points,
)


def _new_version(
    grid: Grid, *, number: int, threshold: Decimal, actor: Actor
) -> GridVersion:
    version = GridVersion(
        grid=grid,
        number=number,
        threshold=threshold,
        created_by_id=actor_id(actor),
    )
    db.session.add(version)
    return version


def _copy_criteria(source: GridVersion, target: GridVersion) -> None:
    for criterion in source.criteria:
        target.criteria.append(
            Criterion(
                code=criterion.code,
                kind=criterion.kind,
                label=criterion.label,
                help_text=criterion.help_text,
                weight=criterion.weight,
                position=criterion.position,
            )
        )


def create_grid(
    *, name: str, description: str = "", threshold: object = 0, actor: Actor
) -> Grid:
    """Create an empty grid (version 1, no criteria)."""
    require_manager(actor)
    grid = Grid(
        name=check_name(name),
        description=description.strip(),
        created_by_id=actor_id(actor),
    )
    db.session.add(grid)
    _new_version(
        grid,
        number=1,
        threshold=parse_points(threshold, field="threshold"),
        actor=actor,
    )
    db.session.flush()
    audit.record("grid.create", actor=actor, obj=grid, name=grid.name)
    return grid


def copy_grid(version: GridVersion, *, name: str, actor: Actor) -> Grid:
    """Create a new grid whose version 1 is a copy of *version*."""
    require_manager(actor)
    grid = Grid(
        name=check_name(name),
        description=version.grid.description,
        created_by_id=actor_id(actor),
        copied_from_id=version.grid_id,
    )
    db.session.add(grid)
    new = _new_version(grid, number=1, threshold=version.threshold, actor=actor)
    _copy_criteria(version, new)
    db.session.flush()
    audit.record(
        "grid.copy",
        actor=actor,
        obj=grid,
        source_grid=version.grid_id,
        source_version=version.number,
    )
    return grid


def editable_version(grid: Grid, *, actor: Actor) -> GridVersion:
    """The version an edit goes to: the latest, or a new copy when that is read-only."""
    require_manager(actor)
    # Serialise concurrent editors of one grid on PostgreSQL (SQLite locks the file).
    db.session.execute(sa.select(Grid.id).where(Grid.id == grid.id).with_for_update())
    db.session.refresh(grid, attribute_names=["versions"])
    latest = grid.latest_version
    if not is_read_only(latest):
        return latest
    version = _new_version(
        grid, number=latest.number + 1, threshold=latest.threshold, actor=actor
    )
    _copy_criteria(latest, version)
    db.session.flush()
    audit.record(
        "grid.version_create",
        actor=actor,
        obj=version,
        grid=grid.id,
        number=version.number,
        previous=latest.number,
        previous_frozen=latest.is_frozen,
    )
    return version


def update_grid(
    grid: Grid, *, name: str, description: str, threshold: object, actor: Actor
) -> GridVersion:
    """Rename the grid and set the threshold (a threshold change may make a version)."""
    require_manager(actor)
    new_name = check_name(name, exclude_id=grid.id)
    new_threshold = parse_points(threshold, field="threshold")
    grid.name = new_name
    grid.description = description.strip()
    version = grid.latest_version
    if new_threshold != version.threshold:
        version = editable_version(grid, actor=actor)
        version.threshold = new_threshold
    db.session.flush()
    audit.record(
        "grid.update",
        actor=actor,
        obj=grid,
        name=grid.name,
        version=version.number,
        threshold=str(version.threshold),
    )
    return version


def _criterion_or_404(version: GridVersion, code: str) -> Criterion:
    criterion = version.criterion(code)
    if criterion is None:
        raise NotFound(_l("This criterion does not exist in the grid."))
    return criterion


def add_criterion(grid: Grid, data: CriterionData, *, actor: Actor) -> Criterion:
    """Add a criterion at the end of the grid."""
    require_manager(actor)
    clean = clean_criterion(data)
    if grid.latest_version.criterion(clean.code) is not None:
        raise GridError(
            _l("Another criterion of this grid has this code."), field="code"
        )
    version = editable_version(grid, actor=actor)
    position = max((c.position for c in version.criteria), default=0) + 1
    criterion = Criterion(
        code=clean.code,
        kind=clean.kind,
        label=clean.label,
        help_text=clean.help_text,
        weight=clean.weight,
        position=position,
    )
    version.criteria.append(criterion)
    db.session.flush()
    audit.record(
        "grid.criterion_add",
        actor=actor,
        obj=grid,
        version=version.number,
        code=criterion.code,
        kind=criterion.kind.value,
        weight=None if criterion.weight is None else str(criterion.weight),
    )
    return criterion


def update_criterion(
    grid: Grid, code: str, data: CriterionData, *, actor: Actor
) -> Criterion:
    """Change a criterion's kind, texts or weight (its code stays)."""
    require_manager(actor)
    _criterion_or_404(grid.latest_version, code)
    clean = clean_criterion(replace(data, code=code))
    version = editable_version(grid, actor=actor)
    criterion = _criterion_or_404(version, code)
    criterion.kind = clean.kind
    criterion.label = clean.label
    criterion.help_text = clean.help_text
    criterion.weight = clean.weight
    db.session.flush()
    audit.record(
        "grid.criterion_update",
        actor=actor,
        obj=grid,
        version=version.number,
        code=code,
        kind=criterion.kind.value,
        weight=None if criterion.weight is None else str(criterion.weight),
    )
    return criterion


def remove_criterion(grid: Grid, code: str, *, actor: Actor) -> GridVersion:
    """Remove a criterion from the grid (earlier versions keep it)."""
    require_manager(actor)
    _criterion_or_404(grid.latest_version, code)
    version = editable_version(grid, actor=actor)
    criterion = _criterion_or_404(version, code)
    version.criteria.remove(criterion)
    db.session.flush()
    audit.record(
        "grid.criterion_remove",
        actor=actor,
        obj=grid,
        version=version.number,
        code=code,
    )
    return version


def move_criterion(grid: Grid, code: str, offset: int, *, actor: Actor) -> GridVersion:
    """Move a criterion up (offset -1) or down (+1); the ends do not wrap."""
    require_manager(actor)
    if offset not in (-1, 1):
        raise GridError(_l("A criterion moves one place at a time."))
    ordered = list(grid.latest_version.criteria)
    index = next((i for i, c in enumerate(ordered) if c.code == code), None)
    if index is None:
        raise NotFound(_l("This criterion does not exist in the grid."))
    target = index + offset
    if not 0 <= target < len(ordered):
        return grid.latest_version
    version = editable_version(grid, actor=actor)
    ordered = list(version.criteria)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, criterion in enumerate(ordered, start=1):
        criterion.position = position
    db.session.flush()
    db.session.refresh(version, attribute_names=["criteria"])
    audit.record(
        "grid.criterion_move",
        actor=actor,
        obj=grid,
        version=version.number,
        code=code,
        position=target + 1,
    )
    return version


def freeze_version(version: GridVersion, *, actor: Actor, reason: str) -> None:
    """Freeze *version* (idempotent): an edit of the grid then makes a new version.

    *actor* is staff, or the system (the review's start, the demo).
    """
    require_manager(actor)
    if version.is_frozen:
        return
    version.is_frozen = True
    version.frozen_at = utcnow()
    db.session.flush()
    audit.record(
        "grid.version_freeze",
        actor=actor,
        obj=version,
        grid=version.grid_id,
        number=version.number,
        reason=reason,
    )


def create_default_grid(*, actor: Actor, name: str | None = None) -> Grid:
    """Create the default grid of PRODUCT.md §3.3 (the demo passes the system)."""
    require_manager(actor)
    grid = Grid(
        name=check_name(name or DEFAULT_GRID_NAME),
        description=DEFAULT_GRID_DESCRIPTION,
        created_by_id=actor_id(actor),
    )
    db.session.add(grid)
    version = _new_version(grid, number=1, threshold=DEFAULT_THRESHOLD, actor=actor)
    for position, default in enumerate(DEFAULT_CRITERIA, start=1):
        version.criteria.append(
            Criterion(
                code=default.code,
                kind=default.kind,
                label=default.label,
                help_text=default.help_text,
                weight=default.weight,
                position=position,
            )
        )
    db.session.flush()
    audit.record("grid.create_default", actor=actor, obj=grid, name=grid.name)
    return grid
