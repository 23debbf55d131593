"""Administrators: everyone's accounts and their roles."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...core.decorators import require
from ...core.permissions import can_manage_people, is_relay
from ...core.web import announce, submit
from .. import services
from ..forms import PeopleSearchForm, optional_int
from ..models import User
from ..security_forms import RelayTerritoryForm
from ..states import Role
from . import bp
from .common import me, person_or_404, search


@bp.get("/admin/people")
@require(can_manage_people)
def admin_people() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    text, pagination = search(form, browse=True)
    return render_template(
        "accounts/admin_people.html", form=form, text=text, pagination=pagination
    )


@bp.get("/admin/people/<int:person_id>")
@require(can_manage_people)
def admin_person(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    return render_template(
        "accounts/admin_person.html",
        person=person,
        roles=list(Role),
        is_relay=is_relay(person),
        served=services.served_territories(person),
        territory_form=RelayTerritoryForm(),
    )


@bp.post("/admin/people/<int:person_id>/territories")
@require(can_manage_people)
def relay_territory_attach(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    form = RelayTerritoryForm()
    back = url_for(".admin_person", person_id=person.id)
    if form.validate_on_submit():
        territory_id = optional_int(form.territory.data)
        response = submit(
            lambda: services.attach_territory(me(), person, territory_id),
            success=_("The relay now serves this QPV."),
            redirect_to=back,
            error_redirect=back,
        )
        if response is not None:
            return response
    return redirect(back)


@bp.post("/admin/people/<int:person_id>/territories/<int:territory_id>/detach")
@require(can_manage_people)
def relay_territory_detach(person_id: int, territory_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    back = url_for(".admin_person", person_id=person.id)
    response = submit(
        lambda: services.detach_territory(me(), person, territory_id),
        success=_("The relay no longer serves this QPV."),
        redirect_to=back,
        error_redirect=back,
    )
    return response or redirect(back)


def _role_message(person: User, role: Role, granted: bool) -> str:
    if granted:
        return str(
            _(
                "%(person)s now has the role %(role)s.",
                person=person.pseudonym,
                role=role.label,
            )
        )
    return str(
        _(
            "%(person)s no longer has the role %(role)s.",
            person=person.pseudonym,
            role=role.label,
        )
    )


@bp.post("/admin/people/<int:person_id>/roles/<role>/<any(grant, revoke):action>")
@require(can_manage_people)
def role_change(person_id: int, role: str, action: str) -> ResponseReturnValue:
    person = person_or_404(person_id)
    try:
        chosen = Role(role)
    except ValueError:
        abort(404)
    grant = action == "grant"
    change = services.grant_role if grant else services.revoke_role
    back = url_for(".admin_person", person_id=person.id)
    response = submit(
        lambda: change(me(), person, chosen),
        # Nothing to say when the person already had (or lacked) the role.
        redirect_to=announce(
            back,
            lambda changed: _role_message(person, chosen, grant) if changed else None,
        ),
        error_redirect=back,
    )
    return response or redirect(back)
