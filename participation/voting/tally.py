"""Count a participatory-budget vote (pure: plain data in and out, no app, no DB).

Input: the projects (id, cost, submission order), the ballots, the budget, the rule and
its parameters. Output: the winners in selection order, their total cost and a
step-by-step trace that says why each project won or lost.

Ballots. An approval ballot is any collection of project ids (set, tuple, list); a
cumulative ballot is a mapping ``{project_id: points}``. Identical ballots are grouped
before counting, so the cost grows with the number of *distinct* ballots (Łódź 2022:
23,571 for 90,494 voters).

Rules (``counting.CountingRule``, the vocabulary of pabulib and of the reference
library ``pabutools``):

``greedy``
    Projects by decreasing support (number of approvals, or sum of points), each taken
    if it still fits in what is left of the budget, skipped otherwise; the pass goes to
    the end of the list. As in pabutools and pabulib-checker, a project nobody supported
    is taken too if it still fits: use ``greedy-threshold`` with a threshold of 1 to
    exclude it. Same winners as
    ``pabutools.rules.greedy_utilitarian_welfare(sat_class=Cost_Sat)`` on approval
    ballots.
``greedy-threshold``
    The same, after excluding the projects whose support is below ``threshold``
    (pabulib's ``min_project_score_threshold``; Łódź uses 100 votes).
``mes``
    The Method of Equal Shares with cost satisfaction: each of the *n* voters (blank
    ballots included) gets ``budget / n``; in each round, among the projects whose
    supporters can still pay for them together, the one whose cost can be shared with
    the lowest maximal payment per unit of cost (``rho / cost``) is selected, each
    supporter paying ``rho`` or all they have left. Same winners as
    ``pabutools.rules.method_of_equal_shares(sat_class=Cost_Sat)``. A project costing 0
    gives no cost satisfaction, so MES leaves it (pabutools does the same); the
    completion takes it.
``mes-greedy``
    MES, then ``greedy`` on the projects left and the budget left: pabutools'
    ``completion_by_rule_combination`` of those two rules.

Cumulative ballots. ``greedy`` ranks by the sum of points, as cities count them (the
``score`` column of pabulib; pabulib-checker checks ``greedy`` on it). ``mes`` treats a
cumulative ballot as the approval of every project it gives at least one point: that is
what pabutools' ``Cost_Sat`` does with a cumulative ballot (``project in ballot``), and
cost satisfaction has no room for points. Note that pabutools' greedy with ``Cost_Sat``
on a cumulative profile therefore ranks by number of supporters, not points (it differs
from the official count on Toulouse 2019); our greedy equals pabutools' greedy with the
additive satisfaction ``points x cost`` instead.

Tie-break (``TieBreak``). ``support-cost-order`` (the default, the product's rule): more
support, then lower cost, then earlier submission, then the project id. ``pabutools``:
pabutools' own ``lexico_tie_breaking`` (the smaller project id, compared as text), to
compare with it; in that mode greedy also ranks a zero-cost project as pabutools does
(satisfaction per unit of cost 0, i.e. last, where it is always taken since it always
fits).

Exactness. Money is computed exactly (``fractions.Fraction``; pabutools uses gmpy2
rationals), so ties are real ties and the winners do not depend on rounding. MES keeps,
for each project, how many of its supporters hold each distinct remaining budget: voters
with the same history hold the same amount, so there are few such amounts and a round
costs little.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from .counting import (
    ENGINE_VERSION,
    CountingRule,
    Outcome,
    Phase,
    Project,
    Step,
    TallyError,
    TallyResult,
    TieBreak,
)
from .pabulib import POINT_VOTE_TYPES, gc_paused

if TYPE_CHECKING:
    from .pabulib import PbElection

__all__ = [
    "COUNTABLE_VOTE_TYPES",
    "ENGINE_VERSION",
    "Project",
    "Step",
    "TallyError",
    "TallyResult",
    "election_input",
    "tally",
    "tally_election",
]

#: pabulib vote types this engine counts (``choose-1`` is approval of one project).
COUNTABLE_VOTE_TYPES = ("approval", "choose-1", "cumulative")

_CENT = Decimal("0.01")


def _money(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_EVEN
    )


#: One group of identical ballots: the projects with points > 0 (indices), their
#: points, and how many ballots are alike.
_BallotGroup = tuple[tuple[int, ...], tuple[int, ...], int]


class _Count:
    """The election in index form: projects 0..m-1 and groups of identical ballots."""

    def __init__(
        self,
        projects: Sequence[Project],
        ballots: Iterable[Collection[str]],
        budget: Decimal | int,
        tie_break: TieBreak,
    ) -> None:
        self.projects = list(projects)
        index = _index(self.projects)
        if budget < 0:
            raise TallyError("the budget is negative")
        self.budget_decimal = Decimal(budget)
        self.budget = Fraction(budget)
        self.costs = [Fraction(project.cost) for project in self.projects]
        self.cost_decimals = [Decimal(project.cost) for project in self.projects]
        approvals, points = _group(ballots)
        self.num_ballots = approvals.total() + points.total()
        self.groups = _index_groups(index, approvals, points)
        m = len(self.projects)
        self.support = [0] * m
        self.supporters = [0] * m
        for members, points_given, count in self.groups:
            for i, given in zip(members, points_given, strict=True):
                self.support[i] += given * count
                self.supporters[i] += count
        self.tie_break = tie_break
        self.greedy_key, self.tie_key = self._keys(tie_break)

    def _keys(
        self, tie_break: TieBreak
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The greedy order's sort keys, and those that break ties in MES."""
        m = len(self.projects)
        if tie_break is TieBreak.PABUTOOLS:
            names = [project.id for project in self.projects]
            # pabutools' greedy ranks by satisfaction per unit of cost; with cost
            # satisfaction a project costing 0 has none: it comes last (taken anyway).
            greedy: list[tuple[Any, ...]] = [
                (-(self.support[i] if self.costs[i] > 0 else 0), names[i])
                for i in range(m)
            ]
            return greedy, [(names[i],) for i in range(m)]
        greedy = [
            (-self.support[i], self.costs[i], project.order, project.id)
            for i, project in enumerate(self.projects)
        ]
        return greedy, greedy


def _index(projects: Sequence[Project]) -> dict[str, int]:
    """Each project id's index; refuses a project given twice or a negative cost."""
    index: dict[str, int] = {}
    for i, project in enumerate(projects):
        if project.id in index:
            raise TallyError(f"project {project.id!r} is given twice")
        if project.cost < 0:
            raise TallyError(f"project {project.id!r} has a negative cost")
        index[project.id] = i
    return index


def _index_groups(
    index: Mapping[str, int],
    approvals: Counter[frozenset[str]],
    points: Counter[frozenset[tuple[str, int]]],
) -> list[_BallotGroup]:
    """The groups of identical ballots with project indices; refuses unknown ids."""
    groups: list[_BallotGroup] = []
    for approved, count in approvals.items():
        try:
            items = tuple(sorted(index[pid] for pid in approved))
        except KeyError as error:
            raise TallyError(
                f"a ballot names unknown project {error.args[0]!r}"
            ) from None
        groups.append((items, (1,) * len(items), count))
    for pairs, count in points.items():
        chosen: list[tuple[int, int]] = []
        for pid, given in pairs:
            if pid not in index:
                raise TallyError(f"a ballot names unknown project {pid!r}")
            if not isinstance(given, int) or given < 0:
                raise TallyError(f"a ballot gives {given!r} points to {pid!r}")
            if given > 0:
                chosen.append((index[pid], given))
        chosen.sort()
        groups.append((tuple(i for i, _ in chosen), tuple(g for _, g in chosen), count))
    return groups


def _group(
    ballots: Iterable[Collection[str]],
) -> tuple[Counter[frozenset[str]], Counter[frozenset[tuple[str, int]]]]:
    """Count identical approval ballots and identical point ballots."""
    if not isinstance(ballots, list | tuple):
        ballots = list(ballots)
    is_mapping = {kind: issubclass(kind, Mapping) for kind in set(map(type, ballots))}
    if not any(is_mapping.values()):
        return Counter(map(frozenset, ballots)), Counter()
    if all(is_mapping.values()):
        mappings = cast(list[Mapping[str, int]], ballots)
        return Counter(), Counter(frozenset(b.items()) for b in mappings)
    approvals: Counter[frozenset[str]] = Counter()
    points: Counter[frozenset[tuple[str, int]]] = Counter()
    for ballot in ballots:
        if is_mapping[type(ballot)]:
            points[frozenset(cast(Mapping[str, int], ballot).items())] += 1
        else:
            approvals[frozenset(ballot)] += 1
    return approvals, points


class _Trace:
    def __init__(self, count: _Count) -> None:
        self.count = count
        self.steps: list[Step] = []
        self.winners: list[int] = []
        self.left = count.budget
        self.left_decimal = count.budget_decimal

    def add(
        self,
        phase: Phase,
        p: int,
        outcome: Outcome,
        *,
        rho: Fraction | None = None,
        available: float | None = None,
    ) -> None:
        count = self.count
        if outcome is Outcome.SELECTED:
            self.winners.append(p)
            self.left -= count.costs[p]
            self.left_decimal -= count.cost_decimals[p]
        cost = count.costs[p]
        self.steps.append(
            Step(
                number=len(self.steps) + 1,
                phase=phase,
                project_id=count.projects[p].id,
                outcome=outcome,
                support=count.support[p],
                supporters=count.supporters[p],
                cost=count.cost_decimals[p],
                budget_left=self.left_decimal,
                rho=None if rho is None else _money(rho),
                effective_votes=None if not rho else _money(cost / rho),
                available=None if available is None else _money(Fraction(available)),
            )
        )


def _greedy(trace: _Trace, phase: Phase, threshold: int) -> None:
    count = trace.count
    taken = set(trace.winners)
    order = sorted(
        (p for p in range(len(count.projects)) if p not in taken),
        key=count.greedy_key.__getitem__,
    )
    for p in order:
        if count.support[p] < threshold:
            trace.add(phase, p, Outcome.BELOW_THRESHOLD)
        elif count.costs[p] <= trace.left:
            trace.add(phase, p, Outcome.SELECTED)
        else:
            trace.add(phase, p, Outcome.OVER_BUDGET)


#: Relative margin within which float estimates are settled in exact arithmetic. Float
#: sums of budgets err by far less (about classes x supporters x 2**-53, under 1e-8 for
#: a city).
_TOLERANCE = 1e-6


class _Shares:
    """MES bookkeeping: voters grouped into classes of equal remaining budget.

    ``budget[c]`` is exact, ``budget_f[c]`` its float; ``holders[p][c]`` counts the
    supporters of project ``p`` in class ``c``. Voters with identical ballots always
    share a class.
    """

    def __init__(self, count: _Count) -> None:
        m = len(count.projects)
        n = count.num_ballots
        share = count.budget / n if n else Fraction(0)
        self.count = count
        self.budget: list[Fraction] = [share]
        self.budget_f: list[float] = [float(share)]
        # Keyed by (numerator, denominator): hashing a Fraction is slow.
        self.class_of_value: dict[tuple[int, int], int] = {
            (share.numerator, share.denominator): 0
        }
        self.holders: list[dict[int, int]] = [
            {0: k} if k else {} for k in count.supporters
        ]
        self.groups_of: list[list[int]] = [[] for _ in range(m)]
        self.group_class = [0] * len(count.groups)
        self.group_items = [items for items, _pts, _mult in count.groups]
        self.group_mult = [mult for _items, _pts, mult in count.groups]
        #: Projects still in the running: only their holders need updating.
        self.alive = [True] * m
        groups_of = self.groups_of
        for g, items in enumerate(self.group_items):
            for p in items:
                groups_of[p].append(g)

    def retire(self, p: int) -> None:
        """*p* is selected or out of reach: its supporters' counts are not needed."""
        self.alive[p] = False

    def available(self, p: int) -> Fraction:
        """What the supporters of *p* hold together, exactly."""
        budget = self.budget
        return sum((budget[c] * k for c, k in self.holders[p].items()), Fraction(0))

    def estimate(self, p: int) -> tuple[float | None, float]:
        """Float affordability (rho / cost) of *p* and what its supporters hold.

        The affordability is None when they cannot pay for it together.
        """
        budget_f = self.budget_f
        cost = self.count.costs[p]
        cost_f = float(cost)
        classes = sorted(self.holders[p].items(), key=lambda item: budget_f[item[0]])
        available_f = sum(budget_f[c] * k for c, k in classes)
        if available_f < cost_f * (1 + _TOLERANCE) and (
            available_f < cost_f * (1 - _TOLERANCE) or self.available(p) < cost
        ):
            return None, available_f
        paid = 0.0
        remaining = self.count.supporters[p]
        rho = cost_f / remaining
        for c, k in classes:
            rho = (cost_f - paid) / remaining
            if rho <= budget_f[c]:
                break
            paid += budget_f[c] * k
            remaining -= k
        return rho / cost_f, available_f

    def exact(self, p: int) -> Fraction:
        """Exact affordability (rho / cost) of an affordable project *p*."""
        budget = self.budget
        budget_f = self.budget_f
        cost = self.count.costs[p]
        # Floats order the classes; the exact value only settles equal floats.
        classes = sorted(
            self.holders[p].items(),
            key=lambda item: (budget_f[item[0]], budget[item[0]]),
        )
        paid = Fraction(0)
        remaining = self.count.supporters[p]
        rho = cost / remaining
        for c, k in classes:
            rho = (cost - paid) / remaining
            if rho <= budget[c]:
                break
            paid += budget[c] * k
            remaining -= k
        return rho / cost

    def pay(self, p: int, rho: Fraction) -> None:
        """Each supporter of *p* pays *rho*, or all they have left."""
        moved: dict[int, int] = {}
        rho_f = float(rho)
        budget = self.budget
        budget_f = self.budget_f
        zero = Fraction(0)
        for c in self.holders[p]:
            old_f = budget_f[c]
            if old_f > rho_f * (1 + _TOLERANCE) or (
                old_f >= rho_f * (1 - _TOLERANCE) and budget[c] > rho
            ):
                left = budget[c] - rho
            else:
                left = zero
            key = (left.numerator, left.denominator)
            target = self.class_of_value.get(key)
            if target is None:
                target = len(budget)
                budget.append(left)
                budget_f.append(float(left))
                self.class_of_value[key] = target
            moved[c] = target
        group_class = self.group_class
        group_items = self.group_items
        group_mult = self.group_mult
        holders = self.holders
        alive = self.alive
        for g in self.groups_of[p]:
            c = group_class[g]
            target = moved[c]
            if target == c:
                continue
            group_class[g] = target
            mult = group_mult[g]
            # Drop retired projects from the group for good: later rounds skip them.
            items = group_items[g] = tuple(q for q in group_items[g] if alive[q])
            for q in items:
                held = holders[q]
                k = held[c] - mult
                if k:
                    held[c] = k
                else:
                    del held[c]
                held[target] = held.get(target, 0) + mult


def _mes(trace: _Trace) -> None:
    count = trace.count
    m = len(count.projects)
    costs = count.costs
    supporters = count.supporters
    candidates = [p for p in range(m) if costs[p] > 0 and supporters[p] > 0]
    if count.num_ballots == 0:
        candidates = []
    in_mes = set(candidates)
    shares = _Shares(count)
    # Affordability only grows from round to round: the last estimate is a lower bound.
    bound: dict[int, float] = {p: 1 / supporters[p] for p in candidates}
    tie_key = count.tie_key
    slack = 1 + _TOLERANCE
    while candidates:
        candidates.sort(key=bound.__getitem__)
        best_f = float("inf")
        estimates: list[tuple[float, int]] = []
        for p in list(candidates):
            if bound[p] > best_f * slack:
                break  # this bound and every later one exceed the best affordability
            estimate, available = shares.estimate(p)
            if estimate is None:
                candidates.remove(p)
                shares.retire(p)
                trace.add(Phase.MES, p, Outcome.UNAFFORDABLE, available=available)
                continue
            bound[p] = estimate
            best_f = min(best_f, estimate)
            estimates.append((estimate, p))
        if not estimates:
            break
        # Settle the best, and whatever is within the float margin, exactly: ties stay.
        exact = {p: shares.exact(p) for e, p in estimates if e <= best_f * slack}
        best = min(exact.values())
        winner = min(
            (p for p, a in exact.items() if a == best), key=tie_key.__getitem__
        )
        rho = best * costs[winner]
        trace.add(Phase.MES, winner, Outcome.SELECTED, rho=rho)
        candidates.remove(winner)
        shares.retire(winner)
        shares.pay(winner, rho)
    for p in range(m):
        if p not in in_mes:
            trace.add(Phase.MES, p, Outcome.NOT_IN_MES)


def tally(
    projects: Sequence[Project],
    ballots: Iterable[Collection[str]],
    budget: Decimal | int,
    rule: CountingRule | str = CountingRule.GREEDY,
    *,
    threshold: int = 0,
    tie_break: TieBreak | str = TieBreak.SUPPORT_COST_ORDER,
) -> TallyResult:
    """Count *ballots* (collections of ids, or ``{id: points}``) under *rule*."""
    rule = CountingRule(rule)
    tie_break = TieBreak(tie_break)
    if rule is not CountingRule.GREEDY_THRESHOLD:
        if threshold:
            raise TallyError("a threshold only applies to the greedy-threshold rule")
    elif threshold < 0:
        raise TallyError("the threshold is negative")
    # Grouping 90,000 ballots makes many small acyclic objects: the cyclic collector's
    # passes over them would cost more than the count itself.
    with gc_paused():
        count = _Count(projects, ballots, budget, tie_break)
        trace = _Trace(count)
        if rule in (CountingRule.GREEDY, CountingRule.GREEDY_THRESHOLD):
            _greedy(trace, Phase.GREEDY, threshold)
        else:
            _mes(trace)
            if rule is CountingRule.MES_GREEDY:
                _greedy(trace, Phase.COMPLETION, 0)
    winners = tuple(count.projects[p].id for p in trace.winners)
    return TallyResult(
        rule=rule,
        tie_break=tie_break,
        threshold=threshold,
        budget=count.budget_decimal,
        num_ballots=count.num_ballots,
        winners=winners,
        total_cost=sum((count.cost_decimals[p] for p in trace.winners), Decimal(0)),
        support={
            project.id: count.support[i] for i, project in enumerate(count.projects)
        },
        steps=tuple(trace.steps),
    )


def election_input(election: PbElection) -> tuple[list[Project], list[Collection[str]]]:
    """Projects (file order = submission order) and ballots of a pabulib election."""
    projects = [
        Project(id=p.project_id, cost=p.cost, order=i)
        for i, p in enumerate(election.projects.values())
    ]
    ballots: list[Collection[str]]
    if election.vote_type in POINT_VOTE_TYPES:
        ballots = list(election.point_ballots())
    else:
        ballots = [vote.vote for vote in election.votes]
    return projects, ballots


def tally_election(
    election: PbElection,
    rule: CountingRule | str,
    *,
    threshold: int | None = None,
    tie_break: TieBreak | str = TieBreak.SUPPORT_COST_ORDER,
) -> TallyResult:
    """Count a parsed pabulib election with its META budget.

    For ``greedy-threshold`` without an explicit *threshold*, META's
    ``min_project_score_threshold`` is used (0 when absent).
    """
    rule = CountingRule(rule)
    if election.vote_type not in COUNTABLE_VOTE_TYPES:
        raise TallyError(
            f"vote_type {election.vote_type!r} cannot be counted "
            "(approval, choose-1 and cumulative only)"
        )
    if threshold is None:
        threshold = 0
        if rule is CountingRule.GREEDY_THRESHOLD:
            threshold = int(election.meta.get("min_project_score_threshold", "0") or 0)
    projects, ballots = election_input(election)
    return tally(
        projects,
        ballots,
        election.budget,
        rule,
        threshold=threshold,
        tie_break=tie_break,
    )
