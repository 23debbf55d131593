"""Round pages: the list, the calendar, staff settings, envelopes, announcements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ...core.cache import public_page
from ...core.errors import Conflict
from ...core.time import utcnow
from ...core.web import submit
from ...extensions import db
from ...territories.models import Territory, TerritoryKind, Theme
from ...voting.desks import services as desks
from .. import queries, services
from ..forms import (
    MoneyField,
    RoundForm,
    paris_to_utc,
    utc_to_paris_naive,
)
from ..models import Envelope, Round
from ..states import RoundPhase
from .common import bp, confirmed_staff_round, require_staff, round_or_404


@bp.get("/rounds")
@public_page
def round_list() -> ResponseReturnValue:
    now = utcnow()
    rounds = queries.visible_rounds(current_user)
    return render_template(
        "budget/round_list.html",
        rounds=rounds,
        now=now,
        can_manage=services.can_manage_rounds(current_user),
    )


def _calendar(round_: Round) -> list[dict[str, Any]]:
    """The phases of a round, in order, with their dates (for the calendar list)."""
    return [
        {
            "phase": RoundPhase.SUBMISSION,
            "start": round_.submission_opens_at,
            "end": round_.submission_closes_at,
        },
        {
            "phase": RoundPhase.REVIEW,
            "start": round_.submission_closes_at,
            "end": round_.review_closes_at,
        },
        {
            "phase": RoundPhase.ANNOUNCEMENT,
            "start": round_.announcement_at,
            "end": None,
        },
        {
            "phase": RoundPhase.VOTE,
            "start": round_.vote_opens_at,
            "end": round_.vote_closes_at,
        },
        {
            "phase": RoundPhase.RESULTS,
            "start": round_.results_published_at,
            "end": None,
        },
        {"phase": RoundPhase.DELIVERY, "start": round_.delivery_starts_at, "end": None},
    ]


@bp.get("/rounds/<int:round_id>")
@public_page
def round_detail(round_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    now = utcnow()
    phase = round_.phase_at(now)
    next_round = db.session.scalar(
        sa.select(Round).where(Round.previous_round_id == round_.id)
    )
    return render_template(
        "budget/round_detail.html",
        round=round_,
        phase=phase,
        calendar=_calendar(round_),
        next_round=next_round,
        unspent={e.id: services.unspent(e) for e in round_.envelopes},
        can_manage=services.can_manage_rounds(current_user),
        can_submit=services.can_submit_ideas(current_user, round_, now),
        is_submission=phase is RoundPhase.SUBMISSION,
        can_relay=services.can_submit_on_behalf(current_user),
    )


def _round_form(round_: Round | None) -> RoundForm:
    form = RoundForm()
    themes = db.session.scalars(
        sa.select(Theme).where(Theme.is_active.is_(True)).order_by(Theme.position)
    ).all()
    form.theme_ids.choices = [(t.id, t.label) for t in themes]
    form.grid_version_id.choices = [
        ("", _("No grid yet")),
        *queries.grid_version_choices(),
    ]
    if request.method == "GET" and round_ is not None:
        for name in (
            "title",
            "description",
            "rules_text",
            "min_cost",
            "max_cost",
            "is_carry_over_enabled",
            "grid_version_id",
        ):
            getattr(form, name).data = getattr(round_, name)
        form.fill_translations(round_.texts_by_language)
        for name in services.RoundData.__dataclass_fields__:
            if name.endswith("_at"):
                getattr(form, name).data = utc_to_paris_naive(getattr(round_, name))
        form.theme_ids.data = [t.id for t in round_.themes]
    elif request.method == "GET":
        form.is_carry_over_enabled.data = True
        form.min_cost.data = Decimal("0.00")
    return form


def _round_data(form: RoundForm) -> services.RoundData:
    def at(name: str) -> datetime:
        value = paris_to_utc(getattr(form, name).data)
        assert value is not None  # DataRequired
        return value

    return services.RoundData(
        title=form.title.data or "",
        description=form.description.data or "",
        rules_text=form.rules_text.data or "",
        texts_by_language=form.texts_by_language(),
        submission_opens_at=at("submission_opens_at"),
        submission_closes_at=at("submission_closes_at"),
        review_closes_at=at("review_closes_at"),
        announcement_at=at("announcement_at"),
        vote_opens_at=at("vote_opens_at"),
        vote_closes_at=at("vote_closes_at"),
        delivery_starts_at=paris_to_utc(form.delivery_starts_at.data),
        min_cost=form.min_cost.data or Decimal("0.00"),
        max_cost=form.max_cost.data or Decimal("0.00"),
        is_carry_over_enabled=bool(form.is_carry_over_enabled.data),
        theme_ids=list(form.theme_ids.data or []),
        grid_version_id=form.grid_version_id.data,
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@login_required
def round_create() -> ResponseReturnValue:
    require_staff()
    form = _round_form(None)
    if form.validate_on_submit():
        data = _round_data(form)
        # One round per form, however often it is sent (double click, replay).
        response = submit(
            lambda: services.create_round(data, current_user),
            form=form,
            once=form.form_token.data,
            success=_("The round is created. Set its envelopes, then open it."),
            redirect_to=lambda round_: url_for(".round_envelopes", round_id=round_.id),
        )
        if response is not None:
            return response
    return render_template("budget/round_form.html", form=form, round=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def round_edit(round_id: int) -> ResponseReturnValue:
    require_staff()
    round_ = round_or_404(round_id)
    form = _round_form(round_)
    if form.validate_on_submit():
        response = submit(
            lambda: services.update_round(round_, _round_data(form), current_user),
            form=form,
            success=_("The round is saved."),
            redirect_to=url_for(".round_detail", round_id=round_.id),
        )
        if response is not None:
            return response
    return render_template("budget/round_form.html", form=form, round=round_)


def _envelope_form(round_: Round, territories: list[Territory]) -> FlaskForm:
    amounts = {e.territory_id: e.amount for e in round_.envelopes}
    fields = {
        f"amount_{t.id}": MoneyField(
            _("%(name)s (euros)", name=t.name),
            default=amounts.get(t.id),
        )
        for t in territories
    }
    form_class = type("EnvelopeForm", (FlaskForm,), fields)
    form: FlaskForm = form_class()
    return form


@bp.route("/rounds/<int:round_id>/envelopes", methods=["GET", "POST"])
@login_required
def round_envelopes(round_id: int) -> ResponseReturnValue:
    require_staff()
    round_ = round_or_404(round_id)
    territories = list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
            .order_by(Territory.name)
        )
    )
    form = _envelope_form(round_, territories)
    if form.validate_on_submit():
        amounts = {t.id: form[f"amount_{t.id}"].data for t in territories}
        response = submit(
            lambda: services.set_envelopes(round_, amounts, current_user),
            form=form,
            success=_("The envelopes are saved."),
            redirect_to=url_for(".round_detail", round_id=round_.id),
        )
        if response is not None:
            return response
    return render_template(
        "budget/round_envelopes.html", form=form, round=round_, territories=territories
    )


@bp.post("/rounds/<int:round_id>/publish")
@login_required
def round_publish(round_id: int) -> ResponseReturnValue:
    round_ = confirmed_staff_round(round_id)
    detail = url_for(".round_detail", round_id=round_.id)
    return submit(
        lambda: services.publish_round(round_, current_user),
        success=_("The round is open to the public."),
        redirect_to=detail,
        error_redirect=detail,
    ) or redirect(detail)


@bp.post("/rounds/<int:round_id>/next")
@login_required
def round_create_next(round_id: int) -> ResponseReturnValue:
    round_ = confirmed_staff_round(round_id)
    detail = url_for(".round_detail", round_id=round_.id)
    # A double click: the second waits for the first (write lock, row lock) and is
    # told the round exists.
    return submit(
        lambda: services.create_next_round(round_, current_user),
        success=_("The next round is created. Check it, then open it."),
        redirect_to=lambda new: url_for(".round_detail", round_id=new.id),
        error_redirect=detail,
    ) or redirect(detail)


def _number_ballot(envelope: Envelope) -> None:
    """The announcement fixes the envelope's ballot numbers (printed, keyed later)."""
    try:
        desks.ballot_numbers(envelope)
        desks.keep_assigned_numbers()
    except Conflict:  # the database is busy: the next page that needs them gives them
        db.session.rollback()


@bp.get("/rounds/<int:round_id>/announcement/<int:territory_id>")
def round_announcement(round_id: int, territory_id: int) -> ResponseReturnValue:
    round_ = round_or_404(round_id)
    envelope = next(
        (e for e in round_.envelopes if e.territory_id == territory_id), None
    )
    if envelope is None:
        abort(404)
    if not round_.is_announced and not services.can_manage_rounds(current_user):
        abort(404)
    if round_.is_announced:
        _number_ballot(envelope)
    data = queries.announcement(round_, envelope)
    return render_template(
        "budget/round_announcement.html",
        round=round_,
        envelope=envelope,
        data=data,
        failed=queries.failed_criteria([i.id for i in data.not_retained]),
    )
