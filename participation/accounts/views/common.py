"""Helpers of the accounts pages: rate limits, signing in, the person acting."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request, session, url_for
from flask_login import current_user, login_user
from flask_sqlalchemy.pagination import Pagination

from ...core.errors import DomainError
from ...extensions import db, limiter
from .. import queries, rules, services
from ..forms import PeopleSearchForm
from ..models import User

PEOPLE_PER_PAGE = 25


def rate_limit(config_key: str) -> Any:
    """Limit POSTs of a view to the rate named by *config_key* (per client address)."""
    return limiter.limit(lambda: str(current_app.config[config_key]), methods=["POST"])


def confirm_link(user: User) -> str:
    token = services.email_confirmation_token(user)
    return url_for("accounts.email_confirm", token=token, _external=True)


def signed_in(user: User, *, remember: bool = False, then: str | None = None) -> str:
    """Sign *user* in (after the commit); the page to go to next."""
    login_user(user, remember=remember)
    session["lang"] = user.locale
    return then or url_for("accounts.profile")


def me() -> User:
    """The signed-in person as a model object (services and audit need the real one)."""
    user: User = current_user._get_current_object()
    return user


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def person_or_404(person_id: int) -> User:
    return db.get_or_404(User, person_id)


def search(form: PeopleSearchForm, *, browse: bool) -> tuple[str, Pagination | None]:
    """Run the search in *form*; without words, list everyone only when *browse*."""
    text = (form.q.data or "").strip() if form.validate() else ""
    if not text and not browse:
        return text, None
    try:
        phone = rules.normalize_phone(text) if text else None
    except DomainError:
        phone = None
    page = request.args.get("page", 1, type=int) or 1
    return text, queries.search_people(
        text, phone=phone, page=max(page, 1), per_page=PEOPLE_PER_PAGE
    )
