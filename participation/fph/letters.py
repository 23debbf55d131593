"""The two letters of a decision, as French PDF documents (core/pdf.py).

* The **notification letter** (*lettre de notification*) tells the applicant what
  the committee decided, with the amount and the reason of a refusal or deferral.
* The **grant agreement** (*convention d'attribution*) states the amount, the
  payment terms (advance, then balance after the bilan), the commitments of the
  group and the règlement version accepted.

Both are private documents for the applicant and staff: they name the contact and
the holder of the payment; they never appear on a public page or in an export.
They are built from plain data so that they are the same printed or e-mailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..core.pdf import Document

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

DECISIONS = {
    "granted": "accorde la subvention demandée",
    "granted_partially": "accorde une partie de la subvention demandée",
    "deferred": "reporte l'examen de votre dossier à une prochaine séance",
    "refused": "ne retient pas votre demande",
}


def french_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def euros(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


@dataclass(frozen=True)
class LetterData:
    organisation: str
    fund_name: str
    managing_body: str
    reference: str
    project_title: str
    #: "granted", "granted_partially", "deferred" or "refused".
    decision: str
    decided_on: date
    meeting_title: str
    contact_name: str
    applicant_label: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    decision_text: str
    votes: tuple[int, int, int]
    regulation_version: str = ""
    holder_name: str = ""
    advance_percent: int = 70
    report_due_on: date | None = None
    minutes_url: str = ""


def _header(doc: Document, data: LetterData) -> None:
    doc.paragraph(data.organisation, bold=True)
    doc.paragraph(data.managing_body)
    doc.space(4)
    doc.paragraph(f"À l'attention de {data.contact_name}, pour {data.applicant_label}")
    doc.paragraph(f"Le {french_date(data.decided_on)}")
    doc.space(4)


def notification_letter(data: LetterData) -> bytes:
    """The notification letter, in French."""
    doc = Document(f"Notification — dossier {data.reference}", author=data.organisation)
    _header(doc, data)
    doc.heading(f"Objet : votre demande au {data.fund_name}", size=14)
    doc.label_value("Dossier :", data.reference)
    doc.label_value("Projet :", data.project_title)
    doc.paragraph(
        f"Madame, Monsieur, le comité d'attribution réuni le "
        f"{french_date(data.decided_on)} ({data.meeting_title}) "
        f"{DECISIONS[data.decision]}."
    )
    votes_for, against, abstentions = data.votes
    doc.paragraph(
        f"Vote : {votes_for} pour, {against} contre, {abstentions} abstention(s)."
    )
    doc.label_value("Montant demandé :", euros(data.amount_requested))
    if data.amount_granted is not None:
        doc.label_value("Montant accordé :", euros(data.amount_granted))
    if data.decision_text:
        doc.paragraph("Décision du comité :", bold=True)
        doc.paragraph(data.decision_text)
    if data.decision in ("granted", "granted_partially"):
        doc.paragraph(
            "Vous trouverez ci-joint la convention d'attribution. Une avance de "
            f"{data.advance_percent} % vous sera versée après sa signature ; le solde "
            "le sera après la remise du bilan de l'action."
        )
    if data.minutes_url:
        doc.paragraph(f"Le compte rendu de la séance : {data.minutes_url}")
    doc.space(6)
    doc.paragraph("Veuillez agréer nos salutations distinguées.")
    doc.paragraph(data.managing_body)
    return doc.output()


def grant_agreement(data: LetterData) -> bytes:
    """The grant agreement (two parties, amount, payments, commitments), in French."""
    assert data.amount_granted is not None
    doc = Document(f"Convention — dossier {data.reference}", author=data.organisation)
    doc.heading("Convention d'attribution", size=16)
    doc.paragraph(f"{data.fund_name} — dossier {data.reference}")
    doc.paragraph("Entre les soussignés :", bold=True)
    doc.paragraph(f"{data.managing_body}, gestionnaire du fonds, d'une part ;")
    doc.paragraph(
        f"{data.applicant_label}, représenté(e) par {data.contact_name}, d'autre part."
    )
    doc.paragraph("Article 1 — Objet", bold=True)
    doc.paragraph(
        f"Le comité réuni le {french_date(data.decided_on)} a accordé une "
        f"subvention de {euros(data.amount_granted)} pour le projet "
        f"« {data.project_title} »."
    )
    advance = (data.amount_granted * data.advance_percent / 100).quantize(
        Decimal("0.01")
    )
    doc.paragraph("Article 2 — Versements", bold=True)
    holder = f" à {data.holder_name}" if data.holder_name else ""
    doc.paragraph(
        f"Une avance de {euros(advance)} ({data.advance_percent} %) est versée{holder} "
        f"à la signature ; le solde de {euros(data.amount_granted - advance)} après "
        "l'acceptation du bilan de l'action par le comité."
    )
    doc.paragraph("Article 3 — Engagements", bold=True)
    due = f" avant le {french_date(data.report_due_on)}" if data.report_due_on else ""
    doc.steps(
        [
            "réaliser l'action telle que présentée au comité ;",
            "faire figurer le soutien du fonds sur les supports de communication ;",
            f"remettre le bilan{due} : participants, dépenses réelles et "
            "justificatifs, récit de l'action, photos si possible ;",
            "rembourser les sommes non utilisées ou une action non conforme.",
        ]
    )
    if data.regulation_version:
        doc.paragraph(
            f"Le règlement du fonds accepté lors du dépôt : {data.regulation_version}."
        )
    doc.space(8)
    doc.paragraph("Fait en deux exemplaires. Signatures :")
    doc.paragraph(
        f"Pour le gestionnaire : ……………        Pour le groupe : {data.contact_name}"
    )
    return doc.output()
