"""Pages: the public fund page, the steps through the test client (errors by the
fields, nothing typed lost), my applications, staff review, and other people's ids."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.core.time import utcnow
from participation.fph.models import Application
from participation.fph.states import ApplicationState
from tests.fph.conftest import GOOD_IBAN

S = ApplicationState


def test_fph_answers_and_shows_the_fund(client, db, fund, make_committee) -> None:
    make_committee(fund)
    db.session.commit()
    assert client.get("/fph").status_code in (200, 308)
    page = client.get("/fph/")
    assert page.status_code == 200
    assert fund.name in page.text
    detail = client.get(f"/fph/funds/{fund.id}")
    assert detail.status_code == 200
    assert "Délibération n° 2026-41" in detail.text
    assert 'id="calendar"' in detail.text
    assert 'id="signin-to-apply"' in detail.text
    # Percentages through Babel in the page's language ("80%" in English).
    assert "<dd>80%</dd>" in detail.text


def test_the_paper_form_is_a_pdf(client, db, fund) -> None:
    db.session.commit()
    response = client.get(f"/fph/funds/{fund.id}/form.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")


def test_a_resident_applies_through_the_steps(
    client, db, fund, make_committee, resident, login_as
) -> None:
    meeting = make_committee(fund)
    db.session.commit()
    login_as(resident)
    start = client.post(f"/fph/funds/{fund.id}/applications", data={})
    assert start.status_code == 302
    application = db.session.scalars(sa.select(Application)).one()
    base = f"/fph/applications/{application.id}/steps"
    assert client.post(f"{base}/1", data={"accept": "y"}).status_code == 302
    bad_group = {
        "kind": "informal_group",
        "contact_name": "Awa Diallo",
        "contact_phone": "0601020304",
        "members_count": "4",
        "adult_names": "Awa Diallo\nMarc Petit",
    }
    page = client.post(f"{base}/2", data=bad_group)
    assert page.status_code == 400
    assert "at least 3 adult residents" in page.text
    assert "Marc Petit" in page.text  # nothing typed is lost
    good_group = dict(bad_group, adult_names="Awa Diallo\nMarc Petit\nLina Haddad")
    assert client.post(f"{base}/2", data=good_group).status_code == 302
    project = {
        "title": "Repas partagé",
        "description": "Un repas entre voisins.",
        "audience": "Les habitants de la rue.",
        "starts_on": (utcnow() + timedelta(days=90)).date().isoformat(),
        "place": "Square",
        "expected_participants": "60",
    }
    assert client.post(f"{base}/3", data=project).status_code == 302
    unbalanced = {
        "expense_label_0": "Nourriture",
        "expense_amount_0": "800",
        "resource_label_0": "Habitants",
        "resource_amount_0": "100",
        "amount_requested": "600",
    }
    page = client.post(f"{base}/4", data=unbalanced)
    assert page.status_code == 400
    assert "does not balance" in page.text
    assert 'value="Nourriture"' in page.text
    balanced = dict(unbalanced, resource_amount_0="200")
    assert client.post(f"{base}/4", data=balanced).status_code == 302
    holder = {"holder_name": "Awa Diallo", "holder_iban": GOOD_IBAN}
    assert client.post(f"{base}/5", data=holder).status_code == 302
    review = client.get(f"{base}/6")
    assert "Repas partagé" in review.text
    done = client.post(f"{base}/6", data={})
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.state is S.SUBMITTED
    assert application.meeting_id == meeting.id
    detail = client.get(f"/fph/applications/{application.id}")
    assert application.reference in detail.text
    assert 'id="committee-date"' in detail.text
    mine = client.get("/fph/my")
    assert "Repas partagé" in mine.text


def test_other_peoples_applications_are_not_found(
    client, db, fund, make_application, make_user, login_as
) -> None:
    application = make_application(fund, upto=5)
    db.session.commit()
    login_as(make_user())
    for url in (
        f"/fph/applications/{application.id}",
        f"/fph/applications/{application.id}/steps/2",
        f"/fph/files/{application.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/fph/applications/{application.id}/steps/5",
            data={"holder_name": "Pirate", "holder_iban": GOOD_IBAN},
        ).status_code
        == 404
    )
    assert (
        client.post(f"/fph/applications/{application.id}/withdraw").status_code == 404
    )
    db.session.refresh(application)
    assert application.holder_name == "Awa Diallo"
    assert application.state is S.DRAFT


def test_residents_get_403_on_staff_pages(
    client, db, fund, make_application, resident, login_as
) -> None:
    application = make_application(fund, submit=True)
    db.session.commit()
    login_as(resident)
    assert client.get("/fph/manage").status_code == 403
    assert client.get(f"/fph/manage/applications/{application.id}").status_code == 403
    assert (
        client.post(f"/fph/manage/applications/{application.id}/complete").status_code
        == 403
    )
    db.session.refresh(application)
    assert application.state is S.SUBMITTED


def test_staff_review_complete_and_incomplete(
    client, db, fund, make_application, make_committee, staff, make_user, login_as
) -> None:
    make_committee(fund)
    first = make_application(fund, submit=True)
    second = make_application(fund, owner=make_user(), submit=True)
    db.session.commit()
    login_as(staff)
    assert client.get(f"/fph/manage/funds/{fund.id}").status_code == 200
    page = client.get(f"/fph/manage/applications/{first.id}")
    assert "Awa Diallo" in page.text  # staff see the private parts
    assert (
        client.post(f"/fph/manage/applications/{first.id}/complete").status_code == 302
    )
    empty = client.post(f"/fph/manage/applications/{second.id}/incomplete", data={})
    assert empty.status_code == 400
    assert "Say what is missing" in empty.text
    sent = client.post(
        f"/fph/manage/applications/{second.id}/incomplete",
        data={"missing": "Le devis"},
    )
    assert sent.status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.state is S.SCHEDULED
    assert second.state is S.INCOMPLETE


def test_the_public_file_shows_no_private_details(
    client, db, fund, make_application, make_committee, staff
) -> None:
    from participation.fph import services

    make_committee(fund)
    application = make_application(fund, submit=True)
    services.mark_complete(application, staff)
    db.session.commit()
    page = client.get(f"/fph/files/{application.id}")
    assert page.status_code == 200
    assert "Repas partagé de la rue Haute" in page.text
    for private in (
        "Awa Diallo",
        "Marc Petit",
        GOOD_IBAN,
        "Les voisins de la rue Haute",
    ):
        assert private not in page.text
    fund_page = client.get(f"/fph/funds/{fund.id}")
    assert "A group of residents" in fund_page.text
    assert "Les voisins de la rue Haute" not in fund_page.text


def test_staff_create_a_fund_and_adopt_a_reglement(
    client, db, make_territory, staff, login_as
) -> None:
    territory = make_territory()
    db.session.commit()
    login_as(staff)
    assert client.get("/fph/manage/funds/new").status_code == 200
    data = {
        "name": "FPH Les Prés",
        "year": "2027",
        "territory_id": str(territory.id),
        "council_id": "",
        "envelope": "3000",
        "cap_per_project": "1000",
        "max_share_percent": "80",
        "max_grants_per_group": "2",
        "min_group_adults": "3",
        "deadline_days": "30",
        "is_open": "y",
        "funder_name_0": "État",
        "funder_kind_0": "state",
        "funder_share_0": "60",
        "funder_name_1": "Ville",
        "funder_kind_1": "commune",
        "funder_share_1": "60",
    }
    over = client.post("/fph/manage/funds/new", data=data)
    assert over.status_code == 400
    assert "at most 100" in over.text
    saved = client.post("/fph/manage/funds/new", data=dict(data, funder_share_1="40"))
    assert saved.status_code == 302
    from participation.fph.models import Fund

    fund = db.session.scalars(sa.select(Fund)).one()
    assert [f.share_percent for f in fund.funders] == [60, 40]
    missing = client.post(f"/fph/manage/funds/{fund.id}/reglement", data={"text": "x"})
    assert missing.status_code == 400
    adopted = client.post(
        f"/fph/manage/funds/{fund.id}/reglement",
        data={
            "text": "Article 1",
            "adopted_by": "Délibération 12",
            "adopted_on": "2026-11-30",
        },
    )
    assert adopted.status_code == 302
    db.session.refresh(fund)
    assert fund.reglement_in_force is not None
    edit = client.get(f"/fph/manage/funds/{fund.id}/edit")
    assert edit.status_code == 200
    assert 'value="État"' in edit.text
    bigger = client.post(
        f"/fph/manage/funds/{fund.id}/edit",
        data=dict(data, envelope="4000", funder_share_1="40"),
    )
    assert bigger.status_code == 302
    db.session.refresh(fund)
    assert fund.balance == fund.envelope == 4000


def test_staff_key_in_a_paper_file(client, db, fund, staff, login_as) -> None:
    db.session.commit()
    login_as(staff)
    response = client.post(f"/fph/manage/funds/{fund.id}/paper")
    assert response.status_code == 302
    application = db.session.scalars(sa.select(Application)).one()
    assert application.channel.value == "paper"
    assert application.filed_by_id == staff.id
    assert response.headers["Location"].endswith(
        f"/fph/applications/{application.id}/steps/1"
    )
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_relay_files_for_a_group_through_the_page(
    client, db, fund, make_user, login_as
) -> None:
    from participation.core.roles import Role

    relay = make_user(roles=(Role.RELAY,))
    db.session.commit()
    login_as(relay)
    page = client.get(f"/fph/funds/{fund.id}")
    assert 'id="for_group"' in page.text
    refused = client.post(f"/fph/funds/{fund.id}/applications", data={"for_group": "y"})
    assert refused.status_code == 400
    assert "Record how the group agreed" in refused.text
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
    done = client.post(
        f"/fph/funds/{fund.id}/applications",
        data={"for_group": "y", "consent_note": "Accord oral au centre social"},
    )
    assert done.status_code == 302
    application = db.session.scalars(sa.select(Application)).one()
    assert application.channel.value == "relay"


def test_the_home_page_links_to_the_fund(client, db) -> None:
    page = client.get("/")
    assert 'href="/fph/"' in page.text


def test_the_applicant_withdraws_a_submitted_file(
    client, db, fund, make_application, resident, login_as
) -> None:
    application = make_application(fund, submit=True)
    db.session.commit()
    login_as(resident)
    page = client.get(f"/fph/applications/{application.id}")
    assert 'id="withdraw-form"' in page.text
    done = client.post(
        f"/fph/applications/{application.id}/withdraw", data={"reason": "Annulé"}
    )
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.state is S.WITHDRAWN
    again = client.post(f"/fph/applications/{application.id}/withdraw", data={})
    assert again.status_code == 302  # refused with a message, state unchanged
    db.session.refresh(application)
    assert application.state is S.WITHDRAWN
    assert len(application.history) == 2


def test_staff_put_a_waiting_complete_file_on_a_later_committee(
    client, db, fund, make_application, make_committee, staff, login_as
) -> None:
    from participation.fph import services

    application = make_application(fund, submit=True)
    services.mark_complete(application, staff)
    assert application.state is S.COMPLETE  # no committee yet: it waits
    meeting = make_committee(fund)
    db.session.commit()
    login_as(staff)
    page = client.get(f"/fph/manage/applications/{application.id}")
    assert 'id="schedule-form"' in page.text
    empty = client.post(
        f"/fph/manage/applications/{application.id}/schedule", data={"meeting_id": ""}
    )
    assert empty.status_code == 400
    done = client.post(
        f"/fph/manage/applications/{application.id}/schedule",
        data={"meeting_id": str(meeting.id)},
    )
    assert done.status_code == 302
    db.session.refresh(application)
    assert application.state is S.SCHEDULED
    assert application.agenda_item.meeting_id == meeting.id


def test_a_start_or_paper_form_sent_twice_opens_one_file(
    client, db, fund, make_committee, resident, staff, login_as
) -> None:
    """A double click (the same form token twice) opens one application."""
    make_committee(fund)
    db.session.commit()
    login_as(resident)
    page = client.get(f"/fph/funds/{fund.id}")
    assert 'name="form_token"' in page.text
    first = client.post(f"/fph/funds/{fund.id}/applications", data={"form_token": "t1"})
    again = client.post(f"/fph/funds/{fund.id}/applications", data={"form_token": "t1"})
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    count = sa.select(sa.func.count(Application.id))
    assert db.session.scalar(count) == 1

    login_as(staff)
    manage = client.get(f"/fph/manage/funds/{fund.id}")
    assert 'name="form_token"' in manage.text
    paper = f"/fph/manage/funds/{fund.id}/paper"
    first = client.post(paper, data={"form_token": "p1"})
    again = client.post(paper, data={"form_token": "p1"})
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(count) == 2
