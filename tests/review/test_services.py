"""Review services: start, assignments, the reviewer's work, staff decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from participation.budget import services as budget_services
from participation.budget.states import IdeaState, TransferAction, TransferStatus
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import AuditEntry, OutboxMessage
from participation.eligibility import services as eligibility
from participation.eligibility.models import Assessment
from participation.eligibility.states import Check, CriterionKind, Outcome
from participation.review import queries, services
from participation.review.models import IdeaReview, RoundReview
from participation.review.services import ReviewData

from .conftest import count_rows, passing_answers


def review_data(**answers_overrides):
    return ReviewData(
        answers=passing_answers(**answers_overrides),
        cost_estimate=Decimal("12000.00"),
        feasibility_note="Faisable en régie.",
        land_owner="Ville",
        land_maintainer="Service des espaces verts",
        public_justification="Le projet est utile et faisable.",
    )


@pytest.fixture
def assigned(db, review_round, make_idea, started, staff, reviewer):
    """One idea under review, assigned to *reviewer*."""
    idea = make_idea(review_round)
    started()
    return services.assign(idea, reviewer, staff)


def handed_in(review, reviewer, **overrides):
    return services.save_review(review, review_data(**overrides), reviewer, submit=True)


# --- starting the review ----------------------------------------------------


def test_start_review_freezes_the_grid_and_puts_submitted_ideas_under_review(
    db, review_round, make_idea, staff, grid
):
    ideas = [make_idea(review_round) for _ in range(3)]

    moved = services.start_review(review_round, staff)

    assert moved == 3
    assert all(idea.state is IdeaState.IN_REVIEW for idea in ideas)
    assert grid.latest_version.is_frozen
    started = db.session.scalar(sa.select(RoundReview))
    assert started.grid_version_id == grid.latest_version.id
    # Public history and a notification for each author, through budget.transition().
    assert all(idea.history[-1].to_state is IdeaState.IN_REVIEW for idea in ideas)
    assert count_rows(db, OutboxMessage) == 3


def test_editing_the_grid_after_the_start_leaves_the_round_on_its_version(
    db, review_round, make_idea, staff, grid, started
):
    make_idea(review_round)
    started()
    frozen = grid.latest_version

    eligibility.remove_criterion(grid, "maintenance", actor=staff)

    assert grid.latest_version.number == 2
    assert services.grid_version_of(review_round).id == frozen.id
    assert frozen.criterion("maintenance") is not None


def test_review_cannot_start_while_ideas_can_still_be_submitted(
    db, make_round, grid, staff
):
    round_ = make_round("submission", grid_version_id=grid.latest_version.id)

    with pytest.raises(Conflict):
        services.start_review(round_, staff)

    assert count_rows(db, RoundReview) == 0


def test_review_cannot_start_without_a_grid(db, make_round, staff):
    round_ = make_round("review")
    assert round_.grid_version_id is None

    with pytest.raises(Conflict):
        services.start_review(round_, staff)


def test_only_staff_start_a_review(db, review_round, make_idea, reviewer):
    idea = make_idea(review_round)

    with pytest.raises(PermissionDenied):
        services.start_review(review_round, reviewer)

    assert idea.state is IdeaState.SUBMITTED


# --- assignments ------------------------------------------------------------


def test_staff_assign_by_hand_and_reassigning_keeps_the_work(
    db, assigned, staff, reviewer, other_reviewer
):
    services.save_review(assigned, review_data(), reviewer, submit=False)

    services.assign(assigned.idea, other_reviewer, staff)

    assert assigned.reviewer_id == other_reviewer.id
    assert assigned.assessment is not None
    assert count_rows(db, IdeaReview) == 1
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("review.assign") == 2


def test_a_resident_cannot_be_assigned(db, assigned, staff, make_user):
    resident = make_user()

    with pytest.raises(FieldErrors):
        services.assign(assigned.idea, resident, staff)

    assert assigned.reviewer_id != resident.id


def test_only_staff_assign(db, assigned, reviewer, other_reviewer):
    with pytest.raises(PermissionDenied):
        services.assign(assigned.idea, other_reviewer, reviewer)

    assert assigned.reviewer_id == reviewer.id


def test_ideas_cannot_be_assigned_before_the_review_starts(
    db, review_round, make_idea, staff, reviewer
):
    idea = make_idea(review_round)

    with pytest.raises(Conflict):
        services.assign(idea, reviewer, staff)


def test_theme_rules_assign_only_unassigned_ideas_by_their_first_ruled_theme(
    db, review_round, make_idea, make_theme, started, staff, reviewer, other_reviewer
):
    # The themes' order is their position: sport, lighting, then gardens.
    gardens, lighting, sport = (make_theme(position=p) for p in (30, 20, 10))
    garden_idea = make_idea(review_round, themes=[gardens])
    both = make_idea(review_round, themes=[sport, lighting, gardens])
    nothing = make_idea(review_round, themes=[sport])
    by_hand = make_idea(review_round, themes=[gardens])
    started()
    services.assign(by_hand, other_reviewer, staff)
    services.set_theme_rule(review_round, gardens.id, reviewer.id, staff)
    services.set_theme_rule(review_round, lighting.id, other_reviewer.id, staff)

    assigned = services.apply_theme_rules(review_round, staff)

    assert assigned == 2
    reviews = {r.idea_id: r for r in db.session.scalars(sa.select(IdeaReview))}
    assert reviews[garden_idea.id].reviewer_id == reviewer.id
    assert reviews[both.id].reviewer_id == other_reviewer.id  # lighting comes first
    assert reviews[both.id].theme_rule_id is not None
    assert nothing.id not in reviews
    assert reviews[by_hand.id].reviewer_id == other_reviewer.id
    assert reviews[by_hand.id].theme_rule_id is None


def test_a_theme_rule_is_replaced_not_duplicated(
    db, review_round, make_theme, staff, reviewer, other_reviewer
):
    theme = make_theme()
    services.set_theme_rule(review_round, theme.id, reviewer.id, staff)

    rule = services.set_theme_rule(review_round, theme.id, other_reviewer.id, staff)

    assert rule.reviewer_id == other_reviewer.id
    assert len(queries.theme_rules(review_round)) == 1


# --- the reviewer's work ----------------------------------------------------


def test_reviewer_not_assigned_cannot_save_and_nothing_changes(
    db, assigned, other_reviewer, staff
):
    for actor in (other_reviewer, staff):
        with pytest.raises(PermissionDenied):
            services.save_review(assigned, review_data(), actor, submit=True)

    assert assigned.assessment_id is None
    assert assigned.submitted_at is None
    assert count_rows(db, Assessment) == 0


def test_a_draft_may_leave_answers_out_and_the_grid_says_to_discuss(
    db, assigned, reviewer
):
    data = ReviewData(answers={"in_qpv": Check.PASS, "social_link": 3})

    result = services.save_review(assigned, data, reviewer, submit=False)

    assert result.outcome is Outcome.TO_DISCUSS
    assert assigned.submitted_at is None
    assert assigned.assessment.outcome is Outcome.TO_DISCUSS
    assert "investment" in assigned.assessment.missing_codes


def test_handing_in_needs_every_answer_the_cost_and_the_justification(
    db, assigned, reviewer
):
    data = ReviewData(answers=passing_answers(investment=None, inclusion=None))

    with pytest.raises(FieldErrors) as caught:
        services.save_review(assigned, data, reviewer, submit=True)

    assert set(caught.value.errors) == {
        "criterion_investment",
        "criterion_inclusion",
        "cost_estimate",
        "public_justification",
    }
    assert assigned.submitted_at is None
    assert count_rows(db, Assessment) == 0


def test_handing_in_stores_the_assessment_evaluate_computed(db, assigned, reviewer):
    result = handed_in(assigned, reviewer, investment=Check.FAIL, neutrality=Check.FAIL)

    assert result.outcome is Outcome.INELIGIBLE
    assert assigned.is_done
    assessment = assigned.assessment
    assert assessment.subject_type == "idea"
    assert assessment.subject_id == assigned.idea_id
    assert assessment.failed_codes == ["investment", "neutrality"]
    assert assessment.score == Decimal(14)
    assert assigned.cost_estimate == Decimal("12000.00")
    assert assigned.land_owner == "Ville"


def test_the_review_is_read_only_once_a_decision_is_taken(
    db, assigned, reviewer, staff
):
    handed_in(assigned, reviewer)
    services.retain(assigned.idea, staff, final_cost=Decimal("12000"))

    with pytest.raises(Conflict):
        services.save_review(
            assigned, review_data(social_link=0), reviewer, submit=True
        )

    assert assigned.assessment.answer_values()["social_link"] == 3


# --- decisions --------------------------------------------------------------


@pytest.mark.parametrize("cost", ["999.99", "30000.01"])
def test_retaining_with_a_cost_outside_the_round_bounds_is_refused_by_the_field(
    db, assigned, reviewer, staff, cost
):
    handed_in(assigned, reviewer)

    with pytest.raises(FieldErrors) as caught:
        services.retain(assigned.idea, staff, final_cost=Decimal(cost))

    assert caught.value.field == "final_cost"
    assert assigned.idea.state is IdeaState.IN_REVIEW
    assert assigned.idea.final_cost is None


@pytest.mark.parametrize("cost", ["1000", "30000"])
def test_retaining_at_the_bounds_is_accepted(db, assigned, reviewer, staff, cost):
    handed_in(assigned, reviewer)

    services.retain(assigned.idea, staff, final_cost=Decimal(cost))

    assert assigned.idea.state is IdeaState.ELIGIBLE
    assert assigned.idea.final_cost == Decimal(cost)


def test_retaining_writes_history_audit_and_notifies_the_author(
    db, assigned, reviewer, staff
):
    handed_in(assigned, reviewer)
    before = count_rows(db, OutboxMessage)

    services.retain(assigned.idea, staff, final_cost=Decimal("12500"), comment="Bravo")

    idea = assigned.idea
    assert idea.history[-1].to_state is IdeaState.ELIGIBLE
    assert idea.history[-1].actor_id == staff.id
    assert count_rows(db, OutboxMessage) == before + 1
    assert "idea.retain" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_an_idea_the_grid_finds_ineligible_cannot_be_retained(
    db, assigned, reviewer, staff
):
    handed_in(assigned, reviewer, land_ownership=Check.FAIL)

    with pytest.raises(FieldErrors):
        services.retain(assigned.idea, staff, final_cost=Decimal("12000"))

    assert assigned.idea.state is IdeaState.IN_REVIEW


def test_no_decision_before_the_review_is_handed_in(db, assigned, reviewer, staff):
    services.save_review(assigned, review_data(), reviewer, submit=False)

    with pytest.raises(Conflict):
        services.retain(assigned.idea, staff, final_cost=Decimal("12000"))
    with pytest.raises(Conflict):
        services.declare_ineligible(assigned.idea, staff, comment="Non")

    assert assigned.idea.state is IdeaState.IN_REVIEW


def test_only_staff_decide(db, assigned, reviewer):
    handed_in(assigned, reviewer)

    with pytest.raises(PermissionDenied):
        services.retain(assigned.idea, reviewer, final_cost=Decimal("12000"))
    with pytest.raises(PermissionDenied):
        services.declare_ineligible(assigned.idea, reviewer, comment="Non")

    assert assigned.idea.state is IdeaState.IN_REVIEW


def test_ineligible_idea_publishes_its_failed_criteria_and_justification(
    db, assigned, reviewer, staff, review_round, make_idea
):
    handed_in(assigned, reviewer, investment=Check.FAIL, maintenance=Check.FAIL)
    other = make_idea(review_round)

    services.declare_ineligible(
        assigned.idea, staff, comment="Une fête annuelle n'est pas un investissement."
    )

    idea = assigned.idea
    assert idea.state is IdeaState.INELIGIBLE
    assert idea.public_reason == "Une fête annuelle n'est pas un investissement."
    failed = queries.failed_criteria_by_idea([idea.id, other.id])
    assert [c.code for c in failed[idea.id]] == ["investment", "maintenance"]
    assert other.id not in failed


def test_failed_criteria_stay_private_until_the_decision(db, assigned, reviewer):
    handed_in(assigned, reviewer, investment=Check.FAIL)

    assert queries.failed_criteria_by_idea([assigned.idea_id]) == {}


def test_declaring_ineligible_needs_a_public_justification(
    db, assigned, reviewer, staff
):
    handed_in(assigned, reviewer, investment=Check.FAIL)

    with pytest.raises(FieldErrors) as caught:
        services.declare_ineligible(assigned.idea, staff, comment="  ")

    assert caught.value.field == "comment"
    assert assigned.idea.state is IdeaState.IN_REVIEW


def test_transfer_to_a_named_service_then_follow_it_up(db, assigned, staff):
    services.transfer(assigned.idea, staff, service="voirie", comment="Trottoir abîmé.")

    idea = assigned.idea
    assert idea.state is IdeaState.TRANSFERRED
    assert idea.transfer_service == "Voirie"
    assert idea.transfer_status is TransferStatus.SENT

    budget_services.update_transfer(idea, TransferAction.ACKNOWLEDGE, staff)

    assert idea.transfer_status is TransferStatus.ACKNOWLEDGED


def test_transfer_to_another_service_needs_its_name(db, assigned, staff):
    with pytest.raises(FieldErrors) as caught:
        services.transfer(assigned.idea, staff, service="other", other_name=" ")

    assert caught.value.field == "other_service"
    assert assigned.idea.state is IdeaState.IN_REVIEW

    services.transfer(
        assigned.idea, staff, service="other", other_name="Région Occitanie"
    )

    assert assigned.idea.transfer_service == "Région Occitanie"


def test_merge_goes_through_the_budget_merge(
    db, assigned, staff, review_round, make_idea
):
    target = make_idea(review_round, title="Bancs et ombre")

    services.merge(assigned.idea, staff, into_id=target.id)

    assert assigned.idea.state is IdeaState.MERGED
    assert assigned.idea.merged_into_id == target.id
    assert assigned.idea.author_id in {c.user_id for c in target.co_authors}


def test_merge_without_a_target_is_refused_by_the_field(db, assigned, staff):
    with pytest.raises(FieldErrors) as caught:
        services.merge(assigned.idea, staff, into_id=None)

    assert caught.value.field == "into"


def test_reopen_puts_the_idea_back_under_review(db, assigned, reviewer, staff):
    handed_in(assigned, reviewer)
    services.retain(assigned.idea, staff, final_cost=Decimal("12000"))

    services.reopen(assigned.idea, staff)

    assert assigned.idea.state is IdeaState.IN_REVIEW


def test_assessment_answers_use_the_frozen_version(db, assigned, reviewer, grid):
    handed_in(assigned, reviewer)

    version = assigned.assessment.version
    assert version.is_frozen
    assert {c.kind for c in version.criteria} == set(CriterionKind)
