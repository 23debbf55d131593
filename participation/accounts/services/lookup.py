"""Short-lived passes: a relay who found a person by an exact identifier may open
that person's page (and a desk's sign-in page) for a while, not anyone else's.

The pass is a signed token binding the relay and the person; it is carried in the
links of the search results. Nothing is stored.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ...core.permissions import Visitor, person_id
from ..models import User

SALT = "participation.accounts.lookup-pass"
#: A pass lasts for a desk session or an appointment.
PASS_MAX_AGE_SECONDS = 3 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_pass(viewer: Visitor, person: User) -> str:
    """A pass letting *viewer* open *person*'s pages for a few hours."""
    return str(_serializer().dumps([person_id(viewer), person.id]))


def pass_is_valid(viewer: Visitor, person: User, token: str | None) -> bool:
    """*token* is a current pass of *viewer* for *person*."""
    viewer_id = person_id(viewer)
    if not token or viewer_id is None or len(token) > 200:
        return False
    try:
        data = _serializer().loads(token, max_age=PASS_MAX_AGE_SECONDS)
    except BadSignature:
        return False
    return bool(data == [viewer_id, person.id])
