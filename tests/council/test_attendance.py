"""Attendance sheet, proxies within the rules, quorum at the opening."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    PermissionDenied,
)
from participation.council.models import Attendance
from participation.council.services import attendance, councils, meetings, seats
from participation.council.states import AttendanceStatus, College, MeetingState

from .conftest import meeting_link

P, R, A, E = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.REPRESENTED,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


def line(member, status, holder=None, **times):
    return attendance.LineData(
        member_id=member.id,
        status=status,
        proxy_holder_id=holder.id if holder else None,
        **times,
    )


def rows(db, meeting) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Attendance)
        .where(Attendance.meeting_id == meeting.id)
    )


@pytest.fixture
def convened(council, members, make_meeting, convene):
    return convene(make_meeting(council))


def test_the_sheet_lists_the_titular_members_in_office(convened, members, make_member):
    substitute = make_member(convened.council, substitute_rank=1)

    sheet = attendance.sheet_members(convened)

    assert sheet == members
    assert substitute not in sheet


def test_a_proxy_counts_for_the_quorum_while_its_holder_is_present(
    db, convened, members
):
    a, b, c, d, _e, _f = members
    attendance.record_attendance(
        convened, [line(a, P), line(b, P), line(c, R, a), line(d, E)], SYSTEM
    )

    result = attendance.quorum_at(convened)

    assert (result.present, result.represented, result.required) == (2, 1, 3)
    assert result.met  # exactly at quorum: 3 of 6 voting members
    assert rows(db, convened) == 4


def test_a_proxy_beyond_the_limit_is_refused_and_nothing_is_written(
    db, convened, members
):
    a, b, c, *_ = members

    with pytest.raises(FieldErrors) as raised:
        attendance.record_attendance(
            convened, [line(a, P), line(b, R, a), line(c, R, a)], SYSTEM
        )

    assert "holds 1 proxies" in str(raised.value.errors[f"holder_{c.id}"])
    assert rows(db, convened) == 0


def test_a_proxy_to_a_non_member_or_to_oneself_is_refused(
    db, convened, members, make_council, make_member
):
    a, b, *_ = members
    stranger = make_member(make_council())

    with pytest.raises(FieldErrors) as raised:
        attendance.record_attendance(
            convened, [line(a, P), line(b, R, stranger)], SYSTEM
        )
    assert "titular member of this council" in str(
        raised.value.errors[f"holder_{b.id}"]
    )
    with pytest.raises(FieldErrors):
        attendance.record_attendance(convened, [line(a, R, a)], SYSTEM)
    assert rows(db, convened) == 0


def test_the_holder_must_be_present(convened, members):
    a, b, *_ = members

    with pytest.raises(FieldErrors) as raised:
        attendance.record_attendance(convened, [line(a, E), line(b, R, a)], SYSTEM)

    assert "must be present" in str(raised.value.errors[f"holder_{b.id}"])


def test_proxies_are_refused_when_the_rules_forbid_them(
    db, council, members, make_meeting, convene
):
    councils.adopt_rules(
        council,
        councils.RulesData(text="Pas de pouvoirs.", are_proxies_allowed=False),
        SYSTEM,
    )
    meeting = convene(make_meeting(council))
    a, b, *_ = members

    with pytest.raises(FieldErrors) as raised:
        attendance.record_attendance(meeting, [line(a, P), line(b, R, a)], SYSTEM)

    assert "do not allow proxies" in str(raised.value.errors[f"holder_{b.id}"])


def test_arrival_and_departure_times_are_kept_in_paris_time(convened, members):
    a, *_ = members
    attendance.record_attendance(
        convened, [line(a, P, arrived=time(18, 20), left=time(19, 5))], SYSTEM
    )

    row = attendance.lines_of(convened)[a.id]

    assert row.arrived_at is not None
    assert row.left_at is not None
    assert row.arrived_at.astimezone(convened.starts_paris.tzinfo).time() == time(
        18, 20
    )
    with pytest.raises(FieldErrors):
        attendance.record_attendance(
            convened, [line(a, P, arrived=time(19, 0), left=time(18, 0))], SYSTEM
        )


def test_opening_takes_the_quorum_and_mark_all_present_fills_the_rest(
    convened, members
):
    a, b, *_ = members
    attendance.record_attendance(convened, [line(a, E), line(b, A)], SYSTEM)

    changed = attendance.mark_all_present(convened, SYSTEM)
    result = meetings.open_meeting(convened, SYSTEM)

    assert changed == 4
    assert convened.state is MeetingState.OPEN
    assert (convened.opening_quorum_counted, convened.opening_quorum_required) == (4, 3)
    assert result.met


def test_attendance_is_refused_before_convening_and_after_closing(
    council, members, make_meeting, open_meeting
):
    planned = make_meeting(council)
    with pytest.raises(Conflict):
        attendance.record_attendance(planned, [line(members[0], P)], SYSTEM)

    meeting = open_meeting(make_meeting(council), members)
    meetings.close_meeting(meeting, SYSTEM)
    with pytest.raises(Conflict):
        attendance.record_attendance(meeting, [line(members[0], A)], SYSTEM)


def test_a_resident_cannot_record_attendance(convened, members, resident):
    with pytest.raises(PermissionDenied):
        attendance.record_attendance(convened, [line(members[0], P)], resident)


def test_the_secretary_records_attendance(db, convened, members):
    secretary = members[0]
    seats.update_member(
        secretary,
        seats.SeatChanges(
            mandate_starts_on=secretary.mandate_starts_on,
            mandate_ends_on=None,
            is_voting=True,
            is_secretary=True,
            substitute_rank=None,
        ),
        SYSTEM,
    )

    attendance.record_attendance(convened, [line(members[1], P)], secretary.user)

    assert rows(db, convened) == 1


def test_a_member_gives_a_proxy_before_the_meeting_within_the_limit(
    db, council, members, make_meeting, make_member
):
    meeting = make_meeting(council)
    a, b, c, *_ = members
    meetings.convene(meeting, SYSTEM, meeting_url=meeting_link)

    attendance.give_proxy(meeting, a.id, b.user)

    row = attendance.lines_of(meeting)[b.id]
    assert (row.status, row.proxy_holder_id, row.is_declared_by_member) == (
        R,
        a.id,
        True,
    )
    with pytest.raises(DomainError, match="already holds 1"):
        attendance.give_proxy(meeting, a.id, c.user)
    with pytest.raises(DomainError, match="hold a proxy"):
        attendance.give_proxy(meeting, c.id, a.user)
    local_actor = make_member(council, college=College.LOCAL_ACTORS, substitute_rank=1)
    with pytest.raises(DomainError):
        attendance.give_proxy(meeting, local_actor.id, c.user)
    attendance.withdraw_proxy(meeting, b.user)
    assert b.id not in attendance.lines_of(meeting)


def test_the_database_keeps_one_attendance_line_per_member(db, convened, members):
    for _ in range(2):
        db.session.add(
            Attendance(meeting_id=convened.id, member_id=members[0].id, status=P)
        )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_the_database_refuses_a_represented_member_without_holder(
    db, convened, members
):
    db.session.add(
        Attendance(meeting_id=convened.id, member_id=members[0].id, status=R)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
