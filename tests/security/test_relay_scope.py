"""Relays: the people they created or help, the QPV they serve; co-authors invited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.accounts import demo as accounts_demo
from participation.accounts import queries, services
from participation.accounts.models import RelayHelp, User
from participation.accounts.states import Role, VerificationMethod
from participation.budget.models import Idea, IdeaCoAuthor
from participation.core.errors import DomainError, PermissionDenied
from participation.core.models import OutboxMessage
from participation.extensions import db

from . import routes
from .test_bad_input import _idea_form, _submission_round


def _person(**where) -> User:
    return db.session.scalars(sa.select(User).filter_by(**where)).one()


def test_a_relay_verifies_only_in_the_qpv_they_serve(db, make_user, make_relay):
    person = make_user()
    relay = make_relay()  # attached nowhere

    with pytest.raises(DomainError) as error:
        services.verify_resident(
            relay,
            person,
            person.territory_id,
            VerificationMethod.PROOF_IN_PERSON,
            None,
            found=True,
        )
    assert error.value.field == "territory"


def test_a_relay_cannot_verify_a_stranger_without_finding_them(
    db, make_user, make_relay
):
    person = make_user()
    relay = make_relay(person.territory)

    with pytest.raises(PermissionDenied):
        services.verify_resident(
            relay, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
        )


def test_revoking_someone_elses_verification_is_for_staff(
    db, make_user, make_relay, make_territory
):
    person = make_user()
    staff = make_user(roles=(Role.STAFF,))
    elsewhere = make_territory()
    relay = make_relay(person.territory, elsewhere)
    verification = services.verify_resident(
        staff, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
    )

    with pytest.raises(PermissionDenied):
        services.revoke_verification(relay, verification)
    # Nor may the relay move the residence away from it.
    with pytest.raises(DomainError):
        services.verify_resident(
            relay,
            person,
            elsewhere.id,
            VerificationMethod.PROOF_IN_PERSON,
            None,
            found=True,
        )
    services.revoke_verification(staff, verification)
    assert verification.revoked_at is not None


def test_recording_help_needs_a_found_person_and_tells_them(db, make_user, make_relay):
    person = make_user(email="karim@example.org")
    relay = make_relay()

    with pytest.raises(PermissionDenied):
        services.record_help(relay, person, "au centre social", found=False)
    services.record_help(relay, person, "au centre social", found=True)

    assert db.session.scalar(sa.select(RelayHelp.person_id)) == person.id
    assert db.session.scalar(sa.select(OutboxMessage.to_address)) == person.email
    assert [p.id for p in queries.search_people("", viewer=relay).items] == [person.id]


def test_a_relay_files_an_idea_only_for_the_people_they_help(demo_app):
    round_ = _submission_round()
    karim = _person(phone=accounts_demo.RESIDENT_PHONE)
    admin = _person(email=accounts_demo.ADMIN_EMAIL)
    relay = routes.client_for(demo_app, "relay")
    url = f"/rounds/{round_.id}/ideas/new"
    data = _idea_form(round_, consent="y", consent_note="Lu au centre social.")

    assert relay.get(f"{url}?for={admin.id}").status_code == 403
    assert relay.post(f"{url}?for={karim.id}", data=data).status_code == 403
    listed = relay.get(f"/rounds/{round_.id}/ideas/for-someone?q=Karim")
    assert f"for={karim.id}" not in listed.get_data(as_text=True)

    found = relay.get("/people", query_string={"q": accounts_demo.RESIDENT_PHONE})
    link = found.get_data(as_text=True).split(f'href="/people/{karim.id}?found=')[1]
    found_pass = link.split('"')[0]
    recorded = relay.post(
        f"/people/{karim.id}/help?found={found_pass}",
        data={"consent_note": "En personne au centre social", "consent": "y"},
    )
    assert recorded.status_code == 302
    filed = relay.post(f"{url}?for={karim.id}", data=data)

    assert filed.status_code == 302
    idea = db.session.scalars(sa.select(Idea).order_by(Idea.id.desc())).first()
    assert idea.author_id == karim.id
    assert idea.consent_note == "Lu au centre social."


def test_co_authors_appear_only_once_they_accept(demo_app):
    round_ = _submission_round()
    karim = _person(phone=accounts_demo.RESIDENT_PHONE)
    amina = routes.client_for(demo_app, "resident")
    data = _idea_form(round_, title="Un jardin partagé", co_authors=karim.pseudonym)

    response = amina.post(f"/rounds/{round_.id}/ideas/new", data=data)
    assert response.status_code == 302
    idea_url = response.headers["Location"]
    assert karim.pseudonym not in amina.get(idea_url).get_data(as_text=True)
    invitation = db.session.scalars(
        sa.select(IdeaCoAuthor).where(IdeaCoAuthor.user_id == karim.id)
    ).one()
    assert invitation.accepted_at is None

    karim_client = demo_app.test_client()
    user_id = f"{karim.id}:{services.open_session(karim)}"
    db.session.commit()
    with karim_client.session_transaction() as session:
        session["_user_id"] = user_id
    assert "Un jardin partagé" in karim_client.get("/ideas/invitations").get_data(
        as_text=True
    )
    assert amina.post(f"/ideas/invitations/{invitation.id}/accept").status_code == 404
    accepted = karim_client.post(f"/ideas/invitations/{invitation.id}/accept")

    assert accepted.status_code == 302
    assert karim.pseudonym in amina.get(idea_url).get_data(as_text=True)


def test_contact_details_keep_their_left_to_right_order_in_arabic_pages(demo_app):
    karim = _person(phone=accounts_demo.RESIDENT_PHONE)
    staff = routes.client_for(demo_app, "staff")

    found = staff.get("/people", query_string={"q": karim.phone}).get_data(as_text=True)
    detail = staff.get(f"/people/{karim.id}").get_data(as_text=True)

    # Isolated (<bdi>) and left to right: "06 12 34 56 78" never shows reversed.
    assert f'<bdi dir="ltr">{karim.phone}</bdi>' in found
    assert f'<bdi dir="ltr">{karim.phone}</bdi>' in detail
