"""Pages of the follow-up: public projects, following, and staff tools (status,
money, milestones, news, the strategic framework)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from ..budget.models import Idea, Round
from ..core.decorators import require
from ..core.errors import DomainError
from ..core.uploads import UPLOAD_REQUEST_LIMIT, send_upload
from ..core.web import submit
from ..extensions import db, limiter
from . import follows, framework, queries, services
from .forms import (
    ActionForm,
    CreateProjectsForm,
    FollowForm,
    MilestoneForm,
    ObjectiveForm,
    PhotoAddForm,
    PhotoEditForm,
    ProjectFilterForm,
    ProjectForm,
    TransitionForm,
    UpdateEditForm,
    UpdateForm,
    WithdrawForm,
)
from .models import Milestone, Objective, Project, ProjectPhoto, ProjectUpdate
from .states import ACTIONS_WITH_REASON, STATE_ORDER, ProjectAction, ProjectState

bp = Blueprint("followup", __name__)

#: The news form carries a photo: its request limit is raised so that an oversized
#: photo reaches the view and gets a message by its field.
UPLOAD_ENDPOINTS = frozenset({"followup.update_create", "followup.photo_add"})


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    def raise_upload_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = UPLOAD_REQUEST_LIMIT

    # Before CSRFProtect's hook, which reads the body (see budget.views).
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


@bp.app_context_processor
def followup_helpers() -> dict[str, Any]:
    return {"can_manage_projects": services.can_manage_projects}


@bp.app_template_global("project_for_idea")
def project_for_idea(idea: Idea) -> Project | None:
    """The project a winning idea became (for the idea page), or None."""
    return queries.project_for_idea(idea)


def _project_or_404(project_id: int) -> Project:
    project = queries.load_project(project_id)
    if project is None:
        abort(404)
    return project


def _follow_limit() -> Any:
    return limiter.limit(
        lambda: str(current_app.config.get("RATELIMIT_FOLLOW", "10/minute;50/hour")),
        methods=["POST"],
    )


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


# ---------------------------------------------------------------------------
# Staff: from the results to projects, status, money, milestones, news
# ---------------------------------------------------------------------------


@bp.post("/projects/create-from-results")
@require(services.can_manage_projects)
def projects_create() -> ResponseReturnValue:
    form = CreateProjectsForm()
    form.round_id.choices = [
        SelectChoice(str(r.id), r.title)
        for r, _n in queries.rounds_with_pending_winners()
    ]
    back = url_for(".project_list")
    if not form.validate_on_submit():
        for message in form.round_id.errors:
            flash(str(message), "error")
        return redirect(back)
    round_ = db.get_or_404(Round, form.round_id.data)
    created: list[Project] = []

    def call() -> None:
        created.extend(services.create_projects_for_round(round_, current_user))

    response = submit(call, redirect_to=back, error_redirect=back)
    if created:
        flash(
            ngettext(
                "%(num)d project created.", "%(num)d projects created.", len(created)
            ),
            "success",
        )
    return response or redirect(back)


def _project_form(project: Project) -> ProjectForm:
    form = ProjectForm(obj=project if request.method == "GET" else None)
    form.objective_ids.choices = [
        (o.id, f"{o.code} — {o.label}")
        for o, _depth in framework.walk()
        if o.is_active or o in project.objectives
    ]
    if request.method == "GET":
        form.objective_ids.data = [o.id for o in project.objectives]
        form.overspend_reason.data = project.overspend_reason or ""
    return form


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@require(services.can_manage_projects)
def project_edit(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = _project_form(project)
    if form.validate_on_submit():
        data = services.ProjectData(
            title=form.title.data or "",
            summary=form.summary.data or "",
            service_in_charge=form.service_in_charge.data or "",
            progress_percent=form.progress_percent.data,
            amount_committed=form.amount_committed.data,
            amount_spent=form.amount_spent.data,
            overspend_reason=form.overspend_reason.data or "",
            place=form.place.data or "",
            latitude=form.latitude.data,
            longitude=form.longitude.data,
            objective_ids=list(form.objective_ids.data or []),
        )
        response = submit(
            lambda: services.update_project(project, data, current_user),
            form=form,
            success=_("The project is saved."),
            redirect_to=url_for(".project_detail", project_id=project.id),
        )
        if response is not None:
            return response
    return render_template("followup/project_form.html", form=form, project=project)


@bp.route(
    "/projects/<int:project_id>/status/<any(start, deliver, abandon, reopen):action>",
    methods=["GET", "POST"],
)
@require(services.can_manage_projects)
def project_transition(project_id: int, action: str) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    step = ProjectAction(action)
    if not services.WORKFLOW.allows(project.state, step):
        abort(409)
    form = TransitionForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.transition_project(
                project, step, current_user, comment=form.comment.data
            ),
            form=form,
            success=_(
                "The project is now: %(state)s.", state=_next_label(project, step)
            ),
            redirect_to=url_for(".project_detail", project_id=project.id),
        )
        if response is not None:
            return response
    return render_template(
        "followup/transition_form.html",
        form=form,
        project=project,
        action=step,
        needs_reason=step in ACTIONS_WITH_REASON,
    )


def _next_label(project: Project, action: ProjectAction) -> str:
    return services.WORKFLOW.next_state(project.state, action).label


def _milestone_data(form: MilestoneForm) -> services.MilestoneData:
    return services.MilestoneData(
        title=form.title.data or "",
        planned_on=form.planned_on.data,
        actual_on=form.actual_on.data,
        note=form.note.data or "",
    )


@bp.route("/projects/<int:project_id>/milestones/new", methods=["GET", "POST"])
@require(services.can_manage_projects)
def milestone_create(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        response = submit(
            lambda: services.add_milestone(
                project, _milestone_data(form), current_user
            ),
            form=form,
            once=form.form_token.data,
            success=_("The milestone is added."),
            redirect_to=url_for(
                ".project_detail", project_id=project.id, _anchor="milestones"
            ),
        )
        if response is not None:
            return response
    return render_template(
        "followup/milestone_form.html",
        form=form,
        project=project,
        milestone=None,
        earliest_day=services.earliest_day(project),
    )


@bp.route(
    "/projects/<int:project_id>/milestones/<int:milestone_id>/edit",
    methods=["GET", "POST"],
)
@require(services.can_manage_projects)
def milestone_edit(project_id: int, milestone_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    milestone = db.get_or_404(Milestone, milestone_id)
    if milestone.project_id != project.id:
        abort(404)
    form = MilestoneForm(obj=milestone if request.method == "GET" else None)
    if form.validate_on_submit():
        response = submit(
            lambda: services.update_milestone(
                milestone, _milestone_data(form), current_user
            ),
            form=form,
            success=_("The milestone is saved."),
            redirect_to=url_for(
                ".project_detail", project_id=project.id, _anchor="milestones"
            ),
        )
        if response is not None:
            return response
    return render_template(
        "followup/milestone_form.html",
        form=form,
        project=project,
        milestone=milestone,
        earliest_day=services.earliest_day(project),
    )


@bp.route("/projects/<int:project_id>/updates/new", methods=["GET", "POST"])
@require(services.can_manage_projects)
def update_create(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = UpdateForm()
    if form.validate_on_submit():
        upload = form.photo.data
        photo = upload.stream if isinstance(upload, FileStorage) and upload else None
        data = services.UpdateData(
            title=form.title.data or "",
            body=form.body.data or "",
            photo=photo,
            photo_alt=form.photo_alt.data or "",
            photo_consent=bool(form.photo_consent.data),
        )
        response = submit(
            lambda: services.publish_update(project, data, current_user),
            form=form,
            once=form.form_token.data,
            success=_("The news is published; the followers get it by e-mail."),
            redirect_to=url_for(
                ".project_detail", project_id=project.id, _anchor="updates"
            ),
        )
        if response is not None:
            return response
    return render_template("followup/update_form.html", form=form, project=project)


def _update_or_404(project_id: int, update_id: int) -> ProjectUpdate:
    update = db.get_or_404(ProjectUpdate, update_id)
    if update.project_id != project_id:
        abort(404)
    return update


def _update_page(update: ProjectUpdate) -> str:
    return url_for(".update_edit", project_id=update.project_id, update_id=update.id)


@bp.route(
    "/projects/<int:project_id>/updates/<int:update_id>/edit", methods=["GET", "POST"]
)
@require(services.can_manage_projects)
def update_edit(project_id: int, update_id: int) -> ResponseReturnValue:
    update = _update_or_404(project_id, update_id)
    form = UpdateEditForm(obj=update)
    if form.validate_on_submit():
        title, body = form.title.data or "", form.body.data or ""
        response = submit(
            lambda: services.edit_update(update, title, body, current_user),
            form=form,
            success=_("The news is corrected."),
            redirect_to=url_for(
                ".project_detail", project_id=project_id, _anchor=f"update-{update.id}"
            ),
        )
        if response is not None:
            return response
    return render_template(
        "followup/update_edit.html", form=form, project=update.project, update=update
    )


@bp.route(
    "/projects/<int:project_id>/updates/<int:update_id>/withdraw",
    methods=["GET", "POST"],
)
@require(services.can_manage_projects)
def update_withdraw(project_id: int, update_id: int) -> ResponseReturnValue:
    update = _update_or_404(project_id, update_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        reason = form.reason.data or ""
        response = submit(
            lambda: services.withdraw_update(update, reason, current_user),
            form=form,
            success=_("The news is withdrawn from the public page."),
            redirect_to=url_for(
                ".project_detail", project_id=project_id, _anchor="updates"
            ),
        )
        if response is not None:
            return response
    return render_template(
        "followup/update_withdraw.html",
        form=form,
        project=update.project,
        update=update,
    )


@bp.route(
    "/projects/<int:project_id>/updates/<int:update_id>/photos/new",
    methods=["GET", "POST"],
)
@require(services.can_manage_projects)
def photo_add(project_id: int, update_id: int) -> ResponseReturnValue:
    update = _update_or_404(project_id, update_id)
    form = PhotoAddForm()
    if form.validate_on_submit():
        upload = form.photo.data
        source = upload.stream if isinstance(upload, FileStorage) and upload else None
        alt, consent = form.photo_alt.data or "", bool(form.photo_consent.data)
        response = submit(
            lambda: services.add_photo(update, source, alt, consent, current_user),
            form=form,
            success=_("The photo is added."),
            redirect_to=_update_page(update),
        )
        if response is not None:
            return response
    return render_template(
        "followup/photo_form.html", form=form, project=update.project, update=update
    )


def _photo_or_404(project_id: int, photo_id: int) -> ProjectPhoto:
    photo = db.get_or_404(ProjectPhoto, photo_id)
    if photo.project_id != project_id:
        abort(404)
    return photo


def _after_photo(photo_project: int, update_id: int | None) -> str:
    if update_id is None:
        return url_for(".project_detail", project_id=photo_project)
    return url_for(".update_edit", project_id=photo_project, update_id=update_id)


@bp.route(
    "/projects/<int:project_id>/photos/<int:photo_id>/edit", methods=["GET", "POST"]
)
@require(services.can_manage_projects)
def photo_edit(project_id: int, photo_id: int) -> ResponseReturnValue:
    photo = _photo_or_404(project_id, photo_id)
    form = PhotoEditForm()
    if request.method == "GET":
        form.photo_alt.data = photo.alt
        form.photo_consent.data = photo.is_consent_confirmed
    if form.validate_on_submit():
        alt, consent = form.photo_alt.data or "", bool(form.photo_consent.data)
        response = submit(
            lambda: services.edit_photo(photo, alt, consent, current_user),
            form=form,
            success=_("The photo is saved."),
            redirect_to=_after_photo(project_id, photo.update_id),
        )
        if response is not None:
            return response
    return render_template(
        "followup/photo_edit.html",
        form=form,
        remove_form=ActionForm(),
        project=photo.project,
        photo=photo,
    )


@bp.post("/projects/<int:project_id>/photos/<int:photo_id>/remove")
@require(services.can_manage_projects)
def photo_remove(project_id: int, photo_id: int) -> ResponseReturnValue:
    photo = _photo_or_404(project_id, photo_id)
    form = ActionForm()
    back = _after_photo(project_id, photo.update_id)
    if not form.validate_on_submit():
        abort(400)
    return submit(
        lambda: services.remove_photo(photo, current_user),
        success=_("The photo is deleted, with its file."),
        redirect_to=back,
        error_redirect=back,
    ) or redirect(back)


# ---------------------------------------------------------------------------
# Staff: the strategic framework
# ---------------------------------------------------------------------------


@bp.get("/framework")
@require(framework.can_manage_framework)
def objective_list() -> ResponseReturnValue:
    return render_template(
        "followup/objective_list.html",
        nodes=list(framework.walk()),
        level_name=framework.level_name,
    )


def _objective_form(node: Objective | None) -> ObjectiveForm:
    form = ObjectiveForm(obj=node if request.method == "GET" else None)
    form.parent_id.choices = [SelectChoice("", _("Nothing: this is an axis"))] + [
        SelectChoice(str(o.id), f"{'— ' * depth}{o.code} {o.label}")
        for o, depth in framework.walk()
        if node is None or (o is not node and node not in framework.ancestors(o))
    ]
    if request.method == "GET" and node is None:
        form.parent_id.data = request.args.get("parent", type=int)
    return form


def _objective_data(form: ObjectiveForm) -> framework.ObjectiveData:
    return framework.ObjectiveData(
        code=form.code.data or "",
        label=form.label.data or "",
        parent_id=form.parent_id.data,
        position=form.position.data or 0,
        is_active=bool(form.is_active.data),
    )


@bp.route("/framework/new", methods=["GET", "POST"])
@require(framework.can_manage_framework)
def objective_create() -> ResponseReturnValue:
    form = _objective_form(None)
    if form.validate_on_submit():
        response = submit(
            lambda: framework.create_objective(_objective_data(form), current_user),
            form=form,
            success=_("The objective is added."),
            redirect_to=url_for(".objective_list"),
        )
        if response is not None:
            return response
    return render_template("followup/objective_form.html", form=form, node=None)


@bp.route("/framework/<int:objective_id>/edit", methods=["GET", "POST"])
@require(framework.can_manage_framework)
def objective_edit(objective_id: int) -> ResponseReturnValue:
    node = db.get_or_404(Objective, objective_id)
    form = _objective_form(node)
    if form.validate_on_submit():
        response = submit(
            lambda: framework.update_objective(
                node, _objective_data(form), current_user
            ),
            form=form,
            success=_("The objective is saved."),
            redirect_to=url_for(".objective_list", _anchor=f"objective-{node.id}"),
        )
        if response is not None:
            return response
    return render_template("followup/objective_form.html", form=form, node=node)
