"""Site frame pages: home, accessibility statement, legal notice, personal data, language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import db
from .forms import LanguageForm

bp = Blueprint("core", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after a form (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@bp.get("/")
def home() -> ResponseReturnValue:
    demo_people = None
    if current_app.config.get("DEMO"):
        from ..accounts.demo import DEMO_PEOPLE

        demo_people = DEMO_PEOPLE
    return render_template("core/home.html", demo_people=demo_people)


@bp.post("/language/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["lang"] = code
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(form.next.data))


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("core/accessibility.html")


@bp.get("/legal")
def legal() -> ResponseReturnValue:
    return render_template("core/legal.html")


@bp.get("/personal-data")
def personal_data() -> ResponseReturnValue:
    return render_template("core/personal_data.html")


@bp.app_context_processor
def frame_context() -> dict[str, object]:
    return {"language_form": LanguageForm(), "current_path": request.full_path.rstrip("?")}
