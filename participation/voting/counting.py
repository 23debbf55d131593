"""The vocabulary of a count: rules, tie-breaks, phases, outcomes, data in and out.

One enum of each, shared by the counting engine (``tally``), the vote rules and
results (``models``, ``states``), the pabulib archives and the pages; and the plain
data the engine takes (projects) and gives (its result and step-by-step trace).
Pure: nothing here touches the app or the database; the labels are lazy strings,
translated only when a page shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..core.enums import LabelledEnum
from ..core.i18n import lazy_gettext as _l


class CountingRule(LabelledEnum):
    """How the winners are computed (pabulib's and pabutools' vocabulary)."""

    GREEDY = (
        "greedy",
        _l("Most supported projects first, skipping those that no longer fit"),
    )
    GREEDY_THRESHOLD = (
        "greedy-threshold",
        _l(
            "Most supported projects first, with a minimum support,"
            " skipping those that no longer fit"
        ),
    )
    MES = "mes", _l("Method of Equal Shares")
    MES_GREEDY = (
        "mes-greedy",
        _l("Method of Equal Shares, completed by the most supported projects"),
    )


class TieBreak(LabelledEnum):
    """Which of two equally supported projects comes first."""

    #: More support, then lower cost, then earlier submission (then the project id).
    SUPPORT_COST_ORDER = (
        "support-cost-order",
        _l("More support first, then the lower cost, then the earlier submitted idea"),
    )
    #: pabutools' ``lexico_tie_breaking``: the smaller project id, compared as text.
    PABUTOOLS = "pabutools", _l("The smaller project number first")


class Phase(StrEnum):
    """The pass of the count a step belongs to."""

    GREEDY = "greedy"
    MES = "mes"
    #: The greedy pass that completes MES in ``mes-greedy``.
    COMPLETION = "completion"


class Outcome(StrEnum):
    """What happened to a project at one step of the count."""

    SELECTED = "selected"
    #: Greedy: its cost is more than what is left of the budget.
    OVER_BUDGET = "over-budget"
    #: Greedy with threshold: its support is below the threshold.
    BELOW_THRESHOLD = "below-threshold"
    #: MES: what its supporters have left cannot pay for it.
    UNAFFORDABLE = "unaffordable"
    #: MES: nobody supports it, or it costs nothing (no cost satisfaction): left out.
    NOT_IN_MES = "not-in-mes"


#: Version of the counting engine, stored with every published result.
ENGINE_VERSION = "1.0"


class TallyError(ValueError):
    """Inputs the count cannot use (unknown project, negative cost or points...)."""


@dataclass(frozen=True, slots=True)
class Project:
    """A project put to the vote; ``order``: its submission rank (smaller = earlier)."""

    id: str
    cost: Decimal | int
    order: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the trace: a project considered, and what happened to it."""

    number: int
    phase: Phase
    project_id: str
    outcome: Outcome
    #: Approvals, or sum of points for cumulative ballots.
    support: int
    #: Number of voters who support it (approve it, or give it points).
    supporters: int
    cost: Decimal
    #: Budget not yet allocated, after this step.
    budget_left: Decimal
    #: MES: what each supporter pays at most (rounded to the cent).
    rho: Decimal | None = None
    #: MES: ``cost / rho``, the number of supporters who would pay the full ``rho``.
    effective_votes: Decimal | None = None
    #: MES: what the project's supporters still hold together, at this step (rounded).
    available: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "phase": self.phase.value,
            "project_id": self.project_id,
            "outcome": self.outcome.value,
            "support": self.support,
            "supporters": self.supporters,
            "cost": str(self.cost),
            "budget_left": str(self.budget_left),
            "rho": None if self.rho is None else str(self.rho),
            "effective_votes": None
            if self.effective_votes is None
            else str(self.effective_votes),
            "available": None if self.available is None else str(self.available),
        }


@dataclass(frozen=True, slots=True)
class TallyResult:
    """What a count gives: the winners in order, the money, the trace of every step."""

    rule: CountingRule
    tie_break: TieBreak
    threshold: int
    budget: Decimal
    num_ballots: int
    #: Winners in the order they were selected.
    winners: tuple[str, ...]
    total_cost: Decimal
    #: Support of every project (approvals or points), in the order given.
    support: Mapping[str, int]
    steps: tuple[Step, ...]
    engine_version: str = field(default=ENGINE_VERSION)

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.total_cost

    def final_steps(self) -> dict[str, Step]:
        """The last step of each project: why it finally won or lost."""
        return {step.project_id: step for step in self.steps}

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "tie_break": self.tie_break.value,
            "threshold": self.threshold,
            "budget": str(self.budget),
            "num_ballots": self.num_ballots,
            "winners": list(self.winners),
            "total_cost": str(self.total_cost),
            "budget_left": str(self.budget_left),
            "support": dict(self.support),
            "steps": [step.to_dict() for step in self.steps],
            "engine_version": self.engine_version,
        }
