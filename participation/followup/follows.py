"""Following a project: by account, or by an address confirmed through a link; the
messages followers get at each update and status change, with an unsubscribe link.

Links in messages are signed tokens (no secret stored): confirming expires after a
week, unsubscribing never does. Messages go through the outbox, in each follower's
language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..accounts.models import User
from ..accounts.services import normalize_email
from ..core import audit
from ..core.actors import SYSTEM, Actor
from ..core.errors import DomainError, FieldErrors, NotFound
from ..core.i18n import lazy_gettext as _l
from ..core.i18n import localized
from ..core.outbox import queue_email
from ..core.time import utcnow
from ..extensions import db
from .models import Project, ProjectFollow

if TYPE_CHECKING:
    from .models import ProjectUpdate

CONFIRM_SALT = "project-follow-confirm"
UNSUBSCRIBE_SALT = "project-follow-unsubscribe"
#: A confirmation link works for a week.
CONFIRM_MAX_AGE = 7 * 24 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirm_token(follow: ProjectFollow) -> str:
    return _serializer(CONFIRM_SALT).dumps({"f": follow.id, "e": follow.email})


def unsubscribe_token(follow: ProjectFollow) -> str:
    return _serializer(UNSUBSCRIBE_SALT).dumps({"f": follow.id, "p": follow.project_id})


def external_url(endpoint: str, **values: Any) -> str:
    """Absolute link when a request or SERVER_NAME allows it, else the path."""
    try:
        if has_request_context() or current_app.config.get("SERVER_NAME"):
            return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # no SERVER_NAME outside a request
        pass
    with current_app.test_request_context():
        return url_for(endpoint, **values)


# ---------------------------------------------------------------------------
# Following
# ---------------------------------------------------------------------------


def follow_of(project: Project, user: Any) -> ProjectFollow | None:
    """The account's follow of *project*, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(ProjectFollow).where(
            ProjectFollow.project_id == project.id, ProjectFollow.user_id == user.id
        )
    )


def _insert(follow: ProjectFollow) -> bool:
    """Insert *follow*; False when the unique constraint says it already exists."""
    try:
        with db.session.begin_nested():
            db.session.add(follow)
            db.session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def follow_automatically(
    project: Project, person: User, *, now: datetime | None = None
) -> None:
    """The authors of the original idea follow its project by default."""
    if follow_of(project, person) is not None:
        return
    follow = ProjectFollow(
        project_id=project.id,
        user_id=person.id,
        locale=person.locale or "fr",
        confirmed_at=now or utcnow(),
        is_automatic=True,
    )
    if _insert(follow):
        audit.record(
            "project.follow",
            actor=SYSTEM,
            obj=project,
            follow_id=follow.id,
            automatic=True,
        )


def follow_with_account(project: Project, user: User) -> ProjectFollow:
    """A signed-in person follows *project* (nothing to confirm); idempotent."""
    existing = follow_of(project, user)
    if existing is not None:
        return existing
    follow = ProjectFollow(
        project_id=project.id,
        user_id=user.id,
        locale=user.locale or "fr",
        confirmed_at=utcnow(),
    )
    if not _insert(follow):
        found = follow_of(project, user)
        assert found is not None
        return found
    audit.record("project.follow", actor=user, obj=project, follow_id=follow.id)
    return follow


def stop_following(project: Project, user: User) -> None:
    """A signed-in person stops following *project* (nothing happens otherwise)."""
    follow = follow_of(project, user)
    if follow is not None:
        _remove(follow, actor=user)


def request_follow_by_email(
    project: Project, raw_email: str, locale: str, make_link: Callable[[str], str]
) -> None:
    """Send a confirmation link to *raw_email* (a follow counts once confirmed).

    Says nothing about whether the address already follows: the answer is the same,
    a confirmed follow is kept as it is, a pending one gets a new link.

    :raises FieldErrors: (``email``) the address is not valid.
    """
    try:
        address = normalize_email(raw_email)
    except DomainError:
        raise FieldErrors(
            {"email": _l("Type a valid e-mail address, for example nom@exemple.fr.")}
        ) from None
    follow = db.session.scalar(
        sa.select(ProjectFollow).where(
            ProjectFollow.project_id == project.id, ProjectFollow.email == address
        )
    )
    if follow is None:
        follow = ProjectFollow(project_id=project.id, email=address, locale=locale)
        if not _insert(follow):
            return  # the same address, sent twice at once: one link is enough
        audit.record(
            "project.follow_requested", actor=SYSTEM, obj=project, follow_id=follow.id
        )
    if follow.is_confirmed:
        return
    with force_locale(follow.locale):
        subject = _("Confirm that you follow “%(title)s”", title=project.title[:80])
        body = "\n\n".join(
            [
                _("Hello,"),
                _(
                    "Someone (probably you) asked to receive the news of the project"
                    " “%(title)s” at this address. To confirm, open this link:",
                    title=project.title,
                ),
                make_link(confirm_token(follow)),
                _(
                    "The link is valid for 7 days. If you did not ask for this,"
                    " ignore this message: you will receive nothing else."
                ),
                current_app.config["SITE_NAME"],
            ]
        )
    queue_email(address, subject, body)


def _load(token: str, salt: str, max_age: int | None) -> dict[str, Any]:
    invalid = NotFound(_l("This link is not valid or has expired."))
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("f"), int):
        raise invalid
    return data


def confirm_follow(token: str) -> ProjectFollow:
    """Confirm an address follow from its link (confirming twice changes nothing).

    :raises NotFound: the link is invalid, expired, or the follow was removed.
    """
    data = _load(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    follow = db.session.get(ProjectFollow, data["f"])
    if follow is None or follow.email != data.get("e"):
        raise NotFound(_l("This link is not valid or has expired."))
    if follow.confirmed_at is None:
        follow.confirmed_at = utcnow()
        db.session.flush()
        audit.record(
            "project.follow_confirmed",
            actor=SYSTEM,
            obj=follow.project,
            follow_id=follow.id,
        )
    return follow


def follow_for_unsubscribe(token: str) -> ProjectFollow | None:
    """The follow an unsubscribe link stands for; None when it is already gone."""
    data = _load(token, UNSUBSCRIBE_SALT, None)
    follow = db.session.get(ProjectFollow, data["f"])
    if follow is None or follow.project_id != data.get("p"):
        return None
    return follow


def unsubscribe(token: str) -> Project | None:
    """Remove the follow of an unsubscribe link; its project, or None if gone."""
    follow = follow_for_unsubscribe(token)
    if follow is None:
        return None
    project = follow.project
    _remove(follow, actor=SYSTEM)
    return project


def _remove(follow: ProjectFollow, *, actor: Actor) -> None:
    project, follow_id = follow.project, follow.id
    db.session.delete(follow)
    db.session.flush()
    audit.record("project.unfollow", actor=actor, obj=project, follow_id=follow_id)


def follower_count(project: Project) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProjectFollow)
            .where(
                ProjectFollow.project_id == project.id,
                ProjectFollow.confirmed_at.is_not(None),
            )
        )
        or 0
    )


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


def _recipients(project: Project) -> list[ProjectFollow]:
    return list(
        db.session.scalars(
            sa.select(ProjectFollow)
            .where(
                ProjectFollow.project_id == project.id,
                ProjectFollow.confirmed_at.is_not(None),
            )
            .order_by(ProjectFollow.id)
        )
    )


def _send(
    project: Project,
    subject: Callable[[], str],
    lines: Callable[[], list[str]],
) -> int:
    """Queue one message per confirmed follower with an address; return how many."""
    link = external_url("followup.project_detail", project_id=project.id)
    sent = 0
    for follow in _recipients(project):
        address = follow.address
        if not address:
            continue  # a managed account: its relay sees the project page
        locale = follow.user.locale if follow.user is not None else follow.locale
        leave = external_url("followup.unsubscribe", token=unsubscribe_token(follow))
        with force_locale(locale or "fr"):
            greeting = (
                _("Hello %(name)s,", name=follow.user.pseudonym)
                if follow.user is not None
                else _("Hello,")
            )
            body = [
                greeting,
                "",
                *lines(),
                "",
                _("See the project: %(link)s", link=link),
                "",
                "-- ",
                _("You receive this message because you follow this project."),
                _("To stop receiving its news: %(link)s", link=leave),
            ]
            queue_email(address, subject(), "\n".join(body))
        sent += 1
    return sent


def notify_update(update: ProjectUpdate) -> int:
    """E-mail a new piece of news to every confirmed follower, in their language
    when staff gave the news in it (else in French)."""
    project = update.project
    return _send(
        project,
        lambda: _(
            "News of “%(project)s”: %(title)s",
            project=project.title[:60],
            title=localized(update, "title").text[:80],
        ),
        lambda: [localized(update, "title").text, "", localized(update, "body").text],
    )


def notify_status(project: Project, reason: str | None) -> int:
    """E-mail a change of status to every confirmed follower."""

    def lines() -> list[str]:
        out = [
            _(
                "The project “%(title)s” is now: %(state)s.",
                title=project.title,
                state=project.state.label,
            )
        ]
        if reason:
            out += ["", _("Reason given: %(reason)s", reason=reason)]
        return out

    return _send(
        project,
        lambda: _(
            "“%(title)s”: %(state)s",
            title=project.title[:80],
            state=project.state.label,
        ),
        lines,
    )
