"""What accounts adds to every request and page: the signed-in person, template
helpers, the demo people of the home page, pseudonyms for the audit log."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ...core.converters import ascii_int
from ...core.database import write_lock
from ...core.people import PeopleDirectory, register_directory
from ...core.permissions import can_manage_people
from ...core.privacy import register_personal_data, register_retention_rule
from ...extensions import db, login_manager
from .. import queries
from ..demo import DEMO_PEOPLE, demo_second_factor
from ..models import User
from ..permissions import can_search_people, can_see_identity
from ..services import privacy, sessions
from ..services.lookup import issue_pass
from . import bp


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in person from their server-side session.

    The cookie names the account and a session token; a session that was ended
    (sign-out, "sign out everywhere", password change) is gone, so a replayed
    cookie or remember cookie signs nobody in.
    """
    ident, _sep, token = user_id.partition(":")
    account = ascii_int(ident)
    if account is None or not token:
        return None
    row = sessions.load_session(account, token)
    if row is None:
        return None
    g.user_session = row
    return row.user


def _register_people_directory(state: BlueprintSetupState) -> None:
    # The audit log (core) shows pseudonyms without importing accounts.
    register_directory(
        state.app,
        PeopleDirectory(
            pseudonyms=queries.pseudonyms, ids_named=queries.ids_by_pseudonym
        ),
    )


bp.record_once(_register_people_directory)


def _register_personal_data(state: BlueprintSetupState) -> None:
    register_personal_data(state.app, privacy.ACCOUNT_DATA)
    register_personal_data(state.app, privacy.ACTIONS_DATA)
    register_retention_rule(state.app, privacy.INACTIVE_ACCOUNTS)


bp.record_once(_register_personal_data)


@bp.before_app_request
def forget_per_request_caches() -> None:
    """Load the person and the locale afresh for every request.

    Flask-Login and Flask-Babel cache them on ``g``; the test client reuses one
    application context for several requests, where the cache would leak from one
    request to the next. In production ``g`` is new for each request anyway.
    """
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    g.pop("user_session", None)


@bp.before_app_request
def end_idle_staff_sessions() -> None:
    """Load the person first thing; end a staff session left idle; note activity.

    Runs before the view, so its commit holds nothing of the view's work.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    row = g.get("user_session")
    if row is None:
        return
    if sessions.is_idle(row, current_app.config["STAFF_IDLE_TIMEOUT"]):
        write_lock()
        sessions.end_session(row.user)
        db.session.commit()
        logout_user()
        flash(_("You were signed out after a while without activity."), "info")
        return
    if sessions.due_for_touch(row):
        write_lock()
        sessions.touch(row)
        db.session.commit()


@bp.app_context_processor
def accounts_context() -> dict[str, Any]:
    return {
        "can_search_people": can_search_people,
        "can_manage_people": can_manage_people,
        # The home page lists the demo accounts and their passwords in demo mode.
        "demo_people": DEMO_PEOPLE if current_app.config.get("DEMO") else None,
        "demo_second_factor": (
            demo_second_factor() if current_app.config.get("DEMO") else None
        ),
        "can_see_identity": can_see_identity,
        # A relay's pass to a person found by an exact identifier (search results).
        "lookup_pass": lambda person: issue_pass(current_user, person),
    }
