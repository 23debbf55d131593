"""Moderation pages (staff): hide an idea with a public reason, show it again, merge."""

from __future__ import annotations

from flask import abort, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.web import submit
from .. import queries, services
from ..forms import ConfirmForm, HideForm, MergeForm
from ..states import IdeaAction
from .common import bp, idea_or_404, idea_page, require_staff, unless_possible


@bp.route("/ideas/<int:idea_id>/hide", methods=["GET", "POST"])
@login_required
def idea_hide(idea_id: int) -> ResponseReturnValue:
    require_staff()
    idea = idea_or_404(idea_id)
    refused = unless_possible(idea, IdeaAction.HIDE)
    if refused is not None:
        return refused
    form = HideForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.transition(
                idea, IdeaAction.HIDE, current_user, comment=form.comment.data
            ),
            form=form,
            success=_("The idea is hidden; its page shows the reason."),
            redirect_to=idea_page(idea),
        )
        if response is not None:
            return response
    return render_template("budget/idea_hide.html", form=form, idea=idea)


@bp.post("/ideas/<int:idea_id>/unhide")
@login_required
def idea_unhide(idea_id: int) -> ResponseReturnValue:
    require_staff()
    idea = idea_or_404(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refused = unless_possible(idea, IdeaAction.UNHIDE)
    if refused is not None:
        return refused
    return submit(
        lambda: services.transition(idea, IdeaAction.UNHIDE, current_user),
        redirect_to=idea_page(idea),
        error_redirect=idea_page(idea),
    ) or redirect(idea_page(idea))


@bp.route("/ideas/<int:idea_id>/merge", methods=["GET", "POST"])
@login_required
def idea_merge(idea_id: int) -> ResponseReturnValue:
    require_staff()
    idea = idea_or_404(idea_id)
    refused = unless_possible(idea, IdeaAction.MERGE)
    if refused is not None:
        return refused
    form = MergeForm()
    candidates = queries.merge_candidates(idea)
    form.into.choices = [
        ("", _("Choose an idea")),
        *((c.id, f"#{c.id} — {c.title}") for c in candidates),
    ]
    if form.validate_on_submit():
        target = next((c for c in candidates if c.id == form.into.data), None)
        response = submit(
            lambda: services.transition(
                idea,
                IdeaAction.MERGE,
                current_user,
                comment=form.comment.data,
                into=target,
            ),
            form=form,
            success=_("The ideas are merged."),
            redirect_to=idea_page(idea),
        )
        if response is not None:
            return response
    return render_template("budget/idea_merge.html", form=form, idea=idea)
