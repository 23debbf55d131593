"""Demo people: every role, residents in the demo QPV, passwords that work."""

from __future__ import annotations

import sqlalchemy as sa

from participation.accounts import demo, services
from participation.accounts.models import User
from participation.accounts.states import Role, VerificationLevel
from participation.core.cache import bump_data_version
from participation.voting.demo import CONTE_VOTER_EMAIL


def test_demo_people_sign_in_with_the_passwords_shown(db):
    demo.load()
    demo.load()  # a second run changes nothing
    # The voting demo creates its own voter; the accounts demo makes the others.
    people = [p for p in demo.DEMO_PEOPLE if p.login != CONTE_VOTER_EMAIL]

    for person in people:
        assert services.authenticate(person.login, person.password) is not None, (
            person.login
        )
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == len(people)
    roles = set().union(*(user.role_set for user in users))
    assert roles == set(Role)


def test_demo_residents_live_in_the_main_qpv(db, make_territory):
    make_territory(name="Grazailles", population=949)
    main = make_territory(name="Bastide \u2013 Pont-Vieux", population=3873)

    demo.load()

    residents = db.session.scalars(
        sa.select(User).where(
            User.email.is_(None) | (User.email == demo.RESIDENT_EMAIL)
        )
    ).all()
    assert len(residents) == 3
    assert {user.territory_id for user in residents} == {main.id}
    amina = services.find_by_login(demo.RESIDENT_EMAIL)
    assert amina is not None
    assert amina.verification_level() is VerificationLevel.VERIFIED


def test_demo_home_page_lists_the_people_only_in_demo_mode(app, client, db):
    demo.load()
    db.session.commit()

    plain = client.get("/").get_data(as_text=True)
    app.config["DEMO"] = True
    bump_data_version()  # a setting changed, not the data: the page cache forgets
    shown = client.get("/").get_data(as_text=True)

    assert demo.RELAY_EMAIL not in plain
    for person in demo.DEMO_PEOPLE:
        assert person.login in shown
        assert person.password in shown
        assert f"<td>{person.role_label}</td>" in shown
    assert "<td>Administrator</td>" in shown  # a role shows its label
