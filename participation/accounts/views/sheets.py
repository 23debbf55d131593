"""The printable sheet of a managed account: the one-time code, shown once."""

from __future__ import annotations

import time

from flask import current_app, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import NotFound
from ...core.i18n import format_date
from ...core.pdf import Document
from .. import services
from ..models import User
from ..permissions import can_get_setup_sheet, can_regenerate_setup_code
from . import bp
from .common import person_or_404, require

#: Session key holding the setup codes a relay just issued, for the printable sheet.
SHEETS_KEY = "accounts_setup_sheets"
#: The sheet can be printed for this long after the code was issued.
SHEET_TTL_SECONDS = 30 * 60


def show_sheet(issued: tuple[User, str]) -> str:
    """After the commit: keep the new code for this browser; the sheet's URL."""
    person, code = issued
    now = int(time.time())
    sheets = {
        key: value
        for key, value in dict(session.get(SHEETS_KEY) or {}).items()
        if isinstance(value, dict) and now - int(value.get("at", 0)) < SHEET_TTL_SECONDS
    }
    sheets[str(person.id)] = {"code": code, "at": now}
    session[SHEETS_KEY] = sheets
    return url_for(".managed_sheet", person_id=person.id)


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
    person = person_or_404(person_id)
    require(can_get_setup_sheet(current_user, person))
    return render_template(
        "accounts/managed_sheet.html",
        person=person,
        code=_sheet_code(person),
        can_regenerate=can_regenerate_setup_code(current_user, person),
    )


@bp.get("/people/<int:person_id>/sheet.pdf")
@login_required
def managed_sheet_pdf(person_id: int) -> ResponseReturnValue:
    person = person_or_404(person_id)
    require(can_get_setup_sheet(current_user, person))
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
    # In the person's language: Arabic is shaped right to left (core.pdf).
    languages = current_app.config["LANGUAGES"]
    locale = person.locale if person.locale in languages else "fr"
    site = current_app.config["SITE_NAME"]
    with force_locale(locale):
        document = Document(
            _("Your account on %(site)s", site=site), author=site, language=locale
        )
        document.heading(_("Your account on %(site)s", site=site))
        document.paragraph(current_app.config["ORGANISATION_NAME"])
        document.label_value(_("Your pseudonym:"), person.pseudonym)
        if person.account_code:
            document.label_value(
                _("Your account code (give it to a relay):"), person.account_code
            )
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
