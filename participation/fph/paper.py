"""The printable paper application form: the same fields as the online steps."""

from __future__ import annotations

from flask_babel import gettext as _

from ..core.pdf import Document
from .models import Fund
from .services.funds import committee_dates

BLANK = "_" * 60


def application_form(fund: Fund) -> bytes:
    """A PDF to fill in by hand and hand over to a relay or the town's staff."""
    doc = Document(_("Application to the residents' fund"), author=fund.managing_body)
    doc.heading(_("Application to %(fund)s", fund=fund.name))
    doc.paragraph(
        _(
            "Fill in this form by hand and give it to a relay or to the town's staff:"
            " they key it in for you and give you a receipt number."
        )
    )
    if fund.help_text:
        doc.paragraph(fund.help_text)
    calendar = committee_dates(fund)
    if calendar:
        doc.paragraph(_("Committee dates and deadlines:"), bold=True)
        doc.steps(
            [
                _(
                    "Committee of %(day)s: file by %(deadline)s",
                    day=entry.day.strftime("%d/%m/%Y"),
                    deadline=entry.deadline.strftime("%d/%m/%Y"),
                )
                for entry in calendar
            ]
        )
    doc.paragraph(_("1. The règlement"), bold=True)
    reglement = fund.reglement_in_force
    if reglement is not None:
        doc.paragraph(
            _(
                "Règlement version %(v)d, adopted by %(by)s.",
                v=reglement.version,
                by=reglement.adopted_by,
            )
        )
    doc.paragraph(_("[ ] I have read and accept the règlement of the fund"))
    doc.paragraph(_("2. Who applies"), bold=True)
    doc.paragraph(_("[ ] An informal group of residents    [ ] An association"))
    for label in (
        _("Name of the association or of the group"),
        _("RNA number"),
        _("SIRET"),
        _("Contact person"),
        _("Contact e-mail"),
        _("Contact phone"),
        _("Number of members of the group, children included"),
    ):
        doc.label_value(label + " :", BLANK, size=11)
    doc.paragraph(
        _(
            "Names of the adult members, one per line (at least %(n)d):",
            n=fund.min_group_adults,
        )
    )
    for _line in range(fund.min_group_adults + 2):
        doc.paragraph(BLANK)
    doc.paragraph(_("3. The project"), bold=True)
    for label in (
        _("Title of the project"),
        _("What you want to do"),
        _("For whom"),
        _("Date of the action"),
        _("Place"),
        _("Number of people expected"),
        _("Themes"),
    ):
        doc.label_value(label + " :", BLANK, size=11)
    doc.paragraph(_("4. The budget"), bold=True)
    doc.paragraph(
        _(
            "Expenses must equal the resources plus the amount asked of the fund. The"
            " fund gives at most %(cap)s € and %(share)d %% of the total cost.",
            cap=fund.cap_per_project,
            share=fund.max_share_percent,
        )
    )
    doc.paragraph(_("Expenses (what for, amount):"))
    for _line in range(5):
        doc.paragraph(BLANK)
    doc.paragraph(_("Other resources (what, amount):"))
    for _line in range(3):
        doc.paragraph(BLANK)
    doc.label_value(_("Amount asked of the fund (euros)") + " :", BLANK, size=11)
    doc.paragraph(_("5. Who receives the money (kept private)"), bold=True)
    for label in (_("Account holder"), _("IBAN"), _("BIC"), _("Holder's address")):
        doc.label_value(label + " :", BLANK, size=11)
    doc.paragraph(_("Date and signature of the contact person:"))
    return doc.output()
