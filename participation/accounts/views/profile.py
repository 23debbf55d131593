"""The person's own account: details and password."""

from __future__ import annotations

from flask import flash, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ...core.web import submit
from .. import services
from ..forms import PasswordChangeForm, ProfileForm
from ..models import User
from . import bp
from .common import confirm_link, me, signed_in


@bp.get("/account")
@login_required
def profile() -> ResponseReturnValue:
    user = me()
    return render_template(
        "accounts/profile.html",
        user=user,
        verification=user.active_verification(),
    )


def _fill(form: ProfileForm, user: User) -> None:
    form.pseudonym.data = user.pseudonym
    form.real_name.data = user.real_name
    form.email.data = user.email
    form.phone.data = user.phone
    form.territory.data = str(user.territory_id or "")
    form.birth_year.data = str(user.birth_year or "")
    form.sex.data = user.sex.value if user.sex else ""
    form.locale.data = user.locale


def _changes(form: ProfileForm) -> services.ProfileChanges:
    return services.ProfileChanges(
        **form.person_details(),
        email=form.email.data or None,
        phone=form.phone.data or None,
    )


def _save(user: User, changes: services.ProfileChanges) -> services.ProfileResult:
    result = services.update_profile(user, changes)
    if result.email_changed:
        services.send_email_confirmation(user, confirm_link(user))
    return result


@bp.route("/account/edit", methods=["GET", "POST"])
@login_required
def profile_edit() -> ResponseReturnValue:
    user = me()
    form = ProfileForm()
    if request.method == "GET":
        _fill(form, user)

    def saved(result: services.ProfileResult) -> str:
        session["lang"] = user.locale
        if result.email_changed:
            flash(
                _(
                    "Your details are saved. We sent an e-mail to your new "
                    "address: open the link in it to confirm it."
                ),
                "success",
            )
        else:
            flash(_("Your details are saved."), "success")
        return url_for(".profile")

    if form.validate_on_submit():
        changes = _changes(form)
        response = submit(lambda: _save(user, changes), form=form, redirect_to=saved)
        if response is not None:
            return response
    return render_template("accounts/profile_edit.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change() -> ResponseReturnValue:
    user = me()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        current, new = form.current_password.data, form.new_password.data
        response = submit(
            lambda: services.change_password(user, current, new),
            form=form,
            success=_("Your password is changed. Other devices are signed out."),
            # The new stamp ends the other sessions; this one continues with it.
            redirect_to=lambda _nothing: signed_in(user, second_factor_done=True),
        )
        if response is not None:
            return response
    return render_template("accounts/password_change.html", form=form)
