"""The pabulib data: one election's META, PROJECTS and VOTES (pure dataclasses).

The vocabulary of the format (vote types, canonical column orders), the error a
malformed file raises, and the three dataclasses that reading and writing share.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

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
