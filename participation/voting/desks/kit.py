"""The paper kit: the printable ballot of one envelope (PDF, in French).

One A4 page a voter fills in at a polling desk: the round and the neighbourhood,
the rule of the vote, each project with its ballot number (the number keyers type
afterwards, see ``services.numbers``), its title, its cost and a box to tick (or,
for a cumulative vote, a box to write the points in), and how to fill it in. The
drawing is plain data in, PDF bytes out; the view loads the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from fpdf.enums import MethodReturnValue, XPos, YPos

from ...budget.models import Idea, Round
from ...core.i18n import format_date, money
from ...core.pdf import Document
from ...core.time import PARIS
from ..ballots import BallotRules
from ..states import BallotType

#: The language of the printed ballots (the desks' working language).
KIT_LOCALE = "fr"
#: Width of the box to tick, and of each column of a project's line (mm).
_BOX = 7.0
_MARK_WIDTH = 16.0
_NUMBER_WIDTH = 16.0
_COST_WIDTH = 34.0
_LINE = 7.0


@dataclass(frozen=True)
class BallotLine:
    """One project as printed: its ballot number, title and cost."""

    number: int
    title: str
    cost: Decimal

    @classmethod
    def of(cls, idea: Idea, number: int) -> BallotLine:
        return cls(number, idea.title, idea.final_cost or Decimal(0))


def rule_lines(rules: BallotRules, budget: Decimal) -> list[str]:
    """The rule of the vote in the words of the online ballot."""
    if rules.ballot_type is BallotType.CUMULATIVE:
        return [
            _(
                "You have %(total)d points to share between the projects, at most"
                " %(max)d on one project.",
                total=rules.total_points or 0,
                max=rules.max_points_per_project or 0,
            )
        ]
    lines = []
    if rules.max_projects:
        lines.append(
            ngettext(
                "Tick between %(low)s and %(count)s project.",
                "Tick between %(low)s and %(count)s projects.",
                rules.max_projects,
                low=rules.min_projects,
                count=rules.max_projects,
            )
        )
    else:
        lines.append(
            ngettext(
                "Tick at least %(count)s project.",
                "Tick at least %(count)s projects.",
                rules.min_projects,
                count=rules.min_projects,
            )
        )
    if rules.ballot_type is BallotType.KNAPSACK:
        lines.append(
            _(
                "The projects you tick must cost %(budget)s at most together: the"
                " envelope of your neighbourhood.",
                budget=money(budget),
            )
        )
        if rules.min_spend_percent:
            lines.append(
                _(
                    "Spend at least %(percent)d %% of it.",
                    percent=rules.min_spend_percent,
                )
            )
    return lines


def _how_to(cumulative: bool) -> list[str]:
    first = (
        _("Write in the box of each project you support the points you give it.")
        if cumulative
        else _("Tick the box of each project you choose, with a cross.")
    )
    return [
        first,
        _(
            "Write nothing else on the ballot and do not sign it: a ballot with"
            " another mark is void."
        ),
        _("A ballot with nothing chosen is counted as blank."),
        _("Fold the ballot, put it in the envelope, then the envelope in the box."),
    ]


class _Ballot:
    """Draws one ballot on a :class:`~participation.core.pdf.Document`."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.pdf = document.pdf

    def text(self, value: str) -> str:
        if self.document.unicode:
            return value
        # Core fonts know Latin-1 only (as core.pdf does for its own text).
        return value.encode("latin-1", "replace").decode("latin-1")

    def header_row(self, cumulative: bool) -> None:
        pdf = self.pdf
        pdf.set_font(self.document.family, "B", 10)
        pdf.cell(_MARK_WIDTH, _LINE, self.text(_("Points") if cumulative else ""))
        pdf.cell(_NUMBER_WIDTH, _LINE, self.text(_("N°")))
        title_width = pdf.epw - _MARK_WIDTH - _NUMBER_WIDTH - _COST_WIDTH
        pdf.cell(title_width, _LINE, self.text(_("Project")))
        pdf.cell(
            _COST_WIDTH,
            _LINE,
            self.text(_("Cost")),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def project(self, line: BallotLine, cumulative: bool) -> None:
        pdf = self.pdf
        title_width = pdf.epw - _MARK_WIDTH - _NUMBER_WIDTH - _COST_WIDTH
        pdf.set_font(self.document.family, "", 12)
        wrapped = pdf.multi_cell(
            title_width,
            _LINE,
            self.text(line.title),
            dry_run=True,
            output=MethodReturnValue.LINES,
        )
        count = len(wrapped) if isinstance(wrapped, list) else 1
        height = max(count, 1) * _LINE
        if pdf.will_page_break(height + 2):
            pdf.add_page()
        top = pdf.get_y()
        left = pdf.l_margin
        box = _MARK_WIDTH - 4 if cumulative else _BOX
        pdf.rect(left, top + (_LINE - _BOX) / 2, box, _BOX)
        pdf.set_xy(left + _MARK_WIDTH, top)
        pdf.set_font(self.document.family, "B", 13)
        pdf.cell(_NUMBER_WIDTH, _LINE, self.text(f"n° {line.number}"))
        pdf.set_font(self.document.family, "", 12)
        pdf.multi_cell(
            title_width, _LINE, self.text(line.title), new_x=XPos.RIGHT, new_y=YPos.TOP
        )
        pdf.cell(_COST_WIDTH, _LINE, self.text(money(line.cost)), align="R")
        pdf.set_xy(left, top + height + 2)
        pdf.line(left, pdf.get_y() - 1, left + pdf.epw, pdf.get_y() - 1)


def ballot_pdf(
    round_: Round,
    territory_name: str,
    rules: BallotRules,
    budget: Decimal,
    lines: Sequence[BallotLine],
    language: str = KIT_LOCALE,
) -> bytes:
    """The printable ballot of one envelope, in French unless *language* says."""
    with force_locale(language):
        cumulative = rules.ballot_type is BallotType.CUMULATIVE
        title = _("Ballot paper — %(round)s", round=round_.title)
        document = Document(title, author=round_.title, language=language)
        document.heading(_("Ballot paper"), size=20)
        document.paragraph(round_.title, size=14, bold=True)
        document.label_value(_("Neighbourhood (QPV):"), territory_name)
        document.label_value(
            _("Vote:"),
            _(
                "from %(start)s to %(end)s",
                start=format_date(round_.vote_opens_at.astimezone(PARIS), "long"),
                end=format_date(round_.vote_closes_at.astimezone(PARIS), "long"),
            ),
        )
        for rule in rule_lines(rules, budget):
            document.paragraph(rule, size=13, bold=True)
        ballot = _Ballot(document)
        ballot.header_row(cumulative)
        for line in lines:
            ballot.project(line, cumulative)
        document.space(4)
        document.heading(_("How to fill in the ballot"), size=13)
        document.steps(_how_to(cumulative), size=11)
        return document.output()
