"""Administrators: everyone's accounts and their roles."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...core.decorators import require
from ...core.permissions import can_manage_people
from ...core.web import announce, submit
from .. import services
from ..forms import PeopleSearchForm
from ..models import User
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
        "accounts/admin_person.html", person=person, roles=list(Role)
    )


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
