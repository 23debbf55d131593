"""Reading ``.pb`` files: tolerant where real files vary, strict where a count would go
wrong (see the package docstring). Every fault raises PabulibError with its line.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from .election import (
    POINT_VOTE_TYPES,
    VOTE_TYPES,
    PabulibError,
    PbElection,
    PbProject,
    PbVote,
    gc_paused,
)

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

_SECTIONS = ("meta", "projects", "votes")
#: Parses one data row (stripped cells, line number) into the election being built.
_RowParser = Callable[[list[str], int], None]


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


def parse(text: str) -> PbElection:
    """Parse the text of a ``.pb`` file (a leading BOM is ignored)."""
    with gc_paused():
        return _parse(text)


def _parse(text: str) -> PbElection:
    """The sections in order: META and PROJECTS here, VOTES by ``_parse_votes``.

    One loop over the rows, the section titles switching what a row is; split
    apart, the section state would have to travel between several functions.
    """
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
    """Read every VOTES row into *votes*, checking each against *projects*.

    One loop on purpose, longer than usual: it runs once per voter (90,494 times for
    Łódź), and a function call per row and per check would cost more than the work.
    """
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
