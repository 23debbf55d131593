"""Grid operations: create, copy, edit (with versioning), freeze, fill. Services flush.

Versioning rule: an edit goes to the grid's latest version when nobody has used it
yet; when that version is frozen or an assessment used it, the edit first creates a
new version (a copy), so what was assessed keeps the criteria it was assessed with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..core import audit
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ..core.permissions import is_staff
from ..core.time import utcnow
from ..extensions import db
from .defaults import (
    DEFAULT_CRITERIA,
    DEFAULT_GRID_DESCRIPTION,
    DEFAULT_GRID_NAME,
    DEFAULT_THRESHOLD,
)
from .evaluate import AnswerValue, Result, evaluate
from .models import Assessment, AssessmentAnswer, Criterion, Grid, GridVersion
from .states import Check, CriterionKind

#: Criterion codes: short, stable, lower-case identifiers.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: The largest weight or threshold the columns hold.
MAX_POINTS_VALUE = Decimal("9999.99")


class GridError(DomainError):
    """A grid edit that breaks a rule; ``field`` names the form field."""


def can_manage_grids(user: Any) -> bool:
    """Staff create, copy and edit grids."""
    return is_staff(user)


def _require_manager(actor: Any) -> None:
    if not can_manage_grids(actor):
        raise PermissionDenied(_l("Only staff can change eligibility grids."))


@dataclass(frozen=True)
class CriterionData:
    """What a staff member types for a criterion."""

    code: str
    kind: CriterionKind
    label: str
    help_text: str = ""
    weight: Decimal | None = None


# --- reading ---------------------------------------------------------------


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


# --- validation ------------------------------------------------------------


def parse_points(value: object, *, field: str) -> Decimal:
    """A weight or threshold: a number ≥ 0 with at most two decimals."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise GridError(
                _l("Enter a number, for example 2 or 1.5."), field=field
            ) from None
    if not amount.is_finite():
        raise GridError(_l("Enter a number, for example 2 or 1.5."), field=field)
    if amount < 0:
        raise GridError(_l("The number cannot be negative."), field=field)
    if amount > MAX_POINTS_VALUE:
        raise GridError(_l("The number is too large."), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise GridError(_l("Use at most two decimals."), field=field)
    return amount


def _check_name(name: str, *, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise GridError(_l("Give the grid a name."), field="name")
    if len(name) > 120:
        raise GridError(
            _l("The name is too long (120 characters at most)."), field="name"
        )
    query = sa.select(Grid.id).where(sa.func.lower(Grid.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Grid.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise GridError(_l("Another grid already has this name."), field="name")
    return name


def _clean_criterion(data: CriterionData) -> CriterionData:
    code = data.code.strip().lower()
    if not CODE_PATTERN.match(code):
        raise GridError(
            _l("Use lower-case letters, digits and _ only, starting with a letter."),
            field="code",
        )
    label = data.label.strip()
    if not label:
        raise GridError(_l("Write the label residents will read."), field="label")
    if len(label) > 300:
        raise GridError(
            _l("The label is too long (300 characters at most)."), field="label"
        )
    weight: Decimal | None = None
    if data.kind is CriterionKind.SCORED:
        if data.weight is None:
            raise GridError(_l("A scored criterion needs a weight."), field="weight")
        weight = parse_points(data.weight, field="weight")
    return CriterionData(
        code=code,
        kind=data.kind,
        label=label,
        help_text=data.help_text.strip(),
        weight=weight,
    )


# --- writing ---------------------------------------------------------------


def _new_version(
    grid: Grid, *, number: int, threshold: Decimal, actor: Any
) -> GridVersion:
    version = GridVersion(
        grid=grid,
        number=number,
        threshold=threshold,
        created_by_id=getattr(actor, "id", None),
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
    *, name: str, description: str = "", threshold: object = 0, actor: Any
) -> Grid:
    """Create an empty grid (version 1, no criteria)."""
    _require_manager(actor)
    grid = Grid(
        name=_check_name(name),
        description=description.strip(),
        created_by_id=actor.id,
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


def copy_grid(version: GridVersion, *, name: str, actor: Any) -> Grid:
    """Create a new grid whose version 1 is a copy of *version*."""
    _require_manager(actor)
    grid = Grid(
        name=_check_name(name),
        description=version.grid.description,
        created_by_id=actor.id,
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


def editable_version(grid: Grid, *, actor: Any) -> GridVersion:
    """The version an edit goes to: the latest, or a new copy when that is read-only."""
    _require_manager(actor)
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
    grid: Grid, *, name: str, description: str, threshold: object, actor: Any
) -> GridVersion:
    """Rename the grid and set the threshold (a threshold change may make a version)."""
    _require_manager(actor)
    new_name = _check_name(name, exclude_id=grid.id)
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


def add_criterion(grid: Grid, data: CriterionData, *, actor: Any) -> Criterion:
    """Add a criterion at the end of the grid."""
    _require_manager(actor)
    clean = _clean_criterion(data)
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
    grid: Grid, code: str, data: CriterionData, *, actor: Any
) -> Criterion:
    """Change a criterion's kind, texts or weight (its code stays)."""
    _require_manager(actor)
    _criterion_or_404(grid.latest_version, code)
    clean = _clean_criterion(replace(data, code=code))
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


def remove_criterion(grid: Grid, code: str, *, actor: Any) -> GridVersion:
    """Remove a criterion from the grid (earlier versions keep it)."""
    _require_manager(actor)
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


def move_criterion(grid: Grid, code: str, offset: int, *, actor: Any) -> GridVersion:
    """Move a criterion up (offset -1) or down (+1); the ends do not wrap."""
    _require_manager(actor)
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


def freeze_version(version: GridVersion, *, actor: Any, reason: str) -> None:
    """Freeze *version* (idempotent): an edit of the grid then makes a new version.

    *actor* None stands for the system (demo, command line).
    """
    if actor is not None:
        _require_manager(actor)
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


def create_default_grid(*, actor: Any = None, name: str | None = None) -> Grid:
    """Create the default grid of PRODUCT.md §3.3 (actor None: the system, demo)."""
    if actor is not None:
        _require_manager(actor)
    grid = Grid(
        name=_check_name(name or DEFAULT_GRID_NAME),
        description=DEFAULT_GRID_DESCRIPTION,
        created_by_id=getattr(actor, "id", None),
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


# --- assessments -----------------------------------------------------------


def save_assessment(
    version: GridVersion,
    answers: Mapping[str, AnswerValue],
    *,
    subject_type: str,
    subject_id: int,
    assessor: Any,
    assessment: Assessment | None = None,
) -> tuple[Assessment, Result]:
    """Evaluate *answers* with *version*; store them in *assessment* or a new one.

    Permission is the caller's business (the review checks the assignment); this
    only guarantees that what is stored is what evaluate() computed.
    """
    cleaned: dict[str, AnswerValue] = {}
    for code, value in answers.items():
        # Check is a str too (StrEnum): only free text is trimmed.
        if isinstance(value, str) and not isinstance(value, Check):
            value = value.strip()
            if not value:
                continue  # an empty text is no answer
        cleaned[code] = value
    result = evaluate(version.spec(), cleaned)
    now = utcnow()
    if assessment is None:
        assessment = Assessment(
            grid_version_id=version.id,
            subject_type=subject_type,
            subject_id=subject_id,
            created_at=now,
        )
        db.session.add(assessment)
    elif assessment.grid_version_id != version.id:
        raise Conflict(_l("This assessment was made with another version of the grid."))
    assessment.outcome = result.outcome
    assessment.score = result.score
    assessment.max_score = result.max_score
    assessment.failed_codes = list(result.failed)
    assessment.missing_codes = list(result.missing)
    assessment.assessor_id = getattr(assessor, "id", None)
    assessment.updated_at = now

    existing = {answer.criterion_id: answer for answer in assessment.answers}
    for criterion in version.criteria:
        value = cleaned.get(criterion.code)
        answer = existing.pop(criterion.id, None)
        if value is None:
            if answer is not None:
                assessment.answers.remove(answer)
            continue
        if answer is None:
            answer = AssessmentAnswer(criterion_id=criterion.id, kind=criterion.kind)
            assessment.answers.append(answer)
        # evaluate() already checked that each value fits its criterion's kind.
        answer.choice = answer.points = answer.text = None
        if isinstance(value, Check):
            answer.choice = value
        elif isinstance(value, int):
            answer.points = value
        else:
            answer.text = value
    db.session.flush()
    return assessment, result
