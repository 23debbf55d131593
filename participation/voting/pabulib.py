"""Read and write pabulib ``.pb`` files (pure: dataclasses, no Flask, no database).

The format (https://pabulib.org/format) is one UTF-8 text of three sections, ``META``,
``PROJECTS`` and ``VOTES``; each starts with its title line, then a header line, then
``;``-separated rows (CSV quoting: a field holding ``;`` or ``"`` is quoted, ``""``
inside). List values (``vote``, ``points``, ``category``, ``target``) are
comma-separated.

Reading is tolerant where real files vary (CRLF or LF, a BOM, blank lines, spaces around
cells, optional columns in any order) and strict where a wrong file would give a wrong
count (missing section or column, unknown project in a vote, bad number, duplicate
project or voter, wrong number of cells, META counts that do not match): every such
fault raises :class:`PabulibError` with the line number.

Writing produces what pabulib.org publishes and ``pabulib-checker`` accepts: CRLF line
endings (the csv module's default, used by most pabulib files), minimal quoting, META
keys in the canonical order, ``num_projects`` and ``num_votes`` recomputed from the
data.
"""

from __future__ import annotations

import csv
import gc
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

#: Vote types of the format; ``choose-1`` is an approval ballot with one project.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
#: Vote types whose ballots carry points parallel to the vote list.
POINT_VOTE_TYPES = ("cumulative", "scoring")

#: META keys in pabulib's order (pabulib-checker's ``META_FIELDS_ORDER``).
META_ORDER = (
    "description",
    "country",
    "unit",
    "district",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
    "min_project_cost",
    "max_project_cost",
    "min_project_score_threshold",
    "neighborhoods",
    "subdistricts",
    "categories",
    "edition",
    "language",
    "currency",
    "fully_funded",
    "experimental",
    "comment",
    "acknowledgments",
    "leftover_budget",
    "budget_per_category",
    "budget_per_neighborhood",
    "min_length_per_category",
    "max_length_per_category",
    "min_sum_cost_per_category",
    "max_sum_cost_per_category",
)
#: PROJECTS columns in the canonical order (used when an election does not fix its own).
PROJECT_ORDER = (
    "project_id",
    "cost",
    "votes",
    "score",
    "name",
    "category",
    "target",
    "beneficiaries",
    "selected",
    "neighborhood",
    "subunit",
    "district",
    "description",
    "proposer",
    "public_id",
    "latitude",
    "longitude",
)
#: VOTES columns in the canonical order.
VOTE_ORDER = (
    "voter_id",
    "vote",
    "points",
    "age",
    "sex",
    "voting_method",
    "district",
    "neighborhood",
    "education",
)

_SECTIONS = ("meta", "projects", "votes")
#: Parses one data row (stripped cells, line number) into the election being built.
_RowParser = Callable[[list[str], int], None]
#: The value pabulib writes for a missing cell.
NONE = "none"


class PabulibError(ValueError):
    """A malformed ``.pb`` file; ``line`` is the 1-based line at fault, if any."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def optional_int(value: str | None) -> int | None:
    """A whole number from a cell or META value; None for empty or ``none``."""
    if value is None or value == "" or value.lower() == NONE:
        return None
    try:
        return int(value)
    except ValueError:
        return int(Decimal(value))


#: Kept for callers written against the first version.
_optional_int = optional_int


def _split_list(value: str | None) -> list[str]:
    if value is None or value == "" or value.lower() == NONE:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(slots=True)
class PbProject:
    """One row of PROJECTS; columns other than id, cost and name stay in ``extra``."""

    project_id: str
    cost: Decimal
    name: str = ""
    #: The other columns (``votes``, ``score``, ``selected``, ``category``...) as text.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def votes(self) -> int | None:
        """The ``votes`` column (number of supporters), if the file has one."""
        return optional_int(self.extra.get("votes"))

    @property
    def score(self) -> int | None:
        """The ``score`` column (sum of points), if the file has one."""
        return optional_int(self.extra.get("score"))

    @property
    def selected(self) -> int | None:
        """The ``selected`` flag (0, 1, or 2/3 for "selected for another reason")."""
        return optional_int(self.extra.get("selected"))

    @property
    def categories(self) -> list[str]:
        return _split_list(self.extra.get("category", self.extra.get("categories")))

    @property
    def targets(self) -> list[str]:
        """Beneficiary groups (``target``, renamed ``beneficiaries`` in 2026)."""
        value = self.extra.get("target", self.extra.get("beneficiaries"))
        return _split_list(value)


@dataclass(slots=True)
class PbVote:
    """One row of VOTES: the project ids in file order, and points if any."""

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[int, ...] | None = None
    #: The other columns (``age``, ``sex``, ``voting_method``...) as text.
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def age(self) -> int | None:
        return optional_int(self.extra.get("age"))

    @property
    def sex(self) -> str | None:
        value = self.extra.get("sex")
        return None if value is None or value.lower() == NONE else value

    @property
    def voting_method(self) -> str | None:
        """``internet`` or ``paper`` when the file says."""
        value = self.extra.get("voting_method")
        return None if value is None or value.lower() == NONE else value


@dataclass(slots=True)
class PbElection:
    """A whole ``.pb`` file; column lists keep the file's order (empty: canonical)."""

    meta: dict[str, str]
    projects: dict[str, PbProject]
    votes: list[PbVote]
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> Decimal:
        return Decimal(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "unknown")

    def approval_ballots(self) -> list[tuple[str, ...]]:
        """Each ballot as the ids it names (for points ballots: those with points)."""
        if self.vote_type in POINT_VOTE_TYPES:
            return [
                tuple(p for p, n in zip(v.vote, v.points or (), strict=True) if n > 0)
                for v in self.votes
            ]
        return [v.vote for v in self.votes]

    def point_ballots(self) -> list[dict[str, int]]:
        """Each cumulative (or scoring) ballot as ``{project_id: points}``."""
        return [dict(zip(v.vote, v.points or (), strict=True)) for v in self.votes]


def _parse_decimal(value: str, what: str, line: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise PabulibError(
            f"{what} is not a number: {value!r} (use digits and a dot)", line
        )
    if number < 0:
        raise PabulibError(f"{what} is negative: {value!r}", line)
    return number


def _parse_count(value: str, what: str, line: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise PabulibError(f"{what} is not a whole number: {value!r}", line) from None
    if number < 0:
        raise PabulibError(f"{what} is negative: {value!r}", line)
    return number


def _section_of(cells: list[str]) -> str | None:
    first = cells[0].strip().lower()
    if first in _SECTIONS and not any(c.strip() for c in cells[1:]):
        return first
    return None


def _section_error(title: str, seen: list[str], line: int) -> PabulibError:
    if title in seen:
        return PabulibError(f"section {title.upper()} appears twice", line)
    expected = _SECTIONS[len(seen)] if len(seen) < len(_SECTIONS) else "end of file"
    return PabulibError(
        f"section {title.upper()} found where {expected.upper()} was expected "
        "(the order is META, PROJECTS, VOTES)",
        line,
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Parsing Łódź (90,494 votes) creates ~300,000 objects that hold no reference cycles;
    the collector's repeated passes over them tripled the parse time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(text: str) -> PbElection:
    """Parse the text of a ``.pb`` file (a leading BOM is ignored)."""
    with gc_paused():
        return _parse(text)


def _parse(text: str) -> PbElection:
    if text.startswith("\ufeff"):
        text = text[1:]
    # newline="" hands CR, LF and CRLF unchanged to csv (quoted newlines too).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: dict[str, PbProject] = {}
    votes: list[PbVote] = []
    seen: list[str] = []
    header: list[str] = []
    project_header: list[str] = []
    parse_row: _RowParser | None = None
    vote_type = ""
    for row in reader:
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        line = reader.line_num
        title = _section_of(cells)
        if title is not None:
            expected = _SECTIONS[len(seen)] if len(seen) < len(_SECTIONS) else None
            if title != expected:
                raise _section_error(title, seen, line)
            seen.append(title)
            header = _read_header(reader, title)
            line = reader.line_num
            if title == "meta":
                if [h.lower() for h in header] != ["key", "value"]:
                    raise PabulibError("the META header must be 'key;value'", line)
            elif title == "projects":
                vote_type = _check_meta(meta, meta_lines, line)
                _require(header, ("project_id", "cost"), "PROJECTS", line)
                project_header = header
                parse_row = _project_row_parser(header, projects)
            else:
                _require(header, ("voter_id", "vote"), "VOTES", line)
                # VOTES comes last and holds nearly all the rows: a dedicated loop.
                _parse_votes(reader, header, vote_type, projects, votes, seen)
            continue
        if not seen:
            raise PabulibError("the file must start with the META section", line)
        if len(cells) != len(header):
            raise PabulibError(
                f"expected {len(header)} cells ({seen[-1].upper()} header), "
                f"found {len(cells)}",
                line,
            )
        if parse_row is None:
            key, value = cells
            if key in meta:
                raise PabulibError(f"META key {key!r} appears twice", line)
            meta[key] = value
            meta_lines[key] = line
        else:
            parse_row(cells, line)
    for title in _SECTIONS:
        if title not in seen:
            raise PabulibError(f"missing section {title.upper()}", reader.line_num + 1)
    _check_counts(meta, meta_lines, len(projects), len(votes))
    return PbElection(
        meta=meta,
        projects=projects,
        votes=votes,
        project_columns=list(project_header),
        vote_columns=list(header),
    )


def _read_header(reader: CsvReader, title: str) -> list[str]:
    for row in reader:
        header = [cell.strip() for cell in row]
        if any(header):
            line = reader.line_num
            if _section_of(header) is not None:
                raise PabulibError(f"section {title.upper()} has no header line", line)
            if len(set(header)) != len(header):
                raise PabulibError(
                    f"{title.upper()} header repeats a column: {header}", line
                )
            return header
    raise PabulibError(f"section {title.upper()} has no header line")


def header_projects(projects: dict[str, PbProject]) -> list[str]:
    """The PROJECTS columns *projects* need (canonical order, extras after)."""
    extras: dict[str, None] = {}
    has_name = False
    for project in projects.values():
        has_name = has_name or bool(project.name)
        for key in project.extra:
            extras[key] = None
    present = {"project_id", "cost", *extras}
    if has_name:
        present.add("name")
    return _ordered(present, PROJECT_ORDER, list(extras))


def _ordered(
    present: set[str], canonical: tuple[str, ...], seen_order: list[str]
) -> list[str]:
    known = [c for c in canonical if c in present]
    return known + [c for c in seen_order if c not in canonical and c in present]


def _require(
    header: list[str], needed: tuple[str, ...], section: str, line: int
) -> None:
    for column in needed:
        if column not in header:
            raise PabulibError(f"the {section} header has no {column!r} column", line)


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int], line: int) -> str:
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(f"META has no {key!r}", line)
    _parse_decimal(meta["budget"], "budget", meta_lines["budget"])
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {vote_type!r} "
            f"(expected one of {', '.join(VOTE_TYPES)})",
            meta_lines["vote_type"],
        )
    return vote_type


def _check_counts(
    meta: dict[str, str], meta_lines: dict[str, int], n_projects: int, n_votes: int
) -> None:
    for key, actual, what in (
        ("num_projects", n_projects, "projects"),
        ("num_votes", n_votes, "votes"),
    ):
        if key in meta:
            declared = _parse_count(meta[key], key, meta_lines[key])
            if declared != actual:
                raise PabulibError(
                    f"META says {key} {declared} but the file has {actual} {what}",
                    meta_lines[key],
                )


def _project_row_parser(
    header: list[str], projects: dict[str, PbProject]
) -> _RowParser:
    i_id = header.index("project_id")
    i_cost = header.index("cost")
    i_name = header.index("name") if "name" in header else None
    extras = [
        (i, h) for i, h in enumerate(header) if h not in ("project_id", "cost", "name")
    ]

    def parse_project(cells: list[str], line: int) -> None:
        project_id = cells[i_id]
        if not project_id:
            raise PabulibError("a project has an empty project_id", line)
        if project_id in projects:
            raise PabulibError(f"project {project_id!r} appears twice", line)
        cost = _parse_decimal(cells[i_cost], f"cost of project {project_id!r}", line)
        projects[project_id] = PbProject(
            project_id=project_id,
            cost=cost,
            name=cells[i_name] if i_name is not None else "",
            extra={h: cells[i] for i, h in extras},
        )

    return parse_project


def _parse_votes(
    reader: CsvReader,
    header: list[str],
    vote_type: str,
    projects: dict[str, PbProject],
    votes: list[PbVote],
    seen: list[str],
) -> None:
    width = len(header)
    i_id = header.index("voter_id")
    i_vote = header.index("vote")
    has_points = "points" in header
    i_points = header.index("points") if has_points else 0
    with_points = vote_type in POINT_VOTE_TYPES
    if with_points and not has_points:
        line = reader.line_num
        raise PabulibError(f"a {vote_type} file needs a 'points' column in VOTES", line)
    extras = [
        (i, h) for i, h in enumerate(header) if h not in ("voter_id", "vote", "points")
    ]
    if not with_points and has_points:
        # Points on a ballot type without points do not count: keep them as data.
        extras.append((i_points, "points"))
    known = frozenset(projects)
    voter_ids: set[str] = set()
    add_voter = voter_ids.add
    append = votes.append

    def fail(message: str) -> PabulibError:
        return PabulibError(message, reader.line_num)

    for row in reader:
        if len(row) != width:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            title = _section_of(cells)
            if title is not None:
                raise _section_error(title, seen, reader.line_num)
            raise fail(f"expected {width} cells (VOTES header), found {len(cells)}")
        voter_id = row[i_id].strip()
        if not voter_id:
            if not any(cell.strip() for cell in row):
                continue
            raise fail("a vote has an empty voter_id")
        if voter_id in voter_ids:
            raise fail(f"voter {voter_id!r} appears twice")
        add_voter(voter_id)
        raw = row[i_vote].strip()
        if raw:
            vote = tuple(raw.split(","))
            if " " in raw or "\t" in raw:
                vote = tuple(p.strip() for p in vote)
            if not known.issuperset(vote):
                unknown = next(p for p in vote if p not in known)
                raise fail(f"voter {voter_id!r} votes for unknown project {unknown!r}")
            if len(vote) > 1 and len(set(vote)) != len(vote):
                raise fail(f"voter {voter_id!r} names a project twice")
        else:
            vote = ()
        points: tuple[int, ...] | None = None
        if with_points:
            raw_points = row[i_points].strip()
            try:
                points = tuple(map(int, raw_points.split(","))) if raw_points else ()
            except ValueError:
                raise fail(
                    f"voter {voter_id!r} has points that are not whole numbers: "
                    f"{raw_points!r}"
                ) from None
            if len(points) != len(vote):
                raise fail(
                    f"voter {voter_id!r} has {len(vote)} projects "
                    f"but {len(points)} points"
                )
            if points and min(points) < 0:
                raise fail(f"voter {voter_id!r} gives negative points")
        append(
            PbVote(
                voter_id,
                vote,
                points,
                {h: row[i].strip() for i, h in extras} if extras else {},
            )
        )


def parse_bytes(data: bytes) -> PbElection:
    """Parse a ``.pb`` file given as bytes (UTF-8, with or without BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PabulibError("the file is not valid UTF-8", line) from None
    return parse(text)


def read(path: str | os.PathLike[str]) -> PbElection:
    """Parse the ``.pb`` file at *path*."""
    with open(path, "rb") as handle:
        return parse_bytes(handle.read())


def _format_number(value: Decimal | int) -> str:
    return str(value)


def write(election: PbElection, *, newline: str = "\r\n") -> str:
    """The text of a ``.pb`` file for *election* (CRLF line endings by default)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator=newline)
    meta = dict(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(election.votes))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key in _ordered(set(meta), META_ORDER, list(meta)):
        writer.writerow([key, meta[key]])

    columns = _merge(election.project_columns, header_projects(election.projects))
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for project in election.projects.values():
        row = []
        for column in columns:
            if column == "project_id":
                row.append(project.project_id)
            elif column == "cost":
                row.append(_format_number(project.cost))
            elif column == "name":
                row.append(project.name)
            else:
                row.append(project.extra.get(column, NONE))
        writer.writerow(row)

    vote_columns = _merge(election.vote_columns, _vote_columns(election.votes))
    writer.writerow(["VOTES"])
    writer.writerow(vote_columns)
    writerow = writer.writerow
    for vote in election.votes:
        row = []
        for column in vote_columns:
            if column == "voter_id":
                row.append(vote.voter_id)
            elif column == "vote":
                row.append(",".join(vote.vote))
            elif column == "points" and vote.points is not None:
                row.append(",".join(map(str, vote.points)))
            else:
                row.append(vote.extra.get(column, NONE))
        writerow(row)
    return buffer.getvalue()


def _merge(given: list[str], needed: list[str]) -> list[str]:
    """The election's own column order, plus any column its data needs and it lacks."""
    if not given:
        return needed
    return given + [column for column in needed if column not in given]


def _vote_columns(votes: Iterable[PbVote]) -> list[str]:
    extras: dict[str, None] = {}
    has_points = False
    for vote in votes:
        has_points = has_points or vote.points is not None
        for key in vote.extra:
            extras[key] = None
    present = {"voter_id", "vote", *extras}
    if has_points:
        present.add("points")
    return _ordered(present, VOTE_ORDER, list(extras))


def write_file(election: PbElection, path: str | os.PathLike[str]) -> None:
    """Write *election* to *path* as UTF-8 (no BOM)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(write(election))
