"""A ballot against the vote's rules, and its canonical text (pure: no app, no DB).

The online ballot, the paper ballots keyed at a desk and a reconciled paper ballot
going into the box are all checked here, by :meth:`BallotSheet.check`: plain data in
(the rules, the cost of each project put to the vote, the envelope), the chosen
``{idea_id: points}`` out, or one :class:`~participation.core.errors.FieldErrors`
with every problem at once. Its fields are ``idea-<id>`` for one project, and
``count``, ``cost`` and ``points`` for the ballot as a whole. Messages are lazy
strings, translated when shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from ..core.errors import FieldErrors
from ..core.i18n import lazy_gettext as _l
from .states import BallotType


class BallotRules(Protocol):
    """What a ballot check reads of the vote rules (``models.VoteRules`` fits it)."""

    @property
    def ballot_type(self) -> BallotType: ...
    @property
    def min_projects(self) -> int: ...
    @property
    def max_projects(self) -> int | None: ...
    @property
    def min_spend_percent(self) -> int: ...
    @property
    def total_points(self) -> int | None: ...
    @property
    def max_points_per_project(self) -> int | None: ...


def field_name(idea_id: int) -> str:
    """The error field of one project on a ballot (also the anchor of its card)."""
    return f"idea-{idea_id}"


def unknown_project(idea_id: int) -> Any:
    """The message for an id not on the ballot, when nothing more is known."""
    return _l("A project on this ballot does not exist in this vote.")


def euros(amount: Decimal) -> str:
    """``12 500.00``: the amount with two decimals and thin spaces between thousands."""
    return f"{amount.quantize(Decimal('0.01')):,.2f}".replace(",", "\u202f")


@dataclass(frozen=True)
class BallotSheet:
    """One envelope's ballot paper: its rules, the projects on it and their cost."""

    rules: BallotRules
    #: ``{idea_id: cost}`` of every project put to the vote in the envelope.
    costs: Mapping[int, Decimal]
    #: The envelope's money (with any carry-over): a budget ballot must fit in it.
    budget: Decimal
    #: The message for an id that is not on the ballot (the caller may know why).
    not_on_ballot: Callable[[int], Any] = unknown_project

    @property
    def is_cumulative(self) -> bool:
        return self.rules.ballot_type is BallotType.CUMULATIVE

    def check(self, choices: Iterable[tuple[int, int]]) -> dict[int, int]:
        """Check *choices* (idea id, points); ``{idea_id: points}`` or FieldErrors.

        Pairs with 0 points are dropped (a cumulative field left at 0). Every problem
        is reported at once, each next to its project when it has one.
        """
        chosen, errors = self._read(choices)
        if not errors:
            errors = {**self._count_errors(chosen), **self._total_errors(chosen)}
        if errors:
            raise FieldErrors(errors)
        return chosen

    def _read(
        self, choices: Iterable[tuple[int, int]]
    ) -> tuple[dict[int, int], dict[str, Any]]:
        """The pairs one by one: named twice, not on the ballot, wrong points."""
        chosen: dict[int, int] = {}
        errors: dict[str, Any] = {}
        for idea_id, points in choices:
            name = field_name(idea_id)
            if idea_id in chosen:
                errors[name] = _l("This project is named twice on the ballot.")
            elif idea_id not in self.costs:
                errors[name] = self.not_on_ballot(idea_id)
            elif points < 0:
                errors[name] = _l("Points cannot be negative.")
            elif not self.is_cumulative and points not in (0, 1):
                errors[name] = _l("Tick the project or leave it unticked.")
            elif points:
                chosen[idea_id] = points
        return chosen, errors

    def _count_errors(self, chosen: Mapping[int, int]) -> dict[str, Any]:
        rules, count = self.rules, len(chosen)
        if count < rules.min_projects:
            return {
                "count": _l(
                    "Choose at least %(min)d project(s); you chose %(count)d.",
                    min=rules.min_projects,
                    count=count,
                )
            }
        if rules.max_projects is not None and count > rules.max_projects:
            return {
                "count": _l(
                    "Choose at most %(max)d project(s); you chose %(count)d.",
                    max=rules.max_projects,
                    count=count,
                )
            }
        return {}

    def _total_errors(self, chosen: Mapping[int, int]) -> dict[str, Any]:
        if self.rules.ballot_type is BallotType.KNAPSACK:
            return self._cost_errors(chosen)
        if self.is_cumulative:
            return self._points_errors(chosen)
        return {}

    def _cost_errors(self, chosen: Mapping[int, int]) -> dict[str, Any]:
        total = sum((self.costs[i] for i in chosen), Decimal(0))
        percent = self.rules.min_spend_percent
        minimum = self.budget * percent / 100
        if total > self.budget:
            message = _l(
                "Your projects cost %(total)s € together, more than the envelope of"
                " %(budget)s €: untick one or more projects.",
                total=euros(total),
                budget=euros(self.budget),
            )
        elif percent and total < minimum:
            message = _l(
                "Your projects cost %(total)s € together: choose projects for at"
                " least %(minimum)s € (%(percent)d %% of the envelope).",
                total=euros(total),
                minimum=euros(minimum),
                percent=percent,
            )
        else:
            return {}
        return {"cost": message}

    def _points_errors(self, chosen: Mapping[int, int]) -> dict[str, Any]:
        cap = self.rules.max_points_per_project or 0
        total = self.rules.total_points or 0
        errors: dict[str, Any] = {
            field_name(idea_id): _l("At most %(max)d points on one project.", max=cap)
            for idea_id, points in chosen.items()
            if points > cap
        }
        spent = sum(chosen.values())
        if spent > total:
            errors["points"] = _l(
                "You gave %(spent)d points; you have %(total)d.",
                spent=spent,
                total=total,
            )
        return errors


def canonical_ballot(choices: Iterable[tuple[int | str, int]]) -> str:
    """One ballot as text: ``id:points`` pairs sorted by project id, comma-separated."""
    return ",".join(f"{i}:{p}" for i, p in sorted((int(i), p) for i, p in choices))


def ballot_set_hash(ballots: Iterable[str]) -> str:
    """SHA-256 of the canonical ballot set: the sorted canonical ballots, one per line.

    Anyone can recompute it from the published ``.pb`` export (project id = idea id).
    """
    text = "\n".join(sorted(ballots))
    return hashlib.sha256(text.encode()).hexdigest()
