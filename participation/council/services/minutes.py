"""Minutes: a draft prefilled from the record, revisions, approval, errata."""

from __future__ import annotations

import difflib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ...core.actors import Actor, actor_id
from ...core.errors import Conflict, DomainError
from ...core.i18n import format_datetime
from ...core.i18n import lazy_gettext as _l
from ...core.outbox import queue_email
from ...core.time import utcnow
from ...core.workflow import Workflow, apply_transition
from ...extensions import db
from ..formats import moment
from ..models import (
    Deliberation,
    Meeting,
    Minutes,
    MinutesErratum,
    MinutesRevision,
    MinutesStateChange,
)
from ..names import public_name
from ..permissions import can_run_meeting
from ..states import (
    MINUTES_EDITABLE_STATES,
    MINUTES_TRANSITIONS,
    AttendanceStatus,
    MeetingState,
    MinutesAction,
    MinutesState,
)
from .attendance import lines_of, sheet_members
from .common import clean_text, record, require

MAX_BODY = 200_000


def _permission(actor: Actor, minutes: Minutes, action: MinutesAction) -> bool:
    return can_run_meeting(actor, minutes.meeting)


WORKFLOW: Workflow[MinutesState, MinutesAction] = Workflow(
    name="council_minutes",
    transitions=MINUTES_TRANSITIONS,
    history=MinutesStateChange,
    stamps={
        MinutesAction.PROPOSE: "proposed_at",
        MinutesAction.APPROVE: "approved_at",
        MinutesAction.PUBLISH: "published_at",
        MinutesAction.LOCK: "locked_at",
    },
    permission=_permission,
)


def _attendance_lines(meeting: Meeting) -> list[str]:
    display = meeting.council.name_display
    lines = lines_of(meeting)
    groups: dict[AttendanceStatus | None, list[str]] = {}
    for member in sheet_members(meeting):
        line = lines.get(member.id)
        status = line.status if line else AttendanceStatus.ABSENT
        name = public_name(member, display)
        if line is not None and line.proxy_holder is not None:
            name = _(
                "%(name)s (proxy to %(holder)s)",
                name=name,
                holder=public_name(line.proxy_holder, display),
            )
        groups.setdefault(status, []).append(name)
    out = []
    for status in AttendanceStatus:
        names = groups.get(status)
        if names:
            out.append(f"{status.label} ({len(names)}) : {', '.join(names)}")
    return out


def _deliberation_lines(deliberation: Deliberation) -> list[str]:
    return [
        _("Motion: %(text)s", text=deliberation.motion),
        _(
            "Vote (%(method)s): %(votes_for)d for, %(against)d against, %(abstain)d"
            " abstentions; %(entitled)d members entitled to vote, %(recused)d"
            " recused; quorum %(counted)d of %(required)d.",
            method=deliberation.method.label,
            votes_for=deliberation.votes_for,
            against=deliberation.votes_against,
            abstain=deliberation.abstentions,
            entitled=deliberation.entitled_count,
            recused=deliberation.recused_count,
            counted=deliberation.quorum_counted,
            required=deliberation.quorum_required,
        ),
        _(
            "Decision: %(outcome)s (%(majority)s).",
            outcome=deliberation.outcome.label,
            majority=deliberation.majority.label,
        ),
    ]


def prefill(meeting: Meeting) -> str:
    """The first draft: header, attendance, quorum, then each item and its vote.

    Written in the site's default language (French in production): the minutes
    are an official document of the council.
    """
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        out = [
            f"{meeting.council.name} — {meeting.title}",
            _(
                "%(kind)s of %(when)s, %(place)s.",
                kind=meeting.kind.label,
                when=moment(meeting.starts_at),
                place=meeting.place or meeting.video_url or "",
            ),
            "",
            _("Attendance"),
            *_attendance_lines(meeting),
        ]
        if meeting.opening_quorum_required is not None:
            out.append(
                _(
                    "Quorum at the opening: %(counted)d members present or"
                    " represented for %(required)d required.",
                    counted=meeting.opening_quorum_counted or 0,
                    required=meeting.opening_quorum_required,
                )
            )
        internal = 0
        for item in meeting.items:
            if meeting.is_public and not item.is_public:
                internal += 1  # kept out of minutes the public will read
                continue
            out += ["", f"{item.position}. {item.title}"]
            if item.description:
                out.append(item.description)
            out.append(_("Discussion: …"))
            if item.deliberation is not None:
                out += _deliberation_lines(item.deliberation)
        if internal:
            out += [
                "",
                ngettext(
                    "%(num)d internal item is recorded for the members only.",
                    "%(num)d internal items are recorded for the members only.",
                    internal,
                ),
            ]
    return "\n".join(out) + "\n"


def _diff(old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile="before",
            tofile="after",
        )
    )


def start_minutes(meeting: Meeting, actor: Actor) -> Minutes:
    """Create the draft, prefilled, as revision 1."""
    require(
        can_run_meeting(actor, meeting),
        _l("Only the secretary of the council or staff write the minutes."),
    )
    if meeting.state not in (MeetingState.OPEN, MeetingState.CLOSED):
        raise Conflict(_l("The minutes are written once the session has opened."))
    existing = db.session.scalar(
        sa.select(Minutes.id).where(Minutes.meeting_id == meeting.id)
    )
    if existing is not None:
        raise Conflict(_l("This meeting already has its minutes."))
    body = prefill(meeting)
    minutes = Minutes(
        meeting_id=meeting.id,
        body=body,
        revision_number=1,
        created_by_id=actor_id(actor),
    )
    minutes.revisions = [
        MinutesRevision(
            number=1, body=body, author_id=actor_id(actor), comment=_("Prefilled draft")
        )
    ]
    db.session.add(minutes)
    db.session.flush()
    db.session.refresh(meeting, ["minutes"])
    record("minutes_started", actor, minutes, meeting_id=meeting.id)
    return minutes


def edit_minutes(
    minutes: Minutes, body: str, actor: Actor, *, comment: str = ""
) -> MinutesRevision | None:
    """Change the text: a new revision with its diff, or None when nothing changed."""
    require(
        can_run_meeting(actor, minutes.meeting),
        _l("Only the secretary of the council or staff write the minutes."),
    )
    if minutes.state not in MINUTES_EDITABLE_STATES:
        if minutes.state is MinutesState.LOCKED:
            raise DomainError(
                _l("These minutes are locked: add an erratum instead."), field="body"
            )
        raise DomainError(
            _l("Approved minutes no longer change: publish them, then add errata."),
            field="body",
        )
    text = body.replace("\r\n", "\n")
    if not text.strip():
        raise DomainError(_l("The minutes cannot be empty."), field="body")
    if len(text) > MAX_BODY:
        raise DomainError(_l("At most %(n)d characters.", n=MAX_BODY), field="body")
    note = clean_text(comment, "comment", max_length=300, required=False)
    if text == minutes.body:
        return None
    revision = MinutesRevision(
        minutes_id=minutes.id,
        number=minutes.revision_number + 1,
        body=text,
        diff=_diff(minutes.body, text),
        comment=note,
        author_id=actor_id(actor),
    )
    minutes.revision_number = revision.number
    minutes.body = text
    db.session.add(revision)
    db.session.flush()
    record("minutes_revised", actor, minutes, revision=revision.number)
    return revision


def _notify_members(minutes: Minutes) -> int:
    """Tell the members with an e-mail address that the minutes are to review."""
    meeting = minutes.meeting
    sent = 0
    for member in sheet_members(meeting):
        user = member.user
        if not user.email:
            continue
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("Minutes to review: %(title)s", title=meeting.title)
            body = "\n".join(
                [
                    _("Hello %(name)s,", name=user.pseudonym),
                    "",
                    _(
                        "The draft minutes of the meeting “%(title)s” of %(when)s"
                        " are proposed to the members. Read them in your member"
                        " space; they will be put to the vote at the next meeting.",
                        title=meeting.title,
                        when=format_datetime(meeting.starts_at, "medium"),
                    ),
                ]
            )
        queue_email(user.email, subject, body)
        sent += 1
    return sent


def transition(
    minutes: Minutes,
    action: MinutesAction,
    actor: Actor,
    *,
    comment: str | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> MinutesState:
    """Propose, send back to draft, publish or lock (approval is a vote).

    Proposing tells the members by e-mail unless ``notify`` is False (minutes of a
    meeting held before the site was used, entered afterwards).
    """
    if action is MinutesAction.APPROVE:
        raise Conflict(
            _l("Minutes are approved by a vote at a later meeting, on its agenda.")
        )
    if (
        action is MinutesAction.PROPOSE
        and minutes.meeting.state is not MeetingState.CLOSED
    ):
        raise Conflict(_l("Close the session before proposing its minutes."))
    state = apply_transition(WORKFLOW, minutes, action, actor, comment=comment, now=now)
    if action is MinutesAction.PROPOSE and notify:
        _notify_members(minutes)
    return state


def approve(minutes: Minutes, deliberation: Deliberation, actor: Actor) -> MinutesState:
    """Approved by *deliberation*, an adopted vote of a later meeting."""
    meeting = deliberation.meeting
    minutes.approved_at_meeting_id = meeting.id
    return apply_transition(
        WORKFLOW,
        minutes,
        MinutesAction.APPROVE,
        actor,
        now=deliberation.voted_at,
        permission=lambda who, _m, _a: can_run_meeting(who, meeting),
        audit_details={"deliberation_id": deliberation.id, "meeting_id": meeting.id},
    )


def add_erratum(
    minutes: Minutes, text: str, actor: Actor, *, noted_at_meeting_id: int | None = None
) -> MinutesErratum:
    """Append a correction to locked minutes; their text itself never changes."""
    require(
        can_run_meeting(actor, minutes.meeting),
        _l("Only the secretary of the council or staff correct the minutes."),
    )
    if minutes.state is not MinutesState.LOCKED:
        raise Conflict(
            _l("Errata are for locked minutes; these can still be edited or locked.")
        )
    body = clean_text(text, "text", max_length=5000)
    if noted_at_meeting_id is not None:
        later = db.session.get(Meeting, noted_at_meeting_id)
        if later is None or later.council_id != minutes.meeting.council_id:
            raise DomainError(
                _l("Choose a meeting of this council."), field="noted_at_meeting_id"
            )
    number = (
        db.session.scalar(
            sa.select(sa.func.max(MinutesErratum.number)).where(
                MinutesErratum.minutes_id == minutes.id
            )
        )
        or 0
    ) + 1
    erratum = MinutesErratum(
        minutes_id=minutes.id,
        number=number,
        text=body,
        noted_at_meeting_id=noted_at_meeting_id,
        author_id=actor_id(actor),
        created_at=utcnow(),
    )
    db.session.add(erratum)
    db.session.flush()
    db.session.refresh(minutes, ["errata"])
    record("minutes_erratum", actor, minutes, number=number)
    return erratum
