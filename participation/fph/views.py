"""Pages of the FPH: the public fund pages, the application in steps, the applicant's
files, and staff tools (funds, règlements, review of files)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, make_response, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..accounts.models import User
from ..core.decorators import require
from ..core.web import submit
from ..council.models import Council, Meeting
from ..extensions import db
from ..territories.models import Territory, Theme
from . import paper, payments, queries, services
from .forms import (
    FUNDER_ROWS,
    ActionForm,
    ApplicantForm,
    BudgetForm,
    FundForm,
    HolderForm,
    IncompleteForm,
    PaperStartForm,
    ProjectForm,
    ReglementForm,
    ReglementStepForm,
    ScheduleForm,
    StartForm,
    SubmitForm,
    WithdrawForm,
)
from .models import Application, Fund
from .states import ApplicantKind, ApplicationState, BudgetLineKind, FunderKind

bp = Blueprint("fph", __name__, url_prefix="/fph")


@bp.app_context_processor
def fph_helpers() -> dict[str, Any]:
    return {
        "can_manage_funds": services.can_manage_funds,
        "can_file_on_behalf": services.can_file_on_behalf,
        "can_act": services.can_act,
    }


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _fund_or_404(fund_id: int) -> Fund:
    return db.get_or_404(Fund, fund_id)


def _own_or_404(application_id: int) -> Application:
    """The whole file, to its owner and staff; 404 to anyone else (no probing)."""
    application = db.get_or_404(Application, application_id)
    if not services.can_view_application(current_user, application):
        abort(404)
    return application


# --- Public pages ------------------------------------------------------------


@bp.get("/")
def fund_list() -> ResponseReturnValue:
    funds = queries.funds()
    return render_template(
        "fph/fund_list.html",
        funds=funds,
        calendars={f.id: services.committee_dates(f) for f in funds},
    )


@bp.get("/funds/<int:fund_id>")
def fund_detail(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    return render_template(
        "fph/fund_detail.html",
        fund=fund,
        calendar=services.committee_dates(fund),
        files=queries.public_files(fund),
        start_form=StartForm(),
    )


@bp.get("/funds/<int:fund_id>/form.pdf")
def paper_form(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    response = make_response(paper.application_form(fund))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="fph-{fund.year}-{fund.id}.pdf"'
    )
    return response


@bp.get("/files/<int:application_id>")
def public_file(application_id: int) -> ResponseReturnValue:
    """A file's public page: title, amounts, the dates of its steps; nothing private."""
    application = db.get_or_404(Application, application_id)
    if not services.can_view_public_file(current_user, application):
        abort(404)
    return render_template(
        "fph/file_public.html",
        application=application,
        project=payments.followup_project(application),
    )


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


# --- Staff ---------------------------------------------------------------------


@bp.get("/manage")
@require(services.can_manage_funds)
def manage_funds() -> ResponseReturnValue:
    return render_template("fph/manage_funds.html", funds=queries.funds())


def _fund_form_choices(form: FundForm) -> None:
    form.territory_id.choices = [
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(db.select(Territory).order_by(Territory.name))
    ]
    form.council_id.choices = [SelectChoice("", _("None yet"))] + [
        SelectChoice(c.id, c.name)
        for c in db.session.scalars(db.select(Council).order_by(Council.name))
    ]


def _fund_data(form: FundForm) -> tuple[services.FundData, list[services.FunderData]]:
    data = services.FundData(
        name=form.name.data or "",
        year=form.year.data or 0,
        territory_id=form.territory_id.data or 0,
        envelope=form.envelope.data,
        managing_body=form.managing_body.data or "",
        council_id=form.council_id.data,
        cap_per_project=form.cap_per_project.data,
        max_share_percent=form.max_share_percent.data,
        max_grants_per_group=form.max_grants_per_group.data,
        min_group_adults=form.min_group_adults.data,
        deadline_days=form.deadline_days.data,
        help_text=form.help_text.data or "",
        contact=form.contact.data or "",
        is_open=bool(form.is_open.data),
    )
    funders = [
        services.FunderData(
            name=form[f"funder_name_{i}"].data or "",
            kind=FunderKind(form[f"funder_kind_{i}"].data or "other"),
            share_percent=form[f"funder_share_{i}"].data,
        )
        for i in range(FUNDER_ROWS)
    ]
    return data, funders


def _save_fund(fund: Fund | None, form: FundForm) -> Fund:
    data, funders = _fund_data(form)
    actor = _me()
    saved = (
        services.create_fund(data, actor)
        if fund is None
        else services.update_fund(fund, data, actor)
    )
    services.set_funders(saved, funders, actor)
    return saved


@bp.route("/manage/funds/new", methods=["GET", "POST"])
@require(services.can_manage_funds)
def fund_create() -> ResponseReturnValue:
    form = FundForm()
    _fund_form_choices(form)
    if not form.is_submitted():
        form.cap_per_project.data = Decimal("1000")
        form.max_share_percent.data = 80
        form.max_grants_per_group.data = 2
        form.min_group_adults.data = 3
        form.deadline_days.data = 30
    elif form.validate():
        response = submit(
            lambda: _save_fund(None, form),
            redirect_to=lambda f: url_for("fph.manage_fund", fund_id=f.id),
            success=_("The fund was created."),
            form=form,
            once=form.form_token.data,
        )
        if response is not None:
            return response
    return render_template(
        "fph/fund_form.html", form=form, fund=None, rows=range(FUNDER_ROWS)
    ), (400 if form.is_submitted() else 200)


@bp.route("/manage/funds/<int:fund_id>/edit", methods=["GET", "POST"])
@require(services.can_manage_funds)
def fund_edit(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    form = FundForm(obj=fund)
    _fund_form_choices(form)
    if not form.is_submitted():
        for i, funder in enumerate(fund.funders[:FUNDER_ROWS]):
            form[f"funder_name_{i}"].data = funder.name
            form[f"funder_kind_{i}"].data = funder.kind.value
            form[f"funder_share_{i}"].data = funder.share_percent
    elif form.validate():
        response = submit(
            lambda: _save_fund(fund, form),
            redirect_to=url_for("fph.manage_fund", fund_id=fund.id),
            success=_("The fund was saved."),
            form=form,
        )
        if response is not None:
            return response
    return render_template(
        "fph/fund_form.html", form=form, fund=fund, rows=range(FUNDER_ROWS)
    ), (400 if form.is_submitted() else 200)


@bp.route("/manage/funds/<int:fund_id>/reglement", methods=["GET", "POST"])
@require(services.can_manage_funds)
def reglement_adopt(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    form = ReglementForm()
    if not form.is_submitted() and fund.reglement_in_force is not None:
        form.text.data = fund.reglement_in_force.text
    elif form.is_submitted() and form.validate():
        response = submit(
            lambda: services.adopt_reglement(
                fund,
                form.text.data or "",
                form.adopted_by.data or "",
                form.adopted_on.data,
                _me(),
            ),
            redirect_to=url_for("fph.manage_fund", fund_id=fund.id),
            success=_("The new version of the règlement is in force."),
            form=form,
        )
        if response is not None:
            return response
    return render_template("fph/reglement_form.html", form=form, fund=fund), (
        400 if form.is_submitted() else 200
    )


@bp.get("/manage/funds/<int:fund_id>")
@require(services.can_manage_funds)
def manage_fund(fund_id: int) -> ResponseReturnValue:
    fund = _fund_or_404(fund_id)
    return render_template(
        "fph/manage_fund.html",
        fund=fund,
        applications=queries.fund_applications(fund),
        calendar=services.committee_dates(fund),
        paper_form=PaperStartForm(),
    )


@bp.get("/manage/applications/<int:application_id>")
@require(services.can_manage_funds)
def review(application_id: int) -> ResponseReturnValue:
    application = db.get_or_404(Application, application_id)
    return _review_page(application, IncompleteForm(), 200)


def _schedule_form(
    application: Application, form: ScheduleForm | None = None
) -> ScheduleForm:
    form = form or ScheduleForm()
    form.meeting_id.choices = [SelectChoice("", _("Choose a committee"))] + [
        SelectChoice(
            entry.meeting.id,
            _(
                "%(day)s (files by %(deadline)s)",
                day=entry.day.strftime("%d/%m/%Y"),
                deadline=entry.deadline.strftime("%d/%m/%Y"),
            ),
        )
        for entry in services.coming_committees(application)
    ]
    return form


def _review_page(
    application: Application,
    incomplete: IncompleteForm,
    status: int,
    schedule_form: ScheduleForm | None = None,
) -> ResponseReturnValue:
    return render_template(
        "fph/review.html",
        application=application,
        schedule_form=_schedule_form(application, schedule_form),
        incomplete_form=incomplete,
        action_form=ActionForm(),
        withdraw_form=WithdrawForm(),
        State=ApplicationState,
    ), status


@bp.post("/manage/applications/<int:application_id>/complete")
@require(services.can_manage_funds)
def review_complete(application_id: int) -> ResponseReturnValue:
    application = db.get_or_404(Application, application_id)
    ActionForm().validate()
    here = url_for("fph.review", application_id=application.id)
    response = submit(
        lambda: services.mark_complete(application, _me()),
        redirect_to=here,
        success=_("The file is complete."),
        error_redirect=here,
    )
    return response or abort(409)


@bp.post("/manage/applications/<int:application_id>/incomplete")
@require(services.can_manage_funds)
def review_incomplete(application_id: int) -> ResponseReturnValue:
    application = db.get_or_404(Application, application_id)
    form = IncompleteForm()
    if form.validate():
        response = submit(
            lambda: services.mark_incomplete(
                application, form.missing.data or "", _me()
            ),
            redirect_to=url_for("fph.review", application_id=application.id),
            success=_("The file went back to the applicant."),
            form=form,
        )
        if response is not None:
            return response
    return _review_page(application, form, 400)


@bp.post("/manage/applications/<int:application_id>/schedule")
@require(services.can_manage_funds)
def review_schedule(application_id: int) -> ResponseReturnValue:
    application = db.get_or_404(Application, application_id)
    form = _schedule_form(application)
    if form.validate():
        meeting = (
            db.session.get(Meeting, form.meeting_id.data)
            if form.meeting_id.data
            else None
        )
        if meeting is None:
            form.meeting_id.errors = [_("Choose a committee in the list.")]
        else:
            response = submit(
                lambda: services.schedule(application, meeting, _me()),
                redirect_to=url_for("fph.review", application_id=application.id),
                success=_("The file is on the committee's agenda."),
                form=form,
            )
            if response is not None:
                return response
    return _review_page(application, IncompleteForm(), 400, form)
