"""The councils' demo: a council per QPV with a draw, members, meetings, minutes."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.states import Role, Sex
from participation.council import demo, queries
from participation.council.models import (
    Convocation,
    Council,
    CouncilDraw,
    Meeting,
    MeetingStateChange,
    MinutesStateChange,
)
from participation.council.states import (
    College,
    ConvocationChannel,
    MeetingState,
    MinutesState,
)


def test_each_qpv_gets_a_council_with_its_record_built_through_the_workflows(
    db, make_territory, make_user
):
    first, second = make_territory(code="QN01101M"), make_territory()
    make_user(
        roles=(Role.RELAY,),
        email=demo.RELAY_EMAIL,
        pseudonym="relais_demo",
        territory=first,
    )

    demo.load()
    db.session.commit()
    demo.load()  # a second run adds nothing

    councils = db.session.scalars(sa.select(Council).order_by(Council.id)).all()
    assert [c.territory_id for c in councils] == [first.id, second.id]
    for council in councils:
        figures = queries.composition(council)
        assert figures.residents == 10
        assert figures.local_actors == 6
        assert figures.is_parity_met
        assert figures.vacancies == 0
        assert figures.substitutes == {
            (College.RESIDENTS, Sex.FEMALE): 3,
            (College.RESIDENTS, Sex.MALE): 3,
        }
        draw = db.session.scalars(
            sa.select(CouncilDraw).where(CouncilDraw.council_id == council.id)
        ).one()
        assert draw.is_drawn
        assert len(draw.witness_names) == 2
        meetings = db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.council_id == council.id)
            .order_by(Meeting.starts_at)
        ).all()
        assert [m.state for m in meetings] == [
            MeetingState.CLOSED,
            MeetingState.CLOSED,
            MeetingState.CONVENED,
        ]
        past, fph, coming = meetings
        assert past.minutes.state is MinutesState.LOCKED
        assert past.minutes.approved_at_meeting_id == fph.id
        assert fph.minutes.state is MinutesState.PROPOSED
        assert all(item.deliberation is not None for item in fph.items)
        channels = {
            c.channel
            for c in db.session.scalars(
                sa.select(Convocation).where(Convocation.meeting_id == coming.id)
            )
        }
        assert channels == {ConvocationChannel.EMAIL, ConvocationChannel.PAPER}
        entries = queries.archive(council)
        assert [e.meeting for e in entries] == [fph, past]
        assert entries[1].minutes is past.minutes
    # Every state came from the transition applier: one history row per step.
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(MeetingStateChange)
    ) == 2 * (3 + 3 + 1)
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(MinutesStateChange)
    ) == 2 * (4 + 1)
    secretary = db.session.scalars(
        sa.select(Council).where(Council.territory_id == first.id)
    ).one()
    assert any(
        m.is_secretary and m.user.email == demo.SECRETARY_EMAIL
        for m in secretary.members
    )
