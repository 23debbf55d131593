"""tally.py against the reference library pabutools: real and generated elections.

pabutools (GPL, a dev dependency) is only imported here and in the benchmark. The rules
compared, with pabutools' own tie-breaking (``TieBreak.PABUTOOLS``):

- greedy: ``greedy_utilitarian_welfare(sat_class=Cost_Sat)`` on approval ballots. On
  cumulative ballots ``Cost_Sat`` counts the voters who list a project, not their
  points, so our points greedy is compared with the satisfaction ``points x cost``;
- mes: ``method_of_equal_shares(sat_class=Cost_Sat)`` (approval and cumulative);
- mes-greedy: MES then greedy. ``completion_by_rule_combination`` runs the second rule
  with ``initial_budget_allocation`` = the first outcome (unless that is exhaustive, and
  greedy would add nothing); on the shared files we call that second step directly so
  that MES is not computed twice on Łódź, and the generated elections use the combinator
  itself.

Winners are compared in selection order.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    parse_pabulib,
)
from pabutools.election import Project as PabuProject
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from participation.voting import pabulib
from participation.voting.counting import CountingRule, TieBreak
from participation.voting.tally import Project, election_input, tally
from tests.voting.test_pabulib_files import ALL_FILES, CUMULATIVE_FILES, pabulib_path

#: Pure computation, no database: run once, in the SQLite pass (see Makefile).
pytestmark = pytest.mark.db_independent


def _points_times_cost(
    instance: Any, profile: Any, ballot: Any, project: Any, pre: Any
) -> Any:
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Satisfaction ``points x cost``: greedy per unit of cost then ranks by points."""

    def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
        super().__init__(instance, profile, ballot, _points_times_cost)


def names(allocation: Sequence[Any]) -> list[str]:
    return [project.name for project in allocation]


def ours(
    items: list[Project], ballots: list[Any], budget: Decimal | int, rule: CountingRule
) -> list[str]:
    return list(
        tally(items, ballots, budget, rule, tie_break=TieBreak.PABUTOOLS).winners
    )


#: Łódź 2022 (90,494 voters): about 69 s against pabutools, most of this module's
#: time. Marked ``slow`` to say so; every run still includes it (nothing deselects it).
SLOW_FILES = frozenset({"Poland_Lodz_2022.pb"})


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name in SLOW_FILES else name
        for name in ALL_FILES
    ],
    ids=lambda name: name.removesuffix(".pb"),
)
def test_same_winners_as_pabutools_on_every_shared_election(name: str) -> None:
    path = pabulib_path(name)
    election = pabulib.read(path)
    items, ballots = election_input(election)
    instance, profile = parse_pabulib(str(path))
    cumulative = name in CUMULATIVE_FILES
    greedy_sat = PointsCostSat if cumulative else Cost_Sat
    budget = election.budget

    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat)
    assert ours(items, ballots, budget, CountingRule.GREEDY) == names(greedy)

    mes = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    assert ours(items, ballots, budget, CountingRule.MES) == names(mes)

    completed = greedy_utilitarian_welfare(
        instance, profile, sat_class=greedy_sat, initial_budget_allocation=mes
    )
    assert ours(items, ballots, budget, CountingRule.MES_GREEDY) == names(completed)


@pytest.mark.shared_data
def test_pabutools_cost_sat_greedy_on_cumulative_ballots_counts_supporters() -> None:
    # Toulouse 2019: pabutools' Cost_Sat greedy is our greedy on the approval sets
    # (projects with points), and differs from the count by points.
    path = pabulib_path("France_Toulouse_2019.pb")
    election = pabulib.read(path)
    items, point_ballots = election_input(election)
    instance, profile = parse_pabulib(str(path))
    pabutools_greedy = names(
        greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    )
    by_supporters = ours(
        items, election.approval_ballots(), election.budget, CountingRule.GREEDY
    )
    by_points = ours(items, point_ballots, election.budget, CountingRule.GREEDY)
    assert pabutools_greedy == by_supporters
    assert set(by_points) != set(by_supporters)


@pytest.mark.shared_data
def test_mes_completion_through_the_pabutools_combinator() -> None:
    path = pabulib_path("France_Toulouse_2022_1_-_Capitole_Arnaud_Bernard_Carmes.pb")
    election = pabulib.read(path)
    items, ballots = election_input(election)
    instance, profile = parse_pabulib(str(path))
    combined = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat}, {"sat_class": Cost_Sat}],
    )
    assert ours(items, ballots, election.budget, CountingRule.MES_GREEDY) == names(
        combined
    )


# ----------------------------------------------------------------- generated elections

#: Project ids whose text order differs from their number order ("10" < "9").
IDS = ["1", "2", "3", "9", "10", "11", "20", "a", "b"]


@st.composite
def elections(
    draw: st.DrawFn, cumulative: bool
) -> tuple[list[Project], list[Any], int]:
    ids = draw(
        st.lists(st.sampled_from(IDS), min_size=1, max_size=len(IDS), unique=True)
    )
    # Few distinct small costs: ties in support and in affordability are frequent.
    costs = draw(
        st.lists(
            st.sampled_from([0, 1, 2, 3, 4, 6, 7, 10, 13, 15, 25]),
            min_size=len(ids),
            max_size=len(ids),
        )
    )
    items = [
        Project(pid, cost, order)
        for order, (pid, cost) in enumerate(zip(ids, costs, strict=True))
    ]
    if cumulative:
        ballot = st.dictionaries(
            st.sampled_from(ids), st.integers(1, 3), max_size=len(ids)
        )
    else:
        ballot = st.frozensets(st.sampled_from(ids), max_size=len(ids))
    # Enough voters for MES to leave some of them poor over several rounds.
    ballots = draw(st.lists(ballot, max_size=40))
    budget = draw(st.integers(0, sum(costs) + 3))
    return items, ballots, budget


def pabutools_winners(
    items: list[Project], ballots: list[Any], budget: int, cumulative: bool
) -> dict[CountingRule, list[str]]:
    instance = Instance([PabuProject(p.id, p.cost) for p in items], budget_limit=budget)
    by_id = {project.name: project for project in instance}
    if cumulative:
        profile: Any = CumulativeProfile(
            [
                CumulativeBallot({by_id[k]: Fraction(v) for k, v in b.items()})
                for b in ballots
            ]
        )
        greedy_sat: Any = PointsCostSat
    else:
        profile = ApprovalProfile(
            [ApprovalBallot({by_id[k] for k in b}) for b in ballots]
        )
        greedy_sat = Cost_Sat
    return {
        CountingRule.GREEDY: names(
            greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat)
        ),
        CountingRule.MES: names(
            method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        ),
        CountingRule.MES_GREEDY: names(
            completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": Cost_Sat}, {"sat_class": greedy_sat}],
            )
        ),
    }


GENERATED = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same elections on every run: no flaky CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@GENERATED
@given(elections(cumulative=False))
def test_same_winners_as_pabutools_on_generated_approval_elections(
    election: tuple[list[Project], list[Any], int],
) -> None:
    items, ballots, budget = election
    expected = pabutools_winners(items, ballots, budget, cumulative=False)
    for rule, winners in expected.items():
        assert ours(items, ballots, budget, rule) == winners, rule


@GENERATED
@given(elections(cumulative=True))
def test_same_winners_as_pabutools_on_generated_cumulative_elections(
    election: tuple[list[Project], list[Any], int],
) -> None:
    items, ballots, budget = election
    expected = pabutools_winners(items, ballots, budget, cumulative=True)
    for rule, winners in expected.items():
        assert ours(items, ballots, budget, rule) == winners, rule


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(elections(cumulative=False))
def test_trace_and_budget_invariants_on_generated_elections(
    election: tuple[list[Project], list[Any], int],
) -> None:
    items, ballots, budget = election
    for rule in (CountingRule.GREEDY, CountingRule.MES, CountingRule.MES_GREEDY):
        ours_default = tally(items, ballots, budget, rule)
        assert ours_default.total_cost <= budget
        assert len(set(ours_default.winners)) == len(ours_default.winners)
        # every project appears in the trace, and its last step says whether it won
        final = ours_default.final_steps()
        assert set(final) == {p.id for p in items}
        assert {
            pid for pid, step in final.items() if step.outcome == "selected"
        } == set(ours_default.winners)
