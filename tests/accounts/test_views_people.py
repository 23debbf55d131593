"""Relay and staff pages (people, managed accounts, sheets, verification) and the
administrators' people and roles pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from participation.accounts import services
from participation.accounts.models import ResidentVerification, User
from participation.accounts.states import Role, VerificationLevel, VerificationMethod
from participation.core.models import AuditEntry
from participation.core.pdf import Document

PEOPLE_PAGES = [
    ("get", "/people"),
    ("get", "/people/new"),
    ("post", "/people/new"),
]
ADMIN_PAGES = [("get", "/admin/people")]


def _managed_form(territory_id: int, **changes) -> dict[str, str]:
    data = {
        "pseudonym": "Rose du Pont",
        "real_name": "Rose Garcia",
        "territory": str(territory_id),
        "birth_year": "1949",
        "sex": "female",
        "locale": "fr",
        "consent": "y",
    }
    data.update(changes)
    return data


def _create_managed(client, territory_id: int, **changes) -> tuple[int, str]:
    response = client.post("/people/new", data=_managed_form(territory_id, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/people/(\d+)/sheet$", response.headers["Location"])
    assert match
    person_id = int(match.group(1))
    html = client.get(f"/people/{person_id}/sheet").get_data(as_text=True)
    code = re.search(r'id="setup-code">([A-Z0-9-]+)<', html)
    assert code
    return person_id, code.group(1)


# --- Permissions ---


@pytest.mark.parametrize(("method", "path"), PEOPLE_PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), PEOPLE_PAGES + ADMIN_PAGES)
def test_residents_get_403_on_relay_and_admin_pages(
    client, make_user, login_as, method, path
):
    login_as(make_user())

    response = getattr(client, method)(path)

    assert response.status_code == 403
    assert "Access refused" in response.get_data(as_text=True)


@pytest.mark.parametrize("roles", [(Role.RELAY,), (Role.STAFF,), (Role.REVIEWER,)])
def test_non_admins_get_403_on_admin_pages(client, db, make_user, login_as, roles):
    person = make_user()
    login_as(make_user(roles=roles))

    assert client.get("/admin/people").status_code == 403
    assert client.get(f"/admin/people/{person.id}").status_code == 403
    response = client.post(f"/admin/people/{person.id}/roles/admin/grant")
    assert response.status_code == 403
    db.session.expire_all()
    assert not db.session.get(User, person.id).has_role(Role.ADMIN)


def test_resident_cannot_create_managed_accounts_nor_verify(
    client, db, make_user, login_as, qpv
):
    person = make_user()
    login_as(make_user())

    created = client.post("/people/new", data=_managed_form(qpv.id))
    verified = client.post(
        f"/people/{person.id}/verifications",
        data={"territory": str(person.territory_id), "method": "proof_in_person"},
    )

    assert created.status_code == verified.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ResidentVerification.id))) == 0
    assert (
        db.session.scalar(sa.select(User).where(User.pseudonym == "Rose du Pont"))
        is None
    )


def test_nav_shows_the_tools_of_each_role(client, make_user, login_as):
    login_as(make_user(roles=(Role.RELAY,)))
    relay_html = client.get("/").get_data(as_text=True)
    login_as(make_user(roles=(Role.ADMIN,)))
    admin_html = client.get("/").get_data(as_text=True)
    login_as(make_user())
    resident_html = client.get("/").get_data(as_text=True)

    assert 'id="nav-people"' in relay_html
    assert 'id="nav-admin-people"' not in relay_html
    assert 'id="nav-admin-people"' in admin_html
    assert 'id="nav-people"' not in resident_html


# --- Managed accounts and the sheet ---


def test_relay_creates_a_managed_account_and_prints_its_sheet(
    client, db, make_user, login_as, qpv
):
    relay = make_user(roles=(Role.RELAY,))
    login_as(relay)

    person_id, code = _create_managed(client, qpv.id)
    pdf = client.get(f"/people/{person_id}/sheet.pdf")

    person = db.session.get(User, person_id)
    assert person.is_managed
    assert person.managed_by_id == relay.id
    assert person.email is None
    assert person.phone is None
    assert services.setup_code_matches(person, code)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Cache-Control"] == "no-store"
    # Once the relay is done, the code is gone from their session and the sheet too.
    client.post(f"/people/{person_id}/sheet/close")
    assert client.get(f"/people/{person_id}/sheet.pdf").status_code == 404
    assert code not in client.get(f"/people/{person_id}/sheet").get_data(as_text=True)


def test_sheet_is_refused_to_another_relay(app, client, db, make_user, login_as, qpv):
    login_as(make_user(roles=(Role.RELAY,)))
    person_id, _code = _create_managed(client, qpv.id)
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = make_user(roles=(Role.RELAY,)).get_id()

    assert other.get(f"/people/{person_id}/sheet.pdf").status_code == 403
    assert other.get(f"/people/{person_id}/sheet").status_code == 403
    assert other.post(f"/people/{person_id}/setup-code").status_code == 403


def test_staff_without_the_code_in_their_session_gets_no_pdf(
    app, client, db, make_user, login_as, qpv
):
    login_as(make_user(roles=(Role.RELAY,)))
    person_id, _code = _create_managed(client, qpv.id)
    staff = app.test_client()
    with staff.session_transaction() as session:
        session["_user_id"] = make_user(roles=(Role.STAFF,)).get_id()
    db.session.commit()  # the 404 page rolls back what the test left pending

    assert staff.get(f"/people/{person_id}/sheet.pdf").status_code == 404
    assert 'id="regenerate-code"' in staff.get(f"/people/{person_id}").get_data(
        as_text=True
    )


def test_staff_issue_a_new_code_which_replaces_the_old_one(
    app, client, db, make_user, login_as, qpv
):
    login_as(make_user(roles=(Role.RELAY,)))
    person_id, old_code = _create_managed(client, qpv.id)
    staff = app.test_client()
    with staff.session_transaction() as session:
        session["_user_id"] = make_user(roles=(Role.STAFF,)).get_id()
    db.session.commit()

    response = staff.post(f"/people/{person_id}/setup-code")
    html = staff.get(response.headers["Location"]).get_data(as_text=True)
    new_code = re.search(r'id="setup-code">([A-Z0-9-]+)<', html)

    assert new_code
    assert new_code.group(1) != old_code
    assert staff.get(f"/people/{person_id}/sheet.pdf").status_code == 200
    # The relay's sheet was printed with the old code: it is no longer served.
    assert client.get(f"/people/{person_id}/sheet.pdf").status_code == 404
    db.session.expire_all()
    person = db.session.get(User, person_id)
    assert not services.setup_code_matches(person, old_code)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions == ["account.managed_created", "account.setup_code_issued"]


def test_managed_account_bad_input_and_duplicate_pseudonym(
    client, db, make_user, login_as, qpv
):
    make_user(pseudonym="Rose du Pont")
    login_as(make_user(roles=(Role.RELAY,)))

    duplicate = client.post("/people/new", data=_managed_form(qpv.id)).get_data(
        as_text=True
    )
    no_consent = client.post(
        "/people/new", data=_managed_form(qpv.id, pseudonym="Autre", consent="")
    ).get_data(as_text=True)

    assert 'id="pseudonym-error"' in duplicate
    assert "already taken" in duplicate
    assert 'value="Rose Garcia"' in duplicate
    assert 'id="consent-error"' in no_consent
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_person_sets_a_password_with_the_code_and_signs_in_by_pseudonym(
    app, client, db, make_user, login_as, qpv
):
    login_as(make_user(roles=(Role.RELAY,)))
    _person_id, code = _create_managed(client, qpv.id)
    visitor = app.test_client()

    wrong = visitor.post(
        "/setup-code",
        data={
            "pseudonym": "Rose du Pont",
            "code": "AAAA-BBBB-CCCC",
            "password": "mon mot de passe",
            "password_confirm": "mon mot de passe",
        },
    )
    right = visitor.post(
        "/setup-code",
        data={
            "pseudonym": "rose du pont",
            "code": code.lower(),
            "password": "mon mot de passe",
            "password_confirm": "mon mot de passe",
        },
    )
    reused = app.test_client().post(
        "/setup-code",
        data={
            "pseudonym": "Rose du Pont",
            "code": code,
            "password": "un autre mot de passe",
            "password_confirm": "un autre mot de passe",
        },
    )
    visitor.post("/signout")
    signin = visitor.post(
        "/signin", data={"identifier": "Rose du Pont", "password": "mon mot de passe"}
    )

    wrong_html = wrong.get_data(as_text=True)
    assert wrong.status_code == 200
    assert 'id="code-error"' in wrong_html
    assert "mon mot de passe" not in wrong_html
    assert right.status_code == 302
    assert 'id="code-error"' in reused.get_data(as_text=True)
    assert signin.status_code == 302


# --- Verification ---


def test_relay_finds_a_person_only_by_an_exact_identifier_and_verifies_them(
    client, db, make_user, make_relay, login_as
):
    person = make_user(real_name="Samia Khelifi", phone="+33698765432", email=None)
    relay = make_relay(person.territory)
    make_user(real_name="Someone Else")
    login_as(relay)

    for query in ("khelifi", "0698", person.pseudonym):
        html = client.get("/people", query_string={"q": query}).get_data(as_text=True)
        assert f"/people/{person.id}" not in html, query
    html = client.get("/people", query_string={"q": "06 98 76 54 32"}).get_data(
        as_text=True
    )
    assert f"/people/{person.id}?found=" in html
    assert "Samia Khelifi" not in html  # the relay did not create the account
    link = re.search(rf'href="(/people/{person.id}\?found=[^"]+)"', html)
    assert link is not None
    detail = link.group(1).replace("&amp;", "&")
    assert client.get(f"/people/{person.id}").status_code == 403
    assert client.get(detail).status_code == 200
    response = client.post(
        detail.replace(f"/people/{person.id}", f"/people/{person.id}/verifications"),
        data={
            "territory": str(person.territory_id),
            "method": "proof_in_person",
            "note": "facture EDF",
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.verification_level() is VerificationLevel.VERIFIED
    [verification] = person.verifications
    assert verification.verified_by_id == relay.id
    assert verification.note == "facture EDF"
    html = client.get(detail).get_data(as_text=True)
    assert "facture EDF" in html
    assert "Samia Khelifi" not in html
    assert f'id="revoke-verification-{verification.id}"' in html


def test_relay_without_a_search_sees_no_list_but_staff_do(client, make_user, login_as):
    person = make_user()
    login_as(make_user(roles=(Role.RELAY,)))
    relay_html = client.get("/people").get_data(as_text=True)
    login_as(make_user(roles=(Role.STAFF,)))
    staff_html = client.get("/people").get_data(as_text=True)

    assert f"/people/{person.id}" not in relay_html
    assert f"/people/{person.id}" in staff_html


def test_verification_bad_input_is_shown_next_to_the_field(
    client, db, make_user, login_as
):
    person = make_user()
    login_as(make_user(roles=(Role.STAFF,)))

    response = client.post(
        f"/people/{person.id}/verifications",
        data={"territory": "", "method": "proof_in_person", "note": "n" * 201},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="territory-error"' in html
    assert 'id="note-error"' in html
    assert db.session.scalar(sa.select(sa.func.count(ResidentVerification.id))) == 0


def test_revoking_a_verification_from_the_person_page(client, db, make_user, login_as):
    staff = make_user(roles=(Role.STAFF,))
    person = make_user()
    verification = services.verify_resident(
        staff, person, person.territory_id, VerificationMethod.PROOF_IN_PERSON, None
    )
    login_as(staff)

    response = client.post(
        f"/people/{person.id}/verifications/{verification.id}/revoke"
    )
    wrong_person = client.post(
        f"/people/{staff.id}/verifications/{verification.id}/revoke"
    )

    assert response.status_code == 302
    assert wrong_person.status_code == 404
    db.session.expire_all()
    assert (
        db.session.get(User, person.id).verification_level()
        is VerificationLevel.DECLARED
    )


def test_a_relay_cannot_verify_themselves_from_their_page(
    client, db, make_user, login_as
):
    relay = make_user(roles=(Role.RELAY,))
    login_as(relay)

    page = client.get(f"/people/{relay.id}").get_data(as_text=True)
    response = client.post(
        f"/people/{relay.id}/verifications",
        data={"territory": str(relay.territory_id), "method": "proof_in_person"},
    )

    assert 'id="verification-form"' not in page
    assert response.status_code == 403


# --- Administrators ---


def test_admin_grants_and_revokes_a_role(client, db, make_user, login_as):
    admin = make_user(roles=(Role.ADMIN,))
    person = make_user()
    login_as(admin)

    page = client.get(f"/admin/people/{person.id}").get_data(as_text=True)
    granted = client.post(f"/admin/people/{person.id}/roles/relay/grant")
    revoked = client.post(f"/admin/people/{person.id}/roles/resident/revoke")

    assert 'id="grant-relay"' in page
    assert 'id="revoke-resident"' in page
    assert granted.status_code == revoked.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).role_set == {Role.RELAY}
    details = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert details == ["account.role_granted", "account.role_revoked"]


def test_last_admin_cannot_remove_their_own_role(client, db, make_user, login_as):
    admin = make_user(roles=(Role.ADMIN,))
    login_as(admin)

    response = client.post(
        f"/admin/people/{admin.id}/roles/admin/revoke", follow_redirects=True
    )

    assert response.status_code == 200
    assert "at least one administrator" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).has_role(Role.ADMIN)


def test_unknown_role_or_person_is_404(client, make_user, login_as):
    admin = make_user(roles=(Role.ADMIN,))
    login_as(admin)

    assert client.post(f"/admin/people/{admin.id}/roles/king/grant").status_code == 404
    assert client.post("/admin/people/999999/roles/relay/grant").status_code == 404
    assert client.get(f"/admin/people/{admin.id}/roles/relay/grant").status_code == 405


def test_admin_people_list_is_paginated_and_searchable(client, db, make_user, login_as):
    login_as(make_user(roles=(Role.ADMIN,), pseudonym="aaa admin"))
    for n in range(30):
        make_user(pseudonym=f"voisin {n:02d}", real_name=f"Nom {n:02d}")

    first = client.get("/admin/people").get_data(as_text=True)
    second = client.get("/admin/people", query_string={"page": 2}).get_data(
        as_text=True
    )
    found = client.get("/admin/people", query_string={"q": "Nom 07"}).get_data(
        as_text=True
    )
    odd = client.get("/admin/people", query_string={"page": "x", "q": "%_\\"})

    assert "voisin 00" in first
    assert "voisin 29" not in first
    assert "voisin 29" in second
    assert 'rel="next"' in first
    assert "voisin 07" in found
    assert "voisin 08" not in found
    assert odd.status_code == 200
    assert 'id="no-people"' in odd.get_data(as_text=True)


def test_admin_people_list_runs_a_fixed_number_of_queries(
    app, client, db, make_user, login_as
):
    login_as(make_user(roles=(Role.ADMIN,)))

    def count_queries() -> int:
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get("/admin/people").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    for _ in range(3):
        make_user()
    few = count_queries()
    for _ in range(20):
        make_user(roles=(Role.RESIDENT, Role.RELAY))
    many = count_queries()

    assert few == many
    assert many <= 10


# --- The PDF helper ---


def test_pdf_document_prints_unicode_or_falls_back(monkeypatch):
    document = Document("Fiche")
    document.heading("Votre compte — Zoé")
    document.boxed("K7PM-3QXR-W9ZC")
    document.steps(["Allez sur le site", "Tapez le code"])
    with_font = document.output()
    monkeypatch.setattr("participation.core.pdf.FONT_CANDIDATES", ())
    fallback = Document("Fiche")
    fallback.paragraph("Votre compte — أمينة")

    assert with_font.startswith(b"%PDF-")
    assert document.unicode
    assert not fallback.unicode
    assert fallback.output().startswith(b"%PDF-")


def test_the_sheet_is_printed_in_the_language_of_the_person(
    client, db, make_user, login_as, qpv
):
    login_as(make_user(roles=(Role.RELAY,)))

    person_id, _code = _create_managed(client, qpv.id, locale="ar")
    pdf = client.get(f"/people/{person_id}/sheet.pdf")

    assert pdf.status_code == 200
    assert b"/Lang (ar)" in pdf.data
