"""E-mails to the author of an idea when its state changes, in the author's language."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core.i18n import lazy_gettext as _l
from ...core.outbox import queue_email
from ..models import Idea
from ..states import IdeaAction, IdeaState, TransferStatus


def idea_url(idea: Idea) -> str:
    """Absolute link when a request or SERVER_NAME allows it, else the path."""
    try:
        if has_request_context() or current_app.config.get("SERVER_NAME"):
            return url_for("budget.idea_detail", idea_id=idea.id, _external=True)
    except RuntimeError:  # no SERVER_NAME outside a request
        pass
    return f"/ideas/{idea.id}"


_SUBJECTS: dict[IdeaAction, Any] = {
    IdeaAction.SUBMIT: _l("Your idea “%(title)s” has been submitted"),
    IdeaAction.WITHDRAW: _l("Your idea “%(title)s” has been withdrawn"),
    IdeaAction.START_REVIEW: _l("Your idea “%(title)s” is under review"),
    IdeaAction.RETAIN: _l("Your idea “%(title)s” is retained for the vote"),
    IdeaAction.DECLARE_INELIGIBLE: _l("Your idea “%(title)s” is ineligible"),
    IdeaAction.TRANSFER: _l("Your idea “%(title)s” was sent to the competent service"),
    IdeaAction.MERGE: _l("Your idea “%(title)s” was merged with a similar idea"),
    IdeaAction.HIDE: _l("Your idea “%(title)s” was hidden"),
    IdeaAction.UNHIDE: _l("Your idea “%(title)s” is visible again"),
    IdeaAction.REOPEN: _l("The review of your idea “%(title)s” has been reopened"),
    IdeaAction.SELECT: _l("Your idea “%(title)s” won the vote"),
    IdeaAction.NOT_SELECT: _l("Your idea “%(title)s” was not selected by the vote"),
}


def notify_author(idea: Idea, action: IdeaAction, comment: str | None) -> None:
    """E-mail the author in their language; nothing for an account without e-mail.

    A managed account's relay sees the state on their "ideas I entered" page.
    """
    author = idea.author
    if not author.email:
        return
    with force_locale(author.locale or "fr"):
        subject = str(_SUBJECTS[action]) % {"title": idea.title[:80]}
        lines = [
            _("Hello %(name)s,", name=author.pseudonym),
            "",
            _("Your idea is now: %(state)s.", state=idea.state.label),
        ]
        if comment:
            lines += ["", _("Reason given: %(reason)s", reason=comment)]
        if idea.state is IdeaState.MERGED and idea.merged_into is not None:
            lines += [
                "",
                _("It continues as: %(link)s", link=idea_url(idea.merged_into)),
            ]
        lines += ["", _("Follow it here: %(link)s", link=idea_url(idea))]
        queue_email(author.email, subject, "\n".join(lines))


def notify_transfer(idea: Idea, comment: str | None) -> None:
    """E-mail the author what the competent service reported on their idea.

    The follow-up of a transferred idea is told the way a project's updates are:
    each new status, with what staff wrote, in the author's language.
    """
    author = idea.author
    status: TransferStatus | None = idea.transfer_status
    if not author.email or status is None:
        return
    with force_locale(author.locale or "fr"):
        subject = _(
            "Your idea “%(title)s”: news from the competent service",
            title=idea.title[:80],
        )
        lines = [
            _("Hello %(name)s,", name=author.pseudonym),
            "",
            _(
                "%(service)s reports on your idea: %(status)s.",
                service=idea.transfer_service or _("The competent service"),
                status=status.label,
            ),
        ]
        if comment:
            lines += ["", _("Comment: %(comment)s", comment=comment)]
        lines += ["", _("Follow it here: %(link)s", link=idea_url(idea))]
        queue_email(author.email, subject, "\n".join(lines))
