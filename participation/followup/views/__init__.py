"""Pages of the follow-up: the blueprint and its shared helpers.

The pages are beside: :mod:`.public` (public projects and following),
:mod:`.staff` (status, money, milestones, news, photos) and :mod:`.objectives`
(the strategic framework)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request
from flask.blueprints import BlueprintSetupState

from ...budget.models import Idea
from ...core.uploads import UPLOAD_REQUEST_LIMIT
from ...extensions import limiter
from .. import queries, services
from ..models import Project

bp = Blueprint("followup", __name__)

#: The news form carries a photo: its request limit is raised so that an oversized
#: photo reaches the view and gets a message by its field.
UPLOAD_ENDPOINTS = frozenset({"followup.update_create", "followup.photo_add"})


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    def raise_upload_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = UPLOAD_REQUEST_LIMIT

    # Before CSRFProtect's hook, which reads the body (see budget.views).
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


@bp.app_context_processor
def followup_helpers() -> dict[str, Any]:
    return {"can_manage_projects": services.can_manage_projects}


@bp.app_template_global("project_for_idea")
def project_for_idea(idea: Idea) -> Project | None:
    """The project a winning idea became (for the idea page), or None."""
    return queries.project_for_idea(idea)


def _project_or_404(project_id: int) -> Project:
    project = queries.load_project(project_id)
    if project is None:
        abort(404)
    return project


def _follow_limit() -> Any:
    return limiter.limit(
        lambda: str(current_app.config.get("RATELIMIT_FOLLOW", "10/minute;50/hour")),
        methods=["POST"],
    )


# The pages register their routes on ``bp`` when imported.
from . import objectives, public, staff  # noqa: E402, F401
