"""Charts as data, and the geometry of their SVG drawing (pure: no app, no database).

A :class:`Chart` is what a table says: rows, series, values. :func:`layout` turns
it into horizontal grouped bars (coordinates, colours, texts) that a template draws
as inline SVG next to the same data as an HTML table. Drawn on the server, so pages
need no JavaScript; presentation attributes only (``fill``, ``x``...), no ``style``,
so the strict CSP holds; the SVG has a title and a description, and the table
carries every number (colour is never the only way to read a value).

Why not pygal: its SVG relies on an embedded ``<style>`` sheet and on JavaScript
tooltips served from another origin, both refused by our CSP, and its markup names
neither title nor description for screen readers. Grouped horizontal bars are the
one chart shape the dashboard needs, and they fit in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

#: A value in a chart: a count, an amount, a percentage; None when suppressed or
#: not known (the formatter says which).
Value = int | Decimal | None

#: Bar colours, each at least 3:1 against white (WCAG 1.4.11), in series order.
PALETTE = ("#1d4e89", "#8a3b12", "#1e6b34", "#6b3fa0", "#5c5c66")

WIDTH = 420
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
LEGEND_HEIGHT = 22
#: Room kept at the end of the longest bar for its value.
VALUE_ROOM = 96


@dataclass(frozen=True)
class Series:
    """One column of values; ``charted`` False: shown in the table only."""

    key: str
    label: str
    charted: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Chart:
    """A titled, described set of rows; the same data feeds the bars and the table."""

    id: str
    title: str
    description: str
    row_header: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    #: "count", "euros" or "percent": how the page formats the values.
    unit: str = "count"
    #: Shown under the table (sources, suppressed counts, how a total is made).
    note: str = ""
    totals: tuple[Value, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def charted(self) -> list[tuple[int, Series]]:
        return [(i, s) for i, s in enumerate(self.series) if s.charted]


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    colour: str
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class LegendItem:
    x: int
    y: int
    colour: str
    label: str


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    groups: tuple[Group, ...]
    legend: tuple[LegendItem, ...] = field(default_factory=tuple)


def _number(value: Value) -> Decimal:
    return Decimal(0) if value is None else Decimal(value)


def scale_max(chart: Chart) -> Decimal:
    """The largest charted value (1 when every value is zero or missing)."""
    values = [
        _number(row.values[i]) for row in chart.rows for i, _series in chart.charted
    ]
    top = max(values, default=Decimal(0))
    return top if top > 0 else Decimal(1)


def layout(chart: Chart, format_value: Callable[[Value], str]) -> Layout:
    """Coordinates of every bar, label and legend entry of *chart*.

    Each row is a label on its own line (long French and Arabic names fit) over one
    bar per charted series; the value is written after its bar.
    """
    charted = chart.charted
    top = scale_max(chart)
    usable = WIDTH - VALUE_ROOM
    y = 0
    legend: list[LegendItem] = []
    if len(charted) > 1:
        x = 0
        for n, (_i, series) in enumerate(charted):
            legend.append(LegendItem(x, y, PALETTE[n % len(PALETTE)], series.label))
            x += 14 + 8 * min(len(series.label), 24) + 16
            if x > WIDTH - 120:
                x, y = 0, y + LEGEND_HEIGHT
        y += LEGEND_HEIGHT + 4
    groups: list[Group] = []
    for row in chart.rows:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        bars: list[Bar] = []
        for n, (i, _series) in enumerate(charted):
            value = row.values[i]
            width = int(usable * _number(value) / top)
            if value is not None and value and width < 2:
                width = 2  # a non-zero value is always visible
            bars.append(
                Bar(
                    x=0,
                    y=y,
                    width=width,
                    height=BAR_HEIGHT,
                    colour=PALETTE[n % len(PALETTE)],
                    text=format_value(value),
                    text_x=width + 4,
                    text_y=y + BAR_HEIGHT - 3,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(row.label, label_y, tuple(bars)))
        y += GROUP_GAP
    return Layout(WIDTH, max(y, 1), tuple(groups), tuple(legend))


def suppress_small(count: int, threshold: int = 10) -> int | None:
    """A count, or None when it is between 1 and threshold - 1 (small numbers could
    point at people)."""
    return None if 0 < count < threshold else count


def percent(part: int, whole: int | None) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal; None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def cross_table(
    pairs: Sequence[tuple[str, str, int]], rows: Sequence[str], columns: Sequence[str]
) -> list[list[int]]:
    """Counts of (row, column, count) triples laid out as rows by columns."""
    index = {(r, c): n for r, c, n in pairs}
    return [[index.get((r, c), 0) for c in columns] for r in rows]
