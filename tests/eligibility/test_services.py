"""Grid services: creation, versioning, freezing, the default grid, assessments."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation.accounts.states import Role
from participation.core.actors import SYSTEM
from participation.core.errors import PermissionDenied
from participation.core.models import AuditEntry
from participation.eligibility import services
from participation.eligibility.defaults import DEFAULT_CRITERIA
from participation.eligibility.models import (
    Assessment,
    AssessmentAnswer,
    Criterion,
    GridVersion,
)
from participation.eligibility.services import CriterionData, GridError
from participation.eligibility.states import Check, CriterionKind, Outcome


@pytest.fixture
def grid(staff):
    grid = services.create_grid(name="Grille test", threshold="3", actor=staff)
    services.add_criterion(
        grid,
        CriterionData("in_qpv", CriterionKind.MANDATORY, "Dans le quartier"),
        actor=staff,
    )
    services.add_criterion(
        grid,
        CriterionData("social", CriterionKind.SCORED, "Lien social", weight=Decimal(2)),
        actor=staff,
    )
    return grid


def audit_actions(db):
    return db.session.scalars(
        sa.select(AuditEntry.action).order_by(AuditEntry.id)
    ).all()


def test_editing_an_unused_grid_changes_its_only_version(db, staff, grid):
    services.add_criterion(
        grid, CriterionData("links", CriterionKind.INFORMATIONAL, "Liens"), actor=staff
    )

    assert [v.number for v in grid.versions] == [1]
    assert [c.code for c in grid.latest_version.criteria] == [
        "in_qpv",
        "social",
        "links",
    ]


def test_editing_a_used_version_creates_a_new_one_and_the_assessment_keeps_its_own(
    db, staff, grid
):
    v1 = grid.latest_version
    assessment, _ = services.save_assessment(
        v1,
        {"in_qpv": Check.PASS, "social": 2},
        subject_type="idea",
        subject_id=1,
        assessor=staff,
    )

    services.update_criterion(
        grid,
        "social",
        CriterionData("social", CriterionKind.SCORED, "Lien social", weight=Decimal(3)),
        actor=staff,
    )

    assert [v.number for v in grid.versions] == [1, 2]
    assert grid.latest_version.criterion("social").weight == Decimal(3)
    assert v1.criterion("social").weight == Decimal(2)
    assert assessment.grid_version_id == v1.id
    assert "grid.version_create" in audit_actions(db)


def test_a_second_edit_goes_to_the_new_version_without_making_a_third(db, staff, grid):
    services.freeze_version(grid.latest_version, actor=staff, reason="test")

    services.remove_criterion(grid, "in_qpv", actor=staff)
    services.update_grid(
        grid, name="Grille test", description="", threshold="4", actor=staff
    )

    assert [v.number for v in grid.versions] == [1, 2]
    assert [c.code for c in grid.versions[0].criteria] == ["in_qpv", "social"]
    assert [c.code for c in grid.versions[1].criteria] == ["social"]
    assert grid.versions[0].threshold == Decimal(3)
    assert grid.versions[1].threshold == Decimal(4)


def test_frozen_version_is_never_changed_in_place(db, staff, grid):
    v1 = grid.latest_version
    services.freeze_version(v1, actor=staff, reason="review started")

    services.move_criterion(grid, "social", -1, actor=staff)

    assert [c.code for c in v1.criteria] == ["in_qpv", "social"]
    assert [c.code for c in grid.latest_version.criteria] == ["social", "in_qpv"]
    assert v1.is_frozen
    assert v1.frozen_at is not None
    assert not grid.latest_version.is_frozen


def test_move_at_the_edge_changes_nothing(db, staff, grid):
    services.move_criterion(grid, "in_qpv", -1, actor=staff)

    assert [c.code for c in grid.latest_version.criteria] == ["in_qpv", "social"]


def test_renaming_without_changing_the_threshold_does_not_make_a_version(
    db, staff, grid
):
    services.freeze_version(grid.latest_version, actor=staff, reason="test")

    services.update_grid(
        grid, name="Nouveau nom", description="d", threshold="3,00", actor=staff
    )

    assert grid.name == "Nouveau nom"
    assert len(grid.versions) == 1


def test_copy_makes_an_independent_grid(db, staff, grid):
    copy = services.copy_grid(grid.latest_version, name="Copie", actor=staff)
    services.remove_criterion(copy, "social", actor=staff)

    assert copy.copied_from_id == grid.id
    assert [c.code for c in grid.latest_version.criteria] == ["in_qpv", "social"]
    assert [c.code for c in copy.latest_version.criteria] == ["in_qpv"]
    assert copy.latest_version.threshold == Decimal(3)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (CriterionData("Bad Code", CriterionKind.MANDATORY, "x"), "code"),
        (CriterionData("in_qpv", CriterionKind.MANDATORY, "duplicate"), "code"),
        (CriterionData("ok", CriterionKind.MANDATORY, "   "), "label"),
        (CriterionData("ok", CriterionKind.SCORED, "x"), "weight"),
        (CriterionData("ok", CriterionKind.SCORED, "x", weight=Decimal(-1)), "weight"),
        (
            CriterionData("ok", CriterionKind.SCORED, "x", weight=Decimal("1.234")),
            "weight",
        ),
    ],
)
def test_bad_criterion_is_refused_by_its_field(db, staff, grid, data, field):
    with pytest.raises(GridError) as caught:
        services.add_criterion(grid, data, actor=staff)

    assert caught.value.field == field
    assert len(grid.latest_version.criteria) == 2


def test_weight_of_a_non_scored_criterion_is_dropped(db, staff, grid):
    criterion = services.add_criterion(
        grid,
        CriterionData("x", CriterionKind.MANDATORY, "X", weight=Decimal(5)),
        actor=staff,
    )

    assert criterion.weight is None


@pytest.mark.parametrize("threshold", ["-1", "abc", "1.234", "100000"])
def test_bad_threshold_is_refused_by_its_field(db, staff, threshold):
    with pytest.raises(GridError) as caught:
        services.create_grid(name="G", threshold=threshold, actor=staff)

    assert caught.value.field == "threshold"


def test_grid_names_are_unique_ignoring_case(db, staff, grid):
    with pytest.raises(GridError) as caught:
        services.create_grid(name="grille TEST", actor=staff)

    assert caught.value.field == "name"


def test_services_refuse_people_without_the_staff_role(db, make_user, grid):
    reviewer = make_user(roles=(Role.REVIEWER,))

    with pytest.raises(PermissionDenied):
        services.create_grid(name="Autre", actor=reviewer)
    with pytest.raises(PermissionDenied):
        services.remove_criterion(grid, "in_qpv", actor=reviewer)

    assert len(grid.latest_version.criteria) == 2


def test_no_actor_is_not_the_system(db, grid):
    for call in (
        lambda: services.create_default_grid(actor=None),
        lambda: services.freeze_version(grid.latest_version, actor=None, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()

    assert not grid.latest_version.is_frozen
    assert services.create_default_grid(actor=SYSTEM).created_by_id is None


def test_every_edit_is_audited(db, staff, grid):
    services.move_criterion(grid, "social", -1, actor=staff)
    services.remove_criterion(grid, "social", actor=staff)

    actions = audit_actions(db)
    assert actions[:3] == ["grid.create", "grid.criterion_add", "grid.criterion_add"]
    assert actions[-2:] == ["grid.criterion_move", "grid.criterion_remove"]


def test_default_grid_has_the_criteria_of_the_product(db):
    grid = services.create_default_grid(actor=SYSTEM)

    version = grid.latest_version
    kinds = [c.kind for c in version.criteria]
    assert kinds.count(CriterionKind.MANDATORY) == 8
    assert kinds.count(CriterionKind.SCORED) == 4
    assert kinds.count(CriterionKind.INFORMATIONAL) == 1
    assert [c.code for c in version.criteria] == [d.code for d in DEFAULT_CRITERIA]
    assert version.max_score == Decimal(18)
    assert version.threshold == Decimal(9)
    assert all(c.weight > 0 for c in version.criteria if c.kind is CriterionKind.SCORED)


def test_save_assessment_stores_what_evaluate_computed(db, staff):
    version = services.create_default_grid(actor=SYSTEM).latest_version
    answers = {
        d.code: Check.PASS
        for d in DEFAULT_CRITERIA
        if d.kind is CriterionKind.MANDATORY
    }
    answers.update(
        {
            "investment": Check.FAIL,
            "neutrality": Check.FAIL,
            "social_link": 3,
            "links": "  ",
        }
    )

    assessment, result = services.save_assessment(
        version, answers, subject_type="idea", subject_id=7, assessor=staff
    )

    assert result.outcome is Outcome.INELIGIBLE
    assert assessment.outcome is Outcome.INELIGIBLE
    assert assessment.failed_codes == ["investment", "neutrality"]
    assert assessment.missing_codes == [
        "inclusion",
        "resident_involvement",
        "sustainability",
    ]
    assert assessment.score == Decimal(6)
    assert [c.code for c in assessment.failed_criteria()] == [
        "investment",
        "neutrality",
    ]
    # 8 mandatory + 1 scored; the blank informational text is no answer.
    assert len(assessment.answers) == 9


def test_saving_again_updates_the_same_rows(db, staff):
    version = services.create_default_grid(actor=SYSTEM).latest_version
    answers = {
        d.code: Check.PASS
        for d in DEFAULT_CRITERIA
        if d.kind is CriterionKind.MANDATORY
    }
    answers.update({"social_link": 3, "inclusion": 3, "resident_involvement": 0})
    assessment, _ = services.save_assessment(
        version, answers, subject_type="idea", subject_id=7, assessor=staff
    )

    answers.update(
        {"sustainability": 1, "inclusion": None, "links": "École Jean-Moulin"}
    )
    assessment, _result = services.save_assessment(
        version,
        answers,
        subject_type="idea",
        subject_id=7,
        assessor=staff,
        assessment=assessment,
    )
    db.session.expire_all()

    stored = db.session.get(Assessment, assessment.id)
    assert stored.answer_values()["sustainability"] == 1
    assert "inclusion" not in stored.answer_values()
    assert stored.answer_values()["links"] == "École Jean-Moulin"
    assert stored.outcome is Outcome.TO_DISCUSS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 1


def test_using_a_version_makes_it_read_only(db, staff, grid):
    version = grid.latest_version
    assert not services.is_read_only(version)

    services.save_assessment(
        version, {}, subject_type="idea", subject_id=1, assessor=staff
    )

    assert services.is_read_only(version)


def _answer_row(db, staff, grid, code, **values):
    version = grid.latest_version
    assessment, _ = services.save_assessment(
        version, {}, subject_type="idea", subject_id=1, assessor=staff
    )
    criterion = version.criterion(code)
    row = {
        "assessment_id": assessment.id,
        "grid_version_id": version.id,
        "criterion_id": criterion.id,
        "kind": criterion.kind.value,
        "choice": None,
        "points": None,
        "text": None,
    }
    row.update(values)
    return row


@pytest.mark.parametrize(
    ("code", "values"),
    [
        ("social", {"points": 4}),
        ("social", {"points": -1}),
        ("social", {"choice": "pass"}),
        ("in_qpv", {"choice": None}),
        ("in_qpv", {"choice": "maybe"}),
        ("in_qpv", {"choice": "pass", "points": 2}),
        # An answer pretending to be of another kind than its criterion.
        ("in_qpv", {"kind": "scored", "points": 2}),
    ],
)
def test_database_refuses_an_answer_that_does_not_fit_the_criterion(
    db, staff, grid, code, values
):
    row = _answer_row(db, staff, grid, code, **values)
    table = AssessmentAnswer.__table__

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(table.insert().values(**row))


def test_database_accepts_a_well_formed_answer(db, staff, grid):
    row = _answer_row(db, staff, grid, "social", points=3)

    db.session.execute(AssessmentAnswer.__table__.insert().values(**row))

    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentAnswer)) == 1
    )


def test_database_refuses_a_weight_on_a_mandatory_criterion(db, grid):
    criterion = grid.latest_version.criterion("in_qpv")

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(Criterion).where(Criterion.id == criterion.id).values(weight=1)
        )


def test_database_refuses_two_versions_with_the_same_number(db, staff, grid):
    duplicate = GridVersion(grid_id=grid.id, number=1)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)  # flushed when the savepoint ends
