"""Pure parts of the committee, payments and export: amounts, ledger, SCDL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from participation.core.errors import DomainError
from participation.core.uploads import UploadError
from participation.fph import amounts, attachments, ledger, letters, scdl
from tests.conftest import shared_file


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 60)).save(out, format="PNG")
    return out.getvalue()


LIMITS = amounts.Limits(
    requested=Decimal("900.00"),
    cap=Decimal("1000.00"),
    max_share=Decimal("0.80"),
    total_cost=Decimal("1000.00"),
    balance=Decimal("850.00"),
)


def test_an_amount_within_every_limit_is_accepted():
    assert amounts.check_amount(Decimal("800.00"), LIMITS) == Decimal("800.00")
    assert LIMITS.highest == Decimal("800.00")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (None, "more than 0"),
        (Decimal("0"), "more than 0"),
        (Decimal("10.005"), "cents"),
        (Decimal("950.00"), "requested"),
        (Decimal("820.00"), "80 %"),
    ],
)
def test_each_limit_has_its_message_on_the_amount_field(app, amount, words):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        amounts.check_amount(amount, LIMITS)
    assert caught.value.field == "amount"
    assert words in str(caught.value)


def test_the_cap_and_the_balance_are_limits_too(app):
    over_cap = amounts.Limits(
        requested=Decimal("1500"),
        cap=Decimal("1000"),
        max_share=Decimal("1"),
        total_cost=Decimal("2000"),
        balance=Decimal("3000"),
    )
    low_balance = amounts.Limits(
        requested=Decimal("500"),
        cap=Decimal("1000"),
        max_share=Decimal("1"),
        total_cost=Decimal("500"),
        balance=Decimal("200"),
    )
    with app.test_request_context():
        with pytest.raises(DomainError, match="cap"):
            amounts.check_amount(Decimal("1200.00"), over_cap)
        with pytest.raises(DomainError, match="left in the fund"):
            amounts.check_amount(Decimal("300.00"), low_balance)


def test_the_ledger_splits_granted_paid_and_remaining_by_funder_share():
    figures = ledger.ledger(
        Decimal("3000.00"),
        [
            ledger.FunderShare("État", Decimal("1500.00")),
            ledger.FunderShare("Commune", Decimal("1500.00")),
        ],
        [
            ledger.GrantLine("FPH-1", Decimal("800.00"), Decimal("560.00")),
            ledger.GrantLine("FPH-2", Decimal("400.00"), Decimal("400.00")),
        ],
    )
    assert figures.granted == Decimal("1200.00")
    assert figures.paid == Decimal("960.00")
    assert figures.to_pay == Decimal("240.00")
    assert figures.remaining == Decimal("1800.00")
    state, commune = figures.funders
    assert (state.granted, state.paid, state.remaining) == (
        Decimal("600.00"),
        Decimal("480.00"),
        Decimal("900.00"),
    )
    assert commune.share == Decimal("0.5")


def test_the_statement_is_spreadsheet_safe():
    text = ledger.statement_csv(
        [
            ledger.PaymentLine(
                date(2026, 11, 3), "FPH-1", "advance", "Avance", Decimal("560"), "=cmd"
            ),
            ledger.PaymentLine(
                date(2026, 11, 20), "FPH-2", "repayment", "Rbt", Decimal("40.5"), "X"
            ),
        ],
        header=ledger.STATEMENT_HEADER,
    )
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1] == ["2026-11-03", "FPH-1", "Avance", "560,00", "'=cmd"]
    assert rows[2][3] == "-40,50"
    assert rows[-1][2:4] == ["Total", "519,50"]


@pytest.mark.parametrize(
    ("siret", "valid"),
    [
        ("73282932000074", True),
        ("35600000000001", True),
        ("73282932000075", False),
        ("7328293200007", False),
        ("7328293200007A", False),
    ],
)
def test_the_siret_checksum(siret, valid):
    assert scdl.siret_is_valid(siret) is valid


ATTRIBUANT = scdl.Attribuant(name="Ville d'Alès", siret="73282932000074")


def _record(**changes):
    values = {
        "reference": "FPH-2026-0001",
        "year": 2026,
        "is_association": False,
        "association_name": "",
        "siret": None,
        "rna": None,
        "title": "=Repas de quartier",
        "amount_requested": Decimal("900.00"),
        "amount_granted": Decimal("800.00"),
        "decided_on": date(2026, 10, 6),
        "agreement_on": date(2026, 10, 10),
        "submitted_on": date(2026, 9, 1),
        "project_on": date(2026, 11, 14),
        "granted": True,
        "payment_days": (date(2026, 10, 12), date(2026, 12, 1)),
        "funders": ("État", "Ville d'Alès"),
    }
    values.update(changes)
    return scdl.GrantRecord(**values)


def _validate(tmp_path, text):
    from frictionless import Dialect, Resource, Schema, formats

    schema = json.loads(
        shared_file("data/scdl-subventions/schema.json").read_text("utf-8")
    )
    schema.pop("custom_checks", None)
    path = tmp_path / "subventions.csv"
    path.write_bytes(text.encode("utf-8"))
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8-sig",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_rows_validate_against_the_national_schema(tmp_path):
    group = scdl.row(_record(), ATTRIBUANT, updated_on=date(2026, 12, 2))
    association = scdl.row(
        _record(
            reference="FPH-2026-0002",
            is_association=True,
            association_name="Les Jardins du Quartier",
            rna="W302001234",
            granted=False,
            amount_granted=None,
            payment_days=(),
        ),
        ATTRIBUANT,
        updated_on=date(2026, 12, 2),
    )
    text = scdl.to_csv([group, association])
    _validate(tmp_path, text)
    assert scdl.custom_check_errors([group, association]) == []
    assert group["nomBeneficiaire"] == scdl.INFORMAL_GROUP_LABEL
    assert group["idBeneficiaire"] == group["rnaBeneficiaire"] == ""
    assert group["objet"].startswith("'=")
    assert group["datesPeriodeVersement"] == "2026-10-12/2026-12-01"
    assert association["statutLabel"] == "refusée"


def test_the_custom_checks_catch_a_bad_siret_and_an_association_without_number():
    bad = scdl.row(
        _record(is_association=True, association_name="Asso", siret="12345678901234"),
        scdl.Attribuant(name="X", siret="11111111111111"),
        updated_on=date(2026, 12, 2),
    )
    nameless = scdl.row(
        _record(is_association=True, association_name="Asso"),
        ATTRIBUANT,
        updated_on=date(2026, 12, 2),
    )
    errors = scdl.custom_check_errors([bad, nameless])
    assert any("idAttribuant" in e for e in errors)
    assert any("idBeneficiaire" in e for e in errors)
    assert any("row 2" in e and "RNA" in e for e in errors)


def test_a_receipt_is_a_pdf_or_an_image_by_its_content(app):
    png_bytes = _png()
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    with app.test_request_context():
        assert attachments.receipt_content(pdf) == (pdf, "application/pdf")
        content, mime = attachments.receipt_content(png_bytes)
        assert mime == "image/jpeg"
        assert content.startswith(b"\xff\xd8")
        for bad in (b"MZ\x90\x00 not a receipt", b"%PDF-1.4 cut short", b""):
            with pytest.raises(UploadError) as caught:
                attachments.receipt_content(bad)
            assert caught.value.field == "file"


def test_both_letters_are_pdf_documents():
    data = letters.LetterData(
        organisation="Ville d'Alès",
        fund_name="FPH des Prés-Saint-Jean 2026",
        managing_body="Centre social",
        reference="FPH-2026-0001",
        project_title="Repas de quartier",
        decision="granted_partially",
        decided_on=date(2026, 10, 6),
        meeting_title="Comité FPH d'octobre",
        contact_name="Awa D.",
        applicant_label="Groupe d'habitants",
        amount_requested=Decimal("900.00"),
        amount_granted=Decimal("800.00"),
        decision_text="Accordé sauf la sono.",
        votes=(5, 1, 1),
        report_due_on=date(2027, 1, 31),
    )
    for pdf in (letters.notification_letter(data), letters.grant_agreement(data)):
        assert pdf.startswith(b"%PDF-")
        assert attachments.is_pdf(pdf)
    assert letters.french_date(date(2026, 8, 1)) == "1 août 2026"
