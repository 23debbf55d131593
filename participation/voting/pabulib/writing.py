"""Writing ``.pb`` files as pabulib.org publishes them (see the package docstring)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from decimal import Decimal

from .election import (
    META_ORDER,
    NONE,
    PROJECT_ORDER,
    VOTE_ORDER,
    PbElection,
    PbProject,
    PbVote,
)


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
