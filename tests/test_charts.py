"""The SVG charts' geometry (app/dashboard/charts.py): axis tops, bar sizes, shortened labels."""

from __future__ import annotations

import pytest

from app.dashboard import charts


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (101, 200), (4560, 5000)]
)
def test_the_axis_ends_at_a_round_number(value, top):
    assert charts.nice_ceiling(value) == top


def test_columns_fill_the_plot_and_stand_on_the_base():
    chart = charts.columns([("a", 0), ("b", 5), ("c", 10)], size=(340, 200, 4))
    base = chart.height - charts.PAD_BOTTOM
    assert [c.height for c in chart.columns][0] == 0
    assert chart.columns[2].height == pytest.approx(200 - charts.PAD_BOTTOM - charts.PAD_TOP)
    assert all(c.y + c.height == pytest.approx(base) for c in chart.columns)
    assert chart.columns[-1].x + chart.columns[-1].width <= chart.width
    assert [text for _, text in chart.grid] == ["0", "5", "10"]


def test_gridlines_are_whole_numbers():
    assert [text for _, text in charts.columns([("a", 4)]).grid] == ["0", "5"]
    assert [text for _, text in charts.columns([("a", 0)]).grid] == ["0", "1"]


def test_a_long_period_gets_a_few_axis_labels():
    points = [(f"d{i}", i) for i in range(90)]
    assert len(charts.columns(points, size=charts.WIDE).ticks) <= charts.WIDE[2]
    assert len(charts.columns(points, size=charts.NARROW).ticks) <= charts.NARROW[2]


def test_bars_scale_to_the_longest_and_shorten_long_labels():
    chart = charts.bars([("boiler", 4), ("a topic with a very long name indeed", 2), ("none", 0)])
    room = charts.BARS_W - charts.LABEL_W - 60
    assert [b.width for b in chart.bars] == [room, room / 2, 0]
    assert chart.bars[1].short == "a topic with a…" and chart.bars[1].label.endswith("indeed")
    assert chart.height == 3 * charts.BAR_ROW + 4
