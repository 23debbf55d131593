"""evaluate() as a pure function: no app, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from participation.eligibility.evaluate import CriterionSpec, GridSpec, evaluate
from participation.eligibility.states import Check, CriterionKind, Outcome

M = CriterionKind.MANDATORY
S = CriterionKind.SCORED
INFO = CriterionKind.INFORMATIONAL


def grid(threshold: str = "6") -> GridSpec:
    """Two mandatory, two scored (weights 2 and 1, max 9 points), one informational."""
    return GridSpec(
        criteria=(
            CriterionSpec("in_qpv", M),
            CriterionSpec("investment", M),
            CriterionSpec("social_link", S, Decimal(2)),
            CriterionSpec("sustainability", S, Decimal(1)),
            CriterionSpec("links", INFO),
        ),
        threshold=Decimal(threshold),
    )


def answers(**values):
    base = {
        "in_qpv": Check.PASS,
        "investment": Check.PASS,
        "social_link": 2,
        "sustainability": 2,
        "links": "Centre social Jean-Jaurès",
    }
    base.update(values)
    return {code: value for code, value in base.items() if value is not None}


def test_score_is_the_weighted_sum_and_max_is_three_times_the_weights():
    result = evaluate(grid(), answers(social_link=3, sustainability=1))

    assert result.score == Decimal(7)
    assert result.max_score == Decimal(9)
    assert result.points == {"social_link": Decimal(6), "sustainability": Decimal(1)}


def test_all_mandatory_met_and_score_above_threshold_is_eligible():
    result = evaluate(grid("5"), answers())

    assert result.score == Decimal(6)
    assert result.outcome is Outcome.ELIGIBLE
    assert result.failed == ()
    assert result.missing == ()


def test_score_equal_to_threshold_is_eligible():
    assert evaluate(grid("6"), answers()).outcome is Outcome.ELIGIBLE


def test_score_just_below_threshold_is_to_discuss():
    result = evaluate(grid("6.01"), answers())

    assert result.outcome is Outcome.TO_DISCUSS
    assert result.below_threshold


def test_decimal_weights_are_exact():
    spec = GridSpec(
        criteria=(
            CriterionSpec("a", S, Decimal("0.1")),
            CriterionSpec("b", S, Decimal("0.2")),
        ),
        threshold=Decimal("0.9"),
    )

    result = evaluate(spec, {"a": 3, "b": 3})

    assert result.score == Decimal("0.9")
    assert result.outcome is Outcome.ELIGIBLE


def test_weight_changes_the_outcome():
    heavy = GridSpec(
        criteria=(CriterionSpec("a", S, Decimal(3)), CriterionSpec("b", S, Decimal(1))),
        threshold=Decimal(6),
    )
    light = GridSpec(
        criteria=(CriterionSpec("a", S, Decimal(1)), CriterionSpec("b", S, Decimal(3))),
        threshold=Decimal(6),
    )
    values = {"a": 2, "b": 0}

    assert evaluate(heavy, values).outcome is Outcome.ELIGIBLE
    assert evaluate(light, values).outcome is Outcome.TO_DISCUSS


def test_zero_weight_criterion_never_counts():
    spec = GridSpec(criteria=(CriterionSpec("a", S, Decimal(0)),), threshold=Decimal(0))

    result = evaluate(spec, {"a": 3})

    assert result.score == 0
    assert result.max_score == 0
    assert result.outcome is Outcome.ELIGIBLE


def test_one_failed_mandatory_makes_ineligible_whatever_the_score():
    result = evaluate(
        grid("0"), answers(investment=Check.FAIL, social_link=3, sustainability=3)
    )

    assert result.outcome is Outcome.INELIGIBLE
    assert result.failed == ("investment",)


def test_ineligible_lists_every_failed_mandatory_in_grid_order():
    result = evaluate(grid(), answers(investment=Check.FAIL, in_qpv=Check.FAIL))

    assert result.failed == ("in_qpv", "investment")


def test_failure_wins_over_missing_answers():
    result = evaluate(grid(), {"investment": Check.FAIL})

    assert result.outcome is Outcome.INELIGIBLE
    assert result.failed == ("investment",)
    assert result.missing == ("in_qpv", "social_link", "sustainability")


def test_not_applicable_counts_as_met():
    result = evaluate(grid(), answers(in_qpv=Check.NOT_APPLICABLE))

    assert result.outcome is Outcome.ELIGIBLE
    assert result.failed == ()


def test_missing_mandatory_answer_is_to_discuss_even_with_a_high_score():
    result = evaluate(grid("0"), answers(in_qpv=None, social_link=3, sustainability=3))

    assert result.outcome is Outcome.TO_DISCUSS
    assert result.missing == ("in_qpv",)


def test_missing_scored_answer_is_to_discuss_and_the_score_is_partial():
    result = evaluate(grid("2"), answers(sustainability=None, social_link=3))

    assert result.outcome is Outcome.TO_DISCUSS
    assert result.missing == ("sustainability",)
    assert result.score == Decimal(6)
    assert result.max_score == Decimal(9)


def test_informational_answer_never_changes_the_outcome():
    with_text = evaluate(grid(), answers())
    without = evaluate(grid(), answers(links=None))

    assert with_text.outcome is without.outcome is Outcome.ELIGIBLE
    assert without.missing == ()


def test_empty_answers_on_a_grid_without_scored_criteria_is_to_discuss():
    spec = GridSpec(criteria=(CriterionSpec("a", M),), threshold=Decimal(0))

    assert evaluate(spec, {}).outcome is Outcome.TO_DISCUSS
    assert evaluate(spec, {"a": Check.PASS}).outcome is Outcome.ELIGIBLE


def test_empty_grid_with_zero_threshold_is_eligible():
    assert evaluate(GridSpec((), Decimal(0)), {}).outcome is Outcome.ELIGIBLE


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("social_link", 4),
        ("social_link", -1),
        ("social_link", True),
        ("social_link", "2"),
        ("social_link", Check.PASS),
        ("in_qpv", 1),
        ("in_qpv", "pass"),
        ("links", 3),
    ],
)
def test_value_of_the_wrong_kind_is_refused(code, value):
    with pytest.raises(ValueError, match=code):
        evaluate(grid(), answers(**{code: value}))


def test_answer_to_an_unknown_criterion_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        evaluate(grid(), {**answers(), "ghost": Check.PASS})


def test_negative_weight_and_threshold_are_refused():
    with pytest.raises(ValueError, match="weight"):
        evaluate(GridSpec((CriterionSpec("a", S, Decimal(-1)),), Decimal(0)), {})
    with pytest.raises(ValueError, match="threshold"):
        evaluate(GridSpec((), Decimal(-1)), {})


def test_duplicate_codes_are_refused():
    with pytest.raises(ValueError, match="unique"):
        evaluate(
            GridSpec((CriterionSpec("a", M), CriterionSpec("a", M)), Decimal(0)), {}
        )
