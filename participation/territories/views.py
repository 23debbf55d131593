"""Territories pages: the public list of QPV; admin of territories and themes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.decorators import require
from ..core.errors import DomainError
from ..core.forms import show_errors
from ..core.permissions import can_manage_territories
from ..extensions import db
from . import services
from .forms import ActionForm, CommuneForm, TerritoryForm, ThemeForm
from .models import Commune, Territory, TerritoryKind, Theme

bp = Blueprint("territories", __name__)


@bp.app_context_processor
def territories_context() -> dict[str, object]:
    return {"can_manage_territories": can_manage_territories}


# --- Public ---------------------------------------------------------------------


@bp.get("/territories")
def territory_list() -> ResponseReturnValue:
    """The priority neighbourhoods of the collectivité with their population."""
    territories = services.territories_with_communes(active_only=True)
    qpv = [t for t in territories if t.kind is TerritoryKind.QPV]
    outside = [t for t in territories if t.kind is TerritoryKind.OUTSIDE]
    by_commune: dict[Commune, list[Territory]] = {}
    for territory in qpv:
        by_commune.setdefault(territory.commune, []).append(territory)
    total = sum(t.population or 0 for t in qpv)
    return render_template(
        "territories/territory_list.html",
        by_commune=by_commune,
        outside=outside,
        total=total,
        qpv_count=len(qpv),
    )


@bp.get("/territories/<int:territory_id>")
def territory_detail(territory_id: int) -> ResponseReturnValue:
    """One neighbourhood's public page; features add their sections below its facts."""
    territory = db.get_or_404(Territory, territory_id)
    if not territory.is_active:
        abort(404)
    return render_template("territories/territory_detail.html", territory=territory)


# --- Admin: communes and territories ----------------------------------------------


@bp.get("/admin/territories")
@require(can_manage_territories)
def territory_admin() -> ResponseReturnValue:
    return render_template(
        "territories/territory_admin.html",
        communes=services.communes(),
        territories=services.territories_with_communes(),
    )


def _commune_data(form: CommuneForm) -> services.CommuneData:
    return services.CommuneData(
        insee_code=form.insee_code.data or "",
        name=form.name.data or "",
        population=form.population.data,
    )


@bp.route("/admin/communes/new", methods=["GET", "POST"])
@require(can_manage_territories)
def commune_create() -> ResponseReturnValue:
    form = CommuneForm()
    if form.validate_on_submit():
        try:
            commune = services.create_commune(current_user, _commune_data(form))
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The commune %(name)s was added.", name=commune.name), "success")
            return redirect(url_for(".territory_admin"))
    return render_template("territories/commune_form.html", form=form, commune=None)


@bp.route("/admin/communes/<int:commune_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def commune_edit(commune_id: int) -> ResponseReturnValue:
    commune = db.get_or_404(Commune, commune_id)
    form = CommuneForm(obj=commune)
    if form.validate_on_submit():
        try:
            services.update_commune(current_user, commune, _commune_data(form))
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The commune %(name)s was saved.", name=commune.name), "success")
            return redirect(url_for(".territory_admin"))
    return render_template("territories/commune_form.html", form=form, commune=commune)


def _territory_form(territory: Territory | None) -> TerritoryForm:
    form = TerritoryForm(obj=territory)
    form.commune_id.choices = [
        SelectChoice(str(c.id), c.name) for c in services.communes()
    ]
    if territory is None and request.method == "GET":
        commune_id = request.args.get("commune_id", type=int)
        if commune_id is not None:
            form.commune_id.data = commune_id
    if territory is not None and request.method == "GET":
        form.kind.data = territory.kind.value
    return form


def _territory_data(form: TerritoryForm) -> services.TerritoryData:
    return services.TerritoryData(
        commune_id=form.commune_id.data,
        kind=TerritoryKind(form.kind.data),
        code=form.code.data,
        name=form.name.data or "",
        population=form.population.data,
        is_active=bool(form.is_active.data),
    )


@bp.route("/admin/territories/new", methods=["GET", "POST"])
@require(can_manage_territories)
def territory_create() -> ResponseReturnValue:
    form = _territory_form(None)
    if form.validate_on_submit():
        try:
            territory = services.create_territory(current_user, _territory_data(form))
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("The territory %(name)s was added.", name=territory.name), "success"
            )
            return redirect(url_for(".territory_admin"))
    return render_template("territories/territory_form.html", form=form, territory=None)


@bp.route("/admin/territories/<int:territory_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def territory_edit(territory_id: int) -> ResponseReturnValue:
    territory = db.get_or_404(Territory, territory_id)
    form = _territory_form(territory)
    if form.validate_on_submit():
        try:
            services.update_territory(current_user, territory, _territory_data(form))
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(
                _("The territory %(name)s was saved.", name=territory.name), "success"
            )
            return redirect(url_for(".territory_admin"))
    return render_template(
        "territories/territory_form.html", form=form, territory=territory
    )


# --- Admin: themes --------------------------------------------------------------


@bp.route("/admin/themes", methods=["GET", "POST"])
@require(can_manage_territories)
def theme_admin() -> ResponseReturnValue:
    """List the themes in order; the form at the bottom adds one."""
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = services.create_theme(current_user, form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The theme %(name)s was added.", name=theme.label), "success")
            return redirect(url_for(".theme_admin"))
    themes = services.ordered_themes()
    missing_defaults = services.missing_default_themes()
    return render_template(
        "territories/theme_admin.html",
        form=form,
        themes=themes,
        action_form=ActionForm(),
        missing_defaults=missing_defaults,
    )


@bp.route("/admin/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def theme_edit(theme_id: int) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    form = ThemeForm(data=None if request.method == "POST" else {"name": theme.label})
    if form.validate_on_submit():
        try:
            services.rename_theme(current_user, theme, form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("The theme is now called %(name)s.", name=theme.label), "success")
            return redirect(url_for(".theme_admin"))
    return render_template("territories/theme_form.html", form=form, theme=theme)


def _checked_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/admin/themes/<int:theme_id>/move/<any(up, down):direction>")
@require(can_manage_territories)
def theme_move(theme_id: int, direction: str) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    _checked_action_form()
    services.move_theme(current_user, theme, "up" if direction == "up" else "down")
    db.session.commit()
    return redirect(url_for(".theme_admin", _anchor=f"theme-{theme.id}"))


@bp.post("/admin/themes/<int:theme_id>/<any(activate, deactivate):action>")
@require(can_manage_territories)
def theme_toggle(theme_id: int, action: str) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    _checked_action_form()
    services.set_theme_active(current_user, theme, action == "activate")
    db.session.commit()
    if action == "activate":
        flash(_("The theme %(name)s is offered again.", name=theme.label), "success")
    else:
        flash(
            _(
                "The theme %(name)s is no longer offered. "
                "Items already tagged keep it.",
                name=theme.label,
            ),
            "success",
        )
    return redirect(url_for(".theme_admin"))


@bp.post("/admin/themes/defaults")
@require(can_manage_territories)
def theme_defaults() -> ResponseReturnValue:
    _checked_action_form()
    added = services.ensure_default_themes(current_user)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d default theme was added.",
            "%(num)d default themes were added.",
            added,
        ),
        "success",
    )
    return redirect(url_for(".theme_admin"))
