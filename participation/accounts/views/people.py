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
    can_manage_data_of,
    can_record_help,
    can_regenerate_setup_code,
    can_revoke_verification,
    can_search_people,
    can_see_identity,
    can_verify,
    can_view_person,
)
from ..security_forms import HelpRecordForm
from ..states import VerificationMethod
from . import bp
from .common import me, person_or_404, require, search
from .sheets import show_sheet


@bp.get("/people")
@require_role(can_search_people)
def people_search() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    # Staff browse everyone; a relay, the people they created or help.
    text, pagination = search(form, browse=True)
    return render_template(
        "accounts/people_search.html",
        form=form,
        text=text,
        pagination=pagination,
        can_create=can_create_managed_account(current_user),
        browse_all=is_staff(current_user),
    )


def _found(person: User) -> bool:
    """This relay found *person* by an exact identifier a moment ago (the pass)."""
    return services.pass_is_valid(current_user, person, request.args.get("found"))


def _back_to(person: User) -> str:
    return url_for(
        ".person_detail", person_id=person.id, found=request.args.get("found")
    )


def _render_person(
    person: User,
    verification_form: VerificationForm | None = None,
    help_form: HelpRecordForm | None = None,
) -> str:
    found = _found(person)
    verifies = can_verify(current_user, person, found=found)
    if verification_form is None and verifies:
        verification_form = VerificationForm()
        verification_form.territory.data = str(person.territory_id or "")
    records_help = can_record_help(current_user, person, found=found)
    return render_template(
        "accounts/person_detail.html",
        person=person,
        verification_form=verification_form,
        help_form=help_form or (HelpRecordForm() if records_help else None),
        can_verify=verifies,
        can_revoke=lambda verification: can_revoke_verification(
            current_user, verification
        ),
        can_regenerate=can_regenerate_setup_code(current_user, person),
        can_manage_roles=can_manage_people(current_user),
        can_manage_data=can_manage_data_of(current_user, person),
        show_identity=can_see_identity(current_user, person),
        found=request.args.get("found") if found else None,
    )


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_view_person(current_user, person, found=_found(person)))
    return _render_person(person)


@bp.post("/people/<int:person_id>/help")
@login_required
def help_record(person_id: int) -> ResponseReturnValue:
    """A relay records that the person found by an exact identifier asked for help."""
    person = person_or_404(person_id)
    found = _found(person)
    require(can_record_help(current_user, person, found=found))
    form = HelpRecordForm()
    if form.validate_on_submit():
        note = form.consent_note.data
        response = submit(
            lambda: services.record_help(me(), person, note, found=found),
            form=form,
            success=_("You now help this person: they appear in your list."),
            redirect_to=url_for(".person_detail", person_id=person.id),
        )
        if response is not None:
            return response
    return _render_person(person, help_form=form)


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
            once=form.form_token.data,
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
    found = _found(person)
    require(can_verify(current_user, person, found=found))
    form = VerificationForm()
    if form.validate_on_submit():
        territory_id = optional_int(form.territory.data)
        method, note = VerificationMethod(form.method.data), form.note.data
        response = submit(
            lambda: services.verify_resident(
                me(), person, territory_id, method, note, found=found
            ),
            form=form,
            success=_("The residence is marked as verified."),
            redirect_to=_back_to(person),
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
    require(can_revoke_verification(current_user, verification))
    back = url_for(".person_detail", person_id=person_id)
    response = submit(
        lambda: services.revoke_verification(me(), verification),
        success=_("The verification is revoked."),
        redirect_to=back,
        error_redirect=back,
    )
    return response or redirect(back)
