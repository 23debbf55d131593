"""Projects: made from the vote's published winners, their status (through the
workflow, the followers told), money, progress, place and objectives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ...accounts.models import User
from ...budget.models import Envelope, Idea, Round
from ...budget.states import IdeaState
from ...core import audit
from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.time import PARIS, today_paris, utcnow
from ...core.workflow import apply_transition
from ...extensions import db
from ...voting.models import VoteResult
from ...voting.states import ResultState
from .. import follows
from ..models import Objective, Project
from ..states import ACTIONS_WITH_REASON, ProjectAction, ProjectState, SourceKind
from . import WORKFLOW, check_staff

# ---------------------------------------------------------------------------
# From the vote to projects
# ---------------------------------------------------------------------------


def published_winners(round_: Round) -> list[tuple[Idea, VoteResult]]:
    """Winning ideas of *round_* whose envelope's result is published, in order."""
    rows = db.session.execute(
        sa.select(Idea, VoteResult)
        .join(
            Envelope,
            sa.and_(
                Envelope.round_id == Idea.round_id,
                Envelope.territory_id == Idea.territory_id,
            ),
        )
        .join(VoteResult, VoteResult.envelope_id == Envelope.id)
        .where(
            Idea.round_id == round_.id,
            Idea.state == IdeaState.SELECTED,
            VoteResult.state == ResultState.PUBLISHED,
        )
        .order_by(Envelope.id, Idea.id)
    ).all()
    return [(idea, result) for idea, result in rows]


def _paris_day(moment: datetime | None) -> date:
    return moment.astimezone(PARIS).date() if moment is not None else today_paris()


def create_projects_for_round(
    round_: Round, actor: Actor, *, now: datetime | None = None
) -> list[Project]:
    """Make a project of every published winner of *round_* that has none yet.

    Idempotent: a second call creates nothing. The authors and co-authors of each
    idea follow its project from the start. Returns the projects created.

    :raises Conflict: no envelope of the round has a published result.
    """
    check_staff(actor)
    if not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VoteResult)
        .join(Envelope, Envelope.id == VoteResult.envelope_id)
        .where(
            Envelope.round_id == round_.id, VoteResult.state == ResultState.PUBLISHED
        )
    ):
        raise Conflict(_l("The results of this round are not published yet."))
    now = now or utcnow()
    existing = set(
        db.session.scalars(
            sa.select(Project.idea_id).where(Project.round_id == round_.id)
        )
    )
    created = []
    for idea, result in published_winners(round_):
        if idea.id in existing:
            continue
        created.append(_project_from_idea(idea, result, actor, now))
    return created


def _project_from_idea(
    idea: Idea, result: VoteResult, actor: Actor, now: datetime
) -> Project:
    assert idea.territory_id is not None  # a winner was submitted complete
    project = Project(
        title=idea.title,
        summary=idea.description,
        territory_id=idea.territory_id,
        round_id=idea.round_id,
        source_kind=SourceKind.BUDGET_IDEA,
        source_id=idea.id,
        idea_id=idea.id,
        decided_on=_paris_day(result.published_at),
        amount_voted=idea.final_cost or Decimal("0.00"),
        place=idea.place or "",
        latitude=idea.latitude,
        longitude=idea.longitude,
        state_changed_at=now,
        created_at=now,
        created_by_id=actor_id(actor),
    )
    authors = [idea.author, *(c.user for c in idea.co_authors)]
    return open_project(project, actor, authors, now=now)


def open_project(
    project: Project, actor: Actor, followers: Iterable[User], *, now: datetime
) -> Project:
    """Record a project made from a decision (a vote, a grant): saved, audited, and
    followed from the start by the people behind it (*followers*)."""
    assert project.source_kind is not None  # a decision made it
    db.session.add(project)
    db.session.flush()
    audit.record(
        "project.create",
        actor=actor,
        obj=project,
        source_kind=project.source_kind.value,
        source_id=project.source_id,
        amount_voted=str(project.amount_voted),
    )
    for person in followers:
        follows.follow_automatically(project, person, now=now)
    return project


# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------


def transition_project(
    project: Project,
    action: ProjectAction,
    actor: Actor,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> ProjectState:
    """Change the project's status (staff), record it and tell the followers.

    Abandoning and reopening need a public reason (``comment``). Delivering sets
    the progress to 100 %.
    """
    check_staff(actor)
    comment = (comment or "").strip() or None
    WORKFLOW.next_state(project.state, action)  # Conflict before any other message
    if action in ACTIONS_WITH_REASON and comment is None:
        raise FieldErrors(
            {"comment": _l("Give the reason in plain words: it is published.")}
        )
    if action is ProjectAction.ABANDON:
        project.abandon_reason = comment
    if action is ProjectAction.DELIVER:
        project.progress_percent = 100
    state = apply_transition(WORKFLOW, project, action, actor, comment=comment, now=now)
    follows.notify_status(project, comment)
    return state


# ---------------------------------------------------------------------------
# Money, progress, place, objectives
# ---------------------------------------------------------------------------


@dataclass
class ProjectData:
    """What staff typed on the project form (the view unpacks its form into this)."""

    title: str
    summary: str = ""
    service_in_charge: str = ""
    progress_percent: int | None = 0
    amount_committed: Decimal | None = None
    amount_spent: Decimal | None = None
    overspend_reason: str = ""
    place: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    objective_ids: list[int] = field(default_factory=list)


def _check_project_data(project: Project, data: ProjectData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the project a title.")
    progress = data.progress_percent
    if progress is None or not 0 <= progress <= 100:
        errors["progress_percent"] = _l(
            "The progress is a percentage between 0 and 100."
        )
    elif project.state is ProjectState.DELIVERED and progress != 100:
        errors["progress_percent"] = _l(
            "A delivered project is complete: its progress stays at 100 %."
        )
    committed = data.amount_committed or Decimal("0.00")
    spent = data.amount_spent or Decimal("0.00")
    for name, amount in (("amount_committed", committed), ("amount_spent", spent)):
        if amount < 0:
            errors[name] = _l("An amount cannot be negative.")
    overspent = "amount_spent" not in errors and spent > committed
    if overspent and not data.overspend_reason.strip():
        errors["amount_spent"] = _l(
            "More is spent than committed: say why in the field below."
        )
        errors["overspend_reason"] = _l(
            "Explain why the spending is above the committed amount."
        )
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = _l(
            "Give both the latitude and the longitude, or neither."
        )
    if errors:
        raise FieldErrors(errors)


def _objectives(ids: Iterable[int]) -> list[Objective]:
    wanted = set(ids)
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            sa.select(Objective)
            .where(Objective.id.in_(wanted))
            .order_by(Objective.code)
        )
    )
    if len(found) != len(wanted):
        raise FieldErrors({"objective_ids": _l("Choose objectives from the list.")})
    return found


def update_project(project: Project, data: ProjectData, actor: Actor) -> Project:
    """Save the project's description, money, progress, place and objectives."""
    check_staff(actor)
    _check_project_data(project, data)
    before = {
        "amount_committed": str(project.amount_committed),
        "amount_spent": str(project.amount_spent),
        "progress_percent": project.progress_percent,
    }
    committed = data.amount_committed or Decimal("0.00")
    spent = data.amount_spent or Decimal("0.00")
    project.title = data.title.strip()
    project.summary = data.summary.strip()
    project.service_in_charge = data.service_in_charge.strip()
    project.progress_percent = int(data.progress_percent or 0)
    project.amount_committed = committed
    project.amount_spent = spent
    project.overspend_reason = (
        data.overspend_reason.strip() or None if spent > committed else None
    )
    project.place = data.place.strip()
    project.latitude, project.longitude = data.latitude, data.longitude
    project.objectives = _objectives(data.objective_ids)
    db.session.flush()
    audit.record(
        "project.update",
        actor=actor,
        obj=project,
        before=before,
        amount_committed=str(committed),
        amount_spent=str(spent),
        progress_percent=project.progress_percent,
        objectives=[o.code for o in project.objectives],
    )
    return project
