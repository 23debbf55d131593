"""The printable papers of a polling desk: its sign-in sheet and its procès-verbal.

Both are drawn in the language of the person who prints them (``language``: French
by default, Arabic shaped right to left). The sign-in sheet is blank: it never names
anyone, so nobody who voted online appears on it. The procès-verbal takes the same
figures as the desk's page (``queries.desk_figures``) and its batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from ...accounts.models import User
from ...core.i18n import format_date, format_datetime
from ...core.pdf import Document
from ..models import PollingDesk
from .models import PaperBatch
from .queries import DeskFigures
from .states import BatchState

#: Numbered lines on each page of the sign-in sheet (room for a signature).
ROWS_PER_PAGE = 20
#: Lines printed when nobody says how many voters to expect (five pages).
DEFAULT_ROWS = 100
#: At most this many lines (fifty pages): a larger request is cut to it.
MAX_ROWS = 1000


class DeskDocument(Document):
    """The core document plus a table whose columns run in the text's direction."""

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        line_height: float = 6,
        size: float = 10,
    ) -> None:
        """A table with a heading row; right to left, the first column is rightmost."""
        order: list[int] = list(range(len(headers)))
        if self.rtl:
            order.reverse()
        self.pdf.set_font(self.family, "", size)
        with self.pdf.table(
            first_row_as_headings=True,
            line_height=line_height,
            text_align="RIGHT" if self.rtl else "LEFT",
            col_widths=tuple(widths[i] for i in order) if widths else None,
        ) as table:
            for values in [headers, *rows]:
                row = table.row()
                for i in order:
                    row.cell(self._text(str(values[i])))
        self.space(3)


def sign_in_rows(requested: int | None) -> int:
    """How many lines to print: whole pages, the default when not said, capped."""
    rows = DEFAULT_ROWS if requested is None or requested < 1 else requested
    rows = min(rows, MAX_ROWS)
    return -(-rows // ROWS_PER_PAGE) * ROWS_PER_PAGE


def _vote_period(desk: PollingDesk) -> str:
    period: str = _(
        "from %(start)s to %(end)s",
        start=format_datetime(desk.round.vote_opens_at, "short"),
        end=format_datetime(desk.round.vote_closes_at, "short"),
    )
    return period


def _desk_facts(doc: DeskDocument, desk: PollingDesk) -> None:
    doc.label_value(_("Vote:"), desk.round.title, size=11)
    doc.label_value(_("Neighbourhood (QPV):"), desk.territory.name, size=11)
    doc.label_value(_("Desk:"), desk.place, size=11)
    doc.label_value(_("Day of the desk:"), format_date(desk.opens_on, "full"), size=11)


def sign_in_sheet(desk: PollingDesk, *, rows: int, language: str = "fr") -> bytes:
    """The blank sign-in sheet of *desk*: *rows* numbered lines over whole pages."""
    rows = sign_in_rows(rows)
    pages = rows // ROWS_PER_PAGE
    title = _("Sign-in sheet of the desk")
    doc = DeskDocument(title, author=desk.round.title, language=language)
    for page in range(pages):
        if page:
            doc.pdf.add_page()
        doc.heading(title, size=16)
        if page == 0:
            doc.paragraph(
                _(
                    "Paper vote: each voter who votes at this desk writes their name"
                    " on a line, a member of the desk checks their address or proof"
                    " of address, then the voter signs. People who already voted"
                    " online are not listed here: check in the application before"
                    " giving a ballot."
                ),
                size=10,
            )
            _desk_facts(doc, desk)
            doc.label_value(_("Voting period:"), _vote_period(desk), size=11)
        else:
            doc.label_value(_("Desk:"), desk.place, size=11)
        doc.label_value(
            _("Page:"),
            _("%(page)d of %(pages)d", page=page + 1, pages=pages),
            size=11,
        )
        first = page * ROWS_PER_PAGE + 1
        doc.table(
            [_("N°"), _("Name"), _("Address or proof checked"), _("Signature")],
            [
                [str(number), "", "", ""]
                for number in range(first, first + ROWS_PER_PAGE)
            ],
            widths=(12, 62, 56, 40),
            line_height=7.5,
        )
    return doc.output()


def _who(person: User | None) -> str:
    if person is not None:
        return person.pseudonym
    unknown: str = _("Unknown")
    return unknown


def difference_text(figures: DeskFigures) -> str:
    """The difference between sign-ins and paper ballots, as the desk's page says it."""
    text: str
    if figures.matches:
        text = _("They match.")
    elif figures.difference > 0:
        text = ngettext(
            "%(n)s paper ballot more than sign-ins.",
            "%(n)s paper ballots more than sign-ins.",
            figures.difference,
            n=figures.difference,
        )
    else:
        text = ngettext(
            "%(n)s sign-in without a paper ballot.",
            "%(n)s sign-ins without a paper ballot.",
            -figures.difference,
            n=-figures.difference,
        )
    return text


def _batch_row(batch: PaperBatch) -> list[str]:
    settled = (
        f"{batch.valid_count} / {batch.blank_count} / {batch.void_count}"
        if batch.valid_count is not None
        else ""
    )
    if batch.state is BatchState.DEPOSITED and batch.deposited_at is not None:
        note = _(
            "In the ballot box on %(when)s",
            when=format_datetime(batch.deposited_at, "short"),
        )
    elif batch.state is BatchState.CANCELLED:
        note = _("Cancelled: %(reason)s", reason=batch.cancel_reason or "")
    else:
        note = ""
    return [
        _("Batch n° %(n)d", n=batch.number),
        str(batch.declared_count),
        batch.state.label,
        settled,
        note,
    ]


def minutes_sheet(
    desk: PollingDesk,
    figures: DeskFigures,
    batches: Sequence[PaperBatch],
    *,
    closed_by: User | None,
    printed_at: datetime,
    language: str = "fr",
) -> bytes:
    """The procès-verbal of *desk*, prefilled with its figures, ready to sign."""
    title = _("Minutes of the polling desk (procès-verbal)")
    doc = DeskDocument(title, author=desk.round.title, language=language)
    doc.heading(title, size=16)
    _desk_facts(doc, desk)

    doc.heading(_("Opening and closing"), size=13)
    doc.label_value(_("Opened on:"), format_date(desk.opens_on, "full"), size=11)
    doc.label_value(_("Opened by:"), _who(desk.opened_by), size=11)
    if desk.closed_at is None:
        doc.paragraph(
            _("The desk is still open: these minutes are provisional."), bold=True
        )
    else:
        doc.label_value(
            _("Closed on:"), format_datetime(desk.closed_at, "short"), size=11
        )
        doc.label_value(_("Closed by:"), _who(closed_by), size=11)

    doc.heading(_("Sign-ins and paper ballots"), size=13)
    doc.table(
        [_("What is counted"), _("Total")],
        [
            [_("Paper sign-ins (émargements)"), str(figures.sign_ins)],
            [_("Paper ballots in batches"), str(figures.ballots)],
            [_("Valid, settled"), str(figures.valid)],
            [_("Blank"), str(figures.blank)],
            [_("Void"), str(figures.void)],
            [_("In the ballot box"), str(figures.deposited)],
        ],
        widths=(130, 40),
    )
    doc.label_value(_("Sign-ins and paper ballots:"), difference_text(figures), size=11)
    if not figures.is_counted:
        doc.paragraph(
            ngettext(
                "%(n)s batch is still being keyed or reconciled.",
                "%(n)s batches are still being keyed or reconciled.",
                figures.unsettled_batches,
                n=figures.unsettled_batches,
            ),
            size=11,
        )
    doc.paragraph(_("Explanation of the differences:"), bold=True, size=11)
    doc.paragraph(
        desk.minutes_note or _("No explanation is recorded in the minutes."),
        size=11,
    )

    doc.heading(_("Batches of paper ballots"), size=13)
    if batches:
        doc.table(
            [
                _("Batch"),
                _("Ballots"),
                _("Status"),
                _("Valid / blank / void"),
                _("Note"),
            ],
            [_batch_row(batch) for batch in batches],
            widths=(26, 18, 34, 32, 60),
        )
    else:
        doc.paragraph(_("No batch is registered."), size=11)

    doc.heading(_("Signatures"), size=13)
    doc.paragraph(
        _("The president and the assessors of the desk certify these minutes."),
        size=11,
    )
    doc.table(
        [_("Role"), _("Name"), _("Signature")],
        [
            [_("President of the desk"), "", ""],
            [_("Assessor"), "", ""],
            [_("Assessor"), "", ""],
        ],
        widths=(50, 70, 50),
        line_height=12,
    )
    doc.paragraph(
        _(
            "Printed on %(when)s from the data of the application.",
            when=format_datetime(printed_at, "short"),
        ),
        size=9,
    )
    return doc.output()
