"""Pages of the voting feature: the blueprint, its shared helpers and the index.

The pages are in the modules beside this one: :mod:`.ballot` (the ballot, review,
confirmation and receipt), :mod:`.ceremony` (the key ceremony, the sealed box, the
rules and the end of the vote) and :mod:`.results` (counting, results and exports).


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

from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...budget import queries as budget_queries
from ...budget.models import Envelope, Round
from ...core.cache import public_page
from ...extensions import db
from .. import queries, services
from ..states import ResultState

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


def _vote_round_or_404(round_id: int) -> Round:
    """The round with its envelopes and their QPV (the review names the voter's):
    what the review needs, without the round page's eager loads (issue 14)."""
    round_ = db.session.scalar(_vote_round_statement(), {"round_id": round_id})
    if round_ is None or not (
        round_.is_published or services.can_manage_votes(current_user)
    ):
        abort(404)
    return round_


@cache
def _vote_round_statement() -> sa.Select[Round]:
    return (
        sa.select(Round)
        .where(Round.id == sa.bindparam("round_id", type_=sa.Integer))
        .options(selectinload(Round.envelopes).joinedload(Envelope.territory))
    )


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
@public_page
def vote_index() -> ResponseReturnValue:
    return render_template(
        "voting/vote_index.html",
        open_rounds=queries.rounds_in_vote(),
        result_rounds=queries.rounds_with_results(),
        to_count=(
            queries.rounds_to_count() if services.can_manage_votes(current_user) else []
        ),
    )


# The pages register their routes on ``bp`` when imported.
from . import ballot, ceremony, results  # noqa: E402, F401
