"""Staff: the strategic framework of the contrat de ville."""

from __future__ import annotations

from flask import (
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...core.decorators import require
from ...core.web import submit
from ...extensions import db
from .. import framework
from ..forms import (
    ObjectiveForm,
)
from ..models import Objective
from . import bp

# ---------------------------------------------------------------------------
# Staff: the strategic framework
# ---------------------------------------------------------------------------


@bp.get("/framework")
@require(framework.can_manage_framework)
def objective_list() -> ResponseReturnValue:
    return render_template(
        "followup/objective_list.html",
        nodes=list(framework.walk()),
        level_name=framework.level_name,
    )


def _objective_form(node: Objective | None) -> ObjectiveForm:
    form = ObjectiveForm(obj=node if request.method == "GET" else None)
    form.parent_id.choices = [SelectChoice("", _("Nothing: this is an axis"))] + [
        SelectChoice(str(o.id), f"{'— ' * depth}{o.code} {o.label}")
        for o, depth in framework.walk()
        if node is None or (o is not node and node not in framework.ancestors(o))
    ]
    if request.method == "GET" and node is None:
        form.parent_id.data = request.args.get("parent", type=int)
    return form


def _objective_data(form: ObjectiveForm) -> framework.ObjectiveData:
    return framework.ObjectiveData(
        code=form.code.data or "",
        label=form.label.data or "",
        parent_id=form.parent_id.data,
        position=form.position.data or 0,
        is_active=bool(form.is_active.data),
    )


@bp.route("/framework/new", methods=["GET", "POST"])
@require(framework.can_manage_framework)
def objective_create() -> ResponseReturnValue:
    form = _objective_form(None)
    if form.validate_on_submit():
        response = submit(
            lambda: framework.create_objective(_objective_data(form), current_user),
            form=form,
            success=_("The objective is added."),
            redirect_to=url_for(".objective_list"),
        )
        if response is not None:
            return response
    return render_template("followup/objective_form.html", form=form, node=None)


@bp.route("/framework/<int:objective_id>/edit", methods=["GET", "POST"])
@require(framework.can_manage_framework)
def objective_edit(objective_id: int) -> ResponseReturnValue:
    node = db.get_or_404(Objective, objective_id)
    form = _objective_form(node)
    if form.validate_on_submit():
        response = submit(
            lambda: framework.update_objective(
                node, _objective_data(form), current_user
            ),
            form=form,
            success=_("The objective is saved."),
            redirect_to=url_for(".objective_list", _anchor=f"objective-{node.id}"),
        )
        if response is not None:
            return response
    return render_template("followup/objective_form.html", form=form, node=node)
