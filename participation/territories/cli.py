"""Command-line commands of the territories feature."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.group("territories")
def territories_group() -> None:
    """Communes, QPV and themes."""


@territories_group.command("default-themes")
@with_appcontext
def default_themes() -> None:
    """Add the default themes of the contrat de ville that are missing."""
    from ..core.actors import SYSTEM
    from .services import ensure_default_themes

    added = ensure_default_themes(SYSTEM)
    db.session.commit()
    click.echo(f"{added} default themes added.")


#: Commands and groups registered on `flask --app participation`.
COMMANDS: list[click.Command] = [territories_group]
