"""Revision a1d2e3f40002: ideas already transferred get their follow-up history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from participation.budget.models import Envelope, Idea, IdeaStateChange, Round
from participation.budget.states import IdeaAction, IdeaState, TransferStatus
from participation.core.time import utcnow
from participation.extensions import db
from participation.territories.models import Commune, Territory, TerritoryKind
from tests.conftest import round_dates
from tests.test_migrations import app_on_empty_database
from tests.test_migrations import database_uri as database_uri  # the fixture

BASELINE = "7b3741c4526c"
REVISION = "a1d2e3f40002"


def _transferred_ideas(statuses: list[TransferStatus | None]) -> list[int]:
    """Ideas as the baseline stored them: state and follow-up, no follow-up rows."""
    now = utcnow()
    commune = Commune(insee_code="99001", name="Commune", population=40000)
    territory = Territory(
        commune=commune, kind=TerritoryKind.QPV, code="QN99001T", name="Q"
    )
    round_ = Round(
        title="Budget participatif",
        max_cost=Decimal("20000.00"),
        published_at=now - timedelta(days=100),
        **round_dates("review", now),
    )
    round_.envelopes = [Envelope(territory=territory, amount=Decimal("10000.00"))]
    db.session.add_all([commune, territory, round_])
    db.session.flush()
    # The author as the baseline's user table holds it (the model has grown since).
    author_id = db.session.execute(
        sa.text(
            'INSERT INTO "user" (pseudonym, email, territory_id, locale, created_at,'
            " is_active, is_managed, security_stamp)"
            " VALUES ('amina', 'amina@example.test', :territory, 'fr', :now,"
            " true, false, 0) RETURNING id"
        ),
        {"territory": territory.id, "now": now.replace(tzinfo=None)},
    ).scalar_one()
    ideas = []
    for n, status in enumerate(statuses):
        transferred_at = now - timedelta(days=10 - n)
        idea = Idea(
            round=round_,
            author_id=author_id,
            territory_id=territory.id,
            title=f"Idée {n}",
            state=IdeaState.TRANSFERRED if status else IdeaState.SUBMITTED,
            submitted_at=now - timedelta(days=20),
            accepted_rules_at=now - timedelta(days=20),
            transfer_service="Voirie" if status else None,
            transfer_status=status,
            transfer_status_at=now - timedelta(days=2) if status else None,
        )
        if status:
            idea.history = [
                IdeaStateChange(
                    action=IdeaAction.TRANSFER,
                    from_state=IdeaState.SUBMITTED,
                    to_state=IdeaState.TRANSFERRED,
                    changed_at=transferred_at,
                )
            ]
        db.session.add(idea)
        ideas.append(idea)
    db.session.flush()
    ids = [idea.id for idea in ideas]
    db.session.commit()  # and no read transaction left open across the upgrade
    return ids


def test_transferred_ideas_get_their_follow_up_history(
    database_uri: str, tmp_path: Path
):
    with app_on_empty_database(database_uri, tmp_path / "instance"):
        flask_migrate.upgrade(revision=BASELINE)
        sent, done, plain = _transferred_ideas(
            [TransferStatus.SENT, TransferStatus.DONE, None]
        )

        flask_migrate.upgrade(revision=REVISION)

        rows = db.session.execute(
            sa.text(
                "SELECT idea_id, action, from_state, to_state FROM idea_transfer_change"
                " ORDER BY idea_id, id"
            )
        ).all()
        assert [tuple(row) for row in rows] == [
            (sent, "send", None, "sent"),
            (done, "send", None, "sent"),
            (done, "complete", "sent", "done"),
        ]
        assert plain not in {row.idea_id for row in rows}
        sending = db.session.get(Idea, done).transfer_history[0]
        assert sending.changed_at == db.session.get(Idea, done).history[0].changed_at

        db.session.remove()
        flask_migrate.downgrade(revision=BASELINE)
        with db.engine.connect() as connection:
            assert (
                "idea_transfer_change" not in sa.inspect(connection).get_table_names()
            )
