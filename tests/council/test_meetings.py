"""Meetings: planning, agenda order, convocations (.ics by e-mail, paper), feed."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import OutboxMessage
from participation.core.outbox import build_message
from participation.core.time import utcnow
from participation.council.models import Convocation, MeetingStateChange
from participation.council.services import meetings
from participation.council.states import (
    AgendaItemKind,
    ConvocationChannel,
    MeetingAction,
    MeetingState,
)

from .conftest import meeting_link, paris


def test_a_meeting_needs_a_place_or_a_link_and_to_end_after_it_starts(council, staff):
    start = paris(2026, 5, 12)
    with pytest.raises(FieldErrors) as raised:
        meetings.create_meeting(
            council,
            meetings.MeetingData(title="Plénière", starts_at=start, ends_at=start),
            staff,
        )
    assert set(raised.value.errors) == {"place", "ends_at"}


def test_residents_cannot_plan_a_meeting(council, resident):
    start = paris(2026, 5, 12)
    with pytest.raises(PermissionDenied):
        meetings.create_meeting(
            council,
            meetings.MeetingData(
                title="x",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                place="y",
            ),
            resident,
        )


def test_agenda_items_keep_their_order_when_moved_and_removed(council, make_meeting):
    meeting = make_meeting(
        council,
        items=(
            AgendaItemKind.INFORMATION,
            AgendaItemKind.DELIBERATION,
            AgendaItemKind.FPH_FILE,
        ),
    )
    first, second, third = meeting.items

    meetings.move_item(third, True, SYSTEM)
    assert [i.title for i in meeting.items] == ["Point 1", "Point 3", "Point 2"]
    meetings.remove_item(first, SYSTEM)
    assert [(i.position, i.title) for i in meeting.items] == [
        (1, "Point 3"),
        (2, "Point 2"),
    ]
    assert third.decision_kind.value == "fph_grant"
    assert second.decision_kind.value == "ordinary"


def test_an_approval_item_must_name_proposed_minutes_of_an_earlier_meeting(
    council, make_meeting
):
    meeting = make_meeting(council, items=())

    with pytest.raises(FieldErrors) as raised:
        meetings.add_item(
            meeting,
            meetings.ItemData(kind=AgendaItemKind.MINUTES_APPROVAL, title="PV"),
            SYSTEM,
        )
    assert "minutes_id" in raised.value.errors


def test_convocation_sends_an_email_with_an_ics_in_paris_time(
    db, council, members, make_meeting, staff
):
    meeting = make_meeting(council, starts_at=paris(2026, 12, 3, 18))

    report = meetings.convene(
        meeting, staff, meeting_url=meeting_link, now=paris(2026, 11, 1)
    )
    db.session.commit()

    assert len(report.emailed) == len(members)
    assert not report.is_late
    assert meeting.state is MeetingState.CONVENED
    assert meeting.history[-1].action is MeetingAction.CONVENE
    message = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.to_address == members[0].user.email
        )
    ).one()
    assert "Convocation" in message.subject
    assert "Point 2" in message.body_text
    email = message_from_bytes(bytes(build_message(message)), policy=policy.default)
    attachment = next(email.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert start.tzinfo == ZoneInfo("Europe/Paris")
    assert (start.hour, start.minute) == (18, 0)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(event["UID"]) == f"council-meeting-{meeting.id}@participation"
    assert meeting_link(meeting) == str(event["URL"])


def test_members_without_email_get_a_paper_convocation_via_their_relay(
    db, council, make_member, make_meeting, make_user
):
    from participation.accounts.states import Role

    relay = make_user(roles=(Role.RELAY,), pseudonym="Relais Conte")
    paper_member = make_member(council, no_email=True, relay_id=relay.id)
    make_member(council)
    meeting = make_meeting(council)

    report = meetings.convene(meeting, SYSTEM, meeting_url=meeting_link)

    assert report.on_paper == [paper_member]
    convocation = db.session.scalars(
        sa.select(Convocation).where(Convocation.member_id == paper_member.id)
    ).one()
    assert convocation.channel is ConvocationChannel.PAPER
    assert convocation.relay_id == relay.id


def test_a_late_convocation_is_sent_and_flagged_but_never_after_the_start(
    council, members, make_meeting
):
    meeting = make_meeting(council, starts_at=utcnow() + timedelta(days=2))
    report = meetings.convene(meeting, SYSTEM, meeting_url=meeting_link)
    assert report.is_late
    assert meeting.is_notice_late

    past = make_meeting(council, starts_at=utcnow() + timedelta(hours=1))
    with pytest.raises(Conflict):
        meetings.convene(
            past, SYSTEM, meeting_url=meeting_link, now=utcnow() + timedelta(hours=2)
        )
    assert past.state is MeetingState.PLANNED


def test_a_meeting_without_agenda_cannot_be_convened(council, members, make_meeting):
    meeting = make_meeting(council, items=())

    with pytest.raises(Conflict, match="agenda"):
        meetings.convene(meeting, SYSTEM, meeting_url=meeting_link)


def test_the_daily_job_convenes_meetings_whose_notice_period_started(
    db, council, members, make_meeting
):
    soon = make_meeting(council, starts_at=utcnow() + timedelta(days=5))
    later = make_meeting(council, starts_at=utcnow() + timedelta(days=30))

    sent = meetings.send_due_convocations(SYSTEM, meeting_url=meeting_link)

    assert sent == [soon]
    assert later.state is MeetingState.PLANNED


def test_cancelling_is_recorded_with_its_reason(db, council, members, make_meeting):
    meeting = make_meeting(council)
    meetings.cancel_meeting(meeting, "Salle indisponible", SYSTEM)

    assert meeting.state is MeetingState.CANCELLED
    assert meeting.cancel_reason == "Salle indisponible"
    with pytest.raises(Conflict, match="locked"):
        meetings.convene(meeting, SYSTEM, meeting_url=meeting_link)
    history = db.session.scalars(
        sa.select(MeetingStateChange).where(MeetingStateChange.meeting_id == meeting.id)
    ).all()
    assert [h.to_state for h in history] == [MeetingState.CANCELLED]


@pytest.mark.parametrize("state", list(MeetingState), ids=lambda s: s.value)
def test_every_meeting_action_from_each_state(state):
    for action in MeetingAction:
        expected = meetings.MEETING_TRANSITIONS.get((state, action))
        if expected is None:
            with pytest.raises(Conflict):
                meetings.WORKFLOW.next_state(state, action)
        else:
            assert meetings.WORKFLOW.next_state(state, action) is expected


def test_a_meeting_convened_outside_the_site_is_recorded_without_email(
    db, council, members, make_meeting
):
    meeting = make_meeting(council)

    report = meetings.convene(
        meeting, SYSTEM, meeting_url=meeting_link, send_emails=False
    )

    assert len(report.emailed) == len(members)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    convocations = meetings.convocations(meeting)
    assert len(convocations) == len(members)
    assert all(c.outbox_message_id is None for c in convocations)
