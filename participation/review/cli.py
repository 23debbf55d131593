"""Command-line commands of the review feature."""

from __future__ import annotations

import click

#: Commands and groups registered on `flask --app participation`.
COMMANDS: list[click.Command] = []
