"""Milestones: the dated steps of a project, never before the vote that decided it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ...core import audit
from ...core.actors import Actor
from ...core.errors import FieldErrors
from ...core.i18n import format_date
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, today_paris
from ...extensions import db
from ..models import Milestone, Project
from . import check_staff

# ---------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------


@dataclass
class MilestoneData:
    title: str
    planned_on: date | None
    actual_on: date | None = None
    note: str = ""


def earliest_day(project: Project) -> date:
    """No milestone before the decision: the close of the vote that decided the
    project (Paris), or its decision day for other sources (an FPH grant)."""
    if project.round is None:
        return project.decided_on
    return project.round.vote_closes_at.astimezone(PARIS).date()


def _check_milestone(project: Project, data: MilestoneData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the milestone a title.")
    if data.planned_on is None:
        errors["planned_on"] = _l("Give the planned date.")
    earliest = earliest_day(project)
    too_early = (
        _l(
            "A milestone cannot be dated before the vote of %(round)s"
            " (closed on %(date)s).",
            round=project.round.title,
            date=format_date(earliest),
        )
        if project.round is not None
        else _l(
            "A milestone cannot be dated before the decision (%(date)s).",
            date=format_date(earliest),
        )
    )
    for name in ("planned_on", "actual_on"):
        day = getattr(data, name)
        if day is not None and day < earliest:
            errors[name] = too_early
    if data.actual_on is not None and data.actual_on > today_paris():
        errors.setdefault(
            "actual_on",
            _l("The date reached cannot be in the future: leave it empty for now."),
        )
    if errors:
        raise FieldErrors(errors)


def add_milestone(project: Project, data: MilestoneData, actor: Actor) -> Milestone:
    """Add a dated step to the project."""
    check_staff(actor)
    _check_milestone(project, data)
    assert data.planned_on is not None
    milestone = Milestone(
        project=project,
        title=data.title.strip(),
        planned_on=data.planned_on,
        actual_on=data.actual_on,
        note=data.note.strip(),
    )
    db.session.add(milestone)
    db.session.flush()
    _audit_milestone("project.milestone_add", milestone, actor)
    return milestone


def update_milestone(milestone: Milestone, data: MilestoneData, actor: Actor) -> None:
    """Change a milestone (typically: record the day it was reached)."""
    check_staff(actor)
    _check_milestone(milestone.project, data)
    assert data.planned_on is not None
    milestone.title = data.title.strip()
    milestone.planned_on = data.planned_on
    milestone.actual_on = data.actual_on
    milestone.note = data.note.strip()
    db.session.flush()
    _audit_milestone("project.milestone_update", milestone, actor)


def _audit_milestone(action: str, milestone: Milestone, actor: Actor) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="project",
        object_id=milestone.project_id,
        milestone_id=milestone.id,
        planned_on=milestone.planned_on.isoformat(),
        actual_on=milestone.actual_on.isoformat() if milestone.actual_on else None,
    )
