"""pabulib archives: import an election as a closed round, export a vote as ``.pb``.

Import (``import_election``) creates, in the caller's transaction (all or nothing):
a round whose calendar ends with the file's dates, one envelope holding the budget,
one retained idea per project (submitted by a system author "pabulib archive", then
reviewed and retained by the system through budget's workflow, at past dates), frozen
vote rules taken from META, then every vote as a ballot in the ballot box,
bulk-inserted. There is no sign-in list: the voters of an archive are not people of
this site (the file's voter ids are dropped, not stored). Finally the election is
counted, certified and published by the system (``core.actors.SYSTEM``, through the
result's workflow); the ideas' final states follow the file's ``selected`` column
when it has one (the official outcome), the count otherwise; the count and any
disagreement stay on the result.

Export (``export_envelope``) writes what pabulib publishes and ``pabulib-checker``
accepts: one line per ballot in random order with random voter ids, no other voter data.
"""

from __future__ import annotations

import os
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.states import VerificationLevel
from ..budget import services as budget_services
from ..budget.models import Envelope, Idea, Round
from ..budget.states import IdeaAction
from ..core import audit
from ..core.actors import SYSTEM
from ..core.errors import Conflict
from ..core.i18n import lazy_gettext as _l
from ..core.time import PARIS, utcnow
from ..extensions import db
from ..territories.models import Commune, Territory, TerritoryKind
from . import pabulib, services
from .counting import CountingRule, TieBreak
from .models import VoteResult, VoteRules
from .states import BallotType, Channel, ResultAction

#: Pseudonym of the system author of imported projects.
ARCHIVE_AUTHOR = "archives-pabulib"
#: Ballots inserted per statement (and per progress step).
CHUNK = 5000

#: pabulib ``rule`` → our counting rule (``equalshares/add1``: nearest is MES + greedy).
RULES_FROM_PABULIB = {
    "greedy": CountingRule.GREEDY,
    "greedy-threshold": CountingRule.GREEDY_THRESHOLD,
    "equalshares": CountingRule.MES,
    "equalshares-comparison": CountingRule.MES_GREEDY,
    "equalshares/add1": CountingRule.MES_GREEDY,
    "equalshares/add1-comparison": CountingRule.MES_GREEDY,
}
#: Our counting rule → pabulib ``rule`` (MES completed by greedy has no pabulib name).
RULES_TO_PABULIB = {
    CountingRule.GREEDY: "greedy",
    CountingRule.GREEDY_THRESHOLD: "greedy-threshold",
    CountingRule.MES: "equalshares",
    CountingRule.MES_GREEDY: "unknown",
}
_CHANNELS = {"internet": Channel.ONLINE, "paper": Channel.PAPER}

#: A ballot's channel is published only when every channel of the envelope holds at
#: least this many ballots: the three paper ballots of a small desk, each marked
#: "paper", would tell a neighbour who saw someone vote there how they voted.
MIN_BALLOTS_PER_CHANNEL = 10


@dataclass(frozen=True)
class ImportReport:
    """What an import created."""

    round_id: int
    envelope_id: int
    projects: int
    ballots: int
    winners: tuple[str, ...]
    #: The file's ``selected`` projects (pabulib ids), when it has the column.
    file_selected: tuple[str, ...] | None
    seconds: float


def _parse_day(text: str | None) -> date | None:
    """``DD.MM.YYYY`` or ``YYYY`` (pabulib), or an ISO date; None if unreadable."""
    if not text:
        return None
    value = text.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    return None


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def _calendar(meta: dict[str, str], now: datetime) -> dict[str, datetime]:
    """A past calendar ending with the file's vote dates (a week before now if none)."""
    begin = _parse_day(meta.get("date_begin"))
    end = _parse_day(meta.get("date_end"))
    closes = _paris_midnight(end + timedelta(days=1)) if end else None
    if closes is None or closes > now:
        closes = now - timedelta(days=1)
    opens = _paris_midnight(begin) if begin else None
    if opens is None or opens >= closes:
        opens = closes - timedelta(days=7)
    return {
        "published_at": opens - timedelta(days=5),
        "submission_opens_at": opens - timedelta(days=4),
        "submission_closes_at": opens - timedelta(days=3),
        "review_closes_at": opens - timedelta(days=2),
        "announcement_at": opens - timedelta(days=1),
        "vote_opens_at": opens,
        "vote_closes_at": closes,
    }


def archive_author() -> User:
    """The system account that authors imported projects (created once)."""
    user = db.session.scalar(sa.select(User).where(User.pseudonym == ARCHIVE_AUTHOR))
    if user is None:
        user = User(pseudonym=ARCHIVE_AUTHOR, is_active=False)
        db.session.add(user)
        db.session.flush()
    return user


def archive_territory(meta: dict[str, str]) -> Territory:
    """A "hors QPV" territory named after the file (found again on a second import)."""
    unit = meta.get("unit", "").strip() or "pabulib"
    part = (meta.get("subunit") or meta.get("district") or "").strip()
    name = (f"{unit} - {part}" if part else unit)[:120]
    territory = db.session.scalar(
        sa.select(Territory).where(
            Territory.name == name, Territory.kind == TerritoryKind.OUTSIDE
        )
    )
    if territory is not None:
        return territory
    commune = db.session.scalar(sa.select(Commune).where(Commune.name == unit))
    if commune is None:
        commune = db.session.scalar(sa.select(Commune).order_by(Commune.id).limit(1))
    if commune is None:
        commune = Commune(insee_code="00000", name=unit[:120])
        db.session.add(commune)
    territory = Territory(
        commune=commune, kind=TerritoryKind.OUTSIDE, name=name, is_active=False
    )
    db.session.add(territory)
    db.session.flush()
    return territory


def _rules_from_meta(
    election: pabulib.PbElection,
    rule: CountingRule | None,
    threshold: int | None,
    tie_break: TieBreak,
) -> dict[str, Any]:
    meta = election.meta
    cumulative = election.vote_type in pabulib.POINT_VOTE_TYPES
    counting = rule or RULES_FROM_PABULIB.get(election.rule, CountingRule.GREEDY)
    if threshold is None:
        threshold = int(meta.get("min_project_score_threshold") or 0)
    if counting is CountingRule.GREEDY and threshold:
        counting = CountingRule.GREEDY_THRESHOLD
    if counting is not CountingRule.GREEDY_THRESHOLD:
        threshold = 0
    max_length = pabulib.optional_int(meta.get("max_length"))
    if election.vote_type == "choose-1":
        max_length = 1
    min_length = pabulib.optional_int(meta.get("min_length")) or 0
    if max_length is not None and max_length < max(min_length, 1):
        max_length = None
    fields: dict[str, Any] = {
        "ballot_type": BallotType.CUMULATIVE if cumulative else BallotType.APPROVAL,
        "min_projects": min_length,
        "max_projects": max_length,
        "required_level": VerificationLevel.DECLARED,
        "counting_rule": counting,
        "threshold": threshold,
        "tie_break": tie_break,
    }
    if cumulative:
        sums = [sum(v.points or ()) for v in election.votes] or [1]
        peaks = [max(v.points or (0,)) for v in election.votes] or [1]
        total = pabulib.optional_int(meta.get("max_sum_points")) or max(sums)
        cap = pabulib.optional_int(meta.get("max_points")) or max(peaks)
        total = max(total, 1)
        fields["total_points"] = total
        fields["max_points_per_project"] = min(max(cap, 1), total)
    return fields


def import_election(
    election: pabulib.PbElection,
    *,
    territory: Territory | None = None,
    title: str | None = None,
    rule: CountingRule | None = None,
    threshold: int | None = None,
    tie_break: TieBreak = TieBreak.SUPPORT_COST_ORDER,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import *election* as a closed, counted and published round (module docstring).

    Flushes; the caller commits once, or rolls back on any error (all or nothing).
    *progress* is called with the number of ballots inserted since the last call.
    """
    started = utcnow()
    now = now or started
    territory = territory or archive_territory(election.meta)
    dates = _calendar(election.meta, now)
    round_ = _archive_round(election, territory, title, dates)
    envelope = round_.envelopes[0]
    ideas = _import_projects(election, round_, territory, archive_author(), dates)
    rules_fields = _rules_from_meta(election, rule, threshold, tie_break)
    db.session.add(
        VoteRules(round_id=round_.id, frozen_at=dates["vote_opens_at"], **rules_fields)
    )
    db.session.flush()
    _insert_ballots(election, envelope, ideas, progress)
    counted, file_selected = _count_and_publish(election, envelope, ideas, now)
    return ImportReport(
        round_id=round_.id,
        envelope_id=envelope.id,
        projects=len(ideas),
        ballots=len(election.votes),
        winners=counted,
        file_selected=file_selected,
        seconds=(utcnow() - started).total_seconds(),
    )


def _archive_round(
    election: pabulib.PbElection,
    territory: Territory,
    title: str | None,
    dates: dict[str, datetime],
) -> Round:
    """The closed round of an archive, with one envelope holding the file's budget."""
    meta = election.meta
    costs = [p.cost for p in election.projects.values()]
    round_ = Round(
        title=(title or meta.get("description") or f"{meta.get('unit', '')}")[:200],
        description=str(
            _l(
                "Archive imported from pabulib (%(unit)s, %(instance)s).",
                unit=meta.get("unit", ""),
                instance=meta.get("instance", ""),
            )
        ),
        min_cost=Decimal("0.00"),
        max_cost=max([*costs, Decimal("0.00")]),
        is_carry_over_enabled=False,
        **dates,
    )
    round_.envelopes = [Envelope(territory=territory, amount=election.budget)]
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "round.import_pabulib",
        actor=SYSTEM,
        obj=round_,
        unit=meta.get("unit"),
        instance=meta.get("instance"),
        votes=len(election.votes),
    )
    return round_


def _count_and_publish(
    election: pabulib.PbElection,
    envelope: Envelope,
    ideas: dict[str, Idea],
    now: datetime,
) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """Count, certify and publish as the system; (counted winners, file's selection).

    The projects' final states follow the file's ``selected`` column when it has
    one; whether the count agrees is kept in the result's parameters.
    """
    file_selected: tuple[str, ...] | None = None
    if "selected" in (election.project_columns or []):
        file_selected = tuple(
            pid for pid, p in election.projects.items() if (p.selected or 0) >= 1
        )
    result = services.compute_result(envelope, SYSTEM, now, seal=False)
    services.transition_result(
        result, ResultAction.CERTIFY, SYSTEM, now=now, verify_box=False
    )
    by_idea = {str(idea.id): pid for pid, idea in ideas.items()}
    counted = tuple(by_idea[w] for w in result.winners)
    winners = None
    if file_selected is not None:
        winners = [str(ideas[pid].id) for pid in file_selected]
        result.params = {
            **result.params,
            "file_selected": sorted(winners),
            "matches_file": set(counted) == set(file_selected),
        }
        db.session.flush()
    services.transition_result(
        result,
        ResultAction.PUBLISH,
        SYSTEM,
        now=now,
        winners=winners,
        verify_box=False,
        follow_up=False,
    )
    return counted, file_selected


def _import_projects(
    election: pabulib.PbElection,
    round_: Round,
    territory: Territory,
    author: User,
    dates: dict[str, datetime],
) -> dict[str, Idea]:
    """One retained idea per project, walked through budget's workflow at past dates.

    Each is created as a draft, submitted by the archive's author, reviewed and
    retained by the system (``budget.services.transition``: its state, history and
    audit entries); their final state after the vote comes with the publication.
    """
    ideas: dict[str, Idea] = {}
    submit_at = dates["submission_opens_at"] + timedelta(hours=1)
    review_at = dates["submission_closes_at"] + timedelta(hours=1)
    decided_at = dates["announcement_at"] - timedelta(hours=1)
    note = str(_l("Imported from a pabulib archive."))
    system = SYSTEM
    for n, (pid, project) in enumerate(election.projects.items()):
        title = (project.name or "").strip() or str(_l("Project %(id)s", id=pid))
        # Submission order = file order: the tie-break's "earlier submission".
        submitted = submit_at + timedelta(microseconds=n)
        idea = Idea(
            round=round_,
            author_id=author.id,
            territory_id=territory.id,
            title=title[:150],
            description=project.extra.get("description", "") or title,
            place=str(_l("pabulib project %(id)s", id=pid))[:200],
            accepted_rules_at=submitted,
            created_at=submitted,
            state_changed_at=submitted,
            estimated_cost=project.cost,
        )
        db.session.add(idea)
        db.session.flush()
        budget_services.transition(idea, IdeaAction.SUBMIT, author, now=submitted)
        budget_services.transition(idea, IdeaAction.START_REVIEW, system, now=review_at)
        budget_services.transition(
            idea,
            IdeaAction.RETAIN,
            system,
            final_cost=project.cost,
            comment=note,
            now=decided_at,
        )
        ideas[pid] = idea
    return ideas


#: The two bulk INSERT statements per DB-API parameter style (SQLite, psycopg).
_INSERTS = {
    "qmark": (
        "INSERT INTO ballot (id, envelope_id, channel, receipt_hash)"
        " VALUES (?, ?, ?, NULL)",
        "INSERT INTO ballot_choice (ballot_id, idea_id, points) VALUES (?, ?, ?)",
    ),
    "format": (
        "INSERT INTO ballot (id, envelope_id, channel, receipt_hash)"
        " VALUES (%s, %s, %s, NULL)",
        "INSERT INTO ballot_choice (ballot_id, idea_id, points) VALUES (%s, %s, %s)",
    ),
}


def _random_ids(count: int) -> list[str]:
    """*count* random version-4 UUIDs as 32 hex digits (uuid4() is slow in bulk)."""
    raw = os.urandom(16 * count)
    ids = []
    for i in range(count):
        n = int.from_bytes(raw[16 * i : 16 * i + 16], "big")
        n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
        ids.append(f"{n:032x}")
    return ids


def _insert_ballots(
    election: pabulib.PbElection,
    envelope: Envelope,
    ideas: dict[str, Idea],
    progress: Callable[[int], None] | None,
) -> None:
    """Bulk-insert every vote as a ballot (DB-API executemany, CHUNK ballots at a time).

    The ballots are sorted by their random ids before insertion, so the ballot tables
    (clustered on those ids) grow by appends rather than by random page splits;
    values go untyped to the driver (hex text on SQLite, UUID objects on PostgreSQL)
    to skip per-value conversions.
    """
    idea_id = {pid: idea.id for pid, idea in ideas.items()}
    with_points = election.vote_type in pabulib.POINT_VOTE_TYPES
    connection = db.session.connection()
    as_text = connection.dialect.name == "sqlite"
    qmark = connection.dialect.paramstyle == "qmark"
    ballot_insert, choice_insert = _INSERTS["qmark" if qmark else "format"]
    envelope_id = envelope.id
    keyed = sorted(zip(_random_ids(len(election.votes)), election.votes, strict=True))
    for start in range(0, len(keyed), CHUNK):
        heads: list[tuple[Any, int, str]] = []
        choices: list[tuple[Any, int, int]] = []
        for text, vote in keyed[start : start + CHUNK]:
            ballot_id: Any = text if as_text else uuid.UUID(text)
            method = (vote.voting_method or "").lower()
            channel = _CHANNELS.get(method, Channel.UNKNOWN).value
            heads.append((ballot_id, envelope_id, channel))
            points = vote.points if with_points and vote.points is not None else None
            rows = sorted(
                (idea_id[pid], points[k] if points is not None else 1)
                for k, pid in enumerate(vote.vote)
            )
            choices.extend((ballot_id, i, w) for i, w in rows)
        connection.exec_driver_sql(ballot_insert, heads)
        if choices:
            connection.exec_driver_sql(choice_insert, choices)
        if progress is not None:
            progress(len(heads))


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """Whole amounts without decimals (pabulib style), others with two."""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def export_envelope(envelope: Envelope) -> pabulib.PbElection:
    """The anonymised pabulib election of *envelope*'s vote (after the close)."""
    round_ = envelope.round
    if utcnow() < round_.vote_closes_at:
        raise Conflict(_l("The vote is not closed yet: no export before the close."))
    rules = services.get_rules(round_)
    result = db.session.scalar(
        sa.select(VoteResult).where(VoteResult.envelope_id == envelope.id)
    )
    projects = services.ballot_projects(envelope)
    stored = services.load_ballots(envelope.id)
    cumulative = rules is not None and rules.ballot_type is BallotType.CUMULATIVE
    winners = set(result.winners) if result is not None else None

    support: dict[int, int] = {idea.id: 0 for idea in projects}
    score: dict[int, int] = {idea.id: 0 for idea in projects}
    for _, _, chosen in stored:
        for idea_id, points in chosen.items():
            if points > 0:
                support[idea_id] = support.get(idea_id, 0) + 1
            score[idea_id] = score.get(idea_id, 0) + points

    meta = _export_meta(envelope, rules, result, len(projects), len(stored))
    pb_projects: dict[str, pabulib.PbProject] = {}
    for idea in projects:
        extra = {"votes": str(support[idea.id])}
        if cumulative:
            extra["score"] = str(score[idea.id])
        if winners is not None:
            extra["selected"] = "1" if str(idea.id) in winners else "0"
        pb_projects[str(idea.id)] = pabulib.PbProject(
            project_id=str(idea.id),
            cost=Decimal(_number(idea.final_cost or Decimal(0))),
            name=" ".join(idea.title.split()),
            extra=extra,
        )
    channel_sizes = Counter(c for _, c, _ in stored)
    show_channel = all(
        c in (Channel.ONLINE, Channel.PAPER) and n >= MIN_BALLOTS_PER_CHANNEL
        for c, n in channel_sizes.items()
    )
    order = list(stored)
    random.SystemRandom().shuffle(order)
    voter_ids: set[str] = set()
    votes = []
    for _, channel, chosen in order:
        voter_id = secrets.token_hex(6)
        while voter_id in voter_ids:
            voter_id = secrets.token_hex(6)
        voter_ids.add(voter_id)
        items = sorted(chosen.items())
        extra = {}
        if show_channel:
            extra["voting_method"] = (
                "internet" if channel is Channel.ONLINE else "paper"
            )
        votes.append(
            pabulib.PbVote(
                voter_id=voter_id,
                vote=tuple(str(i) for i, _ in items),
                points=tuple(p for _, p in items) if cumulative else None,
                extra=extra,
            )
        )
    return pabulib.PbElection(meta=meta, projects=pb_projects, votes=votes)


def _export_meta(
    envelope: Envelope,
    rules: VoteRules | None,
    result: VoteResult | None,
    num_projects: int,
    num_votes: int,
) -> dict[str, str]:
    round_ = envelope.round
    territory = envelope.territory
    closes = round_.vote_closes_at.astimezone(PARIS)
    opens = round_.vote_opens_at.astimezone(PARIS)
    last_day = (closes - timedelta(seconds=1)).date()
    meta = {
        "description": " ".join(round_.title.split()),
        "country": "France",
        "unit": " ".join(territory.commune.name.split()),
        "subunit": " ".join(territory.name.split()),
        "instance": str(closes.year),
        "num_projects": str(num_projects),
        "num_votes": str(num_votes),
        "budget": _number(envelope.total),
        "vote_type": "approval",
        "rule": "unknown",
        "date_begin": opens.strftime("%d.%m.%Y"),
        "date_end": max(last_day, opens.date()).strftime("%d.%m.%Y"),
        "language": "fr",
        "currency": "EUR",
    }
    if rules is not None:
        meta["rule"] = RULES_TO_PABULIB[rules.counting_rule]
        if rules.ballot_type is BallotType.CUMULATIVE:
            meta["vote_type"] = "cumulative"
            meta["max_points"] = str(rules.max_points_per_project or 0)
            meta["max_sum_points"] = str(rules.total_points or 0)
        else:
            if rules.min_projects:
                meta["min_length"] = str(rules.min_projects)
            if rules.max_projects is not None:
                meta["max_length"] = str(rules.max_projects)
            if rules.ballot_type is BallotType.KNAPSACK:
                meta["max_sum_cost"] = _number(envelope.total)
        if rules.counting_rule is CountingRule.GREEDY_THRESHOLD:
            meta["min_project_score_threshold"] = str(rules.threshold)
    if result is None:
        meta["rule"] = "unknown"
    return meta


def export_envelope_text(envelope: Envelope) -> str:
    return pabulib.write(export_envelope(envelope))


def envelopes_of(round_: Round) -> Sequence[Envelope]:
    return list(round_.envelopes)
