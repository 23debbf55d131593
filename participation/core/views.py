"""Site frame pages (home, accessibility, legal, personal data), language, audit log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from . import audit_text
from .cache import public_page
from .database import write_lock
from .decorators import require
from .forms import AuditFilterForm, LanguageForm
from .i18n import lazy_gettext as _l
from .models import AuditEntry
from .pagination import page_number, paginate_rows
from .people import PeopleDirectory, directory
from .permissions import can_view_audit
from .time import paris_midnight
from .web import safe_next

bp = Blueprint("core", __name__)

#: Date of the accessibility statement; update it with the statement's content.
ACCESSIBILITY_STATEMENT_ON = date(2026, 11, 22)

#: Rows per page of the audit log.
AUDIT_PER_PAGE = 50


@bp.get("/")
@public_page
def home() -> ResponseReturnValue:
    # In demo mode the accounts feature adds ``demo_people`` to the page context.
    return render_template("core/home.html")


@bp.post("/language", defaults={"code": None})
@bp.post("/language/<code>")
def set_language(code: str | None) -> ResponseReturnValue:
    """Remember the chosen language (session, and profile when signed in)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    code = code or form.language.data
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated and current_user.locale != code:
        write_lock()
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(form.next.data) or "/")


@bp.get("/accessibility")
@public_page
def accessibility() -> ResponseReturnValue:
    return render_template(
        "core/accessibility.html", statement_on=ACCESSIBILITY_STATEMENT_ON
    )


@bp.get("/legal")
@public_page
def legal() -> ResponseReturnValue:
    return render_template("core/legal.html")


@bp.get("/personal-data")
@public_page
def personal_data() -> ResponseReturnValue:
    return render_template("core/personal_data.html")


def _distinct(column: Any) -> list[str]:
    return list(db.session.scalars(sa.select(column).distinct().order_by(column)))


def _set_filter_choices(form: AuditFilterForm) -> None:
    """The object types and actions the log holds, offered as filters."""
    form.object_type.choices = [SelectChoice("", _l("All"))] + [
        SelectChoice(value, f"{audit_text.kind(value)} ({value})")
        for value in _distinct(AuditEntry.object_type)
    ]
    form.action.choices = [SelectChoice("", _l("All"))] + [
        SelectChoice(value) for value in _distinct(AuditEntry.action)
    ]


def _filtered(
    form: AuditFilterForm, people: PeopleDirectory
) -> tuple[sa.Select[AuditEntry], dict[str, Any]]:
    """The entries the valid filters select, and those filters (for page links)."""
    stmt = sa.select(AuditEntry)
    if form.object_type.data:
        stmt = stmt.where(AuditEntry.object_type == form.object_type.data)
    object_id = form.object_id.data if not form.object_id.errors else None
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == str(object_id))
    if form.action.data:
        stmt = stmt.where(AuditEntry.action == form.action.data)
    actor = (form.actor.data or "").strip() if not form.actor.errors else ""
    if actor:
        stmt = stmt.where(AuditEntry.actor_id.in_(people.ids_named(actor)))
    since = form.since.data if not form.since.errors else None
    until = form.until.data if not (form.until.errors or form.since.errors) else None
    if since:
        stmt = stmt.where(AuditEntry.at >= paris_midnight(since))
    if until:
        stmt = stmt.where(AuditEntry.at < paris_midnight(until + timedelta(days=1)))
    filters = {
        key: value
        for key, value in (
            ("object_type", form.object_type.data),
            ("object_id", object_id),
            ("action", form.action.data),
            ("actor", actor),
            ("since", since.isoformat() if since else None),
            ("until", until.isoformat() if until else None),
        )
        if value
    }
    return stmt, filters


@bp.get("/audit")
@require(can_view_audit)
def audit_list() -> ResponseReturnValue:
    """The audit log, newest first, as sentences; filtered by object, person, date."""
    form = AuditFilterForm(request.args)
    _set_filter_choices(form)
    form.validate()
    people = directory()
    stmt, filters = _filtered(form, people)
    page = paginate_rows(
        stmt.order_by(AuditEntry.id.desc()),
        page_number(request.args.get("page")),
        AUDIT_PER_PAGE,
    )
    shown = [entry for (entry,) in page.items]
    names = people.pseudonyms(
        {entry.actor_id for entry in shown if entry.actor_id is not None}
    )
    return render_template(
        "core/audit_list.html",
        form=form,
        page=page,
        entries=audit_text.rows(shown, names),
        filters=filters,
    )


def url_if(endpoint: str, **values: Any) -> str | None:
    """URL of *endpoint*, or None while the feature that serves it is not built."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_template_filter("number")
def number_filter(value: int | float | None) -> str:
    """A number grouped for the locale (``3 873`` in French, ``3,873`` in English)."""
    return "" if value is None else str(format_decimal(value))


@bp.app_context_processor
def frame_context() -> dict[str, object]:
    return {
        "current_path": request.full_path.rstrip("?"),
        "can_view_audit": can_view_audit,
        "url_if": url_if,
    }
