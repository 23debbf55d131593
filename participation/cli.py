"""Register each feature's command group on the app's ``flask`` command line."""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import with_appcontext

#: Features whose ``cli.py`` exposes ``COMMANDS`` (click groups named after them).
COMMAND_FEATURES = ("core", "accounts", "territories", "budget", "review", "voting")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo data (idempotent: running it twice changes nothing)."""
    from .demo import load_demo

    created = load_demo()
    click.echo("Demo data loaded." if created else "Demo data already present.")


def register_commands(app: Flask) -> None:
    """Attach the feature command groups and the top-level commands."""
    app.cli.add_command(seed_demo)
    for feature in COMMAND_FEATURES:
        module = importlib.import_module(f"participation.{feature}.cli")
        for command in module.COMMANDS:
            app.cli.add_command(command)
