"""Geometry for the server-rendered SVG charts (templates/dashboard/_charts.html draws them).

Numbers only: every label goes to the template as text, where Jinja escapes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# A column chart is drawn twice, for a wide screen and for a phone (CSS shows one): a viewBox scales
# its text with it, so one drawing cannot be readable at 1,200 px and at 350 px alike.
WIDE = (900, 240, 9)  # viewBox width, height, x-axis labels at most
NARROW = (340, 200, 4)
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 54, 22, 10
BARS_W, BAR_ROW, LABEL_W = 360, 26, 120  # the horizontal bar chart's viewBox width, row height, label room
MAX_LABEL = 16  # characters of a label drawn in a bar chart (the full text is its tooltip)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at or above `value` (at least 1): the axis' top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    """1234 -> "1,234"; 2.5 -> "2.5"."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    text: str  # the value as shown


@dataclass
class ColumnChart:
    columns: list[Column]
    ticks: list[tuple[float, str]]  # (x, label) under the axis
    grid: list[tuple[float, str]]  # (y, value label) of the horizontal lines
    width: int
    height: int
    left: int = PAD_LEFT


def columns(
    points: list[tuple[str, float]], tick=lambda label: label, fmt=_number, axis=None, size=WIDE
) -> ColumnChart:
    """Vertical bars for (label, value) points, e.g. one per day; `tick` shortens an axis label,
    `fmt` writes a value, `axis` a gridline's value (default: as `fmt`)."""
    axis = axis or fmt
    width, height, max_ticks = size
    plot_w, plot_h = width - PAD_LEFT - 4, height - PAD_BOTTOM - PAD_TOP
    base = height - PAD_BOTTOM
    top = nice_ceiling(max((v for _, v in points), default=0))
    slot = plot_w / max(len(points), 1)
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        x = PAD_LEFT + i * slot + slot * 0.15
        bars.append(Column(x, base - h, max(slot * 0.7, 0.5), h, label, value, fmt(value)))
    every = max(1, math.ceil(len(points) / max_ticks))
    ticks = [
        (PAD_LEFT + (i + 0.5) * slot, tick(label)) for i, (label, _) in enumerate(points) if i % every == 0
    ]
    halves = (0, 0.5, 1) if float(top / 2).is_integer() else (0, 1)  # no line at 2.5 calls
    grid = [(base - plot_h * f, axis(top * f)) for f in halves]
    return ColumnChart(bars, ticks, grid, width, height)


def both(points: list[tuple[str, float]], **kwargs) -> tuple[ColumnChart, ColumnChart]:
    """The wide and the narrow drawing of one column chart."""
    return columns(points, size=WIDE, **kwargs), columns(points, size=NARROW, **kwargs)


@dataclass
class Bar:
    y: float
    width: float
    label: str
    short: str
    value: float
    text: str
    kind: str = ""  # a CSS modifier (sentiment, outcome) for the bar's colour


@dataclass
class BarChart:
    bars: list[Bar] = field(default_factory=list)
    width: int = BARS_W
    left: int = LABEL_W
    row: int = BAR_ROW

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * self.row + 4


def bars(items: list[tuple[str, float]], fmt=_number, kinds: dict | None = None) -> BarChart:
    """Horizontal bars for (label, value) items, longest scaled to the chart's room."""
    room = BARS_W - LABEL_W - 60  # the value is written after the bar
    top = max((v for _, v in items), default=0) or 1
    kinds = kinds or {}
    return BarChart(
        [
            Bar(
                i * BAR_ROW + 4,
                room * value / top,
                label,
                short(label),
                value,
                fmt(value),
                kinds.get(label, ""),
            )
            for i, (label, value) in enumerate(items)
        ]
    )
