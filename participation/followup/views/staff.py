"""Staff: from the results to projects, status, money, milestones, news, photos."""

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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from ...budget.models import Round
from ...core.decorators import require
from ...core.web import submit
from ...extensions import db
from .. import framework, queries, services
from ..forms import (
    ActionForm,
    CreateProjectsForm,
    MilestoneForm,
    PhotoAddForm,
    PhotoEditForm,
    ProjectForm,
    TransitionForm,
    UpdateEditForm,
    UpdateForm,
    WithdrawForm,
)
from ..models import Milestone, Project, ProjectPhoto, ProjectUpdate
from ..states import ACTIONS_WITH_REASON, ProjectAction
from . import _project_or_404, bp

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


def _milestone_page(
    form: MilestoneForm, project: Project, milestone: Milestone | None
) -> str:
    return render_template(
        "followup/milestone_form.html",
        form=form,
        project=project,
        milestone=milestone,
        earliest_day=services.earliest_day(project),
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
    return _milestone_page(form, project, None)


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
    return _milestone_page(form, project, milestone)


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
            texts_by_language=form.texts_by_language(),
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
    if not form.is_submitted():
        form.fill_translations(update.texts_by_language)
    if form.validate_on_submit():
        title, body = form.title.data or "", form.body.data or ""
        texts = form.texts_by_language()
        response = submit(
            lambda: services.edit_update(
                update, title, body, current_user, texts_by_language=texts
            ),
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
