"""The FPH demo: a fund per QPV with a council, applications in several states,
all through the services; a second run adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.core.roles import Role
from participation.council import demo as council_demo
from participation.fph import demo
from participation.fph.models import Application, Fund
from participation.fph.states import ApplicationState

S = ApplicationState


def test_each_qpv_gets_a_fund_with_applications_in_several_states(
    db, make_territory, make_user
) -> None:
    first, second = make_territory(code="QN01101M"), make_territory()
    make_user(
        roles=(Role.RELAY,),
        email=accounts_demo.RELAY_EMAIL,
        pseudonym="relais_demo",
        territory=first,
    )
    make_user(roles=(Role.STAFF,), email=accounts_demo.STAFF_EMAIL, territory=first)
    make_user(email=accounts_demo.RESIDENT_EMAIL, pseudonym="amina", territory=first)
    council_demo.load()
    demo.load()
    db.session.commit()
    demo.load()  # a second run adds nothing

    funds = db.session.scalars(sa.select(Fund).order_by(Fund.id)).all()
    assert [f.territory_id for f in funds] == [first.id, second.id]
    for fund in funds:
        assert fund.envelope == fund.balance == 3000
        assert fund.reglement_in_force is not None
        assert sum(f.share_percent for f in fund.funders) == 100
        states = sorted(a.state.value for a in fund.applications)
        assert states == sorted(
            ["complete", "submitted", "incomplete", "scheduled", "draft"]
        )
    scheduled = db.session.scalars(
        sa.select(Application).where(Application.state == S.SCHEDULED)
    ).all()
    assert all(a.agenda_item_id is not None for a in scheduled)
    amina = db.session.scalars(
        sa.select(Application).where(Application.owner.has(pseudonym="amina"))
    ).all()
    assert {a.state for a in amina} == {S.SUBMITTED, S.DRAFT}
