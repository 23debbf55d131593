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

from .election import (
    META_ORDER,
    NONE,
    POINT_VOTE_TYPES,
    PROJECT_ORDER,
    VOTE_ORDER,
    VOTE_TYPES,
    PabulibError,
    PbElection,
    PbProject,
    PbVote,
    gc_paused,
    optional_int,
)
from .reading import parse, parse_bytes, read
from .writing import header_projects, write, write_file

__all__ = [
    "META_ORDER",
    "NONE",
    "POINT_VOTE_TYPES",
    "PROJECT_ORDER",
    "VOTE_ORDER",
    "VOTE_TYPES",
    "PabulibError",
    "PbElection",
    "PbProject",
    "PbVote",
    "gc_paused",
    "header_projects",
    "optional_int",
    "parse",
    "parse_bytes",
    "read",
    "write",
    "write_file",
]
