"""One record per create form, however often it is sent (double click, replay).

A create form carries a random token (``core.forms.IdempotentForm``).
:func:`claim` stores it in the same transaction as the record it creates; the
primary key refuses a second claim, and the second request is sent where the
first one led. :func:`participation.core.web.submit` does this when given
``once=form.form_token.data``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .errors import Conflict
from .i18n import lazy_gettext as _l
from .models import FormSubmission

TOKEN_MAX_LENGTH = 64


class AlreadySubmitted(Conflict):
    """The form was sent before; ``url`` is where the first submission led."""

    def __init__(self, url: str | None) -> None:
        super().__init__(_l("This form was already sent. Here is what it created."))
        self.url = url


def usable(token: str | None) -> bool:
    """A token worth claiming: present, short and plain."""
    return token is not None and 0 < len(token) <= TOKEN_MAX_LENGTH and token.isascii()


def previous(token: str) -> FormSubmission | None:
    """The earlier submission of *token*, if any."""
    return db.session.get(FormSubmission, token)


def claim(token: str, endpoint: str) -> None:
    """Record *token* as used by *endpoint* (flushed with the caller's changes).

    :raises AlreadySubmitted: when an earlier request used it.
    """
    found = previous(token)
    if found is not None:
        raise AlreadySubmitted(found.result_url)
    db.session.add(FormSubmission(token=token, endpoint=endpoint[:120]))
    db.session.flush()


def remember_result(token: str, url: str) -> None:
    """Note where the first submission led, for the replays (caller commits)."""
    db.session.execute(
        sa.update(FormSubmission)
        .where(FormSubmission.token == token)
        .values(result_url=url[:500])
    )
