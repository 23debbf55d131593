"""Public pages: councils, meetings, the archive, the iCal feeds, minutes; and the
member space (upcoming meetings, proxies, minutes to review)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...core.cache import public_page
from ...core.decorators import require
from ...core.time import utcnow
from ...core.web import submit
from ...extensions import db, login_manager
from .. import ical, pdf, queries
from ..extension import item_link
from ..forms import ActionForm, ArchiveForm, ProxyForm
from ..models import Council, Meeting
from ..names import public_name, staff_name
from ..permissions import (
    can_give_proxy,
    can_manage_councils,
    can_run_meeting,
    can_view_meeting,
    can_view_minutes,
    membership,
)
from ..services import attendance, meetings
from ..services import minutes as minutes_services
from ..states import MINUTES_MANUAL_ACTIONS
from . import bp, me, refuse_unless, signed_in


def _council(council_id: int) -> Council:
    return db.get_or_404(Council, council_id)


def _meeting_visible(meeting_id: int) -> Meeting:
    """The meeting, or 403 (404 would hide that internal meetings exist at all)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can_view_meeting(current_user, meeting):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)
    return meeting


def meeting_url(meeting: Meeting) -> str:
    return url_for("council.meeting_detail", meeting_id=meeting.id, _external=True)


@bp.get("/")
@public_page
def council_list() -> ResponseReturnValue:
    councils = queries.councils()
    return render_template(
        "council/council_list.html",
        councils=councils,
        upcoming={
            c.id: queries.upcoming(c, public_only=True, limit=1) for c in councils
        },
    )


@bp.get("/<int:council_id>")
@public_page
def council_detail(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    staff = can_manage_councils(current_user)
    member = membership(current_user, council)
    return render_template(
        "council/council_detail.html",
        council=council,
        figures=queries.composition(council),
        upcoming=queries.upcoming(council, public_only=not (staff or member)),
        members=[m for m in queries.members_of(council) if m.is_titular],
        public_name=public_name,
        is_staff=staff,
    )


@bp.get("/<int:council_id>/archive")
def council_archive(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    form = ArchiveForm(request.args)
    valid = form.validate()
    entries = queries.archive(
        council,
        text=(form.q.data or "").strip() if valid else "",
        since=form.since.data if valid else None,
        until=form.until.data if valid else None,
    )
    return render_template(
        "council/council_archive.html",
        council=council,
        form=form,
        entries=entries,
        searched=bool(request.args),
    )


@bp.get("/<int:council_id>/meetings.ics")
def council_feed(council_id: int) -> ResponseReturnValue:
    council = _council(council_id)
    events = [
        meetings.calendar_event(m, meeting_url(m))
        for m in queries.feed_meetings(council)
    ]
    body = ical.calendar(events, stamp=utcnow(), method="PUBLISH", name=council.name)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'inline; filename="council-{council.id}.ics"'
    )
    response.headers["Cache-Control"] = (
        f"public, max-age={int(ical.FEED_REFRESH.total_seconds())}"
    )
    return response


@bp.get("/meetings/<int:meeting_id>")
@public_page
def meeting_detail(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting_visible(meeting_id)
    insider = can_manage_councils(current_user) or membership(
        current_user, meeting.council_id
    )
    items = [i for i in meeting.items if i.is_public or insider]
    minutes = meeting.minutes
    return render_template(
        "council/meeting_detail.html",
        meeting=meeting,
        council=meeting.council,
        items=items,
        item_link=item_link,
        minutes=minutes
        if minutes and can_view_minutes(current_user, minutes)
        else None,
        can_run=can_run_meeting(current_user, meeting),
        can_proxy=can_give_proxy(current_user, meeting),
    )


@bp.get("/meetings/<int:meeting_id>/invitation.ics")
def meeting_ics(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting_visible(meeting_id)
    body = meetings.invitation(meeting, meeting_url(meeting))
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="meeting-{meeting.id}.ics"'
    )
    return response


def _minutes_or_404(meeting: Meeting):  # type: ignore[no-untyped-def]
    minutes = meeting.minutes
    if minutes is None:
        abort(404)
    if not can_view_minutes(current_user, minutes):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)
    return minutes


@bp.get("/meetings/<int:meeting_id>/minutes")
def minutes_detail(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting_visible(meeting_id)
    minutes = _minutes_or_404(meeting)
    public = not can_run_meeting(current_user, meeting)
    return render_template(
        "council/minutes_detail.html",
        meeting=meeting,
        council=meeting.council,
        minutes=minutes,
        decisions=[
            i for i in meeting.items if i.deliberation and (i.is_public or not public)
        ],
        action_form=ActionForm(),
        can_run=not public,
        actions=[
            action
            for action in minutes_services.WORKFLOW.actions_from(minutes.state)
            if action in MINUTES_MANUAL_ACTIONS
        ],
    )


@bp.get("/meetings/<int:meeting_id>/minutes.pdf")
def minutes_pdf(meeting_id: int) -> ResponseReturnValue:
    meeting = _meeting_visible(meeting_id)
    minutes = _minutes_or_404(meeting)
    body = pdf.minutes_document(
        minutes, public=not can_run_meeting(current_user, meeting)
    )
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="minutes-{meeting.id}.pdf"'
    )
    return response


# --- Member space -------------------------------------------------------------


@bp.get("/me")
@require(signed_in)
def member_space() -> ResponseReturnValue:
    space = queries.member_space(current_user)
    return render_template(
        "council/member_space.html",
        space=space,
        staff_name=staff_name,
        action_form=ActionForm(),
    )


@bp.route("/meetings/<int:meeting_id>/proxy", methods=["GET", "POST"])
@require(signed_in)
def proxy_give(meeting_id: int) -> ResponseReturnValue:
    meeting = db.get_or_404(Meeting, meeting_id)
    refuse_unless(can_give_proxy(current_user, meeting))
    mine = membership(current_user, meeting.council_id)
    form = ProxyForm()
    form.holder.choices = [
        (
            str(m.id),
            staff_name(m) if can_manage_councils(current_user) else m.user.pseudonym,
        )
        for m in attendance.sheet_members(meeting)
        if m.is_voting and mine is not None and m.id != mine.id
    ]
    if form.validate_on_submit():
        response = submit(
            lambda: attendance.give_proxy(meeting, int(form.holder.data or 0), me()),
            form=form,
            success=_("Your proxy is recorded."),
            redirect_to=url_for("council.member_space"),
        )
        if response is not None:
            return response
    return render_template(
        "council/proxy_form.html", meeting=meeting, council=meeting.council, form=form
    )


@bp.post("/meetings/<int:meeting_id>/proxy/withdraw")
@require(signed_in)
def proxy_withdraw(meeting_id: int) -> ResponseReturnValue:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    target = url_for("council.member_space")
    response = submit(
        lambda: attendance.withdraw_proxy(meeting, me()),
        success=_("Your proxy is withdrawn."),
        redirect_to=target,
        error_redirect=target,
    )
    assert response is not None
    return response
