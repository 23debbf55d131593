"""Project operations: create from the vote, edit money and progress, change status,
milestones, updates with photos. Services never touch the request; they flush.

Followers and their messages are in :mod:`.follows`; the strategic framework in
:mod:`.framework`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaState
from ..core import audit
from ..core.actors import Actor, actor_id, is_system
from ..core.errors import Conflict, FieldErrors, PermissionDenied
from ..core.i18n import format_date
from ..core.permissions import is_staff
from ..core.texts import TextsByLanguage, clean_texts_by_language
from ..core.time import PARIS, today_paris, utcnow
from ..core.uploads import UploadError, delete_upload, store_image
from ..core.workflow import Workflow, apply_transition
from ..extensions import db
from ..voting.models import VoteResult
from ..voting.states import ResultState
from . import follows
from .models import (
    Milestone,
    Objective,
    Project,
    ProjectPhoto,
    ProjectStateChange,
    ProjectUpdate,
)
from .states import (
    ACTIONS_WITH_REASON,
    TRANSITIONS,
    ProjectAction,
    ProjectState,
    SourceKind,
)

#: Folder of the project photos under instance/uploads/.
PHOTO_FOLDER = "project_photos"


# ---------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------


def can_manage_projects(user: Any) -> bool:
    """Staff run the follow-up: status, money, milestones, updates."""
    return is_staff(user)


def _may_act(actor: Actor, obj: Any, action: Any) -> bool:
    return can_manage_projects(actor)


def _check_staff(actor: Actor) -> None:
    if not is_system(actor) and not can_manage_projects(actor):
        raise PermissionDenied(_l("Only staff can do this."))


WORKFLOW: Workflow[ProjectState, ProjectAction] = Workflow(
    name="project",
    transitions=TRANSITIONS,
    history=ProjectStateChange,
    stamps={
        ProjectAction.START: "started_at",
        ProjectAction.DELIVER: "delivered_at",
        ProjectAction.ABANDON: "abandoned_at",
    },
    permission=_may_act,
)


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
    _check_staff(actor)
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
    db.session.add(project)
    db.session.flush()
    audit.record(
        "project.create",
        actor=actor,
        obj=project,
        source_kind=SourceKind.BUDGET_IDEA.value,
        source_id=idea.id,
        amount_voted=str(project.amount_voted),
    )
    authors = [idea.author, *(c.user for c in idea.co_authors)]
    for person in authors:
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
    _check_staff(actor)
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
    _check_staff(actor)
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


# ---------------------------------------------------------------------------
# Milestones
# ---------------------------------------------------------------------------


@dataclass
class MilestoneData:
    title: str
    planned_on: date | None
    actual_on: date | None = None
    note: str = ""


def earliest_day(project: Project) -> date | None:
    """No milestone before the vote that decided the project (its close, Paris)."""
    if project.round is None:
        return None
    return project.round.vote_closes_at.astimezone(PARIS).date()


def _check_milestone(project: Project, data: MilestoneData) -> None:
    errors: dict[str, Any] = {}
    if not data.title.strip():
        errors["title"] = _l("Give the milestone a title.")
    if data.planned_on is None:
        errors["planned_on"] = _l("Give the planned date.")
    earliest = earliest_day(project)
    if earliest is not None and project.round is not None:
        too_early = _l(
            "A milestone cannot be dated before the vote of %(round)s"
            " (closed on %(date)s).",
            round=project.round.title,
            date=format_date(earliest),
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
    _check_staff(actor)
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
    _check_staff(actor)
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


# ---------------------------------------------------------------------------
# Updates and photos
# ---------------------------------------------------------------------------


@dataclass
class UpdateData:
    title: str
    body: str
    #: The title and news in other languages: ``{"ar": {"title": ..., "body": ...}}``.
    texts_by_language: TextsByLanguage | None = None
    #: An uploaded file (or bytes), checked by content; None: no photo.
    photo: IO[bytes] | bytes | None = None
    photo_alt: str = ""
    #: Nobody can be recognised on the photo, or everyone who can agreed.
    photo_consent: bool = False


#: Longest text alternative and withdrawal reason (the columns' sizes).
ALT_MAX = 200
REASON_MAX = 300


def _check_text(data: UpdateData, errors: dict[str, Any]) -> None:
    if not data.title.strip():
        errors["title"] = _l("Give the news a title.")
    elif len(data.title.strip()) > 150:
        errors["title"] = _l("The title is too long (150 characters at most).")
    if not data.body.strip():
        errors["body"] = _l("Write the news.")
    clean_texts_by_language(
        data.texts_by_language, {"title": data.title, "body": data.body}, errors
    )


def _translations(data: UpdateData) -> TextsByLanguage | None:
    return clean_texts_by_language(
        data.texts_by_language, {"title": data.title, "body": data.body}
    )


def _check_photo(
    alt: str, consent: bool, errors: dict[str, Any], prefix: str = "photo_"
) -> None:
    if not alt.strip():
        errors[f"{prefix}alt"] = _l("Describe the photo for people who cannot see it.")
    elif len(alt.strip()) > ALT_MAX:
        errors[f"{prefix}alt"] = _l(
            "The description is too long (200 characters at most)."
        )
    if not consent:
        errors[f"{prefix}consent"] = _l(
            "Confirm that nobody can be recognised on the photo, or that everyone"
            " who can agreed to its publication."
        )


def _check_update(data: UpdateData) -> None:
    errors: dict[str, Any] = {}
    _check_text(data, errors)
    if data.photo is not None:
        _check_photo(data.photo_alt, data.photo_consent, errors)
    if errors:
        raise FieldErrors(errors)


def _store_photo(
    project: Project,
    update: ProjectUpdate,
    source: IO[bytes] | bytes,
    alt: str,
    now: datetime,
    field: str = "photo",
) -> ProjectPhoto:
    try:
        stored = store_image(source, PHOTO_FOLDER)
    except UploadError as error:
        raise FieldErrors({field: error.message}) from None
    photo = ProjectPhoto(
        project=project,
        update=update,
        name=stored.name,
        alt=alt.strip(),
        width=stored.width,
        height=stored.height,
        is_consent_confirmed=True,
        created_at=now,
    )
    db.session.add(photo)
    return photo


def publish_update(
    project: Project,
    data: UpdateData,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> ProjectUpdate:
    """Publish a piece of news (with an optional photo) and e-mail the followers."""
    _check_staff(actor)
    _check_update(data)
    now = now or utcnow()
    update = ProjectUpdate(
        project=project,
        title=data.title.strip(),
        body=data.body.strip(),
        texts_by_language=_translations(data),
        published_at=now,
        author_id=actor_id(actor),
    )
    db.session.add(update)
    if data.photo is not None:
        _store_photo(project, update, data.photo, data.photo_alt, now)
    db.session.flush()
    audit.record(
        "project.update_published",
        actor=actor,
        obj=project,
        update_id=update.id,
        photos=len(update.photos),
    )
    follows.notify_update(update)
    return update


def _check_live(update: ProjectUpdate) -> None:
    if update.is_withdrawn:
        raise Conflict(_l("This news was withdrawn: it can no longer change."))


def edit_update(
    update: ProjectUpdate,
    title: str,
    body: str,
    actor: Actor,
    *,
    texts_by_language: TextsByLanguage | None = None,
    now: datetime | None = None,
) -> None:
    """Correct the text of published news (the page says it was corrected; the
    followers are not written to again).

    *texts_by_language* replaces the translations; None keeps them.
    """
    _check_staff(actor)
    _check_live(update)
    given = update.texts_by_language if texts_by_language is None else texts_by_language
    data = UpdateData(title=title, body=body, texts_by_language=given)
    errors: dict[str, Any] = {}
    _check_text(data, errors)
    if errors:
        raise FieldErrors(errors)
    translations = _translations(data)
    changed = [
        name
        for name, old, new in (
            ("title", update.title, title.strip()),
            ("body", update.body, body.strip()),
            ("texts_by_language", update.texts_by_language, translations),
        )
        if old != new
    ]
    if not changed:
        return
    update.title = title.strip()
    update.body = body.strip()
    update.texts_by_language = translations
    update.edited_at = now or utcnow()
    db.session.flush()
    audit.record(
        "project.update_edited",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        changed=changed,
    )


def withdraw_update(
    update: ProjectUpdate, reason: str, actor: Actor, *, now: datetime | None = None
) -> None:
    """Take news off the public page, the feed and the open data (kept for staff)."""
    _check_staff(actor)
    _check_live(update)
    text = reason.strip()
    if not text:
        raise FieldErrors({"reason": _l("Say why the news is withdrawn.")})
    if len(text) > REASON_MAX:
        raise FieldErrors(
            {"reason": _l("The reason is too long (300 characters at most).")}
        )
    update.withdrawn_at = now or utcnow()
    update.withdraw_reason = text
    db.session.flush()
    audit.record(
        "project.update_withdrawn",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        reason=text,
    )


def add_photo(
    update: ProjectUpdate,
    source: IO[bytes] | bytes | None,
    alt: str,
    consent: bool,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> ProjectPhoto:
    """Add a photo to published news (checked by content like the first one)."""
    _check_staff(actor)
    _check_live(update)
    errors: dict[str, Any] = {}
    if source is None:
        errors["photo"] = _l("Choose a photo.")
    _check_photo(alt, consent, errors)
    if errors:
        raise FieldErrors(errors)
    assert source is not None
    photo = _store_photo(update.project, update, source, alt, now or utcnow())
    db.session.flush()
    audit.record(
        "project.photo_added",
        actor=actor,
        obj=update.project,
        update_id=update.id,
        photo_id=photo.id,
    )
    return photo


def edit_photo(photo: ProjectPhoto, alt: str, consent: bool, actor: Actor) -> None:
    """Change a photo's text alternative, or confirm the consent of the people on
    it (a photo without that confirmation is shown to staff only)."""
    _check_staff(actor)
    if photo.update is not None:
        _check_live(photo.update)
    errors: dict[str, Any] = {}
    _check_photo(alt, consent, errors)
    if errors:
        raise FieldErrors(errors)
    changed = [
        name
        for name, old, new in (
            ("alt", photo.alt, alt.strip()),
            ("consent", photo.is_consent_confirmed, consent),
        )
        if old != new
    ]
    if not changed:
        return
    photo.alt = alt.strip()
    photo.is_consent_confirmed = consent
    db.session.flush()
    audit.record(
        "project.photo_edited",
        actor=actor,
        obj=photo.project,
        photo_id=photo.id,
        changed=changed,
    )


def remove_photo(photo: ProjectPhoto, actor: Actor) -> None:
    """Delete a photo and its file (a person asked, or it was the wrong one)."""
    _check_staff(actor)
    project, photo_id, name = photo.project, photo.id, photo.name
    db.session.delete(photo)
    db.session.flush()
    audit.record("project.photo_removed", actor=actor, obj=project, photo_id=photo_id)
    delete_upload(PHOTO_FOLDER, name)
