"""The paper kit's pages: the printable ballots of an envelope (PDF)."""

from __future__ import annotations

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue

from ....budget.models import Envelope, Round
from ....core.decorators import require
from ....core.errors import Conflict
from ....core.i18n import format_date
from ....core.i18n import lazy_gettext as _l
from ....core.time import PARIS
from ....extensions import db
from ... import services as voting
from .. import kit, services
from .common import bp


@bp.get("/rounds/<int:round_id>/envelopes/<int:envelope_id>/ballots.pdf")
@require(services.can_run_desks)
def ballots_pdf(round_id: int, envelope_id: int) -> ResponseReturnValue:
    """The ballot of one envelope to print, with the numbers the keyers type."""
    round_ = db.get_or_404(Round, round_id)
    envelope = db.get_or_404(Envelope, envelope_id)
    if envelope.round_id != round_.id:
        abort(404)
    rules = services.paper_rules(round_)
    if not services.is_numbering_final(round_):
        raise Conflict(
            _l(
                "The projects are announced on %(date)s: the ballots can be printed"
                " from then on.",
                date=format_date(round_.announcement_at.astimezone(PARIS), "long"),
            )
        )
    numbers = services.ballot_numbers(envelope)
    services.keep_assigned_numbers()
    by_id = {idea.id: idea for idea in voting.ballot_projects(envelope)}
    lines = [
        kit.BallotLine.of(by_id[idea_id], number)
        for idea_id, number in numbers.items()
        if idea_id in by_id
    ]
    # French by default (the desk's working language); ?lang=ar prints the same
    # ballot in Arabic for the voters who read it.
    language = request.args.get("lang", kit.KIT_LOCALE)
    if language not in current_app.config["LANGUAGES"]:
        language = kit.KIT_LOCALE
    pdf = kit.ballot_pdf(
        round_, envelope.territory.name, rules, envelope.total, lines, language
    )
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="ballots-{round_.id}-{envelope.id}.pdf"'
    )
    return response
