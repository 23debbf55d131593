"""Pages of the polling desks (paper voting): desks, walk-in sign-ins, paper batches."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ...accounts import queries as account_queries
from ...accounts import services as account_services
from ...accounts.forms import optional_int, optional_sex
from ...accounts.models import User
from ...accounts.permissions import can_act_for
from ...budget.models import Round
from ...core.decorators import require
from ...core.errors import Conflict, DomainError, PermissionDenied
from ...core.forms import show_errors
from ...core.time import today_paris
from ...extensions import db
from ..models import PollingDesk
from . import queries, services
from .forms import (
    ActionForm,
    BatchForm,
    CancelForm,
    DeskForm,
    ResolveForm,
    SignInForm,
    VoterSearchForm,
    WalkInForm,
    keying_form_class,
)
from .models import PaperBatch, PaperKeying
from .states import MAX_BATCH_SIZE, BatchAction, BatchState

bp = Blueprint("desks", __name__, url_prefix="/desks")

#: Session key of the setup code of an account just created at a desk (shown once).
NEW_ACCOUNT_KEY = "desks_new_account"
SEARCH_PER_PAGE = 20


@bp.app_context_processor
def desks_predicates() -> dict[str, Any]:
    """Predicates the menu uses to show the desks link."""
    return {"can_run_desks": services.can_run_desks}


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _show_errors(form: FlaskForm, error: DomainError) -> None:
    """Put a service's messages next to their fields (core.forms.show_errors)."""
    db.session.rollback()
    show_errors(form, error)


def _desk_or_404(desk_id: int) -> PollingDesk:
    return db.get_or_404(PollingDesk, desk_id)


def _batch_or_404(batch_id: int) -> PaperBatch:
    return db.get_or_404(PaperBatch, batch_id)


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
        try:
            desk = services.open_desk(
                round_,
                _me(),
                territory_id=optional_int(form.territory.data),
                place=form.place.data or "",
                opens_on=form.opens_on.data,
            )
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The desk is open."), "success")
            return redirect(url_for(".desk_detail", desk_id=desk.id))
    return render_template("voting/desks/desk_form.html", round=round_, form=form)


@bp.get("/<int:desk_id>")
@require(services.can_run_desks)
def desk_detail(desk_id: int) -> ResponseReturnValue:
    desk = _desk_or_404(desk_id)
    new_account = session.pop(NEW_ACCOUNT_KEY, None)
    if new_account and new_account.get("desk_id") != desk.id:
        new_account = None
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
    )


@bp.post("/<int:desk_id>/close")
@require(services.can_run_desks)
def desk_close(desk_id: int) -> ResponseReturnValue:
    desk = _desk_or_404(desk_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close_desk(desk, _me())
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(_("The desk is closed. Count its paper ballots in batches."), "success")
    return redirect(url_for(".desk_detail", desk_id=desk.id))


# ---------------------------------------------------------------------------
# Walk-in voters
# ---------------------------------------------------------------------------


@bp.get("/<int:desk_id>/voters")
@require(services.can_run_desks)
def voter_search(desk_id: int) -> ResponseReturnValue:
    desk = _desk_or_404(desk_id)
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
    desk = _desk_or_404(desk_id)
    person = db.get_or_404(User, person_id)
    # Found by an exact identifier (the search's pass), or someone the relay helps.
    _require(
        can_act_for(current_user, person)
        or account_services.pass_is_valid(
            current_user, person, request.args.get("found")
        )
    )
    form = SignInForm()
    if form.validate_on_submit():
        _require(services.can_sign_in_at(current_user, desk))
        try:
            services.sign_in_at_desk(
                desk, person, _me(), proof_checked=bool(form.proof_checked.data)
            )
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is signed in: give them a paper ballot and an envelope.",
                    name=person.pseudonym,
                ),
                "success",
            )
            return redirect(url_for(".desk_detail", desk_id=desk.id))
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


@bp.route("/<int:desk_id>/voters/new", methods=["GET", "POST"])
@require(services.can_run_desks)
def walk_in(desk_id: int) -> ResponseReturnValue:
    desk = _desk_or_404(desk_id)
    form = WalkInForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        _require(services.can_sign_in_at(current_user, desk))
        data = services.WalkIn(
            pseudonym=form.pseudonym.data or "",
            real_name=form.real_name.data,
            birth_year=optional_int(form.birth_year.data),
            sex=optional_sex(form.sex.data),
            locale=form.locale.data or "fr",
            consent=bool(form.consent.data),
            proof_checked=bool(form.proof_checked.data),
        )
        try:
            person, code, _sign_in = services.sign_in_walk_in(desk, _me(), data)
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            session[NEW_ACCOUNT_KEY] = {
                "desk_id": desk.id,
                "person_id": person.id,
                "pseudonym": person.pseudonym,
                "code": code,
            }
            flash(
                _(
                    "The account is created and %(name)s is signed in: give them a"
                    " paper ballot and an envelope.",
                    name=person.pseudonym,
                ),
                "success",
            )
            return redirect(url_for(".desk_detail", desk_id=desk.id))
    return render_template(
        "voting/desks/walk_in.html",
        desk=desk,
        form=form,
        can_sign_in=services.can_sign_in_at(current_user, desk),
    )


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------


@bp.route("/<int:desk_id>/batches/new", methods=["GET", "POST"])
@require(services.can_run_desks)
def batch_create(desk_id: int) -> ResponseReturnValue:
    desk = _desk_or_404(desk_id)
    form = BatchForm()
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        try:
            batch = services.create_batch(
                desk,
                _me(),
                declared_count=form.declared_count.data,
                form_token=(form.form_token.data or "")[:64] or None,
            )
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("Batch n° %(n)d is registered.", n=batch.number), "success")
            return redirect(url_for(".batch_detail", batch_id=batch.id))
    return render_template(
        "voting/desks/batch_form.html",
        desk=desk,
        form=form,
        can_create=services.can_create_batch(current_user, desk),
        max_batch_size=MAX_BATCH_SIZE,
    )


@bp.get("/batches/<int:batch_id>")
@require(services.can_run_desks)
def batch_detail(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    mine = batch.keying_of(current_user.id)
    return render_template(
        "voting/desks/batch_detail.html",
        batch=batch,
        desk=batch.desk,
        mine=mine,
        keyed=queries.keyed_counts(batch),
        action_form=ActionForm(),
        can_key=services.can_key(current_user, batch),
        can_view_mismatches=services.can_view_mismatches(current_user, batch),
        can_deposit=services.can_perform(current_user, batch, BatchAction.DEPOSIT),
        can_cancel=services.can_perform(current_user, batch, BatchAction.CANCEL),
    )


@bp.post("/batches/<int:batch_id>/keyings")
@require(services.can_run_desks)
def keying_start(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        # PermissionDenied (the other pass is yours) goes to the 403 page with its text.
        keying = services.start_keying(batch, _me())
    except Conflict as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for(".batch_detail", batch_id=batch.id))
    db.session.commit()
    return redirect(url_for(".keying_form", batch_id=batch.id, keying_id=keying.id))


def _keying_or_404(batch: PaperBatch, keying_id: int) -> PaperKeying:
    keying = db.get_or_404(PaperKeying, keying_id)
    if keying.batch_id != batch.id:
        abort(404)
    return keying


@bp.route("/batches/<int:batch_id>/keyings/<int:keying_id>", methods=["GET", "POST"])
@require(services.can_run_desks)
def keying_form(batch_id: int, keying_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    keying = _keying_or_404(batch, keying_id)
    # Blind double keying: nobody sees another person's pass while it is keyed.
    _require(keying.keyer_id == current_user.id)
    context = services.BallotContext.of(batch.desk)
    form = keying_form_class(batch.declared_count)()
    editable = not keying.is_finished and batch.state in (
        BatchState.OPEN,
        BatchState.FIRST_KEYED,
    )
    state: BatchState | None = None
    if request.method == "POST":
        if not editable:
            abort(409)
        if form.validate_on_submit():
            typed = {
                n: services.Typed(
                    choices=form[f"b{n}_choices"].data or "",
                    mark=form[f"b{n}_mark"].data or "",
                )
                for n in range(1, batch.declared_count + 1)
            }
            try:
                count = services.save_readings(keying, _me(), typed, context)
                if form.finish.data:
                    state = services.finish_keying(keying, _me())
            except services.ReadingsInvalid as invalid:
                db.session.rollback()
                for position, messages in invalid.errors.items():
                    field = form[f"b{position}_choices"]
                    field.errors = [*field.errors, *messages]
            except DomainError as error:
                _show_errors(form, error)
            else:
                db.session.commit()
                if form.finish.data:
                    if state is BatchState.RECONCILED:
                        flash(
                            _(
                                "Your keying is finished. The two keyings agree: the"
                                " batch is reconciled."
                            ),
                            "success",
                        )
                    elif state is BatchState.SECOND_KEYED:
                        flash(
                            _(
                                "Your keying is finished. The two keyings differ on"
                                " some ballots: a third person settles them."
                            ),
                            "info",
                        )
                    else:
                        flash(
                            _(
                                "Your keying is finished. Another person now keys"
                                " the same batch."
                            ),
                            "success",
                        )
                    return redirect(url_for(".batch_detail", batch_id=batch.id))
                flash(
                    ngettext(
                        "Saved: %(count)d of %(num)d ballot keyed.",
                        "Saved: %(count)d of %(num)d ballots keyed.",
                        batch.declared_count,
                        count=count,
                    ),
                    "success",
                )
                return redirect(
                    url_for(".keying_form", batch_id=batch.id, keying_id=keying.id)
                )
    else:
        for position, reading in services.readings_of(keying).items():
            form[f"b{position}_choices"].data = reading.typed
            form[f"b{position}_mark"].data = reading.form_value
    rows = [
        (n, form[f"b{n}_choices"], form[f"b{n}_mark"])
        for n in range(1, batch.declared_count + 1)
    ]
    return render_template(
        "voting/desks/keying_form.html",
        batch=batch,
        desk=batch.desk,
        keying=keying,
        form=form,
        rows=rows,
        context=context,
        editable=editable,
        cumulative=services.is_cumulative(context),
    )


def _resolve_forms(
    mismatches: list[services.Mismatch], titles: dict[int, str]
) -> dict[int, ResolveForm]:
    forms = {}
    for mismatch in mismatches:
        form = ResolveForm(prefix=f"p{mismatch.position}", formdata=None)
        _label_sources(form, mismatch, titles)
        if mismatch.settled is not None:
            if mismatch.settled == mismatch.first:
                form.source.data = "first"
            elif mismatch.settled == mismatch.second:
                form.source.data = "second"
            else:
                form.source.data = "other"
                form.choices.data = mismatch.settled.typed
                form.mark.data = mismatch.settled.form_value
        forms[mismatch.position] = form
    return forms


def _label_sources(
    form: ResolveForm, mismatch: services.Mismatch, titles: dict[int, str]
) -> None:
    form.source.choices = [
        SelectChoice(
            "first", _("Pass 1: %(r)s", r=services.describe(mismatch.first, titles))
        ),
        SelectChoice(
            "second", _("Pass 2: %(r)s", r=services.describe(mismatch.second, titles))
        ),
        SelectChoice("other", _("Neither: what I read on the paper, below")),
    ]


def _render_reconciliation(
    batch: PaperBatch,
    posted: tuple[int, ResolveForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    context = services.BallotContext.of(batch.desk)
    titles = {idea.id: idea.title for idea in context.projects}
    mismatches = services.mismatches(batch)
    forms = _resolve_forms(mismatches, titles)
    if posted is not None:
        position, form = posted
        mismatch = next(m for m in mismatches if m.position == position)
        _label_sources(form, mismatch, titles)
        forms[position] = form
    return (
        render_template(
            "voting/desks/reconciliation.html",
            batch=batch,
            desk=batch.desk,
            mismatches=mismatches,
            forms=forms,
            titles=titles,
            describe=services.describe,
            action_form=ActionForm(),
            can_resolve=services.can_resolve(current_user, batch),
            can_reconcile=services.can_perform(
                current_user, batch, BatchAction.RECONCILE
            )
            and all(m.is_resolved for m in mismatches),
        ),
        status,
    )


@bp.get("/batches/<int:batch_id>/reconciliation")
@require(services.can_run_desks)
def reconciliation(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    _require(services.can_view_mismatches(current_user, batch))
    return _render_reconciliation(batch)


@bp.post("/batches/<int:batch_id>/reconciliation/<int:position>")
@require(services.can_run_desks)
def resolve(batch_id: int, position: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    _require(services.can_resolve(current_user, batch))
    form = ResolveForm(prefix=f"p{position}")
    if not any(m.position == position for m in services.mismatches(batch)):
        abort(404)
    if form.validate_on_submit():
        try:
            services.resolve_position(
                batch,
                position,
                _me(),
                source=form.source.data or "",
                typed=services.Typed(
                    choices=form.choices.data or "", mark=form.mark.data or ""
                ),
            )
        except services.ReadingInvalid as invalid:
            db.session.rollback()
            form.choices.errors = [*form.choices.errors, *invalid.messages]
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("Ballot n° %(n)d is settled.", n=position), "success")
            return redirect(
                url_for(".reconciliation", batch_id=batch.id, _anchor=f"p{position}")
            )
    return _render_reconciliation(batch, (position, form), 400)


def _batch_action(batch_id: int, run: Any, success: str) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        run(batch)
    except PermissionDenied:
        raise  # the 403 page, with the service's message
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for(".batch_detail", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/reconcile")
@require(services.can_run_desks)
def batch_reconcile(batch_id: int) -> ResponseReturnValue:
    return _batch_action(
        batch_id,
        lambda batch: services.reconcile_batch(batch, _me()),
        _("The batch is reconciled: it can go in the ballot box."),
    )


@bp.post("/batches/<int:batch_id>/deposit")
@require(services.can_run_desks)
def batch_deposit(batch_id: int) -> ResponseReturnValue:
    return _batch_action(
        batch_id,
        lambda batch: services.deposit_batch(batch, _me()),
        _("The valid ballots of the batch are in the ballot box."),
    )


@bp.route("/batches/<int:batch_id>/cancel", methods=["GET", "POST"])
@require(services.can_run_desks)
def batch_cancel(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    _require(services.can_perform(current_user, batch, BatchAction.CANCEL))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_batch(batch, _me(), form.reason.data or "")
        except DomainError as error:
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The batch is cancelled."), "success")
            return redirect(url_for(".desk_detail", desk_id=batch.desk_id))
    return render_template(
        "voting/desks/batch_cancel.html", batch=batch, desk=batch.desk, form=form
    )
