"""The budget blueprint, its request hook and what every budget page shares."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, user_logged_in
from werkzeug.wrappers import Response

from ...core.converters import ascii_int
from ...core.errors import Conflict, PermissionDenied
from ...core.i18n import format_date
from ...core.uploads import UPLOAD_REQUEST_LIMIT
from ...territories.models import Territory
from .. import queries, services
from ..forms import ConfirmForm
from ..models import Idea, Round
from ..states import IdeaAction

bp = Blueprint("budget", __name__)

#: Views whose form carries a photo: their request limit is raised so that an
#: oversized photo reaches the view and gets a message by its field.
UPLOAD_ENDPOINTS = frozenset({"budget.idea_create", "budget.idea_edit"})


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    def raise_upload_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = UPLOAD_REQUEST_LIMIT

    # First of the app's hooks: CSRFProtect's hook reads the body, and would
    # otherwise answer 413 before the view can explain the problem by the field.
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


@bp.app_template_global("round_moments")
def round_moments(
    territory_ids: list[int] | None = None,
) -> list[tuple[Territory, list[queries.Moment]]]:
    """What each neighbourhood's residents can do now (home, QPV and account pages)."""
    return queries.moments_by_territory(territory_ids)


@bp.app_template_global("upcoming_votes")
def upcoming_votes() -> list[Round]:
    """Rounds whose vote is still to come (the votes page lists them)."""
    return queries.rounds_before_vote()


def tell_open_votes(sender: Flask, user: Any, **extra: Any) -> None:
    """On sign-in, a person whose neighbourhood is voting is told so, with the date."""
    if getattr(user, "territory_id", None) is None:
        return
    refresh()  # in the language of the person who just signed in
    for territory, moments in queries.moments_by_territory([user.territory_id]):
        for moment in moments:
            if moment.kind == "vote" and moment.until is not None:
                flash(
                    _(
                        "A vote is open in %(place)s until %(date)s: %(title)s.",
                        place=territory.name,
                        date=format_date(moment.until, "long"),
                        title=moment.round.title,
                    ),
                    "info",
                )


@bp.record_once
def _install_open_vote_notice(state: BlueprintSetupState) -> None:
    user_logged_in.connect(tell_open_votes, state.app)


def round_or_404(round_id: int) -> Round:
    round_ = queries.load_round(round_id)
    if round_ is None or not services.can_view_round(current_user, round_):
        abort(404)
    return round_


def idea_or_404(idea_id: int) -> Idea:
    idea = queries.load_idea(idea_id)
    if idea is None or not services.can_view_idea(current_user, idea):
        abort(404)
    return idea


def require_staff() -> None:
    if not services.can_manage_rounds(current_user):
        abort(403)


def confirmed_staff_round(round_id: int) -> Round:
    """The round of a staff button: 403 for others, 404, 400 without the token."""
    require_staff()
    round_ = round_or_404(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return round_


def arg_int(name: str) -> int | None:
    """A small whole number from the query string, or None."""
    return ascii_int(request.args.get(name, ""), maximum=10**9)


def idea_page(idea: Idea) -> str:
    return url_for("budget.idea_detail", idea_id=idea.id)


def unless_possible(idea: Idea, action: IdeaAction) -> Response | None:
    """403 without the right; back to the idea with the reason when not possible now.

    None when the current person may apply *action* to *idea* now.
    """
    try:
        services.check_can_perform(idea, action, current_user)
    except PermissionDenied:
        abort(403)
    except Conflict as error:
        flash(str(error), "error")
        return redirect(idea_page(idea))
    return None
