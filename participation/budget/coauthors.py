"""Co-authors are invited: a person named on an idea appears as its co-author
only once they accept (or they decline, and the invitation goes)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core import audit
from ..core.errors import PermissionDenied
from ..core.i18n import lazy_gettext as _l
from ..core.time import utcnow
from ..core.web import submit
from ..extensions import db
from .models import Idea, IdeaCoAuthor
from .views import bp


def pending_invitations(user: Any) -> list[IdeaCoAuthor]:
    """The ideas *user* is invited to co-author and has not answered yet."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(IdeaCoAuthor)
            .where(IdeaCoAuthor.user_id == user.id, IdeaCoAuthor.accepted_at.is_(None))
            .options(joinedload(IdeaCoAuthor.idea).joinedload(Idea.author))
            .order_by(IdeaCoAuthor.id)
        )
    )


def answer_invitation(invitation: IdeaCoAuthor, person: User, *, accept: bool) -> None:
    """Accept (appear as co-author) or decline (the invitation is removed)."""
    if invitation.user_id != person.id or invitation.accepted_at is not None:
        raise PermissionDenied(_l("This invitation is not yours to answer."))
    idea = invitation.idea
    if accept:
        invitation.accepted_at = utcnow()
    else:
        db.session.delete(invitation)
    db.session.flush()
    audit.record(
        "idea.co_author_accepted" if accept else "idea.co_author_declined",
        actor=person,
        obj=idea,
    )


@bp.get("/ideas/invitations")
@login_required
def coauthor_invitations() -> ResponseReturnValue:
    return render_template(
        "budget/coauthor_invitations.html",
        invitations=pending_invitations(current_user),
        form=FlaskForm(),
    )


@bp.post("/ideas/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@login_required
def coauthor_answer(invitation_id: int, answer: str) -> ResponseReturnValue:
    invitation = db.get_or_404(IdeaCoAuthor, invitation_id)
    if invitation.user_id != current_user.id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    person: User = current_user._get_current_object()
    back = url_for(".coauthor_invitations")
    response = submit(
        lambda: answer_invitation(invitation, person, accept=answer == "accept"),
        success=_("You are now a co-author of this idea.")
        if answer == "accept"
        else _("The invitation is declined."),
        redirect_to=back,
        error_redirect=back,
    )
    return response or redirect(back)
