"""tally.py on hand-counted elections: rules, tie-breaks, trace, errors, real data."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from participation.voting import pabulib
from participation.voting.counting import CountingRule, Outcome, Phase, TieBreak
from participation.voting.tally import Project, TallyError, tally, tally_election
from tests.voting.test_pabulib_files import pabulib_path

#: Pure computation, no database: run once, in the SQLite pass (see Makefile).
pytestmark = pytest.mark.db_independent


def projects(*specs: tuple[str, int]) -> list[Project]:
    return [Project(pid, cost, order) for order, (pid, cost) in enumerate(specs)]


def test_greedy_takes_by_support_and_skips_what_no_longer_fits() -> None:
    items = projects(("a", 60), ("b", 50), ("c", 30), ("d", 10))
    ballots = [{"a", "b"}, {"a", "b"}, {"a", "c"}, {"b"}, {"c", "d"}]
    result = tally(items, ballots, 100, CountingRule.GREEDY)
    # support a 3, b 3 (tie: lower cost first: b), c 2, d 1
    assert result.winners == ("b", "c", "d")
    assert result.total_cost == Decimal(90)
    assert result.budget_left == Decimal(10)
    assert [(s.project_id, s.outcome, s.budget_left) for s in result.steps] == [
        ("b", Outcome.SELECTED, Decimal(50)),
        ("a", Outcome.OVER_BUDGET, Decimal(50)),
        ("c", Outcome.SELECTED, Decimal(20)),
        ("d", Outcome.SELECTED, Decimal(10)),
    ]
    assert dict(result.support) == {"a": 3, "b": 3, "c": 2, "d": 1}
    assert result.steps[1].supporters == 3
    assert all(step.phase is Phase.GREEDY for step in result.steps)


def test_default_tie_break_is_support_then_cost_then_submission_order() -> None:
    items = [
        Project("late", 40, order=2),
        Project("early", 40, order=1),
        Project("dear", 50, 0),
    ]
    ballots = [{"late", "early", "dear"}]
    result = tally(items, ballots, 40, CountingRule.GREEDY)
    assert [s.project_id for s in result.steps] == ["early", "late", "dear"]
    assert result.winners == ("early",)


def test_pabutools_tie_break_takes_the_smaller_id_as_text() -> None:
    items = [Project("9", 40, order=0), Project("10", 40, order=1)]
    ballots = [{"9", "10"}]
    assert tally(items, ballots, 40, CountingRule.GREEDY).winners == ("9",)
    assert tally(
        items, ballots, 40, CountingRule.GREEDY, tie_break=TieBreak.PABUTOOLS
    ).winners == ("10",)
    assert tally(
        items, ballots, 40, CountingRule.MES, tie_break="pabutools"
    ).winners == ("10",)


def test_greedy_takes_an_unsupported_project_that_fits_unless_threshold_1() -> None:
    items = projects(("liked", 70), ("ignored", 20))
    ballots = [{"liked"}] * 3
    assert tally(items, ballots, 100, CountingRule.GREEDY).winners == (
        "liked",
        "ignored",
    )
    result = tally(items, ballots, 100, CountingRule.GREEDY_THRESHOLD, threshold=1)
    assert result.winners == ("liked",)
    assert result.final_steps()["ignored"].outcome is Outcome.BELOW_THRESHOLD


def test_threshold_excludes_projects_below_the_minimum_support() -> None:
    items = projects(("a", 50), ("b", 30), ("c", 10))
    ballots = [{"a", "b"}, {"a", "b"}, {"a", "c"}]
    result = tally(items, ballots, 100, "greedy-threshold", threshold=2)
    assert result.winners == ("a", "b")
    assert result.threshold == 2
    assert [s.outcome for s in result.steps] == [
        Outcome.SELECTED,
        Outcome.SELECTED,
        Outcome.BELOW_THRESHOLD,
    ]


def test_mes_shares_the_budget_equally_and_reports_rho() -> None:
    # Three voters want x1 and x2, one wants y; budget 100, so 25 each.
    items = projects(("x1", 50), ("x2", 50), ("y", 25))
    ballots = [{"x1", "x2"}] * 3 + [{"y"}]
    assert tally(items, ballots, 100, CountingRule.GREEDY).winners == ("x1", "x2")
    result = tally(items, ballots, 100, CountingRule.MES)
    assert result.winners == ("x1", "y")
    assert result.total_cost == Decimal(75)
    steps = result.final_steps()
    x1, y, x2 = steps["x1"], steps["y"], steps["x2"]
    assert (x1.outcome, x1.rho, x1.effective_votes) == (
        Outcome.SELECTED,
        Decimal("16.67"),
        3,
    )
    assert (y.outcome, y.rho, y.effective_votes) == (Outcome.SELECTED, Decimal(25), 1)
    # after x1 the three supporters hold 25 - 50/3 each: 25 together, not enough for x2
    assert (x2.outcome, x2.available) == (Outcome.UNAFFORDABLE, Decimal(25))
    assert [s.phase for s in result.steps] == [Phase.MES] * 3
    assert [s.project_id for s in result.steps] == ["x1", "x2", "y"]


def test_mes_poor_supporter_pays_what_is_left_and_the_others_share_the_rest() -> None:
    # 6 voters, budget 120: 20 each. q (72) for voters 1, 4, 5, 6: 18 each, 1/4 per unit
    # of cost; r (40) for voters 1, 2, 3: 13.33 each, 1/3 per unit. q goes first.
    items = projects(("q", 72), ("r", 40))
    ballots = [{"q", "r"}, {"r"}, {"r"}, {"q"}, {"q"}, {"q"}]
    result = tally(items, ballots, 120, CountingRule.MES)
    assert result.winners == ("q", "r")
    q, r = result.steps
    assert (q.project_id, q.rho, q.effective_votes, q.budget_left) == ("q", 18, 4, 48)
    # Voter 1 has 2 left: they pay 2, voters 2 and 3 pay (40 - 2) / 2 = 19 each.
    assert (r.project_id, r.rho, r.effective_votes) == ("r", 19, Decimal("2.11"))
    assert r.budget_left == Decimal(8)


def test_mes_greedy_completes_with_the_budget_left() -> None:
    items = projects(("x1", 50), ("x2", 50), ("y", 25), ("z", 20))
    ballots = [{"x1", "x2"}] * 3 + [{"y"}]
    result = tally(items, ballots, 100, CountingRule.MES_GREEDY)
    # MES: x1, y (75); then greedy on 25 left: x2 (support 3) does not fit, z (0) fits.
    assert result.winners == ("x1", "y", "z")
    completion = [s for s in result.steps if s.phase is Phase.COMPLETION]
    assert [(s.project_id, s.outcome) for s in completion] == [
        ("x2", Outcome.OVER_BUDGET),
        ("z", Outcome.SELECTED),
    ]
    assert result.final_steps()["z"].budget_left == Decimal(5)


def test_mes_leaves_zero_cost_and_unsupported_projects_to_the_completion() -> None:
    items = projects(("free", 0), ("a", 60), ("nobody", 10))
    ballots = [{"free", "a"}, {"a"}]
    mes = tally(items, ballots, 100, CountingRule.MES)
    assert mes.winners == ("a",)
    assert mes.final_steps()["free"].outcome is Outcome.NOT_IN_MES
    assert mes.final_steps()["nobody"].outcome is Outcome.NOT_IN_MES
    assert tally(items, ballots, 100, CountingRule.MES_GREEDY).winners == (
        "a",
        "free",
        "nobody",
    )


def test_blank_ballots_count_in_the_equal_shares() -> None:
    items = projects(
        ("a", 60),
    )
    # 2 voters: 30 each, together 60: affordable. With a blank third: 20 each, 40 < 60.
    assert tally(items, [{"a"}, {"a"}], 60, CountingRule.MES).winners == ("a",)
    result = tally(items, [{"a"}, {"a"}, set()], 60, CountingRule.MES)
    assert result.winners == ()
    assert result.num_ballots == 3


def test_cumulative_greedy_counts_points_and_mes_counts_supporters() -> None:
    items = projects(("a", 10), ("b", 10))
    ballots = [{"a": 3}, {"b": 1}, {"b": 1}]
    greedy = tally(items, ballots, 10, CountingRule.GREEDY)
    assert greedy.winners == ("a",)  # 3 points against 2
    assert dict(greedy.support) == {"a": 3, "b": 2}
    assert greedy.final_steps()["b"].supporters == 2
    # MES: 10/3 each; b has two supporters (6.67), a one (3.33): neither affordable...
    assert tally(items, ballots, 10, CountingRule.MES).winners == ()
    # ...with budget 15 (5 each), b is (10 from two voters), a is not.
    assert tally(items, ballots, 15, CountingRule.MES).winners == ("b",)
    # zero points is no support
    assert tally(items, [{"a": 0, "b": 2}], 10, CountingRule.MES).winners == ("b",)


def test_identical_ballots_given_as_lists_tuples_or_sets_count_the_same() -> None:
    items = projects(("a", 5), ("b", 5), ("c", 5))
    as_sets = [{"a", "b"}, {"b", "c"}, {"b"}]
    as_lists = [["b", "a"], ("c", "b"), frozenset({"b"})]
    for rule in CountingRule:
        if rule is CountingRule.GREEDY_THRESHOLD:
            continue
        assert (
            tally(items, as_sets, 10, rule).winners
            == tally(items, as_lists, 10, rule).winners
        )


def test_no_ballots_and_no_projects() -> None:
    assert tally(projects(("a", 5)), [], 10, CountingRule.MES).winners == ()
    assert tally(projects(("a", 5)), [], 10, CountingRule.GREEDY).winners == ("a",)
    assert tally([], [], 10, CountingRule.MES_GREEDY).winners == ()


@pytest.mark.parametrize(
    ("items", "ballots", "kwargs", "words"),
    [
        (projects(("a", 5)), [{"b"}], {}, "unknown project 'b'"),
        (projects(("a", 5)), [{"b": 1}], {}, "unknown project 'b'"),
        (projects(("a", 5)), [{"a": -1}], {}, "-1 points"),
        (projects(("a", -5)), [], {}, "negative cost"),
        (projects(("a", 5), ("a", 6)), [], {}, "given twice"),
        (
            projects(("a", 5)),
            [],
            {"threshold": 3},
            "only applies to the greedy-threshold",
        ),
        (projects(("a", 5)), [], {"budget": -1}, "budget is negative"),
    ],
)
def test_bad_input_raises_tally_error(items, ballots, kwargs, words) -> None:
    budget = kwargs.pop("budget", 10)
    with pytest.raises(TallyError, match=words):
        tally(items, ballots, budget, CountingRule.GREEDY, **kwargs)


def test_unknown_rule_or_tie_break_is_refused() -> None:
    with pytest.raises(ValueError, match="knapsack"):
        tally([], [], 10, "knapsack")
    with pytest.raises(ValueError, match="coin"):
        tally([], [], 10, CountingRule.GREEDY, tie_break="coin")


def test_result_serialises_to_json() -> None:
    items = [Project("x1", Decimal("50.50"), 0), Project("y", 25, 1)]
    result = tally(
        items, [{"x1"}, {"x1"}, {"y"}], Decimal("100.00"), CountingRule.MES_GREEDY
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["winners"] == list(result.winners)
    assert data["total_cost"] == str(result.total_cost)
    assert data["steps"][0]["phase"] == "mes"
    assert data["steps"][0]["rho"] is not None
    assert data["engine_version"] == result.engine_version


@pytest.mark.shared_data
def test_reproduces_the_official_selection_of_czestochowa_2024() -> None:
    election = pabulib.read(pabulib_path("Poland_Czestochowa_2024.pb"))
    assert election.vote_type == "cumulative"
    official = {p.project_id for p in election.projects.values() if p.selected == 1}
    result = tally_election(election, CountingRule.GREEDY)
    assert set(result.winners) == official
    # the score column of the file is our support: the sum of points
    assert {pid: p.score for pid, p in election.projects.items()} == dict(
        result.support
    )


@pytest.mark.shared_data
def test_reproduces_the_official_selection_of_lodz_2022_with_its_threshold() -> None:
    election = pabulib.read(pabulib_path("Poland_Lodz_2022.pb"))
    assert election.meta["min_project_score_threshold"] == "100"
    official = {p.project_id for p in election.projects.values() if p.selected == 1}
    result = tally_election(election, CountingRule.GREEDY_THRESHOLD)
    assert result.threshold == 100
    assert set(result.winners) == official
    assert {pid: p.votes for pid, p in election.projects.items()} == dict(
        result.support
    )
    below = [s for s in result.steps if s.outcome is Outcome.BELOW_THRESHOLD]
    assert below
    assert all(s.support < 100 for s in below)
