"""The FPH grants in the national open-data format *SCDL Subventions*, version 2.1.1.

The Table Schema is published by data.gouv / OpenDataFrance (repository
betagouv/SCDL-Subvention-DataSubvention, public domain); its 40 columns are listed
here in the schema's order. The file is UTF-8 with a byte-order mark and ``;``
between cells, numbers with the decimal *point* (the schema says so), and a text
cell that could run as a formula is neutralised like every other export.

Privacy: an informal group of residents is not a legal person. It is published
without any name (``nomBeneficiaire`` is a fixed label, no SIRET nor RNA), and the
holder of the payment is never part of the export. The schema's custom checks are
not Table Schema: :func:`siret_is_valid` is the "french-siret-value" check and
:func:`custom_check_errors` applies both checks (the "one-of-required" one to the
associations, the only beneficiaries that have such numbers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..publishing.opendata import neutralise

SCHEMA_VERSION = "2.1.1"
SCHEMA_URL = "https://github.com/OpenDataFrance/subventions/raw/v2.1.1/schema.json"

FIELDS: tuple[str, ...] = (
    "idSubvention",
    "nomAttribuant",
    "idAttribuant",
    "nomServiceInstructeur",
    "idServiceInstructeur",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "exerciceBudgetaire",
    "pluriannualite",
    "anneesPluriannualite",
    "dateDecision",
    "dateConvention",
    "referenceDecision",
    "dateCreation",
    "dateDebut",
    "dateFin",
    "dispositif",
    "sousDispositif",
    "statutLabel",
    "objet",
    "nature",
    "montantDemande",
    "montant",
    "nomOutilInstruction",
    "nomOutilVersement",
    "ej",
    "cléVersement",
    "conditionsVersement",
    "descriptionConditionsVersement",
    "datesPeriodeVersement",
    "cofinancement",
    "attribuantsCofinanceurs",
    "idCofinancement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "evaluationCout",
    "evaluation",
    "dateMiseAJour",
)

#: What stands for the name of an informal group (never the names of its members).
INFORMAL_GROUP_LABEL = "Groupe d'habitants (non constitué en association)"
DISPOSITIF = "Fonds de participation des habitants (FPH)"
MAX_TEXT = 256


def siret_is_valid(value: str) -> bool:
    """The SIRET checksum (Luhn on 14 digits; La Poste's establishments apart)."""
    if len(value) != 14 or not value.isdigit():
        return False
    if value.startswith("356000000"):  # La Poste: the digits add up to a multiple of 5
        return sum(int(d) for d in value) % 5 == 0
    total = 0
    for index, digit in enumerate(reversed(value)):
        number = int(digit)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


@dataclass(frozen=True)
class Attribuant:
    """Who grants: the body piloting the fund (its SIRET is a setting)."""

    name: str
    siret: str
    service_name: str = ""
    #: The instructing service's SIRET (the attribuant's when it instructs itself).
    service_siret: str = ""


@dataclass(frozen=True)
class GrantRecord:
    """One decided application, as plain data (no payment holder, no person)."""

    reference: str
    year: int
    is_association: bool
    association_name: str
    siret: str | None
    rna: str | None
    title: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    decided_on: date | None
    #: The day the grant agreement was made (the decision's day when none yet).
    agreement_on: date | None
    submitted_on: date | None
    project_on: date | None
    granted: bool
    #: Days of the payments made (advance, balance) or planned.
    payment_days: tuple[date, ...] = ()
    funders: tuple[str, ...] = ()
    total_cost: Decimal | None = None
    evaluation: str = ""
    actual_cost: Decimal | None = None


def _money(value: Decimal | None) -> str:
    return "" if value is None else format(value.quantize(Decimal("0.01")), "f")


def _text(value: str, limit: int = MAX_TEXT) -> str:
    value = " ".join(value.split())
    return neutralise(value[: limit - 1] + "…" if len(value) > limit else value)


def row(
    record: GrantRecord, attribuant: Attribuant, *, updated_on: date
) -> dict[str, str]:
    """One line of the export for *record* (strings; empty when unknown)."""
    days = sorted(record.payment_days)
    if len(days) > 1:
        period = f"{days[0].isoformat()}/{days[-1].isoformat()}"
        conditions = "échelonné"
    elif days:
        period = days[0].isoformat()
        conditions = "unique"
    else:
        moment = record.agreement_on or record.decided_on or updated_on
        period = moment.isoformat()
        conditions = "unique"
    description = (
        "Avance à la signature de la convention, solde après le bilan de l'action"
        if conditions == "échelonné"
        else "Versement unique"
    )
    share = Decimal("1.00")
    agreement = record.agreement_on or record.decided_on or updated_on
    name = (
        _text(record.association_name)
        if record.is_association and record.association_name
        else INFORMAL_GROUP_LABEL
    )
    cells: dict[str, str] = {
        "idSubvention": _text(record.reference),
        "nomAttribuant": _text(attribuant.name),
        "idAttribuant": attribuant.siret,
        "nomServiceInstructeur": _text(attribuant.service_name),
        "idServiceInstructeur": attribuant.service_siret or attribuant.siret,
        "nomBeneficiaire": name,
        "idBeneficiaire": (record.siret or "") if record.is_association else "",
        "rnaBeneficiaire": (record.rna or "") if record.is_association else "",
        "exerciceBudgetaire": str(record.year),
        "pluriannualite": "non",
        "dateDecision": record.decided_on.isoformat() if record.decided_on else "",
        "dateConvention": agreement.isoformat(),
        "referenceDecision": _text(record.reference),
        "dateCreation": record.submitted_on.isoformat() if record.submitted_on else "",
        "dateDebut": record.project_on.isoformat() if record.project_on else "",
        "dateFin": record.project_on.isoformat() if record.project_on else "",
        "dispositif": DISPOSITIF,
        "statutLabel": "attribuée" if record.granted else "refusée",
        "objet": _text(record.title),
        "nature": "aide en numéraire",
        "montantDemande": _money(record.amount_requested),
        "montant": _money(record.amount_granted if record.granted else Decimal(0)),
        "conditionsVersement": conditions,
        "descriptionConditionsVersement": description,
        "datesPeriodeVersement": period,
        "cofinancement": "oui" if len(record.funders) > 1 else "non",
        "attribuantsCofinanceurs": _text(", ".join(record.funders)),
        "notificationUE": "non",
        "pourcentageSubvention": format(share, "f"),
        "evaluationCout": _money(record.actual_cost),
        "evaluation": _text(record.evaluation),
        "dateMiseAJour": updated_on.isoformat(),
    }
    return {name: cells.get(name, "") for name in FIELDS}


def to_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """The export as CSV text: byte-order mark, ``;``, CRLF, schema's column order."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(FIELDS)
    for line in rows:
        writer.writerow([line.get(name, "") for name in FIELDS])
    return out.getvalue()


def custom_check_errors(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """The schema's custom checks; an empty list when every row passes."""
    errors = []
    for number, line in enumerate(rows, start=1):
        if not siret_is_valid(str(line.get("idAttribuant", ""))):
            errors.append(f"row {number}: idAttribuant is not a valid SIRET")
        beneficiary = str(line.get("idBeneficiaire") or "")
        if beneficiary and not siret_is_valid(beneficiary):
            errors.append(f"row {number}: idBeneficiaire is not a valid SIRET")
        is_group = line.get("nomBeneficiaire") == INFORMAL_GROUP_LABEL
        if not is_group and not beneficiary and not line.get("rnaBeneficiaire"):
            errors.append(f"row {number}: an association needs a SIRET or an RNA")
    return errors
