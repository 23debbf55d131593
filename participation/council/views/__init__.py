"""Pages of the citizens' councils. The blueprint is made here; each module adds
its section: public pages and the archive, the member space, the management of
councils and members, draws, meetings (agenda, convocation, attendance, votes)
and minutes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from .. import queries
from ..formats import moment
from ..permissions import TEMPLATE_PREDICATES, membership

bp = Blueprint("council", __name__, url_prefix="/councils")


def has_council_seat(user: Any) -> bool:
    """Whether the person sits (or stands as substitute) on a council: menu entry."""
    if not getattr(user, "is_authenticated", False):
        return False
    return queries.has_seat(user.id)


@bp.app_template_filter("council_moment")
def council_moment(when: Any) -> str:
    """A meeting time as people read it (see council.formats)."""
    return moment(when)


@bp.app_context_processor
def council_predicates() -> dict[str, Any]:
    return {
        **TEMPLATE_PREDICATES,
        "has_council_seat": has_council_seat,
        "council_membership": membership,
    }


def me() -> Any:
    """The signed-in person (the real object, for services and audit)."""
    return current_user._get_current_object()


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        abort(403)


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


from . import admin, draws, meetings, minutes, public  # noqa: E402, F401
