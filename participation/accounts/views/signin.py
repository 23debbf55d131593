"""Signing in and out, a forgotten password, a managed person's setup code."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import logout_user

from ...core.web import announce, safe_next, submit
from .. import services
from ..forms import NewPasswordForm, PasswordForgotForm, SetupCodeForm, SignInForm
from ..models import User
from . import bp
from .common import rate_limit, signed_in


@bp.route("/signin", methods=["GET", "POST"])
@rate_limit("RATELIMIT_SIGNIN")
def signin() -> ResponseReturnValue:
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        identifier, password = form.identifier.data, form.password.data
        remember, then = bool(form.remember.data), safe_next(form.next.data)

        def welcome(user: User) -> str:
            return signed_in(user, remember=remember, then=then)

        response = submit(
            lambda: services.authenticate(identifier, password),
            form=form,
            success=_("You are signed in."),
            redirect_to=welcome,
        )
        if response is not None:
            return response
    return render_template("accounts/signin.html", form=form)


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


def _reset_link(token: str) -> str:
    return url_for("accounts.password_reset", token=token, _external=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limit("RATELIMIT_PASSWORD_RESET")
def password_forgot() -> ResponseReturnValue:
    form = PasswordForgotForm()
    if form.validate_on_submit():
        email = form.email.data
        response = submit(
            lambda: services.request_password_reset(email, _reset_link),
            form=form,
            # The same answer whether or not the address is known.
            redirect_to=announce(
                url_for(".signin"),
                lambda _nothing: _(
                    "If an account uses this address, we sent it a link to choose "
                    "a new password. Look in your mailbox (and in the spam folder)."
                ),
                "info",
            ),
        )
        if response is not None:
            return response
    return render_template("accounts/password_forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@rate_limit("RATELIMIT_PASSWORD_RESET")
def password_reset(token: str) -> ResponseReturnValue:
    form = NewPasswordForm()
    if form.validate_on_submit():
        password = form.password.data
        response = submit(
            lambda: services.reset_password(token, password),
            form=form,
            success=_("Your new password is saved and you are signed in."),
            redirect_to=signed_in,
        )
        if response is not None:
            return response
        if form.form_errors:  # the link itself is wrong: no form, the problem
            return render_template(
                "accounts/password_reset.html", form=form, problem=form.form_errors[0]
            ), 400
    return render_template("accounts/password_reset.html", form=form, problem=None)


@bp.route("/setup-code", methods=["GET", "POST"])
@rate_limit("RATELIMIT_SIGNIN")
def setup_code() -> ResponseReturnValue:
    form = SetupCodeForm()
    if form.validate_on_submit():
        pseudonym, code, password = (
            form.pseudonym.data,
            form.code.data,
            form.password.data,
        )
        response = submit(
            lambda: services.redeem_setup_code(pseudonym, code, password),
            form=form,
            success=_(
                "Your password is saved and you are signed in. Next time, sign "
                "in with your pseudonym and this password."
            ),
            redirect_to=signed_in,
        )
        if response is not None:
            return response
    return render_template("accounts/setup_code.html", form=form)
