"""Pages that run a meeting: planning and agenda (staff), convocation, attendance,
opening, votes and closing (staff or the council's secretary)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ...core.converters import ascii_int
from ...core.decorators import require
from ...core.time import PARIS, today_paris, utcnow
from ...core.web import submit
from ...extensions import db
from .. import pdf, queries
from ..forms import (
    ActionForm,
    CancelForm,
    ItemForm,
    MeetingForm,
    attendance_form_class,
    vote_form_class,
)
from ..models import AgendaItem, Council, Meeting
from ..names import staff_name
from ..permissions import can_manage_councils, can_run_meeting
from ..services import attendance, deliberations, meetings
from ..states import (
    AGENDA_EDITABLE_STATES,
    ATTENDANCE_STATES,
    AgendaItemKind,
    AttendanceStatus,
    ConvocationChannel,
    DecisionKind,
    MeetingKind,
    MeetingState,
    VoteChoice,
    VoteMethod,
)
from . import bp, me, refuse_unless, signed_in
from .public import meeting_url

VOTE_CHOICES = frozenset(choice.value for choice in VoteChoice)


def _meeting(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def _run(meeting: Meeting) -> None:
    refuse_unless(can_run_meeting(current_user, meeting))


def _back(meeting: Meeting) -> str:
    return url_for("council.meeting_manage", meeting_id=meeting.id)


@bp.get("/<int:council_id>/meetings")
@require(can_manage_councils)
def meeting_list(council_id: int) -> ResponseReturnValue:
    council = db.get_or_404(Council, council_id)
    return render_template(
        "council/meeting_list.html",
        council=council,
        meetings=queries.meetings_of(council, public_only=False),
    )


def _meeting_data(form: MeetingForm) -> meetings.MeetingData:
    day = form.day.data
    starts = datetime.combine(day, form.starts.data, tzinfo=PARIS)
    ends = datetime.combine(day, form.ends.data, tzinfo=PARIS)
    return meetings.MeetingData(
        title=form.title.data or "",
        kind=MeetingKind(form.kind.data),
        starts_at=starts,
        ends_at=ends,
        place=form.place.data or "",
        video_url=form.video_url.data,
        is_public=bool(form.is_public.data),
    )


@bp.route("/<int:council_id>/meetings/new", methods=["GET", "POST"])
@require(can_manage_councils)
def meeting_create(council_id: int) -> ResponseReturnValue:
    council = db.get_or_404(Council, council_id)
    form = MeetingForm()
    if request.method == "GET":
        form.day.data = today_paris() + timedelta(days=council.rules.notice_days + 1)
    if form.validate_on_submit():
        response = submit(
            lambda: meetings.create_meeting(council, _meeting_data(form), me()),
            form=form,
            once=form.form_token.data,
            success=_("The meeting is planned. Prepare its agenda."),
            redirect_to=lambda meeting: _back(meeting),
        )
        if response is not None:
            return response
    return render_template(
        "council/meeting_form.html", form=form, council=council, meeting=None
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@require(can_manage_councils)
def meeting_edit(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        start = meeting.starts_at.astimezone(PARIS)
        form.kind.data = meeting.kind.value
        form.day.data = start.date()
        form.starts.data = start.time()
        form.ends.data = meeting.ends_at.astimezone(PARIS).time()
    if form.validate_on_submit():
        response = submit(
            lambda: meetings.update_meeting(meeting, _meeting_data(form), me()),
            form=form,
            success=_("The meeting is saved."),
            redirect_to=_back(meeting),
        )
        if response is not None:
            return response
    return render_template(
        "council/meeting_form.html", form=form, council=meeting.council, meeting=meeting
    )


@bp.get("/meetings/<int:meeting_id>/manage")
@require(signed_in)
def meeting_manage(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    return render_template(
        "council/meeting_manage.html",
        meeting=meeting,
        council=meeting.council,
        quorum=attendance.quorum_at(meeting),
        convocations=meetings.convocations(meeting),
        action_form=ActionForm(),
        is_staff=can_manage_councils(current_user),
        agenda_editable=meeting.state in AGENDA_EDITABLE_STATES,
        attendance_open=meeting.state in ATTENDANCE_STATES,
        paper=ConvocationChannel.PAPER,
    )


# --- Agenda -------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/items/new", methods=["GET", "POST"])
@require(can_manage_councils)
def item_create(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    form = ItemForm()
    to_approve = meetings.minutes_to_approve(meeting)
    form.minutes_id.choices = [("", "—")] + [
        (str(m.id), f"{m.meeting.title} — {m.meeting.starts_paris:%d/%m/%Y}")
        for m in to_approve
    ]
    if form.validate_on_submit():
        minutes_id = form.minutes_id.data
        data = meetings.ItemData(
            kind=AgendaItemKind(form.kind.data),
            title=form.title.data or "",
            description=form.description.data or "",
            is_public=bool(form.is_public.data),
            decision_kind=DecisionKind(form.decision_kind.data)
            if form.decision_kind.data
            else None,
            minutes_id=ascii_int(minutes_id),
            texts_by_language=form.texts_by_language(),
        )
        response = submit(
            lambda: meetings.add_item(meeting, data, me()),
            form=form,
            once=form.form_token.data,
            success=_("The item is on the agenda."),
            redirect_to=_back(meeting),
        )
        if response is not None:
            return response
    return render_template(
        "council/item_form.html",
        form=form,
        meeting=meeting,
        council=meeting.council,
        to_approve=to_approve,
    )


def _action(meeting: Meeting, call: Any, success: str) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    response = submit(
        call, success=success, redirect_to=_back(meeting), error_redirect=_back(meeting)
    )
    assert response is not None
    return response


@bp.post("/items/<int:item_id>/delete")
@require(can_manage_councils)
def item_delete(item_id: int) -> ResponseReturnValue:
    item = db.get_or_404(AgendaItem, item_id)
    meeting = item.meeting
    return _action(
        meeting,
        lambda: meetings.remove_item(item, me()),
        _("The item is off the agenda."),
    )


@bp.post("/items/<int:item_id>/move/<any(up, down):direction>")
@require(can_manage_councils)
def item_move(item_id: int, direction: str) -> ResponseReturnValue:
    item = db.get_or_404(AgendaItem, item_id)
    meeting = item.meeting
    return _action(
        meeting,
        lambda: meetings.move_item(item, direction == "up", me()),
        _("The agenda order is saved."),
    )


# --- Convocation and session --------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/convene")
@require(can_manage_councils)
def meeting_convene(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)

    def convene() -> meetings.ConveneReport:
        return meetings.convene(meeting, me(), meeting_url=meeting_url)

    response = submit(
        convene,
        success=_("The convocation is sent."),
        redirect_to=url_for("council.convocation_list", meeting_id=meeting.id),
        error_redirect=_back(meeting),
    )
    assert response is not None
    return response


@bp.get("/meetings/<int:meeting_id>/convocations")
@require(signed_in)
def convocation_list(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    return render_template(
        "council/convocation_list.html",
        meeting=meeting,
        council=meeting.council,
        convocations=meetings.convocations(meeting),
        staff_name=staff_name,
        paper=ConvocationChannel.PAPER,
    )


@bp.get("/meetings/<int:meeting_id>/convocations.pdf")
@require(signed_in)
def convocation_pdf(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    paper = [
        c
        for c in meetings.convocations(meeting)
        if c.channel is ConvocationChannel.PAPER
    ]
    response = current_app.response_class(
        pdf.convocation_letters(meeting, paper), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = (
        f'inline; filename="convocations-{meeting.id}.pdf"'
    )
    return response


@bp.post("/meetings/<int:meeting_id>/open")
@require(signed_in)
def meeting_open(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    return _action(
        meeting,
        lambda: meetings.open_meeting(meeting, me()),
        _("The session is open; the quorum at the opening is recorded."),
    )


@bp.post("/meetings/<int:meeting_id>/close")
@require(signed_in)
def meeting_close(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    return _action(
        meeting,
        lambda: meetings.close_meeting(meeting, me()),
        _("The session is closed. Write the minutes."),
    )


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@require(can_manage_councils)
def meeting_cancel(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    form = CancelForm()
    if form.validate_on_submit():
        response = submit(
            lambda: meetings.cancel_meeting(meeting, form.reason.data or "", me()),
            form=form,
            success=_("The meeting is cancelled."),
            redirect_to=_back(meeting),
        )
        if response is not None:
            return response
    return render_template(
        "council/meeting_cancel.html",
        form=form,
        meeting=meeting,
        council=meeting.council,
    )


# --- Attendance ---------------------------------------------------------------


def _sheet_rows(meeting: Meeting, form: FlaskForm) -> list[dict[str, Any]]:
    lines = attendance.lines_of(meeting)
    return [
        {
            "member": member,
            "name": staff_name(member),
            "line": lines.get(member.id),
            "status": form[f"status_{member.id}"],
            "holder": form[f"holder_{member.id}"],
            "arrived": form[f"arrived_{member.id}"],
            "left": form[f"left_{member.id}"],
        }
        for member in attendance.sheet_members(meeting)
    ]


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@require(signed_in)
def attendance_sheet(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    members = attendance.sheet_members(meeting)
    form = attendance_form_class(members)()
    if request.method == "GET":
        lines = attendance.lines_of(meeting)
        for member in members:
            line = lines.get(member.id)
            if line is None:
                continue
            form[f"status_{member.id}"].data = line.status.value
            form[f"holder_{member.id}"].data = str(line.proxy_holder_id or "")
            if line.arrived_at:
                form[f"arrived_{member.id}"].data = line.arrived_at.astimezone(
                    PARIS
                ).time()
            if line.left_at:
                form[f"left_{member.id}"].data = line.left_at.astimezone(PARIS).time()
    if form.validate_on_submit():
        data = [
            attendance.LineData(
                member_id=m.id,
                status=AttendanceStatus(form[f"status_{m.id}"].data)
                if form[f"status_{m.id}"].data
                else None,
                proxy_holder_id=int(form[f"holder_{m.id}"].data)
                if form[f"holder_{m.id}"].data
                else None,
                arrived=form[f"arrived_{m.id}"].data,
                left=form[f"left_{m.id}"].data,
            )
            for m in members
        ]
        response = submit(
            lambda: attendance.record_attendance(meeting, data, me()),
            form=form,
            success=_("The attendance is saved."),
            redirect_to=url_for("council.attendance_sheet", meeting_id=meeting.id),
        )
        if response is not None:
            return response
    return render_template(
        "council/attendance_sheet.html",
        meeting=meeting,
        council=meeting.council,
        form=form,
        rows=_sheet_rows(meeting, form),
        quorum=attendance.quorum_at(meeting),
        editable=meeting.state in ATTENDANCE_STATES,
        action_form=ActionForm(),
    )


@bp.post("/meetings/<int:meeting_id>/attendance/all-present")
@require(signed_in)
def attendance_all_present(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting(meeting_id)
    _run(meeting)
    target = url_for("council.attendance_sheet", meeting_id=meeting.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    response = submit(
        lambda: attendance.mark_all_present(meeting, me()),
        success=_("Everyone not recorded yet is marked present: correct the others."),
        redirect_to=target,
        error_redirect=target,
    )
    assert response is not None
    return response


# --- Votes --------------------------------------------------------------------


def _voter_labels(meeting: Meeting) -> list[tuple[int, str]]:
    """Who may vote now, named as the secretary knows them (proxies shown)."""
    members = {m.id: m for m in attendance.sheet_members(meeting)}
    labels = []
    for voter in attendance.voters_at(meeting, utcnow()):
        name = staff_name(members[voter.member_id])
        if voter.holder_id is not None:
            name = _(
                "%(name)s (proxy held by %(holder)s)",
                name=name,
                holder=staff_name(members[voter.holder_id]),
            )
        labels.append((voter.member_id, name))
    return labels


@bp.route("/items/<int:item_id>/vote", methods=["GET", "POST"])
@require(signed_in)
def vote(item_id: int) -> ResponseReturnValue:
    item = db.get_or_404(AgendaItem, item_id)
    meeting = item.meeting
    _run(meeting)
    if item.deliberation is not None:
        return render_template(
            "council/vote_result.html",
            item=item,
            meeting=meeting,
            council=meeting.council,
            deliberation=item.deliberation,
            staff_name=staff_name,
        )
    labels = _voter_labels(meeting)
    form = vote_form_class(labels)()
    if request.method == "GET" and item.minutes is not None:
        form.motion.data = _(
            "Approval of the minutes of the meeting of %(day)s.",
            day=item.minutes.meeting.starts_paris.strftime("%d/%m/%Y"),
        )
    if form.validate_on_submit():
        data = deliberations.VoteData(
            motion=form.motion.data or "",
            method=VoteMethod(form.method.data),
            recused=frozenset(int(v) for v in form.recused.data or []),
            votes_for=form.votes_for.data,
            votes_against=form.votes_against.data,
            abstentions=form.abstentions.data,
            choices={
                mid: VoteChoice(form[f"choice_{mid}"].data)
                for mid, _label in labels
                if form[f"choice_{mid}"].data in VOTE_CHOICES
            },
            no_quorum=bool(form.no_quorum.data),
        )
        response = submit(
            lambda: deliberations.record_deliberation(item, data, me()),
            form=form,
            success=_("The vote is recorded."),
            redirect_to=url_for("council.vote", item_id=item.id),
        )
        if response is not None:
            return response
    return render_template(
        "council/vote_form.html",
        item=item,
        meeting=meeting,
        council=meeting.council,
        form=form,
        voters=labels,
        quorum=attendance.quorum_at(meeting),
        majority=meeting.rules.majority_for(item.decision_kind)
        if item.decision_kind
        else None,
        is_open=meeting.state is MeetingState.OPEN,
    )
