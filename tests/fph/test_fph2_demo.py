"""The part-B demo: a past committee with decisions and minutes, one grant closed."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.core.roles import Role
from participation.council import demo as council_demo
from participation.council.models import Meeting
from participation.council.states import MeetingState, MinutesState
from participation.eligibility import demo as eligibility_demo
from participation.fph import demo, fph2_demo, payments
from participation.fph.models import Application, Fund
from participation.fph.states import ApplicationState, ReportFileKind

S = ApplicationState


def test_a_past_committee_decides_and_one_grant_is_closed(
    db, make_territory, make_user
) -> None:
    first = make_territory(code="QN01101M")
    make_user(
        roles=(Role.RELAY,),
        email=accounts_demo.RELAY_EMAIL,
        pseudonym="relais_demo",
        territory=first,
    )
    make_user(roles=(Role.STAFF,), email=accounts_demo.STAFF_EMAIL, territory=first)
    eligibility_demo.load()
    council_demo.load()
    demo.load()
    fph2_demo.load()
    db.session.commit()
    fph2_demo.load()  # a second run adds nothing

    fund = db.session.scalars(sa.select(Fund)).one()
    decided = db.session.scalars(
        sa.select(Application)
        .where(Application.decided_at.is_not(None))
        .order_by(Application.id)
    ).all()
    assert [a.state for a in decided] == [S.CLOSED, S.DEFERRED, S.REFUSED]
    closed = decided[0]
    assert payments.paid(closed) == closed.amount_granted
    assert closed.report.verdict is not None
    assert [f.kind for f in closed.report.files] == [ReportFileKind.RECEIPT]
    assert closed.deliberation.recused_count == 1
    assert fund.balance == Decimal("3000.00") - closed.amount_granted
    meeting = db.session.get(Meeting, closed.deliberation.meeting_id)
    assert meeting.state is MeetingState.CLOSED
    assert meeting.minutes.state is MinutesState.PROPOSED
    assert payments.followup_project(closed) is not None
