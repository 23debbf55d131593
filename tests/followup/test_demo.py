"""The follow-up demo: projects in every status across the five QPV, built through
the services; the framework; the CLI command that makes projects of a round."""

from __future__ import annotations

import sqlalchemy as sa

from participation.core.models import AuditEntry
from participation.demo import load_demo
from participation.followup.models import (
    Objective,
    Project,
    ProjectFollow,
    ProjectPhoto,
    ProjectStateChange,
)
from participation.followup.states import ProjectState, SourceKind


def test_the_demo_has_projects_in_every_status_in_the_five_qpv(db):
    assert load_demo()

    projects = db.session.scalars(sa.select(Project)).all()
    assert {p.state for p in projects} == set(ProjectState)
    assert len({p.territory_id for p in projects}) == 5
    # Winners of the votes come from their idea; the FPH demo adds its closed grants.
    kinds = {p.source_kind for p in projects}
    assert kinds == {SourceKind.BUDGET_IDEA, SourceKind.FPH_GRANT}
    assert all(
        p.idea_id is not None
        for p in projects
        if p.source_kind is SourceKind.BUDGET_IDEA
    )
    assert db.session.scalar(sa.select(sa.func.count(ProjectPhoto.id))) >= 5
    photos = db.session.scalars(sa.select(ProjectPhoto)).all()
    assert all(photo.is_public for photo in photos), "consent confirmed in the demo"
    assert any(p.updates for p in projects)
    assert any(p.overspend_reason for p in projects)
    # Every status change went through the applier: one history row and one audit
    # entry per change, none built in a final state.
    changed = [p for p in projects if p.state is not ProjectState.PLANNED]
    for project in changed:
        assert project.history, project.title
        assert project.history[-1].to_state is project.state
    history = db.session.scalar(sa.select(sa.func.count(ProjectStateChange.id)))
    audited = db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action.in_(
                ["project.start", "project.deliver", "project.abandon"]
            )
        )
    )
    assert history == audited
    assert db.session.scalar(sa.select(sa.func.count(Objective.id))) >= 20
    assert db.session.scalar(
        sa.select(sa.func.count(ProjectFollow.id)).where(
            ProjectFollow.email.is_not(None), ProjectFollow.confirmed_at.is_not(None)
        )
    )

    # The demo councils publish meetings and decisions in the open data.
    from participation.publishing import opendata

    assert list(opendata.council_meeting_rows())
    assert list(opendata.council_decision_rows())

    assert not load_demo()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == len(projects)


def test_the_cli_makes_the_projects_of_a_round_once(db, app, published):
    # Publishing already made them; the command (for rounds published before the
    # follow-up existed) makes none twice.
    db.session.execute(sa.delete(Project))
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["followup", "create-projects", str(published.round.id)])
    second = runner.invoke(
        args=["followup", "create-projects", str(published.round.id)]
    )
    missing = runner.invoke(args=["followup", "create-projects", "999"])

    assert first.exit_code == 0, first.output
    assert "3 project(s) created" in first.output
    assert "0 project(s) created" in second.output
    assert missing.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 3


def test_publishing_a_result_makes_projects_of_its_winners_linked_from_the_ideas(
    db, client
):
    from participation.budget.models import Idea
    from participation.budget.states import IdeaState

    assert load_demo()

    winners = db.session.scalars(
        sa.select(Idea).where(Idea.state == IdeaState.SELECTED)
    ).all()
    with_project = {p.idea_id for p in db.session.scalars(sa.select(Project))}
    # The imported archive of another city's vote (../shared) gets no projects.
    archive = [idea for idea in winners if "Toulouse" in idea.round.title]
    local = [idea for idea in winners if idea not in archive]
    assert local
    assert all(idea.id in with_project for idea in local)
    assert not any(idea.id in with_project for idea in archive)
    page = client.get(f"/ideas/{local[0].id}")
    assert page.status_code == 200
    assert b'id="idea-project"' in page.data
