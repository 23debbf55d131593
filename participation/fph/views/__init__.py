"""Pages of the FPH: the blueprint and its shared helpers.

The pages are beside: :mod:`.public` (the fund pages, the paper form, a file's
public page), :mod:`.applicant` (the application in steps, the applicant's files)
and :mod:`.staff` (funds, règlements, review of files)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from ...accounts.models import User
from ...extensions import db
from .. import services
from ..models import Application, Fund

bp = Blueprint("fph", __name__, url_prefix="/fph")


@bp.app_context_processor
def fph_helpers() -> dict[str, Any]:
    return {
        "can_manage_funds": services.can_manage_funds,
        "can_file_on_behalf": services.can_file_on_behalf,
        "can_act": services.can_act,
    }


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _fund_or_404(fund_id: int) -> Fund:
    return db.get_or_404(Fund, fund_id)


def _own_or_404(application_id: int) -> Application:
    """The whole file, to its owner and staff; 404 to anyone else (no probing)."""
    application = db.get_or_404(Application, application_id)
    if not services.can_view_application(current_user, application):
        abort(404)
    return application


# The pages register their routes on ``bp`` when imported.
from . import applicant, public, staff  # noqa: E402, F401
