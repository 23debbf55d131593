"""What the FPH feature adds to the publishing pages: its section of each
neighbourhood's public page and its section of the staff dashboard.

Registered once by :func:`register` (from ``participation._register_features``)
through ``publishing.neighbourhood.register_section`` and
``publishing.stats.register_dashboard_section``. Only public facts are shown: the
amounts of each fund and the granted files (title, amount, link to their public
page); never an applicant's name, contact or bank details. A file is "carried
by" an association's name, or "a group of residents" for an informal group (its
name often is the names of its members).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.time import today_paris
from ..extensions import db
from ..followup.models import Project
from ..followup.states import SourceKind
from ..publishing import neighbourhood, stats
from ..publishing.charts import Chart, Row, Series, suppress_small
from ..territories.models import Territory
from . import payments
from .ledger import Ledger
from .models import Application, Fund, Report
from .services.funds import CommitteeDate, next_committee
from .states import GRANTED_STATES, ApplicationState

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FundBlock:
    fund: Fund
    figures: Ledger
    granted_files: list[Application]
    #: The first coming committee a file submitted today can still go to.
    next_committee: CommitteeDate | None
    #: The follow-up project of each granted file, by the file's id.
    projects: dict[int, Project]

    @property
    def takes_applications(self) -> bool:
        return self.fund.is_open and self.fund.reglement_in_force is not None


def funds_for(territory: Territory, year: int | None = None) -> list[Fund]:
    """The territory's funds of *year* (the current year by default)."""
    year = today_paris().year if year is None else year
    return list(
        db.session.scalars(
            sa.select(Fund)
            .where(Fund.territory_id == territory.id, Fund.year == year)
            .order_by(Fund.name)
        )
    )


def followup_projects(applications: list[Application]) -> dict[int, Project]:
    """The follow-up project of each of *applications* that has one, by file id."""
    if not applications:
        return {}
    projects = db.session.scalars(
        sa.select(Project).where(
            Project.source_kind == SourceKind.FPH_GRANT,
            Project.source_id.in_([a.id for a in applications]),
        )
    )
    return {p.source_id: p for p in projects if p.source_id is not None}


def block(fund: Fund) -> FundBlock:
    granted = payments.fund_applications(fund)
    return FundBlock(
        fund=fund,
        figures=payments.fund_ledger(fund),
        granted_files=granted,
        next_committee=next_committee(fund),
        projects=followup_projects(granted),
    )


def neighbourhood_section(territory: Territory) -> neighbourhood.Section | None:
    funds = funds_for(territory)
    if not funds:
        return None
    return neighbourhood.Section(
        "fph/_neighbourhood.html",
        {"blocks": [block(f) for f in funds], "year": funds[0].year},
    )


# --- Dashboard ---------------------------------------------------------------


def envelope_use_chart(funds: list[Fund]) -> Chart:
    rows = []
    for fund in funds:
        figures = payments.fund_ledger(fund)
        rows.append(
            Row(
                f"{fund.territory.name} ({fund.year})",
                (figures.envelope, figures.granted, figures.paid),
            )
        )
    return Chart(
        id="fph-envelopes",
        title=_("Use of the FPH envelopes"),
        description=_(
            "Per neighbourhood fund of the current year: its envelope, the amounts"
            " granted by the committee and the amounts paid to the groups."
        ),
        row_header=_("Neighbourhood"),
        series=(
            Series("envelope", _("Envelope")),
            Series("granted", _("Granted")),
            Series("paid", _("Paid")),
        ),
        rows=tuple(rows),
        unit="euros",
    )


def states_chart(funds: list[Fund]) -> Chart:
    counts = {
        state: int(count)
        for state, count in db.session.execute(
            sa.select(Application.state, sa.func.count())
            .where(
                Application.fund_id.in_([f.id for f in funds]),
                Application.state != ApplicationState.DRAFT,
            )
            .group_by(Application.state)
        )
    }
    rows = tuple(
        Row(state.label, (counts[state],))
        for state in ApplicationState
        if state in counts
    )
    return Chart(
        id="fph-states",
        title=_("FPH files per state"),
        description=_(
            "Files filed with the neighbourhood funds of the current year (drafts"
            " left out), per state."
        ),
        row_header=_("State"),
        series=(Series("files", _("Files")),),
        rows=rows,
    )


def people_chart(funds: list[Fund]) -> Chart:
    """People in the granted files of each fund: the groups' members, the people
    expected and those the bilans report. Counts about people: 1 to 9 not shown."""
    totals: dict[int, tuple[int, int, int]] = {}
    for fund_id, members, expected, reported in db.session.execute(
        sa.select(
            Application.fund_id,
            sa.func.coalesce(sa.func.sum(Application.members_count), 0).cast(
                sa.Integer
            ),
            sa.func.coalesce(sa.func.sum(Application.expected_participants), 0).cast(
                sa.Integer
            ),
            sa.func.coalesce(sa.func.sum(Report.actual_participants), 0).cast(
                sa.Integer
            ),
        )
        .outerjoin(
            Report,
            sa.and_(
                Report.application_id == Application.id,
                Report.submitted_at.is_not(None),
            ),
        )
        .where(
            Application.fund_id.in_([f.id for f in funds]),
            Application.state.in_(sorted(GRANTED_STATES)),
        )
        .group_by(Application.fund_id)
    ):
        totals[fund_id] = (int(members), int(expected), int(reported))
    rows = tuple(
        Row(
            f"{fund.territory.name} ({fund.year})",
            tuple(suppress_small(n) for n in totals.get(fund.id, (0, 0, 0))),
        )
        for fund in funds
    )
    return Chart(
        id="fph-people",
        title=_("People in the granted FPH projects"),
        description=_(
            "Per neighbourhood fund of the current year: the members of the groups"
            " granted, the people their projects expected, and the people the"
            " bilans report."
        ),
        row_header=_("Neighbourhood"),
        series=(
            Series("members", _("Group members")),
            Series("expected", _("People expected")),
            Series("reported", _("People reported")),
        ),
        rows=rows,
        note=_("Counts from 1 to 9 are not shown: they could point at people."),
    )


def dashboard_section() -> stats.DashboardSection:
    year = today_paris().year
    funds = list(
        db.session.scalars(
            sa.select(Fund)
            .join(Territory, Territory.id == Fund.territory_id)
            .where(Fund.year == year)
            .order_by(Territory.name, Fund.name)
        )
    )
    return stats.DashboardSection(
        id="fph",
        title=_("Residents' fund (FPH)"),
        charts=[envelope_use_chart(funds), states_chart(funds), people_chart(funds)],
    )


def register() -> None:
    """Plug the FPH's sections into the publishing pages (idempotent)."""
    neighbourhood.register_section(neighbourhood_section)
    stats.register_dashboard_section(dashboard_section)
