"""Signing in (password, then the second factor) and out, a forgotten password,
a managed person's setup code."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, logout_user

from ...core.database import write_lock
from ...core.web import announce, safe_next, submit
from ...extensions import db
from .. import services
from ..forms import NewPasswordForm, PasswordForgotForm, SetupCodeForm, SignInForm
from ..models import User
from ..security_forms import EnrolmentForm, SecondFactorForm
from ..services import twofactor
from . import bp
from .common import PENDING_KEY, me, pending_sign_in, rate_limit, signed_in

#: Session key of the recovery codes just made, shown once.
RECOVERY_CODES_KEY = "recovery_codes"


def _welcome(user: User, *, remember: bool, then: str | None) -> str:
    url = signed_in(user, remember=remember, then=then)
    if current_user.is_authenticated:
        refresh()  # the welcome speaks the person's language, not the form's
        flash(_("You are signed in."), "success")
    return url


@bp.route("/signin", methods=["GET", "POST"])
@rate_limit("RATELIMIT_SIGNIN", failures_only=True)
def signin() -> ResponseReturnValue:
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        identifier, password = form.identifier.data, form.password.data
        remember, then = bool(form.remember.data), safe_next(form.next.data)
        response = submit(
            lambda: services.sign_in(identifier, password),
            form=form,
            redirect_to=lambda step: _welcome(step.user, remember=remember, then=then),
        )
        if response is not None:
            return response
    return render_template("accounts/signin.html", form=form)


@bp.route("/signin/code", methods=["GET", "POST"])
@rate_limit("RATELIMIT_SIGNIN", failures_only=True)
def signin_code() -> ResponseReturnValue:
    """Second step: the authenticator app's code, or a recovery code."""
    pending = pending_sign_in()
    if pending is None or not pending[0].has_second_factor:
        flash(_("Please sign in again."), "info")
        return redirect(url_for(".signin"))
    user, data = pending
    form = SecondFactorForm()
    if form.validate_on_submit():
        code = form.code.data
        response = submit(
            lambda: services.complete_second_factor(user, code),
            form=form,
            redirect_to=lambda signed: _after_second_factor(signed, data),
        )
        if response is not None:
            return response
    return render_template("accounts/signin_code.html", form=form)


def _after_second_factor(user: User, data: dict[str, object]) -> str:
    url = signed_in(
        user,
        remember=bool(data.get("r")),
        then=safe_next(str(data.get("n") or "")),
        second_factor_done=True,
    )
    refresh()
    flash(_("You are signed in."), "success")
    return url


@bp.route("/signin/two-factor-setup", methods=["GET", "POST"])
def signin_enrol() -> ResponseReturnValue:
    """Staff without a second factor set it up before their first page."""
    pending = pending_sign_in()
    if pending is None or pending[0].has_second_factor:
        return redirect(url_for(".signin"))
    user, data = pending
    secret = twofactor.pending_secret(user)
    if secret is None:
        write_lock()
        secret = twofactor.start_enrolment(user)
        db.session.commit()
    form = EnrolmentForm()
    if form.validate_on_submit():
        code = form.code.data

        def enrolled(codes: list[str]) -> str:
            session[RECOVERY_CODES_KEY] = codes
            _after_second_factor(user, data)
            return url_for(".recovery_codes")

        response = submit(
            lambda: twofactor.confirm_enrolment(user, code),
            form=form,
            redirect_to=enrolled,
        )
        if response is not None:
            return response
    return enrolment_page(user, form, secret, forced=True)


def enrolment_page(
    user: User, form: EnrolmentForm, secret: str, *, forced: bool
) -> str:
    """The enrolment page: the QR code and the key of *secret*, and the code form."""
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=secret,
        qr_code=twofactor.qr_code_data_uri(twofactor.provisioning_uri(user, secret)),
        forced=forced,
    )


@bp.get("/account/recovery-codes")
def recovery_codes() -> ResponseReturnValue:
    """The recovery codes just made, shown once (then only their number)."""
    if not current_user.is_authenticated:
        return redirect(url_for(".signin"))
    codes = session.pop(RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect(url_for(".two_factor"))
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        write_lock()
        services.end_session(me())
        db.session.commit()
    logout_user()
    session.pop(PENDING_KEY, None)
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.post("/account/sessions/end-all")
def signout_everywhere() -> ResponseReturnValue:
    """End every session of the account: other devices, and this one."""
    if not current_user.is_authenticated:
        return redirect(url_for(".signin"))
    write_lock()
    services.sign_out_everywhere(me())
    db.session.commit()
    logout_user()
    flash(
        _("You are signed out on every device, this one too. Sign in again here."),
        "info",
    )
    return redirect(url_for(".signin"))


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
