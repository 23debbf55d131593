"""Who may do what in the council feature: ``can_<verb>(user, obj) -> bool``.

Staff manage councils, members, draws and meetings. A member given the secretary
role of a council records attendance and votes and drafts the minutes of its
meetings. Members see their member space and the internal meetings of their
council; visitors see public meetings, published minutes and the archive.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..core.actors import is_system
from ..core.permissions import is_staff
from ..extensions import db
from .models import Council, CouncilMember, Meeting, Minutes
from .states import (
    MINUTES_EDITABLE_STATES,
    MINUTES_MEMBER_STATES,
    MINUTES_PUBLIC_STATES,
    PROXY_STATES,
)


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)


def can_manage_councils(user: Any) -> bool:
    """Staff (or the system) create councils, seat members, draw, plan meetings."""
    return is_system(user) or is_staff(user)


def membership(user: Any, council: Council | int) -> CouncilMember | None:
    """The person's standing seat in *council* (titular or substitute), if any."""
    user_id = _user_id(user)
    if user_id is None:
        return None
    council_id = council if isinstance(council, int) else council.id
    member: CouncilMember | None = db.session.scalar(
        sa.select(CouncilMember).where(
            CouncilMember.council_id == council_id,
            CouncilMember.user_id == user_id,
            CouncilMember.left_on.is_(None),
        )
    )
    return member


def is_secretary(user: Any, council: Council | int) -> bool:
    member = membership(user, council)
    return member is not None and member.is_secretary


def can_run_meeting(user: Any, meeting: Meeting) -> bool:
    """Staff, or the council's secretary: attendance, opening, votes, minutes."""
    return can_manage_councils(user) or is_secretary(user, meeting.council_id)


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    """Public meetings for everyone; internal ones for staff and the members."""
    return (
        meeting.is_public
        or can_manage_councils(user)
        or membership(user, meeting.council_id) is not None
    )


def can_view_minutes(user: Any, minutes: Minutes) -> bool:
    """Published minutes of public meetings for all; members read them once proposed."""
    if minutes.state in MINUTES_PUBLIC_STATES and minutes.meeting.is_public:
        return True
    if can_run_meeting(user, minutes.meeting):
        return True
    return (
        minutes.state in MINUTES_MEMBER_STATES
        and membership(user, minutes.meeting.council_id) is not None
    )


def can_edit_minutes(user: Any, minutes: Minutes) -> bool:
    return minutes.state in MINUTES_EDITABLE_STATES and can_run_meeting(
        user, minutes.meeting
    )


def can_give_proxy(user: Any, meeting: Meeting) -> bool:
    """A titular voting member, before the meeting, when the rules allow proxies."""
    member = membership(user, meeting.council_id)
    return (
        member is not None
        and member.in_office_on(meeting.starts_paris.date())
        and member.is_voting
        and meeting.state in PROXY_STATES
        and meeting.rules.are_proxies_allowed
    )


#: Predicates offered to the templates (menu entries, buttons).
TEMPLATE_PREDICATES = {
    "can_manage_councils": can_manage_councils,
    "can_run_meeting": can_run_meeting,
    "can_view_minutes": can_view_minutes,
    "can_edit_minutes": can_edit_minutes,
    "can_give_proxy": can_give_proxy,
}
