"""Pages of the accounts feature: registration, sign-in, profile, people admin."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core.decorators import require
from ..core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ..core.forms import show_errors
from ..core.pdf import Document
from ..core.permissions import can_create_managed_account, can_manage_people, is_staff
from ..extensions import db, limiter, login_manager
from . import queries, services
from .forms import (
    ActionForm,
    ManagedAccountForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordForgotForm,
    PeopleSearchForm,
    ProfileForm,
    RegistrationForm,
    SetupCodeForm,
    SignInForm,
    VerificationForm,
    optional_int,
    optional_sex,
)
from .models import ResidentVerification, User
from .states import Role, VerificationMethod

bp = Blueprint("accounts", __name__)

#: Session key holding the setup codes a relay just issued, for the printable sheet.
SHEETS_KEY = "accounts_setup_sheets"
#: The sheet can be printed for this long after the code was issued.
SHEET_TTL_SECONDS = 30 * 60
PEOPLE_PER_PAGE = 25


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in person; a changed security stamp ends old sessions."""
    ident, _sep, stamp = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or str(user.security_stamp) != stamp:
        return None
    return user


@bp.before_app_request
def forget_per_request_caches() -> None:
    """Load the person and the locale afresh for every request.

    Flask-Login and Flask-Babel cache them on ``g``; the test client reuses one
    application context for several requests, where the cache would leak from one
    request to the next. In production ``g`` is new for each request anyway.
    """
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)


@bp.app_context_processor
def accounts_context() -> dict[str, Any]:
    return {
        "can_search_people": services.can_search_people,
        "can_manage_people": can_manage_people,
    }


def _rate_limit(config_key: str) -> Any:
    """Limit POSTs of a view to the rate named by *config_key* (per client address)."""
    return limiter.limit(lambda: str(current_app.config[config_key]), methods=["POST"])


def _safe_next(target: str | None) -> str | None:
    """Follow only same-site relative paths after signing in (no open redirect)."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def _apply_errors(form: Any, error: DomainError) -> None:
    """Put a service's messages next to their fields (core.forms.show_errors)."""
    db.session.rollback()
    show_errors(form, error)


def _confirm_link(user: User) -> str:
    token = services.email_confirmation_token(user)
    return url_for("accounts.email_confirm", token=token, _external=True)


def _sign_in(user: User, *, remember: bool = False) -> None:
    login_user(user, remember=remember)
    session["lang"] = user.locale


def _me() -> User:
    """The signed-in person as a model object (services and audit need the real one)."""
    user: User = current_user._get_current_object()
    return user


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


# --- Registration, e-mail confirmation ---


@bp.route("/register", methods=["GET", "POST"])
@_rate_limit("RATELIMIT_REGISTER")
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        flash(_("You already have an account and are signed in."), "info")
        return redirect(url_for(".profile"))
    form = RegistrationForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        data = services.Registration(
            email=form.email.data or None,
            phone=form.phone.data or None,
            password=form.password.data,
            pseudonym=form.pseudonym.data,
            real_name=form.real_name.data,
            territory_id=optional_int(form.territory.data),
            birth_year=optional_int(form.birth_year.data),
            sex=optional_sex(form.sex.data),
            locale=form.locale.data,
            accepted_notice=bool(form.accept_notice.data),
        )
        try:
            user = services.register(data)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            if user.email:
                services.send_email_confirmation(user, _confirm_link(user))
            db.session.commit()
            _sign_in(user)
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
            return redirect(url_for(".profile"))
    return render_template("accounts/register.html", form=form)


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
def email_confirm(token: str) -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email(token)
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "accounts/email_confirm.html", form=form, problem=error
            ), 400
        db.session.commit()
        flash(_("Thank you: your e-mail address is confirmed."), "success")
        if current_user.is_authenticated and current_user.id == user.id:
            return redirect(url_for(".profile"))
        return redirect(url_for(".signin"))
    return render_template("accounts/email_confirm.html", form=form, problem=None)


@bp.post("/account/confirm/resend")
@login_required
@_rate_limit("RATELIMIT_PASSWORD_RESET")
def email_confirm_resend() -> ResponseReturnValue:
    user = _me()
    if user.email and user.email_confirmed_at is None:
        services.send_email_confirmation(user, _confirm_link(user))
        db.session.commit()
        flash(_("We sent the confirmation e-mail again."), "success")
    return redirect(url_for(".profile"))


# --- Sign in and out, forgotten password ---


@bp.route("/signin", methods=["GET", "POST"])
@_rate_limit("RATELIMIT_SIGNIN")
def signin() -> ResponseReturnValue:
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.identifier.data, form.password.data)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            _sign_in(user, remember=bool(form.remember.data))
            flash(_("You are signed in."), "success")
            return redirect(_safe_next(form.next.data) or url_for(".profile"))
    return render_template("accounts/signin.html", form=form)


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_rate_limit("RATELIMIT_PASSWORD_RESET")
def password_forgot() -> ResponseReturnValue:
    form = PasswordForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data,
            lambda token: url_for(
                "accounts.password_reset", token=token, _external=True
            ),
        )
        db.session.commit()
        # The same answer whether or not the address is known.
        flash(
            _(
                "If an account uses this address, we sent it a link to choose a new "
                "password. Look in your mailbox (and in the spam folder)."
            ),
            "info",
        )
        return redirect(url_for(".signin"))
    return render_template("accounts/password_forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_rate_limit("RATELIMIT_PASSWORD_RESET")
def password_reset(token: str) -> ResponseReturnValue:
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except services.TokenError as error:
            db.session.rollback()
            return render_template(
                "accounts/password_reset.html", form=form, problem=error
            ), 400
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            _sign_in(user)
            flash(_("Your new password is saved and you are signed in."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/password_reset.html", form=form, problem=None)


@bp.route("/setup-code", methods=["GET", "POST"])
@_rate_limit("RATELIMIT_SIGNIN")
def setup_code() -> ResponseReturnValue:
    form = SetupCodeForm()
    if form.validate_on_submit():
        try:
            user = services.redeem_setup_code(
                form.pseudonym.data, form.code.data, form.password.data
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            _sign_in(user)
            flash(
                _(
                    "Your password is saved and you are signed in. Next time, sign "
                    "in with your pseudonym and this password."
                ),
                "success",
            )
            return redirect(url_for(".profile"))
    return render_template("accounts/setup_code.html", form=form)


# --- The person's own account ---


@bp.get("/account")
@login_required
def profile() -> ResponseReturnValue:
    user = _me()
    return render_template(
        "accounts/profile.html",
        user=user,
        verification=user.active_verification(),
    )


@bp.route("/account/edit", methods=["GET", "POST"])
@login_required
def profile_edit() -> ResponseReturnValue:
    user = _me()
    form = ProfileForm()
    if request.method == "GET":
        form.pseudonym.data = user.pseudonym
        form.real_name.data = user.real_name
        form.email.data = user.email
        form.phone.data = user.phone
        form.territory.data = str(user.territory_id or "")
        form.birth_year.data = str(user.birth_year or "")
        form.sex.data = user.sex.value if user.sex else ""
        form.locale.data = user.locale
    if form.validate_on_submit():
        changes = services.ProfileChanges(
            pseudonym=form.pseudonym.data,
            real_name=form.real_name.data,
            email=form.email.data or None,
            phone=form.phone.data or None,
            territory_id=optional_int(form.territory.data),
            birth_year=optional_int(form.birth_year.data),
            sex=optional_sex(form.sex.data),
            locale=form.locale.data,
        )
        try:
            result = services.update_profile(user, changes)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            if result.email_changed:
                services.send_email_confirmation(user, _confirm_link(user))
            db.session.commit()
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
            return redirect(url_for(".profile"))
    return render_template("accounts/profile_edit.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change() -> ResponseReturnValue:
    user = _me()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user, form.current_password.data, form.new_password.data
            )
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            # The new stamp ends the other sessions; this one continues with it.
            _sign_in(user)
            flash(
                _("Your password is changed. Other devices are signed out."), "success"
            )
            return redirect(url_for(".profile"))
    return render_template("accounts/password_change.html", form=form)


# --- Relays and staff: people, managed accounts, verification ---


def _search(form: PeopleSearchForm, *, browse: bool) -> tuple[str, Any]:
    """Run the search in *form*; without words, list everyone only when *browse*."""
    text = (form.q.data or "").strip() if form.validate() else ""
    if not text and not browse:
        return text, None
    try:
        phone = services.normalize_phone(text) if text else None
    except DomainError:
        phone = None
    page = request.args.get("page", 1, type=int) or 1
    return text, queries.search_people(
        text, phone=phone, page=max(page, 1), per_page=PEOPLE_PER_PAGE
    )


@bp.get("/people")
@require(services.can_search_people)
def people_search() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    # Relays look a person up; only staff browse the whole list.
    text, pagination = _search(form, browse=is_staff(current_user))
    return render_template(
        "accounts/people_search.html",
        form=form,
        text=text,
        pagination=pagination,
        can_create=can_create_managed_account(current_user),
    )


def _person_or_404(person_id: int) -> User:
    return db.get_or_404(User, person_id)


def _render_person(
    person: User, verification_form: VerificationForm | None = None
) -> str:
    if verification_form is None and services.can_verify(current_user, person):
        verification_form = VerificationForm()
        verification_form.territory.data = str(person.territory_id or "")
    return render_template(
        "accounts/person_detail.html",
        person=person,
        verification_form=verification_form,
        can_verify=services.can_verify(current_user, person),
        can_regenerate=services.can_regenerate_setup_code(current_user, person),
        can_manage_roles=can_manage_people(current_user),
        show_real_name=True,
    )


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    _require(services.can_view_person(current_user, person))
    return _render_person(person)


@bp.route("/people/new", methods=["GET", "POST"])
@require(can_create_managed_account)
def managed_create() -> ResponseReturnValue:
    form = ManagedAccountForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        data = services.ManagedAccount(
            pseudonym=form.pseudonym.data,
            real_name=form.real_name.data,
            territory_id=optional_int(form.territory.data),
            birth_year=optional_int(form.birth_year.data),
            sex=optional_sex(form.sex.data),
            locale=form.locale.data,
            consent=bool(form.consent.data),
            verified_in_person=bool(form.verified_in_person.data),
        )
        try:
            person, code = services.create_managed_account(_me(), data)
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            _remember_sheet(person.id, code)
            flash(
                _("The account is created. Print the sheet and give it to the person."),
                "success",
            )
            return redirect(url_for(".managed_sheet", person_id=person.id))
    return render_template("accounts/managed_create.html", form=form)


def _remember_sheet(person_id: int, code: str) -> None:
    now = int(time.time())
    sheets = {
        key: value
        for key, value in dict(session.get(SHEETS_KEY) or {}).items()
        if isinstance(value, dict) and now - int(value.get("at", 0)) < SHEET_TTL_SECONDS
    }
    sheets[str(person_id)] = {"code": code, "at": now}
    session[SHEETS_KEY] = sheets


def _sheet_code(person: User) -> str | None:
    """The code this browser issued for *person* a moment ago, if it still holds."""
    entry = (session.get(SHEETS_KEY) or {}).get(str(person.id))
    if (
        not isinstance(entry, dict)
        or time.time() - int(entry.get("at", 0)) >= SHEET_TTL_SECONDS
    ):
        return None
    code = str(entry.get("code", ""))
    return code if services.setup_code_matches(person, code) else None


@bp.get("/people/<int:person_id>/sheet")
@login_required
def managed_sheet(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    _require(services.can_get_setup_sheet(current_user, person))
    return render_template(
        "accounts/managed_sheet.html",
        person=person,
        code=_sheet_code(person),
        can_regenerate=services.can_regenerate_setup_code(current_user, person),
    )


@bp.get("/people/<int:person_id>/sheet.pdf")
@login_required
def managed_sheet_pdf(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    _require(services.can_get_setup_sheet(current_user, person))
    code = _sheet_code(person)
    if code is None:
        raise NotFound(
            _("This sheet can only be printed right after the code is issued.")
        )
    pdf = _setup_sheet_pdf(person, code)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="account-sheet-{person.id}.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _setup_sheet_pdf(person: User, code: str) -> bytes:
    # Without a text-shaping engine Arabic would print unjoined: use French instead.
    locale = person.locale if person.locale in ("fr", "en") else "fr"
    site = current_app.config["SITE_NAME"]
    with force_locale(locale):
        document = Document(_("Your account on %(site)s", site=site), author=site)
        document.heading(_("Your account on %(site)s", site=site))
        document.paragraph(current_app.config["ORGANISATION_NAME"])
        document.label_value(_("Your pseudonym:"), person.pseudonym)
        document.paragraph(_("Your one-time code:"))
        document.boxed(code)
        if person.setup_code_expires_at is not None:
            document.paragraph(
                _(
                    "This code works once, until %(date)s.",
                    date=format_date(person.setup_code_expires_at, "long"),
                )
            )
        document.heading(_("How to choose your password"), size=14)
        document.steps(
            [
                _(
                    "Go to this address: %(url)s",
                    url=url_for(".setup_code", _external=True),
                ),
                _("Type your pseudonym and the code above."),
                _("Choose a password of at least 10 characters and type it twice."),
                _(
                    "Next time, sign in at %(url)s with your pseudonym and your "
                    "password.",
                    url=url_for(".signin", _external=True),
                ),
            ]
        )
        document.paragraph(
            _(
                "Keep this sheet for yourself: the code gives access to your account. "
                "If you lose it, a relay or a city agent can give you a new one."
            ),
            bold=True,
        )
        return document.output()


@bp.post("/people/<int:person_id>/sheet/close")
@login_required
def managed_sheet_close(person_id: int) -> ResponseReturnValue:
    sheets = dict(session.get(SHEETS_KEY) or {})
    if sheets.pop(str(person_id), None) is not None:
        session[SHEETS_KEY] = sheets
    return redirect(url_for(".person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/setup-code")
@login_required
def setup_code_regenerate(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    _require(services.can_regenerate_setup_code(current_user, person))
    code = services.regenerate_setup_code(_me(), person)
    db.session.commit()
    _remember_sheet(person.id, code)
    flash(_("A new code is issued; the previous one no longer works."), "success")
    return redirect(url_for(".managed_sheet", person_id=person.id))


@bp.post("/people/<int:person_id>/verifications")
@login_required
def verification_create(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    _require(services.can_verify(current_user, person))
    form = VerificationForm()
    if form.validate_on_submit():
        try:
            services.verify_resident(
                _me(),
                person,
                optional_int(form.territory.data),
                VerificationMethod(form.method.data),
                form.note.data,
            )
        except Conflict as error:
            db.session.rollback()
            flash(str(error), "info")
            return redirect(url_for(".person_detail", person_id=person.id))
        except DomainError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The residence is marked as verified."), "success")
            return redirect(url_for(".person_detail", person_id=person.id))
    return _render_person(person, form)


@bp.post("/people/<int:person_id>/verifications/<int:verification_id>/revoke")
@login_required
def verification_revoke(person_id: int, verification_id: int) -> ResponseReturnValue:
    verification = db.get_or_404(ResidentVerification, verification_id)
    if verification.user_id != person_id:
        abort(404)
    _require(services.can_verify(current_user, verification.user))
    services.revoke_verification(_me(), verification)
    db.session.commit()
    flash(_("The verification is revoked."), "success")
    return redirect(url_for(".person_detail", person_id=person_id))


# --- Administrators: people and roles ---


@bp.get("/admin/people")
@require(can_manage_people)
def admin_people() -> ResponseReturnValue:
    form = PeopleSearchForm(request.args)
    text, pagination = _search(form, browse=True)
    return render_template(
        "accounts/admin_people.html", form=form, text=text, pagination=pagination
    )


@bp.get("/admin/people/<int:person_id>")
@require(can_manage_people)
def admin_person(person_id: int) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    return render_template(
        "accounts/admin_person.html", person=person, roles=list(Role)
    )


@bp.post("/admin/people/<int:person_id>/roles/<role>/<any(grant, revoke):action>")
@require(can_manage_people)
def role_change(person_id: int, role: str, action: str) -> ResponseReturnValue:
    person = _person_or_404(person_id)
    try:
        chosen = Role(role)
    except ValueError:
        abort(404)
    try:
        if action == "grant":
            changed = services.grant_role(_me(), person, chosen)
        else:
            changed = services.revoke_role(_me(), person, chosen)
    except PermissionDenied:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".admin_person", person_id=person.id))
    db.session.commit()
    if changed:
        message = (
            _(
                "%(person)s now has the role %(role)s.",
                person=person.pseudonym,
                role=chosen.label,
            )
            if action == "grant"
            else _(
                "%(person)s no longer has the role %(role)s.",
                person=person.pseudonym,
                role=chosen.label,
            )
        )
        flash(message, "success")
    return redirect(url_for(".admin_person", person_id=person.id))
