"""Top-level commands of ``flask --app participation``; features add their groups."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo data (idempotent: running it twice changes nothing)."""
    from .demo import load_demo

    created = load_demo()
    click.echo("Demo data loaded." if created else "Demo data already present.")
