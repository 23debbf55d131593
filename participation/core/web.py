"""The one shape of a view that changes data: call the service, commit, flash, redirect.

On a :class:`~participation.core.errors.DomainError` the transaction is rolled
back and the messages go next to the form's fields (or into a flash message when
there is no form); 403 and 404 errors become those pages. Services flush, this
helper commits once: POST-redirect-GET everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..extensions import db
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
) -> Response | None:
    """Run *call*; commit and redirect on success, or show why it was refused.

    Returns the redirect response, or ``None`` when the page should be shown again
    with the errors now on *form*. Without a form, the messages are flashed and the
    person goes to *error_redirect* (or ``None`` is returned for the caller to
    render).
    """
    try:
        write_lock()
        result = call()
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
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
