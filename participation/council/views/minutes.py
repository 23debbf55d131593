"""Pages of the minutes: draft, revisions with their diffs, workflow, errata."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ...core.converters import ascii_int
from ...core.decorators import require
from ...core.web import submit
from ...extensions import db
from ..forms import ActionForm, ErratumForm, MinutesForm
from ..models import Meeting, Minutes
from ..permissions import can_run_meeting
from ..services import minutes as services
from ..states import MINUTES_EDITABLE_STATES, MINUTES_MANUAL_ACTIONS, MinutesAction
from . import bp, me, refuse_unless, signed_in


def _minutes(minutes_id: int) -> Minutes:
    minutes = db.get_or_404(Minutes, minutes_id)
    refuse_unless(can_run_meeting(current_user, minutes.meeting))
    return minutes


def _page(minutes: Minutes) -> str:
    return url_for("council.minutes_detail", meeting_id=minutes.meeting_id)


@bp.post("/meetings/<int:meeting_id>/minutes")
@require(signed_in)
def minutes_start(meeting_id: int) -> ResponseReturnValue:
    meeting = db.get_or_404(Meeting, meeting_id)
    refuse_unless(can_run_meeting(current_user, meeting))
    if not ActionForm().validate_on_submit():
        abort(400)
    response = submit(
        lambda: services.start_minutes(meeting, me()),
        success=_("The draft minutes are prefilled from the record. Complete them."),
        redirect_to=lambda minutes: url_for(
            "council.minutes_edit", minutes_id=minutes.id
        ),
        error_redirect=url_for("council.meeting_manage", meeting_id=meeting.id),
    )
    assert response is not None
    return response


@bp.route("/minutes/<int:minutes_id>/edit", methods=["GET", "POST"])
@require(signed_in)
def minutes_edit(minutes_id: int) -> ResponseReturnValue:
    minutes = _minutes(minutes_id)
    form = MinutesForm()
    if request.method == "GET":
        form.body.data = minutes.body
    if form.validate_on_submit():
        response = submit(
            lambda: services.edit_minutes(
                minutes, form.body.data or "", me(), comment=form.comment.data or ""
            ),
            form=form,
            success=_("The minutes are saved."),
            redirect_to=_page(minutes),
        )
        if response is not None:
            return response
    return render_template(
        "council/minutes_form.html",
        form=form,
        minutes=minutes,
        meeting=minutes.meeting,
        council=minutes.meeting.council,
        editable=minutes.state in MINUTES_EDITABLE_STATES,
    )


@bp.post("/minutes/<int:minutes_id>/<action>")
@require(signed_in)
def minutes_action(minutes_id: int, action: str) -> ResponseReturnValue:
    minutes = _minutes(minutes_id)
    try:
        chosen = MinutesAction(action)
    except ValueError:
        abort(404)
    if chosen not in MINUTES_MANUAL_ACTIONS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    messages = {
        MinutesAction.PROPOSE: _("The minutes are proposed to the members."),
        MinutesAction.RETURN_TO_DRAFT: _("The minutes are back to draft."),
        MinutesAction.PUBLISH: _("The minutes are published."),
        MinutesAction.LOCK: _("The minutes are locked: corrections are errata now."),
    }
    response = submit(
        lambda: services.transition(minutes, chosen, me()),
        success=messages[chosen],
        redirect_to=_page(minutes),
        error_redirect=_page(minutes),
    )
    assert response is not None
    return response


@bp.get("/minutes/<int:minutes_id>/revisions")
@require(signed_in)
def minutes_revisions(minutes_id: int) -> ResponseReturnValue:
    minutes = _minutes(minutes_id)
    return render_template(
        "council/minutes_revisions.html",
        minutes=minutes,
        meeting=minutes.meeting,
        council=minutes.meeting.council,
    )


@bp.route("/minutes/<int:minutes_id>/errata", methods=["GET", "POST"])
@require(signed_in)
def erratum_create(minutes_id: int) -> ResponseReturnValue:
    minutes = _minutes(minutes_id)
    meeting = minutes.meeting
    form = ErratumForm()
    later = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.council_id == meeting.council_id,
            Meeting.starts_at > meeting.starts_at,
        )
        .order_by(Meeting.starts_at)
    )
    form.noted_at_meeting_id.choices = [("", "—")] + [
        (str(m.id), f"{m.starts_paris:%d/%m/%Y} — {m.title}") for m in later
    ]
    if form.validate_on_submit():
        noted = form.noted_at_meeting_id.data
        response = submit(
            lambda: services.add_erratum(
                minutes,
                form.text.data or "",
                me(),
                noted_at_meeting_id=ascii_int(noted),
            ),
            form=form,
            success=_("The erratum is appended to the minutes."),
            redirect_to=_page(minutes),
        )
        if response is not None:
            return response
    return render_template(
        "council/erratum_form.html",
        form=form,
        minutes=minutes,
        meeting=meeting,
        council=meeting.council,
    )
