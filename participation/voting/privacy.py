"""The vote's part of a person's data: the sign-in lists (that they voted, never
what), kept until the results can no longer be challenged, then purged."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..budget.models import Envelope
from ..core.actors import Person
from ..core.privacy import PersonalData, RetentionRule, Tables
from ..extensions import db
from .models import SignIn, VoteResult

#: Results can be challenged for two months after they are published.
SIGN_IN_RETENTION = timedelta(days=61)


def export_sign_ins(person: Person) -> Tables:
    rows = db.session.scalars(
        sa.select(SignIn).where(SignIn.person_id == person.id).order_by(SignIn.round_id)
    )
    return {
        "sign_ins": [
            {
                "round_id": row.round_id,
                "neighbourhood": row.territory.name,
                "channel": row.channel.value,
                "signed_on": row.signed_on.isoformat(),
            }
            for row in rows
        ]
    }


def purge_sign_in_lists(now: datetime, dry_run: bool) -> int:
    """Sign-in lines of the envelopes whose results were published two months ago."""
    expired = (
        sa.select(Envelope.round_id, Envelope.territory_id)
        .join(VoteResult, VoteResult.envelope_id == Envelope.id)
        .where(VoteResult.published_at <= now - SIGN_IN_RETENTION)
    )
    condition = sa.tuple_(SignIn.round_id, SignIn.territory_id).in_(expired)
    if dry_run:
        return int(
            db.session.scalar(
                sa.select(sa.func.count()).select_from(SignIn).where(condition)
            )
            or 0
        )
    result = db.session.execute(sa.delete(SignIn).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


SIGN_INS = PersonalData("voting", export_sign_ins)
SIGN_IN_LISTS = RetentionRule(
    "vote_sign_in_lists",
    "Sign-in lists of a vote, two months after its results are published.",
    purge_sign_in_lists,
)
