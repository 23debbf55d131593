"""Project operations: create from the vote, edit money and progress, change status
(:mod:`.projects`), milestones (:mod:`.milestones`), updates with photos
(:mod:`.updates`). Services never touch the request; they flush. This module holds
what they share: the permission, the workflow and the photo folder.

Followers and their messages are in :mod:`..follows`; the strategic framework in
:mod:`..framework`.
"""

from __future__ import annotations

from typing import Any

from ...core.actors import Actor, is_system
from ...core.errors import PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_staff
from ...core.workflow import Workflow
from ..models import ProjectStateChange
from ..states import TRANSITIONS, ProjectAction, ProjectState

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


def check_staff(actor: Actor) -> None:
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


from .milestones import (  # noqa: E402
    MilestoneData,
    add_milestone,
    earliest_day,
    update_milestone,
)
from .projects import (  # noqa: E402
    ProjectData,
    create_projects_for_round,
    open_project,
    published_winners,
    transition_project,
    update_project,
)
from .updates import (  # noqa: E402
    ALT_MAX,
    REASON_MAX,
    UpdateData,
    add_photo,
    edit_photo,
    edit_update,
    publish_update,
    remove_photo,
    withdraw_update,
)

__all__ = [
    "ALT_MAX",
    "PHOTO_FOLDER",
    "REASON_MAX",
    "WORKFLOW",
    "MilestoneData",
    "ProjectData",
    "UpdateData",
    "add_milestone",
    "add_photo",
    "can_manage_projects",
    "check_staff",
    "create_projects_for_round",
    "earliest_day",
    "edit_photo",
    "edit_update",
    "open_project",
    "publish_update",
    "published_winners",
    "remove_photo",
    "transition_project",
    "update_milestone",
    "update_project",
    "withdraw_update",
]
