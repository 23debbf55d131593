"""What accounts adds to every request and page: the signed-in person, template
helpers, the demo people of the home page, pseudonyms for the audit log."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.blueprints import BlueprintSetupState

from ...core.people import PeopleDirectory, register_directory
from ...core.permissions import can_manage_people
from ...extensions import db, login_manager
from .. import queries
from ..demo import DEMO_PEOPLE
from ..models import User
from ..permissions import can_search_people
from . import bp


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in person; a changed security stamp ends old sessions."""
    ident, _sep, stamp = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or str(user.security_stamp) != stamp:
        return None
    return user


def _register_people_directory(state: BlueprintSetupState) -> None:
    # The audit log (core) shows pseudonyms without importing accounts.
    register_directory(
        state.app,
        PeopleDirectory(
            pseudonyms=queries.pseudonyms, ids_named=queries.ids_by_pseudonym
        ),
    )


bp.record_once(_register_people_directory)


@bp.before_app_request
def forget_per_request_caches() -> None:
    """Load the person and the locale afresh for every request.

    Flask-Login and Flask-Babel cache them on ``g``; the test client reuses one
    application context for several requests, where the cache would leak from one
    request to the next. In production ``g`` is new for each request anyway.
    """
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


@bp.app_context_processor
def accounts_context() -> dict[str, Any]:
    return {
        "can_search_people": can_search_people,
        "can_manage_people": can_manage_people,
        # The home page lists the demo accounts and their passwords in demo mode.
        "demo_people": DEMO_PEOPLE if current_app.config.get("DEMO") else None,
    }
