"""Pages of the committee, letters, payments and bilan: who may, bad input, privacy."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from participation.core.actors import SYSTEM
from participation.core.time import today_paris
from participation.eligibility.services import create_default_grid
from participation.fph import committee, payments
from participation.fph.states import ApplicationState
from tests.conftest import session_cookie_id

from .fph2_support import grant, make_application, make_committee, open_committee


@pytest.fixture
def app_config(app_config):
    app_config["FPH_ATTRIBUANT_NAME"] = "Ville d'Alès"
    app_config["FPH_ATTRIBUANT_SIRET"] = "73282932000074"
    return app_config


@pytest.fixture
def c(db, make_user, make_territory):
    made = make_committee(make_user, make_territory)
    create_default_grid(actor=SYSTEM)
    return made


@pytest.fixture
def scheduled(db, c):
    application = make_application(c.fund, c.users[4], meeting=c.meeting)
    committee.put_on_agenda(application, SYSTEM)
    db.session.commit()
    return application


def _login(client, user):
    # A committed server-side session: a rolled-back request cannot end it.
    user_id = session_cookie_id(user)
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["lang"] = "en"
    return client


def test_a_member_scores_and_the_applicant_member_is_told_they_are_recused(
    db, client, c, scheduled
):
    page = _login(client, c.users[1]).get(f"/fph/committee/files/{scheduled.id}")
    assert page.status_code == 200
    assert 'id="score-form"' in page.get_data(as_text=True)
    version = committee.grid_version_for(scheduled)
    form = {"form": "score"}
    for criterion in version.criteria:
        if criterion.kind.value == "mandatory":
            form[f"c_{criterion.code}"] = "pass"
        elif criterion.kind.value == "scored":
            form[f"c_{criterion.code}"] = "3"
    response = client.post(f"/fph/committee/files/{scheduled.id}", data=form)
    assert response.status_code == 302
    assert len(committee.scores(scheduled)) == 1
    text = _login(client, c.users[4]).get(f"/fph/committee/files/{scheduled.id}")
    body = text.get_data(as_text=True)
    assert "recused" in body
    assert 'id="score-form"' not in body


def test_outsiders_cannot_see_the_committee_page(db, client, c, scheduled, make_user):
    assert client.get(f"/fph/committee/files/{scheduled.id}").status_code == 302
    outsider = make_user()
    assert (
        _login(client, outsider).get(f"/fph/committee/files/{scheduled.id}").status_code
        == 403
    )
    assert client.get(f"/fph/payments/files/{scheduled.id}").status_code == 403


def test_the_secretary_records_the_vote_and_a_bad_amount_stays_typed(
    db, client, c, scheduled
):
    open_committee(c)
    db.session.commit()
    _login(client, c.users[0])
    data = {
        "form": "decision",
        "d-proposal": "grant",
        "d-amount": "1 900,00",
        "d-decision_text": "Accordé.",
        "d-votes_for": "3",
        "d-votes_against": "0",
        "d-abstentions": "1",
    }
    page = client.post(f"/fph/committee/files/{scheduled.id}", data=data)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "requested" in body
    assert 'value="1 900,00"' in body
    data["d-amount"] = "800"
    assert (
        client.post(f"/fph/committee/files/{scheduled.id}", data=data).status_code
        == 302
    )
    db.session.expire_all()
    assert scheduled.state is ApplicationState.GRANTED
    pdf = _login(client, scheduled.owner).get(
        f"/fph/files/{scheduled.id}/letters/agreement.pdf"
    )
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF-")


def test_the_holder_never_appears_on_public_pages_or_exports(db, client, c, scheduled):
    open_committee(c)
    committee.decide(scheduled, grant("800.00"), c.users[0])
    db.session.commit()
    project = payments.followup_project(scheduled)
    pages = [
        client.get("/fph/opendata/subventions.csv"),
        client.get(f"/projects/{project.id}"),
        client.get(f"/councils/meetings/{c.meeting.id}"),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        for private in ("FR7630006", "Rue Secrète", "titulaire", "Les voisins du 12"):
            assert private not in text
    assert "Awa" not in pages[0].get_data(as_text=True)


def test_a_granted_file_links_to_its_follow_up_project(db, client, c, scheduled):
    assert 'id="followup-project"' not in client.get(
        f"/fph/files/{scheduled.id}"
    ).get_data(as_text=True)
    open_committee(c)
    committee.decide(scheduled, grant("800.00"), c.users[0])
    db.session.commit()
    project = payments.followup_project(scheduled)
    page = client.get(f"/fph/files/{scheduled.id}").get_data(as_text=True)
    assert f'href="/projects/{project.id}" id="followup-project"' in page


def test_a_non_pdf_receipt_gets_a_message_next_to_the_field(
    db, client, c, scheduled, staff
):
    open_committee(c)
    committee.decide(scheduled, grant("800.00"), c.users[0])
    payments.record_advance(
        scheduled,
        payments.PaymentData(
            payments.advance_due(scheduled), today_paris(), "Centre social"
        ),
        staff,
    )
    payments.request_report(scheduled, staff)
    db.session.commit()
    _login(client, scheduled.owner)
    line = scheduled.budget_lines[0]
    page = client.post(
        f"/fph/bilan/files/{scheduled.id}",
        data={
            "held_on": "2026-11-14",
            "actual_participants": "70",
            f"actual_{line.id}": "950",
            "narrative": "Tout s'est bien passé, merci à tous les voisins.",
            "receipts": (io.BytesIO(b"MZ not a receipt"), "facture.exe"),
        },
        content_type="multipart/form-data",
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "must be a PDF file or a photo" in body
    assert "merci à tous les voisins" in body
    db.session.expire_all()
    assert scheduled.state is ApplicationState.REPORT_DUE


def _closed_with_files(db, c, scheduled, staff):
    from participation.fph import reports
    from participation.fph.states import Verdict

    open_committee(c)
    committee.decide(scheduled, grant("800.00"), c.users[0])
    today = today_paris()
    payments.record_advance(
        scheduled,
        payments.PaymentData(payments.advance_due(scheduled), today, "Centre social"),
        staff,
    )
    payments.request_report(scheduled, staff)
    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 90, 200)).save(photo, format="PNG")
    report = reports.submit_report(
        scheduled,
        reports.ReportData(
            held_on=today,
            actual_participants=50,
            narrative="Une belle fête de quartier, beaucoup de monde.",
            actual={line.id: line.amount for line in scheduled.budget_lines},
            is_photo_consent=True,
            receipts=(reports.Upload(b"%PDF-1.4\n%%EOF\n", "facture.pdf"),),
            photos=(reports.Upload(photo.getvalue(), "fete.png"),),
        ),
        scheduled.owner,
    )
    payments.give_verdict(
        scheduled,
        payments.VerdictData(
            Verdict.CONFORM, "", payments.PaymentData(Decimal("240.00"), today, "CS")
        ),
        staff,
    )
    db.session.commit()
    return report


def test_receipts_are_private_photos_public_with_consent_letters_private(
    db, client, c, scheduled, staff, make_user
):
    report = _closed_with_files(db, c, scheduled, staff)
    receipt = next(f for f in report.files if f.kind.value == "receipt")
    photo = next(f for f in report.files if f.kind.value == "photo")
    base = f"/fph/bilan/files/{scheduled.id}/attachments"
    assert client.get(f"{base}/{receipt.id}").status_code == 404
    shown = client.get(f"{base}/{photo.id}")
    assert shown.status_code == 200
    assert shown.mimetype == "image/jpeg"
    shown.close()
    public_page = client.get(f"/fph/files/{scheduled.id}").get_data(as_text=True)
    assert f'src="{base}/{photo.id}"' in public_page, "the public file shows the photo"
    assert f"{base}/{receipt.id}" not in public_page, "never the receipt"
    letter = f"/fph/files/{scheduled.id}/letters/notification.pdf"
    assert client.get(letter).status_code == 302
    assert _login(client, make_user()).get(letter).status_code == 403
    assert _login(client, make_user()).get(f"{base}/{receipt.id}").status_code == 404
    owner = _login(client, scheduled.owner)
    private = owner.get(f"{base}/{receipt.id}")
    assert private.data.startswith(b"%PDF-")
    assert private.headers["Cache-Control"] == "private, no-store"
    private.close()
    assert owner.get(letter).status_code == 200
    assert scheduled.state is ApplicationState.CLOSED


def test_the_ledger_and_the_statement_are_for_staff(
    db, client, c, scheduled, staff, make_user
):
    _closed_with_files(db, c, scheduled, staff)
    fund = scheduled.fund
    today = today_paris()
    statement = f"/fph/funds/{fund.id}/statement-{today.year}-{today.month}.csv"
    ledger = f"/fph/funds/{fund.id}/ledger"
    assert _login(client, make_user()).get(ledger).status_code == 403
    assert client.get(statement).status_code == 403
    _login(client, staff)
    page = client.get(ledger)
    assert page.status_code == 200
    assert 'id="funders"' in page.get_data(as_text=True)
    csv_text = client.get(statement).get_data(as_text=True)
    assert csv_text.startswith("\ufeff")
    assert "800,00" in csv_text
    assert "FR76" not in csv_text
    assert (
        client.get(f"/fph/funds/{fund.id}/statement-{today.year}-13.csv").status_code
        == 404
    )
