"""Opening an account and confirming its e-mail address."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.web import submit
from .. import services
from ..forms import ActionForm, RegistrationForm
from ..models import User
from . import bp
from .common import confirm_link, me, rate_limit, signed_in


def _registration(form: RegistrationForm) -> services.Registration:
    return services.Registration(
        **form.person_details(),
        email=form.email.data or None,
        phone=form.phone.data or None,
        password=form.password.data,
        accepted_notice=bool(form.accept_notice.data),
    )


def _open_account(data: services.Registration) -> User:
    user = services.register(data)
    if user.email:
        services.send_email_confirmation(user, confirm_link(user))
    return user


def _welcome(user: User) -> str:
    """After the commit: sign the new person in and say what comes next."""
    if user.email:
        flash(
            _(
                "Your account is ready. We sent you an e-mail: open the link "
                "in it to confirm your address."
            ),
            "success",
        )
    else:
        flash(
            _(
                "Your account is ready. Phone numbers are not checked by "
                "message: a relay or a city agent can verify your account at a "
                "desk."
            ),
            "success",
        )
    return signed_in(user)


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("RATELIMIT_REGISTER")
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        flash(_("You already have an account and are signed in."), "info")
        return redirect(url_for(".profile"))
    form = RegistrationForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        data = _registration(form)
        response = submit(
            lambda: _open_account(data),
            form=form,
            redirect_to=_welcome,
            once=form.form_token.data,
        )
        if response is not None:
            return response
    return render_template("accounts/register.html", form=form)


def _after_confirmation(user: User) -> str:
    if current_user.is_authenticated and current_user.id == user.id:
        return url_for(".profile")
    return url_for(".signin")


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
def email_confirm(token: str) -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.confirm_email(token),
            form=form,
            success=_("Thank you: your e-mail address is confirmed."),
            redirect_to=_after_confirmation,
        )
        if response is not None:
            return response
        # The form has no field: the link's problem is atop the form.
        problem = form.form_errors[0] if form.form_errors else None
        return render_template(
            "accounts/email_confirm.html", form=form, problem=problem
        ), 400
    return render_template("accounts/email_confirm.html", form=form, problem=None)


@bp.post("/account/confirm/resend")
@login_required
@rate_limit("RATELIMIT_PASSWORD_RESET")
def email_confirm_resend() -> ResponseReturnValue:
    user = me()
    profile = url_for(".profile")
    if user.email and user.email_confirmed_at is None:
        response = submit(
            lambda: services.send_email_confirmation(user, confirm_link(user)),
            success=_("We sent the confirmation e-mail again."),
            redirect_to=profile,
            error_redirect=profile,
        )
        if response is not None:
            return response
    return redirect(profile)
