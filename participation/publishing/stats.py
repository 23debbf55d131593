"""Figures of the staff dashboard, as charts (each one also a table).

Participation comes from published results only (running totals stay secret), age
band and sex only from people who chose to give them, and counts of people under 10
are suppressed. Other features add their own sections through
:func:`register_dashboard_section` (the FPH envelope use is the first planned one).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..accounts.models import User
from ..accounts.states import Sex
from ..budget.models import Envelope, Idea, Round, idea_theme
from ..budget.states import IdeaState
from ..core.time import PARIS
from ..extensions import db
from ..followup.models import Project
from ..followup.states import ProjectState
from ..territories.models import Territory, TerritoryKind, Theme
from ..voting.models import SignIn, VoteResult
from ..voting.states import ResultState
from .charts import Chart, Row, Series, percent, suppress_small

ZERO = Decimal("0.00")
#: Age bands (lower bound, upper bound inclusive or None) of the participation chart.
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 17),
    (18, 29),
    (30, 44),
    (45, 59),
    (60, 74),
    (75, None),
)
RETAINED = (IdeaState.ELIGIBLE, IdeaState.SELECTED, IdeaState.NOT_SELECTED)


@dataclass(frozen=True)
class DashboardSection:
    """A block of charts another feature adds to the dashboard."""

    id: str
    title: str
    charts: list[Chart]


#: Providers of extra sections. EXTENSION POINT: the FPH feature registers its
#: "envelope use per fund" section here (``register_dashboard_section``).
_SECTIONS: list[Callable[[], DashboardSection]] = []


def register_dashboard_section(provider: Callable[[], DashboardSection]) -> None:
    """Add a section to the staff dashboard (called once at app set-up)."""
    if provider not in _SECTIONS:
        _SECTIONS.append(provider)


def extra_sections() -> list[DashboardSection]:
    return [provider() for provider in _SECTIONS]


def qpv() -> list[Territory]:
    return list(
        db.session.scalars(
            sa.select(Territory)
            .where(Territory.kind == TerritoryKind.QPV, Territory.is_active.is_(True))
            .order_by(Territory.name)
        )
    )


def _themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.position)))


# ---------------------------------------------------------------------------
# Ideas
# ---------------------------------------------------------------------------


def ideas_per_qpv() -> Chart:
    counts = {
        territory_id: (total, retained, won)
        for territory_id, total, retained, won in db.session.execute(
            sa.select(
                Idea.territory_id,
                sa.func.count(),
                sa.func.sum(sa.case((Idea.state.in_(RETAINED), 1), else_=0)),
                sa.func.sum(sa.case((Idea.state == IdeaState.SELECTED, 1), else_=0)),
            )
            .where(Idea.submitted_at.is_not(None))
            .group_by(Idea.territory_id)
        )
    }
    rows = tuple(
        Row(t.name, tuple(int(v or 0) for v in counts.get(t.id, (0, 0, 0))))
        for t in qpv()
    )
    return Chart(
        id="ideas-qpv",
        title=_("Ideas per neighbourhood"),
        description=_(
            "Ideas submitted in each neighbourhood, those retained for a vote and"
            " the winning ones."
        ),
        row_header=_("Neighbourhood"),
        series=(
            Series("submitted", _("Ideas submitted")),
            Series("retained", _("Put to the vote")),
            Series("won", _("Winning")),
        ),
        rows=rows,
    )


def _theme_counts() -> list[tuple[int | None, int, int]]:
    return [
        (territory_id, theme_id, count)
        for territory_id, theme_id, count in db.session.execute(
            sa.select(Idea.territory_id, idea_theme.c.theme_id, sa.func.count())
            .join(idea_theme, idea_theme.c.idea_id == Idea.id)
            .where(Idea.submitted_at.is_not(None))
            .group_by(Idea.territory_id, idea_theme.c.theme_id)
        )
    ]


def ideas_per_theme() -> Chart:
    per_theme: Counter[int] = Counter()
    for _territory_id, theme_id, count in _theme_counts():
        per_theme[theme_id] += count
    rows = tuple(
        Row(t.label, (per_theme.get(t.id, 0),))
        for t in _themes()
        if per_theme.get(t.id) or t.is_active
    )
    return Chart(
        id="ideas-theme",
        title=_("Ideas per theme"),
        description=_(
            "Ideas submitted per theme, all neighbourhoods together. An idea with"
            " several themes counts in each."
        ),
        row_header=_("Theme"),
        series=(Series("ideas", _("Ideas")),),
        rows=rows,
    )


def ideas_per_qpv_and_theme() -> Chart:
    """The cross table (no bars: eleven series would not read as a chart)."""
    themes = [t for t in _themes() if t.is_active]
    index = {(r, c): n for r, c, n in _theme_counts()}
    rows = tuple(
        Row(t.name, tuple(index.get((t.id, theme.id), 0) for theme in themes))
        for t in qpv()
    )
    return Chart(
        id="ideas-qpv-theme",
        title=_("Ideas per neighbourhood and theme"),
        description=_("Ideas submitted, per neighbourhood (rows) and theme (columns)."),
        row_header=_("Neighbourhood"),
        series=tuple(Series(str(t.id), t.label, charted=False) for t in themes),
        rows=rows,
    )


# ---------------------------------------------------------------------------
# Participation (published results only)
# ---------------------------------------------------------------------------


def published_results() -> list[tuple[VoteResult, Envelope, Round]]:
    return [
        (result, envelope, round_)
        for result, envelope, round_ in db.session.execute(
            sa.select(VoteResult, Envelope, Round)
            .join(Envelope, Envelope.id == VoteResult.envelope_id)
            .join(Round, Round.id == Envelope.round_id)
            .join(Territory, Territory.id == Envelope.territory_id)
            .where(
                VoteResult.state == ResultState.PUBLISHED,
                Territory.is_active.is_(True),
            )
            .order_by(VoteResult.published_at)
        )
    ]


def participation_per_qpv() -> Chart:
    results = published_results()
    rows = []
    for territory in qpv():
        mine = [(r, e) for r, e, _round in results if e.territory_id == territory.id]
        voters = sum(r.num_sign_ins for r, _e in mine)
        last = mine[-1][0] if mine else None
        rate = percent(last.num_sign_ins, last.population) if last else None
        rows.append(Row(territory.name, (len(mine), voters, rate)))
    return Chart(
        id="participation-qpv",
        title=_("Participation per neighbourhood"),
        description=_(
            "Voters in the published votes of each neighbourhood, and the share of"
            " residents who voted in the latest one."
        ),
        row_header=_("Neighbourhood"),
        series=(
            Series("votes", _("Votes counted"), charted=False),
            Series("voters", _("Voters (all votes)")),
            Series("rate", _("Latest vote: voters per 100 residents"), charted=False),
        ),
        rows=tuple(rows),
        note=_("From published results only."),
    )


def participation_per_channel() -> Chart:
    per_qpv: dict[int, Counter[str]] = defaultdict(Counter)
    for result, envelope, _round in published_results():
        for channel, figures in (result.participation or {}).items():
            per_qpv[envelope.territory_id][channel] += int(
                (figures or {}).get("sign_ins", 0)
            )
    rows = tuple(
        Row(t.name, (per_qpv[t.id]["online"], per_qpv[t.id]["paper"])) for t in qpv()
    )
    return Chart(
        id="participation-channel",
        title=_("Participation per channel"),
        description=_(
            "Voters online and on paper at a polling desk, per neighbourhood,"
            " in the published votes."
        ),
        row_header=_("Neighbourhood"),
        series=(Series("online", _("Online")), Series("paper", _("On paper"))),
        rows=rows,
    )


def _voters() -> list[tuple[int | None, Sex | None, datetime]]:
    """(birth year, sex, vote close) of each person signed in to a published vote."""
    return [
        (birth_year, sex, closes_at)
        for birth_year, sex, closes_at in db.session.execute(
            sa.select(User.birth_year, User.sex, Round.vote_closes_at)
            .select_from(SignIn)
            .join(User, User.id == SignIn.person_id)
            .join(Round, Round.id == SignIn.round_id)
            .join(
                Envelope,
                sa.and_(
                    Envelope.round_id == SignIn.round_id,
                    Envelope.territory_id == SignIn.territory_id,
                ),
            )
            .join(VoteResult, VoteResult.envelope_id == Envelope.id)
            .where(VoteResult.state == ResultState.PUBLISHED)
        )
    ]


def band_label(low: int, high: int | None) -> str:
    if low == 0 and high is not None:
        return str(_("Under %(age)d", age=high + 1))
    if high is None:
        return str(_("%(age)d and over", age=low))
    return str(_("%(low)d to %(high)d", low=low, high=high))


def _band(age: int) -> int:
    for n, (low, high) in enumerate(AGE_BANDS):
        if age >= low and (high is None or age <= high):
            return n
    return 0


def _suppression_note(unanswered: int) -> str:
    shown = suppress_small(unanswered)
    parts = [
        _("Counts from 1 to 9 are not shown: they could point at people."),
    ]
    if shown is None:
        parts.append(_("Fewer than 10 voters did not answer."))
    elif shown:
        parts.append(
            ngettext(
                "%(num)d voter did not answer and is not counted.",
                "%(num)d voters did not answer and are not counted.",
                shown,
            )
        )
    return " ".join(parts)


def participation_per_age() -> Chart:
    bands: Counter[int] = Counter()
    unanswered = 0
    for birth_year, _sex, closes_at in _voters():
        if birth_year is None:
            unanswered += 1
            continue
        bands[_band(closes_at.astimezone(PARIS).year - birth_year)] += 1
    rows = tuple(
        Row(band_label(low, high), (suppress_small(bands[n]),))
        for n, (low, high) in enumerate(AGE_BANDS)
    )
    return Chart(
        id="participation-age",
        title=_("Voters per age band"),
        description=_(
            "Age in the year of the vote, for voters who gave their year of birth."
        ),
        row_header=_("Age"),
        series=(Series("voters", _("Voters")),),
        rows=rows,
        note=_suppression_note(unanswered),
    )


def participation_per_sex() -> Chart:
    counts: Counter[Sex] = Counter()
    unanswered = 0
    for _birth_year, sex, _closes_at in _voters():
        if sex is None:
            unanswered += 1
        else:
            counts[sex] += 1
    rows = tuple(Row(sex.label, (suppress_small(counts[sex]),)) for sex in Sex)
    return Chart(
        id="participation-sex",
        title=_("Voters per sex"),
        description=_("For voters who chose to answer."),
        row_header=_("Sex"),
        series=(Series("voters", _("Voters")),),
        rows=rows,
        note=_suppression_note(unanswered),
    )


# ---------------------------------------------------------------------------
# Money and delivery
# ---------------------------------------------------------------------------


def _money_series() -> tuple[Series, ...]:
    return (
        Series("voted", _("Voted")),
        Series("committed", _("Committed")),
        Series("spent", _("Spent")),
    )


def _sums() -> tuple[Any, ...]:
    return (
        sa.func.coalesce(sa.func.sum(Project.amount_voted), 0),
        sa.func.coalesce(sa.func.sum(Project.amount_committed), 0),
        sa.func.coalesce(sa.func.sum(Project.amount_spent), 0),
    )


def _money(values: Any) -> tuple[Decimal, ...]:
    return tuple(Decimal(v or 0).quantize(Decimal("0.01")) for v in values)


def money_per_qpv() -> Chart:
    sums = {
        row[0]: _money(row[1:])
        for row in db.session.execute(
            sa.select(Project.territory_id, *_sums()).group_by(Project.territory_id)
        )
    }
    rows = tuple(Row(t.name, sums.get(t.id, (ZERO, ZERO, ZERO))) for t in qpv())
    return Chart(
        id="money-qpv",
        title=_("Money per neighbourhood"),
        description=_(
            "Money voted for the projects of each neighbourhood, then committed"
            " and spent by the city."
        ),
        row_header=_("Neighbourhood"),
        series=_money_series(),
        rows=rows,
        unit="euros",
    )


def money_per_theme() -> Chart:
    sums = {
        row[0]: _money(row[1:])
        for row in db.session.execute(
            sa.select(idea_theme.c.theme_id, *_sums())
            .join(idea_theme, idea_theme.c.idea_id == Project.idea_id)
            .group_by(idea_theme.c.theme_id)
        )
    }
    rows = tuple(Row(t.label, sums[t.id]) for t in _themes() if t.id in sums)
    return Chart(
        id="money-theme",
        title=_("Money per theme"),
        description=_(
            "Money of the projects per theme. A project with several themes counts"
            " in each, so the lines add up to more than the total."
        ),
        row_header=_("Theme"),
        series=_money_series(),
        rows=rows,
        unit="euros",
    )


def _year(moment: datetime | None) -> int | None:
    return moment.astimezone(PARIS).year if moment is not None else None


def delivery_over_time() -> Chart:
    decided: Counter[int] = Counter()
    delivered: Counter[int] = Counter()
    abandoned: Counter[int] = Counter()
    for decided_on, state, delivered_at, abandoned_at in db.session.execute(
        sa.select(
            Project.decided_on,
            Project.state,
            Project.delivered_at,
            Project.abandoned_at,
        )
    ):
        decided[decided_on.year] += 1
        delivered_year = _year(delivered_at)
        if state is ProjectState.DELIVERED and delivered_year is not None:
            delivered[delivered_year] += 1
        abandoned_year = _year(abandoned_at)
        if state is ProjectState.ABANDONED and abandoned_year is not None:
            abandoned[abandoned_year] += 1
    years = sorted(set(decided) | set(delivered) | set(abandoned))
    rows = tuple(Row(str(y), (decided[y], delivered[y], abandoned[y])) for y in years)
    return Chart(
        id="delivery",
        title=_("Delivery of the projects over time"),
        description=_(
            "Per year: projects decided by a vote, projects delivered and projects"
            " abandoned."
        ),
        row_header=_("Year"),
        series=(
            Series("decided", _("Decided")),
            Series("delivered", _("Delivered")),
            Series("abandoned", _("Abandoned")),
        ),
        rows=rows,
    )


def dashboard() -> list[tuple[str, str, list[Chart]]]:
    """The dashboard's sections: (id, title, charts)."""
    return [
        ("ideas", _("Ideas"), [ideas_per_qpv(), ideas_per_theme()]),
        (
            "participation",
            _("Participation in the votes"),
            [
                participation_per_qpv(),
                participation_per_channel(),
                participation_per_age(),
                participation_per_sex(),
            ],
        ),
        ("money", _("Money"), [money_per_qpv(), money_per_theme()]),
        ("delivery", _("Projects"), [delivery_over_time()]),
    ]
