"""Staff pages of the eligibility feature: list, create, copy and edit grids."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from ..core.decorators import require
from ..core.web import submit
from ..extensions import db
from . import services
from .defaults import translated_text
from .forms import ActionForm, CopyGridForm, CriterionForm, GridForm
from .models import Criterion, Grid, GridVersion
from .states import CriterionKind

bp = Blueprint("eligibility", __name__, url_prefix="/grids")


@bp.app_context_processor
def grid_predicates() -> dict[str, Any]:
    """The menu shows the grids link to staff only."""
    return {"can_manage_grids": services.can_manage_grids}


@bp.app_template_filter("points")
def points_filter(value: Decimal | int | None) -> str:
    """Format points without useless decimals, in the reader's locale (9 ; 1,5)."""
    if value is None:
        return ""
    return str(format_decimal(Decimal(value).normalize(), format="#,##0.##"))


@bp.app_template_filter("plural_count")
def plural_count_filter(value: Decimal | int | None) -> int:
    """The whole number that picks the plural form of a number of points.

    ``ngettext`` needs an integer: a whole number of points is itself; a
    fractional one (1,5) takes the general plural form, that of 100: right for
    decimals in English and Arabic, and usual in French ("1,5 points").
    """
    if value is None:
        return 0
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else 100


@bp.app_template_filter("grid_text")
def grid_text_filter(text: str) -> str:
    """Show a default grid text in the reader's language, other texts as typed."""
    return translated_text(text)


def _grid_or_404(grid_id: int) -> Grid:
    return db.get_or_404(Grid, grid_id)


def _version_context(grid: Grid, version: GridVersion) -> dict[str, Any]:
    latest = grid.latest_version
    used = services.version_is_used(version)
    return {
        "grid": grid,
        "version": version,
        "is_latest": version.id == latest.id,
        "is_used": used,
        "read_only": version.is_frozen or used,
        "kinds": CriterionKind,
    }


@bp.get("/")
@require(services.can_manage_grids)
def grid_list() -> ResponseReturnValue:
    return render_template(
        "eligibility/grid_list.html", summaries=services.grid_summaries()
    )


@bp.route("/new", methods=["GET", "POST"])
@require(services.can_manage_grids)
def grid_create() -> ResponseReturnValue:
    form = GridForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.create_grid(
                name=form.name.data or "",
                description=form.description.data or "",
                threshold=form.threshold.data or "0",
                actor=current_user,
            ),
            form=form,
            success=_("The grid was created. Add its criteria now."),
            redirect_to=lambda grid: url_for(".grid_detail", grid_id=grid.id),
        )
        if response is not None:
            return response
    return render_template("eligibility/grid_form.html", form=form, grid=None)


@bp.get("/<int:grid_id>")
@require(services.can_manage_grids)
def grid_detail(grid_id: int) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    return render_template(
        "eligibility/version_detail.html", **_version_context(grid, grid.latest_version)
    )


@bp.get("/<int:grid_id>/versions/<int:number>")
@require(services.can_manage_grids)
def version_detail(grid_id: int, number: int) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    version = services.get_version(grid, number)
    return render_template(
        "eligibility/version_detail.html", **_version_context(grid, version)
    )


@bp.route("/<int:grid_id>/edit", methods=["GET", "POST"])
@require(services.can_manage_grids)
def grid_edit(grid_id: int) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    form = GridForm()
    if not form.is_submitted():
        form.name.data = grid.name
        form.description.data = grid.description
        form.threshold.data = str(grid.latest_version.threshold)
    if form.validate_on_submit():
        response = submit(
            lambda: services.update_grid(
                grid,
                name=form.name.data or "",
                description=form.description.data or "",
                threshold=form.threshold.data or "",
                actor=current_user,
            ),
            form=form,
            success=_("The grid was saved."),
            redirect_to=url_for(".grid_detail", grid_id=grid.id),
        )
        if response is not None:
            return response
    return render_template(
        "eligibility/grid_form.html",
        form=form,
        grid=grid,
        read_only=services.is_read_only(grid.latest_version),
        max_score=grid.latest_version.max_score,
    )


@bp.route("/<int:grid_id>/versions/<int:number>/copy", methods=["GET", "POST"])
@require(services.can_manage_grids)
def grid_copy(grid_id: int, number: int) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    version = services.get_version(grid, number)
    form = CopyGridForm()
    if not form.is_submitted():
        form.name.data = _("Copy of %(name)s", name=grid.name)[:120]
    if form.validate_on_submit():
        response = submit(
            lambda: services.copy_grid(
                version, name=form.name.data or "", actor=current_user
            ),
            form=form,
            success=_("The grid was copied."),
            redirect_to=lambda copy: url_for(".grid_detail", grid_id=copy.id),
        )
        if response is not None:
            return response
    return render_template(
        "eligibility/grid_copy.html", form=form, grid=grid, version=version
    )


def _criterion_data(
    form: CriterionForm, code: str | None = None
) -> services.CriterionData:
    weight = (form.weight.data or "").strip()
    kind = CriterionKind(form.kind.data)
    return services.CriterionData(
        code=code if code is not None else (form.code.data or ""),
        kind=kind,
        label=form.label.data or "",
        help_text=form.help_text.data or "",
        # An empty weight on a scored criterion is refused by the service, by the field.
        weight=services.parse_points(weight, field="weight")
        if kind is CriterionKind.SCORED and weight
        else None,
    )


def _edited_data(form: CriterionForm, criterion: Criterion) -> services.CriterionData:
    """The typed criterion; a default text shown translated and left as it was stays
    the default (so it keeps following the reader's language)."""
    data = _criterion_data(form, code=criterion.code)
    if data.label.strip() == criterion.public_label:
        data = replace(data, label=criterion.label)
    if data.help_text.strip() == criterion.public_help:
        data = replace(data, help_text=criterion.help_text)
    return data


@bp.route("/<int:grid_id>/criteria/new", methods=["GET", "POST"])
@require(services.can_manage_grids)
def criterion_create(grid_id: int) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    form = CriterionForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.add_criterion(
                grid, _criterion_data(form), actor=current_user
            ),
            form=form,
            success=_("The criterion was added."),
            redirect_to=url_for(".grid_detail", grid_id=grid.id),
        )
        if response is not None:
            return response
    return render_template(
        "eligibility/criterion_form.html",
        form=form,
        grid=grid,
        criterion=None,
        read_only=services.is_read_only(grid.latest_version),
    )


@bp.route("/<int:grid_id>/criteria/<code>/edit", methods=["GET", "POST"])
@require(services.can_manage_grids)
def criterion_edit(grid_id: int, code: str) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    criterion = grid.latest_version.criterion(code)
    if criterion is None:
        abort(404)
    form = CriterionForm()
    if not form.is_submitted():
        # Default texts are shown translated; saved unchanged, they stay the default.
        form.code.data = criterion.code
        form.kind.data = criterion.kind.value
        form.label.data = criterion.public_label
        form.help_text.data = criterion.public_help
        form.weight.data = "" if criterion.weight is None else str(criterion.weight)
    form.code.data = criterion.code  # the code never changes
    if form.validate_on_submit():
        response = submit(
            lambda: services.update_criterion(
                grid, criterion.code, _edited_data(form, criterion), actor=current_user
            ),
            form=form,
            success=_("The criterion was saved."),
            redirect_to=url_for(".grid_detail", grid_id=grid.id),
        )
        if response is not None:
            return response
    return render_template(
        "eligibility/criterion_form.html",
        form=form,
        grid=grid,
        criterion=criterion,
        read_only=services.is_read_only(grid.latest_version),
    )


@bp.post("/<int:grid_id>/criteria/<code>/delete")
@require(services.can_manage_grids)
def criterion_delete(grid_id: int, code: str) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = url_for(".grid_detail", grid_id=grid.id)
    return submit(
        lambda: services.remove_criterion(grid, code, actor=current_user),
        success=_("The criterion was removed."),
        redirect_to=page,
        error_redirect=page,
    ) or redirect(page)


@bp.post("/<int:grid_id>/criteria/<code>/move/<any(up, down):direction>")
@require(services.can_manage_grids)
def criterion_move(grid_id: int, code: str, direction: str) -> ResponseReturnValue:
    grid = _grid_or_404(grid_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = url_for(".grid_detail", grid_id=grid.id, _anchor=f"criterion-{code}")
    return submit(
        lambda: services.move_criterion(
            grid, code, -1 if direction == "up" else 1, actor=current_user
        ),
        redirect_to=page,
        error_redirect=page,
    ) or redirect(page)
