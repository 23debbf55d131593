"""The applicant's side: the application in six saved steps, their files."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...core.decorators import require
from ...core.web import submit
from ...extensions import db
from ...territories.models import Theme
from .. import queries, services
from ..forms import (
    ApplicantForm,
    BudgetForm,
    HolderForm,
    PaperStartForm,
    ProjectForm,
    ReglementStepForm,
    StartForm,
    SubmitForm,
    WithdrawForm,
)
from ..models import Application
from ..states import ApplicantKind, BudgetLineKind
from . import _fund_or_404, _me, _own_or_404, bp

# --- The applicant's side ----------------------------------------------------


@bp.get("/my")
@require(services.can_apply)
def my_applications() -> ResponseReturnValue:
    return render_template(
        "fph/my_applications.html", applications=queries.my_applications(_me().id)
    )


@bp.post("/funds/<int:fund_id>/applications")
@require(services.can_apply)
def application_start(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    form = StartForm()
    form.validate()
    response = submit(
        lambda: services.start_application(
            fund,
            _me(),
            for_group=bool(form.for_group.data),
            consent_note=form.consent_note.data,
        ),
        redirect_to=lambda a: url_for(
            "fph.application_step", application_id=a.id, step=1
        ),
        form=form,
        once=form.form_token.data,
    )
    if response is not None:
        return response
    return render_template(
        "fph/fund_detail.html",
        fund=fund,
        calendar=services.committee_dates(fund),
        files=queries.public_files(fund),
        start_form=form,
    ), 400


@bp.post("/manage/funds/<int:fund_id>/paper")
@require(services.can_manage_funds)
def paper_start(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    form = PaperStartForm()
    form.validate()
    response = submit(
        lambda: services.start_application(fund, _me(), paper=True),
        redirect_to=lambda a: url_for(
            "fph.application_step", application_id=a.id, step=1
        ),
        error_redirect=url_for("fph.manage_fund", fund_id=fund.id),
        once=form.form_token.data,
    )
    return response or abort(400)


@bp.get("/applications/<int:application_id>")
@require(services.can_apply)
def application_detail(application_id: int) -> ResponseReturnValue:
    application = _own_or_404(application_id)
    return render_template(
        "fph/application_detail.html",
        application=application,
        withdraw_form=WithdrawForm(),
        missing=services.missing_steps(application),
    )


def _step_form(application: Application, step: int) -> Any:
    if step == 1:
        return ReglementStepForm()
    if step == 2:
        form = ApplicantForm(obj=None)
        return form
    if step == 3:
        form3 = ProjectForm()
        form3.theme_ids.choices = [
            SelectChoice(t.id, t.label)
            for t in db.session.scalars(
                db.select(Theme)
                .where(Theme.is_active.is_(True))
                .order_by(Theme.position)
            )
        ]
        return form3
    if step == 4:
        return BudgetForm()
    if step == 5:
        return HolderForm()
    return SubmitForm()


def _fill(form: Any, application: Application, step: int) -> None:
    """Show what was saved (GET)."""
    a = application
    if step == 1:
        form.accept.data = a.reglement_id is not None
    elif step == 2:
        form.kind.data = a.applicant_kind.value if a.applicant_kind else None
        form.name.data = a.applicant_name
        form.rna.data, form.siret.data = a.rna or "", a.siret or ""
        form.contact_name.data = a.contact_name or (a.owner.real_name or "")
        form.contact_email.data = a.contact_email or (
            a.owner.email if a.channel.value == "online" else ""
        )
        form.contact_phone.data = a.contact_phone or ""
        form.members_count.data = a.members_count
        form.adult_names.data = "\n".join(m.name for m in a.members)
    elif step == 3:
        for name in (
            "title",
            "description",
            "audience",
            "starts_on",
            "ends_on",
            "place",
            "expected_participants",
        ):
            getattr(form, name).data = getattr(a, name)
        form.theme_ids.data = [t.id for t in a.themes]
    elif step == 4:
        for kind, lines in (
            (
                "expense",
                [x for x in a.budget_lines if x.kind is BudgetLineKind.EXPENSE],
            ),
            (
                "resource",
                [x for x in a.budget_lines if x.kind is BudgetLineKind.RESOURCE],
            ),
        ):
            for index, line in enumerate(lines):
                form[f"{kind}_label_{index}"].data = line.label
                form[f"{kind}_amount_{index}"].data = line.amount
        form.amount_requested.data = a.amount_requested
    elif step == 5:
        form.holder_name.data = a.holder_name or ""
        form.holder_iban.data = a.holder_iban or ""
        form.holder_bic.data = a.holder_bic or ""
        form.holder_address.data = a.holder_address or ""


def _save(form: Any, application: Application, step: int) -> Any:
    """The service call of a step (POST)."""
    actor = _me()
    if step == 1:
        return lambda: services.accept_reglement(
            application, bool(form.accept.data), actor
        )
    if step == 2:
        kind = form.kind.data
        data = services.ApplicantData(
            kind=ApplicantKind(kind)
            if kind in {k.value for k in ApplicantKind}
            else None,
            name=form.name.data or "",
            rna=form.rna.data or "",
            siret=form.siret.data or "",
            contact_name=form.contact_name.data or "",
            contact_email=form.contact_email.data or "",
            contact_phone=form.contact_phone.data or "",
            members_count=form.members_count.data,
            adult_names=(form.adult_names.data or "").splitlines(),
        )
        return lambda: services.save_applicant(application, data, actor)
    if step == 3:
        project = services.ProjectData(
            title=form.title.data or "",
            description=form.description.data or "",
            audience=form.audience.data or "",
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            place=form.place.data or "",
            expected_participants=form.expected_participants.data,
            theme_ids=list(form.theme_ids.data or []),
        )
        return lambda: services.save_project(application, project, actor)
    if step == 4:
        expenses, resources = (
            [
                services.LineData(label.data or "", amount.data)
                for label, amount in form.lines(kind)
            ]
            for kind in ("expense", "resource")
        )
        return lambda: services.save_budget(
            application, expenses, resources, form.amount_requested.data, actor
        )
    if step == 5:
        holder = services.HolderData(
            name=form.holder_name.data or "",
            iban=form.holder_iban.data or "",
            bic=form.holder_bic.data or "",
            address=form.holder_address.data or "",
        )
        return lambda: services.save_holder(application, holder, actor)
    return lambda: services.submit_application(application, actor)


@bp.route(
    "/applications/<int:application_id>/steps/<int:step>", methods=["GET", "POST"]
)
@require(services.can_apply)
def application_step(application_id: int, step: int) -> ResponseReturnValue:
    application = _own_or_404(application_id)
    if not 1 <= step <= len(services.STEPS):
        abort(404)
    if not services.can_edit_application(current_user, application):
        return render_template(
            "fph/application_detail.html",
            application=application,
            withdraw_form=WithdrawForm(),
            missing=[],
        ), 409
    form = _step_form(application, step)
    status = 200
    if form.is_submitted():
        if form.validate():
            after = (
                url_for("fph.application_detail", application_id=application.id)
                if step == len(services.STEPS)
                else url_for(
                    "fph.application_step", application_id=application.id, step=step + 1
                )
            )
            response = submit(
                _save(form, application, step),
                redirect_to=after,
                success=(
                    _("Your application was submitted.")
                    if step == len(services.STEPS)
                    else _("Saved.")
                ),
                form=form,
            )
            if response is not None:
                return response
        status = 400
    else:
        _fill(form, application, step)
    return render_template(
        f"fph/step_{services.STEPS[step - 1]}.html",
        application=application,
        fund=application.fund,
        form=form,
        step=step,
        steps=services.STEPS,
        next_committee=services.next_committee(application.fund),
        missing=services.missing_steps(application),
    ), status


@bp.post("/applications/<int:application_id>/withdraw")
@require(services.can_apply)
def application_withdraw(application_id: int) -> ResponseReturnValue:
    application = _own_or_404(application_id)
    form = WithdrawForm()
    form.validate()
    response = submit(
        lambda: services.withdraw(application, _me(), reason=form.reason.data),
        redirect_to=url_for("fph.application_detail", application_id=application.id),
        success=_("The application was withdrawn."),
        error_redirect=url_for("fph.application_detail", application_id=application.id),
    )
    return response or abort(409)
