"""Helpers of the accounts pages: rate limits, signing in, the person acting."""

from __future__ import annotations

import time
from typing import Any

from flask import abort, current_app, request, session, url_for
from flask_login import current_user, login_user
from flask_sqlalchemy.pagination import Pagination

from ...core.converters import ascii_int
from ...core.database import write_lock
from ...core.ratelimits import is_trusted_address
from ...extensions import db, limiter
from .. import queries, services
from ..forms import PeopleSearchForm
from ..models import User
from ..services import sessions
from ..services.signin import NextStep

PEOPLE_PER_PAGE = 25
#: Session key of a sign-in waiting for its second factor.
PENDING_KEY = "signin_pending"
#: The second step must follow the password within this many seconds.
PENDING_TTL_SECONDS = 10 * 60


def rate_limit(config_key: str, *, failures_only: bool = False) -> Any:
    """Limit POSTs of a view to the rate named by *config_key*, per client address.

    Trusted addresses (France Services desks, social centres) are exempt. With
    *failures_only*, only POSTs that did not redirect count (a wrong password is
    shown again; a right one redirects): many people signing in from one
    address are not locked out.
    """
    return limiter.limit(
        lambda: str(current_app.config[config_key]),
        methods=["POST"],
        exempt_when=is_trusted_address,
        deduct_when=(lambda response: response.status_code != 302)
        if failures_only
        else None,
    )


def confirm_link(user: User) -> str:
    token = services.email_confirmation_token(user)
    return url_for("accounts.email_confirm", token=token, _external=True)


def signed_in(
    user: User,
    *,
    remember: bool = False,
    then: str | None = None,
    second_factor_done: bool = False,
) -> str:
    """Sign *user* in (after the commit); the page to go to next.

    When the account has (or, staff, must have) a second factor that was not
    given yet, nobody is signed in: the password step is remembered for a few
    minutes and the next page asks for the code, or sets the app up.
    """
    step = services.next_step(user)
    if step is not NextStep.SIGNED_IN and not second_factor_done:
        session[PENDING_KEY] = {
            "u": user.id,
            "s": user.security_stamp,
            "at": int(time.time()),
            "r": bool(remember),
            "n": then or "",
        }
        endpoint = (
            "accounts.signin_code" if step is NextStep.CODE else "accounts.signin_enrol"
        )
        return url_for(endpoint)
    if sessions.session_token(user) is None:
        write_lock()
        sessions.open_session(user, remembered=remember)
        db.session.commit()
    session.pop(PENDING_KEY, None)
    login_user(user, remember=remember)
    session["lang"] = user.locale
    return then or url_for("accounts.profile")


def pending_sign_in() -> tuple[User, dict[str, Any]] | None:
    """The person whose password was right a moment ago, waiting for the code."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - int(pending.get("at", 0)) > PENDING_TTL_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("u")) if pending.get("u") else None
    if user is None or not user.is_active or user.security_stamp != pending.get("s"):
        session.pop(PENDING_KEY, None)
        return None
    return user, pending


def me() -> User:
    """The signed-in person as a model object (services and audit need the real one)."""
    user: User = current_user._get_current_object()
    return user


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def person_or_404(person_id: int) -> User:
    return db.get_or_404(User, person_id)


def page_arg() -> int:
    """The ``page`` query argument: a small positive integer, else 1."""
    return ascii_int(request.args.get("page", ""), minimum=1, maximum=100_000) or 1


def search(form: PeopleSearchForm, *, browse: bool) -> tuple[str, Pagination | None]:
    """Run the search in *form* as the signed-in person may (see
    :func:`queries.search_people`); without words, list only when *browse*."""
    text = (form.q.data or "").strip() if form.validate() else ""
    if not text and not browse:
        return text, None
    return text, queries.search_people(
        text, viewer=me(), page=page_arg(), per_page=PEOPLE_PER_PAGE
    )
