"""Pages of the committee, the letters, payments, the bilan, the ledger, SCDL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import Conflict, DomainError
from ..core.permissions import is_staff
from ..core.time import today_paris
from ..core.web import submit
from ..council.permissions import can_run_meeting, membership
from ..eligibility.states import Check, CriterionKind
from ..extensions import db
from . import attachments, committee, exports, payments, reports
from .fph2_forms import (
    ActionForm,
    DecisionForm,
    PaymentForm,
    VerdictForm,
    report_form,
    score_form,
)
from .models import Application, Fund, ReportFile
from .states import ApplicationState, BudgetLineKind, Verdict

bp = Blueprint("fph2", __name__, url_prefix="/fph")

#: The bilan form carries several receipts and photos: its request limit is raised
#: (the app's default is 1 MB) so that the files reach the view and a file too
#: large gets a message by its field.
UPLOAD_ENDPOINTS = frozenset({"fph2.report_file"})
#: Request limit of the bilan form (several files of up to 8 MB each, in steps).
REPORT_REQUEST_LIMIT = 12 * 1024 * 1024


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    def raise_upload_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = REPORT_REQUEST_LIMIT

    # Before CSRFProtect's hook, which reads the body (see budget.views).
    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_upload_limit)


S = ApplicationState


def _application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.reference is None:
        abort(404)
    return application


def _is_applicant(application: Application) -> bool:
    user_id = getattr(current_user, "id", None)
    return user_id is not None and user_id in (
        application.owner_id,
        application.filed_by_id,
    )


def _committee_member(application: Application) -> bool:
    fund = application.fund
    council_id = fund.council_id or (
        application.meeting.council_id if application.meeting else None
    )
    return council_id is not None and membership(current_user, council_id) is not None


def _can_see_file(application: Application) -> bool:
    return (
        is_staff(current_user)
        or _committee_member(application)
        or _is_applicant(application)
    )


def _pdf(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------
# Committee
# ---------------------------------------------------------------------------


def _answers(form: Any, version: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for criterion in version.criteria:
        value = getattr(form, f"c_{criterion.code}").data
        if value in (None, "", "None"):
            continue
        if criterion.kind is CriterionKind.MANDATORY:
            answers[criterion.code] = Check(value)
        elif criterion.kind is CriterionKind.SCORED:
            answers[criterion.code] = int(value)
        else:
            answers[criterion.code] = str(value)
    return answers


@bp.route("/committee/files/<int:application_id>", methods=["GET", "POST"])
@login_required
def committee_file(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if not (is_staff(current_user) or _committee_member(application)):
        abort(403)
    meeting = application.agenda_item.meeting if application.agenda_item else None
    version = None
    my_score = None
    score_allowed = False
    recused_reason = None
    if application.state is S.SCHEDULED:
        try:
            version = committee.grid_version_for(application)
            committee.scoring_member(application, current_user)
            score_allowed = True
        except DomainError as error:
            recused_reason = error.message
    own = [s for s in committee.scores(application) if s.assessor_id == current_user.id]
    if own:
        my_score = own[0]
    form = None
    if version is not None and score_allowed:
        data = (
            {f"c_{k}": str(v) for k, v in my_score.answer_values().items()}
            if my_score
            else {}
        )
        form = score_form(version, data if request.method == "GET" else None)
        if form.validate_on_submit() and request.form.get("form") == "score":
            answers = _answers(form, version)
            done = submit(
                lambda: committee.score(application, answers, current_user),
                redirect_to=url_for(".committee_file", application_id=application.id),
                success=_("Your scores are saved."),
                form=form,
            )
            if done is not None:
                return done
    decision = DecisionForm(prefix="d")
    can_decide = (
        meeting is not None
        and application.state is S.SCHEDULED
        and can_run_meeting(current_user, meeting)
    )
    if can_decide and request.form.get("form") == "decision" and decision.validate():
        data_ = committee.DecisionData(
            proposal=committee.Proposal(decision.proposal.data),
            decision_text=decision.decision_text.data or "",
            amount=decision.amount.data,
            votes_for=decision.votes_for.data,
            votes_against=decision.votes_against.data,
            abstentions=decision.abstentions.data,
            no_quorum=bool(decision.no_quorum.data),
        )
        done = submit(
            lambda: committee.decide(application, data_, current_user),
            redirect_to=url_for(".committee_file", application_id=application.id),
            success=_("The vote is recorded."),
            form=decision,
        )
        if done is not None:
            return done
    return render_template(
        "fph/committee_file.html",
        application=application,
        meeting=meeting,
        version=version,
        form=form,
        recused_reason=recused_reason,
        recused=committee.recused_members(application, meeting) if meeting else [],
        scores=committee.scores(application),
        average=committee.average_score(application),
        decision=decision if can_decide else None,
        highest=committee.limits(application, application.fund).highest
        if application.amount_requested
        else None,
        schedule=ActionForm(prefix="s")
        if is_staff(current_user) and application.state in (S.COMPLETE, S.DEFERRED)
        else None,
        project=payments.followup_project(application),
    )


@bp.post("/committee/files/<int:application_id>/schedule")
@login_required
def committee_schedule(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if not is_staff(current_user):
        abort(403)
    back = url_for(".committee_file", application_id=application.id)
    return submit(
        lambda: committee.put_on_agenda(application, current_user),
        redirect_to=back,
        success=_("The file is on the committee's agenda."),
        error_redirect=back,
    ) or abort(400)


@bp.get("/files/<int:application_id>/letters/<kind>.pdf")
@login_required
def letter_pdf(application_id: int, kind: str) -> ResponseReturnValue:
    application = _application(application_id)
    if not _can_see_file(application):
        abort(403)
    try:
        if kind == "notification":
            content = payments.notification_pdf(application)
        elif kind == "agreement":
            content = payments.agreement_pdf(application)
        else:
            abort(404)
    except Conflict:
        abort(404)
    return _pdf(content, f"{kind}-{application.reference}.pdf")


# ---------------------------------------------------------------------------
# Payments and verdict (staff)
# ---------------------------------------------------------------------------


@bp.route("/payments/files/<int:application_id>", methods=["GET", "POST"])
@login_required
def payments_file(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if not is_staff(current_user):
        abort(403)
    back = url_for(".payments_file", application_id=application.id)
    which = request.form.get("form")
    advance = PaymentForm(prefix="a")
    if request.method == "GET":
        advance.amount.data = payments.advance_due(application)
        advance.paid_on.data = today_paris()
        advance.payer.data = application.fund.managing_body
    verdict = VerdictForm(prefix="v")
    if request.method == "GET" and application.amount_granted is not None:
        verdict.amount.data = application.amount_granted - payments.paid(application)
        verdict.paid_on.data = today_paris()
        verdict.payer.data = application.fund.managing_body
    repayment = PaymentForm(prefix="r")
    action = ActionForm(prefix="q")
    if which == "advance" and advance.validate():
        data = payments.PaymentData(
            advance.amount.data,
            advance.paid_on.data,
            advance.payer.data or "",
            advance.reference.data or "",
        )
        done = submit(
            lambda: payments.record_advance(application, data, current_user),
            redirect_to=back,
            success=_("The advance is recorded."),
            form=advance,
        )
        if done is not None:
            return done
    elif which == "request_report" and action.validate():
        done = submit(
            lambda: payments.request_report(application, current_user),
            redirect_to=back,
            success=_("The group is asked for its bilan."),
            form=action,
        )
        if done is not None:
            return done
    elif which == "verdict" and verdict.validate():
        vdata = payments.VerdictData(
            verdict=Verdict(verdict.verdict.data) if verdict.verdict.data else None,
            note=verdict.note.data or "",
            payment=payments.PaymentData(
                verdict.amount.data, verdict.paid_on.data, verdict.payer.data or ""
            ),
            repayment_amount=verdict.repayment_amount.data,
        )
        done = submit(
            lambda: payments.give_verdict(application, vdata, current_user),
            redirect_to=back,
            success=_("The verdict is recorded."),
            form=verdict,
        )
        if done is not None:
            return done
    elif which == "repayment" and repayment.validate():
        rdata = payments.PaymentData(
            repayment.amount.data, repayment.paid_on.data, repayment.payer.data or ""
        )
        done = submit(
            lambda: payments.record_repayment(application, rdata, current_user),
            redirect_to=back,
            success=_("The repayment is recorded."),
            form=repayment,
        )
        if done is not None:
            return done
    return render_template(
        "fph/payments_file.html",
        application=application,
        advance=advance
        if application.state in (S.GRANTED, S.GRANTED_PARTIALLY)
        else None,
        action=action if application.state is S.PAID_ADVANCE else None,
        verdict=verdict if application.state is S.REPORT_SUBMITTED else None,
        repayment=repayment if application.state is S.REPAYMENT_REQUESTED else None,
        paid=payments.paid(application),
        report=application.report,
    )


# ---------------------------------------------------------------------------
# Bilan (the applicant)
# ---------------------------------------------------------------------------


def _expense_lines(application: Application) -> list[Any]:
    return [
        line for line in application.budget_lines if line.kind is BudgetLineKind.EXPENSE
    ]


@bp.route("/bilan/files/<int:application_id>", methods=["GET", "POST"])
@login_required
def report_file(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if not (is_staff(current_user) or _is_applicant(application)):
        abort(403)
    lines = _expense_lines(application)
    form = report_form([(line.id, line.label) for line in lines])
    if application.state is S.REPORT_DUE and form.validate_on_submit():
        data = reports.ReportData(
            held_on=form.held_on.data,
            actual_participants=form.actual_participants.data,
            narrative=form.narrative.data or "",
            actual={line.id: getattr(form, f"actual_{line.id}").data for line in lines},
            is_photo_consent=bool(form.is_photo_consent.data),
            receipts=tuple(
                reports.Upload(f.stream, f.filename or "")
                for f in request.files.getlist(form.receipts.name)
                if f and f.filename
            ),
            photos=tuple(
                reports.Upload(f.stream, f.filename or "")
                for f in request.files.getlist(form.photos.name)
                if f and f.filename
            ),
        )
        done = submit(
            lambda: reports.submit_report(application, data, current_user),
            redirect_to=url_for(".report_file", application_id=application.id),
            success=_("Thank you: your bilan is sent to the committee."),
            form=form,
        )
        if done is not None:
            return done
    return render_template(
        "fph/report_file.html",
        application=application,
        form=form if application.state is S.REPORT_DUE else None,
        lines=lines,
        report=application.report,
    )


@bp.get("/bilan/files/<int:application_id>/attachments/<int:file_id>")
def report_attachment(application_id: int, file_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    file = db.session.get(ReportFile, file_id)
    report = application.report
    if file is None or report is None or file.report_id != report.id:
        abort(404)
    public = file.is_public
    if not public and not (
        current_user.is_authenticated
        and (is_staff(current_user) or _is_applicant(application))
    ):
        abort(404)
    try:
        return attachments.send(
            reports.folder_of(file), file.stored_name, file.content_type, public=public
        )
    except DomainError:
        abort(404)


# ---------------------------------------------------------------------------
# Ledger and exports
# ---------------------------------------------------------------------------


@bp.get("/funds/<int:fund_id>/ledger")
@login_required
def fund_ledger(fund_id: int) -> ResponseReturnValue:
    if not is_staff(current_user):
        abort(403)
    fund = db.session.get(Fund, fund_id)
    if fund is None:
        abort(404)
    today = today_paris()
    return render_template(
        "fph/fund_ledger.html",
        fund=fund,
        ledger=payments.fund_ledger(fund),
        applications=payments.fund_applications(fund),
        paid={a.id: payments.paid(a) for a in payments.fund_applications(fund)},
        year=today.year,
        month=today.month,
    )


@bp.get("/funds/<int:fund_id>/statement-<int:year>-<int:month>.csv")
@login_required
def fund_statement(fund_id: int, year: int, month: int) -> ResponseReturnValue:
    if not is_staff(current_user):
        abort(403)
    fund = db.session.get(Fund, fund_id)
    if fund is None or not (1 <= month <= 12) or not (2000 <= year <= 2100):
        abort(404)
    text = payments.statement_csv(fund, year, month)
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="fph-{fund.id}-{year}-{month:02d}.csv"'
    )
    return response


@bp.get("/opendata/subventions.csv")
def scdl_export() -> ResponseReturnValue:
    try:
        text = exports.csv_text()
    except Conflict as error:
        return render_template("fph/scdl_unavailable.html", message=error.message), 503
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        'attachment; filename="subventions-fph.csv"'
    )
    return response


def money(value: Decimal | None) -> str:
    from .letters import euros

    return "—" if value is None else euros(value)


@bp.app_template_filter("fph_euros")
def _fph_euros(value: Decimal | None) -> str:
    return money(value)
