"""Staff pages of the draws by lot: import a pool, draw, the report."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...core.decorators import require
from ...core.web import submit
from ...extensions import db
from .. import pdf, queries
from ..forms import DrawForm, PoolForm
from ..models import Council, CouncilDraw, CouncilMember
from ..permissions import can_manage_councils
from ..pool import MAX_FILE_BYTES
from ..services import draws as services
from ..states import DrawOutcome
from . import bp, me


@bp.get("/<int:council_id>/draws")
@require(can_manage_councils)
def draw_list(council_id: int) -> ResponseReturnValue:
    council = db.get_or_404(Council, council_id)
    return render_template(
        "council/draw_list.html", council=council, draws=queries.draws_of(council)
    )


@bp.route("/<int:council_id>/draws/new", methods=["GET", "POST"])
@require(can_manage_councils)
def draw_create(council_id: int) -> ResponseReturnValue:
    council = db.get_or_404(Council, council_id)
    form = PoolForm()
    if form.validate_on_submit():
        upload = form.pool_file.data
        data = upload.read(MAX_FILE_BYTES + 1) if upload else b""
        pool = services.PoolImport(
            title=form.title.data or "",
            source=form.source.data or "",
            data=data,
            by_sex=bool(form.by_sex.data),
            by_age_band=bool(form.by_age_band.data),
            by_qpv=bool(form.by_qpv.data),
            titulars_per_stratum=form.titulars_per_stratum.data or 0,
            substitutes_per_stratum=form.substitutes_per_stratum.data or 0,
        )
        response = submit(
            lambda: services.import_pool(council, pool, me()),
            form=form,
            once=form.form_token.data,
            success=_("The pool is imported. Draw in front of the witnesses."),
            redirect_to=lambda draw: url_for("council.draw_detail", draw_id=draw.id),
        )
        if response is not None:
            return response
    return render_template("council/draw_form.html", form=form, council=council)


@bp.route("/draws/<int:draw_id>", methods=["GET", "POST"])
@require(can_manage_councils)
def draw_detail(draw_id: int) -> ResponseReturnValue:
    draw = db.get_or_404(CouncilDraw, draw_id)
    form = DrawForm()
    if not draw.is_drawn and form.validate_on_submit():
        response = submit(
            lambda: services.perform_draw(
                draw, form.seed.data or "", form.witnesses.data or "", me()
            ),
            form=form,
            success=_("The draw is made. Its report can be printed."),
            redirect_to=url_for("council.draw_detail", draw_id=draw.id),
        )
        if response is not None:
            return response
    strata: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    for entry in draw.entries:
        group = strata.setdefault(
            entry.stratum, {"size": [], "titular": [], "substitute": []}
        )
        group["size"].append(entry)
        if entry.outcome in (DrawOutcome.TITULAR, DrawOutcome.SUBSTITUTE):
            group[entry.outcome.value].append(entry)
    for group in strata.values():
        group["titular"].sort(key=lambda e: e.rank or 0)
        group["substitute"].sort(key=lambda e: e.rank or 0)
    seated = {
        m.draw_entry_id: m
        for m in db.session.scalars(
            db.select(CouncilMember).where(
                CouncilMember.draw_entry_id.in_([e.id for e in draw.entries])
            )
        )
    }
    return render_template(
        "council/draw_detail.html",
        draw=draw,
        council=draw.council,
        form=form,
        strata=sorted(strata.items()),
        stratum_label=services.stratum_label,
        seated=seated,
    )


@bp.get("/draws/<int:draw_id>/report.pdf")
@require(can_manage_councils)
def draw_report(draw_id: int) -> ResponseReturnValue:
    draw = db.get_or_404(CouncilDraw, draw_id)
    response = current_app.response_class(
        pdf.draw_report(draw), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = (
        f'inline; filename="draw-report-{draw.id}.pdf"'
    )
    return response
