"""After the decision: advance, bilan with receipts, verdict, ledger, SCDL export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from participation.core.actors import SYSTEM
from participation.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    PermissionDenied,
)
from participation.core.time import today_paris
from participation.fph import committee, exports, payments, reports, scdl
from participation.fph.states import ApplicationState, ReportFileKind, Verdict
from tests.conftest import shared_file

from .fph2_support import grant, make_application, make_committee, open_committee

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 60)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def app_config(app_config):
    app_config["FPH_ATTRIBUANT_NAME"] = "Ville d'Alès"
    app_config["FPH_ATTRIBUANT_SIRET"] = "73282932000074"
    return app_config


@pytest.fixture
def c(db, make_user, make_territory):
    return make_committee(make_user, make_territory)


@pytest.fixture
def granted(db, c, make_user):
    application = make_application(c.fund, make_user(), meeting=c.meeting)
    committee.put_on_agenda(application, SYSTEM)
    open_committee(c)
    committee.decide(application, grant("800.00"), c.users[0])
    db.session.flush()
    return application


def _pay(amount="560.00", **changes):
    values = {
        "amount": Decimal(amount),
        "paid_on": today_paris(),
        "payer": "Centre social Les Prés",
    }
    values.update(changes)
    return payments.PaymentData(**values)


def _report(application, **changes):
    values = {
        "held_on": today_paris(),
        "actual_participants": 95,
        "narrative": "Le repas a réuni tout l'immeuble, sous le soleil.",
        "actual": {
            line.id: line.amount - Decimal("50") for line in application.budget_lines
        },
        "is_photo_consent": True,
        "receipts": (reports.Upload(PDF, "facture.pdf"),),
        "photos": (reports.Upload(_png(), "repas.png"),),
    }
    values.update(changes)
    return reports.ReportData(**values)


def test_the_whole_way_to_closed(db, granted, staff):
    payments.record_advance(granted, _pay(), staff)
    assert granted.state is ApplicationState.PAID_ADVANCE
    payments.request_report(granted, staff)
    report = reports.submit_report(granted, _report(granted), granted.owner)
    assert granted.state is ApplicationState.REPORT_SUBMITTED
    kinds = {f.kind: f for f in report.files}
    assert kinds[ReportFileKind.RECEIPT].content_type == "application/pdf"
    assert not kinds[ReportFileKind.RECEIPT].is_public
    assert kinds[ReportFileKind.PHOTO].is_public
    assert reports.actual_total(report) == Decimal("950.00")
    payments.give_verdict(
        granted,
        payments.VerdictData(verdict=Verdict.CONFORM, note="", payment=_pay("240.00")),
        staff,
    )
    assert granted.state is ApplicationState.CLOSED
    assert payments.paid(granted) == Decimal("800.00")
    figures = payments.fund_ledger(granted.fund)
    assert (figures.granted, figures.paid, figures.remaining) == (
        Decimal("800.00"),
        Decimal("800.00"),
        Decimal("2200.00"),
    )
    assert [f.paid for f in figures.funders] == [Decimal("400.00")] * 2
    today = today_paris()
    text = payments.statement_csv(granted.fund, today.year, today.month)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r[3] for r in rows[1:]] == ["560,00", "240,00", "800,00"]
    assert "Awa" not in text
    assert "FR76" not in text


def test_bad_payments_are_refused_next_to_the_field(db, granted, staff, resident):
    with pytest.raises(FieldErrors) as caught:
        payments.record_advance(
            granted,
            _pay("900.00", paid_on=today_paris() + timedelta(days=2), payer=" "),
            staff,
        )
    assert set(caught.value.errors) == {"amount", "paid_on", "payer"}
    with pytest.raises(PermissionDenied):
        payments.record_advance(granted, _pay(), resident)
    with pytest.raises(Conflict):
        payments.request_report(granted, staff)
    assert granted.state is ApplicationState.GRANTED


@pytest.fixture
def resident(make_user):
    return make_user()


def test_a_receipt_that_is_not_a_pdf_or_an_image_is_refused(db, granted, staff):
    payments.record_advance(granted, _pay(), staff)
    payments.request_report(granted, staff)
    with pytest.raises(FieldErrors) as caught:
        reports.submit_report(
            granted,
            _report(granted, receipts=(reports.Upload(b"MZ\x90 exe", "facture.exe"),)),
            granted.owner,
        )
    assert "receipts" in caught.value.errors
    assert "PDF" in str(caught.value.errors["receipts"])
    with pytest.raises(FieldErrors) as caught:
        reports.submit_report(granted, _report(granted, receipts=()), granted.owner)
    assert "receipts" in caught.value.errors
    assert granted.state is ApplicationState.REPORT_DUE
    assert granted.report is None


def test_a_report_not_conform_asks_for_a_repayment_that_refills_the_fund(
    db, granted, staff
):
    payments.record_advance(granted, _pay(), staff)
    payments.request_report(granted, staff)
    reports.submit_report(granted, _report(granted), granted.owner)
    with pytest.raises(DomainError):
        payments.give_verdict(
            granted,
            payments.VerdictData(Verdict.NOT_CONFORM, "", _pay(), Decimal("100")),
            staff,
        )
    with pytest.raises(DomainError) as caught:
        payments.give_verdict(
            granted,
            payments.VerdictData(
                Verdict.NOT_CONFORM, "Action non réalisée.", _pay(), Decimal("600")
            ),
            staff,
        )
    assert caught.value.field == "repayment_amount"
    payments.give_verdict(
        granted,
        payments.VerdictData(
            Verdict.NOT_CONFORM, "Action non réalisée.", _pay(), Decimal("560")
        ),
        staff,
    )
    assert granted.state is ApplicationState.REPAYMENT_REQUESTED
    payments.record_repayment(granted, _pay("560.00"), staff)
    assert granted.fund.balance == Decimal("2760.00")
    assert payments.paid(granted) == Decimal("0.00")


def test_the_scdl_export_validates_and_hides_the_informal_group(
    db, c, granted, make_user, tmp_path
):
    from frictionless import Dialect, Resource, Schema, formats

    association = make_application(
        c.fund, make_user(), meeting=c.meeting, association=True
    )
    db.session.flush()
    text = exports.csv_text()
    schema = json.loads(
        shared_file("data/scdl-subventions/schema.json").read_text("utf-8")
    )
    schema.pop("custom_checks", None)
    (tmp_path / "s.csv").write_bytes(text.encode("utf-8"))
    report = Resource(
        path="s.csv",
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8-sig",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = exports.rows()
    assert scdl.custom_check_errors(rows) == []
    assert [r["idSubvention"] for r in rows] == [granted.reference]
    assert association.reference not in text  # not decided yet
    assert rows[0]["nomBeneficiaire"] == scdl.INFORMAL_GROUP_LABEL
    for private in ("Les voisins", "Awa", "FR76", "Secrète", "titulaire"):
        assert private not in text


def test_the_scdl_export_of_no_grant_is_a_valid_file_with_its_header(
    db, client, tmp_path
):
    from frictionless import Dialect, Resource, Schema, formats

    response = client.get("/fph/opendata/subventions.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "idSubvention" in lines[0]
    schema = json.loads(
        shared_file("data/scdl-subventions/schema.json").read_text("utf-8")
    )
    schema.pop("custom_checks", None)
    (tmp_path / "s.csv").write_bytes(text.encode("utf-8"))
    report = Resource(
        path="s.csv",
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8-sig",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_scdl_export_without_a_granting_body_says_so_instead_of_failing(
    app, db, client, granted
):
    app.config["FPH_ATTRIBUANT_SIRET"] = ""

    response = client.get("/fph/opendata/subventions.csv")

    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert granted.reference not in response.get_data(as_text=True)


def test_the_export_is_refused_without_a_valid_attribuant_siret(app, db):
    app.config["FPH_ATTRIBUANT_SIRET"] = "12345678901234"
    with pytest.raises(Conflict, match="SIRET"):
        exports.rows()
