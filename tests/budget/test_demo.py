"""The budget demo: three rounds in the right phases, whenever it is loaded."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.budget import demo
from participation.budget.models import Idea, Round
from participation.budget.states import IdeaState, RoundPhase
from participation.core.uploads import uploads_root
from participation.territories import demo as territories_demo


def test_demo_has_a_round_in_each_early_phase_and_varied_ideas(app, db, client):
    territories_demo.load()
    accounts_demo.load()
    demo.load()
    db.session.commit()

    rounds = db.session.scalars(sa.select(Round).order_by(Round.id)).all()
    assert [r.phase for r in rounds] == [
        RoundPhase.ANNOUNCEMENT,
        RoundPhase.REVIEW,
        RoundPhase.SUBMISSION,
    ]
    assert all(len(r.envelopes) == 5 for r in rounds)
    states = set(db.session.scalars(sa.select(Idea.state)))
    assert {
        IdeaState.ELIGIBLE,
        IdeaState.INELIGIBLE,
        IdeaState.TRANSFERRED,
        IdeaState.MERGED,
        IdeaState.HIDDEN,
        IdeaState.IN_REVIEW,
        IdeaState.SUBMITTED,
        IdeaState.DRAFT,
    } <= states
    relayed = db.session.scalars(
        sa.select(Idea).where(Idea.submitted_on_behalf_by_id.is_not(None))
    ).all()
    assert relayed
    assert all(i.consent_recorded_at for i in relayed)
    photos = db.session.scalars(
        sa.select(Idea.photo_name).where(Idea.photo_name.is_not(None))
    )
    assert all((uploads_root() / "ideas" / name).is_file() for name in photos)
    # Every public page of the demo renders.
    for round_ in rounds:
        assert client.get(f"/rounds/{round_.id}").status_code == 200
        for envelope in round_.envelopes:
            url = f"/rounds/{round_.id}/announcement/{envelope.territory_id}"
            expected = 200 if round_.phase is RoundPhase.ANNOUNCEMENT else 404
            assert client.get(url).status_code == expected
    for idea in db.session.scalars(
        sa.select(Idea).where(Idea.submitted_at.is_not(None))
    ):
        assert client.get(f"/ideas/{idea.id}").status_code == 200

    demo.load()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 3
