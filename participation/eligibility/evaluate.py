"""Grid evaluation, a pure function: plain data in, plain data out, no database.

The rules, in this order (they are also explained to staff on the grid page):

1. **Ineligible** when at least one mandatory criterion is answered "not met". The
   result lists *every* failed mandatory criterion, in the grid's order, even when
   other answers are still missing.
2. **To discuss** when a mandatory or a scored criterion has no answer yet.
3. **Eligible** when the score reaches the threshold (a score *equal* to the
   threshold is enough); otherwise **to discuss** (below the threshold).

"Not applicable" counts as met for a mandatory criterion. Informational criteria
never change the outcome.

The score is the plain weighted sum ``Σ weight * points`` over the scored criteria,
points going from 0 to 3. The threshold is expressed in the same points (not as a
percentage), so staff read "11 points out of 18, at least 9 needed"; ``max_score``
(``Σ weight * 3``) is returned so a page can show both figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .states import POINTS, Check, CriterionKind, Outcome

#: The highest number of points a scored criterion can receive.
MAX_POINTS = max(POINTS)

#: What a criterion may be answered with: a Check (mandatory), points (scored),
#: text (informational), or None for "not answered yet".
AnswerValue = Check | int | str | None


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion as the evaluator sees it."""

    code: str
    kind: CriterionKind
    #: Only scored criteria use their weight; it must not be negative.
    weight: Decimal = Decimal(0)


@dataclass(frozen=True)
class GridSpec:
    """A grid version as the evaluator sees it: criteria in order, threshold."""

    criteria: Sequence[CriterionSpec]
    threshold: Decimal


@dataclass(frozen=True)
class Result:
    """The computed outcome of a filled grid."""

    outcome: Outcome
    #: Σ weight * points over the answered scored criteria.
    score: Decimal
    #: Σ weight * 3 over every scored criterion.
    max_score: Decimal
    threshold: Decimal
    #: Codes of the mandatory criteria answered "not met", in grid order.
    failed: tuple[str, ...] = ()
    #: Codes of the mandatory and scored criteria without an answer, in grid order.
    missing: tuple[str, ...] = ()
    #: Scored criteria's weighted points, by code (unanswered ones are absent).
    points: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def below_threshold(self) -> bool:
        """True when the (possibly partial) score is under the threshold."""
        return self.score < self.threshold


def _check_value(criterion: CriterionSpec, value: AnswerValue) -> None:
    """Refuse a value that does not fit the criterion's kind (a caller's bug)."""
    if value is None:
        return
    if criterion.kind is CriterionKind.MANDATORY:
        if not isinstance(value, Check):
            raise ValueError(f"{criterion.code}: a mandatory criterion takes a Check")
    elif criterion.kind is CriterionKind.SCORED:
        # bool is an int subclass; True is not a number of points.
        if isinstance(value, bool) or not isinstance(value, int) or value not in POINTS:
            raise ValueError(f"{criterion.code}: points must be 0, 1, 2 or 3")
    elif not isinstance(value, str):
        raise ValueError(f"{criterion.code}: an informational criterion takes text")


def evaluate(grid: GridSpec, answers: Mapping[str, AnswerValue]) -> Result:
    """Compute the outcome of *grid* filled with *answers* (criterion code → value).

    An empty text counts as no answer for an informational criterion (which does not
    matter anyway). :raises ValueError: for an unknown code, a value of the wrong
    kind, points outside 0-3, a negative weight or a negative threshold.
    """
    codes = {criterion.code for criterion in grid.criteria}
    if len(codes) != len(grid.criteria):
        raise ValueError("criterion codes must be unique within a grid")
    unknown = sorted(set(answers) - codes)
    if unknown:
        raise ValueError(f"answers to unknown criteria: {', '.join(unknown)}")
    if grid.threshold < 0:
        raise ValueError("the threshold cannot be negative")

    failed: list[str] = []
    missing: list[str] = []
    points: dict[str, Decimal] = {}
    score = Decimal(0)
    max_score = Decimal(0)
    for criterion in grid.criteria:
        value = answers.get(criterion.code)
        _check_value(criterion, value)
        if criterion.kind is CriterionKind.MANDATORY:
            if value is None:
                missing.append(criterion.code)
            elif value is Check.FAIL:
                failed.append(criterion.code)
        elif criterion.kind is CriterionKind.SCORED:
            if criterion.weight < 0:
                raise ValueError(f"{criterion.code}: a weight cannot be negative")
            max_score += criterion.weight * MAX_POINTS
            if value is None:
                missing.append(criterion.code)
            else:
                assert isinstance(value, int)
                weighted = criterion.weight * value
                points[criterion.code] = weighted
                score += weighted

    if failed:
        outcome = Outcome.INELIGIBLE
    elif missing or score < grid.threshold:
        outcome = Outcome.TO_DISCUSS
    else:
        outcome = Outcome.ELIGIBLE
    return Result(
        outcome=outcome,
        score=score,
        max_score=max_score,
        threshold=grid.threshold,
        failed=tuple(failed),
        missing=tuple(missing),
        points=points,
    )
