"""Open data: the datasets, their Table Schemas and the CSV and JSON writers.

Each dataset's columns are those of its Table Schema (``schemas/<name>.json``,
shipped with the code): the schema is the documentation and the contract. CSV files
are UTF-8 with a byte-order mark and ``;`` between cells, decimal comma in numbers:
a spreadsheet set to French opens them right (it takes ``,`` for the decimal mark,
so ``,`` cannot also separate cells, and without the mark it guesses the wrong
encoding). A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is prefixed with ``'`` so that no spreadsheet runs it as a formula. No
dataset holds personal data: no author, follower, voter, address or free text
typed by a resident.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from ..budget.models import Envelope, Idea, Round
from ..core.i18n import lazy_gettext as _l
from ..core.time import PARIS
from ..council.models import AgendaItem, Attendance, Council, Deliberation, Meeting
from ..council.states import MINUTES_PUBLIC_STATES, AttendanceStatus, MeetingState
from ..extensions import db
from ..followup.models import Milestone, Project, ProjectUpdate
from ..territories.models import Territory
from ..voting.models import VoteResult
from ..voting.states import ResultState

LICENCE = "Licence Ouverte / Open Licence 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, Any]


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The Table Schema of dataset *name* (from the package's schemas folder)."""
    path = resources.files(__package__) / "schemas" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def field_names(name: str) -> list[str]:
    return [f["name"] for f in schema(name)["fields"]]


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running *text* as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(field: dict[str, Any], value: Any) -> str:
    """*value* written as the schema's *field* says (empty for None)."""
    if value is None:
        return ""
    kind = field["type"]
    if kind == "number":
        text = format(Decimal(value), "f")
        return text.replace(".", field.get("decimalChar", "."))
    if kind == "integer":
        return str(int(value))
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == "datetime":
        return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return neutralise(str(value))


def to_csv(name: str, rows: Iterable[Row]) -> str:
    """The dataset as CSV text (with its byte-order mark, ``;``, CRLF)."""
    fields = schema(name)["fields"]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        writer.writerow([csv_cell(f, row.get(f["name"])) for f in fields])
    return out.getvalue()


def json_value(field: dict[str, Any], value: Any) -> Any:
    if value is None:
        return None
    kind = field["type"]
    if kind == "number":
        return float(value)  # JSON numbers: 2 decimals read back exactly
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("date", "datetime"):
        return csv_cell(field, value)
    return str(value)


def to_json(name: str, rows: Iterable[Row], *, schema_url: str) -> str:
    """The dataset as a JSON document: metadata and the rows, schema order."""
    fields = schema(name)["fields"]
    document = {
        "dataset": name,
        "title": schema(name)["title"],
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "schema": schema_url,
        "rows": [
            {f["name"]: json_value(f, row.get(f["name"])) for f in fields}
            for row in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(PARIS).date() if moment is not None else None


def _territory(territory: Territory | None) -> Row:
    if territory is None:
        return {"territory_code": None, "territory_name": ""}
    return {"territory_code": territory.code, "territory_name": territory.name}


def idea_rows() -> Iterator[Row]:
    projects = {
        idea_id: project_id
        for idea_id, project_id in db.session.execute(
            sa.select(Project.idea_id, Project.id).where(Project.idea_id.is_not(None))
        )
    }
    ideas = db.session.scalars(
        sa.select(Idea)
        .where(Idea.submitted_at.is_not(None))
        .options(
            selectinload(Idea.themes),
            selectinload(Idea.territory),
            selectinload(Idea.round),
        )
        .order_by(Idea.id)
    )
    with force_locale("fr"):
        for idea in ideas:
            hidden = not idea.shows_content
            yield {
                "idea_id": idea.id,
                "round_id": idea.round_id,
                "round_title": idea.round.title,
                **_territory(idea.territory),
                "title": None if hidden else idea.title,
                "state": idea.state.value,
                "state_label": idea.state.label,
                "themes": None if hidden else ",".join(t.code for t in idea.themes),
                "estimated_cost": None if hidden else idea.estimated_cost,
                "final_cost": idea.final_cost,
                "submitted_on": _day(idea.submitted_at),
                "decided_on": _day(idea.decided_at),
                "transfer_service": idea.transfer_service,
                "transfer_status": (
                    idea.transfer_status.value if idea.transfer_status else None
                ),
                "merged_into_id": idea.merged_into_id,
                "project_id": projects.get(idea.id),
            }


def project_rows() -> Iterator[Row]:
    projects = db.session.scalars(
        sa.select(Project)
        .options(
            selectinload(Project.territory),
            selectinload(Project.objectives),
            selectinload(Project.milestones),
            selectinload(Project.updates),
            selectinload(Project.idea).selectinload(Idea.themes),
        )
        .order_by(Project.id)
    )
    with force_locale("fr"):
        for p in projects:
            yield {
                "project_id": p.id,
                "source_kind": p.source_kind.value if p.source_kind else None,
                "idea_id": p.idea_id,
                "round_id": p.round_id,
                **_territory(p.territory),
                "title": p.title,
                "state": p.state.value,
                "state_label": p.state.label,
                "decided_on": p.decided_on,
                "started_on": _day(p.started_at),
                "delivered_on": _day(p.delivered_at),
                "abandoned_on": _day(p.abandoned_at),
                "abandon_reason": p.abandon_reason,
                "progress_percent": p.progress_percent,
                "amount_voted": p.amount_voted,
                "amount_committed": p.amount_committed,
                "amount_spent": p.amount_spent,
                "overspend_reason": p.overspend_reason,
                "service_in_charge": p.service_in_charge or None,
                "place": p.place or None,
                "latitude": p.latitude,
                "longitude": p.longitude,
                "themes": ",".join(t.code for t in p.idea.themes) if p.idea else None,
                "objectives": ",".join(o.code for o in p.objectives) or None,
                "milestones": len(p.milestones),
                "updates": sum(1 for u in p.updates if not u.is_withdrawn),
            }


def milestone_rows() -> Iterator[Row]:
    for m in db.session.scalars(sa.select(Milestone).order_by(Milestone.id)):
        yield {
            "milestone_id": m.id,
            "project_id": m.project_id,
            "title": m.title,
            "planned_on": m.planned_on,
            "actual_on": m.actual_on,
        }


def update_rows() -> Iterator[Row]:
    updates = db.session.scalars(
        sa.select(ProjectUpdate)
        .where(ProjectUpdate.withdrawn_at.is_(None))
        .options(selectinload(ProjectUpdate.photos))
        .order_by(ProjectUpdate.id)
    )
    for u in updates:
        yield {
            "update_id": u.id,
            "project_id": u.project_id,
            "published_at": u.published_at,
            "title": u.title,
            "body": u.body,
            "photos": len(u.public_photos),
        }


def published_results() -> list[tuple[VoteResult, Envelope, Round, Territory]]:
    return [
        tuple(row)  # type: ignore[misc]
        for row in db.session.execute(
            sa.select(VoteResult, Envelope, Round, Territory)
            .join(Envelope, Envelope.id == VoteResult.envelope_id)
            .join(Round, Round.id == Envelope.round_id)
            .join(Territory, Territory.id == Envelope.territory_id)
            .where(VoteResult.state == ResultState.PUBLISHED)
            .order_by(Envelope.id)
        )
    ]


def result_rows() -> Iterator[Row]:
    for result, envelope, round_, territory in published_results():
        channels = result.participation or {}

        def voters(channel: str, figures: dict[str, Any] = channels) -> int:
            return int((figures.get(channel) or {}).get("sign_ins", 0))

        rate = (
            (Decimal(result.num_sign_ins) * 100 / result.population).quantize(
                Decimal("0.1")
            )
            if result.population
            else None
        )
        yield {
            "envelope_id": envelope.id,
            "round_id": round_.id,
            "round_title": round_.title,
            **_territory(territory),
            "published_on": _day(result.published_at),
            "rule": result.rule.value,
            "budget": result.budget,
            "allocated": result.allocated,
            "amount_left": result.amount_left,
            "ballots": result.num_ballots,
            "voters": result.num_sign_ins,
            "voters_online": voters("online"),
            "voters_paper": voters("paper"),
            "population": result.population,
            "participation_rate": rate,
            "winners": len(result.winners or []),
            "ballot_set_hash": result.ballot_set_hash,
        }


def result_project_rows() -> Iterator[Row]:
    for result, envelope, _round, _territory in published_results():
        ids = [int(key) for key in (result.support or {})]
        ideas = {
            i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_(ids)))
        }
        winners = set(result.winners or [])
        for key, support in sorted(
            (result.support or {}).items(), key=lambda item: int(item[0])
        ):
            idea = ideas.get(int(key))
            if idea is None:
                continue
            yield {
                "envelope_id": envelope.id,
                "idea_id": idea.id,
                "title": idea.title,
                "cost": idea.final_cost or Decimal("0"),
                "support": int(support),
                "selected": key in winners,
            }


def external_url(endpoint: str, **values: Any) -> str:
    """The full address of a page, also outside a request (a test, a command)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, _external=True, **values)


def _council_territory(council: Council) -> Row:
    territory = council.territory
    return {
        "territory_code": territory.code if territory else None,
        "territory_name": territory.name if territory else None,
    }


def _public_minutes_url(meeting: Meeting) -> str | None:
    minutes = meeting.minutes
    if minutes is None or minutes.state not in MINUTES_PUBLIC_STATES:
        return None
    return external_url("council.minutes_detail", meeting_id=meeting.id)


def _attendance_counts() -> dict[int, dict[AttendanceStatus, int]]:
    counts: dict[int, dict[AttendanceStatus, int]] = {}
    for meeting_id, status, number in db.session.execute(
        sa.select(Attendance.meeting_id, Attendance.status, sa.func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.is_public.is_(True))
        .group_by(Attendance.meeting_id, Attendance.status)
    ):
        counts.setdefault(meeting_id, {})[status] = int(number)
    return counts


def _public_decisions() -> sa.Select[Any]:
    """Votes on public items of closed public meetings (what the archive shows)."""
    return (
        sa.select(Deliberation)
        .join(AgendaItem, AgendaItem.id == Deliberation.agenda_item_id)
        .join(Meeting, Meeting.id == Deliberation.meeting_id)
        .where(
            AgendaItem.is_public.is_(True),
            Meeting.is_public.is_(True),
            Meeting.state == MeetingState.CLOSED,
        )
    )


def council_meeting_rows() -> Iterator[Row]:
    attendance = _attendance_counts()
    decisions = Counter(d.meeting_id for d in db.session.scalars(_public_decisions()))
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.is_public.is_(True))
        .options(
            selectinload(Meeting.council).selectinload(Council.territory),
            selectinload(Meeting.minutes),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    with force_locale("fr"):
        for m in meetings:
            counts = attendance.get(m.id, {})
            opened = m.opening_quorum_required is not None
            yield {
                "meeting_id": m.id,
                "council_id": m.council_id,
                "council_name": m.council.name,
                **_council_territory(m.council),
                "kind": m.kind.value,
                "kind_label": m.kind.label,
                "title": m.title,
                "starts_at": m.starts_at,
                "ends_at": m.ends_at,
                "place": m.place or None,
                "state": m.state.value,
                "state_label": m.state.label,
                "quorum_required": m.opening_quorum_required,
                "quorum_counted": m.opening_quorum_counted,
                "quorum_reached": (
                    (m.opening_quorum_counted or 0) >= (m.opening_quorum_required or 0)
                    if opened
                    else None
                ),
                "present": counts.get(AttendanceStatus.PRESENT, 0),
                "represented": counts.get(AttendanceStatus.REPRESENTED, 0),
                "excused": counts.get(AttendanceStatus.EXCUSED, 0),
                "absent": counts.get(AttendanceStatus.ABSENT, 0),
                "decisions": decisions.get(m.id, 0),
                "minutes_url": _public_minutes_url(m),
            }


def council_decision_rows() -> Iterator[Row]:
    deliberations = db.session.scalars(
        _public_decisions()
        .options(
            selectinload(Deliberation.item),
            selectinload(Deliberation.meeting)
            .selectinload(Meeting.council)
            .selectinload(Council.territory),
            selectinload(Deliberation.meeting).selectinload(Meeting.minutes),
        )
        .order_by(Deliberation.voted_at, Deliberation.id)
    )
    with force_locale("fr"):
        for d in deliberations:
            council = d.meeting.council
            yield {
                "DELIB_ID": f"CC-{council.id}-{d.id}",
                "COLL_NOM": council.name,
                "council_id": council.id,
                "territory_code": council.territory.code if council.territory else None,
                "meeting_id": d.meeting_id,
                "DELIB_DATE": _day(d.voted_at),
                "DELIB_OBJET": d.item.title,
                "DELIB_MATIERE_NOM": d.decision_kind.label,
                "decision_kind": d.decision_kind.value,
                "decision_text": d.motion,
                "majority": d.majority.value,
                "method": d.method.value,
                "VOTE_EFFECTIF": d.entitled_count,
                "VOTE_REEL": d.votes_for + d.votes_against + d.abstentions,
                "VOTE_POUR": d.votes_for,
                "VOTE_CONTRE": d.votes_against,
                "VOTE_ABSTENTION": d.abstentions,
                "recused": d.recused_count,
                "quorum_required": d.quorum_required,
                "quorum_counted": d.quorum_counted,
                "outcome": d.outcome.value,
                "outcome_label": d.outcome.label,
                "DELIB_URL": _public_minutes_url(d.meeting),
            }


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    description: Any
    rows: Callable[[], Iterable[Row]]

    @property
    def fields(self) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = schema(self.name)["fields"]
        return fields


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "ideas",
        _l("Ideas of the participatory budget"),
        _l("Every idea submitted and where it stands now. No author, no description."),
        idea_rows,
    ),
    Dataset(
        "projects",
        _l("Projects and their follow-up"),
        _l("Status, progress, money voted, committed and spent, service in charge."),
        project_rows,
    ),
    Dataset(
        "project_milestones",
        _l("Milestones of the projects"),
        _l("The dated steps of each project: planned and reached."),
        milestone_rows,
    ),
    Dataset(
        "project_updates",
        _l("News of the projects"),
        _l("The news the city published on each project."),
        update_rows,
    ),
    Dataset(
        "results",
        _l("Results of the votes"),
        _l("One line per neighbourhood and round: money, ballots, participation."),
        result_rows,
    ),
    Dataset(
        "result_projects",
        _l("Projects put to the votes"),
        _l("Each project of a published vote: cost, support, winner or not."),
        result_project_rows,
    ),
    Dataset(
        "council_meetings",
        _l("Meetings of the citizens' councils"),
        _l(
            "Public meetings: date, kind, council, quorum reached and attendance"
            " counts. No member's name."
        ),
        council_meeting_rows,
    ),
    Dataset(
        "council_decisions",
        _l("Decisions of the citizens' councils"),
        _l(
            "Deliberations voted in public meetings: decision text, for, against,"
            " abstentions, outcome, link to the minutes. SCDL Délibérations column"
            " names where they apply; no one's individual vote."
        ),
        council_decision_rows,
    ),
)

BY_NAME = {d.name: d for d in DATASETS}

#: Datasets announced but not yet produced (their features come later).
COMING: tuple[tuple[Any, Any], ...] = ()
