"""Commands of the follow-up: ``flask --app participation followup ...``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..budget.models import Round
from ..core.actors import SYSTEM
from ..core.errors import DomainError
from ..extensions import db
from . import services

followup = AppGroup("followup", help="Projects after the vote.")


@followup.command("create-projects")
@click.argument("round_id", type=int)
def create_projects(round_id: int) -> None:
    """Make a project of every published winner of ROUND_ID (idempotent)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"no round {round_id}")
    try:
        created = services.create_projects_for_round(round_, SYSTEM)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{len(created)} project(s) created for round {round_id}.")
    for project in created:
        click.echo(f"  project {project.id}: {project.title}")


COMMANDS: list[click.Command] = [followup]
