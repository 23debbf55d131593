"""``flask council send-convocations``: the daily job of the notice periods."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.models import OutboxMessage
from participation.core.time import utcnow
from participation.council.states import MeetingState


def test_the_job_convenes_the_meetings_due_with_links_to_the_site(
    app, db, council, members, make_meeting
):
    due = make_meeting(council, starts_at=utcnow() + timedelta(days=3))
    later = make_meeting(council, starts_at=utcnow() + timedelta(days=40))
    db.session.commit()

    result = app.test_cli_runner().invoke(
        args=["council", "send-convocations", "--base-url", "https://cc.example.org"]
    )

    assert result.exit_code == 0, result.output
    assert "1 meeting(s) convened." in result.output
    db.session.expire_all()
    assert due.state is MeetingState.CONVENED
    assert later.state is MeetingState.PLANNED
    bodies = db.session.scalars(sa.select(OutboxMessage.body_text)).all()
    assert len(bodies) == len(members)
    assert f"https://cc.example.org/councils/meetings/{due.id}" in bodies[0]
