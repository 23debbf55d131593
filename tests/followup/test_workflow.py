"""The project workflow: every (state, action) pair, reasons, stamps, history, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.core.actors import SYSTEM
from participation.core.errors import Conflict, FieldErrors, PermissionDenied
from participation.core.models import AuditEntry, OutboxMessage
from participation.followup import services
from participation.followup.models import ProjectStateChange
from participation.followup.states import TRANSITIONS, ProjectAction, ProjectState

#: Actions that bring a planned project into each state.
PATHS = {
    ProjectState.PLANNED: [],
    ProjectState.IN_PROGRESS: [ProjectAction.START],
    ProjectState.DELIVERED: [ProjectAction.START, ProjectAction.DELIVER],
    ProjectState.ABANDONED: [ProjectAction.ABANDON],
}
PAIRS = [(state, action) for state in ProjectState for action in ProjectAction]


def _walk(project, actions, actor):
    for action in actions:
        services.transition_project(project, action, actor, comment="Raison publique.")


def test_the_paths_used_below_reach_every_state():
    for state, path in PATHS.items():
        current = ProjectState.PLANNED
        for action in path:
            current = TRANSITIONS[(current, action)]
        assert current is state
    assert set(PATHS) == set(ProjectState)


@pytest.mark.parametrize(("state", "action"), PAIRS, ids=lambda v: str(v))
def test_each_pair_lands_where_the_table_says_or_is_refused(
    db, projects, staff, state, action
):
    project = projects[0]
    _walk(project, PATHS[state], staff)
    assert project.state is state

    if (state, action) in TRANSITIONS:
        services.transition_project(project, action, staff, comment="Raison.")
        assert project.state is TRANSITIONS[(state, action)]
    else:
        with pytest.raises(Conflict):
            services.transition_project(project, action, staff, comment="Raison.")
        assert project.state is state


def test_abandoning_needs_a_public_reason_and_keeps_it(db, project, staff):
    with pytest.raises(FieldErrors) as error:
        services.transition_project(project, ProjectAction.ABANDON, staff, comment=" ")
    assert "comment" in error.value.messages_by_field()
    assert project.state is ProjectState.PLANNED

    services.transition_project(
        project, ProjectAction.ABANDON, staff, comment="Le bailleur refuse."
    )

    assert project.state is ProjectState.ABANDONED
    assert project.abandon_reason == "Le bailleur refuse."
    assert project.abandoned_at is not None


def test_delivery_sets_the_progress_to_100_and_stamps_the_dates(db, project, staff):
    services.transition_project(project, ProjectAction.START, staff)
    assert project.started_at is not None
    services.transition_project(project, ProjectAction.DELIVER, staff)

    assert project.progress_percent == 100
    assert project.delivered_at is not None
    history = db.session.scalars(
        sa.select(ProjectStateChange)
        .where(ProjectStateChange.project_id == project.id)
        .order_by(ProjectStateChange.id)
    ).all()
    assert [(h.from_state, h.to_state) for h in history] == [
        (ProjectState.PLANNED, ProjectState.IN_PROGRESS),
        (ProjectState.IN_PROGRESS, ProjectState.DELIVERED),
    ]
    assert history[0].actor_id == staff.id
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("project.%"))
    ).all()
    assert "project.start" in actions
    assert "project.deliver" in actions


def test_a_resident_cannot_change_the_status(db, project, resident):
    with pytest.raises(PermissionDenied):
        services.transition_project(project, ProjectAction.START, resident)
    assert project.state is ProjectState.PLANNED


def test_the_system_actor_may_change_the_status(db, project):
    services.transition_project(project, ProjectAction.START, SYSTEM)

    assert project.state is ProjectState.IN_PROGRESS
    assert project.history[-1].actor_id is None


def test_followers_with_an_address_hear_of_each_change(db, project, published):
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    services.transition_project(project, ProjectAction.START, SYSTEM)

    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id > before)
    ).all()
    assert [m.to_address for m in messages] == [published.author.email]
    assert "/follows/unsubscribe/" in messages[0].body_text
