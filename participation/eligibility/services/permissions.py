"""Who may change eligibility grids: staff, or the system (the demo, the CLI)."""

from __future__ import annotations

from typing import Any

from ...core.actors import Actor, is_system
from ...core.errors import PermissionDenied
from ...core.i18n import lazy_gettext as _l
from ...core.permissions import is_staff


def can_manage_grids(user: Any) -> bool:
    """Staff create, copy and edit grids."""
    return is_staff(user)


def require_manager(actor: Actor) -> None:
    """:raises PermissionDenied: unless *actor* is staff or the system."""
    if not (is_system(actor) or can_manage_grids(actor)):
        raise PermissionDenied(_l("Only staff can change eligibility grids."))
