"""Public FPH pages: the funds, the paper form, a file's public page."""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ...core.cache import public_page
from ...extensions import db
from .. import paper, payments, queries, services
from ..forms import (
    StartForm,
)
from ..models import Application
from . import _fund_or_404, bp

# --- Public pages ------------------------------------------------------------


@bp.get("/")
@public_page
def fund_list() -> ResponseReturnValue:
    funds = queries.funds()
    return render_template(
        "fph/fund_list.html",
        funds=funds,
        calendars={f.id: services.committee_dates(f) for f in funds},
    )


@bp.get("/funds/<int:fund_id>")
@public_page
def fund_detail(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    return render_template(
        "fph/fund_detail.html",
        fund=fund,
        calendar=services.committee_dates(fund),
        files=queries.public_files(fund),
        # Only signed-in people see the form: a visitor's page has no CSRF token,
        # so it is the same for every visitor (page cache, issue 14).
        start_form=StartForm() if current_user.is_authenticated else None,
    )


@bp.get("/funds/<int:fund_id>/form.pdf")
def paper_form(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    response = make_response(paper.application_form(fund))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="fph-{fund.year}-{fund.id}.pdf"'
    )
    return response


@bp.get("/files/<int:application_id>")
@public_page
def public_file(application_id: int) -> ResponseReturnValue:
    """A file's public page: title, amounts, the dates of its steps; nothing private."""
    application = db.get_or_404(Application, application_id)
    if not services.can_view_public_file(current_user, application):
        abort(404)
    return render_template(
        "fph/file_public.html",
        application=application,
        project=payments.followup_project(application),
    )
