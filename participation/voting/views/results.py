"""Counting, the results, their certification, publication and exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...budget.models import Envelope
from ...core.cache import public_page
from ...core.exports import csv_text
from ...core.time import utcnow
from ...core.web import submit
from ...extensions import csrf
from .. import archive, queries, services
from ..counting import Outcome, Phase
from ..forms import (
    ConfirmForm,
    ReceiptCheckForm,
)
from ..states import TRANSITIONS, Channel, ResultAction
from . import (
    _envelope_or_404,
    _make,
    _no_store,
    _require_staff,
    _round_or_404,
    bp,
)
from .ballot import _rate_limit

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/results")
@public_page
def round_results(round_id: int) -> ResponseReturnValue:
    """The results of a round per QPV; staff also count, certify and publish here."""
    round_ = _round_or_404(round_id)
    is_staff = services.can_manage_votes(current_user)
    return render_template(
        "voting/round_results.html",
        round=round_,
        results=queries.results_by_envelope(round_),
        is_staff=is_staff,
        closed=utcnow() >= round_.vote_closes_at,
        rules=services.get_rules(round_),
        key=services.key_of(round_),
        turnout=queries.turnout(round_) if is_staff else {},
        refusals=services.count_refusals(round_) if is_staff else [],
    )


@bp.get("/rounds/<int:round_id>/results/compute")
@login_required
def results_compute_confirm(round_id: int) -> ResponseReturnValue:
    """Say what the count does and what cannot be undone, then post to count."""
    _require_staff()
    round_ = _round_or_404(round_id)
    refusals = services.count_refusals(round_)
    return render_template(
        "voting/action_confirm.html",
        round=round_,
        title=_("Count the votes"),
        consequences=[
            _(
                "The online ballot box is counted with the paper ballots: the"
                " ballots can never again be linked to anyone."
            ),
            _("The vote cannot be reopened or extended after the count."),
        ],
        refusals=refusals,
        action=url_for(".results_compute", round_id=round_.id),
        back=url_for(".round_results", round_id=round_.id),
        button=_("Count the votes"),
        button_id="compute-results",
        form=ConfirmForm(),
    )


def _after_count(url: str) -> str:
    """Once the count is committed, drop the sealed box's old row versions."""
    services.vacuum_ballot_box()
    return url


@bp.post("/rounds/<int:round_id>/results/compute")
@login_required
def results_compute(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    here = url_for(".round_results", round_id=round_.id)
    return submit(
        lambda: services.compute_round(round_, current_user),
        success=_("The votes are counted. Check each result, then certify it."),
        redirect_to=lambda _results: _after_count(here),
        error_redirect=here,
    ) or redirect(here)


def _result_page(
    envelope: Envelope,
    *,
    check: ReceiptCheckForm | None = None,
    found: bool | None = None,
) -> ResponseReturnValue:
    result = queries.result_of(envelope.id)
    if not services.can_view_result(current_user, result):
        abort(404)
    assert result is not None
    ideas = queries.projects_of(envelope)
    return render_template(
        "voting/result_detail.html",
        envelope=envelope,
        round=envelope.round,
        result=result,
        lines=queries.project_lines(result, ideas),
        ideas=ideas,
        check=check or ReceiptCheckForm(),
        found=found,
        is_staff=services.can_manage_votes(current_user),
        Channel=Channel,
        ResultAction=ResultAction,
        Outcome=Outcome,
        Phase=Phase,
    )


@bp.get("/results/<int:envelope_id>")
@public_page
def result_detail(envelope_id: int) -> ResponseReturnValue:
    return _result_page(_envelope_or_404(envelope_id))


@bp.post("/results/<int:envelope_id>/receipt")
@csrf.exempt  # a read-only lookup: the result page has no per-session token (cached)
@_rate_limit("RATELIMIT_RECEIPT_CHECK", per_person=False)
def result_receipt_check(envelope_id: int) -> ResponseReturnValue:
    """Say whether a typed receipt code is counted: hashed here, stored nowhere."""
    envelope = _envelope_or_404(envelope_id)
    check = ReceiptCheckForm()
    found = None
    if check.validate_on_submit():
        result = queries.result_of(envelope.id)
        digest = services.receipt_hash(check.code.data or "")
        found = result is not None and digest in set(result.receipt_hashes)
    response = _make(_result_page(envelope, check=check, found=found))
    return _no_store(response)


_CONSEQUENCES: dict[ResultAction, Callable[[], list[str]]] = {
    ResultAction.RECOMPUTE: lambda: [
        _("A new count replaces this one; its certification is withdrawn."),
    ],
    ResultAction.CERTIFY: lambda: [
        _(
            "You vouch for this result. Another staff member must then publish it:"
            " you cannot publish a result you certified."
        ),
    ],
    ResultAction.PUBLISH: lambda: [
        _("Publishing is final: the result can then never change."),
        _(
            "The winning ideas become projects and the money left is carried over"
            " when the round says so."
        ),
    ],
}


@bp.get("/results/<int:envelope_id>/<any(certify, publish, recompute):action>")
@login_required
def result_transition_confirm(envelope_id: int, action: str) -> ResponseReturnValue:
    """Say what certifying, publishing or recounting cannot undo, then post it."""
    _require_staff()
    envelope = _envelope_or_404(envelope_id)
    result = queries.result_of(envelope.id)
    if result is None:
        abort(404)
    act = ResultAction(action)
    return render_template(
        "voting/action_confirm.html",
        round=envelope.round,
        title=f"{act.label} — {envelope.territory.name}",
        consequences=_CONSEQUENCES[act](),
        refusals=[],
        action=url_for(".result_transition", envelope_id=envelope.id, action=action),
        back=url_for(".result_detail", envelope_id=envelope.id),
        button=act.label,
        button_id=f"result-{act.value}",
        form=ConfirmForm(),
    )


@bp.post("/results/<int:envelope_id>/<any(certify, publish, recompute):action>")
@login_required
def result_transition(envelope_id: int, action: str) -> ResponseReturnValue:
    _require_staff()
    envelope = _envelope_or_404(envelope_id)
    result = queries.result_of(envelope.id)
    if result is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    act = ResultAction(action)
    target = TRANSITIONS.get((result.state, act))
    here = url_for(".result_detail", envelope_id=envelope.id)
    return submit(
        lambda: services.transition_result(result, act, current_user),
        success=_("The result is now: %(state)s.", state=target.label)
        if target is not None
        else None,
        redirect_to=here,
        error_redirect=here,
    ) or redirect(here)


def _exportable(envelope: Envelope) -> Any:
    result = queries.result_of(envelope.id)
    if not services.can_view_result(current_user, result):
        abort(404)
    return result


@bp.get("/results/<int:envelope_id>/results.csv")
def result_csv(envelope_id: int) -> ResponseReturnValue:
    envelope = _envelope_or_404(envelope_id)
    result = _exportable(envelope)
    lines = queries.project_lines(result, queries.projects_of(envelope))
    text = csv_text(
        ["project_id", "title", "cost", "support", "selected", "outcome", "step"],
        (
            [
                line.project_id,
                line.title,
                f"{line.cost:.2f}",
                line.support,
                1 if line.won else 0,
                line.outcome,
                line.step["number"] if line.step else "",
            ]
            for line in lines
        ),
    )
    name = f"results-{envelope.round_id}-{envelope.territory_id}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.get("/results/<int:envelope_id>/election.pb")
def result_pb(envelope_id: int) -> ResponseReturnValue:
    envelope = _envelope_or_404(envelope_id)
    _exportable(envelope)
    text = archive.export_envelope_text(envelope)
    name = f"election-{envelope.round_id}-{envelope.territory_id}.pb"
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.get("/results/<int:envelope_id>/receipts.txt")
def result_receipts(envelope_id: int) -> ResponseReturnValue:
    envelope = _envelope_or_404(envelope_id)
    result = _exportable(envelope)
    return Response("\n".join(result.receipt_hashes) + "\n", mimetype="text/plain")
