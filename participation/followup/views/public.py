"""Public project pages, photos, and following a project (account or e-mail)."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...core.cache import public_page
from ...core.errors import DomainError
from ...core.uploads import send_upload
from ...core.web import submit
from ...extensions import db
from .. import follows, queries, services
from ..forms import (
    ActionForm,
    CreateProjectsForm,
    FollowForm,
    ProjectFilterForm,
)
from ..models import Project, ProjectPhoto
from ..states import STATE_ORDER, ProjectState
from . import _follow_limit, _project_or_404, bp

# ---------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------


def _filter_form() -> ProjectFilterForm:
    form = ProjectFilterForm(request.args)
    form.territory.choices = [SelectChoice("", _("All neighbourhoods"))] + [
        SelectChoice(str(t.id), t.name) for t in queries.project_territories()
    ]
    form.state.choices = [SelectChoice("", _("All statuses"))] + [
        SelectChoice(s.value, s.label) for s in STATE_ORDER
    ]
    form.year.choices = [SelectChoice("", _("All years"))] + [
        SelectChoice(str(y), str(y)) for y in queries.project_years()
    ]
    form.validate()
    return form


@bp.get("/projects")
@public_page
def project_list() -> ResponseReturnValue:
    form = _filter_form()
    try:
        state: ProjectState | None = ProjectState(form.state.data)
    except ValueError:
        state = None
    filters = queries.ProjectFilters(
        territory_id=form.territory.data if not form.territory.errors else None,
        state=state,
        year=form.year.data if not form.year.errors else None,
    )
    create_form = None
    if services.can_manage_projects(current_user):
        create_form = CreateProjectsForm()
        create_form.round_id.choices = [
            SelectChoice(
                str(r.id),
                ngettext(
                    "%(title)s (%(num)d winning project)",
                    "%(title)s (%(num)d winning projects)",
                    n,
                    title=r.title,
                ),
            )
            for r, n in queries.rounds_with_pending_winners()
        ]
    return render_template(
        "followup/project_list.html",
        form=form,
        projects=queries.projects(filters),
        create_form=create_form,
    )


@bp.get("/projects/<int:project_id>")
def project_detail(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    return _render_detail(project, FollowForm())


def _render_detail(project: Project, follow_form: FollowForm) -> str:
    manage = services.can_manage_projects(current_user)
    return render_template(
        "followup/project_detail.html",
        project=project,
        follow_form=follow_form,
        action_form=ActionForm(),
        my_follow=follows.follow_of(project, current_user),
        follower_count=follows.follower_count(project),
        can_manage=manage,
        actions=services.WORKFLOW.actions_from(project.state) if manage else [],
        earliest_day=services.earliest_day(project),
    )


@bp.get("/projects/<int:project_id>/photos/<int:photo_id>")
def project_photo(project_id: int, photo_id: int) -> ResponseReturnValue:
    photo = db.get_or_404(ProjectPhoto, photo_id)
    if photo.project_id != project_id:
        abort(404)
    if not photo.is_public and not services.can_manage_projects(current_user):
        abort(404)
    try:
        return send_upload(services.PHOTO_FOLDER, photo.name, public=photo.is_public)
    except DomainError:
        abort(404)


@bp.post("/projects/<int:project_id>/follow")
@_follow_limit()
def project_follow(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    detail = url_for(".project_detail", project_id=project.id, _anchor="follow")
    if current_user.is_authenticated:
        if not ActionForm().validate_on_submit():
            abort(400)
        response = submit(
            lambda: follows.follow_with_account(project, current_user),
            redirect_to=detail,
            success=_("You follow this project: its news will come to you."),
            error_redirect=detail,
        )
        return response or redirect(detail)
    form = FollowForm()
    if form.validate_on_submit():

        def link(token: str) -> str:
            return url_for(".follow_confirm", token=token, _external=True)

        response = submit(
            lambda: follows.request_follow_by_email(
                project, form.email.data or "", str(get_locale()), link
            ),
            redirect_to=detail,
            success=_(
                "Check your mailbox: open the link we sent to confirm that you"
                " follow this project."
            ),
            form=form,
        )
        if response is not None:
            return response
    return _render_detail(project, form)


@bp.post("/projects/<int:project_id>/unfollow")
def project_unfollow(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    if not current_user.is_authenticated:
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    detail = url_for(".project_detail", project_id=project.id, _anchor="follow")
    return submit(
        lambda: follows.stop_following(project, current_user),
        redirect_to=detail,
        success=_("You no longer follow this project."),
        error_redirect=detail,
    ) or redirect(detail)


@bp.route("/follows/confirm/<token>", methods=["GET", "POST"])
def follow_confirm(token: str) -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            follow = follows.confirm_follow(token)
        except DomainError as error:
            db.session.rollback()
            return render_template(
                "followup/follow_confirm.html", form=form, problem=error
            ), 404
        db.session.commit()
        flash(_("Thank you: you will receive the news of this project."), "success")
        return redirect(url_for(".project_detail", project_id=follow.project_id))
    return render_template("followup/follow_confirm.html", form=form, problem=None)


@bp.route("/follows/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    form = ActionForm()
    try:
        follow = follows.follow_for_unsubscribe(token)
    except DomainError as error:
        return render_template(
            "followup/unsubscribe.html", form=form, follow=None, problem=error
        ), 404
    if follow is not None and form.validate_on_submit():
        project_id = follow.project_id
        response = submit(
            lambda: follows.unsubscribe(token),
            redirect_to=url_for(".project_detail", project_id=project_id),
            success=_("Done: you will receive no more news of this project."),
        )
        if response is not None:
            return response
    return render_template(
        "followup/unsubscribe.html", form=form, follow=follow, problem=None
    )
