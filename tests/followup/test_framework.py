"""The strategic framework: a tree staff manage, any depth, no cycles."""

from __future__ import annotations

import pytest

from participation.core.errors import FieldErrors, PermissionDenied
from participation.followup import framework
from participation.followup.framework import ObjectiveData


@pytest.fixture
def tree(db, staff):
    axis = framework.create_objective(ObjectiveData("V2", "La vie de quartier"), staff)
    objective = framework.create_objective(
        ObjectiveData("6", "Entretenir et embellir", parent_id=axis.id), staff
    )
    operational = framework.create_objective(
        ObjectiveData("6.2", "Aménager des espaces", parent_id=objective.id), staff
    )
    deeper = framework.create_objective(
        ObjectiveData("6.2.1", "Des bancs", parent_id=operational.id), staff
    )
    db.session.commit()
    return axis, objective, operational, deeper


def test_nodes_know_their_depth_and_level_name(db, tree):
    axis, objective, operational, deeper = tree

    assert [n.depth for n in tree] == [0, 1, 2, 3]
    assert framework.level_name(0) == "Axis"
    assert framework.level_name(2) == "Operational objective"
    assert framework.level_name(5) == "Sub-objective"
    assert [(n.code, d) for n, d in framework.walk()] == [
        ("V2", 0),
        ("6", 1),
        ("6.2", 2),
        ("6.2.1", 3),
    ]
    assert framework.ancestors(deeper) == [operational, objective, axis]


def test_a_node_cannot_go_under_itself_or_its_descendants(db, tree, staff):
    axis, _objective, operational, _deeper = tree

    with pytest.raises(FieldErrors) as error:
        framework.update_objective(
            axis, ObjectiveData("V2", axis.label, parent_id=operational.id), staff
        )
    assert set(error.value.messages_by_field()) == {"parent_id"}
    assert axis.parent_id is None


def test_codes_are_unique_and_required(db, tree, staff):
    with pytest.raises(FieldErrors) as error:
        framework.create_objective(ObjectiveData("6", "Autre"), staff)
    assert "code" in error.value.messages_by_field()
    with pytest.raises(FieldErrors) as error:
        framework.create_objective(ObjectiveData(" ", " "), staff)
    assert set(error.value.messages_by_field()) == {"code", "label"}


def test_residents_cannot_change_the_framework(db, resident):
    with pytest.raises(PermissionDenied):
        framework.create_objective(ObjectiveData("X", "Axe"), resident)


def test_staff_manage_the_tree_through_the_pages(db, client, login_as, staff, tree):
    login_as(staff)
    axis = tree[0]

    response = client.post(
        "/framework/new",
        data={
            "code": "T1",
            "label": "Changement climatique",
            "parent_id": str(axis.id),
            "position": "1",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    page = client.get("/framework").get_data(as_text=True)
    assert "Changement climatique" in page
    assert "Operational objective" in page

    page = client.post(
        "/framework/new", data={"code": "6", "label": "Doublon", "parent_id": ""}
    )
    assert 'id="code-error"' in page.get_data(as_text=True)


def test_projects_are_tagged_to_objectives(db, project, tree, staff):
    from decimal import Decimal

    from participation.followup import services

    services.update_project(
        project,
        services.ProjectData(
            title=project.title,
            progress_percent=0,
            amount_committed=Decimal("0"),
            amount_spent=Decimal("0"),
            objective_ids=[tree[2].id],
        ),
        staff,
    )

    assert project.objectives == [tree[2]]
    with pytest.raises(FieldErrors):
        services.update_project(
            project,
            services.ProjectData(title=project.title, objective_ids=[9999]),
            staff,
        )
