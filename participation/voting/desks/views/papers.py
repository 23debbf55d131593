"""The desk's papers to print (PDF): its blank sign-in sheet and its procès-verbal.

Each PDF is in the language of the person who asks (the page's language).
"""

from __future__ import annotations

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ....accounts.models import User
from ....core.decorators import require
from ....core.time import utcnow
from ....extensions import db
from .. import printing, queries, services
from .common import bp, desk_or_404


def _pdf(data: bytes, filename: str) -> ResponseReturnValue:
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:desk_id>/sign-in-sheet.pdf")
@require(services.can_run_desks)
def sign_in_sheet_pdf(desk_id: int) -> ResponseReturnValue:
    """The blank sign-in sheet; ``?rows=N`` prints N lines (whole pages)."""
    desk = desk_or_404(desk_id)
    rows = printing.sign_in_rows(request.args.get("rows", type=int))
    data = printing.sign_in_sheet(desk, rows=rows, language=str(get_locale()))
    return _pdf(data, f"sign-in-sheet-desk-{desk.id}.pdf")


@bp.get("/<int:desk_id>/minutes.pdf")
@require(services.can_run_desks)
def minutes_pdf(desk_id: int) -> ResponseReturnValue:
    """The procès-verbal, prefilled with the figures of the desk's page."""
    desk = desk_or_404(desk_id)
    closed_by = (
        db.session.get(User, desk.closed_by_id)
        if desk.closed_by_id is not None
        else None
    )
    data = printing.minutes_sheet(
        desk,
        queries.desk_figures(desk),
        queries.batches_of(desk),
        closed_by=closed_by,
        printed_at=utcnow(),
        language=str(get_locale()),
    )
    return _pdf(data, f"minutes-desk-{desk.id}.pdf")
