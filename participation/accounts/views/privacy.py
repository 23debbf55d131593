"""A person's data: download it, delete the account (also for a managed account,
by the relay who created it or by staff)."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ...core.database import write_lock
from ...core.web import submit
from ...extensions import db
from ..forms import ActionForm
from ..models import User
from ..permissions import can_manage_data_of
from ..security_forms import KEEP, AccountDeletionForm
from ..services import privacy as privacy_services
from . import bp
from .common import me, person_or_404, require


def _render(person: User, form: AccountDeletionForm | None = None) -> str:
    return render_template(
        "accounts/my_data.html",
        person=person,
        own=person.id == current_user.id,
        download_form=ActionForm(),
        delete_form=form or AccountDeletionForm(),
    )


@bp.get("/account/data")
@login_required
def my_data() -> ResponseReturnValue:
    return _render(me())


@bp.get("/people/<int:person_id>/data")
@login_required
def person_data(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_manage_data_of(current_user, person) and person.deleted_at is None)
    return _render(person)


def _download(person: User) -> Response:
    write_lock()
    archive = privacy_services.download_my_data(me(), person)
    db.session.commit()  # the export is logged
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="my-data-{person.id}.zip"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/data/download")
@login_required
def my_data_download() -> ResponseReturnValue:
    require(ActionForm().validate_on_submit())
    return _download(me())


@bp.post("/people/<int:person_id>/data/download")
@login_required
def person_data_download(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_manage_data_of(current_user, person) and person.deleted_at is None)
    require(ActionForm().validate_on_submit())
    return _download(person)


def _delete(person: User, *, own: bool) -> ResponseReturnValue:
    form = AccountDeletionForm()
    if form.validate_on_submit():
        keep = form.contributions.data == KEEP
        password = form.password.data

        def done(_nothing: None) -> str:
            if own:
                logout_user()
                return url_for("core.home")
            return url_for(".people_search")

        response = submit(
            lambda: privacy_services.delete_account(
                me(), person, keep_public=keep, password=password
            ),
            form=form,
            success=_("The account is deleted."),
            redirect_to=done,
        )
        if response is not None:
            return response
    return _render(person, form), 400 if request.method == "POST" else 200


@bp.post("/account/delete")
@login_required
def my_account_delete() -> ResponseReturnValue:
    return _delete(me(), own=True)


@bp.post("/people/<int:person_id>/delete")
@login_required
def person_delete(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_manage_data_of(current_user, person) and person.deleted_at is None)
    return _delete(person, own=False)
