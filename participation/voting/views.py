"""Pages of the voting feature: the ballot, the receipt, the rules, the results.

The receipt code reaches the voter like a flash message that is never logged: the
confirming POST derives it from the review page's one-time token, commits the ballot,
puts the code in the signed session cookie and redirects; the receipt page pops it,
so it is shown once and then exists only on the voter's screen or printout (the
server keeps only its SHA-256 in the ballot box, with no identity). It never travels
in a URL (access logs) and is never written to the database, the audit log or an
e-mail. A repeated confirmation (double click, reload) finds the same code through
the same token and shows the receipt again instead of a second ballot.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..budget import queries as budget_queries
from ..budget.forms import paris_to_utc, utc_to_paris_naive
from ..budget.models import Envelope, Round
from ..core.errors import DomainError, FieldErrors
from ..core.exports import csv_text
from ..core.forms import show_errors
from ..core.time import utcnow
from ..core.web import submit
from ..extensions import db, limiter
from . import archive, queries, services
from .counting import Outcome, Phase
from .forms import (
    CeremonyForm,
    ConfirmForm,
    ReceiptCheckForm,
    RulesForm,
    VoteCloseForm,
    ballot_form,
    parse_choices,
    project_errors,
    shares_form,
)
from .models import VoteRules
from .services import RefusalReason, VoteRefused
from .states import TRANSITIONS, BallotType, Channel, ResultAction, ResultState

bp = Blueprint("voting", __name__)

#: Session key of the receipt waiting to be shown once.
RECEIPT_KEY = "_vote_receipt"
#: The confirmation token of the review page this session was shown, and the last
#: one confirmed: a token binds to the voter's own session.
PENDING_KEY = "_vote_pending"
DONE_KEY = "_vote_done"


@bp.app_context_processor
def voting_predicates() -> dict[str, Any]:
    """The predicates the voting templates use to show staff buttons."""
    return {
        "can_count": services.can_count,
        "can_recompute": services.can_recompute,
        "can_certify": services.can_certify,
        "can_publish": services.can_publish,
        "ResultState": ResultState,
    }


def _round_or_404(round_id: int) -> Round:
    round_ = budget_queries.load_round(round_id)
    if round_ is None or not (
        round_.is_published or services.can_manage_votes(current_user)
    ):
        abort(404)
    return round_


def _envelope_or_404(envelope_id: int) -> Envelope:
    envelope = queries.load_envelope(envelope_id)
    if envelope is None or not (
        envelope.round.is_published or services.can_manage_votes(current_user)
    ):
        abort(404)
    return envelope


def _require_staff() -> None:
    if not services.can_manage_votes(current_user):
        abort(403)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _make(value: ResponseReturnValue) -> Response:
    return current_app.make_response(value)


# ---------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------


@bp.get("/votes")
def vote_index() -> ResponseReturnValue:
    return render_template(
        "voting/vote_index.html",
        open_rounds=queries.rounds_in_vote(),
        result_rounds=queries.rounds_with_results(),
        to_count=(
            queries.rounds_to_count() if services.can_manage_votes(current_user) else []
        ),
    )


# ---------------------------------------------------------------------------
# The ballot: page, review, confirmation, receipt
# ---------------------------------------------------------------------------


def _render_ballot(
    round_: Round,
    envelope: Envelope | None,
    *,
    refusal: VoteRefused | None = None,
    chosen: dict[int, int] | None = None,
    errors: DomainError | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The ballot page; *errors* go next to their projects, the others atop."""
    rules = services.get_rules(round_)
    projects = services.ballot_projects(envelope) if envelope is not None else []
    form = ballot_form(projects)
    if errors is not None:
        show_errors(form, errors)
    response = render_template(
        "voting/ballot_form.html",
        round=round_,
        envelope=envelope,
        rules=rules,
        projects=projects,
        refusal=refusal,
        chosen=chosen or {},
        by_field=project_errors(form),
        general=list(form.form_errors),
        form=form,
        RefusalReason=RefusalReason,
        BallotType=BallotType,
    )
    return response, status


def _choices_from_request(
    rules: VoteRules | None,
) -> tuple[list[tuple[int, int]], FieldErrors | None]:
    """The (idea id, points) pairs of the POST, and what could not be read in it."""
    cumulative = rules is not None and rules.ballot_type is BallotType.CUMULATIVE
    pairs, errors = parse_choices(request.form, cumulative)
    return pairs, FieldErrors(errors) if errors else None


@bp.route("/rounds/<int:round_id>/vote", methods=["GET", "POST"])
def vote_ballot(round_id: int) -> ResponseReturnValue:
    """The ballot; a POST comes back from the review page to change the choices."""
    round_ = _round_or_404(round_id)
    try:
        envelope = services.check_can_vote(current_user, round_)
    except VoteRefused as refusal:
        status = 200 if refusal.reason is RefusalReason.NOT_SIGNED_IN else 403
        return _render_ballot(round_, None, refusal=refusal, status=status)
    chosen: dict[int, int] = {}
    if request.method == "POST":
        if not ballot_form([]).validate_on_submit():
            abort(400)
        pairs, _errors = _choices_from_request(services.get_rules(round_))
        chosen = dict(pairs)
    return _no_store(_make(_render_ballot(round_, envelope, chosen=chosen)))


def _voter_key() -> str:
    """Rate-limit key of a signed-in voter: the person, not the address, since many
    residents vote from the same public computer at a social centre."""
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return get_remote_address()


def _rate_limit(config_key: str, *, per_person: bool = True) -> Any:
    """Limit the POSTs of a view to the rate named by *config_key*."""
    return limiter.limit(
        lambda: str(current_app.config[config_key]),
        key_func=_voter_key if per_person else get_remote_address,
        methods=["POST"],
    )


@bp.post("/rounds/<int:round_id>/vote/review")
@_rate_limit("RATELIMIT_VOTE")
@login_required
def vote_review(round_id: int) -> ResponseReturnValue:
    """Check the choices and show them for confirmation (nothing is stored yet)."""
    round_ = _round_or_404(round_id)
    if not ballot_form([]).validate_on_submit():
        abort(400)
    try:
        envelope = services.check_can_vote(current_user, round_)
    except VoteRefused as refusal:
        return _render_ballot(round_, None, refusal=refusal, status=403)
    rules = services.get_rules(round_)
    assert rules is not None  # check_can_vote refuses a vote without rules
    pairs, typing_errors = _choices_from_request(rules)
    try:
        if typing_errors is not None:
            raise typing_errors
        chosen = services.validate_choices(rules, envelope, pairs)
    except FieldErrors as invalid:
        kept = {i: p for i, p in pairs if p >= 0}
        return _render_ballot(round_, envelope, chosen=kept, errors=invalid, status=400)
    return _no_store(
        _make(
            render_template(
                "voting/ballot_review.html",
                round=round_,
                envelope=envelope,
                rules=rules,
                summary=services.summarise(envelope, chosen),
                chosen=chosen,
                form=ballot_form([], token=_new_token(round_)),
                BallotType=BallotType,
            )
        )
    )


def _new_token(round_: Round) -> str:
    token = secrets.token_urlsafe(24)
    session[PENDING_KEY] = {"round_id": round_.id, "token": token}
    return token


def _token_matches(key: str, round_: Round, token: str) -> bool:
    entry = session.get(key)
    return (
        isinstance(entry, dict)
        and entry.get("round_id") == round_.id
        and isinstance(entry.get("token"), str)
        and secrets.compare_digest(str(entry["token"]), token)
    )


def _show_receipt(round_: Round, code: str) -> ResponseReturnValue:
    session[RECEIPT_KEY] = {"code": code, "round_id": round_.id}
    return redirect(url_for(".vote_receipt", round_id=round_.id))


def _confirmation_refused(
    round_: Round, pairs: list[tuple[int, int]], error: DomainError
) -> ResponseReturnValue:
    """After a refused cast (rolled back): the ballot page with the reason."""
    envelope = services.envelope_of(round_, current_user.territory_id)
    if isinstance(error, VoteRefused):
        return _render_ballot(round_, None, refusal=error, status=409)
    status = 400 if isinstance(error, FieldErrors) else 409
    return _render_ballot(
        round_, envelope, chosen=dict(pairs), errors=error, status=status
    )


@bp.post("/rounds/<int:round_id>/vote/confirm")
@_rate_limit("RATELIMIT_VOTE")
@login_required
def vote_confirm(round_id: int) -> ResponseReturnValue:
    """Cast the reviewed ballot, then show the receipt once (module docstring).

    Not ``core.web.submit``: a refusal shows the ballot or the receipt again, not a
    form. The cast takes the database's write lock itself before it reads.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None or not round_.is_published:
        abort(404)
    form = ballot_form([])
    if not form.validate_on_submit() or not form.token.data:
        abort(400)
    token = str(form.token.data)
    if _token_matches(DONE_KEY, round_, token):
        # The same confirmation again (double click, reload): nothing changes.
        flash(_("This ballot was already confirmed: nothing was changed."), "info")
        return redirect(url_for(".vote_receipt", round_id=round_.id))
    if not _token_matches(PENDING_KEY, round_, token):
        # Another person's page, an old page or a forged post: never their receipt.
        flash(
            _(
                "This confirmation was not prepared in your session, or it has"
                " expired: check your choices and confirm again."
            ),
            "error",
        )
        return redirect(url_for(".vote_ballot", round_id=round_.id))
    pairs, typing_errors = _choices_from_request(services.get_rules(round_))
    try:
        if typing_errors is not None:
            raise typing_errors
        receipt = services.cast_ballot(current_user, round_, pairs)
    except DomainError as error:
        db.session.rollback()
        return _confirmation_refused(round_, pairs, error)
    db.session.commit()
    session.pop(PENDING_KEY, None)
    session[DONE_KEY] = {"round_id": round_.id, "token": token}
    return _show_receipt(round_, receipt.code)


@bp.get("/rounds/<int:round_id>/vote/receipt")
@login_required
def vote_receipt(round_id: int) -> ResponseReturnValue:
    """The receipt, shown once: the code leaves the session as it is displayed."""
    round_ = _round_or_404(round_id)
    pending = session.get(RECEIPT_KEY)
    code = None
    if isinstance(pending, dict) and pending.get("round_id") == round_.id:
        code = str(pending.get("code"))
        session.pop(RECEIPT_KEY, None)
    sign_in = services.find_sign_in(current_user.id, round_.id)
    if sign_in is None:
        return redirect(url_for(".vote_ballot", round_id=round_.id))
    envelope = services.envelope_of(round_, sign_in.territory_id)
    return _no_store(
        _make(
            render_template(
                "voting/ballot_receipt.html",
                round=round_,
                envelope=envelope,
                code=code,
                sign_in=sign_in,
            )
        )
    )


# ---------------------------------------------------------------------------
# Key ceremony, the sealed box, its fingerprints
# ---------------------------------------------------------------------------


def _typed_shares(form: Any, threshold: int) -> list[str]:
    return [str(form[f"share_{n}"].data or "") for n in range(1, threshold + 1)]


@bp.route("/rounds/<int:round_id>/vote/ceremony", methods=["GET", "POST"])
@login_required
def ceremony(round_id: int) -> ResponseReturnValue:
    """The key ceremony: name the trustees, hand out the shares once, check them."""
    _require_staff()
    round_ = _round_or_404(round_id)
    key = services.key_of(round_)
    here = url_for(".ceremony", round_id=round_.id)
    people = services.trustee_candidates()
    form = CeremonyForm()
    form.trustees.choices = [SelectChoice(p.id, p.pseudonym) for p in people]
    check = shares_form(key.threshold) if key is not None and not key.is_ready else None
    shares: tuple[str, ...] = ()
    step = request.form.get("step")
    if step == "start" and form.validate_on_submit():
        chosen = [p for p in people if p.id in (form.trustees.data or [])]
        try:
            key, shares = services.start_ceremony(
                round_, chosen, int(form.threshold.data or 0), current_user
            )
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            check = shares_form(key.threshold)
    elif (
        step == "check"
        and check is not None
        and key is not None
        and check.validate_on_submit()
    ):
        typed = _typed_shares(check, key.threshold)
        response = submit(
            lambda: services.check_ceremony(round_, typed, current_user),
            redirect_to=here,
            success=_("The shares rebuild the key: online voting can open."),
            form=check,
        )
        if response is not None:
            return response
    status = 400 if (form.errors or (check is not None and check.errors)) else 200
    return _no_store(
        _make(
            (
                render_template(
                    "voting/ceremony.html",
                    round=round_,
                    key=key,
                    form=form,
                    check=check,
                    shares=shares,
                ),
                status,
            )
        )
    )


def _after_open(url: str) -> Callable[[int], str]:
    def after_commit(opened: int) -> str:
        services.erase_traces()
        flash(
            ngettext(
                "The ballot box is open: %(num)d online ballot, shuffled.",
                "The ballot box is open: %(num)d online ballots, shuffled.",
                opened,
            ),
            "success",
        )
        return url

    return after_commit


@bp.route("/rounds/<int:round_id>/vote/open", methods=["GET", "POST"])
@login_required
def open_box(round_id: int) -> ResponseReturnValue:
    """After the close, k trustees type their shares: the box opens for the count."""
    _require_staff()
    round_ = _round_or_404(round_id)
    key = services.key_of(round_)
    if key is None or not key.is_ready:
        abort(404)
    form = shares_form(key.threshold)
    if key.is_sealed and form.validate_on_submit():
        typed = _typed_shares(form, key.threshold)
        response = submit(
            lambda: services.open_sealed_box(round_, typed, current_user),
            redirect_to=_after_open(url_for(".round_results", round_id=round_.id)),
            form=form,
        )
        if response is not None:
            return response
    return _no_store(
        _make(
            (
                render_template(
                    "voting/open_box.html",
                    round=round_,
                    key=key,
                    form=form,
                    closed=utcnow() >= round_.vote_closes_at,
                ),
                400 if form.errors else 200,
            )
        )
    )


@bp.get("/rounds/<int:round_id>/vote/fingerprints")
def fingerprints(round_id: int) -> ResponseReturnValue:
    """The public list of the sealed ballots' fingerprints: each voter finds theirs."""
    round_ = _round_or_404(round_id)
    return render_template(
        "voting/fingerprints.html",
        round=round_,
        key=services.key_of(round_),
        fingerprints=services.public_fingerprints(round_),
    )


# ---------------------------------------------------------------------------
# Rules (staff)
# ---------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/vote/rules", methods=["GET", "POST"])
@login_required
def rules_edit(round_id: int) -> ResponseReturnValue:
    _require_staff()
    round_ = _round_or_404(round_id)
    rules = services.get_rules(round_)
    form = RulesForm(obj=rules) if rules is not None else RulesForm()
    if request.method == "GET" and rules is not None:
        for name in ("ballot_type", "required_level", "counting_rule", "tie_break"):
            form[name].data = getattr(rules, name).value
    here = url_for(".rules_edit", round_id=round_.id)
    if rules is not None and rules.is_frozen:
        if request.method == "POST":
            flash(
                _("The first ballot has been cast: the rules of this vote are frozen."),
                "error",
            )
            return redirect(here)
    elif form.validate_on_submit():
        response = submit(
            lambda: services.save_rules(
                round_, services.RulesData(**form.data_kwargs()), current_user
            ),
            form=form,
            success=_("The rules of the vote are saved."),
            redirect_to=here,
        )
        if response is not None:
            return response
    return render_template(
        "voting/rules_form.html", round=round_, rules=rules, form=form
    )


@bp.route("/rounds/<int:round_id>/vote/end", methods=["GET", "POST"])
@login_required
def vote_close_edit(round_id: int) -> ResponseReturnValue:
    """Close the vote early or extend it, with a written reason (audited)."""
    _require_staff()
    round_ = _round_or_404(round_id)
    form = VoteCloseForm()
    if request.method == "GET":
        form.closes_at.data = utc_to_paris_naive(round_.vote_closes_at)
    elif form.validate_on_submit():
        response = submit(
            lambda: services.change_vote_close(
                round_,
                paris_to_utc(form.closes_at.data),
                form.reason.data or "",
                current_user,
            ),
            form=form,
            success=_("The end of the vote is changed."),
            redirect_to=url_for(".round_results", round_id=round_.id),
        )
        if response is not None:
            return response
    return render_template("voting/vote_close_form.html", round=round_, form=form)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@bp.get("/rounds/<int:round_id>/results")
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
        form=ConfirmForm(),
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
        form=ConfirmForm(),
        is_staff=services.can_manage_votes(current_user),
        Channel=Channel,
        ResultAction=ResultAction,
        Outcome=Outcome,
        Phase=Phase,
    )


@bp.get("/results/<int:envelope_id>")
def result_detail(envelope_id: int) -> ResponseReturnValue:
    return _result_page(_envelope_or_404(envelope_id))


@bp.post("/results/<int:envelope_id>/receipt")
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
