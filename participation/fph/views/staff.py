"""Staff: funds, funders, règlements, and the review of files."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ...core.decorators import require
from ...core.web import submit
from ...council.models import Council, Meeting
from ...extensions import db
from ...territories.models import Territory
from .. import queries, services
from ..forms import (
    FUNDER_ROWS,
    ActionForm,
    FundForm,
    IncompleteForm,
    PaperStartForm,
    ReglementForm,
    ScheduleForm,
    WithdrawForm,
)
from ..models import Application, Fund
from ..states import ApplicationState, FunderKind
from . import _fund_or_404, _me, bp

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
        texts_by_language=form.texts_by_language(),
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
        form.fill_translations(fund.texts_by_language)
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
        form.fill_translations(fund.reglement_in_force.texts_by_language)
    elif form.is_submitted() and form.validate():
        response = submit(
            lambda: services.adopt_reglement(
                fund,
                form.text.data or "",
                form.adopted_by.data or "",
                form.adopted_on.data,
                _me(),
                texts_by_language=form.texts_by_language(),
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
