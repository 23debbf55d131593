"""Attendance (*émargement*), proxies and the quorum of a meeting at a moment."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa

from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import lazy_gettext as _l
from ...core.time import utcnow
from ...extensions import db
from .. import quorum
from ..models import Attendance, CouncilMember, Meeting
from ..permissions import can_give_proxy, can_run_meeting, membership
from ..states import ATTENDANCE_STATES, PROXY_STATES, AttendanceStatus
from .common import paris_moment, record, require
from .meetings import recipients


def _lock(meeting: Meeting) -> None:
    """Serialise writers of one meeting's sheet (PostgreSQL; SQLite has one writer)."""
    db.session.execute(
        sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update()
    )


def sheet_members(meeting: Meeting) -> list[CouncilMember]:
    """Who is on the attendance sheet: the titular members in office that day."""
    return recipients(meeting)


def lines_of(meeting: Meeting) -> dict[int, Attendance]:
    """The recorded lines by member id."""
    rows = db.session.scalars(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id)
    )
    return {row.member_id: row for row in rows}


def attendees(meeting: Meeting) -> list[quorum.Attendee]:
    lines = lines_of(meeting)
    result = []
    for member in sheet_members(meeting):
        line = lines.get(member.id)
        result.append(
            quorum.Attendee(
                member_id=member.id,
                is_voting=member.is_voting,
                status=line.status if line else None,
                proxy_holder_id=line.proxy_holder_id if line else None,
                arrived_at=line.arrived_at if line else None,
                left_at=line.left_at if line else None,
            )
        )
    return result


def in_office(meeting: Meeting) -> int:
    """Voting members in office on the day: the base of a fractional quorum."""
    return sum(1 for m in sheet_members(meeting) if m.is_voting)


def quorum_at(meeting: Meeting, at: datetime | None = None) -> quorum.QuorumResult:
    """The quorum at *at* (now by default), from the sheet as recorded."""
    rules = meeting.rules
    presence = quorum.presence_at(
        attendees(meeting),
        at or utcnow(),
        in_office=in_office(meeting),
        proxies_allowed=rules.are_proxies_allowed,
    )
    return quorum.quorum(rules.quorum_rule, presence)


def voters_at(meeting: Meeting, at: datetime) -> list[quorum.Voter]:
    return quorum.voters_at(
        attendees(meeting), at, proxies_allowed=meeting.rules.are_proxies_allowed
    )


@dataclass(frozen=True)
class LineData:
    """What the secretary sets for one member (None: not recorded yet)."""

    member_id: int
    status: AttendanceStatus | None
    proxy_holder_id: int | None = None
    arrived: time | None = None
    left: time | None = None


def _check_proxies(
    meeting: Meeting, lines: dict[int, LineData], members: dict[int, CouncilMember]
) -> dict[str, Any]:
    """Holders are other voting members present, within the rules' limit."""
    rules = meeting.rules
    errors: dict[str, Any] = {}
    given: Counter[int] = Counter()
    for line in lines.values():
        if line.status is not AttendanceStatus.REPRESENTED:
            continue
        field = f"holder_{line.member_id}"
        holder = members.get(line.proxy_holder_id or 0)
        if not rules.are_proxies_allowed:
            errors[field] = _l("The council's rules do not allow proxies.")
        elif line.proxy_holder_id is None:
            errors[field] = _l("Choose the member who holds the proxy.")
        elif holder is None:
            errors[field] = _l(
                "The proxy holder must be a titular member of this council."
            )
        elif holder.id == line.member_id:
            errors[field] = _l("A member cannot hold their own proxy.")
        elif not members[line.member_id].is_voting or not holder.is_voting:
            errors[field] = _l("Only voting members give and hold proxies.")
        elif (holder_line := lines.get(holder.id)) is not None and (
            holder_line.status is not AttendanceStatus.PRESENT
        ):
            # Not recorded yet is fine: a proxy only counts while its holder is there.
            errors[field] = _l("The proxy holder must be present at the meeting.")
        else:
            given[holder.id] += 1
            if given[holder.id] > rules.max_proxies_per_holder:
                errors[field] = _l(
                    "This member already holds %(n)d proxies, the most the rules"
                    " allow.",
                    n=rules.max_proxies_per_holder,
                )
    return errors


def _check_times(meeting: Meeting, line: LineData) -> tuple[Any, Any, dict[str, Any]]:
    errors: dict[str, Any] = {}
    day = meeting.starts_paris.date()
    if line.status is not AttendanceStatus.PRESENT:
        if line.arrived or line.left:
            errors[f"arrived_{line.member_id}"] = _l(
                "Times are for members who are present."
            )
        return None, None, errors
    arrived = paris_moment(day, line.arrived) if line.arrived else None
    left = paris_moment(day, line.left) if line.left else None
    if arrived and left and left <= arrived:
        errors[f"left_{line.member_id}"] = _l("The departure comes after the arrival.")
    return arrived, left, errors


def record_attendance(meeting: Meeting, lines: list[LineData], actor: Actor) -> int:
    """Save the whole sheet at once: every line is valid or nothing is written.

    Returns how many lines changed.
    """
    require(
        can_run_meeting(actor, meeting),
        _l("Only the secretary of the council or staff record attendance."),
    )
    if meeting.state not in ATTENDANCE_STATES:
        raise Conflict(
            _l("Attendance is recorded once the members are convened, until the close.")
        )
    _lock(meeting)
    members = {m.id: m for m in sheet_members(meeting)}
    by_member = {line.member_id: line for line in lines}
    unknown = [mid for mid in by_member if mid not in members]
    if unknown:
        raise DomainError(_l("Someone on the sheet is not a member in office."))
    # Lines not sent keep what was recorded (a partial sheet is a valid sheet).
    current = lines_of(meeting)
    merged = {
        mid: by_member.get(mid)
        or LineData(
            member_id=mid,
            status=row.status,
            proxy_holder_id=row.proxy_holder_id,
        )
        for mid, row in current.items()
    }
    merged.update(by_member)
    errors = _check_proxies(meeting, {k: v for k, v in merged.items() if v}, members)
    times: dict[int, tuple[Any, Any]] = {}
    for line in by_member.values():
        arrived, left, problems = _check_times(meeting, line)
        errors.update(problems)
        times[line.member_id] = (arrived, left)
    if errors:
        raise FieldErrors(errors)
    changed = 0
    for line in by_member.values():
        changed += _write_line(meeting, current.get(line.member_id), line, times, actor)
    db.session.flush()
    result = quorum_at(meeting)
    record(
        "attendance_recorded",
        actor,
        meeting,
        changed=changed,
        quorum_counted=result.counted,
        quorum_required=result.required,
    )
    return changed


def _write_line(
    meeting: Meeting,
    row: Attendance | None,
    line: LineData,
    times: dict[int, tuple[Any, Any]],
    actor: Actor,
) -> int:
    if line.status is None:
        if row is not None:
            db.session.delete(row)
            return 1
        return 0
    arrived, left = times[line.member_id]
    holder = (
        line.proxy_holder_id if line.status is AttendanceStatus.REPRESENTED else None
    )
    if row is None:
        row = Attendance(meeting_id=meeting.id, member_id=line.member_id)
        db.session.add(row)
    elif (row.status, row.proxy_holder_id, row.arrived_at, row.left_at) == (
        line.status,
        holder,
        arrived,
        left,
    ):
        return 0
    row.status = line.status
    row.proxy_holder_id = holder
    row.arrived_at = arrived
    row.left_at = left
    row.is_declared_by_member = False
    row.recorded_at = utcnow()
    row.recorded_by_id = actor_id(actor)
    return 1


def mark_all_present(meeting: Meeting, actor: Actor) -> int:
    """Mark present every member of the sheet not recorded yet (then correct)."""
    current = lines_of(meeting)
    lines = [
        LineData(member_id=m.id, status=AttendanceStatus.PRESENT)
        for m in sheet_members(meeting)
        if m.id not in current
    ]
    if not lines:
        return 0
    return record_attendance(meeting, lines, actor)


# --- Proxies given by the members themselves --------------------------------


def give_proxy(meeting: Meeting, holder_id: int, actor: Actor) -> Attendance:
    """A member, before the meeting, gives their proxy to another voting member."""
    require(
        can_give_proxy(actor, meeting),
        _l("Only voting members give a proxy, before the meeting."),
    )
    _lock(meeting)
    giver = membership(actor, meeting.council_id)
    assert giver is not None
    members = {m.id: m for m in sheet_members(meeting)}
    holder = members.get(holder_id)
    rules = meeting.rules
    if holder is None or not holder.is_voting:
        raise DomainError(
            _l("The proxy holder must be a voting titular member of this council."),
            field="holder",
        )
    if holder.id == giver.id:
        raise DomainError(_l("A member cannot hold their own proxy."), field="holder")
    lines = lines_of(meeting)
    holder_line = lines.get(holder.id)
    if holder_line is not None and holder_line.status is AttendanceStatus.REPRESENTED:
        raise DomainError(
            _l("This member has given their own proxy: choose someone else."),
            field="holder",
        )
    held = sum(
        1
        for line in lines.values()
        if line.proxy_holder_id == holder.id and line.member_id != giver.id
    )
    if held >= rules.max_proxies_per_holder:
        raise DomainError(
            _l(
                "This member already holds %(n)d proxies, the most the rules allow.",
                n=rules.max_proxies_per_holder,
            ),
            field="holder",
        )
    if any(line.proxy_holder_id == giver.id for line in lines.values()):
        raise DomainError(
            _l("You hold a proxy for this meeting: you cannot give yours."),
            field="holder",
        )
    row = lines.get(giver.id) or Attendance(meeting_id=meeting.id, member_id=giver.id)
    row.status = AttendanceStatus.REPRESENTED
    row.proxy_holder_id = holder.id
    row.arrived_at = row.left_at = None
    row.is_declared_by_member = True
    row.recorded_at = utcnow()
    row.recorded_by_id = actor_id(actor)
    db.session.add(row)
    db.session.flush()
    record("proxy_given", actor, meeting, giver=giver.id, holder=holder.id)
    return row


def withdraw_proxy(meeting: Meeting, actor: Actor) -> None:
    member = membership(actor, meeting.council_id)
    if member is None or meeting.state not in PROXY_STATES:
        raise Conflict(_l("There is no proxy of yours to withdraw for this meeting."))
    row = lines_of(meeting).get(member.id)
    if row is None or row.status is not AttendanceStatus.REPRESENTED:
        raise Conflict(_l("There is no proxy of yours to withdraw for this meeting."))
    db.session.delete(row)
    db.session.flush()
    record("proxy_withdrawn", actor, meeting, giver=member.id)
