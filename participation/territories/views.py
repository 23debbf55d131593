"""Territories pages: the public list of QPV; admin of territories and themes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ..core.cache import public_page
from ..core.decorators import require
from ..core.permissions import can_manage_territories
from ..core.web import announce, submit
from ..extensions import db
from . import queries, services
from .forms import ActionForm, CommuneForm, TerritoryForm, ThemeForm
from .models import Commune, Territory, TerritoryKind, Theme

bp = Blueprint("territories", __name__)

T = TypeVar("T")


@bp.app_context_processor
def territories_context() -> dict[str, object]:
    return {"can_manage_territories": can_manage_territories}


# --- Public ---------------------------------------------------------------------


@bp.get("/territories")
@public_page
def territory_list() -> ResponseReturnValue:
    """The priority neighbourhoods of the collectivité with their population."""
    territories = queries.territories_with_communes(active_only=True)
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
@public_page
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
        communes=queries.communes(),
        territories=queries.territories_with_communes(),
    )


def _commune_data(form: CommuneForm) -> services.CommuneData:
    return services.CommuneData(
        insee_code=form.insee_code.data or "",
        name=form.name.data or "",
        population=form.population.data,
    )


def _form_page(
    form: FlaskForm,
    save: Callable[[], T],
    message: Callable[[T], str],
    template: str,
    **context: object,
) -> ResponseReturnValue:
    """An admin form: save, say *message* and go back to the list, or show why not."""
    if form.validate_on_submit():
        response = submit(
            save, form=form, redirect_to=announce(url_for(".territory_admin"), message)
        )
        if response is not None:
            return response
    return render_template(template, form=form, **context)


@bp.route("/admin/communes/new", methods=["GET", "POST"])
@require(can_manage_territories)
def commune_create() -> ResponseReturnValue:
    form = CommuneForm()
    return _form_page(
        form,
        lambda: services.create_commune(current_user, _commune_data(form)),
        lambda commune: _("The commune %(name)s was added.", name=commune.name),
        "territories/commune_form.html",
        commune=None,
    )


@bp.route("/admin/communes/<int:commune_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def commune_edit(commune_id: int) -> ResponseReturnValue:
    commune = db.get_or_404(Commune, commune_id)
    form = CommuneForm(obj=commune)
    return _form_page(
        form,
        lambda: services.update_commune(current_user, commune, _commune_data(form)),
        lambda saved: _("The commune %(name)s was saved.", name=saved.name),
        "territories/commune_form.html",
        commune=commune,
    )


def _territory_form(territory: Territory | None) -> TerritoryForm:
    form = TerritoryForm(obj=territory)
    form.commune_id.choices = [
        SelectChoice(str(c.id), c.name) for c in queries.communes()
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
    return _form_page(
        form,
        lambda: services.create_territory(current_user, _territory_data(form)),
        lambda added: _("The territory %(name)s was added.", name=added.name),
        "territories/territory_form.html",
        territory=None,
    )


@bp.route("/admin/territories/<int:territory_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def territory_edit(territory_id: int) -> ResponseReturnValue:
    territory = db.get_or_404(Territory, territory_id)
    form = _territory_form(territory)
    return _form_page(
        form,
        lambda: services.update_territory(
            current_user, territory, _territory_data(form)
        ),
        lambda saved: _("The territory %(name)s was saved.", name=saved.name),
        "territories/territory_form.html",
        territory=territory,
    )


# --- Admin: themes --------------------------------------------------------------


@bp.route("/admin/themes", methods=["GET", "POST"])
@require(can_manage_territories)
def theme_admin() -> ResponseReturnValue:
    """List the themes in order; the form at the bottom adds one."""
    form = ThemeForm()
    if form.validate_on_submit():
        name = form.name.data or ""
        response = submit(
            lambda: services.create_theme(current_user, name),
            form=form,
            redirect_to=announce(
                url_for(".theme_admin"),
                lambda theme: _("The theme %(name)s was added.", name=theme.label),
            ),
        )
        if response is not None:
            return response
    return render_template(
        "territories/theme_admin.html",
        form=form,
        themes=queries.ordered_themes(),
        action_form=ActionForm(),
        missing_defaults=queries.missing_default_themes(),
    )


@bp.route("/admin/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@require(can_manage_territories)
def theme_edit(theme_id: int) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    form = ThemeForm(data=None if request.method == "POST" else {"name": theme.label})
    if form.validate_on_submit():
        name = form.name.data or ""
        response = submit(
            lambda: services.rename_theme(current_user, theme, name),
            form=form,
            redirect_to=announce(
                url_for(".theme_admin"),
                lambda renamed: _(
                    "The theme is now called %(name)s.", name=renamed.label
                ),
            ),
        )
        if response is not None:
            return response
    return render_template("territories/theme_form.html", form=form, theme=theme)


def _checked_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/admin/themes/<int:theme_id>/move/<any(up, down):direction>")
@require(can_manage_territories)
def theme_move(theme_id: int, direction: str) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    _checked_action_form()
    back = url_for(".theme_admin", _anchor=f"theme-{theme.id}")
    response = submit(
        lambda: services.move_theme(
            current_user, theme, "up" if direction == "up" else "down"
        ),
        redirect_to=back,
        error_redirect=back,
    )
    return response or redirect(back)


def _toggled(theme: Theme, activated: bool) -> str:
    if activated:
        return str(_("The theme %(name)s is offered again.", name=theme.label))
    return str(
        _(
            "The theme %(name)s is no longer offered. Items already tagged keep it.",
            name=theme.label,
        )
    )


@bp.post("/admin/themes/<int:theme_id>/<any(activate, deactivate):action>")
@require(can_manage_territories)
def theme_toggle(theme_id: int, action: str) -> ResponseReturnValue:
    theme = db.get_or_404(Theme, theme_id)
    _checked_action_form()
    activate = action == "activate"
    back = url_for(".theme_admin")
    response = submit(
        lambda: services.set_theme_active(current_user, theme, activate),
        redirect_to=announce(back, lambda _nothing: _toggled(theme, activate)),
        error_redirect=back,
    )
    return response or redirect(back)


@bp.post("/admin/themes/defaults")
@require(can_manage_territories)
def theme_defaults() -> ResponseReturnValue:
    _checked_action_form()
    back = url_for(".theme_admin")
    response = submit(
        lambda: services.ensure_default_themes(current_user),
        redirect_to=announce(
            back,
            lambda added: ngettext(
                "%(num)d default theme was added.",
                "%(num)d default themes were added.",
                added,
            ),
        ),
        error_redirect=back,
    )
    return response or redirect(back)
