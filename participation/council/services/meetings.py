"""Meetings: planning, agenda, convocations (e-mail with .ics, or paper), sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError, FieldErrors
from ...core.i18n import format_datetime
from ...core.i18n import lazy_gettext as _l
from ...core.outbox import queue_email
from ...core.texts import TextsByLanguage, clean_texts_by_language
from ...core.time import utcnow
from ...core.workflow import Workflow, apply_transition
from ...extensions import db
from .. import ical
from ..formats import moment
from ..models import (
    AgendaItem,
    Convocation,
    Council,
    CouncilMember,
    Meeting,
    MeetingStateChange,
    Minutes,
)
from ..permissions import can_manage_councils, can_run_meeting
from ..states import (
    AGENDA_EDITABLE_STATES,
    MEETING_TRANSITIONS,
    AgendaItemKind,
    ConvocationChannel,
    DecisionKind,
    MeetingAction,
    MeetingKind,
    MeetingState,
    MinutesState,
)
from .common import clean_text, collect, record, require

MAX_MEETING_HOURS = 12
#: Kind of decision each voting item takes unless staff choose another.
DEFAULT_DECISION = {
    AgendaItemKind.DELIBERATION: DecisionKind.ORDINARY,
    AgendaItemKind.FPH_FILE: DecisionKind.FPH_GRANT,
    AgendaItemKind.MINUTES_APPROVAL: DecisionKind.MINUTES_APPROVAL,
}
#: Builds the public link of a meeting (views pass url_for, the CLI its own).
MeetingUrl = Callable[[Meeting], str]


def _permission(actor: Actor, meeting: Meeting, action: MeetingAction) -> bool:
    if action in (MeetingAction.CONVENE, MeetingAction.CANCEL):
        return can_manage_councils(actor)
    return can_run_meeting(actor, meeting)


WORKFLOW: Workflow[MeetingState, MeetingAction] = Workflow(
    name="council_meeting",
    transitions=MEETING_TRANSITIONS,
    history=MeetingStateChange,
    stamps={
        MeetingAction.CONVENE: "convened_at",
        MeetingAction.OPEN: "opened_at",
        MeetingAction.CLOSE: "closed_at",
        MeetingAction.CANCEL: "cancelled_at",
    },
    permission=_permission,
)


def _staff(actor: Actor) -> None:
    require(
        can_manage_councils(actor),
        _l("Only the politique de la ville staff plan meetings."),
    )


def _allowed(meeting: Meeting, action: MeetingAction) -> None:
    """A clear refusal before any side effect (the applier checks again)."""
    if not WORKFLOW.allows(meeting.state, action):
        if meeting.is_locked:
            raise Conflict(
                _l("This meeting is closed or cancelled: its record is locked.")
            )
        raise Conflict(_l("This is not possible at this stage of the meeting."))


# --- Planning ---------------------------------------------------------------


@dataclass(frozen=True)
class MeetingData:
    title: str
    starts_at: datetime
    ends_at: datetime
    kind: MeetingKind = MeetingKind.PLENARY
    place: str = ""
    video_url: str | None = None
    is_public: bool = True


def _check_meeting(data: MeetingData) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    values["title"] = collect(
        errors, "title", lambda: clean_text(data.title, "title", max_length=200)
    )
    values["place"] = collect(
        errors,
        "place",
        lambda: clean_text(data.place, "place", max_length=200, required=False),
    )
    video = (data.video_url or "").strip() or None
    if video is not None and (
        not video.startswith(("https://", "http://")) or len(video) > 500
    ):
        errors["video_url"] = _l("A web address starting with https://.")
    values["video_url"] = video
    if not values.get("place") and video is None and "place" not in errors:
        errors["place"] = _l("Give the place of the meeting or its video link.")
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = _l("The meeting must end after it starts.")
    elif data.ends_at - data.starts_at > timedelta(hours=MAX_MEETING_HOURS):
        errors["ends_at"] = _l(
            "A meeting lasts at most %(n)d hours.", n=MAX_MEETING_HOURS
        )
    if errors:
        raise FieldErrors(errors)
    return values


def create_meeting(
    council: Council, data: MeetingData, actor: Actor, *, now: datetime | None = None
) -> Meeting:
    """Plan a meeting under the council's rules in force."""
    _staff(actor)
    values = _check_meeting(data)
    meeting = Meeting(
        council_id=council.id,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        is_public=data.is_public,
        rules_id=council.rules.id,
        created_by_id=actor_id(actor),
        state_changed_at=now or utcnow(),
        **values,
    )
    db.session.add(meeting)
    db.session.flush()
    record(
        "meeting_created",
        actor,
        meeting,
        council_id=council.id,
        kind=meeting.kind.value,
        starts_at=meeting.starts_at,
    )
    return meeting


def update_meeting(meeting: Meeting, data: MeetingData, actor: Actor) -> Meeting:
    """Change a meeting before its convocation (after it, cancel and plan again)."""
    _staff(actor)
    if meeting.state is not MeetingState.PLANNED:
        raise Conflict(_l("The members are convened: cancel the meeting to change it."))
    values = _check_meeting(data)
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.kind = data.kind
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.is_public = data.is_public
    meeting.sequence += 1
    db.session.flush()
    record("meeting_updated", actor, meeting, starts_at=meeting.starts_at)
    return meeting


# --- Agenda -----------------------------------------------------------------


@dataclass(frozen=True)
class ItemData:
    kind: AgendaItemKind
    title: str
    description: str = ""
    is_public: bool = True
    decision_kind: DecisionKind | None = None
    minutes_id: int | None = None
    #: The title and details in other languages: ``{"ar": {"title": ...}}``.
    texts_by_language: TextsByLanguage | None = None


def minutes_to_approve(meeting: Meeting) -> list[Minutes]:
    """Proposed minutes of earlier meetings of the same council."""
    return list(
        db.session.scalars(
            sa.select(Minutes)
            .join(Meeting, Meeting.id == Minutes.meeting_id)
            .where(
                Meeting.council_id == meeting.council_id,
                Meeting.starts_at < meeting.starts_at,
                Minutes.state == MinutesState.PROPOSED,
            )
            .order_by(Meeting.starts_at)
        )
    )


def _check_item(meeting: Meeting, data: ItemData) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    values["title"] = collect(
        errors, "title", lambda: clean_text(data.title, "title", max_length=200)
    )
    values["description"] = collect(
        errors,
        "description",
        lambda: clean_text(
            data.description, "description", max_length=10_000, required=False
        ),
    )
    values["texts_by_language"] = clean_texts_by_language(
        data.texts_by_language,
        {"title": data.title, "description": data.description},
        errors,
    )
    values["minutes_id"] = None
    if data.kind is AgendaItemKind.MINUTES_APPROVAL:
        allowed = {m.id for m in minutes_to_approve(meeting)}
        if data.minutes_id not in allowed:
            errors["minutes_id"] = _l(
                "Choose proposed minutes of an earlier meeting of this council."
            )
        values["minutes_id"] = data.minutes_id
    if errors:
        raise FieldErrors(errors)
    default = DEFAULT_DECISION.get(data.kind)
    if data.kind is AgendaItemKind.MINUTES_APPROVAL:
        values["decision_kind"] = DecisionKind.MINUTES_APPROVAL
    elif default is not None:
        values["decision_kind"] = data.decision_kind or default
    else:
        values["decision_kind"] = None
    return values


def _editable_agenda(meeting: Meeting) -> None:
    if meeting.state not in AGENDA_EDITABLE_STATES:
        raise Conflict(
            _l("The agenda of an open, closed or cancelled meeting is fixed.")
        )


def add_item(meeting: Meeting, data: ItemData, actor: Actor) -> AgendaItem:
    """Append an item to the agenda."""
    _staff(actor)
    _editable_agenda(meeting)
    values = _check_item(meeting, data)
    position = (max((i.position for i in meeting.items), default=0)) + 1
    item = AgendaItem(
        meeting_id=meeting.id,
        position=position,
        kind=data.kind,
        is_public=data.is_public,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    db.session.refresh(meeting, ["items"])
    record(
        "agenda_item_added", actor, item, meeting_id=meeting.id, kind=item.kind.value
    )
    return item


def remove_item(item: AgendaItem, actor: Actor) -> None:
    """Take an item off the agenda; the following ones move up."""
    _staff(actor)
    meeting = item.meeting
    _editable_agenda(meeting)
    removed = item.position
    db.session.delete(item)
    db.session.flush()
    for other in sorted(meeting.items, key=lambda i: i.position):
        if other.position > removed:
            other.position -= 1
            db.session.flush()
    db.session.refresh(meeting, ["items"])
    record("agenda_item_removed", actor, meeting, position=removed)


def move_item(item: AgendaItem, up: bool, actor: Actor) -> None:
    """Swap an item with the one before (or after) it."""
    _staff(actor)
    meeting = item.meeting
    _editable_agenda(meeting)
    target = item.position - 1 if up else item.position + 1
    other = next((i for i in meeting.items if i.position == target), None)
    if other is None:
        return
    old = item.position
    item.position = max(i.position for i in meeting.items) + 1  # out of the way
    db.session.flush()
    other.position = old
    db.session.flush()
    item.position = target
    db.session.flush()
    db.session.refresh(meeting, ["items"])
    record("agenda_item_moved", actor, item, position=target)


# --- Convocations -----------------------------------------------------------


def recipients(meeting: Meeting) -> list[CouncilMember]:
    """Titular members in office on the day of the meeting."""
    day = meeting.starts_paris.date()
    members = db.session.scalars(
        sa.select(CouncilMember)
        .where(CouncilMember.council_id == meeting.council_id)
        .order_by(CouncilMember.id)
    )
    return [m for m in members if m.in_office_on(day)]


def calendar_event(meeting: Meeting, url: str) -> ical.CalendarEvent:
    council = meeting.council
    agenda = "\n".join(
        f"{item.position}. {item.title}" for item in meeting.items if item.is_public
    )
    location = meeting.place or ""
    if meeting.video_url:
        location = (
            f"{location} — {meeting.video_url}" if location else meeting.video_url
        )
    return ical.CalendarEvent(
        uid=ical.meeting_uid(meeting.id),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{council.name} — {meeting.title}",
        location=location,
        description=agenda,
        url=url,
        sequence=meeting.sequence,
        is_cancelled=meeting.state is MeetingState.CANCELLED,
        stamp=meeting.convened_at or meeting.created_at,
    )


def invitation(meeting: Meeting, url: str) -> bytes:
    """The .ics invitation attached to the convocation e-mail."""
    return ical.calendar(
        [calendar_event(meeting, url)], stamp=utcnow(), method="REQUEST"
    )


def _email(meeting: Meeting, member: CouncilMember, url: str) -> tuple[str, str]:
    """Subject and text of the convocation, in the member's language."""
    user = member.user
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        when = moment(meeting.starts_at)
        subject = _(
            "Convocation: %(council)s, %(title)s, %(when)s",
            council=meeting.council.name,
            title=meeting.title,
            when=format_datetime(meeting.starts_at, "short"),
        )
        lines = [
            _("Hello %(name)s,", name=user.pseudonym),
            "",
            _(
                "You are convened to the meeting “%(title)s” of the %(council)s"
                " (%(kind)s).",
                title=meeting.title,
                council=meeting.council.name,
                kind=meeting.kind.label,
            ),
            _("When: %(when)s", when=when),
        ]
        if meeting.place:
            lines.append(_("Where: %(place)s", place=meeting.place))
        if meeting.video_url:
            lines.append(_("Video link: %(url)s", url=meeting.video_url))
        lines += ["", _("Agenda:")]
        lines += [f"{i.position}. {i.title}" for i in meeting.items]
        lines += [
            "",
            _(
                "If you cannot come, tell the secretary and, if you wish, give"
                " your proxy to another member from your member space."
            ),
            _(
                "The calendar invitation is attached. The meeting's page: %(url)s",
                url=url,
            ),
        ]
    return subject, "\n".join(lines)


@dataclass
class ConveneReport:
    emailed: list[CouncilMember] = field(default_factory=list)
    on_paper: list[CouncilMember] = field(default_factory=list)
    is_late: bool = False


def convene(
    meeting: Meeting,
    actor: Actor,
    *,
    meeting_url: MeetingUrl,
    now: datetime | None = None,
    send_emails: bool = True,
) -> ConveneReport:
    """Send the convocation: e-mail with the .ics, or a paper letter via the relay.

    Sending later than the rules' notice period is possible (an urgent meeting) and
    recorded as late. ``send_emails=False`` records a convocation made outside the
    site (the history of meetings held before the site was used): same rows, no
    e-mail.
    """
    _staff(actor)
    _allowed(meeting, MeetingAction.CONVENE)
    now = now or utcnow()
    if meeting.starts_at <= now:
        raise Conflict(_l("The meeting has started: it is too late to convene it."))
    if not meeting.items:
        raise Conflict(_l("Put at least one item on the agenda before convening."))
    meeting.rules_id = meeting.council.rules.id
    db.session.flush()
    db.session.refresh(meeting, ["rules"])
    report = ConveneReport(
        is_late=meeting.starts_at - now < timedelta(days=meeting.rules.notice_days)
    )
    url = meeting_url(meeting)
    attachment = ("convocation.ics", "text/calendar", invitation(meeting, url))
    for member in recipients(meeting):
        convocation = Convocation(
            meeting_id=meeting.id, member_id=member.id, sent_at=now
        )
        if member.user.email:
            convocation.channel = ConvocationChannel.EMAIL
            if send_emails:
                subject, body = _email(meeting, member, url)
                message = queue_email(
                    member.user.email, subject, body, attachment=attachment
                )
                convocation.outbox_message_id = message.id
            report.emailed.append(member)
        else:
            convocation.channel = ConvocationChannel.PAPER
            convocation.relay_id = member.user.managed_by_id
            report.on_paper.append(member)
        db.session.add(convocation)
    meeting.is_notice_late = report.is_late
    apply_transition(
        WORKFLOW,
        meeting,
        MeetingAction.CONVENE,
        actor,
        now=now,
        audit_details={
            "emailed": len(report.emailed),
            "on_paper": len(report.on_paper),
            "late": report.is_late,
            "sent_by_site": send_emails,
        },
    )
    return report


def convocations(meeting: Meeting) -> list[Convocation]:
    return list(
        db.session.scalars(
            sa.select(Convocation)
            .where(Convocation.meeting_id == meeting.id)
            .order_by(Convocation.channel, Convocation.member_id)
        )
    )


def due_meetings(now: datetime) -> list[Meeting]:
    """Planned meetings whose notice period has begun and that have an agenda."""
    planned = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.state == MeetingState.PLANNED, Meeting.starts_at > now
        )
    )
    return [
        m
        for m in planned
        if m.items and m.starts_at - timedelta(days=m.council.rules.notice_days) <= now
    ]


def send_due_convocations(
    actor: Actor, *, meeting_url: MeetingUrl, now: datetime | None = None
) -> list[Meeting]:
    """The daily job: convene every meeting whose notice period starts today."""
    now = now or utcnow()
    sent = []
    for meeting in due_meetings(now):
        convene(meeting, actor, meeting_url=meeting_url, now=now)
        sent.append(meeting)
    return sent


# --- Session ----------------------------------------------------------------


def open_meeting(meeting: Meeting, actor: Actor, *, now: datetime | None = None) -> Any:
    """Open the session and take the quorum from the attendance recorded so far."""
    from .attendance import quorum_at

    require(can_run_meeting(actor, meeting))
    _allowed(meeting, MeetingAction.OPEN)
    now = now or utcnow()
    result = quorum_at(meeting, now)
    meeting.opening_quorum_required = result.required
    meeting.opening_quorum_counted = result.counted
    apply_transition(
        WORKFLOW,
        meeting,
        MeetingAction.OPEN,
        actor,
        now=now,
        audit_details={"quorum_required": result.required, "counted": result.counted},
    )
    return result


def close_meeting(
    meeting: Meeting, actor: Actor, *, now: datetime | None = None
) -> None:
    require(can_run_meeting(actor, meeting))
    _allowed(meeting, MeetingAction.CLOSE)
    apply_transition(WORKFLOW, meeting, MeetingAction.CLOSE, actor, now=now)


def cancel_meeting(meeting: Meeting, reason: str, actor: Actor) -> None:
    _staff(actor)
    _allowed(meeting, MeetingAction.CANCEL)
    text = clean_text(reason, "reason", max_length=300)
    meeting.cancel_reason = text
    meeting.sequence += 1
    apply_transition(WORKFLOW, meeting, MeetingAction.CANCEL, actor, comment=text)


def check_editable(meeting: Meeting) -> None:
    """Refuse writing to the record of a closed or cancelled meeting."""
    if meeting.is_locked:
        raise DomainError(
            _l("This meeting is closed or cancelled: its record is locked.")
        )
