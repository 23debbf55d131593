"""Who may do what with funds and applications (views refuse, services re-check)."""

from __future__ import annotations

from typing import Any

from ...core.actors import is_system
from ...core.permissions import Visitor, is_relay, is_staff, person_id
from ..models import Application
from ..states import (
    APPLICANT_ACTIONS,
    EDITABLE_STATES,
    ApplicationAction,
    ApplicationState,
)

#: States whose file (title, dates of its steps, amount) is public.
PUBLIC_STATES = frozenset(
    {
        ApplicationState.SCHEDULED,
        ApplicationState.GRANTED,
        ApplicationState.GRANTED_PARTIALLY,
        ApplicationState.DEFERRED,
        ApplicationState.REFUSED,
        ApplicationState.PAID_ADVANCE,
        ApplicationState.REPORT_DUE,
        ApplicationState.REPORT_SUBMITTED,
        ApplicationState.CLOSED,
        ApplicationState.REPAYMENT_REQUESTED,
    }
)


def can_manage_funds(user: Visitor) -> bool:
    """Staff set up funds, adopt règlements and review applications."""
    return is_staff(user)


def can_apply(user: Visitor) -> bool:
    """Any signed-in person may start an application."""
    return person_id(user) is not None


def can_file_on_behalf(user: Visitor) -> bool:
    """Relays (and staff) file for a group without e-mail or computer."""
    return is_relay(user)


def is_owner(user: Visitor, application: Application) -> bool:
    """The account the file belongs to, or the relay who filed it."""
    uid = person_id(user)
    return uid is not None and uid in (application.owner_id, application.filed_by_id)


def can_view_application(user: Visitor, application: Application) -> bool:
    """The whole file (private parts included): its owner and staff."""
    return is_system(user) or is_owner(user, application) or is_staff(user)


def can_view_public_file(user: Visitor, application: Application) -> bool:
    """The public page of a file: once it is on an agenda (or to its owner)."""
    return application.state in PUBLIC_STATES or can_view_application(user, application)


def can_edit_application(user: Visitor, application: Application) -> bool:
    """The owner edits a draft or an incomplete file; staff too (paper files)."""
    return application.state in EDITABLE_STATES and can_view_application(
        user, application
    )


def can_act(user: Any, application: Application, action: ApplicationAction) -> bool:
    """The workflow's permission: the applicant's actions, or staff's."""
    if is_system(user):
        return True
    if action in APPLICANT_ACTIONS:
        return is_owner(user, application) or is_staff(user)
    return is_staff(user)
