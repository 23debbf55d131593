"""Reads for the council pages: lists, composition dashboard, archive, member space."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from ..accounts.states import Sex
from ..core.i18n import lazy_gettext as _l
from ..core.time import PARIS, today_paris, utcnow
from ..extensions import db
from .models import (
    AgendaItem,
    Attendance,
    Council,
    CouncilDraw,
    CouncilMember,
    Deliberation,
    Meeting,
    Minutes,
)
from .services.councils import PARITY_TOLERANCE, titulars_on
from .states import (
    MINUTES_PUBLIC_STATES,
    AttendanceStatus,
    College,
    MeetingState,
    MinutesState,
)

#: Size the 2017 circular advises.
ADVISED_SIZE = (15, 50)
#: Longest start-up facilitation the 2017 circular allows.
FACILITATION_LIMIT = timedelta(days=366)


def councils() -> list[Council]:
    return list(
        db.session.scalars(sa.select(Council).order_by(Council.scope, Council.name))
    )


def has_seat(user_id: int) -> bool:
    """Whether *user_id* sits on a council (asked by the menu of every page)."""
    return db.session.scalar(_seat_statement(), {"user_id": user_id}) is not None


@cache
def _seat_statement() -> sa.Select[int]:
    return (
        sa.select(CouncilMember.id)
        .where(
            CouncilMember.user_id == sa.bindparam("user_id", type_=sa.Integer),
            CouncilMember.left_on.is_(None),
        )
        .limit(1)
    )


def members_of(council: Council, *, standing: bool = True) -> list[CouncilMember]:
    """Members, titular first then substitutes by list and rank."""
    query = sa.select(CouncilMember).where(CouncilMember.council_id == council.id)
    if standing:
        query = query.where(CouncilMember.left_on.is_(None))
    rows = list(db.session.scalars(query))
    return sorted(
        rows,
        key=lambda m: (
            m.substitute_rank is not None,
            m.college.value,
            m.sex.value,
            m.substitute_rank or 0,
            m.user.pseudonym.lower(),
        ),
    )


def former_members(council: Council) -> list[CouncilMember]:
    return list(
        db.session.scalars(
            sa.select(CouncilMember)
            .where(
                CouncilMember.council_id == council.id,
                CouncilMember.left_on.is_not(None),
            )
            .order_by(CouncilMember.left_on.desc())
        )
    )


def draws_of(council: Council) -> list[CouncilDraw]:
    return list(
        db.session.scalars(
            sa.select(CouncilDraw)
            .where(CouncilDraw.council_id == council.id)
            .order_by(CouncilDraw.imported_at.desc())
        )
    )


def meetings_of(council: Council, *, public_only: bool) -> list[Meeting]:
    query = sa.select(Meeting).where(Meeting.council_id == council.id)
    if public_only:
        query = query.where(Meeting.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Meeting.starts_at.desc())))


def upcoming(council: Council, *, public_only: bool, limit: int = 5) -> list[Meeting]:
    query = sa.select(Meeting).where(
        Meeting.council_id == council.id,
        Meeting.ends_at >= utcnow(),
        Meeting.state != MeetingState.CANCELLED,
    )
    if public_only:
        query = query.where(Meeting.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Meeting.starts_at).limit(limit)))


def feed_meetings(council: Council) -> list[Meeting]:
    """Public meetings of the last year and to come, for the iCal feed."""
    since = utcnow() - timedelta(days=365)
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.council_id == council.id,
                Meeting.is_public.is_(True),
                Meeting.starts_at >= since,
            )
            .order_by(Meeting.starts_at)
        )
    )


# --- Composition dashboard ----------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of the composition chart, with its geometry in the SVG's units."""

    key: str
    label: str
    value: int
    y: int
    width: float


@dataclass
class Composition:
    day: date
    size: int
    residents: int
    local_actors: int
    residents_women: int
    residents_men: int
    women: int
    men: int
    vacant_residents: int
    vacant_local_actors: int
    substitutes: dict[tuple[College, Sex], int]
    residents_share: float
    warnings: list[str] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        return self.vacant_residents + self.vacant_local_actors

    @property
    def is_parity_met(self) -> bool:
        return abs(self.residents_women - self.residents_men) <= PARITY_TOLERANCE


#: Chart geometry: label column, bar area, row height (SVG user units).
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 330
CHART_ROW = 36


def _bars(rows: list[tuple[str, Any, int]]) -> list[Bar]:
    scale = max([value for _key, _label, value in rows] + [1])
    return [
        Bar(
            key=key,
            label=str(label),
            value=value,
            y=index * CHART_ROW + 8,
            width=round(CHART_BAR_WIDTH * value / scale, 1),
        )
        for index, (key, label, value) in enumerate(rows)
    ]


def _warnings(council: Council, figures: Composition) -> list[str]:
    out: list[Any] = []
    low, high = ADVISED_SIZE
    if not low <= figures.size <= high:
        out.append(
            _l(
                "%(n)d titular members: the 2017 circular advises 15 to 50.",
                n=figures.size,
            )
        )
    if figures.size and figures.residents_share < council.min_residents_share:
        out.append(
            _l(
                "Residents hold %(share)d %% of the seats, below the %(min)d %% the"
                " council's policy requires.",
                share=round(figures.residents_share),
                min=council.min_residents_share,
            )
        )
    if council.is_parity_required and not figures.is_parity_met:
        out.append(
            _l(
                "Parity is not met among the residents: %(w)d women, %(m)d men.",
                w=figures.residents_women,
                m=figures.residents_men,
            )
        )
    if figures.vacancies:
        out.append(
            ngettext(
                "%(num)d seat is vacant.",
                "%(num)d seats are vacant.",
                figures.vacancies,
            )
        )
    for sex in (Sex.FEMALE, Sex.MALE):
        if not figures.substitutes.get((College.RESIDENTS, sex)):
            out.append(
                _l(
                    "No substitute is left among the residents (%(sex)s): a new"
                    " draw is needed to replace anyone.",
                    sex=sex.label,
                )
            )
    for facilitator in council.facilitators:
        if facilitator.ends_on < figures.day:
            continue
        if facilitator.ends_on - facilitator.starts_on > FACILITATION_LIMIT:
            out.append(
                _l(
                    "The facilitation by %(name)s lasts more than twelve months; the"
                    " 2017 circular allows a start-up phase of at most one year.",
                    name=facilitator.name,
                )
            )
    return [str(message) for message in out]


def composition(council: Council, day: date | None = None) -> Composition:
    """Figures of the titular members in office on *day* (today by default)."""
    day = day or today_paris()
    counts = titulars_on(council, day)
    size = len(counts.members)
    residents = counts.count(College.RESIDENTS)
    substitutes: dict[tuple[College, Sex], int] = {}
    for member in members_of(council):
        if member.substitute_rank is not None:
            key = (member.college, member.sex)
            substitutes[key] = substitutes.get(key, 0) + 1
    figures = Composition(
        day=day,
        size=size,
        residents=residents,
        local_actors=counts.count(College.LOCAL_ACTORS),
        residents_women=counts.count(College.RESIDENTS, Sex.FEMALE),
        residents_men=counts.count(College.RESIDENTS, Sex.MALE),
        women=counts.count(sex=Sex.FEMALE),
        men=counts.count(sex=Sex.MALE),
        vacant_residents=max(0, council.resident_seats - residents),
        vacant_local_actors=max(
            0, council.local_actor_seats - counts.count(College.LOCAL_ACTORS)
        ),
        substitutes=substitutes,
        residents_share=100 * residents / size if size else 0.0,
    )
    figures.bars = _bars(
        [
            ("residents_women", _l("Residents: women"), figures.residents_women),
            ("residents_men", _l("Residents: men"), figures.residents_men),
            (
                "actors_women",
                _l("Local actors: women"),
                counts.count(College.LOCAL_ACTORS, Sex.FEMALE),
            ),
            (
                "actors_men",
                _l("Local actors: men"),
                counts.count(College.LOCAL_ACTORS, Sex.MALE),
            ),
            ("vacant", _l("Vacant seats"), figures.vacancies),
        ]
    )
    figures.warnings = _warnings(council, figures)
    return figures


# --- Public archive -----------------------------------------------------------


@dataclass
class ArchiveEntry:
    meeting: Meeting
    items: list[AgendaItem]
    decisions: list[Deliberation]
    minutes: Minutes | None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _paris_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=PARIS)


def archive(
    council: Council,
    *,
    text: str = "",
    since: date | None = None,
    until: date | None = None,
) -> list[ArchiveEntry]:
    """Past public meetings: agendas, decisions and published minutes; searchable."""
    query = sa.select(Meeting).where(
        Meeting.council_id == council.id,
        Meeting.is_public.is_(True),
        Meeting.state == MeetingState.CLOSED,
    )
    if since is not None:
        query = query.where(Meeting.starts_at >= _paris_start(since))
    if until is not None:
        query = query.where(Meeting.starts_at < _paris_start(until + timedelta(days=1)))
    words = text.split()
    for word in words:
        pattern = _like(word)

        def has(column: Any, p: str = pattern) -> Any:
            return sa.func.lower(column).like(p, escape="\\")

        query = query.where(
            sa.or_(
                has(Meeting.title),
                has(Meeting.place),
                sa.exists().where(
                    AgendaItem.meeting_id == Meeting.id,
                    AgendaItem.is_public.is_(True),
                    sa.or_(has(AgendaItem.title), has(AgendaItem.description)),
                ),
                sa.exists().where(
                    Deliberation.meeting_id == Meeting.id,
                    AgendaItem.id == Deliberation.agenda_item_id,
                    AgendaItem.is_public.is_(True),
                    has(Deliberation.motion),
                ),
                sa.exists().where(
                    Minutes.meeting_id == Meeting.id,
                    Minutes.state.in_(MINUTES_PUBLIC_STATES),
                    has(Minutes.body),
                ),
            )
        )
    meetings = db.session.scalars(query.order_by(Meeting.starts_at.desc()).limit(200))
    entries = []
    for meeting in meetings:
        items = [item for item in meeting.items if item.is_public]
        minutes = meeting.minutes
        entries.append(
            ArchiveEntry(
                meeting=meeting,
                items=items,
                decisions=[i.deliberation for i in items if i.deliberation is not None],
                minutes=minutes if minutes and minutes.is_public else None,
            )
        )
    return entries


# --- Member space ------------------------------------------------------------


@dataclass
class MemberSpace:
    memberships: list[CouncilMember]
    upcoming: list[Meeting]
    proxies_given: list[Attendance]
    proxies_received: list[Attendance]
    to_review: list[Minutes]


def member_space(user: Any) -> MemberSpace:
    memberships = list(
        db.session.scalars(
            sa.select(CouncilMember)
            .where(CouncilMember.user_id == user.id, CouncilMember.left_on.is_(None))
            .order_by(CouncilMember.council_id)
        )
    )
    council_ids = [m.council_id for m in memberships]
    member_ids = [m.id for m in memberships]
    upcoming_meetings = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.council_id.in_(council_ids),
                Meeting.ends_at >= utcnow(),
                Meeting.state != MeetingState.CANCELLED,
            )
            .order_by(Meeting.starts_at)
        )
    )
    represented = sa.select(Attendance).where(
        Attendance.status == AttendanceStatus.REPRESENTED
    )
    to_review = list(
        db.session.scalars(
            sa.select(Minutes)
            .join(Meeting, Meeting.id == Minutes.meeting_id)
            .where(
                Meeting.council_id.in_(council_ids),
                Minutes.state == MinutesState.PROPOSED,
            )
            .order_by(Meeting.starts_at)
        )
    )
    return MemberSpace(
        memberships=memberships,
        upcoming=upcoming_meetings,
        proxies_given=list(
            db.session.scalars(represented.where(Attendance.member_id.in_(member_ids)))
        ),
        proxies_received=list(
            db.session.scalars(
                represented.where(Attendance.proxy_holder_id.in_(member_ids))
            )
        ),
        to_review=to_review,
    )
