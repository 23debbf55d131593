"""Relays and staff: finding people, managed accounts, residence verification."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.decorators import require as require_role
from ...core.permissions import can_create_managed_account, can_manage_people, is_staff
from ...core.web import submit
from ...extensions import db
from .. import services
from ..forms import (
    ManagedAccountForm,
    PeopleSearchForm,
    VerificationForm,
    optional_int,
)
from ..models import ResidentVerification, User
from ..permissions import (
    can_regenerate_setup_code,
    can_search_people,
    can_verify,
    can_view_person,
)
from ..states import VerificationMethod
from . import bp
from .common import me, person_or_404, require, search
from .sheets import show_sheet


@bp.get("/people")
@require_role(can_search_people)
def people_search() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    # Relays look a person up; only staff browse the whole list.
    text, pagination = search(form, browse=is_staff(current_user))
    return render_template(
        "accounts/people_search.html",
        form=form,
        text=text,
        pagination=pagination,
        can_create=can_create_managed_account(current_user),
    )


def _render_person(
    person: User, verification_form: VerificationForm | None = None
) -> str:
    if verification_form is None and can_verify(current_user, person):
        verification_form = VerificationForm()
        verification_form.territory.data = str(person.territory_id or "")
    return render_template(
        "accounts/person_detail.html",
        person=person,
        verification_form=verification_form,
        can_verify=can_verify(current_user, person),
        can_regenerate=can_regenerate_setup_code(current_user, person),
        can_manage_roles=can_manage_people(current_user),
        show_real_name=True,
    )


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_view_person(current_user, person))
    return _render_person(person)


def _managed_account(form: ManagedAccountForm) -> services.ManagedAccount:
    return services.ManagedAccount(
        **form.person_details(),
        consent=bool(form.consent.data),
        verified_in_person=bool(form.verified_in_person.data),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@require_role(can_create_managed_account)
def managed_create() -> ResponseReturnValue:
    form = ManagedAccountForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        data = _managed_account(form)
        response = submit(
            lambda: services.create_managed_account(me(), data),
            form=form,
            success=_(
                "The account is created. Print the sheet and give it to the person."
            ),
            redirect_to=show_sheet,
        )
        if response is not None:
            return response
    return render_template("accounts/managed_create.html", form=form)


@bp.post("/people/<int:person_id>/setup-code")
@login_required
def setup_code_regenerate(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_regenerate_setup_code(current_user, person))
    back = url_for(".person_detail", person_id=person.id)
    response = submit(
        lambda: (person, services.regenerate_setup_code(me(), person)),
        success=_("A new code is issued; the previous one no longer works."),
        redirect_to=show_sheet,
        error_redirect=back,
    )
    return response or redirect(back)


@bp.post("/people/<int:person_id>/verifications")
@login_required
def verification_create(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_verify(current_user, person))
    form = VerificationForm()
    if form.validate_on_submit():
        territory_id = optional_int(form.territory.data)
        method, note = VerificationMethod(form.method.data), form.note.data
        response = submit(
            lambda: services.verify_resident(me(), person, territory_id, method, note),
            form=form,
            success=_("The residence is marked as verified."),
            redirect_to=url_for(".person_detail", person_id=person.id),
        )
        if response is not None:
            return response
    return _render_person(person, form)


@bp.post("/people/<int:person_id>/verifications/<int:verification_id>/revoke")
@login_required
def verification_revoke(person_id: int, verification_id: int) -> ResponseReturnValue:
    verification = db.get_or_404(ResidentVerification, verification_id)
    if verification.user_id != person_id:
        abort(404)
    require(can_verify(current_user, verification.user))
    back = url_for(".person_detail", person_id=person_id)
    response = submit(
        lambda: services.revoke_verification(me(), verification),
        success=_("The verification is revoked."),
        redirect_to=back,
        error_redirect=back,
    )
    return response or redirect(back)
