"""The ballot: page, review, confirmation, receipt (see the package docstring
for how the receipt code reaches the voter)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from ...budget.models import Envelope, Round
from ...core.errors import DomainError, FieldErrors
from ...core.forms import show_errors
from ...extensions import db, limiter
from .. import services
from ..forms import (
    ballot_form,
    parse_choices,
    project_errors,
)
from ..models import VoteRules
from ..services import RefusalReason, VoteRefused
from ..states import BallotType
from . import (
    DONE_KEY,
    PENDING_KEY,
    RECEIPT_KEY,
    _make,
    _no_store,
    _round_or_404,
    _vote_round_or_404,
    bp,
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
    round_ = _vote_round_or_404(round_id)
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
        projects = services.ballot_projects(envelope)
        chosen = services.validate_choices(rules, envelope, pairs, projects)
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
                summary=services.summarise(envelope, chosen, projects),
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


def _show_receipt(round_id: int, code: str) -> ResponseReturnValue:
    # The id, not the committed round: reading it after the commit would reload it.
    session[RECEIPT_KEY] = {"code": code, "round_id": round_id}
    return redirect(url_for(".vote_receipt", round_id=round_id))


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
    session[DONE_KEY] = {"round_id": round_id, "token": token}
    return _show_receipt(round_id, receipt.code)


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
