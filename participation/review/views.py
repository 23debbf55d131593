"""Pages of the review feature: overview, assignments, review form, decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from ..budget import queries as budget_queries
from ..budget import services as budget_services
from ..budget.models import Idea, Round
from ..budget.states import IdeaAction, IdeaState, TransferAction
from ..core.converters import ascii_int
from ..core.decorators import require
from ..core.permissions import is_reviewer
from ..core.web import submit
from ..eligibility.states import Check, CriterionKind
from ..extensions import db
from ..territories.models import Theme
from . import queries, services
from .forms import (
    ActionForm,
    IneligibleForm,
    MergeForm,
    RetainForm,
    ThemeRuleForm,
    TransferFollowUpForm,
    TransferForm,
    assignment_form_class,
    review_form_class,
)
from .models import IdeaReview, ThemeRule

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_context_processor
def review_predicates() -> dict[str, Any]:
    """Predicates the menu and the pages use to show or hide links."""
    return {
        "is_reviewer": is_reviewer,
        "can_manage_review": services.can_manage_review,
    }


@bp.app_template_global("review_public_outcome")
def review_public_outcome(idea: Idea) -> list[Any]:
    """Failed criteria published for an ineligible idea (empty list otherwise)."""
    if idea.state is not IdeaState.INELIGIBLE:
        return []
    return queries.failed_criteria_by_idea([idea.id]).get(idea.id, [])


def then(url: str, message: Callable[[Any], str]) -> Callable[[Any], str]:
    """A ``redirect_to`` for submit() whose success message tells the result."""

    def redirect_to(result: Any) -> str:
        flash(message(result), "success")
        return url

    return redirect_to


def _round_or_404(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def _confirmed_round(round_id: int) -> Round:
    """The round of a button that changes it: 404, or 400 without the CSRF token."""
    round_ = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return round_


# ---------------------------------------------------------------------------
# Reviewer: my assignments and the review form
# ---------------------------------------------------------------------------


@bp.get("/")
@require(services.can_see_own_reviews)
def my_reviews() -> ResponseReturnValue:
    reviews = queries.reviews_of(current_user)
    return render_template("review/my_reviews.html", reviews=reviews)


@bp.route("/ideas/<int:idea_id>/form", methods=["GET", "POST"])
@require(services.can_see_own_reviews)
def review_form(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    review = services.review_of(idea)
    if review is None or not services.can_fill_review(current_user, review):
        abort(403)
    version = services.grid_version_of(idea.round)
    assert version is not None
    editable = idea.state is IdeaState.IN_REVIEW
    form_class = review_form_class(version)
    form = form_class()
    if not form.is_submitted():
        _fill_review_form(form, review)
    elif not editable:
        abort(409)
    elif form.validate():
        data = services.ReviewData(
            answers=form.answers(version),
            cost_estimate=form.cost_estimate.amount,
            feasibility_note=form.feasibility_note.data or "",
            land_owner=form.land_owner.data or "",
            land_maintainer=form.land_maintainer.data or "",
            public_justification=form.public_justification.data or "",
        )
        hand_in = bool(form.hand_in.data)
        response = submit(
            lambda: services.save_review(review, data, current_user, submit=hand_in),
            form=form,
            redirect_to=_review_saved(idea, hand_in),
        )
        if response is not None:
            return response
    return render_template(
        "review/review_form.html",
        idea=idea,
        review=review,
        version=version,
        form=form,
        editable=editable,
        kinds=CriterionKind,
        field_name=services.criterion_field,
    )


def _review_saved(idea: Idea, hand_in: bool) -> Callable[[Any], str]:
    """Where a saved review leads, with the grid's outcome in the message."""
    if hand_in:
        return then(
            url_for(".my_reviews"),
            lambda result: _(
                "The review was handed in. The grid says: %(outcome)s.",
                outcome=result.outcome.label,
            ),
        )
    return then(
        url_for(".review_form", idea_id=idea.id),
        lambda result: _(
            "The draft was saved. The grid says for now: %(outcome)s.",
            outcome=result.outcome.label,
        ),
    )


def _fill_review_form(form: Any, review: IdeaReview) -> None:
    form.cost_estimate.data = (
        "" if review.cost_estimate is None else str(review.cost_estimate)
    )
    form.feasibility_note.data = review.feasibility_note
    form.land_owner.data = review.land_owner
    form.land_maintainer.data = review.land_maintainer
    form.public_justification.data = review.public_justification
    if review.assessment is not None:
        for code, value in review.assessment.answer_values().items():
            field = getattr(form, services.criterion_field(code), None)
            if field is not None and value is not None:
                field.data = value.value if isinstance(value, Check) else str(value)


# ---------------------------------------------------------------------------
# Staff: rounds, overview, assignments
# ---------------------------------------------------------------------------


@bp.get("/rounds")
@require(services.can_manage_review)
def round_list() -> ResponseReturnValue:
    return render_template("review/round_list.html", rounds=queries.rounds_for_review())


@bp.get("/rounds/<int:round_id>")
@require(services.can_manage_review)
def round_overview(round_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
    overview = queries.overview(round_)
    waiting = overview.state_totals.get(IdeaState.SUBMITTED, 0)
    return render_template(
        "review/round_overview.html",
        round=round_,
        overview=overview,
        show_start=services.review_can_start(round_)
        and (overview.started is None or waiting > 0),
        grid_version=services.grid_version_of(round_),
        action_form=ActionForm(),
    )


@bp.post("/rounds/<int:round_id>/start")
@require(services.can_manage_review)
def round_start(round_id: int) -> ResponseReturnValue:
    round_ = _confirmed_round(round_id)
    overview = url_for(".round_overview", round_id=round_.id)
    return submit(
        lambda: services.start_review(round_, current_user),
        redirect_to=then(
            url_for(".round_assignments", round_id=round_.id),
            lambda moved: ngettext(
                "The review has started: %(num)d idea is now under review.",
                "The review has started: %(num)d ideas are now under review.",
                moved,
            ),
        ),
        error_redirect=overview,
    ) or redirect(overview)


def _assignment_page(
    round_: Round,
    *,
    rule_form: ThemeRuleForm | None = None,
    errors: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    people = services.reviewers()
    rule_form = rule_form or ThemeRuleForm()
    _rule_choices(rule_form, round_, people)
    return (
        render_template(
            "review/round_assignments.html",
            round=round_,
            rows=queries.assignment_rows(round_),
            rules=queries.theme_rules(round_),
            reviewers=people,
            rule_form=rule_form,
            errors=errors or {},
            chosen=chosen or {},
            started=services.round_review(round_) is not None,
        ),
        status,
    )


def _rule_choices(form: ThemeRuleForm, round_: Round, people: list[Any]) -> None:
    themes = round_.themes or list(
        db.session.scalars(
            sa.select(Theme).where(Theme.is_active.is_(True)).order_by(Theme.position)
        )
    )
    form.theme_id.choices = [SelectChoice(t.id, t.label) for t in themes]
    form.reviewer_id.choices = [SelectChoice(p.id, p.pseudonym) for p in people]


@bp.get("/rounds/<int:round_id>/assignments")
@require(services.can_manage_review)
def round_assignments(round_id: int) -> ResponseReturnValue:
    return _assignment_page(_round_or_404(round_id))


@bp.post("/rounds/<int:round_id>/assignments")
@require(services.can_manage_review)
def round_assignments_save(round_id: int) -> ResponseReturnValue:
    round_ = _confirmed_round(round_id)
    keys = [
        key
        for key in request.form
        if key.startswith("idea_") and ascii_int(key.removeprefix("idea_")) is not None
    ]
    form = assignment_form_class(keys)()
    if form.validate():
        choices = {
            int(key.removeprefix("idea_")): int(form[key].data)
            if form[key].data
            else None
            for key in keys
        }
        response = submit(
            lambda: services.assign_many(round_, choices, current_user),
            form=form,
            redirect_to=then(
                url_for(".round_assignments", round_id=round_.id),
                lambda changed: ngettext(
                    "%(num)d assignment saved.", "%(num)d assignments saved.", changed
                ),
            ),
        )
        if response is not None:
            return response
    errors = {
        name: field.errors[0] for name, field in form._fields.items() if field.errors
    }
    if form.form_errors:
        errors[""] = form.form_errors[0]
    return _assignment_page(round_, errors=errors, chosen=dict(request.form.items()))


@bp.post("/rounds/<int:round_id>/rules")
@require(services.can_manage_review)
def rule_create(round_id: int) -> ResponseReturnValue:
    round_ = _round_or_404(round_id)
    form = ThemeRuleForm()
    _rule_choices(form, round_, services.reviewers())
    if form.validate_on_submit():
        response = submit(
            lambda: services.set_theme_rule(
                round_, form.theme_id.data, form.reviewer_id.data, current_user
            ),
            form=form,
            success=_("The rule was saved."),
            redirect_to=url_for(".round_assignments", round_id=round_.id),
        )
        if response is not None:
            return response
    return _assignment_page(round_, rule_form=form)


@bp.post("/rounds/<int:round_id>/rules/<int:rule_id>/delete")
@require(services.can_manage_review)
def rule_delete(round_id: int, rule_id: int) -> ResponseReturnValue:
    rule = db.get_or_404(ThemeRule, rule_id)
    if rule.round_id != round_id or not ActionForm().validate_on_submit():
        abort(404)
    page = url_for(".round_assignments", round_id=round_id)
    return submit(
        lambda: services.delete_theme_rule(rule, current_user),
        success=_("The rule was removed."),
        redirect_to=page,
        error_redirect=page,
    ) or redirect(page)


@bp.post("/rounds/<int:round_id>/rules/apply")
@require(services.can_manage_review)
def rules_apply(round_id: int) -> ResponseReturnValue:
    round_ = _confirmed_round(round_id)
    page = url_for(".round_assignments", round_id=round_.id)
    return submit(
        lambda: services.apply_theme_rules(round_, current_user),
        redirect_to=then(
            page,
            lambda assigned: ngettext(
                "%(num)d idea assigned by theme.",
                "%(num)d ideas assigned by theme.",
                assigned,
            ),
        ),
        error_redirect=page,
    ) or redirect(page)


# ---------------------------------------------------------------------------
# Staff: one idea's review and the decision
# ---------------------------------------------------------------------------


def _decision_forms(idea: Idea, review: IdeaReview | None) -> dict[str, FlaskForm]:
    retain = RetainForm(prefix="retain")
    ineligible = IneligibleForm(prefix="ineligible")
    transfer = TransferForm(prefix="transfer")
    merge = MergeForm(prefix="merge")
    merge.into.choices = [SelectChoice(0, _("Choose an idea"))] + [
        SelectChoice(target.id, f"#{target.id} — {target.title}")
        for target in budget_queries.merge_candidates(idea)
    ]
    if not retain.is_submitted() and review is not None:
        if review.cost_estimate is not None:
            retain.final_cost.data = str(review.cost_estimate)
        # The justification is the ineligibility text only when the review found a
        # criterion not met; a favourable justification never fills the refusal.
        if review.assessment is not None and review.assessment.failed_criteria():
            ineligible.comment.data = review.public_justification
    status = TransferFollowUpForm(prefix="status")
    status.offer(budget_services.transfer_actions(idea))
    return {
        "retain": retain,
        "ineligible": ineligible,
        "transfer": transfer,
        "merge": merge,
        "status": status,
    }


def _idea_page(
    idea: Idea, forms: dict[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    review = services.review_of(idea)
    forms = forms or _decision_forms(idea, review)
    actor = current_user
    allowed = {
        action: budget_services.can_perform(idea, action, actor)
        for action in (
            IdeaAction.RETAIN,
            IdeaAction.DECLARE_INELIGIBLE,
            IdeaAction.TRANSFER,
            IdeaAction.MERGE,
            IdeaAction.REOPEN,
        )
    }
    return (
        render_template(
            "review/idea_review.html",
            idea=idea,
            review=review,
            version=services.grid_version_of(idea.round),
            forms=forms,
            allowed=allowed,
            actions=IdeaAction,
            kinds=CriterionKind,
            is_staff=services.can_manage_review(actor),
        ),
        status,
    )


@bp.get("/ideas/<int:idea_id>")
@require(services.can_see_own_reviews)
def idea_review(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    review = services.review_of(idea)
    # A reviewer reads only the ideas assigned to them; staff read every review.
    if not services.can_manage_review(current_user) and (
        review is None or not services.can_view_review(current_user, review)
    ):
        abort(403)
    return _idea_page(idea)


def _decide(idea: Idea, decision: str, form: Any) -> Callable[[], IdeaState]:
    """The service call behind each decision form."""
    if decision == "retain":
        return lambda: services.retain(
            idea,
            current_user,
            final_cost=form.final_cost.amount,
            comment=form.comment.data,
        )
    if decision == "ineligible":
        return lambda: services.declare_ineligible(
            idea, current_user, comment=form.comment.data
        )
    if decision == "transfer":
        return lambda: services.transfer(
            idea,
            current_user,
            service=form.transfer_service.data,
            other_name=form.other_service.data,
            comment=form.comment.data,
        )
    return lambda: services.merge(
        idea, current_user, into_id=form.into.data or None, comment=form.comment.data
    )


@bp.post(
    "/ideas/<int:idea_id>/decide/<any(retain, ineligible, transfer, merge):decision>"
)
@require(services.can_manage_review)
def idea_decide(idea_id: int, decision: str) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    forms = _decision_forms(idea, services.review_of(idea))
    form: Any = forms[decision]
    if form.validate_on_submit():
        response = submit(
            _decide(idea, decision, form),
            form=form,
            redirect_to=then(
                url_for(".idea_review", idea_id=idea.id),
                lambda state: _("Decision recorded: %(state)s.", state=state.label),
            ),
        )
        if response is not None:
            return response
    return _idea_page(idea, forms)


@bp.post("/ideas/<int:idea_id>/transfer-status")
@require(services.can_manage_review)
def idea_transfer_status(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    forms = _decision_forms(idea, services.review_of(idea))
    form: Any = forms["status"]
    if form.validate_on_submit():
        response = submit(
            lambda: budget_services.update_transfer(
                idea,
                TransferAction(form.action.data),
                current_user,
                comment=form.comment.data,
            ),
            form=form,
            success=_("The follow-up was updated."),
            redirect_to=url_for(".idea_review", idea_id=idea.id),
        )
        if response is not None:
            return response
    return _idea_page(idea, forms)


@bp.post("/ideas/<int:idea_id>/reopen")
@require(services.can_manage_review)
def idea_reopen(idea_id: int) -> ResponseReturnValue:
    idea = db.get_or_404(Idea, idea_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = url_for(".idea_review", idea_id=idea.id)
    return submit(
        lambda: services.reopen(idea, current_user),
        success=_("The review of the idea is open again."),
        redirect_to=page,
        error_redirect=page,
    ) or redirect(page)
