"""Desk pages: the list, opening and closing a desk, signing walk-in voters in."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ....accounts import queries as account_queries
from ....accounts import services as account_services
from ....accounts.forms import optional_int, optional_sex
from ....accounts.models import User
from ....accounts.permissions import can_act_for
from ....budget.models import Round
from ....core.decorators import require
from ....core.time import today_paris
from ....core.web import submit
from ....extensions import db
from ...models import PollingDesk, SignIn
from .. import queries, services
from ..forms import (
    ActionForm,
    DeskForm,
    MinutesForm,
    SignInForm,
    VoterSearchForm,
    WalkInForm,
)
from .common import (
    NEW_ACCOUNT_KEY,
    allow,
    bp,
    desk_or_404,
    done,
    me,
)

SEARCH_PER_PAGE = 20


# ---------------------------------------------------------------------------
# Desks
# ---------------------------------------------------------------------------


@bp.get("/")
@require(services.can_run_desks)
def desk_index() -> ResponseReturnValue:
    return render_template(
        "voting/desks/desk_index.html", rounds=queries.paper_rounds()
    )


@bp.get("/rounds/<int:round_id>")
@require(services.can_run_desks)
def round_desks(round_id: int) -> ResponseReturnValue:
    round_ = db.get_or_404(Round, round_id)
    desks = queries.desks_of_round(round_.id)
    figures = queries.figures_by_desk([d.id for d in desks])
    totals = queries.DeskFigures()
    for item in figures.values():
        totals.add(item)
    return render_template(
        "voting/desks/round_desks.html",
        round=round_,
        desks=desks,
        figures=figures,
        totals=totals,
    )


@bp.route("/rounds/<int:round_id>/new", methods=["GET", "POST"])
@require(services.can_run_desks)
def desk_create(round_id: int) -> ResponseReturnValue:
    round_ = db.get_or_404(Round, round_id)
    form = DeskForm(round_)
    if request.method == "GET":
        form.opens_on.data = today_paris()
        if len(round_.envelopes) == 1:
            form.territory.data = str(round_.envelopes[0].territory_id)
    if form.validate_on_submit():
        response = submit(
            lambda: services.open_desk(
                round_,
                me(),
                territory_id=optional_int(form.territory.data),
                place=form.place.data or "",
                opens_on=form.opens_on.data,
            ),
            form=form,
            success=_("The desk is open."),
            redirect_to=lambda desk: url_for(".desk_detail", desk_id=desk.id),
        )
        if response is not None:
            return response
    return render_template("voting/desks/desk_form.html", round=round_, form=form)


@bp.get("/<int:desk_id>")
@require(services.can_run_desks)
def desk_detail(desk_id: int) -> ResponseReturnValue:
    return _desk_page(desk_or_404(desk_id))


def _desk_page(
    desk: PollingDesk, minutes_form: MinutesForm | None = None
) -> ResponseReturnValue:
    new_account = session.pop(NEW_ACCOUNT_KEY, None)
    if new_account and new_account.get("desk_id") != desk.id:
        new_account = None
    if minutes_form is None:
        minutes_form = MinutesForm(formdata=None, note=desk.minutes_note)
    return render_template(
        "voting/desks/desk_detail.html",
        desk=desk,
        figures=queries.desk_figures(desk),
        sign_ins=queries.sign_ins_at(desk),
        batches=queries.batches_of(desk),
        action_form=ActionForm(),
        new_account=new_account,
        can_close=services.can_close_desk(current_user, desk),
        can_sign_in=services.can_sign_in_at(current_user, desk),
        can_create_batch=services.can_create_batch(current_user, desk),
        minutes_form=minutes_form,
    )


@bp.post("/<int:desk_id>/minutes")
@require(services.can_run_desks)
def desk_minutes(desk_id: int) -> ResponseReturnValue:
    """Write the desk's minutes; a refusal shows next to the note, kept as typed."""
    desk = desk_or_404(desk_id)
    form = MinutesForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.record_minutes(desk, me(), form.note.data or ""),
            form=form,
            success=_("The minutes of the desk are saved."),
            redirect_to=url_for(".desk_detail", desk_id=desk.id) + "#minutes",
        )
        if response is not None:
            return response
    return _desk_page(desk, form)


@bp.get("/<int:desk_id>/close")
@require(services.can_run_desks)
def desk_close_confirm(desk_id: int) -> ResponseReturnValue:
    """Say what closing the desk cannot undo, then post to close it."""
    desk = desk_or_404(desk_id)
    return render_template(
        "voting/desks/desk_close.html",
        desk=desk,
        figures=queries.desk_figures(desk),
        action_form=ActionForm(),
    )


@bp.post("/<int:desk_id>/close")
@require(services.can_run_desks)
def desk_close(desk_id: int) -> ResponseReturnValue:
    desk = desk_or_404(desk_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    here = url_for(".desk_detail", desk_id=desk.id)
    return submit(
        lambda: services.close_desk(desk, me()),
        success=_("The desk is closed. Count its paper ballots in batches."),
        redirect_to=here,
        error_redirect=here,
    ) or redirect(here)


# ---------------------------------------------------------------------------
# Walk-in voters
# ---------------------------------------------------------------------------


@bp.get("/<int:desk_id>/voters")
@require(services.can_run_desks)
def voter_search(desk_id: int) -> ResponseReturnValue:
    desk = desk_or_404(desk_id)
    form = VoterSearchForm(request.args)
    text = (form.q.data or "").strip() if form.validate() else ""
    pagination = None
    signed: dict[int, Any] = {}
    if text:
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        pagination = account_queries.search_people(
            text, viewer=current_user, page=min(page, 10_000), per_page=SEARCH_PER_PAGE
        )
        signed = queries.sign_ins_of_people(desk.round_id, pagination.items)
    return render_template(
        "voting/desks/voter_search.html",
        desk=desk,
        form=form,
        text=text,
        pagination=pagination,
        signed=signed,
        can_sign_in=services.can_sign_in_at(current_user, desk),
    )


@bp.route("/<int:desk_id>/voters/<int:person_id>", methods=["GET", "POST"])
@require(services.can_run_desks)
def voter_sign_in(desk_id: int, person_id: int) -> ResponseReturnValue:
    desk = desk_or_404(desk_id)
    person = db.get_or_404(User, person_id)
    # Found by an exact identifier (the search's pass), or someone the relay helps.
    allow(
        can_act_for(current_user, person)
        or account_services.pass_is_valid(
            current_user, person, request.args.get("found")
        )
    )
    form = SignInForm()
    if form.validate_on_submit():
        allow(services.can_sign_in_at(current_user, desk))
        response = submit(
            lambda: services.sign_in_at_desk(
                desk, person, me(), proof_checked=bool(form.proof_checked.data)
            ),
            form=form,
            success=_(
                "%(name)s is signed in: give them a paper ballot and an envelope.",
                name=person.pseudonym,
            ),
            redirect_to=url_for(".desk_detail", desk_id=desk.id),
        )
        if response is not None:
            return response
    existing = queries.sign_ins_of_people(desk.round_id, [person]).get(person.id)
    return render_template(
        "voting/desks/voter_sign_in.html",
        desk=desk,
        person=person,
        form=form,
        existing=existing,
        verified=person.active_verification(desk.territory_id) is not None,
        can_sign_in=services.can_sign_in_at(current_user, desk),
    )


def _walk_in_data(form: WalkInForm) -> services.WalkIn:
    return services.WalkIn(
        pseudonym=form.pseudonym.data or "",
        real_name=form.real_name.data,
        birth_year=optional_int(form.birth_year.data),
        sex=optional_sex(form.sex.data),
        locale=form.locale.data or "fr",
        consent=bool(form.consent.data),
        proof_checked=bool(form.proof_checked.data),
    )


def _after_walk_in(desk: PollingDesk, created: tuple[User, str, SignIn]) -> str:
    """Keep the one-time setup code for the desk's page, say who is signed in."""
    person, code, _sign_in = created
    session[NEW_ACCOUNT_KEY] = {
        "desk_id": desk.id,
        "person_id": person.id,
        "pseudonym": person.pseudonym,
        "code": code,
    }
    return done(
        url_for(".desk_detail", desk_id=desk.id),
        _(
            "The account is created and %(name)s is signed in: give them a"
            " paper ballot and an envelope.",
            name=person.pseudonym,
        ),
    )


@bp.route("/<int:desk_id>/voters/new", methods=["GET", "POST"])
@require(services.can_run_desks)
def walk_in(desk_id: int) -> ResponseReturnValue:
    desk = desk_or_404(desk_id)
    form = WalkInForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        allow(services.can_sign_in_at(current_user, desk))
        data = _walk_in_data(form)
        response = submit(
            lambda: services.sign_in_walk_in(desk, me(), data),
            form=form,
            redirect_to=lambda created: _after_walk_in(desk, created),
        )
        if response is not None:
            return response
    return render_template(
        "voting/desks/walk_in.html",
        desk=desk,
        form=form,
        can_sign_in=services.can_sign_in_at(current_user, desk),
    )
