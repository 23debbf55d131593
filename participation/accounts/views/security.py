"""The person's sign-in security: two-factor sign-in, recovery codes, sessions."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ...core.database import write_lock
from ...core.web import submit
from ...extensions import db
from ..security_forms import EnrolmentForm, PasswordConfirmForm
from ..services import sessions, twofactor
from . import bp
from .common import me
from .signin import RECOVERY_CODES_KEY, enrolment_page


@bp.get("/account/two-factor")
@login_required
def two_factor() -> ResponseReturnValue:
    user = me()
    return render_template(
        "accounts/two_factor.html",
        user=user,
        required=twofactor.requires_second_factor(user),
        unused_codes=twofactor.unused_recovery_codes(user),
        session_count=sessions.count_sessions(user),
        disable_form=PasswordConfirmForm(prefix="disable"),
        codes_form=PasswordConfirmForm(prefix="codes"),
    )


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> ResponseReturnValue:
    user = me()
    if user.has_second_factor:
        return redirect(url_for(".two_factor"))
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
            return url_for(".recovery_codes")

        response = submit(
            lambda: twofactor.confirm_enrolment(user, code),
            form=form,
            success=_("Two-factor sign-in is on."),
            redirect_to=enrolled,
        )
        if response is not None:
            return response
    return enrolment_page(user, form, secret, forced=False)


@bp.post("/account/two-factor/disable")
@login_required
def two_factor_disable() -> ResponseReturnValue:
    user = me()
    form = PasswordConfirmForm(prefix="disable")
    back = url_for(".two_factor")
    if form.validate_on_submit():
        password = form.password.data
        response = submit(
            lambda: twofactor.disable(user, password),
            success=_("Two-factor sign-in is off."),
            redirect_to=back,
            error_redirect=back,
        )
        if response is not None:
            return response
    return redirect(back)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes_renew() -> ResponseReturnValue:
    user = me()
    form = PasswordConfirmForm(prefix="codes")
    back = url_for(".two_factor")
    if form.validate_on_submit():
        password = form.password.data

        def renewed(codes: list[str]) -> str:
            session[RECOVERY_CODES_KEY] = codes
            return url_for(".recovery_codes")

        response = submit(
            lambda: twofactor.regenerate_recovery_codes(user, password),
            redirect_to=renewed,
            error_redirect=back,
        )
        if response is not None:
            return response
    return redirect(back)
