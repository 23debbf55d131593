"""The one shape of a view that changes data: call the service, commit, flash, redirect.

On a :class:`~participation.core.errors.DomainError` the transaction is rolled
back and the messages go next to the form's fields (or into a flash message when
there is no form); 403 and 404 errors become those pages. Services flush, this
helper commits once: POST-redirect-GET everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..extensions import db
from . import idempotency
from .database import write_lock
from .errors import DomainError, NotFound, PermissionDenied
from .forms import show_errors

T = TypeVar("T")


def submit(
    call: Callable[[], T],
    *,
    redirect_to: str | Callable[[T], str],
    success: str | None = None,
    form: FlaskForm | None = None,
    error_redirect: str | None = None,
    once: str | None = None,
) -> Response | None:
    """Run *call*; commit and redirect on success, or show why it was refused.

    The database's write lock is taken before *call* runs, so what the service
    reads is what it writes against. Returns the redirect response, or ``None``
    when the page should be shown again with the errors now on *form*. Without a
    form, the messages are flashed and the person goes to *error_redirect* (or
    ``None`` is returned for the caller to render).

    *redirect_to* may be a function of the service's result: it runs after the
    commit, so it may also do what only a committed change allows (sign the
    person in, remember something in the session, flash a message that depends
    on the result; see :func:`announce`).

    *once* is the form's idempotency token (a create form): the first request
    that sends it creates the record, a second one (double click, replay) is sent
    where the first one led and creates nothing.
    """
    token = once if idempotency.usable(once) else None
    try:
        write_lock()
        if token is not None:
            idempotency.claim(token, request.endpoint or "")
        result = call()
        db.session.flush()
    except idempotency.AlreadySubmitted as replay:
        db.session.rollback()
        return _replayed(replay.url)
    except IntegrityError:
        # A concurrent request with the same token committed first (PostgreSQL).
        db.session.rollback()
        found = idempotency.previous(token) if token is not None else None
        if found is None:
            raise
        return _replayed(found.result_url)
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, PermissionDenied):
            abort(403)
        if isinstance(error, NotFound):
            abort(404)
        leftover = show_errors(form, error)
        if form is None:
            for message in leftover:
                flash(message, "error")
            if error_redirect is not None:
                return redirect(error_redirect)
        return None
    db.session.commit()
    if success:
        flash(success, "success")
    url = redirect_to(result) if callable(redirect_to) else redirect_to
    if token is not None:
        # A new transaction that may have read already (the redirect's URL): on
        # SQLite it takes the write lock first, or a writer that committed since
        # its snapshot would make the UPDATE fail at once ("database is locked").
        write_lock()
        idempotency.remember_result(token, url)
        db.session.commit()
    return redirect(url)


def _replayed(url: str | None) -> Response:
    """The answer to a form sent twice: where the first one led."""
    flash(str(idempotency.AlreadySubmitted(url)), "info")
    return redirect(url or request.url)


def announce(
    url: str, message: Callable[[T], str | None], category: str = "success"
) -> Callable[[T], str]:
    """A *redirect_to* for :func:`submit` whose message depends on the result.

    ``submit(lambda: create_theme(...), redirect_to=announce(url, lambda theme:
    _("The theme %(name)s was added.", name=theme.label)))``. A message of
    ``None`` flashes nothing.
    """

    def after_commit(result: T) -> str:
        text = message(result)
        if text:
            flash(text, category)
        return url

    return after_commit


def safe_next(target: str | None) -> str | None:
    """*target* when it is a same-site relative path, else None (no open redirect)."""
    if not target or not target.startswith("/") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target
