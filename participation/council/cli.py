"""Commands of the council feature: ``flask --app participation council ...``."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from ..core.actors import SYSTEM
from ..extensions import db
from .models import Meeting
from .services import meetings

council = AppGroup("council", help="Citizens' councils: convocations.")


@council.command("send-convocations")
@click.option(
    "--base-url",
    default=None,
    help="Public address of the site for the links (default: PUBLIC_BASE_URL).",
)
def send_convocations(base_url: str | None) -> None:
    """Convene every planned meeting whose notice period has started (daily job)."""
    base = base_url or current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    with current_app.test_request_context(base_url=base):

        def link(meeting: Meeting) -> str:
            return url_for(
                "council.meeting_detail", meeting_id=meeting.id, _external=True
            )

        sent = meetings.send_due_convocations(SYSTEM, meeting_url=link)
        db.session.commit()
    click.echo(f"{len(sent)} meeting(s) convened.")


COMMANDS: list[click.Command] = [council]
