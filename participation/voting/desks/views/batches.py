"""Batch pages: registering a batch, keying it twice, settling, deposit, cancel."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ....core.decorators import require
from ....core.i18n import lazy_gettext as _l
from ....core.web import submit
from ....extensions import db
from .. import queries, services
from ..forms import ActionForm, BatchForm, CancelForm, ResolveForm, keying_form_class
from ..models import PaperBatch, PaperKeying
from ..states import MAX_BATCH_SIZE, BatchState
from .common import allow, batch_or_404, bp, desk_or_404, done, me

# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------


@bp.route("/<int:desk_id>/batches/new", methods=["GET", "POST"])
@require(services.can_run_desks)
def batch_create(desk_id: int) -> ResponseReturnValue:
    desk = desk_or_404(desk_id)
    form = BatchForm()
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
    if form.validate_on_submit():
        response = submit(
            lambda: services.create_batch(
                desk,
                me(),
                declared_count=form.declared_count.data,
                form_token=(form.form_token.data or "")[:64] or None,
            ),
            form=form,
            redirect_to=lambda batch: done(
                url_for(".batch_detail", batch_id=batch.id),
                _("Batch n° %(n)d is registered.", n=batch.number),
            ),
        )
        if response is not None:
            return response
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
    batch = batch_or_404(batch_id)
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
        can_deposit=services.can_deposit(current_user, batch),
        can_cancel=services.can_cancel(current_user, batch),
    )


@bp.post("/batches/<int:batch_id>/keyings")
@require(services.can_run_desks)
def keying_start(batch_id: int) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    back = url_for(".batch_detail", batch_id=batch.id)
    return submit(
        lambda: services.start_keying(batch, me()),
        redirect_to=lambda keying: url_for(
            ".keying_form", batch_id=batch.id, keying_id=keying.id
        ),
        error_redirect=back,
    ) or redirect(back)


def _keying_or_404(batch: PaperBatch, keying_id: int) -> PaperKeying:
    keying = db.get_or_404(PaperKeying, keying_id)
    if keying.batch_id != batch.id:
        abort(404)
    return keying


#: What the keyer reads once their pass is finished, by the batch's state then.
_FINISHED: dict[BatchState, tuple[Any, str]] = {
    BatchState.RECONCILED: (
        _l("Your keying is finished. The two keyings agree: the batch is reconciled."),
        "success",
    ),
    BatchState.SECOND_KEYED: (
        _l(
            "Your keying is finished. The two keyings differ on some ballots: a third"
            " person settles them."
        ),
        "info",
    ),
    BatchState.FIRST_KEYED: (
        _l("Your keying is finished. Another person now keys the same batch."),
        "success",
    ),
}


def _after_keying(
    batch: PaperBatch, keying: PaperKeying, saved: services.KeyingSaved
) -> str:
    """Where a saved grid leads, with what was done: the batch, or the grid again."""
    if saved.finished is not None:
        message, category = _FINISHED[saved.finished]
        return done(url_for(".batch_detail", batch_id=batch.id), str(message), category)
    return done(
        url_for(".keying_form", batch_id=batch.id, keying_id=keying.id),
        ngettext(
            "Saved: %(count)d of %(num)d ballot keyed.",
            "Saved: %(count)d of %(num)d ballots keyed.",
            batch.declared_count,
            count=saved.keyed,
        ),
    )


def _typed_grid(form: Any, size: int) -> dict[int, services.Typed]:
    return {
        n: services.Typed(
            choices=form[f"b{n}_choices"].data or "",
            mark=form[f"b{n}_mark"].data or "",
        )
        for n in range(1, size + 1)
    }


@bp.route("/batches/<int:batch_id>/keyings/<int:keying_id>", methods=["GET", "POST"])
@require(services.can_run_desks)
def keying_form(batch_id: int, keying_id: int) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    keying = _keying_or_404(batch, keying_id)
    # Blind double keying: nobody sees another person's pass while it is keyed.
    allow(keying.keyer_id == current_user.id)
    context = services.BallotContext.of(batch.desk)
    services.keep_assigned_numbers()
    form = keying_form_class(batch.declared_count)()
    editable = not keying.is_finished and batch.state in (
        BatchState.OPEN,
        BatchState.FIRST_KEYED,
    )
    if request.method == "POST" and not editable:
        abort(409)
    if form.validate_on_submit():
        typed = _typed_grid(form, batch.declared_count)
        finish = bool(form.finish.data)
        response = submit(
            lambda: services.key_ballots(
                keying, me(), typed, finish=finish, context=context
            ),
            form=form,
            redirect_to=lambda saved: _after_keying(batch, keying, saved),
        )
        if response is not None:
            return response
    elif request.method == "GET":
        for position, reading in services.readings_of(keying).items():
            form[f"b{position}_choices"].data = reading.typed(context.numbers)
            form[f"b{position}_mark"].data = reading.form_value
    return render_template(
        "voting/desks/keying_form.html",
        batch=batch,
        desk=batch.desk,
        keying=keying,
        form=form,
        rows=[
            (n, form[f"b{n}_choices"], form[f"b{n}_mark"])
            for n in range(1, batch.declared_count + 1)
        ],
        context=context,
        editable=editable,
        cumulative=context.is_cumulative,
    )


def _label_sources(
    form: ResolveForm, mismatch: services.Mismatch, context: services.BallotContext
) -> None:
    def said(reading: services.Reading | None) -> str:
        return services.describe(reading, context.titles, context.numbers)

    form.source.choices = [
        SelectChoice("first", _("Pass 1: %(r)s", r=said(mismatch.first))),
        SelectChoice("second", _("Pass 2: %(r)s", r=said(mismatch.second))),
        SelectChoice("other", _("Neither: what I read on the paper, below")),
    ]


def _resolve_forms(
    mismatches: list[services.Mismatch], context: services.BallotContext
) -> dict[int, ResolveForm]:
    forms = {}
    for mismatch in mismatches:
        form = ResolveForm(prefix=f"p{mismatch.position}", formdata=None)
        _label_sources(form, mismatch, context)
        if mismatch.settled is not None:
            if mismatch.settled == mismatch.first:
                form.source.data = "first"
            elif mismatch.settled == mismatch.second:
                form.source.data = "second"
            else:
                form.source.data = "other"
                form.choices.data = mismatch.settled.typed(context.numbers)
                form.mark.data = mismatch.settled.form_value
        forms[mismatch.position] = form
    return forms


def _render_reconciliation(
    batch: PaperBatch,
    posted: tuple[int, ResolveForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    context = services.BallotContext.of(batch.desk)
    services.keep_assigned_numbers()
    mismatches = services.mismatches(batch)
    forms = _resolve_forms(mismatches, context)
    if posted is not None:
        position, form = posted
        mismatch = next(m for m in mismatches if m.position == position)
        _label_sources(form, mismatch, context)
        forms[position] = form
    return (
        render_template(
            "voting/desks/reconciliation.html",
            batch=batch,
            desk=batch.desk,
            mismatches=mismatches,
            forms=forms,
            context=context,
            describe=lambda reading: services.describe(
                reading, context.titles, context.numbers
            ),
            action_form=ActionForm(),
            can_resolve=services.can_resolve(current_user, batch),
            can_reconcile=services.can_reconcile(current_user, batch)
            and all(m.is_resolved for m in mismatches),
        ),
        status,
    )


@bp.get("/batches/<int:batch_id>/reconciliation")
@require(services.can_run_desks)
def reconciliation(batch_id: int) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    allow(services.can_view_mismatches(current_user, batch))
    return _render_reconciliation(batch)


@bp.post("/batches/<int:batch_id>/reconciliation/<int:position>")
@require(services.can_run_desks)
def resolve(batch_id: int, position: int) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    allow(services.can_resolve(current_user, batch))
    form = ResolveForm(prefix=f"p{position}")
    if not any(m.position == position for m in services.mismatches(batch)):
        abort(404)
    if form.validate_on_submit():
        typed = services.Typed(
            choices=form.choices.data or "", mark=form.mark.data or ""
        )
        response = submit(
            lambda: services.resolve_position(
                batch, position, me(), source=form.source.data or "", typed=typed
            ),
            form=form,
            success=_("Ballot n° %(n)d is settled.", n=position),
            redirect_to=url_for(
                ".reconciliation", batch_id=batch.id, _anchor=f"p{position}"
            ),
        )
        if response is not None:
            return response
    return _render_reconciliation(batch, (position, form), 400)


def _batch_action(batch_id: int, run: Any, success: str) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    here = url_for(".batch_detail", batch_id=batch.id)
    return submit(
        lambda: run(batch), success=success, redirect_to=here, error_redirect=here
    ) or redirect(here)


@bp.post("/batches/<int:batch_id>/reconcile")
@require(services.can_run_desks)
def batch_reconcile(batch_id: int) -> ResponseReturnValue:
    return _batch_action(
        batch_id,
        lambda batch: services.reconcile_batch(batch, me()),
        _("The batch is reconciled: it can go in the ballot box."),
    )


@bp.get("/batches/<int:batch_id>/deposit")
@require(services.can_run_desks)
def batch_deposit_confirm(batch_id: int) -> ResponseReturnValue:
    """Say what putting the batch in the ballot box cannot undo, then post it."""
    batch = batch_or_404(batch_id)
    return render_template(
        "voting/desks/batch_deposit.html",
        batch=batch,
        can_deposit=services.can_deposit(current_user, batch),
        action_form=ActionForm(),
    )


@bp.post("/batches/<int:batch_id>/deposit")
@require(services.can_run_desks)
def batch_deposit(batch_id: int) -> ResponseReturnValue:
    return _batch_action(
        batch_id,
        lambda batch: services.deposit_batch(batch, me()),
        _("The valid ballots of the batch are in the ballot box."),
    )


@bp.route("/batches/<int:batch_id>/cancel", methods=["GET", "POST"])
@require(services.can_run_desks)
def batch_cancel(batch_id: int) -> ResponseReturnValue:
    batch = batch_or_404(batch_id)
    allow(services.can_cancel(current_user, batch))
    form = CancelForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.cancel_batch(batch, me(), form.reason.data or ""),
            form=form,
            success=_("The batch is cancelled."),
            redirect_to=url_for(".desk_detail", desk_id=batch.desk_id),
        )
        if response is not None:
            return response
    return render_template(
        "voting/desks/batch_cancel.html", batch=batch, desk=batch.desk, form=form
    )
