"""Charts as data and their SVG geometry (pure: no app, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from participation.publishing.charts import (
    PALETTE,
    WIDTH,
    Chart,
    Row,
    Series,
    cross_table,
    layout,
    percent,
    suppress_small,
)

pytestmark = pytest.mark.db_independent


TWO_SERIES = (Series("a", "A"), Series("b", "B"))


def _chart(rows, series=TWO_SERIES):
    return Chart("c", "Titre", "Description", "Ligne", tuple(series), tuple(rows))


def test_bars_are_proportional_to_the_largest_value():
    chart = _chart([Row("x", (10, 5)), Row("y", (0, 20))])

    out = layout(chart, str)

    widths = [[b.width for b in g.bars] for g in out.groups]
    longest = widths[1][1]
    assert longest <= WIDTH - 90
    assert widths[0][0] == longest // 2
    assert widths[0][1] == longest // 4
    assert widths[1][0] == 0
    assert [b.colour for b in out.groups[0].bars] == list(PALETTE[:2])
    assert [g.label for g in out.groups] == ["x", "y"]
    assert len(out.legend) == 2
    assert out.groups[1].bars[1].y > out.groups[0].bars[1].y


def test_values_are_written_after_their_bar_by_the_formatter():
    chart = _chart([Row("x", (Decimal("1500.50"), None))])

    out = layout(chart, lambda v: "n/a" if v is None else f"{v} €")

    first, second = out.groups[0].bars
    assert first.text == "1500.50 €"
    assert first.text_x == first.width + 4
    assert second.text == "n/a"
    assert second.width == 0


def test_a_tiny_non_zero_value_stays_visible():
    out = layout(_chart([Row("x", (1, 100000))]), str)

    assert out.groups[0].bars[0].width == 2


def test_table_only_series_are_not_drawn():
    chart = _chart(
        [Row("x", (3, 4))], series=(Series("a", "A"), Series("b", "B", charted=False))
    )

    out = layout(chart, str)

    assert len(out.groups[0].bars) == 1
    assert out.legend == ()


def test_an_all_zero_chart_draws_empty_bars_without_dividing_by_zero():
    out = layout(_chart([Row("x", (0, 0))]), str)

    assert [b.width for b in out.groups[0].bars] == [0, 0]


def test_small_counts_are_suppressed_but_zero_and_ten_are_shown():
    assert [suppress_small(n) for n in (0, 1, 9, 10, 250)] == [0, None, None, 10, 250]


def test_percent_has_one_decimal_and_needs_a_whole():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(5, None) is None
    assert percent(5, 0) is None


def test_cross_table_fills_missing_pairs_with_zero():
    assert cross_table([("a", "x", 2), ("b", "y", 5)], ["a", "b"], ["x", "y"]) == [
        [2, 0],
        [0, 5],
    ]
