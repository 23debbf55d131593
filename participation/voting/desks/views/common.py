"""The desks' blueprint and what its pages share: loading, refusing, flashing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash
from flask_login import current_user

from ....accounts.models import User
from ....extensions import db
from ...models import PollingDesk
from .. import services
from ..models import PaperBatch

bp = Blueprint("desks", __name__, url_prefix="/desks")

#: Session key of the setup code of an account just created at a desk (shown once).
NEW_ACCOUNT_KEY = "desks_new_account"


@bp.app_context_processor
def desks_predicates() -> dict[str, Any]:
    """Predicates the menu uses to show the desks link."""
    return {"can_run_desks": services.can_run_desks}


def me() -> User:
    """The signed-in person (a relay or staff member: the pages require it)."""
    user: User = current_user._get_current_object()
    return user


def allow(allowed: bool) -> None:
    """403 unless *allowed* (a predicate's answer)."""
    if not allowed:
        abort(403)


def desk_or_404(desk_id: int) -> PollingDesk:
    return db.get_or_404(PollingDesk, desk_id)


def batch_or_404(batch_id: int) -> PaperBatch:
    return db.get_or_404(PaperBatch, batch_id)


def done(url: str, message: str, category: str = "success") -> str:
    """Flash *message* once the change is committed; *url* is where to go."""
    flash(message, category)
    return url
