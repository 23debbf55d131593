"""The pure ballot check (voting.ballots) and receipts: plain data, no app, no DB."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from participation.core.errors import FieldErrors
from participation.voting import receipts
from participation.voting.ballots import (
    BallotSheet,
    ballot_set_hash,
    canonical_ballot,
    euros,
)
from participation.voting.states import BallotType

#: Pure computation, no database: run once, in the SQLite pass (see Makefile).
pytestmark = pytest.mark.db_independent


@dataclass
class Rules:
    """What the check reads of the vote rules."""

    ballot_type: BallotType = BallotType.APPROVAL
    min_projects: int = 1
    max_projects: int | None = 3
    min_spend_percent: int = 0
    total_points: int | None = None
    max_points_per_project: int | None = None


COSTS = {1: Decimal(3000), 2: Decimal(4000), 3: Decimal(5000), 4: Decimal(6000)}


def sheet(**rules: object) -> BallotSheet:
    return BallotSheet(rules=Rules(**rules), costs=COSTS, budget=Decimal(10000))


def errors(ballot: BallotSheet, choices: list[tuple[int, int]]) -> dict[str, str]:
    with pytest.raises(FieldErrors) as refused:
        ballot.check(choices)
    return {str(k): str(v) for k, v in refused.value.errors.items()}


def test_an_approval_ballot_within_the_rules_gives_the_chosen_projects():
    assert sheet().check([(1, 1), (3, 1), (4, 0)]) == {1: 1, 3: 1}


def test_each_project_problem_is_next_to_its_project_all_at_once():
    found = errors(sheet(), [(1, 1), (1, 1), (99, 1), (2, -1), (3, 2)])

    assert list(found) == ["idea-1", "idea-99", "idea-2", "idea-3"]
    assert "named twice" in found["idea-1"]
    assert "does not exist" in found["idea-99"]
    assert "negative" in found["idea-2"]
    assert "Tick the project" in found["idea-3"]


def test_the_caller_says_why_a_project_is_not_on_the_ballot():
    ballot = BallotSheet(
        rules=Rules(),
        costs=COSTS,
        budget=Decimal(10000),
        not_on_ballot=lambda idea_id: f"n° {idea_id} is elsewhere",
    )

    assert errors(ballot, [(7, 1)]) == {"idea-7": "n° 7 is elsewhere"}


@pytest.mark.parametrize(
    ("choices", "message"),
    [([], "at least 1"), ([(1, 1), (2, 1), (3, 1), (4, 1)], "at most 3")],
)
def test_too_few_or_too_many_projects(choices, message):
    assert message in errors(sheet(), choices)["count"]


def test_a_budget_ballot_fits_in_the_envelope_and_spends_the_minimum():
    knapsack = sheet(ballot_type=BallotType.KNAPSACK, min_spend_percent=50)

    assert knapsack.check([(1, 1), (2, 1)]) == {1: 1, 2: 1}  # 7,000
    over = errors(knapsack, [(3, 1), (4, 1)])["cost"]  # 11,000 > 10,000
    under = errors(knapsack, [(1, 1)])["cost"]  # 3,000 < 5,000
    assert "11\u202f000.00" in over
    assert "10\u202f000.00" in over
    assert "at least 5\u202f000.00" in under


def test_points_per_project_and_in_all():
    points = sheet(
        ballot_type=BallotType.CUMULATIVE,
        max_projects=None,
        total_points=10,
        max_points_per_project=6,
    )

    assert points.check([(1, 6), (2, 4), (3, 0)]) == {1: 6, 2: 4}
    assert list(errors(points, [(1, 7)])) == ["idea-1"]
    assert list(errors(points, [(1, 6), (2, 5)])) == ["points"]


def test_the_canonical_text_and_hash_do_not_depend_on_the_order():
    assert canonical_ballot([(12, 1), ("3", 2)]) == "3:2,12:1"
    assert ballot_set_hash(["1:1", "2:1"]) == ballot_set_hash(["2:1", "1:1"])
    assert ballot_set_hash(["1:1"]) != ballot_set_hash(["1:1", "1:1"])
    assert euros(Decimal("1234567.5")) == "1\u202f234\u202f567.50"


def test_receipt_codes_are_random_readable_and_hashed_tolerantly():
    code = receipts.new_receipt_code()

    assert code != receipts.new_receipt_code()
    assert [len(part) for part in code.split("-")] == [5, 5, 5, 5]
    assert len(receipts.normalise_receipt(code)) == receipts.RECEIPT_LENGTH
    typed = code.lower().replace("-", " ").replace("0", "o")
    assert receipts.receipt_hash(typed) == receipts.receipt_hash(code)
    assert receipts.receipt_code_for("t", "key") == receipts.receipt_code_for(
        "t", "key"
    )
    assert receipts.receipt_code_for("t", "key") != receipts.receipt_code_for("t", "k2")
