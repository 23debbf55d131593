"""What the council feature adds to the publishing pages: its section of each
neighbourhood's public page and its section of the staff dashboard.

Registered once by :func:`register` (from ``participation._register_features``)
through ``publishing.neighbourhood.register_section`` and
``publishing.stats.register_dashboard_section``. Only what the council publishes
itself is shown: public meetings, votes on public items of closed meetings, seat
counts; never a member's name or vote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..core.i18n import format_date
from ..core.time import today_paris
from ..extensions import db
from ..publishing import feed, neighbourhood, stats
from ..publishing.charts import Chart, Row, Series, percent
from ..territories.models import Territory
from .models import AgendaItem, Attendance, Council, Deliberation, Meeting, Minutes
from .queries import composition, upcoming
from .states import (
    MINUTES_PUBLIC_STATES,
    AttendanceStatus,
    CouncilScope,
    MeetingState,
)

#: Decisions and meetings shown per council on the neighbourhood page.
LATEST_DECISIONS = 5
NEXT_MEETINGS = 3


def latest_decisions(
    council: Council, limit: int = LATEST_DECISIONS
) -> list[Deliberation]:
    """Votes on public items of closed public meetings (what the archive shows)."""
    return list(
        db.session.scalars(
            sa.select(Deliberation)
            .join(AgendaItem, AgendaItem.id == Deliberation.agenda_item_id)
            .join(Meeting, Meeting.id == Deliberation.meeting_id)
            .where(
                Meeting.council_id == council.id,
                Meeting.is_public.is_(True),
                Meeting.state == MeetingState.CLOSED,
                AgendaItem.is_public.is_(True),
            )
            .options(
                selectinload(Deliberation.item), selectinload(Deliberation.meeting)
            )
            .order_by(Deliberation.voted_at.desc(), Deliberation.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class CouncilBlock:
    council: Council
    members: int
    seats: int
    vacant: int
    next_meetings: list[Meeting]
    decisions: list[Deliberation]


def councils_for(territory: Territory) -> list[Council]:
    """The territory's own councils; else the agglomeration's, which covers it."""
    own = list(
        db.session.scalars(
            sa.select(Council)
            .where(Council.territory_id == territory.id)
            .order_by(Council.name)
        )
    )
    if own:
        return own
    return list(
        db.session.scalars(
            sa.select(Council)
            .where(Council.scope == CouncilScope.AGGLOMERATION)
            .order_by(Council.name)
        )
    )


def block(council: Council) -> CouncilBlock:
    figures = composition(council)
    return CouncilBlock(
        council=council,
        members=figures.size,
        seats=council.resident_seats + council.local_actor_seats,
        vacant=figures.vacancies,
        next_meetings=upcoming(council, public_only=True, limit=NEXT_MEETINGS),
        decisions=latest_decisions(council),
    )


def neighbourhood_section(territory: Territory) -> neighbourhood.Section | None:
    councils = councils_for(territory)
    if not councils:
        return None
    return neighbourhood.Section(
        "council/_neighbourhood.html", {"blocks": [block(c) for c in councils]}
    )


# --- Dashboard ---------------------------------------------------------------


def seats_chart(councils: list[Council]) -> Chart:
    rows = []
    for council in councils:
        figures = composition(council)
        rows.append(
            Row(
                council.name,
                (
                    council.resident_seats + council.local_actor_seats,
                    figures.size,
                    figures.vacancies,
                ),
            )
        )
    return Chart(
        id="council-seats",
        title=_("Seats of the citizens' councils"),
        description=_(
            "Per council: seats its policy provides, titular members in office"
            " today, seats vacant."
        ),
        row_header=_("Council"),
        series=(
            Series("seats", _("Seats")),
            Series("members", _("Members in office")),
            Series("vacant", _("Vacant seats")),
        ),
        rows=tuple(rows),
    )


def meetings_chart(councils: list[Council]) -> Chart:
    year = today_paris().year
    held: dict[int, int] = {}
    for council_id, count in db.session.execute(
        sa.select(Meeting.council_id, sa.func.count())
        .where(Meeting.state == MeetingState.CLOSED)
        .group_by(Meeting.council_id)
    ):
        held[council_id] = int(count)
    lines: dict[int, dict[AttendanceStatus, int]] = {}
    for council_id, status, count in db.session.execute(
        sa.select(Meeting.council_id, Attendance.status, sa.func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.state == MeetingState.CLOSED)
        .group_by(Meeting.council_id, Attendance.status)
    ):
        lines.setdefault(council_id, {})[status] = int(count)
    rows = []
    for council in councils:
        counts = lines.get(council.id, {})
        present = counts.get(AttendanceStatus.PRESENT, 0) + counts.get(
            AttendanceStatus.REPRESENTED, 0
        )
        rows.append(
            Row(
                council.name,
                (held.get(council.id, 0), percent(present, sum(counts.values()))),
            )
        )
    return Chart(
        id="council-meetings",
        title=_("Meetings of the citizens' councils"),
        description=_(
            "Per council: meetings held (closed), and the share of the members on"
            " the attendance sheets who were present or represented."
        ),
        row_header=_("Council"),
        series=(
            Series("held", _("Meetings held")),
            Series("rate", _("Present or represented"), charted=False),
        ),
        rows=tuple(rows),
        note=_(
            "All meetings since the councils were created, up to %(year)d.", year=year
        ),
    )


def dashboard_section() -> stats.DashboardSection:
    councils = list(db.session.scalars(sa.select(Council).order_by(Council.name)))
    return stats.DashboardSection(
        id="council",
        title=_("Citizens' councils"),
        charts=[seats_chart(councils), meetings_chart(councils)],
    )


# --- Atom feed -----------------------------------------------------------------


def minutes_entries(link: Callable[..., str], limit: int) -> list[feed.Entry]:
    """Published minutes of public meetings, newest first."""
    records = db.session.scalars(
        sa.select(Minutes)
        .join(Meeting, Meeting.id == Minutes.meeting_id)
        .where(
            Minutes.state.in_(MINUTES_PUBLIC_STATES),
            Minutes.published_at.is_not(None),
            Meeting.is_public.is_(True),
        )
        .options(selectinload(Minutes.meeting).selectinload(Meeting.council))
        .order_by(Minutes.published_at.desc())
        .limit(limit)
    )
    out = []
    for record in records:
        meeting = record.meeting
        assert record.published_at is not None
        page = link("council.minutes_detail", meeting_id=meeting.id)
        out.append(
            feed.Entry(
                id=page,
                title=_(
                    "Minutes: %(council)s — %(meeting)s",
                    council=meeting.council.name,
                    meeting=meeting.title,
                ),
                link=page,
                updated=record.published_at,
                summary=_(
                    "The minutes of the meeting of %(day)s are published.",
                    day=format_date(meeting.starts_paris.date(), "long"),
                ),
            )
        )
    return out


def register() -> None:
    """Plug the council's sections into the publishing pages (idempotent)."""
    neighbourhood.register_section(neighbourhood_section)
    stats.register_dashboard_section(dashboard_section)
    feed.register_entries(minutes_entries)
