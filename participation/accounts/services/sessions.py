"""Server-side sessions: each signed-in browser has a row, and its cookies carry a
random token naming it. Signing out deletes the row; "sign out everywhere" and a
password change delete them all; staff sessions end after a while without use.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...core import audit
from ...core.permissions import is_staff
from ...core.time import utcnow
from ...extensions import db
from ..models import User, UserSession

#: Attribute of a loaded User holding the token of the session it came with.
_TOKEN_ATTRIBUTE = "_session_token"  # noqa: S105 (an attribute name)
#: last_seen_at is written at most this often (not at every request).
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_token(user: User) -> str | None:
    """The token of the session *user* was signed in or loaded with, if any."""
    token = getattr(user, _TOKEN_ATTRIBUTE, None)
    return token if isinstance(token, str) else None


def open_session(user: User, *, remembered: bool = False) -> str:
    """Start a session for *user* (flushed with the caller's transaction)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_digest(token),
            created_at=now,
            last_seen_at=now,
            is_remembered=remembered,
        )
    )
    db.session.flush()
    setattr(user, _TOKEN_ATTRIBUTE, token)
    return token


def load_session(user_id: int, token: str) -> UserSession | None:
    """The live session of *user_id* that *token* names, with its person loaded."""
    # The person and their roles come in the same query: every signed-in request
    # reads both (the menu, the permission checks).
    row = (
        db.session.execute(_session_statement(), {"token_hash": _digest(token)})
        .unique()
        .scalar_one_or_none()
    )
    if row is None or row.user_id != user_id or not row.user.is_active:
        return None
    setattr(row.user, _TOKEN_ATTRIBUTE, token)
    return row


@cache
def _session_statement() -> sa.Select[UserSession]:
    """:func:`load_session`'s statement, built once (every signed-in request)."""
    return (
        sa.select(UserSession)
        .options(joinedload(UserSession.user).joinedload(User.roles))
        .where(UserSession.token_hash == sa.bindparam("token_hash", type_=sa.String))
    )


def is_idle(row: UserSession, idle_timeout: timedelta) -> bool:
    """A staff session unused for longer than *idle_timeout* is over."""
    return is_staff(row.user) and utcnow() - row.last_seen_at > idle_timeout


def due_for_touch(row: UserSession) -> bool:
    """The last request noted is more than a minute old."""
    return utcnow() - row.last_seen_at >= TOUCH_EVERY


def touch(row: UserSession) -> None:
    """Note a request (the caller commits)."""
    row.last_seen_at = utcnow()
    db.session.flush()


def end_session(user: User) -> None:
    """Sign this browser out: its session row goes, its cookies stop working."""
    token = session_token(user)
    if token is not None:
        db.session.execute(
            sa.delete(UserSession).where(UserSession.token_hash == _digest(token))
        )
        setattr(user, _TOKEN_ATTRIBUTE, None)
    db.session.flush()


def end_all_sessions(user: User) -> int:
    """End every session of *user*; how many there were."""
    result = db.session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id)
    )
    setattr(user, _TOKEN_ATTRIBUTE, None)
    return int(getattr(result, "rowcount", 0) or 0)


def sign_out_everywhere(user: User) -> int:
    """The person's "sign out everywhere": every browser, this one too."""
    ended = end_all_sessions(user)
    audit.record("account.signed_out_everywhere", actor=user, obj=user, sessions=ended)
    return ended


def count_sessions(user: User) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id)
        )
        or 0
    )
